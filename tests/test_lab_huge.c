/* lab's huge blocks reused from its cache by growing them: a cached block
 * grown for a request of a larger alignment records that alignment, so a
 * later realloc that has to move it keeps it; a block grown for calloc is
 * zero everywhere, and only the part that held old data is written (the
 * kernel's fresh tail stays untouched, not resident). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MiB ((size_t)1 << 20)
#define ALIGN (8 * MiB) /* above the 4 MiB every huge block has */

/* Whether [p, p + len) is unmapped: a probe mapped there without
 * replacing anything lands exactly there. */
static bool unmapped(void *p, size_t len)
{
    void *q = mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (q == MAP_FAILED) return false;
    munmap(q, len);
    return q == p;
}

/* A live 1 MiB huge block on an ALIGN boundary (recorded with lab's default
 * 4 MiB alignment) with `room` unmapped bytes after its mapping, so that it
 * can grow in place. The blocks tried on the way stay live in keep[]. */
static unsigned char *aligned_one_mib(size_t room, void **keep, size_t *nkeep, size_t max)
{
    while (*nkeep < max) {
        unsigned char *p = lab_malloc(MiB);
        assert_non_null(p);
        if (((uintptr_t)p & (ALIGN - 1)) == 0 && unmapped(p + MiB, room)) return p;
        keep[(*nkeep)++] = p;
    }
    fail_msg("no 1 MiB huge block on an 8 MiB boundary with room after it in %zu tries", max);
    return NULL;
}

/* A cached block that happens to sit on an 8 MiB boundary serves
 * lab_aligned(8 MiB) by growing in place; a realloc that then cannot grow
 * in place (a mapping right after it) moves the block, and the moved block
 * is still 8 MiB aligned: a huge block keeps the alignment it was asked for.
 * Where the grown block kept its old 4 MiB alignment, a move lands on a
 * 4 MiB boundary that is not an 8 MiB one in some of the 16 rounds. */
static void test_grown_cached_block_keeps_alignment(void **state)
{
    (void)state;
    for (int round = 0; round < 16; round++) {
        void *keep[64];
        size_t nkeep = 0;
        lab_trim(0); /* an empty cache: the block below is the only one */
        unsigned char *a = aligned_one_mib(2 * MiB, keep, &nkeep, 64);
        lab_free(a);
        unsigned char *q = lab_aligned(ALIGN, 3 * MiB);
        assert_non_null(q);
        assert_ptr_equal(q, a); /* grown in place from the cache */
        memset(q, 0x5a, 3 * MiB);
        void *guard = q + 3 * MiB;
        assert_ptr_equal(mmap(guard, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
                         guard);
        /* Sizes 4 MiB apart: a reservation on a mere 4 MiB boundary falls
         * on an 8 MiB one for one of them and not for the other. */
        unsigned char *r = lab_realloc(q, (6 + 4 * (size_t)(round & 1)) * MiB);
        assert_non_null(r);
        assert_ptr_not_equal(r, q); /* it had to move */
        if ((uintptr_t)r & (ALIGN - 1))
            fail_msg("round %d: realloc moved an 8 MiB-aligned block to %p", round, (void *)r);
        for (size_t i = 0; i < 3 * MiB; i += 4096) assert_int_equal(r[i], 0x5a);
        lab_free(r);
        munmap(guard, 4096);
        for (size_t i = 0; i < nkeep; i++) lab_free(keep[i]);
    }
    lab_trim(0);
}

/* Resident pages of [p, p + len), by mincore. */
static size_t resident_pages(void *p, size_t len)
{
    size_t n = len / 4096, count = 0;
    unsigned char vec[1024];
    assert_true(n <= sizeof vec);
    assert_int_equal(mincore(p, len, vec), 0);
    for (size_t i = 0; i < n; i++) count += vec[i] & 1;
    return count;
}

/* calloc served by growing a dirty cached block: all zero, and the tail the
 * kernel added is not written (its pages are not even resident). */
static void test_calloc_grown_cached_block(void **state)
{
    (void)state;
    for (int round = 0; round < 4; round++) {
        lab_trim(0);
        unsigned char *a = lab_malloc(MiB);
        assert_non_null(a);
        memset(a, 0xab, MiB);
        lab_free(a);
        lab_stats s;
        lab_stats_get(&s);
        assert_int_equal(s.huge_cached, 1);
        unsigned char *z = lab_calloc(1, 3 * MiB);
        assert_non_null(z);
        lab_stats_get(&s);
        assert_int_equal(s.huge_cached, 0); /* the cached block served it */
        /* Only its first MiB held old data; the rest is the kernel's. */
        size_t touched = resident_pages(z + MiB, 2 * MiB);
        if (touched) fail_msg("calloc wrote %zu fresh pages of a grown block", touched);
        for (size_t i = 0; i < 3 * MiB; i++)
            if (z[i]) fail_msg("calloc byte %zu is %u", i, z[i]);
        lab_free(z);
    }
    lab_trim(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grown_cached_block_keeps_alignment),
        cmocka_unit_test(test_calloc_grown_cached_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
