/* The JSON report in Google Benchmark's schema, and its reader.
 *
 * The file is a `context` object and a `benchmarks` array, as Google
 * Benchmark writes them, so that its compare tools read it; alloclab's own
 * fields sit beside the standard ones. Every result, including unsupported and
 * failed ones, carries the standard fields (then with zero iterations and
 * times, and Google Benchmark's `error_occurred: true` and `error_message`)
 * plus `status` and `reason`. `cpu_time` is the measured CPU time per
 * iteration when there is one (also in `cpu_median_ns`), else the real time.
 * The context says `quick` for a CI-sized run, and holds the run's
 * machine-speed reference (`reference_loop`: samples, median and CI in ns)
 * when it was measured. */
#include "reports.h"
#include "report_util.h"

#include <jansson.h>
#include <limits.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing ----------------------------------------------------------------
 * A number that is NaN or infinite is written as null: the output is always
 * valid JSON. Optional measurements (-1 = not measured) are omitted. */

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void set(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new(obj, key, value ? value : json_null());
}

static const char *library_build_type(const char *build_type)
{
    if (strncmp(build_type, "Rel", 3) == 0 || strcmp(build_type, "MinSizeRel") == 0) return "release";
    if (strcmp(build_type, "Debug") == 0) return "debug";
    return build_type;
}

static json_t *context_json(const al_bench_context *c)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    json_t *o = json_object();
    set(o, "date", json_string(c->date));
    set(o, "host_name", json_string(c->host));
    set(o, "executable", json_string(n > 0 ? exe : "alloclab"));
    set(o, "num_cpus", json_integer(c->ncpus));
    if (c->mhz_per_cpu > 0) set(o, "mhz_per_cpu", json_integer((json_int_t)llround(c->mhz_per_cpu)));
    set(o, "cpu_model", json_string(c->cpu));
    set(o, "library_build_type", json_string(library_build_type(c->build_type)));
    set(o, "build_type", json_string(c->build_type));
    set(o, "alloclab_version", json_string(c->alloclab_version));
    json_t *libs = json_object();
    for (size_t i = 0; i < c->nlibs; i++) set(libs, c->libs[i].name, json_string(c->libs[i].version));
    set(o, "allocator_versions", libs);
    set(o, "git_commit", json_string(c->git_commit));
    set(o, "label", json_string(c->label));
    set(o, "mode", json_string(c->mode));
    set(o, "compiler", json_string(c->compiler));
    set(o, "quick", json_boolean(c->quick));
    if (*c->test_hooks) set(o, "test_hooks", json_string(c->test_hooks));
    const al_bench_reference *ref = &c->reference;
    if (ref->n > 0 && isfinite(ref->median_ns) && isfinite(ref->ci_low_ns) && isfinite(ref->ci_high_ns)) {
        json_t *r = json_object();
        set(r, "samples", json_integer((json_int_t)ref->n));
        set(r, "median_ns", json_real(ref->median_ns));
        set(r, "ci_low_ns", json_real(ref->ci_low_ns));
        set(r, "ci_high_ns", json_real(ref->ci_high_ns));
        set(o, "reference_loop", r);
    }
    return o;
}

static json_t *result_json(const al_bench_result *r)
{
    char name[160];
    bool ok = r->status == AL_RUN_OK;
    json_t *o = json_object();
    al_bench_result_name(r, name, sizeof name);
    set(o, "name", json_string(name));
    set(o, "run_name", json_string(name));
    set(o, "run_type", json_string("iteration"));
    set(o, "iterations", json_integer(ok ? (json_int_t)r->iterations : 0));
    set(o, "real_time", ok ? num(r->s.median) : json_real(0));
    /* CPU time when it was measured; a result without it (-1: an older run,
     * instructions mode) repeats the real time, as a single-threaded
     * benchmark's CPU time would be, so that compare tools find a number. */
    set(o, "cpu_time", ok ? num(r->cpu_median_ns >= 0 ? r->cpu_median_ns : r->s.median) : json_real(0));
    set(o, "time_unit", json_string("ns"));
    if (!ok) {
        set(o, "error_occurred", json_true());
        set(o, "error_message", json_string(*r->reason ? r->reason : al_run_status_name(r->status)));
    }
    set(o, "workload", json_string(r->workload));
    set(o, "param", json_string(r->param));
    set(o, "allocator", json_string(r->allocator));
    set(o, "status", json_string(al_run_status_name(r->status)));
    set(o, "reason", json_string(r->reason));
    set(o, "median_ns", num(r->s.median));
    set(o, "mean_ns", num(r->s.mean));
    set(o, "stddev_ns", num(r->s.stddev));
    set(o, "mad_ns", num(r->s.mad));
    set(o, "min_ns", num(r->s.min));
    set(o, "max_ns", num(r->s.max));
    set(o, "ci_low_ns", num(r->s.ci_low));
    set(o, "ci_high_ns", num(r->s.ci_high));
    set(o, "samples", json_integer((json_int_t)r->nsamples));
    set(o, "outliers", json_integer((json_int_t)(r->s.outliers_low + r->s.outliers_high)));
    set(o, "outliers_low", json_integer((json_int_t)r->s.outliers_low));
    set(o, "outliers_high", json_integer((json_int_t)r->s.outliers_high));
    set(o, "peak_rss_kib", r->peak_rss_kib >= 0 ? json_integer(r->peak_rss_kib) : json_null());
    set(o, "minor_faults", r->minor_faults >= 0 ? json_integer(r->minor_faults) : json_null());
    set(o, "major_faults", r->major_faults >= 0 ? json_integer(r->major_faults) : json_null());
    if (r->cpu_median_ns >= 0) set(o, "cpu_median_ns", num(r->cpu_median_ns));
    if (r->alloc_calls >= 0) set(o, "alloc_calls", num(r->alloc_calls));
    if (r->instructions >= 0) set(o, "instructions", num(r->instructions));
    if (r->est_cycles >= 0) set(o, "est_cycles", num(r->est_cycles));
    if (r->ran_as[0]) set(o, "ran_as", json_string(r->ran_as));
    if (al_syscalls_known(&r->sys)) {
        json_t *sc = json_object();
        set(sc, "iterations", json_integer((json_int_t)r->sys.iterations));
        set(sc, "brk", json_integer((json_int_t)r->sys.brk));
        set(sc, "mmap", json_integer((json_int_t)r->sys.mmap));
        set(sc, "munmap", json_integer((json_int_t)r->sys.munmap));
        set(sc, "mremap", json_integer((json_int_t)r->sys.mremap));
        set(sc, "madvise", json_integer((json_int_t)r->sys.madvise));
        set(o, "syscalls", sc);
    }
    if (al_result_has_metric(r)) {
        set(o, "metric_name", json_string(r->metric_name));
        set(o, "metric_unit", json_string(r->metric_unit));
        set(o, "metric", num(r->metric));
    }
    json_t *samples = json_array();
    for (size_t i = 0; r->samples && i < r->nsamples; i++) json_array_append_new(samples, num(r->samples[i]));
    set(o, "sample_ns", samples);
    if (r->nprocs) { /* how many of them each process took */
        json_t *procs = json_array();
        for (size_t g = 0; g < r->nprocs; g++) json_array_append_new(procs, json_integer(r->proc_samples[g]));
        set(o, "process_samples", procs);
    }
    return o;
}

int al_report_json(FILE *out, const al_bench_run *run)
{
    json_t *root = json_object(), *list = json_array();
    if (!root || !list) {
        json_decref(root);
        json_decref(list);
        return -1;
    }
    set(root, "context", context_json(&run->ctx));
    for (size_t i = 0; i < run->nresults; i++) json_array_append_new(list, result_json(&run->results[i]));
    set(root, "benchmarks", list);
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc == 0 && fputc('\n', out) == EOF) rc = -1;
    return rc == 0 ? al_report_finish(out) : -1;
}

/* ---- reading ----------------------------------------------------------------
 * The reader accepts what the writer produces; absent or null numbers become
 * NaN (statistics) or -1 (optional measurements). A benchmark without
 * workload/param/allocator fields is named by splitting `name` on '/'. */

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static double get_num(json_t *o, const char *key, double absent)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : absent;
}

static void read_context(json_t *c, al_bench_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    if (!json_is_object(c)) {
        al_report_copy(ctx->mode, sizeof ctx->mode, "time"); /* as below when the field is absent */
        return;
    }
    al_report_copy_text(ctx->date, sizeof ctx->date, str(c, "date"));
    al_report_copy_text(ctx->host, sizeof ctx->host, str(c, "host_name"));
    al_report_copy_text(ctx->cpu, sizeof ctx->cpu, str(c, "cpu_model"));
    double ncpus = get_num(c, "num_cpus", 0);
    ctx->ncpus = ncpus >= 1 && ncpus <= INT_MAX ? (int)ncpus : 0; /* 0: unknown */
    ctx->mhz_per_cpu = get_num(c, "mhz_per_cpu", 0);
    al_report_copy_text(ctx->compiler, sizeof ctx->compiler, str(c, "compiler"));
    const char *bt = str(c, "build_type");
    al_report_copy_text(ctx->build_type, sizeof ctx->build_type, *bt ? bt : str(c, "library_build_type"));
    al_report_copy_text(ctx->git_commit, sizeof ctx->git_commit, str(c, "git_commit"));
    al_report_copy_text(ctx->label, sizeof ctx->label, str(c, "label"));
    const char *mode = str(c, "mode");
    al_report_copy_text(ctx->mode, sizeof ctx->mode, *mode ? mode : "time");
    al_report_copy_text(ctx->alloclab_version, sizeof ctx->alloclab_version, str(c, "alloclab_version"));
    ctx->quick = json_is_true(json_object_get(c, "quick"));
    al_report_copy_text(ctx->test_hooks, sizeof ctx->test_hooks, str(c, "test_hooks"));
    json_t *libs = json_object_get(c, "allocator_versions"), *v;
    const char *key;
    if (json_is_object(libs))
        json_object_foreach(libs, key, v) {
            if (ctx->nlibs == AL_BENCH_MAX_LIBS) break;
            if (!json_is_string(v)) continue;
            al_report_copy_text(ctx->libs[ctx->nlibs].name, sizeof ctx->libs[0].name, key);
            al_report_copy_text(ctx->libs[ctx->nlibs].version, sizeof ctx->libs[0].version, json_string_value(v));
            ctx->nlibs++;
        }
    /* The machine-speed reference, kept only when it is whole and consistent. */
    json_t *ref = json_object_get(c, "reference_loop");
    double rn = get_num(ref, "samples", 0), med = get_num(ref, "median_ns", NAN);
    double lo = get_num(ref, "ci_low_ns", NAN), hi = get_num(ref, "ci_high_ns", NAN);
    if (rn >= 1 && rn <= 1e9 && med > 0 && lo > 0 && lo <= med && med <= hi && isfinite(hi))
        ctx->reference = (al_bench_reference){.n = (size_t)rn, .median_ns = med, .ci_low_ns = lo, .ci_high_ns = hi};
}

/* alloclab's `status`; a plain Google Benchmark entry has none and is ok
 * unless its `error_occurred` says otherwise. */
static int parse_status(json_t *b, al_run_status *st)
{
    static const al_run_status all[] = {AL_RUN_OK, AL_RUN_UNSUPPORTED, AL_RUN_FAILED};
    const char *s = str(b, "status");
    if (!*s) s = json_is_true(json_object_get(b, "error_occurred")) ? "failed" : "ok";
    for (size_t i = 0; i < 3; i++)
        if (strcmp(s, al_run_status_name(all[i])) == 0) return *st = all[i], 0;
    return -1;
}

static void split_name(const char *name, al_bench_result *r)
{
    char buf[160];
    al_report_copy_text(buf, sizeof buf, name);
    char *a = strchr(buf, '/'), *b = a ? strrchr(buf, '/') : NULL;
    if (a && b != a) {
        *a = *b = '\0';
        al_report_copy_text(r->workload, sizeof r->workload, buf);
        al_report_copy_text(r->param, sizeof r->param, a + 1);
        al_report_copy_text(r->allocator, sizeof r->allocator, b + 1);
    } else {
        al_report_copy_text(r->workload, sizeof r->workload, buf);
    }
}

static long get_long(json_t *o, const char *key)
{
    double v = get_num(o, key, -1);
    return v >= 0 && v < 9e18 ? (long)v : -1;
}

static size_t get_size(json_t *o, const char *key)
{
    double v = get_num(o, key, 0);
    return v > 0 && v < 9e18 ? (size_t)v : 0;
}

static int read_result(json_t *b, al_bench_result *r, char *err, size_t errlen, size_t index)
{
    memset(r, 0, sizeof *r);
    if (!json_is_object(b)) {
        snprintf(err, errlen, "benchmarks[%zu] is not an object", index);
        return -1;
    }
    const char *name = str(b, "name");
    if (json_is_string(json_object_get(b, "workload"))) {
        al_report_copy_text(r->workload, sizeof r->workload, str(b, "workload"));
        al_report_copy_text(r->param, sizeof r->param, str(b, "param"));
        al_report_copy_text(r->allocator, sizeof r->allocator, str(b, "allocator"));
    } else if (*name) {
        split_name(name, r);
    } else {
        snprintf(err, errlen, "benchmarks[%zu] has no name", index);
        return -1;
    }
    if (parse_status(b, &r->status) != 0) {
        snprintf(err, errlen, "benchmarks[%zu]: unknown status '%.40s'", index, str(b, "status"));
        return -1;
    }
    bool plain = !json_object_get(b, "status"); /* written by Google Benchmark, not alloclab */
    al_report_copy_text(r->reason, sizeof r->reason, str(b, plain ? "error_message" : "reason"));
    r->iterations = (uint64_t)get_size(b, "iterations");
    r->s.median = get_num(b, "median_ns", r->status == AL_RUN_OK ? get_num(b, "real_time", NAN) : NAN);
    r->s.mean = get_num(b, "mean_ns", NAN);
    r->s.stddev = get_num(b, "stddev_ns", NAN);
    r->s.mad = get_num(b, "mad_ns", NAN);
    r->s.min = get_num(b, "min_ns", NAN);
    r->s.max = get_num(b, "max_ns", NAN);
    r->s.ci_low = get_num(b, "ci_low_ns", NAN);
    r->s.ci_high = get_num(b, "ci_high_ns", NAN);
    r->s.outliers_low = get_size(b, "outliers_low");
    r->s.outliers_high = get_size(b, "outliers_high");
    if (!json_object_get(b, "outliers_low")) r->s.outliers_high = get_size(b, "outliers");
    r->peak_rss_kib = get_long(b, "peak_rss_kib");
    r->minor_faults = get_long(b, "minor_faults");
    r->major_faults = get_long(b, "major_faults");
    /* alloclab writes the measured CPU time as cpu_median_ns (its cpu_time
     * may be the real time); Google Benchmark's cpu_time is always measured. */
    r->cpu_median_ns = get_num(b, "cpu_median_ns", plain && r->status == AL_RUN_OK ? get_num(b, "cpu_time", -1) : -1);
    r->alloc_calls = get_num(b, "alloc_calls", -1);
    r->instructions = get_num(b, "instructions", -1);
    r->est_cycles = get_num(b, "est_cycles", -1);
    al_report_copy(r->ran_as, sizeof r->ran_as, str(b, "ran_as"));
    json_t *sc = json_object_get(b, "syscalls");
    double sc_iters = get_num(sc, "iterations", 0);
    if (json_is_object(sc) && sc_iters >= 1 && sc_iters < 1e18) {
        double v[5];
        const char *names[] = {"brk", "mmap", "munmap", "mremap", "madvise"};
        bool ok = true;
        for (int k = 0; k < 5; k++) ok &= (v[k] = get_num(sc, names[k], -1)) >= 0 && v[k] < 1e18;
        if (ok)
            r->sys = (al_syscall_counts){.counted = true, .iterations = (uint64_t)sc_iters, .brk = (uint64_t)v[0],
                                         .mmap = (uint64_t)v[1], .munmap = (uint64_t)v[2], .mremap = (uint64_t)v[3],
                                         .madvise = (uint64_t)v[4]};
    }
    al_report_copy_text(r->metric_name, sizeof r->metric_name, str(b, "metric_name"));
    al_report_copy_text(r->metric_unit, sizeof r->metric_unit, str(b, "metric_unit"));
    r->metric = get_num(b, "metric", NAN);
    json_t *samples = json_object_get(b, "sample_ns");
    size_t n = json_array_size(samples);
    if (n) {
        r->samples = malloc(n * sizeof *r->samples);
        if (!r->samples) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(samples, i);
            r->samples[i] = json_is_number(v) ? json_number_value(v) : NAN;
        }
    }
    r->nsamples = n; /* a count without the samples themselves gives no bootstrap */
    json_t *procs = json_object_get(b, "process_samples");
    size_t np = json_array_size(procs), counts[AL_RESULT_MAX_PROCS];
    bool procs_ok = np > 0 && np <= AL_RESULT_MAX_PROCS;
    for (size_t g = 0; procs_ok && g < np; g++) {
        json_t *v = json_array_get(procs, g);
        procs_ok = json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= UINT16_MAX;
        if (procs_ok) counts[g] = (size_t)json_integer_value(v);
    }
    if (procs_ok) al_result_procs_set(r, counts, np); /* else not known */
    r->s.n = n ? n : get_size(b, "samples");
    return 0;
}

static int read_root(json_t *root, const char *path, al_bench_run *out, char *err, size_t errlen)
{
    json_t *list = json_object_get(root, "benchmarks");
    if (!json_is_object(root) || !json_is_array(list)) {
        snprintf(err, errlen, "%s: not a benchmark report (no \"benchmarks\" array)", path);
        return -1;
    }
    read_context(json_object_get(root, "context"), &out->ctx);
    size_t n = json_array_size(list);
    if (n > AL_RUN_MAX_RESULTS) {
        snprintf(err, errlen, "%s: %zu results, more than the %d a run may hold", path, n, AL_RUN_MAX_RESULTS);
        return -1;
    }
    out->results = calloc(n ? n : 1, sizeof *out->results);
    if (!out->results) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char why[200];
    for (size_t i = 0; i < n; i++) {
        if (read_result(json_array_get(list, i), &out->results[i], why, sizeof why, i) != 0) {
            free(out->results[i].samples);
            snprintf(err, errlen, "%s: %s", path, why);
            al_bench_run_free(out);
            return -1;
        }
        out->nresults++;
    }
    al_report_clean_run(out);
    if (al_bench_run_index(out, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        al_bench_run_free(out);
        return -1;
    }
    return 0;
}

/* ---- bounds -------------------------------------------------------------------
 * A report is read whole into memory (at most AL_REPORT_MAX_BYTES), then
 * parsed by jansson with every allocation counted against a budget
 * proportional to the file's size, so that a file of many tiny values cannot
 * make the parse take more than AL_REPORT_MEMORY_FACTOR times its size (plus
 * a floor). The allocator keeps its count per thread; outside a read it only
 * adds its size header. */
#define AL_REPORT_MEMORY_FACTOR 24
#define AL_REPORT_MEMORY_FLOOR (64u << 20)

static _Thread_local size_t *budget; /* bytes left, during a read in this thread */
static _Thread_local bool over_budget;

static void *counted_malloc(size_t n)
{
    if (budget) {
        if (n + 16 > *budget) {
            over_budget = true;
            return NULL;
        }
        *budget -= n + 16;
    }
    size_t *p = malloc(n + 16);
    if (!p) return NULL;
    p[0] = n + 16;
    return (char *)p + 16;
}

static void counted_free(void *q)
{
    if (!q) return;
    size_t *p = (size_t *)((char *)q - 16);
    if (budget) *budget += p[0];
    free(p);
}

/* Installed before main, so that every jansson value of the process, read
 * or written, carries the header counted_free expects. */
__attribute__((constructor)) static void install_alloc(void)
{
    json_set_alloc_funcs(counted_malloc, counted_free);
}

/* The whole file, NUL-terminated, refusing more than AL_REPORT_MAX_BYTES. */
static char *read_bounded(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > AL_REPORT_MAX_BYTES) {
        snprintf(err, errlen, "%s is %.0f MiB: a report may be at most %u MiB", path, st.st_size / 1048576.0,
                 AL_REPORT_MAX_BYTES >> 20);
        fclose(f);
        return NULL;
    }
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || ferror(f)) break;
        if (n > AL_REPORT_MAX_BYTES) break;
        char *more = realloc(buf, cap * 2 + 1);
        if (!more) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = more, cap *= 2;
    }
    bool bad = !buf || ferror(f) || n > AL_REPORT_MAX_BYTES;
    if (!buf) snprintf(err, errlen, "cannot read %s: out of memory", path);
    else if (ferror(f)) snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    else if (n > AL_REPORT_MAX_BYTES) snprintf(err, errlen, "%s: a report may be at most %u MiB", path, AL_REPORT_MAX_BYTES >> 20);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int al_report_json_read(const char *path, al_bench_run *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    char *text = read_bounded(path, &len, err, errlen);
    if (!text) return -1;
    int rc = al_report_json_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

int al_report_json_parse(const char *data, size_t len, const char *name, al_bench_run *out, char *err,
                         size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > AL_REPORT_MAX_BYTES) {
        snprintf(err, errlen, "%s: a report may be at most %u MiB", name, AL_REPORT_MAX_BYTES >> 20);
        return -1;
    }
    size_t left = AL_REPORT_MEMORY_FLOOR + AL_REPORT_MEMORY_FACTOR * len;
    budget = &left;
    over_budget = false;
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if (!root) {
        budget = NULL;
        if (over_budget)
            snprintf(err, errlen, "%s: the report would take more than %zu MiB to read", name,
                     (AL_REPORT_MEMORY_FLOOR + AL_REPORT_MEMORY_FACTOR * len) >> 20);
        else
            snprintf(err, errlen, "%s:%d: not valid JSON: %s", name, je.line, je.text);
        al_report_clean(err, errlen);
        return -1;
    }
    budget = NULL; /* what follows allocates outside jansson */
    int rc = read_root(root, name, out, err, errlen);
    if (rc != 0) al_report_clean(err, errlen); /* it may quote the file */
    budget = &left; /* the tree is freed against the count it was made with */
    json_decref(root);
    budget = NULL;
    return rc;
}
