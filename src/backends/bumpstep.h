/* The bump step shared by bump, arena and sbrk.
 *
 * A bump region is two addresses, top <= end, held as integers so that no
 * out-of-range pointer is ever formed. Taking a block checks the padding and
 * the size against the room left (end - top) before any addition, so it can
 * neither overflow nor step past end whatever the size or alignment. Only the
 * newest block (the one ending at top) can be given back or resized in place.
 */
#ifndef ALLOCLAB_BUMPSTEP_H
#define ALLOCLAB_BUMPSTEP_H

#include <stddef.h>
#include <stdint.h>

/* A block of `size` bytes aligned to `align` (a power of two) from
 * [*top, end), advancing *top past it; NULL (and *top unchanged) when it
 * does not fit. */
static inline void *al_bump_take(uintptr_t *top, uintptr_t end, size_t size, size_t align)
{
    uintptr_t t = *top;
    uintptr_t room = end - t;
    uintptr_t pad = -t & (align - 1);
    if (pad > room || size > room - pad) return NULL;
    *top = t + pad + size;
    return (void *)(t + pad);
}

/* Whether the block ptr[0, size) is the newest one of the region. */
static inline int al_bump_is_newest(uintptr_t top, const void *ptr, size_t size)
{
    return (uintptr_t)ptr + size == top;
}

/* Give back ptr[0, size): when it is the newest block the top rolls back to
 * it and 1 is returned; otherwise 0 and nothing changes (its bytes stay spent
 * until a reset or rewind). */
static inline int al_bump_give_back(uintptr_t *top, void *ptr, size_t size)
{
    if (!al_bump_is_newest(*top, ptr, size)) return 0;
    *top = (uintptr_t)ptr;
    return 1;
}

/* Resize the newest block ptr[0, old_size) to new_size in place; 0 (and
 * nothing changed) when it is not the newest or the room is short. */
static inline int al_bump_resize_newest(uintptr_t *top, uintptr_t end, void *ptr, size_t old_size,
                                        size_t new_size)
{
    uintptr_t p = (uintptr_t)ptr;
    if (p + old_size != *top || new_size > end - p) return 0;
    *top = p + new_size;
    return 1;
}

/* ----------------------------------------------------------------------------
 * Marks and growth in place. A mark is a position; a rewind to it frees every
 * block allocated since by moving the top back there. But a block from
 * before the mark that is the newest can grow in place after it, past the
 * mark's position: moving the top back to the mark would hand its tail out
 * again. So each region keeps the span [*start, *end) of the blocks that
 * began below the newest mark's position and grew in place past it, merged
 * (*end == 0: none), and a rewind to position pos moves the top to
 *   - pos, when pos <= *start: every such block began at or above pos, so it
 *     was allocated after the mark and the rewind frees it; the span is
 *     cleared;
 *   - max(pos, *end) otherwise: the grown blocks keep every byte.
 * The second case may keep bytes the rewind could have freed (a block that
 * straddled a later mark and began after an earlier one, when rewinding to
 * the earlier), never the reverse. A block that began at or above the newest
 * mark needs no record: any rewind that reaches it frees it whole.
 * ------------------------------------------------------------------------- */

/* After the block ptr grew in place to end at new_end, with the newest mark
 * of its region at position `mark` (0: none). */
static inline void al_bump_grown(uintptr_t *start, uintptr_t *end, uintptr_t mark, const void *ptr,
                                 uintptr_t new_end)
{
    uintptr_t p = (uintptr_t)ptr;
    if (p >= mark) return;
    if (*end == 0 || p < *start) *start = p;
    if (new_end > *end) *end = new_end;
}

/* The top a rewind to position pos leaves, updating the span as above. */
static inline uintptr_t al_bump_rewind_top(uintptr_t *start, uintptr_t *end, uintptr_t pos)
{
    if (*end == 0 || pos <= *start) {
        *start = *end = 0;
        return pos;
    }
    return pos > *end ? pos : *end;
}

#endif
