/* large-blocks/{untouched,touched}[:N]: the talk's large-allocation test.
 * 20 slots and a cycle of 1000 replacements (N with the ":N" override, e.g.
 * "touched:50", which tests use to stay fast): each replaces a random slot by
 * a new block of random size 5-25 MiB. The slot/size sequence is fixed
 * (seeded) and the same in every cycle. ONE iteration is 20 replacements
 * (one per slot on average; fewer when the cycle ends first), so the figure
 * reads as time per 20 replacements and a sample stays short even when
 * touching 25 MiB costs milliseconds, while 20 random sizes average out
 * between samples. The cycle runs on across iterations and samples; at its
 * end every slot is freed (and a resettable allocator reset), a cost borne
 * by the iteration that ends it.
 * `untouched` writes the first and last words of each block (the talk
 * writes one byte); `touched` also writes one word in every page. Each block
 * is checked before it is freed; patterns are unique per block and cycle.
 *
 * Samples are of a fixed size (fixed_iters, no calibration): untouched, 50
 * iterations, one whole cycle per sample; touched, 5 iterations, 100
 * replacements (a whole cycle would make a sample last seconds on
 * allocators that give pages back). So every allocator times the same
 * stretches of the same sequence. (With ":N", a cycle's worth at most.)
 *
 * An allocator that neither frees blocks one by one (AL_CAP_FREES) nor has
 * a fixed capacity is unsupported: a cycle keeps 20 blocks live but
 * allocates ~15 GiB in total, and such an allocator (arena) would hold all
 * of it until the cycle's reset. Fixed-capacity ones run until they are
 * exhausted, and say so. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>

#define SLOTS 20u
#define DEFAULT_REPLACEMENTS 1000u
#define PER_ITERATION SLOTS
#define MIN_BLOCK (5u << 20)
#define MAX_BLOCK (25u << 20)
#define SEED 0x1a46e5b10c5ull

/* ----------------------------------------------------------------------------
 * Instance. Invariant during a run: slot[s] is NULL or a block of size[s]
 * bytes whose pattern was written with key[s].
 * ------------------------------------------------------------------------- */
typedef struct large {
    al_allocator *a;
    char spec[64];
    bool touched;
    size_t n;               /* replacements per iteration */
    unsigned *which;        /* n slot indices (the fixed sequence) */
    size_t *sizes;          /* n block sizes */
    size_t peak_live;       /* the most bytes the sequence keeps live */
    size_t total;           /* bytes one cycle allocates */
    size_t pos;             /* next replacement of the cycle, < n */
    uint64_t cycles;        /* cycles begun: the salt of the current one's patterns */
    bool corrupt;           /* a check failed: the allocator's frees are not trusted */
    void *slot[SLOTS];
    size_t size[SLOTS];
    uint64_t key[SLOTS];    /* of each slot's pattern */
    uint64_t checksum;
} large;

static void write_block(const large *l, unsigned char *p, size_t size, uint64_t key)
{
    if (l->touched) wl_fill_pages(p, size, key);
    else wl_fill_ends(p, size, key);
    wl_escape(p);
}

static bool check_block(const large *l, const unsigned char *p, size_t size, uint64_t key)
{
    return l->touched ? wl_check_pages(p, size, key) : wl_check_ends(p, size, key);
}

/* Check and free slot s; false (block kept, not freed) when it is corrupt. */
static bool release(large *l, unsigned s)
{
    if (!l->slot[s]) return true;
    if (!check_block(l, l->slot[s], l->size[s], l->key[s])) return false;
    l->checksum += l->size[s];
    al_deallocate(l->a, l->slot[s], l->size[s], WL_CHUNK_ALIGN);
    l->slot[s] = NULL;
    return true;
}

/* Free every slot (they are known good) and reset; after a failed allocation. */
static void drop_all(large *l)
{
    for (unsigned s = 0; s < SLOTS; s++) {
        if (l->slot[s]) al_deallocate(l->a, l->slot[s], l->size[s], WL_CHUNK_ALIGN);
        l->slot[s] = NULL;
    }
    wl_iter_end(l->a);
}

static al_run_status large_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    large *l = inst;
    for (uint64_t it = 0; it < iters; it++) {
        size_t end = l->pos + PER_ITERATION < l->n ? l->pos + PER_ITERATION : l->n;
        for (size_t k = l->pos; k < end; k++) {
            unsigned s = l->which[k];
            size_t size = l->sizes[k];
            void *p = al_allocate(l->a, size, WL_CHUNK_ALIGN);
            if (!p) {
                drop_all(l);
                if (!al_has(l->a, AL_CAP_FREES) && al_has(l->a, AL_CAP_FIXED_CAPACITY)) {
                    /* Its capacity went to blocks it cannot take back, not to live ones. */
                    char s1[32];
                    wl_why(why, whylen,
                           "capacity exhausted: '%s' does not free blocks one by one, and a cycle allocates "
                           "%s in total",
                           l->spec, wl_size_str(l->total, s1, sizeof s1));
                    return AL_RUN_UNSUPPORTED;
                }
                return wl_alloc_failed(l->a, l->spec, size, l->peak_live, why, whylen);
            }
            uint64_t key = wl_key(l->cycles, k);
            write_block(l, p, size, key);
            if (!release(l, s)) {
                l->corrupt = true;
                wl_why(why, whylen, "a %zu-byte block from '%s' lost its pattern before it was freed",
                       l->size[s], l->spec);
                return AL_RUN_FAILED;
            }
            l->slot[s] = p;
            l->size[s] = size;
            l->key[s] = key;
        }
        l->pos = end;
        if (l->pos < l->n) continue;
        l->pos = 0; /* end of the cycle: free everything */
        l->cycles++;
        for (unsigned s = 0; s < SLOTS; s++) {
            if (!release(l, s)) {
                l->corrupt = true;
                wl_why(why, whylen, "a %zu-byte block from '%s' lost its pattern before it was freed",
                       l->size[s], l->spec);
                return AL_RUN_FAILED;
            }
        }
        wl_iter_end(l->a); /* timed: a reset is this allocator's way of freeing */
    }
    wl_sink(l->checksum);
    return AL_RUN_OK;
}

static void large_teardown(void *inst)
{
    large *l = inst;
    if (!l) return;
    if (l->a && !l->corrupt) drop_all(l); /* blocks of an unfinished cycle */
    al_destroy(l->a);
    free(l->which);
    free(l->sizes);
    free(l);
}

/* The fixed sequence, and the most bytes it keeps live at once (the new block
 * exists before the one it replaces is freed). */
static void make_sequence(large *l)
{
    wl_rng r = {SEED};
    size_t live[SLOTS] = {0}, total = 0;
    for (size_t k = 0; k < l->n; k++) {
        l->which[k] = (unsigned)wl_rng_range(&r, 0, SLOTS - 1);
        l->sizes[k] = (size_t)wl_rng_range(&r, MIN_BLOCK, MAX_BLOCK);
        l->total += l->sizes[k];
        total += l->sizes[k];
        if (total > l->peak_live) l->peak_live = total;
        total -= live[l->which[k]];
        live[l->which[k]] = l->sizes[k];
    }
}

/* Whether a can run the cycle at all; a reason when it cannot. */
static bool frees_enough(const large *l, al_run_status *status, char *why, size_t whylen)
{
    if (al_has(l->a, AL_CAP_FREES) || al_has(l->a, AL_CAP_FIXED_CAPACITY)) return true;
    char s1[32], s2[32];
    *status = AL_RUN_UNSUPPORTED;
    wl_why(why, whylen,
           "needs individual frees: a cycle keeps %u blocks (at most %s) live but allocates %s in total, "
           "and '%s' does not free blocks one by one",
           SLOTS, wl_size_str(l->peak_live, s1, sizeof s1), wl_size_str(l->total, s2, sizeof s2), l->spec);
    return false;
}

static void *large_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    char mode[16];
    uint64_t n;
    bool ok = wl_split_override(param, mode, sizeof mode, 1000000, &n);
    if (!ok || (strcmp(mode, "untouched") != 0 && strcmp(mode, "touched") != 0))
        return wl_bad_param("large-blocks", param, "untouched or touched, optionally :N replacements", status, why,
                            whylen);
    large *l = wl_calloc(sizeof *l, status, why, whylen);
    if (!l) return NULL;
    snprintf(l->spec, sizeof l->spec, "%s", spec);
    l->touched = strcmp(mode, "touched") == 0;
    l->n = n ? n : DEFAULT_REPLACEMENTS;
    l->which = calloc(l->n, sizeof *l->which);
    l->sizes = calloc(l->n, sizeof *l->sizes);
    if (!l->which || !l->sizes) return wl_setup_abort(l, large_teardown, true, status, why, whylen);
    make_sequence(l);
    l->a = wl_create(spec, status, why, whylen);
    if (!l->a || !frees_enough(l, status, why, whylen) ||
        !wl_probe_capacity(l->a, spec, MAX_BLOCK, l->peak_live, status, why, whylen))
        return wl_setup_abort(l, large_teardown, false, status, why, whylen);
    return l;
}

/* Iterations per sample: a whole cycle untouched, 100 replacements touched
 * (never more than a cycle). */
static uint64_t large_fixed_iters(void *inst)
{
    const large *l = inst;
    uint64_t cycle = (l->n + PER_ITERATION - 1) / PER_ITERATION;
    return l->touched && cycle > 5 ? 5 : cycle;
}

static const char *const large_params[] = {"untouched", "touched", NULL};

const al_workload al_workload_large_blocks = {
    .name = "large-blocks",
    .description = "20 slots, cycles of 1000 replacements by random 5-25 MiB blocks (two words or every page written); time per 20 replacements",
    .params = large_params,
    .setup = large_setup,
    .run = large_run,
    .teardown = large_teardown,
    .fixed_iters = large_fixed_iters,
};
