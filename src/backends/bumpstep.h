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

#endif
