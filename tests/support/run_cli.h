/* Running the built alloclab binary (ALLOCLAB_CLI) from a test: arguments,
 * stdin through a pipe, an optional stack limit, stdout and stderr captured. */
#ifndef ALLOCLAB_TEST_RUN_CLI_H
#define ALLOCLAB_TEST_RUN_CLI_H

#include <stddef.h>
#include <sys/resource.h>

enum { CLI_CAPTURE = 16384 };

/* What one run produced. out/err hold the first CLI_CAPTURE - 1 bytes of
 * each stream, NUL-terminated. */
typedef struct cli_run {
    int status;                /* the raw wait status */
    char out[CLI_CAPTURE];     /* stdout */
    size_t out_len;
    char err[CLI_CAPTURE];     /* stderr */
    size_t err_len;
} cli_run;

/* Leave RLIMIT_STACK as the test process has it. */
#define CLI_KEEP_STACK ((rlim_t)0)

/* Run ALLOCLAB_CLI with args (NULL-terminated, argv[0] not included).
 * input: written to its stdin, which is then closed (NULL: stdin is empty).
 * stack: CLI_KEEP_STACK, or the soft RLIMIT_STACK (bytes or RLIM_INFINITY)
 * set in the child before exec. Returns 0, or -1 when the run could not be
 * set up (pipe, fork or temporary files failed). */
int cli_run_args(cli_run *r, const char *input, rlim_t stack, const char *const *args);

/* cli_run_args with the arguments listed inline. */
#define CLI_RUN(r, input, stack, ...) \
    cli_run_args((r), (input), (stack), (const char *const[]){__VA_ARGS__, NULL})

/* In a child about to exec the CLI under LeakSanitizer: turn off the
 * summary of used suppressions it would add on stderr (not the command's
 * output); LSAN_OPTIONS keeps what it had. A no-op effect elsewhere. */
void cli_child_quiet_lsan(void);

/* The exit status, or -1 when the process ended by a signal. */
int cli_exit_code(const cli_run *r);

/* Number of '\n'-terminated lines in s. */
size_t cli_count_lines(const char *s);

/* The line of s that contains needle, copied into buf (without '\n');
 * NULL when no line does. */
const char *cli_line_with(const char *s, const char *needle, char *buf, size_t len);

#endif
