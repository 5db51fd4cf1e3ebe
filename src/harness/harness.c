/* The harness: which benchmarks run (the plan), and running them.
 *
 * A plan is the product workload x parameter x allocator, in that nesting
 * order, narrowed by the filter. Execution goes group by group (one workload
 * and parameter, every allocator) through runner.c's child processes, or
 * through callgrind in instruction mode. */
#include "callgrind.h"
#include "runner.h"

#include <alloclab/registry.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUICK_BUDGET_S 0.5
#define QUICK_MIN_SAMPLES 5

#define DEFAULT_TIMEOUT_S 300.0

/* ----------------------------------------------------------------------------
 * Registered workloads: a fixed table, filled at start-up; lookups take no
 * lock (register before starting threads).
 * ------------------------------------------------------------------------- */
#define MAX_USER_WORKLOADS 16

static const al_workload *user_workloads[MAX_USER_WORKLOADS];
static size_t n_user_workloads;

const al_workload *al_workload_lookup(const char *name)
{
    if (!name) return NULL;
    const al_workload *w = al_workload_find(name);
    if (w) return w;
    for (size_t i = 0; i < n_user_workloads; i++)
        if (strcmp(user_workloads[i]->name, name) == 0) return user_workloads[i];
    return NULL;
}

int al_workload_register(const al_workload *w)
{
    if (!w || !w->name || !*w->name || strlen(w->name) >= sizeof ((al_bench_result *)0)->workload ||
        strchr(w->name, '/') || !w->setup || !w->run || !w->teardown || !w->params) {
        al_set_error("invalid workload descriptor");
        return -1;
    }
    if (al_workload_lookup(w->name)) {
        al_set_error("workload name '%s' is taken", w->name);
        return -1;
    }
    if (n_user_workloads == MAX_USER_WORKLOADS) {
        al_set_error("too many registered workloads (at most %d)", MAX_USER_WORKLOADS);
        return -1;
    }
    user_workloads[n_user_workloads++] = w;
    return 0;
}

/* Built-in then registered workloads, by index. */
static size_t all_count(void) { return al_workload_count() + n_user_workloads; }
static const al_workload *all_at(size_t i)
{
    size_t nb = al_workload_count();
    return i < nb ? al_workload_at(i) : user_workloads[i - nb];
}

/* ----------------------------------------------------------------------------
 * The plan. Every pointer in an item points into the configuration or into
 * static tables, so the plan is one free() and lives as long as the config.
 * ------------------------------------------------------------------------- */
typedef struct plan_buf {
    al_bench_item *items;
    size_t n, cap;
    regex_t re;
    bool has_re;
} plan_buf;

static int plan_push(plan_buf *p, const al_workload *w, const char *param, const char *alloc)
{
    if (p->has_re) {
        char name[256];
        snprintf(name, sizeof name, "%s/%s/%s", w->name, param, alloc);
        if (regexec(&p->re, name, 0, NULL, 0) != 0) return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        al_bench_item *it = realloc(p->items, cap * sizeof *it);
        if (!it) return -1;
        p->items = it;
        p->cap = cap;
    }
    p->items[p->n++] = (al_bench_item){.workload = w, .param = param, .allocator = alloc};
    return 0;
}

/* The allocators to run: the config's (checked) or every available backend. */
static const char **plan_allocators(const al_bench_config *cfg, size_t *n, char *err, size_t errlen)
{
    size_t cap = cfg->allocators ? cfg->nallocators : al_backend_count();
    const char **out = calloc(cap ? cap : 1, sizeof *out);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *n = 0;
    if (!cfg->allocators) {
        static bool noted; /* the notes are said once per process */
        for (size_t i = 0; i < al_backend_count(); i++) {
            const al_backend_desc *b = al_backend_at(i);
            const char *why = b->unavailable ? b->unavailable() : NULL;
            if (why && !noted) fprintf(stderr, "alloclab: note: skipping allocator '%s': %s\n", b->name, why);
            if (!why) out[(*n)++] = b->name;
        }
        noted = true;
        return out;
    }
    for (size_t i = 0; i < cfg->nallocators; i++) {
        const char *spec = cfg->allocators[i];
        const char *why = spec ? al_spec_unavailable(spec) : "empty allocator name";
        if (!why && strlen(spec) >= sizeof ((al_bench_result *)0)->allocator)
            why = "allocator spec too long";
        for (size_t k = 0; !why && k < *n; k++)
            if (strcmp(out[k], spec) == 0) why = "allocator given twice";
        if (why) {
            if (strstr(why, spec ? spec : "")) snprintf(err, errlen, "%s", why);
            else snprintf(err, errlen, "allocator '%s': %s", spec ? spec : "", why);
            free(out);
            return NULL;
        }
        out[(*n)++] = spec;
    }
    return out;
}

/* Every default parameter of w, or only `only_param` (which need not be in
 * the default list: the workload parses its parameters). */
static int plan_workload(plan_buf *p, const al_workload *w, const char *only_param, const char **allocs,
                         size_t nallocs)
{
    for (const char *const *pp = w->params; only_param || *pp; pp++) {
        const char *param = only_param ? only_param : *pp;
        for (size_t a = 0; a < nallocs; a++)
            if (plan_push(p, w, param, allocs[a]) != 0) return -1;
        if (only_param) break;
    }
    return 0;
}

/* One "name" or "name/param" entry of cfg->workloads. */
static int plan_entry(plan_buf *p, const char *entry, const char **allocs, size_t nallocs, char *err,
                      size_t errlen)
{
    const char *slash = entry ? strchr(entry, '/') : NULL;
    size_t len = slash ? (size_t)(slash - entry) : (entry ? strlen(entry) : 0);
    char name[64];
    if (len == 0 || len >= sizeof name) {
        snprintf(err, errlen, "bad workload '%s'", entry ? entry : "");
        return -1;
    }
    memcpy(name, entry, len);
    name[len] = '\0';
    const al_workload *w = al_workload_lookup(name);
    if (!w) {
        snprintf(err, errlen, "unknown workload '%s' (alloclab bench --list shows them)", name);
        return -1;
    }
    if (slash && (!slash[1] || strlen(slash + 1) >= sizeof ((al_bench_result *)0)->param)) {
        snprintf(err, errlen, "bad parameter in workload '%s'", entry);
        return -1;
    }
    if (plan_workload(p, w, slash ? slash + 1 : NULL, allocs, nallocs) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

al_bench_item *al_bench_plan(const al_bench_config *cfg, size_t *count, char *err, size_t errlen)
{
    plan_buf p = {0};
    *count = 0;
    if (cfg->filter) {
        int rc = regcomp(&p.re, cfg->filter, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &p.re, msg, sizeof msg);
            snprintf(err, errlen, "bad filter regex '%s': %s", cfg->filter, msg);
            return NULL;
        }
        p.has_re = true;
    }
    size_t nallocs = 0;
    const char **allocs = plan_allocators(cfg, &nallocs, err, errlen);
    int rc = allocs ? 0 : -1;
    if (rc == 0 && cfg->workloads) {
        for (size_t i = 0; rc == 0 && i < cfg->nworkloads; i++)
            rc = plan_entry(&p, cfg->workloads[i], allocs, nallocs, err, errlen);
    } else if (rc == 0) {
        for (size_t i = 0; rc == 0 && i < all_count(); i++)
            if (plan_workload(&p, all_at(i), NULL, allocs, nallocs) != 0) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            }
    }
    free(allocs);
    if (p.has_re) regfree(&p.re);
    if (rc != 0) {
        free(p.items);
        return NULL;
    }
    if (!p.items) p.items = malloc(sizeof *p.items); /* an empty plan is not an error */
    if (!p.items) snprintf(err, errlen, "out of memory");
    *count = p.n;
    return p.items;
}

/* ----------------------------------------------------------------------------
 * Progress: one \r-updated line on a terminal, cleared at the end.
 * ------------------------------------------------------------------------- */
typedef struct progress {
    bool on;
    size_t done, total, group_n, samples, round;
    const al_bench_item *current;
    double t0;
} progress;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress_show(progress *pg, double frac_of_group)
{
    if (!pg->on) return;
    double done = (double)pg->done + frac_of_group * (double)pg->group_n;
    double elapsed = mono_s() - pg->t0;
    char eta[32] = "--:--";
    if (done > 0) {
        long s = (long)(elapsed * ((double)pg->total - done) / done + 0.5);
        snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[K[%zu/%zu] %s/%s (%zu allocator%s, sample %zu/%zu)  ETA %s", pg->done, pg->total,
            pg->current->workload->name, pg->current->param, pg->group_n, pg->group_n == 1 ? "" : "s",
            pg->round, pg->samples, eta);
    fflush(stderr);
}

static void progress_round(void *ctx, size_t round)
{
    progress *pg = ctx;
    pg->round = round + 1;
    progress_show(pg, (double)(round + 1) / (double)pg->samples);
}

static void progress_clear(progress *pg)
{
    if (!pg->on) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* ----------------------------------------------------------------------------
 * Execution.
 * ------------------------------------------------------------------------- */
/* Counted twice, over 1 and 1 + k iterations: the difference is k warm
 * iterations (see al_bench_execute). */
static void measure_instructions(const al_bench_item *it, size_t k, al_bench_result *r)
{
    al_result_init(r, it);
    r->iterations = k;
    char why[256] = "";
    double ins1 = -1, cyc1 = -1, insk = -1, cyck = -1;
    al_run_status st = al_callgrind_measure(it, 1, &ins1, &cyc1, why, sizeof why);
    if (st == AL_RUN_OK) st = al_callgrind_measure(it, 1 + k, &insk, &cyck, why, sizeof why);
    r->status = st;
    if (st != AL_RUN_OK) {
        snprintf(r->reason, sizeof r->reason, "%s", *why ? why : "callgrind measurement failed");
        return;
    }
    /* The measure gives per-iteration figures; back to totals, then the
     * difference. Counts are integers well below 2^53: exact in a double. */
    double total1 = ins1, totalk = insk * (double)(1 + k);
    r->instructions = round((totalk - total1) / (double)k);
    if (cyc1 >= 0 && cyck >= 0) r->est_cycles = round((cyck * (double)(1 + k) - cyc1) / (double)k);
}

static void context_fill(const al_bench_config *cfg, al_bench_context *ctx)
{
    char label[sizeof ctx->label];
    memcpy(label, ctx->label, sizeof label); /* the caller's --save label survives */
    label[sizeof label - 1] = '\0';
    al_bench_context_detect(ctx);
    memcpy(ctx->label, label, sizeof label);
    snprintf(ctx->mode, sizeof ctx->mode, "%s", cfg->mode == AL_MODE_INSTRUCTIONS ? "instructions" : "time");
    ctx->quick = cfg->quick;
}

int al_bench_execute(const al_bench_config *cfg, al_bench_run *out, char *err, size_t errlen)
{
    if (cfg->mode == AL_MODE_INSTRUCTIONS) {
        const char *why = al_callgrind_unavailable();
        if (why) {
            snprintf(err, errlen, "instruction mode is unavailable: %s", why);
            return -1;
        }
    }
    size_t n = 0;
    al_bench_item *items = al_bench_plan(cfg, &n, err, errlen);
    if (!items) return -1;
    al_bench_result *results = calloc(n ? n : 1, sizeof *results);
    if (!results) {
        free(items);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    context_fill(cfg, &out->ctx);
    out->id = 0;

    al_runner_opts ro = {
        .samples = cfg->samples ? cfg->samples : (cfg->quick ? 10 : 20),
        .min_sample_ms = cfg->min_sample_ms > 0 ? cfg->min_sample_ms : (cfg->quick ? 0.5 : 1.0),
        .timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : DEFAULT_TIMEOUT_S,
        .processes = cfg->processes ? cfg->processes : (cfg->quick ? 2 : 3),
        .on_round = progress_round,
    };
    /* --quick keeps the whole suite CI-sized: a group whose rounds are slow
     * (large blocks touched, deep trees) stops after QUICK_BUDGET_S once it
     * has QUICK_MIN_SAMPLES; an explicit --samples is always honoured. */
    if (cfg->quick && !cfg->samples) {
        ro.budget_s = QUICK_BUDGET_S;
        ro.min_samples = QUICK_MIN_SAMPLES;
    }
    progress pg = {.on = !cfg->quiet && isatty(STDERR_FILENO), .total = n, .samples = ro.samples, .t0 = mono_s()};
    ro.ctx = &pg;

    for (size_t i = 0; i < n;) {
        size_t g = i + 1; /* items [i, g) share workload and parameter */
        while (g < n && items[g].workload == items[i].workload && strcmp(items[g].param, items[i].param) == 0) g++;
        pg.current = &items[i];
        pg.group_n = g - i;
        pg.round = 0;
        progress_show(&pg, 0);
        if (cfg->mode == AL_MODE_INSTRUCTIONS) {
            for (size_t k = i; k < g; k++)
                measure_instructions(&items[k], cfg->instr_iters ? cfg->instr_iters : 1, &results[k]);
        } else {
            al_runner_group(&items[i], g - i, &ro, &results[i]);
        }
        pg.done = g;
        i = g;
    }
    progress_clear(&pg);
    free(items);
    out->results = results;
    out->nresults = n;
    return 0;
}
