/* alloclab recommend FILE [--allocators LIST] [--mode time|instructions]
 *                        [--samples N] [--quick] [--touch ends|pages]
 * alloclab recommend [OPTIONS] -- PROGRAM [ARGS...] (recommend_program.c:
 * traced, run under each allocator, then as below with both evidences)
 *
 * Profiles the trace, replays it on each allocator through the harness (as
 * `alloclab replay` does, nothing stored), and prints one recommendation
 * with its evidence (src/recommend/). A bad trace: one line, status 2. */
#include "cli.h"

#include "callgrind.h"
#include "harness.h"
#include "recommend.h"
#include "recommend_program.h"
#include "replay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: alloclab recommend FILE [--allocators LIST] [--mode time|instructions] [--samples N] [--quick]\n"
    "                         [--touch ends|pages]\n"
    "       alloclab recommend [those options] -- PROGRAM [ARGS...]\n"
    "Replays the trace on each allocator and recommends one, with the measured evidence and the\n"
    "profile's facts behind it. With -- PROGRAM: traces it into a temporary file (removed after),\n"
    "runs it 5 times under each allocator that can be its malloc, and ranks on those runs first.\n";

#define MAX_ALLOCS 32

typedef struct rec_opts {
    al_bench_config cfg;
    const char *allocs[MAX_ALLOCS];
    char *alloc_buf; /* the split copy of --allocators */
} rec_opts;

static int own_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    rec_opts *o = ctx;
    const char *v;
    if ((v = al_cli_option_value(argc, argv, i, "--allocators", missing))) {
        o->cfg.allocators = o->allocs;
        return al_cli_split_list("--allocators", v, &o->alloc_buf, o->allocs, MAX_ALLOCS, &o->cfg.nallocators);
    } else if ((v = al_cli_option_value(argc, argv, i, "--mode", missing))) {
        return al_cli_mode(v, &o->cfg.mode);
    } else if ((v = al_cli_option_value(argc, argv, i, "--samples", missing))) {
        return al_cli_count("--samples", v, 2, 10000, &o->cfg.samples);
    } else if (strcmp(argv[*i], "--quick") == 0) {
        o->cfg.quick = true;
        return AL_CLI_OWN_TAKEN;
    }
    return AL_CLI_OWN_UNKNOWN;
}

static int recommend(rec_opts *o, const al_cli_trace_args *a, const al_bench_run *program, al_trace *read)
{
    al_bench_config cfg = o->cfg;
    if (cfg.mode == AL_MODE_INSTRUCTIONS && al_callgrind_unavailable()) {
        al_trace_free(read);
        return al_cli_usage_error("--mode instructions: %s", al_callgrind_unavailable());
    }

    char err[512], entry[64];
    al_replay_set set;
    al_trace *t;
    int rc = al_cli_replay_prepare_read(a, read, &set, &t, entry, sizeof entry);
    if (rc != 0) return rc;
    /* The facts of every replayed process, each profiled as its own heap. */
    al_rec_facts facts;
    memset(&facts, 0, sizeof facts);
    for (size_t i = 0; i < set.n && rc == 0; i++) {
        al_trace *one = t->nsections == 1 ? t : al_trace_process(t, set.procs[i].section);
        al_profile *p = one ? al_profile_compute(one) : NULL;
        if (one && one != t) al_trace_free(one);
        if (!p) {
            rc = al_cli_usage_error("out of memory profiling %s", a->file);
            break;
        }
        al_rec_facts f;
        al_rec_facts_from_profile(p, &f);
        al_profile_free(p);
        al_rec_facts_add(&facts, &f);
    }
    al_trace_free(t); /* the replays' children need only the plans */
    if (rc != 0) {
        al_replay_set_free(&set);
        return rc;
    }

    const char *wls[] = {entry};
    cfg.workloads = wls;
    cfg.nworkloads = 1;
    char exe[PATH_MAX];
    const char *child[4];
    cfg.callgrind_child = al_cli_callgrind_child(exe, sizeof exe, child);
    cfg.quiet = !isatty(2);

    al_bench_run run;
    memset(&run, 0, sizeof run);
    if (al_bench_execute(&cfg, &run, err, sizeof err) != 0) {
        al_replay_set_free(&set);
        return al_cli_usage_error("%s", err);
    }
    if (al_replay_sum(&run, &set, al_replay_passes(&cfg)) != 0) {
        al_bench_run_free(&run);
        al_replay_set_free(&set);
        return al_cli_usage_error("out of memory summing the replay's processes");
    }
    al_rec_evidence ev = {&run, program, set.n > 1 ? set.name : set.procs[0].name, al_replay_passes(&cfg)};
    al_rec_choice choice;
    rc = al_recommend(stdout, &facts, &ev, &choice) == 0 ? 0 : 1;
    al_bench_run_free(&run);
    al_replay_set_free(&set);
    return rc;
}

static int recommend_with(int argc, char **argv, const al_bench_run *program, al_trace *read)
{
    rec_opts o;
    memset(&o, 0, sizeof o);
    al_cli_trace_args a = {.cmd = "recommend", .usage = usage, .takes_touch = true};
    int rc = al_cli_trace_parse(argc, argv, &a, own_option, &o);
    if (rc < 0)
        rc = recommend(&o, &a, program, read);
    else
        al_trace_free(read);
    free(o.alloc_buf);
    return rc;
}

/* The options before "--", checked before anything is traced (a placeholder
 * stands for the trace): -1 when they are good, else the exit status. */
static int check_options(int n, char **argv)
{
    char **pargv = calloc((size_t)n + 2, sizeof *pargv);
    if (!pargv) return al_cli_usage_error("out of memory");
    memcpy(pargv, argv, (size_t)n * sizeof *pargv);
    pargv[n] = "(the program's trace)";
    rec_opts o;
    memset(&o, 0, sizeof o);
    al_cli_trace_args a = {.cmd = "recommend", .usage = usage, .takes_touch = true};
    int rc = al_cli_trace_parse(n + 1, pargv, &a, own_option, &o);
    free(o.alloc_buf);
    free(pargv);
    return rc;
}

int al_cmd_recommend(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            int rc = check_options(i, argv);
            return rc >= 0 ? rc : al_recommend_program(argc, argv, i, recommend_with);
        }
    return recommend_with(argc, argv, NULL, NULL);
}
