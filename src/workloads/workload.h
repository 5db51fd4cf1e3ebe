/* The workload interface: what one benchmark workload provides to the
 * harness (set-up, a timed run that verifies its own memory, teardown), and
 * the one registry of workloads, built-in and registered. A workload is
 * found by name; every result carries the status its run ended with. */
#ifndef ALLOCLAB_WORKLOAD_H
#define ALLOCLAB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ----------------------------------------------------------------------------
 * Workloads (workload_*.c; the table in workloads.c)
 * ------------------------------------------------------------------------- */
typedef enum al_run_status {
    AL_RUN_OK = 0,
    AL_RUN_UNSUPPORTED = 1, /* this allocator cannot run it (capacity, ...): a reason says why */
    AL_RUN_FAILED = 2,      /* it ran and something was wrong: bad memory, a crash */
} al_run_status;

const char *al_run_status_name(al_run_status s); /* "ok", "unsupported", "failed" */

/* A workload's name is shorter than this (results keep it in a field this long). */
#define AL_WORKLOAD_NAME_MAX 48

typedef struct al_workload {
    const char *name;                  /* "glibc-simple" */
    const char *description;           /* one line */
    const char *const *params;         /* parameters of the default suite, NULL-terminated */
    /** Prepare one benchmark: parse `param`, make the allocator instance(s)
     *  from `spec` through the registry, start threads, fill buffers — all
     *  outside the timed region. NULL on failure, with *status and a one-line
     *  reason in why (unsupported combination, bad parameter, ...). */
    void *(*setup)(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen);
    /** The timed region: `iters` iterations. Checks the memory it used (fill
     *  patterns, checksums) and resets resettable allocators between
     *  iterations. Returns AL_RUN_OK, or another status with a reason. */
    al_run_status (*run)(void *inst, uint64_t iters, char *why, size_t whylen);
    /** Release everything setup made. */
    void (*teardown)(void *inst);
    /** Optional: allocator calls one iteration makes (counted once through a
     *  stats: wrapper at setup), or -1 when not counted. */
    double (*alloc_calls)(void *inst);
    /** Optional: a fixed iteration count per sample instead of the
     *  calibrated one, for workloads whose iterations differ (a running
     *  cycle): every allocator then times the same stretch of work. 0 or
     *  NULL: calibrate. */
    uint64_t (*fixed_iters)(void *inst);
    /** Optional: frees of blocks that another thread than the freeing one
     *  allocated, over every run so far. A workload that promises
     *  cross-thread frees counts them (per-thread counters, summed here). */
    uint64_t (*cross_frees)(void *inst);
    /** Optional: a figure of its own that the workload measures over its runs
     *  and that heads its result (fragmentation: peak RSS over peak live
     *  bytes). metric_name is an identifier ("rss_ratio"), metric_unit how
     *  the value reads ("x", "KiB/1k gen"); metric returns the value over
     *  every run so far, NaN while it is not known. */
    const char *metric_name;
    const char *metric_unit;
    double (*metric)(void *inst);
    /** Optional: the spec the workload really runs, when it is not the one
     *  it was given ("locked:arena": threads share an allocator that is not
     *  thread-safe through the locked: wrapper); NULL or the given spec
     *  otherwise. The result reports it (al_bench_result.ran_as). */
    const char *(*allocator_used)(void *inst);
} al_workload;

/* ----------------------------------------------------------------------------
 * Check level. A workload verifies its memory in every run; how deeply is
 * the harness's choice: AL_CHECK_FULL (every byte of every block written
 * and checked: the default, and what the harness sets for its untimed
 * verification iterations before and after the timed samples) or
 * AL_CHECK_CHEAP (each block's head and tail words only: the timed
 * iterations, so that the allocator's own cost stays in the foreground).
 * The level changes only between two run() calls; a workload whose blocks
 * outlive one run() call checks them with level-independent patterns
 * (wl_fill_ends, wl_fill_pages). Set it before starting any run; a run in
 * progress on other threads sees the level it started with.
 * ------------------------------------------------------------------------- */
typedef enum al_check_level { AL_CHECK_FULL = 0, AL_CHECK_CHEAP = 1 } al_check_level;

void al_workload_set_check_level(al_check_level level);
al_check_level al_workload_check_level(void);

/* The registry: built-in workloads, then registered ones (workloads.c).
 * al_workload_find looks up both; NULL for an unknown name or NULL. */
size_t al_workload_count(void);
const al_workload *al_workload_at(size_t i);
const al_workload *al_workload_find(const char *name);

/* Add a workload of a user or a test (at start-up, before threads): it joins
 * the default suite after the built-in ones and is found by name like them.
 * The descriptor must outlive every use. 0, or -1 when the name is empty,
 * too long (47 chars), has a '/', is taken, or 16 are already registered
 * (al_set_error says which). */
int al_workload_register(const al_workload *w);
/* Whether w is one of the built-in workloads (found by name in any process
 * of this program, as a registered one is not). */
bool al_workload_builtin(const al_workload *w);

#endif
