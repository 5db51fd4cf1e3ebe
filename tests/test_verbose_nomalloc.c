/* verbose: logs without allocating. This program puts its own malloc,
 * calloc and realloc in front of the C library's (forwarding to it), so any
 * allocation made while logging, inside libc included, is counted. Under a
 * sanitizer, whose malloc must stay in front, the tests are skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiny_alloc.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static volatile int counting;
static volatile unsigned long n_mallocs;

#if !SANITIZED
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

void *malloc(size_t n)
{
    if (counting) n_mallocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (counting) n_mallocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (counting) n_mallocs++;
    return __libc_realloc(p, n);
}
#endif

/* The counter sees allocations made inside the C library: otherwise the
 * test below could not fail. */
static void test_counter_sees_libc_allocations(void **state)
{
    (void)state;
    if (SANITIZED) skip();
    counting = 1;
    char *volatile d = strdup("alloclab");
    FILE *f = fopen("/dev/null", "w");
    counting = 0;
    free(d);
    assert_non_null(f);
    fclose(f);
    assert_true(n_mallocs >= 2);
}

/* Every kind of logged call, many times, to a FILE and to a descriptor. */
static void run_logged_calls(al_allocator *v, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        al_mark m;
        void *p = al_allocate(v, 24, 8);
        p = al_grow(v, p, 24, 48, 8);
        p = al_shrink(v, p, 48, 16, 8);
        (void)al_usable_size(v, p, 16, 8);
        al_deallocate(v, p, 16, 8);
        (void)al_mark_get(v, &m);
        p = al_allocate_zeroed(v, 1u << 20, 16); /* fails: NULL is logged too */
        (void)al_rewind(v, &m);
        (void)al_reset(v);
    }
}

static void test_logging_makes_no_allocation(void **state)
{
    (void)state;
    if (SANITIZED) skip();
    FILE *log = tmpfile();
    assert_non_null(log);
    fputs("start\n", log); /* stdio's buffer exists before counting */
    al_allocator *v = al_create("verbose:sys", &(al_options){.log = log});
    al_allocator *dummy = al_create("sys", NULL);
    assert_non_null(v);
    assert_non_null(dummy);
    al_destroy(v);
    const al_wrapper_desc *verbose = al_wrapper_find("verbose");
    al_allocator *to_file = verbose->wrap(tiny_new(4096), &(al_options){.log = log});
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    al_allocator *to_fd = verbose->wrap(tiny_new(4096), &(al_options){.log_fd = fileno(null)});
    assert_non_null(to_file);
    assert_non_null(to_fd);

    n_mallocs = 0;
    counting = 1;
    run_logged_calls(to_file, 200);
    run_logged_calls(to_fd, 200);
    counting = 0;
    assert_int_equal(n_mallocs, 0);

    /* And the lines were written: 9 per round, after "start" and destroy(). */
    rewind(log);
    char line[256];
    int lines = 0;
    while (fgets(line, sizeof line, log)) lines++;
    assert_int_equal(lines, 1 + 1 + 200 * 9);
    al_destroy(to_file);
    al_destroy(to_fd);
    al_destroy(dummy);
    fclose(null);
    fclose(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_sees_libc_allocations),
        cmocka_unit_test(test_logging_makes_no_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
