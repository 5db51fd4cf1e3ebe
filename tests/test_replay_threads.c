/* Replay: every registry allocator replays small multi-threaded traces with
 * their cross-thread frees; corrupting allocators are caught by the block
 * checks; a fixed capacity is reported unsupported with what the trace
 * needs; real programs' traces replay; a replay traced again shows the
 * original's per-thread profile; the replay and recommend commands work
 * and refuse bad files. Tests that preload the recorder skip under
 * sanitizers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "profile.h"
#include "replay.h"
#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "synth_trace.h"
#include "wl_test_allocs.h"
#include "writer.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cli_run run;

/* ---- synthetic traces ----------------------------------------------------------
 * nthreads threads; thread i allocates n blocks (sizes from `size`), frees
 * its even blocks at once (temporaries), reallocs block 1 to twice its size,
 * and its odd blocks are freed by thread i+1 after every allocation. */
static uint64_t block_addr(unsigned th, unsigned b) { return 0x10000000ull * (th + 1) + 0x10000ull * b; }

static void synth(const char *path, unsigned nthreads, unsigned n, uint64_t (*size)(unsigned))
{
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(8 << 20);
    assert_non_null(w);
    const uint64_t id = 77;
    synth_trace_section(w, fd, id, 4242, "synth", 1000);
    uint64_t total = 0;
    for (unsigned th = 0; th < nthreads; th++) {
        al_ev_rec *recs = malloc((4u * n + 8) * sizeof *recs), *q = recs;
        assert_non_null(recs);
        unsigned prev = (th + nthreads - 1) % nthreads;
        for (unsigned b = 0; b < n; b++) {
            uint64_t t = 2000 + 100ull * b + th;
            q = synth_rec_alloc(q, AL_EV_MALLOC, t, size(b), block_addr(th, b));
            if (b % 2 == 0) q = synth_rec_free(q, t + 10, block_addr(th, b));
        }
        if (n > 1) { /* realloc block 1: grows, moves to a fresh address */
            uint64_t t = 2000 + 100ull * n + th;
            q = synth_rec_realloc(q, t, t + 5, block_addr(th, 1), 2 * size(1), block_addr(th, 1) + 0x8000);
        }
        /* The previous thread's odd blocks, after everyone's allocations. */
        for (unsigned b = 1; b < n; b += 2)
            q = synth_rec_free(q, 1000000 + 100ull * b + th, block_addr(prev, b) + (b == 1 ? 0x8000 : 0));
        total += synth_trace_events(w, fd, id, th, 100 + th, 0, recs, (size_t)(q - recs));
        free(recs);
    }
    synth_trace_end(w, fd, id, 5000000, total);
    al_tw_free(w);
    close(fd);
}

static uint64_t small_sizes(unsigned b) { return 8 + (b * 37) % 700; }
static uint64_t big_sizes(unsigned b) { (void)b; return 100000; }

/* Block 3 claims more than any allocator serves (a damaged trace): odd
 * blocks are freed by the next thread, which would wait for it for ever. */
static uint64_t one_huge(unsigned b) { return b == 3 ? (uint64_t)AL_MAX_SIZE + 1 : 64; }

static al_replay_plan *plan_of(const char *path)
{
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    al_replay_plan *p = al_replay_plan_make(t, err, sizeof err);
    if (!p) fail_msg("%s", err);
    al_trace_free(t);
    return p;
}

static al_run_status replay_on(const al_replay_plan *p, const char *spec, char *why, size_t whylen,
                               uint64_t *cross)
{
    al_allocator *a = al_create(spec, NULL);
    if (!a) fail_msg("%s: %s", spec, al_last_error());
    al_replay *r = al_replay_new(p, a, AL_TOUCH_ENDS, why, whylen);
    if (!r) fail_msg("%s: %s", spec, why);
    al_run_status st = al_replay_once(r, why, whylen);
    if (st == AL_RUN_OK) st = al_replay_once(r, why, whylen); /* twice: it leaves nothing behind */
    if (cross) *cross = al_replay_cross_frees(r);
    al_replay_free(r);
    al_destroy(a);
    return st;
}

static void test_every_registry_allocator(void **state)
{
    (void)state;
    synth(synth_group_path("mt.trace"), 3, 300, small_sizes);
    al_replay_plan *p = plan_of(synth_group_path("mt.trace"));
    assert_int_equal(p->nthreads, 3);
    assert_int_equal(p->cross_frees, 3 * 150);
    size_t ran = 0;
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        if (al_spec_unavailable(b->name) || strncmp(b->name, "wl-", 3) == 0) continue;
        char spec[96], why[256];
        snprintf(spec, sizeof spec, "%s%s", (b->caps & AL_CAP_THREAD_SAFE) ? "" : "locked:", b->name);
        uint64_t cross = 0;
        al_run_status st = replay_on(p, spec, why, sizeof why, &cross);
        if (st != AL_RUN_OK) fail_msg("%s: %s", spec, why);
        assert_int_equal(cross, 2 * p->cross_frees);
        ran++;
    }
    assert_true(ran >= 8);
    al_replay_plan_free(p);
}

/* A threaded trace on an allocator that is not thread-safe is refused with
 * the way out, not raced into false overlaps. */
static void test_threaded_trace_needs_a_thread_safe_allocator(void **state)
{
    (void)state;
    synth(synth_group_path("mt2.trace"), 3, 50, small_sizes);
    al_replay_plan *p = plan_of(synth_group_path("mt2.trace"));
    al_allocator *a = al_create("arena", NULL);
    assert_non_null(a);
    char why[256] = "";
    assert_null(al_replay_new(p, a, AL_TOUCH_ENDS, why, sizeof why));
    assert_non_null(strstr(why, "not thread-safe"));
    al_destroy(a);
    al_replay_plan_free(p);
}

static void test_corrupting_allocators_fail(void **state)
{
    (void)state;
    wl_test_register_allocators();
    synth(synth_group_path("one.trace"), 1, 200, small_sizes);
    al_replay_plan *p = plan_of(synth_group_path("one.trace"));
    /* One thread frees its own odd blocks at the end: all stay live a while. */
    const char *bad[] = {"wl-evil", "wl-dup13", "wl-short"};
    for (size_t i = 0; i < 3; i++) {
        char why[256] = "";
        al_run_status st = replay_on(p, bad[i], why, sizeof why, NULL);
        if (st != AL_RUN_FAILED) fail_msg("%s was not caught (status %d)", bad[i], st);
        if (!strstr(why, "overwritten") && !strstr(why, "lost its contents")) fail_msg("%s: %s", bad[i], why);
    }
    char why[256];
    assert_int_equal(replay_on(p, "sys", why, sizeof why, NULL), AL_RUN_OK);
    al_replay_plan_free(p);
}

static void test_capacity_is_unsupported_with_the_need(void **state)
{
    (void)state;
    wl_test_register_allocators();
    synth(synth_group_path("big.trace"), 1, 120, big_sizes);
    al_replay_plan *p = plan_of(synth_group_path("big.trace"));
    char why[256] = "";
    assert_int_equal(replay_on(p, "wl-tiny", why, sizeof why, NULL), AL_RUN_UNSUPPORTED);
    if (!strstr(why, "the trace needs >=")) fail_msg("%s", why);
    assert_int_equal(replay_on(p, "bump", why, sizeof why, NULL), AL_RUN_UNSUPPORTED);
    if (!strstr(why, "in all (it frees nothing)")) fail_msg("%s", why);
    assert_int_equal(replay_on(p, "arena", why, sizeof why, NULL), AL_RUN_OK);
    al_replay_plan_free(p);
}

static void test_commands(void **state)
{
    (void)state;
    synth(synth_group_path("cmd.trace"), 2, 200, small_sizes);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", synth_group_path("cmd.trace"), "--allocators", "sys,arena",
                             "--quick", "--no-db"), 0);
    if (cli_exit_code(&run) != 0) fail_msg("replay: %s", run.err);
    assert_non_null(strstr(run.out, "replay"));
    assert_non_null(strstr(run.out, "arena"));
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", synth_group_path("cmd.trace"), "--allocators", "sys,arena",
                             "--quick"), 0);
    if (cli_exit_code(&run) != 0) fail_msg("recommend: %s", run.err);
    /* arena cannot be a program's malloc: the only candidate is glibc. */
    char line[512];
    assert_non_null(cli_line_with(run.out, "recommendation:", line, sizeof line));
    assert_non_null(strstr(line, "glibc"));
    assert_non_null(strstr(run.out, "arena"));
    assert_non_null(cli_line_with(run.out, "measured:", line, sizeof line));
    if (strstr(line, "tc") || strstr(line, "mi ")) fail_msg("only sys and arena were measured: %s", line);
    /* Bad input: one line, status 2, nothing run. */
    FILE *f = fopen(synth_group_path("bad.trace"), "w");
    assert_non_null(f);
    fputs("not a trace at all\n", f);
    fclose(f);
    const char *cmds[] = {"replay", "recommend"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, cmds[i], synth_group_path("bad.trace")), 0);
        assert_int_equal(cli_exit_code(&run), 2);
        assert_int_equal(cli_count_lines(run.err), 1);
        assert_non_null(strstr(run.err, "not an alloclab trace"));
    }
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", synth_group_path("cmd.trace"), "--workloads", "x"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", synth_group_path("cmd.trace"), "--allocators", "nosuch"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    /* A bad option before -- is refused before anything is traced; a trace
     * file and a program are not both taken. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", "--mode", "fast", "--", "true"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(cli_count_lines(run.err), 1);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", synth_group_path("cmd.trace"), "--", "true"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_non_null(strstr(run.err, "one trace file"));
}

/* The number of entries of a folder named alloclab-recommend-* in dir. */
static int recommend_leftovers(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -d %s/alloclab-recommend-* 2>/dev/null | wc -l", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* recommend -- PROGRAM: traced into a temporary file, run under each
 * allocator, recommended on both; the temporary file is gone after, also
 * when the program cannot be traced. */
static void test_recommend_program(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    char dir[512];
    snprintf(dir, sizeof dir, "%s", synth_group_path("rectmp"));
    assert_int_equal(mkdir(dir, 0700), 0);
    setenv("TMPDIR", dir, 1);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", "--allocators", "sys,arena", "--quick", "--",
                             ALLOCLAB_TRACE_PATTERN, "20", "2", "5", "5"), 0);
    if (cli_exit_code(&run) != 0) fail_msg("recommend -- PROGRAM: %s", run.err);
    char line[512];
    assert_non_null(cli_line_with(run.out, "recommendation:", line, sizeof line));
    assert_non_null(strstr(run.out, "ranked on the program's own runs"));
    assert_non_null(strstr(run.out, "your program"));
    assert_int_equal(recommend_leftovers(dir), 0);
    /* A program that fails under the tracer: one line about it, status 2. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "recommend", "--quick", "--", "sh", "-c", "exit 3"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_non_null(strstr(run.err, "status 3"));
    assert_int_equal(recommend_leftovers(dir), 0);
    unsetenv("TMPDIR");
}

/* ---- with the recorder ----------------------------------------------------------- */
static al_trace *trace_cmd(const char *name, const char *const *prog)
{
    const char *args[32];
    size_t n = 0;
    args[n++] = "trace";
    args[n++] = "--follow-forks";
    args[n++] = "-o";
    args[n++] = synth_group_path(name);
    args[n++] = "--";
    for (size_t i = 0; prog[i]; i++) args[n++] = prog[i];
    args[n] = NULL;
    assert_int_equal(cli_run_args(&run, NULL, CLI_KEEP_STACK, args), 0);
    if (cli_exit_code(&run) != 0) fail_msg("%s: %s", prog[0], run.err);
    char err[512];
    al_trace *t = al_trace_read(synth_group_path(name), err, sizeof err);
    if (!t) fail_msg("%s", err);
    return t;
}

static void test_real_programs_replay(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    FILE *f = fopen(synth_group_path("small.c"), "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint square(int x) { return x * x; }\n", f);
    fclose(f);
    const char *sh[] = {"sh", "-c", "seq 1 2000 | sort -r | uniq | wc -l", NULL};
    const char *perl[] = {"perl", "-e", "my %h; $h{$_} = [$_] for 1..5000; print scalar(keys %h), qq(\\n)", NULL};
    char obj[256], src[256];
    snprintf(obj, sizeof obj, "%s", synth_group_path("small.o"));
    snprintf(src, sizeof src, "%s", synth_group_path("small.c"));
    const char *gcc[] = {"gcc", "-O2", "-c", "-o", obj, src, NULL};
    const char *const *progs[] = {sh, perl, gcc};
    const char *names[] = {"sh.trace", "perl.trace", "gcc.trace"};
    for (size_t i = 0; i < 3; i++) {
        al_trace_free(trace_cmd(names[i], progs[i]));
        al_replay_plan *p = plan_of(synth_group_path(names[i]));
        if (p->ops < 300) fail_msg("%s: only %llu operations", names[i], (unsigned long long)p->ops);
        /* A trace of several threads (sh's pipeline: one per process)
         * shares one allocator among the replay's threads: arena behind a
         * lock, as the replay command gives it. */
        const char *specs[] = {"sys", "mi", p->nthreads > 1 ? "locked:arena" : "arena", "locked:pool"};
        for (size_t k = 0; k < 4; k++) {
            char why[256];
            if (al_spec_unavailable(specs[k])) continue;
            al_run_status st = replay_on(p, specs[k], why, sizeof why, NULL);
            if (st != AL_RUN_OK) fail_msg("%s on %s: %s", names[i], specs[k], why);
        }
        al_replay_plan_free(p);
    }
}

/* Per-thread figures of a trace's threads that made blocks. */
typedef struct th_fig {
    uint64_t allocations, frees, temporary, frees_of_others, freed_elsewhere, bytes;
} th_fig;

static size_t figures(const char *path, th_fig *out, size_t max)
{
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    al_profile *p = al_profile_compute(t);
    assert_non_null(p);
    size_t n = 0;
    for (size_t i = 0; i < p->nthreads && n < max; i++)
        out[n++] = (th_fig){p->threads[i].allocations, p->threads[i].frees, p->threads[i].temporary,
                            p->threads[i].frees_of_others, p->threads[i].freed_elsewhere, p->threads[i].bytes};
    al_profile_free(p);
    al_trace_free(t);
    return n;
}

static void test_retraced_replay_gives_the_same_profile(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *pat[] = {ALLOCLAB_TRACE_PATTERN, "30", "3", "20", "10", NULL};
    al_trace_free(trace_cmd("orig.trace", pat));
    const char *again[] = {ALLOCLAB_REPLAY_ONCE, synth_group_path("orig.trace"), "sys", NULL};
    al_trace_free(trace_cmd("again.trace", again));
    th_fig a[64], b[64];
    size_t na = figures(synth_group_path("orig.trace"), a, 64), nb = figures(synth_group_path("again.trace"), b, 64);
    /* Every worker of the original (it frees another's blocks) has a replay
     * thread with the same figures. */
    size_t workers = 0;
    for (size_t i = 0; i < na; i++) {
        if (!a[i].frees_of_others) continue;
        workers++;
        bool found = false;
        for (size_t j = 0; j < nb && !found; j++)
            found = memcmp(&a[i], &b[j], sizeof a[i]) == 0;
        if (!found)
            fail_msg("no replay thread with allocations %llu frees %llu temporary %llu cross %llu/%llu bytes %llu",
                     (unsigned long long)a[i].allocations, (unsigned long long)a[i].frees,
                     (unsigned long long)a[i].temporary, (unsigned long long)a[i].frees_of_others,
                     (unsigned long long)a[i].freed_elsewhere, (unsigned long long)a[i].bytes);
    }
    assert_int_equal(workers, 3);
}

/* A block no program could have been handed is refused with the reason,
 * not skipped (its free on another thread would then wait for ever). */
static void test_impossible_block_refused(void **state)
{
    (void)state;
    const char *path = synth_group_path("huge.trace");
    synth(path, 2, 8, one_huge);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    al_replay_plan *p = al_replay_plan_make(t, err, sizeof err);
    al_trace_free(t);
    assert_null(p);
    assert_non_null(strstr(err, "damaged"));
}


int main(void)
{
    /* The tests that fork come first: once jemalloc has served several
     * threads in this process, its fork handler takes more locks than TSan's
     * deadlock detector can follow. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impossible_block_refused),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_recommend_program),
        cmocka_unit_test(test_real_programs_replay),
        cmocka_unit_test(test_retraced_replay_gives_the_same_profile),
        cmocka_unit_test(test_every_registry_allocator),
        cmocka_unit_test(test_threaded_trace_needs_a_thread_safe_allocator),
        cmocka_unit_test(test_corrupting_allocators_fail),
        cmocka_unit_test(test_capacity_is_unsupported_with_the_need),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
