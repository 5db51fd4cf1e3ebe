/* lab — thread heaps: the allocation slow path, empty pages, collection.
 *
 * Guarantees: a heap is used by its thread only; every thread starts on the
 * static lab_empty_heap, whose pages never have a free block, so the fast
 * path needs no initialisation test and the first allocation lands here.
 * heap->current[c] (and direct[] for sizes up to 1 KiB) is always the first
 * page of queue[c], or lab_empty_page: the fast path never touches a page
 * the heap does not own. A page whose blocks all came back stays in the heap
 * (on `empty`) for ALLOCLAB_LAB_RETIRE_MS before it returns to its pool,
 * where it is purged after ALLOCLAB_LAB_PURGE_MS. Collection runs from the
 * slow paths, at most every LAB_COLLECT_MS.
 */
#include "lab_internal.h"

#include <errno.h>
#include <string.h>

#define LAB_COLLECT_MS 5u
#define LAB_TICKS 8u        /* slow-path events between two clock reads */
#define LAB_FULL_SCAN 16u   /* full pages looked at for remote frees per refill */
#define LAB_EMPTY_SCAN 8u   /* empty pages looked at for one of the same class */
#define LAB_SWEEP 64u       /* abandoned pages looked at per collection */
#define LAB_EMPTY_KEEP_BYTES ((size_t)16 << 20) /* empty pages a heap keeps for itself */

lab_page lab_empty_page;
lab_heap lab_empty_heap = {
    .direct = {[0 ... LAB_DIRECT_N - 1] = &lab_empty_page},
    .current = {[0 ... LAB_NCLASSES - 1] = &lab_empty_page},
};
__thread lab_heap *lab_tls_heap LAB_TLS = &lab_empty_heap;

lab_lock lab_heap_lock, lab_abandoned_lock;

/* ----------------------------------------------------------------------------
 * Heap records: carved from lab's own mappings, recycled through a list.
 * ------------------------------------------------------------------------- */
static lab_heap *heap_free_list, *live_heaps;
static uint8_t *meta_cur, *meta_end;
static size_t heap_count;

#define LAB_META_CHUNK ((size_t)64 << 10)
#define LAB_HEAP_RECORD ((sizeof(lab_heap) + 63) & ~(size_t)63)

static void heap_reset(lab_heap *h)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < LAB_DIRECT_N; i++) h->direct[i] = &lab_empty_page;
    for (size_t i = 0; i < LAB_NCLASSES; i++) h->current[i] = &lab_empty_page;
}

static lab_heap *heap_record_new(void)
{
    lab_lock_acquire(&lab_heap_lock);
    lab_heap *h = heap_free_list;
    if (h) heap_free_list = h->next_heap;
    else {
        if ((size_t)(meta_end - meta_cur) < LAB_HEAP_RECORD) {
            uint8_t *m = lab_os_map_aligned(LAB_META_CHUNK, LAB_OS_PAGE, 0);
            if (!m) {
                lab_lock_release(&lab_heap_lock);
                return NULL;
            }
            atomic_fetch_add_explicit(&lab_stat_committed, LAB_META_CHUNK, memory_order_relaxed);
            meta_cur = m;
            meta_end = m + LAB_META_CHUNK;
        }
        h = (lab_heap *)meta_cur;
        meta_cur += LAB_HEAP_RECORD;
    }
    heap_reset(h);
    h->next_heap = live_heaps;
    if (live_heaps) live_heaps->prev_heap = h;
    live_heaps = h;
    heap_count++;
    lab_lock_release(&lab_heap_lock);
    return h;
}

static void heap_record_free(lab_heap *h)
{
    lab_lock_acquire(&lab_heap_lock);
    if (h->prev_heap) h->prev_heap->next_heap = h->next_heap;
    else live_heaps = h->next_heap;
    if (h->next_heap) h->next_heap->prev_heap = h->prev_heap;
    heap_count--;
    h->next_heap = heap_free_list;
    heap_free_list = h;
    lab_lock_release(&lab_heap_lock);
}

lab_heap *lab_heap_get(void)
{
    lab_heap *h = lab_tls_heap;
    if (h != &lab_empty_heap) return h;
    lab_process_init();
    h = heap_record_new();
    if (!h) return NULL;
    h->tid = lab_thread_id();
    h->now_ms = lab_clock_ms();
    h->next_collect_ms = h->now_ms + LAB_COLLECT_MS;
    lab_tls_heap = h;
    lab_thread_register(h); /* may allocate: this thread's heap is ready */
    return h;
}

/* ----------------------------------------------------------------------------
 * The current page of a class.
 * ------------------------------------------------------------------------- */
static void set_current(lab_heap *h, unsigned cls)
{
    lab_page *pg = h->queue[cls].first ? h->queue[cls].first : &lab_empty_page;
    h->current[cls] = pg;
    size_t hi = lab_class_size[cls];
    if (hi > LAB_DIRECT_MAX) return;
    size_t lo = cls ? lab_class_size[cls - 1] / 16 + 1 : 0;
    for (size_t d = lo; d <= hi / 16; d++) h->direct[d] = pg;
}

static void to_queue_front(lab_heap *h, lab_page *pg, unsigned cls)
{
    pg->where = LAB_IN_QUEUE;
    lab_class_add(h->classes, cls);
    lab_queue_push_front(&h->queue[cls], pg);
    set_current(h, cls);
}

/* Unlink pg from whichever of h's lists holds it, keeping current right. */
static void heap_unlink(lab_heap *h, lab_page *pg)
{
    unsigned cls = pg->cls;
    switch (pg->where) {
    case LAB_IN_QUEUE:
        lab_queue_remove(&h->queue[cls], pg);
        if (h->current[cls] == pg) set_current(h, cls);
        break;
    case LAB_IN_FULL: lab_queue_remove(&h->full[cls], pg); break;
    case LAB_IN_EMPTY:
        lab_queue_remove(&h->empty[lab_class_kind(cls)], pg);
        h->empty_count--;
        h->empty_bytes -= lab_page_bytes(pg);
        break;
    default: break;
    }
    pg->where = LAB_IN_NONE;
}

static void release_to_pool(lab_page *pg, uint64_t now)
{
    pg->free = pg->local_free = NULL;
    lab_pool_give(pg, now);
}

/* ----------------------------------------------------------------------------
 * Abandoned pages: those of exited threads, per class, under
 * lab_abandoned_lock. Any thread may reclaim one; remote frees keep landing
 * on their thread_free lists meanwhile.
 * ------------------------------------------------------------------------- */
static lab_queue abandoned[LAB_NCLASSES];
static uint64_t abandoned_set[LAB_CLASS_WORDS]; /* the classes whose queue is not empty */
static atomic_size_t abandoned_count[LAB_NCLASSES];
static atomic_size_t abandoned_total;
static unsigned sweep_cursor;

static void abandon_page(lab_page *pg)
{
    atomic_store_explicit(&pg->tid, 0, memory_order_relaxed);
    atomic_store_explicit(&pg->heap, NULL, memory_order_release);
    lab_lock_acquire(&lab_abandoned_lock);
    pg->where = LAB_IN_ABANDONED;
    lab_queue_push_back(&abandoned[pg->cls], pg);
    lab_class_add(abandoned_set, pg->cls);
    atomic_fetch_add_explicit(&abandoned_count[pg->cls], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&abandoned_total, 1, memory_order_relaxed);
    lab_lock_release(&lab_abandoned_lock);
}

/* An abandoned page of class cls with a free block, made h's; NULL if none. */
static lab_page *reclaim(lab_heap *h, unsigned cls)
{
    for (unsigned tries = 0; tries < 4; tries++) {
        if (atomic_load_explicit(&abandoned_count[cls], memory_order_relaxed) == 0) return NULL;
        lab_lock_acquire(&lab_abandoned_lock);
        lab_page *pg = abandoned[cls].first;
        if (pg) {
            lab_queue_remove(&abandoned[cls], pg);
            if (!abandoned[cls].first) lab_class_del(abandoned_set, cls);
            atomic_fetch_sub_explicit(&abandoned_count[cls], 1, memory_order_relaxed);
            atomic_fetch_sub_explicit(&abandoned_total, 1, memory_order_relaxed);
        }
        lab_lock_release(&lab_abandoned_lock);
        if (!pg) return NULL;
        atomic_store_explicit(&pg->heap, h, memory_order_relaxed);
        atomic_store_explicit(&pg->tid, h->tid, memory_order_relaxed);
        if (lab_page_refill(pg)) return pg;
        pg->where = LAB_IN_FULL;
        lab_class_add(h->classes, cls);
        lab_queue_push_back(&h->full[cls], pg);
    }
    return NULL;
}

bool lab_abandoned_sweep(bool all)
{
    if (atomic_load_explicit(&abandoned_total, memory_order_relaxed) == 0) return false;
    if (all) lab_lock_acquire(&lab_abandoned_lock);
    else if (!lab_lock_try(&lab_abandoned_lock)) return false;
    bool freed = false;
    uint64_t now = lab_clock_ms();
    size_t budget = all ? SIZE_MAX : LAB_SWEEP;
    /* The classes that have abandoned pages, from the cursor round to it:
     * the cost is the pages looked at, not the number of classes. */
    unsigned cursor = sweep_cursor;
    for (unsigned pass = 0; pass < 2 && budget; pass++) {
        unsigned end = pass ? cursor : LAB_NCLASSES;
        for (unsigned cls = lab_class_next(abandoned_set, pass ? 0 : cursor); cls < end && budget;
             cls = lab_class_next(abandoned_set, cls + 1)) {
            lab_page *next;
            for (lab_page *pg = abandoned[cls].first; pg && budget; pg = next, budget--) {
                next = pg->next;
                lab_page_collect(pg);
                if (pg->used) continue;
                lab_queue_remove(&abandoned[cls], pg);
                atomic_fetch_sub_explicit(&abandoned_count[cls], 1, memory_order_relaxed);
                atomic_fetch_sub_explicit(&abandoned_total, 1, memory_order_relaxed);
                pg->where = LAB_IN_NONE;
                release_to_pool(pg, now);
                freed = true;
            }
            if (!abandoned[cls].first) lab_class_del(abandoned_set, cls);
            if (!budget) sweep_cursor = cls;
        }
    }
    lab_lock_release(&lab_abandoned_lock);
    return freed;
}

/* ----------------------------------------------------------------------------
 * Collection.
 * ------------------------------------------------------------------------- */
static bool retire_empty(lab_heap *h, uint64_t now, bool force)
{
    bool freed = false;
    for (unsigned k = 0; k < LAB_NKINDS; k++) {
        lab_page *pg;
        while ((pg = h->empty[k].last) && (force || now - pg->stamp_ms >= lab_opt.retire_ms)) {
            heap_unlink(h, pg);
            release_to_pool(pg, now);
            freed = true;
        }
    }
    return freed;
}

/* Every page of h whose blocks all came back goes to the pool (trim). */
static bool release_all_empty(lab_heap *h, uint64_t now)
{
    bool freed = false;
    for (unsigned cls = lab_class_next(h->classes, 0); cls < LAB_NCLASSES; cls = lab_class_next(h->classes, cls + 1)) {
        lab_queue *lists[2] = {&h->queue[cls], &h->full[cls]};
        for (unsigned l = 0; l < 2; l++) {
            lab_page *next;
            for (lab_page *pg = lists[l]->first; pg; pg = next) {
                next = pg->next;
                lab_page_collect(pg);
                if (pg->used) continue;
                heap_unlink(h, pg);
                release_to_pool(pg, now);
                freed = true;
            }
        }
    }
    return freed;
}

bool lab_heap_collect(lab_heap *h, bool force, size_t keep_bytes)
{
    uint64_t now = lab_clock_ms();
    bool freed = false;
    if (h != &lab_empty_heap) {
        h->now_ms = now;
        freed |= retire_empty(h, now, force);
        if (force) freed |= release_all_empty(h, now);
    }
    freed |= lab_abandoned_sweep(force);
    freed |= lab_pool_purge(now, force, keep_bytes);
    freed |= lab_huge_purge(now, force);
    return freed;
}

static LAB_NOINLINE void tick_slow(lab_heap *h)
{
    h->ticks = 0;
    uint64_t now = lab_clock_ms();
    h->now_ms = now;
    if (now < h->next_collect_ms) return;
    h->next_collect_ms = now + LAB_COLLECT_MS;
    lab_heap_collect(h, false, 0);
}

static inline void tick(lab_heap *h)
{
    if (++h->ticks >= LAB_TICKS) tick_slow(h);
}

static LAB_NOINLINE void page_emptied_other(lab_heap *h, lab_page *pg)
{
    /* A page of a heap this thread's id once named (a thread that exited
     * without abandoning it, whose thread pointer this thread reuses): not
     * in h's lists, so left alone. */
    if (LAB_UNLIKELY(atomic_load_explicit(&pg->heap, memory_order_relaxed) != h)) return;
    tick(h);
    heap_unlink(h, pg);
    pg->where = LAB_IN_EMPTY;
    pg->stamp_ms = h->now_ms;
    unsigned kind = lab_class_kind(pg->cls);
    lab_queue_push_front(&h->empty[kind], pg);
    h->empty_count++;
    h->empty_bytes += lab_page_bytes(pg);
    /* Beyond a few MiB, the oldest go to the pool now: there any thread's
     * collection purges them, even if this thread never allocates again. */
    while (h->empty_bytes > LAB_EMPTY_KEEP_BYTES && (pg = h->empty[kind].last) != NULL) {
        heap_unlink(h, pg);
        release_to_pool(pg, h->now_ms);
    }
}

/* The current page stays current (a malloc/free ping-pong costs nothing
 * more than the tick that keeps collection going); any other goes to the
 * heap's empty list. */
void lab_page_emptied(lab_page *pg)
{
    lab_heap *h = lab_tls_heap;
    if (LAB_LIKELY(h->current[pg->cls] == pg)) {
        tick(h);
        return;
    }
    page_emptied_other(h, pg);
}

/* ----------------------------------------------------------------------------
 * The allocation slow path.
 * ------------------------------------------------------------------------- */
/* A page of class cls with a free block, first in its queue; NULL when out
 * of memory. */
static lab_page *page_for_class(lab_heap *h, unsigned cls)
{
    tick(h);
    lab_queue *q = &h->queue[cls];
    lab_page *next;
    for (lab_page *pg = q->first; pg; pg = next) {
        next = pg->next;
        if (lab_page_refill(pg)) {
            if (pg != q->first) {
                lab_queue_remove(q, pg);
                to_queue_front(h, pg, cls);
            }
            return pg;
        }
        lab_queue_remove(q, pg);
        pg->where = LAB_IN_FULL;
        lab_queue_push_back(&h->full[cls], pg); /* cls is in h->classes: pg was queued */
    }
    set_current(h, cls);

    /* Full pages that other threads freed blocks on (a bounded look, in
     * rotation: a page looked at goes to the back). */
    lab_queue *f = &h->full[cls];
    unsigned n = 0;
    for (lab_page *pg = f->first; pg && n < LAB_FULL_SCAN; pg = next, n++) {
        next = pg->next;
        lab_queue_remove(f, pg);
        if (lab_page_collect(pg)) {
            to_queue_front(h, pg, cls);
            return pg;
        }
        lab_queue_push_back(f, pg);
        if (next == NULL || next == f->first) break;
    }

    lab_page *pg = reclaim(h, cls);
    if (pg) {
        to_queue_front(h, pg, cls);
        return pg;
    }

    /* A page emptied here, preferably of the same class (its free lists are
     * ready), else any of the same kind. */
    unsigned kind = lab_class_kind(cls);
    lab_queue *e = &h->empty[kind];
    pg = NULL;
    n = 0;
    for (lab_page *p = e->first; p && n < LAB_EMPTY_SCAN; p = p->next, n++)
        if (p->cls == cls) {
            pg = p;
            break;
        }
    if (pg) {
        heap_unlink(h, pg);
        lab_page_refill(pg);
        to_queue_front(h, pg, cls);
        return pg;
    }
    if ((pg = e->first)) {
        heap_unlink(h, pg);
        pg->flags = 0;
        lab_page_init(pg, h, cls);
    } else {
        pg = lab_pool_take(kind);
        if (!pg) return NULL;
        lab_page_init(pg, h, cls);
    }
    lab_page_refill(pg);
    to_queue_front(h, pg, cls);
    return pg;
}

void *lab_alloc_class(lab_heap *h, unsigned cls, size_t zero)
{
    lab_page *pg = h->current[cls];
    if (LAB_UNLIKELY(pg->free == NULL)) {
        pg = page_for_class(h, cls);
        if (!pg) {
            errno = ENOMEM;
            return NULL;
        }
    }
    lab_block *b = pg->free;
    pg->free = b->next;
    pg->used++;
    if (zero) {
        if (pg->flags & LAB_PAGE_FREE_ZERO) b->next = NULL;
        else memset(b, 0, zero);
    }
    return b;
}

void *lab_alloc_slow(size_t size, lab_heap *h, size_t zero)
{
    if (LAB_UNLIKELY(h == &lab_empty_heap)) {
        h = lab_heap_get();
        if (!h) {
            errno = ENOMEM;
            return NULL;
        }
    }
    if (size > LAB_MEDIUM_MAX) return lab_huge_alloc(size, 0, zero);
    return lab_alloc_class(h, lab_class_of(size), zero);
}

/* ----------------------------------------------------------------------------
 * Thread exit: every page either goes back to its pool (all blocks free) or
 * is abandoned for other threads to reclaim; the record is recycled.
 * ------------------------------------------------------------------------- */
static _Atomic uint64_t exit_collect_ms; /* the clock from which an exit collects again */

void lab_heap_abandon(lab_heap *h)
{
    if (h == &lab_empty_heap) return;
    uint64_t now = lab_clock_ms();
    for (unsigned cls = lab_class_next(h->classes, 0); cls < LAB_NCLASSES; cls = lab_class_next(h->classes, cls + 1)) {
        lab_queue *lists[2] = {&h->queue[cls], &h->full[cls]};
        for (unsigned l = 0; l < 2; l++) {
            lab_page *pg;
            while ((pg = lists[l]->first)) {
                lab_queue_remove(lists[l], pg);
                pg->where = LAB_IN_NONE;
                lab_page_collect(pg);
                if (pg->used == 0) {
                    atomic_store_explicit(&pg->tid, 0, memory_order_relaxed);
                    atomic_store_explicit(&pg->heap, NULL, memory_order_relaxed);
                    release_to_pool(pg, now);
                } else {
                    abandon_page(pg);
                }
            }
        }
    }
    for (unsigned k = 0; k < LAB_NKINDS; k++) {
        lab_page *pg;
        while ((pg = h->empty[k].first)) {
            heap_unlink(h, pg);
            release_to_pool(pg, now);
        }
    }
    heap_record_free(h);
    /* A thread that lived less than LAB_COLLECT_MS never collected: exits
     * collect in its place, so short-lived threads still sweep and purge,
     * but at most once per LAB_COLLECT_MS over the whole process (a live
     * thread's own pace): a collection walks every abandoned page, and
     * threads that exit by the thousand would walk them thousands of times. */
    uint64_t due = atomic_load_explicit(&exit_collect_ms, memory_order_relaxed);
    if (now >= due && atomic_compare_exchange_strong_explicit(&exit_collect_ms, &due, now + LAB_COLLECT_MS,
                                                              memory_order_relaxed, memory_order_relaxed))
        lab_heap_collect(&lab_empty_heap, false, 0);
}

void lab_heap_stats(lab_stats *s)
{
    lab_lock_acquire(&lab_heap_lock);
    s->heaps = heap_count;
    lab_lock_release(&lab_heap_lock);
    s->pages_abandoned = atomic_load_explicit(&abandoned_total, memory_order_relaxed);
}
