/* The results history (SQLite, history.c) and the comparison of two runs
 * with verdicts (compare.c). */
#ifndef ALLOCLAB_HISTORY_H
#define ALLOCLAB_HISTORY_H

#include "results.h"

#include <stdbool.h>
#include <stddef.h>

/* ----------------------------------------------------------------------------
 * History (history.c): SQLite, default alloclab-results/results.db
 * ------------------------------------------------------------------------- */
typedef struct al_history al_history;

#define AL_HISTORY_DEFAULT_PATH "alloclab-results/results.db"

/* How long a connection waits for another process's lock before it gives
 * up with "locked": AL_HISTORY_BUSY_MS, or ALLOCLAB_DB_TIMEOUT_MS from the
 * environment (0 to 3600000). */
#define AL_HISTORY_BUSY_MS 10000
int al_history_busy_ms(void);

/* Open (creating it and its folder if needed) a results database. A file that
 * is not an alloclab database, or is corrupt, is refused untouched: NULL with a
 * one-line reason. Safe against concurrent opens, creations and saves of the
 * same path by other processes, and against a process killed in the middle
 * of one (its interrupted transaction is rolled back here). */
al_history *al_history_open(const char *path, bool create, char *err, size_t errlen);
/* Whether the database could only be opened read-only (file permissions):
 * a save would fail. */
bool al_history_read_only(al_history *h);
void al_history_close(al_history *h);
/* Store a run, all or nothing, waiting for other writers; sets run->id.
 * -1 with a one-line reason ("... is locked ...", "database or disk is
 * full") when it could not be stored; the database is then as before. */
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
/* The default pair to compare: *new_id the newest run that has an earlier
 * one with the same mode and quick flag (runs of another kind are not
 * comparable with it), *base_id the latest such earlier run. 0 when *new_id
 * is the newest run; 1 when the newest had no partner and was passed over,
 * with a one-line note saying so in err; -1 with a one-line reason when the
 * database holds no such pair or cannot be read. */
int al_history_default_pair(al_history *h, long long *base_id, long long *new_id, char *err, size_t errlen);

typedef enum al_verdict { AL_UNCHANGED = 0, AL_IMPROVED = 1, AL_REGRESSED = 2 } al_verdict;

typedef struct al_comparison {
    char name[160];             /* workload/param/allocator */
    double base_median, new_median;
    double ratio, ratio_lo, ratio_hi; /* new / base with its 95% CI */
    double floor;               /* the noise floor used (fraction): the larger of the
                                   threshold and what the history learned */
    double detectable;          /* the smallest slowdown (fraction) this pair would
                                   call regressed: floor and both CIs together */
    al_verdict verdict;
    /* Paired (time mode, the default): ratio and its CI are this allocator's
     * time relative to the others of its benchmark measured in the same
     * rounds (cohort of them, present in both runs), new over base; the
     * medians stay the absolute ones. column_ratio: the benchmark as a
     * whole, the median of its allocators' new/base medians (divided by the
     * machine-speed ratio when known), which a verdict in paired mode does
     * not judge. */
    bool paired;
    size_t cohort;
    double column_ratio;
    bool column_first;          /* the first comparison of its workload/param column */
    /* The CPUs the column's processes kept busy (CPU time over wall time,
     * the median over its allocators; NaN when not known), in BASE and NEW.
     * A threaded benchmark whose share moved by more than
     * AL_COMPARE_CPU_SHARE between the runs ran under another contention
     * (a process that took a core): its allocators rank differently there
     * for real, so it is not judged (not_comparable, verdict unchanged). */
    double cpus_base, cpus_new;
    bool not_comparable;
} al_comparison;

#define AL_COMPARE_CPU_SHARE 0.10

/* A noise floor per benchmark, learned from the history: the largest change
 * of its median between two stored runs of one clean commit (the same git
 * commit, no "-dirty"), host, mode and --quick flag: pairs that measured the
 * same code, so whatever moved between them is noise. */
/* Its entries are sorted by name, one per benchmark (al_noise_floor_learn). */
typedef struct al_noise_floor {
    struct al_floor_entry {
        char name[160];         /* workload/param/allocator */
        double floor;           /* fraction: max over pairs of max(r, 1/r) - 1 */
        double paired_floor;    /* the same for the paired ratio (-1: never paired) */
    } *e;
    size_t n;
    size_t pairs;               /* A/A pairs of runs it was learned from */
} al_noise_floor;

/* Learn the floor for comparing base with new_run from up to the last 64
 * stored runs like them (base and new_run themselves left out). 0 (an empty
 * floor when there are no such pairs), -1 with a reason on a database error. */
int al_noise_floor_learn(al_history *h, const al_bench_run *base, const al_bench_run *new_run,
                         al_noise_floor *out, char *err, size_t errlen);
/* The floor of one benchmark; 0 when none was learned. f may be NULL. */
double al_noise_floor_of(const al_noise_floor *f, const char *name);
/* The floor of the paired ratio (al_comparison.paired); the absolute one
 * for a benchmark whose A/A pairs were never paired. */
double al_noise_floor_paired_of(const al_noise_floor *f, const char *name);
void al_noise_floor_free(al_noise_floor *f);

/* Compare every benchmark present (and ok) in both runs, in new_run's order.
 * `threshold` is a fraction (0.02 = 2%). The ratio's CI combines the two
 * medians' CIs (as stored: in time mode they cover the variation between
 * the benchmark's processes); without stored CIs, a bootstrap of the
 * samples. Improved or regressed only when that CI lies wholly outside
 * 1 +- max(threshold, the benchmark's floor in `floor`, which may be NULL).
 * Runs in instructions mode on both sides compare instructions (exact, a
 * zero-width CI); time runs that both measured the machine-speed reference
 * have their ratios divided by its ratio (al_compare_runs_opts). Returns a malloc'd array (free(); non-NULL even when
 * *count is 0), NULL when out of memory. */
al_comparison *al_compare_runs_floor(const al_bench_run *base, const al_bench_run *new_run, double threshold,
                                     const al_noise_floor *floor, size_t *count);
/* The machine-speed ratio NEW / BASE of two time runs, from their
 * references (al_bench_context.reference), with the log half-widths of its
 * 95% CI below (down) and above (up). */
typedef struct al_speed {
    bool known;                 /* both runs are time runs that measured it */
    double ratio;               /* 1 when not known */
    double down, up;
} al_speed;
bool al_compare_speed(const al_bench_run *base, const al_bench_run *new_run, al_speed *out);

typedef struct al_compare_opts {
    double threshold;           /* fraction */
    const al_noise_floor *floor; /* or NULL */
    bool raw;                   /* time ratios as measured: not divided by the speed ratio */
    bool unpaired;              /* time verdicts on the absolute medians, never paired */
} al_compare_opts;
/* al_compare_runs_floor with every option; without `raw`, time ratios are
 * divided by al_compare_speed's ratio when it is known, and their CIs
 * widened by its CI. */
al_comparison *al_compare_runs_opts(const al_bench_run *base, const al_bench_run *new_run,
                                    const al_compare_opts *o, size_t *count);
/* al_compare_runs_floor without a learned floor. */
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

/* The backends whose library version both runs recorded and that differs
 * (compare_libs.c), as "je jemalloc 5.2.1 -> jemalloc 5.3.0, mi ..." into
 * buf (cut to fit); returns how many. */
size_t al_compare_lib_changes(const al_bench_run *base, const al_bench_run *new_run, char *buf, size_t len);

#endif
