/* The workload registry: the built-in workloads in the suite's order (the
 * talk's five first, then the design's extras, then the patterns that
 * separate production allocators, after mimalloc-bench), then those a user
 * or a test registered, in registration order. One table for every lookup:
 * the plan, the reports and the callgrind child all find a workload the same
 * way. Registration appends only, so indexes are stable; it takes no lock
 * (register at start-up, before threads), as the backends' registry. */
#include "workload_common.h"

static const al_workload *const builtin[] = {
    &al_workload_glibc_simple, &al_workload_glibc_thread, &al_workload_large_blocks,
    &al_workload_single_alloc, &al_workload_stress_mem,   &al_workload_binary_trees,
    &al_workload_vec_push,     &al_workload_smallvec,
    /* mimalloc-bench's patterns: cross-thread frees, false sharing, ... */
    &al_workload_larson,       &al_workload_xmalloc,      &al_workload_cache_scratch,
    &al_workload_cache_thrash, &al_workload_fragmentation, &al_workload_thread_exit,
    &al_workload_mstress,      &al_workload_rptest,       &al_workload_alloc_test,
};

#define NBUILTIN (sizeof builtin / sizeof builtin[0])
#define MAX_REGISTERED 16

static const al_workload *registered[MAX_REGISTERED];
static size_t nregistered;

size_t al_workload_count(void) { return NBUILTIN + nregistered; }

const al_workload *al_workload_at(size_t i)
{
    if (i < NBUILTIN) return builtin[i];
    return i - NBUILTIN < nregistered ? registered[i - NBUILTIN] : NULL;
}

const al_workload *al_workload_find(const char *name)
{
    for (size_t i = 0; name && i < al_workload_count(); i++)
        if (strcmp(al_workload_at(i)->name, name) == 0) return al_workload_at(i);
    return NULL;
}

bool al_workload_builtin(const al_workload *w)
{
    for (size_t i = 0; i < NBUILTIN; i++)
        if (builtin[i] == w) return true;
    return false;
}

int al_workload_register(const al_workload *w)
{
    if (!w || !w->name || !*w->name || strlen(w->name) >= AL_WORKLOAD_NAME_MAX ||
        strchr(w->name, '/') || !w->setup || !w->run || !w->teardown || !w->params) {
        al_set_error("invalid workload descriptor");
        return -1;
    }
    if (al_workload_find(w->name)) {
        al_set_error("workload name '%s' is taken", w->name);
        return -1;
    }
    if (nregistered == MAX_REGISTERED) {
        al_set_error("too many registered workloads (at most %d)", MAX_REGISTERED);
        return -1;
    }
    registered[nregistered++] = w;
    return 0;
}
