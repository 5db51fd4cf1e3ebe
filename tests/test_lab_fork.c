/* lab and fork: the process forks many times while four other threads
 * allocate and free (locally and across threads, small, medium and huge
 * blocks); each child allocates, checks and frees blocks of every kind,
 * including blocks the parent allocated before the fork, and exits 0. A
 * child that deadlocks on a lock held at the fork would hang: the parent
 * gives each child 10 s, then kills it and fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab.h"
#include "lab_test_util.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUSY 4
#define FORKS 30

static atomic_bool stop;
static _Atomic(unsigned char *) shared_slot[16];

static void *busy(void *arg)
{
    uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ull;
    void *mine[64] = {0};
    while (!atomic_load(&stop)) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned i = (unsigned)(s % 64);
        size_t size = s % 16 == 0 ? (size_t)(s >> 40) % (600u << 10) : (size_t)(s >> 40) % 2048;
        lab_free(mine[i]);
        mine[i] = lab_malloc(size);
        if (mine[i] && size) memset(mine[i], (int)i, size < 512 ? size : 512);
        /* Cross-thread traffic: swap a block through a shared slot. */
        unsigned char *b = lab_malloc(48);
        if (b) memset(b, 7, 48);
        b = atomic_exchange(&shared_slot[s % 16], b);
        lab_free(b);
        if (s % 64 == 0) sched_yield(); /* leave the children some CPU */
    }
    for (unsigned i = 0; i < 64; i++) lab_free(mine[i]);
    return NULL;
}

static int child_work(void *from_parent)
{
    if (!lab_test_check(from_parent, 5000, 42)) return 3;
    lab_free(from_parent);
    size_t sizes[] = {0, 1, 24, 100, 1000, 5000, 60000, 131072, 300000, 1u << 20};
    void *p[10][8];
    for (int r = 0; r < 8; r++)
        for (int k = 0; k < 10; k++) {
            p[k][r] = r % 3 ? lab_malloc(sizes[k]) : lab_calloc(1, sizes[k]);
            if (!p[k][r]) return 4;
            lab_test_fill(p[k][r], sizes[k], (uint64_t)(k * 100 + r));
        }
    for (int r = 0; r < 8; r++)
        for (int k = 0; k < 10; k++) {
            if (!lab_test_check(p[k][r], sizes[k], (uint64_t)(k * 100 + r))) return 5;
            lab_free(p[k][r]);
        }
    void *a = lab_aligned(1u << 20, 1000);
    if (!a || ((uintptr_t)a & ((1u << 20) - 1))) return 6;
    lab_free(a);
    lab_trim(0);
    return 0;
}

static void test_fork_while_allocating(void **state)
{
    (void)state;
    pthread_t t[BUSY];
    for (uintptr_t i = 0; i < BUSY; i++) assert_int_equal(pthread_create(&t[i], NULL, busy, (void *)(i + 1)), 0);
    int failures = 0;
    for (int f = 0; f < FORKS; f++) {
        void *pre = lab_malloc(5000);
        lab_test_fill(pre, 5000, 42);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) _exit(child_work(pre));
        lab_free(pre);
        int status = 0;
        for (int waited = 0;; waited++) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid) break;
            if (waited > 10000) { /* 10 s */
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            print_message("child %d: %s %d\n", f, WIFEXITED(status) ? "exit" : "signal",
                          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            failures++;
        }
    }
    atomic_store(&stop, true);
    for (int i = 0; i < BUSY; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 16; i++) lab_free(atomic_exchange(&shared_slot[i], NULL));
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_while_allocating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
