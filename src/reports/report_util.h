/* Internal helpers shared by the human-readable reports (Markdown, HTML) and
 * the machine ones (JSON, CSV): grouping a run's results, picking the metric
 * a report shows, formatting numbers. Not part of the public bench API. */
#ifndef ALLOCLAB_REPORT_UTIL_H
#define ALLOCLAB_REPORT_UTIL_H

#include "reports.h"

#include <stdbool.h>
#include <stdio.h>

/* Which field al_report_distinct collects. */
typedef enum al_report_field { AL_FIELD_WORKLOAD, AL_FIELD_PARAM, AL_FIELD_ALLOCATOR } al_report_field;

/* The distinct values of `field` among the results (only those of `workload`
 * when it is not NULL), in order of first appearance, into out[] which must
 * hold run->nresults pointers. The pointers point into the run. Returns how
 * many. Expected O(nresults). */
size_t al_report_distinct(const al_bench_run *run, al_report_field field, const char *workload,
                          const char **out);
/* The distinct values of `field` among res[0..m), in order of first
 * appearance, into values[] (room for m), and into of[k] (NULL: not wanted)
 * the index of res[k]'s value. Returns how many, or SIZE_MAX when out of
 * memory. Expected O(m). */
size_t al_report_group(const al_bench_result *const *res, size_t m, al_report_field field, const char **values,
                       size_t *of);

/* The value a report shows for r: median ns per iteration with its CI, or in
 * instructions mode the instruction count (lo = hi = value). False when r is
 * not ok or has no finite value. */
bool al_report_value(const al_bench_run *run, const al_bench_result *r, double *v, double *lo,
                     double *hi);

/* The lowest al_report_value among the ok results of workload/param; NaN when
 * none. */
double al_report_fastest(const al_bench_run *run, const char *workload, const char *param);

/* A value with three significant digits and its unit: "412 ns", "1.23 µs",
 * "4.50 ms" (time) or "812", "1.23M" (counts). Returns buf. */
const char *al_report_fmt_ns(double ns, char *buf, size_t len);
/* Bytes in binary units, three significant digits: "812 KiB", "6.19 MiB". */
const char *al_report_fmt_bytes(double bytes, char *buf, size_t len);
const char *al_report_fmt_count(double v, char *buf, size_t len);
/* Either of the two, by the run's mode. */
const char *al_report_fmt_value(const al_bench_run *run, double v, char *buf, size_t len);

/* The half-width of the CI as a percentage of the median ("± 1.2%"), the
 * larger side; NaN when unknown. */
double al_report_ci_pct(double v, double lo, double hi);

/* The one CI format of every human-readable report (table, Markdown, HTML):
 * a time in ns in a unit that suits it, three significant digits, its CI
 * [lo, hi] in the same unit: "45.2 ± 0.31 ns", ± the longer side; or
 * "10.3 [1.85, 245] ms" when the CI is wide (longer side > 5% of the median)
 * and lopsided (one side > 1.5x the other, or the median outside it) and the
 * asymmetry shows at this precision. A CI that is not finite is left out
 * ("45.2 ns"). Returns whether the interval form was used. */
bool al_report_fmt_time_ci(double ns, double lo, double hi, char *buf, size_t len);

/* The unit al_report_fmt_time_ci would give ns: its scale (1, 1e3, 1e6,
 * 1e9) and name ("ns", "µs", "ms", "s"). */
void al_report_time_unit(double ns, double *scale, const char **unit);
/* v with its CI as al_report_fmt_time_ci does, in the caller's unit (values
 * divided by scale) and without the unit's name: "32.0 ± 0.51", "133 [121,
 * 140]": for a column whose header names the unit. */
bool al_report_fmt_ci_scaled(double v, double lo, double hi, double scale, char *buf, size_t len);

/* An instructions-mode value: "1.23M instr, 1.56M cyc" (estimated cycles
 * left out when not measured, i.e. est_cycles < 0). */
const char *al_report_fmt_instr(const al_bench_result *r, char *buf, size_t len);

/* The value of an ok result as the reports show it: al_report_fmt_instr in
 * instructions mode, else al_report_fmt_time_ci of its median and CI.
 * Returns whether the interval form was used. */
bool al_report_fmt_result(const al_bench_run *run, const al_bench_result *r, char *buf, size_t len);

/* The workload's own metric of r, the headline of its cell where it has one
 * (fragmentation, thread-exit): "1.83x live", "+412 KiB/1k gen" (three
 * significant digits, whole numbers from 1000 on; a unit starting with 'x' follows the number directly,
 * signed units with a '+' or '-' from their value's sign). Empty when r has
 * none. Returns buf. */
const char *al_report_fmt_metric(const al_bench_result *r, char *buf, size_t len);

/* Where a result stands in its workload/param column (by al_report_value).
 * The winner is the lowest value; it is FASTEST only when no other ok
 * result ties it: neither median lies in the other's CI and the two are
 * more than 0.5% apart (the shown ratio would read 1.00x; exact counts have
 * zero-width CIs). Otherwise
 * the winner and every result that ties it so are TIED (a tie for first, not
 * a ranking).
 * Everything else, and results that are not ok, are NONE. */
typedef enum al_report_rank { AL_RANK_NONE = 0, AL_RANK_FASTEST, AL_RANK_TIED } al_report_rank;
al_report_rank al_report_rank_of(const al_bench_run *run, const al_bench_result *r);

/* What a cell of a per-workload summary table shows for r (NULL: no such
 * benchmark), decided once for every format that draws one (HTML,
 * Markdown): whether it has a value (al_report_value), its rank, the value in
 * the shared CI format (al_report_fmt_result) and its ratio to the column's
 * fastest (NaN unless fastest > 0). The formats differ only in markup. */
typedef struct al_report_cell {
    bool present;   /* r is not NULL */
    bool has_value; /* r is ok with a finite value */
    al_report_rank rank;
    double value, ratio;
    char text[64];
} al_report_cell;
void al_report_cell_of(const al_bench_run *run, const al_bench_result *r, double fastest, al_report_cell *c);

/* The name of what a workload's parameter is, for an axis title: the first
 * <placeholder> of its description ("size" from "chunks of <size> bytes"),
 * else "parameter". Into buf; returns buf. */
const char *al_report_param_name(const char *workload, char *buf, size_t len);

/* ----------------------------------------------------------------------------
 * The summary of a run (report_summary.c): per allocator, the geometric mean
 * over the benchmarks it ran of its ratio to the fastest, and of its peak
 * RSS to the lowest; ranked by time. The headline compares the best
 * allocator that ran every benchmark with sys (or the runner-up).
 * ------------------------------------------------------------------------- */
typedef struct al_summary_row {
    const char *allocator;      /* points into the run */
    size_t n;                   /* benchmarks it ran ok */
    double time_gm;             /* geometric mean of value / fastest; NaN when n == 0 */
    size_t n_rss;               /* of those, with a peak RSS */
    double rss_gm;              /* geometric mean of peak RSS / lowest; NaN when n_rss == 0 */
} al_summary_row;

typedef struct al_run_summary {
    al_summary_row *rows;       /* ranked, best first; those that ran nothing left out */
    size_t nrows;
    size_t nbench;              /* benchmarks with at least one ok result */
    const char *best, *baseline, *leanest; /* NULL when none */
    double speedup;             /* baseline / best, geometric mean over ncommon benchmarks */
    size_t ncommon;
    double lean_ratio;          /* leanest / baseline peak RSS (geometric mean); NaN when unknown */
} al_run_summary;

/* 0, or -1 when out of memory (s then holds nothing). */
int al_run_summary_make(const al_bench_run *run, al_run_summary *s);
void al_run_summary_free(al_run_summary *s);
/* The headline in hyperfine's manner: "mi ran 1.31x faster than sys over 24
 * benchmarks; lowest memory: je (0.92x sys's peak RSS)". Into buf. */
const char *al_run_summary_line(const al_bench_run *run, const al_run_summary *s, char *buf, size_t len);

/* Copy a NUL-terminated string, truncating to fit between two UTF-8
 * characters; dst is always terminated (report_text.c). */
void al_report_copy(char *dst, size_t len, const char *src);

/* Copy text from outside with its control characters and invalid UTF-8
 * escaped ("\x1b", "\u202e"), cut between characters to fit; returns the
 * length written. al_report_clean does it in place (a buffer of at most 1024
 * bytes), al_report_clean_run on every string of a run. See report_text.c. */
size_t al_report_copy_text(char *dst, size_t len, const char *src);
void al_report_clean(char *buf, size_t cap);
void al_report_clean_run(al_bench_run *run);

/* 0 when everything written to out so far reached it, -1 on a write error. */
int al_report_finish(FILE *out);

#endif
