/* lab — free: local and remote.
 *
 * Guarantees: a free by the page's owner is a push onto local_free; a free
 * from any other thread is one CAS push onto the page's thread_free list, so
 * it never waits and never touches the owner's lists. lab_free finds the
 * page in the page map (one load, page_map.c) and tells local from remote by
 * one compare of the page's owner id with the calling thread's id. Nothing
 * behind the pointer is read before the page map names a page with blocks:
 * every pointer lab did not hand out (outside the map's range, on a granule
 * with no page, on a page with no blocks) goes to the checked path, where
 * NULL is a no-op, a huge block goes to huge.c and anything else lab does
 * not own is reported and ignored. errno is never changed.
 */
#include "lab_internal.h"

/* Push b onto another thread's page (or an abandoned one). */
static void push_remote(lab_page *pg, lab_block *b)
{
    lab_block *old = atomic_load_explicit(&pg->thread_free, memory_order_relaxed);
    do b->next = old;
    while (!atomic_compare_exchange_weak_explicit(&pg->thread_free, &old, b, memory_order_release,
                                                  memory_order_relaxed));
}

static inline void free_block(void *p, lab_page *pg)
{
    lab_block *b = p;
    if (LAB_LIKELY(atomic_load_explicit(&pg->tid, memory_order_relaxed) == lab_thread_id())) {
        b->next = pg->local_free;
        pg->local_free = b;
        if (LAB_UNLIKELY(--pg->used == 0)) lab_page_emptied(pg);
        return;
    }
    if (LAB_UNLIKELY(pg->block_size == 0)) { /* a pooled page, or a segment header */
        lab_report_invalid("free of", b);
        return;
    }
    push_remote(pg, b);
}

/* The checked path: the ownership map says what p is before anything behind
 * it is read. */
static LAB_NOINLINE void free_checked(void *p)
{
    unsigned kind = lab_map_kind((uintptr_t)p);
    if (lab_map_is_segment(kind)) {
        free_block(p, lab_page_at(p, kind));
        return;
    }
    if (p == NULL) return;
    lab_huge_free(p); /* reports p when it is not a huge block either */
}

/* Not the caller's page: another thread's (a remote free), or no page with
 * blocks at all (NULL, a huge block, a pointer lab does not own). */
static LAB_NOINLINE void free_other(void *p, lab_page *pg)
{
    if (LAB_UNLIKELY(pg->block_size == 0)) {
        free_checked(p);
        return;
    }
    push_remote(pg, p);
}

static inline void free_mapped(void *p)
{
    uintptr_t g = (uintptr_t)p >> LAB_PM_SHIFT;
    if (LAB_UNLIKELY(g >= LAB_PM_LIMIT())) {
        free_checked(p);
        return;
    }
    atomic_signal_fence(memory_order_acquire);
    char *base = (char *)lab_pm;
    lab_page *pg = (lab_page *)(base + LAB_PM_ENTRY(g));
    if (LAB_LIKELY(atomic_load_explicit(&pg->tid, memory_order_relaxed) == lab_thread_id())) {
        lab_block *b = p;
        b->next = pg->local_free;
        pg->local_free = b;
        if (LAB_UNLIKELY(--pg->used == 0)) lab_page_emptied(pg);
        return;
    }
    free_other(p, pg);
}

void lab_free(void *p) { free_mapped(p); }

/* The size is not needed to find the block: the page map finds it from the
 * address alone, so a block shrunk in place or allocated with a large
 * alignment is never mistaken, whatever size comes with it. */
void lab_free_sized(void *p, size_t size)
{
    (void)size;
    free_mapped(p);
}
