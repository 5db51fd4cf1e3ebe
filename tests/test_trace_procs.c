/* The tracer and processes: a forked child is recorded as its own section
 * with --follow-forks (also when the program allocates nothing before main,
 * and with --stacks), and not without it. The tests preload the recorder and
 * skip under sanitizer builds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cli_run run;

/* Trace PROG (NULL-terminated) with the options given before it, expecting
 * exit status want_exit; the trace read back. */
static al_trace *trace_it(const char *name, const char *const *opts, const char *const *prog, int want_exit)
{
    const char *args[40];
    size_t n = 0;
    args[n++] = "trace";
    for (size_t i = 0; opts && opts[i]; i++) args[n++] = opts[i];
    args[n++] = "-o";
    args[n++] = synth_group_path(name);
    args[n++] = "--";
    for (size_t i = 0; prog[i]; i++) args[n++] = prog[i];
    args[n] = NULL;
    assert_int_equal(cli_run_args(&run, NULL, CLI_KEEP_STACK, args), 0);
    if (cli_exit_code(&run) != want_exit) fail_msg("%s: exit %d: %s", prog[0], cli_exit_code(&run), run.err);
    char err[512];
    al_trace *t = al_trace_read(synth_group_path(name), err, sizeof err);
    if (!t) fail_msg("%s: %s", name, err);
    return t;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forked_child_is_recorded),
        cmocka_unit_test(test_fork_without_follow_records_the_parent),
        cmocka_unit_test(test_perl_fork_with_stacks),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
