/* Running a test body in a child with its stderr captured (see child.h). */
#include "child.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int child_stderr(void (*body)(void *ctx), void *ctx, char *out, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        body(ctx);
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < len && (r = read(fds[0], out + got, len - 1 - got)) > 0) got += (size_t)r;
    if (len) out[got] = '\0';
    char sink[4096];
    while (read(fds[0], sink, sizeof sink) > 0) {
    }
    close(fds[0]);
    int st = -1;
    while (waitpid(pid, &st, 0) < 0) {
    }
    return st;
}
