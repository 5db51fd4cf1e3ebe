/* A cheap randomized pass over the front end on every registry spec: random
 * sizes and alignments (edge values near AL_MAX_SIZE and SIZE_MAX among
 * them) through al_allocate, al_grow, al_shrink, al_allocate_zeroed and
 * AL_NEW, checking what the contract promises after every call: alignment,
 * usable_size >= size, contents kept across resizes, a failed grow leaving
 * the old block intact, oversize requests NULL. Meant to run under ASan and
 * UBSan (make check-sanitize), where a stray byte fails it too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under ASan an impossible malloc must answer NULL, as libc's does. */
__attribute__((used, visibility("default"))) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

#define SLOTS 24
#define STEPS 1500

typedef struct slot {
    unsigned char *p;
    size_t size, align;
    unsigned char tag;
} slot;

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mostly small, sometimes a page or more, rarely an edge value. */
static size_t rnd_size(void)
{
    switch (rnd() % 16) {
    case 0: return (size_t)(rnd() % 70000);
    case 1: return 1024 + (size_t)(rnd() % 3) - 1;
    default: return (size_t)(rnd() % 300);
    }
}

static size_t rnd_align(void) { return (size_t)1 << (rnd() % 13); } /* 1 .. 4096 */

static void fill(slot *s)
{
    for (size_t i = 0; i < s->size; i++) s->p[i] = (unsigned char)(s->tag + i);
}

static void check(const al_allocator *a, const slot *s, size_t upto, const char *spec)
{
    if (!s->p || s->size == 0) return;
    if ((uintptr_t)s->p % s->align != 0) fail_msg("%s: %p not aligned to %zu", spec, (void *)s->p, s->align);
    size_t us = al_usable_size((al_allocator *)a, s->p, s->size, s->align);
    if (us < s->size) fail_msg("%s: usable %zu < size %zu (align %zu)", spec, us, s->size, s->align);
    for (size_t i = 0; i < upto && i < s->size; i++)
        if (s->p[i] != (unsigned char)(s->tag + i))
            fail_msg("%s: byte %zu of a %zu-byte block (align %zu) changed", spec, i, s->size, s->align);
}

/* Requests no allocator may satisfy: NULL, and nothing else happens. */
static void edge_values(al_allocator *a, const char *spec)
{
    static const size_t sizes[] = {AL_MAX_SIZE + 1, SIZE_MAX, SIZE_MAX - 7, (size_t)PTRDIFF_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_null(al_allocate(a, sizes[i], 8));
        assert_null(al_allocate_zeroed(a, sizes[i], 16));
        assert_null(al_allocate_array(a, sizes[i], 2, 8));
        assert_null(AL_NEW(a, uint64_t, sizes[i]));
        assert_null(AL_NEW(a, char, sizes[i]));
    }
    assert_null(al_allocate(a, 8, 0));
    assert_null(al_allocate(a, 8, 3));
    assert_null(al_allocate(a, 8, SIZE_MAX));
    /* Huge but legal sizes and alignments: NULL or a real aligned block. */
    static const size_t big[] = {AL_MAX_SIZE, AL_MAX_SIZE - 1, AL_MAX_SIZE - 4095, (size_t)1 << 40};
    static const size_t aligns[] = {1, 16, 4096, (size_t)1 << 20, (size_t)1 << 40,
#ifndef __SANITIZE_ADDRESS__ /* ASan's own posix_memalign trips over these */
                                    (size_t)1 << 62, (size_t)1 << 63,
#endif
    };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        for (size_t j = 0; j < sizeof aligns / sizeof aligns[0]; j++) {
            void *p = al_allocate(a, big[i], aligns[j]);
            if (p) {
                assert_int_equal((uintptr_t)p % aligns[j], 0);
                al_deallocate(a, p, big[i], aligns[j]);
            }
            p = al_allocate(a, 24, aligns[j]);
            if (p) {
                if ((uintptr_t)p % aligns[j] != 0) fail_msg("%s: 24 bytes at align %zu misaligned", spec, aligns[j]);
                memset(p, 0x5a, 24);
                /* A grow to an impossible size fails and keeps the block. */
                void *q = al_grow(a, p, 24, big[i], aligns[j]);
                if (q == NULL) {
                    for (int k = 0; k < 24; k++) assert_int_equal(((unsigned char *)p)[k], 0x5a);
                    q = p;
                } else {
                    for (int k = 0; k < 24; k++) assert_int_equal(((unsigned char *)q)[k], 0x5a);
                    q = al_shrink(a, q, big[i], 24, aligns[j]);
                    assert_non_null(q);
                }
                assert_null(al_grow(a, q, 24, SIZE_MAX, aligns[j]));
                assert_null(al_grow(a, q, 24, AL_MAX_SIZE + 1, aligns[j]));
                assert_null(al_grow(a, q, 24, 23, aligns[j]));
                assert_null(al_shrink(a, q, 24, 25, aligns[j]));
                for (int k = 0; k < 24; k++) assert_int_equal(((unsigned char *)q)[k], 0x5a);
                al_deallocate(a, q, 24, aligns[j]);
            }
        }
    }
}

static void run_spec(const char *spec)
{
    al_allocator *a = al_create(spec, NULL);
    if (!a) {
        print_message("skip %s: %s\n", spec, al_last_error());
        return;
    }
    edge_values(a, spec);
    slot s[SLOTS] = {0};
    for (int step = 0; step < STEPS; step++) {
        slot *x = &s[rnd() % SLOTS];
        check(a, x, x->size, spec);
        unsigned op = (unsigned)(rnd() % 6);
        if (!x->p) {
            x->size = rnd_size();
            x->align = rnd_align();
            x->tag = (unsigned char)rnd();
            if (op == 0) {
                x->p = al_allocate_zeroed(a, x->size, x->align);
                if (x->p && x->size)
                    for (size_t i = 0; i < x->size; i++)
                        if (x->p[i]) fail_msg("%s: zeroed block has a non-zero byte", spec);
            } else {
                x->p = al_allocate(a, x->size, x->align);
            }
            if (x->p) fill(x);
            continue;
        }
        if (op <= 1) {
            al_deallocate(a, x->p, x->size, x->align);
            x->p = NULL;
        } else if (op <= 3) {
            size_t n = x->size + rnd_size();
            unsigned char *q = al_grow(a, x->p, x->size, n, x->align);
            if (q) {
                size_t keep = x->size;
                x->p = q;
                x->size = n;
                check(a, x, keep, spec);
                fill(x);
            } else {
                check(a, x, x->size, spec);
            }
        } else {
            size_t n = x->size ? (size_t)(rnd() % (x->size + 1)) : 0;
            unsigned char *q = al_shrink(a, x->p, x->size, n, x->align);
            if (q) {
                x->p = n ? q : NULL;
                x->size = n;
                if (n) check(a, x, n, spec);
            } else {
                check(a, x, x->size, spec);
            }
        }
    }
    for (int i = 0; i < SLOTS; i++)
        if (s[i].p) al_deallocate(a, s[i].p, s[i].size, s[i].align);
    al_destroy(a);
}

static void test_fuzz_every_spec(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    static const char *const prefixes[] = {"", "stats:", "locked:", "stats:locked:"};
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        for (size_t i = 0; i < al_backend_count(); i++) {
            char spec[96];
            snprintf(spec, sizeof spec, "%s%s", prefixes[p], al_backend_at(i)->name);
            run_spec(spec);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_every_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
