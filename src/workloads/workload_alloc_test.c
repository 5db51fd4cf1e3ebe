/* alloc-test/<threads>[:<steps>]: heavy-tailed sizes with random lifetimes,
 * after mimalloc-bench's alloc-test (OLogN's allocator tester). Each thread
 * owns 4,096 slots; a step picks a random slot, checks and frees the block
 * it holds, if any, and, three times in four, allocates a new one there
 * (a block's lifetime is thus random, geometric, and the slots hover around
 * three quarters full). Sizes follow a Pareto distribution (shape 1.1, from
 * 8 bytes) capped at 1 KiB: most blocks are tiny, a few are large, as in
 * real programs; a table of 4,096 sizes is drawn at setup so that no pow()
 * runs in the timed loop. An iteration is 100,000 steps in all, divided over
 * the threads (fixed total work), then every slot is emptied. No block
 * changes thread: this is the allocators' thread-local fast path under a
 * realistic size mix. */
#include "workload_mt.h"

#include <math.h>
#include <stdlib.h>

#define SLOTS 4096u
#define SIZES 4096u
#define DEFAULT_STEPS 100000u
#define PARETO_SHAPE 1.1
#define PARETO_MIN 8.0
#define MAX_SIZE 1024u

typedef struct aslot {
    void *p;
    uint64_t key;
    uint32_t size;
} aslot;

typedef struct alloc_test {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    uint64_t steps;        /* per thread and iteration */
    aslot *slots;          /* n x SLOTS */
    uint32_t sizes[SIZES];
} alloc_test;

static bool empty_slot(alloc_test *t, unsigned i, aslot *s)
{
    if (!s->p) return true;
    if (!wl_check_block(s->p, s->size, s->key)) return false;
    t->m.count[i].checksum += ((unsigned char *)s->p)[0];
    al_deallocate(t->m.a, s->p, s->size, WL_CHUNK_ALIGN);
    s->p = NULL;
    return true;
}

static al_run_status corrupt(const alloc_test *t, char *why, size_t whylen)
{
    wl_why(why, whylen, "a block from '%s' lost its pattern before it was freed", t->m.spec);
    return AL_RUN_FAILED;
}

static al_run_status one_iteration(alloc_test *t, unsigned i, uint64_t it, char *why, size_t whylen)
{
    aslot *slots = t->slots + (size_t)i * SLOTS;
    uint64_t salt = wl_mt_salt(&t->m, i, it);
    wl_rng r = {salt};
    al_run_status st = AL_RUN_OK;
    for (uint64_t k = 0; k < t->steps; k++) {
        uint64_t v = wl_rng_next(&r);
        aslot *s = &slots[v % SLOTS];
        if (!empty_slot(t, i, s)) return corrupt(t, why, whylen);
        if (((v >> 20) & 3) == 0) continue; /* one step in four leaves the slot empty */
        uint32_t size = t->sizes[(v >> 24) % SIZES];
        void *p = al_allocate(t->m.a, size, WL_CHUNK_ALIGN);
        if (!p) {
            st = wl_alloc_failed(t->m.a, t->m.spec, size, (size_t)SLOTS * MAX_SIZE * t->m.n, why, whylen);
            break;
        }
        *s = (aslot){.p = p, .key = wl_key(salt, k), .size = size};
        wl_fill_block(p, size, s->key);
        wl_escape(p);
    }
    t->m.count[i].ops += t->steps;
    for (size_t k = 0; k < SLOTS; k++)
        if (!empty_slot(t, i, &slots[k])) return corrupt(t, why, whylen);
    return st;
}

static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    alloc_test *t = arg;
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (st == AL_RUN_OK) st = one_iteration(t, i, it, why, whylen);
        wl_mt_iter_end(&t->m);
    }
    return st;
}

static void alloc_test_teardown(void *inst)
{
    alloc_test *t = inst;
    if (!t) return;
    wl_mt_close(&t->m);
    free(t->slots);
    free(t);
}

static void *alloc_test_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"alloc-test", 1, 100000000, "steps", DEFAULT_STEPS};
    unsigned n;
    uint64_t steps;
    alloc_test *t = wl_mt_new(sizeof *t, &grammar, param, &n, &steps, status, why, whylen);
    if (!t) return NULL;
    t->steps = (steps + n - 1) / n;
    t->slots = calloc((size_t)n * SLOTS, sizeof *t->slots);
    if (!t->slots) return wl_setup_abort(t, alloc_test_teardown, true, status, why, whylen);
    /* Pareto by inversion: x = min / u^(1/shape), u uniform in (0, 1]. */
    wl_rng r = {0xA110C7E57ull};
    for (size_t k = 0; k < SIZES; k++) {
        double u = (double)((wl_rng_next(&r) >> 11) + 1) / 9007199254740992.0;
        double x = PARETO_MIN / pow(u, 1.0 / PARETO_SHAPE);
        t->sizes[k] = x >= MAX_SIZE ? MAX_SIZE : (uint32_t)x;
    }
    uint64_t sum = 0;
    for (size_t k = 0; k < SIZES; k++) sum += t->sizes[k];
    size_t live = (size_t)n * SLOTS * (size_t)(sum / SIZES) * 3 / 4;
    return wl_mt_start(t, spec, n, live, worker, alloc_test_teardown, status, why, whylen);
}

const al_workload al_workload_alloc_test = {
    .name = "alloc-test",
    .description = "after mimalloc-bench's alloc-test: threads replace random slots of their own with blocks of "
                   "Pareto-distributed sizes up to 1 KiB (random lifetimes, no cross-thread frees)",
    .params = wl_mt_params,
    .setup = alloc_test_setup,
    .run = wl_mt_run_hook,
    .teardown = alloc_test_teardown,
    .allocator_used = wl_mt_used_hook,
};
