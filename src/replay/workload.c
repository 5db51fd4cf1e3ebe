/* The "replay" workload: a registered plan replayed by the benchmark harness,
 * so that a trace gets what every benchmark gets — child processes per
 * allocator, rotated rounds, samples with a bootstrap CI, instruction counts
 * under callgrind, peak RSS and page faults, the reports and the history.
 *
 * One iteration is one whole replay, a sample as many of them as make about
 * 100,000 operations (fixed_iters, from the plan alone: every allocator
 * times the same work). The metric is the fragmentation: how much the child's resident
 * set grew from set-up (the plan and the slot tables already resident) to
 * its peak, over the trace's peak live bytes — 1.0 would be an allocator
 * that holds exactly what the program asked for.
 */
#include "replay.h"

#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* An allocator that frees nothing (bump, arena, sbrk) would hold every byte
 * the trace ever allocated: beyond this it is reported unsupported. */
#define NO_FREE_BUDGET (1ull << 30)

/* The registered plans, by name (the names are the harness's params: their
 * storage stays put while registered). The workload's default params are
 * the processes of the set registered last, so that "replay" alone runs
 * every process of the trace. */
typedef struct named_plan {
    char *name;
    const al_replay_plan *plan;
} named_plan;

static named_plan *plans;
static size_t nplans, plans_cap;
static const char *param_list[AL_REPLAY_MAX_PROCS + 1];
static al_replay_touch touch_mode = AL_TOUCH_ENDS;

int al_replay_register_set(const al_replay_set *set)
{
    if (set->n > AL_REPLAY_MAX_PROCS) return -1;
    if (nplans + set->n > plans_cap) {
        size_t cap = (nplans + set->n) * 2;
        named_plan *p = realloc(plans, cap * sizeof *p);
        if (!p) return -1;
        plans = p;
        plans_cap = cap;
    }
    for (size_t i = 0; i < set->n; i++) {
        char *name = strdup(set->procs[i].name);
        if (!name) {
            while (i-- > 0) free(plans[--nplans].name);
            return -1;
        }
        plans[nplans + i] = (named_plan){name, set->procs[i].plan};
    }
    for (size_t i = 0; i < set->n; i++) param_list[i] = plans[nplans + i].name;
    param_list[set->n] = NULL;
    nplans += set->n;
    return 0;
}

void al_replay_unregister_set(const al_replay_set *set)
{
    size_t k = 0;
    for (size_t i = 0; i < nplans; i++) {
        bool gone = false;
        for (size_t j = 0; j < set->n && !gone; j++) gone = plans[i].plan == set->procs[j].plan;
        if (gone) {
            for (size_t q = 0; param_list[q]; q++)
                if (param_list[q] == plans[i].name) {
                    param_list[0] = NULL; /* that set's params go whole */
                    break;
                }
            free(plans[i].name);
        } else {
            plans[k++] = plans[i];
        }
    }
    nplans = k;
}

void al_replay_set_touch(al_replay_touch touch) { touch_mode = touch; }

typedef struct rp_inst {
    const al_replay_plan *plan;
    al_allocator *a;
    al_replay *r;
    long base_kib;
} rp_inst;

static long rss_now_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &size, &res) != 2) res = 0;
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static long rss_peak_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static void teardown(void *p)
{
    rp_inst *in = p;
    if (!in) return;
    al_replay_free(in->r);
    al_destroy(in->a);
    free(in);
}

static void *setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    const al_replay_plan *plan = NULL;
    for (size_t i = nplans; i-- > 0 && !plan;) /* the latest under that name */
        if (strcmp(plans[i].name, param) == 0) plan = plans[i].plan;
    if (!plan) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "no trace loaded under the name '%s' (alloclab replay FILE loads one)", param);
        return NULL;
    }
    rp_inst *in = wl_calloc(sizeof *in, status, why, whylen);
    if (!in) return NULL;
    in->plan = plan;
    char used[128];
    unsigned nthreads = plan->nthreads ? (unsigned)plan->nthreads : 1;
    in->a = wl_create_for_threads(spec, nthreads, false, used, sizeof used, status, why, whylen);
    if (!in->a) return wl_setup_abort(in, teardown, false, status, why, whylen);
    if (!al_has(in->a, AL_CAP_FREES) && plan->total_bytes > NO_FREE_BUDGET) {
        char b1[32], b2[32];
        *status = AL_RUN_UNSUPPORTED;
        wl_why(why, whylen, "'%s' frees nothing: the trace allocates %s in all (peak live %s)", spec,
               wl_size_str(plan->total_bytes, b1, sizeof b1), wl_size_str(plan->peak_live, b2, sizeof b2));
        teardown(in);
        return NULL;
    }
    in->r = al_replay_new(plan, in->a, touch_mode, why, whylen);
    if (!in->r) {
        *status = AL_RUN_FAILED;
        teardown(in);
        return NULL;
    }
    in->base_kib = rss_now_kib();
    return in;
}

static al_run_status run(void *p, uint64_t iters, char *why, size_t whylen)
{
    rp_inst *in = p;
    for (uint64_t i = 0; i < iters; i++) {
        al_run_status st = al_replay_once(in->r, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    return AL_RUN_OK;
}

/* Replays per sample: one, or as many as make SAMPLE_OPS operations for a
 * short trace (a shell's 50 calls replay in 3 us: a sample of one replay
 * measures the clock and the scheduler more than the allocator). Fixed by
 * the plan alone, so every allocator replays the trace as many times. */
#define SAMPLE_OPS 100000

static uint64_t replays_per_sample(void *p)
{
    uint64_t ops = ((rp_inst *)p)->plan->ops;
    return ops >= SAMPLE_OPS ? 1 : (SAMPLE_OPS + ops - 1) / (ops ? ops : 1);
}

static double calls(void *p) { return (double)((rp_inst *)p)->plan->ops; }
static uint64_t cross(void *p) { return al_replay_cross_frees(((rp_inst *)p)->r); }

static double fragmentation(void *p)
{
    rp_inst *in = p;
    if (!in->plan->peak_live) return 0.0 / 0.0;
    double grown = (double)(rss_peak_kib() - in->base_kib) * 1024.0;
    if (grown < 0) grown = 0;
    return grown / (double)in->plan->peak_live;
}

const al_workload al_replay_workload = {
    .name = "replay",
    .description = "a program's traced allocation calls replayed, one thread per traced thread",
    .params = param_list,
    .setup = setup,
    .run = run,
    .teardown = teardown,
    .alloc_calls = calls,
    .fixed_iters = replays_per_sample,
    .cross_frees = cross,
    .metric_name = "rss_ratio",
    .metric_unit = "x",
    .metric = fragmentation,
};
