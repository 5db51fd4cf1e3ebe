/* The system calls behind an allocator: how many brk, mmap, munmap, mremap
 * and madvise calls one benchmark's counted iterations make.
 *
 * "Is malloc a system call? No, but it uses a few of them." The count runs in
 * a pass of its own, never during a timed sample: a child process sets the
 * benchmark up, runs its warm-up iterations (the harness: one), then `iters`
 * counted ones, and tears down. Before set-up it installs a seccomp filter that lets every
 * system call through except the five memory ones and a marker (getppid),
 * which it hands to its tracer (SECCOMP_RET_TRACE); the parent traces it with
 * ptrace, following every thread it creates (PTRACE_O_TRACECLONE), and counts
 * the memory calls made between the two markers that bracket run(iters). So
 * the other system calls cost nothing, set-up and teardown are left out, and
 * the threads of a threaded workload are counted too. A tracee whose filter
 * cannot be installed (no seccomp, a sandbox) says so and nothing is counted;
 * the pass is killed past its timeout. The counts are exact for the pass; a
 * workload whose iterations differ (large-blocks) gives the counts of that
 * stretch of its cycle. */
#include "syscalls.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the filter hands the tracer (SECCOMP_RET_DATA). */
enum { K_BRK, K_MMAP, K_MUNMAP, K_MREMAP, K_MADVISE, K_MARK, K_COUNT };

/* The child's exit statuses beyond al_run_status. */
#define EXIT_NO_FILTER 40

static int install_filter(void)
{
#define TRACE(nr, k) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | (k))
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        TRACE(SYS_brk, K_BRK),
        TRACE(SYS_mmap, K_MMAP),
        TRACE(SYS_munmap, K_MUNMAP),
        TRACE(SYS_mremap, K_MREMAP),
        TRACE(SYS_madvise, K_MADVISE),
        TRACE(SYS_getppid, K_MARK),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
#undef TRACE
    struct sock_fprog fprog = {.len = (unsigned short)(sizeof prog / sizeof prog[0]), .filter = prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
}

const char *al_syscalls_unavailable(void)
{
#if !defined(__x86_64__)
    return "system call counts are implemented for x86-64 only";
#else
    return NULL;
#endif
}

/* The traced child: never returns. */
static void child_main(const al_bench_item *it, uint64_t warmup, uint64_t iters)
{
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(EXIT_NO_FILTER);
    raise(SIGSTOP); /* the parent sets its options, then lets it go */
    if (install_filter() != 0) _exit(EXIT_NO_FILTER);
    const al_workload *w = it->workload;
    char why[256] = "";
    al_run_status st = AL_RUN_FAILED;
    void *inst = w->setup(it->param, it->allocator, &st, why, sizeof why);
    if (!inst) _exit(st == AL_RUN_OK ? AL_RUN_FAILED : st);
    st = warmup ? w->run(inst, warmup, why, sizeof why) : AL_RUN_OK;
    if (st == AL_RUN_OK) {
        syscall(SYS_getppid); /* the counted region starts */
        st = w->run(inst, iters, why, sizeof why);
        syscall(SYS_getppid); /* and ends */
    }
    w->teardown(inst);
    _exit(st);
}

/* A watchdog that kills pid after `seconds`; its pid, or -1. */
static pid_t watchdog(pid_t pid, double seconds)
{
    pid_t w = fork();
    if (w == 0) {
        struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
        kill(pid, SIGKILL);
        _exit(0);
    }
    return w;
}

int al_syscalls_count(const al_bench_item *it, uint64_t warmup, uint64_t iters, double timeout_s,
                      al_syscall_counts *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    const char *no = al_syscalls_unavailable();
    if (no) {
        snprintf(why, whylen, "%s", no);
        return -1;
    }
    if (iters == 0) iters = 1;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        snprintf(why, whylen, "cannot fork: %s", strerror(errno));
        return -1;
    }
    if (child == 0) child_main(it, warmup, iters);
    int ws;
    if (waitpid(child, &ws, 0) != child || !WIFSTOPPED(ws)) {
        snprintf(why, whylen, "the traced child did not start");
        if (!WIFEXITED(ws) && !WIFSIGNALED(ws)) kill(child, SIGKILL), waitpid(child, &ws, 0);
        return -1;
    }
    if (ptrace(PTRACE_SETOPTIONS, child, NULL,
               (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)) != 0) {
        snprintf(why, whylen, "cannot trace the child: %s", strerror(errno));
        kill(child, SIGKILL);
        waitpid(child, &ws, 0);
        return -1;
    }
    pid_t dog = watchdog(child, timeout_s > 0 ? timeout_s : AL_BENCH_DEFAULT_TIMEOUT_S);
    uint64_t counts[K_COUNT] = {0};
    int marks = 0, status = -1;
    ptrace(PTRACE_CONT, child, NULL, NULL);
    for (;;) {
        pid_t p = waitpid(-1, &ws, __WALL);
        if (p < 0) {
            if (errno == EINTR) continue;
            break; /* no child left */
        }
        if (p == dog) {
            dog = -1;
            continue;
        }
        if (WIFEXITED(ws) || WIFSIGNALED(ws)) {
            if (p == child) {
                status = ws;
                break;
            }
            continue; /* a thread ended */
        }
        if (!WIFSTOPPED(ws)) continue;
        int sig = WSTOPSIG(ws), event = ws >> 16, deliver = 0;
        if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
            unsigned long k = 0;
            ptrace(PTRACE_GETEVENTMSG, p, NULL, &k);
            if (k == K_MARK) marks++;
            else if (k < K_MARK && marks == 1) counts[k]++;
        } else if (sig == SIGTRAP && event) {
            /* a clone event: the new thread starts traced, with a SIGSTOP */
        } else if (sig != SIGSTOP) {
            deliver = sig; /* a signal of the workload's own */
        }
        ptrace(PTRACE_CONT, p, NULL, (void *)(long)deliver);
    }
    if (dog > 0) {
        kill(dog, SIGKILL);
        waitpid(dog, NULL, 0);
    }
    if (status == -1 || WIFSIGNALED(status)) {
        snprintf(why, whylen, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "timed out after %g s (killed)"
                                                                                   : "the traced child crashed",
                 timeout_s > 0 ? timeout_s : AL_BENCH_DEFAULT_TIMEOUT_S);
        return -1;
    }
    if (WEXITSTATUS(status) == EXIT_NO_FILTER) {
        snprintf(why, whylen, "cannot install the seccomp filter or trace the child here");
        return -1;
    }
    if (WEXITSTATUS(status) != AL_RUN_OK || marks != 2) {
        snprintf(why, whylen, "the counted pass did not complete (status %d)", WEXITSTATUS(status));
        return -1;
    }
    *out = (al_syscall_counts){.counted = true, .iterations = iters, .brk = counts[K_BRK], .mmap = counts[K_MMAP],
                               .munmap = counts[K_MUNMAP], .mremap = counts[K_MREMAP], .madvise = counts[K_MADVISE]};
    return 0;
}
