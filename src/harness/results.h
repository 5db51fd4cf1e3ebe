/* The data model every part of the benchmark side shares: one result per
 * workload/param/allocator, the context of the machine and build it ran on,
 * and a run (context plus results) as the harness fills it, the reports
 * print it and the history stores it (results.c, context.c). */
#ifndef ALLOCLAB_RESULTS_H
#define ALLOCLAB_RESULTS_H

#include "stats.h"
#include "workload.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ----------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------- */
/* The system calls a benchmark's child made that move memory, counted in an
 * untimed pass of its own (syscalls.c): set-up, a warm-up and the counted
 * iterations. counted false: not counted (another mode, a build or system
 * that cannot trace, an old report). */
typedef struct al_syscall_counts {
    bool counted;
    uint64_t iterations;        /* the iterations of the counted pass, after its warm-up */
    uint64_t brk, mmap, munmap, mremap, madvise;
} al_syscall_counts;

static inline bool al_syscalls_known(const al_syscall_counts *c) { return c->counted; }
static inline uint64_t al_syscalls_total(const al_syscall_counts *c)
{
    return c->brk + c->mmap + c->munmap + c->mremap + c->madvise;
}

#define AL_RESULT_MAX_PROCS 32

typedef struct al_bench_result {
    char workload[AL_WORKLOAD_NAME_MAX];
    char param[32];
    char allocator[64];
    al_run_status status;
    char reason[256];
    uint64_t iterations;        /* iterations per sample */
    size_t nsamples;
    double *samples;            /* ns per iteration, one per sample (malloc'd), in the
                                   order of the rounds that took them */
    /* How many of the samples each of its processes took, in order (their sum
     * is nsamples); nprocs 0 when not known (an older run, a file without
     * them, more processes than fit): every sample is then its own. */
    uint16_t nprocs;
    uint16_t proc_samples[AL_RESULT_MAX_PROCS];
    al_summary s;               /* over samples */
    double cpu_median_ns;       /* median CPU time of the whole process per iteration
                                   (all threads); -1 when not measured */
    long peak_rss_kib;          /* of the child process that ran it; -1 unknown */
    long minor_faults, major_faults;
    double alloc_calls;         /* allocator calls per iteration; -1 when not counted */
    double instructions;        /* per iteration, --mode instructions; -1 otherwise */
    double est_cycles;          /* per iteration, from callgrind's cache simulation; -1 otherwise */
    al_syscall_counts sys;      /* memory system calls of the child (untimed pass) */
    /* The workload's own headline figure (al_workload.metric: fragmentation's
     * peak RSS over peak live bytes, thread-exit's RSS growth), measured by
     * the child over all its runs; NaN, and empty names, when it has none. */
    char ran_as[64];            /* the spec that really ran when the workload changed it
                                   ("locked:arena", al_workload.allocator_used); else empty */
    char metric_name[24];       /* "rss_ratio" */
    char metric_unit[24];       /* "x live", "KiB/1k gen" */
    double metric;
} al_bench_result;

/* Whether r carries a workload metric. */
static inline bool al_result_has_metric(const al_bench_result *r) { return r->metric_name[0] && r->metric == r->metric; }

/* r's proc_samples as "4,4,4,4,4" into buf; false (buf "") when not known. */
bool al_result_procs_text(const al_bench_result *r, char *buf, size_t len);
/* Set r's nprocs and proc_samples from such a text (NULL: not known); a text
 * that is malformed, has more than AL_RESULT_MAX_PROCS entries or does not
 * add up to r->nsamples leaves them not known. */
void al_result_procs_parse(al_bench_result *r, const char *text);
/* Set them from counts[0..n-1] under the same rules. */
void al_result_procs_set(al_bench_result *r, const size_t *counts, size_t n);

/* A backend and the version its library reports ("je", "jemalloc 5.3.0"). */
typedef struct al_bench_lib {
    char name[16];
    char version[48];
} al_bench_lib;

#define AL_BENCH_MAX_LIBS 8

/* The machine-speed reference of a time run (reference.c): its samples'
 * count, median and the median's 95% CI, in ns per loop; n == 0 when it
 * was not measured (instructions mode, an older report). */
typedef struct al_bench_reference {
    size_t n;
    double median_ns, ci_low_ns, ci_high_ns;
} al_bench_reference;

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
    al_bench_lib libs[AL_BENCH_MAX_LIBS]; /* the available backends that report a version */
    size_t nlibs;
    al_bench_reference reference; /* the machine-speed reference measured with the run */
    char test_hooks[200];       /* the ALLOCLAB_TEST_* variables set while it ran ("NAME=value,
                                   ..."): figures altered on purpose; empty for a real run */
} al_bench_context;

struct al_bench_index;

typedef struct al_bench_run {
    long long id;               /* row id in the history; 0 when not stored */
    al_bench_context ctx;
    al_bench_result *results;
    size_t nresults;
    struct al_bench_index *index; /* al_bench_run_index's lookup tables, or NULL */
} al_bench_run;

/* Frees the results, their samples and the index. */
void al_bench_run_free(al_bench_run *run);
/* Find a result; NULL when absent. O(1) with a current index, else a scan. */
const al_bench_result *al_bench_run_find(const al_bench_run *run, const char *workload,
                                         const char *param, const char *allocator);

/* ----------------------------------------------------------------------------
 * Runs from outside (a report file, the database) can be of any size and
 * shape; the reports lay results out as one table per workload, a column per
 * parameter and a row per allocator. These limits keep every report linear
 * in the run's size; al_bench_run_index refuses a run beyond them.
 * ------------------------------------------------------------------------- */
#define AL_RUN_MAX_RESULTS 100000      /* results in one run */
#define AL_RUN_MAX_WORKLOADS 256       /* distinct workloads */
#define AL_RUN_MAX_COLUMNS 1024        /* distinct workload/param pairs (table columns) */
#define AL_RUN_MAX_ALLOCATORS 256      /* distinct allocators (table rows) */

/* Check the run against the limits above and build its lookup index:
 * al_bench_run_find then takes O(1), and al_bench_run_column_next walks one
 * workload/param column. 0; -1 with a one-line reason (the run is then left
 * without an index). The index belongs to the results array it was built
 * over: once results or nresults change it is ignored (build it again). */
int al_bench_run_index(al_bench_run *run, char *err, size_t errlen);
/* The first result of r's workload/param column (r's own column, in result
 * order) when from is NULL, else the one after `from` in that column; NULL
 * at the end. O(1) per step with a current index, else a scan. */
const al_bench_result *al_bench_run_column_next(const al_bench_run *run, const al_bench_result *r,
                                                const al_bench_result *from);
/* The first result of the workload/param column; NULL when there is none. */
const al_bench_result *al_bench_run_column_first(const al_bench_run *run, const char *workload, const char *param);
/* "workload/param/allocator" into buf. */
const char *al_bench_result_name(const al_bench_result *r, char *buf, size_t len);
/* Fill date, host, cpu, compiler, commit... of this machine and build, and
 * the test hooks set in the environment (al_bench_test_hooks); when there
 * are any, one line on stderr says so, once per process. */
void al_bench_context_detect(al_bench_context *ctx);
/* The test hooks set in the environment: every ALLOCLAB_TEST_* variable (a
 * benchmark slowed down, a save paused) as "NAME=value" joined by ", ", cut
 * to fit; empty when none. */
void al_bench_test_hooks(char *buf, size_t len);

#endif
