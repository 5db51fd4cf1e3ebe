/* alloclab — what the hand-made backends offer beyond the registry.
 *
 * The registry makes every backend by name (al_create("bump", &opts)). This
 * header adds what only a particular backend has: a bump allocator living
 * entirely in the caller's memory (no heap at all, for static or stack use),
 * and the counters the tests and benchmarks read.
 *
 *   bump   fixed capacity, over a caller's buffer or its own; caps
 *          RESET|FIXED_CAPACITY|MARKS. Only the newest block is really freed
 *          (or grown/shrunk in place).
 *   arena  a growing chain of bump chunks (doubling sizes) from a backing
 *          allocator; caps RESET|MARKS.
 *   pool   segregated free lists of fixed-size blocks up to 1 KiB, carved from
 *          64 KiB pages; larger requests go to the backing allocator; caps
 *          FREES|RESET. Not thread-safe.
 *   sbrk   a bump over the program break, sharing it with malloc; caps
 *          FIXED_CAPACITY|RESET|MARKS. Not thread-safe: the break is
 *          process-global.
 * None of them is thread-safe: wrap them ("locked:arena") to share one.
 *
 * The counters below look through the built-in wrappers: al_bump_used() of
 * "stats:bump" or "verbose:locked:bump" reads the bump inside. They answer 0
 * when neither `a` nor anything it wraps is an instance of their backend
 * (a NULL, another backend, a user's own wrapper in between).
 */
#ifndef ALLOCLAB_BACKENDS_H
#define ALLOCLAB_BACKENDS_H

#include "allocator.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------------
 * bump in place: the whole allocator is this struct plus the caller's buffer.
 * Treat the fields as private; they are public only so the struct can live in
 * static storage or on the stack.
 * ------------------------------------------------------------------------- */
typedef struct al_bump {
    al_allocator handle; /* what al_bump_init returns; handle.state == this struct */
    uintptr_t base;      /* first byte of the buffer */
    al_region *region;   /* the bump space: &handle.region (the front end
                            bumps it inline), or &own when every call must
                            reach the backend (a checker's marks); top is the
                            next free byte, base <= top <= end at all times */
    al_region own;
    uintptr_t mark;      /* position of the newest live mark, 0 when none */
    uintptr_t grown_start, grown_end; /* blocks from before that mark grown in
                            place past it (see src/backends/bumpstep.h) */
    void *heap;          /* what destroy frees: the instance itself when the
                            registry made it, NULL for al_bump_init */
} al_bump;

/** Make `b` a bump allocator over buf[0, size) and return its handle (which
 *  points into `b`). Needs no heap; the buffer stays the caller's, and
 *  al_destroy on the handle releases nothing. `b` and `buf` must outlive
 *  every use of the handle. NULL when b is NULL, buf is NULL with a
 *  non-zero size, or the buffer ends past AL_REGION_END_MAX (the last
 *  4 KiB of the address space). */
AL_API al_allocator *al_bump_init(al_bump *b, void *buf, size_t size);

/** Bytes handed out so far by a bump allocator (alignment padding included);
 *  0 when `a` is not a bump allocator. */
AL_API size_t al_bump_used(const al_allocator *a);

/** Bytes still free at the top of a bump allocator (a request may need
 *  fewer than this for alignment padding); 0 when `a` is not one. */
AL_API size_t al_bump_remaining(const al_allocator *a);

/* ----------------------------------------------------------------------------
 * Inline fast paths for bump and arena. A caller that keeps one of these
 * allocators in a hot loop can skip the vtable: find the instance once
 * (al_bump_of / al_arena_of, out of line), then allocate with the static
 * inline call below, which bumps in place and calls out of line only when
 * the region is spent or the request is unusual (size 0, a bad alignment).
 * Results are exactly those of al_allocate / al_deallocate on the same
 * instance, and the two may be mixed freely. The inline calls assume the
 * instance is not used by another thread at the same time (neither
 * backend is thread-safe anyway). The allocation bumps the handle's region
 * (allocator.h), as al_allocate does: an instance that marks its memory
 * for a checker has none, so its allocations always reach the backend.
 * Under AddressSanitizer both calls always take the out-of-line path; under
 * Valgrind's memcheck a block given back by the inline free is not marked
 * inaccessible (use al_deallocate there).
 * ------------------------------------------------------------------------- */
#if defined(__SANITIZE_ADDRESS__)
#define AL_INLINE_FAST 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AL_INLINE_FAST 0
#endif
#endif
#ifndef AL_INLINE_FAST
#define AL_INLINE_FAST 1
#endif

/** The bump allocator `a` itself (made by the registry or al_bump_init),
 *  or NULL when `a` is anything else (wrappers are not looked through:
 *  their calls must go through their own vtable). */
AL_API al_bump *al_bump_of(al_allocator *a);
/** al_allocate on the bump's handle, out of line. */
AL_API void *al_bump_alloc_slow(al_bump *b, size_t size, size_t align);

/** al_allocate(&b->handle, size, align), the common case inline. */
static inline void *al_bump_alloc_inline(al_bump *b, size_t size, size_t align)
{
    al_region *g = &b->handle.region;
    uintptr_t p = (g->top + align - 1) & ~(uintptr_t)(align - 1), end = g->end;
    if (AL_INLINE_FAST && al_is_pow2(align) && align <= AL_MAX_REQUIRED_ALIGN && p <= end && size - 1 < end - p) {
        g->top = p + size; /* size - 1 wraps for 0: size 0 goes out of line */
        return (void *)p;
    }
    return al_bump_alloc_slow(b, size, align);
}

/** al_deallocate(&b->handle, ptr, size, align) out of line. */
AL_API void al_bump_free_slow(al_bump *b, void *ptr, size_t size);

/** al_deallocate(&b->handle, ptr, size, align): the newest block rolls the
 *  top back; any other is a no-op. */
static inline void al_bump_free_inline(al_bump *b, void *ptr, size_t size)
{
    /* As al_deallocate on a handle with a region: only the newest block
     * goes back (size 0 and NULL change nothing, as there). b->region is
     * the bump space also when the handle has none (an instance that marks
     * its memory for memcheck keeps it private): there the block goes back
     * to it unmarked. */
    if (!AL_INLINE_FAST) {
        al_bump_free_slow(b, ptr, size);
        return;
    }
    al_region *g = b->region;
    if ((uintptr_t)ptr + size == g->top && ptr) g->top = (uintptr_t)ptr;
}

/* The public head of an arena instance: its handle, and where the bump
 * space left in its newest chunk is (both 0 before the first chunk): the
 * handle's region, or a private one when the arena marks its memory for a
 * checker (the handle's stays {0, 0}). Treat the fields as private. */
typedef struct al_arena {
    al_allocator handle;
    al_region *region; /* the bump space: &handle.region, or a private one */
} al_arena;

/** The arena `a` itself, or NULL when `a` is anything else (wrappers are not
 *  looked through). */
AL_API al_arena *al_arena_of(al_allocator *a);
/** al_allocate on the arena's handle, out of line (a new chunk when the
 *  newest is spent). */
AL_API void *al_arena_alloc_slow(al_arena *r, size_t size, size_t align);

/** al_allocate(&r->handle, size, align), the common case inline. */
static inline void *al_arena_alloc_inline(al_arena *r, size_t size, size_t align)
{
    al_region *g = &r->handle.region;
    uintptr_t p = (g->top + align - 1) & ~(uintptr_t)(align - 1), end = g->end;
    if (AL_INLINE_FAST && al_is_pow2(align) && align <= AL_MAX_REQUIRED_ALIGN && p <= end && size - 1 < end - p) {
        g->top = p + size; /* as in al_bump_alloc_inline */
        return (void *)p;
    }
    return al_arena_alloc_slow(r, size, align);
}

/** al_deallocate(&r->handle, ptr, size, align) out of line. */
AL_API void al_arena_free_slow(al_arena *r, void *ptr, size_t size);

/** al_deallocate(&r->handle, ptr, size, align): as al_bump_free_inline. */
static inline void al_arena_free_inline(al_arena *r, void *ptr, size_t size)
{
    if (!AL_INLINE_FAST) {
        al_arena_free_slow(r, ptr, size);
        return;
    }
    al_region *g = r->region;
    if ((uintptr_t)ptr + size == g->top && ptr) g->top = (uintptr_t)ptr;
}

/* ----------------------------------------------------------------------------
 * The library behind a production backend, called directly: its plain
 * malloc and free, as a C program linked against it would call them. For
 * measuring what the adapter and the front end add (glibc-simple/<size>-direct).
 * ------------------------------------------------------------------------- */
typedef struct al_library_fns {
    void *(*malloc)(size_t size);
    void (*free)(void *ptr);
} al_library_fns;

/** Fill *out for backend `name` ("sys", "je", "mi", "tc"; loading the
 *  library if needed); false for any other name, or when the library is
 *  unavailable. */
AL_API bool al_library_calls(const char *name, al_library_fns *out);

/* ----------------------------------------------------------------------------
 * arena counters (0 when `a` is not an arena).
 * ------------------------------------------------------------------------- */

/** How many chunks the arena holds from its backing allocator right now. */
AL_API size_t al_arena_chunk_count(const al_allocator *a);

/** How many bytes the arena holds from its backing allocator right now
 *  (chunk headers included). */
AL_API size_t al_arena_allocated_bytes(const al_allocator *a);

/* ----------------------------------------------------------------------------
 * pool counters (0 when `a` is not a pool).
 * ------------------------------------------------------------------------- */

/** The largest request (after rounding up to its alignment) a pool serves
 *  from its own size classes; larger ones go to the backing allocator. */
#define AL_POOL_MAX_SMALL 1024u

/** Bytes of every page of a pool. */
#define AL_POOL_PAGE_SIZE 65536u

/** How many pages the pool holds from its backing allocator right now. */
AL_API size_t al_pool_page_count(const al_allocator *a);

/* ----------------------------------------------------------------------------
 * sbrk counters (0 when `a` is not an sbrk allocator).
 * ------------------------------------------------------------------------- */

/** Bytes the instance holds from the program break right now (counted
 *  against its capacity). */
AL_API size_t al_sbrk_taken(const al_allocator *a);

/** How many regions of the break it holds in its chain: a new one starts
 *  each time something else (malloc) moved the break in between; rewind and
 *  reset drop them again. */
AL_API size_t al_sbrk_region_count(const al_allocator *a);

#ifdef __cplusplus
}
#endif
#endif
