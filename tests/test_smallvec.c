/* al_smallvec: the spill point, contents across the spill, going back
 * inline, allocation failure inline and spilled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <alloclab/smallvec.h>
#include <alloclab/wrappers.h>
#include <string.h>

#include "tiny_alloc.h"

#pragma GCC diagnostic error "-Wunused-value"

static al_stats stats_of(al_allocator *a)
{
    al_stats st;
    assert_true(al_stats_get(a, &st));
    return st;
}

/* The talk's example: 4 inline, the 5th push spills. */
static void test_spills_on_fifth_push(void **state)
{
    (void)state;
    al_allocator *a = al_create("stats:sys", NULL);
    AL_SMALLVEC(int, 4) s;
    assert_true(AL_SMALLVEC_INIT(&s, a));
    for (int i = 1; i <= 4; i++) {
        assert_true(AL_SMALLVEC_PUSH(&s, int, i));
        assert_false(al_smallvec_spilled(&s.sv));
    }
    assert_ptr_equal(s.sv.v.data, s.inline_);
    assert_int_equal(stats_of(a).allocs, 0);
    assert_true(AL_SMALLVEC_PUSH(&s, int, 5));
    assert_true(al_smallvec_spilled(&s.sv));
    assert_int_equal(stats_of(a).allocs, 1);
    assert_int_equal(s.sv.v.cap, 8); /* twice the inline room */
    assert_int_equal(al_smallvec_len(&s.sv), 5);
    for (int i = 0; i < 5; i++) assert_int_equal(AL_SMALLVEC_DATA(&s, int)[i], i + 1);
    /* After the spill it grows as a vec. */
    for (int i = 6; i <= 100; i++) assert_true(AL_SMALLVEC_PUSH(&s, int, i));
    for (int i = 0; i < 100; i++) assert_int_equal(*(int *)al_smallvec_at(&s.sv, (size_t)i), i + 1);
    assert_int_equal(stats_of(a).allocs, 1);
    assert_true(stats_of(a).grows >= 1);
    al_smallvec_free(&s.sv);
    assert_int_equal(stats_of(a).live_bytes, 0);
    assert_false(al_smallvec_spilled(&s.sv));
    assert_int_equal(al_smallvec_len(&s.sv), 0);
    al_destroy(a);
}

static void test_shrink_to_fit_goes_back_inline(void **state)
{
    (void)state;
    al_allocator *a = al_create("stats:sys", NULL);
    AL_SMALLVEC(int, 4) s;
    assert_true(AL_SMALLVEC_INIT(&s, a));
    int xs[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_true(al_smallvec_extend(&s.sv, xs, 10));
    assert_true(al_smallvec_spilled(&s.sv));
    /* Still too many for inline: the block shrinks to len. */
    for (int i = 0; i < 4; i++) assert_true(al_smallvec_pop(&s.sv, NULL));
    assert_true(al_smallvec_shrink_to_fit(&s.sv));
    assert_true(al_smallvec_spilled(&s.sv));
    assert_int_equal(s.sv.v.cap, 6);
    /* Fits inline: back there, block freed, contents kept. */
    int last = -1;
    assert_true(al_smallvec_pop(&s.sv, &last));
    assert_int_equal(last, 5);
    assert_true(al_smallvec_pop(&s.sv, NULL));
    assert_true(al_smallvec_shrink_to_fit(&s.sv));
    assert_false(al_smallvec_spilled(&s.sv));
    assert_int_equal(stats_of(a).live_bytes, 0);
    assert_int_equal(s.sv.v.cap, 4);
    for (int i = 0; i < 4; i++) {
        int x;
        assert_true(al_smallvec_get(&s.sv, (size_t)i, &x));
        assert_int_equal(x, i);
    }
    assert_true(al_smallvec_shrink_to_fit(&s.sv)); /* inline: nothing to do */
    al_smallvec_clear(&s.sv);
    assert_int_equal(al_smallvec_len(&s.sv), 0);
    al_smallvec_free(&s.sv);
    al_destroy(a);
}

/* Extending from the inline elements across the spill. */
static void test_extend_from_inline_storage_across_spill(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    AL_SMALLVEC(short, 3) s;
    assert_true(AL_SMALLVEC_INIT(&s, a));
    short xs[3] = {7, 8, 9};
    assert_true(al_smallvec_extend(&s.sv, xs, 3));
    assert_true(al_smallvec_extend(&s.sv, s.inline_, 3));
    assert_true(al_smallvec_spilled(&s.sv));
    assert_true(al_smallvec_extend(&s.sv, al_smallvec_at(&s.sv, 0), 6));
    assert_int_equal(al_smallvec_len(&s.sv), 12);
    for (int i = 0; i < 12; i++) assert_int_equal(AL_SMALLVEC_DATA(&s, short)[i], 7 + i % 3);
    al_smallvec_free(&s.sv);
    al_destroy(a);
}

/* Failure reported, the smallvec as it was. `a` holds 64 bytes. */
static void check_failure(al_allocator *a)
{
    AL_SMALLVEC(int, 4) s;
    assert_true(AL_SMALLVEC_INIT(&s, a));
    int pushed = 0;
    while (AL_SMALLVEC_PUSH(&s, int, pushed)) pushed++;
    /* 4 inline, then blocks of 8 and 16 ints; 32 ints (128 bytes) do not fit
     * (the 8-int block may or may not be reused for the 16: at least 8). */
    assert_true(pushed >= 8 && pushed <= 16);
    assert_true(al_smallvec_spilled(&s.sv));
    al_smallvec before = s.sv;
    assert_null(al_smallvec_push(&s.sv, NULL));
    assert_false(al_smallvec_reserve(&s.sv, 1));
    assert_false(al_smallvec_extend(&s.sv, NULL, 1));
    assert_memory_equal(&s.sv, &before, sizeof before);
    for (int i = 0; i < pushed; i++) assert_int_equal(AL_SMALLVEC_DATA(&s, int)[i], i);
    al_smallvec_free(&s.sv);
}

static void test_failure_when_spilled(void **state)
{
    (void)state;
    al_allocator *t = tiny_new(64);
    check_failure(t);
    al_destroy(t);
    /* The same with the real bump backend once it is registered. */
    if (al_backend_find("bump")) {
        al_allocator *b = al_create("bump", &(al_options){.capacity = 64});
        assert_non_null(b);
        check_failure(b);
        al_destroy(b);
    }
}

static void test_failure_to_spill_stays_inline(void **state)
{
    (void)state;
    al_allocator *t = tiny_new(16); /* the 8-int block never fits */
    AL_SMALLVEC(int, 4) s;
    assert_true(AL_SMALLVEC_INIT(&s, t));
    for (int i = 0; i < 4; i++) assert_true(AL_SMALLVEC_PUSH(&s, int, i));
    assert_false(AL_SMALLVEC_PUSH(&s, int, 4));
    assert_false(al_smallvec_spilled(&s.sv));
    assert_int_equal(al_smallvec_len(&s.sv), 4);
    for (int i = 0; i < 4; i++) assert_int_equal(s.inline_[i], i);
    assert_int_equal(tiny_of(t)->used, 0);
    al_smallvec_free(&s.sv);
    al_destroy(t);
}

static void test_init_checks_inline_storage(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    _Alignas(8) unsigned char buf[64];
    al_smallvec s;
    assert_false(al_smallvec_init(&s, a, 8, 8, buf + 1, 4)); /* misaligned */
    assert_false(al_smallvec_init(&s, a, 8, 8, NULL, 4));
    assert_false(al_smallvec_init(&s, a, 8, 3, buf, 4));
    assert_true(al_smallvec_init(&s, a, 8, 8, buf, 8));
    assert_false(al_smallvec_spilled(&s));
    /* No inline room: a plain vec. */
    assert_true(al_smallvec_init(&s, a, 8, 8, NULL, 0));
    assert_false(al_smallvec_spilled(&s));
    assert_non_null(al_smallvec_push(&s, NULL));
    assert_true(al_smallvec_spilled(&s));
    assert_true(al_smallvec_shrink_to_fit(&s));
    assert_true(al_smallvec_spilled(&s)); /* 1 element does not fit in 0 */
    al_smallvec_free(&s);
    assert_false(al_smallvec_spilled(&s));
    al_destroy(a);
}

/* The typed layer as statements (the header's own example) and as
 * conditions, built with -Werror and -Wunused-value; a T of another size is
 * refused. */
static void test_typed_layer_statements_and_conditions(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    AL_SMALLVEC(int, 4) s;
    AL_SMALLVEC_INIT(&s, a);
    for (int i = 1; i <= 5; i++) AL_SMALLVEC_PUSH(&s, int, i);
    assert_true(al_smallvec_spilled(&s.sv));
    if (!AL_SMALLVEC_PUSH(&s, int, 6)) fail();
    const int more[] = {7, 8};
    AL_SMALLVEC_EXTEND(&s, int, more, 2);
    assert_int_equal(AL_SMALLVEC_LEN(&s), 8);
    assert_int_equal(*AL_SMALLVEC_AT(&s, int, 6), 7);
    assert_null(AL_SMALLVEC_AT(&s, int, 8));
    int x = 0;
    assert_true(AL_SMALLVEC_GET(&s, int, 0, &x));
    assert_int_equal(x, 1);
    assert_false(AL_SMALLVEC_GET(&s, int, 8, &x));
    AL_SMALLVEC_POP(&s, int, NULL);
    assert_true(AL_SMALLVEC_POP(&s, int, &x));
    assert_int_equal(x, 7);

    short sh = 3;
    assert_false(AL_SMALLVEC_PUSH(&s, short, 1));
    assert_false(AL_SMALLVEC_POP(&s, short, &sh));
    assert_false(AL_SMALLVEC_GET(&s, short, 0, &sh));
    assert_false(AL_SMALLVEC_EXTEND(&s, short, &sh, 1));
    assert_null(AL_SMALLVEC_AT(&s, short, 0));
    assert_int_equal(sh, 3);
    assert_int_equal(AL_SMALLVEC_LEN(&s), 6);
    al_smallvec_free(&s.sv);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_layer_statements_and_conditions),
        cmocka_unit_test(test_spills_on_fifth_push),
        cmocka_unit_test(test_shrink_to_fit_goes_back_inline),
        cmocka_unit_test(test_extend_from_inline_storage_across_spill),
        cmocka_unit_test(test_failure_when_spilled),
        cmocka_unit_test(test_failure_to_spill_stays_inline),
        cmocka_unit_test(test_init_checks_inline_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
