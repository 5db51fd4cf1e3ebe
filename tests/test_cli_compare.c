/* alloclab compare and alloclab history as a user runs them: output lines,
 * exit codes (0, 1 with --fail-on-regression, 2 on bad input with one line on
 * stderr), and databases that are refused stay untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports.h"
#include "history.h"
#include "run_cli.h"
#include "synth_run.h"
#include <stdio.h>

static char *dir, db[512], out_path[512], err_path[512];
static char *out_text, *err_text;

/* Run alloclab with args (NULL-terminated); its stdout/stderr in out_text/err_text. */
static int cli(const char *first, ...)
{
    const char *argv[24] = {ALLOCLAB_CLI, first};
    int argc = 2;
    va_list ap;
    va_start(ap, first);
    while (argc < 23 && (argv[argc] = va_arg(ap, const char *))) argc++;
    va_end(ap);
    argv[argc] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || chdir(dir) != 0) _exit(99);
        dup2(o, 1);
        dup2(e, 2);
        execv(ALLOCLAB_CLI, (char **)argv);
        _exit(98);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    free(out_text);
    free(err_text);
    out_text = synth_read_file(out_path, NULL);
    err_text = synth_read_file(err_path, NULL);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Exit 2 and exactly one line "alloclab: ..." on stderr. */
static void expect_bad_input(int rc)
{
    if (rc != 2) fprintf(stdout, "rc %d\nstdout: %s\nstderr: %s\n", rc, out_text, err_text);
    assert_int_equal(rc, 2);
    assert_true(strncmp(err_text, "alloclab: ", 10) == 0);
    char *nl = strchr(err_text, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
}

/* Save a run of the given kind (mode "time" or "instructions", --quick or
 * not): mi takes 1000 ns x factor (instructions: 1000 x factor counted),
 * sys 2000, bump is unsupported; `extra` adds glibc-simple/64/tc. */
static const char *save_libs; /* "je=jemalloc 5.3.0": the library versions save_kind records; NULL none */

static void save_kind(const char *label, double factor, unsigned seed, const char *mode, bool quick, bool extra)
{
    char err[256];
    al_history *h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    al_bench_run run;
    synth_run_init(&run, label);
    snprintf(run.ctx.mode, sizeof run.ctx.mode, "%s", mode);
    run.ctx.quick = quick;
    synth_add(&run, "glibc-simple", "64", "mi", AL_RUN_OK, 1000 * factor, 0.01, 20, NULL, seed);
    synth_add(&run, "glibc-simple", "64", "sys", AL_RUN_OK, 2000, 0.01, 20, NULL, seed + 100);
    synth_add(&run, "glibc-simple", "64", "bump", AL_RUN_UNSUPPORTED, 0, 0, 0, "no", 0);
    if (extra) synth_add(&run, "glibc-simple", "64", "tc", AL_RUN_OK, 1500, 0.01, 20, NULL, seed + 200);
    /* mi's memory system calls, counted over 100 iterations */
    run.results[0].sys = (al_syscall_counts){.counted = true, .iterations = 100, .mmap = 300, .munmap = 150};
    for (const char *l = save_libs; l && *l && run.ctx.nlibs < AL_BENCH_MAX_LIBS;) {
        size_t n = strcspn(l, ","), eq = strcspn(l, "=");
        al_bench_lib *lib = &run.ctx.libs[run.ctx.nlibs++];
        snprintf(lib->name, sizeof lib->name, "%.*s", (int)eq, l);
        snprintf(lib->version, sizeof lib->version, "%.*s", (int)(n - eq - 1), l + eq + 1);
        l += n + (l[n] == ',');
    }
    if (strcmp(mode, "instructions") == 0)
        for (size_t i = 0; i < run.nresults; i++)
            if (run.results[i].status == AL_RUN_OK) {
                run.results[i].instructions = run.results[i].s.median;
                run.results[i].est_cycles = 1.5 * run.results[i].s.median;
            }
    assert_int_equal(al_history_save(h, &run, err, sizeof err), 0);
    al_bench_run_free(&run);
    al_history_close(h);
}

/* Save a full time-mode run of one benchmark whose times are 1000 ns x factor. */
static void save(const char *label, double factor, unsigned seed)
{
    save_kind(label, factor, seed, "time", false, false);
}

static int setup(void **state)
{
    (void)state;
    dir = synth_tmpdir();
    snprintf(db, sizeof db, "%s/r/results.db", dir);
    snprintf(out_path, sizeof out_path, "%s/out.txt", dir);
    snprintf(err_path, sizeof err_path, "%s/err.txt", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    synth_rmdir(dir);
    free(out_text);
    free(err_text);
    out_text = err_text = NULL;
    return 0;
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_bad_input(cli("compare", "--db", db, NULL)); /* no database */
    assert_non_null(strstr(err_text, "no results database"));
    expect_bad_input(cli("compare", NULL));              /* nor at the default path */
    expect_bad_input(cli("history", "glibc-simple/64/mi", "--db", db, NULL));
    save("only", 1, 1);
    expect_bad_input(cli("compare", "--db", db, NULL)); /* fewer than two runs */
    assert_non_null(strstr(err_text, "fewer than two"));
    save("second", 1, 2);
    expect_bad_input(cli("compare", "nope", "--db", db, NULL));
    expect_bad_input(cli("compare", "only", "999", "--db", db, NULL));
    expect_bad_input(cli("compare", "--db", db, "--threshold", "abc", NULL));
    expect_bad_input(cli("compare", "--db", db, "--threshold", NULL));
    expect_bad_input(cli("compare", "--db", db, "--format", "xml", NULL));
    expect_bad_input(cli("compare", "--db", db, "--bogus", NULL));
    expect_bad_input(cli("compare", "a", "b", "c", "--db", db, NULL));
    expect_bad_input(cli("compare", "missing.json", "--db", db, NULL));
    expect_bad_input(cli("history", "--db", db, NULL));
    expect_bad_input(cli("history", "no-such/1/x", "--db", db, NULL));
    /* a text file as the database: refused, unchanged */
    char txt[600];
    snprintf(txt, sizeof txt, "%s/notes.db", dir);
    FILE *f = fopen(txt, "w");
    fputs("not a database\n", f);
    fclose(f);
    expect_bad_input(cli("compare", "--db", txt, NULL));
    expect_bad_input(cli("history", "a/b/c", "--db", txt, NULL));
    char *after = synth_read_file(txt, NULL);
    assert_string_equal(after, "not a database\n");
    free(after);
}

static void test_verdicts_and_exit_codes(void **state)
{
    (void)state;
    save("base", 1.0, 1);
    save("slow", 1.2, 2);
    int rc = cli("compare", "--db", db, NULL); /* default: the last two */
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out_text, "glibc-simple/64/mi "));
    assert_non_null(strstr(out_text, "change: [+"));
    assert_non_null(strstr(out_text, "regressed\n"));
    assert_non_null(strstr(out_text, "2 compared: 0 improved, 1 regressed, 1 unchanged"));
    assert_non_null(strstr(out_text, "not compared: 0 only in base, 0 only in new, 1 not ok"));
    assert_int_equal(cli("compare", "--db", db, "--fail-on-regression", NULL), 1);
    /* the other way round is a speed-up */
    assert_int_equal(cli("compare", "slow", "base", "--db", db, "--fail-on-regression", NULL), 0);
    assert_non_null(strstr(out_text, "improved\n"));
    assert_non_null(strstr(out_text, "change: [-"));
    /* with a 50% threshold nothing changed */
    assert_int_equal(cli("compare", "1", "2", "--db", db, "--threshold", "50", "--fail-on-regression", NULL), 0);
    assert_non_null(strstr(out_text, "0 improved, 0 regressed, 2 unchanged"));
    /* BASE alone: against the last run */
    assert_int_equal(cli("compare", "base", "--db", db, "--format", "markdown", NULL), 0);
    assert_non_null(strstr(out_text, "| benchmark | base | new |"));
    assert_non_null(strstr(out_text, "**regressed**"));
    /* a JSON report against a stored run */
    char json[600];
    snprintf(json, sizeof json, "%s/base.json", dir);
    assert_int_equal(cli("compare", "2", "--db", db, NULL), 0);
    char err[256];
    al_history *h = al_history_open(db, false, err, sizeof err);
    al_bench_run run;
    assert_int_equal(al_history_load(h, "base", 0, &run, err, sizeof err), 0);
    al_history_close(h);
    FILE *f = fopen(json, "w");
    assert_int_equal(al_report_json(f, &run), 0);
    fclose(f);
    al_bench_run_free(&run);
    assert_int_equal(cli("compare", json, "slow", "--db", db, "--fail-on-regression", NULL), 1);
    assert_int_equal(cli("compare", json, json, "--fail-on-regression", NULL), 0);
    assert_non_null(strstr(out_text, "0 regressed"));
}

static void test_history_lines(void **state)
{
    (void)state;
    save("v1", 1.0, 1);
    save("v2", 1.1, 2);
    save("", 0.9, 3);
    assert_int_equal(cli("history", "glibc-simple/64/mi", "--db", db, NULL), 0);
    size_t lines = 0;
    for (const char *p = out_text; (p = strchr(p, '\n')); p++) lines++;
    assert_int_equal(lines, 4); /* the name, then one line per run */
    assert_non_null(strstr(out_text, "#1 "));
    assert_non_null(strstr(out_text, " v2 "));
    assert_non_null(strstr(out_text, "2026-01-02T03:04:05Z"));
    assert_non_null(strstr(out_text, "0123456789ab"));
    assert_non_null(strstr(out_text, "]  +")); /* 1.1x the run before */
    assert_non_null(strstr(out_text, "]  -")); /* then 0.9x */
    /* a workload: every allocator, unsupported ones said so */
    assert_int_equal(cli("history", "glibc-simple", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "glibc-simple/64/bump"));
    assert_non_null(strstr(out_text, "unsupported"));
}

/* The default pair is the newest run and the latest earlier one of its kind;
 * a mode mismatch is refused, a quick/full mismatch warned about. */
static void test_compare_like_runs(void **state)
{
    (void)state;
    save_kind("full1", 1.0, 1, "time", false, false);          /* #1 */
    save_kind("quick1", 1.0, 2, "time", true, false);          /* #2 */
    save_kind("instr1", 1.0, 3, "instructions", false, false); /* #3 */
    save_kind("full2", 1.3, 4, "time", false, true);           /* #4: newest, one more benchmark */
    /* default: #4 against #1, the other full time run, not #3 or #2 */
    assert_int_equal(cli("compare", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "base: #1 full1"));
    assert_non_null(strstr(out_text, "new:  #4 full2"));
    assert_non_null(strstr(out_text, "time mode"));
    assert_non_null(strstr(out_text, "(default: "));
    assert_non_null(strstr(out_text, "1 regressed"));
    assert_non_null(strstr(out_text, "0 only in base, 1 only in new, 1 not ok"));
    assert_string_equal(err_text, "");
    /* reversed: the extra benchmark is only in the base */
    assert_int_equal(cli("compare", "full2", "full1", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "1 only in base, 0 only in new, 1 not ok"));
    /* two modes: refused with one line */
    expect_bad_input(cli("compare", "full1", "instr1", "--db", db, NULL));
    assert_non_null(strstr(err_text, "two modes (BASE: time, NEW: instructions)"));
    expect_bad_input(cli("compare", "instr1", "--db", db, NULL)); /* BASE alone: against #4 */
    /* quick against full: compared, with a warning line on stderr */
    assert_int_equal(cli("compare", "quick1", "full1", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "compared"));
    assert_non_null(strstr(err_text, "alloclab: warning: comparing a --quick run with a full one"));
    assert_non_null(strstr(out_text, "--quick"));
    /* the newest is an instructions run: paired with #3 */
    save_kind("instr2", 1.1, 5, "instructions", false, false); /* #5 */
    assert_int_equal(cli("compare", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "base: #3 instr1"));
    assert_non_null(strstr(out_text, "instructions mode"));
    assert_non_null(strstr(out_text, "1 regressed")); /* exact +10% */
    /* a newest run with no earlier one of its kind: passed over with a note,
     * the newest pair of one kind compared (#5 against #3) */
    save_kind("quick-instr", 1.0, 6, "instructions", true, false);
    assert_int_equal(cli("compare", "--db", db, NULL), 0);
    assert_non_null(strstr(err_text, "alloclab: note: the newest run (#6, instructions mode, --quick) has no "
                                     "earlier run of its kind: comparing the newest pair of one kind, #3 and #5"));
    assert_non_null(strstr(out_text, "base: #3 instr1"));
    assert_non_null(strstr(out_text, "new:  #5 instr2"));
}

/* history tags quick and instructions runs and takes the change within a mode. */
static void test_history_tags(void **state)
{
    (void)state;
    save_kind("full", 1.0, 1, "time", false, false);
    save_kind("q", 1.0, 2, "time", true, false);
    save_kind("i", 1.0, 3, "instructions", false, false);
    save_kind("iq", 1.2, 4, "instructions", true, false);
    assert_int_equal(cli("history", "glibc-simple/64/mi", "--db", db, NULL), 0);
    char line[4][256];
    const char *p = strchr(out_text, '\n');
    for (int i = 0; i < 4; i++) {
        assert_non_null(p);
        const char *e = strchr(p + 1, '\n');
        assert_non_null(e);
        snprintf(line[i], sizeof line[i], "%.*s", (int)(e - p - 1), p + 1);
        p = e;
    }
    assert_null(strstr(line[0], "quick"));
    assert_null(strstr(line[0], "instr"));
    assert_non_null(strstr(line[1], " quick "));
    assert_non_null(strstr(line[2], " instr "));
    assert_non_null(strstr(line[3], " instr,quick "));
    assert_null(strstr(line[2], "%")); /* no change from a time run to an instructions run */
    assert_non_null(strstr(line[3], "  +20.")); /* 1.2 x, give or take the synthetic noise */
}

/* show: the last run by default, a label, a JSON report; every format and
 * --html; bad input exits 2 with one line and writes no file. */
static void test_show(void **state)
{
    (void)state;
    expect_bad_input(cli("show", "--db", db, NULL)); /* no database yet */
    save("first", 1, 1);
    save("second", 3, 2);
    assert_int_equal(cli("show", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "label second"));
    assert_non_null(strstr(out_text, "mi "));
    assert_non_null(strstr(out_text, "1.50x")); /* sys 2 us is the fastest, mi 3 us */
    assert_int_equal(cli("show", "first", "--db", db, NULL), 0);
    assert_non_null(strstr(out_text, "label first"));
    assert_non_null(strstr(out_text, "2.00x")); /* mi 1 us, sys 2 us */
    assert_non_null(strstr(out_text, "unsupported"));
    assert_null(strstr(out_text, "syscalls/it"));
    /* --wide: every column, the stored system calls among them (300 + 150 per 100 iterations) */
    assert_int_equal(cli("show", "first", "--db", db, "--wide", NULL), 0);
    char line[512];
    assert_non_null(cli_line_with(out_text, "syscalls/it", line, sizeof line));
    assert_non_null(cli_line_with(out_text, "mi ", line, sizeof line));
    assert_non_null(strstr(line, "  4.50"));
    expect_bad_input(cli("show", "first", "--db", db, "--wide", "--format", "csv", NULL));

    char json[600], html[600];
    snprintf(json, sizeof json, "%s/first.json", dir);
    snprintf(html, sizeof html, "%s/first.html", dir);
    assert_int_equal(cli("show", "first", "--db", db, "--format", "json", "--out", json, "--html", html, NULL), 0);
    al_bench_run back = {0};
    char err[256];
    assert_int_equal(al_report_json_read(json, &back, err, sizeof err), 0);
    assert_int_equal(back.nresults, 3);
    assert_non_null(al_bench_run_find(&back, "glibc-simple", "64", "mi"));
    al_bench_run_free(&back);
    char *page = synth_read_file(html, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "<svg"));
    free(page);
    /* A JSON report as the run, rendered as Markdown. */
    assert_int_equal(cli("show", json, "--format", "markdown", NULL), 0);
    assert_non_null(strstr(out_text, "| mi "));

    expect_bad_input(cli("show", "nope", "--db", db, NULL));
    expect_bad_input(cli("show", "first", "second", "--db", db, NULL));
    expect_bad_input(cli("show", "--db", db, "--format", "xml", NULL));
    expect_bad_input(cli("show", "--db", db, "--bogus", NULL));
    expect_bad_input(cli("show", "--db", db, "--out", "/nonexistent-dir/x.txt", NULL));
    assert_int_equal(access("/nonexistent-dir/x.txt", F_OK), -1);
}

/* compare warns when a library's version differs between the two runs
 * (stderr, and a note above the Markdown table for a pull request); the
 * same versions, or a run that recorded none, say nothing. */
static void test_compare_library_versions(void **state)
{
    (void)state;
    save_libs = "sys=glibc 2.36,je=jemalloc 5.2.1,mi=mimalloc 2.0.9";
    save("old", 1, 1);
    save_libs = "sys=glibc 2.36,je=jemalloc 5.3.0,mi=mimalloc 2.0.9";
    save("new", 1, 2);
    save("again", 1, 3);
    save_libs = NULL;
    save("unknown", 1, 4);
    assert_int_equal(cli("compare", "old", "new", "--db", db, NULL), 0);
    assert_non_null(strstr(err_text, "warning: the library versions differ between BASE and NEW "
                                     "(je jemalloc 5.2.1 -> jemalloc 5.3.0)"));
    assert_null(strstr(err_text, "mimalloc"));
    assert_int_equal(cli("compare", "old", "new", "--db", db, "--format", "markdown", NULL), 0);
    assert_non_null(strstr(out_text, "> **Library versions differ** (je jemalloc 5.2.1 -> jemalloc 5.3.0)"));
    assert_true(strstr(out_text, "Library versions differ") < strstr(out_text, "| benchmark |"));
    assert_int_equal(cli("compare", "new", "again", "--db", db, NULL), 0);
    assert_null(strstr(err_text, "library versions"));
    assert_int_equal(cli("compare", "new", "again", "--db", db, "--format", "markdown", NULL), 0);
    assert_null(strstr(out_text, "Library versions"));
    assert_int_equal(cli("compare", "old", "unknown", "--db", db, NULL), 0);
    assert_null(strstr(err_text, "library versions"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verdicts_and_exit_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_like_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_library_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
