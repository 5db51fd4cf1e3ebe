/* alloclab replay — a trace replayed against registry allocators.
 *
 *   plan.c      the trace turned into per-thread operations on slots
 *   engine.c    running a plan on one allocator: one thread per traced
 *               thread, cross-thread waits, memory touched and checked
 *   workload.c  the plan as a harness workload ("replay"), so that timing,
 *               instruction counts, peak RSS, reports and history are the
 *               benchmarks' own
 *
 * Addresses are gone: every block of the trace is a slot, an index into
 * tables the engine maps with mmap (never from the allocator under test).
 */
#ifndef ALLOCLAB_REPLAY_H
#define ALLOCLAB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alloclab/allocator.h>

#include "results.h"
#include "trace.h"
#include "workload.h"

enum { RP_ALLOC = 1, RP_ZALLOC = 2, RP_REALLOC = 3, RP_FREE = 4 };

typedef struct rp_op {
    uint64_t size;      /* bytes to allocate (alloc, realloc) */
    uint32_t slot;      /* the block made, or freed */
    uint32_t old;       /* realloc: the block resized */
    uint32_t align;     /* alloc: the alignment asked */
    uint8_t kind;       /* RP_* */
    uint8_t wait;       /* the block freed/resized was made by another thread:
                           wait until it exists */
} rp_op;

typedef struct rp_thread_ops {
    rp_op *ops;
    size_t n;
} rp_thread_ops;

typedef struct al_replay_plan {
    rp_thread_ops *threads;
    size_t nthreads;
    uint64_t *slot_size;        /* per slot: its size, for sized frees */
    uint32_t *slot_align;
    size_t nslots;              /* including slot 0, unused */
    uint64_t ops, cross_frees;  /* operations, of which frees/reallocs of another thread's block */
    uint64_t skipped;           /* calls with nothing to replay: free(NULL), failed calls,
                                   frees of blocks the trace never saw */
    uint64_t peak_live, total_bytes, max_block;
} al_replay_plan;

/* Build a plan: NULL with a reason when out of memory or when the trace has
 * more threads than a replay runs (1024). The trace can be freed after. */
al_replay_plan *al_replay_plan_make(const al_trace *t, char *err, size_t errlen);
void al_replay_plan_free(al_replay_plan *p);

typedef enum al_replay_touch {
    AL_TOUCH_ENDS = 0,  /* the first and last word of every block (default) */
    AL_TOUCH_PAGES = 1, /* and one word in every page */
} al_replay_touch;

/* One allocator's replay machinery: the slot tables, the threads. */
typedef struct al_replay al_replay;

/* Ready to replay `plan` on `a` (not owned; thread-safe when the plan has
 * several threads). NULL with a reason. */
al_replay *al_replay_new(const al_replay_plan *plan, al_allocator *a, al_replay_touch touch, char *why,
                         size_t whylen);
/* Replay the whole plan once, then free what the trace left live (and reset
 * a resettable allocator). AL_RUN_OK; AL_RUN_UNSUPPORTED when the allocator
 * refused memory (the reason says how much the trace needs); AL_RUN_FAILED
 * when a block's pattern was damaged (overlapping blocks, a bad grow). The
 * allocator holds nothing from the replay afterwards, whatever the outcome. */
al_run_status al_replay_once(al_replay *r, char *why, size_t whylen);
uint64_t al_replay_cross_frees(const al_replay *r);
void al_replay_free(al_replay *r);

/* The "replay" workload over the plans registered here: param NAME runs
 * the plan registered under NAME (al_replay_register_set). Its metric is
 * the fragmentation: the child's RSS growth from set-up to its peak over the
 * trace's peak live bytes. The touch mode applies to every replay. */
extern const al_workload al_replay_workload;
void al_replay_set_touch(al_replay_touch touch);

/* A trace made ready for the harness: every process that made allocation
 * calls (a section of the file: the program, each image after an exec,
 * each forked child with --follow-forks) as a plan of its own, registered
 * under its own name, so that each is replayed in its own benchmark
 * processes with its own threads and its own heap, as it ran. */
typedef struct al_replay_proc {
    char name[32];              /* the harness's param: "pipe.3868" ("pipe" alone
                                   for a trace of one process) */
    uint32_t pid;
    size_t section;             /* index into the trace's sections */
    uint64_t missing_chunks, missing_events; /* the section's stated loss (trace.h) */
    al_replay_plan *plan;
} al_replay_proc;

typedef struct al_replay_set {
    char name[32];              /* drawn from the file's name: the param of the
                                   summed results (al_replay_sum) */
    al_replay_proc *procs;      /* in the trace's section order */
    size_t n;
} al_replay_set;

/* A replay runs at most this many processes of one trace (each is a column
 * of the reports). */
#define AL_REPLAY_MAX_PROCS 256

/* Read a trace, plan every process that allocates and register each plan
 * (and the workload) under a name drawn from the file's ("python3.trace" ->
 * "python3", at most 31 characters of [A-Za-z0-9._-]): the name itself for
 * a trace of one process, NAME.PID for each process of several (NAME.PID.2
 * for a second image of that pid). keep NULL frees the trace, else *keep
 * gets it whole. 0, or -1 with one line in err (a bad file: as
 * al_trace_read; no process allocates; more than AL_REPLAY_MAX_PROCS).
 * Keep the set until the harness is done. */
int al_replay_load(const char *path, al_replay_set *set, al_trace **keep, char *err, size_t errlen);
/* The same for a trace already read from path (taken: *keep gets it, or it
 * is freed, also on failure). */
int al_replay_load_trace(al_trace *t, const char *path, al_replay_set *set, al_trace **keep, char *err,
                         size_t errlen);
void al_replay_set_free(al_replay_set *set);
/* In a process started by a replaying command (bench's callgrind child):
 * load the trace ALLOCLAB_REPLAY_TRACE names, with ALLOCLAB_REPLAY_TOUCH. */
void al_replay_load_from_env(void);
/* Register every process of the set under its name, all or none (the plans
 * must outlive the harness's use). 0, or -1 when out of memory. */
int al_replay_register_set(const al_replay_set *set);
/* Forget the set's plans (al_replay_set_free does it). */
void al_replay_unregister_set(const al_replay_set *set);

/* The whole trace from its processes' results (sum.c). For every allocator
 * that replayed each process of the set, appends a result
 * replay/SET-NAME/ALLOCATOR: its k-th sample the sum of the processes' k-th
 * samples (one replay of every process, each in its own heap), its
 * instructions, allocator calls, page faults and peak RSS the sums (peak
 * RSS: as if every process peaked at once), its rss_ratio the processes'
 * RSS growth summed over their peak live bytes summed. An allocator that
 * failed or was unsupported on one process gets that status and the
 * process's reason. `passes` is the number of benchmark processes each
 * result's samples came from (the CI is then the grouped one). Nothing for
 * a set of one process. 0, or -1 when out of memory (the run unchanged). */
int al_replay_sum(al_bench_run *run, const al_replay_set *set, size_t passes);
/* The benchmark processes each result of a run made with cfg draws its
 * samples from (the harness's defaults applied). */
struct al_bench_config;
size_t al_replay_passes(const struct al_bench_config *cfg);

#endif
