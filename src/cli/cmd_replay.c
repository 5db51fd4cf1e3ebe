/* alloclab replay FILE [--touch ends|pages] [bench options]
 *
 * The trace is read (a bad file: one line, status 2), planned and registered
 * as the "replay" workload (src/replay/), then run by `alloclab bench` on
 * that workload alone: every allocator of the registry by default
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

int al_cmd_replay(int argc, char **argv)
{
    const char *file = NULL, *touch = "ends";
    const char *pass[MAX_ARGS];
    int np = 0;
    pass[np++] = "bench";
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
        } else if (missing) {
            return al_cli_usage_error("%s needs a value", argv[i]);
        } else if (strncmp(argv[i], "--workloads", 11) == 0 || strncmp(argv[i], "--filter", 8) == 0) {
            return al_cli_usage_error("replay: %s is not for replay (it runs the trace's one workload)", argv[i]);
        } else if (argv[i][0] == '-') {
            if (np >= MAX_ARGS - 4) return al_cli_usage_error("replay: too many options");
            pass[np++] = argv[i];
            /* Options with a value take it along (bench checks both). */
            static const char *const valued[] = {"--allocators", "--samples", "--min-sample-ms", "--mode", "--iters",
                                                 "--format",     "--out",     "--html",          "--db",   "--save",
                                                 "--timeout"};
            for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
                if (strcmp(argv[i], valued[k]) == 0 && i + 1 < argc) pass[np++] = argv[++i];
        } else if (file) {
            return al_cli_usage_error("replay takes one trace file");
        } else {
            file = argv[i];
        }
    }
    if (!file) return al_cli_usage_error("replay: no trace file given (alloclab replay FILE)");
    char abs[PATH_MAX];
    if (!realpath(file, abs)) snprintf(abs, sizeof abs, "%s", file);
    al_replay_set_touch(strcmp(touch, "pages") == 0 ? AL_TOUCH_PAGES : AL_TOUCH_ENDS);
    char name[32], err[512], entry[64];
    al_replay_plan *plan;
    if (al_replay_load(abs, name, sizeof name, &plan, NULL, err, sizeof err) != 0) return al_cli_usage_error("%s", err);
    setenv("ALLOCLAB_REPLAY_TRACE", abs, 1);
    setenv("ALLOCLAB_REPLAY_TOUCH", touch, 1);
    snprintf(entry, sizeof entry, "replay/%s", name);
    pass[np++] = "--workloads";
    pass[np++] = entry;
    pass[np] = NULL;
    int rc = al_cmd_bench(np, (char **)pass);
    al_replay_plan_free(plan);
    return rc;
}
