/* The alloclab command: one function per subcommand.
 * Each returns the process exit status: 0 success, 1 a failed check or run,
 * 2 bad input (after printing one line "alloclab: ..." to stderr). */
#ifndef ALLOCLAB_CLI_H
#define ALLOCLAB_CLI_H

int al_cmd_list(int argc, char **argv);
int al_cmd_demo(int argc, char **argv);
int al_cmd_bench(int argc, char **argv);
int al_cmd_compare(int argc, char **argv);
int al_cmd_history(int argc, char **argv);

/* Print "alloclab: <message>" on stderr and return 2. */
int al_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
