/* The front end's plain path (allocator.h): requests of a plain layout (a
 * power-of-two alignment up to the handle's plain_align, a non-zero size
 * that is a multiple of it, below AL_LARGE_REQUEST) go to the handle's
 * plain calls, everything else to the vtable or nowhere, with the same
 * answers as before; the production backends set the path and mix it
 * freely with their vtables. The plain key's one comparison gives the
 * same answer as the layout's tests, case by case. A handle's region
 * (bump, arena) is bumped in place and asked of the vtable only when spent.
 * And the bound on bump and arena regions that keeps their inline paths
 * from wrapping around (backends.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/alloclab.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) && !defined(__SANITIZE_THREAD__)
#define __SANITIZE_THREAD__ 1
#endif
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

/* ----------------------------------------------------------------------------
 * A counting backend: libc blocks, each path counted apart.
 * ------------------------------------------------------------------------- */
static unsigned vt_allocs, vt_frees, plain_allocs, plain_frees;

static void *count_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    vt_allocs++;
    void *p = NULL;
    return posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) == 0 ? p : NULL;
}

static void count_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    vt_frees++;
    free(ptr);
}

static void *count_plain_allocate(size_t size)
{
    plain_allocs++;
    void *p = NULL;
    return posix_memalign(&p, 16, size) == 0 ? p : NULL;
}

static void count_plain_deallocate(void *ptr)
{
    plain_frees++;
    free(ptr);
}

static const al_vtable count_vt = {.allocate = count_allocate, .deallocate = count_deallocate};

static void reset_counts(void) { vt_allocs = vt_frees = plain_allocs = plain_frees = 0; }

#define EXPECT_COUNTS(va, vf, pa, pf)                                                                  \
    do {                                                                                               \
        assert_int_equal(vt_allocs, (va));                                                             \
        assert_int_equal(vt_frees, (vf));                                                              \
        assert_int_equal(plain_allocs, (pa));                                                          \
        assert_int_equal(plain_frees, (pf));                                                           \
    } while (0)

static void test_front_end_routes(void **state)
{
    (void)state;
    al_allocator h = {.state = NULL, .vt = &count_vt, .caps = AL_CAP_FREES, .plain_align = 16,
                      .plain_allocate = count_plain_allocate, .plain_deallocate = count_plain_deallocate};
    reset_counts();
    void *a = al_allocate(&h, 32, 16); /* plain: 32 is a multiple of 16 */
    void *b = al_allocate(&h, 24, 8);  /* plain */
    void *c = al_allocate(&h, 1, 1);   /* plain */
    EXPECT_COUNTS(0, 0, 3, 0);
    void *d = al_allocate(&h, 24, 16); /* 24 is not a multiple of 16 */
    void *e = al_allocate(&h, 64, 32); /* beyond plain_align */
    EXPECT_COUNTS(2, 0, 3, 0);
    assert_true(a && b && c && d && e && (uintptr_t)e % 32 == 0);
    /* Neither path: size 0, bad alignments, sizes no machine backs. */
    assert_ptr_equal(al_allocate(&h, 0, 16), al_dangling(16));
    assert_null(al_allocate(&h, 32, 3));
    assert_null(al_allocate(&h, 32, 0));
    assert_null(al_allocate(&h, AL_MAX_SIZE + 1, 16));
    assert_null(al_allocate(&h, SIZE_MAX, 1));
    EXPECT_COUNTS(2, 0, 3, 0);
    /* Frees take the path their layout names, as the allocations did. */
    al_deallocate(&h, a, 32, 16);
    al_deallocate(&h, b, 24, 8);
    al_deallocate(&h, c, 1, 1);
    al_deallocate(&h, d, 24, 16);
    al_deallocate(&h, e, 64, 32);
    EXPECT_COUNTS(2, 2, 3, 3);
    al_deallocate(&h, al_dangling(16), 0, 16); /* size 0: nothing */
    al_deallocate(&h, NULL, 24, 16);           /* NULL off the plain path: nothing */
    EXPECT_COUNTS(2, 2, 3, 3);
    al_deallocate(&h, NULL, 32, 16); /* NULL on it: the plain call, whose no-op it is */
    EXPECT_COUNTS(2, 2, 3, 4);
    /* Requests from AL_LARGE_REQUEST on go out of line, to the vtable. */
    void *big = al_allocate(&h, (size_t)1 << 30, 16);
    if (big) {
        EXPECT_COUNTS(3, 2, 3, 4);
        al_deallocate(&h, big, (size_t)1 << 30, 16);
    }

    /* Without a plain path (plain_align 0), everything takes the vtable. */
    al_allocator v = {.state = NULL, .vt = &count_vt, .caps = AL_CAP_FREES};
    reset_counts();
    void *p = al_allocate(&v, 32, 16);
    assert_non_null(p);
    al_deallocate(&v, p, 32, 16);
    EXPECT_COUNTS(1, 1, 0, 0);
}

/* ----------------------------------------------------------------------------
 * The plain key: key <= plain_align exactly when align is a power of two at
 * most plain_align and size a non-zero multiple of it below
 * AL_LARGE_REQUEST, for every plain_align a backend may set.
 * ------------------------------------------------------------------------- */
static bool layout_by_tests(size_t size, size_t align, size_t plain_align)
{
    return align != 0 && (align & (align - 1)) == 0 && align <= plain_align && size % align == 0 && size != 0 &&
           size < AL_LARGE_REQUEST;
}

static void test_plain_key(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 7, 8, 15, 16, 24, 32, 48, 4096, 4104, AL_LARGE_REQUEST - 16,
                                   AL_LARGE_REQUEST - 1, AL_LARGE_REQUEST, AL_LARGE_REQUEST + 16,
                                   (size_t)1 << 32, ((size_t)1 << 32) + 16, ((size_t)1 << 62) + 1,
                                   AL_MAX_SIZE, AL_MAX_SIZE + 1, SIZE_MAX - 15, SIZE_MAX};
    static const size_t aligns[] = {0, 1, 2, 3, 4, 8, 12, 16, 24, 32, 64, 4096, (size_t)1 << 29,
                                    AL_LARGE_REQUEST, (size_t)1 << 31, (size_t)1 << 32, ((size_t)1 << 32) + 16,
                                    (size_t)1 << 63, SIZE_MAX};
    static const size_t plain[] = {0, 1, 8, 16, 4096, AL_LARGE_REQUEST / 2};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof aligns / sizeof aligns[0]; j++)
            for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
                al_allocator h = {.vt = &count_vt, .plain_align = plain[k]};
                if (al_plain_layout(&h, sizes[i], aligns[j]) != layout_by_tests(sizes[i], aligns[j], plain[k]))
                    fail_msg("size %zu align %zu plain_align %zu: key %zu", sizes[i], aligns[j], plain[k],
                             al_plain_key(sizes[i], aligns[j]));
            }
}

/* ----------------------------------------------------------------------------
 * A handle's region: the front end bumps it and gives back its newest
 * block; the vtable sees only what the region cannot serve.
 * ------------------------------------------------------------------------- */
static void test_front_end_region(void **state)
{
    (void)state;
    static unsigned char buf[256] __attribute__((aligned(64)));
    uintptr_t base = (uintptr_t)buf;
    al_allocator h = {.vt = &count_vt, .caps = AL_CAP_FREES, .region = {.top = base, .end = base + sizeof buf}};
    reset_counts();
    unsigned char *a = al_allocate(&h, 24, 8);
    unsigned char *b = al_allocate(&h, 16, 16); /* rounded up past a's end */
    unsigned char *c = al_allocate(&h, 1, 64);
    EXPECT_COUNTS(0, 0, 0, 0);
    assert_ptr_equal(a, buf);
    assert_ptr_equal(b, buf + 32);
    assert_ptr_equal(c, buf + 64);
    assert_int_equal(h.region.top, base + 65);
    assert_ptr_equal(al_allocate(&h, 0, 16), al_dangling(16)); /* size 0: neither */
    assert_null(al_allocate(&h, 16, 3));
    assert_null(al_allocate(&h, 16, 0));
    assert_null(al_allocate(&h, SIZE_MAX, 1));
    EXPECT_COUNTS(0, 0, 0, 0);
    al_deallocate(&h, b, 16, 16); /* not the newest: nothing, and no call */
    assert_int_equal(h.region.top, base + 65);
    al_deallocate(&h, c, 1, 64); /* the newest: the top rolls back */
    assert_int_equal(h.region.top, base + 64);
    al_deallocate(&h, NULL, 16, 16);
    al_deallocate(&h, al_dangling(16), 0, 16);
    al_deallocate(&h, (void *)h.region.top, 0, 16);
    assert_int_equal(h.region.top, base + 64);
    EXPECT_COUNTS(0, 0, 0, 0);
    /* Spent: the vtable serves, the region stays as it was. */
    void *big = al_allocate(&h, 512, 16);
    assert_non_null(big);
    EXPECT_COUNTS(1, 0, 0, 0);
    assert_int_equal(h.region.top, base + 64);
    void *rest = al_allocate(&h, 192, 16);
    assert_ptr_equal(rest, buf + 64);
    assert_int_equal(h.region.top, base + sizeof buf);
    /* A handle with a region promises that a free of any block but the
     * newest does nothing (as bump's); this test's backend is libc's, so
     * its block goes back to it directly. */
    count_deallocate(NULL, big, 512, 16);

    /* The backends that carry one: a bump and an arena from the registry
     * (without a checker watching: under ASan they mark every block, and
     * their handle has none), and a bump of al_bump_init always. */
    al_bump inplace;
    al_allocator *ib = al_bump_init(&inplace, buf, sizeof buf);
    assert_int_equal(ib->region.top, base);
    assert_int_equal(ib->region.end, base + sizeof buf);
    assert_ptr_equal(al_allocate(ib, 64, 16), buf);
    assert_int_equal(al_bump_used(ib), 64);
    static const char *const specs[] = {"bump", "arena"};
    for (size_t i = 0; i < 2; i++) {
        al_allocator *r = al_create(specs[i], NULL);
        assert_non_null(r);
        void *p = al_allocate(r, 32, 16);
        assert_non_null(p);
#if defined(__SANITIZE_ADDRESS__)
        assert_int_equal(r->region.end, 0);
#else
        assert_int_equal(r->region.top, (uintptr_t)p + 32);
        assert_true(r->region.end > r->region.top);
#endif
        al_deallocate(r, p, 32, 16);
        assert_ptr_equal(al_allocate(r, 32, 16), p); /* given back, by whichever path */
        al_destroy(r);
    }
}

/* ----------------------------------------------------------------------------
 * The production backends: the path is set (not under TSan, where the
 * adapters annotate every call), and blocks move between the two paths.
 * ------------------------------------------------------------------------- */
static void test_backends_mix_paths(void **state)
{
    (void)state;
    static const char *const specs[] = {"sys", "je", "mi", "tc"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        if (al_spec_unavailable(specs[i])) continue;
        al_allocator *a = al_create(specs[i], NULL);
        assert_non_null(a);
#if defined(__SANITIZE_THREAD__)
        if (strcmp(specs[i], "sys") != 0) assert_int_equal(a->plain_align, 0);
#else
        assert_true(a->plain_align >= 16);
        assert_non_null(a->plain_allocate);
        assert_non_null(a->plain_deallocate);
#endif
        /* Plain allocations grown and shrunk through the vtable, across
         * layouts that leave and re-enter the plain path, freed by
         * whichever path their last layout names. */
        for (size_t n = 16; n <= 4096; n += 16) {
            unsigned char *p = al_allocate(a, n, 16);
            assert_non_null(p);
            memset(p, 0xa5, n);
            unsigned char *q = al_grow(a, p, n, n + 8, 16); /* off the plain layout */
            assert_non_null(q);
            assert_int_equal(q[n - 1], 0xa5);
            unsigned char *r = al_grow(a, q, n + 8, 2 * n, 16); /* back on it */
            assert_non_null(r);
            assert_int_equal(r[0], 0xa5);
            assert_true((uintptr_t)r % 16 == 0);
            unsigned char *s = al_shrink(a, r, 2 * n, n, 16);
            assert_non_null(s);
            assert_int_equal(s[n - 1], 0xa5);
            al_deallocate(a, s, n, 16);
        }
        /* A stats wrapper has no plain path of its own, and counts every
         * call, while its inner backend keeps its own. */
        char spec[32];
        snprintf(spec, sizeof spec, "stats:%s", specs[i]);
        al_allocator *w = al_create(spec, NULL);
        assert_non_null(w);
        assert_int_equal(w->plain_align, 0);
        void *p = al_allocate(w, 64, 16);
        assert_non_null(p);
        al_deallocate(w, p, 64, 16);
        al_stats st;
        assert_true(al_stats_get(w, &st));
        assert_int_equal(st.allocs, 1);
        assert_int_equal(st.deallocs, 1);
        al_destroy(w);
        al_destroy(a);
    }
}

/* ----------------------------------------------------------------------------
 * The regions' bound: no bump buffer and no arena chunk ends in the last
 * AL_MAX_REQUIRED_ALIGN bytes of the address space, so the inline paths'
 * rounding cannot wrap. Nothing there is ever touched.
 * ------------------------------------------------------------------------- */
static void test_bump_refuses_the_top_page(void **state)
{
    (void)state;
    al_bump b;
    assert_null(al_bump_init(&b, (void *)(UINTPTR_MAX - 100), 50));
    assert_null(al_bump_init(&b, (void *)(AL_REGION_END_MAX - 64), 65));
    assert_non_null(al_bump_init(&b, (void *)(AL_REGION_END_MAX - 64), 64)); /* up to the bound */
    assert_ptr_equal(al_bump_alloc_inline(&b, 64, 1), (void *)(AL_REGION_END_MAX - 64));
    assert_null(al_bump_alloc_inline(&b, 1, 1));
    assert_null(al_bump_alloc_inline(&b, 1, AL_MAX_REQUIRED_ALIGN));
}

/* A backing that hands out addresses just below the top of the address
 * space (never dereferenced) and records what comes back. */
static unsigned high_frees;

static void *high_allocate(void *st, size_t size, size_t align)
{
    (void)st; (void)align;
    return (void *)((UINTPTR_MAX - size - 64) & ~(uintptr_t)15); /* ends past AL_REGION_END_MAX */
}

static void high_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)ptr; (void)size; (void)align;
    high_frees++;
}

static const al_vtable high_vt = {.allocate = high_allocate, .deallocate = high_deallocate};

static void test_arena_refuses_a_top_chunk(void **state)
{
    (void)state;
    al_allocator high = {.state = NULL, .vt = &high_vt, .caps = AL_CAP_FREES};
    al_options opts = {.backing = &high};
    al_allocator *a = al_create("arena", &opts);
    assert_non_null(a);
    high_frees = 0;
    assert_null(al_allocate(a, 16, 16));
    assert_int_equal(high_frees, 1); /* the chunk went straight back */
    assert_int_equal(al_arena_chunk_count(a), 0);
    al_arena *r = al_arena_of(a);
    assert_null(al_arena_alloc_inline(r, 16, 16));
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_end_routes),
        cmocka_unit_test(test_plain_key),
        cmocka_unit_test(test_front_end_region),
        cmocka_unit_test(test_backends_mix_paths),
        cmocka_unit_test(test_bump_refuses_the_top_page),
        cmocka_unit_test(test_arena_refuses_a_top_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
