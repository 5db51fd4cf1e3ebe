/* sbrk: a bump over the program break that shares the break with malloc and
 * anyone else calling sbrk: its blocks never overlap theirs, it never lowers
 * the break under them, and it stops at its capacity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance.h"

#include <alloclab/backends.h>
#include <alloclab/registry.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct span {
    unsigned char *p;
    size_t n;
    unsigned char v;
} span;

static void paint(span *s) { memset(s->p, s->v, s->n); }

static bool intact(const span *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i] != s->v) return false;
    return true;
}

static bool overlap(const span *a, const span *b)
{
    uintptr_t x = (uintptr_t)a->p, y = (uintptr_t)b->p;
    return x < y + b->n && y < x + a->n;
}

static al_allocator *make_sbrk(size_t cap)
{
    const char *why = al_spec_unavailable("sbrk");
    if (why) {
        print_message("sbrk unavailable: %s\n", why);
        skip();
    }
    al_options o = {.capacity = cap};
    al_allocator *a = al_create("sbrk", &o);
    assert_non_null(a);
    return a;
}

static void test_allocate_rollback_and_grow_in_place(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    assert_true(al_has(a, AL_CAP_FIXED_CAPACITY));
    char *x = al_allocate(a, 1000, 16);
    assert_non_null(x);
    assert_int_equal((uintptr_t)x % 16, 0);
    assert_true(al_sbrk_taken(a) >= 1000);
    assert_int_equal(al_sbrk_region_count(a), 1);
    memset(x, 0x31, 1000);
    char *y = al_allocate(a, 100, 8);
    al_deallocate(a, y, 100, 8);
    assert_ptr_equal(al_allocate(a, 100, 8), y);
    al_deallocate(a, x, 1000, 16); /* not the newest: kept */
    assert_ptr_not_equal(al_allocate(a, 1000, 16), x);
    /* The newest grows in place past the region, moving the break. */
    char *z = al_allocate(a, 100, 8);
    memset(z, 0x32, 100);
    assert_ptr_equal(al_grow(a, z, 100, 500000, 8), z);
    assert_true(al_sbrk_taken(a) >= 500000);
    memset(z + 100, 0x33, 500000 - 100);
    assert_int_equal(z[99], 0x32);
    assert_int_equal(x[999], 0x31);
    al_destroy(a);
}

static void test_capacity_bounds_the_break(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(128 << 10);
    assert_non_null(al_allocate(a, 100 << 10, 8));
    assert_null(al_allocate(a, 64 << 10, 8));
    assert_null(al_allocate(a, AL_MAX_SIZE, 8));
    assert_null(al_allocate(a, 8, (size_t)1 << 62));
    assert_true(al_sbrk_taken(a) <= 128 << 10);
    assert_non_null(al_allocate(a, 20 << 10, 8)); /* what is left still serves */
    al_destroy(a);
}

static void test_rollback_lowers_the_break(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    char *small = al_allocate(a, 64, 8);
    assert_non_null(small);
    size_t before = al_sbrk_taken(a);
    char *big = al_allocate(a, 4 << 20, 8);
    assert_non_null(big);
    memset(big, 1, 4 << 20);
    assert_true(al_sbrk_taken(a) >= before + (4 << 20));
    al_deallocate(a, big, 4 << 20, 8);
    assert_true(al_sbrk_taken(a) < before + (1 << 20));
    al_destroy(a);
}

/* One cycle of a fill-and-reset loop: n blocks of `size` bytes, the second
 * half rolled back newest first, then a reset. */
static void fill_cycle(al_allocator *a, size_t n, size_t size)
{
    void *blocks[2000];
    assert_true(n <= 2000);
    for (size_t i = 0; i < n; i++) {
        blocks[i] = al_allocate(a, size, 16);
        assert_non_null(blocks[i]);
        memset(blocks[i], (int)i, size);
    }
    for (size_t i = n; i-- > n / 2;) al_deallocate(a, blocks[i], size, 16);
    assert_true(al_reset(a));
}

/* Reset keeps the break: the next cycle reuses the same bytes, and neither
 * its rollbacks nor its reset move the break again. */
static void test_reset_keeps_the_break(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    fill_cycle(a, 1600, 1024); /* 1.6 MB: the rollback frees 800 KB at the top */
    size_t taken = al_sbrk_taken(a);
    void *brk = sbrk(0);
    assert_true(taken >= 1600 * 1024);
    for (int cycle = 0; cycle < 4; cycle++) {
        fill_cycle(a, 1600, 1024);
        assert_int_equal(al_sbrk_taken(a), taken);
        assert_ptr_equal(sbrk(0), brk);
    }
    al_destroy(a);
}

/* The floor is the peak of the last two reset cycles: a rollback within a
 * cycle as large as the one before keeps the break; after two small cycles
 * the same rollback gives the break back again. */
static void test_trim_floor_follows_recent_cycles(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    const size_t big = 3 << 20;
    void *p = al_allocate(a, big, 8);
    assert_non_null(p);
    assert_true(al_reset(a)); /* the floor is now about 3 MiB */
    p = al_allocate(a, big, 8);
    assert_non_null(p);
    al_deallocate(a, p, big, 8);
    assert_true(al_sbrk_taken(a) >= big); /* not trimmed: the last cycle needed it */
    assert_true(al_reset(a));
    for (int i = 0; i < 2; i++) { /* two small cycles: the floor comes down */
        assert_non_null(al_allocate(a, 100, 8));
        assert_true(al_reset(a));
    }
    assert_non_null(al_allocate(a, 100, 8));
    p = al_allocate(a, big, 8);
    assert_non_null(p);
    al_deallocate(a, p, big, 8);
    assert_true(al_sbrk_taken(a) < ((size_t)1 << 20)); /* given back this time */
    al_destroy(a);
}

static void test_destroy_gives_the_break_back(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    void *brk0 = sbrk(0);
    assert_non_null(al_allocate(a, 300000, 8));
    assert_true((char *)sbrk(0) > (char *)brk0);
    al_destroy(a);
    assert_true((char *)sbrk(0) <= (char *)brk0);
}

/* Someone else moves the break between two extensions: the instance starts a
 * new region above theirs and never touches their bytes. */
static void test_foreign_sbrk_in_between(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    span mine1 = {al_allocate(a, 1000, 8), 1000, 0xa1};
    assert_non_null(mine1.p);
    paint(&mine1);
    unsigned char *theirs_p = sbrk(8192);
    assert_true(theirs_p != (void *)-1);
    span theirs = {theirs_p, 8192, 0xb2};
    paint(&theirs);
    span mine2 = {al_allocate(a, 200000, 8), 200000, 0xc3}; /* more than the region's rest */
    assert_non_null(mine2.p);
    paint(&mine2);
    assert_int_equal(al_sbrk_region_count(a), 2);
    assert_false(overlap(&mine2, &theirs));
    assert_false(overlap(&mine1, &theirs));
    /* Rolling back its newest block must not lower the break under theirs. */
    al_deallocate(a, mine2.p, mine2.n, 8);
    assert_true(intact(&mine1));
    assert_true(intact(&theirs));
    al_destroy(a);
    assert_true((char *)sbrk(0) >= (char *)theirs_p + 8192);
    assert_true(intact(&theirs));
}

/* glibc's malloc extends the break for small and mid-size blocks: interleave
 * it with the instance, paint everything, and check nothing overlaps. */
static void test_malloc_moving_the_break(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    enum { ROUNDS = 12 };
    span spans[2 * ROUNDS];
    int n = 0;
    for (int i = 0; i < ROUNDS; i++) {
        span m = {al_allocate(a, 70000 + (size_t)i * 1000, 8), 70000 + (size_t)i * 1000,
                  (unsigned char)(0x10 + i)};
        assert_non_null(m.p);
        paint(&m);
        spans[n++] = m;
        span c = {malloc(100000), 100000, (unsigned char)(0x80 + i)};
        assert_non_null(c.p);
        paint(&c);
        spans[n++] = c;
    }
    for (int i = 0; i < n; i++) {
        assert_true(intact(&spans[i]));
        for (int j = i + 1; j < n; j++) assert_false(overlap(&spans[i], &spans[j]));
    }
    print_message("sbrk used %zu region(s) around malloc\n", al_sbrk_region_count(a));
    for (int i = 1; i < n; i += 2) free(spans[i].p);
    al_destroy(a);
}

/* A mark taken before the break was moved by someone else: rewinding gives
 * the newer region back (the break is ours again) and the older one serves
 * again from the mark. */
static void test_marks_across_regions(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    assert_true(al_has(a, AL_CAP_MARKS | AL_CAP_RESET));
    span keep = {al_allocate(a, 1000, 8), 1000, 0x4b};
    paint(&keep);
    al_mark m;
    assert_true(al_mark_get(a, &m));
    char *after = al_allocate(a, 500, 8);
    assert_non_null(after);
    span theirs = {sbrk(8192), 8192, 0x7e};
    assert_true(theirs.p != (void *)-1);
    paint(&theirs);
    void *newer = al_allocate(a, 200000, 8);
    assert_non_null(newer);
    memset(newer, 0x11, 200000);
    assert_int_equal(al_sbrk_region_count(a), 2);
    size_t taken = al_sbrk_taken(a);
    /* Marks of another kind are refused. */
    int local;
    al_mark bogus = {.chunk = &local, .offset = 8};
    assert_true(al_rewind(a, &bogus));
    assert_int_equal(al_sbrk_region_count(a), 2);
    assert_true(al_rewind(a, &m));
    assert_int_equal(al_sbrk_region_count(a), 1);
    assert_true(al_sbrk_taken(a) < taken - 200000);
    assert_ptr_equal(sbrk(0), theirs.p + theirs.n); /* the newer region went back */
    assert_true(intact(&keep));
    assert_true(intact(&theirs));
    assert_ptr_equal(al_allocate(a, 500, 8), after);
    al_destroy(a);
    assert_true(intact(&theirs));
}

static void test_reset_and_mark_before_anything(void **state)
{
    (void)state;
    al_allocator *a = make_sbrk(0);
    al_mark empty;
    assert_true(al_mark_get(a, &empty));
    void *brk0 = sbrk(0);
    void *first = al_allocate(a, 64, 16);
    for (int i = 0; i < 100; i++) assert_non_null(al_allocate(a, 1000, 8));
    assert_true(al_reset(a));
    assert_ptr_equal(al_allocate(a, 64, 16), first);
    assert_true(al_rewind(a, &empty));
    assert_int_equal(al_sbrk_region_count(a), 0);
    assert_int_equal(al_sbrk_taken(a), 0);
    assert_ptr_equal(sbrk(0), brk0);
    assert_non_null(al_allocate(a, 64, 16)); /* and it starts over */
    al_destroy(a);
}

static void test_counters_of_another_allocator(void **state)
{
    (void)state;
    al_allocator *s = al_create("sys", NULL);
    assert_int_equal(al_sbrk_taken(s), 0);
    assert_int_equal(al_sbrk_region_count(s), 0);
    al_destroy(s);
    al_options huge = {.capacity = SIZE_MAX};
    assert_null(al_create("sbrk", &huge));
}

/* A vec from before a mark that grows in place inside the scope keeps every
 * element through the rewind (it once lost 60 of its 64). */
static void test_vec_grown_in_place_survives_rewind(void **state)
{
    (void)state;
    al_allocator *a = al_create("sbrk", NULL);
    assert_non_null(a);
    conf_err e = {{0}};
    if (!conf_vec_survives_rewind(a, &e)) fail_msg("%s", e.msg);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_grown_in_place_survives_rewind),
        cmocka_unit_test(test_allocate_rollback_and_grow_in_place),
        cmocka_unit_test(test_capacity_bounds_the_break),
        cmocka_unit_test(test_rollback_lowers_the_break),
        cmocka_unit_test(test_reset_keeps_the_break),
        cmocka_unit_test(test_trim_floor_follows_recent_cycles),
        cmocka_unit_test(test_destroy_gives_the_break_back),
        cmocka_unit_test(test_foreign_sbrk_in_between),
        cmocka_unit_test(test_malloc_moving_the_break),
        cmocka_unit_test(test_marks_across_regions),
        cmocka_unit_test(test_reset_and_mark_before_anything),
        cmocka_unit_test(test_counters_of_another_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
