/* alloclab demo static-pool: a line read into a fixed static pool.
 *
 * The talk's version reads a line into memory carved from a static array and
 * overflows it when the line is too long. Here the pool is the same 32-byte
 * static array, but the read is bounded by it: a line that does not fit is
 * refused with one line on stderr and exit status 1. */
#include "cli.h"
#include "demos.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- the pool -------------------------------------------------------------
 * 32 bytes of static storage (.bss), the only memory the line is ever
 * written to. A line fits when it has at most POOL_SIZE - 1 bytes, leaving
 * room for its terminating NUL. */
enum { POOL_SIZE = 32 };
static char pool[POOL_SIZE];

/* ---- bounded reading ------------------------------------------------------
 * stdin is read with read(2), one byte at a time: no stdio buffer on the
 * heap, and nothing beyond the line (plus at most one byte) is consumed.
 * At most POOL_SIZE - 1 bytes are stored; one more byte is then read to
 * tell "exactly full" from "too long". */
typedef enum { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_ERROR } line_status;

/* One byte from fd 0: 1 read, 0 end of input, -1 error (errno set). */
static int read_byte(char *c)
{
    for (;;) {
        ssize_t n = read(STDIN_FILENO, c, 1);
        if (n >= 0) return (int)n;
        if (errno != EINTR) return -1;
    }
}

/* Fill pool with one line (without its '\n') and NUL-terminate it; *len is
 * its length. LINE_EOF: input ended before any byte. */
static line_status read_line_into_pool(size_t *len)
{
    size_t n = 0;
    char c;
    int r;
    while ((r = read_byte(&c)) == 1 && c != '\n') {
        if (n == POOL_SIZE - 1) return LINE_TOO_LONG; /* c would be byte POOL_SIZE */
        pool[n++] = c;
    }
    if (r < 0) return LINE_ERROR;
    pool[n] = '\0';
    *len = n;
    return (r == 0 && n == 0) ? LINE_EOF : LINE_OK;
}

/* ---- the demo -------------------------------------------------------------
 * Exit 0 with "You entered: LINE" on stdout; exit 1 with one line on stderr
 * for no input, an empty line, a line too long or a read error. */
int al_demo_static_pool(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("static-pool takes no arguments (it reads one line from stdin)");
    size_t len = 0;
    /* On a terminal, say what to type (a pipe gets no prompt: its output
     * stays the one line a script reads). */
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        printf("Type a line of at most %d characters for the %d-byte static pool: ", POOL_SIZE - 1, POOL_SIZE);
        fflush(stdout);
    }
    switch (read_line_into_pool(&len)) {
    case LINE_EOF:
        fprintf(stderr, "alloclab: no input: stdin ended before a line (type at most %d characters)\n",
                POOL_SIZE - 1);
        return 1;
    case LINE_TOO_LONG:
        fprintf(stderr, "alloclab: input too long for the %d-byte static pool: at most %d characters + NUL; "
                "refused, nothing written past the pool\n", POOL_SIZE, POOL_SIZE - 1);
        return 1;
    case LINE_ERROR:
        fprintf(stderr, "alloclab: cannot read stdin: %s\n", strerror(errno));
        return 1;
    case LINE_OK:
        break;
    }
    if (len == 0) {
        fprintf(stderr, "alloclab: empty line: nothing to store in the pool\n");
        return 1;
    }
    fputs("You entered: ", stdout);
    fwrite(pool, 1, len, stdout);
    printf("\n(%zu of the static pool's %d bytes used, NUL included)\n", len + 1, POOL_SIZE);
    return 0;
}
