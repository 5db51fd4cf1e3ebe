/* Instruction counts under valgrind --tool=callgrind: the entry points the
 * harness calls, and the internals of the mode (callgrind*.c) shared with the tests. */
#ifndef ALLOCLAB_CALLGRIND_H
#define ALLOCLAB_CALLGRIND_H

#include "harness.h"

/* Whether valgrind can be run here: NULL, or a one-line reason with the package. */
const char *al_callgrind_unavailable(void);
/* How a count is run. The child command is the program valgrind starts and
 * the arguments before WORKLOAD (NULL-terminated): a program whose entry
 * hands them to al_callgrind_child_main (the CLI: {exe, "bench",
 * "--callgrind-child"}); NULL = {this executable, "--callgrind-child"}.
 * timeout_s: past it valgrind is killed and the result failed; 0 =
 * AL_BENCH_DEFAULT_TIMEOUT_S (ALLOCLAB_CALLGRIND_TIMEOUT in the environment,
 * seconds, overrides both). NULL opts = all defaults. */
typedef struct al_callgrind_opts {
    const char *const *child;
    double timeout_s;
} al_callgrind_opts;

/* Run `iters` iterations of one benchmark under callgrind, counting only the
 * timed region; per-iteration instructions and estimated cycles
 * (L1 hits + 5 x LL hits + 35 x RAM accesses). */
al_run_status al_callgrind_measure(const al_bench_item *item, uint64_t iters, const al_callgrind_opts *opts,
                                   double *instructions, double *est_cycles, char *why, size_t whylen);
/* The hidden child entry point valgrind runs: PROGRAM ... --callgrind-child
 * WORKLOAD PARAM ALLOCATOR ITERS [STATUS_FILE]. */
int al_callgrind_child_main(int argc, char **argv);

/* The totals of one callgrind output file. */
typedef struct al_callgrind_totals {
    uint64_t ir;            /* instructions executed in the collected region */
    bool has_cache;         /* the file carries the cache-simulation events */
    uint64_t dr, dw;        /* data reads and writes */
    uint64_t i1mr, d1mr, d1mw; /* L1 misses: instruction read, data read, data write */
    uint64_t ilmr, dlmr, dlmw; /* last-level misses, same order */
} al_callgrind_totals;

/* Read a callgrind output file: the `events:` line names the columns, the
 * `totals:` lines (else the `summary:` lines) give the costs, summed over the
 * file's parts; omitted trailing columns are zero. 0, or -1 with a one-line
 * reason when the file cannot be read or lacks `events:` with Ir or any
 * summary/totals line. */
int al_callgrind_parse(const char *path, al_callgrind_totals *out, char *why, size_t whylen);

/* Per-iteration figures from totals: instructions = Ir / iters, estimated
 * cycles = (L1 hits + 5 x LL hits + 35 x RAM accesses) / iters, where
 * L1 hits = Ir + Dr + Dw - (I1mr + D1mr + D1mw), LL hits = L1 misses - LL
 * misses, RAM = LL misses. est_cycles is -1 without the cache events;
 * iters 0 is taken as 1. */
void al_callgrind_per_iter(const al_callgrind_totals *t, uint64_t iters, double *instructions,
                           double *est_cycles);

/* The valgrind executable to use: the environment variable ALLOCLAB_VALGRIND
 * when set and not empty (even to a missing file: that is how tests simulate
 * its absence),
 * else the path CMake found, else the first `valgrind` on PATH. Into buf;
 * NULL when none was found. */
const char *al_callgrind_valgrind_path(char *buf, size_t len);

/* The child's work once its arguments are read (al_callgrind_child_main
 * looks the workload up by name, then calls this): setup, warm-up, the
 * counted run(iters), teardown; the outcome reported as described in
 * callgrind_child.c. Returns the exit status (the al_run_status). Tests call
 * it with workloads of their own. */
int al_callgrind_child_run(const al_workload *wl, const char *param, const char *spec, uint64_t iters,
                           const char *status_file);

#endif
