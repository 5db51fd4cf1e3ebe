/* cache-thrash/<threads>[:<pairs>]: active false sharing, after
 * mimalloc-bench's cache-thrash (from Hoard's suite, Berger et al.). Every
 * thread, on its own, allocates two 8-byte objects, writes each of their
 * bytes 500 times, checks them and frees them, 1,000 pairs in a row (two
 * live at once, so that a block handed out twice shows even in one thread).
 * The threads share one allocator: one that hands two threads' concurrent
 * objects out of the same 64-byte cache line (a shared heap carving blocks
 * side by side) makes their writes fight over that line, and the time per
 * iteration rises with the thread count although no thread ever touches
 * another's object. Every thread does the same work, so without false
 * sharing two threads on two idle cores take about the time of one. */
#include "workload_mt.h"

#include <stdlib.h>

#define OBJ_SIZE 8u
#define DEFAULT_PAIRS 1000u
#define REPS 500u

typedef struct thrash {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    uint64_t pairs;     /* per thread and iteration */
} thrash;

static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    thrash *t = arg;
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (st == AL_RUN_OK)
            st = wl_mt_churn(&t->m, i, wl_mt_salt(&t->m, i, it), t->pairs, OBJ_SIZE, REPS, why, whylen);
        wl_mt_iter_end(&t->m);
    }
    return st;
}

static void thrash_teardown(void *inst)
{
    thrash *t = inst;
    if (!t) return;
    wl_mt_close(&t->m);
    free(t);
}

static void *thrash_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"cache-thrash", 1, 100000000, "pairs", DEFAULT_PAIRS};
    unsigned n;
    uint64_t pairs;
    thrash *t = wl_mt_new(sizeof *t, &grammar, param, &n, &pairs, status, why, whylen);
    if (!t) return NULL;
    t->pairs = pairs;
    return wl_mt_start(t, spec, n, (size_t)OBJ_SIZE * 2 * n, worker, thrash_teardown, status, why, whylen);
}

const al_workload al_workload_cache_thrash = {
    .name = "cache-thrash",
    .description = "active false sharing after mimalloc-bench's cache-thrash: each thread allocates, writes "
                   "hard and frees 8-byte objects of its own; a heap that packs threads' objects on one cache line shows",
    .params = wl_mt_params_pair,
    .setup = thrash_setup,
    .run = wl_mt_run_hook,
    .teardown = thrash_teardown,
    .allocator_used = wl_mt_used_hook,
};
