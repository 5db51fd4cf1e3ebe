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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_size_huge_block_owns_its_page),
        cmocka_unit_test(test_small_blocks_owned_after_zero_size_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
