/* Verdicts end to end: a real, calibrated 10% slowdown of one allocator on
 * one benchmark (the harness's ALLOCLAB_TEST_SLOWDOWN hook) is called
 * "regressed" by `alloclab compare` between two `alloclab bench` runs, and
 * nothing else is; a run compared with itself gets no verdict even at a
 * zero threshold; compare divides time ratios by the runs' machine-speed
 * reference, and the noise floor learned from the history is normalised the
 * same way.
 *
 * The bench runs time real code on a shared machine, so one A/B pair may
 * miss the 10% now and then (the CI covers what varies between processes,
 * and a burst of load widens it), and a burst that hits one run of a pair
 * can move the untouched allocator too: the slowdown must be called, and
 * the untouched allocator not, in one of ATTEMPTS pairs. A compare that
 * stopped calling a 10% slowdown fails all of them, and so does one that
 * calls everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "run_cli.h"
#include "synth_run.h"

#define ATTEMPTS 4
#define BENCH "glibc-simple/64"

static cli_run r;

/* One bench run stored under `label`, with the hook set to `slowdown` (or
 * unset): 60 samples from 10 processes per benchmark, sys and bump. */
static void bench(const char *db, const char *label, const char *slowdown)
{
    if (slowdown) setenv("ALLOCLAB_TEST_SLOWDOWN", slowdown, 1);
    else unsetenv("ALLOCLAB_TEST_SLOWDOWN");
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "bench", "--workloads", BENCH, "--allocators", "sys,bump",
                             "--samples", "60", "--processes", "10", "--quiet", "--no-syscalls", "--db", db,
                             "--save", label),
                     0);
    unsetenv("ALLOCLAB_TEST_SLOWDOWN");
    if (cli_exit_code(&r) != 0) fprintf(stdout, "bench: %s\n%s\n", r.out, r.err);
    assert_int_equal(cli_exit_code(&r), 0);
}

/* compare BASE NEW with its default threshold (and `extra`, which may be
 * NULL): its exit code; the lines of sys and bump into the buffers. */
static int compare(const char *db, const char *base, const char *nw, const char *extra, char *sys, char *bump,
                   size_t len)
{
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "compare", base, nw, "--db", db, "--fail-on-regression", extra),
                     0);
    assert_non_null(cli_line_with(r.out, BENCH "/sys ", sys, len));
    assert_non_null(cli_line_with(r.out, BENCH "/bump ", bump, len));
    return cli_exit_code(&r);
}

static void test_slowdown_is_called(void **state)
{
    (void)state;
    char sys[512], bump[512];
    bool called = false;
    for (int k = 0; k < ATTEMPTS && !called; k++) {
        char db[600];
        snprintf(db, sizeof db, "%s/ab%d.db", synth_group_dir, k);
        bench(db, "A", NULL);
        bench(db, "B", BENCH "/bump=10");
        int rc = compare(db, "A", "B", NULL, sys, bump, sizeof bump);
        fprintf(stdout, "attempt %d:\n  %s\n  %s\n", k + 1, sys, bump);
        /* An attempt in which the untouched allocator was called met a burst
         * of load that one pair of runs cannot tell from a change: it says
         * nothing about the slowdown, and the next attempt is taken. Every
         * attempt being such is a failure (below), as is a slowdown called
         * the wrong way. */
        if (!strstr(sys, "no change")) continue;
        if (strstr(bump, "regressed")) {
            called = true;
            assert_int_equal(rc, 1); /* --fail-on-regression */
            /* The other way round it is a speed-up, and not a regression. */
            assert_int_equal(compare(db, "B", "A", NULL, sys, bump, sizeof bump), 0);
            assert_non_null(strstr(bump, "improved"));
        } else {
            assert_non_null(strstr(bump, "no change")); /* never the wrong way */
        }
    }
    assert_true(called);
}

/* A run against itself: every ratio is exactly 1 inside its CI, so not
 * even a zero threshold calls anything. */
static void test_identical_data_no_verdict(void **state)
{
    (void)state;
    char db[600], sys[512], bump[512];
    snprintf(db, sizeof db, "%s/aa.db", synth_group_dir);
    bench(db, "A", NULL);
    assert_int_equal(compare(db, "A", "A", "--no-floor", sys, bump, sizeof bump), 0);
    assert_non_null(strstr(r.out, "0 improved, 0 regressed, 2 unchanged"));
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "compare", "A", "A", "--db", db, "--threshold", "0"), 0);
    assert_non_null(strstr(r.out, "0 improved, 0 regressed, 2 unchanged"));
    /* The run measured its machine-speed reference, and compare used it. */
    assert_non_null(strstr(r.out, "machine speed: the reference loop took +0.0% ["));
    assert_non_null(strstr(r.out, "in NEW: time ratios divided by it"));
}

/* ---- the machine-speed reference in compare (library level) --------------- */

/* A time run with one benchmark of `median` ns (CI +-1%) and, when ref > 0,
 * a reference of ref ns (CI +-0.5%). */
static void speed_run(al_bench_run *run, const char *label, double median, double ref)
{
    synth_run_init(run, label);
    snprintf(run->ctx.git_commit, sizeof run->ctx.git_commit, "0123abc");
    al_bench_result *x = synth_add(run, "w", "1", "sys", AL_RUN_OK, median, 0.01, 20, NULL, 7);
    synth_set_ci(x, median, median * 0.99, median * 1.01);
    if (ref > 0) run->ctx.reference = (al_bench_reference){20, ref, ref * 0.995, ref * 1.005};
}

static void test_speed_normalises(void **state)
{
    (void)state;
    al_bench_run a, b, old;
    /* NEW's machine ran 10% slower and so did the benchmark: no change. */
    speed_run(&a, "a", 1000, 1e6);
    speed_run(&b, "b", 1100, 1.1e6);
    al_speed sp;
    assert_true(al_compare_speed(&a, &b, &sp));
    assert_float_equal(sp.ratio, 1.1, 1e-12);
    assert_true(sp.down > 0 && sp.up > 0);
    size_t n;
    al_compare_opts o = {.threshold = 0.05};
    al_comparison *c = al_compare_runs_opts(&a, &b, &o, &n);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].verdict, AL_UNCHANGED);
    assert_float_equal(c[0].ratio, 1.0, 1e-12);
    /* The reference's CI widens the ratio's: 1% on each side, 0.5% on each
     * reference, in quadrature on the log scale. */
    double half = sqrt(2 * log(1.01) * log(1.01) + 2 * log(1.005) * log(1.005));
    assert_float_equal(c[0].ratio_hi, exp(half), 2e-3);
    free(c);
    /* As measured, it is a regression. */
    o.raw = true;
    c = al_compare_runs_opts(&a, &b, &o, &n);
    assert_int_equal(c[0].verdict, AL_REGRESSED);
    free(c);
    /* The same machine, the benchmark 10% slower: called either way. */
    speed_run(&old, "old", 1100, 1e6);
    o.raw = false;
    c = al_compare_runs_opts(&a, &old, &o, &n);
    assert_int_equal(c[0].verdict, AL_REGRESSED);
    free(c);
    /* A run without a reference (an older one): ratios as measured. */
    al_bench_run_free(&old);
    speed_run(&old, "old", 1100, 0);
    assert_false(al_compare_speed(&a, &old, &sp));
    assert_float_equal(sp.ratio, 1, 0);
    c = al_compare_runs_opts(&a, &old, &o, &n);
    assert_int_equal(c[0].verdict, AL_REGRESSED);
    free(c);
    al_bench_run_free(&a);
    al_bench_run_free(&b);
    al_bench_run_free(&old);
}

/* Two stored runs of one clean commit whose machine ran 20% apart teach no
 * floor from that drift: the floor is the benchmark's own change (+2%). */
static void test_floor_normalised(void **state)
{
    (void)state;
    char db[600], err[256];
    snprintf(db, sizeof db, "%s/floor.db", synth_group_dir);
    al_history *h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    al_bench_run x, y, base, nw;
    speed_run(&x, "x", 1000, 1e6);
    speed_run(&y, "y", 1000 * 1.2 * 1.02, 1.2e6);
    speed_run(&base, "base", 1000, 1e6);
    speed_run(&nw, "new", 1000, 1e6);
    snprintf(nw.ctx.git_commit, sizeof nw.ctx.git_commit, "4567def");
    assert_int_equal(al_history_save(h, &x, err, sizeof err), 0);
    assert_int_equal(al_history_save(h, &y, err, sizeof err), 0);
    assert_int_equal(al_history_save(h, &base, err, sizeof err), 0);
    assert_int_equal(al_history_save(h, &nw, err, sizeof err), 0);
    al_noise_floor f;
    assert_int_equal(al_noise_floor_learn(h, &base, &nw, &f, err, sizeof err), 0);
    assert_int_equal(f.pairs, 1);
    assert_float_equal(al_noise_floor_of(&f, "w/1/sys"), 0.02, 1e-9);
    al_noise_floor_free(&f);
    al_history_close(h);
    al_bench_run_free(&x);
    al_bench_run_free(&y);
    al_bench_run_free(&base);
    al_bench_run_free(&nw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slowdown_is_called),
        cmocka_unit_test(test_identical_data_no_verdict),
        cmocka_unit_test(test_speed_normalises),
        cmocka_unit_test(test_floor_normalised),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
