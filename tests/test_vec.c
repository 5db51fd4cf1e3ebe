/* al_vec: growth policy, in-place growth on a bump, failures leave the vec
 * unchanged, aliasing extend, zero-size elements, the typed layer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <alloclab/vec.h>
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

static void test_init_rejects_bad_layouts(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    al_vec v = {0};
    assert_false(al_vec_init(&v, a, 4, 3));
    assert_false(al_vec_init(&v, a, 6, 4));
    assert_false(al_vec_init(&v, NULL, 4, 4));
    assert_false(al_vec_init(NULL, a, 4, 4));
    assert_null(v.alloc); /* untouched */
    assert_true(al_vec_init(&v, a, 12, 4));
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, 0);
    al_vec_free(&v);
    al_destroy(a);
}

static void test_min_first_capacity(void **state)
{
    (void)state;
    assert_int_equal(al_vec_min_cap(1), 8);
    assert_int_equal(al_vec_min_cap(4), 4);
    assert_int_equal(al_vec_min_cap(1024), 4);
    assert_int_equal(al_vec_min_cap(1025), 1);
}

/* Doubling from 4 through al_grow: one allocate, then one grow per doubling. */
static void test_push_doubles_through_grow(void **state)
{
    (void)state;
    al_allocator *a = al_create("stats:sys", NULL);
    al_vec v;
    assert_true(AL_VEC_INIT(&v, a, int));
    size_t caps[] = {4, 4, 4, 4, 8, 8, 8, 8, 16};
    for (int i = 0; i < 9; i++) {
        assert_true(AL_VEC_PUSH(&v, int, i * 10));
        assert_int_equal(v.cap, caps[i]);
    }
    for (int i = 9; i < 100; i++) assert_true(AL_VEC_PUSH(&v, int, i * 10));
    assert_int_equal(v.len, 100);
    assert_int_equal(v.cap, 128);
    for (int i = 0; i < 100; i++) assert_int_equal(AL_VEC_DATA(&v, int)[i], i * 10);
    al_stats st = stats_of(a);
    assert_int_equal(st.allocs, 1);
    assert_int_equal(st.grows, 5); /* 4 -> 8 -> 16 -> 32 -> 64 -> 128 */
    assert_int_equal(st.live_bytes, 128 * sizeof(int));
    al_vec_free(&v);
    assert_int_equal(stats_of(a).live_bytes, 0);
    /* Still usable after free. */
    assert_true(AL_VEC_PUSH(&v, int, 7));
    assert_int_equal(*AL_VEC_AT(&v, int, 0), 7);
    al_vec_free(&v);
    al_destroy(a);
}

static void test_grows_in_place_on_a_bump(void **state)
{
    (void)state;
    al_allocator *t = tiny_new(4096);
    al_vec v;
    assert_true(AL_VEC_INIT(&v, t, int));
    assert_true(AL_VEC_PUSH(&v, int, 0));
    void *first = v.data;
    for (int i = 1; i < 500; i++) assert_true(AL_VEC_PUSH(&v, int, i));
    assert_ptr_equal(v.data, first);                  /* never moved */
    assert_int_equal(tiny_of(t)->used, v.cap * sizeof(int)); /* no copies left behind */
    assert_true(al_vec_shrink_to_fit(&v));
    assert_int_equal(v.cap, 500);
    assert_int_equal(tiny_of(t)->used, 500 * sizeof(int));
    for (int i = 0; i < 500; i++) assert_int_equal(AL_VEC_DATA(&v, int)[i], i);
    al_vec_free(&v);
    assert_int_equal(tiny_of(t)->used, 0);
    al_destroy(t);
}

static void test_reserve_exact_and_amortised(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    al_vec v;
    assert_true(al_vec_with_capacity(&v, a, 8, 8, 10));
    assert_int_equal(v.cap, 10);
    assert_true(al_vec_extend(&v, NULL, 10));
    assert_true(al_vec_reserve(&v, 0));
    assert_int_equal(v.cap, 10);
    assert_true(al_vec_reserve(&v, 1));
    assert_int_equal(v.cap, 20); /* doubled */
    assert_true(al_vec_reserve(&v, 30));
    assert_int_equal(v.cap, 40); /* len + 30 = 40 > 2 * 20 */
    assert_true(al_vec_reserve_exact(&v, 35));
    assert_int_equal(v.cap, 45);
    assert_true(al_vec_reserve(&v, 5));
    assert_int_equal(v.cap, 45); /* already room */
    al_vec_free(&v);
    al_destroy(a);
}

static void test_elements_access(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    al_vec v;
    assert_true(AL_VEC_INIT(&v, a, double));
    assert_null(al_vec_at(&v, 0));
    assert_false(al_vec_pop(&v, NULL));
    double xs[] = {1.5, 2.5, 3.5};
    assert_true(al_vec_extend(&v, xs, 3));
    double *z = al_vec_push(&v, NULL);
    assert_non_null(z);
    assert_true(*z == 0.0);
    double d = 0;
    assert_true(al_vec_get(&v, 1, &d));
    assert_true(d == 2.5);
    assert_false(al_vec_get(&v, 4, &d));
    assert_null(al_vec_at(&v, 4));
    assert_true(al_vec_pop(&v, &d));
    assert_true(d == 0.0);
    assert_true(al_vec_pop(&v, &d));
    assert_true(d == 3.5);
    assert_int_equal(v.len, 2);
    size_t cap = v.cap;
    al_vec_clear(&v);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, cap);
    assert_true(al_vec_shrink_to_fit(&v));
    assert_int_equal(v.cap, 0);
    al_vec_free(&v);
    al_destroy(a);
}

/* Extending from the vec's own elements while the block moves. */
static void test_extend_from_itself(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    al_vec v;
    assert_true(AL_VEC_INIT(&v, a, int));
    assert_true(AL_VEC_PUSH(&v, int, 1));
    assert_true(AL_VEC_PUSH(&v, int, 2));
    assert_true(al_vec_shrink_to_fit(&v));
    for (int round = 0; round < 10; round++) assert_true(al_vec_extend(&v, v.data, v.len));
    assert_int_equal(v.len, 2 << 10);
    for (size_t i = 0; i < v.len; i++) assert_int_equal(AL_VEC_DATA(&v, int)[i], (int)(i % 2) + 1);
    /* From the middle too. */
    assert_true(al_vec_extend(&v, al_vec_at(&v, 1), 1));
    assert_int_equal(*AL_VEC_AT(&v, int, v.len - 1), 2);
    al_vec_free(&v);
    al_destroy(a);
}

/* The allocator runs out: false, and the vec is exactly as before. */
static void test_failure_leaves_vec_unchanged(void **state)
{
    (void)state;
    al_allocator *t = tiny_new(64);
    al_vec v;
    assert_true(AL_VEC_INIT(&v, t, int));
    int pushed = 0;
    while (AL_VEC_PUSH(&v, int, pushed)) pushed++;
    assert_int_equal(pushed, 16); /* 4, 8, 16 ints fit in 64 bytes; 32 do not */
    al_vec before = v;
    assert_false(al_vec_reserve(&v, 1));
    assert_false(al_vec_extend(&v, NULL, 100));
    assert_null(al_vec_push(&v, NULL));
    assert_memory_equal(&v, &before, sizeof v);
    for (int i = 0; i < 16; i++) assert_int_equal(AL_VEC_DATA(&v, int)[i], i);
    /* Overflowing sizes fail before asking the allocator. */
    unsigned long calls = tiny_of(t)->calls;
    assert_false(al_vec_reserve(&v, SIZE_MAX));
    assert_false(al_vec_reserve_exact(&v, AL_MAX_SIZE / sizeof(int)));
    assert_int_equal(tiny_of(t)->calls, calls);
    assert_memory_equal(&v, &before, sizeof v);
    al_vec w;
    assert_false(al_vec_with_capacity(&w, t, 4, 4, 1000));
    assert_int_equal(w.len, 0);
    assert_int_equal(w.cap, 0);
    al_vec_free(&v);
    al_destroy(t);
}

static void test_zero_size_elements_never_allocate(void **state)
{
    (void)state;
    al_allocator *a = al_create("stats:sys", NULL);
    al_vec v;
    assert_true(al_vec_init(&v, a, 0, 1));
    for (int i = 0; i < 1000; i++) assert_non_null(al_vec_push(&v, NULL));
    assert_true(al_vec_extend(&v, NULL, 1000));
    assert_int_equal(v.len, 2000);
    assert_true(al_vec_pop(&v, NULL));
    assert_true(al_vec_shrink_to_fit(&v));
    al_stats st = stats_of(a);
    assert_int_equal(st.allocs + st.grows + st.shrinks, 0);
    assert_false(al_vec_extend(&v, NULL, SIZE_MAX)); /* the length would overflow */
    al_vec_free(&v);
    al_destroy(a);
}

/* The typed layer as statements and as conditions: the build's -Wall -Wextra
 * -Werror (-Wunused-value made explicit at the top of this file) rejects a
 * macro whose statement form computes an unused value. A T of another size
 * is refused, never copied past an element. */
static void test_typed_layer_statements_and_conditions(void **state)
{
    (void)state;
    al_allocator *a = al_create("sys", NULL);
    al_vec v;
    AL_VEC_INIT(&v, a, int);
    AL_VEC_PUSH(&v, int, 1);
    AL_VEC_PUSH(&v, int, 2);
    if (!AL_VEC_PUSH(&v, int, 3)) fail();
    const int more[] = {4, 5};
    AL_VEC_EXTEND(&v, int, more, 2);
    assert_int_equal(AL_VEC_LEN(&v), 5);
    int x = 0;
    assert_true(AL_VEC_GET(&v, int, 3, &x));
    assert_int_equal(x, 4);
    assert_false(AL_VEC_GET(&v, int, 5, &x));
    assert_int_equal(*AL_VEC_AT(&v, int, 4), 5);
    assert_null(AL_VEC_AT(&v, int, 5));
    AL_VEC_POP(&v, int, NULL);
    assert_true(AL_VEC_POP(&v, int, &x));
    assert_int_equal(x, 4);
    assert_int_equal(AL_VEC_LEN(&v), 3);

    /* Wrong element type: refused, v unchanged. */
    long long big = 99;
    assert_false(AL_VEC_PUSH(&v, long long, 7));
    assert_false(AL_VEC_POP(&v, long long, &big));
    assert_false(AL_VEC_GET(&v, long long, 0, &big));
    assert_false(AL_VEC_EXTEND(&v, long long, &big, 1));
    assert_null(AL_VEC_AT(&v, long long, 0));
    assert_int_equal(big, 99);
    assert_int_equal(AL_VEC_LEN(&v), 3);

    while (AL_VEC_POP(&v, int, &x)) {}
    assert_int_equal(x, 1);
    al_vec_free(&v);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_layer_statements_and_conditions),
        cmocka_unit_test(test_init_rejects_bad_layouts),
        cmocka_unit_test(test_min_first_capacity),
        cmocka_unit_test(test_push_doubles_through_grow),
        cmocka_unit_test(test_grows_in_place_on_a_bump),
        cmocka_unit_test(test_reserve_exact_and_amortised),
        cmocka_unit_test(test_elements_access),
        cmocka_unit_test(test_extend_from_itself),
        cmocka_unit_test(test_failure_leaves_vec_unchanged),
        cmocka_unit_test(test_zero_size_elements_never_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
