/* Synthetic benchmark runs for tests (see synth_run.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth_run.h"
#include "history.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void synth_run_init(al_bench_run *run, const char *label)
{
    memset(run, 0, sizeof *run);
    al_bench_context *c = &run->ctx;
    snprintf(c->date, sizeof c->date, "2026-01-02T03:04:05Z");
    snprintf(c->host, sizeof c->host, "testhost");
    snprintf(c->cpu, sizeof c->cpu, "Synthetic CPU @ 3.00GHz");
    c->ncpus = 8;
    c->mhz_per_cpu = 3000;
    snprintf(c->compiler, sizeof c->compiler, "gcc 12.2.0");
    snprintf(c->build_type, sizeof c->build_type, "RelWithDebInfo");
    snprintf(c->git_commit, sizeof c->git_commit, "0123456789ab");
    snprintf(c->label, sizeof c->label, "%s", label ? label : "");
    snprintf(c->mode, sizeof c->mode, "time");
    snprintf(c->alloclab_version, sizeof c->alloclab_version, "0.1.0");
}

al_bench_result *synth_add(al_bench_run *run, const char *workload, const char *param,
                           const char *allocator, al_run_status status, double median, double spread,
                           size_t nsamples, const char *reason, unsigned seed)
{
    al_bench_result *grown = realloc(run->results, (run->nresults + 1) * sizeof *grown);
    if (!grown) abort();
    run->results = grown;
    al_bench_result *r = &run->results[run->nresults++];
    memset(r, 0, sizeof *r);
    snprintf(r->workload, sizeof r->workload, "%s", workload);
    snprintf(r->param, sizeof r->param, "%s", param);
    snprintf(r->allocator, sizeof r->allocator, "%s", allocator);
    snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "");
    r->status = status;
    r->peak_rss_kib = -1;
    r->minor_faults = r->major_faults = -1;
    r->alloc_calls = r->instructions = r->est_cycles = r->cpu_median_ns = -1;
    if (status != AL_RUN_OK) {
        al_summarize(NULL, 0, &r->s);
        return r;
    }
    r->iterations = 1000;
    r->nsamples = nsamples;
    r->samples = malloc(nsamples * sizeof *r->samples);
    if (!r->samples) abort();
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < nsamples; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) / 9007199254740992.0; /* [0, 1) */
        r->samples[i] = median * (1 + spread * (2 * u - 1));
    }
    al_summarize(r->samples, nsamples, &r->s);
    r->peak_rss_kib = 4096 + seed;
    r->minor_faults = 300;
    r->major_faults = 0;
    r->alloc_calls = 2;
    return r;
}

void synth_set_ci(al_bench_result *r, double median, double lo, double hi)
{
    r->s.median = median;
    r->s.ci_low = lo;
    r->s.ci_high = hi;
}

void synth_realistic(al_bench_run *run, const char *label, double scale)
{
    static const char *const allocs[] = {"sys", "je", "mi", "tc", "bump"};
    static const double speed[] = {1.0, 0.8, 0.62, 0.7, 0.25};
    synth_run_init(run, label);
    unsigned seed = 1;
    static const char *const sizes[] = {"64", "256", "4096"};
    for (size_t p = 0; p < 3; p++)
        for (size_t a = 0; a < 5; a++)
            synth_add(run, "glibc-simple", sizes[p], allocs[a], AL_RUN_OK,
                      scale * 40 * (1 + p * 0.6) * speed[a], 0.04, 20, NULL, seed++);
    static const char *const big[] = {"64K", "1M", "16M"};
    for (size_t p = 0; p < 3; p++)
        for (size_t a = 0; a < 5; a++) {
            if (a == 4 && p == 2)
                synth_add(run, "large-blocks", big[p], allocs[a], AL_RUN_UNSUPPORTED, 0, 0, 0,
                          "capacity: a 16 MiB block does not fit in bump's 8 MiB buffer <fixed>", seed++);
            else
                synth_add(run, "large-blocks", big[p], allocs[a], AL_RUN_OK,
                          scale * 120 * pow(14, (double)p) * (a == 0 ? 1.6 : speed[a] + 0.3), 0.06, 20,
                          NULL, seed++);
        }
    static const char *const threads[] = {"1", "2", "4"};
    for (size_t p = 0; p < 3; p++)
        for (size_t a = 0; a < 4; a++) {
            if (a == 3 && p == 2)
                synth_add(run, "glibc-thread", threads[p], allocs[a], AL_RUN_FAILED, 0, 0, 0,
                          "fill pattern mismatch at block 17 & \"offset\" 8", seed++);
            else
                synth_add(run, "glibc-thread", threads[p], allocs[a], AL_RUN_OK,
                          scale * 900 * (1 + (a == 0) * (double)p * 0.9) * speed[a], 0.08, 20, NULL, seed++);
        }
}

char *synth_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *more = realloc(buf, (cap *= 2) + 1);
            if (!more) free(buf);
            buf = more;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

char *synth_tmpdir(void)
{
    char tmpl[] = "/tmp/alloclab-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void synth_rmdir(char *dir)
{
    if (dir) nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *synth_group_dir;

int synth_group_setup(void **state)
{
    (void)state;
    synth_group_dir = synth_tmpdir();
    return synth_group_dir ? 0 : -1;
}

int synth_group_teardown(void **state)
{
    (void)state;
    synth_rmdir(synth_group_dir);
    synth_group_dir = NULL;
    return 0;
}

const char *synth_group_path_into(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", synth_group_dir, name);
    return buf;
}

const char *synth_group_path(const char *name)
{
    static char buf[4][512];
    static unsigned k;
    return synth_group_path_into(buf[k++ % 4], sizeof buf[0], name);
}

void synth_store_realistic(const char *path, const char *label)
{
    char err[256];
    al_history *h = al_history_open(path, true, err, sizeof err);
    if (!h) fail_msg("open %s: %s", path, err);
    al_bench_run run;
    synth_realistic(&run, label, 1);
    if (al_history_save(h, &run, err, sizeof err) != 0) fail_msg("save into %s: %s", path, err);
    al_history_close(h);
    al_bench_run_free(&run);
}
