/* Comparing two runs: per benchmark, the ratio of medians new / base with a
 * CI, and a verdict that only calls a change when the whole CI lies beyond
 * the noise floor: the larger of the threshold and what the history shows
 * between runs of one commit. Ratios below 1 are speed-ups.
 *
 * The ratio's CI combines the two medians' stored CIs in quadrature (on the
 * log scale, each side from its own half of each CI): in time mode those
 * CIs are the harness's two-stage bootstrap over the benchmark's processes,
 * so the verdict accounts for what varies from process to process, not only
 * from sample to sample. Results without a stored CI fall back to a
 * bootstrap of the samples, which stops early (after 500 of its 2000
 * resamples, or 1000) only where "unchanged" is already certain.
 *
 * Two time runs that both carry the machine-speed reference (reference.c)
 * have each time ratio divided by the ratio of their references, and the
 * reference's CI joins the ratio's: a machine that ran every thread 3%
 * slower during NEW (clock, stolen time) is not a 3% regression of every
 * benchmark. The learned floor is normalised the same way.
 *
 * Paired verdicts (time mode, the default): that normalisation cannot undo
 * a load that slows memory-bound code more than the reference loop, or one
 * that lasted a whole run. But the harness takes a benchmark's samples in
 * rounds, one sample of every allocator per round, within milliseconds, so
 * whatever the machine did to a round it did to all of them. A time
 * verdict is therefore called on the allocator's time relative to the
 * others of its benchmark (the cohort: allocators of the same workload and
 * parameter in both runs, with the same number of samples): per round, its
 * sample over the round's load, the median over the others of their sample
 * over their median in BASE; the median of those over the rounds, and its
 * CI resampled by process (results.process_samples), as the harness does
 * for the absolute median. New over base of that is the ratio judged; one
 * allocator's own change moves the median of three or more others little. A change that moves every allocator of a benchmark
 * alike (the machine, or the workload's own code) is not judged: its size
 * is column_ratio, which the report shows apart. A benchmark with fewer
 * than three others in its cohort is judged on its absolute times as above.
 *
 * Neither can make two runs comparable where the machine gave a threaded
 * benchmark fewer CPUs in one of them (a process that took a core): its
 * allocators then rank differently for real (a lock that two threads
 * fought over costs nothing when they take turns). The CPUs a column kept
 * busy (CPU time over wall time, median over its allocators) are compared,
 * and a threaded column whose share moved by more than AL_COMPARE_CPU_SHARE
 * is not judged, and said. */
#include "history.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AL_COMPARE_RESAMPLES 2000
#define AL_COMPARE_MIN_RESAMPLES 500 /* drawn before a settled verdict may stop the bootstrap */
#define AL_COMPARE_LEVEL 0.95
#define AL_COMPARE_SEED 0xa110c1ab
#define AL_FLOOR_RUNS 64 /* stored runs looked at for A/A pairs */
#define AL_PAIRED_MIN_OTHERS 3 /* fewer others than this are no reference: one of two moves their median */

static al_verdict verdict_of(double lo, double hi, double floor)
{
    if (lo > 1 + floor) return AL_REGRESSED;
    if (hi < 1 - floor) return AL_IMPROVED;
    return AL_UNCHANGED;
}

/* A CI that brackets its median (> 0): log half-widths below and above the
 * median into *down and *up. */
static bool log_halves_of(double median, double lo, double hi, double *down, double *up)
{
    if (!(median > 0 && lo > 0 && lo <= median && median <= hi && isfinite(hi))) return false;
    *down = log(median / lo);
    *up = log(hi / median);
    return true;
}

static bool log_halves(const al_bench_result *r, double *down, double *up)
{
    return log_halves_of(r->s.median, r->s.ci_low, r->s.ci_high, down, up);
}

bool al_compare_speed(const al_bench_run *base, const al_bench_run *new_run, al_speed *out)
{
    const al_bench_reference *a = &base->ctx.reference, *b = &new_run->ctx.reference;
    double da, ua, db, ub;
    *out = (al_speed){.ratio = 1};
    if (al_report_is_instructions(base) || al_report_is_instructions(new_run) || a->n == 0 || b->n == 0 ||
        !log_halves_of(a->median_ns, a->ci_low_ns, a->ci_high_ns, &da, &ua) ||
        !log_halves_of(b->median_ns, b->ci_low_ns, b->ci_high_ns, &db, &ub))
        return false;
    out->known = true;
    out->ratio = b->median_ns / a->median_ns;
    out->down = sqrt(db * db + ua * ua);
    out->up = sqrt(ub * ub + da * da);
    return true;
}

/* A time ratio's interval as compare reports it, from its log half-widths
 * below and above: a known machine speed divides the ratio and its CI
 * widens the half-widths. */
static void finish_interval(const al_speed *speed, double *ratio, double *below, double *above, double *lo,
                            double *hi)
{
    if (speed && speed->known) {
        *ratio /= speed->ratio;
        *below = sqrt(*below * *below + speed->up * speed->up);
        *above = sqrt(*above * *above + speed->down * speed->down);
    }
    *lo = *ratio * exp(-*below);
    *hi = *ratio * exp(*above);
}

/* Whether a bootstrap's interval is sure to give "unchanged" whatever its
 * remaining draws (al_stat_bootstrap_ratio_ci_until): its low end at most
 * lo_at_most and its high end at least hi_at_least, made into compare's
 * interval. That is monotone in each end only on its own side of the
 * ratio, so an end beyond the ratio is taken at the ratio, its worst case.
 * A change (improved or regressed) is only ever called on all
 * AL_COMPARE_RESAMPLES, so every verdict is the one the full bootstrap
 * gives. */
typedef struct settle_ctx {
    double ratio;               /* the point ratio the bootstrap returns */
    double floor;
    const al_speed *speed;
} settle_ctx;

static bool settled_unchanged(double lo_at_most, double hi_at_least, void *p)
{
    const settle_ctx *s = p;
    if (!(s->ratio > 0 && isfinite(s->ratio))) return false;
    double ratio = s->ratio, lo, hi;
    double below = log(s->ratio / fmin(lo_at_most, s->ratio)), above = log(fmax(hi_at_least, s->ratio) / s->ratio);
    finish_interval(s->speed, &ratio, &below, &above, &lo, &hi);
    return !isnan(lo) && !isnan(hi) && verdict_of(lo, hi, s->floor) == AL_UNCHANGED;
}

/* ---- paired ratios ------------------------------------------------------- */

static bool has_samples(const al_bench_result *r)
{
    return r && r->status == AL_RUN_OK && r->samples && r->nsamples > 0;
}

/* The cohort of b (in new_run) and a (its counterpart in base): the other
 * allocators of b's workload and parameter that ran ok in both with as many
 * samples as b and a. Their pairs into others_new/others_base (room for
 * max); how many. */
static size_t cohort_of(const al_bench_run *base, const al_bench_run *new_run, const al_bench_result *a,
                        const al_bench_result *b, const al_bench_result **others_base,
                        const al_bench_result **others_new, size_t max)
{
    size_t m = 0;
    if (!has_samples(a) || !has_samples(b)) return 0;
    for (const al_bench_result *y = al_bench_run_column_next(new_run, b, NULL); y && m < max;
         y = al_bench_run_column_next(new_run, b, y)) {
        if (y == b || strcmp(y->allocator, b->allocator) == 0 || !has_samples(y) || y->nsamples != b->nsamples)
            continue;
        const al_bench_result *ya = al_bench_run_find(base, y->workload, y->param, y->allocator);
        if (!has_samples(ya) || ya->nsamples != a->nsamples) continue;
        others_base[m] = ya;
        others_new[m++] = y;
    }
    return m;
}

/* The load of each round of one run, as the others saw it: per round, the
 * median over the others of their sample over their base median (scale:
 * one per other, the same for both runs, so that a load lasting a whole
 * run shows as well as one that came and went); x's samples over it into
 * rel (x->nsamples of them). False when a value is not a positive number. */
static bool relative_series(const al_bench_result *x, const al_bench_result *const *others, const double *scale,
                            size_t m, double *rel, double *scratch)
{
    for (size_t k = 0; k < x->nsamples; k++) {
        for (size_t j = 0; j < m; j++) scratch[j] = others[j]->samples[k] / scale[j];
        double load = al_stat_median_in_place(scratch, m), v = x->samples[k];
        if (!(load > 0 && v > 0 && isfinite(load) && isfinite(v))) return false;
        rel[k] = v / load;
    }
    return true;
}

/* The median of x's relative series and, with lo/hi non-NULL, its 95% CI
 * resampled by process when x knows its processes (else by sample). */
static bool relative_median(const al_bench_result *x, const al_bench_result *const *others, const double *scale,
                            size_t m, double *median, double *lo, double *hi)
{
    double *rel = malloc(x->nsamples * sizeof *rel), *scratch = malloc((m ? m : 1) * sizeof *scratch);
    bool ok = rel && scratch && relative_series(x, others, scale, m, rel, scratch);
    if (ok) {
        *median = al_stat_median(rel, x->nsamples);
        if (lo && x->nprocs > 1) {
            size_t sizes[AL_RESULT_MAX_PROCS];
            for (size_t g = 0; g < x->nprocs; g++) sizes[g] = x->proc_samples[g];
            al_stat_bootstrap_median_ci_grouped(rel, sizes, x->nprocs, AL_COMPARE_RESAMPLES, AL_COMPARE_LEVEL,
                                                AL_COMPARE_SEED, lo, hi);
        } else if (lo) {
            al_stat_bootstrap_median_ci(rel, x->nsamples, AL_COMPARE_RESAMPLES, AL_COMPARE_LEVEL, AL_COMPARE_SEED,
                                        lo, hi);
        }
    }
    free(rel);
    free(scratch);
    return ok;
}

/* The paired medians of a (base) and b (new), with their CIs when lo/hi
 * are non-NULL; false when there is no cohort to pair with, or no usable
 * value. *cohort: its size. */
static bool paired_medians(const al_bench_run *base, const al_bench_run *new_run, const al_bench_result *a,
                           const al_bench_result *b, size_t *cohort, double med[2], double lo[2], double hi[2])
{
    const al_bench_result *ob[AL_RUN_MAX_ALLOCATORS], *on[AL_RUN_MAX_ALLOCATORS];
    double scale[AL_RUN_MAX_ALLOCATORS];
    size_t m = cohort_of(base, new_run, a, b, ob, on, AL_RUN_MAX_ALLOCATORS);
    if (m < AL_PAIRED_MIN_OTHERS) return false;
    for (size_t j = 0; j < m; j++)
        if (!((scale[j] = al_stat_median(ob[j]->samples, ob[j]->nsamples)) > 0)) return false;
    *cohort = m;
    return relative_median(a, ob, scale, m, &med[0], lo ? &lo[0] : NULL, hi ? &hi[0] : NULL) &&
           relative_median(b, on, scale, m, &med[1], lo ? &lo[1] : NULL, hi ? &hi[1] : NULL);
}

/* The paired ratio of b (new) against a (base) into c; false when there is
 * no cohort to pair with, or no usable value. */
static bool compare_paired(const al_bench_run *base, const al_bench_run *new_run, const al_bench_result *a,
                           const al_bench_result *b, al_comparison *c)
{
    double med[2], lo[2], hi[2], da, ua, db, ub;
    if (!paired_medians(base, new_run, a, b, &c->cohort, med, lo, hi) || !log_halves_of(med[0], lo[0], hi[0], &da, &ua) ||
        !log_halves_of(med[1], lo[1], hi[1], &db, &ub))
        return false;
    c->paired = true;
    c->base_median = a->s.median;
    c->new_median = b->s.median;
    c->ratio = med[1] / med[0];
    double below = sqrt(db * db + ua * ua), above = sqrt(ub * ub + da * da);
    finish_interval(NULL, &c->ratio, &below, &above, &c->ratio_lo, &c->ratio_hi);
    c->detectable = (1 + c->floor) * exp(below) - 1;
    return isfinite(c->ratio) && isfinite(c->ratio_lo) && isfinite(c->ratio_hi);
}

/* The paired ratio's point value alone (the noise floor's pairs). */
static bool paired_point(const al_bench_run *x, const al_bench_run *y, const al_bench_result *a,
                         const al_bench_result *b, double *ratio)
{
    double med[2];
    size_t m;
    if (!paired_medians(x, y, a, b, &m, med, NULL, NULL)) return false;
    *ratio = med[1] / med[0];
    return *ratio > 0 && isfinite(*ratio);
}

/* The CPUs r's column kept busy in run: the median over its results of
 * their process's CPU time over their median (wall time for a threaded
 * benchmark); NaN when none has both. */
static double column_cpus(const al_bench_run *run, const al_bench_result *r)
{
    double v[AL_RUN_MAX_ALLOCATORS];
    size_t m = 0;
    const al_bench_result *head = al_bench_run_find(run, r->workload, r->param, r->allocator);
    if (!head) return NAN;
    for (const al_bench_result *y = al_bench_run_column_next(run, head, NULL); y && m < AL_RUN_MAX_ALLOCATORS;
         y = al_bench_run_column_next(run, head, y))
        if (y->status == AL_RUN_OK && y->cpu_median_ns > 0 && y->s.median > 0 && isfinite(y->cpu_median_ns))
            v[m++] = y->cpu_median_ns / y->s.median;
    return m ? al_stat_median_in_place(v, m) : NAN;
}

/* The median over b's column of new/base medians, divided by the speed. */
static double column_ratio_of(const al_bench_run *base, const al_bench_run *new_run, const al_bench_result *b,
                              const al_speed *speed)
{
    double r[AL_RUN_MAX_ALLOCATORS];
    size_t m = 0;
    for (const al_bench_result *y = al_bench_run_column_next(new_run, b, NULL); y && m < AL_RUN_MAX_ALLOCATORS;
         y = al_bench_run_column_next(new_run, b, y)) {
        const al_bench_result *ya = al_bench_run_find(base, y->workload, y->param, y->allocator);
        if (!ya || ya->status != AL_RUN_OK || y->status != AL_RUN_OK) continue;
        if (ya->s.median > 0 && y->s.median > 0) r[m++] = y->s.median / ya->s.median / speed->ratio;
    }
    return m ? al_stat_median(r, m) : NAN;
}

/* Fill c for one pair of ok results; false when they hold no usable value.
 * c->floor is set by the caller; c->detectable is filled here. A known
 * speed divides a time ratio, its CI widening the ratio's. */
static bool compare_one(const al_bench_result *a, const al_bench_result *b, bool instructions,
                        const al_speed *speed, al_comparison *c)
{
    if (instructions && a->instructions > 0 && b->instructions >= 0) {
        c->base_median = a->instructions;
        c->new_median = b->instructions;
        c->ratio = c->ratio_lo = c->ratio_hi = b->instructions / a->instructions;
        c->detectable = c->floor;
        return true;
    }
    c->base_median = a->s.median;
    c->new_median = b->s.median;
    double da, ua, db, ub, below = 0, above = 0; /* the ratio's CI on the log scale */
    if (log_halves(a, &da, &ua) && log_halves(b, &db, &ub)) {
        c->ratio = b->s.median / a->s.median;
        below = sqrt(db * db + ua * ua), above = sqrt(ub * ub + da * da);
    } else if (a->samples && b->samples && a->nsamples && b->nsamples) {
        double lo, hi;
        settle_ctx settle = {al_stat_median(b->samples, b->nsamples) / al_stat_median(a->samples, a->nsamples),
                             c->floor, speed};
        al_stat_bootstrap_ratio_ci_until(a->samples, a->nsamples, b->samples, b->nsamples, AL_COMPARE_RESAMPLES,
                                         AL_COMPARE_LEVEL, AL_COMPARE_SEED, AL_COMPARE_MIN_RESAMPLES,
                                         settled_unchanged, &settle, &c->ratio, &lo, &hi);
        below = log(c->ratio / lo), above = log(hi / c->ratio);
    } else { /* no CI, no samples: the point ratio only */
        c->ratio = b->s.median / a->s.median;
    }
    finish_interval(speed, &c->ratio, &below, &above, &c->ratio_lo, &c->ratio_hi);
    c->detectable = (1 + c->floor) * exp(below) - 1;
    return isfinite(c->ratio) && isfinite(c->ratio_lo) && isfinite(c->ratio_hi) && c->base_median > 0;
}

al_comparison *al_compare_runs_opts(const al_bench_run *base, const al_bench_run *new_run,
                                    const al_compare_opts *o, size_t *count)
{
    *count = 0;
    al_comparison *out = calloc(new_run->nresults ? new_run->nresults : 1, sizeof *out);
    if (!out) return NULL;
    bool instructions = al_report_is_instructions(base) && al_report_is_instructions(new_run);
    /* What a workload/param column has once, whichever of its allocators is
     * compared: at[i] for the column whose first result is i, filled at its
     * first comparison. */
    struct column_once {
        bool seen;
        double ratio, cpus_base, cpus_new;
    } *at = calloc(new_run->nresults ? new_run->nresults : 1, sizeof *at);
    if (!at) {
        free(out);
        return NULL;
    }
    al_speed speed;
    if (o->raw || !al_compare_speed(base, new_run, &speed)) speed = (al_speed){.ratio = 1};
    for (size_t i = 0; i < new_run->nresults; i++) {
        const al_bench_result *b = &new_run->results[i];
        const al_bench_result *a = al_bench_run_find(base, b->workload, b->param, b->allocator);
        if (!a || a->status != AL_RUN_OK || b->status != AL_RUN_OK) continue;
        al_comparison *c = &out[*count];
        *c = (al_comparison){.column_ratio = NAN};
        al_bench_result_name(b, c->name, sizeof c->name);
        c->floor = fmax(o->threshold, al_noise_floor_paired_of(o->floor, c->name));
        bool paired = !instructions && !o->unpaired && compare_paired(base, new_run, a, b, c);
        if (!paired) {
            *c = (al_comparison){.column_ratio = NAN};
            al_bench_result_name(b, c->name, sizeof c->name);
            c->floor = fmax(o->threshold, al_noise_floor_of(o->floor, c->name));
            if (!compare_one(a, b, instructions, &speed, c)) continue;
        }
        const al_bench_result *head = al_bench_run_column_next(new_run, b, NULL);
        struct column_once *col = &at[head ? (size_t)(head - new_run->results) : i];
        c->column_first = !col->seen;
        if (!col->seen && !instructions) {
            col->ratio = column_ratio_of(base, new_run, b, &speed);
            col->cpus_base = column_cpus(base, a);
            col->cpus_new = column_cpus(new_run, b);
        }
        col->seen = true;
        c->verdict = verdict_of(c->ratio_lo, c->ratio_hi, c->floor);
        c->cpus_base = c->cpus_new = NAN;
        if (!instructions) {
            c->column_ratio = col->ratio;
            c->cpus_base = col->cpus_base;
            c->cpus_new = col->cpus_new;
            double hi = fmax(c->cpus_base, c->cpus_new);
            c->not_comparable = hi > 1.1 && fabs(log(c->cpus_new / c->cpus_base)) > log1p(AL_COMPARE_CPU_SHARE);
            if (c->not_comparable) c->verdict = AL_UNCHANGED;
        }
        (*count)++;
    }
    free(at);
    return out;
}

al_comparison *al_compare_runs_floor(const al_bench_run *base, const al_bench_run *new_run, double threshold,
                                     const al_noise_floor *floor, size_t *count)
{
    al_compare_opts o = {.threshold = threshold, .floor = floor};
    return al_compare_runs_opts(base, new_run, &o, count);
}

al_comparison *al_compare_runs(const al_bench_run *base, const al_bench_run *new_run, double threshold,
                               size_t *count)
{
    return al_compare_runs_floor(base, new_run, threshold, NULL, count);
}

/* ---- the noise floor -----------------------------------------------------
 * Runs are alike when they share mode, --quick flag and host; two alike runs
 * of one clean commit are an A/A pair. Each benchmark's floor is the largest
 * change of its median over the pairs (consecutive runs of each commit). */

static bool alike(const al_bench_run *x, const al_bench_run *y)
{
    return al_report_is_instructions(x) == al_report_is_instructions(y) && x->ctx.quick == y->ctx.quick &&
           strcmp(x->ctx.host, y->ctx.host) == 0;
}

static bool clean_commit(const al_bench_run *r)
{
    return r->ctx.git_commit[0] && !strstr(r->ctx.git_commit, "dirty");
}

/* One pair's change of a benchmark: dev the absolute one, paired the
 * paired one (-1 when not paired). Appended as they come; al_noise_floor_learn
 * then sorts by name and keeps each name's largest (floor_merge), so that
 * learning and each lookup stay O(n log n) and O(log n) on any run size. */
static int floor_raise(al_noise_floor *f, size_t *cap, const char *name, double dev, double paired)
{
    if (f->n == *cap) {
        size_t grown = *cap ? *cap * 2 : 256;
        struct al_floor_entry *e = realloc(f->e, grown * sizeof *e);
        if (!e) return -1;
        f->e = e;
        *cap = grown;
    }
    struct al_floor_entry *e = &f->e[f->n++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->floor = dev;
    e->paired_floor = paired;
    return 0;
}

static int entry_cmp(const void *x, const void *y)
{
    return strcmp(((const struct al_floor_entry *)x)->name, ((const struct al_floor_entry *)y)->name);
}

static void floor_merge(al_noise_floor *f)
{
    if (f->n == 0) return;
    qsort(f->e, f->n, sizeof *f->e, entry_cmp);
    size_t out = 0;
    for (size_t i = 1; i < f->n; i++) {
        struct al_floor_entry *last = &f->e[out];
        if (strcmp(last->name, f->e[i].name) == 0) {
            last->floor = fmax(last->floor, f->e[i].floor);
            last->paired_floor = fmax(last->paired_floor, f->e[i].paired_floor);
        } else {
            f->e[++out] = f->e[i];
        }
    }
    f->n = out + 1;
}

static const struct al_floor_entry *floor_entry(const al_noise_floor *f, const char *name)
{
    if (!f || f->n == 0) return NULL;
    struct al_floor_entry key;
    snprintf(key.name, sizeof key.name, "%s", name);
    return bsearch(&key, f->e, f->n, sizeof *f->e, entry_cmp);
}

/* Whether run r's test hooks may have altered benchmark `name`: a slowdown
 * hook names its benchmark (ALLOCLAB_TEST_SLOWDOWN=W/P/A=PCT); any other
 * hook, or a list cut to fit, may have touched every one. Such a change is
 * made on purpose, so it teaches the floor nothing. */
static bool altered(const al_bench_run *r, const char *name)
{
    static const char slow[] = "ALLOCLAB_TEST_SLOWDOWN=";
    const char *h = r->ctx.test_hooks;
    size_t nlen = strlen(name);
    while (*h) {
        const char *end = strstr(h, ", ");
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len < sizeof slow - 1 || strncmp(h, slow, sizeof slow - 1) != 0) return true; /* another hook */
        const char *bench = h + sizeof slow - 1, *eq = memchr(bench, '=', len - (sizeof slow - 1));
        if (!eq) return true; /* cut: it could name anything */
        const char *last_eq = eq;
        for (const char *q = eq; q < h + len; q++)
            if (*q == '=') last_eq = q;
        if ((size_t)(last_eq - bench) == nlen && strncmp(bench, name, nlen) == 0) return true;
        if (!end) break;
        h = end + 2;
    }
    return false;
}

/* Raise the floor with one A/A pair (x older, y newer). */
static int floor_pair(al_noise_floor *f, size_t *cap, const al_bench_run *x, const al_bench_run *y)
{
    bool instructions = al_report_is_instructions(x);
    al_speed speed; /* a drift of the machine between the two is no noise of a benchmark */
    al_compare_speed(x, y, &speed);
    for (size_t i = 0; i < y->nresults; i++) {
        const al_bench_result *b = &y->results[i];
        const al_bench_result *a = al_bench_run_find(x, b->workload, b->param, b->allocator);
        if (!a || a->status != AL_RUN_OK || b->status != AL_RUN_OK) continue;
        double va = instructions ? a->instructions : a->s.median, vb = instructions ? b->instructions : b->s.median;
        if (!(va > 0 && vb > 0)) continue;
        double r = vb / va / speed.ratio, p = 1;
        char name[160];
        al_bench_result_name(b, name, sizeof name);
        if (altered(x, name) || altered(y, name)) continue; /* slowed on purpose: no A/A noise */
        bool paired = !instructions && paired_point(x, y, a, b, &p);
        if (floor_raise(f, cap, name, fmax(r, 1 / r) - 1,
                        paired ? fmax(p, 1 / p) - 1 : -1) != 0)
            return -1;
    }
    f->pairs++;
    return 0;
}

int al_noise_floor_learn(al_history *h, const al_bench_run *base, const al_bench_run *new_run,
                         al_noise_floor *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    long long total = al_history_run_count(h, err, errlen);
    if (total < 0) return -1;
    size_t want = total < AL_FLOOR_RUNS ? (size_t)total : AL_FLOOR_RUNS, n = 0;
    al_bench_run *runs = calloc(want ? want : 1, sizeof *runs);
    if (!runs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    size_t cap = 0;
    for (size_t k = 0; k < want && rc == 0; k++) { /* newest first */
        al_bench_run *r = &runs[n];
        if (al_history_load(h, NULL, (int)k, r, err, errlen) != 0) {
            rc = -1;
            break;
        }
        bool keep = r->id != base->id && r->id != new_run->id && alike(r, new_run) && clean_commit(r);
        if (keep) n++;
        else al_bench_run_free(r);
    }
    /* Each run with the next older run of its commit. */
    for (size_t i = 0; rc == 0 && i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(runs[i].ctx.git_commit, runs[j].ctx.git_commit) == 0) {
                rc = floor_pair(out, &cap, &runs[j], &runs[i]);
                if (rc != 0) snprintf(err, errlen, "out of memory");
                break;
            }
    for (size_t i = 0; i < n; i++) al_bench_run_free(&runs[i]);
    free(runs);
    if (rc != 0) al_noise_floor_free(out);
    else floor_merge(out);
    return rc;
}

double al_noise_floor_of(const al_noise_floor *f, const char *name)
{
    const struct al_floor_entry *e = floor_entry(f, name);
    return e ? e->floor : 0;
}

double al_noise_floor_paired_of(const al_noise_floor *f, const char *name)
{
    const struct al_floor_entry *e = floor_entry(f, name);
    return !e ? 0 : e->paired_floor >= 0 ? e->paired_floor : e->floor; /* never paired: the absolute one */
}

void al_noise_floor_free(al_noise_floor *f)
{
    free(f->e);
    memset(f, 0, sizeof *f);
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
