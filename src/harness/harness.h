/* The harness: plans which benchmarks run (workload x param x allocator,
 * filtered) and runs them, each in child processes, with warm-up,
 * calibration, rotated rounds and a timeout (harness.c, runner.c), the
 * suite once per process of a benchmark (passes) with a machine-speed
 * reference between groups (reference.c); the instruction-count mode runs
 * them under callgrind (callgrind.c). */
#ifndef ALLOCLAB_HARNESS_H
#define ALLOCLAB_HARNESS_H

#include "results.h"

#include <alloclab/registry.h>

#include <stdbool.h>
#include <stddef.h>

/* ----------------------------------------------------------------------------
 * The harness (harness.c)
 * ------------------------------------------------------------------------- */
#define AL_BENCH_DEFAULT_TIMEOUT_S 300.0

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
    size_t samples;                 /* 0 = default (30; quick: 10) */
    size_t processes;               /* child processes per benchmark, one per pass over
                                       the suite, the samples split among them; 0 = default
                                       (6; quick: 2), at most `samples` */
    double min_sample_ms;           /* 0 = default (1 ms; quick: 0.5 ms) */
    bool quiet;                     /* no progress line */
    bool no_syscalls;               /* time mode: skip the untimed pass that counts each
                                       benchmark's memory system calls (syscalls.c) */
    al_bench_mode mode;
    double timeout_s;               /* longest step of a benchmark (setup + warm-up +
                                       calibration, or one sample; under callgrind one
                                       whole count); 0 = AL_BENCH_DEFAULT_TIMEOUT_S;
                                       past it the child is killed and the result failed */
    const char *const *callgrind_child; /* instructions mode: the command (NULL-terminated)
                                       that runs al_callgrind_child_main with the
                                       arguments after it; NULL = this executable */
} al_bench_config;

/* One planned benchmark. */
typedef struct al_bench_item {
    const al_workload *workload;
    const char *param;
    const char *allocator;
} al_bench_item;

/* An allocator the default list leaves out, and why (library missing...). */
typedef struct al_bench_skip {
    const char *allocator;
    const char *why;
} al_bench_skip;

/* What would run, in order, built once and handed to al_bench_run_plan.
 * Every pointer points into the configuration or static tables: the plan
 * lives as long as the config. */
typedef struct al_bench_plan {
    al_bench_item *items;
    size_t n;
    al_bench_skip *skipped;          /* backends left out of the default list */
    size_t nskipped;
} al_bench_plan;

/* Why a plan or a run could not be made: a kind a caller acts on, the name
 * it is about, and a one-line message that names no command. */
typedef enum al_bench_error_kind {
    AL_BENCH_OK = 0,
    AL_BENCH_ERR_ALLOCATOR,          /* an allocator spec: see `registry` */
    AL_BENCH_ERR_ALLOCATOR_TWICE,    /* the same spec given twice */
    AL_BENCH_ERR_WORKLOAD,           /* no workload of that name */
    AL_BENCH_ERR_PARAM,              /* a malformed "name/param" entry */
    AL_BENCH_ERR_FILTER,             /* the regex does not compile */
    AL_BENCH_ERR_MODE,               /* instruction mode cannot run here */
    AL_BENCH_ERR_NOMEM,
} al_bench_error_kind;

typedef struct al_bench_error {
    al_bench_error_kind kind;
    al_error_kind registry;          /* with AL_BENCH_ERR_ALLOCATOR: the registry's kind */
    char name[64];                   /* the allocator, workload, entry or filter concerned */
    char message[320];
} al_bench_error;

/* 0 and the plan, or -1 with err filled (bad allocator, workload, regex);
 * an empty plan is not an error. Free with al_bench_plan_free. */
int al_bench_plan_make(const al_bench_config *cfg, al_bench_plan *plan, al_bench_error *err);
void al_bench_plan_free(al_bench_plan *plan);

/* Called from the harness as the run goes (each may be NULL), with the
 * progress line of a terminal cleared. */
typedef struct al_bench_hooks {
    /* Results [first, first + n) of out are final: one workload and
     * parameter, every allocator. out->nresults counts the results filled
     * so far. */
    void (*on_group)(void *ctx, const al_bench_run *out, size_t first, size_t n);
    /* The seconds a group is expected to take (e.g. from an earlier run), or
     * < 0 when unknown; the ETA uses it until the group's workload has been
     * timed in this run. */
    double (*expect_s)(void *ctx, const al_bench_item *items, size_t n);
    void *ctx;
} al_bench_hooks;

/* Run a plan and fill `out` (context and results). In instructions mode each
 * benchmark is counted twice under callgrind, over 1 and 1 + K iterations
 * (K = instr_iters), and the difference divided by K is reported: the cost
 * of a warm iteration, free of set-up and of the cold caches the first
 * counted iteration meets; deterministic for one thread. 0 on success; -1
 * with err filled when it could not run at all. Unsupported and failed
 * benchmarks are results, not errors. out->ctx.label, if the caller set it
 * beforehand, is kept; everything else in out is overwritten. Each benchmark
 * runs in a child made with fork(): call it from a process without other
 * threads. */
int al_bench_run_plan(const al_bench_config *cfg, const al_bench_plan *plan, const al_bench_hooks *hooks,
                      al_bench_run *out, al_bench_error *err);

/* Plan, run and free the plan in one call, the reason in err (NULL-safe
 * hooks-less form of the two above). */
int al_bench_execute(const al_bench_config *cfg, al_bench_run *out, char *err, size_t errlen);

/* Seconds on the monotonic clock: the one clock of the harness. */
double al_mono_s(void);

/* One sample of the machine-speed reference (reference.c): the ns a fixed,
 * register-only loop took on this thread's CPU clock. */
double al_reference_sample_ns(void);

#endif
