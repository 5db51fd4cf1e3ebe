/* smallvec/{vec,smallvec}: the talk's second container trick. One iteration
 * makes 100,000 short-lived lists of 1-4 ints (lengths seeded, the same in
 * every iteration): each is filled, summed and dropped. As a heap vector
 * every list costs an allocation and a free; as a small vector with 4 inline
 * elements none does (longer lists would spill to the allocator). The sums
 * are checked against the expected ones. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>

#define LISTS 100000u
#define MAXLEN 4u
#define INLINE 4u
#define ALIGN _Alignof(int)
#define SEED 0x5a11ecull

/* A small vector: elements live in `inline_` until they exceed INLINE, then
 * in `heap` (cap ints from the allocator). Invariant: heap == NULL iff the
 * elements are inline. */
typedef struct svec {
    int inline_[INLINE];
    int *heap;
    size_t len, cap;
} svec;

static inline int *sv_data(svec *v) { return v->heap ? v->heap : v->inline_; }

static bool sv_push(al_allocator *a, svec *v, int x)
{
    size_t cap = v->heap ? v->cap : INLINE;
    if (v->len == cap) {
        int *p = al_allocate(a, 2 * cap * sizeof(int), ALIGN);
        if (!p) return false;
        memcpy(p, sv_data(v), v->len * sizeof(int));
        if (v->heap) al_deallocate(a, v->heap, v->cap * sizeof(int), ALIGN);
        v->heap = p;
        v->cap = 2 * cap;
    }
    sv_data(v)[v->len++] = x;
    return true;
}

static void sv_drop(al_allocator *a, svec *v)
{
    if (v->heap) al_deallocate(a, v->heap, v->cap * sizeof(int), ALIGN);
}

/* A heap vector growing from empty to 4 elements first, doubling. */
typedef struct hvec {
    int *data;
    size_t len, cap;
} hvec;

static bool hv_push(al_allocator *a, hvec *v, int x)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 4;
        int *p = al_grow(a, v->data, v->cap * sizeof(int), cap * sizeof(int), ALIGN);
        if (!p) return false;
        v->data = p;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return true;
}

/* ----------------------------------------------------------------------------
 * The workload. List j holds j, j+1, ..., j+len-1.
 * ------------------------------------------------------------------------- */
typedef struct lists {
    al_allocator *a;
    char spec[64];
    bool small;               /* smallvec, not vec */
    unsigned char len[LISTS]; /* the fixed lengths */
    double calls;
    uint64_t checksum;
} lists;

static uint64_t expected_sum(unsigned j, unsigned len) { return (uint64_t)len * j + (uint64_t)len * (len - 1) / 2; }

static al_run_status one_iteration(al_allocator *a, const lists *l, uint64_t *checksum, char *why, size_t whylen)
{
    for (unsigned j = 0; j < LISTS; j++) {
        unsigned n = l->len[j];
        uint64_t sum = 0;
        if (l->small) {
            svec v = {.len = 0};
            for (unsigned k = 0; k < n; k++) {
                if (!sv_push(a, &v, (int)(j + k))) {
                    sv_drop(a, &v);
                    return wl_alloc_failed(a, l->spec, 2 * v.len * sizeof(int), 2 * MAXLEN * sizeof(int), why, whylen);
                }
            }
            wl_escape(sv_data(&v));
            for (size_t k = 0; k < v.len; k++) sum += (uint64_t)sv_data(&v)[k];
            sv_drop(a, &v);
        } else {
            hvec v = {0};
            for (unsigned k = 0; k < n; k++) {
                if (!hv_push(a, &v, (int)(j + k))) {
                    al_deallocate(a, v.data, v.cap * sizeof(int), ALIGN);
                    return wl_alloc_failed(a, l->spec, 4 * sizeof(int), MAXLEN * sizeof(int), why, whylen);
                }
            }
            wl_escape(v.data);
            for (size_t k = 0; k < v.len; k++) sum += (uint64_t)v.data[k];
            al_deallocate(a, v.data, v.cap * sizeof(int), ALIGN);
        }
        if (sum != expected_sum(j, n)) {
            wl_why(why, whylen, "list %u from '%s' lost its elements", j, l->spec);
            return AL_RUN_FAILED;
        }
        *checksum += sum;
    }
    wl_iter_end(a); /* timed: a reset is this allocator's way of freeing */
    return AL_RUN_OK;
}

static al_run_status counted_iteration(al_allocator *a, void *ctx)
{
    uint64_t ignored = 0;
    char scratch[8];
    return one_iteration(a, ctx, &ignored, scratch, sizeof scratch);
}

static al_run_status lists_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    lists *l = inst;
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = one_iteration(l->a, l, &l->checksum, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    wl_sink(l->checksum);
    return AL_RUN_OK;
}

static void lists_teardown(void *inst)
{
    lists *l = inst;
    if (!l) return;
    al_destroy(l->a);
    free(l);
}

static void *lists_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    if (!param || (strcmp(param, "vec") != 0 && strcmp(param, "smallvec") != 0)) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "smallvec: unknown parameter '%s' (vec or smallvec)", param ? param : "");
        return NULL;
    }
    lists *l = calloc(1, sizeof *l);
    if (!l) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "out of memory");
        return NULL;
    }
    snprintf(l->spec, sizeof l->spec, "%s", spec);
    l->small = strcmp(param, "smallvec") == 0;
    wl_rng r = {SEED};
    for (unsigned j = 0; j < LISTS; j++) l->len[j] = (unsigned char)wl_rng_range(&r, 1, MAXLEN);
    /* No capacity probe: how much a fixed-capacity allocator needs depends on
     * whether it reuses the newest block; running out shows in run(). */
    l->a = wl_create(spec, status, why, whylen);
    if (!l->a) {
        lists_teardown(l);
        return NULL;
    }
    l->calls = wl_count_calls(spec, counted_iteration, l);
    return l;
}

static double lists_calls(void *inst) { return ((lists *)inst)->calls; }

static const char *const lists_params[] = {"vec", "smallvec", NULL};

const al_workload al_workload_smallvec = {
    .name = "smallvec",
    .description = "100,000 short-lived lists of 1-4 ints: heap vectors vs 4-inline small vectors",
    .params = lists_params,
    .setup = lists_setup,
    .run = lists_run,
    .teardown = lists_teardown,
    .alloc_calls = lists_calls,
};
