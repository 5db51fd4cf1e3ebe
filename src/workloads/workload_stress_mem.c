/* stress-mem/<threads>[:<allocations>]: the talk's memory stress test.
 * 1,000,000 small allocations (10-50 bytes, seeded) in five chunks of
 * 200,000; chunks 2 and 4 are freed together once allocated and each is
 * replaced by one 100,000-byte block, so 600,000 small blocks and the two
 * large ones stay live to the end of the iteration. The work is divided over
 * <threads> threads (each runs the same shape on its share) sharing one
 * allocator; a non-thread-safe allocator is shared through "locked:<spec>"
 * as in the talk (with one thread nothing is shared, and no lock is added).
 * Every block is checked before it is freed; all are freed at the end.
 * The ":<allocations>" override scales the total (tests use it to stay fast).
 * The default suite's parameter is the number of CPUs. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFAULT_ALLOCS 1000000u
#define NCHUNKS 5u
#define BIG 100000u
#define SEED 0x57e55edull

/* ----------------------------------------------------------------------------
 * Instance. Invariant between runs: every ptrs[k] and big[] is NULL.
 * ------------------------------------------------------------------------- */
typedef struct share {
    size_t n;               /* this thread's allocations */
    void **ptrs;            /* n blocks; NULL once freed */
    unsigned char *sizes;   /* n sizes (fixed at setup) */
    void *big[2];
    unsigned index;         /* the thread's */
    uint64_t rounds;        /* iterations run: with index, the salt of the next */
    uint64_t salt;          /* of the iteration under way; small block k has key
                               wl_key(salt, k), big block b wl_key(salt, n + b) */
    uint64_t checksum;
} share;

typedef struct stress {
    al_allocator *a;        /* shared by all threads */
    char spec[80];          /* what a really is ("locked:..." when a lock was added) */
    unsigned nthreads;
    share *sh;
    size_t live;            /* bytes kept live at the end of an iteration, all threads */
    wl_crew *crew;
} stress;

static size_t chunk_start(const share *s, unsigned c) { return s->n * c / NCHUNKS; }

/* Free whatever is still held; only for blocks known good. */
static void drop(stress *t, share *s)
{
    for (size_t k = 0; k < s->n; k++) {
        if (s->ptrs[k]) al_deallocate(t->a, s->ptrs[k], s->sizes[k], WL_CHUNK_ALIGN);
        s->ptrs[k] = NULL;
    }
    for (int b = 0; b < 2; b++) {
        if (s->big[b]) al_deallocate(t->a, s->big[b], BIG, WL_CHUNK_ALIGN);
        s->big[b] = NULL;
    }
}

/* Check and free blocks [from, to); false at the first corrupt one. */
static bool release_range(stress *t, share *s, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) {
        unsigned char *p = s->ptrs[k];
        if (!wl_check_block(p, s->sizes[k], wl_key(s->salt, k))) return false;
        s->checksum += p[0];
        al_deallocate(t->a, p, s->sizes[k], WL_CHUNK_ALIGN);
        s->ptrs[k] = NULL;
    }
    return true;
}

static al_run_status corrupt(stress *t, const char *what, char *why, size_t whylen)
{
    wl_why(why, whylen, "a %s block from '%s' lost its pattern before it was freed", what, t->spec);
    return AL_RUN_FAILED;
}

static al_run_status one_iteration(stress *t, share *s, char *why, size_t whylen)
{
    s->salt = ((uint64_t)s->index << 48) ^ s->rounds++;
    for (unsigned c = 0; c < NCHUNKS; c++) {
        size_t from = chunk_start(s, c), to = chunk_start(s, c + 1);
        for (size_t k = from; k < to; k++) {
            void *p = al_allocate(t->a, s->sizes[k], WL_CHUNK_ALIGN);
            if (!p) {
                drop(t, s);
                return wl_alloc_failed(t->a, t->spec, s->sizes[k], t->live, why, whylen);
            }
            wl_fill_block(p, s->sizes[k], wl_key(s->salt, k));
            wl_escape(p);
            s->ptrs[k] = p;
        }
        if (c == 1 || c == 3) {
            if (!release_range(t, s, from, to)) return corrupt(t, "small", why, whylen);
            int b = c == 1 ? 0 : 1;
            void *p = al_allocate(t->a, BIG, WL_CHUNK_ALIGN);
            if (!p) {
                drop(t, s);
                return wl_alloc_failed(t->a, t->spec, BIG, t->live, why, whylen);
            }
            wl_fill_block(p, BIG, wl_key(s->salt, s->n + (uint64_t)b));
            wl_escape(p);
            s->big[b] = p;
        }
    }
    for (unsigned c = 0; c < NCHUNKS; c += 2)
        if (!release_range(t, s, chunk_start(s, c), chunk_start(s, c + 1))) return corrupt(t, "small", why, whylen);
    for (int b = 0; b < 2; b++) {
        if (!wl_check_block(s->big[b], BIG, wl_key(s->salt, s->n + (uint64_t)b)))
            return corrupt(t, "100000-byte", why, whylen);
        al_deallocate(t->a, s->big[b], BIG, WL_CHUNK_ALIGN);
        s->big[b] = NULL;
    }
    return AL_RUN_OK;
}

static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    stress *t = arg;
    bool reset = al_has(t->a, AL_CAP_RESET);
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (st == AL_RUN_OK) st = one_iteration(t, &t->sh[i], why, whylen);
        if (reset) {
            /* Timed: one thread resets the shared allocator once all are done.
             * Every worker keeps meeting the barriers, even after a failure. */
            if (wl_crew_sync(t->crew)) wl_iter_end(t->a);
            wl_crew_sync(t->crew);
        }
    }
    return st;
}

static al_run_status stress_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    stress *t = inst;
    al_run_status st = wl_crew_run(t->crew, iters, why, whylen);
    uint64_t sum = 0;
    for (unsigned i = 0; i < t->nthreads; i++) sum += t->sh[i].checksum;
    wl_sink(sum);
    return st;
}

/* ----------------------------------------------------------------------------
 * Setup and teardown.
 * ------------------------------------------------------------------------- */
static void stress_teardown(void *inst)
{
    stress *t = inst;
    if (!t) return;
    wl_crew_stop(t->crew);
    al_destroy(t->a);
    if (t->sh) {
        for (unsigned i = 0; i < t->nthreads; i++) {
            free(t->sh[i].ptrs);
            free(t->sh[i].sizes);
        }
        free(t->sh);
    }
    free(t);
}

static void *stress_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    char head[16];
    uint64_t threads, total;
    if (!wl_split_override(param, head, sizeof head, 100000000, &total) || !wl_parse_uint(head, 1, 256, &threads) ||
        (total && total < threads * NCHUNKS))
        return wl_bad_param("stress-mem", param, "threads 1-256, optionally :allocations", status, why, whylen);
    if (!total) total = DEFAULT_ALLOCS;
    stress *t = wl_calloc(sizeof *t, status, why, whylen);
    if (!t) return NULL;
    t->nthreads = (unsigned)threads;
    t->sh = calloc(threads, sizeof *t->sh);
    if (!t->sh) return wl_setup_abort(t, stress_teardown, true, status, why, whylen);
    for (unsigned i = 0; i < t->nthreads; i++) {
        share *s = &t->sh[i];
        s->n = total / threads + (i < total % threads);
        s->index = i;
        s->ptrs = calloc(s->n, sizeof *s->ptrs);
        s->sizes = malloc(s->n);
        if (!s->ptrs || !s->sizes) return wl_setup_abort(t, stress_teardown, true, status, why, whylen);
        wl_rng r = {SEED + i};
        for (size_t k = 0; k < s->n; k++) {
            s->sizes[k] = (unsigned char)wl_rng_range(&r, 10, 50);
            if (k < chunk_start(s, 1) || (k >= chunk_start(s, 2) && k < chunk_start(s, 3)) || k >= chunk_start(s, 4))
                t->live += s->sizes[k];
        }
        t->live += 2 * BIG;
    }
    /* One instance shared by all threads (locked: if it is not thread-safe). */
    if (!(t->a = wl_create_shared(spec, t->nthreads, t->live, t->spec, sizeof t->spec, status, why, whylen)))
        return wl_setup_abort(t, stress_teardown, false, status, why, whylen);
    t->crew = wl_crew_start(t->nthreads, worker, t, status, why, whylen);
    return t->crew ? t : wl_setup_abort(t, stress_teardown, false, status, why, whylen);
}

static const char *stress_used(void *inst) { return ((stress *)inst)->spec; }

/* The default parameter: the number of CPUs, known only at run time. */
static char ncpus_param[16] = "1";
static const char *stress_params[] = {ncpus_param, NULL};

__attribute__((constructor)) static void stress_default_param(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 256) n = 256;
    snprintf(ncpus_param, sizeof ncpus_param, "%ld", n);
}

const al_workload al_workload_stress_mem = {
    .name = "stress-mem",
    .description = "1M small blocks in 5 chunks, 2 chunks freed and replaced by 100 kB blocks, over <threads> threads",
    .params = stress_params,
    .setup = stress_setup,
    .run = stress_run,
    .teardown = stress_teardown,
    .allocator_used = stress_used,
};
