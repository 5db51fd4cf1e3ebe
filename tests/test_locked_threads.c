/* locked: makes a non-thread-safe allocator safe under 4 threads. The inner
 * (the tests' tiny bump) keeps plain counters, so a missing lock is a data
 * race TSan reports, and shows here as lost counts or overlapping blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <alloclab/wrappers.h>
#include <pthread.h>
#include <string.h>

#include "tiny_alloc.h"

#define THREADS 4
#define PER_THREAD 2000
#define BLOCK 16

typedef struct job {
    al_allocator *a;
    unsigned char id;
    unsigned char *blocks[PER_THREAD];
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        j->blocks[i] = al_allocate(j->a, BLOCK, 8);
        if (j->blocks[i]) memset(j->blocks[i], j->id, BLOCK);
        if (i % 100 == 0) (void)al_usable_size(j->a, j->blocks[i], BLOCK, 8);
    }
    return NULL;
}

/* Run THREADS workers on a; check every block is there and still holds its
 * thread's pattern (no two threads got the same memory). */
static void run_threads(al_allocator *a, job *jobs)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].a = a;
        jobs[i].id = (unsigned char)(i + 1);
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < PER_THREAD; k++) {
            assert_non_null(jobs[i].blocks[k]);
            for (int b = 0; b < BLOCK; b++) assert_int_equal(jobs[i].blocks[k][b], jobs[i].id);
        }
}

static void test_locked_serialises_a_bump(void **state)
{
    (void)state;
    static job jobs[THREADS];
    al_allocator *t = tiny_new(THREADS * PER_THREAD * BLOCK);
    assert_false(al_has(t, AL_CAP_THREAD_SAFE));
    al_allocator *a = al_wrapper_find("locked")->wrap(t, NULL);
    assert_non_null(a);
    assert_true(al_has(a, AL_CAP_THREAD_SAFE));
    run_threads(a, jobs);
    tiny_alloc *ts = tiny_of(t);
    assert_int_equal(ts->calls, THREADS * PER_THREAD); /* usable_size is the front end's */
    assert_int_equal(ts->live, THREADS * PER_THREAD);
    assert_int_equal(ts->used, THREADS * PER_THREAD * BLOCK); /* exactly full: no block twice */
    al_destroy(a);
}

/* stats: over a locked inner counts exactly from many threads. */
static void test_stats_over_locked_counts_exactly(void **state)
{
    (void)state;
    static job jobs[THREADS];
    al_allocator *t = tiny_new(THREADS * PER_THREAD * BLOCK);
    al_allocator *a = al_wrapper_find("stats")->wrap(al_wrapper_find("locked")->wrap(t, NULL), NULL);
    assert_non_null(a);
    assert_true(al_has(a, AL_CAP_THREAD_SAFE));
    run_threads(a, jobs);
    al_stats st;
    assert_true(al_stats_get(a, &st));
    assert_int_equal(st.allocs, THREADS * PER_THREAD);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.live_blocks, THREADS * PER_THREAD);
    assert_int_equal(st.live_bytes, THREADS * PER_THREAD * BLOCK);
    assert_int_equal(st.peak_bytes, THREADS * PER_THREAD * BLOCK);
    assert_int_equal(st.histogram[4], THREADS * PER_THREAD);
    al_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locked_serialises_a_bump),
        cmocka_unit_test(test_stats_over_locked_counts_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
