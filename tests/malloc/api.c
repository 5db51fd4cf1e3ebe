/* The malloc API as glibc defines it, checked on the replacement: every entry
 * point's edge cases (sizes 0 and near SIZE_MAX, overflow, alignment 1 B to
 * 1 MiB, errno, usable sizes, realloc keeping contents), glibc's internal
 * names, the heap queries, threads with cross-thread frees, and fork while
 * other threads allocate.
 *
 * Built twice (tests/malloc/CMakeLists.txt): linked with the static archive
 * (test_malloc_api) and plain, run under LD_PRELOAD of the shared library with
 * ALLOCLAB_MALLOC set to several specs. AM_EXPECT_SPEC names the allocator
 * that must be serving; the first test fails when the replacement is not
 * active at all.
 *
 * `malloc_api_plain --smoke` only allocates a little and prints "smoke ok":
 * the spec tests (test_malloc_preload) read its stderr.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* The replacement's own query (NULL when it is not in the process), and the
 * entry points no header of this glibc declares (weak: the plain binary finds
 * the ones glibc lacks in the preloaded library only). */
extern const char *alloclab_malloc_spec(void) __attribute__((weak));
void free_sized(void *ptr, size_t size) __attribute__((weak));
void free_aligned_sized(void *ptr, size_t align, size_t size) __attribute__((weak));
void cfree(void *ptr) __attribute__((weak)); /* glibc keeps it for old binaries only */
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/* The compiler must not reason the calls away: every result goes through
 * this, and sizes come from a volatile. */
static void *volatile sink;
static volatile size_t vzero = 0;
#define BIG(x) ((size_t)(x) + vzero)

#define IS_ALIGNED(p, a) (((uintptr_t)(p) & ((a) - 1)) == 0)

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++) c[i] = (unsigned char)(seed + i * 31);
}

static int check(const void *p, size_t n, unsigned seed)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(seed + i * 31)) return 0;
    return 1;
}

static void test_replacement_active(void **state)
{
    (void)state;
    assert_non_null(alloclab_malloc_spec); /* else glibc's malloc is serving */
    const char *want = getenv("AM_EXPECT_SPEC");
    if (want) assert_string_equal(alloclab_malloc_spec(), want);
}

static void test_malloc_sizes(void **state)
{
    (void)state;
    /* Size 0: unique, aligned, freeable. */
    void *a = malloc(BIG(0)), *b = malloc(BIG(0));
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_true(IS_ALIGNED(a, 8) && IS_ALIGNED(b, 8));
    free(a);
    free(b);
    /* Aligned for any object that fits (C17): 8 bytes up to 8, then 16. */
    for (size_t n = 1; n <= ((size_t)4 << 20); n = n * 3 + 1) {
        unsigned char *p = malloc(n);
        assert_non_null(p);
        if (!IS_ALIGNED(p, n <= 8 ? 8 : 16)) fail_msg("malloc(%zu) = %p", n, (void *)p);
        fill(p, n, (unsigned)n);
        assert_true(check(p, n, (unsigned)n));
        free(p);
    }
    /* Near SIZE_MAX: NULL and ENOMEM, never a crash. */
    size_t huge[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 4096, SIZE_MAX / 2 + 1, (size_t)PTRDIFF_MAX + 1};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        errno = 0;
        sink = malloc(BIG(huge[i]));
        assert_null(sink);
        assert_int_equal(errno, ENOMEM);
    }
}

static void test_free_keeps_errno(void **state)
{
    (void)state;
    void *p = malloc(100), *q = malloc(1 << 20), *r = aligned_alloc(4096, 10);
    errno = 1234;
    free(p);
    free(q);
    free(r);
    free(NULL);
    assert_int_equal(errno, 1234);
    assert_true(cfree && free_sized && free_aligned_sized);
    p = malloc(10), q = malloc(10), r = aligned_alloc(256, 256);
    errno = 4321;
    cfree(p);
    free_sized(q, 10);
    free_aligned_sized(r, 256, 256);
    free_sized(NULL, 0);
    assert_int_equal(errno, 4321);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    /* Dirty memory first, so that a reused block must really be zeroed. */
    for (size_t n = 16; n <= ((size_t)2 << 20); n *= 4) {
        unsigned char *d = malloc(n);
        assert_non_null(d);
        memset(d, 0xa5, n);
        free(d);
        unsigned char *z = calloc(1, n);
        assert_non_null(z);
        for (size_t i = 0; i < n; i++)
            if (z[i]) fail_msg("calloc(1, %zu): byte %zu is %d", n, i, z[i]);
        free(z);
    }
    void *z = calloc(BIG(0), 8);
    assert_non_null(z);
    free(z);
    z = calloc(8, BIG(0));
    assert_non_null(z);
    free(z);
    errno = 0;
    sink = calloc(BIG(SIZE_MAX / 2 + 1), 2); /* overflows size_t */
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    sink = calloc(BIG(1) << 32, BIG(1) << 32);
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    sink = calloc(1, BIG(SIZE_MAX));
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
}

static void test_realloc_contents(void **state)
{
    (void)state;
    /* realloc(NULL, n) is malloc(n). */
    unsigned char *p = realloc(NULL, 5);
    assert_non_null(p);
    fill(p, 5, 7);
    /* Growth keeps every byte, through small, page-sized and mmap-sized blocks. */
    size_t n = 5;
    for (size_t next = 17; next <= ((size_t)8 << 20); next = next * 5 / 2) {
        p = realloc(p, next);
        assert_non_null(p);
        assert_true(IS_ALIGNED(p, 16));
        assert_true(check(p, n, 7));
        fill(p, next, 7);
        n = next;
    }
    /* Shrink keeps the prefix. */
    for (size_t next = n / 3; next >= 1; next /= 3) {
        p = realloc(p, next);
        assert_non_null(p);
        assert_true(check(p, next, 7));
        n = next;
    }
    /* A failed realloc leaves the block as it was. */
    fill(p, n, 9);
    unsigned char *volatile kept = p; /* the compiler takes a failed realloc's block for freed */
    errno = 0;
    sink = realloc(p, BIG(SIZE_MAX - 8));
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
    p = kept;
    assert_true(check(p, n, 9));
    /* realloc(p, 0) frees p and returns NULL, as glibc does. */
    assert_null(realloc(p, BIG(0)));
    /* realloc(NULL, 0) is malloc(0): unique. */
    void *z = realloc(NULL, BIG(0));
    assert_non_null(z);
    free(z);
    /* Aligned blocks may be reallocated like any other. */
    unsigned char *al = aligned_alloc(1 << 16, 100);
    assert_non_null(al);
    fill(al, 100, 3);
    al = realloc(al, 5000);
    assert_non_null(al);
    assert_true(check(al, 100, 3));
    free(al);
}

static void test_reallocarray(void **state)
{
    (void)state;
    int *a = reallocarray(NULL, 10, sizeof(int));
    assert_non_null(a);
    for (int i = 0; i < 10; i++) a[i] = i;
    a = reallocarray(a, 1000, sizeof(int));
    assert_non_null(a);
    for (int i = 0; i < 10; i++) assert_int_equal(a[i], i);
    int *volatile kept = a; /* the compiler takes a failed realloc's block for freed */
    errno = 0;
    sink = reallocarray(a, BIG(SIZE_MAX / 2), 4);
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
    a = kept;
    for (int i = 0; i < 10; i++) assert_int_equal(a[i], i); /* untouched */
    free(a);
}

/* Every power of two from 1 B to 1 MiB, with sizes that are and are not
 * multiples of it (C17 aligned_alloc takes any size). */
static void test_aligned_alloc(void **state)
{
    (void)state;
    for (size_t al = 1; al <= ((size_t)1 << 20); al *= 2) {
        size_t sizes[] = {0, 1, al - 1 + 1, al + 1, 3 * al + 5};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = aligned_alloc(al, sizes[i]);
            assert_non_null(p);
            if (!IS_ALIGNED(p, al)) fail_msg("aligned_alloc(%zu, %zu) = %p", al, sizes[i], (void *)p);
            assert_true(malloc_usable_size(p) >= sizes[i]);
            fill(p, sizes[i], 1);
            assert_true(check(p, sizes[i], 1));
            free(p);
        }
    }
    /* Tiny blocks asked for 16 or 32 bytes of alignment get it, every one
     * of them, although malloc may align blocks of at most 8 bytes to 8. */
    void *tiny[3][64];
    for (size_t al = 16; al <= 32; al *= 2) {
        for (int i = 0; i < 64; i++) {
            size_t n = 1 + (size_t)i % 8;
            tiny[0][i] = aligned_alloc(al, n);
            tiny[1][i] = memalign(al, n);
            if (posix_memalign(&tiny[2][i], al, n) != 0) tiny[2][i] = NULL;
            for (int k = 0; k < 3; k++)
                if (!tiny[k][i] || !IS_ALIGNED(tiny[k][i], al))
                    fail_msg("form %d, align %zu, size %zu: %p", k, al, n, tiny[k][i]);
        }
        for (int i = 0; i < 64; i++)
            for (int k = 0; k < 3; k++) free(tiny[k][i]);
    }
    size_t bad[] = {0, 3, 24, 100, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        sink = aligned_alloc(BIG(bad[i]), 64);
        assert_null(sink);
        assert_int_equal(errno, EINVAL);
    }
    errno = 0;
    sink = aligned_alloc(64, BIG(SIZE_MAX - 100));
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
}

static void test_posix_memalign(void **state)
{
    (void)state;
    for (size_t al = sizeof(void *); al <= ((size_t)1 << 20); al *= 2) {
        void *p = NULL;
        errno = 77;
        assert_int_equal(posix_memalign(&p, al, al + 3), 0);
        assert_int_equal(errno, 77);
        assert_non_null(p);
        assert_true(IS_ALIGNED(p, al));
        fill(p, al + 3, 2);
        assert_true(check(p, al + 3, 2));
        free(p);
    }
    /* EINVAL: not a power of two, or not a multiple of sizeof(void *). */
    size_t bad[] = {0, 1, 2, 4, 3, 24, 48, 1000, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *p = (void *)&bad;
        errno = 55;
        assert_int_equal(posix_memalign(&p, BIG(bad[i]), 16), EINVAL);
        assert_int_equal(errno, 55);             /* errno untouched */
        assert_ptr_equal(p, (void *)&bad);       /* *memptr untouched */
    }
    void *p = (void *)&bad;
    errno = 56;
    assert_int_equal(posix_memalign(&p, 64, BIG(SIZE_MAX - 10)), ENOMEM);
    assert_int_equal(errno, 56);
    assert_ptr_equal(p, (void *)&bad);
    /* Size 0 succeeds with a freeable pointer. */
    assert_int_equal(posix_memalign(&p, 64, BIG(0)), 0);
    assert_true(IS_ALIGNED(p, 64));
    free(p);
}

static void test_memalign_valloc_pvalloc(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t al = 1; al <= ((size_t)1 << 20); al *= 2) {
        void *p = memalign(al, 100);
        assert_non_null(p);
        assert_true(IS_ALIGNED(p, al));
        free(p);
    }
    void *z = memalign(BIG(0), 10); /* alignment 0: malloc's */
    assert_non_null(z);
    free(z);
    /* glibc rounds an alignment that is not a power of two up to the next. */
    size_t odd[][2] = {{3, 16}, {24, 32}, {100, 128}, {5000, 8192}};
    for (size_t i = 0; i < 4; i++) {
        void *p = memalign(BIG(odd[i][0]), 10);
        assert_non_null(p);
        if (!IS_ALIGNED(p, odd[i][1])) fail_msg("memalign(%zu) = %p", odd[i][0], p);
        free(p);
    }
    errno = 0;
    sink = memalign(BIG(SIZE_MAX / 2 + 2), 10);
    assert_null(sink);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    sink = memalign(64, BIG(SIZE_MAX));
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);

    void *v = valloc(10);
    assert_non_null(v);
    assert_true(IS_ALIGNED(v, page));
    free(v);
    void *pv = pvalloc(page + 1); /* rounded up to two pages */
    assert_non_null(pv);
    assert_true(IS_ALIGNED(pv, page));
    assert_true(malloc_usable_size(pv) >= 2 * page);
    memset(pv, 1, 2 * page);
    free(pv);
    pv = pvalloc(BIG(0));
    assert_non_null(pv);
    free(pv);
    errno = 0;
    sink = pvalloc(BIG(SIZE_MAX - 10));
    assert_null(sink);
    assert_int_equal(errno, ENOMEM);
}

static void test_usable_size(void **state)
{
    (void)state;
    assert_int_equal(malloc_usable_size(NULL), 0);
    for (size_t n = 1; n < ((size_t)1 << 22); n = n * 2 + 3) {
        unsigned char *p = malloc(n);
        size_t u = malloc_usable_size(p);
        assert_true(u >= n);
        memset(p, 0x5a, u); /* every usable byte is the caller's */
        free(p);
    }
}

/* glibc's internal names are the replacement's too: a block from one is
 * counted by the replacement's heap figures and freed by plain free. */
static void test_libc_names(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    size_t before = mallinfo2().uordblks;
    void *a = __libc_malloc(n), *b = __libc_calloc(1, n), *c = __libc_memalign(4096, n);
    void *d = __libc_valloc(n), *e = __libc_pvalloc(n);
    assert_true(a && b && c && d && e);
    assert_true(IS_ALIGNED(c, 4096) && IS_ALIGNED(d, 4096));
    assert_true(mallinfo2().uordblks >= before + 5 * n);
    a = __libc_realloc(a, 2 * n);
    assert_non_null(a);
    free(a);
    free(b);
    __libc_free(c);
    free(d);
    free(e);
    assert_true(mallinfo2().uordblks < before + n);
}

static void test_heap_queries(void **state)
{
    (void)state;
    size_t n = 8 << 20;
    struct mallinfo2 m0 = mallinfo2();
    void *p = sink = malloc(n);
    memset(p, 1, n);
    struct mallinfo2 m1 = mallinfo2();
    assert_true(m1.uordblks >= m0.uordblks + n);
    assert_true(m1.arena + m1.hblkhd >= m1.uordblks);
    free(p);
    struct mallinfo2 m2 = mallinfo2();
    assert_true(m2.uordblks + n <= m1.uordblks);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo old = mallinfo();
#pragma GCC diagnostic pop
    assert_true(old.uordblks >= 0);
    int t = malloc_trim(0);
    assert_true(t == 0 || t == 1);
    assert_int_equal(mallopt(M_MXFAST, 64), 1);
    assert_int_equal(mallopt(M_MXFAST, 100000), 0);
    assert_int_equal(mallopt(M_ARENA_MAX, 2), 1);
    assert_int_equal(mallopt(12345, 1), 0);
}

/* ----------------------------------------------------------------------------
 * Threads: 8 threads, blocks of 1 B to 64 KiB handed to the next thread to
 * free (a quarter) or freed locally, every block carrying its pattern.
 * ------------------------------------------------------------------------- */
#define THREADS 8
#define ROUNDS 20000
#define SLOTS 64

typedef struct handoff {
    pthread_mutex_t lock;
    void *blocks[SLOTS];
    size_t sizes[SLOTS];
    unsigned n;
} handoff;

static handoff boxes[THREADS];
static volatile int thread_failed;

static unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void take_from(handoff *h)
{
    pthread_mutex_lock(&h->lock);
    while (h->n) {
        h->n--;
        if (!check(h->blocks[h->n], h->sizes[h->n], (unsigned)h->sizes[h->n])) thread_failed = 1;
        free(h->blocks[h->n]);
    }
    pthread_mutex_unlock(&h->lock);
}

static void *thread_body(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id * 7919u + 1;
    void *mine[32] = {0};
    size_t mine_n[32] = {0};
    for (int r = 0; r < ROUNDS; r++) {
        unsigned k = next_rand(&seed) % 32;
        if (mine[k]) {
            if (!check(mine[k], mine_n[k], (unsigned)mine_n[k])) thread_failed = 1;
            handoff *h = &boxes[(id + 1) % THREADS];
            pthread_mutex_lock(&h->lock);
            if (next_rand(&seed) % 4 == 0 && h->n < SLOTS) {
                h->blocks[h->n] = mine[k];
                h->sizes[h->n++] = mine_n[k];
                mine[k] = NULL;
            }
            pthread_mutex_unlock(&h->lock);
            if (mine[k]) free(mine[k]);
        }
        size_t n = 1 + next_rand(&seed) % (next_rand(&seed) % 16 == 0 ? 65536 : 256);
        unsigned char *p = (r & 7) == 0 ? calloc(1, n) : malloc(n);
        if (!p) {
            thread_failed = 1;
            break;
        }
        fill(p, n, (unsigned)n);
        mine[k] = p;
        mine_n[k] = n;
        if ((r & 63) == 0) take_from(&boxes[id]);
    }
    for (int k = 0; k < 32; k++) free(mine[k]);
    take_from(&boxes[id]);
    return NULL;
}

static void test_threads_cross_free(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_mutex_init(&boxes[i].lock, NULL);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_body, (void *)(uintptr_t)i), 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) take_from(&boxes[i]);
    assert_int_equal(thread_failed, 0);
}

/* ----------------------------------------------------------------------------
 * fork while 4 other threads allocate: each of 20 children allocates, frees and exits
 * (exit, so the replacement's exit path runs too) within 10 seconds.
 * ------------------------------------------------------------------------- */
static volatile int stop_churn;

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    void *keep[16] = {0};
    /* Bounded, so that a spec that never frees (arena) stays small. */
    for (int i = 0; i < 50000 && !stop_churn; i++) {
        unsigned k = next_rand(&seed) % 16;
        free(keep[k]);
        keep[k] = malloc(1 + next_rand(&seed) % 1024);
    }
    for (int k = 0; k < 16; k++) free(keep[k]);
    return NULL;
}

static void test_fork_while_threads_allocate(void **state)
{
    (void)state;
    pthread_t t[4];
    stop_churn = 0;
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
    for (int f = 0; f < 20; f++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            void *b[100];
            for (int i = 0; i < 100; i++) b[i] = malloc((size_t)(i * 97 + 1));
            for (int i = 0; i < 100; i++) free(b[i]);
            void *big = malloc(1 << 20);
            free(big);
            exit(b[0] && big ? 0 : 3);
        }
        int status = 0;
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - t0.tv_sec > 10) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                stop_churn = 1;
                fail_msg("child %d of fork %d hung (a lock held across fork?)", (int)pid, f);
            }
            usleep(200);
        }
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    stop_churn = 1;
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--smoke") == 0) {
        void *p = sink = malloc(100), *q = sink = calloc(10, 10);
        p = sink = realloc(p, 1000);
        free(q);
        free(p);
        printf("smoke ok (%s)\n", alloclab_malloc_spec ? alloclab_malloc_spec() : "glibc");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replacement_active),
        cmocka_unit_test(test_malloc_sizes),
        cmocka_unit_test(test_free_keeps_errno),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test(test_realloc_contents),
        cmocka_unit_test(test_reallocarray),
        cmocka_unit_test(test_aligned_alloc),
        cmocka_unit_test(test_posix_memalign),
        cmocka_unit_test(test_memalign_valloc_pvalloc),
        cmocka_unit_test(test_usable_size),
        cmocka_unit_test(test_libc_names),
        cmocka_unit_test(test_heap_queries),
        cmocka_unit_test(test_threads_cross_free),
        cmocka_unit_test(test_fork_while_threads_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
