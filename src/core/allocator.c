/* Generic fallbacks for the optional operations of al_vtable. */
#include "alloclab/allocator.h"

void *al_grow_fallback(al_allocator *a, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    void *p = a->vt->allocate(a->state, new_size, align);
    if (p == NULL) return NULL; /* the old block stays the caller's */
    memcpy(p, ptr, old_size);
    a->vt->deallocate(a->state, ptr, old_size, align);
    return p;
}

void *al_zeroed_fallback(al_allocator *a, size_t size, size_t align)
{
    void *p = a->vt->allocate(a->state, size, align);
    if (p != NULL) memset(p, 0, size);
    return p;
}
