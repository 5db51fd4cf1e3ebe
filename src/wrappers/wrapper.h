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

#include <pthread.h>

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

/** A zeroed libc block of `size` bytes aligned to `align` (a power of two,
 *  the instance type's _Alignof) for a new `name` wrapper over inner, or
 *  NULL with the error set (inner NULL, out of memory). Freed with free(). */
void *al_wrapper_alloc(size_t size, size_t align, al_allocator *inner, const char *name);

/** Initialise the fork-safe mutex m inside the new wrapper block w (see
 *  al_fork_mutex). On failure frees w, sets the error and returns false
 *  (inner stays the caller's). */
bool al_wrapper_init_mutex(void *w, al_fork_mutex *m, const char *name);

/** Release a wrapper instance st: destroy its inner, then the mutex m inside
 *  it (none when NULL), then its block. */
void al_wrapper_release(void *st, al_fork_mutex *m);

/* The destroy operations of the built-in wrappers: a handle whose vt->destroy
 * is one of them is an al_wrapper_base (that is how al_wrapper_inner knows). */
void al_verbose_destroy(void *st);
void al_stats_destroy(void *st);
void al_locked_destroy(void *st);
void al_checked_destroy(void *st);

#endif
