/* Backends made through their descriptors directly (al_backend_at(i)->create)
 * rather than al_create: nothing may rely on al_create having checked
 * unavailable() first. This program never calls al_create, so mi and tc must
 * load their libraries from create itself. Also the shared sys handle that
 * arena and pool fall back on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <string.h>

#include "internal.h"

/* A few blocks of each kind through a fresh instance, then destroy. */
static void exercise(al_allocator *a, const char *name)
{
    unsigned char *p = al_allocate(a, 100, 8);
    assert_non_null(p);
    memset(p, 0x3c, 100);
    unsigned char *z = al_allocate_zeroed(a, 64, 16);
    assert_non_null(z);
    for (int i = 0; i < 64; i++) assert_int_equal(z[i], 0);
    if (!al_has(a, AL_CAP_FIXED_CAPACITY) || strcmp(name, "sbrk") == 0) {
        unsigned char *q = al_grow(a, p, 100, 3000, 8);
        assert_non_null(q);
        assert_int_equal(q[99], 0x3c);
        p = q;
        al_deallocate(a, p, 3000, 8);
    } else {
        al_deallocate(a, p, 100, 8);
    }
    al_deallocate(a, z, 64, 16);
    al_destroy(a);
}

static void test_every_backend_created_directly(void **state)
{
    (void)state;
    static const al_options none;
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *d = al_backend_at(i);
        al_allocator *a = d->create(&none);
        if (!a) {
            /* Only a backend that is really unavailable may refuse, with a reason. */
            assert_non_null(d->unavailable);
            assert_non_null(d->unavailable());
            assert_non_null(strstr(al_last_error(), "unavailable"));
            print_message("%s: %s\n", d->name, al_last_error());
            continue;
        }
        assert_int_equal(a->caps, d->caps);
        exercise(a, d->name);
    }
}

static void test_shared_sys_handle(void **state)
{
    (void)state;
    al_allocator *s = al_sys_shared();
    assert_non_null(s);
    assert_ptr_equal(al_sys_shared(), s);
    assert_true(al_has(s, AL_CAP_THREAD_SAFE | AL_CAP_FREES));
    exercise(s, "sys"); /* ends with al_destroy, which must leave it usable */
    void *p = al_allocate(s, 8192, 4096);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 4096, 0);
    al_deallocate(s, p, 8192, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_backend_created_directly),
        cmocka_unit_test(test_shared_sys_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
