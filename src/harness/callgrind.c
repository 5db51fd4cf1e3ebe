/* Instruction counts under valgrind --tool=callgrind (--mode instructions).
 *
 * One benchmark is one valgrind process running this very executable in its
 * hidden child mode (callgrind_child.c), which counts only the benchmark's
 * run(iters) call. The counts are meant to repeat exactly from one run to the
 * next for single-threaded workloads, so everything the parent controls is
 * pinned: address-space randomization is off for the child (valgrind lays
 * the program out at fixed addresses anyway; this covers what it does not),
 * the environment is the parent's plus fixed allocator options (see
 * pinned_env), the simulated caches have a fixed geometry, and valgrind runs
 * with a fixed thread schedule (--fair-sched=yes). Threaded workloads still
 * vary a little (measured: a few dozen instructions in millions, and a few
 * cache misses): which thread wins a lock or a free list depends on when
 * valgrind switches threads, and that depends on timing.
 */
#include "callgrind.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ALLOCLAB_VALGRIND_PATH
#define ALLOCLAB_VALGRIND_PATH ""
#endif
#ifndef ALLOCLAB_HAVE_CALLGRIND_H
#define ALLOCLAB_HAVE_CALLGRIND_H 0
#endif

extern char **environ;

/* ----------------------------------------------------------------------------
 * Availability: a valgrind executable and, at build time, the client-request
 * header (without it the child cannot delimit the counted region).
 * ------------------------------------------------------------------------- */
static bool executable(const char *path) { return path && *path && access(path, X_OK) == 0; }

const char *al_callgrind_valgrind_path(char *buf, size_t len)
{
    const char *env = getenv("ALLOCLAB_VALGRIND");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return buf;
    }
    if (executable(ALLOCLAB_VALGRIND_PATH)) {
        snprintf(buf, len, "%s", ALLOCLAB_VALGRIND_PATH);
        return buf;
    }
    const char *path = getenv("PATH");
    if (!path) return NULL;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && (size_t)snprintf(buf, len, "%.*s/valgrind", (int)n, p) < len && executable(buf))
            return buf;
        p += n;
        if (*p == ':') p++;
    }
    return NULL;
}

const char *al_callgrind_unavailable(void)
{
    static __thread char reason[PATH_MAX + 96];
    char path[PATH_MAX];
    const char *vg = al_callgrind_valgrind_path(path, sizeof path);
    if (!vg) return "valgrind not found: instruction counts need it (apt-get install valgrind)";
    if (!executable(vg)) {
        snprintf(reason, sizeof reason, "valgrind not runnable at %s (apt-get install valgrind)", vg);
        return reason;
    }
    if (!ALLOCLAB_HAVE_CALLGRIND_H)
        return "valgrind headers missing at build time (valgrind/callgrind.h): rebuild after "
               "apt-get install valgrind";
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return "instruction counts need a build without sanitizers (valgrind cannot run them)";
#endif
    return NULL;
}

/* ----------------------------------------------------------------------------
 * The child's environment: the parent's, plus allocator options that take
 * the clock out of the allocators' decisions, each set only when the user did
 * not set that variable. Both jemalloc and mimalloc return freed memory to
 * the OS once a delay has passed; how often that happens during the counted
 * region depends on wall time (and valgrind is ~50x slower than native), so
 * two runs differed by thousands of instructions. Here they never return it
 * on a timer. Measured effect on repeatability (malloc-loop, 100 KB blocks):
 * jemalloc varied by ~10 instructions in 333 M, mimalloc (2.0) by ~34 000 in
 * 1.2 G; with these options both repeat exactly.
 * ------------------------------------------------------------------------- */
static const char *const pinned_env[] = {
    "MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1", /* jemalloc (read by its renamed copy only) */
    "MIMALLOC_ALLOW_DECOMMIT=0",                       /* mimalloc 2.0 */
    "MIMALLOC_PURGE_DELAY=-1",                         /* mimalloc 2.1 and later: never purge */
    NULL,
};

/* environ plus the pinned variables not already present; NULL on exhaustion.
 * Only the array is allocated (the strings are environ's and pinned_env's). */
static char **child_env(void)
{
    size_t n = 0;
    while (environ && environ[n]) n++;
    size_t npinned = sizeof pinned_env / sizeof pinned_env[0] - 1;
    char **env = malloc((n + npinned + 1) * sizeof *env);
    if (!env) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) env[k++] = environ[i];
    for (size_t j = 0; j < npinned; j++) {
        size_t name_len = strcspn(pinned_env[j], "=") + 1;
        bool present = false;
        for (size_t i = 0; i < n && !present; i++) present = strncmp(environ[i], pinned_env[j], name_len) == 0;
        if (!present) env[k++] = (char *)pinned_env[j];
    }
    env[k] = NULL;
    return env;
}

/* ----------------------------------------------------------------------------
 * Running valgrind: fork and exec (no shell), output to a log file, waited
 * for with a deadline.
 * ------------------------------------------------------------------------- */
typedef struct run_files {
    char dir[PATH_MAX - 32];
    char out[PATH_MAX], status[PATH_MAX], log[PATH_MAX];
} run_files;

/* A count that runs longer than this is killed and failed: the
 * environment's ALLOCLAB_CALLGRIND_TIMEOUT (seconds), else the caller's,
 * else the harness's default. */
static int timeout_seconds(const al_callgrind_opts *o)
{
    const char *e = getenv("ALLOCLAB_CALLGRIND_TIMEOUT");
    long v = e ? strtol(e, NULL, 10) : 0;
    if (v > 0 && v < 86400) return (int)v;
    double t = o && o->timeout_s > 0 ? o->timeout_s : AL_BENCH_DEFAULT_TIMEOUT_S;
    return t < 1 ? 1 : t > 86400 ? 86400 : (int)ceil(t);
}

/* Wait for pid until the deadline; kill it then. Returns the wait status, -1
 * when it was killed for the timeout, -2 when it could not be waited for
 * (errno says why). */
static int wait_deadline(pid_t pid, int seconds)
{
    struct timespec nap = {0, 1000000};
    double deadline = al_mono_s() + seconds;
    for (;;) {
        int ws;
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid) return ws;
        if (r < 0 && errno != EINTR) return -2;
        if (al_mono_s() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
            return -1;
        }
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 20000000) nap.tv_nsec *= 2; /* 1 ms growing to ~32 ms */
    }
}

/* The line of the log that best says what went wrong: the first non-empty
 * one that is not a valgrind warning (it warns about this machine's caches
 * even when their geometry is given), else the first warning; valgrind's
 * "==pid== " / "--pid-- " prefixes removed. Empty when the log is. */
static void first_log_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    bool have_warning = false;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        if ((p[0] == '=' || p[0] == '-') && p[1] == p[0]) {
            char marker[4] = {p[0], p[0], ' ', '\0'};
            char *q = strstr(p + 2, marker);
            if (q) p = q + 3;
        }
        p[strcspn(p, "\r\n")] = '\0';
        if (!*p) continue;
        bool warning = strncmp(p, "warning:", 8) == 0;
        if (warning && have_warning) continue;
        snprintf(buf, len, "%.*s", (int)(len - 1), p);
        if (!warning) break;
        have_warning = true;
    }
    fclose(f);
}

/* The child's own verdict from its status file: true when the file held one. */
static bool read_status(const char *path, al_run_status *st, char *why, size_t whylen)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[512];
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok || line[0] < '0' || line[0] > '2' || (line[1] != ' ' && line[1] != '\n')) return false;
    *st = (al_run_status)(line[0] - '0');
    char *reason = line[1] == ' ' ? line + 2 : line + 1;
    reason[strcspn(reason, "\r\n")] = '\0';
    snprintf(why, whylen, "%s", reason);
    return true;
}

static void remove_files(const run_files *rf)
{
    unlink(rf->out);
    unlink(rf->status);
    unlink(rf->log);
    rmdir(rf->dir);
}

/* ----------------------------------------------------------------------------
 * One measurement.
 * ------------------------------------------------------------------------- */
al_run_status al_callgrind_measure(const al_bench_item *item, uint64_t iters, const al_callgrind_opts *opts,
                                   double *instructions, double *est_cycles, char *why, size_t whylen)
{
    *instructions = -1;
    *est_cycles = -1;
    if (!item || !item->workload || !item->allocator || iters == 0) {
        snprintf(why, whylen, "nothing to measure (no workload, allocator or iterations)");
        return AL_RUN_FAILED;
    }
    const char *reason = al_callgrind_unavailable();
    if (reason) {
        snprintf(why, whylen, "%s", reason);
        return AL_RUN_UNSUPPORTED;
    }
    char vg[PATH_MAX], exe[PATH_MAX];
    al_callgrind_valgrind_path(vg, sizeof vg);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(why, whylen, "cannot find this executable (/proc/self/exe): %s", strerror(errno));
        return AL_RUN_FAILED;
    }
    exe[n] = '\0';

    run_files rf;
    const char *tmp = getenv("TMPDIR");
    snprintf(rf.dir, sizeof rf.dir, "%s/alloclab-cg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(rf.dir)) {
        snprintf(why, whylen, "cannot create a temporary folder in %s: %s", tmp && *tmp ? tmp : "/tmp",
                 strerror(errno));
        return AL_RUN_FAILED;
    }
    snprintf(rf.out, sizeof rf.out, "%s/cg.out", rf.dir);
    snprintf(rf.status, sizeof rf.status, "%s/status", rf.dir);
    snprintf(rf.log, sizeof rf.log, "%s/valgrind.log", rf.dir);

    char out_opt[PATH_MAX + 32], iters_text[24];
    snprintf(out_opt, sizeof out_opt, "--callgrind-out-file=%s", rf.out);
    snprintf(iters_text, sizeof iters_text, "%" PRIu64, iters);
    /* Instrumentation starts off: the child switches it on for the counted
     * region only. --fair-sched=yes: threads take turns in a fixed order, the
     * closest to repeatable that threaded workloads get. The simulated caches
     * have a fixed geometry (32 KiB 8-way L1s, 8 MiB 16-way LL, 64 B lines),
     * not this machine's, so estimated cycles compare between machines. */
    char *fixed[] = {
        vg, "--tool=callgrind", "-q", "--instr-atstart=no", "--collect-atstart=yes",
        "--cache-sim=yes", "--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64",
        "--fair-sched=yes", out_opt,
    };
    const char *const self[] = {exe, "--callgrind-child", NULL};
    const char *const *child = opts && opts->child && opts->child[0] ? opts->child : self;
    char *tail[] = {(char *)item->workload->name, (char *)(item->param ? item->param : ""),
                    (char *)item->allocator, iters_text, rf.status, NULL};
    size_t nfixed = sizeof fixed / sizeof fixed[0], nchild = 0, ntail = sizeof tail / sizeof tail[0];
    while (child[nchild]) nchild++;
    char **argv = malloc((nfixed + nchild + ntail) * sizeof *argv);
    if (!argv) {
        snprintf(why, whylen, "out of memory");
        rmdir(rf.dir);
        return AL_RUN_FAILED;
    }
    memcpy(argv, fixed, sizeof fixed);
    for (size_t i = 0; i < nchild; i++) argv[nfixed + i] = (char *)child[i];
    memcpy(argv + nfixed + nchild, tail, sizeof tail);
    char exec_error[PATH_MAX + 32];
    int exec_error_len = snprintf(exec_error, sizeof exec_error, "cannot execute %s\n", vg);
    if (exec_error_len < 0 || exec_error_len >= (int)sizeof exec_error) exec_error_len = 0;
    char **envp = child_env();
    int log_fd = open(rf.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    al_run_status st = AL_RUN_FAILED;
    if (!envp || log_fd < 0 || null_fd < 0) {
        snprintf(why, whylen, "cannot prepare the valgrind run: %s", envp ? strerror(errno) : "out of memory");
        goto done;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "cannot start valgrind: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls here: the parent may have threads. */
        int pers = personality(0xffffffff);
        if (pers != -1) personality((unsigned long)pers | ADDR_NO_RANDOMIZE);
        if (dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) _exit(127);
        execve(vg, argv, envp);
        if (write(2, exec_error, (size_t)exec_error_len) < 0) _exit(127);
        _exit(127);
    }
    int seconds = timeout_seconds(opts);
    int ws = wait_deadline(pid, seconds), wait_errno = errno;
    char line[200];
    first_log_line(rf.log, line, sizeof line);
    if (ws == -1) {
        snprintf(why, whylen, "timed out after %d s under callgrind", seconds);
        goto done;
    }
    if (ws == -2) {
        snprintf(why, whylen, "cannot wait for valgrind: %s", strerror(wait_errno));
        goto done;
    }
    if (read_status(rf.status, &st, why, whylen) && st != AL_RUN_OK) goto done;
    st = AL_RUN_FAILED;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        if (WIFSIGNALED(ws))
            snprintf(why, whylen, "valgrind killed by signal %d%s%s", WTERMSIG(ws), line[0] ? ": " : "", line);
        else
            snprintf(why, whylen, "valgrind exited with status %d%s%s", WEXITSTATUS(ws), line[0] ? ": " : "",
                     line[0] ? line : "(no output)");
        goto done;
    }
    if (access(rf.status, F_OK) != 0) {
        snprintf(why, whylen, "the benchmark child reported nothing%s%s", line[0] ? ": " : "", line);
        goto done;
    }
    al_callgrind_totals t;
    if (al_callgrind_parse(rf.out, &t, why, whylen) != 0) goto done;
    al_callgrind_per_iter(&t, iters, instructions, est_cycles);
    st = AL_RUN_OK;
    if (whylen) why[0] = '\0';
done:
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    free(envp);
    free(argv);
    remove_files(&rf);
    return st;
}
