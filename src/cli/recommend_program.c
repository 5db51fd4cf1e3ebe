/* alloclab recommend [OPTIONS] -- PROGRAM [ARGS...]: the program traced into
 * a private temporary folder, then recommend on that trace with the
 * program's own runs under each allocator as the first evidence.
 *
 * Guarantees: the temporary trace and its folder are removed whatever
 * happens (a failed trace, a bad option, a replay that cannot run, and an
 * interrupt, SIGINT/SIGTERM/SIGHUP, which removes them before the signal
 * takes its course); a program that cannot be traced or exits non-zero under
 * the tracer is one line and exit status 2. */
#include "cli.h"
#include "recommend_program.h"

#include "run.h"
#include "trace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The paths an interrupt must remove (async-signal-safe: fixed buffers). */
static char tmp_dir[4096], tmp_file[4200];
static volatile sig_atomic_t tmp_live;

static void remove_tmp(void)
{
    if (!tmp_live) return;
    tmp_live = 0;
    unlink(tmp_file);
    rmdir(tmp_dir);
}

static void on_signal(int sig)
{
    remove_tmp();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

int al_recommend_program(int argc, char **argv, int dashes, al_recommend_fn recommend)
{
    char **prog = argv + dashes + 1;
    if (!prog[0]) return al_cli_usage_error("recommend: no program after -- (alloclab recommend -- PROGRAM [ARGS...])");
    const char *tmp = getenv("TMPDIR");
    if (snprintf(tmp_dir, sizeof tmp_dir, "%s/alloclab-recommend-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") >=
            (int)sizeof tmp_dir ||
        !mkdtemp(tmp_dir))
        return al_cli_usage_error("recommend: cannot make a temporary folder: %s", strerror(errno));
    const char *base = strrchr(prog[0], '/');
    snprintf(tmp_file, sizeof tmp_file, "%s/%.64s.trace", tmp_dir, base ? base + 1 : prog[0]);
    struct sigaction sa = {.sa_handler = on_signal}, old[3];
    tmp_live = 1;
    for (int i = 0; i < 3; i++) sigaction(caught[i], &sa, &old[i]);

    /* 1. The trace (alloclab trace's own code: repair, check). */
    int nprog = argc - dashes - 1;
    al_trace *trace = NULL; /* read once, by the tracing step, for the replay */
    char **targv = calloc((size_t)nprog + 6, sizeof *targv);
    int rc = targv ? 0 : al_cli_usage_error("out of memory");
    if (rc == 0) {
        int n = 0;
        targv[n++] = "trace";
        targv[n++] = "--quiet";
        targv[n++] = "-o";
        targv[n++] = tmp_file;
        targv[n++] = "--";
        for (int i = 0; i < nprog; i++) targv[n++] = prog[i];
        fprintf(stderr, "alloclab recommend: tracing %s\n", prog[0]);
        int st = al_cli_trace_program(n, targv, &trace);
        if (st == 2)
            rc = 2; /* trace said why */
        else if (st != 0)
            rc = al_cli_usage_error("recommend: %s exited with status %d under the tracer; it must succeed to be measured",
                                    prog[0], st);
    }
    free(targv);

    /* 2. The program under each allocator that can be its malloc. */
    al_run_allocator allocs[16];
    al_bench_run prun;
    memset(&prun, 0, sizeof prun);
    bool have_prun = false;
    if (rc == 0) {
        al_run_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.argv = (const char *const *)prog;
        cfg.allocs = allocs;
        cfg.nallocs = al_run_default_allocators(allocs, 16);
        cfg.runs = 5;
        cfg.progress = isatty(STDERR_FILENO);
        al_run_times times[16];
        char err[512];
        fprintf(stderr, "alloclab recommend: running %s %zu times under each of %zu allocators\n", prog[0], cfg.runs,
                cfg.nallocs);
        if (al_run_execute(&cfg, &prun, times, err, sizeof err) != 0)
            rc = al_cli_usage_error("recommend: %s", err);
        else
            have_prun = true;
    }

    /* 3. The replay and the recommendation, on the trace as a file operand. */
    if (rc == 0) {
        char **rargv = calloc((size_t)dashes + 2, sizeof *rargv);
        if (!rargv) {
            rc = al_cli_usage_error("out of memory");
        } else {
            for (int i = 0; i < dashes; i++) rargv[i] = argv[i];
            rargv[dashes] = tmp_file;
            rc = recommend(dashes + 1, rargv, &prun, trace);
            trace = NULL;
            free(rargv);
        }
    }
    if (have_prun) al_bench_run_free(&prun);
    al_trace_free(trace);
    remove_tmp();
    for (int i = 0; i < 3; i++) sigaction(caught[i], &old[i], NULL);
    return rc;
}
