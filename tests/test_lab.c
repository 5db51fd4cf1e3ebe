/* lab: the allocator's own guarantees, beyond the registry's conformance
 * suite (which covers the lab backend like every other): size classes, the
 * ownership test on any pointer, usable sizes, alignments up to 1 MiB and
 * beyond, sizes near SIZE_MAX, calloc overflow and zeroing, realloc keeping
 * contents (huge blocks by mremap), pointers lab does not own reported and
 * ignored, trim and statistics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_internal.h"
#include "lab_test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * Size classes.
 * ------------------------------------------------------------------------- */
static void test_class_table(void **state)
{
    (void)state;
    for (unsigned c = 0; c < LAB_NCLASSES; c++) {
        assert_int_equal(lab_class_size[c] % 16, 0);
        if (c) assert_true(lab_class_size[c] > lab_class_size[c - 1]);
    }
    assert_int_equal(lab_class_size[LAB_NCLASSES - 1], LAB_MEDIUM_MAX);
    assert_int_equal(lab_class_size[LAB_SMALL_CLASSES - 1], LAB_SMALL_MAX);
    for (size_t p = 16; p <= LAB_MEDIUM_MAX; p <<= 1) assert_int_equal(lab_class_size[lab_class_of(p)], p);
    unsigned prev = 0;
    for (size_t s = 0; s <= LAB_MEDIUM_MAX; s++) {
        unsigned c = lab_class_of(s);
        assert_true(c < LAB_NCLASSES);
        assert_true(c >= prev); /* monotonic */
        prev = c;
        size_t cs = lab_class_size[c];
        assert_true(cs >= s);
        if (c) assert_true(lab_class_size[c - 1] < s); /* the smallest class that fits */
        if (s > 128) assert_true((cs - s) * 8 < s);    /* waste under 12.5% */
        else assert_true(cs - s < 16 || s == 0);
        if (s <= LAB_DIRECT_MAX) assert_int_equal(lab_class_of_direct[(s + 15) >> 4], c);
    }
}

/* ----------------------------------------------------------------------------
 * Ownership and usable sizes.
 * ------------------------------------------------------------------------- */
static int a_global;

static void test_owns(void **state)
{
    (void)state;
    int on_stack;
    void *libc = malloc(64);
    assert_false(lab_owns(NULL));
    assert_false(lab_owns(&on_stack));
    assert_false(lab_owns(&a_global));
    assert_false(lab_owns(libc));
    assert_false(lab_owns((void *)(uintptr_t)1));
    assert_false(lab_owns((void *)UINTPTR_MAX));
    assert_false(lab_owns((void *)(uintptr_t)0xdead000000000000ull));
    assert_false(lab_owns((void *)((uintptr_t)1 << 47)));
    void *small = lab_malloc(24), *medium = lab_malloc(50000), *huge = lab_malloc(3u << 20);
    assert_true(lab_owns(small));
    assert_true(lab_owns(medium));
    assert_true(lab_owns(huge));
    assert_false(lab_owns((char *)huge + 64)); /* inside a huge block: not a block of lab's */
    lab_free(small);
    lab_free(medium);
    lab_free(huge);
    free(libc);
}

static void test_usable_size(void **state)
{
    (void)state;
    assert_int_equal(lab_usable_size(NULL), 0);
    size_t sizes[] = {0, 1, 8, 16, 17, 100, 1000, 1024, 1025, 5000, 8192, 8193, 70000, 131072, 131073, 1u << 20, 10u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = lab_malloc(sizes[i]);
        assert_non_null(p);
        size_t u = lab_usable_size(p);
        assert_true(u >= sizes[i]);
        if (sizes[i] > 128 && sizes[i] <= LAB_MEDIUM_MAX) assert_true((u - sizes[i]) * 8 < sizes[i]);
        memset(p, 0xab, u); /* all of it is usable */
        assert_int_equal((uintptr_t)p % (sizes[i] <= 8 ? 8 : 16), 0);
        lab_free(p);
    }
}

/* ----------------------------------------------------------------------------
 * Alignment.
 * ------------------------------------------------------------------------- */
static void test_aligned(void **state)
{
    (void)state;
    for (size_t align = 1; align <= ((size_t)64 << 20); align <<= 1) {
        size_t sizes[] = {0, 1, align / 2, align, align + 1, 3 * align, 200000};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            if (align >= ((size_t)8 << 20) && sizes[i] > align) continue; /* keep the mappings small */
            unsigned char *p = lab_aligned(align, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p & (align - 1), 0);
            assert_true(lab_owns(p));
            assert_true(lab_usable_size(p) >= sizes[i]);
            if (sizes[i]) {
                p[0] = 1;
                p[sizes[i] - 1] = 2;
            }
            lab_free(p);
        }
    }
    errno = 0;
    assert_null(lab_aligned(0, 16));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(lab_aligned(48, 16));
    assert_int_equal(errno, EINVAL);
}

/* ----------------------------------------------------------------------------
 * Exhaustion and overflow: NULL and ENOMEM, promptly.
 * ------------------------------------------------------------------------- */
static void test_huge_sizes_fail(void **state)
{
    (void)state;
    size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 4096, SIZE_MAX / 2, (size_t)PTRDIFF_MAX, (size_t)1 << 62};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        errno = 0;
        assert_null(lab_malloc(sizes[i]));
        assert_int_equal(errno, ENOMEM);
        errno = 0;
        assert_null(lab_aligned(4096, sizes[i]));
        assert_int_equal(errno, ENOMEM);
        errno = 0;
        assert_null(lab_aligned((size_t)1 << 30, sizes[i]));
        assert_int_equal(errno, ENOMEM);
        void *p = lab_malloc(100);
        errno = 0;
        assert_null(lab_realloc(p, sizes[i]));
        assert_int_equal(errno, ENOMEM);
        lab_free(p); /* still ours after the failed realloc */
    }
}

static void test_lab_calloc(void **state)
{
    (void)state;
    errno = 0;
    assert_null(lab_calloc(SIZE_MAX / 2, 3));
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_null(lab_calloc((size_t)1 << 33, (size_t)1 << 31));
    assert_int_equal(errno, ENOMEM);
    /* Dirty blocks, freed, then calloc'd again: every byte zero. */
    size_t sizes[] = {1, 16, 100, 1000, 3000, 20000, 100000, 300000, 5u << 20};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *d[8];
            for (int k = 0; k < 8; k++) {
                d[k] = lab_malloc(sizes[i]);
                memset(d[k], 0xee, sizes[i]);
            }
            for (int k = 0; k < 8; k++) lab_free(d[k]);
            for (int k = 0; k < 8; k++) {
                unsigned char *z = lab_calloc(1, sizes[i]);
                assert_non_null(z);
                for (size_t j = 0; j < sizes[i]; j++)
                    if (z[j]) fail_msg("calloc(%zu) byte %zu is %u", sizes[i], j, z[j]);
                d[k] = z;
            }
            for (int k = 0; k < 8; k++) lab_free(d[k]);
        }
    void *z0 = lab_calloc(0, 10);
    assert_non_null(z0);
    lab_free(z0);
}

/* ----------------------------------------------------------------------------
 * realloc.
 * ------------------------------------------------------------------------- */
static void test_lab_realloc(void **state)
{
    (void)state;
    unsigned char *p = lab_realloc(NULL, 10);
    assert_non_null(p);
    lab_test_fill(p, 10, 1);
    size_t sizes[] = {20, 200, 5000, 100000, 200000, 3u << 20, 40u << 20, 9u << 20, 150000, 3000, 50, 1};
    size_t cur = 10;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t keep = cur < sizes[i] ? cur : sizes[i];
        unsigned char *q = lab_realloc(p, sizes[i]);
        assert_non_null(q);
        if (keep == cur) assert_true(lab_test_check(q, keep, 1)); /* grown: all of it */
        for (size_t j = 0; j < keep && j < 256; j++) assert_true(lab_test_check(q, j + 1, 1));
        assert_true(lab_usable_size(q) >= sizes[i]);
        lab_test_fill(q, sizes[i], 1);
        p = q;
        cur = sizes[i];
    }
    lab_free(p);
    /* A huge block grown many times keeps every page's contents. */
    size_t n = 1u << 20;
    unsigned char *h = lab_malloc(n);
    for (size_t j = 0; j < n; j += 4096) h[j] = (unsigned char)(j >> 12);
    for (int k = 0; k < 6; k++) {
        unsigned char *g = lab_realloc(h, n * 2);
        assert_non_null(g);
        for (size_t j = 0; j < n; j += 4096) assert_int_equal(g[j], (unsigned char)(j >> 12));
        n *= 2;
        for (size_t j = 0; j < n; j += 4096) g[j] = (unsigned char)(j >> 12);
        h = g;
    }
    lab_free(h);
    /* realloc to 0 gives a minimal block and frees the old one. */
    void *z = lab_realloc(lab_malloc(100), 0);
    assert_non_null(z);
    lab_free(z);
}

/* lab_free_sized with a size that does not tell the block's kind: a huge
 * block shrunk in place, a large alignment, NULL. */
static void test_free_sized_any_size(void **state)
{
    (void)state;
    lab_free_sized(NULL, 10);
    void *h = lab_malloc(1u << 20);
    lab_free_sized(h, 24);
    void *a = lab_aligned(1u << 20, 24);
    lab_free_sized(a, 24);
    void *s = lab_malloc(24);
    lab_free_sized(s, 5u << 20);
    lab_stats st;
    lab_stats_get(&st);
    assert_int_equal(st.invalid_frees, 0);
}

/* Medium blocks (8-128 KiB) sit on 512 KiB pages, eight page-map granules
 * each: a block in any of them frees to its page, locally and remotely. */
static void *free_all(void *arg)
{
    void **v = arg;
    for (size_t i = 0; v[i]; i++) lab_free(v[i]);
    return NULL;
}

static void test_medium_blocks_every_granule(void **state)
{
    (void)state;
    enum { N = 96 };
    static void *mine[N + 1], *theirs[N + 1];
    lab_stats before, after;
    lab_stats_get(&before);
    for (unsigned i = 0; i < N; i++) {
        mine[i] = lab_malloc(24u << 10);
        theirs[i] = lab_malloc(40u << 10);
        assert_non_null(mine[i]);
        assert_non_null(theirs[i]);
        memset(mine[i], (int)i, 24u << 10);
        memset(theirs[i], (int)i, 40u << 10);
    }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_all, theirs), 0);
    free_all(mine);
    assert_int_equal(pthread_join(t, NULL), 0);
    lab_stats_get(&after);
    assert_int_equal(after.invalid_frees, before.invalid_frees);
    /* The remote frees came back: the same sizes are served again. */
    for (unsigned i = 0; i < N; i++) theirs[i] = lab_malloc(40u << 10);
    theirs[N] = NULL;
    free_all(theirs);
    lab_stats_get(&after);
    assert_int_equal(after.invalid_frees, before.invalid_frees);
}

/* ----------------------------------------------------------------------------
 * Pointers lab does not own: one line on stderr each, and nothing else.
 * ------------------------------------------------------------------------- */
static void test_foreign_pointers_reported(void **state)
{
    (void)state;
    char path[] = "/tmp/alloclab-lab-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    int on_stack;
    void *libc = malloc(32);
    void *huge = lab_malloc(1u << 20);
    lab_stats before, after;
    lab_stats_get(&before);
    errno = 1234;
    lab_free(&on_stack);
    lab_free(libc);
    lab_free((char *)huge + 16);
    lab_free((void *)(uintptr_t)0x10);
    /* Beyond the page map's range, inside a huge block past its first
     * 64 KiB, and the sized free (which checks as well). */
    lab_free((void *)(uintptr_t)0xdeadbeefdeadbeefull);
    lab_free((void *)((uintptr_t)1 << 47));
    lab_free((char *)huge + (200u << 10));
    lab_free_sized(&on_stack, sizeof on_stack);
    lab_free(NULL); /* not reported: a no-op */
    assert_int_equal(errno, 1234);
    assert_int_equal(lab_usable_size(&on_stack), 0);
    errno = 0;
    assert_null(lab_realloc(libc, 100));
    assert_int_equal(errno, EINVAL);
    /* A segment's header page and a pooled page are lab's memory, not blocks. */
    void *small = lab_malloc(16);
    char *seg = (char *)((uintptr_t)small & ~(uintptr_t)LAB_SEGMENT_MASK);
    lab_free(seg + 64);
    lab_stats_get(&after);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(after.invalid_frees - before.invalid_frees, 11);
    char buf[4096] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    assert_true(n > 0);
    int lines = 0;
    for (char *s = buf; (s = strchr(s, '\n')); s++) lines++;
    assert_int_equal(lines, 11);
    assert_non_null(strstr(buf, "alloclab lab: free of 0x"));
    assert_non_null(strstr(buf, "alloclab lab: realloc of 0x"));
    assert_non_null(strstr(buf, "alloclab lab: usable size of 0x"));
    lab_free(small);
    lab_free(huge);
    free(libc);
}

/* ----------------------------------------------------------------------------
 * Trim and statistics.
 * ------------------------------------------------------------------------- */
static void test_trim_and_stats(void **state)
{
    (void)state;
    enum { N = 4000 };
    static void *blocks[N];
    lab_stats s0, s1, s2;
    lab_trim(0);
    lab_stats_get(&s0);
    for (int i = 0; i < N; i++) {
        blocks[i] = lab_malloc((size_t)(i % 50) * 100 + 1);
        memset(blocks[i], 1, (size_t)(i % 50) * 100 + 1);
    }
    void *h = lab_malloc(8u << 20);
    memset(h, 1, 8u << 20);
    lab_stats_get(&s1);
    assert_true(s1.in_use >= s0.in_use + (8u << 20) + (size_t)N * 2000);
    assert_true(s1.committed >= s1.in_use - s0.in_use);
    assert_true(s1.mapped >= s1.committed);
    assert_true(s1.huge_count >= 1);
    assert_true(s1.heaps >= 1);
    for (int i = 0; i < N; i++) lab_free(blocks[i]);
    lab_free(h);
    assert_int_equal(lab_trim(0), 1);
    lab_stats_get(&s2);
    assert_true(s2.in_use <= s0.in_use + 4096);
    assert_true(s2.committed <= s0.committed + (1u << 20));
    assert_int_equal(s2.huge_cached, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_table),
        cmocka_unit_test(test_owns),
        cmocka_unit_test(test_usable_size),
        cmocka_unit_test(test_aligned),
        cmocka_unit_test(test_huge_sizes_fail),
        cmocka_unit_test(test_lab_calloc),
        cmocka_unit_test(test_lab_realloc),
        cmocka_unit_test(test_free_sized_any_size),
        cmocka_unit_test(test_foreign_pointers_reported),
        cmocka_unit_test(test_medium_blocks_every_granule),
        cmocka_unit_test(test_trim_and_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
