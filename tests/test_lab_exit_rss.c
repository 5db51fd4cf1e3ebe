/* lab and thread exit: generations of 8 threads each allocate blocks, hand
 * half of them to the next generation and free the rest, then exit; the next
 * generation frees what it was handed (remote frees to pages whose thread is
 * gone) and does the same. Exited threads' pages must be reclaimed: the
 * resident set over the last generations stays close to the one from
 * generation 100 on (medians of WINDOW samples each, so that pages waiting
 * for their purge delay do not make the figure jump). ctest runs 400
 * generations; ALLOCLAB_LAB_GENERATIONS=1000 runs the figure. The
 * memory figures are skipped under sanitizers (their shadow memory). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define PER_THREAD 2000
#define WINDOW 60

typedef struct gen_worker {
    void **give;       /* PER_THREAD / 2 blocks for the next generation */
    void **take;       /* the previous generation's, to free (may be NULL) */
    unsigned seed;
    size_t bad;
} gen_worker;

static size_t size_of(unsigned seed, unsigned i) { return 16 + (seed * 2654435761u + i * 40503u) % 3000; }

static void *generation(void *arg)
{
    gen_worker *w = arg;
    if (w->take)
        for (unsigned i = 0; i < PER_THREAD / 2; i++) {
            unsigned char *b = w->take[i];
            if (b[0] != (unsigned char)i) w->bad++;
            lab_free(b);
        }
    void *mine[PER_THREAD];
    for (unsigned i = 0; i < PER_THREAD; i++) {
        size_t s = size_of(w->seed, i);
        mine[i] = lab_malloc(s);
        memset(mine[i], (int)(i / 2), s);
    }
    for (unsigned i = 0; i < PER_THREAD; i++) {
        if (i % 2) lab_free(mine[i]);
        else w->give[i / 2] = mine[i];
    }
    return NULL;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static size_t median(size_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_size);
    return v[n / 2];
}

static void test_generations(void **state)
{
    (void)state;
    unsigned long gens = lab_test_env("ALLOCLAB_LAB_GENERATIONS", 400);
    unsigned long from = gens >= 4 * WINDOW ? 100 : 0; /* the issue measures from generation 100 */
    if (gens < 200) gens = 200;
    static void *bufs[2][THREADS][PER_THREAD / 2];
    size_t first[WINDOW], last[WINDOW], nfirst = 0, nlast = 0, bad = 0;
    for (unsigned long g = 0; g < gens; g++) {
        pthread_t t[THREADS];
        gen_worker w[THREADS];
        for (unsigned i = 0; i < THREADS; i++) {
            /* Thread i frees what thread (i + 1) % 8 of the last generation gave. */
            w[i] = (gen_worker){.give = bufs[g % 2][i], .take = g ? bufs[(g + 1) % 2][(i + 1) % THREADS] : NULL,
                                .seed = (unsigned)(g * THREADS + i)};
            assert_int_equal(pthread_create(&t[i], NULL, generation, &w[i]), 0);
        }
        for (unsigned i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
            bad += w[i].bad;
        }
        if (g >= from && nfirst < WINDOW) first[nfirst++] = lab_test_rss();
        if (g + WINDOW >= gens) last[nlast++] = lab_test_rss();
    }
    size_t rss_from = median(first, nfirst), rss_end = median(last, nlast);
    for (unsigned i = 0; i < THREADS; i++)
        for (unsigned k = 0; k < PER_THREAD / 2; k++) lab_free(bufs[(gens + 1) % 2][i][k]);
    lab_stats s;
    lab_stats_get(&s);
    printf("[ exit-rss ] %lu generations of %d threads: median RSS %.1f MiB from generation %lu, %.1f MiB at the end "
           "(%+.1f%%); %zu live heaps, %zu abandoned pages\n",
           gens, THREADS, rss_from / 1048576.0, from, rss_end / 1048576.0,
           100.0 * ((double)rss_end - (double)rss_from) / (double)rss_from, s.heaps, s.pages_abandoned);
    assert_int_equal(bad, 0);
    assert_true(s.heaps <= 2); /* this thread's, and none of the exited ones */
    if (LAB_TEST_SANITIZED) {
        printf("[ exit-rss ] RSS figures not checked under a sanitizer (shadow memory)\n");
        return;
    }
    /* The goal is 10% (met over 1000 generations, see docs/lab.md); on a shared
     * 2-core machine the page mix of 8 interleaved threads moves the median
     * by up to about 15% between runs, so the bound here is 25%. A leak of one
     * 64 KiB page per exiting thread would add 150 MiB. */
    assert_true(rss_end <= rss_from + rss_from / 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
