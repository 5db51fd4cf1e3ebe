/* See counting_backing.h. */
#include "counting_backing.h"

#include <stdlib.h>

static void *cb_allocate(void *st, size_t size, size_t align)
{
    counting_backing *c = st;
    if ((c->fail_after && c->allocs >= c->fail_after) || c->live_blocks == COUNTING_MAX_LIVE) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) != 0) return NULL;
    c->live[c->live_blocks].ptr = p;
    c->live[c->live_blocks].size = size;
    c->live[c->live_blocks].align = align;
    c->live_blocks++;
    c->live_bytes += size;
    c->allocs++;
    c->last_size = size;
    return p;
}

static void cb_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    counting_backing *c = st;
    c->frees++;
    for (size_t i = 0; i < c->live_blocks; i++) {
        if (c->live[i].ptr != ptr) continue;
        if (c->live[i].size != size || c->live[i].align != align) c->mismatches++;
        c->live_bytes -= c->live[i].size;
        c->live[i] = c->live[--c->live_blocks];
        free(ptr);
        return;
    }
    c->mismatches++; /* never given: leave it alone */
}

static const al_vtable cb_vt = {.allocate = cb_allocate, .deallocate = cb_deallocate};

al_allocator *counting_backing_init(counting_backing *c)
{
    memset(c, 0, sizeof *c);
    c->handle = (al_allocator){.state = c, .vt = &cb_vt, .caps = AL_CAP_FREES};
    return &c->handle;
}

al_allocator *counting_backing_create(counting_backing *c, const char *spec, size_t capacity)
{
    al_options o = {.capacity = capacity, .backing = counting_backing_init(c)};
    return al_create(spec, &o);
}
