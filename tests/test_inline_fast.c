/* The inline fast paths of bump and arena (backends.h): the same results as
 * the front end on the same instance, mixed freely with it; the unusual
 * requests (size 0, bad alignment, a spent region) take the out-of-line
 * path; wrappers are not looked through. And al_library_calls: the plain
 * calls of the production libraries, nothing for the others. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/alloclab.h>
#include <string.h>

#include "workload.h"
#include "wl_test_allocs.h"

static void test_bump_inline(void **state)
{
    (void)state;
    unsigned char buf[256];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    assert_ptr_equal(al_bump_of(a), &b);
    unsigned char *p = al_bump_alloc_inline(&b, 10, 16);
    assert_ptr_equal(p, buf + ((16 - (uintptr_t)buf % 16) % 16));
    unsigned char *q = al_allocate(a, 10, 16); /* the front end goes on from the same top */
    assert_true(q >= p + 10 && (uintptr_t)q % 16 == 0);
    al_bump_free_inline(&b, q, 10);             /* the newest rolls back */
    assert_ptr_equal(al_bump_alloc_inline(&b, 10, 16), q);
    al_bump_free_inline(&b, p, 10);             /* not the newest: a no-op */
    assert_ptr_equal(al_allocate(a, 1, 1), q + 10);
    assert_ptr_equal(al_bump_alloc_inline(&b, 0, 8), al_dangling(8));
    assert_null(al_bump_alloc_inline(&b, 8, 3));
    assert_null(al_bump_alloc_inline(&b, 0, 0));
    assert_null(al_bump_alloc_inline(&b, sizeof buf, 1)); /* spent */
    size_t used = al_bump_used(a);
    assert_null(al_bump_alloc_inline(&b, SIZE_MAX, 1));
    assert_int_equal(al_bump_used(a), used);
    /* NULL is a no-op whatever the size, also one that reaches the top
     * from address 0 (ptr + size == top). */
    size_t top = (uintptr_t)buf + used;
    al_deallocate(a, NULL, top, 16);
    al_bump_free_inline(&b, NULL, top);
    assert_int_equal(al_bump_used(a), used);

    al_allocator *wrapped = al_create("stats:bump", NULL);
    assert_non_null(wrapped);
    assert_null(al_bump_of(wrapped));
    al_destroy(wrapped);
    al_allocator *ar = al_create("arena", NULL);
    assert_null(al_bump_of(ar));
    assert_null(al_bump_of(NULL));
    al_destroy(ar);
}

static void test_arena_inline(void **state)
{
    (void)state;
    al_allocator *a = al_create("arena", NULL);
    assert_non_null(a);
    al_arena *r = al_arena_of(a);
    assert_non_null(r);
    /* 4 KiB first chunk: a thousand 64-byte blocks need several chunks,
     * made by the out-of-line path. */
    unsigned char *prev = NULL;
    for (int i = 0; i < 1000; i++) {
        unsigned char *p = al_arena_alloc_inline(r, 64, 16);
        assert_non_null(p);
        assert_true((uintptr_t)p % 16 == 0);
        memset(p, i & 0xff, 64);
        if (prev) assert_int_equal(prev[63], (i - 1) & 0xff);
        prev = p;
    }
    assert_true(al_arena_chunk_count(a) > 1);
    void *last = al_arena_alloc_inline(r, 32, 16);
    al_arena_free_inline(r, last, 32);
    assert_ptr_equal(al_allocate(a, 32, 16), last); /* the same top for both */
    assert_ptr_equal(al_arena_alloc_inline(r, 0, 16), al_dangling(16));
    assert_null(al_arena_alloc_inline(r, 16, 24));
    assert_null(al_arena_alloc_inline(r, AL_MAX_SIZE + 1, 16));
    assert_true(al_reset(a));
    assert_non_null(al_arena_alloc_inline(r, 64, 16));
    al_allocator *wrapped = al_create("locked:arena", NULL);
    if (wrapped) assert_null(al_arena_of(wrapped));
    al_destroy(wrapped);
    al_destroy(a);
}

static void test_library_calls(void **state)
{
    (void)state;
    static const char *const libs[] = {"sys", "je", "mi", "tc"};
    for (size_t i = 0; i < 4; i++) {
        al_library_fns f;
        bool ok = al_library_calls(libs[i], &f);
        if (!ok) {
            assert_non_null(al_spec_unavailable(libs[i])); /* only a missing library says no */
            continue;
        }
        void *p = f.malloc(100);
        assert_non_null(p);
        memset(p, 1, 100);
        f.free(p);
    }
    al_library_fns f;
    assert_false(al_library_calls("bump", &f));
    assert_false(al_library_calls("stats:sys", &f));
    assert_false(al_library_calls(NULL, &f));
}

/* glibc-simple's call-path variants run where they apply, verify their
 * memory, and are unsupported elsewhere with the reason. */
static void expect(const char *param, const char *spec, int want, const char *reason_part)
{
    char why[256];
    int st = wl_test_run("glibc-simple", param, spec, 3, why, sizeof why, NULL);
    if (st != want || (reason_part && !strstr(why, reason_part)))
        fail_msg("glibc-simple/%s/%s: %d (%s), expected %d", param, spec, st, why, want);
}

static void test_glibc_simple_variants(void **state)
{
    (void)state;
    expect("64-direct", "sys", AL_RUN_OK, NULL);
    expect("16-inline", "bump", AL_RUN_OK, NULL);
    expect("256-inline", "arena", AL_RUN_OK, NULL);
    expect("64-handbump", "bump", AL_RUN_OK, NULL);
    expect("64-direct", "bump", AL_RUN_UNSUPPORTED, "library behind");
    expect("64-inline", "sys", AL_RUN_UNSUPPORTED, "inline fast path");
    expect("64-inline", "stats:bump", AL_RUN_UNSUPPORTED, "inline fast path");
    expect("64-handbump", "sys", AL_RUN_UNSUPPORTED, "bump only");
    expect("64-fast", "sys", AL_RUN_FAILED, "unknown parameter");
    expect("-direct", "sys", AL_RUN_FAILED, "unknown parameter");
    for (int level = 0; level < 2; level++) {
        al_workload_set_check_level(level ? AL_CHECK_CHEAP : AL_CHECK_FULL);
        expect("64-inline", "bump", AL_RUN_OK, NULL);
    }
    al_workload_set_check_level(AL_CHECK_FULL);
}

int main(void)
{
    wl_test_register_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bump_inline),
        cmocka_unit_test(test_arena_inline),
        cmocka_unit_test(test_library_calls),
        cmocka_unit_test(test_glibc_simple_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
