/* Result sets: lookup, naming and release. */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *al_run_status_name(al_run_status s)
{
    switch (s) {
    case AL_RUN_OK: return "ok";
    case AL_RUN_UNSUPPORTED: return "unsupported";
    case AL_RUN_FAILED: return "failed";
    }
    return "failed";
}

void al_bench_run_free(al_bench_run *run)
{
    if (!run) return;
    for (size_t i = 0; i < run->nresults; i++) free(run->results[i].samples);
    free(run->results);
    run->results = NULL;
    run->nresults = 0;
}

const al_bench_result *al_bench_run_find(const al_bench_run *run, const char *workload,
                                         const char *param, const char *allocator)
{
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) == 0 && strcmp(r->param, param) == 0 &&
            strcmp(r->allocator, allocator) == 0)
            return r;
    }
    return NULL;
}

const char *al_bench_result_name(const al_bench_result *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s/%s", r->workload, r->param, r->allocator);
    return buf;
}
