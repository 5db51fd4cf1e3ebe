/* The tests' tiny fixed-capacity bump allocator (see tiny_alloc.h). */
#include "tiny_alloc.h"

#include <stdlib.h>

static void *tiny_allocate(void *st, size_t size, size_t align)
{
    tiny_alloc *t = st;
    t->calls++;
    uintptr_t base = (uintptr_t)t->buf + t->used;
    size_t pad = (align - base % align) % align;
    if (pad > t->cap - t->used || size > t->cap - t->used - pad) return NULL;
    t->last = t->buf + t->used + pad;
    t->used += pad + size;
    t->live++;
    return t->last;
}

static void tiny_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    tiny_alloc *t = st;
    (void)align;
    t->calls++;
    t->live--;
    if (ptr == t->last && t->last + size == t->buf + t->used) {
        t->used = (size_t)(t->last - t->buf);
        t->last = NULL;
    }
}

static void *tiny_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    tiny_alloc *t = st;
    if (ptr == t->last && t->last + old_size == t->buf + t->used) {
        t->calls++;
        if (new_size - old_size > t->cap - t->used) return NULL;
        t->used += new_size - old_size;
        return ptr;
    }
    void *p = tiny_allocate(st, new_size, align); /* counts the call */
    if (p) {
        memcpy(p, ptr, old_size);
        t->live--; /* the old block is given up (a bump never reuses it) */
    }
    return p;
}

static void *tiny_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    tiny_alloc *t = st;
    (void)align;
    t->calls++;
    if (ptr == t->last && t->last + old_size == t->buf + t->used) t->used -= old_size - new_size;
    return ptr;
}

static void tiny_reset(void *st)
{
    tiny_alloc *t = st;
    t->calls++;
    t->used = 0;
    t->last = NULL;
    t->live = 0;
}

static bool tiny_mark(void *st, al_mark *out)
{
    tiny_alloc *t = st;
    t->calls++;
    *out = (al_mark){.chunk = t->buf, .offset = t->used};
    return true;
}

static void tiny_rewind(void *st, const al_mark *m)
{
    tiny_alloc *t = st;
    t->calls++;
    t->used = m->offset;
    t->last = NULL;
}

static const al_vtable tiny_vt = {
    .allocate = tiny_allocate,
    .deallocate = tiny_deallocate,
    .grow = tiny_grow,
    .shrink = tiny_shrink,
    .reset = tiny_reset,
    .mark = tiny_mark,
    .rewind = tiny_rewind,
    .destroy = free,
};

al_allocator *tiny_new(size_t cap)
{
    tiny_alloc *t = malloc(sizeof *t + cap);
    if (!t) return NULL;
    *t = (tiny_alloc){.buf = (unsigned char *)(t + 1), .cap = cap};
    t->a = (al_allocator){.state = t, .vt = &tiny_vt,
                          .caps = AL_CAP_RESET | AL_CAP_FIXED_CAPACITY | AL_CAP_MARKS};
    return &t->a;
}
