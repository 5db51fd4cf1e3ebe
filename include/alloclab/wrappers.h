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

/** The allocator a built-in wrapper (verbose, stats, locked) wraps, or NULL
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

#ifdef __cplusplus
}
#endif
#endif
