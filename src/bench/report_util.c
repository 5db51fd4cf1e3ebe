/* Helpers shared by the report writers: grouping, the shown metric, number
 * formatting. */
#include "report_util.h"

#include <math.h>
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

size_t al_report_distinct(const al_bench_run *run, al_report_field field, const char *workload,
                          const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (workload && strcmp(r->workload, workload) != 0) continue;
        const char *v = field_of(r, field);
        size_t j = 0;
        while (j < n && strcmp(out[j], v) != 0) j++;
        if (j == n) out[n++] = v;
    }
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
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0 || strcmp(r->param, param) != 0) continue;
        if (al_report_value(run, r, &v, &lo, &hi) && !(v >= best)) best = v;
    }
    return best;
}

/* ---- formatting ------------------------------------------------------------ */

static const char *fmt_scaled(double v, const char *const *units, const double *scales, size_t n,
                              char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    size_t u = 0;
    while (u + 1 < n && fabs(v) >= scales[u + 1] * 0.9995) u++;
    double x = v / scales[u];
    int decimals = fabs(x) >= 99.95 ? 0 : fabs(x) >= 9.995 ? 1 : 2;
    if (u == 0 && decimals == 2 && fabs(x) >= 1 && floor(x) == x) decimals = 0;
    snprintf(buf, len, "%.*f%s%s", decimals, x, units[u][0] ? " " : "", units[u]);
    return buf;
}

const char *al_report_fmt_ns(double ns, char *buf, size_t len)
{
    static const char *const units[] = {"ns", "\u00b5s", "ms", "s"};
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    return fmt_scaled(ns, units, scales, 4, buf, len);
}

const char *al_report_fmt_count(double v, char *buf, size_t len)
{
    static const char *const units[] = {"", "k", "M", "G"};
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    return fmt_scaled(v, units, scales, 4, buf, len);
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

void al_report_copy(char *dst, size_t len, const char *src)
{
    if (len == 0) return;
    size_t n = src ? strnlen(src, len - 1) : 0;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

int al_report_finish(FILE *out)
{
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
