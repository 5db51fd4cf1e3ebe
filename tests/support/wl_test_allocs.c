/* Test allocators for the workload tests (see wl_test_allocs.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wl_test_allocs.h"

#include <alloclab/registry.h>
#include "workload.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * A bump over a private mapping. Invariant: top <= cap; blocks never move;
 * ring[c % RING] is the block handed out by call c (1-based, since the last
 * reset), for the last RING calls.
 * ------------------------------------------------------------------------- */
#define RING 1024u

typedef enum rb_mode { RB_PLAIN, RB_DUP, RB_SHORT, RB_TWINS, RB_SCRIBBLE } rb_mode;

typedef struct rbump {
    al_allocator h;
    char *base;
    size_t cap, top;
    rb_mode mode;
    unsigned every;       /* RB_DUP: every `every`-th allocation is a duplicate ... */
    unsigned dist;        /* ... of the block of `dist` calls before;
                             RB_SCRIBBLE: scribbles from allocation `every` on */
    size_t last_size;     /* RB_SCRIBBLE: the size of ring[n % RING] */
    unsigned long n;      /* allocations since the last reset */
    char *ring[RING];
} rbump;

/* p again for a request of `size`, if it stays inside the mapping. */
static char *rb_reuse(rbump *b, char *p, size_t size)
{
    size_t end = (size_t)(p - b->base) + size;
    if (end > b->cap) return NULL;
    if (end > b->top) b->top = end;
    return p;
}

/* The right leaf of a binary-trees node is allocated just after its left
 * sibling, once the parent (two calls back) links that sibling as left. */
static bool rb_right_leaf(const rbump *b)
{
    if (b->n < 2) return false;
    char *prev = b->ring[b->n % RING], *prev2 = b->ring[(b->n - 1) % RING];
    void *w2[2], *w1[2];
    memcpy(w2, prev2, sizeof w2);
    memcpy(w1, prev, sizeof w1);
    return w2[0] == prev && w1[0] == NULL && w1[1] == NULL;
}

static char *rb_pick(rbump *b, size_t size, size_t align)
{
    char *p = NULL;
    if (b->mode == RB_DUP && b->n + 1 > b->dist && (b->n + 1) % b->every == 0)
        p = rb_reuse(b, b->ring[(b->n + 1 - b->dist) % RING], size);
    else if (b->mode == RB_TWINS && rb_right_leaf(b))
        p = rb_reuse(b, b->ring[b->n % RING], size);
    if (p) return p;
    if (b->mode == RB_SHORT) { /* no padding, and one byte short */
        if (size > b->cap - b->top) return NULL;
        p = b->base + b->top;
        b->top += size - 1;
        return p;
    }
    size_t at = (b->top + align - 1) & ~(align - 1);
    if (at > b->cap || size > b->cap - at) return NULL;
    b->top = at + size;
    return b->base + at;
}

static void *rb_allocate(void *st, size_t size, size_t align)
{
    rbump *b = st;
    if (align < 16) align = 16;
    if (size == 0) size = 1;
    char *p = rb_pick(b, size, align);
    if (!p) return NULL;
    /* The middle byte of the previous block (live or not: frees are no-ops)
     * flips: only a check of the bytes between head and tail words sees it. */
    if (b->mode == RB_SCRIBBLE && b->n >= b->every && b->n > 0 && b->last_size >= 24)
        b->ring[b->n % RING][b->last_size / 2] ^= 0x55;
    b->last_size = size;
    b->n++;
    b->ring[b->n % RING] = p;
    return p;
}

static void rb_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)ptr; (void)size; (void)align;
}

static void rb_reset(void *st)
{
    rbump *b = st;
    b->top = 0;
    b->n = 0;
}

static void rb_destroy(void *st)
{
    rbump *b = st;
    munmap(b->base, b->cap);
    free(b);
}

static const al_vtable rb_vt = {.allocate = rb_allocate, .deallocate = rb_deallocate, .destroy = rb_destroy};
static const al_vtable rb_reset_vt = {
    .allocate = rb_allocate, .deallocate = rb_deallocate, .reset = rb_reset, .destroy = rb_destroy};

static al_allocator *rb_create(size_t cap, rb_mode mode, unsigned every, unsigned dist, unsigned caps)
{
    rbump *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->base = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (b->base == MAP_FAILED) {
        free(b);
        al_set_error("cannot map the test allocator's memory");
        return NULL;
    }
    b->cap = cap;
    b->mode = mode;
    b->every = every;
    b->dist = dist;
    b->h = (al_allocator){.state = b, .vt = (caps & AL_CAP_RESET) ? &rb_reset_vt : &rb_vt, .caps = caps};
    return &b->h;
}

#define BAD_CAP ((size_t)2 << 30)
static al_allocator *evil_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_DUP, 5, 1, AL_CAP_FREES); }
static al_allocator *dup251_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_DUP, 7, 251, AL_CAP_FREES); }
static al_allocator *dup1000_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_DUP, 7, 1000, AL_CAP_FREES); }
static al_allocator *dup13_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_DUP, 7, 13, AL_CAP_FREES); }
static al_allocator *short_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_SHORT, 0, 0, AL_CAP_FREES); }
static al_allocator *twins_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_TWINS, 0, 0, AL_CAP_FREES); }
static al_allocator *scribble_create(const al_options *o) { (void)o; return rb_create(BAD_CAP, RB_SCRIBBLE, 0, 0, AL_CAP_FREES); }
static al_allocator *scribble_late_create(const al_options *o)
{
    (void)o;
    return rb_create(BAD_CAP, RB_SCRIBBLE, 4000, 0, AL_CAP_FREES);
}
static al_allocator *tiny_create(const al_options *o)
{
    (void)o;
    return rb_create((size_t)4 << 20, RB_PLAIN, 0, 0, AL_CAP_RESET | AL_CAP_FIXED_CAPACITY);
}
static al_allocator *mid_create(const al_options *o)
{
    (void)o;
    return rb_create((size_t)64 << 20, RB_PLAIN, 0, 0, AL_CAP_FIXED_CAPACITY);
}

/* ----------------------------------------------------------------------------
 * libc malloc that does not claim thread safety: forces per-thread
 * instances (glibc-thread) and the locked: wrapper (stress-mem).
 * ------------------------------------------------------------------------- */
static al_allocator *nts_create(const al_options *o)
{
    al_allocator *sys = al_create("sys", o);
    if (sys) sys->caps &= ~(unsigned)AL_CAP_THREAD_SAFE;
    return sys;
}

/* ----------------------------------------------------------------------------
 * wl-global: libc malloc with a process-wide record, as sbrk's break is. An
 * overlap is two calls in progress at once, on any instances.
 * ------------------------------------------------------------------------- */
static atomic_uint g_live, g_max_live, g_busy;
static atomic_bool g_overlapped;

static void g_enter(void)
{
    if (atomic_fetch_add(&g_busy, 1) != 0) atomic_store(&g_overlapped, true);
}
static void g_leave(void) { atomic_fetch_sub(&g_busy, 1); }

static void *g_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    g_enter();
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1) != 0) p = NULL;
    g_leave();
    return p;
}

static void g_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st, (void)size, (void)align;
    g_enter();
    free(ptr);
    g_leave();
}

static void g_destroy(void *st)
{
    free(st);
    atomic_fetch_sub(&g_live, 1);
}

static const al_vtable g_vt = {.allocate = g_allocate, .deallocate = g_deallocate, .destroy = g_destroy};

static al_allocator *global_create(const al_options *o)
{
    (void)o;
    al_allocator *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    *a = (al_allocator){.state = a, .vt = &g_vt, .caps = AL_CAP_FREES | AL_CAP_PROCESS_GLOBAL};
    unsigned live = atomic_fetch_add(&g_live, 1) + 1, max = atomic_load(&g_max_live);
    while (live > max && !atomic_compare_exchange_weak(&g_max_live, &max, live)) {}
    return a;
}

void wl_test_global_report(unsigned *max_live, bool *overlapped)
{
    *max_live = atomic_exchange(&g_max_live, atomic_load(&g_live));
    *overlapped = atomic_exchange(&g_overlapped, false);
}

/* ----------------------------------------------------------------------------
 * The table.
 * ------------------------------------------------------------------------- */
static const al_backend_desc descs[] = {
    {.name = "wl-evil", .description = "test: overlapping blocks", .caps = AL_CAP_FREES, .create = evil_create},
    {.name = "wl-dup251", .description = "test: every 7th block is the one 251 before", .caps = AL_CAP_FREES,
     .create = dup251_create},
    {.name = "wl-dup1000", .description = "test: every 7th block is the one 1000 before", .caps = AL_CAP_FREES,
     .create = dup1000_create},
    {.name = "wl-dup13", .description = "test: every 7th block is the one 13 before", .caps = AL_CAP_FREES,
     .create = dup13_create},
    {.name = "wl-short", .description = "test: blocks one byte short", .caps = AL_CAP_FREES, .create = short_create},
    {.name = "wl-twins", .description = "test: right leaves share their sibling's block", .caps = AL_CAP_FREES,
     .create = twins_create},
    {.name = "wl-scribble", .description = "test: flips a middle byte of the previous block",
     .caps = AL_CAP_FREES, .create = scribble_create},
    {.name = "wl-scribble-late", .description = "test: flips middle bytes from the 4000th allocation on",
     .caps = AL_CAP_FREES, .create = scribble_late_create},
    {.name = "wl-tiny", .description = "test: 4 MiB fixed, resettable",
     .caps = AL_CAP_RESET | AL_CAP_FIXED_CAPACITY, .create = tiny_create},
    {.name = "wl-mid", .description = "test: 64 MiB fixed, no frees", .caps = AL_CAP_FIXED_CAPACITY,
     .create = mid_create},
    {.name = "wl-nts", .description = "test: malloc, not thread-safe", .caps = AL_CAP_FREES, .create = nts_create},
    {.name = "wl-global", .description = "test: malloc with process-wide state",
     .caps = AL_CAP_FREES | AL_CAP_PROCESS_GLOBAL, .create = global_create},
};

void wl_test_register_allocators(void)
{
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++)
        if (!al_backend_find(descs[i].name)) al_register_backend(&descs[i]);
}

/* ----------------------------------------------------------------------------
 * The watchdog: a case that runs past its deadline is a hang, not a slow
 * machine (the cases take well under a second each, a few under a
 * sanitizer). It names the case, has gdb print every thread's stack (when
 * gdb is there) and aborts, so that a stuck case fails in minutes with the
 * evidence instead of at ctest's timeout with none.
 * ------------------------------------------------------------------------- */
static pthread_mutex_t dog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dog_cond = PTHREAD_COND_INITIALIZER;
static char dog_case[192];
static struct timespec dog_deadline; /* CLOCK_REALTIME; tv_sec 0: no case running */

static unsigned dog_seconds(void)
{
    const char *e = getenv("WL_TEST_WATCHDOG_S");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < 86400 ? (unsigned)v : 180;
}

static void dog_dump_stacks(void)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    pid_t c = fork();
    if (c == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execlp("gdb", "gdb", "-p", pid, "-batch", "-nx", "-ex", "thread apply all bt", (char *)NULL);
        _exit(127);
    }
    if (c > 0) waitpid(c, NULL, 0);
}

static void *dog_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&dog_lock);
    for (;;) {
        if (dog_deadline.tv_sec == 0) {
            pthread_cond_wait(&dog_cond, &dog_lock);
            continue;
        }
        struct timespec dl = dog_deadline;
        if (pthread_cond_timedwait(&dog_cond, &dog_lock, &dl) == 0) continue;
        if (dog_deadline.tv_sec != dl.tv_sec || dog_deadline.tv_nsec != dl.tv_nsec) continue;
        pthread_mutex_unlock(&dog_lock);
        fprintf(stderr, "wl_test_run: %s has run for %u s: stuck; every thread's stack follows\n", dog_case,
                dog_seconds());
        dog_dump_stacks();
        abort();
    }
    return NULL;
}

static void dog_start(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, dog_main, NULL) == 0) pthread_detach(t);
}

static void dog_arm(const char *workload, const char *param, const char *spec)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, dog_start);
    pthread_mutex_lock(&dog_lock);
    snprintf(dog_case, sizeof dog_case, "%s/%s on %s", workload, param ? param : "(default)", spec);
    clock_gettime(CLOCK_REALTIME, &dog_deadline);
    dog_deadline.tv_sec += dog_seconds();
    pthread_cond_signal(&dog_cond);
    pthread_mutex_unlock(&dog_lock);
}

static void dog_disarm(void)
{
    pthread_mutex_lock(&dog_lock);
    dog_deadline.tv_sec = 0;
    pthread_cond_signal(&dog_cond);
    pthread_mutex_unlock(&dog_lock);
}

static int wl_test_run_unwatched(const char *workload, const char *param, const char *spec, uint64_t iters,
                                 char *why, size_t whylen, bool *in_setup);

int wl_test_run(const char *workload, const char *param, const char *spec, uint64_t iters, char *why,
                size_t whylen, bool *in_setup)
{
    dog_arm(workload, param, spec);
    int st = wl_test_run_unwatched(workload, param, spec, iters, why, whylen, in_setup);
    dog_disarm();
    return st;
}

static int wl_test_run_unwatched(const char *workload, const char *param, const char *spec, uint64_t iters,
                                 char *why, size_t whylen, bool *in_setup)
{
    const al_workload *w = al_workload_find(workload);
    if (in_setup) *in_setup = true;
    why[0] = '\0';
    if (!w) {
        snprintf(why, whylen, "no workload '%s'", workload);
        return -1;
    }
    al_run_status st = AL_RUN_OK;
    void *inst = w->setup(param, spec, &st, why, whylen);
    if (!inst) return (int)st;
    if (in_setup) *in_setup = false;
    st = w->run(inst, iters, why, whylen);
    w->teardown(inst);
    return (int)st;
}

void wl_test_expect(const char *w, const char *param, const char *spec, uint64_t iters, int expect,
                    bool expect_in_setup, const char *reason_part)
{
    char why[256];
    bool in_setup;
    int st = wl_test_run(w, param, spec, iters, why, sizeof why, &in_setup);
    if (st != expect || (expect != AL_RUN_OK && in_setup != expect_in_setup))
        fail_msg("%s/%s/%s: %s%s (%s), expected %s", w, param ? param : "(null)", spec, in_setup ? "setup " : "",
                 st < 0 ? "?" : al_run_status_name((al_run_status)st), why, al_run_status_name((al_run_status)expect));
    if (expect != AL_RUN_OK) {
        assert_true(why[0] != '\0');
        if (reason_part && !strstr(why, reason_part)) fail_msg("reason '%s' lacks '%s'", why, reason_part);
    }
}
