/* The arguments and first steps shared by the commands that read one trace
 * (profile, replay, recommend).
 *
 * Guarantees:
 * - One grammar for all three: -h/--help prints the command's usage (status
 *   0); exactly one FILE operand (a lone "-" is an operand, as for any
 *   POSIX tool); --touch ends|pages where the command replays; every other
 *   option goes to the command's own handler, and one it does not know is
 *   "CMD: unknown option 'X' (alloclab CMD --help)". Every mistake is one
 *   line on stderr and status 2, before anything is read.
 * - A replaying command registers the trace's plans under the names the
 *   harness runs ("replay/NAME", or one per process) and exports ALLOCLAB_REPLAY_TRACE (the
 *   file's absolute path) and ALLOCLAB_REPLAY_TOUCH, so that the processes
 *   the harness starts (callgrind children) replay the same trace the same
 *   way.
 */
#include "cli.h"

#include "profile.h"
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared --touch, then the command's own options. */
typedef struct trace_parse {
    al_cli_trace_args *a;
    al_cli_own_option own;
    void *ctx;
} trace_parse;

static int trace_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    trace_parse *tp = ctx;
    const char *v;
    if (tp->a->takes_touch && (v = al_cli_option_value(argc, argv, i, "--touch", missing))) {
        if (strcmp(v, "ends") != 0 && strcmp(v, "pages") != 0)
            return al_cli_usage_error("--touch: '%s' is not ends or pages", v);
        tp->a->touch = v;
        return AL_CLI_OWN_TAKEN;
    }
    if (*missing || !tp->own) return AL_CLI_OWN_UNKNOWN;
    return tp->own(tp->ctx, argc, argv, i, missing);
}

int al_cli_trace_parse(int argc, char **argv, al_cli_trace_args *a, al_cli_own_option own, void *ctx)
{
    if (!a->touch) a->touch = "ends";
    char too_many[64];
    snprintf(too_many, sizeof too_many, "%s takes one trace file", a->cmd);
    trace_parse tp = {a, own, ctx};
    size_t n = 0;
    al_cli_parser p = {.cmd = a->cmd, .usage = a->usage, .option = trace_option, .ctx = &tp,
                       .operands = &a->file, .max_operands = 1, .noperands = &n, .too_many = too_many};
    int rc = al_cli_parse(argc, argv, &p);
    if (rc >= 0) return rc;
    if (!a->file) return al_cli_usage_error("%s: no trace file given (alloclab %s FILE)", a->cmd, a->cmd);
    if (!realpath(a->file, a->abs)) snprintf(a->abs, sizeof a->abs, "%s", a->file);
    return -1;
}

int al_cli_replay_prepare(const al_cli_trace_args *a, al_replay_set *set, al_trace **keep, char *entry,
                          size_t entrylen)
{
    return al_cli_replay_prepare_read(a, NULL, set, keep, entry, entrylen);
}

int al_cli_replay_prepare_read(const al_cli_trace_args *a, al_trace *t, al_replay_set *set, al_trace **keep,
                               char *entry, size_t entrylen)
{
    char err[512];
    al_replay_set_touch(strcmp(a->touch, "pages") == 0 ? AL_TOUCH_PAGES : AL_TOUCH_ENDS);
    if ((t ? al_replay_load_trace(t, a->abs, set, keep, err, sizeof err)
           : al_replay_load(a->abs, set, keep, err, sizeof err)) != 0)
        return al_cli_usage_error("%s", err);
    for (size_t i = 0; i < set->n; i++)
        if (set->procs[i].missing_chunks || set->procs[i].missing_events)
            fprintf(stderr,
                    "alloclab %s: note: process %u misses %llu chunk%s (%llu calls) the recorder could not write: "
                    "replayed without them\n",
                    a->cmd, set->procs[i].pid, (unsigned long long)set->procs[i].missing_chunks,
                    set->procs[i].missing_chunks == 1 ? "" : "s", (unsigned long long)set->procs[i].missing_events);
    setenv("ALLOCLAB_REPLAY_TRACE", a->abs, 1);
    setenv("ALLOCLAB_REPLAY_TOUCH", a->touch, 1);
    if (set->n == 1)
        snprintf(entry, entrylen, "%s/%s", al_replay_workload.name, set->procs[0].name);
    else
        snprintf(entry, entrylen, "%s", al_replay_workload.name);
    return 0;
}
