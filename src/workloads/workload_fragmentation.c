/* fragmentation/<order>[:<KiB>]: memory that fragments over time, after the
 * RSS side of mimalloc-bench's comparisons. One iteration runs five phases,
 * one per size band (16-64 B, 64-256 B, 256 B-1 KiB, 1-4 KiB, 4-16 KiB), in
 * increasing order ("up") or decreasing ("down"). A phase allocates blocks
 * of its band (sizes uniform in it, seeded) until they add up to 2 MiB, then
 * frees nine in ten of them, chosen and ordered at random; the tenth that
 * survives stays live to the end of the iteration, so each band leaves
 * scattered survivors behind while the next band is allocated. An allocator
 * that cannot reuse the holes of one band for the next, or keeps the pages
 * they sit in, grows; one that coalesces, or gives pages back, does not.
 *
 * The headline is the metric rss_ratio: the largest resident set measured
 * at the peak of any phase (after its allocations, before its frees), above
 * the process's resident set at setup, divided by the most bytes the
 * workload ever held live (its own count of requested sizes). 1.0 is an
 * allocator that wastes nothing; the time per iteration stands beside it.
 * Every page of a block is written (wl_fill_pages above 4 KiB), so the
 * resident set counts all of it. ":<KiB>" sets the bytes allocated per
 * phase (tests use it to stay fast). */
#include "workload_common.h"
#include "workload_rss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NBANDS 5u
#define DEFAULT_PHASE_KIB (2u * 1024u)
#define KEEP_ONE_IN 10u
#define PAGE_FILL_FROM 4096u

static const uint32_t band_lo[NBANDS] = {16, 64, 256, 1024, 4096};
static const uint32_t band_hi[NBANDS] = {64, 256, 1024, 4096, 16384};

/* ----------------------------------------------------------------------------
 * Instance. Between iterations no block is live. Block k of phase f has
 * key wl_key(salt, f << 32 | k).
 * ------------------------------------------------------------------------- */
typedef struct block {
    void *p;
    uint32_t size;
} block;

typedef struct frag {
    al_allocator *a;
    char spec[64];
    bool down;               /* bands in decreasing order */
    size_t phase_bytes;
    size_t cap[NBANDS];      /* blocks each phase may need (its band's smallest size) */
    block *blocks[NBANDS];   /* per phase, cap[] each; NULL p once freed */
    size_t count[NBANDS];    /* blocks of each phase this iteration */
    uint32_t *order;         /* the random order of a phase's frees (the largest cap) */
    uint64_t rounds;         /* iterations run: the salt of the next */
    uint64_t checksum;
    size_t need;             /* the most one iteration holds live */
    size_t live, peak_live;  /* requested bytes, now and most ever */
    size_t rss_base, peak_rss;
} frag;

static void fill(block *b, uint64_t key)
{
    if (b->size >= PAGE_FILL_FROM) wl_fill_pages(b->p, b->size, key);
    else wl_fill_block(b->p, b->size, key);
    wl_escape(b->p);
}

static bool check(const block *b, uint64_t key)
{
    return b->size >= PAGE_FILL_FROM ? wl_check_pages(b->p, b->size, key) : wl_check_block(b->p, b->size, key);
}

static uint64_t key_of(uint64_t salt, unsigned phase, size_t k) { return wl_key(salt, (uint64_t)phase << 32 | k); }

/* Check and free one block (false, and left in place, when corrupt). */
static bool release(frag *f, block *b, uint64_t key)
{
    if (!check(b, key)) return false;
    f->checksum += ((unsigned char *)b->p)[0];
    al_deallocate(f->a, b->p, b->size, WL_CHUNK_ALIGN);
    f->live -= b->size;
    b->p = NULL;
    return true;
}

static al_run_status corrupt(const frag *f, char *why, size_t whylen)
{
    wl_why(why, whylen, "a block from '%s' lost its pattern before it was freed", f->spec);
    return AL_RUN_FAILED;
}

/* Give back everything still live (after a failure: only what checks). */
static void drop_all(frag *f, uint64_t salt)
{
    for (unsigned ph = 0; ph < NBANDS; ph++) {
        for (size_t k = 0; k < f->count[ph]; k++)
            if (f->blocks[ph][k].p) release(f, &f->blocks[ph][k], key_of(salt, ph, k));
        f->count[ph] = 0;
    }
}

static unsigned band_of(const frag *f, unsigned ph) { return f->down ? NBANDS - 1 - ph : ph; }

static al_run_status phase(frag *f, unsigned ph, wl_rng *r, uint64_t salt, char *why, size_t whylen)
{
    unsigned band = band_of(f, ph);
    block *bl = f->blocks[ph];
    size_t n = 0, bytes = 0;
    while (bytes < f->phase_bytes && n < f->cap[ph]) {
        uint32_t size = (uint32_t)wl_rng_range(r, band_lo[band], band_hi[band]);
        void *p = al_allocate(f->a, size, WL_CHUNK_ALIGN);
        if (!p) return wl_alloc_failed(f->a, f->spec, size, f->need, why, whylen);
        bl[n] = (block){.p = p, .size = size};
        fill(&bl[n], key_of(salt, ph, n));
        f->count[ph] = ++n;
        bytes += size;
        f->live += size;
    }
    if (f->live > f->peak_live) f->peak_live = f->live;
    size_t rss = wl_rss_bytes();
    if (rss > f->peak_rss) f->peak_rss = rss;
    /* A random order of the phase's blocks (Fisher-Yates); all but every
     * KEEP_ONE_IN-th of it are freed, in that order. */
    for (size_t k = 0; k < n; k++) f->order[k] = (uint32_t)k;
    for (size_t k = n; k > 1; k--) {
        size_t j = wl_rng_next(r) % k;
        uint32_t t = f->order[k - 1];
        f->order[k - 1] = f->order[j];
        f->order[j] = t;
    }
    for (size_t k = 0; k < n; k++) {
        if (k % KEEP_ONE_IN == 0) continue;
        if (!release(f, &bl[f->order[k]], key_of(salt, ph, f->order[k]))) return corrupt(f, why, whylen);
    }
    return AL_RUN_OK;
}

static al_run_status one_iteration(void *inst, char *why, size_t whylen)
{
    frag *f = inst;
    uint64_t salt = f->rounds++;
    wl_rng r = {salt ^ 0xF4A6ull};
    al_run_status st = AL_RUN_OK;
    for (unsigned ph = 0; ph < NBANDS && st == AL_RUN_OK; ph++) st = phase(f, ph, &r, salt, why, whylen);
    if (st == AL_RUN_FAILED) return st; /* a corrupt allocator's blocks are not freed */
    if (st != AL_RUN_OK) {
        drop_all(f, salt); /* out of capacity: what it holds is good */
        wl_iter_end(f->a);
        return st;
    }
    /* The survivors, oldest phase first. */
    for (unsigned ph = 0; ph < NBANDS; ph++) {
        for (size_t k = 0; k < f->count[ph]; k++)
            if (f->blocks[ph][k].p && !release(f, &f->blocks[ph][k], key_of(salt, ph, k)))
                return corrupt(f, why, whylen);
        f->count[ph] = 0;
    }
    wl_iter_end(f->a);
    return AL_RUN_OK;
}

static al_run_status frag_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    frag *f = inst;
    return wl_repeat(one_iteration, f, iters, &f->checksum, why, whylen);
}

/* ----------------------------------------------------------------------------
 * Setup: the workload's own arrays are written through before the baseline
 * is taken, so that they never count as the allocator's.
 * ------------------------------------------------------------------------- */
static void frag_teardown(void *inst)
{
    frag *f = inst;
    if (!f) return;
    al_destroy(f->a);
    for (unsigned ph = 0; ph < NBANDS; ph++) free(f->blocks[ph]);
    free(f->order);
    free(f);
}

static void *frag_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    char head[16];
    uint64_t kib;
    if (!wl_split_override(param, head, sizeof head, 1024 * 1024, &kib) ||
        (strcmp(head, "up") != 0 && strcmp(head, "down") != 0))
        return wl_bad_param("fragmentation", param, "up or down, optionally :KiB per phase", status, why, whylen);
    frag *f = wl_calloc(sizeof *f, status, why, whylen);
    if (!f) return NULL;
    snprintf(f->spec, sizeof f->spec, "%s", spec);
    f->down = strcmp(head, "down") == 0;
    f->phase_bytes = (size_t)(kib ? kib : DEFAULT_PHASE_KIB) * 1024;
    size_t most = 0;
    for (unsigned ph = 0; ph < NBANDS; ph++) {
        f->cap[ph] = f->phase_bytes / band_lo[band_of(f, ph)] + 1;
        if (f->cap[ph] > most) most = f->cap[ph];
        /* malloc + memset, not calloc: the pages are resident now, not
         * during the run (a compiler may drop a memset after calloc). */
        f->blocks[ph] = malloc(f->cap[ph] * sizeof *f->blocks[ph]);
        if (!f->blocks[ph]) return wl_setup_abort(f, frag_teardown, true, status, why, whylen);
        memset(f->blocks[ph], 0, f->cap[ph] * sizeof *f->blocks[ph]);
    }
    f->order = malloc(most * sizeof *f->order);
    if (!f->order) return wl_setup_abort(f, frag_teardown, true, status, why, whylen);
    memset(f->order, 0, most * sizeof *f->order);
    f->a = wl_create(spec, status, why, whylen);
    /* What one iteration holds at most: a phase, and a tenth of each other. */
    f->need = f->phase_bytes + f->phase_bytes * (NBANDS - 1) / KEEP_ONE_IN;
    if (!f->a || !wl_probe_capacity(f->a, spec, f->need, f->need, status, why, whylen))
        return wl_setup_abort(f, frag_teardown, false, status, why, whylen);
    if (!al_has(f->a, AL_CAP_FREES) && !al_has(f->a, AL_CAP_RESET)) {
        /* Blocks are never given back: every iteration would add its
         * allocations (5 phases) to what the process holds. */
        al_destroy(f->a);
        f->a = NULL;
        *status = AL_RUN_UNSUPPORTED;
        wl_why(why, whylen, "'%s' neither frees blocks nor resets: it would keep all %zu MiB of each iteration",
               spec, NBANDS * f->phase_bytes >> 20);
        return wl_setup_abort(f, frag_teardown, false, status, why, whylen);
    }
    f->rss_base = wl_rss_bytes();
    return f;
}

static double frag_metric(void *inst)
{
    const frag *f = inst;
    if (f->peak_live == 0 || f->rss_base == 0 || f->peak_rss == 0) return NAN;
    double grown = f->peak_rss > f->rss_base ? (double)(f->peak_rss - f->rss_base) : 0;
    return grown / (double)f->peak_live;
}

static const char *const frag_params[] = {"up", "down", NULL};

const al_workload al_workload_fragmentation = {
    .name = "fragmentation",
    .description = "five phases of one size band each (16 B to 16 KiB, bands in <order>): allocate 2 MiB, free "
                   "9 in 10 at random, keep the rest; headline: peak RSS over peak live bytes (mimalloc-bench's RSS view)",
    .params = frag_params,
    .setup = frag_setup,
    .run = frag_run,
    .teardown = frag_teardown,
    .metric_name = "rss_ratio",
    .metric_unit = "x live",
    .metric = frag_metric,
};
