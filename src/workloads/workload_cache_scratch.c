/* cache-scratch/<threads>[:<pairs>]: passive false sharing, after
 * mimalloc-bench's cache-scratch (from Hoard's suite, Berger et al.). At the
 * start of each iteration thread 0 allocates one 8-byte object per thread,
 * side by side as any allocator places consecutive small blocks, and hands
 * object i to thread i. Each thread checks and frees the object it was given
 * (a cross-thread free for all but thread 0), then, as in cache-thrash,
 * allocates two 8-byte objects, writes each byte 500 times, checks and frees
 * them, 1,000 pairs in a row. An allocator that gives a freed block back to
 * the thread that freed it hands every thread a block on the cache line
 * thread 0 filled, so the threads' writes fight over it; one that returns
 * remote frees to their owner does not. The frees of handed-over objects
 * are counted. */
#include "workload_mt.h"

#include <stdlib.h>

#define OBJ_SIZE 8u
#define DEFAULT_PAIRS 1000u
#define REPS 500u

typedef struct scratch {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    uint64_t pairs;     /* per thread and iteration, after the handed-over object */
    void **given;       /* n objects, written by thread 0 before a barrier */
    uint64_t salt0;     /* thread 0's salt of the iteration, likewise */
} scratch;

static al_run_status hand_out(scratch *s, uint64_t it, char *why, size_t whylen)
{
    s->salt0 = wl_mt_salt(&s->m, 0, it) ^ 0x5c7a7c4ull;
    for (unsigned k = 0; k < s->m.n; k++) {
        void *p = al_allocate(s->m.a, OBJ_SIZE, WL_CHUNK_ALIGN);
        if (!p) {
            for (unsigned j = 0; j < k; j++) al_deallocate(s->m.a, s->given[j], OBJ_SIZE, WL_CHUNK_ALIGN);
            s->given[0] = NULL;
            return wl_alloc_failed(s->m.a, s->m.spec, OBJ_SIZE, (size_t)OBJ_SIZE * s->m.n, why, whylen);
        }
        wl_fill_block(p, OBJ_SIZE, wl_key(s->salt0, k));
        wl_escape(p);
        s->given[k] = p;
    }
    return AL_RUN_OK;
}

static al_run_status take_given(scratch *s, unsigned i, char *why, size_t whylen)
{
    unsigned char *p = s->given[i];
    if (!wl_check_block(p, OBJ_SIZE, wl_key(s->salt0, i))) {
        wl_why(why, whylen, "a handed-over object from '%s' lost its pattern before it was freed", s->m.spec);
        return AL_RUN_FAILED;
    }
    s->m.count[i].checksum += p[0];
    s->m.count[i].cross_frees += i != 0;
    al_deallocate(s->m.a, p, OBJ_SIZE, WL_CHUNK_ALIGN);
    return AL_RUN_OK;
}

/* The hand-out is all or nothing: after the barrier every thread has an
 * object, or none has (all then skip to the end of the iteration). */
static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    scratch *s = arg;
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (i == 0) {
            s->given[0] = NULL;
            if (st == AL_RUN_OK) st = hand_out(s, it, why, whylen);
        }
        wl_crew_sync(s->m.crew);
        if (st == AL_RUN_OK && s->given[0]) st = take_given(s, i, why, whylen);
        if (st == AL_RUN_OK)
            st = wl_mt_churn(&s->m, i, wl_mt_salt(&s->m, i, it), s->pairs, OBJ_SIZE, REPS, why, whylen);
        /* No thread hands out the next objects while another still reads this
         * iteration's `given`. */
        wl_crew_sync(s->m.crew);
        wl_mt_iter_end(&s->m);
    }
    return st;
}

static void scratch_teardown(void *inst)
{
    scratch *s = inst;
    if (!s) return;
    wl_mt_close(&s->m);
    free(s->given);
    free(s);
}

static void *scratch_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"cache-scratch", 1, 100000000, "pairs", DEFAULT_PAIRS};
    unsigned n;
    uint64_t pairs;
    scratch *s = wl_mt_new(sizeof *s, &grammar, param, &n, &pairs, status, why, whylen);
    if (!s) return NULL;
    s->pairs = pairs;
    s->given = calloc(n, sizeof *s->given);
    if (!s->given) return wl_setup_abort(s, scratch_teardown, true, status, why, whylen);
    return wl_mt_start(s, spec, n, (size_t)OBJ_SIZE * 3 * n, worker, scratch_teardown, status, why, whylen);
}

const al_workload al_workload_cache_scratch = {
    .name = "cache-scratch",
    .description = "passive false sharing after mimalloc-bench's cache-scratch: thread 0 hands each thread an "
                   "8-byte object; each frees it, then allocates, writes hard and frees objects of its own",
    .params = wl_mt_params_pair,
    .setup = scratch_setup,
    .run = wl_mt_run_hook,
    .teardown = scratch_teardown,
    .allocator_used = wl_mt_used_hook,
    .cross_frees = wl_mt_cross_hook,
};
