/* alloclab tests — running a piece of a test in a child process whose
 * stderr is captured: for what must crash, abort or be reported by a
 * checker without taking the test down. */
#ifndef ALLOCLAB_TESTS_CHILD_H
#define ALLOCLAB_TESTS_CHILD_H

#include <stddef.h>

/* Fork; in the child, stderr goes to a pipe and body(ctx) runs, then the
 * child exits 0. The first len - 1 bytes of its stderr go to out (NUL
 * terminated), the rest is drained. Returns the child's wait status. */
int child_stderr(void (*body)(void *ctx), void *ctx, char *out, size_t len);

#endif
