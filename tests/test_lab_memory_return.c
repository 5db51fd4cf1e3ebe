/* lab gives memory back: a burst allocates 1 GiB in blocks of 64 B to
 * 256 KiB (all live at its peak) and frees it all; the program then goes on
 * allocating a little, and within 3 s the resident set must be back within
 * 100 MiB of where it started, whether the burst ran on the allocating
 * thread or on one that then goes idle. Resident memory is read from
 * /proc/self/statm. Skipped under sanitizers (their shadow memory stays). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_internal.h"
#include "lab_test_util.h"

#include <pthread.h>
#include <stdbool.h>
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

/* The burst: 1 GiB in log-uniform blocks of 64 B to 256 KiB, all live at the
 * peak, then all freed. */
typedef struct burst {
    size_t blocks, bytes, rss_peak;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done, stop; /* the burst is freed; the worker may exit */
} burst;

static void run_burst(burst *b)
{
    void **blocks = malloc(MAX_BLOCKS * sizeof *blocks);
    assert_non_null(blocks);
    uint64_t s = 0x1234567;
    size_t total = 0, n = 0;
    while (total < BURST && n < MAX_BLOCKS) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned shift = 6 + (unsigned)(s % 13);
        size_t size = ((size_t)1 << shift) + (size_t)(s >> 20) % ((size_t)1 << shift);
        if (size > (256u << 10)) size = 256u << 10;
        unsigned char *p = lab_malloc(size);
        assert_non_null(p);
        memset(p, 0x5a, size);
        blocks[n++] = p;
        total += size;
    }
    b->rss_peak = lab_test_rss();
    for (size_t i = 0; i < n; i++) lab_free(blocks[i]);
    free(blocks);
    b->blocks = n;
    b->bytes = total;
}

/* A thread that makes the burst, then waits, allocating nothing. */
static void *burst_and_idle(void *arg)
{
    burst *b = arg;
    run_burst(b);
    pthread_mutex_lock(&b->mu);
    b->done = true;
    pthread_cond_broadcast(&b->cv);
    while (!b->stop) pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* The burst on this thread, or on a thread that then goes idle while this
 * one allocates a little: either way RSS must come back. */
static void burst_then_return(bool on_idle_thread)
{
    if (LAB_TEST_SANITIZED) {
        printf("[ skipped  ] resident memory is not measurable under a sanitizer\n");
        skip();
    }
    void *warm = lab_malloc(100);
    size_t rss0 = lab_test_rss();
    burst b = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    if (on_idle_thread) {
        assert_int_equal(pthread_create(&th, NULL, burst_and_idle, &b), 0);
        pthread_mutex_lock(&b.mu);
        while (!b.done) pthread_cond_wait(&b.cv, &b.mu);
        pthread_mutex_unlock(&b.mu);
    } else {
        run_burst(&b);
    }
    double t0 = now_s(), t = 0;
    size_t rss = lab_test_rss();
    void *little[64] = {0};
    unsigned k = 0;
    /* Until it settles (32 MiB above the start: an idle heap may keep 16 MiB
     * of empty pages, LAB_EMPTY_KEEP_BYTES) or 3 s have passed. */
    while (rss > rss0 + (32u << 20) && (t = now_s() - t0) < 3.0) {
        for (int j = 0; j < 16; j++, k++) { /* the program goes on allocating a little */
            lab_free(little[k % 64]);
            little[k % 64] = lab_malloc(16 + k % 4000);
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
        rss = lab_test_rss();
    }
    printf("[ return   ] %s: %zu blocks, %.0f MiB: RSS %.0f MiB before, %.0f MiB at the peak, %.0f MiB after %.2f s\n",
           on_idle_thread ? "burst on a thread that then idles" : "burst on this thread", b.blocks,
           b.bytes / 1048576.0, rss0 / 1048576.0, b.rss_peak / 1048576.0, rss / 1048576.0, t);
    for (unsigned j = 0; j < 64; j++) lab_free(little[j]);
    lab_free(warm);
    if (on_idle_thread) {
        pthread_mutex_lock(&b.mu);
        b.stop = true;
        pthread_cond_broadcast(&b.cv);
        pthread_mutex_unlock(&b.mu);
        pthread_join(th, NULL);
    }
    assert_true(rss <= rss0 + (100u << 20));
}

static void test_burst_then_return(void **state)
{
    (void)state;
    burst_then_return(false);
}

/* The thread that freed the burst allocates nothing more, so it never
 * collects again: its empty pages must still reach the pool, where the
 * other thread's collections purge them. A retire delay longer than the
 * test makes sure they cannot get there by the idle thread's own
 * collections (the heap keeps at most 16 MiB of empty pages for itself). */
static void test_burst_on_idle_thread(void **state)
{
    (void)state;
    uint64_t retire = lab_opt.retire_ms;
    lab_opt.retire_ms = 100000;
    burst_then_return(true);
    lab_opt.retire_ms = retire;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_return),
        cmocka_unit_test(test_burst_on_idle_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
