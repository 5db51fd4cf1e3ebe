/* lab gives memory back: a burst allocates 1 GiB in blocks of 64 B to
 * 256 KiB (all live at its peak) and frees it all; the program then goes on
 * allocating a little, and within 3 s the resident set must be back within
 * 100 MiB of where it started. Resident memory is read from
 * /proc/self/statm. Skipped under sanitizers (their shadow memory stays). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BURST ((size_t)1 << 30)
#define MAX_BLOCKS 400000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_burst_then_return(void **state)
{
    (void)state;
    if (LAB_TEST_SANITIZED) {
        printf("[ skipped  ] resident memory is not measurable under a sanitizer\n");
        return;
    }
    void **blocks = malloc(MAX_BLOCKS * sizeof *blocks);
    assert_non_null(blocks);
    void *warm = lab_malloc(100);
    size_t rss0 = lab_test_rss();
    uint64_t s = 0x1234567;
    size_t total = 0, n = 0;
    while (total < BURST && n < MAX_BLOCKS) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        /* log-uniform from 64 B to 256 KiB */
        unsigned shift = 6 + (unsigned)(s % 13);
        size_t size = ((size_t)1 << shift) + (size_t)(s >> 20) % ((size_t)1 << shift);
        if (size > (256u << 10)) size = 256u << 10;
        unsigned char *p = lab_malloc(size);
        assert_non_null(p);
        memset(p, 0x5a, size);
        blocks[n++] = p;
        total += size;
    }
    size_t rss_peak = lab_test_rss();
    for (size_t i = 0; i < n; i++) lab_free(blocks[i]);
    double t0 = now_s(), t = 0;
    size_t rss = lab_test_rss();
    void *little[64] = {0};
    unsigned k = 0;
    /* Until it settles (16 MiB above the start) or 3 s have passed. */
    while (rss > rss0 + (16u << 20) && (t = now_s() - t0) < 3.0) {
        for (int j = 0; j < 16; j++, k++) { /* the program goes on allocating a little */
            lab_free(little[k % 64]);
            little[k % 64] = lab_malloc(16 + k % 4000);
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
        rss = lab_test_rss();
    }
    printf("[ return   ] %zu blocks, %.0f MiB: RSS %.0f MiB before, %.0f MiB at the peak, %.0f MiB after %.2f s\n", n,
           total / 1048576.0, rss0 / 1048576.0, rss_peak / 1048576.0, rss / 1048576.0, t);
    for (unsigned j = 0; j < 64; j++) lab_free(little[j]);
    lab_free(warm);
    free(blocks);
    assert_true(rss <= rss0 + (100u << 20));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_return),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
