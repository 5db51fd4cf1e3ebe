/* lab — the allocation entry points.
 *
 * Guarantees: the fast path of lab_malloc (sizes up to 1 KiB) is a leaf: one
 * table load gives the current page of the size's class, and a non-empty
 * free list gives the block; everything else is a tail call to the slow path
 * (heap.c). A thread's first call lands there too, through the static empty
 * heap. calloc checks n * size for overflow and does not memset blocks the
 * kernel zeroed. Failures set errno (ENOMEM, EINVAL) and return NULL.
 */
#include "lab_internal.h"

#include <errno.h>
#include <string.h>

void *lab_malloc(size_t size)
{
    lab_heap *h = lab_tls_heap;
    if (LAB_LIKELY(size <= LAB_DIRECT_MAX)) {
        lab_page *pg = h->direct[(size + 15) >> 4];
        lab_block *b = pg->free;
        if (LAB_LIKELY(b != NULL)) {
            pg->free = b->next;
            pg->used++;
            return b;
        }
    }
    return lab_alloc_slow(size, h, 0);
}

void *lab_calloc(size_t n, size_t size)
{
    size_t total;
    if (LAB_UNLIKELY(__builtin_mul_overflow(n, size, &total))) {
        errno = ENOMEM;
        return NULL;
    }
    lab_heap *h = lab_tls_heap;
    if (LAB_LIKELY(total <= LAB_DIRECT_MAX)) {
        lab_page *pg = h->direct[(total + 15) >> 4];
        lab_block *b = pg->free;
        if (LAB_LIKELY(b != NULL)) {
            pg->free = b->next;
            pg->used++;
            if (pg->flags & LAB_PAGE_FREE_ZERO) b->next = NULL;
            else memset(b, 0, total);
            return b;
        }
    }
    return lab_alloc_slow(total, h, total);
}

void *lab_aligned(size_t align, size_t size)
{
    if (LAB_UNLIKELY(align == 0 || (align & (align - 1)))) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= 16) return lab_malloc(size);
    if (size > LAB_MEDIUM_MAX || align > LAB_PAGED_ALIGN_MAX) return lab_huge_alloc(size, align, 0);
    lab_heap *h = lab_heap_get();
    if (!h) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned cls = lab_class_of(size < align ? align : size);
    while (lab_class_size[cls] & (align - 1)) cls++; /* a power of two is always a class */
    return lab_alloc_class(h, cls, 0);
}

size_t lab_usable_size(const void *p)
{
    if (p == NULL) return 0;
    unsigned kind = lab_map_kind((uintptr_t)p);
    if (lab_map_is_segment(kind)) {
        lab_page *pg = lab_page_at(p, kind);
        if (pg->block_size) return pg->block_size;
        lab_report_invalid("usable size of", p);
        return 0;
    }
    return lab_huge_usable(p);
}

void *lab_realloc(void *p, size_t size)
{
    if (p == NULL) return lab_malloc(size);
    unsigned kind = lab_map_kind((uintptr_t)p);
    if (!lab_map_is_segment(kind)) return lab_huge_realloc(p, size);
    lab_page *pg = lab_page_at(p, kind);
    size_t old = pg->block_size;
    if (LAB_UNLIKELY(old == 0)) {
        lab_report_invalid("realloc of", p);
        errno = EINVAL;
        return NULL;
    }
    if (size <= old && size >= old / 2) return p; /* shrinking by less than half stays */
    void *q = lab_malloc(size);
    if (q == NULL) return NULL;
    memcpy(q, p, size < old ? size : old);
    lab_free(p);
    return q;
}
