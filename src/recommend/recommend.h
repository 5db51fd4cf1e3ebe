/* alloclab recommend — one allocator for a program, with the evidence.
 *
 * The recommendation is drawn only from measured figures: the replay of the
 * program's trace on each allocator (the "replay" workload's results) and,
 * when a caller has them, the program's own runs under each allocator (any
 * al_bench_run with one ok result per allocator, e.g. from `alloclab run`),
 * which then rank first: they are the real program. An allocator without an
 * ok measurement is never recommended. The profile's facts say why, tied to
 * the talk's conclusions.
 */
#ifndef ALLOCLAB_RECOMMEND_H
#define ALLOCLAB_RECOMMEND_H

#include <stdio.h>

#include "profile.h"
#include "results.h"

/* What recommend needs of a profile: the trace can be freed once it is made. */
typedef struct al_rec_facts {
    uint64_t calls, allocations, frees, bytes_allocated, peak_bytes;
    uint64_t temporary, small_short, cross_frees, large_blocks, large_bytes, chain_max, reallocs;
    size_t nthreads, nprocesses;
    uint32_t concurrent_threads;
    double mean_size;
    uint64_t life_allocs_median;
} al_rec_facts;

void al_rec_facts_from_profile(const al_profile *p, al_rec_facts *f);
/* Facts of several processes (one profile each) as those of the whole: counts
 * summed, peaks summed (as if at once), the longest chain and the most
 * threads at once of any one process, the median lifetime of the process
 * with the most allocations. */
void al_rec_facts_add(al_rec_facts *sum, const al_rec_facts *one);

/* The measured evidence: replay (required) and the program's runs (NULL when
 * not measured). Both are runs of the harness; results are matched by
 * allocator name. */
typedef struct al_rec_evidence {
    const al_bench_run *replay;
    const al_bench_run *program;
    const char *replay_param;    /* the replay's results of this param only (the whole
                                    trace's sum, replay/NAME); NULL: any */
    size_t replay_passes;        /* benchmark processes each replay result's samples
                                    came from (al_replay_passes); 0: one */
} al_rec_evidence;

/* The allocator recommended and how it compares, for callers and tests. */
typedef struct al_rec_choice {
    char allocator[64];          /* empty when nothing could be measured */
    char baseline[64];           /* "sys" when measured, else the slowest */
    double speedup, lo, hi;      /* baseline median / chosen median, with a 95% CI */
    double rss_change;           /* chosen footprint / baseline's - 1 (NaN: unknown) */
    bool from_program;           /* ranked on the program's runs, not the replay */
    bool keep_baseline;          /* no allocator is measurably faster */
} al_rec_choice;

/* Print the recommendation (a few lines a person reads) and fill *choice.
 * 0, or -1 on a write error. */
int al_recommend(FILE *out, const al_rec_facts *f, const al_rec_evidence *ev, al_rec_choice *choice);

#endif
