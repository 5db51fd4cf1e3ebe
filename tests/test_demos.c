/* alloclab demo: each demo run through the built binary, its output and exit
 * status checked, including the inputs meant to break it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

#define MIB ((rlim_t)1 << 20)

static cli_run run; /* large: one per program, reused by every test */

/* A stderr of exactly one line "alloclab: ...". */
static void assert_one_error_line(const cli_run *r)
{
    assert_int_equal(cli_count_lines(r->err), 1);
    assert_memory_equal(r->err, "alloclab: ", 10);
}

/* ---- static-pool ---------------------------------------------------------- */

static void test_static_pool_echoes_a_short_line(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, "hello\n", CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "You entered: hello\n"));
    assert_int_equal(run.err_len, 0);
}

static void test_static_pool_takes_31_characters(void **state)
{
    (void)state;
    char in[40], want[64];
    memset(in, 'x', 31);
    strcpy(in + 31, "\n");
    snprintf(want, sizeof want, "You entered: %.31s\n", in);
    assert_int_equal(CLI_RUN(&run, in, CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, want));

    in[31] = '\0'; /* the same line ended by end of input instead of '\n' */
    assert_int_equal(CLI_RUN(&run, in, CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, want));
}

static void test_static_pool_refuses_32_characters_and_more(void **state)
{
    (void)state;
    const size_t lengths[] = {32, 33, 200};
    char in[256];
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        memset(in, 'y', lengths[i]);
        strcpy(in + lengths[i], "\n");
        assert_int_equal(CLI_RUN(&run, in, CLI_KEEP_STACK, "demo", "static-pool"), 0);
        assert_int_equal(cli_exit_code(&run), 1);
        assert_one_error_line(&run);
        assert_non_null(strstr(run.err, "31 characters"));
        assert_null(strstr(run.out, "You entered"));
    }
}

static void test_static_pool_refuses_empty_input(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 1);
    assert_one_error_line(&run);
    assert_null(strstr(run.out, "You entered"));

    assert_int_equal(CLI_RUN(&run, "\n", CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 1);
    assert_one_error_line(&run);
    assert_null(strstr(run.out, "You entered"));
}

static void test_static_pool_reads_only_the_first_line(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, "ab\ncd\n", CLI_KEEP_STACK, "demo", "static-pool"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "You entered: ab\n"));
    assert_null(strstr(run.out, "cd"));
}

static void test_static_pool_takes_no_arguments(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, "x\n", CLI_KEEP_STACK, "demo", "static-pool", "extra"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_one_error_line(&run);
}

/* ---- stack-limit ---------------------------------------------------------- */

/* Whether the hard limit lets a child set its soft RLIMIT_STACK to want. */
static int stack_limit_allowed(rlim_t want)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_STACK, &lim) != 0) return 0;
    return lim.rlim_max == RLIM_INFINITY || (want != RLIM_INFINITY && want <= lim.rlim_max);
}

static void test_stack_limit_overflows_under_8_mib(void **state)
{
    (void)state;
    if (!stack_limit_allowed(8 * MIB)) skip();
    assert_int_equal(CLI_RUN(&run, NULL, 8 * MIB, "demo", "stack-limit"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "current 8 MiB"));
    /* A sanitizer may catch the overflow and exit instead of dying by the
     * signal; the demo then says so, and nothing else is acceptable. */
    int by_signal = strstr(run.out, "the child was killed by SIGSEGV (stack overflow)") != NULL;
    int by_report = SANITIZED && strstr(run.out, "the child died: exit status") != NULL;
    if (!by_signal && !by_report) fail_msg("unexpected report:\n%s", run.out);
    assert_null(strstr(run.out, "without trouble"));
}

static void test_stack_limit_fits_under_64_mib(void **state)
{
    (void)state;
    if (!stack_limit_allowed(64 * MIB)) skip();
    assert_int_equal(CLI_RUN(&run, NULL, 64 * MIB, "demo", "stack-limit"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "current 64 MiB"));
    assert_non_null(strstr(run.out, "the child used 16 MiB of stack without trouble (the limit is 64 MiB)"));
}

static void test_stack_limit_prints_unlimited(void **state)
{
    (void)state;
    if (!stack_limit_allowed(RLIM_INFINITY)) skip();
    assert_int_equal(CLI_RUN(&run, NULL, RLIM_INFINITY, "demo", "stack-limit", "--size", "2"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "current unlimited"));
    assert_non_null(strstr(run.out, "the child used 2 MiB of stack without trouble (the limit is unlimited)"));
}

static void test_stack_limit_size_option(void **state)
{
    (void)state;
    if (!stack_limit_allowed(8 * MIB)) skip();
    assert_int_equal(CLI_RUN(&run, NULL, 8 * MIB, "demo", "stack-limit", "--size=2"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "placing a 2 MiB array"));
    assert_non_null(strstr(run.out, "the child used 2 MiB of stack without trouble (the limit is 8 MiB)"));
}

static void test_stack_limit_rejects_bad_sizes(void **state)
{
    (void)state;
    const char *bad[] = {"0", "-1", "abc", "2x", "", "99999", " 4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "stack-limit", "--size", bad[i]), 0);
        assert_int_equal(cli_exit_code(&run), 2);
        assert_one_error_line(&run);
        assert_int_equal(run.out_len, 0);
    }
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "stack-limit", "--size"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_one_error_line(&run);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "stack-limit", "--what"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_one_error_line(&run);
}

/* ---- memory-types --------------------------------------------------------- */

static void test_memory_types_names_the_regions(void **state)
{
    (void)state;
    char line[512], exe[PATH_MAX];
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "memory-types"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(cli_line_with(run.out, "local variable", line, sizeof line));
    /* A sanitizer's fake stack may hold locals; the demo then says so. */
    if (SANITIZED) assert_true(strstr(line, "[stack]") || strstr(run.out, "the local is not in [stack]"));
    else assert_non_null(strstr(line, "[stack]"));
    assert_non_null(cli_line_with(run.out, "small malloc block", line, sizeof line));
    /* Under a sanitizer malloc is its allocator, which does not use brk;
     * the demo then says the block is not in [heap]. */
    if (SANITIZED) assert_true(strstr(line, "[heap]") || strstr(run.out, "is not in [heap]"));
    else assert_non_null(strstr(line, "[heap]"));
    assert_non_null(cli_line_with(run.out, "large malloc block", line, sizeof line));
    assert_non_null(strstr(line, "anonymous"));
    assert_non_null(realpath(ALLOCLAB_CLI, exe));
    assert_non_null(cli_line_with(run.out, "initialised static (.data)", line, sizeof line));
    assert_non_null(strstr(line, exe));
    assert_non_null(cli_line_with(run.out, "zero-initialised static (.bss)", line, sizeof line));
    assert_non_null(strstr(line, exe));
}

/* ---- verbose-vec ---------------------------------------------------------- */

/* The calls the talk's slide shows, in order: one allocate for the first
 * push, its deallocate, one allocate of 100 ints, a grow in place to 200,
 * a shrink to 101, the last deallocate. All at one address: the static
 * buffer's start, since each drop rolls the bump arena back. */
static void test_verbose_vec_prints_every_call(void **state)
{
    (void)state;
    char line[512];
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "verbose-vec"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    const char *expected[] = {
        "allocate(size=16, align=4)", "deallocate(", "allocate(size=400, align=4)",
        "grow(", "400 -> 800, align=4)", "shrink(", "800 -> 404, align=4)",
        "deallocate(", "size=404, align=4)",
    };
    const char *at = run.out;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const char *hit = strstr(at, expected[i]);
        if (!hit) fail_msg("missing (in order) '%s' in:\n%s", expected[i], run.out);
        at = hit + strlen(expected[i]);
    }
    /* Exactly six allocator calls besides destroy: nothing hidden. */
    size_t calls = 0;
    for (const char *p = run.out; (p = strstr(p, "[alloclab] ")) != NULL; p++) calls++;
    assert_int_equal(calls, 7);
    /* Every block starts at the static buffer: the address printed in the
     * header line comes back from each allocate and grow. */
    assert_non_null(cli_line_with(run.out, "static buffer at ", line, sizeof line));
    const char *addr = strstr(line, "at ") + 3;
    size_t returned = 0;
    for (const char *p = run.out; (p = strstr(p, "-> ")) != NULL; p += 3)
        if (strncmp(p + 3, addr, strlen(addr)) == 0) returned++;
    assert_int_equal(returned, 4);
    assert_non_null(strstr(run.out, "len 101, capacity 101, v[100] = 99"));
}

/* ---- the dispatcher ------------------------------------------------------- */

static void test_demo_lists_the_demos(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_int_equal(run.err_len, 0);
    const char *names[] = {"static-pool", "stack-limit", "memory-types"};
    char line[512];
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(cli_line_with(run.out, names[i], line, sizeof line));
        assert_true(strlen(line) > strlen(names[i]) + 4); /* a one-line summary follows */
    }
}

static void test_demo_unknown_name(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "nope"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_one_error_line(&run);
    assert_non_null(strstr(run.err, "nope"));
    assert_int_equal(run.out_len, 0);
}

/* demo syscalls: every available allocator, cold and warm, three sizes; a
 * 4 MiB request reaches the kernel the first time for glibc's malloc. */
static void test_syscalls_demo(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "demo", "syscalls"), 0);
    if (cli_exit_code(&run) != 0 && strstr(run.out, "not counted")) skip(); /* tracing forbidden here */
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "64 B"));
    assert_non_null(strstr(run.out, "4 MiB"));
    const char *sys = strstr(run.out, "\nsys ");
    assert_non_null(sys);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(sys + 1, "\n"), sys + 1);
    assert_non_null(strstr(line, "cold"));
    assert_non_null(strstr(line, "mmap 1"));
    assert_non_null(strstr(run.out, "warm"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_pool_echoes_a_short_line),
        cmocka_unit_test(test_static_pool_takes_31_characters),
        cmocka_unit_test(test_static_pool_refuses_32_characters_and_more),
        cmocka_unit_test(test_static_pool_refuses_empty_input),
        cmocka_unit_test(test_static_pool_reads_only_the_first_line),
        cmocka_unit_test(test_static_pool_takes_no_arguments),
        cmocka_unit_test(test_stack_limit_overflows_under_8_mib),
        cmocka_unit_test(test_stack_limit_fits_under_64_mib),
        cmocka_unit_test(test_stack_limit_prints_unlimited),
        cmocka_unit_test(test_stack_limit_size_option),
        cmocka_unit_test(test_stack_limit_rejects_bad_sizes),
        cmocka_unit_test(test_memory_types_names_the_regions),
        cmocka_unit_test(test_verbose_vec_prints_every_call),
        cmocka_unit_test(test_demo_lists_the_demos),
        cmocka_unit_test(test_demo_unknown_name),
        cmocka_unit_test(test_syscalls_demo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
