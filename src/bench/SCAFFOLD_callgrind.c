/* SCAFFOLD (callgrind branch only; the lead deletes this file at merge):
 * stand-ins for the workload table, so that instruction counts can be built
 * and tested before the real workloads land. */
#include "bench.h"

#include <alloclab/registry.h>
#include <stdlib.h>
#include <string.h>

typedef struct loop_inst {
    al_allocator *a;
    size_t size;
} loop_inst;

static void *loop_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    char *end;
    unsigned long size = strtoul(param, &end, 10);
    if (*param == '\0' || *end || size == 0 || size > (1u << 20)) {
        *status = AL_RUN_FAILED;
        snprintf(why, whylen, "bad size '%s'", param);
        return NULL;
    }
    loop_inst *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    in->a = al_create(spec, NULL);
    if (!in->a) {
        *status = AL_RUN_UNSUPPORTED;
        snprintf(why, whylen, "%s", al_last_error());
        free(in);
        return NULL;
    }
    in->size = size;
    return in;
}

/* Eight blocks per iteration, filled and checked, freed in reverse. */
static al_run_status loop_run(void *p, uint64_t iters, char *why, size_t whylen)
{
    loop_inst *in = p;
    unsigned char *b[8];
    for (uint64_t i = 0; i < iters; i++) {
        for (int k = 0; k < 8; k++) {
            b[k] = al_allocate(in->a, in->size, 16);
            if (!b[k]) {
                snprintf(why, whylen, "allocation failed");
                return AL_RUN_FAILED;
            }
            memset(b[k], k + 1, in->size);
        }
        for (int k = 7; k >= 0; k--) {
            if (b[k][in->size - 1] != k + 1) {
                snprintf(why, whylen, "memory corrupted");
                return AL_RUN_FAILED;
            }
            al_deallocate(in->a, b[k], in->size, 16);
        }
    }
    return AL_RUN_OK;
}

static void loop_teardown(void *p)
{
    loop_inst *in = p;
    al_destroy(in->a);
    free(in);
}

static const char *const loop_params[] = {"64", NULL};

static const al_workload scaffold_workloads[] = {
    {"malloc-loop", "eight blocks allocated, filled, checked and freed", loop_params, loop_setup, loop_run,
     loop_teardown, NULL},
};

size_t al_workload_count(void) { return sizeof scaffold_workloads / sizeof scaffold_workloads[0]; }

const al_workload *al_workload_at(size_t i) { return i < al_workload_count() ? &scaffold_workloads[i] : NULL; }

const al_workload *al_workload_find(const char *name)
{
    for (size_t i = 0; i < al_workload_count(); i++)
        if (strcmp(scaffold_workloads[i].name, name) == 0) return &scaffold_workloads[i];
    return NULL;
}
