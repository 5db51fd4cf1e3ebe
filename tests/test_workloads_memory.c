/* fragmentation: the workload whose headline is memory. Its metric (peak RSS
 * over peak live bytes) is measured and plausible (an arena, which never
 * reuses a block, holds every phase), its self-check fails under the
 * corrupting allocators, allocators that cannot give memory back are
 * refused with the reason, and bad parameters are refused. Small phases keep
 * it fast. (thread-exit, the other one, is threaded: test_workloads_mb_threads.) */
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

static const char *const production[] = {"sys", "je", "mi", "tc"};

/* The metric after `iters` iterations of fragmentation/param on spec. */
static double metric_of(const char *param, const char *spec, uint64_t iters)
{
    const al_workload *w = al_workload_find("fragmentation");
    assert_non_null(w);
    assert_string_equal(w->metric_name, "rss_ratio");
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    void *inst = w->setup(param, spec, &st, why, sizeof why);
    if (!inst) fail_msg("fragmentation/%s/%s: %s", param, spec, why);
    assert_true(isnan(w->metric(inst))); /* nothing measured yet */
    if (w->run(inst, iters, why, sizeof why) != AL_RUN_OK) fail_msg("fragmentation/%s/%s: %s", param, spec, why);
    double m = w->metric(inst);
    w->teardown(inst);
    return m;
}

static void test_runs_and_measures(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++) {
        if (al_spec_unavailable(production[k])) continue;
        static const char *const params[] = {"up:512", "down:512"};
        for (size_t p = 0; p < 2; p++) {
            double m = metric_of(params[p], production[k], 2);
            print_message("fragmentation/%s/%s: rss_ratio %.2f\n", params[p], production[k], m);
            /* RSS may grow less than the live bytes (memory the allocator
             * held before setup), never negatively, and not absurdly. */
            assert_true(isfinite(m) && m >= 0 && m < 50);
        }
    }
    /* An arena gives nothing back before its reset: it holds all five
     * phases (5 x 2 MiB) against a peak of 2 MiB + 4 tenths, about 3.6x. */
    if (al_backend_find("arena")) {
        double m = metric_of("up:2048", "arena", 1);
        print_message("fragmentation/up:2048/arena: rss_ratio %.2f\n", m);
        assert_true(m > 2.5 && m < 6);
    }
}

static void test_hand_made(void **state)
{
    (void)state;
    static const char *const specs[] = {"pool", "sbrk", "arena", "wl-nts"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (al_backend_find(specs[i])) wl_test_expect("fragmentation", "up:256", specs[i], 2, AL_RUN_OK, false, NULL);
    /* The 1 MiB bump cannot hold what one iteration keeps live. */
    if (al_backend_find("bump"))
        wl_test_expect("fragmentation", "up", "bump", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
    /* wl-tiny (4 MiB, resettable) holds small phases, reset per iteration. */
    wl_test_expect("fragmentation", "down:512", "wl-tiny", 4, AL_RUN_OK, false, NULL);
    /* wl-mid never frees nor resets: every iteration would add 5 phases. */
    wl_test_expect("fragmentation", "up:256", "wl-mid", 1, AL_RUN_UNSUPPORTED, true, "neither frees blocks nor resets");
}

static void test_corruption_is_caught(void **state)
{
    (void)state;
    static const char *const bad[] = {"wl-evil", "wl-dup251", "wl-dup1000", "wl-short"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wl_test_expect("fragmentation", "up:256", bad[i], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("fragmentation", "down:256", bad[i], 1, AL_RUN_FAILED, false, "lost its pattern");
    }
}

static void test_bad_params(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "sideways", "up:", "up:0", "up:x", "Up", "up:99999999", "down:-1"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
        wl_test_expect("fragmentation", bad[b], "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
    wl_test_expect("fragmentation", NULL, "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
}

int main(void)
{
    wl_test_register_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_and_measures),
        cmocka_unit_test(test_hand_made),
        cmocka_unit_test(test_corruption_is_caught),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
