/* glibc-thread/<threads>[-spawn]: the talk's multi-threaded malloc test. Each
 * of <threads> threads runs the glibc-simple body with 128-byte chunks. A
 * thread-safe allocator is shared by all threads; any other gets one instance
 * per thread (as the talk clones its arena per thread) — except one whose
 * instances share process-wide state (AL_CAP_PROCESS_GLOBAL: sbrk's break),
 * which all threads share as one "locked:<spec>" instance. Threads are started
 * at setup; each run releases them together and ends when the last is done,
 * so the time is the run's wall time. With "-spawn" the threads are started
 * inside every iteration instead (pthread_create and pthread_join timed, one
 * body each), so thread start-up and each allocator's per-thread set-up and
 * teardown are measured, as a program that starts threads sees them. Threads
 * from 1 to 256 are accepted; the default suite runs 4, 8, 16 and 4-spawn. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 128u

/* ----------------------------------------------------------------------------
 * Instance. Invariant: a[i] is thread i's allocator; all equal a[0] when
 * shared. A shared resettable allocator is reset once per iteration, between
 * two crew barriers, by one thread (inside the timed region).
 * ------------------------------------------------------------------------- */
typedef struct threaded {
    unsigned n;
    bool shared;
    char spec[80];        /* what a[] really is ("locked:..." when a lock was added) */
    al_allocator **a;     /* n handles; a single instance when shared */
    uint64_t *checksum;   /* one per thread, each written by its thread only */
    uint64_t *rounds;     /* iterations run by each thread (its salts), likewise */
    wl_crew *crew;        /* NULL with -spawn */
    struct spawned *sp;   /* with -spawn: n, one per thread of an iteration */
} threaded;

/* A thread started by one -spawn iteration: it runs one body. */
typedef struct spawned {
    threaded *t;
    unsigned i;
    pthread_t tid;
    al_run_status st;
    char why[192];
} spawned;

static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    threaded *t = arg;
    al_allocator *a = t->a[i];
    bool shared_reset = t->shared && al_has(a, AL_CAP_RESET);
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (st == AL_RUN_OK)
            st = wl_simple_body(a, t->spec, CHUNK, ((uint64_t)i << 48) ^ t->rounds[i]++, &t->checksum[i], why,
                                whylen);
        if (shared_reset && t->crew) {
            /* Every worker keeps meeting the barriers, even after a failure.
             * (With -spawn the main thread resets after the joins.) */
            if (wl_crew_sync(t->crew)) wl_iter_end(a);
            wl_crew_sync(t->crew);
        } else if (!t->shared) {
            wl_iter_end(a);
        }
    }
    return st;
}

static void threaded_teardown(void *inst)
{
    threaded *t = inst;
    if (!t) return;
    wl_crew_stop(t->crew);
    if (t->a) {
        for (unsigned i = 0; i < (t->shared ? 1u : t->n); i++) al_destroy(t->a[i]);
        free(t->a);
    }
    free(t->checksum);
    free(t->rounds);
    free(t->sp);
    free(t);
}

static void *threaded_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    uint64_t n;
    char count[16];
    const char *dash = param ? strchr(param, '-') : NULL;
    bool spawn = dash && strcmp(dash, "-spawn") == 0;
    if (spawn && (size_t)(dash - param) < sizeof count) {
        memcpy(count, param, (size_t)(dash - param));
        count[dash - param] = '\0';
    }
    if (!wl_parse_uint(spawn ? count : param, 1, 256, &n))
        return wl_bad_param("glibc-thread", param, "a thread count from 1 to 256, optionally -spawn", status, why,
                            whylen);
    threaded *t = wl_calloc(sizeof *t, status, why, whylen);
    if (!t) return NULL;
    t->n = (unsigned)n;
    t->a = calloc(n, sizeof *t->a);
    t->checksum = calloc(n, sizeof *t->checksum);
    t->rounds = calloc(n, sizeof *t->rounds);
    if (!t->a || !t->checksum || !t->rounds)
        return wl_setup_abort(t, threaded_teardown, true, status, why, whylen);
    t->a[0] = wl_create_for_threads(spec, t->n, true, t->spec, sizeof t->spec, status, why, whylen);
    if (!t->a[0]) return wl_setup_abort(t, threaded_teardown, false, status, why, whylen);
    t->shared = al_has(t->a[0], AL_CAP_THREAD_SAFE);
    size_t live = (size_t)WL_SIMPLE_CHUNKS * CHUNK;
    for (unsigned i = 0; i < t->n; i++) {
        if (i > 0) t->a[i] = t->shared ? t->a[0] : wl_create(spec, status, why, whylen);
        if (!t->a[i]) return wl_setup_abort(t, threaded_teardown, false, status, why, whylen);
        size_t need = t->shared ? live * t->n : live;
        if ((!t->shared || i == 0) && !wl_probe_capacity(t->a[i], t->spec, need, need, status, why, whylen))
            return wl_setup_abort(t, threaded_teardown, false, status, why, whylen);
    }
    if (spawn) {
        t->sp = calloc(n, sizeof *t->sp);
        return t->sp ? t : wl_setup_abort(t, threaded_teardown, true, status, why, whylen);
    }
    t->crew = wl_crew_start(t->n, worker, t, status, why, whylen);
    return t->crew ? t : wl_setup_abort(t, threaded_teardown, false, status, why, whylen);
}

/* ----------------------------------------------------------------------------
 * -spawn: every iteration starts its threads and joins them.
 * ------------------------------------------------------------------------- */
static void *spawned_main(void *arg)
{
    spawned *s = arg;
    s->why[0] = '\0';
    s->st = worker(s->t, s->i, 1, s->why, sizeof s->why);
    return NULL;
}

static al_run_status spawn_iteration(threaded *t, char *why, size_t whylen)
{
    unsigned started = 0;
    int err = 0;
    for (; started < t->n; started++) {
        t->sp[started] = (spawned){.t = t, .i = started};
        if ((err = pthread_create(&t->sp[started].tid, NULL, spawned_main, &t->sp[started])) != 0) break;
    }
    for (unsigned i = 0; i < started; i++) pthread_join(t->sp[i].tid, NULL);
    al_run_status worst = AL_RUN_OK;
    for (unsigned i = 0; i < started; i++)
        if (t->sp[i].st > worst) {
            worst = t->sp[i].st;
            wl_why(why, whylen, "thread %u: %s", i, t->sp[i].why);
        }
    if (err && worst == AL_RUN_OK) {
        wl_why(why, whylen, "cannot start thread %u of %u: %s", started + 1, t->n, strerror(err));
        worst = AL_RUN_UNSUPPORTED;
    }
    if (t->shared) wl_iter_end(t->a[0]); /* after every thread gave its chunks back */
    return worst;
}

static al_run_status threaded_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    threaded *t = inst;
    al_run_status st = AL_RUN_OK;
    if (t->crew) st = wl_crew_run(t->crew, iters, why, whylen);
    for (uint64_t it = 0; !t->crew && it < iters && st == AL_RUN_OK; it++) st = spawn_iteration(t, why, whylen);
    uint64_t sum = 0;
    for (unsigned i = 0; i < t->n; i++) sum += t->checksum[i];
    wl_sink(sum);
    return st;
}

/* "locked:sbrk" for a process-global allocator; a per-thread one runs as given. */
static const char *threaded_used(void *inst) { return ((threaded *)inst)->spec; }

static const char *const threaded_params[] = {"4", "8", "16", "4-spawn", NULL};

const al_workload al_workload_glibc_thread = {
    .name = "glibc-thread",
    .description = "<threads> threads each run glibc-simple with 128-byte chunks (one shared instance if thread-safe, one per thread otherwise, one behind locked: if process-global); -spawn starts them in every iteration",
    .params = threaded_params,
    .setup = threaded_setup,
    .run = threaded_run,
    .teardown = threaded_teardown,
    .allocator_used = threaded_used,
};
