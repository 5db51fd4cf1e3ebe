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
    assert_non_null(strstr(t, " \u00b5s "));
    assert_null(strstr(t, " us "));
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
    assert_non_null(strstr(t, "1.23M instr, 3.00M cyc"));
    assert_non_null(strstr(t, "2.46M instr, 3.00M cyc"));
    assert_non_null(strstr(t, "4.92M instr "));
    assert_null(strstr(t, "4.92M instr,"));
    assert_non_null(strstr(t, "3.00M cyc   1.00x"));
    assert_non_null(strstr(t, "3.00M cyc   2.00x")); /* on instructions: the cycles are equal */
    assert_non_null(strstr(t, "4.00x"));
    assert_non_null(strstr(t, "cyc = estimated cycles"));
    assert_non_null(strstr(t, "ratios on instructions"));
    free(t);
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
    r[2]->metric = -3;
    assert_string_equal(al_report_fmt_metric(r[2], buf, sizeof buf), "-3 KiB/1k gen");
    assert_string_equal(al_report_fmt_metric(&run.results[3], buf, sizeof buf), "");
    char *t = table_of(&run);
    assert_non_null(strstr(t, "1.83x live  1.00 \u00b1 0.00 ms   1.00x"));
    assert_non_null(strstr(t, "3.5x live  2.00 \u00b1 0.00 ms   2.00x"));
    assert_non_null(strstr(t, "-3 KiB/1k gen  100 \u00b1 0.00 \u00b5s"));
    assert_non_null(strstr(t, "cells: rss_ratio (x live) first"));
    assert_non_null(strstr(t, "cells: rss_growth (KiB/1k gen) first"));
    const char *plain = strstr(t, "\nplain");
    assert_non_null(plain);
    assert_null(strstr(plain, "cells:"));
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
        cmocka_unit_test(test_table_metric_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
