/* The terminal table and the helpers every human-readable report shares
 * (report_util.c): one CI format ("± the longer side", or "[low, high]" for a
 * wide lopsided CI), µs as the micro unit, instructions with estimated cycles
 * and the ratio on instructions, and the "fastest" / "tied" rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "report_util.h"
#include "synth_run.h"
#include <stdio.h>

static char *table_of(const al_bench_run *run)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(al_report_table(f, run), 0);
    fclose(f);
    return buf;
}

/* Display width of the line starting at p (UTF-8: continuation bytes take no column). */
static size_t line_width(const char *p)
{
    size_t w = 0;
    for (; *p && *p != '\n'; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) w++;
    return w;
}

static void test_ci_format(void **state)
{
    (void)state;
    char buf[64];
    assert_false(al_report_fmt_time_ci(45.2, 45.0, 45.51, buf, sizeof buf));
    assert_string_equal(buf, "45.2 \u00b1 0.31 ns");
    assert_false(al_report_fmt_time_ci(1234, 1200, 1250, buf, sizeof buf));
    assert_string_equal(buf, "1.23 \u00b1 0.03 \u00b5s");
    /* wide and lopsided: both ends */
    assert_true(al_report_fmt_time_ci(10.3e6, 1.85e6, 245e6, buf, sizeof buf));
    assert_string_equal(buf, "10.3 [1.85, 245] ms");
    /* lopsided but narrow (< 5% of the median): ± the longer side */
    assert_false(al_report_fmt_time_ci(100, 99.9, 103, buf, sizeof buf));
    assert_string_equal(buf, "100 \u00b1 3.00 ns");
    /* wide but symmetric: ± */
    assert_false(al_report_fmt_time_ci(100, 80, 120, buf, sizeof buf));
    assert_string_equal(buf, "100 \u00b1 20.0 ns");
    /* no CI: the median alone; no value: n/a */
    assert_false(al_report_fmt_time_ci(2.5e9, NAN, NAN, buf, sizeof buf));
    assert_string_equal(buf, "2.50 s");
    al_report_fmt_time_ci(NAN, 1, 2, buf, sizeof buf);
    assert_string_equal(buf, "n/a");
}

static void test_rank_fastest_and_ties(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "w", "1", "a", AL_RUN_OK, 100, 0.01, 5, NULL, 1);
    synth_add(&run, "w", "1", "b", AL_RUN_OK, 100, 0.01, 5, NULL, 2);
    synth_add(&run, "w", "1", "c", AL_RUN_OK, 100, 0.01, 5, NULL, 3);
    synth_add(&run, "w", "1", "d", AL_RUN_UNSUPPORTED, 0, 0, 0, "no", 4);
    synth_add(&run, "w", "2", "a", AL_RUN_OK, 100, 0.01, 5, NULL, 5);
    synth_set_ci(&run.results[0], 100, 95, 110);
    synth_set_ci(&run.results[1], 108, 104, 112); /* overlaps a */
    synth_set_ci(&run.results[2], 130, 120, 140); /* clear of a */
    assert_int_equal(al_report_rank_of(&run, &run.results[0]), AL_RANK_TIED);
    assert_int_equal(al_report_rank_of(&run, &run.results[1]), AL_RANK_TIED);
    assert_int_equal(al_report_rank_of(&run, &run.results[2]), AL_RANK_NONE);
    assert_int_equal(al_report_rank_of(&run, &run.results[3]), AL_RANK_NONE);
    assert_int_equal(al_report_rank_of(&run, &run.results[4]), AL_RANK_FASTEST); /* alone in its column */
    synth_set_ci(&run.results[1], 115, 111, 119); /* now clear */
    assert_int_equal(al_report_rank_of(&run, &run.results[0]), AL_RANK_FASTEST);
    assert_int_equal(al_report_rank_of(&run, &run.results[1]), AL_RANK_NONE);
    assert_int_equal(al_report_rank_of(&run, NULL), AL_RANK_NONE);
    /* exact counts: a tie within the shown ratio's precision (0.5%) */
    snprintf(run.ctx.mode, sizeof run.ctx.mode, "instructions");
    for (size_t i = 0; i < run.nresults; i++) run.results[i].instructions = 1000;
    run.results[1].instructions = 1004;
    run.results[2].instructions = 1100;
    assert_int_equal(al_report_rank_of(&run, &run.results[0]), AL_RANK_TIED);
    assert_int_equal(al_report_rank_of(&run, &run.results[1]), AL_RANK_TIED);
    assert_int_equal(al_report_rank_of(&run, &run.results[2]), AL_RANK_NONE);
    run.results[1].instructions = 1010;
    assert_int_equal(al_report_rank_of(&run, &run.results[0]), AL_RANK_FASTEST);
    assert_int_equal(al_report_rank_of(&run, &run.results[1]), AL_RANK_NONE);
    al_bench_run_free(&run);
}

static void test_param_name(void **state)
{
    (void)state;
    char buf[48];
    assert_string_equal(al_report_param_name("glibc-simple", buf, sizeof buf), "size");
    assert_string_equal(al_report_param_name("glibc-thread", buf, sizeof buf), "threads");
    assert_string_equal(al_report_param_name("no-such", buf, sizeof buf), "parameter");
}

/* Microseconds are "µs" in the table too, and the columns stay aligned by
 * display width. */
static void test_table_micro_unit_aligned(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "w", "16", "sys", AL_RUN_OK, 1500, 0.01, 10, NULL, 1);
    synth_add(&run, "w", "16", "jemalloc", AL_RUN_OK, 800, 0.01, 10, NULL, 2);
    synth_add(&run, "w", "64", "sys", AL_RUN_OK, 25000, 0.01, 10, NULL, 3);
    synth_add(&run, "w", "64", "jemalloc", AL_RUN_UNSUPPORTED, 0, 0, 0, "no", 4);
    char *t = table_of(&run);
    assert_non_null(strstr(t, "time \u00b5s"));
    assert_null(strstr(t, " us"));
    const char *hdr = strstr(t, "\nallocator");
    assert_non_null(hdr);
    const char *row1 = strchr(hdr + 1, '\n'), *row2 = row1 ? strchr(row1 + 1, '\n') : NULL;
    assert_non_null(row2);
    assert_int_equal(line_width(hdr + 1), line_width(row1 + 1));
    assert_int_equal(line_width(row1 + 1), line_width(row2 + 1));
    free(t);
    al_bench_run_free(&run);
}

/* Instructions mode: instructions and estimated cycles per cell, the ratio on
 * instructions (the cycle ratio differs here), a legend line. */
static void test_table_instructions(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    snprintf(run.ctx.mode, sizeof run.ctx.mode, "instructions");
    synth_add(&run, "w", "1", "a", AL_RUN_OK, 1, 0, 1, NULL, 1);
    synth_add(&run, "w", "1", "b", AL_RUN_OK, 1, 0, 1, NULL, 2);
    synth_add(&run, "w", "1", "c", AL_RUN_OK, 1, 0, 1, NULL, 3);
    run.results[0].instructions = 1.23e6, run.results[0].est_cycles = 3e6;
    run.results[1].instructions = 2.46e6, run.results[1].est_cycles = 3e6;
    run.results[2].instructions = 4.92e6, run.results[2].est_cycles = -1; /* cycles not measured */
    char *t = table_of(&run);
    /* Instructions and cycles are columns of their own; the ratio is on
     * instructions (the cycles are equal, the ratios are not). */
    assert_non_null(strstr(t, "instr  cycles  ratio"));
    assert_non_null(strstr(t, "1.23M   3.00M  1.00x"));
    assert_non_null(strstr(t, "2.46M   3.00M  2.00x"));
    assert_non_null(strstr(t, "4.92M          4.00x")); /* cycles not measured: an empty cell */
    assert_non_null(strstr(t, "cycles: estimated"));
    assert_non_null(strstr(t, "ratios on instructions"));
    free(t);
    al_bench_run_free(&run);
}

/* The summary: per allocator the geometric mean of its ratios to the
 * fastest, ranked; the headline names the best allocator that ran every
 * benchmark, against sys, over the benchmarks both ran. */
static void test_summary(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "w", "1", "sys", AL_RUN_OK, 200, 0.01, 5, NULL, 1);
    synth_add(&run, "w", "1", "mi", AL_RUN_OK, 100, 0.01, 5, NULL, 2);
    synth_add(&run, "w", "1", "bump", AL_RUN_OK, 50, 0.01, 5, NULL, 3);
    synth_add(&run, "w", "2", "sys", AL_RUN_OK, 400, 0.01, 5, NULL, 4);
    synth_add(&run, "w", "2", "mi", AL_RUN_OK, 100, 0.01, 5, NULL, 5);
    synth_add(&run, "w", "2", "bump", AL_RUN_UNSUPPORTED, 0, 0, 0, "no", 6);
    synth_set_ci(&run.results[0], 200, 199, 201);
    synth_set_ci(&run.results[1], 100, 99, 101);
    synth_set_ci(&run.results[2], 50, 49, 51);
    synth_set_ci(&run.results[3], 400, 399, 401);
    synth_set_ci(&run.results[4], 100, 99, 101);
    long rss[] = {1000, 2000, 1000, 1000, 4000, -1};
    for (size_t i = 0; i < 6; i++) run.results[i].peak_rss_kib = rss[i];
    al_run_summary s;
    assert_int_equal(al_run_summary_make(&run, &s), 0);
    assert_int_equal(s.nbench, 2);
    assert_int_equal(s.nrows, 3);
    assert_string_equal(s.rows[0].allocator, "bump"); /* 1.00x, on the one it ran */
    assert_int_equal(s.rows[0].n, 1);
    assert_string_equal(s.rows[1].allocator, "mi");
    assert_float_equal(s.rows[1].time_gm, sqrt(2), 1e-9);  /* 2x then 1x */
    assert_float_equal(s.rows[1].rss_gm, sqrt(2 * 4), 1e-9);
    assert_string_equal(s.rows[2].allocator, "sys");
    assert_float_equal(s.rows[2].time_gm, sqrt(4 * 4), 1e-9); /* 4x then 4x */
    assert_float_equal(s.rows[2].rss_gm, 1, 1e-9);
    char line[256];
    al_run_summary_line(&run, &s, line, sizeof line);
    assert_string_equal(line, "mi ran 2.83x faster than sys over 2 benchmarks; lowest memory: sys");
    al_run_summary_free(&s);
    /* The terminal report closes with it. */
    char *t = table_of(&run);
    const char *sum = strstr(t, "Summary: ");
    assert_non_null(sum);
    assert_non_null(strstr(sum, "1 of 2"));
    assert_non_null(strstr(sum, "mi ran 2.83x faster than sys over 2 benchmarks"));
    assert_true(sum > strstr(t, "\nw "));
    free(t);
    al_bench_run_free(&run);
}

/* A workload of many parameters: every line fits 120 columns (the groups
 * wrap into blocks, each repeating the allocator column), and --wide lifts
 * the limit and adds columns. */
static void test_table_fits_120_columns(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    static const char *const params[] = {"16", "32", "64", "128", "256", "512"};
    static const char *const allocs[] = {"sys", "je", "mi", "tc", "bump", "arena", "pool", "locked:sbrk"};
    unsigned seed = 1;
    for (size_t p = 0; p < 6; p++)
        for (size_t a = 0; a < 8; a++) {
            al_bench_result *r = synth_add(&run, "glibc-simple", params[p], allocs[a], AL_RUN_OK,
                                           30000 * (1 + (double)a * 0.3), 0.2, 20, NULL, seed++);
            r->peak_rss_kib = 123456;
            r->minor_faults = 5950000;
            r->cpu_median_ns = r->s.median;
            r->alloc_calls = 3200;
        }
    char *t = table_of(&run);
    size_t blocks = 0;
    for (const char *line = t; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        size_t w = line_width(line);
        if (w > 120) fail_msg("a line of %zu columns: %.*s", w, (int)strcspn(line, "\n"), line);
        if (strncmp(line, "allocator ", 10) == 0) blocks++;
    }
    assert_true(blocks >= 2);
    for (size_t p = 0; p < 6; p++) {
        char label[16];
        snprintf(label, sizeof label, " %s ", params[p]);
        assert_non_null(strstr(t, label));
    }
    assert_non_null(strstr(t, "RSS MiB"));
    assert_non_null(strstr(t, "5.95M")); /* faults */
    assert_null(strstr(t, "CPU \u00b5s"));
    free(t);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    al_table_opts wide = {.wide = true};
    assert_int_equal(al_report_table_workload(f, &run, "glibc-simple", &wide), 0);
    fclose(f);
    assert_non_null(strstr(buf, "CPU \u00b5s"));
    assert_non_null(strstr(buf, "calls"));
    size_t longest = 0;
    for (const char *line = buf; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line))
        if (line_width(line) > longest) longest = line_width(line);
    assert_true(longest > 120);
    free(buf);
    al_bench_run_free(&run);
}

/* A workload's own metric heads its cells (then the time and its ratio), a
 * note says so; a result without one shows the time alone. */
static void test_table_metric_first(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "fragmentation", "up", "a", AL_RUN_OK, 1e6, 0, 5, NULL, 1);
    synth_add(&run, "fragmentation", "up", "b", AL_RUN_OK, 2e6, 0, 5, NULL, 2);
    synth_add(&run, "thread-exit", "2", "a", AL_RUN_OK, 1e5, 0, 5, NULL, 3);
    synth_add(&run, "plain", "1", "a", AL_RUN_OK, 1e3, 0, 5, NULL, 4);
    snprintf(run.results[1].ran_as, sizeof run.results[1].ran_as, "locked:b");
    al_bench_result *r[3] = {&run.results[0], &run.results[1], &run.results[2]}; /* the run no longer grows */
    static const char *const units[] = {"x live", "x live", "KiB/1k gen"};
    static const double values[] = {1.834, 3.5, 412.4};
    for (int i = 0; i < 3; i++) {
        snprintf(r[i]->metric_name, sizeof r[i]->metric_name, "%s", i < 2 ? "rss_ratio" : "rss_growth");
        snprintf(r[i]->metric_unit, sizeof r[i]->metric_unit, "%s", units[i]);
        r[i]->metric = values[i];
    }
    char buf[32];
    assert_string_equal(al_report_fmt_metric(r[0], buf, sizeof buf), "1.83x live");
    assert_string_equal(al_report_fmt_metric(r[2], buf, sizeof buf), "+412 KiB/1k gen");
    r[2]->metric = 41234.4;
    assert_string_equal(al_report_fmt_metric(r[2], buf, sizeof buf), "+41234 KiB/1k gen");
    r[2]->metric = -3;
    assert_string_equal(al_report_fmt_metric(r[2], buf, sizeof buf), "-3 KiB/1k gen");
    assert_string_equal(al_report_fmt_metric(&run.results[3], buf, sizeof buf), "");
    char *t = table_of(&run);
    /* The metric is the first column of its group, headed by its name. */
    assert_non_null(strstr(t, "rss_ratio      time ms  ratio"));
    assert_non_null(strstr(t, "1.83x live  1.00 \u00b1 0.00  1.00x"));
    assert_non_null(strstr(t, " 3.5x live  2.00 \u00b1 0.00  2.00x"));
    assert_non_null(strstr(t, "-3 KiB/1k gen  100 \u00b1 0.00"));
    assert_non_null(strstr(t, "cells: rss_ratio (x live) first"));
    assert_non_null(strstr(t, "cells: rss_growth (KiB/1k gen) first"));
    /* b ran behind locked:, a as itself */
    const char *locked = strstr(t, "behind locked:");
    assert_non_null(locked);
    assert_non_null(strstr(locked, "mutex): b\n"));
    assert_null(strstr(strstr(t, "thread-exit"), "behind locked:"));
    const char *plain = strstr(t, "\nplain");
    assert_non_null(plain);
    assert_null(strstr(plain, "cells:"));
    free(t);
    al_bench_run_free(&run);
}

/* The tables group a run's results once: workloads and parameters that
 * interleave in the run still make one table each, in order of first
 * appearance, cells where they belong (a name twice shows its first result),
 * missing cells "-", and the whole report is the streamed one (header, each
 * workload's table, end) byte for byte. */
static void test_table_grouping(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "w1", "8", "a", AL_RUN_OK, 100, 0, 5, NULL, 1);
    synth_add(&run, "w2", "x", "b", AL_RUN_OK, 7000, 0, 5, NULL, 2);
    synth_add(&run, "w1", "16", "b", AL_RUN_OK, 300, 0, 5, NULL, 3);
    synth_add(&run, "w1", "8", "b", AL_RUN_OK, 200, 0, 5, NULL, 4);
    synth_add(&run, "w2", "x", "a", AL_RUN_FAILED, 0, 0, 0, "it broke", 5);
    synth_add(&run, "w1", "8", "a", AL_RUN_OK, 999, 0, 5, NULL, 6); /* the name again: not shown */
    synth_add(&run, "w1", "16", "c", AL_RUN_OK, 150, 0, 5, NULL, 7);
    char *t = table_of(&run);
    const char *w1 = strstr(t, "\nw1"), *w2 = strstr(t, "\nw2");
    assert_non_null(w1);
    assert_non_null(w2);
    assert_true(w1 < w2);
    assert_null(strstr(w2 + 1, "\nw1")); /* one table each */
    assert_null(strstr(t, "999"));
    assert_true(strstr(w1, "\u2500 8 \u2500") < strstr(w1, "\u2500 16 \u2500")); /* first appearance */
    /* rows a, b, c in order; a and c have one cell each, the other "-" */
    const char *ra = strstr(w1, "\na "), *rb = strstr(w1, "\nb "), *rc = strstr(w1, "\nc ");
    assert_true(ra && rb && rc && ra < rb && rb < rc && rc < w2);
    char line[3][256];
    for (int i = 0; i < 3; i++) {
        const char *from = (i == 0 ? ra : i == 1 ? rb : rc) + 1;
        snprintf(line[i], sizeof line[i], "%.*s", (int)strcspn(from, "\n"), from);
    }
    assert_non_null(strstr(line[0], "100 \u00b1 0.00  1.00x"));
    assert_non_null(strstr(line[0], "300            -"));
    assert_non_null(strstr(line[1], "200 \u00b1 0.00  2.00x"));
    assert_non_null(strstr(line[1], "300 \u00b1 0.00  2.00x"));
    assert_true(strncmp(line[2], "c                    -   ", 25) == 0);
    assert_non_null(strstr(line[2], "150 \u00b1 0.00  1.00x"));
    assert_non_null(strstr(w2, "failed x/a: it broke"));
    /* the streamed report is the same */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(al_report_table_begin(f, &run, NULL), 0);
    assert_int_equal(al_report_table_workload(f, &run, "w1", NULL), 0);
    assert_int_equal(al_report_table_workload(f, &run, "w2", NULL), 0);
    assert_int_equal(al_report_table_end(f, &run, NULL), 0);
    fclose(f);
    assert_string_equal(buf, t);
    free(buf);
    free(t);
    al_bench_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ci_format),
        cmocka_unit_test(test_rank_fastest_and_ties),
        cmocka_unit_test(test_param_name),
        cmocka_unit_test(test_table_micro_unit_aligned),
        cmocka_unit_test(test_table_instructions),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_table_fits_120_columns),
        cmocka_unit_test(test_table_metric_first),
        cmocka_unit_test(test_table_grouping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
