/* The alloclab command: one function per subcommand.
 * Each returns the process exit status: 0 success, 1 a failed check or run,
 * 2 bad input (after printing one line "alloclab: ..." to stderr). */
#ifndef ALLOCLAB_CLI_H
#define ALLOCLAB_CLI_H

#include "history.h"

#include <stdbool.h>
#include <stdio.h>

int al_cmd_list(int argc, char **argv);
int al_cmd_demo(int argc, char **argv);
int al_cmd_bench(int argc, char **argv);
int al_cmd_compare(int argc, char **argv);
int al_cmd_history(int argc, char **argv);

int al_cmd_show(int argc, char **argv);
int al_cmd_run(int argc, char **argv);
int al_cmd_trace(int argc, char **argv);
int al_cmd_profile(int argc, char **argv);
int al_cmd_replay(int argc, char **argv);
int al_cmd_recommend(int argc, char **argv);

/* The value of --name VALUE or --name=VALUE at argv[*i] (advancing *i past
 * a separate value); NULL when argv[*i] is another option, or when the value
 * is missing (then *missing is set). */
const char *al_cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing);

/* The options every history command shares, at argv[*i]: -h/--help prints
 * usage and sets *done; --db PATH sets *db. True when argv[*i] was one of
 * them (or --db lacked its value: *missing). */
bool al_cli_history_option(int argc, char **argv, int *i, const char *usage, const char **db, bool *missing,
                           bool *done);

/* The report format --format NAME names (from the reports' table; html
 * only when files is true), or NULL after the usage error "--format: 'x' is
 * not table, json, csv or markdown" (*status = 2). */
struct al_report_format;
const struct al_report_format *al_cli_format(const char *name, bool files, int *status);

/* ----------------------------------------------------------------------------
 * The commands that measure (cli_measure.c): report files opened before the
 * measurement, written after it; the history likewise.
 * ------------------------------------------------------------------------- */
struct al_bench_run;

struct al_report_format;
typedef struct al_cli_out {
    const char *opt;        /* the option that named it, for messages */
    const char *path;
    const struct al_report_format *format; /* what is written into it */
    FILE *f;
    bool created;           /* did not exist before: removed if the command gives up */
} al_cli_out;

/* Open (not truncate) of->path for a later report: 0, or a usage error's 2. */
int al_cli_out_open(al_cli_out *of);
/* Give up on it: closed, and removed if this command created it. */
void al_cli_out_abandon(al_cli_out *of);
/* Write the run into it in of->format: 0, or 1 after a warning line. */
int al_cli_out_write(al_cli_out *of, const struct al_bench_run *run);
/* Open the history a run will be stored in (created if needed; refused when
 * foreign, corrupt, locked too long or read-only): 0, or a usage error's 2. */
int al_cli_history_open(const char *path, al_history **h);
/* Store the finished run: 0 ("stored as run N" unless quiet), or 1 after
 * one line saying it was not stored and why. */
int al_cli_history_save(const char *path, al_history *h, struct al_bench_run *run, bool quiet);

/* One subcommand: its name, entry point and one-line summary (main.c's
 * table, which --help and the manual page list). */
typedef struct al_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} al_cli_command;

/* The manual page (roff) from the command table and each command's own
 * --help text (manpage.c): 0, or 1 when a command printed no help. */
int al_cli_manpage(FILE *out, const al_cli_command *cmds, size_t n, const char *version);

/* Print "alloclab: <message>" on stderr and return 2. */
int al_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
