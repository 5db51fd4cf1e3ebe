/* The alloclab command: one function per subcommand.
 * Each returns the process exit status: 0 success, 1 a failed check or run,
 * 2 bad input (after printing one line "alloclab: ..." to stderr). */
#ifndef ALLOCLAB_CLI_H
#define ALLOCLAB_CLI_H

#include "harness.h"
#include "history.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

int al_cmd_list(int argc, char **argv);
int al_cmd_demo(int argc, char **argv);
int al_cmd_bench(int argc, char **argv);
/* A step al_cmd_bench takes on the finished run before it reports and
 * stores it (replay adds the sum over a trace's processes), with the run's
 * configuration; NULL: none. The table is then printed whole at the end. */
struct al_bench_run;
struct al_bench_config;
typedef void (*al_cli_bench_finish_fn)(struct al_bench_run *run, const struct al_bench_config *cfg, void *ctx);
void al_cli_bench_set_finish(al_cli_bench_finish_fn fn, void *ctx);
int al_cmd_compare(int argc, char **argv);
int al_cmd_history(int argc, char **argv);

int al_cmd_show(int argc, char **argv);
int al_cmd_run(int argc, char **argv);
int al_cmd_trace(int argc, char **argv);
/* al_cmd_trace, and the trace it read back to check it in *keep (when not
 * NULL and the file could be read; the caller frees it), so that a caller
 * that goes on with the trace reads it once. */
struct al_trace;
int al_cli_trace_program(int argc, char **argv, struct al_trace **keep);
int al_cmd_profile(int argc, char **argv);
int al_cmd_replay(int argc, char **argv);
int al_cmd_recommend(int argc, char **argv);

/* The value of --name VALUE or --name=VALUE at argv[*i] (advancing *i past
 * a separate value); NULL when argv[*i] is another option, or when the value
 * is missing (then *missing is set). */
const char *al_cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing);

/* A command's own options: called with argv[*i] starting with '-' (and not
 * a shared argument). Returns AL_CLI_OWN_TAKEN (0) when it took the option
 * (and its value, advancing *i), AL_CLI_OWN_UNKNOWN when it is not one of
 * its own (*missing set when it was but lacked its value), or 2 after a
 * usage error: so a value parser's own 0-or-2 can be returned as it is. */
enum { AL_CLI_OWN_TAKEN = 0, AL_CLI_OWN_UNKNOWN = -1 };
typedef int (*al_cli_own_option)(void *ctx, int argc, char **argv, int *i, bool *missing);

/* One command's arguments, for al_cli_parse. */
typedef struct al_cli_parser {
    const char *cmd;          /* "show": for messages */
    const char *usage;        /* printed by -h/--help */
    const char **db;          /* not NULL: --db PATH is taken into *db (the history commands) */
    al_cli_own_option option; /* the command's own options (NULL: none) */
    void *ctx;                /* option's first argument */
    const char **operands;    /* where the operands go */
    size_t max_operands, *noperands;
    const char *too_many;     /* the message past max_operands: "show takes one run" */
} al_cli_parser;

/* The one argument loop of the commands that take options and operands:
 * -h/--help prints usage (status 0); options go to p->option (after --db),
 * one that nobody takes is "CMD: unknown option 'X' (alloclab CMD --help)"
 * and one that lacks its value "X needs a value"; anything else (a lone "-"
 * included, as for any POSIX tool) is an operand. -1 to go on, else the
 * status to exit with (0 after --help, 2 after one line on stderr). */
int al_cli_parse(int argc, char **argv, const al_cli_parser *p);

/* --mode time|instructions: 0 with *mode set, or 2 after the usage error
 * "--mode: 'x' is not time or instructions". */
int al_cli_mode(const char *arg, al_bench_mode *mode);

/* A whole number from lo to hi for option opt: 0 with *out set, or 2 after
 * "OPT: 'x' is not a whole number from LO to HI". */
int al_cli_count(const char *opt, const char *arg, long lo, long hi, size_t *out);

/* Split a comma-separated list: *buf (freed first, the caller frees it at
 * the end) holds the items, v[0..*n) point into it; every item non-empty, at
 * most max of them. 0, or 2 after a usage error naming opt. */
int al_cli_split_list(const char *opt, const char *arg, char **buf, const char **v, size_t max, size_t *n);

/* Whether bench's option opt (without "=value") takes a value: what a
 * command passing options on to bench takes along with them. */
bool al_cli_bench_takes_value(const char *opt);

/* The command valgrind runs for an instruction count (this executable's
 * hidden `bench --callgrind-child`) in argv3[0..3], exe holding the path;
 * NULL when /proc/self/exe cannot be read. */
const char *const *al_cli_callgrind_child(char *exe, size_t len, const char **argv3);

/* ----------------------------------------------------------------------------
 * The commands that read one trace (cli_trace.c): profile, replay, recommend.
 * ------------------------------------------------------------------------- */
struct al_replay_set;
struct al_trace;
struct al_profile;

typedef struct al_cli_trace_args {
    const char *cmd;   /* "profile": for messages */
    const char *usage; /* printed by -h/--help */
    bool takes_touch;  /* --touch ends|pages */
    const char *file;  /* the operand */
    const char *touch; /* "ends" (default) or "pages" */
    char abs[PATH_MAX]; /* file's absolute path (file itself when it has none) */
} al_cli_trace_args;


/* Parse the arguments (a->cmd, a->usage, a->takes_touch set by the caller):
 * -1 to go on with a->file, a->abs and a->touch set, else the status to exit
 * with (0 after --help, 2 after one line on a mistake). */
int al_cli_trace_parse(int argc, char **argv, al_cli_trace_args *a, al_cli_own_option own, void *ctx);

/* Load the trace and register its replay plans, one per process (*set,
 * freed by the caller after the run; *keep the trace when keep is not
 * NULL), apply and export the touch mode and the trace's path for the
 * harness's children, and name the workload to run in entry ("replay/NAME"
 * for one process, "replay" for every process of several). 0, or 2 after
 * one line. */
int al_cli_replay_prepare(const al_cli_trace_args *a, struct al_replay_set *set, struct al_trace **keep,
                          char *entry, size_t entrylen);
/* The same for a trace of a->abs already read (taken: *keep gets it, or it
 * is freed). */
int al_cli_replay_prepare_read(const al_cli_trace_args *a, struct al_trace *t, struct al_replay_set *set,
                               struct al_trace **keep, char *entry, size_t entrylen);

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
 * one line saying it was not stored, why, and the JSON report it was kept
 * in instead (al_cli_keep_unsaved). */
int al_cli_history_save(const char *path, al_history *h, struct al_bench_run *run, bool quiet);
/* Keep a run the history at db_path did not take as a JSON report
 * (cli_unsaved.c): beside the database, else in $TMPDIR, else /tmp, under a
 * fresh name, written atomically. 0 with its path in out; -1 with each
 * folder's reason in why. */
int al_cli_keep_unsaved(const char *db_path, const struct al_bench_run *run, char *out, size_t outlen, char *why,
                        size_t whylen);

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
