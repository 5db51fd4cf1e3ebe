/* alloclab recommend FILE [--allocators LIST] [--mode time|instructions]
 *                        [--samples N] [--quick] [--touch ends|pages]
 *
 * Profiles the trace, replays it on each allocator through the harness (as
 * `alloclab replay` does, nothing stored), and prints one recommendation
 * with its evidence (src/recommend/). A bad trace: one line, status 2. */
#include "cli.h"

#include "callgrind.h"
#include "harness.h"
#include "recommend.h"
#include "replay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: alloclab recommend FILE [--allocators LIST] [--mode time|instructions] [--samples N] [--quick]\n"
    "                         [--touch ends|pages]\n"
    "Replays the trace on each allocator and recommends one, with the measured evidence and the\n"
    "profile's facts behind it.\n";

#define MAX_ALLOCS 32

int al_cmd_recommend(int argc, char **argv)
{
    const char *file = NULL, *touch = "ends", *alloc_arg = NULL;
    al_bench_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--touch", &missing))) {
            if (strcmp(v, "ends") != 0 && strcmp(v, "pages") != 0)
                return al_cli_usage_error("--touch: '%s' is not ends or pages", v);
            touch = v;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--allocators", &missing))) {
            alloc_arg = v;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--mode", &missing))) {
            if (strcmp(v, "time") == 0)
                cfg.mode = AL_MODE_TIME;
            else if (strcmp(v, "instructions") == 0)
                cfg.mode = AL_MODE_INSTRUCTIONS;
            else
                return al_cli_usage_error("--mode: '%s' is not time or instructions", v);
        } else if ((v = al_cli_option_value(argc, argv, &i, "--samples", &missing))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 2 || n > 10000) return al_cli_usage_error("--samples: '%s' is not a count from 2 to 10000", v);
            cfg.samples = (size_t)n;
        } else if (missing) {
            return al_cli_usage_error("%s needs a value", argv[i]);
        } else if (strcmp(argv[i], "--quick") == 0) {
            cfg.quick = true;
        } else if (strcmp(argv[i], "--") == 0) {
            return al_cli_usage_error("recommend takes a trace file: alloclab trace -o FILE -- PROGRAM, then recommend FILE");
        } else if (argv[i][0] == '-') {
            return al_cli_usage_error("recommend: unknown option '%s' (alloclab recommend --help)", argv[i]);
        } else if (file) {
            return al_cli_usage_error("recommend takes one trace file");
        } else {
            file = argv[i];
        }
    }
    if (!file) return al_cli_usage_error("recommend: no trace file given (alloclab recommend FILE)");
    char abs[PATH_MAX];
    if (!realpath(file, abs)) snprintf(abs, sizeof abs, "%s", file);

    /* The allocators: checked by the plan below, one line when one is wrong. */
    char list_buf[1024];
    const char *allocs[MAX_ALLOCS];
    if (alloc_arg) {
        if (strlen(alloc_arg) >= sizeof list_buf) return al_cli_usage_error("--allocators: list too long");
        snprintf(list_buf, sizeof list_buf, "%s", alloc_arg);
        for (char *save = NULL, *tok = strtok_r(list_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (cfg.nallocators >= MAX_ALLOCS) return al_cli_usage_error("--allocators: at most %d", MAX_ALLOCS);
            allocs[cfg.nallocators++] = tok;
        }
        if (!cfg.nallocators) return al_cli_usage_error("--allocators: empty list");
        cfg.allocators = allocs;
    }
    if (cfg.mode == AL_MODE_INSTRUCTIONS && al_callgrind_unavailable())
        return al_cli_usage_error("--mode instructions: %s", al_callgrind_unavailable());

    al_replay_set_touch(strcmp(touch, "pages") == 0 ? AL_TOUCH_PAGES : AL_TOUCH_ENDS);
    char name[32], err[512], entry[64];
    al_replay_plan *plan;
    al_trace *t;
    if (al_replay_load(abs, name, sizeof name, &plan, &t, err, sizeof err) != 0) return al_cli_usage_error("%s", err);
    al_profile *p = al_profile_compute(t);
    if (!p) {
        al_trace_free(t);
        return al_cli_usage_error("out of memory profiling %s", file);
    }
    al_rec_facts facts;
    al_rec_facts_from_profile(p, &facts);
    al_profile_free(p);
    al_trace_free(t); /* the replays' children need only the plan */

    setenv("ALLOCLAB_REPLAY_TRACE", abs, 1);
    setenv("ALLOCLAB_REPLAY_TOUCH", touch, 1);
    snprintf(entry, sizeof entry, "replay/%s", name);
    const char *wls[] = {entry};
    cfg.workloads = wls;
    cfg.nworkloads = 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *child[] = {exe, "bench", "--callgrind-child", NULL};
    cfg.callgrind_child = child;
    cfg.quiet = !isatty(2);

    al_bench_run run;
    memset(&run, 0, sizeof run);
    if (al_bench_execute(&cfg, &run, err, sizeof err) != 0) {
        al_replay_plan_free(plan);
        return al_cli_usage_error("%s", err);
    }
    al_rec_evidence ev = {&run, NULL};
    al_rec_choice choice;
    int rc = al_recommend(stdout, &facts, &ev, &choice) == 0 ? 0 : 1;
    al_bench_run_free(&run);
    al_replay_plan_free(plan);
    return rc;
}
