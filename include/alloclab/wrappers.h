/* alloclab — the wrappers: decorators over any allocator.
 *
 * A wrapper is made by name through the registry ("verbose:stats:arena"), or
 * by al_wrapper_find("stats")->wrap(inner, opts). It owns its inner
 * allocator: destroying the wrapper destroys inner. Every operation passes
 * through, and calling an operation through a wrapper behaves exactly as
 * calling it on inner: reset, mark and rewind are present only where inner
 * has them (al_reset() answers false through the wrapper when it would on
 * inner); grow, shrink, allocate_zeroed and usable_size always pass through
 * the front end, so inner's generic fallbacks apply as they would without the
 * wrapper (and the wrapper sees one call).
 *
 *   verbose:X  logs one line per call, without allocating, to opts->log (a
 *              FILE *, flushed before each line, then written to its fileno)
 *              or opts->log_fd when > 0, default stderr. Each line is written
 *              with one write(2). The format, stable:
 *                [alloclab] allocate(size=4, align=4) -> 0x5581a3c1000 (35 ns)
 *                [alloclab] allocate_zeroed(size=4, align=4) -> NULL (20 ns)
 *                [alloclab] deallocate(0x5581a3c1000, size=4, align=4) (12 ns)
 *                [alloclab] grow(0x5581a3c1000, 8 -> 16, align=4) -> 0x5581a3c1000 (40 ns)
 *                [alloclab] shrink(0x5581a3c1000, 16 -> 8, align=4) -> 0x5581a3c1000 (9 ns)
 *                [alloclab] usable_size(0x5581a3c1000, size=4, align=4) -> 24 (8 ns)
 *                [alloclab] reset() (30 ns)
 *                [alloclab] mark() -> ok (5 ns)        ("-> failed" when it fails)
 *                [alloclab] rewind() (7 ns)
 *                [alloclab] destroy() (900 ns)
 *              Pointers are lower-case hex with 0x; times are CLOCK_MONOTONIC
 *              nanoseconds around the inner call. Caps: inner's.
 *   stats:X    exact counters (al_stats below), atomic: thread-safe whenever
 *              inner is. Caps: inner's.
 *   locked:X   one pthread mutex around every call. Caps: inner's plus
 *              AL_CAP_THREAD_SAFE.
 *   checked:X  verifies the caller's side of the sized contract (below):
 *              every block carries 16 canary bytes after it (inner gets
 *              requests 16 bytes larger), and over an inner that frees,
 *              freed blocks are poisoned and held in a quarantine (up to
 *              1024 blocks or 8 MiB) before inner gets them back. Each
 *              misuse is one finding; a misused call is not passed on.
 *              usable_size answers exactly the size asked for. Caps:
 *              inner's; thread-safe when inner is (one mutex inside).
 *
 * Every mutex a wrapper holds is taken across fork() (pthread_atfork) and
 * released in parent and child: a child never inherits one held.
 */
#ifndef ALLOCLAB_WRAPPERS_H
#define ALLOCLAB_WRAPPERS_H

#include <stdint.h>
#include <stdio.h>
#include "allocator.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The allocator a built-in wrapper (verbose, stats, locked, checked) wraps, or NULL
 *  when `a` is NULL or not one of them (a backend, a user's own wrapper). */
AL_API al_allocator *al_wrapper_inner(al_allocator *a);

/* ----------------------------------------------------------------------------
 * stats: what a stats: layer counted. A call is counted once it returns.
 * Sizes are the sizes the caller asked for (not usable sizes).
 * ------------------------------------------------------------------------- */
#define AL_STATS_BUCKETS 64

typedef struct al_stats {
    uint64_t allocs;          /* allocate calls, successful or not */
    uint64_t zeroed;          /* allocate_zeroed calls, successful or not */
    uint64_t deallocs;        /* deallocate calls (shrinks to size 0 included) */
    uint64_t grows;           /* grow calls, successful or not */
    uint64_t shrinks;         /* shrink calls, successful or not */
    uint64_t resets;          /* reset calls */
    uint64_t marks;           /* mark calls */
    uint64_t rewinds;         /* rewind calls */
    uint64_t failed;          /* allocate/zeroed/grow/shrink/mark calls that gave NULL/false */
    uint64_t bytes_requested; /* sum of `size` over allocate and zeroed calls plus
                                 new_size - old_size over grow calls, failed ones included */
    uint64_t live_bytes;      /* bytes in blocks handed out and not given back */
    uint64_t live_blocks;     /* blocks handed out and not given back */
    uint64_t peak_bytes;      /* the highest live_bytes seen */
    uint64_t peak_blocks;     /* the highest live_blocks seen */
    /** Sizes of allocate, zeroed and grow (new_size) calls: bucket k counts
     *  sizes in [2^k, 2^(k+1)); bucket 0 also counts size 0 (never reached by
     *  the front end, which answers size 0 itself). */
    uint64_t histogram[AL_STATS_BUCKETS];
} al_stats;

/* Live figures: a reset sets them to 0; a rewind sets them back to what they
 * were when its mark was taken (exact when no block older than the mark is
 * given back in between, the usual scoped use; the 16 newest marks are
 * remembered, an older one leaves them as they are). They never go below 0. */

/** Copy the counters of the outermost stats: layer in a's wrapper chain
 *  (a itself or any inner reached through al_wrapper_inner) into *out.
 *  False (and *out untouched) when there is none. Each counter is read
 *  atomically; the set is a consistent snapshot only when no call runs. */
AL_API bool al_stats_get(al_allocator *a, al_stats *out);

/** Zero the counters of that stats: layer: call counts, bytes requested and
 *  histogram; the live figures stay (they describe blocks still out) and the
 *  peaks become the current live figures. No-op when there is none. */
AL_API void al_stats_clear(al_allocator *a);

/** A readable summary of *s on f (calls, bytes, live and peak, the non-empty
 *  histogram buckets). The number of characters written, or -1 on error. */
AL_API int al_stats_print(FILE *f, const al_stats *s);

/* ----------------------------------------------------------------------------
 * checked: what it finds. Each finding is one line, for example
 *   alloclab checked: wrong size: deallocate(0x55d0c1a2b010, size=24, align=8): block 0x55d0c1a2b010 has size 32, not 24 (align 8)
 *   alloclab checked: double free: deallocate(0x55d0c1a2b010, size=32, align=8): block 0x55d0c1a2b010 of size 32 (align 8) was already freed
 *   alloclab checked: overflow: grow(0x55d0c1a2b010, 32 -> 64, align=8): block 0x55d0c1a2b010 of size 32 (align 8) was written past its end, at offset 32
 * By default the line goes to stderr (one write) and the process aborts;
 * leaks are all listed, then a total line, then abort. With a handler set,
 * the handler gets every finding instead and decides (it may record and
 * return); the misused call is then dropped: a bad free does nothing, a bad
 * grow or shrink returns NULL with the block untouched.
 * ------------------------------------------------------------------------- */
typedef enum al_checked_kind {
    AL_CHECKED_DOUBLE_FREE = 1,  /* a block freed twice (while in quarantine) */
    AL_CHECKED_WRONG_SIZE,       /* free/grow/shrink/usable_size with another size */
    AL_CHECKED_WRONG_ALIGN,      /* ... with another alignment */
    AL_CHECKED_UNKNOWN_POINTER,  /* a pointer it never handed out (or freed long ago) */
    AL_CHECKED_OVERFLOW,         /* the canary after a block changed */
    AL_CHECKED_USE_AFTER_FREE,   /* a quarantined block's poison changed */
    AL_CHECKED_LEAK,             /* a block still live at destroy (inner frees) */
    AL_CHECKED_STALE_MARK,       /* a rewind to a mark it does not hold */
    AL_CHECKED_INNER_FAULT,      /* inner handed out a block still live or held */
} al_checked_kind;

typedef struct al_checked_finding {
    al_checked_kind kind;
    const char *op;              /* "deallocate", "grow", "shrink", "usable_size",
                                    "allocate", "rewind", "destroy", ... */
    const void *ptr;             /* the block (NULL for a stale mark) */
    size_t size, align;          /* what the call said (the block's own for
                                    overflow, use after free, leak) */
    size_t expected_size;        /* what the block has; 0 when unknown */
    size_t expected_align;
    size_t offset;               /* overflow, use after free: the first changed
                                    byte, from the block's start */
    const char *line;            /* the whole line, no newline; valid during
                                    the handler's call only */
} al_checked_finding;

typedef void (*al_checked_handler)(const al_checked_finding *f, void *ctx);

/** Send every checked: finding of the process to fn(f, ctx) instead of
 *  stderr + abort(); NULL restores the default. The handler runs with the
 *  reporting instance's lock held: it must not call that instance. */
AL_API void al_checked_set_handler(al_checked_handler fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
