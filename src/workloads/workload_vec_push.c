/* vec-push/{grow,with-capacity}: the talk's first container trick. Push
 * 100,000 ints into an al_vec that grows from empty (doubling from 4
 * elements) or that was created with room for all of them.
 * Every element is checked afterwards (growing must keep the contents; one
 * per page at the cheap check level of timed iterations), then the vector
 * is freed. alloc_calls reports the allocator calls per iteration
 * (counted once at setup): about 16 grows against one allocation. */
#include "workload_common.h"

#include <alloclab/vec.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 100000u

typedef struct vecpush {
    wl_solo solo;       /* first: the allocator, spec, calls, checksum */
    bool with_capacity;
} vecpush;

static al_run_status one_iteration(al_allocator *a, const wl_solo *solo, uint64_t *sum, char *why, size_t whylen)
{
    const vecpush *w = (const vecpush *)solo;
    const char *spec = solo->spec;
    al_vec v;
    bool made = w->with_capacity ? AL_VEC_WITH_CAPACITY(&v, a, int, COUNT) : AL_VEC_INIT(&v, a, int);
    if (!made) return wl_alloc_failed(a, spec, COUNT * sizeof(int), COUNT * sizeof(int), why, whylen);
    for (unsigned i = 0; i < COUNT; i++) {
        if (!AL_VEC_PUSH(&v, int, (int)i)) {
            size_t want = v.cap * 2 * sizeof(int);
            al_vec_free(&v);
            return wl_alloc_failed(a, spec, want, COUNT * sizeof(int), why, whylen);
        }
    }
    const int *data = AL_VEC_DATA(&v, int);
    wl_escape(data);
    /* Every element at the full check level; at the cheap one, one per
     * 4 KiB page and the last (a grow moves whole pages). */
    unsigned step = wl_cheap_checks() ? 1024 : 1, bad = COUNT;
    for (unsigned i = 0; bad == COUNT && i < COUNT; i += step)
        if (data[i] != (int)i) bad = i;
    if (data[COUNT - 1] != (int)(COUNT - 1)) bad = COUNT - 1;
    if (bad < COUNT) {
        wl_why(why, whylen, "element %u of the vector from '%s' changed", bad, spec);
        return AL_RUN_FAILED;
    }
    *sum += (uint64_t)data[COUNT - 1] + v.len;
    al_vec_free(&v);
    wl_iter_end(a); /* timed: a reset is this allocator's way of freeing */
    return AL_RUN_OK;
}

static void *vecpush_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    if (!param || (strcmp(param, "grow") != 0 && strcmp(param, "with-capacity") != 0))
        return wl_bad_param("vec-push", param, "grow or with-capacity", status, why, whylen);
    vecpush *w = wl_solo_new(sizeof *w, spec, one_iteration, status, why, whylen);
    if (!w) return NULL;
    w->with_capacity = strcmp(param, "with-capacity") == 0;
    /* No capacity probe: a bump that grows its newest block in place needs
     * only the final 400 kB; running out shows in run(). */
    return wl_solo_finish(w, status, why, whylen);
}

static const char *const vecpush_params[] = {"grow", "with-capacity", NULL};

const al_workload al_workload_vec_push = {
    .name = "vec-push",
    .description = "push 100,000 ints into a vector growing from empty, or created with capacity",
    .params = vecpush_params,
    .setup = vecpush_setup,
    .run = wl_solo_run,
    .teardown = wl_solo_teardown,
    .alloc_calls = wl_solo_calls,
};
