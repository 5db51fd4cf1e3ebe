/* alloclab bench — the shared types of the benchmark suite.
 *
 * The pieces, one file (or a few) each:
 *   stats.c       robust statistics over samples (median, MAD, bootstrap CI...)
 *   workload_*.c  the workloads, each verifying its own memory
 *   harness.c     plans and runs benchmarks: child processes, rotated rounds,
 *                 automatic iteration counts, progress line
 *   callgrind.c   instruction counts under valgrind --tool=callgrind
 *   report_*.c    terminal table, JSON (Google Benchmark schema), CSV,
 *                 Markdown, self-contained HTML with SVG charts
 *   history.c     the SQLite results history, compare verdicts
 * The CLI (src/cli/cmd_bench.c, cmd_compare.c, cmd_history.c) ties them up.
 */
#ifndef ALLOCLAB_BENCH_H
#define ALLOCLAB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ----------------------------------------------------------------------------
 * Workloads (workload_*.c; the table in workloads.c)
 * ------------------------------------------------------------------------- */
typedef enum al_run_status {
    AL_RUN_OK = 0,
    AL_RUN_UNSUPPORTED = 1, /* this allocator cannot run it (capacity, ...): a reason says why */
    AL_RUN_FAILED = 2,      /* it ran and something was wrong: bad memory, a crash */
} al_run_status;

const char *al_run_status_name(al_run_status s); /* "ok", "unsupported", "failed" */

typedef struct al_workload {
    const char *name;                  /* "glibc-simple" */
    const char *description;           /* one line */
    const char *const *params;         /* parameters of the default suite, NULL-terminated */
    /** Prepare one benchmark: parse `param`, make the allocator instance(s)
     *  from `spec` through the registry, start threads, fill buffers — all
     *  outside the timed region. NULL on failure, with *status and a one-line
     *  reason in why (unsupported combination, bad parameter, ...). */
    void *(*setup)(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen);
    /** The timed region: `iters` iterations. Checks the memory it used (fill
     *  patterns, checksums) and resets resettable allocators between
     *  iterations. Returns AL_RUN_OK, or another status with a reason. */
    al_run_status (*run)(void *inst, uint64_t iters, char *why, size_t whylen);
    /** Release everything setup made. */
    void (*teardown)(void *inst);
    /** Optional: allocator calls one iteration makes (counted once through a
     *  stats: wrapper at setup), or -1 when not counted. */
    double (*alloc_calls)(void *inst);
    /** Optional: a fixed iteration count per sample instead of the
     *  calibrated one, for workloads whose iterations differ (a running
     *  cycle): every allocator then times the same stretch of work. 0 or
     *  NULL: calibrate. */
    uint64_t (*fixed_iters)(void *inst);
} al_workload;

size_t al_workload_count(void);
const al_workload *al_workload_at(size_t i);
const al_workload *al_workload_find(const char *name);

/* Workloads of a user or a test, added at run time (harness.c; at start-up,
 * before threads). They join the default suite after the built-in table and
 * are found by name like the others. The descriptor must outlive every use.
 * 0, or -1 when the name is empty, too long (47 chars), taken, or 16 are
 * already registered (al_set_error says which). */
int al_workload_register(const al_workload *w);
/* A workload by name: the built-in table first, then registered ones. */
const al_workload *al_workload_lookup(const char *name);

/* ----------------------------------------------------------------------------
 * Statistics (stats.c). Inputs are never reordered; NaN for n == 0.
 * ------------------------------------------------------------------------- */
typedef struct al_summary {
    size_t n;
    double median, mean, stddev, mad, min, max;
    double ci_low, ci_high;        /* 95% bootstrap CI of the median */
    size_t outliers_low, outliers_high; /* beyond Tukey's 1.5 IQR fences; kept, only counted */
} al_summary;

double al_stat_median(const double *x, size_t n);
double al_stat_percentile(const double *x, size_t n, double p); /* p in [0,100], linear interpolation */
double al_stat_mean(const double *x, size_t n);
double al_stat_stddev(const double *x, size_t n);   /* sample standard deviation (n - 1) */
double al_stat_mad(const double *x, size_t n);      /* median absolute deviation, unscaled */
void al_stat_tukey(const double *x, size_t n, size_t *low, size_t *high);
/* Percentile bootstrap CI of the median, `resamples` draws, seeded: the same
 * inputs give the same interval. */
void al_stat_bootstrap_median_ci(const double *x, size_t n, size_t resamples, double level,
                                 uint64_t seed, double *lo, double *hi);
/* Bootstrap CI of median(b) / median(a). */
void al_stat_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                size_t resamples, double level, uint64_t seed,
                                double *ratio, double *lo, double *hi);
void al_summarize(const double *x, size_t n, al_summary *out);

/* ----------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------- */
typedef struct al_bench_result {
    char workload[48];
    char param[32];
    char allocator[64];
    al_run_status status;
    char reason[256];
    uint64_t iterations;        /* iterations per sample */
    size_t nsamples;
    double *samples;            /* ns per iteration, one per sample (malloc'd) */
    al_summary s;               /* over samples */
    double cpu_median_ns;       /* median CPU time of the whole process per iteration
                                   (all threads); -1 when not measured */
    long peak_rss_kib;          /* of the child process that ran it; -1 unknown */
    long minor_faults, major_faults;
    double alloc_calls;         /* allocator calls per iteration; -1 when not counted */
    double instructions;        /* per iteration, --mode instructions; -1 otherwise */
    double est_cycles;          /* per iteration, from callgrind's cache simulation; -1 otherwise */
} al_bench_result;

typedef struct al_bench_context {
    char date[32];              /* ISO 8601, UTC */
    char host[64];
    char cpu[128];
    int ncpus;
    char compiler[64];
    char build_type[24];
    char git_commit[48];        /* empty outside a git checkout */
    char label[64];             /* --save LABEL, or empty */
    char mode[16];              /* "time" or "instructions" */
    char alloclab_version[16];
    double mhz_per_cpu;         /* nominal CPU clock; 0 when unknown (JSON omits it) */
    bool quick;                 /* --quick: CI-sized samples, below the full statistical
                                   bar; the reports say so */
} al_bench_context;

typedef struct al_bench_run {
    long long id;               /* row id in the history; 0 when not stored */
    al_bench_context ctx;
    al_bench_result *results;
    size_t nresults;
} al_bench_run;

void al_bench_run_free(al_bench_run *run);
/* Find a result; NULL when absent. */
const al_bench_result *al_bench_run_find(const al_bench_run *run, const char *workload,
                                         const char *param, const char *allocator);
/* "workload/param/allocator" into buf. */
const char *al_bench_result_name(const al_bench_result *r, char *buf, size_t len);
/* Fill date, host, cpu, compiler, commit... of this machine and build. */
void al_bench_context_detect(al_bench_context *ctx);

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

/* ----------------------------------------------------------------------------
 * Instruction counts (callgrind.c)
 * ------------------------------------------------------------------------- */
/* Whether valgrind can be run here: NULL, or a one-line reason with the package. */
const char *al_callgrind_unavailable(void);
/* Run `iters` iterations of one benchmark under callgrind, counting only the
 * timed region; per-iteration instructions and estimated cycles
 * (L1 hits + 5 x LL hits + 35 x RAM accesses). */
al_run_status al_callgrind_measure(const al_bench_item *item, uint64_t iters, double *instructions,
                                   double *est_cycles, char *why, size_t whylen);
/* The hidden child entry point valgrind runs: alloclab bench --callgrind-child ... */
int al_callgrind_child_main(int argc, char **argv);

/* ----------------------------------------------------------------------------
 * Reports (report_*.c). 0 on success, -1 on a write error.
 * ------------------------------------------------------------------------- */
int al_report_table(FILE *out, const al_bench_run *run);
int al_report_json(FILE *out, const al_bench_run *run);
int al_report_csv(FILE *out, const al_bench_run *run);
int al_report_markdown(FILE *out, const al_bench_run *run);
int al_report_html(FILE *out, const al_bench_run *run);
/* Read a file al_report_json wrote back into `out` (context, results and raw
 * samples; out->id = 0). 0 on success; -1 with a one-line reason in err when
 * the file is unreadable, not JSON, or not in that schema. On failure `out`
 * holds nothing to free. */
int al_report_json_read(const char *path, al_bench_run *out, char *err, size_t errlen);

/* ----------------------------------------------------------------------------
 * History (history.c): SQLite, default alloclab-results/results.db
 * ------------------------------------------------------------------------- */
typedef struct al_history al_history;

#define AL_HISTORY_DEFAULT_PATH "alloclab-results/results.db"

/* Open (creating it and its folder if needed) a results database. A file that
 * is not an alloclab database, or is corrupt, is refused untouched: NULL with a
 * one-line reason. */
al_history *al_history_open(const char *path, bool create, char *err, size_t errlen);
void al_history_close(al_history *h);
/* Store a run; sets run->id. */
int al_history_save(al_history *h, al_bench_run *run, char *err, size_t errlen);
/* Load a run by label or numeric id; ref NULL with nth_last = 0 is the last
 * run, 1 the one before. */
int al_history_load(al_history *h, const char *ref, int nth_last, al_bench_run *out, char *err, size_t errlen);

/* One stored run's value of one benchmark (al_history_series). */
typedef struct al_history_point {
    long long run_id;
    char date[32];
    char label[64];
    char git_commit[48];
    char name[160];             /* workload/param/allocator */
    al_run_status status;
    double median, ci_low, ci_high; /* ns per iteration; NaN when not ok */
    double instructions;        /* per iteration; -1 when not measured */
    char mode[16];              /* the run's mode: "time" or "instructions" ("time" when unset) */
    bool quick;                 /* the run was a --quick one */
} al_history_point;

/* Every stored result whose name is `bench` (workload/param/allocator), or
 * starts with `bench` + "/" (a workload or workload/param), oldest run first,
 * each run's in its result order. NULL with a reason on a database error; otherwise a malloc'd
 * array (free()) of *count points, possibly zero. */
al_history_point *al_history_series(al_history *h, const char *bench, size_t *count, char *err,
                                    size_t errlen);
/* Number of stored runs, or -1 with a reason. */
long long al_history_run_count(al_history *h, char *err, size_t errlen);
/* The default pair to compare: *new_id the newest run, *base_id the latest
 * run before it with the same mode and the same quick flag (runs of another
 * kind are not comparable with it). 0; -1 with a one-line reason when the
 * database holds no such pair or cannot be read. */
int al_history_default_pair(al_history *h, long long *base_id, long long *new_id, char *err, size_t errlen);

typedef enum al_verdict { AL_UNCHANGED = 0, AL_IMPROVED = 1, AL_REGRESSED = 2 } al_verdict;

typedef struct al_comparison {
    char name[160];             /* workload/param/allocator */
    double base_median, new_median;
    double ratio, ratio_lo, ratio_hi; /* new / base with its 95% bootstrap CI */
    al_verdict verdict;
} al_comparison;

/* Compare every benchmark present (and ok) in both runs, in new_run's order.
 * `threshold` is a fraction (0.02 = 2%). Improved or regressed only when the
 * ratio's CI lies wholly outside 1 +- threshold. Runs in instructions mode on
 * both sides compare instructions (exact, a zero-width CI). Returns a malloc'd
 * array (free(); non-NULL even when *count is 0), NULL when out of memory. */
al_comparison *al_compare_runs(const al_bench_run *base, const al_bench_run *new_run, double threshold,
                               size_t *count);

/* What two runs have in common, by benchmark name (workload/param/allocator):
 * only_base counts the base's benchmarks absent from new_run, only_new the
 * reverse, both those present in the two (compared or not: a pair where
 * either side is not ok is in both). */
typedef struct al_compare_coverage {
    size_t only_base, only_new, both;
} al_compare_coverage;
al_compare_coverage al_compare_cover(const al_bench_run *base, const al_bench_run *new_run);

#endif
