/* The harness: which benchmarks run (the plan), and running them.
 *
 * A plan is the product workload x parameter x allocator, in that nesting
 * order, narrowed by the filter; it is built once (al_bench_plan_make), shown
 * or checked by the caller, and handed to al_bench_run_plan. Execution goes
 * group by group (one workload and parameter, every allocator) through
 * runner.c's child processes, the whole suite once per process of a
 * benchmark (passes), with a sample of the machine-speed reference before
 * each group's pass (reference.c); or through callgrind in instruction mode,
 * once. The caller hears of each finished group (al_bench_hooks). The
 * progress line on a terminal shows an ETA from measured time: the seconds
 * each workload's groups took so far in this run, else the caller's
 * expectation (an earlier run), else the mean so far, marked as a lower
 * bound. */
#include "callgrind.h"
#include "runner.h"
#include "syscalls.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUICK_BUDGET_S 0.5
#define QUICK_MIN_SAMPLES 5
#define REF_MIN_SAMPLES 200 /* of the machine-speed reference, in a run */

/* ----------------------------------------------------------------------------
 * The plan. Errors are structured (al_bench_error): the caller words them
 * for its own users.
 * ------------------------------------------------------------------------- */
typedef struct plan_buf {
    al_bench_plan plan;
    size_t cap;
    regex_t re;
    bool has_re;
} plan_buf;

__attribute__((format(printf, 4, 5))) static int fail(al_bench_error *err, al_bench_error_kind kind,
                                                      const char *name, const char *fmt, ...)
{
    err->kind = kind;
    err->registry = AL_ERR_NONE;
    snprintf(err->name, sizeof err->name, "%s", name ? name : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static int plan_push(plan_buf *p, const al_workload *w, const char *param, const char *alloc)
{
    if (p->has_re) {
        char name[256];
        snprintf(name, sizeof name, "%s/%s/%s", w->name, param, alloc);
        if (regexec(&p->re, name, 0, NULL, 0) != 0) return 0;
    }
    al_bench_plan *pl = &p->plan;
    if (pl->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        al_bench_item *it = realloc(pl->items, cap * sizeof *it);
        if (!it) return -1;
        pl->items = it;
        p->cap = cap;
    }
    pl->items[pl->n++] = (al_bench_item){.workload = w, .param = param, .allocator = alloc};
    return 0;
}

/* The allocators to run: the config's (checked) or every available backend
 * (the others go to the plan's skipped list). */
static const char **plan_allocators(const al_bench_config *cfg, al_bench_plan *plan, size_t *n,
                                    al_bench_error *err)
{
    size_t cap = cfg->allocators ? cfg->nallocators : al_backend_count();
    const char **out = calloc(cap ? cap : 1, sizeof *out);
    if (!out || (!cfg->allocators && !(plan->skipped = calloc(cap ? cap : 1, sizeof *plan->skipped)))) {
        free(out);
        fail(err, AL_BENCH_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    *n = 0;
    if (!cfg->allocators) {
        for (size_t i = 0; i < al_backend_count(); i++) {
            const al_backend_desc *b = al_backend_at(i);
            const char *why = b->unavailable ? b->unavailable() : NULL;
            if (why) plan->skipped[plan->nskipped++] = (al_bench_skip){b->name, why};
            else out[(*n)++] = b->name;
        }
        return out;
    }
    for (size_t i = 0; i < cfg->nallocators; i++) {
        const char *spec = cfg->allocators[i];
        int rc = 0;
        if (!spec || !*spec) {
            rc = fail(err, AL_BENCH_ERR_ALLOCATOR, "", "empty allocator name");
            err->registry = AL_ERR_BAD_SPEC;
        } else if (al_spec_unavailable(spec)) {
            rc = fail(err, AL_BENCH_ERR_ALLOCATOR, al_last_error_name(), "%s", al_last_error());
            err->registry = al_last_error_kind();
        } else if (strlen(spec) >= sizeof ((al_bench_result *)0)->allocator) {
            rc = fail(err, AL_BENCH_ERR_ALLOCATOR, spec, "allocator spec '%.40s...' is too long", spec);
            err->registry = AL_ERR_BAD_SPEC;
        }
        for (size_t k = 0; rc == 0 && k < *n; k++)
            if (strcmp(out[k], spec) == 0)
                rc = fail(err, AL_BENCH_ERR_ALLOCATOR_TWICE, spec, "allocator '%s' given twice", spec);
        if (rc) {
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
                         size_t nallocs, al_bench_error *err)
{
    for (const char *const *pp = w->params; only_param || *pp; pp++) {
        const char *param = only_param ? only_param : *pp;
        for (size_t a = 0; a < nallocs; a++)
            if (plan_push(p, w, param, allocs[a]) != 0) return fail(err, AL_BENCH_ERR_NOMEM, NULL, "out of memory");
        if (only_param) break;
    }
    return 0;
}

/* One "name" or "name/param" entry of cfg->workloads. */
static int plan_entry(plan_buf *p, const char *entry, const char **allocs, size_t nallocs, al_bench_error *err)
{
    const char *slash = entry ? strchr(entry, '/') : NULL;
    size_t len = slash ? (size_t)(slash - entry) : (entry ? strlen(entry) : 0);
    char name[64];
    if (len == 0 || len >= sizeof name) return fail(err, AL_BENCH_ERR_PARAM, entry, "bad workload '%s'", entry ? entry : "");
    memcpy(name, entry, len);
    name[len] = '\0';
    const al_workload *w = al_workload_find(name);
    if (!w) return fail(err, AL_BENCH_ERR_WORKLOAD, name, "unknown workload '%s'", name);
    if (slash && (!slash[1] || strlen(slash + 1) >= sizeof ((al_bench_result *)0)->param))
        return fail(err, AL_BENCH_ERR_PARAM, entry, "bad parameter in workload '%s'", entry);
    return plan_workload(p, w, slash ? slash + 1 : NULL, allocs, nallocs, err);
}

int al_bench_plan_make(const al_bench_config *cfg, al_bench_plan *plan, al_bench_error *err)
{
    plan_buf p = {0};
    *plan = (al_bench_plan){0};
    *err = (al_bench_error){0};
    if (cfg->filter) {
        int rc = regcomp(&p.re, cfg->filter, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &p.re, msg, sizeof msg);
            return fail(err, AL_BENCH_ERR_FILTER, cfg->filter, "bad filter regex '%s': %s", cfg->filter, msg);
        }
        p.has_re = true;
    }
    size_t nallocs = 0;
    const char **allocs = plan_allocators(cfg, &p.plan, &nallocs, err);
    int rc = allocs ? 0 : -1;
    if (rc == 0 && cfg->workloads) {
        for (size_t i = 0; rc == 0 && i < cfg->nworkloads; i++)
            rc = plan_entry(&p, cfg->workloads[i], allocs, nallocs, err);
    } else if (rc == 0) {
        for (size_t i = 0; rc == 0 && i < al_workload_count(); i++)
            rc = plan_workload(&p, al_workload_at(i), NULL, allocs, nallocs, err);
    }
    free(allocs);
    if (p.has_re) regfree(&p.re);
    if (rc == 0 && !p.plan.items && !(p.plan.items = malloc(sizeof *p.plan.items))) /* empty is no error */
        rc = fail(err, AL_BENCH_ERR_NOMEM, NULL, "out of memory");
    if (rc != 0) {
        al_bench_plan_free(&p.plan);
        return -1;
    }
    *plan = p.plan;
    return 0;
}

void al_bench_plan_free(al_bench_plan *plan)
{
    if (!plan) return;
    free(plan->items);
    free(plan->skipped);
    *plan = (al_bench_plan){0};
}

/* ----------------------------------------------------------------------------
 * Progress: one \r-updated line on a terminal, cleared around each
 * on_group call and at the end. The ETA sums the expected seconds of the
 * groups left (group_expect) and what is left of the current one.
 * ------------------------------------------------------------------------- */
double al_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct progress {
    bool on;
    const al_bench_plan *plan;
    const al_bench_hooks *hooks;
    size_t done, group_first, group_n, samples, round, pass, passes;
    double t0, group_t0;
    double *spent;             /* per plan item: seconds its group took so far / group size */
    size_t *passes_done;       /* per plan item: passes of its group finished */
} progress;

/* Expected seconds of all the passes of items [first, first + n): this
 * run's measured seconds per benchmark and pass of the same workload, else
 * the caller's expectation, else the mean per benchmark and pass so far
 * (and *guess set). */
static double group_expect(const progress *pg, size_t first, size_t n, bool *guess)
{
    const al_bench_item *it = &pg->plan->items[first];
    double same = 0, all = 0;
    size_t nsame = 0, nall = 0;
    for (size_t i = 0; i < pg->plan->n; i++) {
        if (pg->passes_done[i] == 0) continue;
        double per = pg->spent[i] / (double)pg->passes_done[i];
        all += per, nall++;
        if (pg->plan->items[i].workload == it->workload) same += per, nsame++;
    }
    double passes = (double)pg->passes;
    if (nsame) return same / (double)nsame * (double)n * passes;
    double e = pg->hooks && pg->hooks->expect_s ? pg->hooks->expect_s(pg->hooks->ctx, it, n) : -1;
    if (e >= 0) return e;
    *guess = true;
    return nall ? all / (double)nall * (double)n * passes : 0;
}

static size_t group_end(const al_bench_plan *plan, size_t i)
{
    size_t g = i + 1; /* items [i, g) share workload and parameter */
    while (g < plan->n && plan->items[g].workload == plan->items[i].workload &&
           strcmp(plan->items[g].param, plan->items[i].param) == 0)
        g++;
    return g;
}

/* The ETA: what is left of the current group's pass, then every group's
 * share of the passes still to come (the groups after the current one have
 * this pass to come as well). */
static void progress_show(progress *pg, double frac_of_group)
{
    if (!pg->on) return;
    bool guess = false;
    double in_group = al_mono_s() - pg->group_t0;
    double cur = group_expect(pg, pg->group_first, pg->group_n, &guess) / (double)pg->passes;
    /* Past a fifth of its rounds, the current group's own pace is the better guide. */
    double left = frac_of_group > 0.2 ? in_group / frac_of_group - in_group : fmax(cur - in_group, 0);
    for (size_t i = 0; i < pg->plan->n;) {
        size_t g = group_end(pg->plan, i);
        size_t to_come = pg->passes - pg->pass - (i > pg->group_first ? 0 : 1);
        if (to_come) left += group_expect(pg, i, g - i, &guess) * (double)to_come / (double)pg->passes;
        i = g;
    }
    long sec = (long)(left + 0.5);
    const al_bench_item *it = &pg->plan->items[pg->group_first];
    char pass[32] = "";
    if (pg->passes > 1) snprintf(pass, sizeof pass, "pass %zu/%zu ", pg->pass + 1, pg->passes);
    fprintf(stderr, "\r\033[K[%s%zu/%zu] %s/%s (%zu allocator%s, sample %zu/%zu)  ETA %s%ld:%02ld", pass,
            pg->done, pg->plan->n, it->workload->name, it->param, pg->group_n, pg->group_n == 1 ? "" : "s",
            pg->round, pg->samples, guess ? ">" : "", sec / 60, sec % 60);
    fflush(stderr);
}

static void progress_round(void *ctx, size_t round)
{
    progress *pg = ctx;
    pg->round = round + 1;
    /* The rounds of this pass: [samples * pass / passes, samples * (pass + 1) / passes). */
    size_t r0 = pg->samples * pg->pass / pg->passes, r1 = pg->samples * (pg->pass + 1) / pg->passes;
    progress_show(pg, r1 > r0 ? (double)(round + 1 - r0) / (double)(r1 - r0) : 1);
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
 * iterations (see al_bench_run_plan). */
static void measure_instructions(const al_bench_item *it, size_t k, const al_callgrind_opts *co,
                                 al_bench_result *r)
{
    al_result_init(r, it);
    r->iterations = k;
    char why[256] = "";
    double ins1 = -1, cyc1 = -1, insk = -1, cyck = -1;
    al_run_status st = al_callgrind_measure(it, 1, co, &ins1, &cyc1, why, sizeof why);
    if (st == AL_RUN_OK) st = al_callgrind_measure(it, 1 + k, co, &insk, &cyck, why, sizeof why);
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

/* The reference's samples of a run, and their summary into the context. */
typedef struct ref_samples {
    double *x;
    size_t n, cap;
} ref_samples;

static void ref_take(ref_samples *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        double *x = realloc(r->x, cap * sizeof *x);
        if (!x) return; /* fewer samples; the run goes on */
        r->x = x;
        r->cap = cap;
    }
    r->x[r->n++] = al_reference_sample_ns();
}

static void ref_store(ref_samples *r, al_bench_reference *out)
{
    *out = (al_bench_reference){0};
    if (r->n > 0) {
        al_summary s;
        al_summarize(r->x, r->n, &s);
        *out = (al_bench_reference){.n = r->n, .median_ns = s.median, .ci_low_ns = s.ci_low, .ci_high_ns = s.ci_high};
    }
    free(r->x);
}

/* The groups' boundaries in the plan: starts[k] .. starts[k + 1]. */
static size_t *group_starts(const al_bench_plan *plan, size_t *ngroups)
{
    size_t *starts = malloc((plan->n + 1) * sizeof *starts);
    *ngroups = 0;
    if (!starts) return NULL;
    for (size_t i = 0; i < plan->n; i = group_end(plan, i)) starts[(*ngroups)++] = i;
    starts[*ngroups] = plan->n;
    return starts;
}

/* The memory system calls of a group's finished results, in a pass of
 * their own after the timed samples: as many iterations as one sample. */
static void count_syscalls(const al_bench_config *cfg, const al_bench_item *items, size_t n, double timeout,
                           al_bench_result *results)
{
    for (size_t k = 0; k < n && !cfg->no_syscalls && !al_syscalls_unavailable(); k++) {
        char why[256];
        if (results[k].status == AL_RUN_OK)
            al_syscalls_count(&items[k], 1, results[k].iterations, timeout, &results[k].sys, why, sizeof why);
    }
}

int al_bench_run_plan(const al_bench_config *cfg, const al_bench_plan *plan, const al_bench_hooks *hooks,
                      al_bench_run *out, al_bench_error *err)
{
    *err = (al_bench_error){0};
    if (cfg->mode == AL_MODE_INSTRUCTIONS) {
        const char *why = al_callgrind_unavailable();
        if (why) return fail(err, AL_BENCH_ERR_MODE, "instructions", "instruction mode is unavailable: %s", why);
    }
    bool instructions = cfg->mode == AL_MODE_INSTRUCTIONS;
    size_t n = plan->n, ngroups = 0;
    al_bench_result *results = calloc(n ? n : 1, sizeof *results);
    double *spent = calloc(n ? n : 1, sizeof *spent);
    size_t *passes_done = calloc(n ? n : 1, sizeof *passes_done);
    size_t *starts = group_starts(plan, &ngroups);
    al_runner_state **states = calloc(ngroups ? ngroups : 1, sizeof *states);
    if (!results || !spent || !passes_done || !starts || !states) {
        free(results);
        free(spent);
        free(passes_done);
        free(starts);
        free(states);
        return fail(err, AL_BENCH_ERR_NOMEM, NULL, "out of memory");
    }
    context_fill(cfg, &out->ctx);
    out->id = 0;
    out->results = results;
    out->nresults = 0;

    double timeout = cfg->timeout_s > 0 ? cfg->timeout_s : AL_BENCH_DEFAULT_TIMEOUT_S;
    al_runner_opts ro = {
        .samples = cfg->samples ? cfg->samples : (cfg->quick ? 10 : 30),
        .min_sample_ms = cfg->min_sample_ms > 0 ? cfg->min_sample_ms : (cfg->quick ? 0.5 : 1.0),
        .timeout_s = timeout,
        .processes = cfg->processes ? cfg->processes : (cfg->quick ? 2 : 6),
        .on_round = progress_round,
    };
    al_callgrind_opts co = {.child = cfg->callgrind_child, .timeout_s = timeout};
    /* --quick keeps the whole suite CI-sized: a group whose rounds are slow
     * (large blocks touched, deep trees) stops after QUICK_BUDGET_S once it
     * has QUICK_MIN_SAMPLES; an explicit --samples is always honoured. */
    if (cfg->quick && !cfg->samples) {
        ro.budget_s = QUICK_BUDGET_S;
        ro.min_samples = QUICK_MIN_SAMPLES;
    }
    size_t passes = instructions ? 1 : al_runner_passes(&ro);
    progress pg = {.on = !cfg->quiet && isatty(STDERR_FILENO), .plan = plan, .hooks = hooks,
                   .samples = instructions ? 1 : ro.samples, .passes = passes, .t0 = al_mono_s(),
                   .spent = spent, .passes_done = passes_done};
    ro.ctx = &pg;
    ref_samples ref = {0};
    /* Reference samples per group and pass: at least REF_MIN_SAMPLES in the
     * run, however few groups it has. */
    size_t slots = ngroups * passes > 0 ? ngroups * passes : 1;
    size_t ref_per = (REF_MIN_SAMPLES + slots - 1) / slots;
    if (ref_per < 4) ref_per = 4;

    /* Time mode runs the suite `passes` times over: pass p gives every
     * benchmark its p-th process (al_runner_pass), so each benchmark's
     * samples, and the reference's, are spread over the whole run and a
     * passing disturbance (drift, another process's burst) falls on every
     * allocator and workload alike. A group's results are final, and handed
     * to on_group, in the last pass. */
    for (size_t pass = 0; pass < passes; pass++) {
        pg.pass = pass;
        for (size_t k = 0; k < ngroups; k++) {
            size_t i = starts[k], g = starts[k + 1];
            pg.group_first = i;
            pg.group_n = g - i;
            pg.done = i; /* within this pass: shown as "pass p/P i/n" */
            pg.round = instructions ? 0 : ro.samples * pass / passes;
            pg.group_t0 = al_mono_s();
            if (instructions) pg.samples = g - i; /* one count per allocator */
            progress_show(&pg, 0);
            if (instructions) {
                for (size_t j = i; j < g; j++) {
                    measure_instructions(&plan->items[j], cfg->instr_iters ? cfg->instr_iters : 1, &co, &results[j]);
                    pg.round = j - i + 1;
                    progress_show(&pg, (double)(j - i + 1) / (double)(g - i));
                }
            } else {
                if (pass == 0) states[k] = al_runner_begin(&plan->items[i], g - i, &ro, &results[i]);
                for (size_t r = 0; r < ref_per; r++) ref_take(&ref);
                al_runner_pass(states[k], pass);
                if (pass + 1 == passes) {
                    al_runner_end(states[k]);
                    states[k] = NULL;
                    count_syscalls(cfg, &plan->items[i], g - i, timeout, &results[i]);
                }
            }
            double per = (al_mono_s() - pg.group_t0) / (double)(g - i);
            for (size_t j = i; j < g; j++) spent[j] += per, passes_done[j]++;
            if (pass + 1 < passes) continue;
            out->nresults = g;
            if (hooks && hooks->on_group) {
                progress_clear(&pg);
                hooks->on_group(hooks->ctx, out, i, g - i);
            }
        }
    }
    progress_clear(&pg);
    ref_store(&ref, &out->ctx.reference);
    free(spent);
    free(passes_done);
    free(starts);
    free(states);
    return 0;
}

int al_bench_execute(const al_bench_config *cfg, al_bench_run *out, char *err, size_t errlen)
{
    al_bench_plan plan;
    al_bench_error e;
    int rc = al_bench_plan_make(cfg, &plan, &e);
    if (rc == 0) rc = al_bench_run_plan(cfg, &plan, NULL, out, &e);
    if (rc != 0) snprintf(err, errlen, "%s", e.message);
    al_bench_plan_free(&plan);
    return rc;
}
