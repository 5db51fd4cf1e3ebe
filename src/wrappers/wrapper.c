/* The part every built-in wrapper shares: setting up an instance's
 * operations from inner's, and finding the inner of a wrapper. */
#include "wrapper.h"

#include <stdlib.h>

void *al_wrapper_alloc(size_t size, size_t align, al_allocator *inner, const char *name)
{
    if (inner == NULL) {
        al_set_error("%s: no allocator to wrap", name);
        return NULL;
    }
    void *w = NULL;
    if (align <= AL_MALLOC_ALIGN) w = calloc(1, size);
    else if (posix_memalign(&w, align, size) == 0) memset(w, 0, size);
    else w = NULL;
    if (!w) al_set_error("out of memory creating '%s'", name);
    return w;
}

bool al_wrapper_init_mutex(void *w, al_fork_mutex *m, const char *name)
{
    if (al_fork_mutex_init(m)) return true;
    free(w);
    al_set_error("cannot create the mutex of '%s'", name);
    return false;
}

void al_wrapper_release(void *st, al_fork_mutex *m)
{
    al_destroy(((al_wrapper_base *)st)->inner);
    if (m) al_fork_mutex_destroy(m);
    free(st);
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
    if (d != al_verbose_destroy && d != al_stats_destroy && d != al_locked_destroy && d != al_checked_destroy)
        return NULL;
    return ((al_wrapper_base *)a->state)->inner;
}
