/* The single-threaded workloads: the table, every default parameter on the
 * production allocators, verification against an allocator that hands out
 * overlapping blocks, capacity exhaustion, bad parameters, call counts.
 * (glibc-thread and stress-mem: test_workloads_threads.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"
#include "wl_test_allocs.h"

static const char *const production[] = {"sys", "je", "mi", "tc"};

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

/* ---- the table --------------------------------------------------------- */
static void test_table_order_and_lookup(void **state)
{
    (void)state;
    static const char *const names[] = {"glibc-simple", "glibc-thread", "large-blocks",  "single-alloc",
                                        "stress-mem",   "binary-trees", "vec-push",      "smallvec",
                                        "larson",       "xmalloc",      "cache-scratch", "cache-thrash",
                                        "fragmentation", "thread-exit", "mstress",      "rptest",
                                        "alloc-test"};
    const size_t count = sizeof names / sizeof names[0];
    assert_int_equal(al_workload_count(), count);
    for (size_t i = 0; i < count; i++) {
        const al_workload *w = al_workload_at(i);
        assert_non_null(w);
        assert_string_equal(w->name, names[i]);
        assert_ptr_equal(al_workload_find(names[i]), w);
        assert_non_null(w->description);
        assert_non_null(w->params);
        assert_non_null(w->params[0]);
    }
    assert_null(al_workload_at(count));
    assert_null(al_workload_find("nope"));
    assert_null(al_workload_find(NULL));

    const al_workload *bt = al_workload_find("binary-trees");
    bool has16 = false;
    for (size_t i = 0; bt->params[i]; i++) has16 |= strcmp(bt->params[i], "16") == 0;
    assert_true(has16);

    char ncpus[16];
    snprintf(ncpus, sizeof ncpus, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    assert_string_equal(al_workload_find("stress-mem")->params[0], ncpus);
    assert_null(al_workload_find("stress-mem")->params[1]);
}

/* ---- every default parameter on the production allocators -------------- */
/* The full defaults, except large-blocks (cycles of 1000 replacements of up
 * to 25 MiB each) which runs through its ":N" override here: one iteration
 * is 20 replacements, so 60 is a cycle of three iterations. */
static const char *test_param(const char *w, const char *param, char *buf, size_t len)
{
    if (strcmp(w, "large-blocks") == 0) {
        snprintf(buf, len, "%s:%s", param, strcmp(param, "touched") == 0 ? "8" : "60");
        return buf;
    }
    return param;
}

static void test_defaults_on_production(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof production / sizeof production[0]; k++) {
        if (al_spec_unavailable(production[k])) {
            print_message("skipping %s: %s\n", production[k], al_spec_unavailable(production[k]));
            continue;
        }
        for (size_t i = 0; i < al_workload_count(); i++) {
            const al_workload *w = al_workload_at(i);
            /* The threaded ones and fragmentation have tests of their own
             * (test_workloads_threads, _mb_threads, _memory). */
            if (strcmp(w->name, "glibc-thread") == 0 || strcmp(w->name, "stress-mem") == 0 ||
                strstr(w->description, "mimalloc-bench"))
                continue;
            for (size_t p = 0; w->params[p]; p++) {
                char buf[32];
                /* binary-trees/16 is 15 M nodes: under ASan, whose malloc
                 * quarantines every free, sys alone would take 15 s. */
                if (SANITIZED && k == 0 && strcmp(w->name, "binary-trees") == 0 && strcmp(w->params[p], "16") == 0) {
                    print_message("skipping binary-trees/16 on sys under the sanitizer\n");
                    continue;
                }
                wl_test_expect(w->name, test_param(w->name, w->params[p], buf, sizeof buf), production[k], 1,
                           AL_RUN_OK, false, NULL);
            }
        }
    }
}

static void test_several_iterations_and_reset(void **state)
{
    (void)state;
    /* wl-tiny is resettable with 4 MiB: only per-iteration resets (and
     * binary-trees' per-tree resets) keep it within capacity. */
    wl_test_expect("glibc-simple", "256", "wl-tiny", 20, AL_RUN_OK, false, NULL);
    wl_test_expect("binary-trees", "12", "wl-tiny", 2, AL_RUN_OK, false, NULL);
    wl_test_expect("smallvec", "vec", "wl-tiny", 3, AL_RUN_OK, false, NULL);
    wl_test_expect("vec-push", "grow", "wl-tiny", 3, AL_RUN_OK, false, NULL);
    wl_test_expect("single-alloc", "4096", "wl-tiny", 5, AL_RUN_OK, false, NULL);
    wl_test_expect("single-alloc", "64", "sys", 5, AL_RUN_OK, false, NULL);
    wl_test_expect("glibc-simple", "16", "sys", 5, AL_RUN_OK, false, NULL);
    wl_test_expect("large-blocks", "touched:3", "sys", 2, AL_RUN_OK, false, NULL);
}

/* ---- verification catches a corrupting allocator ----------------------- */
static void test_overlapping_blocks_are_caught(void **state)
{
    (void)state;
    wl_test_expect("glibc-simple", "64", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "16", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("large-blocks", "untouched:40", "wl-evil", 2, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("large-blocks", "touched:10", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("binary-trees", "12", "wl-evil", 1, AL_RUN_FAILED, false, "corrupt");
}

/* The check levels: the full one (the default, and the harness's untimed
 * verification iterations) sees a byte flipped between a block's head and
 * tail words; the cheap one of the timed iterations reads those two words
 * only, and still sees overlapping, duplicated and short blocks. */
static void test_check_levels(void **state)
{
    (void)state;
    assert_int_equal(al_workload_check_level(), AL_CHECK_FULL);
    wl_test_expect("glibc-simple", "64", "wl-scribble", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("single-alloc", "64", "wl-scribble", 2, AL_RUN_OK, false, NULL); /* one block per instance */
    al_workload_set_check_level(AL_CHECK_CHEAP);
    assert_int_equal(al_workload_check_level(), AL_CHECK_CHEAP);
    wl_test_expect("glibc-simple", "64", "wl-scribble", 1, AL_RUN_OK, false, NULL);
    wl_test_expect("glibc-simple", "16", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "64", "wl-evil", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "64", "wl-short", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "16", "wl-dup1000", 1, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "256", "wl-tiny", 3, AL_RUN_OK, false, NULL);
    al_workload_set_check_level(AL_CHECK_FULL);
}

/* Blocks far apart sharing memory: a pattern that repeats every N blocks
 * would let them pass. Every workload holding many blocks live must fail.
 * (vec-push and smallvec hold one block at a time: a block handed out again
 * later was freed by then, which is reuse, not corruption.) */
static void test_distant_duplicates_are_caught(void **state)
{
    (void)state;
    static const char *const far[] = {"wl-dup251", "wl-dup1000"};
    for (size_t i = 0; i < 2; i++) {
        wl_test_expect("glibc-simple", "16", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("glibc-simple", "64", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("glibc-simple", "1", far[i], 1, AL_RUN_FAILED, false, "lost its pattern");
        wl_test_expect("binary-trees", "12", far[i], 1, AL_RUN_FAILED, false, "corrupt");
    }
    /* large-blocks keeps 20 blocks live: a duplicate 13 blocks back is
     * often still live. */
    wl_test_expect("large-blocks", "untouched:60", "wl-dup13", 3, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("large-blocks", "touched:20", "wl-dup13", 1, AL_RUN_FAILED, false, "lost its pattern");
}

/* A block one byte short: the next block starts on its last byte, which
 * large-blocks/untouched must check (not only the first). */
static void test_short_blocks_are_caught(void **state)
{
    (void)state;
    wl_test_expect("large-blocks", "untouched:40", "wl-short", 2, AL_RUN_FAILED, false, "lost its pattern");
    wl_test_expect("glibc-simple", "64", "wl-short", 1, AL_RUN_FAILED, false, "lost its pattern");
}

/* Each right leaf on its left sibling's block: the shape still checks, the
 * serials must not. */
static void test_shared_tree_nodes_are_caught(void **state)
{
    (void)state;
    wl_test_expect("binary-trees", "4", "wl-twins", 1, AL_RUN_FAILED, false, "corrupt");
    wl_test_expect("binary-trees", "12", "wl-twins", 1, AL_RUN_FAILED, false, "corrupt");
}

/* ---- capacity ----------------------------------------------------------- */
static void test_fixed_capacity_is_unsupported(void **state)
{
    (void)state;
    /* Too small for one block: refused at setup, before timing. */
    wl_test_expect("large-blocks", "untouched", "wl-tiny", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
    wl_test_expect("binary-trees", "18", "wl-tiny", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
    /* Big enough for a block, not for the sequence: unsupported from run. */
    wl_test_expect("large-blocks", "untouched:60", "wl-mid", 3, AL_RUN_UNSUPPORTED, false, "capacity exhausted");
}

/* An allocator that neither frees one by one nor has a fixed capacity
 * (arena) would hold a whole large-blocks cycle (~15 GiB): refused at setup. */
static void test_large_blocks_needs_frees(void **state)
{
    (void)state;
    if (!al_backend_find("arena")) skip();
    wl_test_expect("large-blocks", "untouched", "arena", 1, AL_RUN_UNSUPPORTED, true, "needs individual frees");
    wl_test_expect("large-blocks", "touched:40", "arena", 1, AL_RUN_UNSUPPORTED, true, "needs individual frees");
    char why[256];
    wl_test_run("large-blocks", "touched", "arena", 1, why, sizeof why, NULL);
    if (!strstr(why, "GiB in total")) fail_msg("reason '%s' lacks the total", why);
    /* Those that free, and fixed-capacity ones (exhausted, with their own reason), still run. */
    wl_test_expect("large-blocks", "untouched:20", "wl-nts", 1, AL_RUN_OK, false, NULL);
    if (al_backend_find("pool")) wl_test_expect("large-blocks", "untouched:20", "pool", 1, AL_RUN_OK, false, NULL);
}

/* fixed_iters: large-blocks times a whole cycle per sample untouched, 100
 * replacements touched, never more than its cycle; the others calibrate
 * (but thread-exit: 50 generations). */
static uint64_t fixed_iters_of(const char *param)
{
    const al_workload *w = al_workload_find("large-blocks");
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    void *inst = w->setup(param, "sys", &st, why, sizeof why);
    if (!inst) fail_msg("large-blocks/%s: %s", param, why);
    assert_non_null(w->fixed_iters);
    uint64_t n = w->fixed_iters(inst);
    w->teardown(inst);
    return n;
}

static void test_large_blocks_fixed_iters(void **state)
{
    (void)state;
    assert_int_equal(fixed_iters_of("untouched"), 50);
    assert_int_equal(fixed_iters_of("touched"), 5);
    assert_int_equal(fixed_iters_of("untouched:60"), 3);
    assert_int_equal(fixed_iters_of("touched:30"), 2);
    assert_int_equal(fixed_iters_of("touched:5000"), 5);
    /* thread-exit fixes its generations per sample (see its own test). */
    for (size_t i = 0; i < al_workload_count(); i++)
        if (strcmp(al_workload_at(i)->name, "large-blocks") != 0 && strcmp(al_workload_at(i)->name, "thread-exit") != 0)
            assert_null(al_workload_at(i)->fixed_iters);
}

/* The hand-made backends: a 1 MiB bump is refused by what does not fit and
 * runs what does; arena, pool and sbrk run the cheap workloads. */
static void test_hand_made_backends(void **state)
{
    (void)state;
    if (!al_backend_find("bump") || !al_backend_find("arena")) skip();
    wl_test_expect("large-blocks", "untouched", "bump", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
    wl_test_expect("binary-trees", "16", "bump", 1, AL_RUN_UNSUPPORTED, true, "capacity exhausted");
    static const char *const specs[] = {"bump", "arena", "pool", "sbrk", "stats:arena"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        if (!al_backend_find(strchr(specs[i], ':') ? strchr(specs[i], ':') + 1 : specs[i])) continue;
        wl_test_expect("glibc-simple", "256", specs[i], 3, AL_RUN_OK, false, NULL);
        wl_test_expect("binary-trees", "12", specs[i], 1, AL_RUN_OK, false, NULL);
        wl_test_expect("vec-push", "grow", specs[i], 2, AL_RUN_OK, false, NULL);
        wl_test_expect("smallvec", "vec", specs[i], 2, AL_RUN_OK, false, NULL);
        wl_test_expect("single-alloc", "4096", specs[i], 2, AL_RUN_OK, false, NULL);
    }
}

/* ---- bad input ---------------------------------------------------------- */
static void test_bad_params_and_specs(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "bogus", "0", "-1", "12x", "99999999999999999999999"};
    for (size_t i = 0; i < al_workload_count(); i++) {
        const al_workload *w = al_workload_at(i);
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
            wl_test_expect(w->name, bad[b], "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
        wl_test_expect(w->name, NULL, "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
        /* A real parameter with an unknown allocator: unsupported, with the registry's reason. */
        wl_test_expect(w->name, w->params[0], "no-such-allocator", 1, AL_RUN_UNSUPPORTED, true, "no-such-allocator");
    }
    wl_test_expect("large-blocks", "touched:0", "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
    wl_test_expect("large-blocks", "touched:x", "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
    wl_test_expect("binary-trees", "3", "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
    wl_test_expect("binary-trees", "23", "sys", 1, AL_RUN_FAILED, true, "unknown parameter");
}

/* ---- allocator calls per iteration ------------------------------------- */
static double calls_of(const char *w, const char *param)
{
    al_run_status st = AL_RUN_OK;
    char why[256] = "";
    const al_workload *wl = al_workload_find(w);
    void *inst = wl->setup(param, "sys", &st, why, sizeof why);
    if (!inst) fail_msg("%s/%s: %s", w, param, why);
    assert_non_null(wl->alloc_calls);
    double calls = wl->alloc_calls(inst);
    wl->teardown(inst);
    return calls;
}

static void test_alloc_calls(void **state)
{
    (void)state;
    /* 0 -> 4 -> ... -> 131072 ints is 16 grows, then one free. */
    assert_true(calls_of("vec-push", "grow") == 17);
    assert_true(calls_of("vec-push", "with-capacity") == 2);
    /* One allocation and one free per list; none inline. */
    assert_true(calls_of("smallvec", "vec") == 200000);
    assert_true(calls_of("smallvec", "smallvec") == 0);
}

int main(void)
{
    wl_test_register_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_order_and_lookup),
        cmocka_unit_test(test_defaults_on_production),
        cmocka_unit_test(test_several_iterations_and_reset),
        cmocka_unit_test(test_overlapping_blocks_are_caught),
        cmocka_unit_test(test_check_levels),
        cmocka_unit_test(test_distant_duplicates_are_caught),
        cmocka_unit_test(test_short_blocks_are_caught),
        cmocka_unit_test(test_shared_tree_nodes_are_caught),
        cmocka_unit_test(test_fixed_capacity_is_unsupported),
        cmocka_unit_test(test_large_blocks_needs_frees),
        cmocka_unit_test(test_large_blocks_fixed_iters),
        cmocka_unit_test(test_hand_made_backends),
        cmocka_unit_test(test_bad_params_and_specs),
        cmocka_unit_test(test_alloc_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
