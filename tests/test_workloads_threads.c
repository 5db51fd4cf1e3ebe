/* The threaded workloads (glibc-thread, stress-mem): default parameters on
 * the production allocators, shared vs per-thread instances, verification
 * against a corrupting allocator, capacity, repeated runs on one crew. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"
#include "wl_test_allocs.h"

/* Under TSan only sys (TSan's own malloc) runs threaded: je, mi and tc are
 * not instrumented, so TSan cannot see the synchronization inside them and
 * reports every block they hand from one thread to another as a race. */
#if defined(__SANITIZE_THREAD__)
static const char *const production[] = {"sys"};
#else
static const char *const production[] = {"sys", "je", "mi", "tc"};
#endif

static void test_defaults_on_production(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++) {
        if (al_spec_unavailable(production[k])) continue;
        const char *wls[] = {"glibc-thread", "stress-mem"};
        for (size_t i = 0; i < 2; i++) {
            const al_workload *w = al_workload_find(wls[i]);
            for (size_t p = 0; w->params[p]; p++) wl_test_expect(w->name, w->params[p], production[k], 1, AL_RUN_OK, false, NULL);
        }
    }
}

/* One crew serves several runs; a run of several iterations. */
static void test_repeated_runs(void **state)
{
    (void)state;
    const al_workload *w = al_workload_find("glibc-thread");
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    void *inst = w->setup("4", "sys", &st, why, sizeof why);
    assert_non_null(inst);
    for (int r = 0; r < 5; r++) assert_int_equal(w->run(inst, 3, why, sizeof why), AL_RUN_OK);
    w->teardown(inst);
    /* Set up and torn down without a run: the threads still stop. */
    inst = w->setup("2", "sys", &st, why, sizeof why);
    assert_non_null(inst);
    w->teardown(inst);
    wl_test_expect("stress-mem", "3:30000", "sys", 3, AL_RUN_OK, false, NULL);
}

/* A non-thread-safe allocator: one instance per glibc-thread worker; a
 * resettable one (wl-tiny, 4 MiB each) is reset by its own thread. */
static void test_per_thread_instances(void **state)
{
    (void)state;
    wl_test_expect("glibc-thread", "4", "wl-nts", 2, AL_RUN_OK, false, NULL);
    wl_test_expect("glibc-thread", "3", "wl-tiny", 20, AL_RUN_OK, false, NULL);
    /* stress-mem shares one allocator: alone, no lock is needed. */
    wl_test_expect("stress-mem", "1:20000", "wl-nts", 1, AL_RUN_OK, false, NULL);
    /* Shared by two threads it goes through locked: (unsupported, with the
     * reason, in a build without that wrapper). */
    if (al_wrapper_find("locked")) wl_test_expect("stress-mem", "2:20000", "wl-nts", 1, AL_RUN_OK, false, NULL);
    else wl_test_expect("stress-mem", "2:20000", "wl-nts", 1, AL_RUN_UNSUPPORTED, true, "locked:wl-nts");
}

static void test_corruption_is_caught(void **state)
{
    (void)state;
    wl_test_expect("stress-mem", "1:50000", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-thread", "2", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    /* Duplicates far apart (251 and 1000 blocks back): per-thread instances
     * for glibc-thread, one shared (locked: with two threads) for stress-mem. */
    static const char *const far[] = {"wl-dup251", "wl-dup1000"};
    for (size_t i = 0; i < 2; i++) {
        wl_test_expect("glibc-thread", "2", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("stress-mem", "1:50000", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
#if !defined(__SANITIZE_THREAD__)
        /* Two threads handed one block write it at once: that race is the
         * corruption itself, which TSan (rightly) stops on. */
        if (al_wrapper_find("locked"))
            wl_test_expect("stress-mem", "2:50000", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
#endif
    }
}

/* An allocator whose instances share process-wide state (sbrk's break) is
 * never used as one instance per thread: glibc-thread shares one locked:
 * instance (one instance live at a time, no two calls at once). */
static void test_process_global_is_shared_locked(void **state)
{
    (void)state;
    char caps[128];
    assert_non_null(strstr(al_caps_str(AL_CAP_PROCESS_GLOBAL | AL_CAP_FREES, caps, sizeof caps), "process-global"));
    unsigned max_live;
    bool overlapped;
    if (!al_wrapper_find("locked")) {
        wl_test_expect("glibc-thread", "4", "wl-global", 1, AL_RUN_UNSUPPORTED, true, "locked:wl-global");
        return;
    }
    wl_test_global_report(&max_live, &overlapped);
    wl_test_expect("glibc-thread", "4", "wl-global", 3, AL_RUN_OK, false, NULL);
    wl_test_global_report(&max_live, &overlapped);
    assert_int_equal(max_live, 1);
    assert_false(overlapped);
    wl_test_expect("stress-mem", "3:30000", "wl-global", 1, AL_RUN_OK, false, NULL);
    wl_test_global_report(&max_live, &overlapped);
    assert_int_equal(max_live, 1);
    assert_false(overlapped);
    /* One thread: the instance itself, no lock needed. */
    wl_test_expect("glibc-thread", "1", "wl-global", 2, AL_RUN_OK, false, NULL);
    /* sbrk says so, and runs threaded through one locked instance. */
    const al_backend_desc *sb = al_backend_find("sbrk");
    if (sb && (!sb->unavailable || !sb->unavailable())) {
        assert_true(sb->caps & AL_CAP_PROCESS_GLOBAL);
        al_allocator *a = al_create("sbrk", NULL);
        assert_non_null(a);
        assert_true(al_has(a, AL_CAP_PROCESS_GLOBAL));
        al_destroy(a);
        wl_test_expect("glibc-thread", "3", "sbrk", 2, AL_RUN_OK, false, NULL);
    }
}

static void test_capacity(void **state)
{
    (void)state;
    /* 1 M small blocks need more than 4 MiB live. */
    wl_test_expect("stress-mem", "1", "wl-tiny", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
}

int main(void)
{
    wl_test_register_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_on_production),
        cmocka_unit_test(test_repeated_runs),
        cmocka_unit_test(test_per_thread_instances),
        cmocka_unit_test(test_corruption_is_caught),
        cmocka_unit_test(test_process_global_is_shared_locked),
        cmocka_unit_test(test_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
