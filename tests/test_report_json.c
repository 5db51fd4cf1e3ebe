/* The JSON report: Google Benchmark's schema (fields present and typed, read
 * back with jansson), NaN written as null, unsupported results with the
 * standard fields, and a round trip through al_report_json_read. Also the
 * CSV (quoting) and Markdown (one table per workload) reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "synth_run.h"
#include <stdio.h>

static char *render(int (*report)(FILE *, const al_bench_run *), const al_bench_run *run)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(report(f, run), 0);
    fclose(f);
    return buf;
}

static json_t *render_json(const al_bench_run *run)
{
    char *text = render(al_report_json, run);
    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    if (!root) fprintf(stdout, "invalid JSON (%s):\n%s\n", e.text, text);
    assert_non_null(root);
    free(text);
    return root;
}

static void expect(json_t *o, const char *key, json_type type)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_typeof(v) != type) fprintf(stdout, "field %s missing or of the wrong type\n", key);
    assert_non_null(v);
    assert_int_equal(json_typeof(v), type);
}

static void test_schema(void **state)
{
    (void)state;
    al_bench_run run;
    synth_realistic(&run, "base", 1);
    run.results[0].instructions = 1234;
    for (size_t i = 0; i < run.nresults; i++) run.results[i].cpu_median_ns = -1;
    run.results[0].cpu_median_ns = 42.5; /* CPU time measured: cpu_time is it */
    json_t *root = render_json(&run);
    json_t *ctx = json_object_get(root, "context");
    expect(ctx, "quick", JSON_FALSE);
    const char *ctx_str[] = {"date", "host_name", "executable", "cpu_model", "library_build_type",
                             "alloclab_version", "git_commit", "label", "mode", "compiler"};
    for (size_t i = 0; i < sizeof ctx_str / sizeof *ctx_str; i++) expect(ctx, ctx_str[i], JSON_STRING);
    expect(ctx, "num_cpus", JSON_INTEGER);
    expect(ctx, "mhz_per_cpu", JSON_INTEGER);
    assert_string_equal(json_string_value(json_object_get(ctx, "library_build_type")), "release");
    json_t *list = json_object_get(root, "benchmarks");
    assert_int_equal(json_array_size(list), run.nresults);
    for (size_t i = 0; i < run.nresults; i++) {
        json_t *b = json_array_get(list, i);
        const char *s[] = {"name", "run_name", "run_type", "time_unit", "workload", "param", "allocator",
                           "status", "reason"};
        for (size_t k = 0; k < sizeof s / sizeof *s; k++) expect(b, s[k], JSON_STRING);
        expect(b, "iterations", JSON_INTEGER);
        expect(b, "real_time", JSON_REAL);
        expect(b, "cpu_time", JSON_REAL);
        expect(b, "samples", JSON_INTEGER);
        expect(b, "outliers", JSON_INTEGER);
        assert_string_equal(json_string_value(json_object_get(b, "run_type")), "iteration");
        assert_string_equal(json_string_value(json_object_get(b, "time_unit")), "ns");
        assert_string_equal(json_string_value(json_object_get(b, "name")),
                            json_string_value(json_object_get(b, "run_name")));
        const char *stats[] = {"median_ns", "mean_ns", "stddev_ns", "mad_ns", "min_ns", "ci_low_ns", "ci_high_ns"};
        bool ok = run.results[i].status == AL_RUN_OK;
        for (size_t k = 0; k < sizeof stats / sizeof *stats; k++) expect(b, stats[k], ok ? JSON_REAL : JSON_NULL);
        expect(b, "peak_rss_kib", ok ? JSON_INTEGER : JSON_NULL);
        if (ok) {
            expect(b, "alloc_calls", JSON_REAL);
            assert_float_equal(json_real_value(json_object_get(b, "real_time")), run.results[i].s.median, 1e-9);
            /* cpu_time: the measured CPU time, else (not measured) the real time */
            double cpu = i == 0 ? 42.5 : run.results[i].s.median;
            assert_float_equal(json_real_value(json_object_get(b, "cpu_time")), cpu, 1e-9);
            assert_null(json_object_get(b, "error_occurred"));
            assert_true((json_object_get(b, "cpu_median_ns") != NULL) == (i == 0));
        } else {
            assert_int_equal(json_integer_value(json_object_get(b, "iterations")), 0);
            assert_float_equal(json_real_value(json_object_get(b, "real_time")), 0, 0);
            assert_true(strlen(json_string_value(json_object_get(b, "reason"))) > 0);
            /* Google Benchmark's own error fields, beside status and reason */
            expect(b, "error_occurred", JSON_TRUE);
            assert_string_equal(json_string_value(json_object_get(b, "error_message")),
                                json_string_value(json_object_get(b, "reason")));
        }
        assert_true((json_object_get(b, "instructions") != NULL) == (i == 0));
    }
    json_t *first = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "glibc-simple/64/sys");
    assert_int_equal(json_integer_value(json_object_get(first, "iterations")), 1000);
    assert_string_equal(json_string_value(json_object_get(first, "status")), "ok");
    json_decref(root);
    al_bench_run_free(&run);
}

static void test_nan_is_null(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    run.ctx.mhz_per_cpu = 0;
    al_bench_result *r = synth_add(&run, "w", "1", "sys", AL_RUN_OK, 50, 0.1, 5, NULL, 3);
    r->s.stddev = NAN;
    r->s.ci_low = INFINITY;
    r->s.median = NAN;
    r->samples[2] = NAN;
    json_t *root = render_json(&run);
    assert_null(json_object_get(json_object_get(root, "context"), "mhz_per_cpu"));
    json_t *b = json_array_get(json_object_get(root, "benchmarks"), 0);
    expect(b, "stddev_ns", JSON_NULL);
    expect(b, "ci_low_ns", JSON_NULL);
    expect(b, "median_ns", JSON_NULL);
    expect(b, "real_time", JSON_NULL);
    assert_true(json_is_null(json_array_get(json_object_get(b, "sample_ns"), 2)));
    json_decref(root);
    al_bench_run_free(&run);
}

static void test_round_trip(void **state)
{
    (void)state;
    al_bench_run run, back;
    synth_realistic(&run, "round \"trip\"", 1);
    run.results[3].instructions = 777.5;
    run.results[3].est_cycles = 901;
    for (size_t i = 0; i < run.nresults; i++) run.results[i].cpu_median_ns = -1;
    run.results[1].cpu_median_ns = 123.25;
    snprintf(run.results[2].metric_name, sizeof run.results[2].metric_name, "rss_ratio");
    snprintf(run.results[2].metric_unit, sizeof run.results[2].metric_unit, "x live");
    run.results[2].metric = 2.125;
    snprintf(run.results[1].ran_as, sizeof run.results[1].ran_as, "locked:arena");
    run.ctx.quick = true;
    run.ctx.nlibs = 2;
    snprintf(run.ctx.libs[0].name, sizeof run.ctx.libs[0].name, "je");
    snprintf(run.ctx.libs[0].version, sizeof run.ctx.libs[0].version, "jemalloc 5.3.0");
    snprintf(run.ctx.libs[1].name, sizeof run.ctx.libs[1].name, "mi");
    snprintf(run.ctx.libs[1].version, sizeof run.ctx.libs[1].version, "mimalloc 2.0.9");
    char *dir = synth_tmpdir(), path[512], err[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "w");
    assert_int_equal(al_report_json(f, &run), 0);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), 0);
    assert_string_equal(back.ctx.label, run.ctx.label);
    assert_string_equal(back.ctx.build_type, "RelWithDebInfo");
    assert_string_equal(back.ctx.cpu, run.ctx.cpu);
    assert_int_equal(back.ctx.ncpus, 8);
    assert_float_equal(back.ctx.mhz_per_cpu, 3000, 0);
    assert_true(back.ctx.quick);
    assert_int_equal(back.ctx.nlibs, 2);
    assert_string_equal(back.ctx.libs[0].name, "je");
    assert_string_equal(back.ctx.libs[0].version, "jemalloc 5.3.0");
    assert_string_equal(back.ctx.libs[1].version, "mimalloc 2.0.9");
    assert_int_equal(back.nresults, run.nresults);
    for (size_t i = 0; i < run.nresults; i++) {
        const al_bench_result *a = &run.results[i], *b = &back.results[i];
        assert_string_equal(a->workload, b->workload);
        assert_string_equal(a->param, b->param);
        assert_string_equal(a->allocator, b->allocator);
        assert_int_equal(a->status, b->status);
        assert_string_equal(a->reason, b->reason);
        assert_int_equal(a->nsamples, b->nsamples);
        for (size_t k = 0; k < a->nsamples; k++) assert_float_equal(a->samples[k], b->samples[k], 0);
        if (a->status == AL_RUN_OK) {
            assert_int_equal(a->iterations, b->iterations);
            assert_float_equal(a->s.median, b->s.median, 0);
            assert_float_equal(a->s.ci_high, b->s.ci_high, 0);
            assert_int_equal(a->s.outliers_low, b->s.outliers_low);
            assert_int_equal(a->peak_rss_kib, b->peak_rss_kib);
        } else {
            assert_true(isnan(b->s.median));
        }
        assert_float_equal(a->instructions, b->instructions, 0);
        assert_float_equal(a->est_cycles, b->est_cycles, 0);
        assert_float_equal(a->alloc_calls, b->alloc_calls, 0);
        assert_float_equal(a->cpu_median_ns, b->cpu_median_ns, 0);
        assert_int_equal(al_result_has_metric(a), al_result_has_metric(b));
        assert_string_equal(a->ran_as, b->ran_as);
        if (al_result_has_metric(a)) {
            assert_string_equal(a->metric_name, b->metric_name);
            assert_string_equal(a->metric_unit, b->metric_unit);
            assert_float_equal(a->metric, b->metric, 0);
        }
    }
    assert_true(al_result_has_metric(&back.results[2]));
    al_bench_run_free(&back);

    /* bad files: one line, nothing to free */
    assert_int_equal(al_report_json_read("/nonexistent/x.json", &back, err, sizeof err), -1);
    assert_null(strchr(err, '\n'));
    f = fopen(path, "w");
    fputs("{\"benchmarks\": [", f);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "not valid JSON"));
    f = fopen(path, "w");
    fputs("{\"benchmarks\": [{\"name\": \"a/b/c\", \"status\": \"weird\"}]}", f);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "weird"));
    f = fopen(path, "w");
    fputs("[1, 2]", f);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), -1);
    /* a plain Google Benchmark file reads: names split, status ok */
    f = fopen(path, "w");
    fputs("{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_x/64/sys\", \"real_time\": 12.5,"
          " \"cpu_time\": 11.5}, {\"name\": \"BM_y/1/sys\", \"error_occurred\": true,"
          " \"error_message\": \"boom\"}]}", f);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), 0);
    assert_string_equal(back.results[0].param, "64");
    assert_float_equal(back.results[0].s.median, 12.5, 0);
    assert_float_equal(back.results[0].cpu_median_ns, 11.5, 0); /* its cpu_time is measured */
    assert_false(back.ctx.quick);
    assert_int_equal(back.results[1].status, AL_RUN_FAILED); /* its error fields */
    assert_string_equal(back.results[1].reason, "boom");
    al_bench_run_free(&back);
    synth_rmdir(dir);
    al_bench_run_free(&run);
}

/* A CPU count that no int holds (or a negative one) in a foreign report
 * reads as 0, unknown: never an out-of-range conversion. */
static void test_read_out_of_range_cpu_count(void **state)
{
    (void)state;
    static const char *const counts[] = {"1e30", "-1e30", "4294967296", "-3"};
    char *dir = synth_tmpdir(), path[512], err[256];
    snprintf(path, sizeof path, "%s/cpus.json", dir);
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "{\"context\": {\"num_cpus\": %s}, \"benchmarks\": [{\"name\": \"a/b/sys\"}]}\n", counts[i]);
        fclose(f);
        al_bench_run back;
        assert_int_equal(al_report_json_read(path, &back, err, sizeof err), 0);
        if (back.ctx.ncpus != 0) fail_msg("num_cpus %s read as %d", counts[i], back.ctx.ncpus);
        al_bench_run_free(&back);
    }
    synth_rmdir(dir);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "w", "1", "sys", AL_RUN_OK, 50, 0.1, 5, NULL, 3)->cpu_median_ns = 48.5;
    synth_add(&run, "w", "1", "bump", AL_RUN_UNSUPPORTED, 0, 0, 0, "too big, \"really\"\nsorry", 4)->cpu_median_ns = -1;
    al_bench_result *m = synth_add(&run, "w", "2", "sys", AL_RUN_OK, 50, 0.1, 5, NULL, 5);
    m->cpu_median_ns = -1;
    snprintf(m->metric_name, sizeof m->metric_name, "rss_ratio");
    snprintf(m->metric_unit, sizeof m->metric_unit, "x live");
    m->metric = 1.5;
    char *csv = render(al_report_csv, &run);
    assert_non_null(strstr(csv, ",est_cycles,cpu_median_ns,metric_name,metric,metric_unit\n")); /* the last columns */
    assert_non_null(strstr(csv, ",48.5,,,\n"));
    assert_non_null(strstr(csv, ",rss_ratio,1.5,x live\n"));
    assert_non_null(strstr(csv, "sorry\",0,0,,,,,,,,,0,,,,,,,,,,\n")); /* not measured: empty */
    assert_true(strncmp(csv, "name,workload,param,allocator,status,reason,", 44) == 0);
    assert_non_null(strstr(csv, "\nw/1/sys,w,1,sys,ok,,1000,5,"));
    assert_non_null(strstr(csv, "\nw/1/bump,w,1,bump,unsupported,\"too big, \"\"really\"\"\nsorry\",0,0,,,"));
    /* same number of fields on every row: 27 */
    size_t rows = 0, commas = 0;
    bool quoted = false;
    for (const char *p = csv; *p; p++) {
        if (*p == '"') quoted = !quoted;
        else if (!quoted && *p == ',') commas++;
        else if (!quoted && *p == '\n') rows++;
    }
    assert_int_equal(rows, 4);
    assert_int_equal(commas, 4 * 26);
    free(csv);
    al_bench_run_free(&run);
}

static void test_markdown(void **state)
{
    (void)state;
    al_bench_run run;
    synth_realistic(&run, NULL, 1);
    synth_add(&run, "pipe|w", "1", "a|b", AL_RUN_OK, 10, 0.01, 5, NULL, 9);
    char *md = render(al_report_markdown, &run);
    size_t tables = 0;
    for (const char *p = md; (p = strstr(p, "\n### ")); p++) tables++;
    assert_int_equal(tables, 4);
    assert_non_null(strstr(md, "| allocator | 64 | 256 | 4096 |"));
    assert_non_null(strstr(md, "| bump | **10.2 \u00b1 ")); /* the shared CI format */
    assert_non_null(strstr(md, " ns (fastest)**"));
    assert_non_null(strstr(md, "(fastest)**"));
    assert_non_null(strstr(md, "*unsupported*"));
    assert_non_null(strstr(md, "- `16M/bump` unsupported: capacity"));
    assert_non_null(strstr(md, "8 MiB buffer &lt;fixed&gt;"));
    assert_non_null(strstr(md, "### pipe|w")); /* heading, not a cell */
    assert_non_null(strstr(md, "| a\\|b |"));
    assert_null(strstr(md, "--quick"));
    free(md);
    run.ctx.quick = true; /* a CI-sized run says so, once */
    md = render(al_report_markdown, &run);
    const char *q = strstr(md, "--quick");
    assert_non_null(q);
    assert_null(strstr(q + 1, "--quick"));
    free(md);
    al_bench_run_free(&run);
}

/* Markdown bolds the fastest only when its CI is clear of the others; a tie
 * for first is marked on each tied cell, unbolded. Instructions mode shows
 * counts and estimated cycles. */
static void test_markdown_ties_and_instructions(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "glibc-simple", "64", "a", AL_RUN_OK, 100, 0.05, 20, NULL, 1);
    synth_add(&run, "glibc-simple", "64", "b", AL_RUN_OK, 101, 0.05, 20, NULL, 2); /* CIs overlap */
    synth_add(&run, "glibc-simple", "64", "c", AL_RUN_OK, 300, 0.01, 20, NULL, 3);
    synth_add(&run, "glibc-simple", "256", "a", AL_RUN_OK, 100, 0.01, 20, NULL, 4);
    synth_add(&run, "glibc-simple", "256", "b", AL_RUN_OK, 200, 0.01, 20, NULL, 5);
    synth_add(&run, "glibc-simple", "256", "c", AL_RUN_OK, 300, 0.01, 20, NULL, 6);
    /* exact summaries: medians and CIs as written, not as the noise falls */
    const double sums[6][3] = {{100, 98, 103}, {101, 99, 104}, {300, 297, 303},
                               {100, 99, 101}, {200, 198, 202}, {300, 297, 303}};
    for (size_t i = 0; i < 6; i++) synth_set_ci(&run.results[i], sums[i][0], sums[i][1], sums[i][2]);
    char *md = render(al_report_markdown, &run);
    assert_non_null(strstr(md, "*1600 chunks of &lt;size&gt; bytes")); /* the description, escaped */
    const char *row_a = strstr(md, "\n| a |"), *row_b = strstr(md, "\n| b |"), *row_c = strstr(md, "\n| c |");
    assert_non_null(row_a);
    assert_non_null(row_b);
    assert_non_null(row_c);
    char a[256], b[256], c[256];
    snprintf(a, sizeof a, "%.*s", (int)(strchr(row_a + 1, '\n') - row_a), row_a);
    snprintf(b, sizeof b, "%.*s", (int)(strchr(row_b + 1, '\n') - row_b), row_b);
    snprintf(c, sizeof c, "%.*s", (int)(strchr(row_c + 1, '\n') - row_c), row_c);
    /* column 64: a and b tie, nobody is bold there; column 256: a is fastest */
    assert_non_null(strstr(a, "| 100 \u00b1 3.00 ns (tied) | **100 \u00b1 1.00 ns (fastest)** |"));
    assert_non_null(strstr(a, " ns (fastest)** |"));
    assert_non_null(strstr(b, "\u00d7, tied) |"));
    assert_null(strstr(c, "tied"));
    assert_null(strstr(c, "**"));
    free(md);
    /* instructions mode: exact counts, cycles, ratios on instructions */
    snprintf(run.ctx.mode, sizeof run.ctx.mode, "instructions");
    for (size_t i = 0; i < run.nresults; i++) {
        run.results[i].instructions = 1000.0 * (double)(i % 3 + 1);
        run.results[i].est_cycles = 1500.0 * (double)(i % 3 + 1);
    }
    md = render(al_report_markdown, &run);
    assert_non_null(strstr(md, "| a | **1.00k instr, 1.50k cyc (fastest)** |"));
    assert_non_null(strstr(md, "| b | 2.00k instr, 3.00k cyc (2.00\u00d7) |"));
    assert_non_null(strstr(md, "estimated cycles"));
    free(md);
    al_bench_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_nan_is_null),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_read_out_of_range_cpu_count),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_markdown_ties_and_instructions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
