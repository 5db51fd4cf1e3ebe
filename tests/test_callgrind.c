/* Instruction counts under callgrind: the output-file parser (against
 * hand-written files with hand-computed figures), availability, and real
 * measurements that must repeat exactly. The real measurements re-run this
 * very program under valgrind in its child mode (see main), and are skipped
 * with a message when valgrind cannot run here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "callgrind.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */
static char tmp_path[64];

static const char *write_tmp(const char *text)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/alloclab-cgtest-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return tmp_path;
}

/* The real benchmark the measurements use: a single-threaded workload. */
static al_bench_item single_threaded_item(const char *allocator)
{
    static const char *const preferred[] = {"glibc-simple", "malloc-loop"};
    const al_workload *wl = NULL;
    for (size_t i = 0; i < 2 && !wl; i++) wl = al_workload_find(preferred[i]);
    if (!wl) wl = al_workload_at(0);
    assert_non_null(wl);
    return (al_bench_item){wl, wl->params && wl->params[0] ? wl->params[0] : "", allocator};
}

static bool valgrind_usable(void)
{
    const char *r = al_callgrind_unavailable();
    if (r) printf("skipped: %s\n", r);
    return r == NULL;
}

/* ----------------------------------------------------------------------------
 * The parser
 * ------------------------------------------------------------------------- */
static const char cache_file[] =
    "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 42\ncmd: alloclab bench\npart: 1\n\n"
    "desc: I1 cache: 32768 B, 64 B, 8-way associative\n\n"
    "positions: line\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
    "summary: 1000 400 200 10 20 5 2 4 1\n\n"
    "ob=(1) /bin/alloclab\nfl=(1) workload.c\nfn=(1) run\n16 900 400 200 10 20 5 2 4 1\n"
    "totals: 1000 400 200 10 20 5 2 4 1\n";

/* Accesses 1600, L1 misses 35, LL misses 7: L1 hits 1565, LL hits 28, RAM 7;
 * cycles 1565 + 5 x 28 + 35 x 7 = 1950 over 10 iterations. */
static void parse_hand_written_file(void **state)
{
    (void)state;
    char why[256] = "";
    al_callgrind_totals t;
    assert_int_equal(al_callgrind_parse(write_tmp(cache_file), &t, why, sizeof why), 0);
    unlink(tmp_path);
    assert_true(t.has_cache);
    assert_int_equal(t.ir, 1000);
    assert_int_equal(t.dr, 400);
    assert_int_equal(t.dw, 200);
    assert_int_equal(t.i1mr + t.d1mr + t.d1mw, 35);
    assert_int_equal(t.ilmr + t.dlmr + t.dlmw, 7);
    double ins, cyc;
    al_callgrind_per_iter(&t, 10, &ins, &cyc);
    assert_true(ins == 100.0);
    assert_true(cyc == 195.0);
}

/* Columns by name, not by position; omitted trailing columns are zero; the
 * summaries of several parts add up; summary wins over totals. */
static void parse_reordered_parts_and_short_lines(void **state)
{
    (void)state;
    const char *text =
        "version: 1\npart: 1\nevents: Dr Ir Dw DLmw DLmr ILmr D1mw D1mr I1mr\nsummary: 10 100 5\n"
        "totals: 999\npart: 2\nevents: Dr Ir Dw DLmw DLmr ILmr D1mw D1mr I1mr\n"
        "summary: 30 300 15 1 2 3 4 5 6\n";
    char why[256] = "";
    al_callgrind_totals t;
    assert_int_equal(al_callgrind_parse(write_tmp(text), &t, why, sizeof why), 0);
    unlink(tmp_path);
    assert_int_equal(t.ir, 400);
    assert_int_equal(t.dr, 40);
    assert_int_equal(t.dw, 20);
    assert_int_equal(t.dlmw, 1);
    assert_int_equal(t.dlmr, 2);
    assert_int_equal(t.ilmr, 3);
    assert_int_equal(t.d1mw, 4);
    assert_int_equal(t.d1mr, 5);
    assert_int_equal(t.i1mr, 6);
    /* accesses 460, L1 misses 15, LL misses 6: 445 + 5 x 9 + 35 x 6 = 700 over 4 */
    double ins, cyc;
    al_callgrind_per_iter(&t, 4, &ins, &cyc);
    assert_true(ins == 100.0);
    assert_true(cyc == 175.0);
}

/* Without the cache simulation: instructions only, est_cycles unknown. */
static void parse_without_cache_events(void **state)
{
    (void)state;
    char why[256] = "";
    al_callgrind_totals t;
    assert_int_equal(al_callgrind_parse(write_tmp("events: Ir\nfn=main\n3 7\ntotals: 770\n"), &t, why, sizeof why), 0);
    unlink(tmp_path);
    assert_false(t.has_cache);
    double ins, cyc;
    al_callgrind_per_iter(&t, 7, &ins, &cyc);
    assert_true(ins == 110.0);
    assert_true(cyc == -1.0);
}

static void expect_parse_failure(const char *text, const char *needle)
{
    char why[256] = "";
    al_callgrind_totals t;
    assert_int_equal(al_callgrind_parse(write_tmp(text), &t, why, sizeof why), -1);
    unlink(tmp_path);
    if (!strstr(why, needle)) fail_msg("reason '%s' lacks '%s'", why, needle);
}

static void parse_rejects_incomplete_files(void **state)
{
    (void)state;
    expect_parse_failure("", "no events line");
    expect_parse_failure("version: 1\nsummary: 10\n", "costs before the events line");
    expect_parse_failure("events: Ir Dr\nfn=main\n1 2 3\n", "no summary or totals line");
    expect_parse_failure("events: Dr Dw\nsummary: 1 2\n", "no Ir");
    expect_parse_failure("events: Ir\nsummary: 12x\n", "malformed costs on line 2");
    expect_parse_failure("events: Ir\nsummary: -5\n", "malformed costs");
    char why[256] = "";
    al_callgrind_totals t;
    assert_int_equal(al_callgrind_parse("/nonexistent/cg.out", &t, why, sizeof why), -1);
    assert_non_null(strstr(why, "cannot read"));
}

/* ----------------------------------------------------------------------------
 * Availability
 * ------------------------------------------------------------------------- */
static void missing_valgrind_names_the_package(void **state)
{
    (void)state;
    setenv("ALLOCLAB_VALGRIND", "/nonexistent/bin/valgrind", 1);
    const char *r = al_callgrind_unavailable();
    assert_non_null(r);
    assert_non_null(strstr(r, "apt-get install valgrind"));
    al_bench_item item = single_threaded_item("sys");
    double ins = 0, cyc = 0;
    char why[256] = "";
    assert_int_equal(al_callgrind_measure(&item, 10, &ins, &cyc, why, sizeof why), AL_RUN_UNSUPPORTED);
    assert_non_null(strstr(why, "apt-get install valgrind"));
    assert_true(ins == -1 && cyc == -1);
    unsetenv("ALLOCLAB_VALGRIND");
}

/* ----------------------------------------------------------------------------
 * The child, run in this process (no valgrind: the client requests are
 * no-ops outside it)
 * ------------------------------------------------------------------------- */
static al_run_status read_child_status(const char *path, char *why, size_t len)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int st = -1;
    assert_int_equal(fscanf(f, "%d ", &st), 1);
    why[0] = '\0';
    if (!fgets(why, (int)len, f)) why[0] = '\0';
    fclose(f);
    return (al_run_status)st;
}

static void child_reports_its_outcome(void **state)
{
    (void)state;
    al_bench_item item = single_threaded_item("sys");
    char status[64] = "/tmp/alloclab-cgstatus-XXXXXX";
    int fd = mkstemp(status);
    assert_true(fd >= 0);
    close(fd);
    char why[256];

    char *ok[] = {"bench", "--callgrind-child", (char *)item.workload->name, (char *)item.param, "sys", "3", status};
    assert_int_equal(al_callgrind_child_main(7, ok), AL_RUN_OK);
    assert_int_equal(read_child_status(status, why, sizeof why), AL_RUN_OK);

    char *bad_iters[] = {"--callgrind-child", (char *)item.workload->name, (char *)item.param, "sys", "-3", status};
    assert_int_equal(al_callgrind_child_main(6, bad_iters), AL_RUN_FAILED);
    assert_int_equal(read_child_status(status, why, sizeof why), AL_RUN_FAILED);
    assert_non_null(strstr(why, "bad iteration count '-3'"));

    char *no_wl[] = {"--callgrind-child", "no-such-workload", "", "sys", "3", status};
    assert_int_equal(al_callgrind_child_main(6, no_wl), AL_RUN_FAILED);
    assert_int_equal(read_child_status(status, why, sizeof why), AL_RUN_FAILED);
    assert_non_null(strstr(why, "unknown workload 'no-such-workload'"));

    char *too_few[] = {"--callgrind-child", "x"};
    assert_int_equal(al_callgrind_child_main(2, too_few), AL_RUN_FAILED);
    unlink(status);
}

/* ----------------------------------------------------------------------------
 * Real measurements under valgrind
 * ------------------------------------------------------------------------- */
enum { ITERS = 40 };

static void measure(const char *allocator, uint64_t iters, double *ins, double *cyc)
{
    al_bench_item item = single_threaded_item(allocator);
    char why[256] = "";
    al_run_status st = al_callgrind_measure(&item, iters, ins, cyc, why, sizeof why);
    if (st != AL_RUN_OK) fail_msg("%s/%s/%s: %s: %s", item.workload->name, item.param, allocator,
                                  al_run_status_name(st), why);
    assert_true(*ins > 0);
    assert_true(*cyc >= *ins);
}

static void expect_repeatable(const char *allocator)
{
    if (!valgrind_usable()) skip();
    const char *r = al_spec_unavailable(allocator);
    if (r) {
        printf("skipped %s: %s\n", allocator, r);
        return;
    }
    double i1, c1, i2, c2;
    measure(allocator, ITERS, &i1, &c1);
    measure(allocator, ITERS, &i2, &c2);
    printf("%s: %.2f instructions, %.2f estimated cycles per iteration\n", allocator, i1, c1);
    if (i1 != i2 || c1 != c2)
        fail_msg("%s: two runs differ: %.2f/%.2f vs %.2f/%.2f instructions/cycles", allocator, i1, c1, i2, c2);
}

static void repeatable_sys(void **state) { (void)state; expect_repeatable("sys"); }
static void repeatable_mi(void **state) { (void)state; expect_repeatable("mi"); }
static void repeatable_je(void **state) { (void)state; expect_repeatable("je"); }
static void repeatable_tc(void **state) { (void)state; expect_repeatable("tc"); }

/* Only run(iters) is counted: start-up, setup and exit would weigh far more
 * per iteration at N iterations than at 2N. */
static void only_the_region_is_counted(void **state)
{
    (void)state;
    if (!valgrind_usable()) skip();
    double i1, c1, i2, c2;
    measure("sys", ITERS, &i1, &c1);
    measure("sys", 2 * ITERS, &i2, &c2);
    if (i2 < 0.95 * i1 || i2 > 1.05 * i1)
        fail_msg("per-iteration count depends on iterations: %.2f at %d, %.2f at %d", i1, ITERS, i2, 2 * ITERS);
}

/* A failure in the child comes back as a result with the child's reason. */
static void child_failure_comes_back(void **state)
{
    (void)state;
    if (!valgrind_usable()) skip();
    al_workload fake = {.name = "no-such-workload"};
    al_bench_item item = {&fake, "", "sys"};
    double ins = 0, cyc = 0;
    char why[256] = "";
    assert_int_equal(al_callgrind_measure(&item, 5, &ins, &cyc, why, sizeof why), AL_RUN_FAILED);
    assert_non_null(strstr(why, "unknown workload 'no-such-workload'"));
    assert_true(ins == -1 && cyc == -1);
}

int main(int argc, char **argv)
{
    /* valgrind runs this program as the benchmark child (al_callgrind_measure
     * execs /proc/self/exe with "bench --callgrind-child ..."). */
    if (argc > 2 && strcmp(argv[1], "bench") == 0 && strcmp(argv[2], "--callgrind-child") == 0)
        return al_callgrind_child_main(argc - 1, argv + 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_hand_written_file),
        cmocka_unit_test(parse_reordered_parts_and_short_lines),
        cmocka_unit_test(parse_without_cache_events),
        cmocka_unit_test(parse_rejects_incomplete_files),
        cmocka_unit_test(missing_valgrind_names_the_package),
        cmocka_unit_test(child_reports_its_outcome),
        cmocka_unit_test(repeatable_sys),
        cmocka_unit_test(repeatable_mi),
        cmocka_unit_test(repeatable_je),
        cmocka_unit_test(repeatable_tc),
        cmocka_unit_test(only_the_region_is_counted),
        cmocka_unit_test(child_failure_comes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
