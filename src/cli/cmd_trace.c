/* alloclab trace [-o FILE] [--stacks] [--follow-forks] -- PROGRAM [ARGS...]
 *
 * Runs the program with the recorder (liballoclab-trace.so) preloaded ahead of
 * whatever LD_PRELOAD already holds, so that calls are forwarded to the next
 * allocator (glibc, or a preloaded jemalloc...). The file is made fresh
 * before the program starts; once it has exited, sections of processes that
 * died without closing theirs are repaired, the whole file is read back and
 * checked, and one summary line is printed. The exit status is the
 * program's (128 + N when killed by signal N), or 2 for bad input.
 *
 * Signals: the program runs in a process group of its own (given the
 * terminal when alloclab had it, so that ^C, ^Z and reads from the terminal
 * reach it as before). SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to alloclab
 * are forwarded to that group; alloclab waits for the program, repairs and
 * checks the trace as always, then ends by the same signal. The program is
 * killed if alloclab itself is (PR_SET_PDEATHSIG), so it never outlives it.
 */
#include "cli.h"

#include "tracer_path.h"
#include "trace.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: alloclab trace [-o FILE] [--stacks] [--follow-forks] [--quiet] -- PROGRAM [ARGS...]\n"
    "Records every allocation call of PROGRAM (default file: PROGRAM.trace).\n"
    "  --stacks        record each call's stack (slower; needed for sites in profile)\n"
    "  --follow-forks  record child processes too, each as a section of the same file\n";

/* Make `path` a fresh trace holding only its header (replacing an older
 * trace; any other existing file is refused). */
static int fresh_trace(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        /* A trace of any version, even damaged, may be replaced. */
        unsigned char h[AL_TRACE_HEADER_SIZE];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t k = fd >= 0 ? read(fd, h, sizeof h) : -1;
        uint32_t version;
        bool is_trace = k > 0 && al_trace_file_header_kind(h, (size_t)k, &version) != AL_TRACE_FILE_FOREIGN;
        if (fd >= 0) close(fd);
        if (!S_ISREG(st.st_mode) || (st.st_size > 0 && !is_trace))
            return al_cli_usage_error("%s exists and is not a trace: choose another -o FILE", path);
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        return al_cli_usage_error("-o: path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return al_cli_usage_error("cannot create %s: %s", path, strerror(errno));
    unsigned char h[AL_TRACE_HEADER_SIZE];
    al_tw_file_header(h);
    bool ok = write(fd, h, sizeof h) == (ssize_t)sizeof h;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return al_cli_usage_error("cannot create %s: %s", path, strerror(e));
    }
    return 0;
}

/* ---- running the program ---------------------------------------------------
 * The signals alloclab forwards to the program's process group, noted (the
 * first one) so that alloclab ends by it once the trace is finished. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])
static volatile sig_atomic_t job_pgid, job_signal;

static void on_forwarded(int sig)
{
    if (!job_signal) job_signal = sig;
    if (job_pgid > 0) kill(-job_pgid, sig);
}

typedef struct trace_job {
    struct sigaction old[NFORWARDED];
    bool caught[NFORWARDED]; /* not ignored when alloclab started: ours now */
    int tty;                 /* the terminal alloclab had in the foreground, or -1 */
} trace_job;

static void job_end(trace_job *job);

/* Give the terminal to process group pg (from the background too). */
static void give_terminal(int tty, pid_t pg)
{
    if (tty < 0) return;
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGTTOU, &ign, &old);
    tcsetpgrp(tty, pg);
    sigaction(SIGTTOU, &old, NULL);
}

/* The child: its own process group (and the terminal), the signal
 * dispositions alloclab was started with, the recorder preloaded; then exec. */
static void child_exec(const trace_job *job, char **prog, const char *tracer, const char *abs, bool stacks,
                       bool follow, pid_t parent, const sigset_t *unblocked)
{
    setpgid(0, 0);
    give_terminal(job->tty, getpid());
    for (size_t k = 0; k < NFORWARDED; k++)
        if (job->caught[k]) sigaction(forwarded[k], &job->old[k], NULL);
    sigprocmask(SIG_SETMASK, unblocked, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127); /* alloclab is gone already */
    const char *old = getenv("LD_PRELOAD");
    size_t n = strlen(tracer) + (old ? strlen(old) + 1 : 0) + 1;
    char *pre = malloc(n);
    char root[32];
    if (!pre) _exit(127);
    snprintf(pre, n, "%s%s%s", tracer, old && old[0] ? " " : "", old ? old : "");
    snprintf(root, sizeof root, "%ld", (long)getpid());
    setenv("LD_PRELOAD", pre, 1);
    setenv("ALLOCLAB_TRACE_FILE", abs, 1);
    setenv("ALLOCLAB_TRACE_ROOT", root, 1);
    if (stacks) setenv("ALLOCLAB_TRACE_STACKS", "1", 1);
    else unsetenv("ALLOCLAB_TRACE_STACKS");
    if (follow) setenv("ALLOCLAB_TRACE_FOLLOW", "1", 1);
    else unsetenv("ALLOCLAB_TRACE_FOLLOW");
    execvp(prog[0], prog);
    fprintf(stderr, "alloclab: cannot run %s: %s\n", prog[0], strerror(errno));
    _exit(127);
}

/* Run the program under the recorder and wait for it: its wait status in
 * *status. 0, or -1 (said why) when it could not be started. The forwarding
 * handlers stay until job_end, so that a signal during the repair still
 * lets the trace be finished first. */
static int run_program(trace_job *job, char **prog, const char *tracer, const char *abs, bool stacks, bool follow,
                       int *status)
{
    memset(job, 0, sizeof *job);
    job_pgid = 0;
    job_signal = 0;
    job->tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() ? STDIN_FILENO : -1;
    /* Blocked across the fork: a signal before the child's group exists is
     * forwarded once it does. */
    sigset_t block, saved;
    sigemptyset(&block);
    for (size_t k = 0; k < NFORWARDED; k++) sigaddset(&block, forwarded[k]);
    sigprocmask(SIG_BLOCK, &block, &saved);
    struct sigaction fwd = {.sa_handler = on_forwarded};
    sigemptyset(&fwd.sa_mask);
    for (size_t k = 0; k < NFORWARDED; k++) {
        sigaction(forwarded[k], NULL, &job->old[k]);
        /* A signal alloclab was started ignoring (nohup, a background job)
         * stays ignored, by the program too. */
        job->caught[k] = job->old[k].sa_handler != SIG_IGN;
        if (job->caught[k]) sigaction(forwarded[k], &fwd, NULL);
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) child_exec(job, prog, tracer, abs, stacks, follow, parent, &saved);
    if (pid < 0) {
        int e = errno;
        job_end(job);
        sigprocmask(SIG_SETMASK, &saved, NULL);
        al_cli_usage_error("fork: %s", strerror(e));
        return -1;
    }
    setpgid(pid, pid); /* also here: whichever runs first */
    give_terminal(job->tty, pid);
    job_pgid = pid;
    sigprocmask(SIG_SETMASK, &saved, NULL);
    for (;;) {
        pid_t w = waitpid(pid, status, WUNTRACED);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            *status = 0;
            break;
        }
        if (!WIFSTOPPED(*status)) break;
        /* ^Z: the program stopped; alloclab stops too, like a shell's job,
         * and on resuming (fg) gives it the terminal back and continues it. */
        if (job->tty >= 0) {
            give_terminal(job->tty, getpgrp());
            raise(SIGTSTP);
            if (tcgetpgrp(job->tty) == getpgrp()) give_terminal(job->tty, pid);
        }
        kill(-pid, SIGCONT);
    }
    job_pgid = 0;
    give_terminal(job->tty, getpgrp());
    return 0;
}

/* The trace is finished: the old dispositions back, and a signal that came
 * meanwhile ends alloclab as it would have (after its summary). */
static void job_end(trace_job *job)
{
    int sig = job_signal;
    for (size_t k = 0; k < NFORWARDED; k++)
        if (job->caught[k]) sigaction(forwarded[k], &job->old[k], NULL);
    job_signal = 0;
    if (sig) {
        fflush(NULL);
        raise(sig);
        /* Still here: the old disposition handled it. */
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int al_cmd_trace(int argc, char **argv) { return al_cli_trace_program(argc, argv, NULL); }

int al_cli_trace_program(int argc, char **argv, al_trace **keep)
{
    const char *out = NULL;
    bool stacks = false, follow = false, quiet = false;
    int i = 1;
    for (; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((v = al_cli_option_value(argc, argv, &i, "-o", &missing)) ||
                   (v = al_cli_option_value(argc, argv, &i, "--out", &missing))) {
            if (!v[0]) return al_cli_usage_error("-o needs a file name");
            out = v;
        } else if (missing) {
            return al_cli_usage_error("%s needs a value", argv[i]);
        } else if (strcmp(argv[i], "--stacks") == 0) {
            stacks = true;
        } else if (strcmp(argv[i], "--follow-forks") == 0) {
            follow = true;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-') {
            return al_cli_usage_error("trace: unknown option '%s' (alloclab trace --help)", argv[i]);
        } else {
            break; /* the program, without "--" */
        }
    }
    if (i >= argc) return al_cli_usage_error("trace: no program given (alloclab trace -- PROGRAM [ARGS...])");
#if !ALLOCLAB_HAVE_LIBUNWIND
    if (stacks) return al_cli_usage_error("--stacks: this build has no libunwind (apt-get install libunwind-dev)");
#endif
    char **prog = argv + i;
    char defname[PATH_MAX];
    if (!out) {
        const char *base = strrchr(prog[0], '/');
        snprintf(defname, sizeof defname, "%s.trace", base ? base + 1 : prog[0]);
        out = defname;
    }
    char tracer[PATH_MAX];
    if (al_tracer_path(tracer, sizeof tracer) != 0)
        return al_cli_usage_error("cannot find liballoclab-trace.so (set ALLOCLAB_TRACER to its path)");
    int rc = fresh_trace(out);
    if (rc != 0) return rc;
    char abs[PATH_MAX];
    if (!realpath(out, abs)) return al_cli_usage_error("%s: %s", out, strerror(errno));

    fflush(NULL);
    double t0 = now_s();
    int status = 0;
    trace_job job;
    if (run_program(&job, prog, tracer, abs, stacks, follow, &status) != 0) return 2;
    double elapsed = now_s() - t0;
    int prog_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    char err[512];
    int repaired = 0;
    if (al_trace_repair(abs, status, &repaired, err, sizeof err) != 0) {
        fprintf(stderr, "alloclab: %s\n", err);
        job_end(&job);
        return 2;
    }
    al_trace *t = al_trace_read(abs, err, sizeof err);
    if (!t) {
        fprintf(stderr, "alloclab: %s\n", err);
        job_end(&job);
        return 2;
    }
    if (!quiet) {
        fprintf(stderr, "alloclab trace: %zu calls, %zu thread%s, %zu process%s in %.2f s -> %s (%llu bytes, %.2f bytes per call)\n",
                t->nevents, t->nthreads, t->nthreads == 1 ? "" : "s", t->nsections, t->nsections == 1 ? "" : "es",
                elapsed, out, (unsigned long long)t->file_bytes,
                t->nevents ? (double)t->file_bytes / (double)t->nevents : 0.0);
        if (repaired)
            fprintf(stderr, "alloclab trace: %d process%s ended without closing its trace (%s): its last buffered calls are lost\n",
                    repaired, repaired == 1 ? "" : "es",
                    WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited without running destructors");
    }
    if (keep)
        *keep = t;
    else
        al_trace_free(t);
    job_end(&job);
    return prog_rc;
}
