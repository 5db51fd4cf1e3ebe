/* vec-push/{grow,with-capacity}: the talk's first container trick. Push
 * 100,000 ints into an al_vec that grows from empty (doubling from 4
 * elements) or that was created with room for all of them.
 * Every element is checked afterwards (growing must keep the contents), then
 * the vector is freed. alloc_calls reports the allocator calls per iteration
 * (counted once at setup): about 16 grows against one allocation. */
#include "workload_common.h"

#include <alloclab/vec.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 100000u

typedef struct vecpush {
    al_allocator *a;
    char spec[64];
    bool with_capacity;
    double calls;       /* allocator calls per iteration, -1 when not counted */
    uint64_t checksum;
} vecpush;

static al_run_status one_iteration(al_allocator *a, const vecpush *w, uint64_t *sum, char *why, size_t whylen)
{
    al_vec v;
    bool made = w->with_capacity ? AL_VEC_WITH_CAPACITY(&v, a, int, COUNT) : AL_VEC_INIT(&v, a, int);
    if (!made) return wl_alloc_failed(a, w->spec, COUNT * sizeof(int), COUNT * sizeof(int), why, whylen);
    for (unsigned i = 0; i < COUNT; i++) {
        if (!AL_VEC_PUSH(&v, int, (int)i)) {
            size_t want = v.cap * 2 * sizeof(int);
            al_vec_free(&v);
            return wl_alloc_failed(a, w->spec, want, COUNT * sizeof(int), why, whylen);
        }
    }
    const int *data = AL_VEC_DATA(&v, int);
    wl_escape(data);
    for (unsigned i = 0; i < COUNT; i++) {
        if (data[i] != (int)i) {
            wl_why(why, whylen, "element %u of the vector from '%s' changed", i, w->spec);
            return AL_RUN_FAILED;
        }
    }
    *sum += (uint64_t)data[COUNT - 1] + v.len;
    al_vec_free(&v);
    wl_iter_end(a); /* timed: a reset is this allocator's way of freeing */
    return AL_RUN_OK;
}

static al_run_status counted_iteration(al_allocator *a, void *ctx)
{
    uint64_t ignored = 0;
    char scratch[8];
    return one_iteration(a, ctx, &ignored, scratch, sizeof scratch);
}

static al_run_status vecpush_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    vecpush *w = inst;
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = one_iteration(w->a, w, &w->checksum, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    wl_sink(w->checksum);
    return AL_RUN_OK;
}

static void vecpush_teardown(void *inst)
{
    vecpush *w = inst;
    if (!w) return;
    al_destroy(w->a);
    free(w);
}

static void *vecpush_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    if (!param || (strcmp(param, "grow") != 0 && strcmp(param, "with-capacity") != 0)) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "vec-push: unknown parameter '%s' (grow or with-capacity)", param ? param : "");
        return NULL;
    }
    vecpush *w = calloc(1, sizeof *w);
    if (!w) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "out of memory");
        return NULL;
    }
    snprintf(w->spec, sizeof w->spec, "%s", spec);
    w->with_capacity = strcmp(param, "with-capacity") == 0;
    /* No capacity probe: a bump that grows its newest block in place needs
     * only the final 400 kB; running out shows in run(). */
    w->a = wl_create(spec, status, why, whylen);
    if (!w->a) {
        vecpush_teardown(w);
        return NULL;
    }
    /* Count the calls of one iteration on a separate instance, untimed. */
    w->calls = wl_count_calls(spec, counted_iteration, w);
    return w;
}

static double vecpush_calls(void *inst) { return ((vecpush *)inst)->calls; }

static const char *const vecpush_params[] = {"grow", "with-capacity", NULL};

const al_workload al_workload_vec_push = {
    .name = "vec-push",
    .description = "push 100,000 ints into a vector growing from empty, or created with capacity",
    .params = vecpush_params,
    .setup = vecpush_setup,
    .run = vecpush_run,
    .teardown = vecpush_teardown,
    .alloc_calls = vecpush_calls,
};
