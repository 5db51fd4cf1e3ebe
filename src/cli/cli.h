/* The alloclab command: one function per subcommand.
 * Each returns the process exit status: 0 success, 1 a failed check or run,
 * 2 bad input (after printing one line "alloclab: ..." to stderr). */
#ifndef ALLOCLAB_CLI_H
#define ALLOCLAB_CLI_H

#include <stdbool.h>
#include <stdio.h>

int al_cmd_list(int argc, char **argv);
int al_cmd_demo(int argc, char **argv);
int al_cmd_bench(int argc, char **argv);
int al_cmd_compare(int argc, char **argv);
int al_cmd_history(int argc, char **argv);

int al_cmd_show(int argc, char **argv);

/* The value of --name VALUE or --name=VALUE at argv[*i] (advancing *i past
 * a separate value); NULL when argv[*i] is another option, or when the value
 * is missing (then *missing is set). */
const char *al_cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing);

/* The report format --format NAME names (from the reports' table; html
 * only when files is true), or NULL after the usage error "--format: 'x' is
 * not table, json, csv or markdown" (*status = 2). */
struct al_report_format;
const struct al_report_format *al_cli_format(const char *name, bool files, int *status);

/* Print "alloclab: <message>" on stderr and return 2. */
int al_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
