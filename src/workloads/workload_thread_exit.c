/* thread-exit/<threads>[:<blocks>]: generations of threads that allocate and
 * exit, after mimalloc-bench's mleak (terminated threads must not leak) and
 * the thread churn of its larson. One iteration is one generation: <threads>
 * threads are started (pthread_create, timed), each allocates 1,000 blocks
 * of 16 B to 1 KiB (seeded), checks and frees nine in ten of them (what a
 * thread cache keeps), hands the tenth to the main thread and exits; the
 * main thread joins them, then checks and frees the handed-over blocks (each
 * a cross-thread free, counted). All threads share one allocator (locked:
 * when it is not thread-safe).
 *
 * The time per generation is the cost of a thread's life as a program that
 * starts threads sees it: start-up, each allocator's per-thread set-up, the
 * work, the teardown of its thread cache at exit. The headline is the metric
 * rss_growth: how much the resident set grows per 1,000 generations, from
 * the end of the first sample (the first 50 generations and the warm-up set
 * up what is reused) to the last, in KiB. An allocator that leaks or strands
 * a dead thread's cache grows linearly; 0 (or below) is one that reuses it.
 * Every sample runs 50 generations (fixed_iters), so every allocator is
 * measured over the same work. */
#include "workload_common.h"
#include "workload_mt.h"
#include "workload_rss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BLOCKS 1000u
#define HAND_ONE_IN 10u
#define MIN_SIZE 16u
#define MAX_SIZE 1024u
#define GENERATIONS_PER_SAMPLE 50u
#define WARM_GENERATIONS 8u /* before the RSS reference: at least the warm-up and one run */

/* ----------------------------------------------------------------------------
 * Instance. A generation's threads write only their own `life`; the main
 * thread reads it after pthread_join.
 * ------------------------------------------------------------------------- */
typedef struct handed {
    void *p;
    uint32_t size;
    uint64_t key;
} handed;

typedef struct texit texit;

typedef struct life {
    texit *t;
    unsigned index;
    uint64_t salt;
    handed *out;          /* blocks / HAND_ONE_IN + 1 slots */
    size_t nout;
    al_run_status st;
    char why[160];
} life;

struct texit {
    al_allocator *a;
    char spec[80];
    unsigned n;
    size_t blocks;        /* per thread and generation */
    void **ptrs;          /* n * blocks: each thread's blocks while it lives */
    uint32_t *sizes;      /* likewise */
    life *lives;          /* n */
    pthread_t *tids;      /* n */
    uint64_t generations; /* run so far */
    uint64_t cross_frees;
    uint64_t checksum;
    size_t rss_ref;       /* at the end of the first run past WARM_GENERATIONS */
    uint64_t gen_ref;
    size_t rss_last;
    uint64_t gen_last;
};

static void *thread_life(void *arg)
{
    life *l = arg;
    texit *t = l->t;
    void **ptrs = t->ptrs + (size_t)l->index * t->blocks;
    uint32_t *sizes = t->sizes + (size_t)l->index * t->blocks;
    wl_rng r = {l->salt};
    size_t k = 0;
    for (; k < t->blocks; k++) {
        sizes[k] = (uint32_t)wl_rng_range(&r, MIN_SIZE, MAX_SIZE);
        ptrs[k] = al_allocate(t->a, sizes[k], WL_CHUNK_ALIGN);
        if (!ptrs[k]) {
            l->st = wl_alloc_failed(t->a, t->spec, sizes[k], t->n * t->blocks * MAX_SIZE, l->why, sizeof l->why);
            break;
        }
        wl_fill_block(ptrs[k], sizes[k], wl_key(l->salt, k));
        wl_escape(ptrs[k]);
    }
    /* Free nine in ten (all of them after a failure), hand the tenth on. */
    for (size_t j = 0; j < k; j++) {
        uint64_t key = wl_key(l->salt, j);
        if (!wl_check_block(ptrs[j], sizes[j], key)) {
            wl_why(l->why, sizeof l->why, "a block from '%s' lost its pattern before it was freed", t->spec);
            l->st = AL_RUN_FAILED;
            return NULL;
        }
        if (j % HAND_ONE_IN == 0 && l->st == AL_RUN_OK) {
            l->out[l->nout++] = (handed){.p = ptrs[j], .size = sizes[j], .key = key};
            continue;
        }
        al_deallocate(t->a, ptrs[j], sizes[j], WL_CHUNK_ALIGN);
    }
    return NULL;
}

/* One generation: start, join, free what was handed over. */
static al_run_status generation(void *inst, char *why, size_t whylen)
{
    texit *t = inst;
    pthread_t *tids = t->tids;
    unsigned started = 0;
    int err = 0;
    for (; started < t->n; started++) {
        life *l = &t->lives[started];
        l->salt = ((uint64_t)(started + 1) << 48) ^ t->generations;
        l->nout = 0;
        l->st = AL_RUN_OK;
        l->why[0] = '\0';
        if ((err = pthread_create(&tids[started], NULL, thread_life, l)) != 0) break;
    }
    for (unsigned i = 0; i < started; i++) pthread_join(tids[i], NULL);
    t->generations++;
    al_run_status st = AL_RUN_OK;
    for (unsigned i = 0; i < started; i++) {
        life *l = &t->lives[i];
        if (l->st != AL_RUN_OK && st == AL_RUN_OK) {
            st = l->st;
            wl_why(why, whylen, "thread %u: %s", i, l->why);
        }
        for (size_t k = 0; k < l->nout && l->st != AL_RUN_FAILED; k++) {
            handed *h = &l->out[k];
            if (!wl_check_block(h->p, h->size, h->key)) {
                wl_why(why, whylen, "a handed-over block from '%s' lost its pattern before it was freed", t->spec);
                return AL_RUN_FAILED;
            }
            t->checksum += ((unsigned char *)h->p)[0];
            al_deallocate(t->a, h->p, h->size, WL_CHUNK_ALIGN);
            t->cross_frees++;
        }
    }
    if (err && st == AL_RUN_OK) {
        wl_why(why, whylen, "cannot start thread %u of %u: %s", started + 1, t->n, strerror(err));
        st = AL_RUN_UNSUPPORTED;
    }
    wl_iter_end(t->a);
    return st;
}

static al_run_status texit_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    texit *t = inst;
    al_run_status st = wl_repeat(generation, t, iters, &t->checksum, why, whylen);
    if (st != AL_RUN_OK) return st;
    size_t rss = wl_rss_bytes();
    if (!t->rss_ref && t->generations >= WARM_GENERATIONS) {
        t->rss_ref = rss;
        t->gen_ref = t->generations;
    }
    t->rss_last = rss;
    t->gen_last = t->generations;
    return AL_RUN_OK;
}

static double texit_metric(void *inst)
{
    const texit *t = inst;
    if (!t->rss_ref || !t->rss_last || t->gen_last <= t->gen_ref) return NAN;
    double kib = ((double)t->rss_last - (double)t->rss_ref) / 1024.0;
    return kib * 1000.0 / (double)(t->gen_last - t->gen_ref);
}

static uint64_t texit_fixed(void *inst)
{
    (void)inst;
    return GENERATIONS_PER_SAMPLE;
}

static uint64_t texit_cross(void *inst) { return ((texit *)inst)->cross_frees; }

static const char *texit_used(void *inst) { return ((texit *)inst)->spec; }

/* ----------------------------------------------------------------------------
 * Setup.
 * ------------------------------------------------------------------------- */
static void texit_teardown(void *inst)
{
    texit *t = inst;
    if (!t) return;
    al_destroy(t->a);
    if (t->lives)
        for (unsigned i = 0; i < t->n; i++) free(t->lives[i].out);
    free(t->lives);
    free(t->tids);
    free(t->ptrs);
    free(t->sizes);
    free(t);
}

static void *texit_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"thread-exit", 1, 1000000, "blocks", DEFAULT_BLOCKS};
    unsigned n;
    uint64_t blocks;
    texit *t = wl_mt_new(sizeof *t, &grammar, param, &n, &blocks, status, why, whylen);
    if (!t) return NULL;
    t->n = n;
    t->blocks = blocks;
    t->lives = calloc(n, sizeof *t->lives);
    t->tids = calloc(n, sizeof *t->tids);
    t->ptrs = calloc(n * t->blocks, sizeof *t->ptrs);
    t->sizes = calloc(n * t->blocks, sizeof *t->sizes);
    if (!t->lives || !t->tids || !t->ptrs || !t->sizes) return wl_setup_abort(t, texit_teardown, true, status, why, whylen);
    for (unsigned i = 0; i < n; i++) {
        t->lives[i] = (life){.t = t, .index = i};
        t->lives[i].out = calloc(t->blocks / HAND_ONE_IN + 1, sizeof *t->lives[i].out);
        if (!t->lives[i].out) return wl_setup_abort(t, texit_teardown, true, status, why, whylen);
    }
    size_t live = (size_t)n * t->blocks * (MIN_SIZE + MAX_SIZE) / 2;
    if (!(t->a = wl_create_shared(spec, n, live, t->spec, sizeof t->spec, status, why, whylen)))
        return wl_setup_abort(t, texit_teardown, false, status, why, whylen);
    return t;
}

const al_workload al_workload_thread_exit = {
    .name = "thread-exit",
    .description = "generations of <threads> threads that each allocate 1,000 blocks, free 9 in 10, hand the rest "
                   "to the main thread and exit (mimalloc-bench's mleak); headline: RSS growth per 1,000 generations",
    .params = wl_mt_params_ncpus,
    .setup = texit_setup,
    .run = texit_run,
    .teardown = texit_teardown,
    .fixed_iters = texit_fixed,
    .cross_frees = texit_cross,
    .allocator_used = texit_used,
    .metric_name = "rss_growth",
    .metric_unit = "KiB/1k gen",
    .metric = texit_metric,
};
