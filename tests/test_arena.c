/* arena: chunks doubling from the backing allocator, a chunk of its own for
 * a big request, rollback and in-place growth of the newest block, reset
 * keeping the largest chunk, marks across chunks, and every chunk returned. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance.h"

#include <alloclab/backends.h>
#include <alloclab/registry.h>
#include <string.h>

#include "counting_backing.h"

static counting_backing cb;

/* An arena over a fresh counting backing, first chunk `cap` bytes. */
static al_allocator *counted_arena(size_t cap)
{
    al_allocator *a = counting_backing_create(&cb, "arena", cap);
    assert_non_null(a);
    return a;
}

/* Destroy, and check that every chunk went back with its own size. */
static void destroy_and_check(al_allocator *a)
{
    al_destroy(a);
    assert_true(counting_backing_clean(&cb));
}

static void test_chunks_double(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    assert_int_equal(al_arena_chunk_count(a), 0); /* nothing before the first request */
    size_t sizes[5], n = 0;
    while (n < 5) {
        size_t before = al_arena_chunk_count(a);
        assert_non_null(al_allocate(a, 64, 8));
        if (al_arena_chunk_count(a) != before) sizes[n++] = cb.last_size;
    }
    for (size_t i = 0; i < 5; i++) assert_int_equal(sizes[i], (size_t)1024 << i);
    assert_int_equal(al_arena_allocated_bytes(a), 1024 * 31);
    assert_int_equal(cb.live_bytes, al_arena_allocated_bytes(a));
    assert_int_equal(cb.live_blocks, 5);
    destroy_and_check(a);
}

static void test_big_request_gets_its_own_chunk(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    assert_non_null(al_allocate(a, 10, 1));
    char *big = al_allocate(a, 100000, 16);
    assert_non_null(big);
    memset(big, 0xab, 100000);
    assert_int_equal(al_arena_chunk_count(a), 2);
    assert_true(cb.last_size >= 100000);
    assert_true(cb.last_size < 100000 + 1024); /* sized for the request, not a doubling */
    /* A big alignment fits as well. */
    char *aligned = al_allocate(a, 5000, 4096);
    assert_non_null(aligned);
    assert_int_equal((uintptr_t)aligned % 4096, 0);
    memset(aligned, 1, 5000);
    assert_true(all_bytes_are(big, 100000, 0xab));
    destroy_and_check(a);
}

static void test_rollback_and_in_place_growth(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(4096);
    char *x = al_allocate(a, 100, 8);
    char *y = al_allocate(a, 100, 8);
    al_deallocate(a, x, 100, 8); /* not the newest: kept */
    assert_ptr_not_equal(al_allocate(a, 8, 8), x);
    char *z = al_allocate(a, 100, 8);
    al_deallocate(a, z, 100, 8);
    assert_ptr_equal(al_allocate(a, 100, 8), z);
    memset(z, 0x3c, 100);
    assert_ptr_equal(al_grow(a, z, 100, 1000, 8), z);
    assert_true(all_bytes_are(z, 100, 0x3c));
    assert_ptr_equal(al_shrink(a, z, 1000, 50, 8), z);
    assert_ptr_equal(al_allocate(a, 8, 8), z + 56); /* the shrink gave the tail back */
    /* Not the newest, or past the chunk: the block moves with its bytes. */
    memset(y, 0x42, 100);
    char *y2 = al_grow(a, y, 100, 200, 8);
    assert_ptr_not_equal(y2, y);
    assert_true(all_bytes_are(y2, 100, 0x42));
    char *w = al_allocate(a, 64, 8);
    memset(w, 0x17, 64);
    char *w2 = al_grow(a, w, 64, 20000, 8);
    assert_non_null(w2);
    assert_true(all_bytes_are(w2, 64, 0x17));
    assert_int_equal(al_arena_chunk_count(a), 2);
    destroy_and_check(a);
}

static void test_reset_keeps_the_largest_chunk(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    assert_non_null(al_allocate(a, 900, 8));   /* chunk 1: 1024 */
    assert_non_null(al_allocate(a, 1500, 8));  /* chunk 2: 2048 */
    assert_non_null(al_allocate(a, 60000, 8)); /* chunk 3: its own, ~60 KiB */
    assert_non_null(al_allocate(a, 4000, 8));  /* chunk 4: 8192 */
    assert_int_equal(al_arena_chunk_count(a), 4);
    size_t largest = 0;
    for (size_t i = 0; i < cb.live_blocks; i++)
        if (cb.live[i].size > largest) largest = cb.live[i].size;
    assert_true(al_reset(a));
    assert_int_equal(al_arena_chunk_count(a), 1);
    assert_int_equal(al_arena_allocated_bytes(a), largest);
    assert_int_equal(cb.live_blocks, 1);
    assert_int_equal(cb.live[0].size, largest);
    /* The kept chunk is empty and serves what fits without a new chunk. */
    size_t allocs = cb.allocs;
    assert_non_null(al_allocate(a, 50000, 8));
    assert_int_equal(cb.allocs, allocs);
    assert_int_equal(cb.mismatches, 0);
    destroy_and_check(a);
}

static void test_marks_across_chunks(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    char *keep = al_allocate(a, 200, 8);
    memset(keep, 0x6d, 200);
    al_mark m;
    assert_true(al_mark_get(a, &m));
    size_t chunks = al_arena_chunk_count(a), bytes = al_arena_allocated_bytes(a);
    char *next = al_allocate(a, 16, 8);
    for (int i = 0; i < 200; i++) memset(al_allocate(a, 500, 8), 0xee, 500);
    assert_true(al_arena_chunk_count(a) > chunks);
    al_mark inner;
    assert_true(al_mark_get(a, &inner));
    assert_true(al_rewind(a, &m));
    assert_int_equal(al_arena_chunk_count(a), chunks);
    assert_int_equal(al_arena_allocated_bytes(a), bytes);
    assert_int_equal(cb.live_blocks, chunks);
    assert_true(all_bytes_are(keep, 200, 0x6d));
    assert_ptr_equal(al_allocate(a, 16, 8), next);
    /* A mark whose chunk was returned is refused. */
    assert_true(al_rewind(a, &inner));
    assert_int_equal(al_arena_chunk_count(a), chunks);
    assert_true(all_bytes_are(keep, 200, 0x6d));
    destroy_and_check(a);
}

static void test_mark_before_any_chunk(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    al_mark m;
    assert_true(al_mark_get(a, &m));
    for (int i = 0; i < 20; i++) assert_non_null(al_allocate(a, 300, 8));
    assert_true(al_rewind(a, &m));
    assert_int_equal(al_arena_chunk_count(a), 0);
    assert_int_equal(cb.live_blocks, 0);
    assert_non_null(al_allocate(a, 300, 8)); /* and it starts over */
    destroy_and_check(a);
}

static void test_backing_failure_is_null(void **state)
{
    (void)state;
    al_allocator *a = counted_arena(1024);
    cb.fail_after = 1;
    assert_non_null(al_allocate(a, 500, 8));
    assert_null(al_allocate(a, 800, 8));
    assert_null(al_allocate(a, AL_MAX_SIZE, 8));
    assert_null(al_allocate(a, 16, (size_t)1 << 62));
    assert_non_null(al_allocate(a, 100, 8)); /* what fits the chunk still works */
    assert_int_equal(al_arena_chunk_count(a), 1);
    destroy_and_check(a);
}

static void test_default_backing_and_counters(void **state)
{
    (void)state;
    al_allocator *a = al_create("arena", NULL);
    assert_non_null(a);
    assert_true(al_has(a, AL_CAP_RESET | AL_CAP_MARKS));
    assert_non_null(al_allocate(a, 10, 8));
    assert_int_equal(al_arena_allocated_bytes(a), 4096);
    al_destroy(a);
    al_allocator *s = al_create("sys", NULL);
    assert_int_equal(al_arena_chunk_count(s), 0);
    assert_int_equal(al_arena_allocated_bytes(s), 0);
    al_destroy(s);
}

/* A vec from before a mark that grows in place inside the scope keeps every
 * element through the rewind (it once lost 60 of its 64). */
static void test_vec_grown_in_place_survives_rewind(void **state)
{
    (void)state;
    al_allocator *a = al_create("arena", NULL);
    assert_non_null(a);
    conf_err e = {{0}};
    if (!conf_vec_survives_rewind(a, &e)) fail_msg("%s", e.msg);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_grown_in_place_survives_rewind),
        cmocka_unit_test(test_chunks_double),
        cmocka_unit_test(test_big_request_gets_its_own_chunk),
        cmocka_unit_test(test_rollback_and_in_place_growth),
        cmocka_unit_test(test_reset_keeps_the_largest_chunk),
        cmocka_unit_test(test_marks_across_chunks),
        cmocka_unit_test(test_mark_before_any_chunk),
        cmocka_unit_test(test_backing_failure_is_null),
        cmocka_unit_test(test_default_backing_and_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
