/* locked: one mutex around every call to inner, which makes any allocator
 * safe to share between threads (at the cost of serialising it).
 *
 * Every operation takes the lock, calls inner through the front end and
 * releases it; nothing else is done, so behaviour is inner's. The mutex is
 * fork-safe (al_fork_mutex): a child forked while another thread is inside a
 * call starts with it released and inner consistent. */
#include "wrapper.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct locked {
    al_wrapper_base base; /* first: the state pointer is the instance */
    al_fork_mutex lock;   /* held for the whole of each inner call */
} locked;

#define LOCKED(st) ((locked *)(st))
#define INNER(st) (LOCKED(st)->base.inner)
#define LOCK(st) pthread_mutex_lock(&LOCKED(st)->lock.mu)
#define UNLOCK(st) pthread_mutex_unlock(&LOCKED(st)->lock.mu)

/* ----------------------------------------------------------------------------
 * The operations: lock, pass through, unlock.
 * ------------------------------------------------------------------------- */
static void *lk_allocate(void *st, size_t size, size_t align)
{
    LOCK(st);
    void *p = al_allocate(INNER(st), size, align);
    UNLOCK(st);
    return p;
}

static void lk_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    LOCK(st);
    al_deallocate(INNER(st), ptr, size, align);
    UNLOCK(st);
}

static void *lk_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    LOCK(st);
    void *p = al_grow(INNER(st), ptr, old_size, new_size, align);
    UNLOCK(st);
    return p;
}

static void *lk_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    LOCK(st);
    void *p = al_shrink(INNER(st), ptr, old_size, new_size, align);
    UNLOCK(st);
    return p;
}

static void *lk_zeroed(void *st, size_t size, size_t align)
{
    LOCK(st);
    void *p = al_allocate_zeroed(INNER(st), size, align);
    UNLOCK(st);
    return p;
}

static void lk_reset(void *st)
{
    LOCK(st);
    al_reset(INNER(st));
    UNLOCK(st);
}

static size_t lk_usable(void *st, const void *ptr, size_t size, size_t align)
{
    LOCK(st);
    size_t n = al_usable_size(INNER(st), ptr, size, align);
    UNLOCK(st);
    return n;
}

static bool lk_mark(void *st, al_mark *out)
{
    LOCK(st);
    bool ok = al_mark_get(INNER(st), out);
    UNLOCK(st);
    return ok;
}

static void lk_rewind(void *st, const al_mark *m)
{
    LOCK(st);
    al_rewind(INNER(st), m);
    UNLOCK(st);
}

/* Destroying is not locked: no other call may run during or after it. */
void al_locked_destroy(void *st) { al_wrapper_release(st, &LOCKED(st)->lock); }

static const al_vtable locked_vt = {
    .allocate = lk_allocate,
    .deallocate = lk_deallocate,
    .grow = lk_grow,
    .shrink = lk_shrink,
    .allocate_zeroed = lk_zeroed,
    .reset = lk_reset,
    .usable_size = lk_usable,
    .mark = lk_mark,
    .rewind = lk_rewind,
    .destroy = al_locked_destroy,
};

static al_allocator *locked_wrap(al_allocator *inner, const al_options *opts)
{
    (void)opts;
    locked *w = al_wrapper_alloc(sizeof *w, _Alignof(locked), inner, "locked");
    if (!w || !al_wrapper_init_mutex(w, &w->lock, "locked")) return NULL;
    al_wrapper_setup(&w->base, &locked_vt, inner, AL_CAP_THREAD_SAFE);
    return &w->base.self;
}

const al_wrapper_desc al_wrapper_locked = {
    .name = "locked",
    .description = "a mutex around every call: makes any allocator thread-safe",
    .wrap = locked_wrap,
};
