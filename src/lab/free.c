/* lab — free: local and remote.
 *
 * Guarantees: a free by the page's owner is a push onto local_free; a free
 * from any other thread is one CAS push onto the page's thread_free list, so
 * it never waits and never touches the owner's lists; the two are told apart
 * by one compare of page->heap with the caller's heap. lab_free checks the
 * pointer against the ownership map before reading anything behind it:
 * NULL is a no-op, a huge block goes to huge.c, anything else lab does not own
 * is reported and ignored. lab_free_sized trusts its pointer and skips that
 * check. errno is never changed.
 */
#include "lab_internal.h"

static LAB_NOINLINE void free_remote(lab_page *pg, lab_block *b)
{
    if (LAB_UNLIKELY(pg->block_size == 0)) { /* a pooled page, or a segment header */
        lab_report_invalid("free of", b);
        return;
    }
    lab_block *old = atomic_load_explicit(&pg->thread_free, memory_order_relaxed);
    do b->next = old;
    while (!atomic_compare_exchange_weak_explicit(&pg->thread_free, &old, b, memory_order_release,
                                                  memory_order_relaxed));
}

static inline void free_block(void *p, lab_page *pg)
{
    lab_block *b = p;
    if (LAB_LIKELY(atomic_load_explicit(&pg->heap, memory_order_relaxed) == lab_tls_heap)) {
        b->next = pg->local_free;
        pg->local_free = b;
        if (LAB_UNLIKELY(--pg->used == 0)) lab_page_emptied(pg);
        return;
    }
    free_remote(pg, b);
}

static LAB_NOINLINE void free_other(void *p)
{
    if (p == NULL) return;
    lab_huge_free(p); /* reports p when it is not a huge block either */
}

void lab_free(void *p)
{
    unsigned kind = lab_map_kind((uintptr_t)p);
    if (LAB_UNLIKELY(!lab_map_is_segment(kind))) {
        free_other(p);
        return;
    }
    free_block(p, lab_page_at(p, kind));
}

/* The size is not needed to find the block: a huge block (and NULL) is the
 * only pointer on a 4 MiB boundary, so one test sends those to lab_free, and
 * a block shrunk in place or allocated with a large alignment is never taken
 * for a page's block, whatever size comes with it. */
void lab_free_sized(void *p, size_t size)
{
    (void)size;
    if (LAB_UNLIKELY(((uintptr_t)p & LAB_SEGMENT_MASK) == 0)) {
        lab_free(p);
        return;
    }
    free_block(p, lab_page_of(lab_segment_of(p), p));
}
