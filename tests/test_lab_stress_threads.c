/* lab under stress: 32 threads (8 under TSan) allocate random sizes up to
 * 1 MiB, mostly small; about a quarter of their blocks go through a shared
 * exchange to be checked and freed by another thread, the rest are freed by
 * their own thread. Threads come and go in rounds (churn), so later rounds
 * free blocks whose allocating thread has exited. Every block carries a
 * pattern checked before its free. Runs under TSan (label "threads"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_THREAD__)
#define THREADS 8
#define ROUNDS 3
#define OPS 1500
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THREADS 8
#define ROUNDS 3
#define OPS 1500
#endif
#endif
#ifndef THREADS
#define THREADS 32
#define ROUNDS 4
#define OPS 6000
#endif
#define LOCAL 48
#define XSLOTS 256

typedef struct blk {
    unsigned char *p;
    size_t size;
    uint64_t id;
} blk;

static struct {
    pthread_mutex_t mu;
    blk slots[XSLOTS];
    size_t n;
} xchg = {.mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct worker {
    unsigned idx, round;
    uint64_t rs;
    size_t bad, cross, nulls;
} worker;

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static size_t pick_size(uint64_t *rs)
{
    unsigned r = (unsigned)(rnd(rs) % 100);
    if (r < 80) return rnd(rs) % 1024;
    if (r < 96) return 1024 + rnd(rs) % (128u << 10);
    return rnd(rs) % ((1u << 20) + 1);
}

static void release(worker *w, blk *b)
{
    if (!lab_test_check(b->p, b->size, b->id)) w->bad++;
    if (lab_usable_size(b->p) < b->size) w->bad++;
    if (w->rs & 1) lab_free(b->p);
    else lab_free_sized(b->p, b->size);
}

static void *work(void *arg)
{
    worker *w = arg;
    blk local[LOCAL];
    size_t nlocal = 0;
    uint64_t id = ((uint64_t)w->round << 48) | ((uint64_t)w->idx << 32);
    for (int op = 0; op < OPS; op++) {
        unsigned r = (unsigned)(rnd(&w->rs) % 100);
        if (r < 50 || nlocal == 0) {
            if (nlocal == LOCAL) release(w, &local[--nlocal]);
            blk b = {.size = pick_size(&w->rs), .id = ++id};
            b.p = r % 7 == 0 ? lab_calloc(1, b.size) : lab_malloc(b.size);
            if (!b.p) {
                w->nulls++;
                continue;
            }
            if (r % 7 == 0)
                for (size_t i = 0; i < b.size; i += 511)
                    if (b.p[i]) w->bad++;
            lab_test_fill(b.p, b.size, b.id);
            local[nlocal++] = b;
        } else if (r < 75) {
            size_t i = rnd(&w->rs) % nlocal;
            blk b = local[i];
            local[i] = local[--nlocal];
            if (rnd(&w->rs) % 3 == 0) { /* a realloc keeps the contents */
                size_t ns = pick_size(&w->rs);
                unsigned char *q = lab_realloc(b.p, ns);
                if (!q) {
                    w->nulls++;
                } else {
                    if (!lab_test_check(q, ns < b.size ? (ns < 256 ? ns : 256) : b.size, b.id)) w->bad++;
                    b.p = q;
                    b.size = ns;
                    lab_test_fill(q, ns, b.id);
                }
            }
            release(w, &b);
        } else if (r < 88) { /* hand one to another thread */
            size_t i = rnd(&w->rs) % nlocal;
            blk b = local[i];
            pthread_mutex_lock(&xchg.mu);
            bool room = xchg.n < XSLOTS;
            if (room) xchg.slots[xchg.n++] = b;
            pthread_mutex_unlock(&xchg.mu);
            if (room) local[i] = local[--nlocal];
        } else { /* free one another thread allocated */
            blk b;
            pthread_mutex_lock(&xchg.mu);
            bool got = xchg.n > 0;
            if (got) {
                size_t i = rnd(&w->rs) % xchg.n;
                b = xchg.slots[i];
                xchg.slots[i] = xchg.slots[--xchg.n];
            }
            pthread_mutex_unlock(&xchg.mu);
            if (got) {
                if ((unsigned)(b.id >> 32 & 0xffff) != w->idx || (unsigned)(b.id >> 48) != w->round) w->cross++;
                release(w, &b);
            }
        }
    }
    while (nlocal) release(w, &local[--nlocal]);
    return NULL;
}

static void test_stress(void **state)
{
    (void)state;
    size_t bad = 0, cross = 0, nulls = 0;
    for (unsigned round = 0; round < ROUNDS; round++) {
        pthread_t t[THREADS];
        worker w[THREADS];
        for (unsigned i = 0; i < THREADS; i++) {
            w[i] = (worker){.idx = i, .round = round, .rs = 0x9e3779b97f4a7c15ull * (round * THREADS + i + 1)};
            assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
        }
        for (unsigned i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
            bad += w[i].bad;
            cross += w[i].cross;
            nulls += w[i].nulls;
        }
    }
    worker last = {.rs = 1};
    for (size_t i = 0; i < xchg.n; i++) release(&last, &xchg.slots[i]); /* from exited threads */
    bad += last.bad;
    xchg.n = 0;
    printf("[ stress   ] %d threads x %d rounds: %zu blocks freed by another thread\n", THREADS, ROUNDS, cross);
    assert_int_equal(bad, 0);
    assert_int_equal(nulls, 0);
    assert_true(cross > 0);
    lab_stats s;
    lab_trim(0);
    lab_stats_get(&s);
    assert_int_equal(s.invalid_frees, 0);
    assert_int_equal(s.pages_abandoned, 0); /* every block came back: trim freed them all */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
