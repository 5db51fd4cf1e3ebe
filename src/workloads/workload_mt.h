/* Threaded workloads on one shared allocator (workload_mt.c).
 *
 * larson, xmalloc, cache-scratch, cache-thrash, rptest and alloc-test run a
 * crew of worker threads (wl_crew) over one allocator instance that every
 * thread uses, so that a block allocated by one thread can be freed by
 * another. A spec that is not thread-safe is shared as "locked:<spec>" (one
 * thread alone uses it as is), and the result names what really ran. A
 * resettable allocator is reset once per iteration, by one thread, after all
 * of them have given their blocks back (inside the timed region: resetting is
 * its way of freeing).
 *
 * Per-thread counters (checksums, cross-thread frees) live in their own cache
 * lines: the workloads' bookkeeping must not add false sharing of its own to
 * what they measure. Each is written only by its thread and read by the
 * harness thread after the crew's end-of-run barrier.
 */
#ifndef ALLOCLAB_WORKLOAD_MT_H
#define ALLOCLAB_WORKLOAD_MT_H

#include "workload_common.h"

/* ----------------------------------------------------------------------------
 * Parameters: "<threads>" or "<threads>-oversub" (more threads than cores,
 * named so in the default suite), optionally ":<scale>", a workload-specific
 * size override that tests use to stay fast.
 * ------------------------------------------------------------------------- */
/** Parse such a parameter: threads in [min_threads, 256], scale in
 *  [1, scale_hi] or 0 when absent. false when it is not one. */
bool wl_mt_parse(const char *param, unsigned min_threads, uint64_t scale_hi, unsigned *threads, uint64_t *scale);

/* The default thread counts of the suite: the number of CPUs, and four times
 * that, named "-oversub" ({"2", "8-oversub"} on a 2-core machine). */
extern const char *wl_mt_params[];
/* One thread, and the number of CPUs ({"1", "2"}): for the false-sharing
 * workloads, whose effect needs threads on distinct cores and whose one-thread
 * time is the yardstick. */
extern const char *wl_mt_params_pair[];
/* The number of CPUs alone ({"2"}). */
extern const char *wl_mt_params_ncpus[];

/* ----------------------------------------------------------------------------
 * The shared allocator and its crew.
 * ------------------------------------------------------------------------- */
typedef struct wl_mt_counter {
    uint64_t checksum;      /* of the blocks read before their frees */
    uint64_t cross_frees;   /* frees of blocks another thread allocated */
    uint64_t ops;           /* workload-defined (allocations, writes, ...) */
    char pad[64 - 3 * sizeof(uint64_t)];
} wl_mt_counter;

typedef struct wl_mt {
    al_allocator *a;        /* shared by all threads */
    char spec[80];          /* what a really is ("locked:..." when a lock was added) */
    unsigned n;             /* threads */
    bool reset;             /* a resettable allocator, reset by wl_mt_iter_end */
    uint64_t iters_done;    /* iterations of the runs before this one (read by workers) */
    wl_mt_counter *count;   /* n counters, cache-line aligned */
    wl_crew *crew;
} wl_mt;

/** Make the shared allocator for n threads (a fixed capacity must hold one
 *  block of `need_live` bytes, the most the workload keeps live), the
 *  counters, and the crew running fn(arg, ...). false with *status and a
 *  reason; wl_mt_close then frees what was made. */
bool wl_mt_open(wl_mt *m, const char *spec, unsigned n, size_t need_live, wl_crew_fn fn, void *arg,
                al_run_status *status, char *why, size_t whylen);

/* ----------------------------------------------------------------------------
 * Setup, as every threaded workload begins and ends it.
 * ------------------------------------------------------------------------- */
/* A workload's parameter grammar: threads from min_threads to 256, and its
 * scale (named scale_name in messages, at most scale_hi, scale_default when
 * the parameter gives none). */
typedef struct wl_mt_grammar {
    const char *workload; /* "larson" */
    unsigned min_threads;
    uint64_t scale_hi;
    const char *scale_name; /* "replacements" */
    uint64_t scale_default;
} wl_mt_grammar;

/** Parse param (wl_mt_parse) into *n and *scale, and make the zeroed
 *  instance of `size` bytes. NULL with *status and a reason: a refused
 *  parameter is "<workload>: unknown parameter '<param>' (threads 1-256,
 *  optionally -oversub and :<scale_name>)", else out of memory. */
void *wl_mt_new(size_t size, const wl_mt_grammar *g, const char *param, unsigned *n, uint64_t *scale,
                al_run_status *status, char *why, size_t whylen);
/** The end of a setup whose instance begins with its wl_mt: the shared
 *  allocator and the crew running fn(inst, ...) (wl_mt_open). inst, or NULL
 *  after teardown(inst) with *status and the reason. */
void *wl_mt_start(void *inst, const char *spec, unsigned n, size_t need_live, wl_crew_fn fn, void (*teardown)(void *),
                  al_run_status *status, char *why, size_t whylen);

/** The end of one iteration, called by every worker (even after a failure):
 *  with a resettable allocator, all threads meet, one resets, all meet again.
 *  Without one it returns at once. */
void wl_mt_iter_end(wl_mt *m);
/** One run of `iters` iterations on the crew; the checksums go to wl_sink. */
al_run_status wl_mt_run(wl_mt *m, uint64_t iters, char *why, size_t whylen);
/** Cross-thread frees of every run so far. */
uint64_t wl_mt_cross_frees(const wl_mt *m);
/** Stop the crew, destroy the allocator, free the counters (m may be partly
 *  made; its memory itself is the caller's). */
void wl_mt_close(wl_mt *m);

/* The hooks of a workload whose instance begins with its wl_mt (a wl_mt
 * first member): run, cross_frees and allocator_used. */
al_run_status wl_mt_run_hook(void *inst, uint64_t iters, char *why, size_t whylen);
uint64_t wl_mt_cross_hook(void *inst);
const char *wl_mt_used_hook(void *inst);

/* The salt of thread i's iteration `it` of the current run: distinct over
 * threads and over every iteration of the instance's life. */
static inline uint64_t wl_mt_salt(const wl_mt *m, unsigned i, uint64_t it)
{
    return ((uint64_t)(i + 1) << 48) ^ (m->iters_done + it);
}

/* ----------------------------------------------------------------------------
 * Hammering small objects (cache-scratch, cache-thrash): `reps` passes that
 * write every byte of p[0..n) (volatile stores: none may be dropped); the
 * object then holds the last pass, which wl_mt_hammer_holds checks. Another
 * write into it in between (a block handed out twice, to this thread or to
 * another one) makes that false.
 * ------------------------------------------------------------------------- */
static inline bool wl_mt_hammer_holds(const void *p, size_t n, uint64_t reps, uint64_t tag)
{
    const volatile unsigned char *b = p;
    for (size_t k = 0; k < n; k++)
        if (b[k] != (unsigned char)(tag + reps - 1 + k)) return false;
    return true;
}

static inline bool wl_mt_hammer(void *p, size_t n, uint64_t reps, uint64_t tag)
{
    volatile unsigned char *b = p;
    for (uint64_t r = 0; r < reps; r++)
        for (size_t k = 0; k < n; k++) b[k] = (unsigned char)(tag + r + k);
    return wl_mt_hammer_holds(p, n, reps, tag);
}

/** Thread i of m, `pairs` times in a row: allocate two objects of `size`
 *  bytes, hammer one then the other `reps` passes, check that each still
 *  holds its last pass, put the pattern of wl_key(salt, 2k + j) in, check
 *  it, free both (cache-scratch, cache-thrash). Two live at once, so that a
 *  block handed out twice shows even to one thread alone. */
al_run_status wl_mt_churn(wl_mt *m, unsigned i, uint64_t salt, uint64_t pairs, size_t size, uint64_t reps,
                          char *why, size_t whylen);

#endif
