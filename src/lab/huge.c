/* lab — huge blocks: requests above 128 KiB (and alignments above 64 KiB).
 *
 * Guarantees: each huge block is its own mapping, the block on a 4 MiB
 * boundary (or its alignment, if larger) and a 4 KiB header just before it,
 * so a pointer's header is found without a lookup and a pointer lab does not
 * own is recognised by the ownership map and the header's check word.
 * A few freed blocks (ALLOCLAB_LAB_HUGE_CACHE, each at most 64 MiB) are kept
 * for reuse and unmapped after ALLOCLAB_LAB_PURGE_MS. Growing a huge block
 * extends its mapping in place when the kernel can, else moves its pages with
 * mremap (no copy); blocks are never memset when their pages are fresh.
 */
#include "lab_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define LAB_HUGE_MAGIC ((uint64_t)0x6c61622068756765ull)
#define LAB_HUGE_CACHE_MAX ((size_t)64 << 20)

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
static size_t cache_count;
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

static lab_huge *cache_take(size_t need, size_t align)
{
    if (atomic_load_explicit(&huge_cached_n, memory_order_relaxed) == 0) return NULL;
    lab_lock_acquire(&lab_huge_lock);
    lab_huge *h = cache_first;
    for (; h; h = h->next)
        if (h->map_size >= need && h->map_size - need <= need / 2 && ((uintptr_t)block_of(h) & (align - 1)) == 0)
            break;
    if (h) {
        cache_unlink(h);
        h->cached = 0;
    }
    lab_lock_release(&lab_huge_lock);
    return h;
}

void *lab_huge_alloc(size_t size, size_t align, size_t zero)
{
    lab_process_init();
    if (size > LAB_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    if (align < LAB_SEGMENT_SIZE) align = LAB_SEGMENT_SIZE;
    size_t need = need_for(size);
    lab_huge *h = cache_take(need, align);
    if (h) {
        atomic_fetch_add_explicit(&huge_live, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&huge_live_bytes, h->map_size - LAB_OS_PAGE, memory_order_relaxed);
        if (zero) memset(block_of(h), 0, zero);
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
    lab_huge *evict = NULL;
    if (lab_opt.huge_cache && h->map_size <= LAB_HUGE_CACHE_MAX) {
        lab_lock_acquire(&lab_huge_lock);
        if (cache_count >= lab_opt.huge_cache) {
            evict = cache_last;
            cache_unlink(evict);
        }
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
        evict = h;
    }
    if (evict) huge_unmap(evict);
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
    /* In place when the addresses after the mapping are free. */
    if (mremap(h, old, need, 0) == (void *)h) {
        h->map_size = need;
    } else {
        /* Reserve an aligned place, then move the pages onto it. */
        lab_huge *n = lab_os_map_aligned(need, h->align, LAB_OS_PAGE);
        if (!n) {
            errno = ENOMEM;
            return NULL;
        }
        atomic_fetch_sub_explicit(&lab_stat_mapped, need, memory_order_relaxed); /* counted again below */
        if (mremap(h, old, need, MREMAP_MAYMOVE | MREMAP_FIXED, n) != (void *)n) {
            lab_os_unmap(n, need);
            atomic_fetch_add_explicit(&lab_stat_mapped, need, memory_order_relaxed);
            void *q = lab_huge_alloc(size, h->align, 0);
            if (!q) return NULL;
            memcpy(q, p, usable);
            lab_huge_free(p);
            return q;
        }
        lab_map_set((uintptr_t)p, LAB_MAP_NONE);
        n->check = check_of(n);
        n->map_size = need;
        lab_map_set((uintptr_t)block_of(n), LAB_MAP_HUGE);
        h = n;
    }
    atomic_fetch_add_explicit(&lab_stat_mapped, need - old, memory_order_relaxed);
    atomic_fetch_add_explicit(&huge_mapped, need - old, memory_order_relaxed);
    atomic_fetch_add_explicit(&huge_live_bytes, need - old, memory_order_relaxed);
    atomic_fetch_add_explicit(&lab_stat_committed, need - old, memory_order_relaxed);
    return block_of(h);
}

bool lab_huge_purge(uint64_t now_ms, bool force)
{
    if (atomic_load_explicit(&huge_cached_n, memory_order_relaxed) == 0) return false;
    bool freed = false;
    for (;;) {
        lab_lock_acquire(&lab_huge_lock);
        lab_huge *h = cache_last;
        if (h && (force || now_ms - h->stamp_ms >= lab_opt.purge_ms)) cache_unlink(h);
        else h = NULL;
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
