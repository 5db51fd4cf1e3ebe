/* SCAFFOLD — stand-ins for other engineers' functions (workloads table,
 * reports, history, callgrind) so the harness builds and is tested before
 * they land. The lead deletes this file at merge; nothing depends on its
 * contents beyond bench.h's signatures. */
#include "bench.h"

#include <alloclab/registry.h>
#include <stdlib.h>
#include <string.h>

/* The workload table's stand-ins were removed when the workloads landed
 * (src/bench/workloads.c). */

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
