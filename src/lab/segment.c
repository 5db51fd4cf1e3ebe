/* lab — segments and the free-page pools.
 *
 * Guarantees: every free page is in exactly one pool list of its kind:
 * `dirty` (newest first; its memory may be resident) or `clean` (purged with
 * MADV_DONTNEED, or never touched: it reads as zero). Pages are taken dirty
 * first (warm), then clean, then from a new segment. A dirty page is purged
 * once it has been pooled for ALLOCLAB_LAB_PURGE_MS; a segment whose pages are
 * all pooled and clean is unmapped, its ownership byte cleared first. Pools
 * are touched under their lock only; a heap visits them once per page, not
 * per block.
 */
#include "lab_internal.h"

typedef struct lab_pool {
    lab_queue dirty, clean;
    lab_segment *segments;
    size_t nsegments, ndirty, nclean;
} lab_pool;

static lab_pool pools[LAB_NKINDS];
lab_lock lab_pool_lock[LAB_NKINDS];

static const uint8_t kind_shift[LAB_NKINDS] = {LAB_SMALL_PAGE_SHIFT, LAB_MEDIUM_PAGE_SHIFT};

/* A new segment of `kind`, its pages on the clean list. Pool lock held. */
static bool segment_new(lab_pool *pool, unsigned kind)
{
    lab_segment *s = lab_os_map_aligned(LAB_SEGMENT_SIZE, LAB_SEGMENT_SIZE, 0);
    if (!s) return false;
    if (((uintptr_t)s >> LAB_ADDRESS_BITS) != 0) { /* beyond the ownership maps */
        lab_os_unmap(s, LAB_SEGMENT_SIZE);
        return false;
    }
    s->page_shift = kind_shift[kind];
    s->kind = (uint8_t)kind;
    s->npages = (uint16_t)(LAB_SEGMENT_SIZE >> s->page_shift);
    for (unsigned i = 1; i < s->npages; i++) {
        lab_page *pg = &s->pages[i];
        pg->flags = LAB_PAGE_PURGED;
        pg->where = LAB_IN_POOL;
        lab_queue_push_back(&pool->clean, pg);
    }
    pool->nclean += s->npages - 1u;
    s->next = pool->segments;
    if (pool->segments) pool->segments->prev = s;
    pool->segments = s;
    pool->nsegments++;
    atomic_fetch_add_explicit(&lab_stat_committed, sizeof(lab_segment), memory_order_relaxed);
    lab_pm_set_segment(s);
    lab_map_set((uintptr_t)s, s->page_shift);
    return true;
}

/* Unmap a segment whose pages are all clean in the pool. Pool lock held. */
static void segment_free(lab_pool *pool, lab_segment *s)
{
    for (unsigned i = 1; i < s->npages; i++) lab_queue_remove(&pool->clean, &s->pages[i]);
    pool->nclean -= s->npages - 1u;
    if (s->prev) s->prev->next = s->next;
    else pool->segments = s->next;
    if (s->next) s->next->prev = s->prev;
    pool->nsegments--;
    lab_map_set((uintptr_t)s, LAB_MAP_NONE);
    lab_pm_clear_segment(s);
    atomic_fetch_sub_explicit(&lab_stat_committed, sizeof(lab_segment), memory_order_relaxed);
    lab_os_unmap(s, LAB_SEGMENT_SIZE);
}

lab_page *lab_pool_take(unsigned kind)
{
    lab_pool *pool = &pools[kind];
    lab_lock_acquire(&lab_pool_lock[kind]);
    lab_page *pg = pool->dirty.first;
    if (pg) {
        lab_queue_remove(&pool->dirty, pg);
        pool->ndirty--;
        lab_segment_of(pg)->dirty_pages--;
    } else {
        if (!pool->clean.first && !segment_new(pool, kind)) {
            lab_lock_release(&lab_pool_lock[kind]);
            return NULL;
        }
        pg = pool->clean.first;
        lab_queue_remove(&pool->clean, pg);
        pool->nclean--;
        atomic_fetch_add_explicit(&lab_stat_committed, lab_page_bytes(pg), memory_order_relaxed);
    }
    lab_segment_of(pg)->used_pages++;
    pg->where = LAB_IN_NONE;
    lab_lock_release(&lab_pool_lock[kind]);
    return pg;
}

void lab_pool_give(lab_page *pg, uint64_t now_ms)
{
    lab_segment *s = lab_segment_of(pg);
    unsigned kind = s->kind;
    pg->block_size = 0;
    pg->flags = 0;
    pg->stamp_ms = now_ms;
    atomic_store_explicit(&pg->tid, 0, memory_order_relaxed);
    atomic_store_explicit(&pg->heap, NULL, memory_order_relaxed);
    lab_lock_acquire(&lab_pool_lock[kind]);
    pg->where = LAB_IN_POOL;
    lab_queue_push_front(&pools[kind].dirty, pg);
    pools[kind].ndirty++;
    s->used_pages--;
    s->dirty_pages++;
    lab_lock_release(&lab_pool_lock[kind]);
}

bool lab_pool_purge(uint64_t now_ms, bool force, size_t keep_bytes)
{
    bool freed = false;
    for (unsigned kind = 0; kind < LAB_NKINDS; kind++) {
        lab_pool *pool = &pools[kind];
        if (force) lab_lock_acquire(&lab_pool_lock[kind]);
        else if (!lab_lock_try(&lab_pool_lock[kind])) continue;
        size_t page = (size_t)1 << kind_shift[kind];
        size_t keep = keep_bytes / page;
        lab_page *pg;
        while (pool->ndirty > keep && (pg = pool->dirty.last) &&
               (force || now_ms - pg->stamp_ms >= lab_opt.purge_ms)) {
            lab_queue_remove(&pool->dirty, pg);
            pool->ndirty--;
            lab_os_purge(lab_page_start(pg), page);
            atomic_fetch_sub_explicit(&lab_stat_committed, page, memory_order_relaxed);
            pg->flags = LAB_PAGE_PURGED;
            lab_queue_push_front(&pool->clean, pg);
            pool->nclean++;
            freed = true;
            lab_segment *s = lab_segment_of(pg);
            if (--s->dirty_pages == 0 && s->used_pages == 0) segment_free(pool, s);
        }
        keep_bytes -= keep_bytes < pool->ndirty * page ? keep_bytes : pool->ndirty * page;
        lab_lock_release(&lab_pool_lock[kind]);
    }
    return freed;
}

/* Racy reads of pages other threads own: an estimate, and TSan is told so. */
LAB_NO_TSAN void lab_pool_stats(lab_stats *st)
{
    for (unsigned kind = 0; kind < LAB_NKINDS; kind++) {
        lab_pool *pool = &pools[kind];
        lab_lock_acquire(&lab_pool_lock[kind]);
        st->segments += pool->nsegments;
        st->pages_free += pool->ndirty + pool->nclean;
        for (lab_segment *s = pool->segments; s; s = s->next) {
            st->pages_in_use += s->used_pages;
            for (unsigned i = 1; i < s->npages; i++) {
                const lab_page *pg = &s->pages[i];
                if (pg->where != LAB_IN_POOL && pg->block_size) st->in_use += (size_t)pg->used * pg->block_size;
            }
        }
        lab_lock_release(&lab_pool_lock[kind]);
    }
}
