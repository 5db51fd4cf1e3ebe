/* Comparing two runs: per benchmark, the ratio of medians new / base with a
 * bootstrap CI, and a verdict that only calls a change when the whole CI lies
 * beyond the threshold. Ratios below 1 are speed-ups. */
#include "history.h"
#include "report_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AL_COMPARE_RESAMPLES 2000
#define AL_COMPARE_LEVEL 0.95
#define AL_COMPARE_SEED 0xa110c1ab

static al_verdict verdict_of(double lo, double hi, double threshold)
{
    if (lo > 1 + threshold) return AL_REGRESSED;
    if (hi < 1 - threshold) return AL_IMPROVED;
    return AL_UNCHANGED;
}

/* Fill c for one pair of ok results; false when they hold no usable value. */
static bool compare_one(const al_bench_result *a, const al_bench_result *b, bool instructions,
                        al_comparison *c)
{
    if (instructions && a->instructions > 0 && b->instructions >= 0) {
        c->base_median = a->instructions;
        c->new_median = b->instructions;
        c->ratio = c->ratio_lo = c->ratio_hi = b->instructions / a->instructions;
        return true;
    }
    c->base_median = a->s.median;
    c->new_median = b->s.median;
    if (a->samples && b->samples && a->nsamples && b->nsamples) {
        al_stat_bootstrap_ratio_ci(a->samples, a->nsamples, b->samples, b->nsamples, AL_COMPARE_RESAMPLES,
                                   AL_COMPARE_LEVEL, AL_COMPARE_SEED, &c->ratio, &c->ratio_lo, &c->ratio_hi);
    } else { /* no samples stored: the point ratio only */
        c->ratio = c->ratio_lo = c->ratio_hi = b->s.median / a->s.median;
    }
    return isfinite(c->ratio) && c->base_median > 0;
}

al_comparison *al_compare_runs(const al_bench_run *base, const al_bench_run *new_run, double threshold,
                               size_t *count)
{
    *count = 0;
    al_comparison *out = calloc(new_run->nresults ? new_run->nresults : 1, sizeof *out);
    if (!out) return NULL;
    bool instructions = al_report_is_instructions(base) && al_report_is_instructions(new_run);
    for (size_t i = 0; i < new_run->nresults; i++) {
        const al_bench_result *b = &new_run->results[i];
        const al_bench_result *a = al_bench_run_find(base, b->workload, b->param, b->allocator);
        if (!a || a->status != AL_RUN_OK || b->status != AL_RUN_OK) continue;
        al_comparison *c = &out[*count];
        if (!compare_one(a, b, instructions, c)) continue;
        al_bench_result_name(b, c->name, sizeof c->name);
        c->verdict = verdict_of(c->ratio_lo, c->ratio_hi, threshold);
        (*count)++;
    }
    return out;
}

/* ---- coverage ----------------------------------------------------------------
 * Both directions, so that a filtered or partial run on either side shows. */

al_compare_coverage al_compare_cover(const al_bench_run *base, const al_bench_run *new_run)
{
    al_compare_coverage c = {0, 0, 0};
    for (size_t i = 0; i < new_run->nresults; i++) {
        const al_bench_result *b = &new_run->results[i];
        if (al_bench_run_find(base, b->workload, b->param, b->allocator)) c.both++;
        else c.only_new++;
    }
    for (size_t i = 0; i < base->nresults; i++) {
        const al_bench_result *a = &base->results[i];
        if (!al_bench_run_find(new_run, a->workload, a->param, a->allocator)) c.only_base++;
    }
    return c;
}
