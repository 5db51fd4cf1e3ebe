/* Replaying every process of a multi-process trace: a hand-made trace of
 * three processes with known counts is loaded as three plans (one with two
 * threads and cross-thread frees), each replays on its own; the sum over
 * the processes adds their samples, counts and memory exactly, and carries
 * a process's failure; the replay command reports each process and the
 * whole; recommend ranks on the whole; a real shell pipeline traced with
 * --follow-forks replays every process that allocated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "replay.h"
#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "synth_trace.h"
#include "writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cli_run run;

/* Four sections: process 100, one thread with N0 mallocs each freed at
 * once; process 101, two threads, the second freeing the first's N1 blocks;
 * process 103, no call at all (a fork child that exec'd at once); process
 * 101 again (the image after its exec), one thread growing a block N3
 * times. */
enum { N0 = 300, N1 = 200, N3 = 50 };

static uint64_t addr(unsigned proc, unsigned th, unsigned b)
{
    return 0x100000000ull * (proc + 1) + 0x1000000ull * th + 0x1000ull * b;
}

static void synth_procs(const char *path)
{
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(8 << 20);
    assert_non_null(w);
    al_ev_rec *recs = malloc(4096 * sizeof *recs), *q;
    assert_non_null(recs);

    /* Process 0: N0 mallocs of 32 B, each freed at once. */
    synth_trace_section(w, fd, 10, 100, "proc0", 1000);
    q = recs;
    for (unsigned b = 0; b < N0; b++) {
        q = synth_rec_alloc(q, AL_EV_MALLOC, 2000 + 10ull * b, 32, addr(0, 0, b));
        q = synth_rec_free(q, 2005 + 10ull * b, addr(0, 0, b));
    }
    uint64_t e0 = synth_trace_events(w, fd, 10, 0, 100, 0, recs, (size_t)(q - recs));

    /* Process 1: thread 0 allocates N1 blocks of 100 B, thread 1 frees them. */
    synth_trace_section(w, fd, 11, 101, "proc1", 1000);
    q = recs;
    for (unsigned b = 0; b < N1; b++) q = synth_rec_alloc(q, AL_EV_MALLOC, 2000 + 10ull * b, 100, addr(1, 0, b));
    uint64_t e1 = synth_trace_events(w, fd, 11, 0, 101, 0, recs, (size_t)(q - recs));
    q = recs;
    for (unsigned b = 0; b < N1; b++) q = synth_rec_free(q, 100000 + 10ull * b, addr(1, 0, b));
    e1 += synth_trace_events(w, fd, 11, 1, 102, 0, recs, (size_t)(q - recs));

    /* Process 2: no call. */
    synth_trace_section(w, fd, 12, 103, "proc2", 1000);

    /* Process 3: pid 101 after its exec: a block grown N3 times, freed. */
    synth_trace_section(w, fd, 13, 101, "proc3", 300000);
    q = recs;
    q = synth_rec_alloc(q, AL_EV_MALLOC, 300100, 16, addr(3, 0, 0));
    for (unsigned b = 1; b <= N3; b++)
        q = synth_rec_realloc(q, 300100 + 10ull * b, 300105 + 10ull * b, addr(3, 0, b - 1), 16 + 16ull * b,
                              addr(3, 0, b));
    q = synth_rec_free(q, 400000, addr(3, 0, N3));
    uint64_t e3 = synth_trace_events(w, fd, 13, 0, 101, 0, recs, (size_t)(q - recs));

    synth_trace_end(w, fd, 10, 500000, e0);
    synth_trace_end(w, fd, 11, 500000, e1);
    synth_trace_end(w, fd, 12, 500000, 0);
    synth_trace_end(w, fd, 13, 500000, e3);
    free(recs);
    al_tw_free(w);
    close(fd);
}

/* The set: every process that allocates, each its own plan and name. */
static void test_every_process_planned(void **state)
{
    (void)state;
    const char *path = synth_group_path("procs.trace");
    synth_procs(path);
    al_replay_set set;
    al_trace *t = NULL;
    char err[512];
    if (al_replay_load(path, &set, &t, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(set.name, "procs");
    assert_int_equal(set.n, 3);
    assert_string_equal(set.procs[0].name, "procs.100");
    assert_string_equal(set.procs[1].name, "procs.101");
    assert_string_equal(set.procs[2].name, "procs.101.2"); /* the same pid after its exec */
    assert_int_equal(set.procs[2].section, 3);
    const al_replay_plan *p0 = set.procs[0].plan, *p1 = set.procs[1].plan, *p3 = set.procs[2].plan;
    assert_int_equal(p0->nthreads, 1);
    assert_int_equal(p0->ops, 2 * N0);
    assert_int_equal(p0->peak_live, 32);
    assert_int_equal(p1->nthreads, 2);
    assert_int_equal(p1->ops, 2 * N1);
    assert_int_equal(p1->cross_frees, N1);
    assert_int_equal(p1->peak_live, 100 * N1);
    assert_int_equal(p3->nthreads, 1);
    assert_int_equal(p3->ops, N3 + 2);
    assert_int_equal(p3->peak_live, 16 + 16 * N3);
    /* Each replays alone on a thread-safe allocator, twice. */
    for (size_t i = 0; i < set.n; i++) {
        al_allocator *a = al_create("sys", NULL);
        assert_non_null(a);
        char why[256];
        al_replay *r = al_replay_new(set.procs[i].plan, a, AL_TOUCH_ENDS, why, sizeof why);
        if (!r) fail_msg("%s", why);
        assert_int_equal(al_replay_once(r, why, sizeof why), AL_RUN_OK);
        assert_int_equal(al_replay_once(r, why, sizeof why), AL_RUN_OK);
        assert_int_equal(al_replay_cross_frees(r), 2 * set.procs[i].plan->cross_frees);
        al_replay_free(r);
        al_destroy(a);
    }
    al_trace_free(t);
    al_replay_set_free(&set);
}

/* al_replay_sum on made-up results: samples, counts and memory add up;
 * a process's failure becomes the whole's, named. */
static void test_sum_adds_up(void **state)
{
    (void)state;
    al_replay_plan plans[2];
    memset(plans, 0, sizeof plans);
    plans[0].peak_live = 1000;
    plans[1].peak_live = 3000;
    al_replay_proc procs[2] = {{.name = "t.1", .pid = 1, .section = 0, .plan = &plans[0]},
                               {.name = "t.2", .pid = 2, .section = 1, .plan = &plans[1]}};
    al_replay_set set = {"t", procs, 2};
    al_bench_run r;
    synth_run_init(&r, NULL);
    const char *allocs[] = {"sys", "mi", "arena"};
    for (size_t a = 0; a < 3; a++)
        for (size_t p = 0; p < 2; p++) {
            bool fails = a == 2 && p == 1;
            al_bench_result *x = synth_add(&r, "replay", procs[p].name, allocs[a], fails ? AL_RUN_UNSUPPORTED : AL_RUN_OK,
                                           1000.0 * (double)(p + 1) * (double)(a + 1), 0.05, 20,
                                           fails ? "refused 1 MiB" : NULL, (unsigned)(7 * a + p));
            x->peak_rss_kib = 100 * (long)(p + 1);
            x->minor_faults = 10 * (long)(p + 1);
            x->major_faults = 0;
            x->alloc_calls = 50.0 * (double)(p + 1);
            x->cpu_median_ns = x->s.median;
            snprintf(x->metric_name, sizeof x->metric_name, "rss_ratio");
            x->metric = p == 0 ? 2.0 : 1.0; /* growth 2000 + 3000 over 4000 live */
        }
    size_t before = r.nresults;
    assert_int_equal(al_replay_sum(&r, &set, 5), 0);
    assert_int_equal(r.nresults, before + 3);
    for (size_t a = 0; a < 3; a++) {
        const al_bench_result *w = al_bench_run_find(&r, "replay", "t", allocs[a]);
        assert_non_null(w);
        if (a == 2) {
            assert_int_equal(w->status, AL_RUN_UNSUPPORTED);
            assert_non_null(strstr(w->reason, "process t.2: refused 1 MiB"));
            continue;
        }
        const al_bench_result *x0 = al_bench_run_find(&r, "replay", "t.1", allocs[a]);
        const al_bench_result *x1 = al_bench_run_find(&r, "replay", "t.2", allocs[a]);
        assert_int_equal(w->status, AL_RUN_OK);
        assert_int_equal(w->nsamples, 20);
        for (size_t k = 0; k < 20; k++) assert_true(w->samples[k] == x0->samples[k] + x1->samples[k]);
        assert_int_equal(w->peak_rss_kib, 300);
        assert_int_equal(w->minor_faults, 30);
        assert_true(w->alloc_calls == 150.0);
        assert_true(fabs(w->metric - 1.25) < 1e-12);
        assert_true(w->s.median > 0.9 * 3000.0 * (double)(a + 1) && w->s.median < 1.1 * 3000.0 * (double)(a + 1));
        assert_true(w->s.ci_low <= w->s.median && w->s.median <= w->s.ci_high);
        assert_true(w->cpu_median_ns == x0->cpu_median_ns + x1->cpu_median_ns);
    }
    /* Summing again adds nothing twice. */
    assert_int_equal(al_replay_sum(&r, &set, 5), 0);
    assert_int_equal(r.nresults, before + 3);
    al_bench_run_free(&r);
}

/* The commands: replay reports every process and the whole; recommend
 * ranks on the whole and says so. */
static void test_commands_on_every_process(void **state)
{
    (void)state;
    const char *path = synth_group_path("procs.trace");
    synth_procs(path);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", path, "--allocators", "sys,lab", "--quick", "--no-db",
                             "--format", "csv"),
                     0);
    if (cli_exit_code(&run) != 0) fail_msg("replay: %s", run.err);
    const char *rows[] = {"replay/procs.100/sys,", "replay/procs.101/sys,", "replay/procs.101.2/sys,",
                          "replay/procs/sys,", "replay/procs/lab,"};
    char line[1024];
    for (size_t i = 0; i < 5; i++)
        if (!cli_line_with(run.out, rows[i], line, sizeof line)) fail_msg("no %s in\n%s", rows[i], run.out);
    /* The whole's allocator calls per replay: every process's. */
    assert_non_null(cli_line_with(run.out, "replay/procs/sys,", line, sizeof line));
    char want[32];
    snprintf(want, sizeof want, ",%d,", 2 * N0 + 2 * N1 + N3 + 2);
    if (!strstr(line, want)) fail_msg("the sum's calls (%s) are not in %s", want, line);

    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", path, "--allocators", "sys,lab,arena", "--quick"), 0);
    if (cli_exit_code(&run) != 0) fail_msg("recommend: %s", run.err);
    assert_non_null(cli_line_with(run.out, "recommendation:", line, sizeof line));
    assert_non_null(strstr(run.out, "all 3 processes of the trace"));
    assert_non_null(cli_line_with(run.out, "why, from the profile", line, sizeof line));
    char calls[64];
    snprintf(calls, sizeof calls, "%d calls, 3 processes, 4 threads", 2 * N0 + 2 * N1 + N3 + 2);
    if (!strstr(line, calls)) fail_msg("%s: not %s", line, calls);
    /* The measured line lists each allocator once (the whole's), not per process. */
    assert_non_null(cli_line_with(run.out, "measured:", line, sizeof line));
    const char *first = strstr(line, " sys ");
    assert_non_null(first);
    assert_null(strstr(first + 1, " sys "));
}

/* A real pipeline: sh, ls, sort and head each replayed (those that
 * allocated), with their sum. */
static void test_real_pipeline(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *path = synth_group_path("pipe.trace");
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "trace", "--quiet", "--follow-forks", "-o", path, "--", "sh",
                             "-c", "ls /usr/bin | sort | head"),
                     0);
    if (cli_exit_code(&run) != 0) fail_msg("trace: %s", run.err);
    al_replay_set set;
    al_trace *t = NULL;
    char err[512];
    if (al_replay_load(path, &set, &t, err, sizeof err) != 0) fail_msg("%s", err);
    assert_true(set.n >= 3); /* sh, ls, sort at least; head too when it allocated */
    uint64_t ops = 0, events = 0;
    for (size_t i = 0; i < set.n; i++) ops += set.procs[i].plan->ops + set.procs[i].plan->skipped;
    for (size_t s = 0; s < t->nsections; s++) events += t->sections[s].events;
    assert_int_equal(ops, events); /* nothing of the trace left out */
    al_trace_free(t);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", path, "--allocators", "sys,mi", "--quick", "--no-db",
                             "--format", "csv"),
                     0);
    if (cli_exit_code(&run) != 0) fail_msg("replay: %s", run.err);
    char line[1024];
    for (size_t i = 0; i < set.n; i++) {
        char row[64];
        snprintf(row, sizeof row, "replay/%s/mi,", set.procs[i].name);
        if (!cli_line_with(run.out, row, line, sizeof line)) fail_msg("no %s", row);
        assert_non_null(strstr(line, ",ok,"));
    }
    assert_non_null(cli_line_with(run.out, "replay/pipe/sys,", line, sizeof line));
    assert_non_null(strstr(line, ",ok,"));
    al_replay_set_free(&set);
}

/* More processes that allocate than a replay runs: one line, status 2;
 * as many processes without a call cost nothing. */
static void test_too_many_processes(void **state)
{
    (void)state;
    const char *path = synth_group_path("many.trace");
    for (int round = 0; round < 2; round++) {
        unlink(path);
        int fd = al_tw_open(path);
        assert_true(fd >= 0);
        al_tw *w = al_tw_new(1 << 16);
        assert_non_null(w);
        /* Round 0: 300 processes allocate. Round 1: 2 do, 3000 make no call. */
        size_t n = round == 0 ? 300 : 3002;
        for (size_t i = 0; i < n; i++) {
            synth_trace_section(w, fd, 1000 + i, 2000 + i, "many", 1000);
            uint64_t events = 0;
            if (round == 0 || i < 2) {
                al_ev_rec recs[2], *q = recs;
                q = synth_rec_alloc(q, AL_EV_MALLOC, 2000, 64, 0x7000000);
                q = synth_rec_free(q, 2100, 0x7000000);
                events = synth_trace_events(w, fd, 1000 + i, 0, 2000 + i, 0, recs, (size_t)(q - recs));
            }
            synth_trace_end(w, fd, 1000 + i, 5000, events);
        }
        al_tw_free(w);
        close(fd);
        al_replay_set set;
        char err[512];
        int rc = al_replay_load(path, &set, NULL, err, sizeof err);
        if (round == 0) {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "at most 256"));
            assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", path, "--no-db"), 0);
            assert_int_equal(cli_exit_code(&run), 2);
            assert_int_equal(cli_count_lines(run.err), 1);
        } else {
            if (rc != 0) fail_msg("%s", err);
            assert_int_equal(set.n, 2);
            al_replay_set_free(&set);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_process_planned),
        cmocka_unit_test(test_sum_adds_up),
        cmocka_unit_test(test_commands_on_every_process),
        cmocka_unit_test(test_real_pipeline),
        cmocka_unit_test(test_too_many_processes),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
