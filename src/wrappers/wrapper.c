/* The part every built-in wrapper shares: setting up an instance's
 * operations from inner's, and finding the inner of a wrapper. */
#include "wrapper.h"

#include <stdlib.h>

void *al_wrapper_alloc(size_t size, al_allocator *inner, const char *name)
{
    if (inner == NULL) {
        al_set_error("%s: no allocator to wrap", name);
        return NULL;
    }
    void *w = calloc(1, size);
    if (!w) al_set_error("out of memory creating '%s'", name);
    return w;
}

void al_wrapper_setup(al_wrapper_base *b, const al_vtable *tmpl, al_allocator *inner, unsigned add_caps)
{
    b->vt = *tmpl;
    /* The front end has no fallback for these: absent on inner, absent here,
     * so al_reset()/al_mark_get()/al_rewind() answer as inner would. */
    if (!inner->vt->reset) b->vt.reset = NULL;
    if (!inner->vt->mark) b->vt.mark = NULL;
    if (!inner->vt->rewind) b->vt.rewind = NULL;
    b->inner = inner;
    b->self = (al_allocator){.state = b, .vt = &b->vt, .caps = inner->caps | add_caps};
}

al_allocator *al_wrapper_inner(al_allocator *a)
{
    if (a == NULL || a->vt == NULL) return NULL;
    void (*d)(void *) = a->vt->destroy;
    if (d != al_verbose_destroy && d != al_stats_destroy && d != al_locked_destroy) return NULL;
    return ((al_wrapper_base *)a->state)->inner;
}
