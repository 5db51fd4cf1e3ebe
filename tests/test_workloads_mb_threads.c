/* The threaded workloads after mimalloc-bench (larson, xmalloc, cache-scratch,
 * cache-thrash, thread-exit, mstress, rptest, alloc-test) and glibc-thread's
 * -spawn form: they run on the
 * production allocators and on the hand-made ones behind locked:, count
 * their cross-thread frees exactly, refuse bad parameters, and fail on an
 * allocator that hands out overlapping blocks. Small parameters keep it fast
 * (one iteration of each default parameter on the production ones). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"
#include "wl_test_allocs.h"

/* Under TSan only sys (TSan's own malloc) runs threaded: je, mi and tc are
 * not instrumented, so TSan cannot see the synchronization inside them. */
#if defined(__SANITIZE_THREAD__)
#define TSAN 1
static const char *const production[] = {"sys"};
#else
#define TSAN 0
static const char *const production[] = {"sys", "je", "mi", "tc"};
#endif

/* A small form of each workload, by thread count ("%u" is the threads). */
typedef struct small {
    const char *workload;
    const char *fmt;
    unsigned min_threads;
} small;

static const small smalls[] = {
    {"larson", "%u:4000", 1},
    {"xmalloc", "%u:3000", 2},
    {"cache-scratch", "%u:100", 1},
    {"cache-thrash", "%u:100", 1},
    {"thread-exit", "%u:200", 1},
    {"mstress", "%u:400", 1},
    {"rptest", "%u:20", 1},
    {"alloc-test", "%u:5000", 1},
};
#define NSMALL (sizeof smalls / sizeof smalls[0])

static const char *param_of(const small *s, unsigned threads, char *buf, size_t len)
{
    snprintf(buf, len, s->fmt, threads);
    return buf;
}

/* Set up, run `runs` times `iters` iterations, and return the cross-thread
 * frees counted. */
static uint64_t cross_frees(const char *workload, const char *param, const char *spec, int runs, uint64_t iters)
{
    const al_workload *w = al_workload_find(workload);
    assert_non_null(w);
    assert_non_null(w->cross_frees);
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    void *inst = w->setup(param, spec, &st, why, sizeof why);
    if (!inst) fail_msg("%s/%s/%s: %s", workload, param, spec, why);
    for (int r = 0; r < runs; r++)
        if (w->run(inst, iters, why, sizeof why) != AL_RUN_OK) fail_msg("%s/%s/%s: %s", workload, param, spec, why);
    uint64_t n = w->cross_frees(inst);
    w->teardown(inst);
    return n;
}

static void test_in_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSMALL; i++) {
        const al_workload *w = al_workload_find(smalls[i].workload);
        if (!w) fail_msg("no workload '%s'", smalls[i].workload);
        assert_non_null(strstr(w->description, "mimalloc-bench"));
        assert_non_null(w->params[0]);
    }
}

static void test_small_on_production(void **state)
{
    (void)state;
    static const unsigned threads[] = {1, 2, 5};
    const size_t nthreads = TSAN ? 2 : 3; /* 1 and 2 under TSan */
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++) {
        if (al_spec_unavailable(production[k])) continue;
        for (size_t i = 0; i < NSMALL; i++)
            for (size_t t = 0; t < nthreads; t++) {
                if (threads[t] < smalls[i].min_threads) continue;
                char buf[32];
                wl_test_expect(smalls[i].workload, param_of(&smalls[i], threads[t], buf, sizeof buf), production[k], 2,
                           AL_RUN_OK, false, NULL);
            }
    }
}

/* Every default parameter, one iteration, on the production allocators
 * (sys alone under TSan, where they would be slow to no purpose: the small
 * forms above cover the threading). */
static void test_defaults(void **state)
{
    (void)state;
    if (TSAN) skip();
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++) {
        if (al_spec_unavailable(production[k])) continue;
        for (size_t i = 0; i < al_workload_count(); i++) {
            const al_workload *w = al_workload_at(i);
            if (!strstr(w->description, "mimalloc-bench")) continue;
            for (size_t p = 0; w->params[p]; p++) wl_test_expect(w->name, w->params[p], production[k], 1, AL_RUN_OK, false, NULL);
        }
    }
}

/* The hand-made allocators are shared behind locked: and run, except the
 * 1 MiB bump, which cannot hold what the workloads keep live or allocate in
 * one iteration: unsupported, with the reason. */
static void test_hand_made_behind_locked(void **state)
{
    (void)state;
    if (!al_wrapper_find("locked")) skip();
    static const char *const specs[] = {"arena", "pool", "sbrk", "wl-nts"};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        if (!al_backend_find(specs[k])) continue;
        for (size_t i = 0; i < NSMALL; i++) {
            char buf[32];
            wl_test_expect(smalls[i].workload, param_of(&smalls[i], 2, buf, sizeof buf), specs[k], 2, AL_RUN_OK, false, NULL);
        }
    }
    if (al_backend_find("bump")) {
        wl_test_expect("larson", "2:4000", "bump", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted: 'locked:bump'");
        wl_test_expect("xmalloc", "2", "bump", 1, AL_RUN_UNSUPPORTED, false, "capacity exhausted: 'locked:bump'");
    }
    /* wl-tiny: 4 MiB, resettable: a reset per iteration keeps it in bounds. */
    wl_test_expect("cache-thrash", "2:1000", "wl-tiny", 5, AL_RUN_OK, false, NULL);
    wl_test_expect("xmalloc", "2:3000", "wl-tiny", 5, AL_RUN_OK, false, NULL);
}

/* ---- cross-thread frees, counted exactly -------------------------------- */
static void test_cross_thread_frees(void **state)
{
    (void)state;
    /* xmalloc: every block is freed by a consumer. 3000 blocks are 47
     * batches of 64 (3008 blocks), shared by the producers and rounded up
     * per producer: with 1 producer 47 batches, with 2 producers 24 each. */
    assert_int_equal(cross_frees("xmalloc", "2:3000", "sys", 1, 1), 47 * 64);
    assert_int_equal(cross_frees("xmalloc", "2:3000", "sys", 3, 2), 6 * 47 * 64);
    assert_int_equal(cross_frees("xmalloc", "4:3000", "sys", 1, 3), 3 * 48 * 64);
    /* cache-scratch: each thread but 0 frees the object thread 0 gave it. */
    assert_int_equal(cross_frees("cache-scratch", "1:10", "sys", 1, 4), 0);
    assert_int_equal(cross_frees("cache-scratch", "4:10", "sys", 2, 5), 2 * 5 * 3);
    /* larson: one thread frees only its own blocks; with several, every bin
     * changes hands three times: of the 8000 frees of an iteration (4000
     * replacements, then the 4000 slots), over a third with two threads
     * (bins go back and forth) and over half with four. */
    assert_int_equal(cross_frees("larson", "1:4000", "sys", 1, 3), 0);
    uint64_t n2 = cross_frees("larson", "2:4000", "sys", 1, 3), n4 = cross_frees("larson", "4:4000", "sys", 1, 1);
    print_message("larson cross-thread frees: 2 threads %llu of 24000, 4 threads %llu of 8000\n",
                  (unsigned long long)n2, (unsigned long long)n4);
    if (n2 < 3 * 3000 || n2 > 3 * 8000) fail_msg("larson/2: %llu cross-thread frees", (unsigned long long)n2);
    if (n4 <= 4000 || n4 > 8000) fail_msg("larson/4: %llu cross-thread frees", (unsigned long long)n4);
    /* thread-exit: each thread hands a tenth of its blocks (rounded up) to
     * the main thread, which frees them. */
    assert_int_equal(cross_frees("thread-exit", "3:200", "sys", 2, 4), 8 * 3 * 20);
    assert_int_equal(cross_frees("thread-exit", "1:95", "sys", 1, 3), 3 * 10);
    /* mstress: per iteration of 400 slots, the quarter left by each of
     * rounds 1-3 freed by the next round (3 x 100), the last round's quarter
     * and the one in sixteen kept by each round (4 x 25) freed by the main
     * thread: 500, all of blocks whose thread has exited. */
    assert_int_equal(cross_frees("mstress", "3:400", "sys", 1, 2), 2 * 500);
    assert_int_equal(cross_frees("mstress", "1:400", "sys", 2, 1), 2 * 500);
    /* rptest: one block in ten goes to the next thread (none when alone):
     * 20 loops of 32-96 blocks per iteration, so 64-192 per thread. */
    assert_int_equal(cross_frees("rptest", "1:20", "sys", 1, 2), 0);
    uint64_t rp = cross_frees("rptest", "2:40", "sys", 1, 1);
    if (rp < 2 * 64 || rp > 2 * 192) fail_msg("rptest/2:40: %llu cross-thread frees", (unsigned long long)rp);
    /* cache-thrash and alloc-test promise none and count none. */
    assert_null(al_workload_find("cache-thrash")->cross_frees);
    assert_null(al_workload_find("alloc-test")->cross_frees);
}

/* ---- bad input ----------------------------------------------------------- */
/* thread-exit's metric: RSS growth per 1000 generations, known once a run
 * ends past the warm generations and another run follows; each sample is a
 * fixed 50 generations. */
static void test_thread_exit_metric(void **state)
{
    (void)state;
    const al_workload *w = al_workload_find("thread-exit");
    assert_string_equal(w->metric_name, "rss_growth");
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    void *inst = w->setup("2:100", "sys", &st, why, sizeof why);
    assert_non_null(inst);
    assert_int_equal(w->fixed_iters(inst), 50);
    assert_true(isnan(w->metric(inst)));
    assert_int_equal(w->run(inst, 10, why, sizeof why), AL_RUN_OK); /* the reference */
    assert_true(isnan(w->metric(inst)));
    assert_int_equal(w->run(inst, 20, why, sizeof why), AL_RUN_OK);
    double m = w->metric(inst);
    print_message("thread-exit/2:100/sys: %+.0f KiB per 1000 generations\n", m);
    w->teardown(inst);
    assert_true(isfinite(m));
    /* glibc reuses a dead thread's arena: no growth to speak of (a page or
     * two of noise is 200 KiB per 1000 generations over 20). The sanitizers
     * put their own allocator in its place (ASan's quarantine grows). */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    assert_true(fabs(m) < 20000);
#endif
}

/* glibc-thread/<n>-spawn starts its threads in every iteration: per-thread
 * instances for an allocator that is not thread-safe (a resettable one reset
 * by its thread), one locked instance for a process-global one. */
static void test_glibc_thread_spawn(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++)
        if (!al_spec_unavailable(production[k])) wl_test_expect("glibc-thread", "3-spawn", production[k], 3, AL_RUN_OK, false, NULL);
    wl_test_expect("glibc-thread", "3-spawn", "wl-nts", 2, AL_RUN_OK, false, NULL);
    wl_test_expect("glibc-thread", "2-spawn", "wl-tiny", 20, AL_RUN_OK, false, NULL);
    if (al_wrapper_find("locked")) {
        unsigned max_live;
        bool overlapped;
        wl_test_global_report(&max_live, &overlapped);
        wl_test_expect("glibc-thread", "4-spawn", "wl-global", 3, AL_RUN_OK, false, NULL);
        wl_test_global_report(&max_live, &overlapped);
        assert_int_equal(max_live, 1);
        assert_false(overlapped);
        if (al_backend_find("arena")) wl_test_expect("glibc-thread", "2-spawn", "arena", 3, AL_RUN_OK, false, NULL);
    }
    bool found = false;
    const al_workload *w = al_workload_find("glibc-thread");
    for (size_t p = 0; w->params[p]; p++) found |= strcmp(w->params[p], "4-spawn") == 0;
    assert_true(found);
    static const char *const bad[] = {"4-spawnx", "-spawn", "4-oversub", "0-spawn", "4--spawn", "x-spawn"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
        wl_test_expect("glibc-thread", bad[b], "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
}

static void test_bad_params(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "0", "x", "2-over", "2-oversubs", "-oversub", "2:0", "2:x", "257", "2 "};
    for (size_t i = 0; i < NSMALL; i++) {
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
            wl_test_expect(smalls[i].workload, bad[b], "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
        wl_test_expect(smalls[i].workload, NULL, "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
        wl_test_expect(smalls[i].workload, "2", "no-such-allocator", 1, AL_RUN_UNSUPPORTED, true, "no-such-allocator");
    }
    /* xmalloc needs a producer and a consumer. */
    wl_test_expect("xmalloc", "1", "sys", 1, AL_RUN_FAILED, true, "threads 2-256");
    wl_test_expect("larson", "3-oversub:100", "sys", 1, AL_RUN_OK, false, NULL);
    wl_test_expect("thread-exit", "2:0", "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
}

/* ---- verification -------------------------------------------------------- */
/* wl-evil hands every 5th block out again: one thread alone sees it (two
 * threads handed one block write it at once, which TSan rightly stops on,
 * so those cases run outside TSan only). */
static void test_corruption_is_caught(void **state)
{
    (void)state;
    wl_test_expect("larson", "1:2000", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("larson", "1:2000", "wl-dup1000", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("larson", "1:2000", "wl-short", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("thread-exit", "1:200", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("thread-exit", "1:300", "wl-dup251", 1, AL_RUN_FAILED, false, "lost its pattern");
    static const char *const bad[] = {"wl-evil", "wl-dup251", "wl-short"};
    for (size_t b = 0; b < 3; b++) {
        wl_test_expect("mstress", "1:400", bad[b], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("rptest", "1:20", bad[b], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("alloc-test", "1:5000", bad[b], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("glibc-thread", "1-spawn", bad[b], 1, AL_RUN_FAILED, false, "lost its pattern");
    }
    /* The two objects a thread of cache-thrash or cache-scratch holds at once. */
    wl_test_expect("cache-thrash", "1:200", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("cache-thrash", "1:200", "wl-short", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("cache-scratch", "1:200", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    if (TSAN || !al_wrapper_find("locked")) return;
    wl_test_expect("xmalloc", "2:3000", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("xmalloc", "2:3000", "wl-dup251", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("larson", "2:2000", "wl-dup251", 1, AL_RUN_FAILED, false, "lost its pattern");
    /* cache-scratch: thread 0's five handed-out objects overlap. */
    wl_test_expect("cache-scratch", "8:10", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
}

int main(void)
{
    wl_test_register_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_the_table),
        cmocka_unit_test(test_small_on_production),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_hand_made_behind_locked),
        cmocka_unit_test(test_cross_thread_frees),
        cmocka_unit_test(test_thread_exit_metric),
        cmocka_unit_test(test_glibc_thread_spawn),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_corruption_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
