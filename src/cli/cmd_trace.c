/* alloclab trace [-o FILE] [--stacks] [--follow-forks] -- PROGRAM [ARGS...]
 *
 * Runs the program with the recorder (liballoclab-trace.so) preloaded ahead of
 * whatever LD_PRELOAD already holds, so that calls are forwarded to the next
 * allocator (glibc, or a preloaded jemalloc...). The file is made fresh
 * before the program starts; once it has exited, sections of processes that
 * died without closing theirs are repaired, the whole file is read back and
 * checked, and one summary line is printed. The exit status is the
 * program's (128 + N when killed by signal N), or 2 for bad input.
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
        char err[256];
        unsigned char h[AL_TRACE_HEADER_SIZE];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        bool is_trace = fd >= 0 && read(fd, h, sizeof h) == (ssize_t)sizeof h && memcmp(h, AL_TRACE_MAGIC, 8) == 0;
        if (fd >= 0) close(fd);
        (void)err;
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
    pid_t pid = fork();
    if (pid < 0) return al_cli_usage_error("fork: %s", strerror(errno));
    if (pid == 0) {
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
    /* Like system(): the terminal's ^C is for the program; we repair after. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    double elapsed = now_s() - t0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    int prog_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        /* Could not be run at all (the child said why), or the program's own 127. */
    }

    char err[512];
    int repaired = 0;
    if (al_trace_repair(abs, status, &repaired, err, sizeof err) != 0) {
        fprintf(stderr, "alloclab: %s\n", err);
        return 2;
    }
    al_trace *t = al_trace_read(abs, err, sizeof err);
    if (!t) {
        fprintf(stderr, "alloclab: %s\n", err);
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
    return prog_rc;
}
