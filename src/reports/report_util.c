/* Helpers shared by the report writers: grouping, the shown metric, number
 * formatting. */
#include "report_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- grouping --------------------------------------------------------------
 * Results keep the order the harness produced; reports list workloads, params
 * and allocators in order of first appearance so that every table and chart of
 * one run agrees on the order (and on allocator colours). */

static const char *field_of(const al_bench_result *r, al_report_field f)
{
    switch (f) {
    case AL_FIELD_WORKLOAD: return r->workload;
    case AL_FIELD_PARAM: return r->param;
    case AL_FIELD_ALLOCATOR: return r->allocator;
    }
    return r->workload;
}

/* A set of strings in order of first appearance: open addressing over an
 * FNV-1a hash, at least twice as many slots as values, so that grouping m
 * results takes O(m) (a run may hold 1024 columns and 256 allocators). */
typedef struct strset {
    size_t mask;
    size_t *slot;               /* value index + 1; 0 empty */
} strset;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int strset_init(strset *t, size_t m)
{
    size_t size = 16;
    while (size < 2 * m) size *= 2;
    t->mask = size - 1;
    t->slot = calloc(size, sizeof *t->slot);
    return t->slot ? 0 : -1;
}

/* The index of v among values[0..*n), added as values[(*n)++] when new. */
static size_t strset_add(strset *t, const char **values, size_t *n, const char *v)
{
    size_t s = (size_t)str_hash(v) & t->mask;
    while (t->slot[s] && strcmp(values[t->slot[s] - 1], v) != 0) s = (s + 1) & t->mask;
    if (!t->slot[s]) {
        values[*n] = v;
        t->slot[s] = ++*n;
    }
    return t->slot[s] - 1;
}

size_t al_report_group(const al_bench_result *const *res, size_t m, al_report_field field, const char **values,
                       size_t *of)
{
    strset t;
    if (strset_init(&t, m) != 0) return SIZE_MAX;
    size_t n = 0;
    for (size_t k = 0; k < m; k++) {
        size_t i = strset_add(&t, values, &n, field_of(res[k], field));
        if (of) of[k] = i;
    }
    free(t.slot);
    return n;
}

size_t al_report_distinct(const al_bench_run *run, al_report_field field, const char *workload,
                          const char **out)
{
    size_t n = 0;
    strset t;
    bool hashed = strset_init(&t, run->nresults) == 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (workload && strcmp(r->workload, workload) != 0) continue;
        const char *v = field_of(r, field);
        if (hashed) {
            strset_add(&t, out, &n, v);
            continue;
        }
        size_t j = 0; /* out of memory for the table: the quadratic way */
        while (j < n && strcmp(out[j], v) != 0) j++;
        if (j == n) out[n++] = v;
    }
    if (hashed) free(t.slot);
    return n;
}

/* ---- the shown metric -------------------------------------------------------
 * Time mode shows the median ns per iteration and its bootstrap CI;
 * instructions mode shows the (deterministic) instruction count. */

bool al_report_is_instructions(const al_bench_run *run)
{
    return strcmp(run->ctx.mode, "instructions") == 0;
}

bool al_report_value(const al_bench_run *run, const al_bench_result *r, double *v, double *lo,
                     double *hi)
{
    if (r->status != AL_RUN_OK) return false;
    if (al_report_is_instructions(run) && r->instructions >= 0) {
        *v = *lo = *hi = r->instructions;
    } else {
        *v = r->s.median;
        *lo = isfinite(r->s.ci_low) ? r->s.ci_low : r->s.median;
        *hi = isfinite(r->s.ci_high) ? r->s.ci_high : r->s.median;
    }
    return isfinite(*v);
}

double al_report_fastest(const al_bench_run *run, const char *workload, const char *param)
{
    double best = NAN, v, lo, hi;
    const al_bench_result *first = al_bench_run_column_first(run, workload, param);
    for (const al_bench_result *r = first; r; r = al_bench_run_column_next(run, first, r))
        if (al_report_value(run, r, &v, &lo, &hi) && !(v >= best)) best = v;
    return best;
}

/* ---- formatting ------------------------------------------------------------ */

static const char *fmt_scaled(double v, const char *const *units, const double *scales, size_t n,
                              const char *sep, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    size_t u = 0;
    while (u + 1 < n && fabs(v) >= scales[u + 1] * 0.9995) u++;
    double x = v / scales[u];
    int decimals = fabs(x) >= 99.95 ? 0 : fabs(x) >= 9.995 ? 1 : 2;
    if (u == 0 && floor(x) == x) decimals = 0; /* a whole number below the first unit: "91", not "91.0" */
    snprintf(buf, len, "%.*f%s%s", decimals, x, units[u][0] ? sep : "", units[u]);
    return buf;
}

const char *al_report_fmt_ns(double ns, char *buf, size_t len)
{
    static const char *const units[] = {"ns", "\u00b5s", "ms", "s"};
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    return fmt_scaled(ns, units, scales, 4, " ", buf, len);
}

const char *al_report_fmt_bytes(double bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    static const double scales[] = {1, 1024, 1048576, 1073741824, 1099511627776};
    return fmt_scaled(bytes, units, scales, 5, " ", buf, len);
}

const char *al_report_fmt_count(double v, char *buf, size_t len)
{
    static const char *const units[] = {"", "k", "M", "G"};
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    return fmt_scaled(v, units, scales, 4, "", buf, len);
}

const char *al_report_fmt_value(const al_bench_run *run, double v, char *buf, size_t len)
{
    return al_report_is_instructions(run) ? al_report_fmt_count(v, buf, len)
                                          : al_report_fmt_ns(v, buf, len);
}

double al_report_ci_pct(double v, double lo, double hi)
{
    if (!isfinite(v) || v == 0 || !isfinite(lo) || !isfinite(hi)) return NAN;
    double w = fmax(hi - v, v - lo);
    return 100 * fabs(w / v);
}

/* ---- the CI format -----------------------------------------------------------
 * One rule for every human-readable report, so a value reads the same in the
 * terminal, a pull request and the HTML page. A narrow CI reads well as ± its
 * longer side whatever its shape; only a wide lopsided one needs both ends. */

#define AL_CI_LOPSIDED 1.5
#define AL_CI_WIDE 0.05

static const struct { double scale; const char *unit; } time_units[] = {
    {1, "ns"}, {1e3, "\u00b5s"}, {1e6, "ms"}, {1e9, "s"}};

static bool ci_lopsided(double median, double lo, double hi)
{
    double below = median - lo, above = hi - median;
    if (below < 0 || above < 0) return true;
    double longer = below > above ? below : above;
    return longer > AL_CI_WIDE * median && (below > AL_CI_LOPSIDED * above || above > AL_CI_LOPSIDED * below);
}

/* Three significant digits for values from 1 to 999.9. */
static void fmt_digits(char *buf, size_t len, double v)
{
    double a = fabs(v);
    snprintf(buf, len, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", v);
}

/* The unit al_report_fmt_ns gives ns: the largest whose value reads >= 1. */
static size_t time_unit_of(double ns)
{
    size_t u = 0;
    while (u + 1 < sizeof time_units / sizeof time_units[0] && fabs(ns) >= 999.5 * time_units[u].scale) u++;
    return u;
}

void al_report_time_unit(double ns, double *scale, const char **unit)
{
    size_t u = isfinite(ns) ? time_unit_of(ns) : 0;
    *scale = time_units[u].scale;
    *unit = time_units[u].unit;
}

bool al_report_fmt_ci_scaled(double v, double lo, double hi, double scale, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "n/a");
        return false;
    }
    char num[32], cis[80] = "";
    fmt_digits(num, sizeof num, v / scale);
    bool interval = false;
    if (isfinite(lo) && isfinite(hi) && hi >= lo) {
        double x = v / scale, l = lo / scale, h = hi / scale;
        char lnum[32], hnum[32], cnum[32];
        fmt_digits(lnum, sizeof lnum, l);
        fmt_digits(hnum, sizeof hnum, h);
        fmt_digits(cnum, sizeof cnum, fmax(x - l, h - x));
        /* An asymmetry too small to show at this precision keeps "±". */
        interval = ci_lopsided(v, lo, hi) && (strcmp(lnum, num) != 0 || strcmp(hnum, num) != 0);
        if (interval) snprintf(cis, sizeof cis, " [%s, %s]", lnum, hnum);
        else snprintf(cis, sizeof cis, " \u00b1 %s", cnum);
    }
    snprintf(buf, len, "%s%s", num, cis);
    return interval;
}

bool al_report_fmt_time_ci(double ns, double lo, double hi, char *buf, size_t len)
{
    if (!isfinite(ns)) {
        snprintf(buf, len, "n/a");
        return false;
    }
    double scale;
    const char *unit;
    al_report_time_unit(ns, &scale, &unit);
    char num[96];
    bool interval = al_report_fmt_ci_scaled(ns, lo, hi, scale, num, sizeof num);
    snprintf(buf, len, "%s %s", num, unit);
    return interval;
}

const char *al_report_fmt_instr(const al_bench_result *r, char *buf, size_t len)
{
    char ins[32], cyc[32];
    al_report_fmt_count(r->instructions, ins, sizeof ins);
    if (r->est_cycles >= 0) {
        al_report_fmt_count(r->est_cycles, cyc, sizeof cyc);
        snprintf(buf, len, "%s instr, %s cyc", ins, cyc);
    } else {
        snprintf(buf, len, "%s instr", ins);
    }
    return buf;
}

bool al_report_fmt_result(const al_bench_run *run, const al_bench_result *r, char *buf, size_t len)
{
    if (al_report_is_instructions(run) && r->instructions >= 0) {
        al_report_fmt_instr(r, buf, len);
        return false;
    }
    return al_report_fmt_time_ci(r->s.median, r->s.ci_low, r->s.ci_high, buf, len);
}

/* ---- ranking -------------------------------------------------------------------
 * "Fastest" is a claim: it is made only when the winner's CI is clear of every
 * other CI of its column (and the runner-up is at least 0.5% behind);
 * otherwise it is a tie. */

/* Whether a result (value v, CI low end lo) ties the winner (value wv, CI high
 * end whi): one's median lies inside the other's CI (the CIs overlap where
 * it counts: a wide CI that merely grazes the winner's does not make a 7x
 * result a tie), or the two are within AL_TIE_RATIO, the precision of the
 * shown ratio ("1.00x"), which an exact count (instructions mode, a
 * zero-width CI) would otherwise split. */
#define AL_TIE_RATIO 1.005

static bool ties(double wv, double whi, double v, double lo)
{
    return lo <= wv || v <= whi || v < wv * AL_TIE_RATIO;
}

void al_report_cell_of(const al_bench_run *run, const al_bench_result *r, double fastest, al_report_cell *c)
{
    double lo, hi;
    memset(c, 0, sizeof *c);
    c->present = r != NULL;
    c->value = c->ratio = NAN;
    c->has_value = r && al_report_value(run, r, &c->value, &lo, &hi);
    if (!c->has_value) return;
    c->rank = al_report_rank_of(run, r);
    c->ratio = fastest > 0 ? c->value / fastest : NAN;
    al_report_fmt_result(run, r, c->text, sizeof c->text);
}

al_report_rank al_report_rank_of(const al_bench_run *run, const al_bench_result *r)
{
    double v, lo, hi, rv, rlo, rhi;
    if (!r || !al_report_value(run, r, &rv, &rlo, &rhi)) return AL_RANK_NONE;
    /* r's column only (al_bench_run_column_next: O(1) a step on an indexed run). */
    const al_bench_result *win = NULL;
    double wv = INFINITY, whi = 0;
    for (const al_bench_result *x = al_bench_run_column_next(run, r, NULL); x; x = al_bench_run_column_next(run, r, x))
        if (al_report_value(run, x, &v, &lo, &hi) && v < wv) win = x, wv = v, whi = hi;
    if (!win) return AL_RANK_NONE;
    bool tied = false;
    for (const al_bench_result *x = al_bench_run_column_next(run, r, NULL); x && !tied;
         x = al_bench_run_column_next(run, r, x))
        tied = x != win && al_report_value(run, x, &v, &lo, &hi) && ties(wv, whi, v, lo);
    if (r == win) return tied ? AL_RANK_TIED : AL_RANK_FASTEST;
    return ties(wv, whi, rv, rlo) ? AL_RANK_TIED : AL_RANK_NONE;
}

/* ---- naming the parameter ------------------------------------------------------ */

const char *al_report_param_name(const char *workload, char *buf, size_t len)
{
    const al_workload *w = al_workload_find(workload);
    const char *d = w && w->description ? w->description : "";
    const char *open = strchr(d, '<'), *close = open ? strchr(open, '>') : NULL;
    if (open && close && close > open + 1)
        snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
    else
        snprintf(buf, len, "parameter");
    return buf;
}

int al_report_finish(FILE *out)
{
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

const char *al_report_fmt_metric(const al_bench_result *r, char *buf, size_t len)
{
    if (!al_result_has_metric(r)) {
        if (len) buf[0] = '\0';
        return buf;
    }
    bool glued = r->metric_unit[0] == 'x', growth = strstr(r->metric_unit, "/") != NULL;
    bool big = fabs(r->metric) >= 1000; /* whole numbers, not 4.12e+04 */
    const char *fmt = growth ? (big ? "%+.0f%s%s" : "%+.3g%s%s") : (big ? "%.0f%s%s" : "%.3g%s%s");
    snprintf(buf, len, fmt, r->metric, glued ? "" : " ", r->metric_unit);
    return buf;
}
