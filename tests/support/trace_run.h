/* Tracing a program from a test: `alloclab trace [OPTS] -o PATH -- PROG`
 * run through run_cli, its exit status checked, the trace read back. */
#ifndef ALLOCLAB_TEST_TRACE_RUN_H
#define ALLOCLAB_TEST_TRACE_RUN_H

#include "run_cli.h"
#include "trace.h"

/* opts and prog are NULL-terminated (opts may be NULL); the test fails
 * unless alloclab exits with want_exit and the trace reads. */
al_trace *trace_run(cli_run *run, const char *path, const char *const *opts, const char *const *prog, int want_exit);

#endif
