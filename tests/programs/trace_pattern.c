/* A program with a known allocation pattern, for the tracer's tests:
 *   trace_pattern N M K T
 * runs M worker threads; each prints "worker TID" and then makes exactly:
 *   - for each size of {16, 100, 1000, 5000}: N mallocs, freed in order;
 *   - N callocs of 64 bytes, freed in order;
 *   - malloc(10), realloc to 100, 1000 and 20000 bytes, free;
 *   - posix_memalign(64, 200), aligned_alloc(128, 256), memalign(4096, 300),
 *     freed in that order;
 *   - T temporaries: malloc(24) freed at once;
 *   - free(NULL);
 *   - K mallocs of 48 bytes handed to the next worker, which frees them
 *     (cross-thread frees, after a barrier).
 * So per worker: malloc 4N+1+T+K, calloc N, realloc 3, one of each aligned
 * call, free 5N+1+3+T+1+K; temporaries 4+1+1+1+T (the last block of each
 * batch freed in order is freed before the next allocation). */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long N, M, K, T;
static void ***handoff; /* handoff[i]: the K blocks worker i made for worker i+1 */
static pthread_barrier_t barrier;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void must(void *p)
{
    if (!p) {
        fprintf(stderr, "trace_pattern: out of memory\n");
        exit(1);
    }
}

static void *worker(void *arg)
{
    long me = (long)arg;
    pthread_mutex_lock(&print_lock);
    printf("worker %ld\n", (long)syscall(SYS_gettid));
    fflush(stdout);
    pthread_mutex_unlock(&print_lock);
    pthread_barrier_wait(&barrier);
    void **v = handoff[me] + K; /* scratch space after the handoff slots */
    static const size_t sizes[] = {16, 100, 1000, 5000};
    for (int s = 0; s < 4; s++) {
        for (long i = 0; i < N; i++) {
            must(v[i] = malloc(sizes[s]));
            memset(v[i], (int)i, sizes[s]);
        }
        for (long i = 0; i < N; i++) free(v[i]);
    }
    for (long i = 0; i < N; i++) must(v[i] = calloc(1, 64));
    for (long i = 0; i < N; i++) free(v[i]);
    char *p = malloc(10);
    must(p);
    must(p = realloc(p, 100));
    must(p = realloc(p, 1000));
    must(p = realloc(p, 20000));
    free(p);
    void *a = NULL;
    if (posix_memalign(&a, 64, 200) != 0) must(NULL);
    void *b = aligned_alloc(128, 256), *c = memalign(4096, 300);
    must(b);
    must(c);
    free(a);
    free(b);
    free(c);
    for (long i = 0; i < T; i++) {
        void *q = malloc(24);
        must(q);
        *(volatile char *)q = 1;
        free(q);
    }
    void *volatile nothing = NULL; /* a plain free(NULL) is compiled away */
    free(nothing);
    for (long i = 0; i < K; i++) must(handoff[me][i] = malloc(48));
    pthread_barrier_wait(&barrier);
    long from = (me + M - 1) % M;
    for (long i = 0; i < K; i++) free(handoff[from][i]);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: trace_pattern N M K T\n");
        return 2;
    }
    /* A static buffer: printing from the workers must not allocate. */
    static char outbuf[4096];
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    N = atol(argv[1]);
    M = atol(argv[2]);
    K = atol(argv[3]);
    T = atol(argv[4]);
    if (N < 1 || M < 2 || K < 0 || T < 0) return 2;
    handoff = calloc((size_t)M, sizeof *handoff);
    must(handoff);
    for (long i = 0; i < M; i++) must(handoff[i] = calloc((size_t)(K + N), sizeof(void *)));
    pthread_barrier_init(&barrier, NULL, (unsigned)M);
    pthread_t *th = calloc((size_t)M, sizeof *th);
    must(th);
    for (long i = 0; i < M; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) return 1;
    for (long i = 0; i < M; i++) pthread_join(th[i], NULL);
    return 0;
}
