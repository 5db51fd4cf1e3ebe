/* alloclab run from the outside: a real program (sort, python3) under
 * glibc, jemalloc, mimalloc and tcmalloc with its output checked and the
 * run stored in the history (show, history and compare read it back); a
 * crash, an exit status, a different output and a timeout under one
 * allocator fail that allocator only, with the reason; bad input is one
 * line and exit 2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "history.h"
#include "run_cli.h"
#include "synth_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[512];

/* Whether every listed allocator can be preloaded here. */
static bool have(const char *names)
{
    cli_run r;
    CLI_RUN(&r, NULL, CLI_KEEP_STACK, "list");
    char want[64];
    snprintf(want, sizeof want, "%s", names);
    for (char *save = NULL, *t = strtok_r(want, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char line[256], key[32];
        snprintf(key, sizeof key, "\n%-6s  LD_PRELOAD=", t);
        if (strcmp(t, "sys") != 0 && !strstr(r.out, key)) {
            fprintf(stdout, "skipped: %s cannot be preloaded here (%s)\n", t,
                    cli_line_with(r.out, t, line, sizeof line) ? line : "not listed");
            return false;
        }
    }
    return true;
}

static void show_failure(const cli_run *r)
{
    fprintf(stderr, "exit %d\nstdout:\n%s\nstderr:\n%s\n", cli_exit_code(r), r->out, r->err);
}

/* ---- a real program, stored ------------------------------------------------- */

static void test_real_program_stored(void **state)
{
    (void)state;
    if (!have("je,mi,tc")) skip();
    char input[256], db[256];
    synth_group_path_into(input, sizeof input, "numbers.txt");
    synth_group_path_into(db, sizeof db, "run.db");
    FILE *f = fopen(input, "w");
    assert_non_null(f);
    for (unsigned i = 0; i < 20000; i++) fprintf(f, "%u\n", (i * 2654435761u) % 100000);
    fclose(f);
    cli_run r;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,je,mi,tc", "--runs", "3",
                                 "--check-output", "--input", input, "--db", db, "--save", i ? "second" : "first",
                                 "--quiet", "--", "sort", "-n"), 0);
        if (cli_exit_code(&r) != 0) show_failure(&r);
        assert_int_equal(cli_exit_code(&r), 0);
    }
    char line[512];
    assert_non_null(cli_line_with(r.out, "alloclab run: sort -n", line, sizeof line));
    for (const char *a = "sys\0je\0mi\0tc\0"; *a; a += strlen(a) + 1) {
        char key[16];
        snprintf(key, sizeof key, "\n%s ", a);
        assert_non_null(strstr(r.out, key));
    }
    assert_non_null(strstr(r.out, " than sys (95% CI"));
    assert_null(strstr(r.out, "failed"));

    /* In the history: one result per allocator, workload run, param sort. */
    al_history *h = al_history_open(db, false, err, sizeof err);
    assert_non_null(h);
    al_bench_run back;
    assert_int_equal(al_history_load(h, "first", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.nresults, 4);
    for (size_t i = 0; i < back.nresults; i++) {
        assert_string_equal(back.results[i].workload, "run");
        assert_string_equal(back.results[i].param, "sort");
        assert_int_equal(back.results[i].status, AL_RUN_OK);
        assert_int_equal(back.results[i].nsamples, 3);
        assert_true(back.results[i].s.median > 0);
        assert_true(back.results[i].peak_rss_kib > 0);
        assert_true(back.results[i].cpu_median_ns > 0);
    }
    al_bench_run_free(&back);
    al_history_close(h);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "compare", "--db", db), 0);
    assert_int_equal(cli_exit_code(&r), 0);
    assert_non_null(strstr(r.out, "run/sort/mi"));
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "history", "run/sort/tc", "--db", db), 0);
    assert_int_equal(cli_exit_code(&r), 0);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "show", "first", "--db", db, "--format", "csv"), 0);
    assert_int_equal(cli_exit_code(&r), 0);
    assert_non_null(strstr(r.out, "run/sort/je,run,sort,je,ok"));
}

/* An interpreter, and a report in JSON on stdout. */
static void test_interpreter_json(void **state)
{
    (void)state;
    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stdout, "skipped: no /usr/bin/python3 (apt-get install python3-minimal)\n");
        skip();
    }
    if (!have("mi")) skip();
    cli_run r;
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,mi", "--runs", "2",
                             "--check-output", "--no-db", "--quiet", "--format", "json", "--", "/usr/bin/python3",
                             "-c", "print(sum(len(str(i)) for i in range(20000)))"), 0);
    if (cli_exit_code(&r) != 0) show_failure(&r);
    assert_int_equal(cli_exit_code(&r), 0);
    assert_non_null(strstr(r.out, "\"name\": \"run/python3/mi\""));
}

/* ---- failures, each that allocator's own ----------------------------------- */

static void expect_failed(const cli_run *r, const char *alloc, const char *why)
{
    char key[64], line[512];
    snprintf(key, sizeof key, "failed %s: ", alloc);
    if (!cli_line_with(r->out, key, line, sizeof line) || !strstr(line, why)) show_failure(r);
    assert_non_null(cli_line_with(r->out, key, line, sizeof line));
    assert_non_null(strstr(line, why));
}

static void test_failures_per_allocator(void **state)
{
    (void)state;
    if (!have("je,mi,tc")) skip();
    cli_run r;
    setenv("RUN_TARGET_CRASH_UNDER", "mimalloc", 1);
    setenv("RUN_TARGET_EXIT_UNDER", "tcmalloc:3", 1);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,je,mi,tc", "--runs", "2",
                             "--no-db", "--quiet", "--", RUN_TARGET), 0);
    unsetenv("RUN_TARGET_CRASH_UNDER");
    unsetenv("RUN_TARGET_EXIT_UNDER");
    assert_int_equal(cli_exit_code(&r), 1);
    expect_failed(&r, "mi", "killed by signal 11");
    expect_failed(&r, "mi", "(warm-up)");
    expect_failed(&r, "tc", "exited with status 3, not 0");
    expect_failed(&r, "tc", "exiting with 3 as asked"); /* its stderr's last line */
    assert_non_null(strstr(r.out, "je ran "));              /* the others measured */
    assert_null(strstr(r.out, "failed sys"));
    assert_null(strstr(r.out, "failed je"));

    /* --check-output: a different stdout under jemalloc is its failure. */
    setenv("RUN_TARGET_PRINT_UNDER", "jemalloc", 1);
    assert_int_equal(CLI_RUN(&r, "some input\n", CLI_KEEP_STACK, "run", "--allocators", "sys,je,mi", "--runs", "2",
                             "--check-output", "--no-db", "--quiet", "--", RUN_TARGET), 0);
    assert_int_equal(cli_exit_code(&r), 1);
    expect_failed(&r, "je", "stdout differs from sys's");
    assert_null(strstr(r.out, "failed mi"));
    /* without --check-output the difference is not looked at */
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,je", "--runs", "1", "--no-db",
                             "--quiet", "--", RUN_TARGET), 0);
    unsetenv("RUN_TARGET_PRINT_UNDER");
    assert_int_equal(cli_exit_code(&r), 0);

    /* A run past --timeout is killed: every allocator fails, quickly. */
    setenv("RUN_TARGET_SLEEP_MS", "20000", 1);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,mi", "--runs", "1", "--timeout",
                             "0.3", "--no-db", "--quiet", "--", RUN_TARGET), 0);
    unsetenv("RUN_TARGET_SLEEP_MS");
    assert_int_equal(cli_exit_code(&r), 1);
    expect_failed(&r, "sys", "timed out after 0.3 s");
    expect_failed(&r, "mi", "timed out");

    /* --expect-status: a program that exits 3 everywhere is fine when told. */
    setenv("RUN_TARGET_EXIT_UNDER", "sys:3", 1);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys", "--runs", "1",
                             "--expect-status", "3", "--no-db", "--quiet", "--", RUN_TARGET), 0);
    unsetenv("RUN_TARGET_EXIT_UNDER");
    assert_int_equal(cli_exit_code(&r), 0);
}

/* alloclab's replacement serves a registry spec the same way. */
static void test_replacement_spec(void **state)
{
    (void)state;
    if (!ALLOCLAB_HAVE_REPLACEMENT) {
        fprintf(stdout, "skipped: liballoclab-malloc.so is not built here (sanitizers)\n");
        skip();
    }
    cli_run r;
    setenv("RUN_TARGET_CRASH_UNDER", "arena", 1);
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "run", "--allocators", "sys,pool,arena", "--runs", "1",
                             "--no-db", "--quiet", "--", RUN_TARGET), 0);
    unsetenv("RUN_TARGET_CRASH_UNDER");
    assert_int_equal(cli_exit_code(&r), 1);
    expect_failed(&r, "arena", "killed by signal 11");
    assert_non_null(strstr(r.out, "pool ran "));
}

/* ---- bad input --------------------------------------------------------------- */

static void expect_usage(const char *const *args)
{
    cli_run r;
    assert_int_equal(cli_run_args(&r, NULL, CLI_KEEP_STACK, args), 0);
    if (cli_exit_code(&r) != 2 || cli_count_lines(r.err) != 1) show_failure(&r);
    assert_int_equal(cli_exit_code(&r), 2);
    assert_int_equal(cli_count_lines(r.err), 1);
    assert_string_equal(r.out, "");
}

#define BAD(...) expect_usage((const char *const[]){"run", __VA_ARGS__, NULL})

static void test_bad_input(void **state)
{
    (void)state;
    BAD("--no-db");
    BAD("--no-db", "--");
    BAD("--no-db", "--", "/nonexistent/program");
    BAD("--no-db", "--", "no-such-program-on-path-alloclab");
    BAD("--no-db", "--", "/etc/passwd");
    BAD("--allocators", "bogus", "--no-db", "--", "true");
    BAD("--allocators", "sys,,mi", "--no-db", "--", "true");
    BAD("--allocators", "sys,sys", "--no-db", "--", "true");
    BAD("--runs", "0", "--no-db", "--", "true");
    BAD("--runs", "2.5", "--no-db", "--", "true");
    BAD("--timeout", "-1", "--no-db", "--", "true");
    BAD("--expect-status", "300", "--no-db", "--", "true");
    BAD("--input", "/nonexistent/input", "--no-db", "--", "true");
    BAD("--input", "/", "--no-db", "--", "true");
    BAD("--format", "xml", "--no-db", "--", "true");
    BAD("--bogus", "--", "true");
    BAD("true");
    BAD("--save", "x", "--no-db", "--", "true");
    BAD("--out", "/nonexistent/dir/r.json", "--no-db", "--", "true");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_failures_per_allocator),
        cmocka_unit_test(test_replacement_spec),
        cmocka_unit_test(test_real_program_stored),
        cmocka_unit_test(test_interpreter_json),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
