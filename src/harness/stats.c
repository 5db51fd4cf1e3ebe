/* Robust statistics over benchmark samples.
 *
 * Every function leaves its input untouched (it sorts a copy) and returns NaN
 * for an empty input. The bootstrap uses its own seeded generator, so the same
 * samples always give the same interval. */
#include "stats.h"

#include <math.h>
#include <stdbool.h>
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
 *
 * A resample's median is read without sorting the resample: x is sorted
 * once, each draw of index i counts one for i's rank, and a walk over the
 * counts finds the two middle values: O(n) per resample instead of a sort.
 * The index of a draw is splitmix64() mod n computed with a multiplication
 * (invariant division, below) instead of a division instruction. Both give
 * exactly the values a draw-then-sort would, from the same stream, so the
 * intervals are the same to the last bit.
 * ------------------------------------------------------------------------- */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* x mod d for a d fixed over many x, by Granlund and Montgomery's division
 * by an invariant integer ("Division by invariant integers using
 * multiplication", 1994, figure 4.1): with l = ceil(log2 d) and
 * m = floor(2^64 (2^l - d) / d) + 1, x / d = (t + ((x - t) >> 1)) >> (l - 1)
 * where t = the high word of m x; exact for every 64-bit x. */
typedef struct divisor {
    uint64_t d, m;
    unsigned shift;             /* l - 1; d = 1 has l = 0 and its own case */
} divisor;

static divisor divisor_of(uint64_t d)
{
    divisor v = {d, 0, 0};
    if (d <= 1) return v;
    unsigned l = 64 - (unsigned)__builtin_clzll(d - 1); /* ceil(log2 d), 1..64 */
    unsigned __int128 two_l = (unsigned __int128)1 << l;
    v.m = (uint64_t)((((unsigned __int128)(two_l - d)) << 64) / d) + 1;
    v.shift = l - 1;
    return v;
}

static uint64_t mod_by(const divisor *v, uint64_t x)
{
    if (v->d <= 1) return 0;
    uint64_t t = (uint64_t)(((unsigned __int128)v->m * x) >> 64);
    uint64_t q = (t + ((x - t) >> 1)) >> v->shift;
    return x - q * v->d;
}

/* One sample set being resampled: its values sorted, each value's rank,
 * and the draws of the current resample counted per rank. */
typedef struct resampler {
    size_t n;
    divisor div;
    double *sorted;
    size_t *rank_of;            /* x[i] is sorted[rank_of[i]] */
    uint32_t *count;
} resampler;

static void resampler_free(resampler *r)
{
    free(r->sorted);
    free(r->rank_of);
    free(r->count);
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    return cmp_double(&((const ranked *)a)->v, &((const ranked *)b)->v);
}

/* -1 when out of memory (r then holds nothing to free). */
static int resampler_init(resampler *r, const double *x, size_t n)
{
    r->n = n;
    r->div = divisor_of(n);
    r->sorted = malloc(n * sizeof *r->sorted);
    r->rank_of = malloc(n * sizeof *r->rank_of);
    r->count = malloc(n * sizeof *r->count);
    ranked *order = malloc(n * sizeof *order);
    if (!r->sorted || !r->rank_of || !r->count || !order || n > UINT32_MAX) {
        free(order);
        resampler_free(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++) order[i] = (ranked){x[i], i};
    qsort(order, n, sizeof *order, cmp_ranked);
    for (size_t k = 0; k < n; k++) {
        r->sorted[k] = order[k].v;
        r->rank_of[order[k].i] = k;
    }
    free(order);
    return 0;
}

/* sorted_percentile(resample, m, 50) of a resample of m draws counted per
 * rank in r->count: the values at its two middle positions, interpolated. */
static double counted_median(const resampler *r, size_t m)
{
    double rank = 0.5 * (double)(m - 1);
    size_t lo = (size_t)rank, seen = 0, k = 0;
    double frac = rank - (double)lo;
    while (seen + r->count[k] <= lo) seen += r->count[k++];
    double v = r->sorted[k];
    if (lo + 1 >= m) return v;
    while (seen + r->count[k] <= lo + 1) seen += r->count[k++];
    return v + frac * (r->sorted[k] - v);
}

/* The median of one resample: n draws (the indices a draw-then-sort takes,
 * x[splitmix64() mod n] n times), then the
 * values at the two middle positions of the resample's sorted order,
 * interpolated as sorted_percentile(.., 50) does. */
static double resample_median(resampler *r, uint64_t *rng)
{
    size_t n = r->n;
    memset(r->count, 0, n * sizeof *r->count);
    for (size_t i = 0; i < n; i++) r->count[r->rank_of[mod_by(&r->div, splitmix64(rng))]]++;
    return counted_median(r, n);
}

/* The percentile interval of stats[0..m) (sorted in place). */
/* cmp_double's order (NaN last) as a test. */
static inline bool before(double x, double y) { return isnan(y) ? !isnan(x) : x < y; }

/* Reorder v[0..m) so that v[k] is what sorting would put there, nothing
 * after it comes before it and nothing before it after it (Hoare's
 * selection, the middle element as pivot): O(m) on average where a sort
 * takes O(m log m). */
static void select_kth(double *v, size_t m, size_t k)
{
    ptrdiff_t l = 0, r = (ptrdiff_t)m - 1, want = (ptrdiff_t)k;
    while (l < r) {
        double pivot = v[l + (r - l) / 2];
        ptrdiff_t i = l, j = r;
        while (i <= j) {
            while (before(v[i], pivot)) i++;
            while (before(pivot, v[j])) j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (want <= j) r = j;
        else if (want >= i) l = i;
        else return; /* between the two parts: equal to the pivot, in place */
    }
}

/* sorted_percentile(sorted v, m, p) without sorting v (which it reorders):
 * the two order statistics it interpolates between, by selection. */
static double select_percentile(double *v, size_t m, double p)
{
    if (p <= 0 || p >= 100) {
        size_t at = 0;
        for (size_t i = 1; i < m; i++)
            if (p <= 0 ? before(v[i], v[at]) : before(v[at], v[i])) at = i;
        return v[at];
    }
    double rank = p / 100.0 * (double)(m - 1);
    size_t lo = (size_t)rank;
    double frac = rank - (double)lo;
    select_kth(v, m, lo);
    double a = v[lo];
    if (lo + 1 >= m) return a;
    double b = v[lo + 1]; /* the least of what follows: the next order statistic */
    for (size_t i = lo + 2; i < m; i++)
        if (before(v[i], b)) b = v[i];
    return a + frac * (b - a);
}

double al_stat_median_in_place(double *v, size_t n) { return n ? select_percentile(v, n, 50) : NAN; }

static void percentile_interval(double *stats, size_t m, double level, double *lo, double *hi)
{
    double tail = (1 - level) / 2 * 100;
    *lo = select_percentile(stats, m, tail);
    *hi = select_percentile(stats, m, 100 - tail);
}

void al_stat_bootstrap_median_ci(const double *x, size_t n, size_t resamples, double level,
                                 uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n == 0 || resamples == 0) return;
    resampler rs;
    double *meds = malloc(resamples * sizeof *meds);
    if (meds && resampler_init(&rs, x, n) == 0) {
        uint64_t rng = seed;
        for (size_t r = 0; r < resamples; r++) meds[r] = resample_median(&rs, &rng);
        percentile_interval(meds, resamples, level, lo, hi);
        resampler_free(&rs);
    }
    free(meds);
}

/* Early stopping, for a caller that only needs to know on which side of
 * its bounds the interval falls. The full interval's low end interpolates
 * between the ratios of sorted ranks i and i + 1, i = floor(tail (R - 1)):
 * it can only fall as more ratios come, and is never above the (i + 2)-th
 * smallest ratio drawn so far; its high end likewise never below the
 * (R - j)-th largest, j = floor((1 - tail) (R - 1)). Those two are the
 * bounds `settled` is asked about; the interval of the ratios drawn so far
 * lies within them too. */
static bool settled_now(const double *ratios, size_t done, size_t resamples, double level,
                        al_stat_settled_fn settled, void *ctx, double *scratch)
{
    double tail = (1 - level) / 2 * 100;
    size_t below = (size_t)(tail / 100.0 * (double)(resamples - 1)) + 2;
    size_t above = resamples - (size_t)((100 - tail) / 100.0 * (double)(resamples - 1));
    if (below > done || above > done) return false;
    for (size_t i = 0; i < done; i++)
        if (isnan(ratios[i])) return false; /* a NaN ratio: the full interval decides */
    memcpy(scratch, ratios, done * sizeof *scratch);
    select_kth(scratch, done, below - 1);
    double lo_at_most = scratch[below - 1];
    select_kth(scratch, done, done - above);
    return settled(lo_at_most, scratch[done - above], ctx);
}

size_t al_stat_bootstrap_ratio_ci_until(const double *a, size_t na, const double *b, size_t nb, size_t resamples,
                                        double level, uint64_t seed, size_t min_resamples,
                                        al_stat_settled_fn settled, void *ctx, double *ratio, double *lo,
                                        double *hi)
{
    *ratio = *lo = *hi = NAN;
    if (na == 0 || nb == 0 || resamples == 0) return 0;
    *ratio = al_stat_median(b, nb) / al_stat_median(a, na);
    resampler ra, rb;
    double *ratios = malloc(resamples * sizeof *ratios), *scratch = malloc(resamples * sizeof *scratch);
    bool ok_a = ratios && scratch && resampler_init(&ra, a, na) == 0;
    bool ok_b = ok_a && resampler_init(&rb, b, nb) == 0;
    size_t done = 0;
    if (ok_b) {
        uint64_t rng = seed;
        size_t check = min_resamples > 0 ? min_resamples : 1; /* then at twice as many, ... */
        while (done < resamples) {
            double ma = resample_median(&ra, &rng), mb = resample_median(&rb, &rng);
            ratios[done++] = mb / ma;
            if (settled && done == check && done < resamples) {
                if (settled_now(ratios, done, resamples, level, settled, ctx, scratch)) break;
                check *= 2;
            }
        }
        percentile_interval(ratios, done, level, lo, hi);
    }
    if (ok_b) resampler_free(&rb);
    if (ok_a) resampler_free(&ra);
    free(ratios);
    free(scratch);
    return done;
}

void al_stat_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                size_t resamples, double level, uint64_t seed,
                                double *ratio, double *lo, double *hi)
{
    al_stat_bootstrap_ratio_ci_until(a, na, b, nb, resamples, level, seed, resamples, NULL, NULL, ratio, lo, hi);
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
    /* Each resample's draws are counted per rank of x's sorted order (as
     * resample_median does) rather than gathered and sorted: the same
     * draws and the same median, in O(n) a resample. */
    size_t *start = malloc(full * sizeof *start), *len = malloc(full * sizeof *len);
    double *meds = malloc(resamples * sizeof *meds);
    resampler rs;
    bool ranked = start && len && meds && resampler_init(&rs, x, n) == 0;
    if (ranked) {
        for (size_t g = 0, at = 0, k = 0; g < ngroups; at += sizes[g++]) {
            if (sizes[g] == 0) continue;
            start[k] = at;
            len[k++] = sizes[g];
        }
        uint64_t rng = seed;
        for (size_t r = 0; r < resamples; r++) {
            memset(rs.count, 0, n * sizeof *rs.count);
            size_t m = 0;
            for (size_t k = 0; k < full; k++) {
                size_t g = splitmix64(&rng) % full;
                for (size_t j = 0; j < len[g]; j++) rs.count[rs.rank_of[start[g] + splitmix64(&rng) % len[g]]]++;
                m += len[g];
            }
            meds[r] = counted_median(&rs, m);
        }
        resampler_free(&rs);
        qsort(meds, resamples, sizeof *meds, cmp_double);
        double tail = (1 - level) / 2 * 100;
        *lo = sorted_percentile(meds, resamples, tail);
        *hi = sorted_percentile(meds, resamples, 100 - tail);
    }
    free(start);
    free(len);
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
