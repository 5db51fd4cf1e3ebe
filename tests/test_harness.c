/* The benchmark harness: plans, child processes, failures, rotation, the
 * run context and the terminal table. The workloads used here are the
 * test's own (al_workload_register), so the tests do not depend on the
 * built-in suite beyond its shape. No timing is asserted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "callgrind.h"
#include "runner.h"
#include "syscalls.h"
#include "reports.h"

#include <alloclab/registry.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl_test_allocs.h"

/* ----------------------------------------------------------------------------
 * Test workloads. t-ok appends the allocator's name to log_path (when set)
 * on every run, which shows the order the children took their samples in.
 * ------------------------------------------------------------------------- */
static char log_path[256];

typedef struct tinst { char spec[64], used[80]; uint64_t ran; } tinst;

static void *t_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    (void)param, (void)st, (void)why, (void)whylen;
    tinst *t = calloc(1, sizeof *t);
    if (t) snprintf(t->spec, sizeof t->spec, "%s", spec);
    if (t) snprintf(t->used, sizeof t->used, "locked:%s", spec);
    return t;
}
static void t_teardown(void *inst) { free(inst); }
static double t_calls(void *inst) { (void)inst; return 3; }

static al_run_status ok_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    tinst *t = inst;
    for (volatile uint64_t i = 0; i < iters; i++) {}
    if (log_path[0]) {
        FILE *f = fopen(log_path, "a");
        if (f) {
            fprintf(f, "%s\n", t->spec);
            fclose(f);
        }
    }
    return AL_RUN_OK;
}

static al_run_status crash_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)iters, (void)why, (void)whylen;
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return AL_RUN_OK;
}

static al_run_status fail_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)iters;
    snprintf(why, whylen, "checksum mismatch");
    return AL_RUN_FAILED;
}

static al_run_status hang_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)iters, (void)why, (void)whylen;
    for (;;) pause();
    return AL_RUN_OK;
}

static void *unsup_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    (void)param, (void)spec;
    *st = AL_RUN_UNSUPPORTED;
    snprintf(why, whylen, "needs a bigger capacity");
    return NULL;
}

/* 150 ms whatever the iteration count: a slow group for --quick's budget. */
static al_run_status slow_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)iters, (void)why, (void)whylen;
    usleep(150000);
    return AL_RUN_OK;
}

/* t-fixed: 7 iterations per sample (fixed_iters); logs each run's count and
 * check level. Its metric is the iterations run so far. */
static al_run_status logging_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    ((tinst *)inst)->ran += iters;
    FILE *f = log_path[0] ? fopen(log_path, "a") : NULL;
    if (f) {
        fprintf(f, "%llu %s\n", (unsigned long long)iters,
                al_workload_check_level() == AL_CHECK_FULL ? "full" : "cheap");
        fclose(f);
    }
    return AL_RUN_OK;
}
static uint64_t seven(void *inst) { (void)inst; return 7; }
static double ran(void *inst) { return (double)((tinst *)inst)->ran; }
static const char *used(void *inst) { return ((tinst *)inst)->used; }
static uint64_t zero(void *inst) { (void)inst; return 0; }

/* t-busy2: two threads spin through the same loop, so the process's CPU
 * time is about twice the wall time. */
static void *spin(void *arg)
{
    for (volatile uint64_t i = 0; i < *(const uint64_t *)arg * 100; i++) {}
    return NULL;
}
static al_run_status busy2_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    (void)inst, (void)why, (void)whylen;
    pthread_t th;
    bool started = pthread_create(&th, NULL, spin, &iters) == 0;
    spin(&iters);
    if (started) pthread_join(th, NULL);
    return AL_RUN_OK;
}

static const char *const two_params[] = {"a", "b", NULL};
static const char *const one_param[] = {"x", NULL};
static size_t n_builtin; /* workloads in the registry before the test's own */

static const al_workload w_ok = {.name = "t-ok", .description = "test: empty loop", .params = two_params,
                                 .setup = t_setup, .run = ok_run, .teardown = t_teardown, .alloc_calls = t_calls};
static const al_workload w_crash = {.name = "t-crash", .description = "test: segfaults", .params = one_param,
                                    .setup = t_setup, .run = crash_run, .teardown = t_teardown};
static const al_workload w_fail = {.name = "t-fail", .description = "test: bad memory", .params = one_param,
                                   .setup = t_setup, .run = fail_run, .teardown = t_teardown};
static const al_workload w_hang = {.name = "t-hang", .description = "test: never returns", .params = one_param,
                                   .setup = t_setup, .run = hang_run, .teardown = t_teardown};
/* Never returns from teardown: the harness must kill it, not wait forever. */
static void hang_teardown(void *inst)
{
    free(inst);
    for (;;) pause();
}
static const al_workload w_hangtear = {.name = "t-hangtear", .description = "test: teardown hangs", .params = one_param,
                                       .setup = t_setup, .run = ok_run, .teardown = hang_teardown};
static const al_workload w_slow = {.name = "t-slow", .description = "test: 150 ms a run", .params = one_param,
                                   .setup = t_setup, .run = slow_run, .teardown = t_teardown};
static const al_workload w_fixed = {.name = "t-fixed", .description = "test: fixed iterations", .params = one_param,
                                    .setup = t_setup, .run = logging_run, .teardown = t_teardown, .fixed_iters = seven,
                                    .metric_name = "t_iters", .metric_unit = "iters", .metric = ran,
                                    .allocator_used = used};
static const al_workload w_zero = {.name = "t-zero", .description = "test: fixed_iters 0 calibrates", .params = one_param,
                                   .setup = t_setup, .run = ok_run, .teardown = t_teardown, .fixed_iters = zero};
static const al_workload w_busy2 = {.name = "t-busy2", .description = "test: two busy threads", .params = one_param,
                                    .setup = t_setup, .run = busy2_run, .teardown = t_teardown};
/* t-pass: its set-up logs "setup PARAM", which shows the order in which
 * the benchmarks' processes were started. */
static void *pass_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    FILE *f = log_path[0] ? fopen(log_path, "a") : NULL;
    if (f) {
        fprintf(f, "setup %s\n", param);
        fclose(f);
    }
    return t_setup(param, spec, st, why, whylen);
}
static const al_workload w_pass = {.name = "t-pass", .description = "test: logs its set-up", .params = two_params,
                                   .setup = pass_setup, .run = ok_run, .teardown = t_teardown};
static const al_workload w_unsup = {.name = "t-unsup", .description = "test: unsupported", .params = one_param,
                                    .setup = unsup_setup, .run = ok_run, .teardown = t_teardown};

/* Quiet, short runs, one process per benchmark unless a test asks more. */
static al_bench_config small_cfg(const char *const *wls, size_t nw, const char *const *allocs, size_t na)
{
    /* The system-call pass runs set-up and iterations once more: tests that
     * log every call leave it out (test_execute_ok takes it). */
    return (al_bench_config){.workloads = wls, .nworkloads = nw, .allocators = allocs, .nallocators = na,
                             .samples = 5, .min_sample_ms = 0.02, .quiet = true, .processes = 1,
                             .no_syscalls = true};
}

static size_t available_backends(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < al_backend_count() && n < max; i++) {
        const al_backend_desc *b = al_backend_at(i);
        if (!b->unavailable || !b->unavailable()) out[n++] = b->name;
    }
    return n;
}

/* ----------------------------------------------------------------------------
 * Registration.
 * ------------------------------------------------------------------------- */
static void test_register_rejects_bad_and_duplicate(void **state)
{
    (void)state;
    assert_int_equal(al_workload_register(&w_ok), -1); /* registered in main */
    assert_int_equal(al_workload_register(NULL), -1);
    al_workload bad = w_ok;
    bad.name = "has/slash";
    assert_int_equal(al_workload_register(&bad), -1);
    assert_ptr_equal(al_workload_find("t-ok"), &w_ok);
    assert_null(al_workload_find("t-nosuch"));
}

/* ----------------------------------------------------------------------------
 * Plans.
 * ------------------------------------------------------------------------- */
static void test_plan_default_covers_everything(void **state)
{
    (void)state;
    const char *allocs[32];
    size_t na = available_backends(allocs, 32);
    al_bench_config cfg = {0};
    al_bench_plan plan;
    al_bench_error perr;
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &perr), 0);
    al_bench_item *items = plan.items;
    size_t n = plan.n;
    size_t expected = 0;
    for (size_t i = 0; i < al_workload_count(); i++) {
        const al_workload *w = al_workload_at(i);
        for (const char *const *p = w->params; *p; p++) {
            for (size_t a = 0; a < na; a++) {
                bool found = false;
                for (size_t k = 0; k < n && !found; k++)
                    found = items[k].workload == w && strcmp(items[k].param, *p) == 0 &&
                            strcmp(items[k].allocator, allocs[a]) == 0;
                assert_true(found);
                expected++;
            }
        }
    }
    /* The registry holds the test's registered workloads after the built-in
     * ones (the first and the last with two parameters, the others one
     * each): one table. */
    assert_int_equal(al_workload_count(), n_builtin + 11);
    assert_ptr_equal(al_workload_at(n_builtin), &w_ok);
    assert_int_equal(n, expected);
    assert_true(expected >= (n_builtin + 2 + 9 + 2) * na);
    for (size_t k = 0; k < n; k++) assert_null(al_spec_unavailable(items[k].allocator));
    al_bench_plan_free(&plan);
}

static void test_plan_filter_and_params(void **state)
{
    (void)state;
    const char *allocs[] = {"sys"};
    al_bench_config cfg = {.filter = "^t-(ok|fail)/[ax]/sys$", .allocators = allocs, .nallocators = 1};
    al_bench_plan plan;
    al_bench_error perr;
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &perr), 0);
    al_bench_item *items = plan.items;
    size_t n = plan.n;
    assert_int_equal(n, 2);
    assert_string_equal(items[0].workload->name, "t-ok");
    assert_string_equal(items[0].param, "a");
    assert_string_equal(items[1].workload->name, "t-fail");

    /* A parameter outside the default list is passed through. */
    const char *wls[] = {"t-ok/zz", "t-fail"};
    cfg = (al_bench_config){.workloads = wls, .nworkloads = 2, .allocators = allocs, .nallocators = 1};
    al_bench_plan_free(&plan);
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &perr), 0);
    items = plan.items;
    n = plan.n;
    assert_int_equal(n, 2);
    assert_string_equal(items[0].param, "zz");
    assert_string_equal(items[1].param, "x");
    al_bench_plan_free(&plan);
}

static void test_plan_errors(void **state)
{
    (void)state;
    al_bench_plan plan;
    al_bench_error e;
    al_bench_config cfg = {.filter = "(unclosed"};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.kind, AL_BENCH_ERR_FILTER);
    assert_non_null(strstr(e.message, "regex"));
    assert_null(strchr(e.message, '\n'));
    assert_null(plan.items);

    /* An unknown allocator: the registry's kind and the name, so that a
     * caller words its own hint without reading the text. */
    const char *bad_alloc[] = {"sys", "nosuch-alloc"};
    cfg = (al_bench_config){.allocators = bad_alloc, .nallocators = 2};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.kind, AL_BENCH_ERR_ALLOCATOR);
    assert_int_equal(e.registry, AL_ERR_UNKNOWN_BACKEND);
    assert_string_equal(e.name, "nosuch-alloc");
    assert_non_null(strstr(e.message, "nosuch-alloc"));

    const char *bad_wrap[] = {"nowrap:sys"};
    cfg = (al_bench_config){.allocators = bad_wrap, .nallocators = 1};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.registry, AL_ERR_UNKNOWN_WRAPPER);
    assert_string_equal(e.name, "nowrap");

    const char *twice[] = {"sys", "sys"};
    cfg = (al_bench_config){.allocators = twice, .nallocators = 2};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.kind, AL_BENCH_ERR_ALLOCATOR_TWICE);

    const char *bad_wl[] = {"t-ok", "nosuch-workload/1"};
    cfg = (al_bench_config){.workloads = bad_wl, .nworkloads = 2};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.kind, AL_BENCH_ERR_WORKLOAD);
    assert_string_equal(e.name, "nosuch-workload");
    assert_null(strstr(e.message, "alloclab")); /* the library names no command */

    const char *empty_param[] = {"t-ok/"};
    cfg = (al_bench_config){.workloads = empty_param, .nworkloads = 1};
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &e), -1);
    assert_int_equal(e.kind, AL_BENCH_ERR_PARAM);
}

/* ----------------------------------------------------------------------------
 * Execution.
 * ------------------------------------------------------------------------- */
static void test_execute_ok(void **state)
{
    (void)state;
    const char *wls[] = {"t-ok/a"}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 1);
    cfg.no_syscalls = false;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.nresults, 1);
    const al_bench_result *r = &run.results[0];
    assert_string_equal(r->workload, "t-ok");
    assert_string_equal(r->param, "a");
    assert_string_equal(r->allocator, "sys");
    assert_int_equal(r->status, AL_RUN_OK);
    assert_int_equal(r->nsamples, 5);
    assert_int_equal(r->s.n, 5);
    assert_true(r->s.median >= r->s.min && r->s.median <= r->s.max);
    for (size_t i = 0; i < r->nsamples; i++) assert_true(r->samples[i] >= 0);
    assert_true(r->iterations >= 1);
    assert_true(r->peak_rss_kib > 0);
    assert_true(r->minor_faults >= 0);
    assert_true(r->alloc_calls == 3);
    assert_true(r->instructions == -1);
    /* the untimed system-call pass ran as many iterations as one sample */
    if (!al_syscalls_unavailable() && r->sys.counted) assert_int_equal(r->sys.iterations, r->iterations);
    assert_string_equal(run.ctx.mode, "time");
    assert_false(run.ctx.quick);
    al_bench_run_free(&run);
}

static const al_bench_result *find(const al_bench_run *run, const char *w, const char *a)
{
    for (size_t i = 0; i < run->nresults; i++)
        if (strcmp(run->results[i].workload, w) == 0 && strcmp(run->results[i].allocator, a) == 0)
            return &run->results[i];
    return NULL;
}

static void test_execute_failures_become_results(void **state)
{
    (void)state;
    const char *wls[] = {"t-crash", "t-fail", "t-unsup", "t-ok/a"};
    const char *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 4, allocs, 1);
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.nresults, 4);
    const al_bench_result *crash = find(&run, "t-crash", "sys");
    assert_int_equal(crash->status, AL_RUN_FAILED);
    assert_non_null(strstr(crash->reason, "SIGSEGV"));
    assert_int_equal(crash->nsamples, 0);
    const al_bench_result *fail = find(&run, "t-fail", "sys");
    assert_int_equal(fail->status, AL_RUN_FAILED);
    assert_string_equal(fail->reason, "checksum mismatch");
    const al_bench_result *unsup = find(&run, "t-unsup", "sys");
    assert_int_equal(unsup->status, AL_RUN_UNSUPPORTED);
    assert_string_equal(unsup->reason, "needs a bigger capacity");
    const al_bench_result *ok = find(&run, "t-ok", "sys");
    assert_int_equal(ok->status, AL_RUN_OK);
    assert_int_equal(ok->nsamples, 5);
    al_bench_run_free(&run);
}

/* A step that never ends (a sample, or the teardown after QUIT) is killed
 * after the timeout and becomes a failed result naming what hung. */
static void expect_killed(const char *workload, const char *reason_part)
{
    const char *wls[] = {workload}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 1);
    cfg.timeout_s = 0.3;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.nresults, 1);
    assert_int_equal(run.results[0].status, AL_RUN_FAILED);
    assert_non_null(strstr(run.results[0].reason, reason_part));
    al_bench_run_free(&run);
}

static void test_execute_timeout_kills(void **state)
{
    (void)state;
    expect_killed("t-hang", "timed out");
}

static void test_teardown_timeout_kills(void **state)
{
    (void)state;
    expect_killed("t-hangtear", "teardown");
}

/* --quick stops a slow group's rounds after its time budget, once it has 5
 * samples (of the default 10); an explicit --samples is always honoured. */
static void test_quick_budget_caps_slow_groups(void **state)
{
    (void)state;
    const char *wls[] = {"t-slow"}, *allocs[] = {"sys"};
    al_bench_config cfg = {.workloads = wls, .nworkloads = 1, .allocators = allocs, .nallocators = 1,
                           .quick = true, .quiet = true};
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.results[0].status, AL_RUN_OK);
    /* Two processes share the budget, each taking at least half the
     * minimum (rounded up): 3 + 3 of the 10 rounds. */
    assert_int_equal(run.results[0].nsamples, 6);
    assert_true(run.ctx.quick); /* the reports say so */
    al_bench_run_free(&run);

    cfg.samples = 7;
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.results[0].nsamples, 7);
    al_bench_run_free(&run);
}

/* Round r takes each sample in AL_RUNNER_SLICES parts: part p starts with
 * allocator r mod n and goes on in order, backwards for odd p. */
static void test_rounds_rotate(void **state)
{
    (void)state;
    const char *allocs[8];
    size_t na = available_backends(allocs, 8);
    if (na < 2) skip();
    char dir[] = "/tmp/alloclab-rot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(log_path, sizeof log_path, "%s/log", dir);
    const char *wls[] = {"t-ok/a"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, na);
    cfg.samples = 4; /* one process per benchmark (small_cfg): its lines are all in one stretch */
    cfg.min_sample_ms = 1; /* many iterations a sample, so that no part is empty */
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);

    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    char (*lines)[64] = NULL;
    size_t nl = 0;
    char line[64];
    while (fgets(line, sizeof line, f)) {
        lines = realloc(lines, (nl + 1) * sizeof *lines);
        assert_non_null(lines);
        line[strcspn(line, "\n")] = '\0';
        snprintf(lines[nl++], sizeof *lines, "%s", line);
    }
    fclose(f);
    /* Calibration runs all precede the samples, and the closing
     * verification runs (one per child) follow them: the samples*parts*n
     * lines before the last n are the samples' parts, in the order they were
     * asked for (the calibrated count leaves no part empty). */
    size_t parts = AL_RUNNER_SLICES, per_round = parts * na;
    assert_true(nl >= cfg.samples * per_round + na);
    size_t base = nl - cfg.samples * per_round - na;
    for (size_t r = 0; r < cfg.samples; r++)
        for (size_t p = 0; p < parts; p++)
            for (size_t k = 0; k < na; k++)
                assert_string_equal(lines[base + r * per_round + p * na + k],
                                    allocs[(r + (p % 2 ? na - 1 - k : k)) % na]);
    free(lines);
    unlink(log_path);
    rmdir(dir);
    log_path[0] = '\0';
    for (size_t i = 0; i < run.nresults; i++) assert_int_equal(run.results[i].nsamples, 4);
    al_bench_run_free(&run);
}

/* Passes: the suite runs once per process of a benchmark, so the processes
 * of the two groups alternate (a b a b a b), each benchmark's samples are
 * spread over the run, and the machine-speed reference is sampled before
 * every group's pass (at least 200 samples in all). */
static void test_passes_interleave_groups(void **state)
{
    (void)state;
    char dir[] = "/tmp/alloclab-pass-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(log_path, sizeof log_path, "%s/log", dir);
    const char *wls[] = {"t-pass"}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 1);
    cfg.samples = 6;
    cfg.processes = 3;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    char order[16] = "", line[64];
    size_t no = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "setup ", 6) == 0 && no + 1 < sizeof order) order[no++] = line[6];
    order[no] = '\0';
    fclose(f);
    unlink(log_path);
    rmdir(dir);
    log_path[0] = '\0';
    assert_string_equal(order, "ababab");
    assert_int_equal(run.nresults, 2);
    for (size_t i = 0; i < run.nresults; i++) {
        assert_int_equal(run.results[i].status, AL_RUN_OK);
        assert_int_equal(run.results[i].nsamples, 6);
    }
    const al_bench_reference *ref = &run.ctx.reference;
    assert_true(ref->n >= 200);
    assert_true(ref->median_ns > 0 && ref->ci_low_ns <= ref->median_ns && ref->median_ns <= ref->ci_high_ns);
    al_bench_run_free(&run);
}

/* fixed_iters > 0: no calibration; one verification run(1) at the full
 * check level, then every sample runs exactly that many iterations at the
 * cheap level, and a closing run(1) verifies at the full level again, in
 * each of the benchmark's processes. 0: calibrated as usual. */
static void test_fixed_iters_skip_calibration(void **state)
{
    (void)state;
    char dir[] = "/tmp/alloclab-fix-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(log_path, sizeof log_path, "%s/log", dir);
    const char *wls[] = {"t-fixed", "t-zero"}, *allocs[] = {"sys", "je"};
    size_t na = al_spec_unavailable("je") ? 1 : 2;
    al_bench_config cfg = small_cfg(wls, 1, allocs, na);
    cfg.samples = 4;
    cfg.processes = 2; /* two processes per benchmark, two samples each */
    cfg.min_sample_ms = 5; /* calibration would go far beyond 7 iterations of an empty run */
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    char line[32];
    size_t ones = 0, parts = 0, cheap = 0, others = 0;
    unsigned long k;
    char level[8];
    while (fgets(line, sizeof line, f)) {
        if (strcmp(line, "1 full\n") == 0) ones++;
        else if (sscanf(line, "%lu %7s", &k, level) == 2 && strcmp(level, "cheap") == 0 && k >= 1 && k <= 2)
            parts++, cheap += k; /* 7 in 4 parts: 1 2 2 2 */
        else others++;
    }
    fclose(f);
    unlink(log_path);
    rmdir(dir);
    log_path[0] = '\0';
    assert_int_equal(ones, 2 * 2 * na);   /* the verification runs, before and after, per process */
    assert_int_equal(cheap, 4 * 7 * na);  /* the samples, at the cheap level, 7 iterations each */
    assert_int_equal(parts, 4 * AL_RUNNER_SLICES * na);
    assert_int_equal(others, 0);
    for (size_t i = 0; i < run.nresults; i++) {
        assert_int_equal(run.results[i].status, AL_RUN_OK);
        assert_int_equal(run.results[i].iterations, 7);
        assert_int_equal(run.results[i].nsamples, 4);
        /* the workload's metric, from the last process after its last
         * sample: its verification run and its two samples */
        assert_string_equal(run.results[i].metric_name, "t_iters");
        assert_string_equal(run.results[i].metric_unit, "iters");
        assert_float_equal(run.results[i].metric, 1 + 2 * 7, 0);
        /* and the spec it really ran */
        char expect[80];
        snprintf(expect, sizeof expect, "locked:%s", run.results[i].allocator);
        assert_string_equal(run.results[i].ran_as, expect);
    }
    al_bench_run_free(&run);

    /* t-zero calibrates: 1 ms samples of an empty loop take far more than 1. */
    cfg = small_cfg(wls + 1, 1, allocs, 1);
    cfg.samples = 2;
    cfg.min_sample_ms = 1;
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(run.results[0].status, AL_RUN_OK);
    assert_true(run.results[0].iterations > 1);
    al_bench_run_free(&run);
}

/* The harness's verification iterations run at the full check level before
 * and after the cheap timed samples: a byte flipped between head and tail
 * words fails the benchmark, whether from the first allocation on
 * (wl-scribble) or only once the samples are under way (wl-scribble-late:
 * the closing verification catches it). */
static void test_verification_iterations(void **state)
{
    (void)state;
    const char *wls[] = {"glibc-simple/64"}, *allocs[] = {"sys", "wl-scribble", "wl-scribble-late"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 3);
    cfg.samples = 3;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    assert_int_equal(find(&run, "glibc-simple", "sys")->status, AL_RUN_OK);
    const al_bench_result *early = find(&run, "glibc-simple", "wl-scribble");
    const al_bench_result *late = find(&run, "glibc-simple", "wl-scribble-late");
    assert_int_equal(early->status, AL_RUN_FAILED);
    assert_non_null(strstr(early->reason, "lost its pattern"));
    assert_int_equal(late->status, AL_RUN_FAILED);
    if (!strstr(late->reason, "after the samples, ") || !strstr(late->reason, "lost its pattern"))
        fail_msg("reason: %s", late->reason);
    al_bench_run_free(&run);
}

/* CPU time of the whole child per iteration: positive for busy work, about
 * the wall time for one thread and about twice for two (bounded loosely:
 * this checks what is measured, not how fast). -1 when nothing ran. */
static void test_cpu_time(void **state)
{
    (void)state;
    const char *wls[] = {"t-ok/a", "t-busy2", "t-fail"}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 3, allocs, 1);
    cfg.min_sample_ms = 2;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
    const al_bench_result *one = find(&run, "t-ok", "sys"), *two = find(&run, "t-busy2", "sys"),
                          *bad = find(&run, "t-fail", "sys");
    assert_int_equal(one->status, AL_RUN_OK);
    assert_int_equal(two->status, AL_RUN_OK);
    assert_true(one->cpu_median_ns > 0);
    assert_true(two->cpu_median_ns > 0);
    assert_true(one->cpu_median_ns <= one->s.max * 1.25 + 100);
    assert_true(two->cpu_median_ns <= two->s.max * 2 * 1.25 + 100);
    assert_true(bad->cpu_median_ns == -1);
    al_bench_run_free(&run);
}

static void test_instruction_mode_refused_when_unavailable(void **state)
{
    (void)state;
    if (!al_callgrind_unavailable()) skip();
    const char *wls[] = {"t-ok/a"}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 1);
    cfg.mode = AL_MODE_INSTRUCTIONS;
    al_bench_run run = {0};
    char err[256] = "";
    assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), -1);
    assert_true(err[0] != '\0');
    assert_int_equal(run.nresults, 0);
}

/* Instructions mode counts the same warm iterations twice over: the figures
 * are identical run to run for a single-threaded workload, and the counted
 * iterations scale them (per-iteration figures agree for K = 1 and K = 4). */
static void test_instruction_mode_is_deterministic(void **state)
{
    (void)state;
    const char *why = al_callgrind_unavailable();
    if (why) {
        print_message("skipped: %s\n", why);
        skip();
    }
    const char *wls[] = {"glibc-simple/64"}, *allocs[] = {"sys"};
    al_bench_config cfg = small_cfg(wls, 1, allocs, 1);
    cfg.mode = AL_MODE_INSTRUCTIONS;
    double ins[3];
    for (int k = 0; k < 3; k++) {
        cfg.instr_iters = k == 2 ? 4 : 1;
        al_bench_run run = {0};
        char err[256] = "";
        assert_int_equal(al_bench_execute(&cfg, &run, err, sizeof err), 0);
        assert_int_equal(run.nresults, 1);
        if (run.results[0].status != AL_RUN_OK) fail_msg("%s", run.results[0].reason);
        assert_string_equal(run.ctx.mode, "instructions");
        assert_int_equal(run.results[0].iterations, cfg.instr_iters);
        assert_true(run.results[0].est_cycles >= run.results[0].instructions);
        ins[k] = run.results[0].instructions;
        al_bench_run_free(&run);
    }
    assert_true(ins[0] > 10000); /* 1600 chunks written and checked */
    assert_true(ins[0] == ins[1]);
    assert_true(fabs(ins[2] - ins[0]) < 0.01 * ins[0]);
}

/* ----------------------------------------------------------------------------
 * Context and table.
 * ------------------------------------------------------------------------- */
static void test_context_detect(void **state)
{
    (void)state;
    al_bench_context c;
    memset(&c, 0x55, sizeof c);
    al_bench_context_detect(&c);
    assert_int_equal(strlen(c.date), 20); /* 2026-01-02T03:04:05Z */
    assert_int_equal(c.date[19], 'Z');
    assert_true(c.ncpus >= 1);
    assert_true(c.compiler[0] && c.build_type[0] && c.cpu[0] && c.host[0]);
    assert_string_equal(c.alloclab_version, "0.1.0");
    assert_int_equal(c.label[0], '\0');
    assert_true(strlen(c.git_commit) < sizeof c.git_commit);
}

static al_bench_result fake(const char *w, const char *p, const char *a, double *x, size_t n)
{
    al_bench_result r = {.status = AL_RUN_OK, .samples = x, .nsamples = n, .alloc_calls = -1,
                         .instructions = -1, .est_cycles = -1};
    snprintf(r.workload, sizeof r.workload, "%s", w);
    snprintf(r.param, sizeof r.param, "%s", p);
    snprintf(r.allocator, sizeof r.allocator, "%s", a);
    al_summarize(x, n, &r.s);
    return r;
}

static void test_report_table(void **state)
{
    (void)state;
    double fast[] = {98, 99, 100, 101, 102}, slow[] = {196, 198, 200, 202, 204};
    double big[] = {1500000, 1500000, 1500000, 1500000, 1500000};
    double noisy[] = {100, 150, 80, 200, 120, 90, 300, 110, 100, 95};
    double skewed[] = {1.85e6, 10.3e6, 245e6};
    al_bench_result rs[6];
    rs[0] = fake("wl", "16", "sys", fast, 5);
    rs[1] = fake("wl", "16", "je", slow, 5);
    rs[2] = fake("wl", "64", "sys", big, 5);
    rs[3] = fake("wl", "64", "je", noisy, 10);
    rs[4] = fake("wl", "128", "je", NULL, 0);
    rs[4].status = AL_RUN_UNSUPPORTED;
    snprintf(rs[4].reason, sizeof rs[4].reason, "too big for it");
    /* A lopsided CI: "10.3 ± 122 ms" would hide that it reaches 245 ms. */
    rs[5] = fake("wl", "128", "sys", skewed, 3);
    rs[5].s.median = 10.3e6;
    rs[5].s.ci_low = 1.85e6;
    rs[5].s.ci_high = 245e6;
    for (int i = 0; i < 6; i++) rs[i].alloc_calls = -1;
    rs[0].alloc_calls = 17;
    rs[1].alloc_calls = 19;
    al_bench_run run = {.results = rs, .nresults = 6};
    al_bench_context_detect(&run.ctx);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(al_report_table(f, &run), 0);
    fclose(f);
    assert_non_null(strstr(buf, "wl\n"));
    assert_non_null(strstr(buf, "100 ± "));     /* ns with the CI half-width */
    assert_non_null(strstr(buf, "1.00x"));
    assert_non_null(strstr(buf, "2.00x"));
    /* One unit per column, in its header, suiting the column's typical value. */
    assert_non_null(strstr(buf, "time ns"));
    assert_non_null(strstr(buf, "time \u00b5s"));
    assert_non_null(strstr(buf, "1500 \u00b1 0.00 ")); /* 1.5 ms in the 64 column's µs */
    assert_non_null(strstr(buf, "time ms"));
    assert_non_null(strstr(buf, "10.3 [1.85, 245] ")); /* lopsided: the interval itself */
    assert_null(strstr(buf, "± 122"));
    assert_non_null(strstr(buf, "[low, high]")); /* and a line saying what it is */
    assert_null(strstr(buf, "--quick"));
    assert_non_null(strstr(buf, "unsupported"));
    assert_non_null(strstr(buf, "too big for it"));
    /* Counted calls: only the column that has them, as a range. */
    assert_non_null(strstr(buf, "allocator calls per iteration: 16 17-19\n"));
    /* One warning line names the noisy cell, and only it. */
    const char *noisy_line = strstr(buf, "Warning: noisy, 95% CI wider than 10% of the median: ");
    assert_non_null(noisy_line);
    const char *eol = strchr(noisy_line, '\n');
    assert_non_null(eol);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(eol - noisy_line), noisy_line);
    assert_non_null(strstr(line, "64/je"));
    assert_null(strstr(line, "16/sys"));
    assert_null(strstr(line, "64/sys"));
    /* Rows align: the header and both rows have the same display width. */
    const char *hdr = strstr(buf, "\nallocator");
    assert_non_null(hdr);
    size_t widths[3] = {0};
    const char *p = hdr + 1;
    for (int row = 0; row < 3; row++) {
        for (; *p && *p != '\n'; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) widths[row]++;
        p++;
    }
    assert_int_equal(widths[0], widths[1]);
    assert_int_equal(widths[1], widths[2]);
    free(buf);

    /* A --quick run says in the header, in one line, what it is worth. */
    run.ctx.quick = true;
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(al_report_table(f, &run), 0);
    fclose(f);
    const char *second = strstr(buf, "\n--quick: ");
    assert_non_null(second);
    assert_true(second < strstr(buf, "\nwl"));  /* in the header, before the tables */
    assert_non_null(strstr(second, "statistical"));
    free(buf);
}

int main(int argc, char **argv)
{
    wl_test_register_allocators();
    const al_workload *mine[] = {&w_ok,    &w_crash, &w_fail,  &w_hang,     &w_unsup,
                                 &w_slow,  &w_fixed, &w_zero,  &w_busy2,    &w_hangtear, &w_pass};
    n_builtin = al_workload_count();
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        if (al_workload_register(mine[i]) != 0) return 1;
    /* Under valgrind this program is the benchmark child (al_callgrind_measure
     * runs /proc/self/exe with "--callgrind-child ..."). */
    if (argc > 1 && strcmp(argv[1], "--callgrind-child") == 0) return al_callgrind_child_main(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_rejects_bad_and_duplicate),
        cmocka_unit_test(test_plan_default_covers_everything),
        cmocka_unit_test(test_plan_filter_and_params),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_execute_ok),
        cmocka_unit_test(test_execute_failures_become_results),
        cmocka_unit_test(test_execute_timeout_kills),
        cmocka_unit_test(test_quick_budget_caps_slow_groups),
        cmocka_unit_test(test_teardown_timeout_kills),
        cmocka_unit_test(test_rounds_rotate),
        cmocka_unit_test(test_passes_interleave_groups),
        cmocka_unit_test(test_fixed_iters_skip_calibration),
        cmocka_unit_test(test_verification_iterations),
        cmocka_unit_test(test_cpu_time),
        cmocka_unit_test(test_instruction_mode_refused_when_unavailable),
        cmocka_unit_test(test_instruction_mode_is_deterministic),
        cmocka_unit_test(test_context_detect),
        cmocka_unit_test(test_report_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
