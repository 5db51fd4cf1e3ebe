/* bump: the talk's ArenaAllocator — a fixed buffer and a pointer moving up.
 *
 * The buffer is the caller's (options buffer/buffer_size, or al_bump_init for
 * a bump with no heap at all) or the instance's own (option capacity, default
 * 1 MiB, allocated together with the instance). Allocation is one bounds
 * check and an add; NULL once the buffer is spent. Only the newest block is
 * really given back (the top rolls back to it) or resized in place; giving
 * back any other block is a no-op until reset or a rewind.
 *
 * A registry-made bump (its own buffer or one from options) marks what it has
 * not handed out, and what was given back, for ASan and memcheck (poison.h);
 * destroy marks a caller's buffer accessible again. A bump of al_bump_init
 * does not: its buffer (often on the stack) outlives it unannounced.
 */
#include "alloclab/backends.h"
#include "bumpstep.h"
#include "internal.h"
#include "poison.h"

#include <stdlib.h>

#define BUMP_DEFAULT_CAPACITY ((size_t)1 << 20)
#define BUMP_CAPS (AL_CAP_RESET | AL_CAP_FIXED_CAPACITY | AL_CAP_MARKS)

/* ----------------------------------------------------------------------------
 * Operations. Invariant: base <= top <= end; [base, top) is handed out (or
 * padding), [top, end) is free. top and end are *b->region: the handle's
 * own region, which the front end bumps inline (allocator.h), for every
 * instance except a registry-made one while a checker watches, whose calls
 * must all come here to be marked (its region is b->own, the handle's stays
 * {0, 0}).
 * ------------------------------------------------------------------------- */
#define MARKED(b) (al_checking() && (b)->heap != NULL) /* registry-made, and a checker watches */

/* Allocate and deallocate come in two versions, one per vtable: with the
 * marks, for a registry-made instance while a checker watches, and without,
 * for every other, so the hot calls test nothing for the checkers. */
static void *bump_allocate(void *st, size_t size, size_t align)
{
    al_bump *b = st;
    return al_bump_take(&b->region->top, b->region->end, size, align);
}

static void bump_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    al_bump *b = st;
    (void)align;
    al_bump_give_back(&b->region->top, ptr, size);
}

static void *bump_allocate_marked(void *st, size_t size, size_t align)
{
    void *p = bump_allocate(st, size, align);
    if (MARKED((al_bump *)st) && p) al_mem_undefined(p, size);
    return p;
}

static void bump_deallocate_marked(void *st, void *ptr, size_t size, size_t align)
{
    bump_deallocate(st, ptr, size, align);
    if (MARKED((al_bump *)st)) al_mem_noaccess(ptr, size);
}

/* The newest block grows in place; any other is copied to the top (and its
 * old bytes stay spent). A newest block that cannot grow in place cannot move
 * either: a new block would need even more room. */
static void *bump_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    al_bump *b = st;
    if (al_bump_resize_newest(&b->region->top, b->region->end, ptr, old_size, new_size)) {
        al_bump_grown(&b->grown_start, &b->grown_end, b->mark, ptr, b->region->top);
        if (MARKED(b)) al_mem_undefined((char *)ptr + old_size, new_size - old_size);
        return ptr;
    }
    if (al_bump_is_newest(b->region->top, ptr, old_size)) return NULL;
    void *p = bump_allocate_marked(b, new_size, align);
    if (p) {
        memcpy(p, ptr, old_size);
        if (MARKED(b)) al_mem_noaccess(ptr, old_size);
    }
    return p;
}

static void *bump_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    al_bump *b = st;
    (void)align;
    al_bump_resize_newest(&b->region->top, b->region->end, ptr, old_size, new_size);
    if (MARKED(b)) al_mem_noaccess((char *)ptr + new_size, old_size - new_size);
    return ptr;
}

static void bump_reset(void *st)
{
    al_bump *b = st;
    if (MARKED(b)) al_mem_noaccess((void *)b->base, b->region->top - b->base);
    b->region->top = b->base;
    b->mark = b->grown_start = b->grown_end = 0;
}

/* A mark is the buffer's base and the offset of the top. A mark from another
 * instance, or one above the current top (taken before a reset or an earlier
 * rewind), is refused by rewind and changes nothing. A block from before the
 * mark grown in place since keeps its bytes (bumpstep.h). */
static bool bump_mark(void *st, al_mark *out)
{
    al_bump *b = st;
    *out = (al_mark){.chunk = (void *)b->base, .offset = b->region->top - b->base};
    b->mark = b->region->top;
    return true;
}

static void bump_rewind(void *st, const al_mark *m)
{
    al_bump *b = st;
    if (m->chunk != (void *)b->base || m->offset > b->region->top - b->base) return;
    b->mark = b->base + m->offset;
    uintptr_t old_top = b->region->top;
    b->region->top = al_bump_rewind_top(&b->grown_start, &b->grown_end, b->mark);
    if (MARKED(b) && old_top > b->region->top) al_mem_noaccess((void *)b->region->top, old_top - b->region->top);
}

static void bump_destroy(void *st)
{
    al_bump *b = st;
    if (MARKED(b)) al_mem_defined((void *)b->base, b->region->end - b->base); /* a caller's buffer is theirs again */
    free(b->heap);
}

static const al_vtable bump_vt = {
    .allocate = bump_allocate,
    .deallocate = bump_deallocate,
    .grow = bump_grow,
    .shrink = bump_shrink,
    .reset = bump_reset,
    .mark = bump_mark,
    .rewind = bump_rewind,
    .destroy = bump_destroy,
};

static const al_vtable bump_marked_vt = {
    .allocate = bump_allocate_marked,
    .deallocate = bump_deallocate_marked,
    .grow = bump_grow,
    .shrink = bump_shrink,
    .reset = bump_reset,
    .mark = bump_mark,
    .rewind = bump_rewind,
    .destroy = bump_destroy,
};

/* The bump instance a is, or one its built-in wrappers hold (either vtable). */
static al_bump *bump_state(const al_allocator *a)
{
    al_bump *b = al_state_if(a, &bump_vt);
    return b ? b : al_state_if(a, &bump_marked_vt);
}

/* ----------------------------------------------------------------------------
 * Construction: in place (no heap) or through the registry.
 * ------------------------------------------------------------------------- */
al_allocator *al_bump_init(al_bump *b, void *buf, size_t size)
{
    if (b == NULL || (buf == NULL && size != 0)) return NULL;
    uintptr_t base = (uintptr_t)buf;
    if (base > AL_REGION_END_MAX || size > AL_REGION_END_MAX - base) return NULL; /* backends.h */
    *b = (al_bump){
        .handle = {.state = b, .vt = &bump_vt, .caps = BUMP_CAPS, .region = {.top = base, .end = base + size}},
        .base = base,
    };
    b->region = &b->handle.region;
    return &b->handle;
}

al_bump *al_bump_of(al_allocator *a)
{
    return a && (a->vt == &bump_vt || a->vt == &bump_marked_vt) ? a->state : NULL;
}

void *al_bump_alloc_slow(al_bump *b, size_t size, size_t align) { return al_allocate(&b->handle, size, align); }

/* Any alignment serves: deallocate reads only the size. */
void al_bump_free_slow(al_bump *b, void *ptr, size_t size) { al_deallocate(&b->handle, ptr, size, 1); }

size_t al_bump_used(const al_allocator *a)
{
    const al_bump *b = bump_state(a);
    return b ? b->region->top - b->base : 0;
}

size_t al_bump_remaining(const al_allocator *a)
{
    const al_bump *b = bump_state(a);
    return b ? b->region->end - b->region->top : 0;
}

/* With a caller's buffer the instance alone is allocated; otherwise the
 * buffer follows the instance in the same block. */
static al_allocator *bump_create(const al_options *opts)
{
    size_t cap = 0; /* with a caller's buffer, no buffer of its own */
    if (!al_options_check(opts)) return NULL;
    if (!opts->buffer && !al_capacity_option(opts, BUMP_DEFAULT_CAPACITY, "bump", &cap)) return NULL;
    al_bump *b = malloc(sizeof *b + cap);
    if (!b) {
        al_set_error("bump: out of memory for a %zu-byte buffer", cap);
        return NULL;
    }
    void *buf = opts->buffer ? opts->buffer : (void *)(b + 1);
    size_t size = opts->buffer ? opts->buffer_size : cap;
    if (!al_bump_init(b, buf, size)) {
        free(b);
        al_set_error("bump: the buffer reaches the last 4 KiB of the address space");
        return NULL;
    }
    b->heap = b;
    if (al_checking()) { /* every call marks: none is served inline */
        b->handle.vt = &bump_marked_vt;
        b->own = b->handle.region;
        b->handle.region = (al_region){0, 0};
        b->region = &b->own;
    }
    al_mem_noaccess(buf, size);
    return &b->handle;
}

const al_backend_desc al_backend_bump = {
    .name = "bump",
    .description = "fixed-capacity bump arena over a buffer: only the newest block is freed",
    .caps = BUMP_CAPS,
    .create = bump_create,
};
