/* Threaded workloads on one shared allocator: parameters, the allocator and
 * its crew, per-iteration resets, counters, small objects written hard (see
 * workload_mt.h). */
#include "workload_mt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * Parameters.
 * ------------------------------------------------------------------------- */
bool wl_mt_parse(const char *param, unsigned min_threads, uint64_t scale_hi, unsigned *threads, uint64_t *scale)
{
    char head[24];
    uint64_t n;
    if (!wl_split_override(param, head, sizeof head, scale_hi, scale)) return false;
    char *dash = strchr(head, '-');
    if (dash) {
        if (strcmp(dash, "-oversub") != 0) return false;
        *dash = '\0';
    }
    if (!wl_parse_uint(head, min_threads, 256, &n)) return false;
    *threads = (unsigned)n;
    return true;
}

static char p_ncpus[16] = "2", p_over[24] = "8-oversub", p_one[] = "1";
const char *wl_mt_params[] = {p_ncpus, p_over, NULL};
const char *wl_mt_params_pair[] = {p_one, p_ncpus, NULL};
const char *wl_mt_params_ncpus[] = {p_ncpus, NULL};

__attribute__((constructor)) static void mt_default_params(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    snprintf(p_ncpus, sizeof p_ncpus, "%ld", n);
    snprintf(p_over, sizeof p_over, "%ld-oversub", 4 * n);
}

/* ----------------------------------------------------------------------------
 * The allocator and the crew.
 * ------------------------------------------------------------------------- */
bool wl_mt_open(wl_mt *m, const char *spec, unsigned n, size_t need_live, wl_crew_fn fn, void *arg,
                al_run_status *status, char *why, size_t whylen)
{
    m->n = n;
    m->count = aligned_alloc(64, n * sizeof *m->count);
    if (!m->count) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "out of memory");
        return false;
    }
    memset(m->count, 0, n * sizeof *m->count);
    m->a = wl_create_shared(spec, n, need_live, m->spec, sizeof m->spec, status, why, whylen);
    if (!m->a) return false;
    m->reset = al_has(m->a, AL_CAP_RESET);
    m->crew = wl_crew_start(n, fn, arg, status, why, whylen);
    return m->crew != NULL;
}

void *wl_mt_new(size_t size, const wl_mt_grammar *g, const char *param, unsigned *n, uint64_t *scale,
                al_run_status *status, char *why, size_t whylen)
{
    if (!wl_mt_parse(param, g->min_threads, g->scale_hi, n, scale)) {
        char expected[96];
        snprintf(expected, sizeof expected, "threads %u-256, optionally -oversub and :%s", g->min_threads,
                 g->scale_name);
        return wl_bad_param(g->workload, param, expected, status, why, whylen);
    }
    if (!*scale) *scale = g->scale_default;
    return wl_calloc(size, status, why, whylen);
}

void *wl_mt_start(void *inst, const char *spec, unsigned n, size_t need_live, wl_crew_fn fn, void (*teardown)(void *),
                  al_run_status *status, char *why, size_t whylen)
{
    if (wl_mt_open(inst, spec, n, need_live, fn, inst, status, why, whylen)) return inst;
    return wl_setup_abort(inst, teardown, false, status, why, whylen);
}

void wl_mt_iter_end(wl_mt *m)
{
    if (!m->reset) return;
    if (wl_crew_sync(m->crew)) wl_iter_end(m->a);
    wl_crew_sync(m->crew);
}

al_run_status wl_mt_run(wl_mt *m, uint64_t iters, char *why, size_t whylen)
{
    al_run_status st = wl_crew_run(m->crew, iters, why, whylen);
    m->iters_done += iters;
    uint64_t sum = 0;
    for (unsigned i = 0; i < m->n; i++) sum += m->count[i].checksum;
    wl_sink(sum);
    return st;
}

uint64_t wl_mt_cross_frees(const wl_mt *m)
{
    uint64_t sum = 0;
    for (unsigned i = 0; m->count && i < m->n; i++) sum += m->count[i].cross_frees;
    return sum;
}

al_run_status wl_mt_run_hook(void *inst, uint64_t iters, char *why, size_t whylen)
{
    return wl_mt_run(inst, iters, why, whylen);
}

uint64_t wl_mt_cross_hook(void *inst) { return wl_mt_cross_frees(inst); }

const char *wl_mt_used_hook(void *inst) { return ((const wl_mt *)inst)->spec; }

void wl_mt_close(wl_mt *m)
{
    wl_crew_stop(m->crew);
    m->crew = NULL;
    al_destroy(m->a);
    m->a = NULL;
    free(m->count);
    m->count = NULL;
}

/* ----------------------------------------------------------------------------
 * Small objects, written hard.
 * ------------------------------------------------------------------------- */
al_run_status wl_mt_churn(wl_mt *m, unsigned i, uint64_t salt, uint64_t pairs, size_t size, uint64_t reps,
                          char *why, size_t whylen)
{
    for (uint64_t k = 0; k < pairs; k++) {
        unsigned char *p[2];
        for (int j = 0; j < 2; j++) {
            p[j] = al_allocate(m->a, size, WL_CHUNK_ALIGN);
            if (!p[j]) {
                if (j) al_deallocate(m->a, p[0], size, WL_CHUNK_ALIGN);
                return wl_alloc_failed(m->a, m->spec, size, 2 * size * m->n, why, whylen);
            }
        }
        bool ok = true;
        for (int j = 0; j < 2; j++) ok &= wl_mt_hammer(p[j], size, reps, wl_key(salt, 2 * k + (uint64_t)j));
        for (int j = 0; j < 2; j++) {
            uint64_t key = wl_key(salt, 2 * k + (uint64_t)j);
            ok &= wl_mt_hammer_holds(p[j], size, reps, key);
            wl_fill_block(p[j], size, key);
            wl_escape(p[j]);
        }
        for (int j = 0; j < 2; j++) ok &= wl_check_block(p[j], size, wl_key(salt, 2 * k + (uint64_t)j));
        if (!ok) {
            wl_why(why, whylen, "a %zu-byte object from '%s' lost its pattern while it was written", size, m->spec);
            return AL_RUN_FAILED;
        }
        for (int j = 0; j < 2; j++) {
            m->count[i].checksum += p[j][0];
            al_deallocate(m->a, p[j], size, WL_CHUNK_ALIGN);
        }
        m->count[i].ops += 2 * reps;
    }
    return AL_RUN_OK;
}
