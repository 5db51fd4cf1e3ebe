/* Internal helpers shared by the human-readable reports (Markdown, HTML) and
 * the machine ones (JSON, CSV): grouping a run's results, picking the metric
 * a report shows, formatting numbers. Not part of the public bench API. */
#ifndef ALLOCLAB_REPORT_UTIL_H
#define ALLOCLAB_REPORT_UTIL_H

#include "bench.h"

#include <stdbool.h>

/* Which field al_report_distinct collects. */
typedef enum al_report_field { AL_FIELD_WORKLOAD, AL_FIELD_PARAM, AL_FIELD_ALLOCATOR } al_report_field;

/* The distinct values of `field` among the results (only those of `workload`
 * when it is not NULL), in order of first appearance, into out[] which must
 * hold run->nresults pointers. The pointers point into the run. Returns how
 * many. */
size_t al_report_distinct(const al_bench_run *run, al_report_field field, const char *workload,
                          const char **out);

/* Whether the run was measured in instructions mode (values are counts). */
bool al_report_is_instructions(const al_bench_run *run);

/* The value a report shows for r: median ns per iteration with its CI, or in
 * instructions mode the instruction count (lo = hi = value). False when r is
 * not ok or has no finite value. */
bool al_report_value(const al_bench_run *run, const al_bench_result *r, double *v, double *lo,
                     double *hi);

/* The lowest al_report_value among the ok results of workload/param; NaN when
 * none. */
double al_report_fastest(const al_bench_run *run, const char *workload, const char *param);

/* A value with three significant digits and its unit: "412 ns", "1.23 µs",
 * "4.50 ms" (time) or "1.23 M" (counts). Returns buf. */
const char *al_report_fmt_ns(double ns, char *buf, size_t len);
const char *al_report_fmt_count(double v, char *buf, size_t len);
/* Either of the two, by the run's mode. */
const char *al_report_fmt_value(const al_bench_run *run, double v, char *buf, size_t len);

/* The half-width of the CI as a percentage of the median ("± 1.2%"), the
 * larger side; NaN when unknown. */
double al_report_ci_pct(double v, double lo, double hi);

/* Copy a NUL-terminated string, truncating to fit; dst is always terminated. */
void al_report_copy(char *dst, size_t len, const char *src);

/* 0 when everything written to out so far reached it, -1 on a write error. */
int al_report_finish(FILE *out);

#endif
