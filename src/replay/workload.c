/* The "replay" workload: a registered plan replayed by the benchmark harness,
 * so that a trace gets what every benchmark gets — child processes per
 * allocator, rotated rounds, samples with a bootstrap CI, instruction counts
 * under callgrind, peak RSS and page faults, the reports and the history.
 *
 * One iteration is one whole replay (fixed_iters: every allocator times the
 * same work). The metric is the fragmentation: how much the child's resident
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

#define MAX_PLANS 8
/* An allocator that frees nothing (bump, arena, sbrk) would hold every byte
 * the trace ever allocated: beyond this it is reported unsupported. */
#define NO_FREE_BUDGET (1ull << 30)

static struct {
    char name[32];
    const al_replay_plan *plan;
} plans[MAX_PLANS];
static size_t nplans;
static al_replay_touch touch_mode = AL_TOUCH_ENDS;

int al_replay_register_plan(const char *name, const al_replay_plan *plan)
{
    if (nplans >= MAX_PLANS || strlen(name) >= sizeof plans[0].name) return -1;
    snprintf(plans[nplans].name, sizeof plans[nplans].name, "%s", name);
    plans[nplans++].plan = plan;
    return 0;
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
    for (size_t i = 0; i < nplans; i++)
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

static uint64_t one_iteration(void *p)
{
    (void)p;
    return 1;
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

static const char *const no_params[] = {NULL};

const al_workload al_replay_workload = {
    .name = "replay",
    .description = "a program's traced allocation calls replayed, one thread per traced thread",
    .params = no_params,
    .setup = setup,
    .run = run,
    .teardown = teardown,
    .alloc_calls = calls,
    .fixed_iters = one_iteration,
    .cross_frees = cross,
    .metric_name = "rss_ratio",
    .metric_unit = "x",
    .metric = fragmentation,
};
