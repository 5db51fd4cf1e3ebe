/* Robust statistics over benchmark samples.
 *
 * Every function leaves its input untouched (it sorts a copy) and returns NaN
 * for an empty input. The bootstrap uses its own seeded generator, so the same
 * samples always give the same interval. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A total order, as qsort requires: NaN (a sample a report stored as null)
 * after every number, equal to another NaN. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y)) return (isnan(x) != 0) - (isnan(y) != 0);
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
    double *c = malloc(n * sizeof *c);
    if (!c) return NULL;
    memcpy(c, x, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    return c;
}

/* Percentile of sorted data, linear interpolation between closest ranks
 * (the definition numpy uses by default). */
static double sorted_percentile(const double *s, size_t n, double p)
{
    if (n == 0) return NAN;
    if (p <= 0) return s[0];
    if (p >= 100) return s[n - 1];
    double rank = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)rank;
    double frac = rank - (double)lo;
    return lo + 1 < n ? s[lo] + frac * (s[lo + 1] - s[lo]) : s[lo];
}

double al_stat_percentile(const double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    double *s = sorted_copy(x, n);
    if (!s) return NAN;
    double v = sorted_percentile(s, n, p);
    free(s);
    return v;
}

double al_stat_median(const double *x, size_t n) { return al_stat_percentile(x, n, 50); }

double al_stat_mean(const double *x, size_t n)
{
    if (n == 0) return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum / (double)n;
}

double al_stat_stddev(const double *x, size_t n)
{
    if (n == 0) return NAN;
    if (n == 1) return 0;
    double m = al_stat_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

double al_stat_mad(const double *x, size_t n)
{
    if (n == 0) return NAN;
    double med = al_stat_median(x, n);
    double *d = malloc(n * sizeof *d);
    if (!d) return NAN;
    for (size_t i = 0; i < n; i++) d[i] = fabs(x[i] - med);
    double v = al_stat_median(d, n);
    free(d);
    return v;
}

void al_stat_tukey(const double *x, size_t n, size_t *low, size_t *high)
{
    *low = *high = 0;
    if (n < 4) return; /* quartiles of fewer points say nothing */
    double *s = sorted_copy(x, n);
    if (!s) return;
    double q1 = sorted_percentile(s, n, 25), q3 = sorted_percentile(s, n, 75);
    double iqr = q3 - q1, lo = q1 - 1.5 * iqr, hi = q3 + 1.5 * iqr;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < lo) (*low)++;
        else if (s[i] > hi) (*high)++;
    }
    free(s);
}

/* ----------------------------------------------------------------------------
 * Bootstrap: splitmix64 draws indices; the interval is the percentile
 * interval of the resampled statistic.
 * ------------------------------------------------------------------------- */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void resample(const double *x, size_t n, double *out, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) out[i] = x[splitmix64(rng) % n];
    qsort(out, n, sizeof *out, cmp_double);
}

void al_stat_bootstrap_median_ci(const double *x, size_t n, size_t resamples, double level,
                                 uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n == 0 || resamples == 0) return;
    double *buf = malloc(n * sizeof *buf), *meds = malloc(resamples * sizeof *meds);
    if (buf && meds) {
        uint64_t rng = seed;
        for (size_t r = 0; r < resamples; r++) {
            resample(x, n, buf, &rng);
            meds[r] = sorted_percentile(buf, n, 50);
        }
        qsort(meds, resamples, sizeof *meds, cmp_double);
        double tail = (1 - level) / 2 * 100;
        *lo = sorted_percentile(meds, resamples, tail);
        *hi = sorted_percentile(meds, resamples, 100 - tail);
    }
    free(buf);
    free(meds);
}

void al_stat_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                size_t resamples, double level, uint64_t seed,
                                double *ratio, double *lo, double *hi)
{
    *ratio = *lo = *hi = NAN;
    if (na == 0 || nb == 0 || resamples == 0) return;
    *ratio = al_stat_median(b, nb) / al_stat_median(a, na);
    double *ba = malloc(na * sizeof *ba), *bb = malloc(nb * sizeof *bb);
    double *ratios = malloc(resamples * sizeof *ratios);
    if (ba && bb && ratios) {
        uint64_t rng = seed;
        for (size_t r = 0; r < resamples; r++) {
            resample(a, na, ba, &rng);
            resample(b, nb, bb, &rng);
            ratios[r] = sorted_percentile(bb, nb, 50) / sorted_percentile(ba, na, 50);
        }
        qsort(ratios, resamples, sizeof *ratios, cmp_double);
        double tail = (1 - level) / 2 * 100;
        *lo = sorted_percentile(ratios, resamples, tail);
        *hi = sorted_percentile(ratios, resamples, 100 - tail);
    }
    free(ba);
    free(bb);
    free(ratios);
}

/* Two stages: ngroups draws of a group, each contributing sizes[g] draws
 * from its own samples. The resample has n points whatever groups came. */
void al_stat_bootstrap_median_ci_grouped(const double *x, const size_t *sizes, size_t ngroups, size_t resamples,
                                         double level, uint64_t seed, double *lo, double *hi)
{
    size_t n = 0, full = 0; /* samples, and groups holding any */
    for (size_t g = 0; g < ngroups; g++) {
        n += sizes[g];
        full += sizes[g] > 0;
    }
    if (full <= 1) {
        al_stat_bootstrap_median_ci(x, n, resamples, level, seed, lo, hi);
        return;
    }
    *lo = *hi = NAN;
    if (resamples == 0) return;
    size_t *start = malloc(full * sizeof *start), *len = malloc(full * sizeof *len);
    double *buf = malloc(n * full * sizeof *buf), *meds = malloc(resamples * sizeof *meds);
    if (start && len && buf && meds) {
        for (size_t g = 0, at = 0, k = 0; g < ngroups; at += sizes[g++]) {
            if (sizes[g] == 0) continue;
            start[k] = at;
            len[k++] = sizes[g];
        }
        uint64_t rng = seed;
        for (size_t r = 0; r < resamples; r++) {
            size_t m = 0;
            for (size_t k = 0; k < full; k++) {
                size_t g = splitmix64(&rng) % full;
                for (size_t j = 0; j < len[g]; j++) buf[m++] = x[start[g] + splitmix64(&rng) % len[g]];
            }
            qsort(buf, m, sizeof *buf, cmp_double);
            meds[r] = sorted_percentile(buf, m, 50);
        }
        qsort(meds, resamples, sizeof *meds, cmp_double);
        double tail = (1 - level) / 2 * 100;
        *lo = sorted_percentile(meds, resamples, tail);
        *hi = sorted_percentile(meds, resamples, 100 - tail);
    }
    free(start);
    free(len);
    free(buf);
    free(meds);
}

void al_summarize_grouped(const double *x, const size_t *sizes, size_t ngroups, al_summary *out)
{
    size_t n = 0;
    for (size_t g = 0; g < ngroups; g++) n += sizes[g];
    al_summarize(x, n, out);
    if (ngroups > 1 && n > 0)
        al_stat_bootstrap_median_ci_grouped(x, sizes, ngroups, 2000, 0.95, 0x5eed, &out->ci_low, &out->ci_high);
}

void al_summarize(const double *x, size_t n, al_summary *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->median = al_stat_median(x, n);
    out->mean = al_stat_mean(x, n);
    out->stddev = al_stat_stddev(x, n);
    out->mad = al_stat_mad(x, n);
    out->min = al_stat_percentile(x, n, 0);
    out->max = al_stat_percentile(x, n, 100);
    al_stat_bootstrap_median_ci(x, n, 2000, 0.95, 0x5eed, &out->ci_low, &out->ci_high);
    al_stat_tukey(x, n, &out->outliers_low, &out->outliers_high);
}
