/* The whole of a multi-process trace: its processes' replay results summed
 * per allocator into one result, replay/NAME/ALLOCATOR, the figure a user
 * tracing a pipeline or a build compares allocators on.
 *
 * Guarantees: a summed result is ok only when every process replayed ok on
 * that allocator (else it carries the first process's failure, named), so a
 * sum never hides a process the allocator could not serve; its k-th sample
 * is the sum of the processes' k-th samples (each a time per replay of that
 * process), taken in the same pass of the run, so the sum is one replay of
 * every process; counts (instructions, allocator calls, faults) add up; the
 * peak RSS is the sum of the processes' peaks, an upper bound of what they
 * held at once; the rss_ratio is their RSS growth over their peak live
 * bytes, both summed. Allocators measured on only some processes get no
 * sum.
 */
#include "replay.h"

#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const al_bench_result *find(const al_bench_run *run, const char *param, const char *alloc)
{
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, al_replay_workload.name) == 0 && strcmp(r->param, param) == 0 &&
            strcmp(r->allocator, alloc) == 0)
            return r;
    }
    return NULL;
}

/* a += b where both are known (>= 0), else a becomes unknown (-1). */
static void add_long(long *a, long b) { *a = *a >= 0 && b >= 0 ? *a + b : -1; }
static void add_double(double *a, double b) { *a = *a >= 0 && b >= 0 ? *a + b : -1; }

/* The sum over the set's processes of allocator `alloc` into out (results
 * rs[0..n), one per process). -1 when out of memory. */
static int sum_one(const al_replay_set *set, const al_bench_result *const *rs, size_t passes, al_bench_result *out)
{
    const al_bench_result *first = rs[0];
    memset(out, 0, sizeof *out);
    snprintf(out->workload, sizeof out->workload, "%s", first->workload);
    snprintf(out->param, sizeof out->param, "%s", set->name);
    snprintf(out->allocator, sizeof out->allocator, "%s", first->allocator);
    snprintf(out->metric_name, sizeof out->metric_name, "%s", first->metric_name);
    snprintf(out->metric_unit, sizeof out->metric_unit, "%s", first->metric_unit);
    out->status = AL_RUN_OK;
    out->iterations = 1;
    out->metric = NAN;
    al_summarize(NULL, 0, &out->s);
    for (size_t p = 0; p < set->n; p++)
        if (rs[p]->status != AL_RUN_OK) {
            out->status = rs[p]->status;
            snprintf(out->reason, sizeof out->reason, "process %s: %.200s", set->procs[p].name, rs[p]->reason);
            out->peak_rss_kib = out->minor_faults = out->major_faults = -1;
            out->alloc_calls = out->instructions = out->est_cycles = out->cpu_median_ns = -1;
            return 0;
        }
    size_t n = first->nsamples;
    bool equal = true;
    for (size_t p = 1; p < set->n; p++) {
        if (rs[p]->nsamples != n) equal = false;
        if (rs[p]->nsamples < n) n = rs[p]->nsamples;
    }
    out->samples = calloc(n ? n : 1, sizeof *out->samples);
    if (!out->samples) return -1;
    out->nsamples = n;
    out->cpu_median_ns = out->alloc_calls = out->instructions = out->est_cycles = 0;
    double growth = 0, live = 0;
    bool metric_known = true;
    for (size_t p = 0; p < set->n; p++) {
        const al_bench_result *r = rs[p];
        for (size_t k = 0; k < n; k++) out->samples[k] += r->samples[k];
        add_long(&out->peak_rss_kib, r->peak_rss_kib);
        add_long(&out->minor_faults, r->minor_faults);
        add_long(&out->major_faults, r->major_faults);
        add_double(&out->cpu_median_ns, r->cpu_median_ns);
        add_double(&out->alloc_calls, r->alloc_calls);
        add_double(&out->instructions, r->instructions);
        add_double(&out->est_cycles, r->est_cycles);
        double pl = (double)set->procs[p].plan->peak_live;
        if (pl > 0 && al_result_has_metric(r))
            growth += r->metric * pl;
        else if (pl > 0)
            metric_known = false;
        live += pl;
    }
    if (metric_known && live > 0 && first->metric_name[0]) out->metric = growth / live;
    /* The samples of pass g sit together in each process's result, in the
     * harness's split: the grouped CI then covers the variation between
     * benchmark processes, as each process's own CI does. */
    size_t sizes[64];
    if (equal && passes > 1 && passes <= 64 && passes <= n) {
        for (size_t g = 0; g < passes; g++) sizes[g] = n * (g + 1) / passes - n * g / passes;
        al_summarize_grouped(out->samples, sizes, passes, &out->s);
    } else {
        al_summarize(out->samples, n, &out->s);
    }
    return 0;
}

int al_replay_sum(al_bench_run *run, const al_replay_set *set, size_t passes)
{
    if (set->n < 2) return 0;
    /* The allocators, in the order of the first process's results. */
    size_t nalloc = 0;
    for (size_t i = 0; i < run->nresults; i++)
        if (strcmp(run->results[i].workload, al_replay_workload.name) == 0 &&
            strcmp(run->results[i].param, set->procs[0].name) == 0)
            nalloc++;
    if (!nalloc) return 0;
    al_bench_result *sums = calloc(nalloc, sizeof *sums);
    const al_bench_result **rs = calloc(set->n, sizeof *rs);
    if (!sums || !rs) goto oom;
    size_t nsum = 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r0 = &run->results[i];
        if (strcmp(r0->workload, al_replay_workload.name) != 0 || strcmp(r0->param, set->procs[0].name) != 0) continue;
        bool all = true;
        for (size_t p = 0; p < set->n && all; p++) all = (rs[p] = find(run, set->procs[p].name, r0->allocator)) != NULL;
        if (!all || find(run, set->name, r0->allocator)) continue;
        if (sum_one(set, rs, passes, &sums[nsum]) != 0) goto oom;
        nsum++;
    }
    al_bench_result *grown = realloc(run->results, (run->nresults + nsum) * sizeof *grown);
    if (!grown && nsum) goto oom;
    if (grown) run->results = grown;
    memcpy(run->results + run->nresults, sums, nsum * sizeof *sums);
    run->nresults += nsum;
    free(sums);
    free(rs);
    return 0;
oom:
    for (size_t i = 0; sums && i < nalloc; i++) free(sums[i].samples);
    free(sums);
    free(rs);
    return -1;
}

size_t al_replay_passes(const al_bench_config *cfg)
{
    if (cfg->mode == AL_MODE_INSTRUCTIONS) return 1;
    size_t samples = cfg->samples ? cfg->samples : (cfg->quick ? 10 : 20);
    size_t procs = cfg->processes ? cfg->processes : (cfg->quick ? 2 : 5);
    return procs < samples ? procs : samples;
}
