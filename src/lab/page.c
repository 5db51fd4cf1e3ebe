/* lab — pages: free lists, lazy extension, remote frees.
 *
 * Guarantees: a page hands out each of its blocks to one owner at a time.
 * Its free list grows lazily, about LAB_EXTEND_BYTES at a time, so the
 * memory a page touches follows what was really allocated. Blocks freed by
 * the owner wait on local_free, blocks freed by other threads on the atomic
 * thread_free list (one CAS push each); the owner takes the whole
 * thread_free list with one exchange, only when its other lists are dry.
 * FREE_ZERO is set only while every block on `free` comes from memory the
 * kernel zeroed and was never handed out, so calloc can skip the memset.
 */
#include "lab_internal.h"

/* Set up pg (unlisted, from the pool or a heap's empty list) for class cls
 * in heap h. Its memory is zero when the pool says it was purged. */
void lab_page_init(lab_page *pg, lab_heap *h, unsigned cls)
{
    pg->block_size = lab_class_size[cls];
    pg->cls = (uint8_t)cls;
    pg->reserved = (uint16_t)(lab_page_bytes(pg) / pg->block_size);
    pg->capacity = 0;
    pg->used = 0;
    pg->free = pg->local_free = NULL;
    atomic_store_explicit(&pg->thread_free, NULL, memory_order_relaxed);
    pg->flags = (pg->flags & LAB_PAGE_PURGED) ? LAB_PAGE_MEM_ZERO : 0;
    atomic_store_explicit(&pg->heap, h, memory_order_relaxed);
    atomic_store_explicit(&pg->tid, h->tid, memory_order_relaxed);
}

/* Carve the next blocks of the page into `free` (which is empty). */
static void page_extend(lab_page *pg)
{
    size_t bs = pg->block_size;
    size_t n = LAB_EXTEND_BYTES / bs;
    if (n == 0) n = 1;
    if (n > (size_t)(pg->reserved - pg->capacity)) n = pg->reserved - pg->capacity;
    uint8_t *first = lab_page_start(pg) + (size_t)pg->capacity * bs;
    uint8_t *b = first;
    for (size_t i = 1; i < n; i++, b += bs) ((lab_block *)b)->next = (lab_block *)(b + bs);
    ((lab_block *)b)->next = NULL;
    pg->free = (lab_block *)first;
    pg->capacity = (uint16_t)(pg->capacity + n);
    if (pg->flags & LAB_PAGE_MEM_ZERO) pg->flags |= LAB_PAGE_FREE_ZERO;
    else pg->flags &= (uint8_t)~LAB_PAGE_FREE_ZERO;
}

size_t lab_page_collect(lab_page *pg)
{
    if (atomic_load_explicit(&pg->thread_free, memory_order_relaxed) == NULL) return 0;
    lab_block *list = atomic_exchange_explicit(&pg->thread_free, NULL, memory_order_acquire);
    if (!list) return 0;
    size_t n = 1;
    lab_block *t = list;
    while (t->next) {
        t = t->next;
        n++;
    }
    t->next = pg->free;
    pg->free = list;
    pg->used -= (uint32_t)n;
    pg->flags &= (uint8_t)~LAB_PAGE_FREE_ZERO;
    return n;
}

/* Give pg a non-empty free list if it can: local frees first, then remote
 * frees, then fresh blocks. False when every block is handed out. */
bool lab_page_refill(lab_page *pg)
{
    if (pg->free) return true;
    if (pg->local_free) {
        pg->free = pg->local_free;
        pg->local_free = NULL;
        pg->flags &= (uint8_t)~LAB_PAGE_FREE_ZERO;
        return true;
    }
    if (lab_page_collect(pg)) return true;
    if (pg->capacity < pg->reserved) {
        page_extend(pg);
        return true;
    }
    return false;
}
