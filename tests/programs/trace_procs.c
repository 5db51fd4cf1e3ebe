/* Process events under the tracer, for test_trace_procs:
 *   trace_procs fork N      the child makes N malloc(24) + free and exits;
 *                           the parent waits, then makes 10 malloc(40) + free
 *   trace_procs execfail N  N malloc(56), an execve of a path that does not
 *                           exist (it fails), N malloc(56) more, all freed;
 *                           exit 3 if the exec did not fail with ENOENT
 *   trace_procs exec N      N malloc(72) + free, then execs itself as
 *                           "trace_procs fork N"
 *   trace_procs wait FILE   50 malloc(88) + free, then writes its pid to
 *                           FILE (the test's sign that it runs) and sleeps
 *                           until a signal ends it
 * Nothing allocates before main: the tracer must start recording in its
 * constructor, not at the first call. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void churn(long n, size_t size)
{
    for (long i = 0; i < n; i++) {
        char *volatile p = malloc(size);
        if (!p) exit(1);
        p[0] = 1;
        free(p);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    long n = atol(argv[2]);
    if (n < 0) return 2;
    if (strcmp(argv[1], "fork") == 0) {
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            churn(n, 24);
            exit(0);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
        churn(10, 40);
        return 0;
    }
    if (strcmp(argv[1], "execfail") == 0) {
        void **v = calloc((size_t)(2 * n), sizeof *v);
        if (!v) return 1;
        for (long i = 0; i < n; i++) v[i] = malloc(56);
        char *args[] = {"/nonexistent/trace_procs", NULL};
        char *env[] = {NULL};
        execve(args[0], args, env);
        if (errno != ENOENT) return 3;
        for (long i = n; i < 2 * n; i++) v[i] = malloc(56);
        for (long i = 0; i < 2 * n; i++) free(v[i]);
        free(v);
        return 0;
    }
    if (strcmp(argv[1], "exec") == 0) {
        churn(n, 72);
        char *args[] = {argv[0], "fork", argv[2], NULL};
        execv("/proc/self/exe", args);
        return 1;
    }
    if (strcmp(argv[1], "wait") == 0) {
        churn(50, 88);
        char tmp[4096], pid[32];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return 1;
        int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (write(fd, pid, (size_t)len) != len || close(fd) != 0 || rename(tmp, argv[2]) != 0) return 1;
        for (;;) pause();
    }
    return 2;
}
