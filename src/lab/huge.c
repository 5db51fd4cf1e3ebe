/* lab — huge blocks: requests above 128 KiB (and alignments above 64 KiB).
 *
 * Guarantees: each huge block is its own mapping, the block on a 4 MiB
 * boundary (or its alignment, if larger) and a 4 KiB header just before it,
 * so a pointer's header is found without a lookup and a pointer lab does not
 * own is recognised by the ownership map and the header's check word.
 * A few freed blocks (ALLOCLAB_LAB_HUGE_CACHE, each at most 64 MiB, 128 MiB in
 * all) are kept for reuse (best fit; when none is large enough, the largest
 * is grown by mremap) and unmapped after ALLOCLAB_LAB_PURGE_MS. Growing a huge block
 * extends its mapping in place when the kernel can, else moves its pages with
 * mremap (no copy), keeping the alignment it was asked for; blocks are never
 * memset when their pages are fresh, and a cached block grown for calloc
 * clears only the part that held old data.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap */
#endif
#include "lab_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define LAB_HUGE_MAGIC ((uint64_t)0x6c61622068756765ull)
#define LAB_HUGE_CACHE_MAX ((size_t)64 << 20)    /* the largest block kept */
#define LAB_HUGE_CACHE_BYTES ((size_t)128 << 20) /* all kept blocks together */

typedef struct lab_huge {
    uint64_t check;           /* LAB_HUGE_MAGIC ^ its own address while live or cached */
    size_t map_size;          /* bytes mapped, from this header */
    size_t align;             /* the block's alignment (at least 4 MiB) */
    uint8_t cached;           /* in the cache (free) */
    uint8_t fresh;            /* never handed out: reads as zero */
    struct lab_huge *next, *prev;
    uint64_t stamp_ms;
} lab_huge;

static lab_huge *cache_first, *cache_last;
static size_t cache_count, cache_bytes;
lab_lock lab_huge_lock;
static atomic_size_t huge_live, huge_live_bytes, huge_mapped, huge_cached_n;

static inline uint8_t *block_of(lab_huge *h) { return (uint8_t *)h + LAB_OS_PAGE; }

static inline uint64_t check_of(const lab_huge *h) { return LAB_HUGE_MAGIC ^ (uint64_t)(uintptr_t)h; }

/* The header of a live huge block p, or NULL when p is not one. */
static lab_huge *huge_of(const void *p)
{
    uintptr_t u = (uintptr_t)p;
    if ((u & LAB_SEGMENT_MASK) || lab_map_kind(u) != LAB_MAP_HUGE) return NULL;
    lab_huge *h = (lab_huge *)(u - LAB_OS_PAGE);
    return h->check == check_of(h) && !h->cached ? h : NULL;
}

/* The header page and at least one page of block: a zero-size block still
 * owns the page its pointer names, so the granule the ownership map marks
 * is always inside this mapping (a segment can never be mapped there). */
static size_t need_for(size_t size)
{
    if (size == 0) size = 1;
    return ((size + LAB_OS_PAGE - 1) & ~(LAB_OS_PAGE - 1)) + LAB_OS_PAGE;
}

static void cache_unlink(lab_huge *h)
{
    if (h->prev) h->prev->next = h->next;
    else cache_first = h->next;
    if (h->next) h->next->prev = h->prev;
    else cache_last = h->prev;
    cache_count--;
    atomic_fetch_sub_explicit(&huge_cached_n, 1, memory_order_relaxed);
}

static void huge_unmap(lab_huge *h)
{
    size_t n = h->map_size;
    lab_map_set((uintptr_t)block_of(h), LAB_MAP_NONE);
    h->check = 0;
    atomic_fetch_sub_explicit(&huge_mapped, n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&lab_stat_committed, n, memory_order_relaxed);
    lab_os_unmap(h, n);
}

/* Grow h's mapping to `need` bytes without copying: in place when the
 * block already sits on an `align` boundary and the addresses after it are
 * free, else by moving its pages (mremap) onto a fresh reservation aligned
 * to `align` (at least h's own alignment; a cached block may serve a request
 * of a larger one). Either way the block records the alignment it now
 * honours, which a later move keeps. The pages added after the old end are
 * the kernel's, zero. The new header, or NULL with h untouched. */
static lab_huge *huge_extend(lab_huge *h, size_t need, size_t align)
{
    size_t old = h->map_size;
    if (align < h->align) align = h->align;
    bool in_place = ((uintptr_t)block_of(h) & (align - 1)) == 0 && mremap(h, old, need, 0) == (void *)h;
    if (in_place) {
        h->align = align;
    } else {
        lab_huge *n = lab_os_map_aligned(need, align, LAB_OS_PAGE);
        if (!n) return NULL;
        if (mremap(h, old, need, MREMAP_MAYMOVE | MREMAP_FIXED, n) != (void *)n) {
            lab_os_unmap(n, need);
            return NULL;
        }
        /* n's own mapping was replaced by h's pages; h's is gone. */
        atomic_fetch_sub_explicit(&lab_stat_mapped, need, memory_order_relaxed);
        lab_map_set((uintptr_t)block_of(h), LAB_MAP_NONE);
        n->check = check_of(n);
        n->align = align;
        lab_map_set((uintptr_t)block_of(n), LAB_MAP_HUGE);
        h = n;
    }
    h->map_size = need;
    atomic_fetch_add_explicit(&lab_stat_mapped, need - old, memory_order_relaxed);
    atomic_fetch_add_explicit(&huge_mapped, need - old, memory_order_relaxed);
    atomic_fetch_add_explicit(&lab_stat_committed, need - old, memory_order_relaxed);
    return h;
}

/* The smallest cached block of at least `need` bytes with the alignment (its
 * pages are already faulted in: reusing all of it is cheaper than a fresh
 * mapping); a block more than four times too large gives its tail back
 * first, so reuse never keeps much more than was asked for. *dirty: how many
 * bytes from the block's start may hold old data (a grown block's tail is
 * the kernel's zero pages), what calloc must clear. */
static lab_huge *cache_take(size_t need, size_t align, size_t *dirty)
{
    if (atomic_load_explicit(&huge_cached_n, memory_order_relaxed) == 0) return NULL;
    lab_lock_acquire(&lab_huge_lock);
    lab_huge *best = NULL, *largest = NULL;
    for (lab_huge *h = cache_first; h; h = h->next) {
        if (((uintptr_t)block_of(h) & (align - 1)) != 0) continue;
        if (h->map_size >= need && (!best || h->map_size < best->map_size)) best = h;
        if (h->map_size < need && h->map_size >= need / 4 && (!largest || h->map_size > largest->map_size))
            largest = h;
    }
    if (!best && largest) {
        /* No block is large enough: grow the largest, whose pages are
         * already faulted in, rather than map all of it afresh. */
        cache_unlink(largest);
        cache_bytes -= largest->map_size;
        lab_lock_release(&lab_huge_lock);
        *dirty = largest->map_size - LAB_OS_PAGE;
        lab_huge *g = huge_extend(largest, need, align);
        if (g) g->cached = 0;
        else huge_unmap(largest);
        return g;
    }
    if (best) {
        cache_unlink(best);
        cache_bytes -= best->map_size;
        best->cached = 0;
        if (best->align < align) best->align = align; /* it is aligned so (filtered above) */
    }
    lab_lock_release(&lab_huge_lock);
    if (best && best->map_size / 4 > need) {
        size_t tail = best->map_size - need;
        lab_os_unmap((uint8_t *)best + need, tail);
        atomic_fetch_sub_explicit(&huge_mapped, tail, memory_order_relaxed);
        atomic_fetch_sub_explicit(&lab_stat_committed, tail, memory_order_relaxed);
        best->map_size = need;
    }
    if (best) *dirty = best->map_size - LAB_OS_PAGE;
    return best;
}

void *lab_huge_alloc(size_t size, size_t align, size_t zero)
{
    lab_process_init();
    if (size > LAB_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    if (align < LAB_SEGMENT_SIZE) align = LAB_SEGMENT_SIZE;
    size_t need = need_for(size), dirty = 0;
    lab_huge *h = cache_take(need, align, &dirty);
    if (h) {
        atomic_fetch_add_explicit(&huge_live, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&huge_live_bytes, h->map_size - LAB_OS_PAGE, memory_order_relaxed);
        if (zero) memset(block_of(h), 0, zero < dirty ? zero : dirty);
        return block_of(h);
    }
    h = lab_os_map_aligned(need, align, LAB_OS_PAGE);
    if (!h) {
        errno = ENOMEM;
        return NULL;
    }
    if (((uintptr_t)block_of(h) >> LAB_ADDRESS_BITS) != 0) {
        lab_os_unmap(h, need);
        errno = ENOMEM;
        return NULL;
    }
    h->check = check_of(h);
    h->map_size = need;
    h->align = align;
    h->cached = 0;
    h->fresh = 1;
    atomic_fetch_add_explicit(&huge_mapped, need, memory_order_relaxed);
    atomic_fetch_add_explicit(&lab_stat_committed, need, memory_order_relaxed);
    atomic_fetch_add_explicit(&huge_live, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&huge_live_bytes, need - LAB_OS_PAGE, memory_order_relaxed);
    lab_map_set((uintptr_t)block_of(h), LAB_MAP_HUGE);
    return block_of(h);
}

void lab_huge_free(void *p)
{
    lab_huge *h = huge_of(p);
    if (!h) {
        lab_report_invalid("free of", p);
        return;
    }
    int saved = errno;
    atomic_fetch_sub_explicit(&huge_live, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&huge_live_bytes, h->map_size - LAB_OS_PAGE, memory_order_relaxed);
    lab_huge *evict = NULL; /* blocks to unmap once the lock is released, linked by next */
    if (lab_opt.huge_cache && h->map_size <= LAB_HUGE_CACHE_MAX) {
        lab_lock_acquire(&lab_huge_lock);
        while (cache_last && (cache_count >= lab_opt.huge_cache || cache_bytes + h->map_size > LAB_HUGE_CACHE_BYTES)) {
            lab_huge *old = cache_last; /* the oldest go first */
            cache_unlink(old);
            cache_bytes -= old->map_size;
            old->next = evict;
            evict = old;
        }
        cache_bytes += h->map_size;
        h->cached = 1;
        h->fresh = 0;
        h->stamp_ms = lab_clock_ms();
        h->prev = NULL;
        h->next = cache_first;
        if (cache_first) cache_first->prev = h;
        else cache_last = h;
        cache_first = h;
        cache_count++;
        atomic_fetch_add_explicit(&huge_cached_n, 1, memory_order_relaxed);
        lab_lock_release(&lab_huge_lock);
    } else {
        h->next = NULL;
        evict = h;
    }
    while (evict) {
        lab_huge *next = evict->next;
        huge_unmap(evict);
        evict = next;
    }
    errno = saved;
}

size_t lab_huge_usable(const void *p)
{
    lab_huge *h = huge_of(p);
    if (!h) {
        lab_report_invalid("usable size of", p);
        return 0;
    }
    return h->map_size - LAB_OS_PAGE;
}

void *lab_huge_realloc(void *p, size_t size)
{
    lab_huge *h = huge_of(p);
    if (!h) {
        lab_report_invalid("realloc of", p);
        errno = EINVAL;
        return NULL;
    }
    size_t usable = h->map_size - LAB_OS_PAGE;
    if (size <= LAB_MEDIUM_MAX) {
        void *q = lab_malloc(size);
        if (!q) return NULL;
        memcpy(q, p, size);
        lab_huge_free(p);
        return q;
    }
    if (size > LAB_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    size_t need = need_for(size), old = h->map_size;
    if (need <= old) {
        if (need < old / 2 && mremap(h, old, need, 0) == (void *)h) {
            h->map_size = need;
            atomic_fetch_sub_explicit(&huge_live_bytes, old - need, memory_order_relaxed);
            atomic_fetch_sub_explicit(&huge_mapped, old - need, memory_order_relaxed);
            atomic_fetch_sub_explicit(&lab_stat_committed, old - need, memory_order_relaxed);
            atomic_fetch_sub_explicit(&lab_stat_mapped, old - need, memory_order_relaxed);
        }
        return p;
    }
    lab_huge *n = huge_extend(h, need, h->align);
    if (n) {
        atomic_fetch_add_explicit(&huge_live_bytes, need - old, memory_order_relaxed);
        return block_of(n);
    }
    void *q = lab_huge_alloc(size, h->align, 0);
    if (!q) return NULL;
    memcpy(q, p, usable);
    lab_huge_free(p);
    return q;
}

bool lab_huge_purge(uint64_t now_ms, bool force)
{
    if (atomic_load_explicit(&huge_cached_n, memory_order_relaxed) == 0) return false;
    bool freed = false;
    for (;;) {
        lab_lock_acquire(&lab_huge_lock);
        lab_huge *h = cache_last;
        if (h && (force || now_ms - h->stamp_ms >= lab_opt.purge_ms)) {
            cache_unlink(h);
            cache_bytes -= h->map_size;
        } else {
            h = NULL;
        }
        lab_lock_release(&lab_huge_lock);
        if (!h) return freed;
        huge_unmap(h);
        freed = true;
    }
}

void lab_huge_stats(lab_stats *s)
{
    s->huge_count = atomic_load_explicit(&huge_live, memory_order_relaxed);
    s->in_use += atomic_load_explicit(&huge_live_bytes, memory_order_relaxed);
    s->huge_mapped = atomic_load_explicit(&huge_mapped, memory_order_relaxed);
    s->huge_cached = atomic_load_explicit(&huge_cached_n, memory_order_relaxed);
}
