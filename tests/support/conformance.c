/* The conformance suite's shadow model: fill patterns, the live-block set,
 * options and the list of specs to check (see conformance.h). */
#include "conformance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool conf_fail(conf_err *e, const char *fmt, ...)
{
    if (e->msg[0]) return false; /* keep the first, most telling failure */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

uint64_t conf_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t conf_rand_range(uint64_t *state, size_t lo, size_t hi)
{
    return lo + (size_t)(conf_rand(state) % (uint64_t)(hi - lo + 1));
}

/* ----------------------------------------------------------------------------
 * Patterns: one period of PERIOD bytes per id, built on demand and copied.
 * Comparing whole periods with memcmp keeps verification cheap enough to run
 * before every operation, even under sanitizers.
 * ------------------------------------------------------------------------- */
#define PERIOD 251

static void make_period(unsigned char out[PERIOD], uint64_t id)
{
    uint64_t s = id * 0x2545f4914f6cdd1dull + 1;
    for (size_t i = 0; i < PERIOD; i++) {
        out[i] = (unsigned char)(conf_rand(&s) >> 56);
    }
    out[0] ^= 0x5a; /* no id's period is all zero */
}

void conf_fill(void *p, size_t size, uint64_t id)
{
    unsigned char period[PERIOD];
    make_period(period, id);
    unsigned char *d = p;
    for (size_t off = 0; off < size; off += PERIOD) {
        size_t n = size - off < PERIOD ? size - off : PERIOD;
        memcpy(d + off, period, n);
    }
}

static size_t first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

bool conf_verify(const void *p, size_t size, uint64_t id, size_t *bad)
{
    unsigned char period[PERIOD];
    make_period(period, id);
    const unsigned char *s = p;
    for (size_t off = 0; off < size; off += PERIOD) {
        size_t n = size - off < PERIOD ? size - off : PERIOD;
        if (memcmp(s + off, period, n) != 0) {
            if (bad) *bad = off + first_diff(s + off, period, n);
            return false;
        }
    }
    return true;
}

bool conf_all_zero(const void *p, size_t size, size_t *bad)
{
    static const unsigned char zeros[4096];
    const unsigned char *s = p;
    for (size_t off = 0; off < size; off += sizeof zeros) {
        size_t n = size - off < sizeof zeros ? size - off : sizeof zeros;
        if (memcmp(s + off, zeros, n) != 0) {
            if (bad) *bad = off + first_diff(s + off, zeros, n);
            return false;
        }
    }
    return true;
}

/* ----------------------------------------------------------------------------
 * The live-block set. Invariant: blocks[0..n) are the blocks the test owns,
 * each filled with its id's pattern over its whole size.
 * ------------------------------------------------------------------------- */
bool conf_model_add(conf_model *m, void *ptr, size_t size, size_t align)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        conf_block *b = realloc(m->blocks, cap * sizeof *b);
        if (!b) return false;
        m->blocks = b;
        m->cap = cap;
    }
    conf_block *b = &m->blocks[m->n++];
    *b = (conf_block){.ptr = ptr, .size = size, .align = align, .id = ++m->next_id};
    conf_fill(ptr, size, b->id);
    m->live_bytes += size;
    return true;
}

void conf_model_remove(conf_model *m, size_t i)
{
    m->live_bytes -= m->blocks[i].size;
    m->blocks[i] = m->blocks[--m->n];
}

size_t conf_model_find_overlap(const conf_model *m, const void *ptr, size_t size, size_t except)
{
    uintptr_t lo = (uintptr_t)ptr, hi = lo + size;
    for (size_t i = 0; i < m->n; i++) {
        if (i == except) continue;
        uintptr_t blo = (uintptr_t)m->blocks[i].ptr, bhi = blo + m->blocks[i].size;
        if (lo < bhi && blo < hi) return i;
    }
    return SIZE_MAX;
}

static int by_address(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const conf_block *)x)->ptr, b = (uintptr_t)((const conf_block *)y)->ptr;
    return a < b ? -1 : a > b;
}

bool conf_model_check(const conf_model *m, conf_err *e, const char *when)
{
    for (size_t i = 0; i < m->n; i++) {
        const conf_block *b = &m->blocks[i];
        size_t bad;
        if (!conf_verify(b->ptr, b->size, b->id, &bad))
            return conf_fail(e, "%s: block %p (size %zu, align %zu) clobbered at offset %zu", when,
                             (void *)b->ptr, b->size, b->align, bad);
    }
    if (m->n < 2) return true;
    conf_block *sorted = malloc(m->n * sizeof *sorted);
    if (!sorted) return conf_fail(e, "%s: out of memory in the test", when);
    memcpy(sorted, m->blocks, m->n * sizeof *sorted);
    qsort(sorted, m->n, sizeof *sorted, by_address);
    bool ok = true;
    for (size_t i = 1; i < m->n && ok; i++) {
        if ((uintptr_t)sorted[i - 1].ptr + sorted[i - 1].size > (uintptr_t)sorted[i].ptr)
            ok = conf_fail(e, "%s: blocks %p (size %zu) and %p (size %zu) overlap", when,
                           (void *)sorted[i - 1].ptr, sorted[i - 1].size, (void *)sorted[i].ptr, sorted[i].size);
    }
    free(sorted);
    return ok;
}

void conf_model_release(conf_model *m, al_allocator *a)
{
    /* Newest first: ids grow with allocation order, and blocks[] keeps no
     * order, so free by descending id. */
    while (m->n) {
        size_t newest = 0;
        for (size_t i = 1; i < m->n; i++)
            if (m->blocks[i].id > m->blocks[newest].id) newest = i;
        al_deallocate(a, m->blocks[newest].ptr, m->blocks[newest].size, m->blocks[newest].align);
        conf_model_remove(m, newest);
    }
}

void conf_model_free(conf_model *m)
{
    free(m->blocks);
    *m = (conf_model){0};
}

/* ----------------------------------------------------------------------------
 * Options and specs.
 * ------------------------------------------------------------------------- */
al_options conf_options(size_t capacity)
{
    static FILE *devnull;
    if (!devnull) devnull = fopen("/dev/null", "w");
    return (al_options){.capacity = capacity, .log = devnull};
}

static bool skipped(const char *name, const char *skip_prefix)
{
    return skip_prefix && strncmp(name, skip_prefix, strlen(skip_prefix)) == 0;
}

static void add_spec(char (*out)[CONF_SPEC_LEN], size_t max, size_t *n, const char *spec)
{
    if (*n < max) snprintf(out[(*n)++], CONF_SPEC_LEN, "%s", spec);
}

size_t conf_specs(char (*out)[CONF_SPEC_LEN], size_t max, const char *skip_prefix)
{
    size_t n = 0, nb = al_backend_count(), nw = al_wrapper_count();
    char buf[CONF_SPEC_LEN];
    const char *chain_over[3] = {"sys", NULL, NULL};
    size_t nchain = 1;
    for (size_t i = 0; i < nb; i++) {
        const al_backend_desc *b = al_backend_at(i);
        if (skipped(b->name, skip_prefix)) continue;
        add_spec(out, max, &n, b->name);
        if (!(b->caps & AL_CAP_THREAD_SAFE) && nchain < 3) chain_over[nchain++] = b->name;
    }
    for (size_t w = 0; w < nw; w++) {
        for (size_t i = 0; i < nb; i++) {
            const al_backend_desc *b = al_backend_at(i);
            if (skipped(b->name, skip_prefix)) continue;
            snprintf(buf, sizeof buf, "%s:%s", al_wrapper_at(w)->name, b->name);
            add_spec(out, max, &n, buf);
        }
    }
    /* Chains of two: checked: is left out (it is over every backend above;
     * it only passes calls on, and the chains would double in number). */
    for (size_t w1 = 0; w1 < nw; w1++)
        for (size_t w2 = 0; w2 < nw; w2++) {
            if (w1 == w2 || strcmp(al_wrapper_at(w1)->name, "checked") == 0 ||
                strcmp(al_wrapper_at(w2)->name, "checked") == 0)
                continue;
            for (size_t c = 0; c < nchain; c++) {
                snprintf(buf, sizeof buf, "%s:%s:%s", al_wrapper_at(w1)->name, al_wrapper_at(w2)->name,
                         chain_over[c]);
                add_spec(out, max, &n, buf);
            }
        }
    return n;
}

/* Thread-safe backends, every wrapper over sys, and any wrapped form whose
 * instance is thread-safe while its backend is not (a lock wrapper). */
bool conf_thread_safe_spec(const char *spec, unsigned caps)
{
    if (!(caps & AL_CAP_THREAD_SAFE)) return false;
    const char *last = strrchr(spec, ':');
    if (!last) return true;
    if (strcmp(last + 1, "sys") == 0) return true;
    const al_backend_desc *b = al_backend_find(last + 1);
    return b && !(b->caps & AL_CAP_THREAD_SAFE);
}

