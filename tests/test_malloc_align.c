/* The one rule for what a plain malloc(size) is aligned to
 * (al_malloc_aligns, src/core/internal.h), held against every library it
 * speaks for: glibc's malloc, lab_malloc, and the plain malloc of the
 * production backends that decide by it (their handles' plain_allocate:
 * jemalloc and tcmalloc, when built in and not under TSan; mimalloc, whose
 * 24-byte class is 8-aligned, decides by al_natural_align instead); and
 * those backends serve every alignment through the interface. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>

enum { MAX_SIZE = 96, ROUNDS = 8 };

static void check_malloc(const char *name, void *(*alloc)(size_t), void (*release)(void *))
{
    void *keep[ROUNDS];
    for (size_t size = 1; size <= MAX_SIZE; size++) {
        for (int k = 0; k < ROUNDS; k++) { /* several blocks: not one lucky address */
            keep[k] = alloc(size);
            assert_non_null(keep[k]);
            for (size_t align = 1; align <= 4096; align *= 2)
                if (al_malloc_aligns(size, align) && ((uintptr_t)keep[k] & (align - 1)))
                    fail_msg("%s: malloc(%zu) = %p, not %zu-aligned as al_malloc_aligns says", name, size, keep[k],
                             align);
        }
        for (int k = 0; k < ROUNDS; k++) release(keep[k]);
    }
}

static void test_rule_holds_for_each_malloc(void **state)
{
    (void)state;
    /* The rule's own shape: 8 always, 16 from 16 bytes, never more. */
    assert_true(al_malloc_aligns(1, 8));
    assert_false(al_malloc_aligns(15, 16));
    assert_true(al_malloc_aligns(16, 16));
    assert_false(al_malloc_aligns(4096, 32));
    check_malloc("glibc", malloc, free);
    check_malloc("lab", lab_malloc, lab_free);
    const char *specs[] = {"je", "tc"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        al_allocator *a = al_create(specs[i], NULL);
        if (!a) continue; /* not built in */
        if (a->plain_align && a->plain_allocate) check_malloc(specs[i], a->plain_allocate, a->plain_deallocate);
        al_destroy(a);
    }
}

/* Through the interface every (size, align) is served aligned, whether the
 * backend took its plain malloc (the rule) or its aligned call. */
static void test_backends_align_every_request(void **state)
{
    (void)state;
    const char *specs[] = {"sys", "je", "tc", "lab"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        al_allocator *a = al_create(specs[i], NULL);
        if (!a) continue;
        for (size_t size = 1; size <= MAX_SIZE; size++)
            for (size_t align = 1; align <= 64; align *= 2) {
                void *p = al_allocate(a, size, align);
                assert_non_null(p);
                if ((uintptr_t)p & (align - 1)) fail_msg("%s: allocate(%zu, %zu) = %p", specs[i], size, align, p);
                al_deallocate(a, p, size, align);
            }
        al_destroy(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_holds_for_each_malloc),
        cmocka_unit_test(test_backends_align_every_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
