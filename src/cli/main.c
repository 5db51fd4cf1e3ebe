/* alloclab: the command-line entry point and subcommand dispatch. */
#include "cli.h"

#include "replay.h"
#include "runner.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const al_cli_command commands[] = {
    {"list", al_cmd_list, "the allocators and wrappers, with availability and capabilities"},
    {"demo", al_cmd_demo, "the talk's examples (alloclab demo for the list)"},
    {"bench", al_cmd_bench, "run the benchmark suite (alloclab bench --help)"},
    {"compare", al_cmd_compare, "verdicts between two stored runs: compare [BASE [NEW]]"},
    {"show", al_cmd_show, "a stored run or JSON report again, in any format: show [RUN] --html FILE"},
    {"history", al_cmd_history, "one benchmark's median over the stored runs: history BENCH"},
    {"run", al_cmd_run, "a whole program timed under each allocator: run [OPTIONS] -- PROGRAM [ARGS]"},
    {"trace", al_cmd_trace, "record a program's allocations: trace [-o FILE] -- PROGRAM [ARGS...]"},
    {"profile", al_cmd_profile, "read a trace like heaptrack_print: profile FILE [--html PAGE]"},
    {"replay", al_cmd_replay, "replay a trace on every allocator: replay FILE [--allocators LIST]"},
    {"recommend", al_cmd_recommend, "the allocator for a traced program, with the evidence: recommend FILE"},
};

int al_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("alloclab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: alloclab COMMAND [ARGS]    (alloclab --version)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
}

/* A command that succeeded but whose output did not all reach stdout (a full
 * disk, a closed pipe) has failed: status 1 and one line on stderr. A command
 * that already failed has said so; its status stands. */
static int check_stdout(int rc)
{
    errno = 0;
    bool flush_failed = fflush(stdout) != 0;
    if (rc != 0 || (!flush_failed && !ferror(stdout))) return rc;
    fprintf(stderr, "alloclab: cannot write the output: %s\n", flush_failed && errno ? strerror(errno) : "write error");
    return 1;
}

int main(int argc, char **argv)
{
    al_runner_child_entry(argc, argv); /* a benchmark child of bench: never returns */
    al_runner_exec_children("/proc/self/exe");
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("alloclab %s\n", ALLOCLAB_VERSION);
        return check_stdout(0);
    }
    if (strcmp(argv[1], "--man") == 0) /* hidden: the build makes alloclab.1 with it */
        return check_stdout(al_cli_manpage(stdout, commands, sizeof commands / sizeof commands[0], ALLOCLAB_VERSION));
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return check_stdout(0);
    }
    /* A count under valgrind that `replay` or `recommend` started: their
     * trace's workload must exist in this process too. */
    if (argc > 2 && strcmp(argv[1], "bench") == 0 && strcmp(argv[2], "--callgrind-child") == 0) al_replay_load_from_env();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return check_stdout(commands[i].run(argc - 1, argv + 1));
    return al_cli_usage_error("unknown command '%s' (alloclab --help lists them)", argv[1]);
}
