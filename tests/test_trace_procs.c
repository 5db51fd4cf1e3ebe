/* The tracer and processes: a forked child is recorded as its own section
 * with --follow-forks (also when the program allocates nothing before main,
 * and with --stacks), and not without it; an image's END is written once its
 * exec succeeded (by the new image), and a failed exec leaves the process
 * recording in the same section; SIGTERM, SIGINT and SIGHUP sent to
 * `alloclab trace` end the program too (never left running), and the trace
 * is still finished. The tests preload the recorder and skip under sanitizer
 * builds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "trace.h"
#include "trace_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static cli_run run;

static al_trace *trace_it(const char *name, const char *const *opts, const char *const *prog, int want_exit)
{
    return trace_run(&run, synth_group_path(name), opts, prog, want_exit);
}

/* Events of section si of the given kind and size. */
static uint64_t count_calls(const al_trace *t, size_t si, unsigned kind, uint64_t size)
{
    uint64_t n = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        const al_trace_event *e = &t->events[i];
        if (t->threads[e->thread].section == si && e->kind == kind && e->size == size) n++;
    }
    return n;
}

static void check_fork_trace(al_trace *t)
{
    assert_int_equal(t->nsections, 2);
    size_t parent = t->sections[0].parent ? 1 : 0, child = 1 - parent;
    assert_int_equal(t->sections[child].parent, t->sections[parent].id);
    assert_int_equal(t->sections[parent].parent, 0);
    for (size_t i = 0; i < 2; i++) assert_true(t->sections[i].end_flags & AL_END_COMPLETE);
    assert_int_equal(count_calls(t, child, AL_EV_MALLOC, 24), 100);
    assert_int_equal(count_calls(t, child, AL_EV_MALLOC, 40), 0);
    assert_int_equal(count_calls(t, parent, AL_EV_MALLOC, 40), 10);
    assert_int_equal(count_calls(t, parent, AL_EV_MALLOC, 24), 0);
    assert_int_equal(t->unknown_frees, 0);
}

static void test_forked_child_is_recorded(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {ALLOCLAB_TRACE_PROCS, "fork", "100", NULL};
    const char *follow[] = {"--follow-forks", NULL};
    al_trace *t = trace_it("fork.trace", follow, prog, 0);
    check_fork_trace(t);
    al_trace_free(t);
#if ALLOCLAB_HAVE_LIBUNWIND
    const char *both[] = {"--stacks", "--follow-forks", NULL};
    t = trace_it("fork-stacks.trace", both, prog, 0);
    check_fork_trace(t);
    al_trace_free(t);
#endif
}

static void test_fork_without_follow_records_the_parent(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {ALLOCLAB_TRACE_PROCS, "fork", "100", NULL};
    al_trace *t = trace_it("nofollow.trace", NULL, prog, 0);
    assert_int_equal(t->nsections, 1);
    assert_int_equal(count_calls(t, 0, AL_EV_MALLOC, 24), 0);
    assert_int_equal(count_calls(t, 0, AL_EV_MALLOC, 40), 10);
    al_trace_free(t);
}

/* perl forks a child that builds strings: both processes are in the trace
 * and in its profile. */
static void test_perl_fork_with_stacks(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    if (access("/usr/bin/perl", X_OK) != 0) {
        print_message("skipped: no /usr/bin/perl\n");
        skip();
    }
    const char *prog[] = {"perl", "-e", "if (fork) { wait } else { my @a = map { \"x\" x $_ } 1..1000 }", NULL};
#if ALLOCLAB_HAVE_LIBUNWIND
    const char *opts[] = {"--stacks", "--follow-forks", NULL};
#else
    const char *opts[] = {"--follow-forks", NULL};
#endif
    al_trace *t = trace_it("perl-fork.trace", opts, prog, 0);
    assert_int_equal(t->nsections, 2);
    assert_true(t->sections[0].events > 500 && t->sections[1].events > 500);
    al_trace_free(t);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("perl-fork.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "holds 2 processes"));
}

/* An exec that fails: the process goes on in the same section, which ends
 * at exit (not as an exec), with every call before and after it. */
static void test_failed_exec_keeps_recording(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {ALLOCLAB_TRACE_PROCS, "execfail", "100", NULL};
    al_trace *t = trace_it("execfail.trace", NULL, prog, 0);
    assert_int_equal(t->nsections, 1);
    assert_int_equal(t->sections[0].end_flags, AL_END_COMPLETE);
    assert_int_equal(t->sections[0].lost, 0);
    assert_int_equal(count_calls(t, 0, AL_EV_MALLOC, 56), 200);
    uint64_t frees = 0;
    for (size_t i = 0; i < t->nevents; i++)
        if (t->events[i].kind == AL_EV_FREE && t->events[i].size == 56) frees++;
    assert_int_equal(frees, 200);
    assert_int_equal(t->unknown_frees, 0);
    al_trace_free(t);
}

/* An exec that succeeds: the first image's section ends as an exec with all
 * its calls, the new image (and, with --follow-forks, its child) records. */
static void test_exec_ends_the_image_after_it_succeeded(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {ALLOCLAB_TRACE_PROCS, "exec", "50", NULL};
    const char *follow[] = {"--follow-forks", NULL};
    for (int f = 0; f < 2; f++) {
        al_trace *t = trace_it("exec.trace", f ? follow : NULL, prog, 0);
        assert_int_equal(t->nsections, f ? 3 : 2);
        size_t first = SIZE_MAX;
        for (size_t i = 0; i < t->nsections; i++)
            if (count_calls(t, i, AL_EV_MALLOC, 72) > 0) first = i;
        assert_true(first != SIZE_MAX);
        assert_int_equal(t->sections[first].end_flags, AL_END_COMPLETE | AL_END_EXEC);
        assert_int_equal(count_calls(t, first, AL_EV_MALLOC, 72), 50);
        uint64_t c24 = 0, c40 = 0;
        for (size_t i = 0; i < t->nsections; i++) {
            assert_true(t->sections[i].end_flags & AL_END_COMPLETE);
            c24 += count_calls(t, i, AL_EV_MALLOC, 24);
            c40 += count_calls(t, i, AL_EV_MALLOC, 40);
        }
        assert_int_equal(c40, 10);
        assert_int_equal(c24, f ? 50 : 0);
        al_trace_free(t);
    }
}

/* The pid the program wrote to path once it runs, waiting up to 20 s; 0 when
 * it never did. */
static long wait_for_pid_file(const char *path)
{
    for (int i = 0; i < 2000; i++) {
        FILE *f = fopen(path, "r");
        long pid = 0;
        if (f) {
            if (fscanf(f, "%ld", &pid) != 1) pid = 0;
            fclose(f);
            if (pid > 0) return pid;
        }
        struct timespec d = {0, 10 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    return 0;
}

static void test_signal_ends_the_program_and_the_trace(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t k = 0; k < 3; k++) {
        char ready[256], out[256];
        snprintf(ready, sizeof ready, "%s", synth_group_path("ready"));
        snprintf(out, sizeof out, "%s", synth_group_path("signal.trace"));
        unlink(ready);
        pid_t cli = fork();
        assert_true(cli >= 0);
        if (cli == 0) {
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            execl(ALLOCLAB_CLI, ALLOCLAB_CLI, "trace", "-o", out, "--", ALLOCLAB_TRACE_PROCS, "wait", ready, (char *)NULL);
            _exit(127);
        }
        long prog = wait_for_pid_file(ready);
        if (!prog) {
            kill(cli, SIGKILL);
            waitpid(cli, NULL, 0);
            fail_msg("the traced program never started");
        }
        assert_int_equal(kill(cli, sigs[k]), 0);
        int st;
        assert_int_equal(waitpid(cli, &st, 0), cli);
        /* alloclab ends by the signal it was sent, the program is gone (it
         * was its child and was waited for: no such process any more). */
        if (!WIFSIGNALED(st) || WTERMSIG(st) != sigs[k])
            fail_msg("alloclab trace: wait status %#x after signal %d", st, sigs[k]);
        errno = 0;
        if (kill((pid_t)prog, 0) == 0 || errno != ESRCH) {
            kill((pid_t)prog, SIGKILL);
            fail_msg("the traced program %ld still runs after signal %d", prog, sigs[k]);
        }
        /* The trace was finished: repaired, with the program's end. */
        char err[512];
        al_trace *t = al_trace_read(out, err, sizeof err);
        if (!t) fail_msg("%s", err);
        assert_int_equal(t->nsections, 1);
        assert_true(t->sections[0].end_flags & AL_END_REPAIRED);
        assert_int_equal(t->sections[0].exit_status, (uint64_t)sigs[k] + 1);
        al_trace_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forked_child_is_recorded),
        cmocka_unit_test(test_fork_without_follow_records_the_parent),
        cmocka_unit_test(test_perl_fork_with_stacks),
        cmocka_unit_test(test_failed_exec_keeps_recording),
        cmocka_unit_test(test_exec_ends_the_image_after_it_succeeded),
        cmocka_unit_test(test_signal_ends_the_program_and_the_trace),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
