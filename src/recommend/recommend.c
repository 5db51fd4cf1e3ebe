/* The recommendation: rank the allocators a program can use as its malloc
 * (thread-safe, freeing, unbounded: sys, je, mi, tc, lab) by the measured
 * figures, and say why with the profile's facts.
 *
 * Rules, in order:
 * - only ok measurements count; the program's own runs rank before the
 *   replay when both are given;
 * - the baseline is glibc ("sys") when it was measured, else the slowest;
 * - the fastest drop-in allocator is recommended only when its speed-up's
 *   95% CI lies wholly above 1.02 (exact instruction counts: the ratio
 *   itself); otherwise the baseline is kept, and the line says so; a
 *   speed-up is the median of the per-round ratios when both results were
 *   sampled in the same rounds (see "Speed-ups" below);
 * - a drop-in allocator whose speed the measurement cannot tell from the
 *   recommended one's (the winner's speed-up over it has a 95% CI reaching
 *   down to 1.02 or below) is named beside it, as doing about as well;
 * - special-purpose allocators (arenas, pools) are never the recommendation:
 *   they cannot serve a whole program; their replay figures back the
 *   profile's facts instead (an arena per phase).
 */
#include "recommend.h"

#include "stats.h"

#include <alloclab/registry.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void al_rec_facts_from_profile(const al_profile *p, al_rec_facts *f)
{
    memset(f, 0, sizeof *f);
    f->calls = p->ncalls;
    f->allocations = p->allocations;
    f->frees = p->frees;
    f->bytes_allocated = p->bytes_allocated;
    f->peak_bytes = p->peak_bytes;
    f->temporary = p->temporary;
    f->small_short = p->small_short;
    f->cross_frees = p->cross_frees;
    f->large_blocks = p->large_blocks;
    f->large_bytes = p->large_bytes;
    f->chain_max = p->chain_max;
    f->reallocs = p->reallocs;
    f->nthreads = p->nthreads;
    f->nprocesses = 1;
    f->concurrent_threads = p->max_concurrent_threads;
    f->mean_size = p->mean_size;
    f->life_allocs_median = p->life_allocs_median;
}

void al_rec_facts_add(al_rec_facts *sum, const al_rec_facts *one)
{
    if (one->allocations > sum->allocations) sum->life_allocs_median = one->life_allocs_median;
    sum->calls += one->calls;
    sum->allocations += one->allocations;
    sum->frees += one->frees;
    sum->bytes_allocated += one->bytes_allocated;
    sum->peak_bytes += one->peak_bytes;
    sum->temporary += one->temporary;
    sum->small_short += one->small_short;
    sum->cross_frees += one->cross_frees;
    sum->large_blocks += one->large_blocks;
    sum->large_bytes += one->large_bytes;
    sum->reallocs += one->reallocs;
    sum->nthreads += one->nthreads;
    sum->nprocesses += one->nprocesses;
    if (one->chain_max > sum->chain_max) sum->chain_max = one->chain_max;
    if (one->concurrent_threads > sum->concurrent_threads) sum->concurrent_threads = one->concurrent_threads;
    sum->mean_size = sum->allocations ? (double)sum->bytes_allocated / (double)sum->allocations : 0;
}

static bool instructions_mode(const al_bench_run *run) { return strcmp(run->ctx.mode, "instructions") == 0; }

static double value_of(const al_bench_run *run, const al_bench_result *r)
{
    return instructions_mode(run) ? r->instructions : r->s.median;
}

static bool usable(const al_bench_run *run, const al_bench_result *r)
{
    double v = value_of(run, r);
    return r->status == AL_RUN_OK && v == v && v > 0;
}

/* Whether a spec can be a whole program's malloc: a backend (no wrapper)
 * that is thread-safe, frees, and has no fixed capacity. */
static bool drop_in(const char *spec)
{
    if (strchr(spec, ':')) return false;
    const al_backend_desc *b = al_backend_find(spec);
    if (!b) return false;
    unsigned need = AL_CAP_THREAD_SAFE | AL_CAP_FREES;
    return (b->caps & need) == need && !(b->caps & (AL_CAP_FIXED_CAPACITY | AL_CAP_PROCESS_GLOBAL));
}

static const char *display(const char *spec) { return strcmp(spec, "sys") == 0 ? "glibc" : spec; }

/* ----------------------------------------------------------------------------
 * Speed-ups. The harness takes its samples in rounds, every allocator's
 * children answering one after the other within a round, so sample k of
 * two results of one run was taken at nearly the same moment, under the
 * same load. The ratio of sample k to sample k cancels what the machine did
 * to both (another build, a burst of page reclaim), which the ratio of two
 * medians keeps: on a shared machine the per-round ratios move several
 * times less between invocations. The CI resamples the benchmark processes
 * (passes) the samples came from, then the rounds within each, so that it
 * also covers what differs between processes (layout, page placement).
 * ------------------------------------------------------------------------- */
#define PAIR_RESAMPLES 2000

static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static bool paired(const al_bench_result *base, const al_bench_result *r)
{
    return base->nsamples == r->nsamples && base->nsamples >= 2 && base->samples && r->samples;
}

/* median(a_k / b_k) with its 95% CI: passes groups of rounds, split as the
 * harness splits them. false when out of memory or a sample is not > 0. */
static bool paired_ratio_ci(const double *a, const double *b, size_t n, size_t passes, double *x, double *lo,
                            double *hi)
{
    if (passes < 1 || passes > n) passes = 1;
    double *ratio = malloc(n * sizeof *ratio), *draw = malloc(n * sizeof *draw);
    double *meds = malloc(PAIR_RESAMPLES * sizeof *meds);
    bool ok = ratio && draw && meds;
    for (size_t k = 0; ok && k < n; k++) {
        ok = a[k] > 0 && b[k] > 0;
        if (ok) ratio[k] = a[k] / b[k];
    }
    if (ok) {
        *x = al_stat_median(ratio, n);
        uint64_t seed = 0x5eed;
        for (size_t i = 0; i < PAIR_RESAMPLES; i++) {
            size_t m = 0;
            for (size_t g = 0; g < passes; g++) {
                size_t pick = passes > 1 ? (size_t)(next_random(&seed) % passes) : 0;
                size_t r0 = n * pick / passes, r1 = n * (pick + 1) / passes;
                for (size_t k = r0; k < r1 && m < n; k++) draw[m++] = ratio[r0 + next_random(&seed) % (r1 - r0)];
            }
            meds[i] = al_stat_median(draw, m);
        }
        *lo = al_stat_percentile(meds, PAIR_RESAMPLES, 2.5);
        *hi = al_stat_percentile(meds, PAIR_RESAMPLES, 97.5);
    }
    free(ratio);
    free(draw);
    free(meds);
    return ok;
}

/* base / r with a 95% CI: exact in instructions mode; per round when the
 * two were sampled in the same rounds (passes: how many processes the
 * samples came from); else the ratio of the medians, bootstrapped. */
static void speedup(const al_bench_run *run, size_t passes, const al_bench_result *base, const al_bench_result *r,
                    double *x, double *lo, double *hi)
{
    if (instructions_mode(run) || base->nsamples < 2 || r->nsamples < 2) {
        *x = *lo = *hi = value_of(run, base) / value_of(run, r);
        return;
    }
    if (paired(base, r) && paired_ratio_ci(base->samples, r->samples, r->nsamples, passes, x, lo, hi)) return;
    al_stat_bootstrap_ratio_ci(r->samples, r->nsamples, base->samples, base->nsamples, 2000, 0.95, 0x5eed, x, lo, hi);
}

static double footprint(const al_bench_result *r)
{
    if (al_result_has_metric(r) && r->metric > 0) return r->metric;
    return r->peak_rss_kib > 0 ? (double)r->peak_rss_kib : NAN;
}

/* Whether r is one of the results the recommendation reads (param NULL: all). */
static bool in_scope(const al_bench_result *r, const char *param) { return !param || strcmp(r->param, param) == 0; }

static const al_bench_result *find(const al_bench_run *run, const char *param, const char *alloc)
{
    for (size_t i = 0; run && i < run->nresults; i++)
        if (in_scope(&run->results[i], param) && strcmp(run->results[i].allocator, alloc) == 0 &&
            usable(run, &run->results[i]))
            return &run->results[i];
    return NULL;
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0; }

/* ", its replay 2.41x faster than glibc" for spec when measured. */
static void cite(FILE *out, const al_bench_run *run, const char *param, size_t passes, const al_bench_result *base,
                 const char *spec)
{
    const al_bench_result *r = find(run, param, spec);
    if (!r || !base || r == base) return;
    double x, lo, hi;
    speedup(run, passes, base, r, &x, &lo, &hi);
    fprintf(out, " (%s replayed it %.2fx %s than %s)", spec, x >= 1 ? x : 1 / x, x >= 1 ? "faster" : "slower",
            display(base->allocator));
}

int al_recommend(FILE *out, const al_rec_facts *f, const al_rec_evidence *ev, al_rec_choice *choice)
{
    memset(choice, 0, sizeof *choice);
    choice->rss_change = NAN;
    const al_bench_run *run = ev->program ? ev->program : ev->replay;
    choice->from_program = ev->program != NULL;
    const char *what = ev->program ? "your program" : "your allocation pattern";
    const char *scope = ev->program ? NULL : ev->replay_param, *rscope = ev->replay_param;
    size_t rpasses = ev->replay_passes ? ev->replay_passes : 1, passes = ev->program ? 1 : rpasses;
    /* Candidates and the baseline. */
    const al_bench_result *base = find(run, scope, "sys"), *best = NULL, *slowest = NULL;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (!in_scope(r, scope) || !usable(run, r) || !drop_in(r->allocator)) continue;
        if (!best || value_of(run, r) < value_of(run, best)) best = r;
        if (!slowest || value_of(run, r) > value_of(run, slowest)) slowest = r;
    }
    if (!best) {
        fprintf(out, "no recommendation: no general-purpose allocator could be measured on %s\n", what);
        for (size_t i = 0; i < run->nresults; i++)
            if (in_scope(&run->results[i], scope) && run->results[i].status != AL_RUN_OK)
                fprintf(out, "  %s: %s\n", run->results[i].allocator, run->results[i].reason);
        return ferror(out) ? -1 : 0;
    }
    if (!base) base = slowest;
    double x, lo, hi;
    speedup(run, passes, base, best, &x, &lo, &hi);
    choice->keep_baseline = best == base || lo <= 1.02;
    const al_bench_result *chosen = choice->keep_baseline ? base : best;
    snprintf(choice->allocator, sizeof choice->allocator, "%s", chosen->allocator);
    snprintf(choice->baseline, sizeof choice->baseline, "%s", base->allocator);
    choice->speedup = x;
    choice->lo = lo;
    choice->hi = hi;
    double fb = footprint(base), fc = footprint(best);
    choice->rss_change = fb > 0 && fc == fc ? fc / fb - 1 : NAN;
    const char *unit = instructions_mode(run) ? "instructions" : "time";

    if (choice->keep_baseline) {
        fprintf(out, "recommendation: %s (keep it)\n", display(base->allocator));
        if (best != base)
            fprintf(out, "  no allocator is measurably faster on %s: the best, %s, is %.2fx (95%% CI %.2f-%.2fx, by %s)\n",
                    what, display(best->allocator), x, lo, hi, unit);
        else
            fprintf(out, "  %s is the fastest general-purpose allocator on %s (by %s)\n", display(base->allocator), what,
                    unit);
    } else {
        fprintf(out, "recommendation: %s\n", display(best->allocator));
        fprintf(out, "  %s: %.2fx faster than %s on %s (95%% CI %.2f-%.2fx, by %s)", display(best->allocator), x,
                display(base->allocator), what, lo, hi, unit);
        if (choice->rss_change == choice->rss_change)
            fprintf(out, al_result_has_metric(best) && best->metric > 0
                             ? ", memory %+.0f%% (RSS growth over the trace's peak live bytes)"
                             : ", peak RSS %+.0f%%",
                    100.0 * choice->rss_change);
        fputc('\n', out);
        /* A drop-in allocator that the measurement cannot tell from the
         * winner does as well: say so rather than crown one of a tie. */
        for (size_t i = 0; i < run->nresults; i++) {
            const al_bench_result *r = &run->results[i];
            if (r == best || r == base || !in_scope(r, scope) || !usable(run, r) || !drop_in(r->allocator)) continue;
            double y, l, h;
            speedup(run, passes, r, best, &y, &l, &h); /* how much faster best is than r */
            if (l > 1.02) continue;
            fprintf(out, "  %s does about as well: %s is %.2fx its speed (95%% CI %.2f-%.2fx), not a clear difference\n",
                    display(r->allocator), display(best->allocator), y, l, h);
        }
    }
    /* The ranking, every measured allocator. */
    fprintf(out, "  measured:");
    size_t last = 0;
    for (size_t i = 0; i < run->nresults; i++)
        if (in_scope(&run->results[i], scope)) last = i;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (!in_scope(r, scope)) continue;
        if (usable(run, r)) {
            double y, l, h;
            speedup(run, passes, base, r, &y, &l, &h);
            fprintf(out, " %s %.2fx%s", r->allocator, y, drop_in(r->allocator) ? "" : "*");
        } else {
            fprintf(out, " %s %s", r->allocator, al_run_status_name(r->status));
        }
        fputc(i < last ? ',' : '\n', out);
    }
    fprintf(out, "  (speed-up over %s; * cannot be a whole program's malloc)\n", display(base->allocator));
    if (ev->program && ev->replay) fprintf(out, "  ranked on the program's own runs; the replay is evidence beside them\n");
    if (f->nprocesses > 1 && ev->replay)
        fprintf(out, "  the replay is of all %zu processes of the trace, each on its own (its own heap, threads and "
                     "benchmark processes), their times summed\n",
                f->nprocesses);

    /* The profile's facts, tied to the talk's conclusions. */
    char procs[48] = "";
    if (f->nprocesses > 1) snprintf(procs, sizeof procs, "%zu processes, ", f->nprocesses);
    fprintf(out, "why, from the profile (%llu calls, %s%zu thread%s, peak %.1f MiB live%s, mean block %.0f B):\n",
            (unsigned long long)f->calls, procs, f->nthreads, f->nthreads == 1 ? "" : "s",
            (double)f->peak_bytes / 1048576.0, f->nprocesses > 1 ? " summed over them" : "", f->mean_size);
    int facts = 0;
    const al_bench_run *rp = ev->replay;
    const al_bench_result *rbase = rp ? find(rp, rscope, "sys") : NULL;
    if (f->allocations && pct(f->small_short, f->allocations) >= 40) {
        fprintf(out, "  - %.0f%% of the blocks are small (<= 256 B) and freed within 64 allocations (median lifetime %llu): "
                     "short-lived small objects, the case for an arena per phase, reset between requests",
                pct(f->small_short, f->allocations), (unsigned long long)f->life_allocs_median);
        if (rp) cite(out, rp, rscope, rpasses, rbase, "arena");
        fputs("\n", out);
        facts++;
    }
    if (f->concurrent_threads >= 2 && f->frees && pct(f->cross_frees, f->frees) >= 5) {
        fprintf(out, "  - %u threads at once, %.0f%% of the frees by another thread than the allocating one: "
                     "the case for per-thread heaps with remote-free lists (mi, tc)",
                f->concurrent_threads, pct(f->cross_frees, f->frees));
        if (rp && (find(rp, rscope, "mi") || find(rp, rscope, "tc"))) {
            cite(out, rp, rscope, rpasses, rbase, "mi");
            cite(out, rp, rscope, rpasses, rbase, "tc");
        } else {
            fputs(" (not measured here: add them with --allocators)", out);
        }
        fputs("\n", out);
        facts++;
    } else if (f->concurrent_threads >= 2) {
        fprintf(out, "  - %u threads at once, %.1f%% cross-thread frees: per-thread caches pay, remote frees do not matter here\n",
                f->concurrent_threads, pct(f->cross_frees, f->frees));
        facts++;
    }
    if (f->bytes_allocated && pct(f->large_bytes, f->bytes_allocated) >= 20) {
        fprintf(out, "  - %.0f%% of the bytes are in %llu blocks of 1 MiB or more: large blocks are about page faults, "
                     "not speed; minor faults in the replay:",
                pct(f->large_bytes, f->bytes_allocated), (unsigned long long)f->large_blocks);
        for (size_t i = 0; rp && i < rp->nresults; i++)
            if (in_scope(&rp->results[i], rscope) && rp->results[i].status == AL_RUN_OK && rp->results[i].minor_faults >= 0)
                fprintf(out, " %s %ld", rp->results[i].allocator, rp->results[i].minor_faults);
        fputs("\n", out);
        facts++;
    }
    if (f->chain_max >= 8) {
        fprintf(out, "  - a block grew through %llu reallocs in a row: reserving its capacity up front (with_capacity) "
                     "saves the copies, whatever the allocator\n",
                (unsigned long long)f->chain_max);
        facts++;
    }
    if (!facts)
        fprintf(out, "  - nothing stands out: few short-lived objects, no threads freeing each other's blocks, "
                     "no large blocks; the ranking above is the whole story\n");
    return ferror(out) ? -1 : 0;
}
