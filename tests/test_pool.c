/* pool: LIFO reuse within a size class, the class layout (fit, waste,
 * alignment), pages and large blocks from the backing allocator, resizing
 * across classes, reset and destroy returning everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/backends.h>
#include <alloclab/registry.h>
#include <string.h>

#include "counting_backing.h"

static counting_backing cb;

static al_allocator *counted_pool(void)
{
    al_allocator *a = counting_backing_create(&cb, "pool", 0);
    assert_non_null(a);
    return a;
}

/* Destroy, and check that every page and large block went back. */
static void destroy_and_check(al_allocator *a)
{
    al_destroy(a);
    assert_true(counting_backing_clean(&cb));
}

static void test_class_reuse_is_lifo(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    void *x = al_allocate(a, 24, 8), *y = al_allocate(a, 30, 8), *z = al_allocate(a, 100, 8);
    al_deallocate(a, x, 24, 8);
    al_deallocate(a, y, 30, 8);
    assert_ptr_equal(al_allocate(a, 17, 8), y); /* same class (32), last freed first */
    assert_ptr_equal(al_allocate(a, 32, 8), x);
    void *fresh = al_allocate(a, 32, 8);
    assert_ptr_not_equal(fresh, x);
    assert_ptr_not_equal(fresh, y);
    /* A freed block of one class is not handed to another. */
    al_deallocate(a, z, 100, 8);
    void *other = al_allocate(a, 40, 8);
    assert_ptr_not_equal(other, z);
    assert_ptr_equal(al_allocate(a, 112, 8), z);
    destroy_and_check(a);
}

static void test_classes_fit_with_bounded_waste(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    for (size_t size = 1; size <= AL_POOL_MAX_SMALL; size++) {
        void *p = al_allocate(a, size, 1);
        assert_non_null(p);
        size_t usable = al_usable_size(a, p, size, 1);
        assert_true(usable >= size);
        if (size <= 128) assert_true(usable - size < 16);
        else assert_true((usable - size) * 5 < usable); /* under 20% */
        memset(p, 0xcd, usable);
        al_deallocate(a, p, size, 1);
    }
    destroy_and_check(a);
}

static void test_alignments(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    for (size_t align = 1; align <= 8192; align <<= 1) {
        for (size_t size = 1; size <= 1100; size += 37) {
            char *p = al_allocate(a, size, align);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % align, 0);
            assert_true(al_usable_size(a, p, size, align) >= size);
            memset(p, 0x21, size);
            if (size % 3 == 0) al_deallocate(a, p, size, align);
        }
    }
    destroy_and_check(a); /* the blocks still out go back with their pages */
}

static void test_pages_come_from_backing(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    assert_int_equal(al_pool_page_count(a), 0);
    assert_non_null(al_allocate(a, 64, 8));
    assert_int_equal(cb.allocs, 1);
    assert_int_equal(cb.last_size, AL_POOL_PAGE_SIZE);
    assert_int_equal(cb.live[0].align % 1024, 0);
    assert_int_equal(al_pool_page_count(a), 1);
    /* One page holds fewer than 1024 blocks of 64 bytes: a second page. */
    for (int i = 0; i < 1100; i++) assert_non_null(al_allocate(a, 64, 8));
    assert_int_equal(al_pool_page_count(a), 2);
    /* Another class carves its own page. */
    assert_non_null(al_allocate(a, 500, 8));
    assert_int_equal(al_pool_page_count(a), 3);
    assert_int_equal(cb.live_blocks, 3);
    destroy_and_check(a);
}

static void test_large_blocks_go_to_backing(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    char *big = al_allocate(a, 5000, 8);
    assert_non_null(big);
    assert_int_equal(al_pool_page_count(a), 0);
    assert_int_equal(cb.live_blocks, 1);
    assert_true(cb.last_size >= 5000);
    memset(big, 0x5e, 5000);
    char *huge_align = al_allocate(a, 10, 8192);
    assert_non_null(huge_align);
    assert_int_equal((uintptr_t)huge_align % 8192, 0);
    al_deallocate(a, big, 5000, 8);
    al_deallocate(a, huge_align, 10, 8192);
    assert_int_equal(cb.live_blocks, 0);
    assert_int_equal(cb.mismatches, 0);
    destroy_and_check(a);
}

static void test_resize_across_classes(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    char *p = al_allocate(a, 20, 8);
    memset(p, 0x44, 20);
    assert_ptr_equal(al_grow(a, p, 20, 32, 8), p); /* same class */
    char *q = al_grow(a, p, 32, 100, 8);
    assert_ptr_not_equal(q, p);
    assert_true(all_bytes_are(q, 20, 0x44));
    assert_ptr_equal(al_allocate(a, 32, 8), p); /* the old block went back to its class */
    memset(q, 0x45, 100);
    char *big = al_grow(a, q, 100, 3000, 8);
    assert_true(all_bytes_are(big, 100, 0x45));
    memset(big, 0x46, 3000);
    char *bigger = al_grow(a, big, 3000, 9000, 8);
    assert_true(all_bytes_are(bigger, 3000, 0x46));
    char *small = al_shrink(a, bigger, 9000, 40, 8);
    assert_non_null(small);
    assert_true(all_bytes_are(small, 40, 0x46));
    al_deallocate(a, small, 40, 8);
    assert_int_equal(cb.live_blocks, al_pool_page_count(a)); /* no large block left */
    destroy_and_check(a);
}

static void test_zeroed(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    char *p = al_allocate(a, 200, 8);
    memset(p, 0xff, 200);
    al_deallocate(a, p, 200, 8);
    char *z = al_allocate_zeroed(a, 200, 8);
    assert_ptr_equal(z, p);
    assert_true(all_bytes_are(z, 200, 0));
    char *bz = al_allocate_zeroed(a, 20000, 64);
    assert_non_null(bz);
    assert_true(all_bytes_are(bz, 20000, 0));
    destroy_and_check(a);
}

static void test_reset_returns_large_and_recarves_pages(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    for (int i = 0; i < 3000; i++) assert_non_null(al_allocate(a, 48, 16));
    assert_non_null(al_allocate(a, 2000, 8));
    assert_non_null(al_allocate(a, 70000, 8));
    size_t pages = al_pool_page_count(a);
    assert_int_equal(cb.live_blocks, pages + 2);
    assert_true(al_reset(a));
    assert_int_equal(cb.live_blocks, pages); /* large blocks returned, pages kept */
    assert_int_equal(al_pool_page_count(a), pages);
    size_t allocs = cb.allocs;
    /* Pages are carved again, for any class, before backing is asked. */
    for (int i = 0; i < 600; i++) assert_non_null(al_allocate(a, 300, 8)); /* 204 a page */
    assert_int_equal(cb.allocs, allocs);
    assert_int_equal(cb.mismatches, 0);
    destroy_and_check(a);
}

static void test_backing_failure_is_null(void **state)
{
    (void)state;
    al_allocator *a = counted_pool();
    cb.fail_after = 1;
    void *p = al_allocate(a, 64, 8);
    assert_non_null(p);
    assert_null(al_allocate(a, 128, 8)); /* needs a page */
    assert_null(al_allocate(a, 5000, 8));
    /* A move to a class without a page fails, the block stays as it was. */
    memset(p, 0x12, 64);
    assert_null(al_grow(a, p, 64, 128, 8));
    assert_true(all_bytes_are(p, 64, 0x12));
    assert_non_null(al_allocate(a, 64, 8)); /* its own class still carves */
    destroy_and_check(a);
}

static void test_default_backing(void **state)
{
    (void)state;
    al_allocator *a = al_create("pool", NULL);
    assert_non_null(a);
    assert_true(al_has(a, AL_CAP_FREES | AL_CAP_RESET));
    void *blocks[100];
    for (int i = 0; i < 100; i++) blocks[i] = al_allocate(a, (size_t)i * 50 + 1, 8);
    for (int i = 0; i < 100; i += 2) al_deallocate(a, blocks[i], (size_t)i * 50 + 1, 8);
    al_destroy(a); /* under ASan, a leak here fails the test */
    assert_int_equal(al_pool_page_count(NULL), 0);
}

/* Pools made with the default backing share one sys handle: destroying one
 * pool must leave the others (and their large blocks) working. */
static void test_default_backing_is_shared(void **state)
{
    (void)state;
    al_allocator *a = al_create("pool", NULL), *b = al_create("pool", NULL);
    assert_non_null(a);
    assert_non_null(b);
    char *small = al_allocate(b, 40, 8), *large = al_allocate(b, 5000, 64);
    assert_non_null(small);
    assert_non_null(large);
    assert_non_null(al_allocate(a, 40, 8));
    al_destroy(a);
    memset(small, 0x5a, 40);
    memset(large, 0xa5, 5000);
    large = al_grow(b, large, 5000, 20000, 64);
    assert_non_null(large);
    assert_int_equal((unsigned char)large[4999], 0xa5);
    al_deallocate(b, large, 20000, 64);
    al_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_reuse_is_lifo),
        cmocka_unit_test(test_classes_fit_with_bounded_waste),
        cmocka_unit_test(test_alignments),
        cmocka_unit_test(test_pages_come_from_backing),
        cmocka_unit_test(test_large_blocks_go_to_backing),
        cmocka_unit_test(test_resize_across_classes),
        cmocka_unit_test(test_zeroed),
        cmocka_unit_test(test_reset_returns_large_and_recarves_pages),
        cmocka_unit_test(test_backing_failure_is_null),
        cmocka_unit_test(test_default_backing),
        cmocka_unit_test(test_default_backing_is_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
