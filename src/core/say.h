/* One diagnostic line on stderr from code that runs inside other programs
 * (the malloc replacement, the tracer), where stdio's buffers and locks may
 * be in use by the very call being served.
 *
 * Guarantees: the line is formatted into a buffer on the stack (cut at 511
 * bytes) and written by one write(2), so it never allocates through malloc,
 * never takes a stdio lock, and does not interleave with another process's
 * lines on a pipe; errno is as it was, so a diagnostic never changes what
 * the program's own call reports. A failed write is dropped: there is
 * nowhere else to report it. lab, which may not even call vsnprintf, builds
 * its few lines by hand (src/lab/options.c, os.c). */
#ifndef ALLOCLAB_SAY_H
#define ALLOCLAB_SAY_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2), unused)) static void al_say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    int saved = errno;
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
    errno = saved;
}

#endif
