/* bump: rollback of the newest block, in-place resizing, exhaustion, the
 * heap-free in-place API, marks, reset and the registry options. */
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

static bool inside(const void *p, size_t n, const void *buf, size_t size)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)buf;
    return a >= b && n <= size && a - b <= size - n;
}

static void fill(void *p, size_t n, unsigned char v) { memset(p, v, n); }

static void test_in_place_over_stack_buffer(void **state)
{
    (void)state;
    _Alignas(64) unsigned char buf[1024];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    assert_non_null(a);
    assert_true(al_has(a, AL_CAP_RESET | AL_CAP_FIXED_CAPACITY | AL_CAP_MARKS));
    assert_false(al_has(a, AL_CAP_FREES));
    void *p = al_allocate(a, 100, 8), *q = al_allocate(a, 200, 64);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(inside(p, 100, buf, sizeof buf));
    assert_true(inside(q, 200, buf, sizeof buf));
    assert_int_equal((uintptr_t)q % 64, 0);
    assert_true(al_bump_used(a) >= 300);
    assert_int_equal(al_bump_used(a) + al_bump_remaining(a), sizeof buf);
    al_destroy(a); /* releases nothing: the buffer is on the stack */
    assert_null(al_bump_init(NULL, buf, 8));
    assert_null(al_bump_init(&b, NULL, 8));
    assert_non_null(al_bump_init(&b, NULL, 0)); /* an empty bump: every request NULL */
    assert_null(al_allocate(&b.handle, 1, 1));
}

static void test_static_buffer(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    static al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    for (int i = 0; i < 32; i++) {
        void *p = al_allocate(a, 100, 16);
        assert_non_null(p);
        assert_true(inside(p, 100, buf, sizeof buf));
    }
    assert_null(al_allocate(a, 1000, 16));
}

static void test_rollback_newest_only(void **state)
{
    (void)state;
    unsigned char buf[512];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    char *x = al_allocate(a, 40, 8), *y = al_allocate(a, 24, 8);
    size_t used = al_bump_used(a);
    al_deallocate(a, x, 40, 8); /* not the newest: a no-op */
    assert_int_equal(al_bump_used(a), used);
    al_deallocate(a, y, 24, 8); /* the newest: the top comes back to it */
    assert_int_equal(al_bump_used(a), (size_t)(y - (char *)buf));
    assert_ptr_equal(al_allocate(a, 24, 8), y);
    al_deallocate(a, y, 24, 8);
    al_deallocate(a, x, 40, 8); /* x is the newest now */
    assert_int_equal(al_bump_used(a), (size_t)(x - (char *)buf));
}

static void test_grow_and_shrink_in_place(void **state)
{
    (void)state;
    unsigned char buf[512];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    char *p = al_allocate(a, 64, 8);
    fill(p, 64, 0x5a);
    assert_ptr_equal(al_grow(a, p, 64, 128, 8), p);
    assert_true(all_bytes_are(p, 64, 0x5a));
    assert_int_equal(al_bump_used(a), (size_t)(p + 128 - (char *)buf));
    assert_ptr_equal(al_shrink(a, p, 128, 16, 8), p);
    assert_int_equal(al_bump_used(a), (size_t)(p + 16 - (char *)buf));
    /* A block that is no longer the newest moves, keeping its bytes. */
    char *q = al_allocate(a, 8, 8);
    assert_non_null(q);
    char *p2 = al_grow(a, p, 16, 32, 8);
    assert_non_null(p2);
    assert_ptr_not_equal(p2, p);
    assert_true(all_bytes_are(p2, 16, 0x5a));
}

static void test_exhaustion_is_null_and_harmless(void **state)
{
    (void)state;
    _Alignas(16) unsigned char buf[256];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    char *p = al_allocate(a, 200, 16);
    assert_non_null(p);
    size_t used = al_bump_used(a);
    assert_null(al_allocate(a, 100, 1));
    assert_null(al_allocate(a, AL_MAX_SIZE, 1));
    assert_null(al_allocate(a, 1, (size_t)1 << 62)); /* padding alone exceeds the room */
    assert_null(al_allocate(a, SIZE_MAX, 1));        /* refused by the front end */
    /* The newest block cannot grow past the end; it stays as it was. */
    fill(p, 200, 0x11);
    assert_null(al_grow(a, p, 200, 300, 16));
    assert_true(all_bytes_are(p, 200, 0x11));
    assert_int_equal(al_bump_used(a), used);
    /* Exactly the rest still fits. */
    size_t rest = al_bump_remaining(a);
    assert_non_null(al_allocate(a, rest, 1));
    assert_int_equal(al_bump_remaining(a), 0);
    assert_null(al_allocate(a, 1, 1));
}

static void test_alignments(void **state)
{
    (void)state;
    al_options o = {.capacity = (size_t)4 << 20};
    al_allocator *a = al_create("bump", &o);
    assert_non_null(a);
    for (size_t align = 1; align <= ((size_t)1 << 20); align <<= 1) {
        char *p = al_allocate(a, 3, align);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % align, 0);
        p[0] = p[2] = 1;
    }
    al_destroy(a);
}

static void test_marks_and_rewind(void **state)
{
    (void)state;
    unsigned char buf[1024];
    al_bump b, other;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    unsigned char obuf[64];
    al_allocator *o = al_bump_init(&other, obuf, sizeof obuf);
    char *keep = al_allocate(a, 100, 8);
    fill(keep, 100, 0x77);
    al_mark m, om;
    assert_true(al_mark_get(a, &m));
    assert_true(al_mark_get(o, &om));
    size_t used = al_bump_used(a);
    char *gone = al_allocate(a, 300, 8);
    fill(gone, 300, 0x99);
    assert_true(al_rewind(a, &om)); /* another instance's mark: refused */
    assert_int_equal(al_bump_used(a), (size_t)(gone + 300 - (char *)buf));
    assert_true(al_rewind(a, &m));
    assert_int_equal(al_bump_used(a), used);
    assert_true(all_bytes_are(keep, 100, 0x77));
    assert_ptr_equal(al_allocate(a, 300, 8), gone);
    /* A mark above the top (taken before a reset) is refused. */
    al_mark late;
    assert_true(al_mark_get(a, &late));
    al_reset(a);
    assert_true(al_rewind(a, &late));
    assert_int_equal(al_bump_used(a), 0);
}

static void test_reset(void **state)
{
    (void)state;
    unsigned char buf[256];
    al_bump b;
    al_allocator *a = al_bump_init(&b, buf, sizeof buf);
    void *first = al_allocate(a, 10, 1);
    assert_ptr_equal(first, buf);
    al_allocate(a, 200, 1);
    assert_true(al_reset(a));
    assert_int_equal(al_bump_used(a), 0);
    assert_int_equal(al_bump_remaining(a), sizeof buf);
    assert_ptr_equal(al_allocate(a, 250, 1), first);
}

static void test_registry_options(void **state)
{
    (void)state;
    al_allocator *a = al_create("bump", NULL);
    assert_non_null(a);
    assert_int_equal(al_bump_remaining(a), (size_t)1 << 20);
    al_destroy(a);

    al_options small = {.capacity = 100};
    a = al_create("bump", &small);
    assert_int_equal(al_bump_remaining(a), 100);
    assert_null(al_allocate(a, 101, 1));
    al_destroy(a);

    unsigned char buf[128];
    al_options caller = {.buffer = buf, .buffer_size = sizeof buf};
    a = al_create("bump", &caller);
    assert_non_null(a);
    assert_int_equal(al_bump_remaining(a), sizeof buf);
    assert_true(inside(al_allocate(a, 64, 8), 64, buf, sizeof buf));
    al_destroy(a); /* frees the instance, never the caller's buffer */
}

/* Contradictory options are refused with a message naming the fields, by
 * al_create for any spec and by bump's create called directly. */
static void test_contradictory_options_are_refused(void **state)
{
    (void)state;
    unsigned char buf[128];
    const struct { al_options o; const char *says; } cases[] = {
        {{.buffer = buf}, "buffer given without buffer_size"},
        {{.buffer_size = sizeof buf}, "buffer_size given without buffer"},
        {{.buffer = buf, .buffer_size = sizeof buf, .capacity = 1 << 20}, "buffer and capacity are exclusive"},
    };
    const char *specs[] = {"bump", "stats:bump", "arena", "pool", "sys", "verbose:sys"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
            al_set_error("none");
            assert_null(al_create(specs[k], &cases[i].o));
            assert_non_null(strstr(al_last_error(), cases[i].says));
        }
        al_set_error("none");
        assert_null(al_backend_find("bump")->create(&cases[i].o));
        assert_non_null(strstr(al_last_error(), cases[i].says));
    }
}

static void test_huge_capacity_is_refused(void **state)
{
    (void)state;
    al_options huge = {.capacity = SIZE_MAX};
    assert_null(al_create("bump", &huge));
    assert_non_null(strstr(al_last_error(), "bump"));
}

static void test_counters_of_another_allocator(void **state)
{
    (void)state;
    al_allocator *s = al_create("sys", NULL);
    assert_int_equal(al_bump_used(s), 0);
    assert_int_equal(al_bump_remaining(s), 0);
    assert_int_equal(al_bump_used(NULL), 0);
    al_destroy(s);
}

/* A vec from before a mark that grows in place inside the scope keeps every
 * element through the rewind (it once lost 60 of its 64). */
static void test_vec_grown_in_place_survives_rewind(void **state)
{
    (void)state;
    al_allocator *a = al_create("bump", NULL);
    assert_non_null(a);
    conf_err e = {{0}};
    if (!conf_vec_survives_rewind(a, &e)) fail_msg("%s", e.msg);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_grown_in_place_survives_rewind),
        cmocka_unit_test(test_in_place_over_stack_buffer),
        cmocka_unit_test(test_static_buffer),
        cmocka_unit_test(test_rollback_newest_only),
        cmocka_unit_test(test_grow_and_shrink_in_place),
        cmocka_unit_test(test_exhaustion_is_null_and_harmless),
        cmocka_unit_test(test_alignments),
        cmocka_unit_test(test_marks_and_rewind),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_registry_options),
        cmocka_unit_test(test_contradictory_options_are_refused),
        cmocka_unit_test(test_huge_capacity_is_refused),
        cmocka_unit_test(test_counters_of_another_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
