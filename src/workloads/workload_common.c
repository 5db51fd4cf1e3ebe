/* The workloads' shared helpers: reasons, patterns, allocator creation,
 * capacity probes, call counts, parameter parsing and a thread crew. */
#include "workload_common.h"

#include <alloclab/wrappers.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wl_why(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || whylen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

/* ----------------------------------------------------------------------------
 * Patterns. Checks compare whole words where they can: verification must
 * cost the same for every allocator and stay small next to the workload.
 * ------------------------------------------------------------------------- */
#define WL_PAGE 4096u

/* Page 0 holds the head word itself; page pg > 0 a word of its own. */
static inline uint64_t page_word(uint64_t head, size_t pg) { return head ^ (pg * 0x9E3779B97F4A7C15ull); }

void wl_fill_pages(void *p, size_t n, uint64_t key)
{
    char *b = p;
    uint64_t head = wl_mix(key);
    for (size_t off = WL_PAGE, pg = 1; off + 16 <= n; off += WL_PAGE, pg++) {
        uint64_t w = page_word(head, pg);
        memcpy(b + off, &w, 8);
    }
    wl_fill_ends(p, n, key);
}

bool wl_check_pages(const void *p, size_t n, uint64_t key)
{
    const char *b = p;
    uint64_t head = wl_mix(key);
    for (size_t off = WL_PAGE, pg = 1; off + 16 <= n; off += WL_PAGE, pg++) {
        uint64_t w;
        memcpy(&w, b + off, 8);
        if (w != page_word(head, pg)) return false;
    }
    return wl_check_ends(p, n, key);
}

/* The check level: written by the harness between runs, read (through
 * wl_cheap_checks) once per block. Worker threads see it through the crew's
 * barriers, which every run crosses after it was set. */
size_t wl_cheap_from = SIZE_MAX;

void al_workload_set_check_level(al_check_level level) { wl_cheap_from = level == AL_CHECK_CHEAP ? 16 : SIZE_MAX; }
al_check_level al_workload_check_level(void) { return wl_cheap_checks() ? AL_CHECK_CHEAP : AL_CHECK_FULL; }

void wl_fill_block_full(void *p, size_t n, uint64_t key)
{
    if (n > 16) memset((char *)p + 8, wl_fill_byte(wl_mix(key)), n - 16);
    wl_fill_ends(p, n, key);
}

bool wl_check_block_full(const void *p, size_t n, uint64_t key)
{
    if (!wl_check_ends(p, n, key)) return false;
    return n <= 16 || wl_check_bytes((const char *)p + 8, n - 16, wl_fill_byte(wl_mix(key)));
}

static volatile uint64_t wl_sink_value;
void wl_sink(uint64_t checksum) { wl_sink_value += checksum; }

/* ----------------------------------------------------------------------------
 * Allocators and capacity.
 * ------------------------------------------------------------------------- */
al_allocator *wl_create(const char *spec, al_run_status *status, char *why, size_t whylen)
{
    al_allocator *a = al_create(spec, NULL);
    if (!a) {
        *status = AL_RUN_UNSUPPORTED;
        wl_why(why, whylen, "%s", al_last_error());
    }
    return a;
}

al_allocator *wl_create_for_threads(const char *spec, unsigned nthreads, bool per_thread, char *used,
                                    size_t usedlen, al_run_status *status, char *why, size_t whylen)
{
    al_allocator *a = wl_create(spec, status, why, whylen);
    snprintf(used, usedlen, "%s", spec);
    if (!a || nthreads == 1 || al_has(a, AL_CAP_THREAD_SAFE)) return a;
    if (per_thread && !al_has(a, AL_CAP_PROCESS_GLOBAL)) return a;
    al_destroy(a);
    snprintf(used, usedlen, "locked:%s", spec);
    a = al_create(used, NULL);
    if (!a) {
        *status = AL_RUN_UNSUPPORTED;
        wl_why(why, whylen, "'%s' is not thread-safe and '%s' cannot be made: %s", spec, used, al_last_error());
    }
    return a;
}

al_allocator *wl_create_shared(const char *spec, unsigned nthreads, size_t need_live, char *used, size_t usedlen,
                               al_run_status *status, char *why, size_t whylen)
{
    al_allocator *a = wl_create_for_threads(spec, nthreads, false, used, usedlen, status, why, whylen);
    if (a && !wl_probe_capacity(a, used, need_live, need_live, status, why, whylen)) {
        al_destroy(a);
        a = NULL;
    }
    return a;
}

const char *wl_size_str(size_t bytes, char *buf, size_t len)
{
    if (bytes >= (1u << 30)) snprintf(buf, len, "%.3g GiB", (double)bytes / (1u << 30));
    else if (bytes >= (1u << 20)) snprintf(buf, len, "%.3g MiB", (double)bytes / (1u << 20));
    else if (bytes >= 1024) snprintf(buf, len, "%.3g KiB", (double)bytes / 1024);
    else snprintf(buf, len, "%zu bytes", bytes);
    return buf;
}

al_run_status wl_alloc_failed(const al_allocator *a, const char *spec, size_t size, size_t need_live,
                              char *why, size_t whylen)
{
    char s1[32], s2[32];
    if (al_has(a, AL_CAP_FIXED_CAPACITY)) {
        wl_why(why, whylen, "capacity exhausted: '%s' has a fixed capacity and refused %s; the workload needs >= %s live",
               spec, wl_size_str(size, s1, sizeof s1), wl_size_str(need_live, s2, sizeof s2));
        return AL_RUN_UNSUPPORTED;
    }
    wl_why(why, whylen, "'%s' returned NULL for %s", spec, wl_size_str(size, s1, sizeof s1));
    return AL_RUN_FAILED;
}

bool wl_probe_capacity(al_allocator *a, const char *spec, size_t probe, size_t need_live,
                       al_run_status *status, char *why, size_t whylen)
{
    if (!al_has(a, AL_CAP_FIXED_CAPACITY)) return true;
    void *p = al_allocate(a, probe, WL_CHUNK_ALIGN);
    if (!p) {
        *status = wl_alloc_failed(a, spec, probe, need_live, why, whylen);
        return false;
    }
    al_deallocate(a, p, probe, WL_CHUNK_ALIGN);
    wl_iter_end(a);
    return true;
}

/* ----------------------------------------------------------------------------
 * Counting calls through a stats: layer over a fresh instance.
 * ------------------------------------------------------------------------- */
double wl_count_calls(const char *spec, wl_body_fn body, void *ctx)
{
    char counted[96];
    snprintf(counted, sizeof counted, "stats:%s", spec);
    al_allocator *a = al_create(counted, NULL);
    al_stats st;
    double calls = -1;
    if (a && body(a, ctx) == AL_RUN_OK && al_stats_get(a, &st))
        calls = (double)(st.allocs + st.zeroed + st.deallocs + st.grows + st.shrinks);
    al_destroy(a);
    return calls;
}

/* ----------------------------------------------------------------------------
 * Setup's exits.
 * ------------------------------------------------------------------------- */
void *wl_bad_param(const char *workload, const char *param, const char *expected, al_run_status *status,
                   char *why, size_t whylen)
{
    *status = AL_RUN_FAILED;
    wl_why(why, whylen, "%s: unknown parameter '%s' (%s)", workload, param ? param : "", expected);
    return NULL;
}

void *wl_calloc(size_t size, al_run_status *status, char *why, size_t whylen)
{
    void *p = calloc(1, size);
    if (!p) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "out of memory");
    }
    return p;
}

void *wl_setup_abort(void *inst, void (*teardown)(void *), bool oom, al_run_status *status, char *why,
                     size_t whylen)
{
    if (inst) teardown(inst);
    if (oom) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "out of memory");
    }
    return NULL;
}

/* ----------------------------------------------------------------------------
 * One-allocator workloads. The instance is one calloc'd block.
 * ------------------------------------------------------------------------- */
void *wl_solo_new(size_t size, const char *spec, wl_solo_iter iter, al_run_status *status, char *why,
                  size_t whylen)
{
    wl_solo *w = wl_calloc(size, status, why, whylen);
    if (!w) return NULL;
    snprintf(w->spec, sizeof w->spec, "%s", spec);
    w->iter = iter;
    return w;
}

static al_run_status solo_counted(al_allocator *a, void *ctx)
{
    const wl_solo *w = ctx;
    uint64_t ignored = 0;
    char scratch[8];
    return w->iter(a, w, &ignored, scratch, sizeof scratch);
}

void *wl_solo_finish(void *inst, al_run_status *status, char *why, size_t whylen)
{
    wl_solo *w = inst;
    w->a = wl_create(w->spec, status, why, whylen);
    if (!w->a) return wl_setup_abort(w, wl_solo_teardown, false, status, why, whylen);
    w->calls = wl_count_calls(w->spec, solo_counted, w);
    return w;
}

al_run_status wl_repeat(wl_iter_fn iter, void *inst, uint64_t iters, const uint64_t *checksum, char *why,
                        size_t whylen)
{
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = iter(inst, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    if (checksum) wl_sink(*checksum);
    return AL_RUN_OK;
}

al_run_status wl_solo_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    wl_solo *w = inst;
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = w->iter(w->a, w, &w->checksum, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    wl_sink(w->checksum);
    return AL_RUN_OK;
}

void wl_solo_teardown(void *inst)
{
    wl_solo *w = inst;
    if (!w) return;
    al_destroy(w->a);
    free(w);
}

double wl_solo_calls(void *inst) { return ((wl_solo *)inst)->calls; }

/* ----------------------------------------------------------------------------
 * Parameters.
 * ------------------------------------------------------------------------- */
bool wl_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool wl_split_override(const char *param, char *buf, size_t buflen, uint64_t hi, uint64_t *n)
{
    *n = 0;
    if (!param) param = "";
    const char *colon = strchr(param, ':');
    size_t len = colon ? (size_t)(colon - param) : strlen(param);
    if (len >= buflen) return false;
    memcpy(buf, param, len);
    buf[len] = '\0';
    return colon ? wl_parse_uint(colon + 1, 1, hi, n) : true;
}

/* ----------------------------------------------------------------------------
 * The crew. Workers wait at `start`; a run sets iters and joins them there,
 * then waits at `done`. A start-up gate keeps workers away from the barriers
 * until every thread exists, so a failed pthread_create can still release
 * the ones already running.
 * ------------------------------------------------------------------------- */
typedef struct worker {
    wl_crew *crew;
    unsigned index;
    al_run_status status; /* of the last run */
    char why[192];
} worker;

struct wl_crew {
    unsigned n;
    wl_crew_fn fn;
    void *arg;
    uint64_t iters;        /* of the current run; written before `start` */
    bool stop;             /* written before `start`: leave instead of running */
    pthread_barrier_t start, done, sync;
    pthread_mutex_t gate_lock;
    pthread_cond_t gate_cond;
    int gate;              /* 0 waiting, 1 go, -1 abort */
    pthread_t *tids;
    worker *w;
};

static void *crew_main(void *p)
{
    worker *w = p;
    wl_crew *c = w->crew;
    pthread_mutex_lock(&c->gate_lock);
    while (c->gate == 0) pthread_cond_wait(&c->gate_cond, &c->gate_lock);
    int gate = c->gate;
    pthread_mutex_unlock(&c->gate_lock);
    if (gate < 0) return NULL;
    for (;;) {
        pthread_barrier_wait(&c->start);
        if (c->stop) break;
        w->why[0] = '\0';
        w->status = c->fn(c->arg, w->index, c->iters, w->why, sizeof w->why);
        pthread_barrier_wait(&c->done);
    }
    return NULL;
}

static void crew_open_gate(wl_crew *c, int value)
{
    pthread_mutex_lock(&c->gate_lock);
    c->gate = value;
    pthread_cond_broadcast(&c->gate_cond);
    pthread_mutex_unlock(&c->gate_lock);
}

static void crew_free(wl_crew *c)
{
    pthread_barrier_destroy(&c->start);
    pthread_barrier_destroy(&c->done);
    pthread_barrier_destroy(&c->sync);
    pthread_mutex_destroy(&c->gate_lock);
    pthread_cond_destroy(&c->gate_cond);
    free(c->tids);
    free(c->w);
    free(c);
}

wl_crew *wl_crew_start(unsigned n, wl_crew_fn fn, void *arg, al_run_status *status, char *why, size_t whylen)
{
    *status = AL_RUN_UNSUPPORTED; /* what every NULL below means */
    wl_crew *c = calloc(1, sizeof *c);
    if (!c || n == 0) {
        free(c);
        wl_why(why, whylen, "cannot start %u threads", n);
        return NULL;
    }
    c->n = n;
    c->fn = fn;
    c->arg = arg;
    c->tids = calloc(n, sizeof *c->tids);
    c->w = calloc(n, sizeof *c->w);
    pthread_barrier_init(&c->start, NULL, n + 1);
    pthread_barrier_init(&c->done, NULL, n + 1);
    pthread_barrier_init(&c->sync, NULL, n);
    pthread_mutex_init(&c->gate_lock, NULL);
    pthread_cond_init(&c->gate_cond, NULL);
    if (!c->tids || !c->w) {
        crew_free(c);
        wl_why(why, whylen, "out of memory starting %u threads", n);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        c->w[i] = (worker){.crew = c, .index = i};
        int err = pthread_create(&c->tids[i], NULL, crew_main, &c->w[i]);
        if (err) {
            crew_open_gate(c, -1);
            for (unsigned k = 0; k < i; k++) pthread_join(c->tids[k], NULL);
            crew_free(c);
            wl_why(why, whylen, "cannot start thread %u of %u: %s", i + 1, n, strerror(err));
            return NULL;
        }
    }
    crew_open_gate(c, 1);
    *status = AL_RUN_OK;
    return c;
}

al_run_status wl_crew_run(wl_crew *c, uint64_t iters, char *why, size_t whylen)
{
    c->iters = iters;
    pthread_barrier_wait(&c->start);
    pthread_barrier_wait(&c->done);
    al_run_status worst = AL_RUN_OK;
    for (unsigned i = 0; i < c->n; i++) {
        if (c->w[i].status > worst) {
            worst = c->w[i].status;
            wl_why(why, whylen, "thread %u: %s", i, c->w[i].why);
        }
    }
    return worst;
}

bool wl_crew_sync(wl_crew *c) { return pthread_barrier_wait(&c->sync) == PTHREAD_BARRIER_SERIAL_THREAD; }

void wl_crew_stop(wl_crew *c)
{
    if (!c) return;
    c->stop = true;
    pthread_barrier_wait(&c->start);
    for (unsigned i = 0; i < c->n; i++) pthread_join(c->tids[i], NULL);
    crew_free(c);
}
