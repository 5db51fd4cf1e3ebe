/* alloclab replay FILE [--touch ends|pages] [bench options]
 *
 * The trace is read (a bad file: one line, status 2), each of its processes
 * planned and registered as a param of the "replay" workload (src/replay/),
 * then run by `alloclab bench` on that workload alone, each process in its
 * own benchmark processes, and for a trace of several processes their sum
 * per allocator (replay/NAME/ALLOC) added to the run before it is reported
 * and stored: every allocator of the registry by default
 * (--allocators picks), time or instructions (--mode), the same reports
 * (--format, --out, --html) and the same history (--db, --save, --no-db).
 * Processes started under valgrind find the trace through
 * ALLOCLAB_REPLAY_TRACE. */
#include "cli.h"

#include "replay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: alloclab replay FILE [--touch ends|pages] [--allocators LIST] [--mode time|instructions]\n"
    "                      [--samples N] [--quick] [--format F] [--out FILE] [--html FILE] [--save LABEL] [--db PATH] [--no-db]\n"
    "Replays a trace (alloclab trace) on each allocator, one thread per traced thread, through the\n"
    "allocator interface with sized frees; every block checked. --touch pages writes one word per page\n"
    "(default: the first and last word of each block). The other options are alloclab bench's.\n";

#define MAX_ARGS 64

/* What goes on to bench: its options (with their values), then the one workload. */
typedef struct pass_args {
    const char *v[MAX_ARGS];
    int n;
} pass_args;

static int own_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    pass_args *pass = ctx;
    (void)missing;
    if (strncmp(argv[*i], "--workloads", 11) == 0 || strncmp(argv[*i], "--filter", 8) == 0)
        return al_cli_usage_error("replay: %s is not for replay (it runs the trace's one workload)", argv[*i]);
    if (pass->n >= MAX_ARGS - 4) return al_cli_usage_error("replay: too many options");
    pass->v[pass->n++] = argv[*i];
    /* Options with a value take it along (bench checks both). */
    if (al_cli_bench_takes_value(argv[*i]) && *i + 1 < argc) pass->v[pass->n++] = argv[++*i];
    return AL_CLI_OWN_TAKEN;
}

/* After the run: the whole trace, every process summed, beside them. */
static void add_sum(al_bench_run *run, const al_bench_config *cfg, void *ctx)
{
    if (al_replay_sum(run, ctx, al_replay_passes(cfg)) != 0)
        fprintf(stderr, "alloclab replay: out of memory summing the processes: only each process is reported\n");
}

int al_cmd_replay(int argc, char **argv)
{
    pass_args pass = {.v = {"bench"}, .n = 1};
    al_cli_trace_args a = {.cmd = "replay", .usage = usage, .takes_touch = true};
    int rc = al_cli_trace_parse(argc, argv, &a, own_option, &pass);
    if (rc >= 0) return rc;
    char entry[64];
    al_replay_set set;
    if ((rc = al_cli_replay_prepare(&a, &set, NULL, entry, sizeof entry)) != 0) return rc;
    pass.v[pass.n++] = "--workloads";
    pass.v[pass.n++] = entry;
    pass.v[pass.n] = NULL;
    if (set.n > 1) al_cli_bench_set_finish(add_sum, &set);
    rc = al_cmd_bench(pass.n, (char **)pass.v);
    al_cli_bench_set_finish(NULL, NULL);
    al_replay_set_free(&set);
    return rc;
}
