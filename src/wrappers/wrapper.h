/* Internal: the part every built-in wrapper shares.
 *
 * A wrapper instance is one libc block that starts with al_wrapper_base: the
 * handle it gives out, its own copy of the operations and the inner allocator
 * it owns. The vtable is per instance because which optional operations exist
 * depends on inner (see al_wrapper_setup). */
#ifndef ALLOCLAB_WRAPPER_H
#define ALLOCLAB_WRAPPER_H

#include "internal.h"
#include "alloclab/wrappers.h"

typedef struct al_wrapper_base {
    al_allocator self;     /* the handle handed out: self.state == this, self.vt == &vt */
    al_vtable vt;          /* this instance's operations */
    al_allocator *inner;   /* owned; destroyed with the wrapper */
} al_wrapper_base;

/** Fill b for `inner` from the template `tmpl` (which sets every operation):
 *  reset, mark and rewind are kept only where inner has them, the other
 *  optional operations always (they reach inner through the front end and
 *  its fallbacks). caps = inner's | add_caps. */
void al_wrapper_setup(al_wrapper_base *b, const al_vtable *tmpl, al_allocator *inner, unsigned add_caps);

/** A zeroed libc block of `size` bytes for a new `name` wrapper over inner,
 *  or NULL with the error set (inner NULL, out of memory). */
void *al_wrapper_alloc(size_t size, al_allocator *inner, const char *name);

/* The destroy operations of the built-in wrappers: a handle whose vt->destroy
 * is one of them is an al_wrapper_base (that is how al_wrapper_inner knows). */
void al_verbose_destroy(void *st);
void al_stats_destroy(void *st);
void al_locked_destroy(void *st);

#endif
