/* Synthetic benchmark runs for the report, history and compare tests: no
 * benchmark is executed; samples are made up deterministically. */
#ifndef ALLOCLAB_SYNTH_RUN_H
#define ALLOCLAB_SYNTH_RUN_H

#include "results.h"

/* An empty run with a filled context (label may be NULL). */
void synth_run_init(al_bench_run *run, const char *label);

/* Append one result. For AL_RUN_OK, `nsamples` samples around `median` ns
 * (relative noise +-spread, deterministic from `seed`), summarised with
 * al_summarize; otherwise no samples and `reason`. Returns the result. */
al_bench_result *synth_add(al_bench_run *run, const char *workload, const char *param,
                           const char *allocator, al_run_status status, double median, double spread,
                           size_t nsamples, const char *reason, unsigned seed);

/* Set r's median and CI exactly (ns), for tests that need a given overlap of
 * CIs rather than one the synthetic noise happens to give. */
void synth_set_ci(al_bench_result *r, double median, double lo, double hi);

/* A realistic-looking run: three workloads, five allocators, one
 * unsupported and one failed result; `scale` multiplies every time. */
void synth_realistic(al_bench_run *run, const char *label, double scale);

/* A synth_realistic run (label, scale 1) stored in the history at path,
 * created if needed; a failure fails the cmocka test. */
void synth_store_realistic(const char *path, const char *label);

/* The whole content of a file, NUL-terminated (free()); NULL if unreadable. */
char *synth_read_file(const char *path, size_t *len);

/* A fresh temporary folder (mkdtemp) and its removal with everything in it. */
char *synth_tmpdir(void);
void synth_rmdir(char *dir);

/* One temporary folder for a whole test group: cmocka group set-up and
 * teardown that make it (synth_tmpdir) and remove it with its contents;
 * while it exists its path is synth_group_dir. */
extern char *synth_group_dir;
int synth_group_setup(void **state);
int synth_group_teardown(void **state);
/* synth_group_dir/name, in one of four buffers used in turn (so that a call
 * may take up to four such paths as arguments). */
const char *synth_group_path(const char *name);
/* synth_group_dir/name into buf (len bytes), for a path a test keeps;
 * returns buf. */
const char *synth_group_path_into(char *buf, size_t len, const char *name);

#endif
