/* SCAFFOLD — stand-ins for other engineers' functions (workloads table,
 * reports, history, callgrind) so the harness builds and is tested before
 * they land. The lead deletes this file at merge; nothing depends on its
 * contents beyond bench.h's signatures. */
#include "bench.h"

#include <alloclab/registry.h>
#include <stdlib.h>
#include <string.h>

/* noop: does nothing, the smallest possible timed region. */
static const char *const noop_params[] = {"1", NULL};
static void *noop_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    (void)param;
    al_allocator *a = al_create(spec, NULL);
    if (!a) {
        *st = AL_RUN_UNSUPPORTED;
        snprintf(why, whylen, "%s", al_last_error());
    }
    return a;
}
static al_run_status noop_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)why, (void)whylen;
    for (volatile uint64_t i = 0; i < iters; i++) {}
    return AL_RUN_OK;
}
static void noop_teardown(void *inst) { al_destroy(inst); }

/* malloc-free: allocate, touch and free one block of `param` bytes. */
static const char *const mf_params[] = {"16", "4096", NULL};
typedef struct mf { al_allocator *a; size_t size; } mf;
static void *mf_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    char *end;
    unsigned long size = strtoul(param, &end, 10);
    if (*end || size == 0 || size > (1u << 24)) {
        *st = AL_RUN_FAILED;
        snprintf(why, whylen, "bad size '%s'", param);
        return NULL;
    }
    mf *m = malloc(sizeof *m);
    if (!m) return NULL;
    m->size = size;
    m->a = al_create(spec, NULL);
    if (!m->a) {
        *st = AL_RUN_UNSUPPORTED;
        snprintf(why, whylen, "%s", al_last_error());
        free(m);
        return NULL;
    }
    return m;
}
static al_run_status mf_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    mf *m = inst;
    for (uint64_t i = 0; i < iters; i++) {
        unsigned char *p = al_allocate(m->a, m->size, 16);
        if (!p) {
            snprintf(why, whylen, "allocation of %zu bytes failed", m->size);
            return AL_RUN_FAILED;
        }
        p[0] = (unsigned char)i;
        p[m->size - 1] = (unsigned char)i;
        if (p[0] != p[m->size - 1]) return AL_RUN_FAILED;
        al_deallocate(m->a, p, m->size, 16);
    }
    return AL_RUN_OK;
}
static void mf_teardown(void *inst)
{
    mf *m = inst;
    al_destroy(m->a);
    free(m);
}
static double mf_calls(void *inst) { (void)inst; return 2; }

static const al_workload scaffold_workloads[] = {
    {"noop", "does nothing (scaffold)", noop_params, noop_setup, noop_run, noop_teardown, NULL},
    {"malloc-free", "one allocate/free pair (scaffold)", mf_params, mf_setup, mf_run, mf_teardown, mf_calls},
};

size_t al_workload_count(void) { return sizeof scaffold_workloads / sizeof scaffold_workloads[0]; }
const al_workload *al_workload_at(size_t i) { return i < al_workload_count() ? &scaffold_workloads[i] : NULL; }
const al_workload *al_workload_find(const char *name)
{
    for (size_t i = 0; i < al_workload_count(); i++)
        if (strcmp(scaffold_workloads[i].name, name) == 0) return &scaffold_workloads[i];
    return NULL;
}

const char *al_callgrind_unavailable(void) { return "instruction counts are not built yet (scaffold)"; }
al_run_status al_callgrind_measure(const al_bench_item *item, uint64_t iters, double *instructions,
                                   double *est_cycles, char *why, size_t whylen)
{
    (void)item, (void)iters, (void)instructions, (void)est_cycles;
    snprintf(why, whylen, "instruction counts are not built yet (scaffold)");
    return AL_RUN_UNSUPPORTED;
}
int al_callgrind_child_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 2;
}
