/* arena: a growing bump arena, bumpalo-style — a chain of chunks.
 *
 * Blocks are bumped from the newest chunk. When it is full, a new chunk comes
 * from the backing allocator (option backing, default the shared sys
 * handle): the n-th chunk made has room for at least
 * capacity * 2^(n-1) bytes (option capacity, default 4 KiB, header included;
 * the doubling stops at 1 GiB), and a request larger than that gets a chunk
 * of its own size. The tail of the chunk left behind is not used again until
 * reset or a rewind. As in bump, only the newest block is given back or
 * resized in place. Reset keeps the largest chunk only; rewind returns every
 * chunk made after the mark; destroy returns them all.
 *
 * The bump space not handed out, and every block given back, is marked for
 * ASan and memcheck (poison.h): a write past a block into the free space is
 * reported. Chunk headers stay accessible; a chunk goes back to backing
 * accessible, as it came.
 */
#include "alloclab/backends.h"
#include "bumpstep.h"
#include "internal.h"
#include "poison.h"

#include <stdlib.h>

#define ARENA_DEFAULT_CAPACITY ((size_t)4 << 10)
#define ARENA_MIN_CAPACITY ((size_t)256)
#define ARENA_MAX_DOUBLING ((size_t)1 << 30)
#define ARENA_CAPS (AL_CAP_RESET | AL_CAP_MARKS)

/* A chunk from the backing allocator: this header, then the bump space.
 * Chunks are requested with alignment CHUNK_ALIGN, so the space after the
 * header is CHUNK_ALIGN-aligned too. */
typedef struct chunk {
    struct chunk *prev; /* the chunk made just before this one, or NULL */
    size_t size;        /* bytes obtained from backing, header included */
    uintptr_t grown_start, grown_end; /* blocks from before the arena's newest
                           mark grown in place past it (bumpstep.h) */
} chunk;

#define CHUNK_ALIGN ((size_t)AL_MALLOC_ALIGN)
_Static_assert(sizeof(chunk) % CHUNK_ALIGN == 0, "the bump space after a header stays aligned");

typedef struct arena {
    al_arena pub;              /* the handle, and pub.region: the bump space
                                  left in `cur` (top, end; both 0 before the
                                  first chunk), &pub.handle.region, which the
                                  front end and the inline paths of backends.h
                                  bump, or &own while a checker watches (every
                                  call must come here to mark memory; the
                                  handle's region stays {0, 0}) */
    al_region own;
    chunk *cur;                /* newest chunk (head of the chain), or NULL */
    size_t next_size;          /* size of the next chunk, unless a request needs more */
    size_t nchunks, bytes;     /* what the chain holds from backing right now */
    chunk *mark_chunk;         /* where the newest live mark lies (NULL: none, */
    uintptr_t mark_pos;        /* or before the first chunk), and its address */
    al_allocator *backing;     /* where chunks come from; not owned */
} arena;

static uintptr_t chunk_space(const chunk *c) { return (uintptr_t)(c + 1); }
static uintptr_t chunk_end(const chunk *c) { return (uintptr_t)c + c->size; }

/* ----------------------------------------------------------------------------
 * The chain: making and returning chunks. Invariant: nchunks and bytes count
 * exactly the chunks reachable from cur.
 * ------------------------------------------------------------------------- */
static void use_chunk(arena *a, chunk *c, size_t offset)
{
    a->cur = c;
    a->pub.region->top = chunk_space(c) + offset;
    a->pub.region->end = chunk_end(c);
}

static void free_chunk(arena *a, chunk *c)
{
    al_mem_undefined((void *)chunk_space(c), chunk_end(c) - chunk_space(c));
    a->nchunks--;
    a->bytes -= c->size;
    al_deallocate(a->backing, c, c->size, CHUNK_ALIGN);
}

/* Free the chunks newer than `keep` (all of them when keep is NULL). */
static void free_newer(arena *a, chunk *keep)
{
    while (a->cur != keep) {
        chunk *c = a->cur;
        a->cur = c->prev;
        free_chunk(a, c);
    }
}

/* The slow path of allocate: a new chunk with room for the request. */
static __attribute__((noinline)) void *arena_refill(arena *a, size_t size, size_t align)
{
    /* Worst-case padding after an aligned header, checked before any sum. */
    size_t slack = align > CHUNK_ALIGN ? align - CHUNK_ALIGN : 0;
    if (size > AL_MAX_SIZE - sizeof(chunk) || slack > AL_MAX_SIZE - sizeof(chunk) - size) return NULL;
    size_t need = sizeof(chunk) + slack + size;
    size_t csize = need > a->next_size ? need : a->next_size;
    chunk *c = al_allocate(a->backing, csize, CHUNK_ALIGN);
    if (!c && csize > need) c = al_allocate(a->backing, csize = need, CHUNK_ALIGN);
    if (!c) return NULL;
    if ((uintptr_t)c > AL_REGION_END_MAX - csize) { /* the inline path's bound (backends.h) */
        al_deallocate(a->backing, c, csize, CHUNK_ALIGN);
        return NULL;
    }
    *c = (chunk){.prev = a->cur, .size = csize, .grown_start = 0, .grown_end = 0};
    a->nchunks++;
    a->bytes += csize;
    if (a->next_size < ARENA_MAX_DOUBLING) a->next_size *= 2;
    use_chunk(a, c, 0);
    al_mem_noaccess((void *)a->pub.region->top, a->pub.region->end - a->pub.region->top);
    return al_bump_take(&a->pub.region->top, a->pub.region->end, size, align); /* cannot fail: need was counted */
}

/* ----------------------------------------------------------------------------
 * Operations.
 * ------------------------------------------------------------------------- */
/* Allocate and deallocate come in two versions, one per vtable: with the
 * checkers' marks while a checker watches (poison.h), and without, so that
 * the hot calls of an unwatched arena test nothing for them. */
static void *arena_allocate(void *st, size_t size, size_t align)
{
    arena *a = st;
    void *p = al_bump_take(&a->pub.region->top, a->pub.region->end, size, align);
    return p ? p : arena_refill(a, size, align);
}

static void arena_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    arena *a = st;
    (void)align;
    al_bump_give_back(&a->pub.region->top, ptr, size);
}

static void *arena_allocate_marked(void *st, size_t size, size_t align)
{
    void *p = arena_allocate(st, size, align);
    if (p) al_mem_undefined(p, size);
    return p;
}

static void arena_deallocate_marked(void *st, void *ptr, size_t size, size_t align)
{
    arena_deallocate(st, ptr, size, align);
    al_mem_noaccess(ptr, size);
}

/* In place, a block from before the newest mark is recorded in its chunk
 * (only when that mark lies in the current chunk: blocks of a chunk made
 * after the mark were all allocated after it). */
static void *arena_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    arena *a = st;
    if (al_bump_resize_newest(&a->pub.region->top, a->pub.region->end, ptr, old_size, new_size)) {
        if (a->mark_chunk == a->cur)
            al_bump_grown(&a->cur->grown_start, &a->cur->grown_end, a->mark_pos, ptr, a->pub.region->top);
        al_mem_undefined((char *)ptr + old_size, new_size - old_size);
        return ptr;
    }
    void *p = arena_allocate_marked(a, new_size, align);
    if (p) {
        memcpy(p, ptr, old_size);
        al_mem_noaccess(ptr, old_size);
    }
    return p;
}

static void *arena_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    arena *a = st;
    (void)align;
    al_bump_resize_newest(&a->pub.region->top, a->pub.region->end, ptr, old_size, new_size);
    al_mem_noaccess((char *)ptr + new_size, old_size - new_size);
    return ptr;
}

/* Keep the largest chunk (the newest of equals), empty; return the rest. */
static void arena_reset(void *st)
{
    arena *a = st;
    chunk *largest = a->cur;
    for (chunk *c = a->cur; c; c = c->prev)
        if (c->size > largest->size) largest = c;
    if (!largest) return;
    chunk *c = a->cur, *prev;
    for (; c; c = prev) {
        prev = c->prev;
        if (c != largest) free_chunk(a, c);
    }
    largest->prev = NULL;
    largest->grown_start = largest->grown_end = 0;
    a->mark_chunk = NULL;
    a->mark_pos = 0;
    use_chunk(a, largest, 0);
    al_mem_noaccess((void *)a->pub.region->top, a->pub.region->end - a->pub.region->top);
}

/* A mark is the newest chunk and the top's offset in it. Rewind refuses (and
 * changes nothing for) a mark whose chunk is no longer in the chain or whose
 * offset is past the current top: a mark taken before a reset, or before a
 * rewind to an earlier mark. A block from before the mark grown in place
 * since keeps its bytes (bumpstep.h). */
static bool arena_mark(void *st, al_mark *out)
{
    arena *a = st;
    *out = (al_mark){.chunk = a->cur, .offset = a->cur ? a->pub.region->top - chunk_space(a->cur) : 0};
    a->mark_chunk = a->cur;
    a->mark_pos = a->pub.region->top;
    return true;
}

static void arena_rewind(void *st, const al_mark *m)
{
    arena *a = st;
    chunk *c = a->cur;
    while (c && c != m->chunk) c = c->prev;
    if (c != m->chunk) return;
    if (c == NULL) {
        free_newer(a, NULL);
        a->pub.region->top = a->pub.region->end = 0;
        a->mark_chunk = NULL;
        a->mark_pos = 0;
        return;
    }
    size_t limit = c == a->cur ? a->pub.region->top - chunk_space(c) : chunk_end(c) - chunk_space(c);
    if (m->offset > limit) return;
    free_newer(a, c);
    a->mark_chunk = c;
    a->mark_pos = chunk_space(c) + m->offset;
    use_chunk(a, c, al_bump_rewind_top(&c->grown_start, &c->grown_end, a->mark_pos) - chunk_space(c));
    al_mem_noaccess((void *)a->pub.region->top, a->pub.region->end - a->pub.region->top);
}

static void arena_destroy(void *st)
{
    arena *a = st;
    free_newer(a, NULL);
    free(a);
}

static const al_vtable arena_vt = {
    .allocate = arena_allocate,
    .deallocate = arena_deallocate,
    .grow = arena_grow,
    .shrink = arena_shrink,
    .reset = arena_reset,
    .mark = arena_mark,
    .rewind = arena_rewind,
    .destroy = arena_destroy,
};

static const al_vtable arena_marked_vt = {
    .allocate = arena_allocate_marked,
    .deallocate = arena_deallocate_marked,
    .grow = arena_grow,
    .shrink = arena_shrink,
    .reset = arena_reset,
    .mark = arena_mark,
    .rewind = arena_rewind,
    .destroy = arena_destroy,
};

/* The arena a is, or one its built-in wrappers hold (either vtable). */
static arena *arena_state(const al_allocator *a)
{
    arena *r = al_state_if(a, &arena_vt);
    return r ? r : al_state_if(a, &arena_marked_vt);
}

/* ----------------------------------------------------------------------------
 * Construction and counters. The first chunk is made by the first request;
 * creating an arena is a single libc block.
 * ------------------------------------------------------------------------- */
static al_allocator *arena_create(const al_options *opts)
{
    size_t cap;
    if (!al_capacity_option(opts, ARENA_DEFAULT_CAPACITY, "arena", &cap)) return NULL;
    arena *a = al_instance_alloc(sizeof *a, "arena");
    if (!a) return NULL;
    bool marked = al_checking();
    *a = (arena){
        .pub.handle = {.state = a, .vt = marked ? &arena_marked_vt : &arena_vt, .caps = ARENA_CAPS},
        .next_size = cap < ARENA_MIN_CAPACITY ? ARENA_MIN_CAPACITY : cap,
        .backing = opts->backing ? opts->backing : al_sys_shared(),
    };
    a->pub.region = marked ? &a->own : &a->pub.handle.region;
    return &a->pub.handle;
}

al_arena *al_arena_of(al_allocator *a)
{
    return a && (a->vt == &arena_vt || a->vt == &arena_marked_vt) ? a->state : NULL;
}

void *al_arena_alloc_slow(al_arena *r, size_t size, size_t align) { return al_allocate(&r->handle, size, align); }

/* Any alignment serves: deallocate reads only the size. */
void al_arena_free_slow(al_arena *r, void *ptr, size_t size) { al_deallocate(&r->handle, ptr, size, 1); }

size_t al_arena_chunk_count(const al_allocator *a)
{
    const arena *r = arena_state(a);
    return r ? r->nchunks : 0;
}

size_t al_arena_allocated_bytes(const al_allocator *a)
{
    const arena *r = arena_state(a);
    return r ? r->bytes : 0;
}

const al_backend_desc al_backend_arena = {
    .name = "arena",
    .description = "growing bump arena of doubling chunks (bumpalo-like): reset and marks",
    .caps = ARENA_CAPS,
    .create = arena_create,
};
