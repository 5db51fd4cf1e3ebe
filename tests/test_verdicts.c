/* Verdicts: a 10% slowdown of one allocator on one benchmark is called
 * "regressed" by compare, over noise, and nothing else is (on made-up
 * samples, so exactly); a real run compared with itself through the CLI gets
 * no verdict even at a zero threshold; compare divides time ratios by the
 * runs' machine-speed reference, and the noise floor learned from the
 * history is normalised the same way; paired verdicts (the default in time
 * mode, with three or more allocators per benchmark) ignore a load that
 * moved every allocator of a benchmark alike, round by round or for the
 * whole run, and still call one allocator's 10%. No assertion here depends on how fast
 * the machine is: whether a real bench resolves 10% is measured by the
 * README's A/B commands. */
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
#include "reports.h"
#include "stats.h"
#include "run_cli.h"
#include "synth_run.h"

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

/* One run of glibc-simple/64 on sys and bump, samples around the medians
 * with +-3% of noise drawn from `seed` (20 samples, as a short bench). */
static void ab_run(al_bench_run *run, const char *label, double sys_ns, double bump_ns, unsigned seed)
{
    synth_run_init(run, label);
    synth_add(run, "glibc-simple", "64", "sys", AL_RUN_OK, sys_ns, 0.03, 20, NULL, seed);
    synth_add(run, "glibc-simple", "64", "bump", AL_RUN_OK, bump_ns, 0.03, 20, NULL, seed + 1000);
}

static al_verdict verdict_of(const al_comparison *c, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0) return c[i].verdict;
    fail_msg("no comparison for %s", name);
    return AL_UNCHANGED;
}

/* A 10% slowdown of bump, over fresh noise in each of 20 pairs of runs: at
 * the default threshold it is called regressed every time (and improved the
 * other way round), the untouched sys never; at a 15% threshold the same
 * slowdown is not called. Made-up samples, so the test is exact: whether a
 * real bench on a busy machine resolves 10% is a measurement, in the
 * README's A/B commands (ALLOCLAB_TEST_SLOWDOWN), not a unit test. */
static void test_slowdown_is_called(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 20; k++) {
        al_bench_run a, b;
        ab_run(&a, "A", 40e3, 15e3, 10 * k + 1);
        ab_run(&b, "B", 40e3, 15e3 * 1.10, 10 * k + 2);
        size_t n;
        al_compare_opts o = {.threshold = 0.05};
        al_comparison *c = al_compare_runs_opts(&a, &b, &o, &n);
        assert_int_equal(verdict_of(c, n, BENCH "/bump"), AL_REGRESSED);
        assert_int_equal(verdict_of(c, n, BENCH "/sys"), AL_UNCHANGED);
        free(c);
        c = al_compare_runs_opts(&b, &a, &o, &n);
        assert_int_equal(verdict_of(c, n, BENCH "/bump"), AL_IMPROVED);
        assert_int_equal(verdict_of(c, n, BENCH "/sys"), AL_UNCHANGED);
        free(c);
        o.threshold = 0.15;
        c = al_compare_runs_opts(&a, &b, &o, &n);
        assert_int_equal(verdict_of(c, n, BENCH "/bump"), AL_UNCHANGED);
        free(c);
        al_bench_run_free(&a);
        al_bench_run_free(&b);
    }
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

/* ---- paired verdicts (library level) ---------------------------------------- */

static const char *const cohort[] = {"sys", "je", "mi", "tc", "bump"};
#define NCOHORT (sizeof cohort / sizeof *cohort)

/* A run of one benchmark on the cohort, 20 samples from 5 processes of 4,
 * +-2% noise from `seed`; every sample of round k multiplied by load[k]
 * (NULL: 1), and `slow`'s by 1 + by. */
static void cohort_run(al_bench_run *run, const char *label, const double *load, const char *slow, double by,
                       unsigned seed)
{
    synth_run_init(run, label);
    for (size_t j = 0; j < NCOHORT; j++) {
        al_bench_result *x = synth_add(run, "glibc-simple", "64", cohort[j], AL_RUN_OK, 10e3 * (double)(j + 1), 0.02,
                                       20, NULL, seed + 100 * (unsigned)j);
        for (size_t k = 0; k < 20; k++) {
            if (load) x->samples[k] *= load[k];
            if (slow && strcmp(cohort[j], slow) == 0) x->samples[k] *= 1 + by;
        }
        size_t procs[5] = {4, 4, 4, 4, 4};
        al_result_procs_set(x, procs, 5);
        assert_int_equal(x->nprocs, 5);
        al_summarize_grouped(x->samples, procs, 5, &x->s);
    }
}

/* The compare report of comparisons c[0..n) between a and b, as text
 * (malloc'd); counts[verdict] get the number of each. */
static char *report_of(const al_bench_run *a, const al_bench_run *b, const al_comparison *c, size_t n,
                       size_t counts[3])
{
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    assert_non_null(mem);
    al_compare_view v = {.base = a, .new_run = b, .c = c, .n = n, .threshold = 0.05};
    assert_int_equal(al_report_compare(mem, &v, AL_COMPARE_TEXT, counts), 0);
    fclose(mem);
    return text;
}

/* The second run under a load that came and went (each round slowed by 1x
 * to 3x, whole processes by up to 2x, on every allocator alike) and one
 * allocator 10% slower: paired, only that one is called, in 20 pairs of 20,
 * and the benchmark's move shows as its column ratio; judged on absolute
 * times (unpaired), the load gives verdicts everywhere. */
static void test_paired_ignores_load(void **state)
{
    (void)state;
    size_t absolute_verdicts = 0;
    for (unsigned t = 0; t < 20; t++) {
        double load[20];
        uint64_t s = 77 + t;
        for (size_t k = 0; k < 20; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(s >> 11) / 9007199254740992.0;
            load[k] = (1 + 2 * u) * (k / 4 == t % 5 ? 2 : 1);
        }
        al_bench_run a, b;
        cohort_run(&a, "A", NULL, NULL, 0, 10 * t + 1);
        cohort_run(&b, "B", load, "mi", 0.10, 10 * t + 2);
        size_t n;
        al_compare_opts o = {.threshold = 0.05};
        al_comparison *c = al_compare_runs_opts(&a, &b, &o, &n);
        assert_int_equal(n, NCOHORT);
        for (size_t i = 0; i < n; i++) {
            assert_true(c[i].paired);
            assert_int_equal(c[i].cohort, NCOHORT - 1);
            assert_true(c[i].column_ratio > 1.5);
            bool is_mi = strcmp(c[i].name, "glibc-simple/64/mi") == 0;
            if (c[i].verdict != (is_mi ? AL_REGRESSED : AL_UNCHANGED))
                fail_msg("pair %u: %s %s [%.3f %.3f %.3f]", t, c[i].name, is_mi ? "not called" : "called",
                         c[i].ratio_lo, c[i].ratio, c[i].ratio_hi);
        }
        if (t == 0) { /* the report lists the benchmark's move apart */
            size_t counts[3];
            char *text = report_of(&a, &b, c, n, counts);
            assert_int_equal(counts[AL_REGRESSED], 1);
            assert_non_null(strstr(text, "1 benchmark moved as a whole by more than"));
            assert_non_null(strstr(text, "\n  glibc-simple/64 +"));
            free(text);
        }
        free(c);
        o.unpaired = true;
        c = al_compare_runs_opts(&a, &b, &o, &n);
        for (size_t i = 0; i < n; i++) {
            assert_false(c[i].paired);
            absolute_verdicts += c[i].verdict != AL_UNCHANGED;
        }
        free(c);
        al_bench_run_free(&a);
        al_bench_run_free(&b);
    }
    assert_true(absolute_verdicts > 20 * NCOHORT / 2);
}

/* A threaded benchmark that kept 1.8 CPUs busy in BASE and 1.2 in NEW (a
 * process took a core) is not judged, even where one allocator moved by
 * 30%, and the report says why; one whose share held (1.8 and 1.75) is. */
static void test_other_cpu_share_not_judged(void **state)
{
    (void)state;
    const double cpus[][2] = {{1.8, 1.2}, {1.8, 1.75}};
    for (size_t t = 0; t < 2; t++) {
        al_bench_run a, b;
        cohort_run(&a, "A", NULL, NULL, 0, 31);
        cohort_run(&b, "B", NULL, "tc", 0.30, 32);
        for (size_t i = 0; i < NCOHORT; i++) {
            a.results[i].cpu_median_ns = a.results[i].s.median * cpus[t][0];
            b.results[i].cpu_median_ns = b.results[i].s.median * cpus[t][1];
        }
        size_t n;
        al_compare_opts o = {.threshold = 0.05};
        al_comparison *c = al_compare_runs_opts(&a, &b, &o, &n);
        for (size_t i = 0; i < n; i++) {
            bool tc = strcmp(c[i].name, "glibc-simple/64/tc") == 0;
            assert_int_equal(c[i].not_comparable, t == 0);
            assert_int_equal(c[i].verdict, t == 0 || !tc ? AL_UNCHANGED : AL_REGRESSED);
        }
        size_t counts[3];
        char *text = report_of(&a, &b, c, n, counts);
        if (t == 0) assert_non_null(strstr(text, "Not judged: 1 threaded benchmark kept another share"));
        else assert_null(strstr(text, "Not judged"));
        free(text);
        free(c);
        al_bench_run_free(&a);
        al_bench_run_free(&b);
    }
}

/* Two allocators are no cohort: the absolute times are judged, as before. */
static void test_small_cohort_unpaired(void **state)
{
    (void)state;
    al_bench_run a, b;
    ab_run(&a, "A", 40e3, 15e3, 1);
    ab_run(&b, "B", 40e3, 15e3, 2);
    size_t n;
    al_compare_opts o = {.threshold = 0.05};
    al_comparison *c = al_compare_runs_opts(&a, &b, &o, &n);
    assert_int_equal(n, 2);
    assert_false(c[0].paired);
    assert_false(c[1].paired);
    free(c);
    al_bench_run_free(&a);
    al_bench_run_free(&b);
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

/* Three stored runs of one clean commit (mi 20% slower in the middle one,
 * through its own code's noise) teach mi a paired floor of about 20%, the
 * others little: a 10% slowdown of mi is then within its floor, and called
 * without the floor (the lookup by name holds for every benchmark). */
static void test_floor_paired(void **state)
{
    (void)state;
    char db[600], err[256];
    snprintf(db, sizeof db, "%s/floor-paired.db", synth_group_dir);
    al_history *h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    const double mi[3] = {0, 0.20, 0};
    for (unsigned k = 0; k < 3; k++) {
        al_bench_run r;
        cohort_run(&r, "aa", NULL, "mi", mi[k], 500 + k);
        snprintf(r.ctx.git_commit, sizeof r.ctx.git_commit, "abc1234");
        assert_int_equal(al_history_save(h, &r, err, sizeof err), 0);
        al_bench_run_free(&r);
    }
    al_bench_run base, nw;
    cohort_run(&base, "base", NULL, NULL, 0, 900);
    cohort_run(&nw, "new", NULL, "mi", 0.10, 901);
    assert_int_equal(al_history_save(h, &base, err, sizeof err), 0);
    assert_int_equal(al_history_save(h, &nw, err, sizeof err), 0);
    /* The samples of each process come back from the history and from a
     * JSON report. */
    al_bench_run back;
    assert_int_equal(al_history_load(h, "base", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.nresults, NCOHORT);
    assert_int_equal(back.results[2].nprocs, 5);
    assert_int_equal(back.results[2].proc_samples[4], 4);
    al_bench_run_free(&back);
    char *json = NULL;
    size_t jlen = 0;
    FILE *mem = open_memstream(&json, &jlen);
    assert_non_null(mem);
    assert_int_equal(al_report_json(mem, &nw), 0);
    fclose(mem);
    assert_int_equal(al_report_json_parse(json, jlen, "new.json", &back, err, sizeof err), 0);
    free(json);
    assert_int_equal(back.results[0].nprocs, 5);
    assert_int_equal(back.results[0].proc_samples[0], 4);
    al_bench_run_free(&back);
    al_noise_floor f;
    assert_int_equal(al_noise_floor_learn(h, &base, &nw, &f, err, sizeof err), 0);
    assert_int_equal(f.pairs, 2);
    assert_int_equal(f.n, NCOHORT);
    double mi_floor = al_noise_floor_paired_of(&f, "glibc-simple/64/mi");
    assert_true(mi_floor > 0.15 && mi_floor < 0.30);
    for (size_t j = 0; j < NCOHORT; j++) {
        char name[64];
        snprintf(name, sizeof name, "glibc-simple/64/%s", cohort[j]);
        if (strcmp(cohort[j], "mi") != 0) assert_true(al_noise_floor_paired_of(&f, name) < 0.08);
        assert_true(al_noise_floor_of(&f, name) > 0); /* the absolute one, learned alike */
    }
    assert_float_equal(al_noise_floor_of(&f, "glibc-simple/64/none"), 0, 0);
    size_t n;
    al_compare_opts o = {.threshold = 0.05, .floor = &f};
    al_comparison *c = al_compare_runs_opts(&base, &nw, &o, &n);
    assert_int_equal(verdict_of(c, n, "glibc-simple/64/mi"), AL_UNCHANGED);
    free(c);
    o.floor = NULL;
    c = al_compare_runs_opts(&base, &nw, &o, &n);
    assert_int_equal(verdict_of(c, n, "glibc-simple/64/mi"), AL_REGRESSED);
    free(c);
    al_noise_floor_free(&f);
    al_history_close(h);
    al_bench_run_free(&base);
    al_bench_run_free(&nw);
}

/* A run with a slowdown hook set teaches the floor nothing about the
 * benchmark it slowed (its change was made on purpose), and the usual about
 * the others; a run with any other hook, nothing at all. */
static void test_floor_skips_hooked(void **state)
{
    (void)state;
    for (int other = 0; other < 2; other++) {
        char db[600], err[256];
        snprintf(db, sizeof db, "%s/floor-hooked-%d.db", synth_group_dir, other);
        al_history *h = al_history_open(db, true, err, sizeof err);
        assert_non_null(h);
        for (unsigned k = 0; k < 2; k++) {
            al_bench_run r;
            cohort_run(&r, "aa", NULL, "mi", k ? 0.20 : 0, 700 + k);
            snprintf(r.ctx.git_commit, sizeof r.ctx.git_commit, "abc1234");
            if (k)
                snprintf(r.ctx.test_hooks, sizeof r.ctx.test_hooks, "%s",
                         other ? "ALLOCLAB_TEST_SAVE_PAUSE_MS=5" : "ALLOCLAB_TEST_SLOWDOWN=glibc-simple/64/mi=20");
            assert_int_equal(al_history_save(h, &r, err, sizeof err), 0);
            al_bench_run_free(&r);
        }
        al_bench_run base, nw;
        cohort_run(&base, "base", NULL, NULL, 0, 910);
        cohort_run(&nw, "new", NULL, NULL, 0, 911);
        al_noise_floor f;
        assert_int_equal(al_noise_floor_learn(h, &base, &nw, &f, err, sizeof err), 0);
        assert_int_equal(f.n, other ? 0 : NCOHORT - 1);
        assert_float_equal(al_noise_floor_paired_of(&f, "glibc-simple/64/mi"), 0, 0);
        assert_float_equal(al_noise_floor_of(&f, "glibc-simple/64/mi"), 0, 0);
        if (!other) assert_true(al_noise_floor_paired_of(&f, "glibc-simple/64/sys") > 0);
        al_noise_floor_free(&f);
        al_history_close(h);
        al_bench_run_free(&base);
        al_bench_run_free(&nw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slowdown_is_called),
        cmocka_unit_test(test_identical_data_no_verdict),
        cmocka_unit_test(test_paired_ignores_load),
        cmocka_unit_test(test_small_cohort_unpaired),
        cmocka_unit_test(test_other_cpu_share_not_judged),
        cmocka_unit_test(test_speed_normalises),
        cmocka_unit_test(test_floor_normalised),
        cmocka_unit_test(test_floor_paired),
        cmocka_unit_test(test_floor_skips_hooked),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
