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
 * `untouched` writes one byte per block, as the talk does; `touched` writes
 * one word in every page. Each block is checked before it is freed. */
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
 * bytes whose pattern was written with tag[s].
 * ------------------------------------------------------------------------- */
typedef struct large {
    al_allocator *a;
    char spec[64];
    bool touched;
    size_t n;               /* replacements per iteration */
    unsigned *which;        /* n slot indices (the fixed sequence) */
    size_t *sizes;          /* n block sizes */
    size_t peak_live;       /* the most bytes the sequence keeps live */
    size_t pos;             /* next replacement of the cycle, < n */
    bool corrupt;           /* a check failed: the allocator's frees are not trusted */
    void *slot[SLOTS];
    size_t size[SLOTS];
    uint64_t tag[SLOTS];
    uint64_t checksum;
} large;

static void write_block(const large *l, unsigned char *p, size_t size, uint64_t tag)
{
    if (l->touched) wl_fill_pages(p, size, tag);
    else p[0] = wl_tag(tag);
    wl_escape(p);
}

static bool check_block(const large *l, const unsigned char *p, size_t size, uint64_t tag)
{
    return l->touched ? wl_check_pages(p, size, tag) : p[0] == wl_tag(tag);
}

/* Check and free slot s; false (block kept, not freed) when it is corrupt. */
static bool release(large *l, unsigned s)
{
    if (!l->slot[s]) return true;
    if (!check_block(l, l->slot[s], l->size[s], l->tag[s])) return false;
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
                return wl_alloc_failed(l->a, l->spec, size, l->peak_live, why, whylen);
            }
            write_block(l, p, size, k);
            if (!release(l, s)) {
                l->corrupt = true;
                wl_why(why, whylen, "a %zu-byte block from '%s' lost its pattern before it was freed",
                       l->size[s], l->spec);
                return AL_RUN_FAILED;
            }
            l->slot[s] = p;
            l->size[s] = size;
            l->tag[s] = k;
        }
        l->pos = end;
        if (l->pos < l->n) continue;
        l->pos = 0; /* end of the cycle: free everything */
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
        total += l->sizes[k];
        if (total > l->peak_live) l->peak_live = total;
        total -= live[l->which[k]];
        live[l->which[k]] = l->sizes[k];
    }
}

static void *large_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    char mode[16];
    uint64_t n;
    bool ok = wl_split_override(param, mode, sizeof mode, 1000000, &n);
    if (!ok || (strcmp(mode, "untouched") != 0 && strcmp(mode, "touched") != 0)) {
        *status = AL_RUN_FAILED;
        wl_why(why, whylen, "large-blocks: unknown parameter '%s' (untouched or touched, optionally :N replacements)",
               param ? param : "");
        return NULL;
    }
    large *l = calloc(1, sizeof *l);
    if (!l) goto oom;
    snprintf(l->spec, sizeof l->spec, "%s", spec);
    l->touched = strcmp(mode, "touched") == 0;
    l->n = n ? n : DEFAULT_REPLACEMENTS;
    l->which = calloc(l->n, sizeof *l->which);
    l->sizes = calloc(l->n, sizeof *l->sizes);
    if (!l->which || !l->sizes) goto oom;
    make_sequence(l);
    l->a = wl_create(spec, status, why, whylen);
    if (!l->a || !wl_probe_capacity(l->a, spec, MAX_BLOCK, l->peak_live, status, why, whylen)) {
        large_teardown(l);
        return NULL;
    }
    return l;
oom:
    large_teardown(l);
    *status = AL_RUN_FAILED;
    wl_why(why, whylen, "out of memory");
    return NULL;
}

static const char *const large_params[] = {"untouched", "touched", NULL};

const al_workload al_workload_large_blocks = {
    .name = "large-blocks",
    .description = "20 slots, cycles of 1000 replacements by random 5-25 MiB blocks (one byte or every page written); time per 20 replacements",
    .params = large_params,
    .setup = large_setup,
    .run = large_run,
    .teardown = large_teardown,
};
