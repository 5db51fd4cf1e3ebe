/* Report files and databases cannot exhaust the machine or the terminal:
 * the size limit, the parse's memory budget and the shape limits each give
 * one line; a large run within the limits renders in every format (the
 * reports are linear: a quadratic one would not finish here); control
 * characters and invalid UTF-8 from a file or the database reach no
 * output; strings are cut between characters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "history.h"
#include "report_util.h"
#include "reports.h"
#include "run_cli.h"
#include "synth_run.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[512];

/* A JSON report of n results named by fmt(i) -> workload, param, allocator. */
static char *many_results(size_t n, void (*name)(size_t, char *, size_t))
{
    size_t cap = n * 96 + 64, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s, cap, "{\"benchmarks\":[");
    for (size_t i = 0; i < n; i++) {
        char nm[64];
        name(i, nm, sizeof nm);
        len += (size_t)snprintf(s + len, cap - len, "%s{\"name\":\"%s\",\"median_ns\":%zu}", i ? "," : "", nm, i + 1);
    }
    snprintf(s + len, cap - len, "]}");
    return s;
}

static void name_same_column(size_t i, char *buf, size_t len) { snprintf(buf, len, "w/1/a%zu", i % 3); }
static void name_many_columns(size_t i, char *buf, size_t len) { snprintf(buf, len, "w/%zu/a", i); }
static void name_many_rows(size_t i, char *buf, size_t len) { snprintf(buf, len, "w/1/a%zu", i); }
static void name_many_workloads(size_t i, char *buf, size_t len) { snprintf(buf, len, "w%zu/1/a", i); }
/* Within the limits and sparse: 4 workloads of 250 columns (1000 in all)
 * and 200 rows, of whose cells 1 in 10 is filled. */
static void name_sparse(size_t i, char *buf, size_t len)
{
    size_t p = (i / 4) % 250, k = i / 1000;
    snprintf(buf, len, "w%zu/%zu/a%zu", i % 4, p, (k + 7 * p) % 200);
}

static void expect_refused(const char *text, const char *why)
{
    al_bench_run run;
    int rc = al_report_json_parse(text, strlen(text), "f.json", &run, err, sizeof err);
    if (rc == 0 || !strstr(err, why)) fprintf(stderr, "expected '%s', got rc %d '%s'\n", why, rc, err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, why));
    assert_null(strchr(err, '\n'));
}

static void test_limits_refused_with_one_line(void **state)
{
    (void)state;
    /* Larger than the limit: refused from its size, nothing read. */
    char path[256];
    synth_group_path_into(path, sizeof path, "huge.json");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)AL_REPORT_MAX_BYTES + 1), 0); /* sparse: no disk used */
    close(fd);
    al_bench_run run;
    assert_int_equal(al_report_json_read(path, &run, err, sizeof err), -1);
    assert_non_null(strstr(err, "at most 256 MiB"));
    unlink(path);

    /* Many tiny values: the parse's memory budget, not the machine's. */
    size_t n = 1500000;
    char *tiny = malloc(n * 3 + 32);
    assert_non_null(tiny);
    size_t len = (size_t)sprintf(tiny, "{\"benchmarks\":[");
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(tiny + len, "%s{}", i ? "," : "");
    sprintf(tiny + len, "]}");
    expect_refused(tiny, "MiB to read");
    free(tiny);

    /* The shape limits of results.h. */
    char *s = many_results(AL_RUN_MAX_RESULTS + 1, name_same_column);
    expect_refused(s, "results, more than");
    free(s);
    s = many_results(AL_RUN_MAX_COLUMNS + 1, name_many_columns);
    expect_refused(s, "workload/param pairs");
    free(s);
    s = many_results(AL_RUN_MAX_ALLOCATORS + 1, name_many_rows);
    expect_refused(s, "allocators, more than");
    free(s);
    s = many_results(AL_RUN_MAX_WORKLOADS + 1, name_many_workloads);
    expect_refused(s, "workloads");
    free(s);
    /* A name twice (Google Benchmark's repetitions): found as the first. */
    const char *twice = "{\"benchmarks\":[{\"name\":\"a/b/c\",\"median_ns\":1},{\"name\":\"a/b/c\",\"median_ns\":2}]}";
    assert_int_equal(al_report_json_parse(twice, strlen(twice), "f", &run, err, sizeof err), 0);
    assert_float_equal(al_bench_run_find(&run, "a", "b", "c")->s.median, 1, 0);
    al_bench_run_free(&run);
    /* A count the file states is not trusted: no samples, no allocation. */
    assert_int_equal(al_report_json_parse("{\"benchmarks\":[{\"name\":\"a/b/c\",\"samples\":1e18}]}", 48, "f",
                                          &run, err, sizeof err), 0);
    assert_int_equal(run.results[0].nsamples, 0);
    al_bench_run_free(&run);
}

/* 20,000 results over 1000 columns and 200 rows, as sparse as the limits
 * allow: every format renders (a report that looked every cell up by a
 * scan took minutes on a tenth of this). */
static void test_large_sparse_run_renders(void **state)
{
    (void)state;
    char *s = many_results(20000, name_sparse);
    al_bench_run run;
    assert_int_equal(al_report_json_parse(s, strlen(s), "sparse", &run, err, sizeof err), 0);
    free(s);
    assert_int_equal(run.nresults, 20000);
    int (*formats[])(FILE *, const al_bench_run *) = {al_report_table, al_report_markdown, al_report_csv,
                                                       al_report_json, al_report_html};
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        FILE *null = fopen("/dev/null", "w");
        assert_non_null(null);
        assert_int_equal(formats[f](null, &run), 0);
        fclose(null);
    }
    /* The index answers as a scan would. */
    const al_bench_result *r = al_bench_run_find(&run, "w3", "0", "a0"); /* i = 3 */
    assert_non_null(r);
    assert_int_equal((size_t)r->s.median, 4);
    assert_null(al_bench_run_find(&run, "w3", "0", "a20"));
    size_t column = 0;
    for (const al_bench_result *x = al_bench_run_column_next(&run, r, NULL); x; x = al_bench_run_column_next(&run, r, x)) {
        assert_string_equal(x->workload, "w3");
        assert_string_equal(x->param, "0");
        column++;
    }
    assert_int_equal(column, 20); /* i = 3 + 1000 k, k < 20 */
    al_bench_run_free(&run);
}

/* ---- text ---------------------------------------------------------------- */

static void test_copy_cuts_between_characters(void **state)
{
    (void)state;
    char buf[8];
    al_report_copy(buf, sizeof buf, "abc\u00e9\u00e9\u00e9"); /* a, b, c, then 2-byte characters */
    assert_string_equal(buf, "abc\u00e9\u00e9");          /* 7 bytes: the third would not fit */
    al_report_copy(buf, 6, "ab\U0001F600");
    assert_string_equal(buf, "ab");
    al_report_copy_text(buf, sizeof buf, "\x1b[31m");
    assert_string_equal(buf, "\\x1b[31"); /* an escape is never cut */
    al_report_copy_text(buf, 5, "a\x1b");
    assert_string_equal(buf, "a");
    char out[64];
    al_report_copy_text(out, sizeof out, "ok \xc2\x9b \xe2\x80\xae \xff \xc3 \xed\xa0\x80 \xe2\x82\xac");
    assert_string_equal(out, "ok \\u009b \\u202e \\xff \\xc3 \\xed\\xa0\\x80 \u20ac");
    char again[64];
    al_report_copy_text(again, sizeof again, out);
    assert_string_equal(again, out); /* clean text stays as it is */
}

static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xa0) return true;
    }
    return false;
}

/* A database holding hostile text (written behind alloclab's back): show,
 * compare and history print it escaped. */
static void test_database_text_escaped(void **state)
{
    (void)state;
    char db[256];
    synth_group_path_into(db, sizeof db, "hostile.db");
    al_history *h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    for (int i = 0; i < 2; i++) {
        al_bench_run run;
        synth_run_init(&run, i ? "new" : "old");
        synth_add(&run, "w", "1", "sys", AL_RUN_OK, 100, 0.01, 10, NULL, 1);
        synth_add(&run, "w", "1", "mi", AL_RUN_FAILED, 0, 0, 0, "boom", 2);
        assert_int_equal(al_history_save(h, &run, err, sizeof err), 0);
        al_bench_run_free(&run);
    }
    al_history_close(h);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "UPDATE runs SET label = label || char(27) || '[2J', host = char(155) || 'x';"
                                     "UPDATE results SET reason = 'a' || char(27) || ']0;pwned' || char(7),"
                                     " allocator = allocator || char(8238) || char(10)",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    const char *const *cmds[] = {
        (const char *const[]){"show", "--db", db, NULL},
        (const char *const[]){"show", "--db", db, "--format", "markdown", NULL},
        (const char *const[]){"show", "--db", db, "--format", "csv", NULL},
        (const char *const[]){"compare", "--db", db, NULL},
        (const char *const[]){"history", "w", "--db", db, NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        cli_run r;
        assert_int_equal(cli_run_args(&r, NULL, CLI_KEEP_STACK, cmds[i]), 0);
        if (cli_exit_code(&r) != 0) fprintf(stderr, "command %zu: %s", i, r.err);
        assert_int_equal(cli_exit_code(&r), 0);
        assert_false(has_control(r.out, r.out_len));
        assert_false(has_control(r.err, r.err_len));
        if (i == 0) assert_non_null(strstr(r.out, "\\x1b[2J"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_refused_with_one_line),
        cmocka_unit_test(test_large_sparse_run_renders),
        cmocka_unit_test(test_copy_cuts_between_characters),
        cmocka_unit_test(test_database_text_escaped),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
