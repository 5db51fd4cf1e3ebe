/* The child processes that time benchmarks (runner.c), internal to the harness. */
#ifndef ALLOCLAB_RUNNER_H
#define ALLOCLAB_RUNNER_H

#include "harness.h"

/* Fresh children (the alloclab program): when self names this program's
 * executable, each benchmark child of a built-in workload is started by
 * executing it again (argv[1] AL_RUNNER_CHILD_ARG) instead of running on in
 * a copy of the harness, so that no benchmark inherits the harness's heap,
 * allocator caches or mappings: what ran before it, or which benchmarks a
 * run selected, cannot change its figures, and each process gets an
 * address-space layout of its own. NULL (the default, and for any program
 * whose main does not call al_runner_child_entry): fork only. */
#define AL_RUNNER_CHILD_ARG "--bench-child"
void al_runner_exec_children(const char *self);
/* The child's side: when argv is such an invocation, runs the benchmark
 * child and exits (never returns); otherwise returns. */
void al_runner_child_entry(int argc, char **argv);

/* A round times each sample in this many parts, the group's children
 * taking turns part by part (forward, then backward), so that every
 * allocator's sample spans the same stretch of time and meets the same
 * passing load: the premise of compare's paired verdicts. */
#define AL_RUNNER_SLICES 4

typedef struct al_runner_opts {
    size_t samples;        /* samples per benchmark, >= 1 */
    double min_sample_ms;  /* calibration target for one sample, > 0; unused for a
                              workload whose fixed_iters gives a count */
    double timeout_s;      /* per step (setup + calibration, or one sample), > 0 */
    double budget_s;       /* 0, or: stop taking rounds once the group's rounds have
                              taken this long and min_samples rounds are done */
    size_t min_samples;    /* with budget_s: rounds always taken, <= samples */
    size_t processes;      /* child processes per benchmark, one per pass (0 = 1);
                              the rounds are split among them */
    size_t slices;         /* parts each sample is timed in, interleaved over the
                              group's children (0: AL_RUNNER_SLICES; 1: whole) */
    /* Called after each round (round = 0..samples-1) and may be NULL. */
    void (*on_round)(void *ctx, size_t round);
    void *ctx;
} al_runner_opts;

/* Time one group: n items of the same workload and parameter, one per
 * allocator, each in its own child processes. Each child sets up, runs one
 * warm-up iteration, then calibrates its iteration count per sample — or
 * takes the workload's fixed_iters when that hook returns > 0 (every child
 * of the group then runs the same count). Each sample records wall time
 * and the whole child's CPU time (all threads), both per iteration;
 * cpu_median_ns is the median of the latter. Round r takes each sample in
 * o->slices parts of its iterations: part p goes to the children in the
 * order r mod n, r+1 mod n, ... (reversed for odd p), so no allocator always
 * runs first and all of a round's samples span the same time. Fills
 * results[0..n-1] completely (names, status, reason, samples, summary,
 * rusage); a child that fails, crashes or times out gives a result
 * with that status and reason, and the others carry on.
 *
 * The group's processes come in passes (al_runner_passes of them): pass g
 * starts one child per item and takes its share of the rounds. A caller may
 * run the passes of many groups interleaved (pass 0 of every group, then
 * pass 1 of every group...), so that each benchmark's samples are spread
 * over the whole run: al_runner_begin, al_runner_pass for g = 0, 1, ... in
 * order, al_runner_end (which fills the summaries and frees the state).
 * al_runner_group does the three at once. */
typedef struct al_runner_state al_runner_state;
size_t al_runner_passes(const al_runner_opts *o);
/* NULL when out of memory, every result then failed with that reason (the
 * other two calls accept NULL). results must live until al_runner_end. */
al_runner_state *al_runner_begin(const al_bench_item *items, size_t n, const al_runner_opts *o,
                                 al_bench_result *results);
void al_runner_pass(al_runner_state *st, size_t g);
void al_runner_end(al_runner_state *st);
void al_runner_group(const al_bench_item *items, size_t n, const al_runner_opts *o, al_bench_result *results);

/* Fill the name fields of r from item and the "not measured" defaults
 * (-1 for rusage, alloc_calls, instructions, est_cycles; NaN summary). */
void al_result_init(al_bench_result *r, const al_bench_item *item);

#endif
