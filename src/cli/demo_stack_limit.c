/* alloclab demo stack-limit: what the stack limit means for a big local array.
 *
 * The main thread's stack grows on demand up to RLIMIT_STACK (8 MiB by
 * default on Linux). An array larger than that, placed on the stack, makes
 * the process die of SIGSEGV when it is touched. The demo does this in a
 * forked child, so alloclab itself never crashes, and reports how the child
 * ended. */
#include "cli.h"
#include "demos.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { DEFAULT_MIB = 16, MAX_MIB = 1024 };
#define MIB ((rlim_t)1 << 20)

/* ---- formatting limits ----------------------------------------------------
 * "unlimited" for RLIM_INFINITY, otherwise the value in the largest unit
 * that divides it exactly: MiB, KiB, or bytes. */
static const char *limit_str(rlim_t v, char *buf, size_t len)
{
    if (v == RLIM_INFINITY) snprintf(buf, len, "unlimited");
    else if (v % MIB == 0) snprintf(buf, len, "%llu MiB", (unsigned long long)(v / MIB));
    else if (v % 1024 == 0) snprintf(buf, len, "%llu KiB", (unsigned long long)(v / 1024));
    else snprintf(buf, len, "%llu bytes", (unsigned long long)v);
    return buf;
}

/* ---- arguments ------------------------------------------------------------
 * `[--size MiB]` or `[--size=MiB]`, MiB a whole number in 1..MAX_MIB.
 * Returns 0 and sets *mib, or the usage error's status (2). */
static int parse_args(int argc, char **argv, unsigned long *mib)
{
    *mib = DEFAULT_MIB;
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (strcmp(argv[i], "--size") == 0) {
            if (i + 1 >= argc) return al_cli_usage_error("--size needs a value in MiB");
            val = argv[++i];
        } else if (strncmp(argv[i], "--size=", 7) == 0) {
            val = argv[i] + 7;
        } else {
            return al_cli_usage_error("stack-limit: unknown argument '%s' (usage: stack-limit [--size MiB])",
                                      argv[i]);
        }
        char *end;
        errno = 0;
        unsigned long v = strtoul(val, &end, 10);
        if (val[0] < '0' || val[0] > '9' || *end != '\0' || errno || v == 0 || v > MAX_MIB)
            return al_cli_usage_error("--size: '%s' is not a whole number of MiB in 1..%d", val, MAX_MIB);
        *mib = v;
    }
    return 0;
}

/* ---- the child ------------------------------------------------------------
 * Places `bytes` on the stack as a volatile array and writes one byte per
 * page, from the top (nearest the caller) down, so the stack grows page by
 * page as a real deep frame would. Runs with the default SIGSEGV action and
 * no core file, so an overflow ends the child by the signal. Never returns. */
static volatile char stack_sink; /* the array is read back into it */

static __attribute__((noinline)) void fill_stack(size_t bytes)
{
    volatile char block[bytes];
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t i = bytes; i > 0;) {
        i = i > page ? i - page : 0;
        block[i] = (char)i;
    }
    stack_sink = block[0];
}

static __attribute__((noreturn)) void child_main(size_t bytes)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    fill_stack(bytes);
    _exit(0);
}

/* ---- the report -----------------------------------------------------------
 * One line per way the child can end; every way is a successful demo. */
static void report(int status, unsigned long mib, const char *cur)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        printf("the child used %lu MiB of stack without trouble (the limit is %s)\n", mib, cur);
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
        printf("the child was killed by SIGSEGV (stack overflow): %lu MiB does not fit under the "
               "%s limit\n", mib, cur);
    else if (WIFSIGNALED(status))
        printf("the child was killed by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        printf("the child died: exit status %d before finishing the array (a sanitizer's SIGSEGV "
               "handler reports a stack overflow on stderr and exits this way)\n", WEXITSTATUS(status));
}

int al_demo_stack_limit(int argc, char **argv)
{
    unsigned long mib;
    int bad = parse_args(argc, argv, &mib);
    if (bad) return bad;

    struct rlimit lim;
    if (getrlimit(RLIMIT_STACK, &lim) != 0) {
        fprintf(stderr, "alloclab: getrlimit(RLIMIT_STACK): %s\n", strerror(errno));
        return 1;
    }
    char cur[48], max[48];
    limit_str(lim.rlim_cur, cur, sizeof cur);
    limit_str(lim.rlim_max, max, sizeof max);
    printf("stack limit (RLIMIT_STACK): current %s, maximum %s\n", cur, max);
    printf("placing a %lu MiB array on the stack of a child process...\n", mib);
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "alloclab: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) child_main((size_t)mib * MIB);

    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "alloclab: waitpid: %s\n", strerror(errno));
            return 1;
        }
    }
    report(status, mib, cur);
    return 0;
}
