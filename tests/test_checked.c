/* checked:X — each kind of finding, found through a handler that records
 * it; the exact line of a finding; the default (stderr + abort) in a child
 * process; no finding at all for correct use over several inners. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/backends.h>
#include <alloclab/registry.h>
#include <alloclab/wrappers.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

/* ----------------------------------------------------------------------------
 * The recording handler.
 * ------------------------------------------------------------------------- */
#define MAX_FINDINGS 16

typedef struct seen {
    al_checked_kind kind;
    char op[32];
    const void *ptr;
    size_t size, align, expected_size, expected_align, offset;
    char line[512];
} seen;

static seen found[MAX_FINDINGS];
static size_t n_found;

static void record(const al_checked_finding *f, void *ctx)
{
    (void)ctx;
    if (n_found == MAX_FINDINGS) return;
    seen *s = &found[n_found++];
    *s = (seen){.kind = f->kind, .ptr = f->ptr, .size = f->size, .align = f->align,
                .expected_size = f->expected_size, .expected_align = f->expected_align, .offset = f->offset};
    snprintf(s->op, sizeof s->op, "%s", f->op);
    snprintf(s->line, sizeof s->line, "%s", f->line);
}

static int setup(void **state)
{
    (void)state;
    n_found = 0;
    al_checked_set_handler(record, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    al_checked_set_handler(NULL, NULL);
    return 0;
}

static al_allocator *make(const char *spec)
{
    al_allocator *a = al_create(spec, NULL);
    if (!a) fail_msg("%s: %s", spec, al_last_error());
    return a;
}

/* Exactly one finding, of `kind`, by `op`. */
static const seen *one(al_checked_kind kind, const char *op)
{
    if (n_found != 1) fail_msg("%zu findings, expected one (first: %s)", n_found, n_found ? found[0].line : "-");
    if (found[0].kind != kind || strcmp(found[0].op, op) != 0)
        fail_msg("finding %s, expected kind %d by %s", found[0].line, kind, op);
    n_found = 0;
    return &found[0];
}

static void none(void)
{
    if (n_found) fail_msg("unexpected finding: %s", found[0].line);
}

/* ----------------------------------------------------------------------------
 * The sized contract's misuses.
 * ------------------------------------------------------------------------- */
static void test_double_free(void **state)
{
    (void)state;
    al_allocator *a = make("checked:pool");
    char *p = al_allocate(a, 32, 8);
    assert_non_null(p);
    al_deallocate(a, p, 32, 8);
    none();
    al_deallocate(a, p, 32, 8);
    const seen *f = one(AL_CHECKED_DOUBLE_FREE, "deallocate");
    assert_ptr_equal(f->ptr, p);
    assert_int_equal(f->expected_size, 32);
    char want[256];
    snprintf(want, sizeof want,
             "alloclab checked: double free: deallocate(%p, size=32, align=8): block %p of size 32 (align 8) was "
             "already freed", (void *)p, (void *)p);
    assert_string_equal(f->line, want);
    /* The pool was not told: its next two blocks are distinct. */
    void *x = al_allocate(a, 32, 8), *y = al_allocate(a, 32, 8);
    assert_ptr_not_equal(x, y);
    al_deallocate(a, x, 32, 8);
    al_deallocate(a, y, 32, 8);
    al_destroy(a);
    none();
}

static void test_wrong_size_and_alignment(void **state)
{
    (void)state;
    al_allocator *a = make("checked:je");
    char *p = al_allocate(a, 32, 8);
    assert_non_null(p);
    al_deallocate(a, p, 24, 8);
    const seen *f = one(AL_CHECKED_WRONG_SIZE, "deallocate");
    assert_int_equal(f->size, 24);
    assert_int_equal(f->expected_size, 32);
    char want[256];
    snprintf(want, sizeof want,
             "alloclab checked: wrong size: deallocate(%p, size=24, align=8): block %p has size 32, not 24 (align 8)",
             (void *)p, (void *)p);
    assert_string_equal(f->line, want);
    al_deallocate(a, p, 32, 16);
    f = one(AL_CHECKED_WRONG_ALIGN, "deallocate");
    assert_int_equal(f->align, 16);
    assert_int_equal(f->expected_align, 8);
    /* Grow and shrink with the wrong size: NULL, the block untouched. */
    memset(p, 0x11, 32);
    assert_null(al_grow(a, p, 30, 64, 8));
    f = one(AL_CHECKED_WRONG_SIZE, "grow");
    assert_int_equal(f->expected_size, 32);
    assert_null(al_shrink(a, p, 32, 8, 64));
    one(AL_CHECKED_WRONG_ALIGN, "shrink");
    for (int i = 0; i < 32; i++) assert_int_equal(p[i], 0x11);
    al_usable_size(a, p, 31, 8);
    one(AL_CHECKED_WRONG_SIZE, "usable_size");
    /* The right call still works. */
    p = al_grow(a, p, 32, 100, 8);
    assert_non_null(p);
    assert_int_equal(al_usable_size(a, p, 100, 8), 100);
    al_deallocate(a, p, 100, 8);
    al_destroy(a);
    none();
}

static void test_unknown_pointers_are_never_read(void **state)
{
    (void)state;
    al_allocator *a = make("checked:sys"), *other = make("sys");
    char local[64];
    void *foreign = al_allocate(other, 48, 8);
    al_deallocate(a, local + 8, 16, 8);
    const seen *f = one(AL_CHECKED_UNKNOWN_POINTER, "deallocate");
    assert_int_equal(f->expected_size, 0);
    al_deallocate(a, foreign, 48, 8);
    one(AL_CHECKED_UNKNOWN_POINTER, "deallocate");
    al_deallocate(a, (void *)(uintptr_t)0x40, 8, 8); /* unmapped: looked up, not touched */
    one(AL_CHECKED_UNKNOWN_POINTER, "deallocate");
    assert_null(al_grow(a, (void *)(uintptr_t)0x1000, 8, 16, 8));
    one(AL_CHECKED_UNKNOWN_POINTER, "grow");
    al_deallocate(other, foreign, 48, 8);
    al_destroy(other);
    al_destroy(a);
    none();
}

static void test_overflow_found_at_free_grow_and_destroy(void **state)
{
    (void)state;
    al_allocator *a = make("checked:sys");
    char *p = al_allocate(a, 40, 8);
    p[43] = 'x';
    al_deallocate(a, p, 40, 8);
    assert_int_equal(n_found, 1);
    assert_int_equal(found[0].kind, AL_CHECKED_OVERFLOW);
    assert_int_equal(found[0].offset, 43);
    assert_int_equal(found[0].expected_size, 40);
    n_found = 0;
    char *q = al_allocate(a, 100, 16);
    q[100] = 0;
    q = al_grow(a, q, 100, 200, 16); /* reported, then grown: the bytes are the caller's again */
    assert_int_equal(n_found, 1);
    assert_int_equal(found[0].kind, AL_CHECKED_OVERFLOW);
    n_found = 0;
    assert_non_null(q);
    al_deallocate(a, q, 200, 16);
    al_destroy(a);
    a = make("checked:pool"); /* the pool's destroy frees what leaks (LeakSanitizer sees no leak) */
    char *r = al_allocate(a, 8, 8);
    r[9] = 1;
    al_destroy(a); /* r: leaked, and overflowed */
    assert_int_equal(n_found, 2);
    assert_int_equal(found[0].kind, AL_CHECKED_OVERFLOW);
    assert_string_equal(found[0].op, "destroy");
    assert_int_equal(found[0].offset, 9);
    assert_int_equal(found[1].kind, AL_CHECKED_LEAK);
    n_found = 0;
}

static void test_use_after_free(void **state)
{
    (void)state;
    al_allocator *a = make("checked:pool");
    char *p = al_allocate(a, 64, 8);
    al_deallocate(a, p, 64, 8);
    p[5] = 'u'; /* written after its free */
    /* More frees push it out of the quarantine, where its poison is checked. */
    for (int i = 0; i < 1100; i++) al_deallocate(a, al_allocate(a, 16, 8), 16, 8);
    const seen *f = one(AL_CHECKED_USE_AFTER_FREE, "quarantine");
    assert_ptr_equal(f->ptr, p);
    assert_int_equal(f->offset, 5);
    assert_int_equal(f->expected_size, 64);
    /* Still in quarantine at destroy: checked there. */
    char *q = al_allocate(a, 200, 8);
    al_deallocate(a, q, 200, 8);
    q[199] = 0;
    al_destroy(a);
    f = one(AL_CHECKED_USE_AFTER_FREE, "destroy");
    assert_int_equal(f->offset, 199);
}

static void test_leaks_at_destroy_with_sizes(void **state)
{
    (void)state;
    al_allocator *a = make("checked:tc");
    void *p = al_allocate(a, 24, 8), *q = al_allocate(a, 1000, 64);
    al_deallocate(a, al_allocate(a, 5, 1), 5, 1);
    (void)p;
    (void)q;
    al_destroy(a);
    assert_int_equal(n_found, 2);
    size_t total = 0;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(found[i].kind, AL_CHECKED_LEAK);
        assert_non_null(strstr(found[i].line, "is still live"));
        total += found[i].size;
    }
    assert_int_equal(total, 1024);
    n_found = 0;
    /* An arena frees by destroy: live blocks there are not leaks. */
    a = make("checked:arena");
    assert_non_null(al_allocate(a, 100, 8));
    al_destroy(a);
    none();
}

static void test_stale_marks(void **state)
{
    (void)state;
    al_allocator *a = make("checked:bump");
    al_mark m1, m2;
    assert_true(al_mark_get(a, &m1));
    void *p = al_allocate(a, 100, 8);
    assert_true(al_mark_get(a, &m2));
    assert_non_null(al_allocate(a, 50, 8));
    al_rewind(a, &m1);
    none();
    al_rewind(a, &m2); /* newer than the mark just rewound to */
    one(AL_CHECKED_STALE_MARK, "rewind");
    al_rewind(a, &m1); /* m1 itself may be used again */
    none();
    /* A block the rewind freed is unknown afterwards. */
    al_deallocate(a, p, 100, 8);
    one(AL_CHECKED_UNKNOWN_POINTER, "deallocate");
    assert_true(al_mark_get(a, &m1));
    al_reset(a);
    al_rewind(a, &m1);
    one(AL_CHECKED_STALE_MARK, "rewind");
    al_destroy(a);
}

/* An inner that hands out one buffer over and over. */
static unsigned char dup_buf[4096] __attribute__((aligned(4096)));
static void *dup_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return size <= sizeof dup_buf && align <= 4096 ? dup_buf : NULL;
}
static void dup_deallocate(void *st, void *p, size_t size, size_t align) { (void)st; (void)p; (void)size; (void)align; }
static const al_vtable dup_vt = {.allocate = dup_allocate, .deallocate = dup_deallocate, .destroy = free};
static al_allocator *dup_create(const al_options *o)
{
    (void)o;
    al_allocator *a = malloc(sizeof *a);
    if (a) *a = (al_allocator){.state = a, .vt = &dup_vt, .caps = AL_CAP_FREES};
    return a;
}
static const al_backend_desc dup_desc = {.name = "dup-inner", .description = "hands out one block twice",
                                         .caps = AL_CAP_FREES, .create = dup_create};

static void test_inner_handing_out_a_live_block(void **state)
{
    (void)state;
    if (!al_backend_find("dup-inner")) assert_int_equal(al_register_backend(&dup_desc), 0);
    al_allocator *a = make("checked:dup-inner");
    void *p = al_allocate(a, 10, 8);
    none();
    void *q = al_allocate(a, 20, 8);
    assert_ptr_equal(p, q);
    const seen *f = one(AL_CHECKED_INNER_FAULT, "allocate");
    assert_int_equal(f->expected_size, 10);
    al_deallocate(a, q, 20, 8);
    al_destroy(a);
    none();
}

/* ----------------------------------------------------------------------------
 * Correct use: no finding, over inners of every kind, with marks, resets,
 * grows that move and grows in place.
 * ------------------------------------------------------------------------- */
static void test_correct_use_finds_nothing(void **state)
{
    (void)state;
    static const char *const specs[] = {"checked:sys", "checked:pool", "checked:arena", "checked:bump",
                                        "checked:sbrk", "stats:checked:locked:pool", "checked:mi"};
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        if (al_spec_unavailable(specs[s])) continue;
        al_allocator *a = make(specs[s]);
        void *blocks[64];
        for (size_t i = 0; i < 64; i++) {
            blocks[i] = al_allocate(a, 8 + i * 13, (size_t)1 << (i % 7));
            assert_non_null(blocks[i]);
            memset(blocks[i], (int)i, 8 + i * 13);
        }
        for (size_t i = 0; i < 64; i += 2) {
            size_t size = 8 + i * 13, align = (size_t)1 << (i % 7);
            blocks[i] = al_grow(a, blocks[i], size, size * 3, align);
            assert_non_null(blocks[i]);
            blocks[i] = al_shrink(a, blocks[i], size * 3, size, align);
            assert_non_null(blocks[i]);
        }
        al_mark m;
        if (al_mark_get(a, &m)) {
            void *t = al_allocate(a, 300, 8);
            t = al_grow(a, t, 300, 600, 8);
            al_rewind(a, &m);
        }
        for (size_t i = 64; i-- > 0;) al_deallocate(a, blocks[i], 8 + i * 13, (size_t)1 << (i % 7));
        al_reset(a);
        void *z = al_allocate_zeroed(a, 10, 8);
        assert_non_null(z);
        al_deallocate(a, z, 10, 8);
        al_destroy(a);
        if (n_found) fail_msg("%s: %s", specs[s], found[0].line);
    }
}

/* ----------------------------------------------------------------------------
 * The default: one line on stderr, then abort (a child process).
 * ------------------------------------------------------------------------- */
static void double_free_by_default(void *ctx)
{
    (void)ctx;
    al_checked_set_handler(NULL, NULL);
    al_allocator *a = al_create("checked:sys", NULL);
    void *p = al_allocate(a, 32, 8);
    al_deallocate(a, p, 32, 8);
    al_deallocate(a, p, 32, 8); /* aborts here */
}

static void test_default_prints_one_line_and_aborts(void **state)
{
    (void)state;
    char out[1024];
    int st = child_stderr(double_free_by_default, NULL, out, sizeof out);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    assert_non_null(strstr(out, "alloclab checked: double free: deallocate(0x"));
    assert_non_null(strstr(out, "size=32, align=8): block 0x"));
    assert_non_null(strstr(out, "of size 32 (align 8) was already freed\n"));
}

/* Leaks at destroy by default: one line per block, then the count, each a
 * whole line of its own, then abort. */
static void leaks_by_default(void *ctx)
{
    (void)ctx;
    al_checked_set_handler(NULL, NULL);
    al_allocator *a = al_create("checked:sys", NULL);
    assert_non_null(al_allocate(a, 32, 8));
    assert_non_null(al_allocate(a, 64, 16));
    al_destroy(a); /* aborts here */
}

static void test_default_leaks_at_destroy(void **state)
{
    (void)state;
    char out[2048];
    int st = child_stderr(leaks_by_default, NULL, out, sizeof out);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    size_t lines = 0;
    for (const char *c = out; *c; c++) lines += *c == '\n';
    if (lines != 3) fail_msg("expected 3 lines, got: %s", out);
    for (const char *line = out; *line; line = strchr(line, '\n') + 1)
        assert_memory_equal(line, "alloclab checked: ", strlen("alloclab checked: "));
    assert_non_null(strstr(out, "of size 32 (align 8) is still live\n"));
    assert_non_null(strstr(out, "of size 64 (align 16) is still live\n"));
    assert_non_null(strstr(out, "alloclab checked: 2 blocks (96 bytes) leaked at destroy\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_size_and_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_pointers_are_never_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow_found_at_free_grow_and_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_after_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leaks_at_destroy_with_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inner_handing_out_a_live_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correct_use_finds_nothing, setup, teardown),
        cmocka_unit_test(test_default_prints_one_line_and_aborts),
        cmocka_unit_test(test_default_leaks_at_destroy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
