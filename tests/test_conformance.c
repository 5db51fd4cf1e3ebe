/* The conformance suite: every allocator the registry can make — every
 * backend, every wrapper over every backend, and chains of two wrappers —
 * meets the contract of alloclab/allocator.h (checks in
 * support/conformance_checks.c). A backend unavailable here is skipped with
 * its reason. A last test proves the checks catch broken allocators.
 *
 * Replay a random failure with ALLOCLAB_CONF_SEED=<seed from the message>;
 * check one spec only with ALLOCLAB_CONF_ONLY=<spec>. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance.h"
#include "conformance_toys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Huge requests must come back NULL: under ASan, malloc's interceptor would
 * otherwise report them as errors instead of returning NULL like glibc. */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((used, visibility("default"))) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

#define MAX_SPECS 256

static char specs[MAX_SPECS][CONF_SPEC_LEN];
static size_t n_specs;

static int setup(void **state)
{
    (void)state;
    conf_register_toys();
    n_specs = conf_specs(specs, MAX_SPECS, CONF_BROKEN_PREFIX);
    return n_specs > 0 ? 0 : -1;
}

/* Run one check over every available spec; fail listing every failure. */
static void run_everywhere(const char *check_name, conf_check_fn fn)
{
    char failures[4096] = "";
    size_t failed = 0, ran = 0;
    const char *only = getenv("ALLOCLAB_CONF_ONLY");
    for (size_t i = 0; i < n_specs; i++) {
        if (only && strcmp(only, specs[i]) != 0) continue;
        const char *why = al_spec_unavailable(specs[i]);
        if (why) {
            print_message("[ skip     ] %s %s: %s\n", check_name, specs[i], why);
            continue;
        }
        conf_err e = {{0}};
        ran++;
        if (!fn(specs[i], &e)) {
            failed++;
            print_message("[ FAIL     ] %s %s: %s\n", check_name, specs[i], e.msg);
            size_t used = strlen(failures);
            if (snprintf(failures + used, sizeof failures - used, "\n  %s: %s", specs[i], e.msg) < 0) break;
        }
    }
    print_message("[ conform  ] %s: %zu of %zu specs pass\n", check_name, ran - failed, ran);
    if (failed) fail_msg("%zu allocators fail '%s':%s", failed, check_name, failures);
}

#define CHECK_TEST(fn_name, check)                               \
    static void fn_name(void **state)                            \
    {                                                            \
        (void)state;                                             \
        run_everywhere(#check, conf_check_##check);              \
    }
CHECK_TEST(test_alignments, alignments)
CHECK_TEST(test_bad_args, bad_args)
CHECK_TEST(test_grow_shrink, grow_shrink)
CHECK_TEST(test_zeroed, zeroed)
CHECK_TEST(test_random, random)
CHECK_TEST(test_reset, reset)
CHECK_TEST(test_marks, marks)
CHECK_TEST(test_mark_grow, mark_grow)
CHECK_TEST(test_unbackable, unbackable)
CHECK_TEST(test_fixed_capacity, fixed_capacity)

/* The registry's built-in backends all appear in the run (a spec list that
 * silently lost some would make the suite vacuous). */
static void test_every_backend_is_covered(void **state)
{
    (void)state;
    for (size_t b = 0; b < al_backend_count(); b++) {
        const char *name = al_backend_at(b)->name;
        if (strncmp(name, CONF_BROKEN_PREFIX, strlen(CONF_BROKEN_PREFIX)) == 0) continue;
        bool found = false;
        for (size_t i = 0; i < n_specs && !found; i++) found = strcmp(specs[i], name) == 0;
        if (!found) fail_msg("backend '%s' is not in the conformance run", name);
        for (size_t w = 0; w < al_wrapper_count(); w++) {
            char spec[CONF_SPEC_LEN];
            snprintf(spec, sizeof spec, "%s:%s", al_wrapper_at(w)->name, name);
            found = false;
            for (size_t i = 0; i < n_specs && !found; i++) found = strcmp(specs[i], spec) == 0;
            if (!found) fail_msg("'%s' is not in the conformance run", spec);
        }
    }
}

/* The suite catches broken allocators: each deliberately broken toy fails
 * the check meant to catch its bug. */
static void test_suite_catches_broken_allocators(void **state)
{
    (void)state;
    for (size_t k = 0; k < conf_broken_count; k++) {
        const conf_broken_kind *bk = &conf_broken_kinds[k];
        conf_check_fn fn = NULL;
        for (size_t c = 0; c < conf_check_count; c++)
            if (strcmp(conf_checks[c].name, bk->caught_by) == 0) fn = conf_checks[c].fn;
        assert_non_null(fn);
        conf_err e = {{0}};
        if (fn(bk->spec, &e)) fail_msg("'%s' passed the '%s' check", bk->spec, bk->caught_by);
        print_message("[ caught   ] %s by %s: %s\n", bk->spec, bk->caught_by, e.msg);
    }
}

/* The correct toy passes everything: the broken ones fail for their bug,
 * not for something the toy gets wrong anyway. */
static void test_correct_toy_passes_every_check(void **state)
{
    (void)state;
    for (size_t c = 0; c < conf_check_count; c++) {
        conf_err e = {{0}};
        if (!conf_checks[c].fn("conftoy-bump", &e)) fail_msg("%s: %s", conf_checks[c].name, e.msg);
    }
}

/* The model itself: patterns differ by id and by shifted position, and the
 * overlap finder sees touching-but-disjoint blocks as disjoint. */
static void test_shadow_model(void **state)
{
    (void)state;
    unsigned char buf[1024];
    conf_fill(buf, sizeof buf, 7);
    assert_true(conf_verify(buf, sizeof buf, 7, NULL));
    assert_false(conf_verify(buf, sizeof buf, 8, NULL));
    size_t bad = 0;
    assert_false(conf_verify(buf + 16, 512, 7, &bad)); /* a copy shifted by 16 */
    buf[700] ^= 1;
    assert_false(conf_verify(buf, sizeof buf, 7, &bad));
    assert_int_equal(bad, 700);

    conf_model m = {0};
    assert_true(conf_model_add(&m, buf, 100, 1));
    assert_true(conf_model_add(&m, buf + 100, 100, 1));
    conf_err e = {{0}};
    assert_true(conf_model_check(&m, &e, "test"));
    assert_int_equal(conf_model_find_overlap(&m, buf + 200, 50, SIZE_MAX), SIZE_MAX);
    assert_int_equal(conf_model_find_overlap(&m, buf + 199, 2, SIZE_MAX), 1);
    m.blocks[1].ptr = buf + 99; /* now they overlap by one byte */
    conf_fill(m.blocks[1].ptr, 100, m.blocks[1].id);
    assert_false(conf_model_check(&m, &e, "test"));
    conf_model_free(&m);
}

/* ----------------------------------------------------------------------------
 * Caps are declared twice: in the descriptor (what `alloclab list` shows) and
 * on each instance's handle. A default instance's caps equal its
 * descriptor's; the built-in wrappers transform them as wrappers.h says
 * (verbose, stats, checked: inner's; locked: inner's plus thread-safe).
 * ------------------------------------------------------------------------- */
static unsigned wrapper_caps(const char *wrapper, unsigned inner)
{
    return strcmp(wrapper, "locked") == 0 ? inner | AL_CAP_THREAD_SAFE : inner;
}

static void test_instance_caps_match_descriptor(void **state)
{
    (void)state;
    static const char *const builtin_wrappers[] = {"verbose", "stats", "locked", "checked"};
    al_options o = conf_options(0);
    size_t checked = 0;
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        if (strncmp(b->name, CONF_BROKEN_PREFIX, strlen(CONF_BROKEN_PREFIX)) == 0) continue;
        if (b->unavailable && b->unavailable()) continue;
        al_allocator *a = al_create(b->name, &o);
        if (!a) fail_msg("%s: %s", b->name, al_last_error());
        if (a->caps != b->caps) fail_msg("%s: instance caps %#x, descriptor %#x", b->name, a->caps, b->caps);
        al_destroy(a);
        for (size_t w = 0; w < sizeof builtin_wrappers / sizeof builtin_wrappers[0]; w++) {
            char spec[64];
            snprintf(spec, sizeof spec, "%s:%s", builtin_wrappers[w], b->name);
            al_allocator *wa = al_create(spec, &o);
            if (!wa) fail_msg("%s: %s", spec, al_last_error());
            unsigned want = wrapper_caps(builtin_wrappers[w], b->caps);
            if (wa->caps != want) fail_msg("%s: caps %#x, expected %#x", spec, wa->caps, want);
            al_destroy(wa);
        }
        checked++;
    }
    assert_true(checked >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shadow_model),
        cmocka_unit_test(test_every_backend_is_covered),
        cmocka_unit_test(test_instance_caps_match_descriptor),
        cmocka_unit_test(test_correct_toy_passes_every_check),
        cmocka_unit_test(test_suite_catches_broken_allocators),
        cmocka_unit_test(test_alignments),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_grow_shrink),
        cmocka_unit_test(test_zeroed),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_mark_grow),
        cmocka_unit_test(test_unbackable),
        cmocka_unit_test(test_fixed_capacity),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
