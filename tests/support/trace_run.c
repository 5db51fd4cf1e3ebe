/* Tracing a program from a test (see trace_run.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "trace_run.h"

al_trace *trace_run(cli_run *run, const char *path, const char *const *opts, const char *const *prog, int want_exit)
{
    const char *args[48];
    size_t n = 0;
    args[n++] = "trace";
    for (size_t i = 0; opts && opts[i] && n < 8; i++) args[n++] = opts[i];
    args[n++] = "-o";
    args[n++] = path;
    args[n++] = "--";
    for (size_t i = 0; prog[i] && n < 47; i++) args[n++] = prog[i];
    args[n] = NULL;
    assert_int_equal(cli_run_args(run, NULL, CLI_KEEP_STACK, args), 0);
    if (cli_exit_code(run) != want_exit) fail_msg("%s: exit %d: %s", prog[0], cli_exit_code(run), run->err);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s: %s", path, err);
    return t;
}
