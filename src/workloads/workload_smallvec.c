/* smallvec/{vec,smallvec}: the talk's second container trick. One iteration
 * makes 100,000 short-lived lists of 1-4 ints (lengths seeded, the same in
 * every iteration): each is filled, summed and dropped. As a heap vector
 * every list costs an allocation and a free; as a small vector with 4 inline
 * elements none does (longer lists would spill to the allocator). The sums
 * are checked against the expected ones. */
#include "workload_common.h"

#include <alloclab/smallvec.h>
#include <stdio.h>
#include <stdlib.h>

#define LISTS 100000u
#define MAXLEN 4u
#define INLINE 4u
#define SEED 0x5a11ecull

/* ----------------------------------------------------------------------------
 * The workload: al_vec against al_smallvec with 4 inline ints. List j holds
 * j, j+1, ..., j+len-1.
 * ------------------------------------------------------------------------- */
typedef struct lists {
    wl_solo solo;             /* first: the allocator, spec, calls, checksum */
    bool small;               /* smallvec, not vec */
    unsigned char len[LISTS]; /* the fixed lengths */
} lists;

static uint64_t expected_sum(unsigned j, unsigned len) { return (uint64_t)len * j + (uint64_t)len * (len - 1) / 2; }

static al_run_status one_iteration(al_allocator *a, const wl_solo *solo, uint64_t *checksum, char *why,
                                   size_t whylen)
{
    const lists *l = (const lists *)solo;
    const char *spec = solo->spec;
    for (unsigned j = 0; j < LISTS; j++) {
        unsigned n = l->len[j];
        uint64_t sum = 0;
        if (l->small) {
            AL_SMALLVEC(int, INLINE) v;
            AL_SMALLVEC_INIT(&v, a);
            for (unsigned k = 0; k < n; k++) {
                if (!AL_SMALLVEC_PUSH(&v, int, (int)(j + k))) {
                    al_smallvec_free(&v.sv);
                    return wl_alloc_failed(a, spec, 2 * INLINE * sizeof(int), 2 * MAXLEN * sizeof(int), why, whylen);
                }
            }
            const int *data = AL_SMALLVEC_DATA(&v, int);
            wl_escape(data);
            for (size_t k = 0; k < al_smallvec_len(&v.sv); k++) sum += (uint64_t)data[k];
            al_smallvec_free(&v.sv);
        } else {
            al_vec v;
            AL_VEC_INIT(&v, a, int);
            for (unsigned k = 0; k < n; k++) {
                if (!AL_VEC_PUSH(&v, int, (int)(j + k))) {
                    al_vec_free(&v);
                    return wl_alloc_failed(a, spec, 4 * sizeof(int), MAXLEN * sizeof(int), why, whylen);
                }
            }
            const int *data = AL_VEC_DATA(&v, int);
            wl_escape(data);
            for (size_t k = 0; k < v.len; k++) sum += (uint64_t)data[k];
            al_vec_free(&v);
        }
        if (sum != expected_sum(j, n)) {
            wl_why(why, whylen, "list %u from '%s' lost its elements", j, spec);
            return AL_RUN_FAILED;
        }
        *checksum += sum;
    }
    wl_iter_end(a); /* timed: a reset is this allocator's way of freeing */
    return AL_RUN_OK;
}

static void *lists_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    if (!param || (strcmp(param, "vec") != 0 && strcmp(param, "smallvec") != 0))
        return wl_bad_param("smallvec", param, "vec or smallvec", status, why, whylen);
    lists *l = wl_solo_new(sizeof *l, spec, one_iteration, status, why, whylen);
    if (!l) return NULL;
    l->small = strcmp(param, "smallvec") == 0;
    wl_rng r = {SEED};
    for (unsigned j = 0; j < LISTS; j++) l->len[j] = (unsigned char)wl_rng_range(&r, 1, MAXLEN);
    /* No capacity probe: how much a fixed-capacity allocator needs depends on
     * whether it reuses the newest block; running out shows in run(). */
    return wl_solo_finish(l, status, why, whylen);
}

static const char *const lists_params[] = {"vec", "smallvec", NULL};

const al_workload al_workload_smallvec = {
    .name = "smallvec",
    .description = "100,000 short-lived lists of 1-4 ints: heap vectors vs 4-inline small vectors",
    .params = lists_params,
    .setup = lists_setup,
    .run = wl_solo_run,
    .teardown = wl_solo_teardown,
    .alloc_calls = wl_solo_calls,
};
