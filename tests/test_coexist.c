/* The production allocators live side by side in one process, and none of
 * them replaces the process's malloc: sys must still be glibc's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* Under a sanitizer, malloc is the sanitizer's interceptor (over glibc), and
 * glibc's mallinfo2 no longer sees the blocks. */
#define SANITIZED 1
#define EXPECTED_MALLOC_ORIGIN "san.so"
#else
#define SANITIZED 0
#define EXPECTED_MALLOC_ORIGIN "libc.so"
#endif

/* Where the process's malloc symbol comes from. */
static const char *malloc_origin(void)
{
    Dl_info info;
    void *(*volatile m)(size_t) = malloc;
    if (!dladdr((void *)m, &info) || !info.dli_fname) return "?";
    return info.dli_fname;
}

static void test_malloc_is_glibc_after_loading_all(void **state)
{
    (void)state;
    const char *names[] = {"je", "mi", "tc"};
    al_allocator *prod[3];
    void *blocks[3];
    for (int i = 0; i < 3; i++) {
        const char *why = al_spec_unavailable(names[i]);
        if (why) {
            print_message("skipping %s: %s\n", names[i], why);
            prod[i] = NULL;
            blocks[i] = NULL;
            continue;
        }
        prod[i] = al_create(names[i], NULL);
        assert_non_null(prod[i]);
        blocks[i] = al_allocate(prod[i], 100, 8);
        assert_non_null(blocks[i]);
        memset(blocks[i], 0xab, 100);
    }
    /* malloc still resolves to the C library, not to any of them. */
    const char *origin = malloc_origin();
    if (strstr(origin, EXPECTED_MALLOC_ORIGIN) == NULL) fail_msg("malloc comes from %s", origin);

    /* glibc's own accounting sees sys's blocks: a large-ish block moves
     * mallinfo2's in-use figure by at least its size. */
    al_allocator *sys = al_create("sys", NULL);
    assert_non_null(sys);
    struct mallinfo2 before = mallinfo2();
    void *p = al_allocate(sys, 100000, 16);
    assert_non_null(p);
    memset(p, 1, 100000);
    struct mallinfo2 after = mallinfo2();
    if (!SANITIZED) assert_true(after.uordblks + after.hblkhd >= before.uordblks + before.hblkhd + 100000);
    al_deallocate(sys, p, 100000, 16);

    /* And the production allocators' blocks are not glibc's: freeing them
     * did not go through glibc (their memory is intact until their free). */
    for (int i = 0; i < 3; i++) {
        if (!prod[i]) continue;
        for (int k = 0; k < 100; k++) assert_int_equal(((unsigned char *)blocks[i])[k], 0xab);
        al_deallocate(prod[i], blocks[i], 100, 8);
        al_destroy(prod[i]);
    }
    al_destroy(sys);
}

static void test_production_blocks_are_not_glibc_blocks(void **state)
{
    (void)state;
    /* glibc's mallinfo2 must not move when another allocator hands out a
     * big block: that memory comes from the other allocator's own pages. */
    const char *names[] = {"je", "mi", "tc"};
    for (int i = 0; i < 3; i++) {
        if (al_spec_unavailable(names[i])) continue;
        al_allocator *a = al_create(names[i], NULL);
        assert_non_null(a);
        struct mallinfo2 before = mallinfo2();
        void *blocks[64];
        for (int k = 0; k < 64; k++) {
            blocks[k] = al_allocate(a, 4096, 16);
            assert_non_null(blocks[k]);
            memset(blocks[k], k, 4096);
        }
        struct mallinfo2 after = mallinfo2();
        /* 256 KiB handed out; glibc's in-use bytes moved by far less. */
        long delta = (long)(after.uordblks + after.hblkhd) - (long)(before.uordblks + before.hblkhd);
        assert_true(delta < 64 * 1024);
        for (int k = 0; k < 64; k++) al_deallocate(a, blocks[k], 4096, 16);
        al_destroy(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malloc_is_glibc_after_loading_all),
        cmocka_unit_test(test_production_blocks_are_not_glibc_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
