/* One run of a program under `alloclab run`: a child in its own process
 * group, its allocator preloaded, stdin from a file (or /dev/null), stdout
 * into a file (or /dev/null), stderr kept for the failure reason.
 *
 * Guarantees: the wall time runs from just before fork to the moment the
 * child is reaped; user and system time, peak RSS and page faults come from
 * wait4 (the child and the descendants it waited for); past the timeout the
 * whole process group is killed, so a program's own children do not outlive
 * it; a SIGINT or SIGTERM to alloclab while a run is going kills that group
 * too before alloclab dies of the signal. */
#include "run.h"

#include "report_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t running_group; /* the pgid of the run going on, or 0 */

static void on_signal(int sig)
{
    pid_t g = running_group;
    if (g > 0) kill(-g, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The environment of the child: ours, with LD_PRELOAD (the allocator's
 * library first, then whatever was preloaded already) and ALLOCLAB_MALLOC
 * set for the replacement. */
static char **child_env(const al_run_allocator *a, char *preload, size_t plen, char *spec, size_t slen)
{
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env) return NULL;
    size_t k = 0;
    const char *old_preload = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0) old_preload = environ[i] + 11;
        else if (!(a->spec[0] && strncmp(environ[i], "ALLOCLAB_MALLOC=", 16) == 0)) env[k++] = environ[i];
    }
    if (a->preload[0]) {
        snprintf(preload, plen, "LD_PRELOAD=%s%s%s", a->preload, old_preload && *old_preload ? ":" : "",
                 old_preload ? old_preload : "");
        env[k++] = preload;
    } else if (old_preload) {
        snprintf(preload, plen, "LD_PRELOAD=%s", old_preload);
        env[k++] = preload;
    }
    if (a->spec[0]) {
        snprintf(spec, slen, "ALLOCLAB_MALLOC=%s", a->spec);
        env[k++] = spec;
    }
    env[k] = NULL;
    return env;
}

/* The last non-empty line of the file, cleaned, into buf. */
static void last_line(int fd, char *buf, size_t len)
{
    buf[0] = '\0';
    off_t end = lseek(fd, 0, SEEK_END);
    if (end <= 0) return;
    char tail[512];
    off_t from = end > (off_t)sizeof tail - 1 ? end - (off_t)sizeof tail + 1 : 0;
    ssize_t n = pread(fd, tail, (size_t)(end - from), from);
    if (n <= 0) return;
    tail[n] = '\0';
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r')) tail[--n] = '\0';
    char *line = strrchr(tail, '\n');
    al_report_copy_text(buf, len, line ? line + 1 : tail);
}

/* Wait for pid until the deadline (0: none); false when it passed. */
static bool wait_until(pid_t pid, double deadline_ns, int *status, struct rusage *ru)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    for (;;) {
        pid_t w = wait4(pid, status, WNOHANG, ru);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        double left = deadline_ns > 0 ? deadline_ns - now_ns() : -1;
        if (deadline_ns > 0 && left <= 0) {
            if (pidfd >= 0) close(pidfd);
            return false;
        }
        int ms = left < 0 ? 1000 : left / 1e6 > 1000 ? 1000 : (int)(left / 1e6) + 1;
        if (pidfd >= 0) {
            struct pollfd p = {pidfd, POLLIN, 0};
            poll(&p, 1, ms);
        } else {
            struct timespec ts = {0, 200000}; /* no pidfd (old kernel): poll every 0.2 ms */
            nanosleep(&ts, NULL);
        }
    }
    if (pidfd >= 0) close(pidfd);
    return true;
}

int al_run_spawn_once(const al_run_spawn *sp, al_run_sample *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    int in = open(sp->input ? sp->input : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "cannot read %s: %s", sp->input ? sp->input : "/dev/null", strerror(errno));
        return -1;
    }
    int null_out = sp->out_fd < 0 ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
    FILE *errf = tmpfile();
    char preload[4200], spec[128];
    char **env = child_env(sp->alloc, preload, sizeof preload, spec, sizeof spec);
    int out = sp->out_fd >= 0 ? sp->out_fd : null_out;
    if (out < 0 || !errf || !env || (sp->out_fd >= 0 && (ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0))) {
        snprintf(err, errlen, "cannot set up the run: %s", strerror(errno));
        close(in);
        if (null_out >= 0) close(null_out);
        if (errf) fclose(errf);
        free(env);
        return -1;
    }
    static bool handlers;
    if (!handlers) {
        handlers = true;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
    }
    fflush(NULL);
    double t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(fileno(errf), STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execvpe(sp->argv[0], (char *const *)sp->argv, env);
        dprintf(STDERR_FILENO, "alloclab run: cannot execute %s: %s\n", sp->argv[0], strerror(errno));
        _exit(127);
    }
    int rc = 0;
    if (pid < 0) {
        snprintf(err, errlen, "cannot start %s: %s", sp->argv[0], strerror(errno));
        rc = -1;
    } else {
        setpgid(pid, pid); /* also here: no window where a kill of the group misses it */
        running_group = pid;
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        double deadline = sp->timeout_s > 0 ? t0 + sp->timeout_s * 1e9 : 0;
        if (!wait_until(pid, deadline, &s->wait_status, &ru)) {
            s->timed_out = true;
            kill(-pid, SIGKILL);
            wait_until(pid, 0, &s->wait_status, &ru);
        }
        s->wall_ns = now_ns() - t0;
        kill(-pid, SIGKILL); /* what the program left running behind it */
        running_group = 0;
        s->user_ns = ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3;
        s->sys_ns = ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3;
        s->maxrss_kib = ru.ru_maxrss;
        s->minflt = ru.ru_minflt;
        s->majflt = ru.ru_majflt;
        fflush(errf);
        last_line(fileno(errf), s->last_err, sizeof s->last_err);
    }
    close(in);
    if (null_out >= 0) close(null_out);
    fclose(errf);
    free(env);
    return rc;
}
