/* Robust statistics over benchmark samples: median, MAD, percentiles, Tukey
 * outlier counts and seeded bootstrap confidence intervals. Inputs are never
 * reordered; the same inputs always give the same intervals. */
#ifndef ALLOCLAB_STATS_H
#define ALLOCLAB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ----------------------------------------------------------------------------
 * Statistics (stats.c). Inputs are never reordered; NaN for n == 0.
 * ------------------------------------------------------------------------- */
typedef struct al_summary {
    size_t n;
    double median, mean, stddev, mad, min, max;
    double ci_low, ci_high;        /* 95% bootstrap CI of the median */
    size_t outliers_low, outliers_high; /* beyond Tukey's 1.5 IQR fences; kept, only counted */
} al_summary;

double al_stat_median(const double *x, size_t n);
/* The same median of v[0..n), reordering v instead of copying it (by
 * selection): for callers that take many medians of scratch arrays. */
double al_stat_median_in_place(double *v, size_t n);
double al_stat_percentile(const double *x, size_t n, double p); /* p in [0,100], linear interpolation */
double al_stat_mean(const double *x, size_t n);
double al_stat_stddev(const double *x, size_t n);   /* sample standard deviation (n - 1) */
double al_stat_mad(const double *x, size_t n);      /* median absolute deviation, unscaled */
void al_stat_tukey(const double *x, size_t n, size_t *low, size_t *high);
/* Percentile bootstrap CI of the median, `resamples` draws, seeded: the same
 * inputs give the same interval. */
void al_stat_bootstrap_median_ci(const double *x, size_t n, size_t resamples, double level,
                                 uint64_t seed, double *lo, double *hi);
/* Bootstrap CI of median(b) / median(a). */
void al_stat_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                size_t resamples, double level, uint64_t seed,
                                double *ratio, double *lo, double *hi);
/* The same draws, for a caller that only needs to know where the interval
 * falls: after min_resamples, then twice as many and so on, `settled` is
 * asked about two bounds the full interval (of all `resamples`) is sure to
 * respect whatever the remaining draws, its low end at most lo_at_most and
 * its high end at least hi_at_least; when it answers true the draws stop.
 * settled must be monotone (true for (l, h) implies true for any l' <= l,
 * h' >= h); the interval returned, of the ratios drawn, then lies within
 * the bounds too. Returns the resamples drawn; a NULL settled draws them
 * all (al_stat_bootstrap_ratio_ci). */
typedef bool (*al_stat_settled_fn)(double lo_at_most, double hi_at_least, void *ctx);
size_t al_stat_bootstrap_ratio_ci_until(const double *a, size_t na, const double *b, size_t nb, size_t resamples,
                                        double level, uint64_t seed, size_t min_resamples,
                                        al_stat_settled_fn settled, void *ctx, double *ratio, double *lo,
                                        double *hi);
void al_summarize(const double *x, size_t n, al_summary *out);

/* Samples from several processes: x[0..n) holds ngroups runs of samples one
 * after the other, group g having sizes[g] of them (summing to n). The CI is
 * a two-stage bootstrap (processes drawn with replacement, then samples
 * within each drawn process), so it covers the variation between processes
 * (address-space layout, page placement) and not only within one. Seeded
 * like the others. ngroups <= 1 is the plain bootstrap. */
void al_stat_bootstrap_median_ci_grouped(const double *x, const size_t *sizes, size_t ngroups, size_t resamples,
                                         double level, uint64_t seed, double *lo, double *hi);
/* al_summarize with the grouped CI. */
void al_summarize_grouped(const double *x, const size_t *sizes, size_t ngroups, al_summary *out);

#endif
