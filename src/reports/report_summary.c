/* The answer first: one summary of a whole run, shared by the terminal
 * report (closing it), the HTML page (opening it) and Markdown.
 *
 * A benchmark is one workload/param column. For each allocator, over the
 * benchmarks it ran ok: the geometric mean of its value (median time, or
 * instructions) divided by the lowest value of that benchmark, and the same
 * for its peak RSS against the lowest peak RSS of the benchmark. 1.00x
 * everywhere is the fastest (or leanest) on every benchmark. The geometric
 * mean is the mean of ratios that does not depend on which allocator is the
 * reference. Allocators are ranked by the time figure; one that could not
 * run some benchmarks (a fixed-capacity arena on large blocks) is ranked on
 * those it ran, and the count says so.
 *
 * The headline compares the best allocator that ran every benchmark with the
 * baseline (sys, the allocator every program gets, or when the best is sys
 * the runner-up of those that ran every benchmark), over the benchmarks both
 * ran: the geometric mean of baseline / best. Lowest memory: the lowest peak
 * RSS figure of those that ran every benchmark, against the baseline's. */
#include "report_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASELINE "sys"

/* Peak RSS in KiB as a ratio's input; NaN when unknown. */
static double rss_of(const al_bench_result *r)
{
    return r->status == AL_RUN_OK && r->peak_rss_kib > 0 ? (double)r->peak_rss_kib : NAN;
}

/* Per result, the lowest value and the lowest peak RSS of the benchmark (the
 * workload/param column) it belongs to, each column walked once when its
 * first result comes: O(results) with the run's index. */
static void column_bests(const al_bench_run *run, double *best, double *lean)
{
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i], *x;
        if (al_bench_run_column_next(run, r, NULL) != r) continue;
        double b = NAN, l = NAN, v, lo, hi;
        for (x = r; x; x = al_bench_run_column_next(run, r, x)) {
            if (al_report_value(run, x, &v, &lo, &hi) && !(v >= b)) b = v;
            double m = rss_of(x);
            if (!(m >= l)) l = isnan(m) ? l : m;
        }
        for (x = r; x; x = al_bench_run_column_next(run, r, x)) {
            best[x - run->results] = b;
            lean[x - run->results] = l;
        }
    }
}

static int by_time(const void *a, const void *b)
{
    const al_summary_row *x = a, *y = b;
    bool xn = !isfinite(x->time_gm), yn = !isfinite(y->time_gm);
    if (xn != yn) return xn ? 1 : -1;
    if (xn || x->time_gm == y->time_gm) return 0;
    return x->time_gm < y->time_gm ? -1 : 1;
}

/* Geometric mean over the benchmarks both ran of a's value / b's (of
 * `field`: 0 the shown value, 1 peak RSS); *n gets their count. */
static double pair_gm(const al_bench_run *run, const char *a, const char *b, int field, size_t *n)
{
    double sum = 0, v, lo, hi;
    *n = 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *ra = &run->results[i];
        if (strcmp(ra->allocator, a) != 0) continue;
        const al_bench_result *rb = al_bench_run_find(run, ra->workload, ra->param, b);
        if (!rb) continue;
        double va, vb;
        if (field == 0) {
            if (!al_report_value(run, ra, &v, &lo, &hi)) continue;
            va = v;
            if (!al_report_value(run, rb, &v, &lo, &hi)) continue;
            vb = v;
        } else {
            va = rss_of(ra);
            vb = rss_of(rb);
        }
        if (!(va > 0) || !(vb > 0)) continue;
        sum += log(va / vb);
        (*n)++;
    }
    return *n ? exp(sum / (double)*n) : NAN;
}

int al_run_summary_make(const al_bench_run *run, al_run_summary *s)
{
    memset(s, 0, sizeof *s);
    size_t cap = run->nresults ? run->nresults : 1;
    const char **names = calloc(cap, sizeof *names);
    s->rows = calloc(cap, sizeof *s->rows);
    if (!names || !s->rows) {
        free(names);
        free(s->rows);
        s->rows = NULL;
        return -1;
    }
    const al_bench_result **all = malloc(cap * sizeof *all);
    size_t *alloc_of = malloc(cap * sizeof *alloc_of);
    double *col_best = malloc(cap * sizeof *col_best), *col_lean = malloc(cap * sizeof *col_lean);
    size_t na = SIZE_MAX;
    if (all && alloc_of && col_best && col_lean) {
        for (size_t i = 0; i < run->nresults; i++) all[i] = &run->results[i];
        na = al_report_group(all, run->nresults, AL_FIELD_ALLOCATOR, names, alloc_of);
    }
    double *tsum = na == SIZE_MAX ? NULL : calloc(na ? na : 1, sizeof *tsum);
    double *msum = na == SIZE_MAX ? NULL : calloc(na ? na : 1, sizeof *msum);
    if (!tsum || !msum) {
        free(names), free(tsum), free(msum), free(s->rows), free(all), free(alloc_of), free(col_best), free(col_lean);
        s->rows = NULL;
        return -1;
    }
    for (size_t a = 0; a < na; a++) s->rows[a].allocator = names[a];
    column_bests(run, col_best, col_lean);
    /* Benchmarks with at least one ok value, and every ratio. */
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        double v, lo, hi;
        /* the first result of its benchmark counts the benchmark */
        bool first = al_bench_run_column_next(run, r, NULL) == r;
        if (first && isfinite(col_best[i])) s->nbench++;
        if (!al_report_value(run, r, &v, &lo, &hi)) continue;
        size_t a = alloc_of[i];
        if (col_best[i] > 0 && v > 0) tsum[a] += log(v / col_best[i]), s->rows[a].n++;
        double m = rss_of(r);
        if (m > 0 && col_lean[i] > 0) msum[a] += log(m / col_lean[i]), s->rows[a].n_rss++;
    }
    for (size_t a = 0; a < na; a++) {
        al_summary_row *row = &s->rows[a];
        row->time_gm = row->n ? exp(tsum[a] / (double)row->n) : NAN;
        row->rss_gm = row->n_rss ? exp(msum[a] / (double)row->n_rss) : NAN;
    }
    free(tsum), free(msum), free(names), free(all), free(alloc_of), free(col_best), free(col_lean);
    s->nrows = na;
    qsort(s->rows, na, sizeof *s->rows, by_time);
    while (s->nrows && !isfinite(s->rows[s->nrows - 1].time_gm)) s->nrows--; /* ran nothing */

    /* The headline: the best that ran every benchmark (else the best), the
     * baseline, and the leanest of those that ran every benchmark. */
    const al_summary_row *best = NULL, *lean = NULL;
    for (size_t a = 0; a < s->nrows && !best; a++)
        if (s->rows[a].n == s->nbench) best = &s->rows[a];
    if (!best && s->nrows) best = &s->rows[0];
    for (size_t a = 0; a < s->nrows; a++) {
        const al_summary_row *r = &s->rows[a];
        if (r->n == s->nbench && isfinite(r->rss_gm) && (!lean || r->rss_gm < lean->rss_gm)) lean = r;
    }
    if (!best) return 0;
    s->best = best->allocator;
    const al_summary_row *base = NULL;
    for (size_t a = 0; a < s->nrows && !base; a++)
        if (strcmp(s->rows[a].allocator, BASELINE) == 0 && &s->rows[a] != best) base = &s->rows[a];
    for (size_t a = 0; a < s->nrows && !base; a++) /* else the runner-up, of those that ran everything */
        if (&s->rows[a] != best && s->rows[a].n == s->nbench) base = &s->rows[a];
    for (size_t a = 0; a < s->nrows && !base; a++)
        if (&s->rows[a] != best) base = &s->rows[a];
    if (base) {
        s->baseline = base->allocator;
        s->speedup = pair_gm(run, base->allocator, best->allocator, 0, &s->ncommon);
    }
    if (lean) {
        s->leanest = lean->allocator;
        size_t n;
        s->lean_ratio = s->baseline && strcmp(lean->allocator, s->baseline) != 0
                            ? pair_gm(run, lean->allocator, s->baseline, 1, &n)
                            : NAN;
    }
    return 0;
}

void al_run_summary_free(al_run_summary *s)
{
    free(s->rows);
    memset(s, 0, sizeof *s);
}

const char *al_run_summary_line(const al_bench_run *run, const al_run_summary *s, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!s->best) {
        snprintf(buf, len, "no benchmark ran ok");
        return buf;
    }
    bool instr = al_report_is_instructions(run);
    size_t used = 0;
    if (s->baseline && isfinite(s->speedup)) {
        bool faster = s->speedup >= 1;
        double x = faster ? s->speedup : 1 / s->speedup;
        used = (size_t)snprintf(buf, len, "%s %s %.2fx %s than %s over %zu benchmark%s", s->best,
                                instr ? "took" : "ran", x,
                                instr ? (faster ? "fewer instructions" : "more instructions") : (faster ? "faster" : "slower"),
                                s->baseline, s->ncommon, s->ncommon == 1 ? "" : "s");
    } else {
        used = (size_t)snprintf(buf, len, "%s was the only allocator to run", s->best);
    }
    if (used < len && s->leanest) {
        if (isfinite(s->lean_ratio))
            snprintf(buf + used, len - used, "; lowest memory: %s (%.2fx %s's peak RSS)", s->leanest, s->lean_ratio,
                     s->baseline);
        else
            snprintf(buf + used, len - used, "; lowest memory: %s", s->leanest);
    }
    return buf;
}
