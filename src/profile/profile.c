/* The profile's figures: one pass over the events in time order (live bytes,
 * peak, lifetimes, temporaries, cross-thread frees, per-thread counts), one
 * over the blocks (sizes, realloc chains, sites).
 *
 * Definitions (the report prints them the same way):
 * - a call is one entry into the allocator (free(NULL) included);
 * - live bytes are the requested sizes of the blocks allocated and not yet
 *   freed, summed over every process of the trace;
 * - a block's lifetime ends when it is freed or reallocated; in allocations
 *   it is the number of blocks made in between, in the whole trace;
 * - a temporary block is freed before its thread's next allocation;
 * - a cross-thread free frees a block another thread allocated.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

unsigned al_profile_bucket(uint64_t v) { return v ? 64u - (unsigned)__builtin_clzll(v) : 0u; }
uint64_t al_profile_bucket_low(unsigned b) { return b ? 1ull << (b - 1) : 0; }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median_u64(uint64_t *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    return v[n / 2];
}

static bool is_free_kind(unsigned k) { return k == AL_EV_FREE || k == AL_EV_FREE_SIZED || k == AL_EV_FREE_ALIGNED_SIZED; }
static bool is_realloc_kind(unsigned k) { return k == AL_EV_REALLOC || k == AL_EV_REALLOCARRAY; }

typedef struct site_acc {
    uint64_t calls, bytes, peak_bytes, temporary;
} site_acc;

static int cmp_calls(const void *a, const void *b)
{
    const al_profile_site *x = a, *y = b;
    if (x->calls != y->calls) return x->calls > y->calls ? -1 : 1;
    return x->stack < y->stack ? -1 : 1;
}

static int cmp_peak(const void *a, const void *b)
{
    const al_profile_site *x = a, *y = b;
    if (x->peak_bytes != y->peak_bytes) return x->peak_bytes > y->peak_bytes ? -1 : 1;
    return x->stack < y->stack ? -1 : 1;
}

static int top_sites(al_profile *p, const site_acc *acc, size_t n)
{
    size_t used = 0;
    for (size_t i = 1; i < n; i++) used += acc[i].calls > 0;
    al_profile_site *all = calloc(used ? used : 1, sizeof *all);
    if (!all) return -1;
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (acc[i].calls)
            all[k++] = (al_profile_site){(uint32_t)i, acc[i].calls, acc[i].bytes, acc[i].peak_bytes, acc[i].temporary};
    size_t top = k < AL_PROFILE_TOP ? k : AL_PROFILE_TOP;
    p->by_calls = calloc(top ? top : 1, sizeof *p->by_calls);
    p->by_peak = calloc(top ? top : 1, sizeof *p->by_peak);
    if (!p->by_calls || !p->by_peak) {
        free(all);
        return -1;
    }
    qsort(all, k, sizeof *all, cmp_calls);
    memcpy(p->by_calls, all, top * sizeof *all);
    p->nby_calls = top;
    qsort(all, k, sizeof *all, cmp_peak);
    size_t np = 0;
    while (np < top && all[np].peak_bytes) np++;
    memcpy(p->by_peak, all, np * sizeof *all);
    p->nby_peak = np;
    free(all);
    return 0;
}

al_profile *al_profile_compute(const al_trace *t)
{
    al_profile *p = calloc(1, sizeof *p);
    size_t nb = t->nblocks;
    uint64_t *ordinal = calloc(nb ? nb : 1, sizeof *ordinal);     /* allocation number of each block */
    uint64_t *life_a = malloc((nb ? nb : 1) * sizeof *life_a);
    uint64_t *life_t = malloc((nb ? nb : 1) * sizeof *life_t);
    uint32_t *last_alloc = calloc(t->nthreads ? t->nthreads : 1, sizeof *last_alloc);
    uint64_t *live_thread = calloc(t->nthreads ? t->nthreads : 1, sizeof *live_thread);
    uint32_t *bucket_threads = calloc(AL_PROFILE_SERIES * ((t->nthreads + 31) / 32 + 1), sizeof *bucket_threads);
    unsigned char *temp = calloc(nb ? nb : 1, 1);
    if (!p || !ordinal || !life_a || !life_t || !last_alloc || !live_thread || !bucket_threads || !temp) goto oom;
    p->trace = t;
    p->nthreads = t->nthreads;
    p->threads = calloc(t->nthreads ? t->nthreads : 1, sizeof *p->threads);
    if (!p->threads) goto oom;
    for (size_t i = 0; i < t->nthreads; i++) {
        p->threads[i].tid = t->threads[i].tid;
        p->threads[i].pid = t->sections[t->threads[i].section].pid;
    }
    p->ncalls = t->nevents;
    p->duration_ns = t->nevents ? t->events[t->nevents - 1].t : 0;
    for (size_t i = 0; i < t->nsections; i++)
        if (t->sections[i].end_t > p->duration_ns) p->duration_ns = t->sections[i].end_t;
    p->min_size = UINT64_MAX;
    size_t words = (t->nthreads + 31) / 32 + 1;
    uint64_t live = 0, live_blocks = 0, made = 0;
    size_t nlife = 0;
    double span = p->duration_ns ? (double)p->duration_ns : 1.0;

    for (size_t i = 0; i < t->nevents; i++) {
        const al_trace_event *e = &t->events[i];
        al_profile_thread *th = &p->threads[e->thread];
        p->calls[e->kind]++;
        if (e->flags & AL_TEV_FAILED && !(e->flags & AL_TEV_FREES)) p->failed[e->kind]++;
        th->calls++;
        if (e->align) {
            p->aligned_calls++;
            if (e->align > p->align_max) p->align_max = e->align;
        }
        size_t bi = (size_t)((double)e->t / span * (AL_PROFILE_SERIES - 1));
        if (bi >= AL_PROFILE_SERIES) bi = AL_PROFILE_SERIES - 1;
        bucket_threads[bi * words + e->thread / 32] |= 1u << (e->thread % 32);

        /* The block this event ends: a free's, a realloc's old one. */
        uint32_t ended = is_free_kind(e->kind) ? e->block : (is_realloc_kind(e->kind) && (e->block || (e->flags & AL_TEV_FREES)) ? e->old_block : 0);
        if (is_free_kind(e->kind) && !e->block && !(e->flags & AL_TEV_UNKNOWN)) p->free_null++;
        if (is_realloc_kind(e->kind)) {
            p->reallocs++;
            if (e->flags & AL_TEV_FAILED && !(e->flags & AL_TEV_FREES)) p->realloc_failed++;
            else if (e->flags & AL_TEV_MOVED) p->realloc_moved++;
            else if (e->block && e->old_block) p->realloc_in_place++;
        }
        if (ended) {
            const al_trace_block *b = &t->blocks[ended];
            live -= b->size;
            live_blocks--;
            if (b->thread < t->nthreads) live_thread[b->thread] -= b->size;
            life_a[nlife] = made - ordinal[ended];
            life_t[nlife] = e->t - t->events[b->alloc_ev].t;
            p->life_allocs_hist[al_profile_bucket(life_a[nlife])]++;
            p->life_ns_hist[al_profile_bucket(life_t[nlife])]++;
            nlife++;
            if (is_free_kind(e->kind) || (e->flags & AL_TEV_FREES)) {
                p->frees++;
                th->frees++;
                if (b->thread != e->thread) {
                    p->cross_frees++;
                    p->cross_bytes += b->size;
                    th->frees_of_others++;
                    p->threads[b->thread].freed_elsewhere++;
                }
                if (last_alloc[b->thread] == ended && b->thread == e->thread) {
                    p->temporary++;
                    th->temporary++;
                    temp[ended] = 1;
                }
                if (b->size <= 256 && made - ordinal[ended] <= 64) p->small_short++;
            }
        }
        if (al_trace_event_allocates(e)) {
            const al_trace_block *b = &t->blocks[e->block];
            ordinal[e->block] = made++;
            last_alloc[e->thread] = e->block;
            live += b->size;
            live_blocks++;
            live_thread[e->thread] += b->size;
            if (live_thread[e->thread] > th->peak_live) th->peak_live = live_thread[e->thread];
            th->allocations++;
            th->bytes += b->size;
            if (live > p->peak_bytes) {
                p->peak_bytes = live;
                p->peak_blocks = live_blocks;
                p->peak_t = e->t;
                p->peak_event = i;
            }
        }
        if (live > p->series[bi]) p->series[bi] = live;
    }
    /* A slice without events keeps the level it had. */
    for (size_t i = 1; i < AL_PROFILE_SERIES; i++)
        if (p->series[i] == 0 && p->series[i - 1] && live) p->series[i] = p->series[i - 1];
    for (size_t i = 0; i < AL_PROFILE_SERIES; i++) {
        uint32_t n = 0;
        for (size_t w = 0; w < words; w++) n += (uint32_t)__builtin_popcount(bucket_threads[i * words + w]);
        if (n > p->max_concurrent_threads) p->max_concurrent_threads = n;
    }
    p->end_bytes = live;
    p->end_blocks = live_blocks;
    p->lifetimes = nlife;
    p->life_allocs_median = median_u64(life_a, nlife);
    p->life_ns_median = median_u64(life_t, nlife);

    /* Blocks: sizes, realloc chains, sites. */
    uint32_t *chain = calloc(nb ? nb : 1, sizeof *chain);
    unsigned char *has_next = calloc(nb ? nb : 1, 1);
    site_acc *sites = t->nstacks > 1 ? calloc(t->nstacks, sizeof *sites) : NULL;
    if (!chain || !has_next || (t->nstacks > 1 && !sites)) {
        free(chain);
        free(has_next);
        free(sites);
        goto oom;
    }
    double sum = 0;
    uint64_t chain_total = 0;
    for (size_t b = 1; b < nb; b++) {
        const al_trace_block *blk = &t->blocks[b];
        p->allocations++;
        p->bytes_allocated += blk->size;
        sum += (double)blk->size;
        if (blk->size < p->min_size) p->min_size = blk->size;
        if (blk->size > p->max_size) p->max_size = blk->size;
        unsigned k = al_profile_bucket(blk->size);
        p->size_hist[k]++;
        p->size_hist_bytes[k] += blk->size;
        if (blk->size >= (1u << 20)) {
            p->large_blocks++;
            p->large_bytes += blk->size;
        }
        if (blk->prev) {
            chain[b] = chain[blk->prev] + 1;
            has_next[blk->prev] = 1;
        }
        uint32_t st = t->events[blk->alloc_ev].stack;
        if (sites && st) {
            sites[st].calls++;
            sites[st].bytes += blk->size;
            sites[st].temporary += temp[b];
            if (blk->alloc_ev <= p->peak_event && (blk->end_ev == UINT32_MAX || blk->end_ev > p->peak_event) &&
                p->peak_bytes)
                sites[st].peak_bytes += blk->size;
        }
    }
    for (size_t b = 1; b < nb; b++) {
        if (has_next[b] || !chain[b]) continue;
        p->chains++;
        chain_total += chain[b];
        if (chain[b] > p->chain_max) p->chain_max = chain[b];
    }
    p->chain_mean = p->chains ? (double)chain_total / (double)p->chains : 0;
    p->mean_size = p->allocations ? sum / (double)p->allocations : 0;
    if (!p->allocations) p->min_size = 0;
    p->has_stacks = sites != NULL;
    int rc = sites ? top_sites(p, sites, t->nstacks) : 0;
    free(chain);
    free(has_next);
    free(sites);
    if (rc == 0) goto done;
oom:
    al_profile_free(p);
    p = NULL;
done: /* the working arrays, whatever the outcome */
    free(ordinal);
    free(life_a);
    free(life_t);
    free(last_alloc);
    free(live_thread);
    free(bucket_threads);
    free(temp);
    return p;
}

void al_profile_free(al_profile *p)
{
    if (!p) return;
    free(p->threads);
    free(p->by_calls);
    free(p->by_peak);
    free(p);
}
