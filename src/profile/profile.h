/* alloclab profile — what a trace says about a program's allocations.
 *
 *   profile.c       the figures (one pass over the events, one over blocks)
 *   profile_text.c  the report a person reads top to bottom
 *   profile_html.c  the same as a self-contained page with SVG charts
 *   profile_json.c  the same as JSON
 *   symbols.c       stack frames to function names (addr2line on the modules)
 *
 * The figures are also what `recommend` reasons from.
 */
#ifndef ALLOCLAB_PROFILE_H
#define ALLOCLAB_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

#define AL_PROFILE_BUCKETS 65   /* power-of-two buckets: [0], [1], [2,3], [4,7], ... */
#define AL_PROFILE_SERIES 240   /* points of the live-bytes-over-time series */
#define AL_PROFILE_TOP 10       /* sites listed per table */

typedef struct al_profile_thread {
    uint64_t tid;
    uint32_t pid;
    uint64_t calls, allocations, bytes, frees;
    uint64_t freed_elsewhere;   /* of its blocks, freed by another thread */
    uint64_t frees_of_others;   /* frees it made of blocks another thread allocated */
    uint64_t peak_live;         /* the most bytes its own blocks held at once */
    uint64_t temporary;         /* its blocks freed before its next allocation */
} al_profile_thread;

typedef struct al_profile_site {
    uint32_t stack;             /* index into the trace's stacks */
    uint64_t calls, bytes;      /* allocations made from there and their bytes */
    uint64_t peak_bytes;        /* of them, live at the global peak */
    uint64_t temporary;
} al_profile_site;

typedef struct al_profile {
    const al_trace *trace;
    uint64_t calls[AL_EV_KIND_COUNT], failed[AL_EV_KIND_COUNT];
    uint64_t ncalls;
    uint64_t allocations;       /* blocks made (allocations and reallocs that succeeded) */
    uint64_t frees;             /* blocks freed (free, sized frees, realloc to 0) */
    uint64_t free_null;         /* free(NULL) */
    uint64_t bytes_allocated;   /* total requested over all blocks made */
    uint64_t duration_ns;
    uint64_t peak_bytes, peak_blocks, peak_t;
    size_t peak_event;
    uint64_t end_bytes, end_blocks; /* still allocated at the end */
    uint64_t min_size, max_size;
    double mean_size;
    uint64_t size_hist[AL_PROFILE_BUCKETS];
    uint64_t size_hist_bytes[AL_PROFILE_BUCKETS];
    /* Lifetimes of freed blocks: allocations (in the whole process) between
     * a block's allocation and its end, and nanoseconds. */
    uint64_t life_allocs_hist[AL_PROFILE_BUCKETS], life_ns_hist[AL_PROFILE_BUCKETS];
    uint64_t life_allocs_median, life_ns_median, lifetimes;
    uint64_t temporary;         /* freed before its thread's next allocation */
    uint64_t small_short;       /* <= 256 bytes and freed within 64 allocations */
    uint64_t large_blocks, large_bytes; /* >= 1 MiB */
    uint64_t reallocs, realloc_moved, realloc_in_place, realloc_failed;
    uint64_t chains, chain_max;  /* blocks grown by realloc: lineages and the longest */
    double chain_mean;
    uint64_t cross_frees, cross_bytes; /* blocks freed by another thread */
    uint64_t aligned_calls, align_max;
    al_profile_thread *threads;
    size_t nthreads;
    uint32_t max_concurrent_threads; /* threads with calls in the same series bucket */
    /* Live bytes over time: the highest value in each of AL_PROFILE_SERIES
     * equal slices of the trace's duration. */
    uint64_t series[AL_PROFILE_SERIES];
    bool has_stacks;
    al_profile_site *by_calls, *by_peak; /* the top sites, AL_PROFILE_TOP at most each */
    size_t nby_calls, nby_peak;
} al_profile;

/* The figures of a trace. NULL only when out of memory. The trace must
 * outlive the profile. */
al_profile *al_profile_compute(const al_trace *t);
void al_profile_free(al_profile *p);

/* The power-of-two bucket of v: 0 for 0, else 1 + floor(log2 v). */
unsigned al_profile_bucket(uint64_t v);
/* The lowest value of bucket b. */
uint64_t al_profile_bucket_low(unsigned b);

/* Reports. 0, or -1 on a write error. */
int al_profile_text(FILE *out, const al_profile *p, const char *path);
int al_profile_html(FILE *out, const al_profile *p, const char *path);
/* The figures as a JSON object (jansson's json_t, profile_json.c): the
 * caller owns it. */
struct json_t;
struct json_t *al_profile_json_object(const al_profile *p);

/* "12.3 MiB", "512 B" */
const char *al_profile_fmt_bytes(double v, char *buf, size_t len);
/* "1.23 s", "45 µs" */
const char *al_profile_fmt_time(double ns, char *buf, size_t len);

/* ---- symbols (symbols.c) ------------------------------------------------- */
typedef struct al_symbols al_symbols;
/* Resolve the frames of the given stacks (addr2line over each module, in
 * batches). Never fails: what cannot be resolved reads "module+0xoffset". */
al_symbols *al_symbols_resolve(const al_trace *t, const uint32_t *stacks, size_t n);
/* The stacks of the profile's top sites (by calls and by peak bytes), resolved. */
al_symbols *al_profile_top_symbols(const al_profile *p, const al_trace *t);
/* The name of a stack's frame i: "function (file:line)" or "lib.so+0x1234". */
const char *al_symbols_frame(const al_symbols *s, uint32_t stack, uint32_t frame);
void al_symbols_free(al_symbols *s);

#endif
