/* Fork while other threads allocate: every thread-safe spec of the registry
 * (the thread-safe backends, wrappers over sys, lock wrappers over every
 * backend) is hammered by two threads while the main
 * thread forks FORKS times (fewer for chains of two wrappers). Each child allocates, writes, checks and frees
 * through the same instance (resetting it first when a fixed budget is
 * spent), destroys it and exits 0. A child that has not exited within
 * CHILD_DEADLINE_MS (a lock inherited held: deadlock) is killed and fails the
 * test; a fork() that does not return (the fork handlers deadlocked in the
 * parent) ends it through a watchdog. Runs under TSan too (label "threads"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance.h"

#include <alloclab/wrappers.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPECS 256
#define HAMMERS 2
#define SLOTS 8
#define CHILD_DEADLINE_MS 5000
#define BATCH 8
/* Forks per spec: FORKS for a backend or one wrapper over it, an eighth of
 * that for chains of two wrappers (they add no lock the single ones lack). */
#if defined(__SANITIZE_THREAD__)
#define FORKS 40 /* a fork under TSan costs many times more (its shadow memory) */
#else
#define FORKS 200
#endif

typedef struct hammer {
    al_allocator *a;
    atomic_bool *stop;
    uint64_t seed;
    atomic_size_t ops;
} hammer;

/* Allocate, write, grow now and then, free: the instance's locks are taken
 * all the time. NULL (a spent budget) is fine: the lock was still taken. */
static void *hammer_run(void *arg)
{
    hammer *h = arg;
    struct { unsigned char *p; size_t size, align; } slot[SLOTS] = {{0}};
    uint64_t rs = h->seed;
    while (!atomic_load_explicit(h->stop, memory_order_relaxed)) {
        size_t i = conf_rand(&rs) % SLOTS;
        if (slot[i].p) {
            if (conf_rand(&rs) % 4 == 0) {
                unsigned char *q = al_grow(h->a, slot[i].p, slot[i].size, slot[i].size + 64, slot[i].align);
                if (q) {
                    slot[i].p = q;
                    slot[i].size += 64;
                }
            }
            al_deallocate(h->a, slot[i].p, slot[i].size, slot[i].align);
            slot[i].p = NULL;
        } else {
            size_t size = conf_rand_range(&rs, 1, 2048), align = (size_t)1 << conf_rand_range(&rs, 0, 6);
            unsigned char *p = al_allocate(h->a, size, align);
            if (p) {
                p[0] = p[size - 1] = 0x5a;
                slot[i] = (typeof(slot[i])){p, size, align};
            }
        }
        /* Bursts with short pauses: the lock is taken thousands of times
         * between two forks, yet the hammers leave CPU to the forks and
         * children (on two cores, flat out they made the test 5x slower). */
        if (atomic_fetch_add_explicit(&h->ops, 1, memory_order_relaxed) % 256 == 255) {
            struct timespec pause = {0, 50000};
            nanosleep(&pause, NULL);
        }
    }
    for (size_t i = 0; i < SLOTS; i++) al_deallocate(h->a, slot[i].p, slot[i].size, slot[i].align);
    return NULL;
}

/* In the child, blocks the vanished threads held are live at destroy:
 * checked: reports them as leaks, rightly; anything else it finds fails. */
static void child_finding(const al_checked_finding *f, void *ctx)
{
    (void)ctx;
    if (f->kind != AL_CHECKED_LEAK) {
        fprintf(stderr, "%s\n", f->line);
        _exit(5);
    }
}

/* The child: the only thread left. Exit status 0 when it could allocate,
 * write, verify and free; small statuses name what failed. */
static void child_run(al_allocator *a)
{
    al_checked_set_handler(child_finding, NULL);
    static const size_t sizes[] = {1, 24, 100, 1000, 4096, 20000, 64, 3};
    void *p[sizeof sizes / sizeof sizes[0]];
    bool reset = false;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        p[k] = al_allocate(a, sizes[k], 16);
        if (!p[k] && !reset && al_reset(a)) { /* a spent budget: no other thread is left to hold a block */
            reset = true;
            k = (size_t)-1;
            continue;
        }
        if (!p[k]) _exit(3);
        conf_fill(p[k], sizes[k], k + 1);
    }
    for (size_t k = sizeof sizes / sizeof sizes[0]; k-- > 0;) {
        if (!conf_verify(p[k], sizes[k], k + 1, NULL)) _exit(4);
        al_deallocate(a, p[k], sizes[k], 16);
    }
    al_destroy(a);
    _exit(0);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Wait for the child; kill it past the deadline. Its status, or -1 when it
 * had to be killed. */
static int reap(pid_t pid)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        if (ms_since(&t0) > CHILD_DEADLINE_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        struct timespec nap = {0, 200000};
        nanosleep(&nap, NULL);
    }
}

/* ----------------------------------------------------------------------------
 * The watchdog: fork() itself hangs when the prepare handlers deadlock (ours
 * waiting for a lock whose holder waits for a library's, already taken). The
 * main thread notes each fork's return; no progress for PARENT_DEADLINE_S
 * ends the whole test with the spec named.
 * ------------------------------------------------------------------------- */
#define PARENT_DEADLINE_S 20
static atomic_long last_progress; /* CLOCK_MONOTONIC seconds */
static const char *_Atomic current_spec;

static long now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        sleep(1);
        if (now_s() - atomic_load(&last_progress) > PARENT_DEADLINE_S) {
            fprintf(stderr, "[ FAIL     ] %s: fork() hung in the parent for %d s (fork handlers deadlocked)\n",
                    atomic_load(&current_spec), PARENT_DEADLINE_S);
            _exit(1);
        }
    }
    return NULL;
}

/* Fork FORKS times under two hammering threads; false with the reason. */
static bool fork_under_threads(const char *spec, const al_options *o, int forks, conf_err *e, size_t *ops)
{
    al_allocator *a = al_create(spec, o);
    if (!a) return conf_fail(e, "cannot create '%s': %s", spec, al_last_error());
    atomic_store(&current_spec, spec);
    atomic_bool stop = false;
    hammer h[HAMMERS];
    pthread_t tid[HAMMERS];
    for (size_t i = 0; i < HAMMERS; i++) {
        h[i] = (hammer){.a = a, .stop = &stop, .seed = 0xf0e1 + i};
        atomic_init(&h[i].ops, 0);
        pthread_create(&tid[i], NULL, hammer_run, &h[i]);
    }
    /* Children in batches: BATCH forks in a row (the threads still running
     * between them), then every child of the batch reaped. */
    bool ok = true;
    for (int k = 0; ok && k < forks; k += BATCH) {
        pid_t pids[BATCH];
        int nb = 0;
        for (; nb < BATCH && k + nb < forks; nb++) {
            atomic_store(&last_progress, now_s());
            pids[nb] = fork();
            if (pids[nb] < 0) break;
            if (pids[nb] == 0) child_run(a);
        }
        if (nb < BATCH && k + nb < forks) ok = conf_fail(e, "fork failed");
        for (int j = 0; j < nb; j++) {
            int st = reap(pids[j]);
            if (st == -1)
                ok = conf_fail(e, "fork %d: the child hung (killed after %d ms): a lock inherited held", k + j,
                               CHILD_DEADLINE_MS);
            else if (st != 0) ok = conf_fail(e, "fork %d: the child exited with status %d", k + j, st);
        }
    }
    atomic_store(&stop, true);
    *ops = 0;
    for (size_t i = 0; i < HAMMERS; i++) {
        pthread_join(tid[i], NULL);
        *ops += atomic_load(&h[i].ops);
    }
    al_destroy(a);
    return ok;
}

static void test_fork_threads_every_thread_safe_spec(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    /* Every malloc is ASan's there, and its allocator's locks are not taken
     * across fork: children of plain "sys" hang in ASan's malloc. */
    print_message("[ skip     ] ASan's allocator is not fork-safe under threads (make check-tsan runs this)\n");
    skip();
#endif
    static char specs[MAX_SPECS][CONF_SPEC_LEN];
    size_t n = conf_specs(specs, MAX_SPECS, NULL), ran = 0, failed = 0;
    const char *only = getenv("ALLOCLAB_CONF_ONLY");
    /* Budgets, so that allocators which never free do not grow without
     * bound under the hammering: bump and sbrk get 1 MiB, arena takes its
     * chunks from a 32 MiB bump (used only under the arena's lock). */
    /* An instance with a lock before any library starts: alloclab's fork
     * handlers are registered before jemalloc's and tcmalloc's, the order
     * al_fork_after_library must correct. */
    al_allocator *early = al_create("locked:bump", NULL);
    assert_non_null(early);
    atomic_store(&last_progress, now_s());
    atomic_store(&current_spec, "(setup)");
    pthread_t dog;
    pthread_create(&dog, NULL, watchdog, NULL);
    pthread_detach(dog);
    al_options bo = {.capacity = (size_t)32 << 20};
    al_allocator *backing = al_create("bump", &bo);
    assert_non_null(backing);
    al_options o = conf_options((size_t)1 << 20);
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, specs[i]) != 0) continue;
        if (al_spec_unavailable(specs[i])) continue;
        const char *backend = strrchr(specs[i], ':');
        backend = backend ? backend + 1 : specs[i];
        o.backing = strcmp(backend, "arena") == 0 ? backing : NULL;
#if defined(__SANITIZE_THREAD__)
        /* jemalloc's prefork handler holds more mutexes at once than TSan's
         * deadlock detector can track (64): TSan aborts inside fork(). */
        if (strcmp(backend, "je") == 0) {
            print_message("[ skip     ] %s: jemalloc's fork handler exceeds TSan's lock limit\n", specs[i]);
            continue;
        }
#endif
        al_allocator *probe = al_create(specs[i], &o);
        assert_non_null(probe);
        unsigned caps = probe->caps;
        al_destroy(probe);
        /* Also locked: over the thread-safe backends: its lock must be
         * taken before their libraries' own fork locks (jemalloc, tcmalloc). */
        bool locked_over = strncmp(specs[i], "locked:", 7) == 0 && !strchr(specs[i] + 7, ':');
        if (!conf_thread_safe_spec(specs[i], caps) && !locked_over) continue;
        al_reset(backing);
        conf_err e = {{0}};
        size_t ops = 0;
        ran++;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        const char *colon = strchr(specs[i], ':');
        int forks = colon && strchr(colon + 1, ':') ? FORKS / 8 : FORKS;
        if (!fork_under_threads(specs[i], &o, forks, &e, &ops)) {
            failed++;
            print_message("[ FAIL     ] %s: %s\n", specs[i], e.msg);
        } else {
            print_message("[ fork     ] %s: %d children ok, %zu operations by the other threads, %ld ms\n",
                          specs[i], forks, ops, ms_since(&t0));
        }
    }
    al_destroy(backing);
    al_destroy(early);
    print_message("[ fork     ] %zu of %zu thread-safe specs pass\n", ran - failed, ran);
    assert_true(ran > 0);
    assert_int_equal(failed, 0);
}

/* The conformance toys are not registered: a caller's own wrapper (the
 * toy lock) answers for its own fork safety. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_threads_every_thread_safe_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
