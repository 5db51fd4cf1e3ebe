/* The front end's out-of-line part (al_allocate_rare), the generic
 * fallbacks for the optional operations of al_vtable, and the front end's
 * limit on requests the machine cannot back. */
#include "alloclab/allocator.h"

#include <stdatomic.h>
#include <sys/sysinfo.h>

/* What al_allocate does not decide inline: the same rules, for any request. */
void *al_allocate_rare(al_allocator *a, size_t size, size_t align)
{
    if (!al_is_pow2(align) || !al_size_ok(size, align)) return NULL;
    if (size == 0) return al_dangling(align);
    return a->vt->allocate(a->state, size, align);
}

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

/* ----------------------------------------------------------------------------
 * The backable limit: physical memory plus swap, read once. Computing it
 * twice in a race gives the same value, so a relaxed atomic suffices; 0
 * means "not read yet".
 * ------------------------------------------------------------------------- */
static _Atomic size_t backable_limit;

size_t al_backable_limit(void)
{
    size_t v = atomic_load_explicit(&backable_limit, memory_order_relaxed);
    if (v) return v;
    struct sysinfo si;
    v = AL_MAX_SIZE;
    if (sysinfo(&si) == 0 && si.mem_unit > 0) {
        unsigned long long units = (unsigned long long)si.totalram + si.totalswap;
        if (units != 0 && units <= AL_MAX_SIZE / si.mem_unit) v = (size_t)(units * si.mem_unit);
    }
    atomic_store_explicit(&backable_limit, v, memory_order_relaxed);
    return v;
}

bool al_request_backable(size_t size, size_t align)
{
    size_t limit = al_backable_limit();
    return size <= AL_MAX_SIZE && size <= limit && align <= limit;
}
