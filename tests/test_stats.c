/* Statistics against values computed by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void test_median_percentile(void **state)
{
    (void)state;
    double odd[] = {5, 1, 3};               /* sorted 1 3 5 */
    double even[] = {4, 1, 3, 2};           /* sorted 1 2 3 4 */
    assert_float_equal(al_stat_median(odd, 3), 3, 1e-12);
    assert_float_equal(al_stat_median(even, 4), 2.5, 1e-12);
    /* rank = 0.25 * 3 = 0.75 -> 1 + 0.75 * (2 - 1) */
    assert_float_equal(al_stat_percentile(even, 4, 25), 1.75, 1e-12);
    assert_float_equal(al_stat_percentile(even, 4, 0), 1, 1e-12);
    assert_float_equal(al_stat_percentile(even, 4, 100), 4, 1e-12);
    assert_float_equal(odd[0], 5, 0); /* input untouched */
    assert_true(isnan(al_stat_median(odd, 0)));
}

/* A sample that is not a number (a null in a JSON report reads back as NaN)
 * sorts after every number, wherever it stands: the comparator is a total
 * order, as qsort requires, so the numbers keep their own order. */
static void test_nan_sorts_last(void **state)
{
    (void)state;
    double front[] = {NAN, 3, 1, 2}, mid[] = {3, 1, NAN, 2};
    double *sets[] = {front, mid};
    for (size_t i = 0; i < N(sets); i++) {
        assert_float_equal(al_stat_percentile(sets[i], 4, 0), 1, 0);
        assert_float_equal(al_stat_percentile(sets[i], 4, 100.0 * 2 / 3), 3, 1e-12);
        assert_true(isnan(al_stat_percentile(sets[i], 4, 100)));
    }
}

static void test_mean_stddev_mad(void **state)
{
    (void)state;
    double x[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, sum of squares 32 */
    assert_float_equal(al_stat_mean(x, N(x)), 5, 1e-12);
    assert_float_equal(al_stat_stddev(x, N(x)), sqrt(32.0 / 7), 1e-12);
    /* median 4.5; deviations 2.5 .5 .5 .5 .5 .5 2.5 4.5 -> median .5 */
    assert_float_equal(al_stat_mad(x, N(x)), 0.5, 1e-12);
    double one[] = {3};
    assert_float_equal(al_stat_stddev(one, 1), 0, 0);
}

static void test_tukey_fences(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 100};
    /* sorted ranks: q1 at 2.25 -> 3.25, q3 at 6.75 -> 7.75; iqr 4.5;
     * fences -3.5 and 14.5: only 100 lies outside. */
    size_t lo, hi;
    al_stat_tukey(x, N(x), &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 1);
    double y[] = {-50, 10, 10, 11, 12, 10, 11};
    al_stat_tukey(y, N(y), &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 0);
}

static void test_bootstrap_constant_and_deterministic(void **state)
{
    (void)state;
    double c[20];
    for (int i = 0; i < 20; i++) c[i] = 42;
    double lo, hi;
    al_stat_bootstrap_median_ci(c, 20, 1000, 0.95, 7, &lo, &hi);
    assert_float_equal(lo, 42, 0);
    assert_float_equal(hi, 42, 0);

    double x[30], lo2, hi2;
    for (int i = 0; i < 30; i++) x[i] = 100 + (i * 37 % 11);
    al_stat_bootstrap_median_ci(x, 30, 1000, 0.95, 7, &lo, &hi);
    al_stat_bootstrap_median_ci(x, 30, 1000, 0.95, 7, &lo2, &hi2);
    assert_float_equal(lo, lo2, 0);
    assert_float_equal(hi, hi2, 0);
    double med = al_stat_median(x, 30);
    assert_true(lo <= med && med <= hi);
    assert_true(lo >= 100 && hi <= 110);
}

static void test_ratio_ci(void **state)
{
    (void)state;
    double a[25], b[25];
    for (int i = 0; i < 25; i++) {
        a[i] = 1000 + (i % 5);
        b[i] = 1200 + (i % 5) * 1.2; /* exactly 1.2x */
    }
    double r, lo, hi;
    al_stat_bootstrap_ratio_ci(a, 25, b, 25, 1000, 0.95, 3, &r, &lo, &hi);
    assert_float_equal(r, 1.2, 1e-9);
    assert_true(lo <= r && r <= hi);
    assert_true(lo > 1.19 && hi < 1.21);
}

/* Samples of four processes, three at ~45 and one at ~71 (a bimodal
 * benchmark): within each process the spread is 1%, so the plain bootstrap
 * gives a narrow CI; the two-stage one reaches towards the other mode (a
 * resample of processes can hold two or more of the 71 one). One group, or
 * groups with empty ones among them, is the plain bootstrap. */
static void test_grouped_ci(void **state)
{
    (void)state;
    double x[40];
    for (size_t i = 0; i < 40; i++) x[i] = (i >= 30 ? 71 : 45) * (1 + 0.01 * (double)(i % 5) / 4);
    size_t sizes[4] = {10, 10, 10, 10};
    double lo, hi, plo, phi;
    al_stat_bootstrap_median_ci_grouped(x, sizes, 4, 2000, 0.95, 7, &lo, &hi);
    al_stat_bootstrap_median_ci(x, 40, 2000, 0.95, 7, &plo, &phi);
    assert_true(phi - plo < 2);      /* the median stays in the 45 mode */
    assert_true(lo < 46 && hi > 55);
    double lo2, hi2;
    al_stat_bootstrap_median_ci_grouped(x, sizes, 4, 2000, 0.95, 7, &lo2, &hi2);
    assert_true(lo == lo2 && hi == hi2); /* seeded */
    size_t one[1] = {40}, holes[3] = {0, 40, 0};
    al_stat_bootstrap_median_ci_grouped(x, one, 1, 2000, 0.95, 7, &lo, &hi);
    assert_true(lo == plo && hi == phi);
    al_stat_bootstrap_median_ci_grouped(x, holes, 3, 2000, 0.95, 7, &lo, &hi);
    assert_true(lo == plo && hi == phi);
    al_summary s;
    al_summarize_grouped(x, sizes, 4, &s);
    assert_int_equal(s.n, 40);
    assert_true(s.ci_low < 46 && s.ci_high > 55);
}

static void test_summarize(void **state)
{
    (void)state;
    double x[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 1000};
    al_summary s;
    al_summarize(x, N(x), &s);
    assert_int_equal(s.n, 10);
    assert_float_equal(s.median, 14.5, 1e-12);
    assert_float_equal(s.min, 10, 0);
    assert_float_equal(s.max, 1000, 0);
    assert_int_equal(s.outliers_high, 1);
    assert_true(s.ci_low <= s.median && s.median <= s.ci_high);
}

/* ---- the bootstrap against the textbook one --------------------------------
 * The library reads each resample's median from counts and computes the draw
 * index by a multiplication; the intervals must be those of drawing
 * x[splitmix64() mod n] n times and sorting, bit for bit. */
static uint64_t ref_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int ref_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y)) return (isnan(x) != 0) - (isnan(y) != 0);
    return (x > y) - (x < y);
}

static double ref_percentile(const double *s, size_t n, double p)
{
    if (p <= 0) return s[0];
    if (p >= 100) return s[n - 1];
    double rank = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)rank;
    double frac = rank - (double)lo;
    return lo + 1 < n ? s[lo] + frac * (s[lo + 1] - s[lo]) : s[lo];
}

static double ref_resample_median(const double *x, size_t n, double *buf, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) buf[i] = x[ref_splitmix64(rng) % n];
    qsort(buf, n, sizeof *buf, ref_cmp);
    return ref_percentile(buf, n, 50);
}

static void ref_interval(double *v, size_t m, double *lo, double *hi)
{
    qsort(v, m, sizeof *v, ref_cmp);
    double tail = (1 - 0.95) / 2 * 100; /* as the library takes its level (not quite 2.5) */
    *lo = ref_percentile(v, m, tail);
    *hi = ref_percentile(v, m, 100 - tail);
}

static void same_bits(double a, double b)
{
    if (memcmp(&a, &b, sizeof a) != 0) fprintf(stdout, "%.17g != %.17g\n", a, b);
    assert_memory_equal(&a, &b, sizeof a);
}

/* Samples with ties, an outlier and (when nan) a NaN. */
static double *sample_set(size_t n, uint64_t seed, bool nan)
{
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) x[i] = 100 + (double)(ref_splitmix64(&seed) % 17) + (i == 3 ? 900 : 0);
    if (nan && n > 2) x[n / 2] = NAN;
    return x;
}

static void test_bootstrap_matches_draw_and_sort(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 4, 7, 10, 50, 64, 101, 1000, 65537, 300007};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        /* resample counts 1 to 5 (the interval of very few) and 400; 3 for the large sets */
        for (size_t t = 0; t < 12; t++) {
            size_t resamples = n > 5000 ? 3 : t % 6 < 5 ? t % 6 + 1 : 400;
            int nan = t >= 6;
            if (n > 5000 && t % 6) continue;
            double *x = sample_set(n, 1000 + n, nan), *y = sample_set(n + 3, 77 + n, nan);
            double *buf = malloc((n + 3) * sizeof *buf), *meds = malloc(resamples * sizeof *meds);
            assert_non_null(buf);
            assert_non_null(meds);
            /* the median's interval */
            uint64_t rng = 0x5eed;
            for (size_t r = 0; r < resamples; r++) meds[r] = ref_resample_median(x, n, buf, &rng);
            double lo, hi, rlo, rhi, ratio;
            ref_interval(meds, resamples, &rlo, &rhi);
            al_stat_bootstrap_median_ci(x, n, resamples, 0.95, 0x5eed, &lo, &hi);
            same_bits(lo, rlo);
            same_bits(hi, rhi);
            /* the ratio's: base x then new y, from one stream */
            rng = 42;
            for (size_t r = 0; r < resamples; r++) {
                double ma = ref_resample_median(x, n, buf, &rng);
                meds[r] = ref_resample_median(y, n + 3, buf, &rng) / ma;
            }
            ref_interval(meds, resamples, &rlo, &rhi);
            al_stat_bootstrap_ratio_ci(x, n, y, n + 3, resamples, 0.95, 42, &ratio, &lo, &hi);
            same_bits(lo, rlo);
            same_bits(hi, rhi);
            free(x), free(y), free(buf), free(meds);
        }
    }
}

/* ---- stopping a bootstrap early ----------------------------------------------
 * Only where the caller's question is settled whatever the remaining draws:
 * "within 1 +- f" (compare's "unchanged") is asked, and over pairs from
 * identical to clearly slower, the answer on the early interval is always
 * the answer on the full one; clear cases stop at the first look. */
static bool within(double lo_at_most, double hi_at_least, void *f)
{
    double floor = *(const double *)f;
    return !(lo_at_most > 1 + floor) && !(hi_at_least < 1 - floor);
}

static void test_bootstrap_stops_only_when_settled(void **state)
{
    (void)state;
    double floor = 0.05;
    size_t early = 0, full = 0;
    for (int k = 0; k < 60; k++) {
        double shift = 1 + 0.0025 * k; /* 1.00 to 1.1475: unchanged, borderline, regressed */
        size_t n = 20 + (size_t)k % 7;
        double a[40], b[40];
        uint64_t s = 9 + (uint64_t)k;
        for (size_t i = 0; i < n; i++) {
            a[i] = 1000 * (1 + 0.04 * ((double)(ref_splitmix64(&s) % 1000) / 1000 - 0.5));
            b[i] = shift * 1000 * (1 + 0.04 * ((double)(ref_splitmix64(&s) % 1000) / 1000 - 0.5));
        }
        double r1, lo1, hi1, r2, lo2, hi2;
        al_stat_bootstrap_ratio_ci(a, n, b, n, 2000, 0.95, 7, &r1, &lo1, &hi1);
        size_t used = al_stat_bootstrap_ratio_ci_until(a, n, b, n, 2000, 0.95, 7, 500, within, &floor, &r2, &lo2,
                                                       &hi2);
        same_bits(r1, r2);
        assert_int_equal(within(lo1, hi1, &floor), within(lo2, hi2, &floor));
        assert_true(used == 500 || used == 1000 || used == 2000);
        if (used < 2000) {
            early++;
            assert_true(within(lo1, hi1, &floor)); /* only a settled answer stops */
        } else {
            full++;
            same_bits(lo1, lo2); /* all drawn: the full interval itself */
            same_bits(hi1, hi2);
        }
        if (shift <= 1.01) assert_int_equal(used, 500);
    }
    assert_true(early > 0 && full > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_percentile),
        cmocka_unit_test(test_nan_sorts_last),
        cmocka_unit_test(test_mean_stddev_mad),
        cmocka_unit_test(test_tukey_fences),
        cmocka_unit_test(test_bootstrap_constant_and_deterministic),
        cmocka_unit_test(test_ratio_ci),
        cmocka_unit_test(test_grouped_ci),
        cmocka_unit_test(test_summarize),
        cmocka_unit_test(test_bootstrap_matches_draw_and_sort),
        cmocka_unit_test(test_bootstrap_stops_only_when_settled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
