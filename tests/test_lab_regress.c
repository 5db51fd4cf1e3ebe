/* lab regressions that depend on where the kernel places mappings, made
 * deterministic by checking the invariant behind them instead of waiting
 * for an unlucky address.
 *
 * A huge block's pointer names a granule that the ownership map marks as
 * lab's; that granule must lie inside the block's own mapping, even for a
 * zero-size block, or a segment mapped there later would be unmarked when
 * the empty block is unmapped (its blocks then "not lab's"). */
#include "lab.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <unistd.h>

static void test_zero_size_huge_block_owns_its_page(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t align = (size_t)128 << 10; align <= ((size_t)64 << 20); align <<= 1) {
        unsigned char *p = lab_aligned(align, 0);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p & (align - 1), 0);
        assert_true(lab_owns(p));
        /* The page p names is mapped: msync fails with ENOMEM on a hole. */
        void *pg = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));
        assert_int_equal(msync(pg, (size_t)page, MS_ASYNC), 0);
        lab_free(p);
    }
}

/* After zero-size aligned blocks come and go, small blocks stay lab's. */
static void test_small_blocks_owned_after_zero_size_huge(void **state)
{
    (void)state;
    for (int round = 0; round < 64; round++) {
        void *z = lab_aligned((size_t)64 << 20, 0);
        assert_non_null(z);
        lab_free(z);
        lab_trim(0);
        void *q = lab_malloc(100);
        assert_non_null(q);
        assert_true(lab_owns(q));
        lab_free(q);
    }
}

/* A freed huge block reused for a request of a larger alignment keeps that
 * alignment, also when it has to grow and cannot grow in place (a page is
 * mapped right after it here, so a grow must move it). */
static void test_reused_huge_block_keeps_requested_alignment(void **state)
{
    (void)state;
    const size_t big = (size_t)32 << 20, mid = (size_t)16 << 20, sz = (size_t)8 << 20;
    long page = sysconf(_SC_PAGESIZE);
    void *aside[32];
    size_t naside = 0;
    bool exercised = false;
    for (int attempt = 0; attempt < 32 && !exercised; attempt++) {
        unsigned char *p = lab_aligned(mid, sz);
        assert_non_null(p);
        if ((uintptr_t)p & (big - 1)) { /* only 16 MiB-aligned: keep it out of the cache */
            aside[naside++] = p;
            continue;
        }
        void *blocker = mmap(p + sz, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        lab_free(p);
        unsigned char *q = lab_aligned(big, big);
        assert_non_null(q);
        assert_int_equal((uintptr_t)q & (big - 1), 0);
        assert_true(lab_usable_size(q) >= big);
        q[0] = 1;
        q[big - 1] = 2;
        lab_free(q);
        if (blocker != MAP_FAILED) munmap(blocker, (size_t)page);
        exercised = true;
    }
    for (size_t i = 0; i < naside; i++) lab_free(aside[i]);
    /* Each 16 MiB-aligned block is 32 MiB-aligned with even odds: 32 misses
     * in a row (1 in 4 billion) would mean the case was never tried. */
    assert_true(exercised);
}

/* Every alignment from 1 to 64 MiB, sizes around it, many times in one
 * process so that freed blocks are reused: always aligned, always lab's. */
static void test_aligned_reuse_rounds(void **state)
{
    (void)state;
    for (int round = 0; round < 8; round++)
        for (size_t align = 1; align <= ((size_t)64 << 20); align <<= 1) {
            size_t sizes[] = {0, 1, align / 2, align, align + 1, 200000};
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                if (align >= ((size_t)8 << 20) && sizes[i] > align) continue;
                unsigned char *p = lab_aligned(align, sizes[i]);
                assert_non_null(p);
                assert_int_equal((uintptr_t)p & (align - 1), 0);
                assert_true(lab_owns(p));
                if (sizes[i]) {
                    p[0] = 1;
                    p[sizes[i] - 1] = 2;
                }
                lab_free(p);
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_size_huge_block_owns_its_page),
        cmocka_unit_test(test_small_blocks_owned_after_zero_size_huge),
        cmocka_unit_test(test_reused_huge_block_keeps_requested_alignment),
        cmocka_unit_test(test_aligned_reuse_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
