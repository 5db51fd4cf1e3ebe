/* The harness: plans which benchmarks run (workload x param x allocator,
 * filtered) and runs them, each in child processes, with warm-up,
 * calibration, rotated rounds and a timeout (harness.c, runner.c); the
 * instruction-count mode runs them under callgrind (callgrind.c). */
#ifndef ALLOCLAB_HARNESS_H
#define ALLOCLAB_HARNESS_H

#include "results.h"

#include <stdbool.h>
#include <stddef.h>

/* ----------------------------------------------------------------------------
 * The harness (harness.c)
 * ------------------------------------------------------------------------- */
typedef enum al_bench_mode { AL_MODE_TIME = 0, AL_MODE_INSTRUCTIONS = 1 } al_bench_mode;

typedef struct al_bench_config {
    const char *const *allocators;  /* specs; NULL = every available backend */
    size_t nallocators;
    const char *filter;             /* POSIX extended regex over workload/param/allocator, or NULL */
    const char *const *workloads;   /* "name" or "name/param" entries; NULL = the default suite */
    size_t nworkloads;
    bool quick;                     /* CI-sized: fewer samples, shorter samples */
    size_t instr_iters;             /* instructions mode: iterations counted beyond the
                                       first (0 = default 1); see al_bench_execute */
    size_t samples;                 /* 0 = default (20; quick: 10) */
    size_t processes;               /* child processes per benchmark, taken one after the
                                       other, the samples split among them; 0 = default
                                       (3; quick: 2), at most `samples` */
    double min_sample_ms;           /* 0 = default (1 ms; quick: 0.5 ms) */
    bool quiet;                     /* no progress line */
    al_bench_mode mode;
    double timeout_s;               /* longest step of a benchmark (setup + warm-up +
                                       calibration, or one sample); 0 = default (300 s);
                                       past it the child is killed and the result failed */
} al_bench_config;

/* One planned benchmark. */
typedef struct al_bench_item {
    const al_workload *workload;
    const char *param;
    const char *allocator;
} al_bench_item;

/* What would run, in order; NULL with a one-line reason in err on bad input
 * (unknown allocator or workload, bad regex). Free with free(). */
al_bench_item *al_bench_plan(const al_bench_config *cfg, size_t *count, char *err, size_t errlen);
/* Run the plan and fill `out` (context and results). In instructions mode
 * each benchmark is counted twice under callgrind, over 1 and 1 + K
 * iterations (K = instr_iters), and the difference divided by K is reported:
 * the cost of a warm iteration, free of set-up and of the cold caches the
 * first counted iteration meets. Deterministic for one thread. */
/* Run the plan and fill `out` (context and results). 0 on success; -1 with
 * a reason in err when it could not run at all. Unsupported and failed
 * benchmarks are results, not errors. out->ctx.label, if the caller set it
 * beforehand, is kept; everything else in out is overwritten. Each
 * benchmark runs in a child made with fork(): call it from a process
 * without other threads. */
int al_bench_execute(const al_bench_config *cfg, al_bench_run *out, char *err, size_t errlen);

#endif
