/* lab — the layout shared by lab's files: segments, pages, heaps, and the
 * O(1) steps from a pointer to its page.
 *
 * Memory comes in 4 MiB segments aligned to 4 MiB. A segment is cut into
 * equal pages (64 KiB "small" pages, or 512 KiB "medium" pages); its first
 * page holds the segment header and the page descriptors, so no block ever
 * starts at a segment boundary. A page serves one size class. Requests above
 * LAB_MEDIUM_MAX are huge blocks, each its own mapping: the block starts on a
 * 4 MiB boundary and its header is the 4 KiB page just before it.
 *
 * Pointer -> page: mask the pointer to its segment, shift its offset by the
 * segment's page shift. A byte map over the user address space (one byte per
 * 4 MiB) says which granules start a segment or a huge block; it is read
 * without locks, so a pointer lab does not own is recognised without being
 * dereferenced.
 *
 * Ownership of a page: page->heap is the thread heap that owns it (NULL when
 * it is pooled, abandoned or huge). Only the owner touches free, local_free,
 * used and the queue links; any thread may push onto thread_free.
 */
#ifndef ALLOCLAB_LAB_INTERNAL_H
#define ALLOCLAB_LAB_INTERNAL_H

#include "lab.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Internal symbols never leave the object that links lab: direct accesses,
 * no GOT loads on the fast paths. */
#pragma GCC visibility push(hidden)

#define LAB_LIKELY(x) __builtin_expect(!!(x), 1)
#define LAB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LAB_TLS __attribute__((tls_model("initial-exec")))
#define LAB_NOINLINE __attribute__((noinline))
#if defined(__clang__)
#define LAB_NO_TSAN __attribute__((no_sanitize("thread")))
#else
#define LAB_NO_TSAN __attribute__((no_sanitize_thread))
#endif

/* ----------------------------------------------------------------------------
 * Geometry.
 * ------------------------------------------------------------------------- */
#define LAB_SEGMENT_SHIFT 22
#define LAB_SEGMENT_SIZE ((size_t)1 << LAB_SEGMENT_SHIFT)
#define LAB_SEGMENT_MASK (LAB_SEGMENT_SIZE - 1)
#define LAB_SMALL_PAGE_SHIFT 16 /* 64 KiB pages, 64 per segment */
#define LAB_MEDIUM_PAGE_SHIFT 19 /* 512 KiB pages, 8 per segment */
#define LAB_MAX_PAGES (LAB_SEGMENT_SIZE >> LAB_SMALL_PAGE_SHIFT)
#define LAB_OS_PAGE ((size_t)4096)

#define LAB_SMALL_MAX ((size_t)8192)    /* largest block on a 64 KiB page */
#define LAB_MEDIUM_MAX ((size_t)131072) /* largest block on a 512 KiB page */
#define LAB_DIRECT_MAX ((size_t)1024)   /* sizes whose page is one table load away */
#define LAB_DIRECT_N (LAB_DIRECT_MAX / 16 + 1)
#define LAB_PAGED_ALIGN_MAX ((size_t)65536) /* larger alignments are huge blocks */
#define LAB_EXTEND_BYTES ((size_t)4096) /* a free list grows by about this much per step */

/* The largest request lab tries to serve: beyond it, NULL/ENOMEM at once. */
#define LAB_MAX_REQUEST (((size_t)PTRDIFF_MAX) - 2 * LAB_SEGMENT_SIZE)

/* User address space covered by the ownership map (x86-64, arm64: 47 bits). */
#define LAB_ADDRESS_BITS 47
#define LAB_GRANULES ((size_t)1 << (LAB_ADDRESS_BITS - LAB_SEGMENT_SHIFT))

/* ----------------------------------------------------------------------------
 * Size classes (size_class.c): 16-byte steps up to 128, then eight classes
 * per doubling, so a block wastes less than 1/8 of the request above 128
 * bytes (and less than 16 bytes below). Classes 0..LAB_SMALL_CLASSES-1 live on
 * small pages, the rest up to LAB_NCLASSES-1 (128 KiB) on medium pages.
 * ------------------------------------------------------------------------- */
#define LAB_NCLASSES 88
#define LAB_SMALL_CLASSES 56
extern const uint32_t lab_class_size[LAB_NCLASSES];
extern const uint8_t lab_class_of_direct[LAB_DIRECT_N]; /* by (size + 15) >> 4 */

/* The class of a request of `size` bytes (size <= LAB_MEDIUM_MAX). */
static inline unsigned lab_class_of(size_t size)
{
    if (size <= 128) return size ? (unsigned)((size - 1) >> 4) : 0;
    unsigned b = 63u - (unsigned)__builtin_clzl(size - 1); /* 2^b < size <= 2^(b+1) */
    return 8u + (b - 7u) * 8u + (unsigned)((size - 1) >> (b - 3)) - 8u;
}

/* ----------------------------------------------------------------------------
 * Spin locks: slow paths only (page pools, abandoned pages, huge cache, heap
 * records). No libpthread needed, so they work before it is set up, and a
 * forked child simply reinitialises them.
 * ------------------------------------------------------------------------- */
typedef struct lab_lock {
    atomic_int v;
} lab_lock;

void lab_lock_slow(lab_lock *l);
static inline void lab_lock_acquire(lab_lock *l)
{
    if (LAB_UNLIKELY(atomic_exchange_explicit(&l->v, 1, memory_order_acquire))) lab_lock_slow(l);
}
static inline bool lab_lock_try(lab_lock *l)
{
    return atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
           !atomic_exchange_explicit(&l->v, 1, memory_order_acquire);
}
static inline void lab_lock_release(lab_lock *l) { atomic_store_explicit(&l->v, 0, memory_order_release); }

/* ----------------------------------------------------------------------------
 * Blocks, pages, segments.
 * ------------------------------------------------------------------------- */
typedef struct lab_block {
    struct lab_block *next;
} lab_block;

struct lab_heap;

/* Where a page is listed (page->where). */
enum {
    LAB_IN_NONE = 0,   /* the segment header's page, or a page being moved */
    LAB_IN_POOL,       /* free, in its kind's pool (dirty or clean list) */
    LAB_IN_QUEUE,      /* a heap's class queue: may have free blocks */
    LAB_IN_FULL,       /* a heap's full list: no free block when last looked at */
    LAB_IN_EMPTY,      /* a heap's empty list: every block free, kept for reuse */
    LAB_IN_ABANDONED,  /* the global list of an exited thread's pages */
};

/* page->flags */
#define LAB_PAGE_MEM_ZERO 1u  /* blocks beyond `capacity` are still zero */
#define LAB_PAGE_FREE_ZERO 2u /* every block on `free` is zero past its link word */
#define LAB_PAGE_PURGED 4u    /* the page's memory was given back (or never touched) */

typedef struct __attribute__((aligned(128))) lab_page {
    lab_block *free;          /* owner: blocks ready to hand out */
    uint32_t used;            /* owner: blocks handed out, minus those freed locally or collected */
    uint32_t block_size;      /* of its class (0: not in use) */
    lab_block *local_free;    /* owner: blocks freed by the owner, merged into free when it runs dry */
    _Atomic(lab_block *) thread_free; /* any thread: blocks freed by others (CAS push, exchange pop) */
    _Atomic(struct lab_heap *) heap;  /* the owning heap, or NULL */
    _Atomic(uintptr_t) tid;           /* its thread's id (lab_thread_id), or 0 when heap is NULL */
    uint16_t capacity;        /* blocks carved so far (lazy extension) */
    uint16_t reserved;        /* blocks that fit */
    uint8_t cls;              /* size class */
    uint8_t flags;            /* LAB_PAGE_* */
    uint8_t where;            /* LAB_IN_* (owner of that list) */
    struct lab_page *next, *prev; /* links of the list `where` names */
    uint64_t stamp_ms;        /* when it became empty or entered the pool */
} lab_page;

typedef struct lab_queue {
    lab_page *first, *last;
} lab_queue;

enum { LAB_KIND_SMALL = 0, LAB_KIND_MEDIUM = 1, LAB_NKINDS = 2 };

/* The segment header is its page-descriptor array; descriptor 0 would
 * describe the header's own page, so the segment's fields live in its place
 * and pages[i] is at segment + i * 128 with no offset to add. */
typedef struct lab_segment {
    union {
        lab_page pages[LAB_MAX_PAGES];
        struct {
            uint8_t page_shift;       /* LAB_SMALL_PAGE_SHIFT or LAB_MEDIUM_PAGE_SHIFT */
            uint8_t kind;             /* LAB_KIND_* */
            uint16_t npages;          /* pages in the segment, the header's page included */
            uint16_t used_pages;      /* pool lock: pages out of the pool */
            uint16_t dirty_pages;     /* pool lock: pooled pages not yet purged */
            struct lab_segment *next, *prev; /* pool lock: every segment of the kind */
        };
    };
} lab_segment;

_Static_assert(sizeof(lab_segment) <= ((size_t)1 << LAB_SMALL_PAGE_SHIFT), "the header fits page 0");

static inline unsigned lab_class_kind(unsigned cls)
{
    return cls < LAB_SMALL_CLASSES ? LAB_KIND_SMALL : LAB_KIND_MEDIUM;
}

/* Doubly linked page lists; the list a page is on is named by page->where. */
static inline void lab_queue_push_front(lab_queue *q, lab_page *pg)
{
    pg->prev = NULL;
    pg->next = q->first;
    if (q->first) q->first->prev = pg;
    else q->last = pg;
    q->first = pg;
}

static inline void lab_queue_push_back(lab_queue *q, lab_page *pg)
{
    pg->next = NULL;
    pg->prev = q->last;
    if (q->last) q->last->next = pg;
    else q->first = pg;
    q->last = pg;
}

static inline void lab_queue_remove(lab_queue *q, lab_page *pg)
{
    if (pg->prev) pg->prev->next = pg->next;
    else q->first = pg->next;
    if (pg->next) pg->next->prev = pg->prev;
    else q->last = pg->prev;
    pg->next = pg->prev = NULL;
}

static inline lab_segment *lab_segment_of(const void *p)
{
    return (lab_segment *)((uintptr_t)p & ~(uintptr_t)LAB_SEGMENT_MASK);
}

static inline lab_page *lab_page_of(lab_segment *s, const void *p)
{
    return &s->pages[((uintptr_t)p & LAB_SEGMENT_MASK) >> s->page_shift];
}

/* The same with the page shift known (from the ownership map). */
static inline lab_page *lab_page_at(const void *p, unsigned shift)
{
    return &lab_segment_of(p)->pages[((uintptr_t)p & LAB_SEGMENT_MASK) >> shift];
}

static inline size_t lab_page_index(const lab_page *pg)
{
    return (size_t)(pg - lab_segment_of(pg)->pages);
}

static inline uint8_t *lab_page_start(const lab_page *pg)
{
    lab_segment *s = lab_segment_of(pg);
    return (uint8_t *)s + (lab_page_index(pg) << s->page_shift);
}

static inline size_t lab_page_bytes(const lab_page *pg)
{
    return (size_t)1 << lab_segment_of(pg)->page_shift;
}

/* ----------------------------------------------------------------------------
 * The ownership map (segment_map.c): one byte per 4 MiB granule of the user
 * address space, read lock-free.
 * ------------------------------------------------------------------------- */
/* A granule's byte: NONE, HUGE (a huge block starts there), or the page shift
 * of the segment starting there (so lab_free gets the shift with the check). */
enum { LAB_MAP_NONE = 0, LAB_MAP_HUGE = 1 };
extern _Atomic(uint8_t) lab_map[LAB_GRANULES];

static inline bool lab_map_is_segment(unsigned kind) { return kind >= LAB_SMALL_PAGE_SHIFT; }

/* What starts at the granule of u (LAB_MAP_NONE for any address beyond the map). */
static inline unsigned lab_map_kind(uintptr_t u)
{
    uintptr_t g = u >> LAB_SEGMENT_SHIFT;
    if (g >= LAB_GRANULES) return LAB_MAP_NONE;
    return atomic_load_explicit(&lab_map[g], memory_order_relaxed);
}
void lab_map_set(uintptr_t u, unsigned kind);

/* ----------------------------------------------------------------------------
 * The page map (page_map.c): pointer -> page descriptor in one load.
 * ------------------------------------------------------------------------- */
#define LAB_PM_SHIFT 16
extern intptr_t *lab_pm;     /* entries: descriptor - (char *)lab_pm, 0 for none */
extern size_t lab_pm_limit;  /* entries reserved; 0 until then (or if it failed) */

#if defined(__SANITIZE_THREAD__)
#define LAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LAB_TSAN 1
#endif
#endif
#if defined(LAB_TSAN) || defined(__SANITIZE_ADDRESS__)
#define LAB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAB_SANITIZED 1
#endif
#endif

/* Both variables are written once, lab_pm first, lab_pm_limit last (release);
 * entries are written with relaxed stores. On x86-64 the fast path reads
 * them with plain loads, which the compiler folds into the compare and the
 * add (an aligned 8-byte load is atomic there, and loads stay in order; the
 * signal fence after the limit keeps the compiler from reading lab_pm
 * first). Elsewhere, and under TSan, they are atomic loads. */
#if defined(__x86_64__) && !defined(LAB_TSAN)
#define LAB_PM_LIMIT() (lab_pm_limit)
#define LAB_PM_ENTRY(g) (lab_pm[g])
#else
#define LAB_PM_LIMIT() __atomic_load_n(&lab_pm_limit, __ATOMIC_ACQUIRE)
#define LAB_PM_ENTRY(g) __atomic_load_n(&lab_pm[g], __ATOMIC_RELAXED)
#endif
void lab_pm_init(void);
void lab_pm_set_segment(lab_segment *s);
void lab_pm_clear_segment(lab_segment *s);

/* ----------------------------------------------------------------------------
 * Thread heaps (heap.c).
 * ------------------------------------------------------------------------- */
/* A set of size classes, one bit each (lab_class_next walks it). */
#define LAB_CLASS_WORDS ((LAB_NCLASSES + 63) / 64)
_Static_assert(LAB_NCLASSES <= 128, "a class set is two words");

/* The first class >= from in the set, or LAB_NCLASSES when none. */
static inline unsigned lab_class_next(const uint64_t *set, unsigned from)
{
    for (unsigned w = from / 64; w < LAB_CLASS_WORDS; w++) {
        uint64_t bits = set[w] & (w == from / 64 ? ~(uint64_t)0 << (from % 64) : ~(uint64_t)0);
        if (bits) return w * 64 + (unsigned)__builtin_ctzll(bits);
    }
    return LAB_NCLASSES;
}

static inline void lab_class_add(uint64_t *set, unsigned cls) { set[cls / 64] |= (uint64_t)1 << (cls % 64); }
static inline void lab_class_del(uint64_t *set, unsigned cls) { set[cls / 64] &= ~((uint64_t)1 << (cls % 64)); }

typedef struct lab_heap {
    lab_page *direct[LAB_DIRECT_N]; /* the current page of each small size's class */
    lab_page *current[LAB_NCLASSES]; /* queue[c].first, or lab_empty_page */
    lab_queue queue[LAB_NCLASSES];  /* pages that may have free blocks; first = current */
    lab_queue full[LAB_NCLASSES];   /* pages found full */
    lab_queue empty[LAB_NKINDS];    /* pages with every block free, newest first */
    uint64_t classes[LAB_CLASS_WORDS]; /* bit c: queue[c] or full[c] has held a page since
                                          the heap began (what thread exit and trim walk) */
    uint64_t now_ms;                /* the clock at the last tick */
    uint64_t next_collect_ms;
    uint32_t ticks;                 /* slow-path events since the clock was read */
    uint32_t empty_count;
    size_t empty_bytes;             /* of the pages on empty[] */
    uintptr_t tid;                  /* lab_thread_id() of its thread */
    struct lab_heap *next_heap, *prev_heap; /* heap lock: the live heaps */
} lab_heap;

extern lab_heap lab_empty_heap;                 /* every direct entry -> lab_empty_page */
extern lab_page lab_empty_page;                 /* never has a free block */
extern __thread lab_heap *lab_tls_heap LAB_TLS;

/* The calling thread's id: its thread pointer (the TCB's address, unique
 * among live threads), one instruction on x86-64 and arm64. */
static inline uintptr_t lab_thread_id(void)
{
#if defined(__x86_64__) && defined(__SEG_FS) && !defined(LAB_SANITIZED)
    /* A memory operand: it folds into the compare. (Sanitizers take a load
     * from address 0 of another address space for a null dereference.) */
    return *(const uintptr_t __seg_fs *)0;
#elif defined(__x86_64__)
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#elif defined(__aarch64__)
    uintptr_t tp;
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
#else
    return (uintptr_t)&lab_tls_heap;
#endif
}

/* The allocation slow path: tail-called by the fast paths. */
/* `zero`: how many bytes of the block must read as zero (calloc), or 0. */
void *lab_alloc_slow(size_t size, lab_heap *h, size_t zero);
void *lab_alloc_class(lab_heap *h, unsigned cls, size_t zero);
/* A local free left page pg (owned by the calling thread) with used == 0. */
void lab_page_emptied(lab_page *pg);
/* The heap of the calling thread, creating it; NULL when out of memory. */
lab_heap *lab_heap_get(void);
/* Release this heap's pages (thread exit). */
void lab_heap_abandon(lab_heap *h);
/* Collect now: retire the heap's empty pages (all of them when `force`),
 * sweep abandoned pages, purge due pool pages (all beyond keep_bytes when
 * `force`), unmap due cached huge blocks. h may be lab_empty_heap. True if
 * something was released. */
bool lab_heap_collect(lab_heap *h, bool force, size_t keep_bytes);
/* Sweep the abandoned pages: release those every block of which came back. */
bool lab_abandoned_sweep(bool all);
/* Figures of the heaps and abandoned pages (heap.c). */
void lab_heap_stats(lab_stats *s);

/* Pages (page.c). Take the thread-free list into free; returns how many
 * blocks came. */
size_t lab_page_collect(lab_page *pg);
/* Set up an unlisted page for class cls in heap h. */
void lab_page_init(lab_page *pg, lab_heap *h, unsigned cls);
/* Give pg a non-empty free list if it can; false when all blocks are out. */
bool lab_page_refill(lab_page *pg);

/* ----------------------------------------------------------------------------
 * Segments and page pools (segment.c).
 * ------------------------------------------------------------------------- */
/* A free page of `kind` from the pool (or a new segment); NULL when out of
 * memory. The page is unlisted (where NONE) with its PURGED flag telling
 * whether its memory is zero. */
lab_page *lab_pool_take(unsigned kind);
/* Give an unlisted page back to its pool, stamped now_ms. */
void lab_pool_give(lab_page *pg, uint64_t now_ms);
/* Purge pool pages pooled for at least `delay_ms` (all with force), beyond
 * `keep_bytes` of the most recent. True if something was released. */
bool lab_pool_purge(uint64_t now_ms, bool force, size_t keep_bytes);
/* Figures of the pools (stats.c). */
void lab_pool_stats(lab_stats *s);

/* ----------------------------------------------------------------------------
 * Huge blocks (huge.c).
 * ------------------------------------------------------------------------- */
void *lab_huge_alloc(size_t size, size_t align, size_t zero);
void lab_huge_free(void *p);
size_t lab_huge_usable(const void *p);
void *lab_huge_realloc(void *p, size_t size);
/* Unmap cached huge blocks older than delay_ms (all with force). */
bool lab_huge_purge(uint64_t now_ms, bool force);
void lab_huge_stats(lab_stats *s);

/* ----------------------------------------------------------------------------
 * OS memory, clock, reporting (os.c).
 * ------------------------------------------------------------------------- */
/* `size` bytes (a multiple of 4 KiB) at an address `offset` bytes before a
 * multiple of `align` (a power of two >= 4 KiB): the mapping [r, r + size)
 * with r + offset aligned. NULL when out of memory. */
void *lab_os_map_aligned(size_t size, size_t align, size_t offset);
void lab_os_unmap(void *p, size_t size);
void lab_os_purge(void *p, size_t size);
uint64_t lab_clock_ms(void);
/* One line on stderr: "alloclab lab: <what> <p> (ignored)". */
void lab_report_invalid(const char *what, const void *p);
void lab_set_errno(int e);

extern atomic_size_t lab_stat_mapped, lab_stat_committed, lab_stat_invalid;

/* ----------------------------------------------------------------------------
 * Options (options.c), read once from the environment without allocating.
 * ------------------------------------------------------------------------- */
typedef struct lab_options {
    uint64_t retire_ms;   /* ALLOCLAB_LAB_RETIRE_MS: an empty page stays in its heap this long */
    uint64_t purge_ms;    /* ALLOCLAB_LAB_PURGE_MS: a pooled page is purged after this long */
    uint64_t huge_cache;  /* ALLOCLAB_LAB_HUGE_CACHE: freed huge blocks kept for reuse */
    bool verbose;         /* ALLOCLAB_LAB_VERBOSE: report invalid pointers (default on) */
} lab_options;

extern lab_options lab_opt;
void lab_options_init(void);

/* Process set-up (init.c): options, thread-exit key, fork handlers. Called
 * from the first heap creation; safe to call again. */
void lab_process_init(void);
void lab_thread_register(lab_heap *h);

/* Global locks, in the order they nest (the fork handlers take them all). */
extern lab_lock lab_heap_lock, lab_abandoned_lock, lab_pool_lock[LAB_NKINDS], lab_huge_lock;

#pragma GCC visibility pop
#endif
