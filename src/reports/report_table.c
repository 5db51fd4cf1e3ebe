/* The terminal report: one table per workload, read at a glance.
 *
 * Rows are allocators, columns parameters; a cell is "median ± d" in a unit
 * that suits the value, d the longer side of the 95% CI (or "median [low,
 * high]" when the CI is both lopsided and wide: a single ± would misstate
 * it; the rule is al_report_fmt_time_ci's, shared with Markdown and HTML),
 * then the ratio to the fastest allocator of that column (1.00x for it); a
 * workload that measures a metric of its own (al_bench_result.metric) shows
 * it first in each cell. In
 * instruction mode a cell is the instruction count per iteration and the
 * estimated cycles, the ratio taken on instructions. Cells that did not run show their status, and
 * the reasons are listed under the table, followed by warnings about noisy
 * measurements. Columns are aligned by display width (the '±' is one column). */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL 96

/* ----------------------------------------------------------------------------
 * Small text helpers.
 * ------------------------------------------------------------------------- */

/* Display width of UTF-8 text: continuation bytes take no column. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static int put_padded(FILE *out, const char *s, size_t width, bool right)
{
    size_t w = text_width(s);
    size_t pad = w < width ? width - w : 0;
    if (right && fprintf(out, "%*s", (int)pad, "") < 0) return -1;
    if (fputs(s, out) < 0) return -1;
    if (!right && fprintf(out, "%*s", (int)pad, "") < 0) return -1;
    return 0;
}

/* ----------------------------------------------------------------------------
 * One workload's table. Distinct names keep the order of first appearance.
 * ------------------------------------------------------------------------- */
typedef struct names {
    const char **v;
    size_t n;
} names;

static int names_add(names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0) return 0;
    const char **v = realloc(ns->v, (ns->n + 1) * sizeof *v);
    if (!v) return -1;
    ns->v = v;
    ns->v[ns->n++] = s;
    return 0;
}

static bool instr_mode(const al_bench_run *run) { return al_report_is_instructions(run); }

/* The value a cell compares by: median time, or instructions. */
static double cell_value(const al_bench_run *run, const al_bench_result *r)
{
    return instr_mode(run) ? r->instructions : r->s.median;
}

/* The cell of r into buf; returns whether it shows a lopsided CI whole. */
static bool cell_text(const al_bench_run *run, const al_bench_result *r, double best, char *buf, size_t len)
{
    if (!r) {
        snprintf(buf, len, "-");
        return false;
    }
    if (r->status != AL_RUN_OK) {
        snprintf(buf, len, "%s", al_run_status_name(r->status));
        return false;
    }
    char val[48], metric[32];
    bool interval = al_report_fmt_result(run, r, val, sizeof val);
    al_report_fmt_metric(r, metric, sizeof metric);
    double v = cell_value(run, r);
    if (best > 0 && isfinite(v)) snprintf(buf, len, "%s%s%s  %5.2fx", metric, metric[0] ? "  " : "", val, v / best);
    else snprintf(buf, len, "%s%s%s", metric, metric[0] ? "  " : "", val);
    return interval;
}

/* Under a table: the reason of every cell that did not run, then at most two
 * lines naming the noisy cells (a wide CI, many outliers), so that a busy
 * machine does not bury the table under one warning per cell. */
static int table_notes(FILE *out, const al_bench_run *run, const char *workload)
{
    char *wide = NULL, *outl = NULL;
    size_t wide_len = 0, outl_len = 0;
    FILE *w = open_memstream(&wide, &wide_len), *o = open_memstream(&outl, &outl_len);
    int rc = (w && o) ? 0 : -1;
    size_t nwide = 0, noutl = 0;
    for (size_t i = 0; i < run->nresults && rc == 0; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0) continue;
        if (r->status != AL_RUN_OK) {
            if (fprintf(out, "  %s %s/%s: %s\n", al_run_status_name(r->status), r->param, r->allocator,
                        *r->reason ? r->reason : "no reason given") < 0)
                rc = -1;
            continue;
        }
        if (instr_mode(run) || r->s.n == 0) continue;
        size_t n_out = r->s.outliers_low + r->s.outliers_high;
        if (n_out * 10 > r->s.n)
            fprintf(o, "%s%s/%s %zu/%zu", noutl++ ? ", " : "", r->param, r->allocator, n_out, r->s.n);
        double width = r->s.ci_high - r->s.ci_low;
        if (r->s.median > 0 && width > 0.1 * r->s.median)
            fprintf(w, "%s%s/%s %.0f%%", nwide++ ? ", " : "", r->param, r->allocator,
                    100.0 * width / r->s.median);
    }
    if (w) fclose(w);
    if (o) fclose(o);
    if (rc == 0 && nwide && fprintf(out, "  Warning: noisy, 95%% CI wider than 10%% of the median: %s\n", wide) < 0)
        rc = -1;
    if (rc == 0 && noutl &&
        fprintf(out, "  Warning: over 10%% of samples are outliers (kept): %s\n", outl) < 0)
        rc = -1;
    if (rc == 0 && (nwide || noutl) &&
        fprintf(out, "  (the machine may be busy: a quieter machine or more --samples narrows these)\n") < 0)
        rc = -1;
    free(wide);
    free(outl);
    return rc;
}

/* The allocator calls one iteration makes in column `param` (counted by the
 * workloads that count them: the talk's tricks), as "17" or "16-18" when
 * allocators differ; false when none was counted. */
static bool calls_text(const al_bench_run *run, const char *workload, const char *param, char *buf, size_t len)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0 || strcmp(r->param, param) != 0 || r->alloc_calls < 0) continue;
        if (r->alloc_calls < lo) lo = r->alloc_calls;
        if (r->alloc_calls > hi) hi = r->alloc_calls;
    }
    if (!isfinite(lo)) return false;
    if (lo == hi) snprintf(buf, len, "%.0f", lo);
    else snprintf(buf, len, "%.0f-%.0f", lo, hi);
    return true;
}

static int one_table(FILE *out, const al_bench_run *run, const char *workload)
{
    names params = {0}, allocs = {0};
    int rc = 0;
    for (size_t i = 0; i < run->nresults && rc == 0; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0) continue;
        if (names_add(&params, r->param) != 0 || names_add(&allocs, r->allocator) != 0) rc = -1;
    }
    size_t ncols = params.n, nrows = allocs.n;
    char *cells = rc == 0 ? calloc(ncols * nrows + 1, CELL) : NULL;
    size_t *widths = rc == 0 ? calloc(ncols + 1, sizeof *widths) : NULL;
    if (!cells || !widths) rc = -1;
    bool any_interval = false;

    for (size_t c = 0; rc == 0 && c < ncols; c++) {
        double best = INFINITY;
        for (size_t a = 0; a < nrows; a++) {
            const al_bench_result *r = al_bench_run_find(run, workload, params.v[c], allocs.v[a]);
            double v = r && r->status == AL_RUN_OK ? cell_value(run, r) : NAN;
            if (isfinite(v) && v > 0 && v < best) best = v;
        }
        widths[c + 1] = text_width(params.v[c]);
        for (size_t a = 0; a < nrows; a++) {
            char *cell = cells + (a * ncols + c) * CELL;
            any_interval |= cell_text(run, al_bench_run_find(run, workload, params.v[c], allocs.v[a]),
                                      isfinite(best) ? best : 0, cell, CELL);
            if (text_width(cell) > widths[c + 1]) widths[c + 1] = text_width(cell);
        }
    }
    if (rc == 0) {
        widths[0] = strlen("allocator");
        for (size_t a = 0; a < nrows; a++)
            if (text_width(allocs.v[a]) > widths[0]) widths[0] = text_width(allocs.v[a]);
        const al_workload *w = al_workload_find(workload);
        if (fprintf(out, "%s%s%s\n", workload, w && w->description ? " — " : "",
                    w && w->description ? w->description : "") < 0)
            rc = -1;
        rc |= put_padded(out, "allocator", widths[0], false);
        for (size_t c = 0; c < ncols && rc == 0; c++) {
            rc |= fputs("   ", out) < 0 ? -1 : 0;
            rc |= put_padded(out, params.v[c], widths[c + 1], true);
        }
        rc |= fputc('\n', out) < 0 ? -1 : 0;
        for (size_t a = 0; a < nrows && rc == 0; a++) {
            rc |= put_padded(out, allocs.v[a], widths[0], false);
            for (size_t c = 0; c < ncols && rc == 0; c++) {
                rc |= fputs("   ", out) < 0 ? -1 : 0;
                rc |= put_padded(out, cells + (a * ncols + c) * CELL, widths[c + 1], true);
            }
            rc |= fputc('\n', out) < 0 ? -1 : 0;
        }
        /* The number of allocator calls per iteration, under the times. */
        char calls[CELL];
        bool any = false;
        for (size_t c = 0; c < ncols && !any; c++) any = calls_text(run, workload, params.v[c], calls, sizeof calls);
        if (any && rc == 0) {
            if (fprintf(out, "allocator calls per iteration:") < 0) rc = -1;
            size_t shown = 0;
            for (size_t c = 0; c < ncols && rc == 0; c++)
                if (calls_text(run, workload, params.v[c], calls, sizeof calls) &&
                    fprintf(out, "%s %s %s", shown++ ? "," : "", params.v[c], calls) < 0)
                    rc = -1;
            if (rc == 0 && fputc('\n', out) < 0) rc = -1;
        }
        /* A workload with a metric of its own shows it first: say so. */
        const al_bench_result *m = NULL;
        for (size_t i = 0; i < run->nresults && !m; i++)
            if (strcmp(run->results[i].workload, workload) == 0 && al_result_has_metric(&run->results[i]))
                m = &run->results[i];
        if (rc == 0 && m &&
            fprintf(out, "  cells: %s (%s) first, then the time per iteration and its ratio to the fastest\n",
                    m->metric_name, m->metric_unit) < 0)
            rc = -1;
        if (rc == 0 && any_interval &&
            fputs("  median [low, high]: a wide, lopsided 95% CI shown whole; elsewhere ± its longer side\n", out) < 0)
            rc = -1;
        if (rc == 0) rc = table_notes(out, run, workload);
        if (rc == 0 && fputc('\n', out) < 0) rc = -1;
    }
    free(cells);
    free(widths);
    free(params.v);
    free(allocs.v);
    return rc;
}

/* ----------------------------------------------------------------------------
 * The report: a header line (and for a --quick run a second one saying what
 * it is worth), then the tables.
 * ------------------------------------------------------------------------- */
static int quick_line(FILE *out, const al_bench_run *run)
{
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (r->status != AL_RUN_OK || r->nsamples == 0) continue;
        if (r->nsamples < lo) lo = r->nsamples;
        if (r->nsamples > hi) hi = r->nsamples;
    }
    char counts[64] = "fewer";
    if (hi > 0 && lo == hi) snprintf(counts, sizeof counts, "%zu", lo);
    else if (hi > 0) snprintf(counts, sizeof counts, "%zu-%zu", lo, hi);
    return fprintf(out, "--quick: a CI-sized run (%s samples per benchmark, short ones), below the full "
                        "statistical bar; run without --quick for conclusions\n", counts) < 0 ? -1 : 0;
}

int al_report_table(FILE *out, const al_bench_run *run)
{
    const al_bench_context *c = &run->ctx;
    if (fprintf(out, "alloclab %s, %s mode — %s on %s (%s, %d CPUs)%s%s\n", c->alloclab_version,
                *c->mode ? c->mode : "time", c->date, c->host, c->cpu, c->ncpus, *c->label ? ", label " : "",
                c->label) < 0)
        return -1;
    if (c->quick && quick_line(out, run) != 0) return -1;
    if (instr_mode(run) &&
        fputs("per iteration: instr = instructions (callgrind), cyc = estimated cycles "
              "(L1 + 5 x LL + 35 x RAM accesses); ratios on instructions\n", out) < 0)
        return -1;
    if (fputc('\n', out) == EOF) return -1;
    names wls = {0};
    int rc = 0;
    for (size_t i = 0; i < run->nresults && rc == 0; i++) rc = names_add(&wls, run->results[i].workload);
    for (size_t i = 0; i < wls.n && rc == 0; i++) rc = one_table(out, run, wls.v[i]);
    if (rc == 0 && run->nresults == 0 && fputs("no benchmarks ran\n", out) < 0) rc = -1;
    free(wls.v);
    if (rc == 0 && fflush(out) != 0) rc = -1;
    return rc;
}
