/* Statistics against values computed by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
