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
    uintptr_t top;       /* next free byte: base <= top <= end at all times */
    uintptr_t end;       /* one past the last byte of the buffer */
    uintptr_t mark;      /* position of the newest live mark, 0 when none */
    uintptr_t grown_start, grown_end; /* blocks from before that mark grown in
                            place past it (see src/backends/bumpstep.h) */
    void *heap;          /* what destroy frees: the instance itself when the
                            registry made it, NULL for al_bump_init */
} al_bump;

/** Make `b` a bump allocator over buf[0, size) and return its handle (which
 *  points into `b`). Needs no heap; the buffer stays the caller's, and
 *  al_destroy on the handle releases nothing. `b` and `buf` must outlive
 *  every use of the handle. NULL when b is NULL, or buf is NULL with a
 *  non-zero size. */
AL_API al_allocator *al_bump_init(al_bump *b, void *buf, size_t size);

/** Bytes handed out so far by a bump allocator (alignment padding included);
 *  0 when `a` is not a bump allocator. */
AL_API size_t al_bump_used(const al_allocator *a);

/** Bytes still free at the top of a bump allocator (a request may need
 *  fewer than this for alignment padding); 0 when `a` is not one. */
AL_API size_t al_bump_remaining(const al_allocator *a);

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
