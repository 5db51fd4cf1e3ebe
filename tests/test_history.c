/* The results history: save/load round trip, lookup by label and id, the
 * series of one benchmark; compare verdicts on synthetic runs; and refusal,
 * byte for byte untouched, of files that are not alloclab databases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history.h"
#include "synth_run.h"
#include <stdio.h>

static char err[512];

static al_history *open_in(const char *dir, const char *name, bool create)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    al_history *h = al_history_open(path, create, err, sizeof err);
    if (!h) fprintf(stdout, "open: %s\n", err);
    return h;
}

static bool same_syscalls(const al_syscall_counts *x, const al_syscall_counts *y)
{
    return x->counted == y->counted && (!x->counted || (x->iterations == y->iterations && x->brk == y->brk &&
                                                        x->mmap == y->mmap && x->munmap == y->munmap &&
                                                        x->mremap == y->mremap && x->madvise == y->madvise));
}

static void test_save_load_round_trip(void **state)
{
    (void)state;
    char *dir = synth_tmpdir();
    al_history *h = open_in(dir, "deep/er/results.db", true); /* folders created */
    assert_non_null(h);
    al_bench_run a, b, back;
    synth_realistic(&a, "before", 1);
    a.results[2].instructions = 99;
    a.results[2].s.stddev = NAN;
    for (size_t i = 0; i < a.nresults; i++) a.results[i].cpu_median_ns = i == 4 ? 77.25 : -1;
    a.ctx.quick = true;
    a.results[1].sys = (al_syscall_counts){.counted = true, .iterations = 1000, .brk = 1, .mmap = 4002,
                                           .munmap = 4000, .mremap = 3, .madvise = 7};
    a.results[3].sys = (al_syscall_counts){.counted = true, .iterations = 50}; /* counted, no calls */
    a.ctx.nlibs = 2;
    snprintf(a.ctx.libs[0].name, sizeof a.ctx.libs[0].name, "je");
    snprintf(a.ctx.libs[0].version, sizeof a.ctx.libs[0].version, "jemalloc 5.3.0");
    snprintf(a.ctx.libs[1].name, sizeof a.ctx.libs[1].name, "sys");
    snprintf(a.ctx.libs[1].version, sizeof a.ctx.libs[1].version, "glibc 2.36");
    synth_realistic(&b, "after", 1.1);
    assert_int_equal(al_history_save(h, &a, err, sizeof err), 0);
    assert_int_equal(al_history_save(h, &b, err, sizeof err), 0);
    assert_true(a.id > 0 && b.id > a.id);
    assert_int_equal(al_history_run_count(h, err, sizeof err), 2);

    assert_int_equal(al_history_load(h, "before", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.id, a.id);
    assert_string_equal(back.ctx.label, "before");
    assert_string_equal(back.ctx.cpu, a.ctx.cpu);
    assert_string_equal(back.ctx.mode, "time");
    assert_true(back.ctx.quick);
    assert_int_equal(back.ctx.ncpus, a.ctx.ncpus);
    assert_int_equal(back.ctx.nlibs, 2);
    assert_string_equal(back.ctx.libs[0].name, "je");
    assert_string_equal(back.ctx.libs[0].version, "jemalloc 5.3.0");
    assert_string_equal(back.ctx.libs[1].name, "sys");
    assert_string_equal(back.ctx.libs[1].version, "glibc 2.36");
    assert_int_equal(back.nresults, a.nresults);
    for (size_t i = 0; i < a.nresults; i++) {
        const al_bench_result *x = &a.results[i], *y = &back.results[i];
        assert_string_equal(x->workload, y->workload);
        assert_string_equal(x->param, y->param);
        assert_string_equal(x->allocator, y->allocator);
        assert_int_equal(x->status, y->status);
        assert_string_equal(x->reason, y->reason);
        assert_int_equal(x->iterations, y->iterations);
        assert_int_equal(x->nsamples, y->nsamples);
        for (size_t k = 0; k < x->nsamples; k++) assert_memory_equal(&x->samples[k], &y->samples[k], 8);
        assert_true(x->s.median == y->s.median || (isnan(x->s.median) && isnan(y->s.median)));
        assert_true(x->s.stddev == y->s.stddev || (isnan(x->s.stddev) && isnan(y->s.stddev)));
        assert_int_equal(x->peak_rss_kib, y->peak_rss_kib);
        assert_float_equal(x->instructions, y->instructions, 0);
        assert_float_equal(x->alloc_calls, y->alloc_calls, 0);
        assert_float_equal(x->cpu_median_ns, y->cpu_median_ns, 0);
        assert_true(same_syscalls(&x->sys, &y->sys)); /* counted or not, every count */
    }
    assert_true(back.results[3].sys.counted && al_syscalls_total(&back.results[3].sys) == 0);
    assert_false(back.results[0].sys.counted);
    al_bench_run_free(&back);

    char id[32];
    snprintf(id, sizeof id, "%lld", b.id);
    assert_int_equal(al_history_load(h, id, 0, &back, err, sizeof err), 0);
    assert_string_equal(back.ctx.label, "after");
    assert_int_equal(back.ctx.nlibs, b.ctx.nlibs); /* none */
    al_bench_run_free(&back);
    assert_int_equal(al_history_load(h, NULL, 0, &back, err, sizeof err), 0); /* the last */
    assert_int_equal(back.id, b.id);
    al_bench_run_free(&back);
    assert_int_equal(al_history_load(h, NULL, 1, &back, err, sizeof err), 0); /* the one before */
    assert_int_equal(back.id, a.id);
    al_bench_run_free(&back);
    assert_int_equal(al_history_load(h, NULL, 2, &back, err, sizeof err), -1);
    assert_int_equal(al_history_load(h, "nope", 0, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "nope"));
    assert_int_equal(al_history_load(h, "12345", 0, &back, err, sizeof err), -1);

    /* a label saved twice: the latest wins */
    al_bench_run c;
    synth_realistic(&c, "before", 2);
    assert_int_equal(al_history_save(h, &c, err, sizeof err), 0);
    assert_int_equal(al_history_load(h, "before", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.id, c.id);
    al_bench_run_free(&back);

    size_t n;
    al_history_point *pts = al_history_series(h, "glibc-simple/64/mi", &n, err, sizeof err);
    assert_non_null(pts);
    assert_int_equal(n, 3);
    assert_int_equal(pts[0].run_id, a.id);
    assert_int_equal(pts[2].run_id, c.id);
    assert_string_equal(pts[1].label, "after");
    assert_float_equal(pts[1].median, al_bench_run_find(&b, "glibc-simple", "64", "mi")->s.median, 0);
    free(pts);
    pts = al_history_series(h, "glibc-simple", &n, err, sizeof err); /* a prefix: 15 results x 3 runs */
    assert_int_equal(n, 45);
    free(pts);
    pts = al_history_series(h, "glibc-simp", &n, err, sizeof err); /* not a whole component */
    assert_int_equal(n, 0);
    free(pts);
    al_history_close(h);

    /* reopening the file finds everything */
    h = open_in(dir, "deep/er/results.db", false);
    assert_non_null(h);
    assert_int_equal(al_history_run_count(h, err, sizeof err), 3);
    al_history_close(h);
    al_bench_run_free(&a);
    al_bench_run_free(&b);
    al_bench_run_free(&c);
    synth_rmdir(dir);
}

/* new = base with every time scaled by `factor` (and different noise). */
static al_verdict verdict_for(double factor, double *ratio)
{
    al_bench_run base, nw;
    synth_run_init(&base, "base");
    synth_run_init(&nw, "new");
    synth_add(&base, "w", "1", "sys", AL_RUN_OK, 1000, 0.01, 20, NULL, 1);
    synth_add(&nw, "w", "1", "sys", AL_RUN_OK, 1000 * factor, 0.01, 20, NULL, 2);
    size_t n;
    al_comparison *c = al_compare_runs(&base, &nw, 0.02, &n);
    assert_non_null(c);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].name, "w/1/sys");
    assert_true(c[0].ratio_lo <= c[0].ratio && c[0].ratio <= c[0].ratio_hi);
    *ratio = c[0].ratio;
    al_verdict v = c[0].verdict;
    free(c);
    al_bench_run_free(&base);
    al_bench_run_free(&nw);
    return v;
}

static void test_compare_verdicts(void **state)
{
    (void)state;
    double ratio;
    assert_int_equal(verdict_for(1.20, &ratio), AL_REGRESSED);
    assert_float_equal(ratio, 1.20, 0.02);
    assert_int_equal(verdict_for(1.005, &ratio), AL_UNCHANGED);
    assert_int_equal(verdict_for(0.80, &ratio), AL_IMPROVED);
    assert_float_equal(ratio, 0.80, 0.02);
}

static void test_compare_skips_missing_and_unsupported(void **state)
{
    (void)state;
    al_bench_run base, nw;
    synth_realistic(&base, "base", 1);
    synth_realistic(&nw, "new", 1);
    synth_add(&nw, "only-new", "1", "sys", AL_RUN_OK, 5, 0.01, 10, NULL, 3);
    size_t n;
    al_comparison *c = al_compare_runs(&base, &nw, 0.02, &n);
    assert_non_null(c);
    assert_int_equal(n, 40); /* 42 results, 2 not ok; only-new has no base */
    for (size_t i = 0; i < n; i++) assert_int_equal(c[i].verdict, AL_UNCHANGED); /* identical samples */
    free(c);
    /* instructions mode: exact ratios */
    snprintf(base.ctx.mode, sizeof base.ctx.mode, "instructions");
    snprintf(nw.ctx.mode, sizeof nw.ctx.mode, "instructions");
    base.results[0].instructions = 1000;
    nw.results[0].instructions = 1030;
    c = al_compare_runs(&base, &nw, 0.02, &n);
    assert_float_equal(c[0].ratio, 1.03, 1e-12);
    assert_float_equal(c[0].ratio_lo, 1.03, 1e-12);
    assert_int_equal(c[0].verdict, AL_REGRESSED);
    free(c);
    al_bench_run_free(&base);
    al_bench_run_free(&nw);
}

/* ---- refusals: the file must come out byte for byte as it went in ---- */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* ---- a database of schema version 1 (alloclab before CPU times) ----------
 * Its schema as that version wrote it: opening it read-write migrates it in
 * place, and what it held still loads. */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, date TEXT, label TEXT, git_commit TEXT, host TEXT,"
    " cpu TEXT, ncpus INTEGER, mhz REAL, compiler TEXT, build_type TEXT, mode TEXT, version TEXT);"
    "CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, workload TEXT, param TEXT, allocator TEXT, status TEXT, reason TEXT,"
    " iterations INTEGER, nsamples INTEGER, median REAL, mean REAL, stddev REAL, mad REAL,"
    " min REAL, max REAL, ci_low REAL, ci_high REAL, outliers_low INTEGER, outliers_high INTEGER,"
    " peak_rss_kib INTEGER, minor_faults INTEGER, major_faults INTEGER, alloc_calls REAL,"
    " instructions REAL, est_cycles REAL,"
    " samples BLOB, PRIMARY KEY(run_id, seq));"
    "CREATE INDEX results_name ON results(workload, param, allocator);"
    "INSERT INTO meta VALUES('application', 'alloclab'), ('schema_version', '1');"
    "PRAGMA application_id = 1097616482;"
    "PRAGMA user_version = 1;"
    "INSERT INTO runs VALUES(1, '2025-12-01T00:00:00Z', 'old', 'abc', 'h', 'cpu', 4, 0, 'gcc', 'Release',"
    " 'time', '0.1.0');"
    "INSERT INTO results VALUES(1, 0, 'w', '1', 'sys', 'ok', '', 100, 0, 50.5, 50.5, 0, 0, 50, 51, 50, 51,"
    " 0, 0, 1024, 10, 0, 2, NULL, NULL, x'');";

static long long user_version(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_migrates_version_1(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/v1.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema_v1, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    al_history *h = al_history_open(path, false, err, sizeof err);
    if (!h) fprintf(stdout, "open: %s\n", err);
    assert_non_null(h);
    al_bench_run back;
    assert_int_equal(al_history_load(h, "old", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.nresults, 1);
    assert_float_equal(back.results[0].s.median, 50.5, 0);
    assert_float_equal(back.results[0].cpu_median_ns, -1, 0); /* not measured then */
    assert_false(back.ctx.quick);
    al_bench_run_free(&back);

    /* A new run with its CPU time goes in beside the old one. */
    al_bench_run run;
    synth_run_init(&run, "new");
    synth_add(&run, "w", "1", "sys", AL_RUN_OK, 40, 0.01, 5, NULL, 1)->cpu_median_ns = 39.5;
    assert_int_equal(al_history_save(h, &run, err, sizeof err), 0);
    assert_int_equal(al_history_load(h, "new", 0, &back, err, sizeof err), 0);
    assert_float_equal(back.results[0].cpu_median_ns, 39.5, 0);
    al_bench_run_free(&back);
    al_bench_run_free(&run);
    /* and a workload metric (schema 3) too */
    synth_run_init(&run, "metric");
    al_bench_result *m = synth_add(&run, "fragmentation", "up", "sys", AL_RUN_OK, 40, 0.01, 5, NULL, 1);
    snprintf(m->metric_name, sizeof m->metric_name, "rss_ratio");
    snprintf(m->metric_unit, sizeof m->metric_unit, "x live");
    m->metric = 1.75;
    snprintf(m->ran_as, sizeof m->ran_as, "locked:sys");
    /* and the machine-speed reference (schema 5) */
    run.ctx.reference = (al_bench_reference){.n = 120, .median_ns = 1.5e6, .ci_low_ns = 1.49e6, .ci_high_ns = 1.52e6};
    assert_int_equal(al_history_save(h, &run, err, sizeof err), 0);
    assert_int_equal(al_history_load(h, "metric", 0, &back, err, sizeof err), 0);
    assert_int_equal(back.ctx.reference.n, 120);
    assert_float_equal(back.ctx.reference.median_ns, 1.5e6, 0);
    assert_float_equal(back.ctx.reference.ci_low_ns, 1.49e6, 0);
    assert_float_equal(back.ctx.reference.ci_high_ns, 1.52e6, 0);
    assert_string_equal(back.results[0].metric_name, "rss_ratio");
    assert_string_equal(back.results[0].metric_unit, "x live");
    assert_float_equal(back.results[0].metric, 1.75, 0);
    assert_string_equal(back.results[0].ran_as, "locked:sys");
    al_bench_run_free(&back);
    al_bench_run_free(&run);
    assert_int_equal(al_history_load(h, "new", 0, &back, err, sizeof err), 0);
    assert_false(al_result_has_metric(&back.results[0]));
    assert_string_equal(back.results[0].ran_as, "");
    assert_int_equal(back.ctx.reference.n, 0); /* not measured: none */
    al_bench_run_free(&back);
    al_history_close(h);
    assert_int_equal(user_version(path), 7);

    /* Migrated once: it opens again as it is. */
    h = al_history_open(path, false, err, sizeof err);
    assert_non_null(h);
    assert_int_equal(al_history_run_count(h, err, sizeof err), 3);
    al_history_close(h);
    synth_rmdir(dir);
}

static void expect_refused(const char *path, const char *why)
{
    size_t before_len, after_len;
    char *before = synth_read_file(path, &before_len);
    assert_non_null(before);
    al_history *h = al_history_open(path, true, err, sizeof err);
    assert_null(h);
    assert_null(strchr(err, '\n'));
    if (!strstr(err, why)) fprintf(stdout, "reason: %s (expected '%s')\n", err, why);
    assert_non_null(strstr(err, why));
    char *after = synth_read_file(path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
    char side[600];
    snprintf(side, sizeof side, "%s-journal", path);
    struct stat sb;
    assert_int_not_equal(stat(side, &sb), 0); /* no journal left behind either */
}

static void test_refuses_foreign_files(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), path[512];

    snprintf(path, sizeof path, "%s/notes.txt", dir);
    const char text[] = "these are my notes, not a database\n";
    write_file(path, text, sizeof text - 1);
    expect_refused(path, "not an SQLite database");

    snprintf(path, sizeof path, "%s/empty.db", dir);
    write_file(path, "", 0);
    expect_refused(path, "not an SQLite database");

    /* another application's SQLite database */
    snprintf(path, sizeof path, "%s/other.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE runs(x); CREATE TABLE results(y); CREATE TABLE meta(z);"
                                      "INSERT INTO runs VALUES(1);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect_refused(path, "another application");

    /* our application id but without the tables */
    snprintf(path, sizeof path, "%s/half.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1097616482; CREATE TABLE t(x);", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_refused(path, "missing alloclab's tables");

    /* an alloclab database of a later schema version than this one reads */
    snprintf(path, sizeof path, "%s/newer.db", dir);
    al_history_close(al_history_open(path, true, err, sizeof err));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 8;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect_refused(path, "newer alloclab");

    /* a real alloclab database, then damaged in its middle */
    snprintf(path, sizeof path, "%s/corrupt.db", dir);
    synth_store_realistic(path, "x");
    size_t len;
    char *bytes = synth_read_file(path, &len);
    assert_true(len > 8192);
    memset(bytes + 4096 + 16, 0xA5, len - 4096 - 16 > 4000 ? 4000 : len - 4096 - 16); /* page 2 */
    memset(bytes + 100, 0xFF, 12); /* page 1's b-tree header */
    write_file(path, bytes, len);
    free(bytes);
    expect_refused(path, "corrupt");

    /* a folder where the file should be; no file and no create */
    snprintf(path, sizeof path, "%s", dir);
    assert_null(al_history_open(path, true, err, sizeof err));
    snprintf(path, sizeof path, "%s/absent.db", dir);
    assert_null(al_history_open(path, false, err, sizeof err));
    assert_non_null(strstr(err, "no results database"));
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
    synth_rmdir(dir);
}

/* ---- a database of schema version 4 (before system calls and library versions)
 * Its schema as version 4 created it, with three runs that use every column
 * that version had. Opening it migrates it to the current version in place:
 * every run still loads with every figure, the layout is a new database's,
 * and a new run with system call counts and library versions goes in beside
 * the old ones. A copy that cannot be written is read as it is, untouched. */
static const char schema_v4[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, date TEXT, label TEXT, git_commit TEXT, host TEXT,"
    " cpu TEXT, ncpus INTEGER, mhz REAL, compiler TEXT, build_type TEXT, mode TEXT, version TEXT,"
    " quick INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, workload TEXT, param TEXT, allocator TEXT, status TEXT, reason TEXT,"
    " iterations INTEGER, nsamples INTEGER, median REAL, mean REAL, stddev REAL, mad REAL,"
    " min REAL, max REAL, ci_low REAL, ci_high REAL, outliers_low INTEGER, outliers_high INTEGER,"
    " peak_rss_kib INTEGER, minor_faults INTEGER, major_faults INTEGER, alloc_calls REAL,"
    " instructions REAL, est_cycles REAL,"
    " samples BLOB, cpu_median_ns REAL, metric_name TEXT, metric_unit TEXT, metric REAL, ran_as TEXT,"
    " PRIMARY KEY(run_id, seq));"
    "CREATE INDEX results_name ON results(workload, param, allocator);"
    "INSERT INTO meta VALUES('application', 'alloclab'), ('schema_version', '4');"
    "PRAGMA application_id = 1097616482;"
    "PRAGMA user_version = 4;"
    "INSERT INTO runs VALUES(1, '2026-11-01T00:00:00Z', 'v4-a', 'abc123', 'h', 'cpu', 2, 2300, 'gcc 12',"
    " 'RelWithDebInfo', 'time', '0.1.0', 0);"
    "INSERT INTO runs VALUES(2, '2026-11-02T00:00:00Z', 'v4-b', 'abc124', 'h', 'cpu', 2, 2300, 'gcc 12',"
    " 'RelWithDebInfo', 'instructions', '0.1.0', 1);"
    "INSERT INTO runs VALUES(3, '2026-11-03T00:00:00Z', 'v4-c', '', 'h', 'cpu', 2, NULL, 'gcc 12',"
    " 'Debug', 'time', '0.1.0', 0);"
    /* samples 10.0 and 12.5 as little-endian doubles */
    "INSERT INTO results VALUES(1, 0, 'large-blocks', '1M', 'je', 'ok', '', 64, 2, 11.25, 11.25, 1.7, 1.25,"
    " 10, 12.5, 10.1, 12.4, 0, 1, 9000, 2250, 1, 2, NULL, NULL, x'00000000000024400000000000002940', 11.5,"
    " NULL, NULL, NULL, NULL);"
    "INSERT INTO results VALUES(1, 1, 'fragmentation', 'up', 'arena', 'ok', '', 8, 0, 500, 500, 0, 0,"
    " 500, 500, 490, 510, 0, 0, 4096, 10, 0, NULL, NULL, NULL, x'', NULL, 'rss_ratio', 'x live', 1.75,"
    " 'locked:arena');"
    "INSERT INTO results VALUES(1, 2, 'large-blocks', '1M', 'bump', 'unsupported', 'fixed capacity', 0, 0,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, -1, -1, -1, NULL, NULL, NULL, x'', NULL,"
    " NULL, NULL, NULL, NULL);"
    "INSERT INTO results VALUES(2, 0, 'single-alloc', '64', 'sys', 'ok', '', 1, 0, 10, 10, 0, 0, 10, 10, 10,"
    " 10, 0, 0, 3000, 90, 0, 2, 312, 400.5, x'', NULL, NULL, NULL, NULL, NULL);"
    "INSERT INTO results VALUES(3, 0, 'single-alloc', '64', 'mi', 'failed', 'killed by signal 9', 0, 0,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, -1, -1, -1, NULL, NULL, NULL, x'', NULL,"
    " NULL, NULL, NULL, NULL);";

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stdout, "schema: %s\n", msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

/* Each table's columns (name and type, in order) and the tables, as text:
 * what a migrated and a new database must share. */
static void layout_of(const char *path, char *buf, size_t len)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT m.name, p.cid, p.name, p.type, p.pk FROM sqlite_schema m,"
                                            " pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
                                        -1, &st, NULL), SQLITE_OK);
    size_t used = 0;
    buf[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && used < len)
        used += (size_t)snprintf(buf + used, len - used, "%s.%d %s %s %d; ", sqlite3_column_text(st, 0),
                                 sqlite3_column_int(st, 1), sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                                 sqlite3_column_int(st, 4));
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(used < len);
}

/* The three runs of schema_v4, as loaded: every figure that version held. */
static void check_v4_runs(al_history *h)
{
    al_bench_run r;
    assert_int_equal(al_history_run_count(h, err, sizeof err), 3);
    assert_int_equal(al_history_load(h, "v4-a", 0, &r, err, sizeof err), 0);
    assert_int_equal(r.id, 1);
    assert_string_equal(r.ctx.git_commit, "abc123");
    assert_string_equal(r.ctx.build_type, "RelWithDebInfo");
    assert_float_equal(r.ctx.mhz_per_cpu, 2300, 0);
    assert_int_equal(r.ctx.nlibs, 0); /* not recorded then */
    assert_int_equal(r.ctx.reference.n, 0);
    assert_int_equal(r.nresults, 3);
    const al_bench_result *lb = &r.results[0], *fr = &r.results[1], *un = &r.results[2];
    assert_string_equal(lb->workload, "large-blocks");
    assert_int_equal(lb->iterations, 64);
    assert_int_equal(lb->nsamples, 2);
    assert_float_equal(lb->samples[0], 10.0, 0);
    assert_float_equal(lb->samples[1], 12.5, 0);
    assert_float_equal(lb->s.median, 11.25, 0);
    assert_float_equal(lb->s.ci_low, 10.1, 0);
    assert_float_equal(lb->s.ci_high, 12.4, 0);
    assert_int_equal(lb->s.outliers_high, 1);
    assert_int_equal(lb->peak_rss_kib, 9000);
    assert_int_equal(lb->minor_faults, 2250);
    assert_int_equal(lb->major_faults, 1);
    assert_float_equal(lb->alloc_calls, 2, 0);
    assert_float_equal(lb->instructions, -1, 0);
    assert_float_equal(lb->cpu_median_ns, 11.5, 0);
    assert_false(lb->sys.counted); /* not counted then */
    assert_false(al_result_has_metric(lb));
    assert_string_equal(fr->metric_name, "rss_ratio");
    assert_string_equal(fr->metric_unit, "x live");
    assert_float_equal(fr->metric, 1.75, 0);
    assert_string_equal(fr->ran_as, "locked:arena");
    assert_int_equal(fr->s.n, 0);
    assert_int_equal(un->status, AL_RUN_UNSUPPORTED);
    assert_string_equal(un->reason, "fixed capacity");
    assert_true(isnan(un->s.median));
    assert_false(r.ctx.quick);
    al_bench_run_free(&r);
    assert_int_equal(al_history_load(h, "v4-b", 0, &r, err, sizeof err), 0);
    assert_true(r.ctx.quick);
    assert_string_equal(r.ctx.mode, "instructions");
    assert_float_equal(r.results[0].instructions, 312, 0);
    assert_float_equal(r.results[0].est_cycles, 400.5, 0);
    al_bench_run_free(&r);
    assert_int_equal(al_history_load(h, "v4-c", 0, &r, err, sizeof err), 0);
    assert_float_equal(r.ctx.mhz_per_cpu, 0, 0);
    assert_int_equal(r.results[0].status, AL_RUN_FAILED);
    assert_string_equal(r.results[0].reason, "killed by signal 9");
    al_bench_run_free(&r);
    /* the default pair and the series read it too */
    long long base_id, new_id;
    assert_int_equal(al_history_default_pair(h, &base_id, &new_id, err, sizeof err), 0); /* #3 and #1: time, full */
    assert_int_equal(base_id, 1);
    assert_int_equal(new_id, 3);
    size_t n;
    al_history_point *pts = al_history_series(h, "single-alloc", &n, err, sizeof err);
    assert_non_null(pts);
    assert_int_equal(n, 2);
    assert_true(pts[0].quick);
    assert_false(pts[1].quick);
    free(pts);
}

static void test_migrates_version_4(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), path[512], fresh[512];
    snprintf(path, sizeof path, "%s/v4.db", dir);
    snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
    make_db(path, schema_v4);

    al_history *h = al_history_open(path, false, err, sizeof err);
    if (!h) fprintf(stdout, "open: %s\n", err);
    assert_non_null(h);
    check_v4_runs(h);
    /* A new run with its system calls and library versions, beside them. */
    al_bench_run run, back;
    synth_run_init(&run, "v5");
    al_bench_result *r = synth_add(&run, "large-blocks", "1M", "je", AL_RUN_OK, 900, 0.01, 5, NULL, 1);
    r->sys = (al_syscall_counts){.counted = true, .iterations = 64, .mmap = 130, .munmap = 128, .madvise = 2};
    run.ctx.nlibs = 1;
    snprintf(run.ctx.libs[0].name, sizeof run.ctx.libs[0].name, "je");
    snprintf(run.ctx.libs[0].version, sizeof run.ctx.libs[0].version, "jemalloc 5.3.0");
    assert_int_equal(al_history_save(h, &run, err, sizeof err), 0);
    assert_int_equal(run.id, 4);
    assert_int_equal(al_history_load(h, "v5", 0, &back, err, sizeof err), 0);
    assert_true(same_syscalls(&back.results[0].sys, &r->sys));
    assert_int_equal(back.ctx.nlibs, 1);
    assert_string_equal(back.ctx.libs[0].version, "jemalloc 5.3.0");
    al_bench_run_free(&back);
    al_bench_run_free(&run);
    al_history_close(h);
    assert_int_equal(user_version(path), 7);

    /* The migrated layout is a new database's, and the file is sound. */
    al_history_close(al_history_open(fresh, true, err, sizeof err));
    char a[8192], b[8192];
    layout_of(path, a, sizeof a);
    layout_of(fresh, b, sizeof b);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "results.36 sys_madvise INTEGER"));
    assert_non_null(strstr(a, "run_libs.3 version TEXT"));
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* reopened, the old runs are still all there */
    h = al_history_open(path, false, err, sizeof err);
    assert_non_null(h);
    assert_int_equal(al_history_run_count(h, err, sizeof err), 4);
    al_history_close(h);
    synth_rmdir(dir);
}

/* In a child that cannot write the file (another user when the tests run as
 * root, who writes anyway): open, read every run, refuse a save. Exit 0 when
 * all of that held, else the number of the step that did not. */
static int read_only_child(const char *path)
{
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
    if (access(path, W_OK) == 0) return 11; /* the file must not be writable here */
    al_history *h = al_history_open(path, false, err, sizeof err);
    if (!h) {
        fprintf(stdout, "read-only open: %s\n", err);
        return 12;
    }
    if (!al_history_read_only(h)) return 13;
    al_bench_run r;
    const char *labels[] = {"v4-a", "v4-b", "v4-c"};
    const size_t counts[] = {3, 1, 1};
    for (int i = 0; i < 3; i++) {
        if (al_history_load(h, labels[i], 0, &r, err, sizeof err) != 0) {
            fprintf(stdout, "read-only load: %s\n", err);
            return 14 + i;
        }
        bool ok = r.nresults == counts[i] && (i || (r.results[1].metric == 1.75 && r.results[0].cpu_median_ns == 11.5 &&
                                                    strcmp(r.results[1].ran_as, "locked:arena") == 0 &&
                                                    !r.results[0].sys.counted));
        al_bench_run_free(&r);
        if (!ok) return 20 + i;
    }
    long long b, n;
    if (al_history_default_pair(h, &b, &n, err, sizeof err) != 0 || b != 1 || n != 3) return 23;
    size_t np;
    al_history_point *pts = al_history_series(h, "single-alloc", &np, err, sizeof err);
    if (!pts || np != 2 || !pts[0].quick) return 24;
    free(pts);
    al_bench_run run;
    synth_run_init(&run, "not-stored");
    synth_add(&run, "w", "1", "sys", AL_RUN_OK, 40, 0.01, 5, NULL, 1);
    int saved = al_history_save(h, &run, err, sizeof err);
    al_bench_run_free(&run);
    al_history_close(h);
    return saved == -1 ? 0 : 25;
}

static void test_old_schema_read_only(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), path[512], journal[600];
    snprintf(path, sizeof path, "%s/v4ro.db", dir);
    snprintf(journal, sizeof journal, "%s-journal", path);
    make_db(path, schema_v4);
    assert_int_equal(chmod(dir, 0755), 0); /* the other user reaches the file, cannot write beside it */
    assert_int_equal(chmod(path, 0444), 0);
    size_t before_len, after_len;
    char *before = synth_read_file(path, &before_len);
    assert_non_null(before);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc = read_only_child(path);
        fflush(NULL);
        _exit(rc);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status)) fprintf(stdout, "the read-only child failed at step %d\n", WEXITSTATUS(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *after = synth_read_file(path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len); /* not migrated, not touched */
    struct stat sb;
    assert_int_not_equal(stat(journal, &sb), 0);
    free(before);
    free(after);
    assert_int_equal(user_version(path), 4);
    chmod(path, 0644);
    synth_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_compare_verdicts),
        cmocka_unit_test(test_compare_skips_missing_and_unsupported),
        cmocka_unit_test(test_refuses_foreign_files),
        cmocka_unit_test(test_migrates_version_1),
        cmocka_unit_test(test_migrates_version_4),
        cmocka_unit_test(test_old_schema_read_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
