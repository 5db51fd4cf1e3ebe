/* The process valgrind runs for one instruction count:
 *
 *   PROGRAM ... --callgrind-child WORKLOAD PARAM ALLOCATOR ITERS [STATUS_FILE]
 *
 * (the CLI's PROGRAM ... is `alloclab bench`, see al_callgrind_opts).
 *
 * It sets the benchmark up and runs one warm-up iteration without
 * instrumentation (valgrind runs with --instr-atstart=no), then switches
 * instrumentation on just before `run(ITERS)` and off just after it. The
 * warm-up and a closing iteration verify at the full check level, the
 * counted ones at the cheap level the timed samples use. So setup,
 * warm-up (lazy initialisation inside the allocators), teardown and the
 * process's start and exit never reach the totals, and every thread's work
 * inside the region does. Instrumentation is global to the process, unlike
 * callgrind's collection toggle, which is per thread and would miss the
 * workers of threaded workloads. Switching it on empties the simulated caches:
 * the region starts cold, and its first misses are spread over ITERS.
 *
 * Outcome: the exit status is the al_run_status (0 ok, 1 unsupported,
 * 2 failed); the same status and a one-line reason go to STATUS_FILE as
 * "<status number> <reason>\n" when given, else the reason to stderr. */
#include "callgrind.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#if ALLOCLAB_HAVE_CALLGRIND_H
#include <stdio.h>
#include <valgrind/callgrind.h>
#define COUNT_BEGIN() do { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; } while (0)
#define COUNT_END() CALLGRIND_STOP_INSTRUMENTATION
#else
/* Without the header nothing could be counted: al_callgrind_unavailable()
 * says so and the parent never starts a child. */
#define COUNT_BEGIN() ((void)0)
#define COUNT_END() ((void)0)
#endif

/* ----------------------------------------------------------------------------
 * Reporting the outcome.
 * ------------------------------------------------------------------------- */
static int finish(const char *status_file, al_run_status st, const char *why)
{
    bool written = false;
    if (status_file && *status_file) {
        FILE *f = fopen(status_file, "w");
        if (f) {
            fprintf(f, "%d %s\n", (int)st, why ? why : "");
            written = fclose(f) == 0;
        }
    }
    if (!written && st != AL_RUN_OK)
        fprintf(stderr, "alloclab: %s: %s\n", al_run_status_name(st), why && *why ? why : "no reason given");
    return (int)st;
}

/* ----------------------------------------------------------------------------
 * The entry point. argv is taken from just after "--callgrind-child" when
 * that flag is present (whatever the caller kept before it), else from
 * argv[1] (argv[0] being the command's name).
 * ------------------------------------------------------------------------- */
int al_callgrind_child_main(int argc, char **argv)
{
    int first = 1;
    for (int i = 0; i < argc; i++)
        if (argv[i] && strcmp(argv[i], "--callgrind-child") == 0) {
            first = i + 1;
            break;
        }
    int nargs = argc - first;
    if (nargs < 4 || nargs > 5)
        return finish(NULL, AL_RUN_FAILED,
                      "usage: --callgrind-child WORKLOAD PARAM ALLOCATOR ITERS [STATUS_FILE]");
    const char *name = argv[first], *param = argv[first + 1], *spec = argv[first + 2];
    const char *iters_text = argv[first + 3];
    const char *status_file = nargs == 5 ? argv[first + 4] : NULL;

    char why[256] = "";
    char *end;
    errno = 0;
    unsigned long long iters = strtoull(iters_text, &end, 10);
    if (errno || end == iters_text || *end || iters == 0 || iters_text[0] == '-') {
        snprintf(why, sizeof why, "bad iteration count '%s'", iters_text);
        return finish(status_file, AL_RUN_FAILED, why);
    }
    const al_workload *wl = al_workload_find(name);
    if (!wl) {
        snprintf(why, sizeof why, "unknown workload '%s'", name);
        return finish(status_file, AL_RUN_FAILED, why);
    }
    return al_callgrind_child_run(wl, param, spec, (uint64_t)iters, status_file);
}

int al_callgrind_child_run(const al_workload *wl, const char *param, const char *spec, uint64_t iters,
                           const char *status_file)
{
    char why[256] = "";
    al_run_status st = AL_RUN_OK;
    void *inst = wl->setup(param, spec, &st, why, sizeof why);
    if (!inst) {
        if (st == AL_RUN_OK) st = AL_RUN_FAILED;
        if (!why[0]) snprintf(why, sizeof why, "setup of %s/%s on %s failed", wl->name, param, spec);
        return finish(status_file, st, why);
    }
    /* Verification (full checks, untimed) around the counted region, which
     * runs the cheap checks of the timed samples. */
    al_workload_set_check_level(AL_CHECK_FULL);
    st = wl->run(inst, 1, why, sizeof why);
    if (st == AL_RUN_OK) {
        al_workload_set_check_level(AL_CHECK_CHEAP);
        COUNT_BEGIN();
        st = wl->run(inst, iters, why, sizeof why);
        COUNT_END();
        al_workload_set_check_level(AL_CHECK_FULL);
    }
    if (st == AL_RUN_OK) st = wl->run(inst, 1, why, sizeof why);
    wl->teardown(inst);
    return finish(status_file, st, st == AL_RUN_OK ? "" : why);
}
