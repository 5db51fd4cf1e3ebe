/* Running the built alloclab binary from a test (see run_cli.h).
 *
 * stdout and stderr go to temporary files, so a chatty child never blocks
 * on a full pipe; stdin is a pipe the parent fills and closes (inputs in
 * tests are far below the pipe's capacity; a child exiting early makes the
 * write fail with EPIPE, which is ignored). */
#include "run_cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    return n;
}

static __attribute__((noreturn)) void child(int in_fd, int out_fd, int err_fd, rlim_t stack,
                                            const char *const *args)
{
    dup2(in_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    signal(SIGPIPE, SIG_DFL);
    if (stack != CLI_KEEP_STACK) {
        struct rlimit lim;
        getrlimit(RLIMIT_STACK, &lim);
        lim.rlim_cur = stack;
        if (setrlimit(RLIMIT_STACK, &lim) != 0) {
            dprintf(STDERR_FILENO, "run_cli: setrlimit(RLIMIT_STACK): %s\n", strerror(errno));
            _exit(126);
        }
    }
    size_t n = 0;
    while (args[n]) n++;
    char *argv[n + 2];
    argv[0] = (char *)ALLOCLAB_CLI;
    for (size_t i = 0; i < n; i++) argv[i + 1] = (char *)args[i];
    argv[n + 1] = NULL;
    execv(ALLOCLAB_CLI, argv);
    dprintf(STDERR_FILENO, "run_cli: exec %s: %s\n", ALLOCLAB_CLI, strerror(errno));
    _exit(127);
}

int cli_run_args(cli_run *r, const char *input, rlim_t stack, const char *const *args)
{
    int in[2];
    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err || pipe(in) != 0) {
        if (out) fclose(out);
        if (err) fclose(err);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(in[1]);
        child(in[0], fileno(out), fileno(err), stack, args);
    }
    close(in[0]);
    if (pid > 0 && input) {
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        size_t left = strlen(input);
        while (left > 0) {
            ssize_t w = write(in[1], input, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            input += w;
            left -= (size_t)w;
        }
        signal(SIGPIPE, old);
    }
    close(in[1]);
    int rc = -1;
    if (pid > 0) {
        while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR) {}
        r->out_len = slurp(out, r->out, sizeof r->out);
        r->err_len = slurp(err, r->err, sizeof r->err);
        rc = 0;
    }
    fclose(out);
    fclose(err);
    return rc;
}

int cli_exit_code(const cli_run *r)
{
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

size_t cli_count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

const char *cli_line_with(const char *s, const char *needle, char *buf, size_t len)
{
    const char *hit = strstr(s, needle);
    if (!hit || len == 0) return NULL;
    const char *start = hit;
    while (start > s && start[-1] != '\n') start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= len) n = len - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

void cli_child_quiet_lsan(void)
{
    char lsan[512];
    const char *prev = getenv("LSAN_OPTIONS");
    snprintf(lsan, sizeof lsan, "%s%sprint_suppressions=0", prev ? prev : "", prev && *prev ? ":" : "");
    setenv("LSAN_OPTIONS", lsan, 1);
}
