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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Parse text as a callgrind output file; it must succeed. */
static al_callgrind_totals parse_ok(const char *text)
{
    char why[256] = "";
    al_callgrind_totals t;
    int rc = al_callgrind_parse(write_tmp(text), &t, why, sizeof why);
    unlink(tmp_path);
    if (rc != 0) fail_msg("parse failed: %s", why);
    return t;
}

static void expect_per_iter(const al_callgrind_totals *t, uint64_t iters, double ins, double cyc)
{
    double i, c;
    al_callgrind_per_iter(t, iters, &i, &c);
    if (i != ins || c != cyc) fail_msg("per iteration %.3f/%.3f, expected %.3f/%.3f", i, c, ins, cyc);
}

static bool valgrind_usable(void)
{
    const char *r = al_callgrind_unavailable();
    if (r) printf("skipped: %s\n", r);
    return r == NULL;
}

/* ----------------------------------------------------------------------------
 * The test's own workloads, run by this program's child mode (see main), so
 * that the measurements do not depend on the suite's table: a loop of eight
 * 64-byte blocks per iteration, and the same loop in two threads at once.
 * ------------------------------------------------------------------------- */
static void *loop_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t len)
{
    (void)param;
    al_allocator *a = al_create(spec, NULL);
    if (!a) {
        *status = AL_RUN_UNSUPPORTED;
        snprintf(why, len, "%s", al_last_error());
    }
    return a;
}

static al_run_status loop_run(void *inst, uint64_t iters, char *why, size_t len)
{
    unsigned char *b[8];
    for (uint64_t i = 0; i < iters; i++) {
        for (int k = 0; k < 8; k++) {
            b[k] = al_allocate(inst, 64, 16);
            if (!b[k]) {
                snprintf(why, len, "allocation failed");
                return AL_RUN_FAILED;
            }
            memset(b[k], k + 1, 64);
        }
        for (int k = 7; k >= 0; k--) {
            if (b[k][63] != k + 1) {
                snprintf(why, len, "memory corrupted");
                return AL_RUN_FAILED;
            }
            al_deallocate(inst, b[k], 64, 16);
        }
    }
    return AL_RUN_OK;
}

typedef struct loop_thread {
    void *inst;
    uint64_t iters;
    al_run_status st;
    char why[128];
} loop_thread;

static void *loop_thread_main(void *p)
{
    loop_thread *t = p;
    t->st = loop_run(t->inst, t->iters, t->why, sizeof t->why);
    return NULL;
}

static al_run_status threads_run(void *inst, uint64_t iters, char *why, size_t len)
{
    loop_thread t[2] = {{inst, iters, AL_RUN_OK, ""}, {inst, iters, AL_RUN_OK, ""}};
    pthread_t th[2];
    int started = 0;
    while (started < 2 && pthread_create(&th[started], NULL, loop_thread_main, &t[started]) == 0) started++;
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    if (started < 2) {
        snprintf(why, len, "cannot start a thread");
        return AL_RUN_FAILED;
    }
    for (int i = 0; i < 2; i++)
        if (t[i].st != AL_RUN_OK) {
            snprintf(why, len, "%s", t[i].why);
            return t[i].st;
        }
    return AL_RUN_OK;
}

static void loop_teardown(void *inst) { al_destroy(inst); }

static const al_workload test_loop = {.name = "test-loop", .description = "eight 64-byte blocks",
                                      .setup = loop_setup, .run = loop_run, .teardown = loop_teardown};
static const al_workload test_threads = {.name = "test-threads", .description = "test-loop in two threads",
                                         .setup = loop_setup, .run = threads_run, .teardown = loop_teardown};

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
    al_callgrind_totals t = parse_ok(cache_file);
    assert_true(t.has_cache);
    assert_int_equal(t.ir, 1000);
    assert_int_equal(t.dr, 400);
    assert_int_equal(t.dw, 200);
    assert_int_equal(t.i1mr + t.d1mr + t.d1mw, 35);
    assert_int_equal(t.ilmr + t.dlmr + t.dlmw, 7);
    expect_per_iter(&t, 10, 100.0, 195.0);
}

/* Columns by name, not by position; omitted trailing columns are zero; the
 * totals of several parts add up; totals win over summaries (callgrind
 * writes a summary of 0 when instrumentation ends before the process). */
static void parse_reordered_parts_and_short_lines(void **state)
{
    (void)state;
    const char *text =
        "version: 1\npart: 1\nevents: Dr Ir Dw DLmw DLmr ILmr D1mw D1mr I1mr\nsummary: 0\n"
        "totals: 10 100 5\npart: 2\nevents: Dr Ir Dw DLmw DLmr ILmr D1mw D1mr I1mr\n"
        "summary: 999\ntotals: 30 300 15 1 2 3 4 5 6\n";
    al_callgrind_totals t = parse_ok(text);
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
    expect_per_iter(&t, 4, 100.0, 175.0);
}

/* Without the cache simulation: instructions only, est_cycles unknown. */
static void parse_without_cache_events(void **state)
{
    (void)state;
    al_callgrind_totals t = parse_ok("events: Ir\nfn=main\n3 7\ntotals: 770\n");
    assert_false(t.has_cache);
    expect_per_iter(&t, 7, 110.0, -1.0);
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
    assert_int_equal(al_callgrind_measure(&item, 10, NULL, &ins, &cyc, why, sizeof why), AL_RUN_UNSUPPORTED);
    assert_non_null(strstr(why, "apt-get install valgrind"));
    assert_true(ins == -1 && cyc == -1);
    unsetenv("ALLOCLAB_VALGRIND");
}

/* A stand-in for valgrind: a shell script with the given body. */
static char fake_path[64];

static void use_fake_valgrind(const char *body)
{
    snprintf(fake_path, sizeof fake_path, "/tmp/alloclab-fakevg-XXXXXX");
    int fd = mkstemp(fake_path);
    assert_true(fd >= 0);
    dprintf(fd, "#!/bin/sh\n%s\n", body);
    fchmod(fd, 0700);
    close(fd);
    setenv("ALLOCLAB_VALGRIND", fake_path, 1);
}

static void drop_fake_valgrind(void)
{
    unsetenv("ALLOCLAB_VALGRIND");
    unsetenv("ALLOCLAB_CALLGRIND_TIMEOUT");
    unlink(fake_path);
}

/* Measure the test loop with the fake valgrind (and a timeout in seconds
 * when given); skips when measurements are unavailable in this build. */
static al_run_status measure_with_fake(const char *body, const char *timeout, char *why, size_t len)
{
    use_fake_valgrind(body);
    if (timeout) setenv("ALLOCLAB_CALLGRIND_TIMEOUT", timeout, 1);
    const char *r = al_callgrind_unavailable();
    if (r) {
        printf("skipped: %s\n", r);
        drop_fake_valgrind();
        skip();
    }
    double ins = 0, cyc = 0;
    al_run_status st = al_callgrind_measure(&(al_bench_item){&test_loop, "", "sys"}, 5, NULL, &ins, &cyc, why, len);
    drop_fake_valgrind();
    assert_true(ins == -1 && cyc == -1);
    return st;
}

/* When valgrind itself fails, the reason carries its exit status and the
 * line of its output that says why (not its warnings about caches). */
static void valgrind_failure_shows_its_message(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(measure_with_fake("echo '--7-- warning: L3 cache found, using its data' >&2\n"
                                       "echo '==7== valgrind: the tool could not start' >&2\nexit 3",
                                       NULL, why, sizeof why),
                     AL_RUN_FAILED);
    assert_string_equal(why, "valgrind exited with status 3: valgrind: the tool could not start");
}

/* A run past its deadline is killed and reported. */
static void hung_run_times_out(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(measure_with_fake("exec sleep 30", "1", why, sizeof why), AL_RUN_FAILED);
    assert_string_equal(why, "timed out after 1 s under callgrind");
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

static void measure(const al_bench_item *item, uint64_t iters, double *ins, double *cyc)
{
    char why[256] = "";
    al_run_status st = al_callgrind_measure(item, iters, NULL, ins, cyc, why, sizeof why);
    if (st != AL_RUN_OK) fail_msg("%s/%s/%s: %s: %s", item->workload->name, item->param, item->allocator,
                                  al_run_status_name(st), why);
    assert_true(*ins > 0);
    assert_true(*cyc >= *ins);
}

static void expect_repeatable(const al_bench_item *item)
{
    if (!valgrind_usable()) skip();
    const char *r = al_spec_unavailable(item->allocator);
    if (r) {
        printf("skipped %s: %s\n", item->allocator, r);
        return;
    }
    double i1, c1, i2, c2;
    measure(item, ITERS, &i1, &c1);
    measure(item, ITERS, &i2, &c2);
    printf("%s/%s: %.2f instructions, %.2f estimated cycles per iteration\n", item->workload->name,
           item->allocator, i1, c1);
    if (i1 != i2 || c1 != c2)
        fail_msg("%s: two runs differ: %.2f/%.2f vs %.2f/%.2f instructions/cycles", item->allocator, i1, c1,
                 i2, c2);
}

#define REPEATABLE(alloc)                                                                                  \
    static void repeatable_##alloc(void **state)                                                           \
    {                                                                                                      \
        (void)state;                                                                                       \
        expect_repeatable(&(al_bench_item){&test_loop, "", #alloc});                                       \
    }
REPEATABLE(sys)
REPEATABLE(mi)
REPEATABLE(je)
REPEATABLE(tc)

/* The same through the suite's own table (its first single-threaded workload). */
static void repeatable_suite_workload(void **state)
{
    (void)state;
    al_bench_item item = single_threaded_item("sys");
    expect_repeatable(&item);
}

/* Only run(iters) is counted: start-up, setup and exit would weigh far more
 * per iteration at N iterations than at 2N. */
static void only_the_region_is_counted(void **state)
{
    (void)state;
    if (!valgrind_usable()) skip();
    al_bench_item item = {&test_loop, "", "sys"};
    double i1, c1, i2, c2;
    measure(&item, ITERS, &i1, &c1);
    measure(&item, 2 * ITERS, &i2, &c2);
    if (i2 < 0.95 * i1 || i2 > 1.05 * i1)
        fail_msg("per-iteration count depends on iterations: %.2f at %d, %.2f at %d", i1, ITERS, i2, 2 * ITERS);
}

/* Every thread's work in the region is counted, not only the main thread's:
 * two threads running the loop cost about twice the loop (plus the threads'
 * creation, spread over the iterations). */
static void worker_threads_are_counted(void **state)
{
    (void)state;
    if (!valgrind_usable()) skip();
    double i1, c1, i2, c2;
    measure(&(al_bench_item){&test_loop, "", "sys"}, 4 * ITERS, &i1, &c1);
    measure(&(al_bench_item){&test_threads, "", "sys"}, 4 * ITERS, &i2, &c2);
    printf("one thread %.2f, two threads %.2f instructions per iteration\n", i1, i2);
    if (i2 < 1.9 * i1 || i2 > 2.6 * i1)
        fail_msg("two threads counted %.2f instructions per iteration, one thread %.2f", i2, i1);
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
    assert_int_equal(al_callgrind_measure(&item, 5, NULL, &ins, &cyc, why, sizeof why), AL_RUN_FAILED);
    assert_non_null(strstr(why, "unknown workload 'no-such-workload'"));
    assert_true(ins == -1 && cyc == -1);
}

int main(int argc, char **argv)
{
    /* valgrind runs this program as the benchmark child (al_callgrind_measure
     * execs /proc/self/exe with "--callgrind-child ...": no child command
     * configured). */
    if (argc == 7 && strcmp(argv[1], "--callgrind-child") == 0) {
        const al_workload *own = strcmp(argv[2], test_loop.name) == 0      ? &test_loop
                                 : strcmp(argv[2], test_threads.name) == 0 ? &test_threads
                                                                           : NULL;
        if (own) return al_callgrind_child_run(own, argv[3], argv[4], strtoull(argv[5], NULL, 10), argv[6]);
        return al_callgrind_child_main(argc, argv);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_hand_written_file),
        cmocka_unit_test(parse_reordered_parts_and_short_lines),
        cmocka_unit_test(parse_without_cache_events),
        cmocka_unit_test(parse_rejects_incomplete_files),
        cmocka_unit_test(missing_valgrind_names_the_package),
        cmocka_unit_test(valgrind_failure_shows_its_message),
        cmocka_unit_test(hung_run_times_out),
        cmocka_unit_test(child_reports_its_outcome),
        cmocka_unit_test(repeatable_sys),
        cmocka_unit_test(repeatable_mi),
        cmocka_unit_test(repeatable_je),
        cmocka_unit_test(repeatable_tc),
        cmocka_unit_test(repeatable_suite_workload),
        cmocka_unit_test(only_the_region_is_counted),
        cmocka_unit_test(worker_threads_are_counted),
        cmocka_unit_test(child_failure_comes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
