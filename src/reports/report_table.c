/* The terminal report: one table per workload, read at a glance, then the
 * warnings of the whole run and the summary that closes it.
 *
 * Rows are allocators; each parameter of the workload is a group of
 * columns: a workload's own metric where it has one (fragmentation's RSS
 * over live bytes), the time per iteration (median with its 95% CI: "32.0 ± 0.51",
 * or "133 [121, 140]" when the CI is wide and lopsided, the rule of
 * al_report_fmt_ci_scaled shared with Markdown and HTML), the ratio to the
 * fastest of the group, the benchmark process's peak RSS and its minor page
 * faults; with `wide` also the CPU time, the allocator calls per iteration
 * and the system calls that move memory. In instruction mode the count of
 * instructions and the estimated cycles replace the time, the ratio taken on
 * instructions. Every column has one unit, named in its header ("time µs",
 * "RSS MiB"); counts read "1.2k". A table wider than the width is cut into
 * blocks of groups, each repeating the allocator column. Cells that did not
 * run show their status, and the reasons follow the table. Columns are
 * aligned by display width ('±' and 'µ' are one column). */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL 48
#define DEFAULT_WIDTH 120
#define GROUP_GAP 3 /* spaces between two parameters' groups */
#define SUB_GAP 2   /* between two columns of a group */

/* ----------------------------------------------------------------------------
 * Text helpers.
 * ------------------------------------------------------------------------- */

/* Display width of UTF-8 text: continuation bytes take no column. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void put_padded(FILE *out, const char *s, size_t width, bool right)
{
    size_t w = text_width(s);
    size_t pad = w < width ? width - w : 0;
    if (right) fprintf(out, "%*s", (int)pad, "");
    fputs(s, out);
    if (!right) fprintf(out, "%*s", (int)pad, "");
}

/* Words of text on lines of at most width columns: the first line after
 * `first`, the others after `rest` (a hanging indent). */
static void put_wrapped(FILE *out, const char *first, const char *rest, const char *text, size_t width)
{
    size_t col = text_width(first);
    fputs(first, out);
    bool line_empty = true;
    while (*text) {
        size_t n = strcspn(text, " ");
        char word[512];
        snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), text);
        size_t ww = text_width(word);
        if (!line_empty && col + 1 + ww > width) {
            fprintf(out, "\n%s", rest);
            col = text_width(rest);
            line_empty = true;
        }
        if (!line_empty) fputc(' ', out), col++;
        fputs(word, out);
        col += ww;
        line_empty = false;
        text += n;
        while (*text == ' ') text++;
    }
    fputc('\n', out);
}

static size_t width_of(const al_table_opts *o)
{
    if (o && o->wide) return SIZE_MAX;
    return o && o->width ? o->width : DEFAULT_WIDTH;
}

/* Three significant digits, as the other reports. */
static void digits(char *buf, size_t len, double v)
{
    double a = fabs(v);
    snprintf(buf, len, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", v);
}

/* ----------------------------------------------------------------------------
 * One workload's results, grouped once: every later step walks a parameter's
 * own results or the workload's, never the whole run again, so that a table
 * costs O(its results + its cells) and the whole report O(results + cells)
 * (a run may hold 1024 columns of 256 allocators).
 * ------------------------------------------------------------------------- */
typedef struct wview {
    const al_bench_result **res; /* the workload's results, in run order */
    size_t m;
    const char **allocs, **params; /* distinct, in order of first appearance */
    size_t na, np;
    size_t *alloc_of;           /* [k]: res[k]'s allocator index */
    size_t *pstart, *porder;    /* res[porder[pstart[p] .. pstart[p + 1])]: parameter p's, in order */
    size_t *first;              /* [a * np + p]: the first res index of the cell, SIZE_MAX none */
} wview;

static void view_free(wview *v)
{
    free(v->allocs), free(v->params), free(v->alloc_of), free(v->pstart), free(v->porder), free(v->first);
    memset(v, 0, sizeof *v);
}

/* Fill v over res[0..m) (which v does not own); -1 when out of memory. */
static int view_make(wview *v, const al_bench_result **res, size_t m)
{
    memset(v, 0, sizeof *v);
    v->res = res;
    v->m = m;
    size_t n = m ? m : 1;
    size_t *param_of = malloc(n * sizeof *param_of);
    v->allocs = malloc(n * sizeof *v->allocs);
    v->params = malloc(n * sizeof *v->params);
    v->alloc_of = malloc(n * sizeof *v->alloc_of);
    v->porder = malloc(n * sizeof *v->porder);
    if (!param_of || !v->allocs || !v->params || !v->alloc_of || !v->porder) goto oom;
    v->na = al_report_group(res, m, AL_FIELD_ALLOCATOR, v->allocs, v->alloc_of);
    v->np = al_report_group(res, m, AL_FIELD_PARAM, v->params, param_of);
    if (v->na == SIZE_MAX || v->np == SIZE_MAX) goto oom;
    v->pstart = calloc(v->np + 1, sizeof *v->pstart);
    size_t ncells = v->na * v->np;
    v->first = malloc((ncells > 0 ? ncells : 1) * sizeof *v->first);
    if (!v->pstart || !v->first) goto oom;
    /* A counting sort by parameter keeps each parameter's results in order. */
    for (size_t k = 0; k < m; k++) v->pstart[param_of[k] + 1]++;
    for (size_t p = 0; p < v->np; p++) v->pstart[p + 1] += v->pstart[p];
    size_t *fill = param_of; /* reused: each result's slot, then written in place */
    for (size_t k = 0; k < m; k++) fill[k] = v->pstart[param_of[k]]++;
    for (size_t p = v->np; p > 0; p--) v->pstart[p] = v->pstart[p - 1];
    v->pstart[0] = 0;
    for (size_t k = 0; k < m; k++) v->porder[fill[k]] = k;
    for (size_t c = 0; c < ncells; c++) v->first[c] = SIZE_MAX;
    for (size_t p = 0; p < v->np; p++)
        for (size_t j = v->pstart[p]; j < v->pstart[p + 1]; j++) {
            size_t k = v->porder[j], *c = &v->first[v->alloc_of[k] * v->np + p];
            if (*c == SIZE_MAX) *c = k; /* a name twice: the first, as al_bench_run_find */
        }
    free(param_of);
    return 0;
oom:
    free(param_of);
    view_free(v);
    return -1;
}

/* Walk parameter p's results: for (j = 0; (r = in_param(v, p, j)); j++). */
static const al_bench_result *in_param(const wview *v, size_t p, size_t j)
{
    size_t at = v->pstart[p] + j;
    return at < v->pstart[p + 1] ? v->res[v->porder[at]] : NULL;
}

/* ----------------------------------------------------------------------------
 * Columns. Each parameter's group has the same columns; a column none of the
 * workload's results can fill is left out.
 * ------------------------------------------------------------------------- */
typedef enum sub {
    SUB_METRIC, SUB_TIME, SUB_INSTR, SUB_CYC, SUB_RATIO, SUB_RSS, SUB_FAULTS, SUB_CPU, SUB_CALLS, SUB_SYSCALLS, NSUB
} sub;

static bool instr_mode(const al_bench_run *run) { return al_report_is_instructions(run); }

/* Whether some ok result of the workload has a figure for column s. */
static bool sub_has(const al_bench_result *r, sub s)
{
    switch (s) {
    case SUB_TIME: case SUB_RATIO: return true;
    case SUB_METRIC: return al_result_has_metric(r);
    case SUB_INSTR: return r->instructions >= 0;
    case SUB_CYC: return r->est_cycles >= 0;
    case SUB_RSS: return r->peak_rss_kib > 0;
    case SUB_FAULTS: return r->minor_faults >= 0;
    case SUB_CPU: return r->cpu_median_ns >= 0;
    case SUB_CALLS: return r->alloc_calls >= 0;
    case SUB_SYSCALLS: return al_syscalls_known(&r->sys);
    case NSUB: break;
    }
    return false;
}

static size_t pick_subs(const al_bench_run *run, const wview *v, bool wide, sub *subs)
{
    static const sub time_cols[] = {SUB_METRIC, SUB_TIME, SUB_RATIO, SUB_RSS, SUB_FAULTS, SUB_CPU, SUB_CALLS, SUB_SYSCALLS};
    static const sub instr_cols[] = {SUB_METRIC, SUB_INSTR, SUB_CYC, SUB_RATIO, SUB_RSS, SUB_FAULTS, SUB_CALLS,
                                     SUB_SYSCALLS};
    bool known[NSUB] = {false};
    for (size_t k = 0; k < v->m; k++)
        if (v->res[k]->status == AL_RUN_OK)
            for (int s = 0; s < NSUB; s++) known[s] = known[s] || sub_has(v->res[k], (sub)s);
    const sub *cols = instr_mode(run) ? instr_cols : time_cols;
    size_t n = 0;
    for (size_t i = 0; i < sizeof time_cols / sizeof time_cols[0]; i++) {
        sub s = cols[i];
        bool extra = s == SUB_CPU || s == SUB_CALLS || s == SUB_SYSCALLS;
        if ((!extra || wide) && known[s]) subs[n++] = s;
    }
    return n;
}

/* The scale of a column, from the largest figure it shows: a time unit, or
 * a binary unit for RSS; 1 for counts (they carry "k"/"M"). */
typedef struct colfmt {
    double scale;
    const char *unit;
} colfmt;

static double figure(const al_bench_run *run, const al_bench_result *r, sub s)
{
    (void)run;
    switch (s) {
    case SUB_TIME: return r->s.median;
    case SUB_INSTR: return r->instructions >= 0 ? r->instructions : NAN;
    case SUB_CYC: return r->est_cycles >= 0 ? r->est_cycles : NAN;
    case SUB_RSS: return r->peak_rss_kib > 0 ? (double)r->peak_rss_kib * 1024 : NAN;
    case SUB_FAULTS: return r->minor_faults >= 0 ? (double)r->minor_faults : NAN;
    case SUB_CPU: return r->cpu_median_ns >= 0 ? r->cpu_median_ns : NAN;
    case SUB_CALLS: return r->alloc_calls >= 0 ? r->alloc_calls : NAN;
    case SUB_SYSCALLS:
        return al_syscalls_known(&r->sys) ? (double)al_syscalls_total(&r->sys) / (double)r->sys.iterations : NAN;
    default: return NAN;
    }
}

/* The column's unit suits its typical figure (the geometric mean): a few
 * outliers a hundred times slower read "5010" rather than turning every
 * other cell into "0.05". */
static colfmt column_format(const al_bench_run *run, const wview *v, size_t p, sub s)
{
    double hi = 0, logsum = 0;
    size_t n = 0;
    const al_bench_result *r;
    for (size_t j = 0; (r = in_param(v, p, j)); j++) {
        if (r->status != AL_RUN_OK) continue;
        double x = figure(run, r, s);
        if (isfinite(x) && x > hi) hi = x;
        if (isfinite(x) && x > 0) logsum += log(x), n++;
    }
    colfmt f = {1, ""};
    if (s == SUB_METRIC) {
        for (size_t k = 0; k < v->m && !f.unit[0]; k++)
            if (al_result_has_metric(v->res[k])) f.unit = v->res[k]->metric_name;
    } else if (s == SUB_TIME || s == SUB_CPU) {
        al_report_time_unit(n ? exp(logsum / (double)n) : 1, &f.scale, &f.unit);
    } else if (s == SUB_RSS) {
        static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
        size_t u = 0;
        for (double x = hi / 1024; u + 1 < 4 && x >= 999.5; x /= 1024) u++;
        f.scale = pow(1024, (double)(u + 1));
        f.unit = units[u];
    }
    return f;
}

static void header_of(sub s, const colfmt *f, char *buf, size_t len)
{
    switch (s) {
    case SUB_METRIC: snprintf(buf, len, "%s", f->unit); break;
    case SUB_TIME: snprintf(buf, len, "time %s", f->unit); break;
    case SUB_INSTR: snprintf(buf, len, "instr"); break;
    case SUB_CYC: snprintf(buf, len, "cycles"); break;
    case SUB_RATIO: snprintf(buf, len, "ratio"); break;
    case SUB_RSS: snprintf(buf, len, "RSS %s", f->unit); break;
    case SUB_FAULTS: snprintf(buf, len, "faults"); break;
    case SUB_CPU: snprintf(buf, len, "CPU %s", f->unit); break;
    case SUB_CALLS: snprintf(buf, len, "calls"); break;
    case SUB_SYSCALLS: snprintf(buf, len, "syscalls/it"); break;
    default: buf[0] = '\0';
    }
}

/* One cell; returns whether a CI is shown whole ([low, high]). */
static bool cell_of(const al_bench_run *run, const al_bench_result *r, sub s, const colfmt *f, double best,
                    char *buf, size_t len)
{
    buf[0] = '\0';
    if (!r) {
        if (s == SUB_TIME || s == SUB_INSTR) snprintf(buf, len, "-");
        return false;
    }
    if (r->status != AL_RUN_OK) {
        if (s == SUB_TIME || s == SUB_INSTR) snprintf(buf, len, "%s", al_run_status_name(r->status));
        return false;
    }
    double v = figure(run, r, s);
    switch (s) {
    case SUB_METRIC: al_report_fmt_metric(r, buf, len); break;
    case SUB_TIME: return al_report_fmt_ci_scaled(r->s.median, r->s.ci_low, r->s.ci_high, f->scale, buf, len);
    case SUB_RATIO: {
        double x, lo, hi;
        if (al_report_value(run, r, &x, &lo, &hi) && best > 0) {
            digits(buf, len, x / best);
            strncat(buf, "x", len - strlen(buf) - 1);
        }
        break;
    }
    case SUB_INSTR: case SUB_CYC: case SUB_FAULTS:
        if (isfinite(v)) al_report_fmt_count(v, buf, len);
        break;
    case SUB_SYSCALLS:
        if (isfinite(v) && v < 1000) digits(buf, len, v);
        else if (isfinite(v)) al_report_fmt_count(v, buf, len);
        break;
    case SUB_RSS: case SUB_CPU:
        if (isfinite(v)) digits(buf, len, v / f->scale);
        break;
    case SUB_CALLS:
        if (isfinite(v)) snprintf(buf, len, "%.0f", v);
        break;
    default: break;
    }
    return false;
}

/* ----------------------------------------------------------------------------
 * One workload's table.
 * ------------------------------------------------------------------------- */
typedef struct grid {
    size_t na, np, ns;
    const char **allocs, **params;
    sub subs[NSUB];
    char *cells;       /* [a][p][s] of CELL bytes; a = na: the header */
    size_t *w;         /* [p][s] column widths */
    size_t wa;         /* the allocator column */
} grid;

static char *cell_at(grid *g, size_t a, size_t p, size_t s) { return g->cells + ((a * g->np + p) * g->ns + s) * CELL; }

static size_t group_width(const grid *g, size_t p)
{
    size_t w = 0;
    for (size_t s = 0; s < g->ns; s++) w += g->w[p * g->ns + s] + (s ? SUB_GAP : 0);
    size_t label = text_width(g->params[p]) + 4; /* "─ p ─" */
    return w > label ? w : label;
}

/* The group's label centred in its width, in a rule: "──── 16 ────". */
static void put_group_label(FILE *out, const char *label, size_t width)
{
    size_t lw = text_width(label) + 2, left = (width - lw) / 2, right = width - lw - left;
    for (size_t i = 0; i < left; i++) fputs("\u2500", out);
    fprintf(out, " %s ", label);
    for (size_t i = 0; i < right; i++) fputs("\u2500", out);
}

static void print_block(FILE *out, grid *g, size_t p0, size_t p1)
{
    fprintf(out, "%*s", (int)g->wa, "");
    for (size_t p = p0; p < p1; p++) {
        fprintf(out, "%*s", GROUP_GAP, "");
        put_group_label(out, g->params[p], group_width(g, p));
    }
    fputc('\n', out);
    for (size_t k = 0; k <= g->na; k++) {
        size_t a = k == 0 ? g->na : k - 1; /* the header row (a == na) first */
        put_padded(out, a < g->na ? g->allocs[a] : "allocator", g->wa, false);
        for (size_t p = p0; p < p1; p++) {
            size_t inner = 0;
            for (size_t s = 0; s < g->ns; s++) inner += g->w[p * g->ns + s] + (s ? SUB_GAP : 0);
            fprintf(out, "%*s", (int)(GROUP_GAP + group_width(g, p) - inner), "");
            for (size_t s = 0; s < g->ns; s++) {
                if (s) fprintf(out, "%*s", SUB_GAP, "");
                put_padded(out, cell_at(g, a, p, s), g->w[p * g->ns + s], true);
            }
        }
        fputc('\n', out);
    }
}

/* The allocator calls one iteration makes in column p (counted by the
 * workloads that count them: the talk's tricks), as "17" or "16-18" when
 * allocators differ; false when none was counted. */
static bool calls_text(const wview *v, size_t p, char *buf, size_t len)
{
    double lo = INFINITY, hi = -INFINITY;
    const al_bench_result *r;
    for (size_t j = 0; (r = in_param(v, p, j)); j++) {
        if (r->alloc_calls < 0) continue;
        if (r->alloc_calls < lo) lo = r->alloc_calls;
        if (r->alloc_calls > hi) hi = r->alloc_calls;
    }
    if (!isfinite(lo)) return false;
    if (lo == hi) snprintf(buf, len, "%.0f", lo);
    else snprintf(buf, len, "%.0f-%.0f", lo, hi);
    return true;
}

/* Under the table: the allocator calls (without --wide, where they are a
 * column) and the reason of every cell that did not run. */
static void table_notes(FILE *out, const wview *v, size_t width, bool wide)
{
    /* A workload with a metric of its own shows it first: say what it is. */
    for (size_t k = 0; k < v->m; k++) {
        const al_bench_result *r = v->res[k];
        if (!al_result_has_metric(r)) continue;
        char text[128];
        snprintf(text, sizeof text, "%s (%s) first, the workload's own figure; then the time and its ratio to the "
                                    "fastest", r->metric_name, r->metric_unit);
        put_wrapped(out, "  cells: ", "    ", text, width);
        break;
    }
    /* The allocators the workload shared through locked: (not thread-safe). */
    bool *locked = calloc(v->na ? v->na : 1, sizeof *locked);
    char line[1024];
    size_t used = 0;
    line[0] = '\0';
    for (size_t k = 0; locked && k < v->m; k++)
        if (strncmp(v->res[k]->ran_as, "locked:", 7) == 0) locked[v->alloc_of[k]] = true;
    for (size_t a = 0; locked && a < v->na && used < sizeof line; a++)
        if (locked[a]) used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", used ? ", " : "", v->allocs[a]);
    free(locked);
    if (used) put_wrapped(out, "  behind locked: (not thread-safe; its threads share it through one mutex): ", "    ",
                          line, width);
    char calls[64];
    used = 0;
    line[0] = '\0';
    for (size_t p = 0; p < v->np && !wide && used < sizeof line; p++)
        if (calls_text(v, p, calls, sizeof calls))
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %s", used ? ", " : "", v->params[p], calls);
    if (used) put_wrapped(out, "allocator calls per iteration: ", "  ", line, width);
    for (size_t k = 0; k < v->m; k++) {
        const al_bench_result *r = v->res[k];
        if (r->status == AL_RUN_OK) continue;
        char head[160];
        snprintf(head, sizeof head, "  %s %s/%s: ", al_run_status_name(r->status), r->param, r->allocator);
        put_wrapped(out, head, "      ", *r->reason ? r->reason : "no reason given", width);
    }
}

/* The lowest shown value of parameter p's ok results (al_report_fastest). */
static double fastest_in(const al_bench_run *run, const wview *v, size_t p)
{
    double best = NAN, x, lo, hi;
    const al_bench_result *r;
    for (size_t j = 0; (r = in_param(v, p, j)); j++)
        if (al_report_value(run, r, &x, &lo, &hi) && !(x >= best)) best = x;
    return best;
}

/* The table of the workload whose results are res[0..m). */
static int table_of(FILE *out, const al_bench_run *run, const char *workload, const al_bench_result **res, size_t m,
                    const al_table_opts *o)
{
    wview v;
    grid g = {0};
    if (view_make(&v, res, m) != 0) return -1;
    g.na = v.na, g.np = v.np, g.allocs = v.allocs, g.params = v.params;
    g.ns = pick_subs(run, &v, o && o->wide, g.subs);
    g.cells = calloc((g.na + 1) * (g.np ? g.np : 1) * (g.ns ? g.ns : 1), CELL);
    g.w = calloc((g.np ? g.np : 1) * (g.ns ? g.ns : 1), sizeof *g.w);
    if (!g.cells || !g.w) {
        free(g.cells), free(g.w);
        view_free(&v);
        return -1;
    }
    for (size_t p = 0; p < g.np; p++) {
        double best = fastest_in(run, &v, p);
        for (size_t s = 0; s < g.ns; s++) {
            colfmt f = column_format(run, &v, p, g.subs[s]);
            header_of(g.subs[s], &f, cell_at(&g, g.na, p, s), CELL);
            size_t w = text_width(cell_at(&g, g.na, p, s));
            for (size_t a = 0; a < g.na; a++) {
                char *c = cell_at(&g, a, p, s);
                size_t k = v.first[a * v.np + p];
                cell_of(run, k == SIZE_MAX ? NULL : res[k], g.subs[s], &f, best, c, CELL);
                if (text_width(c) > w) w = text_width(c);
            }
            g.w[p * g.ns + s] = w;
        }
    }
    g.wa = strlen("allocator");
    for (size_t a = 0; a < g.na; a++)
        if (text_width(g.allocs[a]) > g.wa) g.wa = text_width(g.allocs[a]);

    size_t width = width_of(o);
    const al_workload *w = al_workload_find(workload);
    char title[512];
    snprintf(title, sizeof title, "%s%s%s", workload, w && w->description ? " \u2014 " : "",
             w && w->description ? w->description : "");
    put_wrapped(out, "", "  ", title, width);
    /* Blocks of as many groups as fit (at least one). */
    for (size_t p0 = 0; p0 < g.np;) {
        size_t used = g.wa, p1 = p0;
        while (p1 < g.np && (p1 == p0 || used + GROUP_GAP + group_width(&g, p1) <= width))
            used += GROUP_GAP + group_width(&g, p1++);
        print_block(out, &g, p0, p1);
        p0 = p1;
    }
    table_notes(out, &v, width, o && o->wide);
    fputc('\n', out);
    free(g.cells), free(g.w);
    view_free(&v);
    return al_report_finish(out);
}

int al_report_table_workload(FILE *out, const al_bench_run *run, const char *workload, const al_table_opts *o)
{
    const al_bench_result **res = malloc((run->nresults ? run->nresults : 1) * sizeof *res);
    if (!res) return -1;
    size_t m = 0;
    for (size_t i = 0; i < run->nresults; i++)
        if (strcmp(run->results[i].workload, workload) == 0) res[m++] = &run->results[i];
    int rc = table_of(out, run, workload, res, m, o);
    free(res);
    return rc;
}

/* ----------------------------------------------------------------------------
 * The header: what ran where, and for a --quick run what it is worth.
 * ------------------------------------------------------------------------- */
static void quick_line(FILE *out, const al_bench_run *run, size_t width)
{
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (r->status != AL_RUN_OK || r->nsamples == 0) continue;
        if (r->nsamples < lo) lo = r->nsamples;
        if (r->nsamples > hi) hi = r->nsamples;
    }
    char counts[64] = "fewer", text[256];
    if (hi > 0 && lo == hi) snprintf(counts, sizeof counts, "%zu", lo);
    else if (hi > 0) snprintf(counts, sizeof counts, "%zu-%zu", lo, hi);
    snprintf(text, sizeof text, "a CI-sized run (%s samples per benchmark, short ones), below the full "
                                "statistical bar; run without --quick for conclusions", counts);
    put_wrapped(out, "--quick: ", "  ", text, width);
}

int al_report_table_begin(FILE *out, const al_bench_run *run, const al_table_opts *o)
{
    const al_bench_context *c = &run->ctx;
    size_t width = width_of(o);
    char text[512];
    snprintf(text, sizeof text, "%s mode \u2014 %s on %s (%s, %d CPUs)%s%s", *c->mode ? c->mode : "time", c->date,
             c->host, c->cpu, c->ncpus, *c->label ? ", label " : "", c->label);
    char first[48];
    snprintf(first, sizeof first, "alloclab %s, ", c->alloclab_version);
    put_wrapped(out, first, "  ", text, width);
    if (c->nlibs) {
        size_t used = 0;
        for (size_t i = 0; i < c->nlibs && used < sizeof text; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%s %s", i ? ", " : "", c->libs[i].name,
                                     c->libs[i].version);
        put_wrapped(out, "libraries: ", "  ", text, width);
    }
    if (c->quick) quick_line(out, run, width);
    if (*c->test_hooks) {
        snprintf(text, sizeof text, "%s: set while it ran, so its figures are altered on purpose", c->test_hooks);
        put_wrapped(out, "test hooks: ", "  ", text, width);
    }
    if (instr_mode(run))
        put_wrapped(out, "", "  ", "instr: instructions per iteration (callgrind); cycles: estimated "
                                   "(L1 + 5 x LL + 35 x RAM); ratios on instructions", width);
    put_wrapped(out, "", "  ", instr_mode(run) ? "RSS and faults: the counted process's peak RSS and minor page faults"
                                               : "time: median per iteration ± the longer side of its 95% CI; ratio: "
                                                 "to the fastest; RSS: the benchmark process's peak; faults: its "
                                                 "minor page faults", width);
    fputc('\n', out);
    return al_report_finish(out);
}

/* ----------------------------------------------------------------------------
 * The end: the warnings of the whole run, once (a busy machine does not bury
 * the tables under one warning per cell), then the summary.
 * ------------------------------------------------------------------------- */
/* A noisy cell: its result and its CI's width over its median. */
typedef struct wide_cell {
    const al_bench_result *r;
    double width;
} wide_cell;

static int wider_first(const void *x, const void *y)
{
    double a = ((const wide_cell *)x)->width, b = ((const wide_cell *)y)->width;
    return a < b ? 1 : a > b ? -1 : 0;
}

#define NOISY_NAMED 8 /* a longer list is cut to its widest, with the count */

static void warnings(FILE *out, const al_bench_run *run, size_t width)
{
    char *wide = NULL, *outl = NULL;
    size_t wide_len = 0, outl_len = 0, nwide = 0, noutl = 0, ntimed = 0;
    bool interval = false;
    wide_cell *cells = malloc((run->nresults ? run->nresults : 1) * sizeof *cells);
    FILE *w = open_memstream(&wide, &wide_len), *o = open_memstream(&outl, &outl_len);
    for (size_t i = 0; cells && w && o && i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (r->status != AL_RUN_OK || instr_mode(run) || r->s.n == 0) continue;
        ntimed++;
        char buf[96];
        interval |= al_report_fmt_ci_scaled(r->s.median, r->s.ci_low, r->s.ci_high, 1, buf, sizeof buf);
        size_t n_out = r->s.outliers_low + r->s.outliers_high;
        if (n_out * 10 > r->s.n && noutl++ < NOISY_NAMED)
            fprintf(o, "%s%s/%s/%s %zu/%zu", noutl > 1 ? ", " : "", r->workload, r->param, r->allocator, n_out, r->s.n);
        double cw = r->s.ci_high - r->s.ci_low;
        if (r->s.median > 0 && cw > 0.1 * r->s.median) cells[nwide++] = (wide_cell){r, cw / r->s.median};
    }
    /* Every noisy cell in run order, or past NOISY_NAMED of them the count
     * and the widest: a list of hundreds tells nothing. */
    if (nwide > NOISY_NAMED) {
        qsort(cells, nwide, sizeof *cells, wider_first);
        fprintf(w, "%zu of %zu benchmarks, the widest ", nwide, ntimed);
    }
    for (size_t k = 0; w && k < nwide && k < NOISY_NAMED; k++)
        fprintf(w, "%s%s/%s/%s %.0f%%", k ? ", " : "", cells[k].r->workload, cells[k].r->param, cells[k].r->allocator,
                100.0 * cells[k].width);
    if (o && noutl > NOISY_NAMED) fprintf(o, " and %zu more", noutl - NOISY_NAMED);
    if (w) fclose(w);
    if (o) fclose(o);
    if (interval) put_wrapped(out, "", "  ", "median [low, high]: a wide, lopsided 95% CI shown whole; elsewhere "
                                             "± its longer side", width);
    if (nwide) put_wrapped(out, "Warning: noisy, 95% CI wider than 10% of the median: ", "  ", wide, width);
    if (noutl) put_wrapped(out, "Warning: over 10% of samples are outliers (kept): ", "  ", outl, width);
    if (nwide || noutl)
        put_wrapped(out, "", "  ",
                    "(the machine may be busy: a quieter machine or more --samples narrows these; compare judges "
                    "each allocator against the others of its benchmark in the same rounds, which a load that "
                    "slowed them all does not move)",
                    width);
    if (interval || nwide || noutl) fputc('\n', out);
    free(cells);
    free(wide);
    free(outl);
}

static void summary(FILE *out, const al_bench_run *run, size_t width)
{
    al_run_summary s;
    if (al_run_summary_make(run, &s) != 0 || s.nrows == 0) {
        if (s.rows) al_run_summary_free(&s);
        return;
    }
    bool rss = false;
    for (size_t i = 0; i < s.nrows; i++) rss |= isfinite(s.rows[i].rss_gm);
    size_t wa = strlen("allocator");
    for (size_t i = 0; i < s.nrows; i++)
        if (text_width(s.rows[i].allocator) > wa) wa = text_width(s.rows[i].allocator);
    char text[256];
    snprintf(text, sizeof text, "geometric mean over the %zu benchmarks of each allocator's ratio to the %s%s; "
                                "1.00x = the best on every benchmark it ran", s.nbench,
             instr_mode(run) ? "fewest instructions" : "fastest", rss ? " and to the lowest peak RSS" : "");
    put_wrapped(out, "Summary: ", "  ", text, width);
    fprintf(out, "  %4s  %-*s  %8s  %8s  %s\n", "rank", (int)wa, "allocator", instr_mode(run) ? "instr" : "time",
            rss ? "peak RSS" : "", "benchmarks");
    for (size_t i = 0; i < s.nrows; i++) {
        const al_summary_row *r = &s.rows[i];
        char t[16], m[16] = "", nb[32];
        snprintf(t, sizeof t, "%.2fx", r->time_gm);
        if (isfinite(r->rss_gm)) snprintf(m, sizeof m, "%.2fx", r->rss_gm);
        if (r->n == s.nbench) snprintf(nb, sizeof nb, "%zu", r->n);
        else snprintf(nb, sizeof nb, "%zu of %zu", r->n, s.nbench);
        fprintf(out, "  %4zu  ", i + 1);
        put_padded(out, r->allocator, wa, false);
        fprintf(out, "  %8s  %8s  %s\n", t, m, nb);
    }
    put_wrapped(out, "  ", "    ", al_run_summary_line(run, &s, text, sizeof text), width);
    al_run_summary_free(&s);
}

int al_report_table_end(FILE *out, const al_bench_run *run, const al_table_opts *o)
{
    size_t width = width_of(o);
    if (run->nresults == 0) fputs("no benchmarks ran\n", out);
    warnings(out, run, width);
    summary(out, run, width);
    return al_report_finish(out);
}

/* Every workload's table: the results grouped by workload in one pass. */
int al_report_table_with(FILE *out, const al_bench_run *run, const al_table_opts *o)
{
    size_t n = run->nresults ? run->nresults : 1;
    const al_bench_result **all = malloc(n * sizeof *all), **byw = malloc(n * sizeof *byw);
    const char **wls = malloc(n * sizeof *wls);
    size_t *of = malloc(n * sizeof *of), *start = calloc(n + 1, sizeof *start);
    size_t nw = SIZE_MAX;
    if (all && byw && wls && of && start) {
        for (size_t i = 0; i < run->nresults; i++) all[i] = &run->results[i];
        nw = al_report_group(all, run->nresults, AL_FIELD_WORKLOAD, wls, of);
    }
    int rc = nw == SIZE_MAX ? -1 : 0;
    if (rc == 0) {
        for (size_t i = 0; i < run->nresults; i++) start[of[i] + 1]++;
        for (size_t w = 0; w < nw; w++) start[w + 1] += start[w];
        for (size_t i = 0; i < run->nresults; i++) byw[start[of[i]]++] = all[i]; /* start[w] moves to its end */
        rc = al_report_table_begin(out, run, o);
    }
    for (size_t w = 0, at = 0; w < nw && rc == 0; at = start[w++])
        rc = table_of(out, run, wls[w], byw + at, start[w] - at, o);
    if (rc == 0) rc = al_report_table_end(out, run, o);
    free(all), free(byw), free(wls), free(of), free(start);
    return rc;
}

int al_report_table(FILE *out, const al_bench_run *run) { return al_report_table_with(out, run, NULL); }
