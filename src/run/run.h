/* alloclab run: a whole program run under each allocator by LD_PRELOAD,
 * timed as hyperfine times it, into the results model every report and the
 * history share (workload "run", param the program's name). */
#ifndef ALLOCLAB_RUN_H
#define ALLOCLAB_RUN_H

#include "results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ----------------------------------------------------------------------------
 * Allocators (preload.c): what serves the program's malloc. sys is glibc with
 * nothing preloaded; je, mi, tc are the Debian shared libraries found at
 * build time; any other registry spec (lab, arena, stats:sys...) is served
 * by alloclab's malloc replacement (liballoclab-malloc.so, ALLOCLAB_MALLOC=
 * SPEC), when the build has it.
 * ------------------------------------------------------------------------- */
typedef struct al_run_allocator {
    char name[64];          /* as given: "mi", "lab" */
    char preload[4096];     /* the library for LD_PRELOAD; "" for sys */
    char spec[64];          /* ALLOCLAB_MALLOC for the replacement; "" otherwise */
} al_run_allocator;

/* Resolve a name: 0, or -1 with a one-line reason (unknown, or its library
 * is missing from this machine or build). */
int al_run_allocator_resolve(const char *name, al_run_allocator *out, char *err, size_t errlen);
/* The default set: sys, je, mi, tc and lab, those available; returns how
 * many were written (at most max). */
size_t al_run_default_allocators(al_run_allocator *out, size_t max);
/* One of alloclab's libraries (liballoclab-malloc.so, liballoclab-trace.so):
 * beside the running binary (the build tree), in ../lib from it, or in the
 * installed library folder. true with its path in path. */
bool al_run_find_library(const char *file, char *path, size_t len);
/* For `alloclab list`: one line per preloadable allocator, "name  path" or
 * "name  unavailable: reason", into out (no trailing newline per line). */
void al_run_list_preloads(FILE *out);

/* ----------------------------------------------------------------------------
 * One run of the program (spawn.c).
 * ------------------------------------------------------------------------- */
typedef struct al_run_sample {
    int wait_status;            /* as waitpid gives it; meaningless when timed_out */
    bool timed_out;
    double wall_ns, user_ns, sys_ns;
    long maxrss_kib, minflt, majflt;
    char last_err[160];         /* the program's last line on stderr, cleaned */
} al_run_sample;

typedef struct al_run_spawn {
    const char *const *argv;    /* the program and its arguments */
    const al_run_allocator *alloc;
    const char *input;          /* stdin from this file; NULL = /dev/null */
    int out_fd;                 /* stdout into this file (truncated first); -1 = /dev/null */
    double timeout_s;           /* killed (its whole process group) past it; 0 = none */
} al_run_spawn;

/* Run once and wait: 0 with *s filled, or -1 with a reason when the run
 * could not be started (fork, the input file). A program that cannot be
 * executed exits 127 in the child, as a shell would. */
int al_run_spawn_once(const al_run_spawn *sp, al_run_sample *s, char *err, size_t errlen);

/* ----------------------------------------------------------------------------
 * The measurement (run.c).
 * ------------------------------------------------------------------------- */
#define AL_RUN_DEFAULT_RUNS 10
#define AL_RUN_DEFAULT_TIMEOUT_S 600.0

typedef struct al_run_config {
    const char *const *argv;    /* NULL-terminated */
    const al_run_allocator *allocs;
    size_t nallocs;
    size_t runs;                /* measured runs per allocator; 0 = AL_RUN_DEFAULT_RUNS */
    const char *input;          /* --input FILE, or NULL */
    bool check_output;          /* stdout must be the same under every allocator */
    int expect_status;          /* the exit status every run must have (0) */
    double timeout_s;           /* per run; 0 = AL_RUN_DEFAULT_TIMEOUT_S */
    bool progress;              /* a progress line on stderr */
} al_run_config;

/* Per allocator, beside its al_bench_result: the medians of the user and
 * system times (ns), -1 when it failed. */
typedef struct al_run_times {
    double user_ns, sys_ns;
} al_run_times;

/* Run the program under every allocator: a warm-up round, then `runs`
 * rounds, each allocator once per round in an order rotated every round.
 * One result per allocator in out (status failed with the reason when the
 * program crashed, exited otherwise than expected, timed out, or printed
 * other output under --check-output; the other allocators go on). times
 * (nallocs entries, may be NULL) gets the user and system medians. 0, or -1
 * with a reason when nothing could be run. */
int al_run_execute(const al_run_config *cfg, al_bench_run *out, al_run_times *times, char *err, size_t errlen);

#endif
