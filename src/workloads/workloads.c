/* The workload table: every benchmark workload, in the suite's order (the
 * talk's five first, then the design's extras, then the patterns that
 * separate production allocators, after mimalloc-bench). */
#include "workload_common.h"

static const al_workload *const workloads[] = {
    &al_workload_glibc_simple, &al_workload_glibc_thread, &al_workload_large_blocks,
    &al_workload_single_alloc, &al_workload_stress_mem,   &al_workload_binary_trees,
    &al_workload_vec_push,     &al_workload_smallvec,
    /* mimalloc-bench's patterns: cross-thread frees, false sharing, ... */
    &al_workload_larson,       &al_workload_xmalloc,      &al_workload_cache_scratch,
    &al_workload_cache_thrash,
};

#define COUNT (sizeof workloads / sizeof workloads[0])

size_t al_workload_count(void) { return COUNT; }

const al_workload *al_workload_at(size_t i) { return i < COUNT ? workloads[i] : NULL; }

const al_workload *al_workload_find(const char *name)
{
    for (size_t i = 0; name && i < COUNT; i++)
        if (strcmp(workloads[i]->name, name) == 0) return workloads[i];
    return NULL;
}
