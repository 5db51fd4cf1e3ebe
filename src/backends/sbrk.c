/* sbrk: the talk's SbrkAllocator — a bump over the program break.
 *
 * The instance bumps through a region that ends at the break, and moves the
 * break up with sbrk() when the region is full (64 KiB at a time). The break
 * is not the instance's alone: glibc's malloc (and tcmalloc) move it too.
 * So before every extension the instance checks that the break is still
 * where it left it; if not, the memory above its region belongs to someone
 * else, and it starts a new region at the current break instead. It never
 * hands out, and never gives back, memory it did not get from its own sbrk
 * calls. Memory left in an abandoned region is held until destroy (which
 * can only give back the current region, and only while the break is still
 * its own).
 *
 * Option capacity bounds the bytes held from the break (default 1 GiB);
 * beyond it requests are NULL. As in bump, only the newest block is given
 * back or resized in place; a rollback leaving much free space at the top
 * lowers the break again when the break is still the instance's.
 *
 * Not thread-safe, and the break is process-global: two threads must not
 * use sbrk instances (or one instance) at the same time. Programs that move
 * the break with the raw brk system call, bypassing the C library, are not
 * supported.
 */
#include "alloclab/backends.h"
#include "bumpstep.h"
#include "internal.h"

#include <stdlib.h>
#include <unistd.h>

#define SBRK_DEFAULT_CAPACITY ((size_t)1 << 30)
#define SBRK_STEP ((size_t)64 << 10)      /* the break moves up by multiples of this */
#define SBRK_TRIM_SLACK (4 * SBRK_STEP)   /* free space at the top that lowers the break */
#define SBRK_CAPS AL_CAP_FIXED_CAPACITY

typedef struct sbrk_state {
    al_allocator handle;
    uintptr_t start;     /* first byte of the current region */
    uintptr_t top;       /* next free byte: start <= top <= end */
    uintptr_t end;       /* the break as this instance last left it (0: no region yet) */
    size_t taken;        /* bytes held from the break, every region counted */
    size_t capacity;     /* most bytes taken may reach */
    size_t nregions;     /* regions started so far */
} sbrk_state;

static uintptr_t current_break(void) { return (uintptr_t)sbrk(0); }

/* ----------------------------------------------------------------------------
 * Moving the break. Each function checks, or is told, that the break is
 * still `end` before it relies on the memory above or below it.
 * ------------------------------------------------------------------------- */
static void new_region(sbrk_state *s, uintptr_t at)
{
    s->start = s->top = s->end = at;
    s->nregions++;
}

/* Move the break up by at least `want` bytes, within capacity. The caller
 * has just checked that the break is `end`; if it moved all the same, what
 * sbrk returned starts a new region. false (nothing taken) on failure. */
static bool take_more(sbrk_state *s, size_t want)
{
    size_t avail = s->capacity - s->taken;
    if (want > avail) return false;
    size_t incr = (want + SBRK_STEP - 1) & ~(SBRK_STEP - 1);
    if (incr > avail) incr = avail;
    void *old = sbrk((intptr_t)incr);
    if (old == (void *)-1 && incr > want) old = sbrk((intptr_t)(incr = want));
    if (old == (void *)-1) return false;
    if ((uintptr_t)old != s->end) new_region(s, (uintptr_t)old);
    s->end = (uintptr_t)old + incr;
    s->taken += incr;
    return true;
}

/* After the top came down: lower the break when much of the region's top is
 * free and the break is still ours, keeping one step of slack. */
static void maybe_trim(sbrk_state *s)
{
    if (s->end - s->top <= SBRK_TRIM_SLACK || current_break() != s->end) return;
    size_t release = s->end - s->top - SBRK_STEP;
    if (sbrk(-(intptr_t)release) == (void *)-1) return;
    s->end -= release;
    s->taken -= release;
}

/* The slow path of allocate: extend the region, or start a new one at the
 * break when the break is no longer ours. */
static __attribute__((noinline)) void *sbrk_refill(sbrk_state *s, size_t size, size_t align)
{
    uintptr_t brk = current_break();
    if (brk == (uintptr_t)-1) return NULL;
    if (brk != s->end) new_region(s, brk);
    uintptr_t pad = -s->top & (align - 1);
    if (pad > AL_MAX_SIZE - size) return NULL;
    /* allocate's bump failed, so pad + size > end - top. */
    if (!take_more(s, pad + size - (s->end - s->top))) return NULL;
    return al_bump_take(&s->top, s->end, size, align);
}

/* ----------------------------------------------------------------------------
 * Operations.
 * ------------------------------------------------------------------------- */
static void *sbrk_allocate(void *st, size_t size, size_t align)
{
    sbrk_state *s = st;
    void *p = al_bump_take(&s->top, s->end, size, align);
    return p ? p : sbrk_refill(s, size, align);
}

static void sbrk_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    sbrk_state *s = st;
    (void)align;
    if (!al_bump_is_newest(s->top, ptr, size)) return;
    s->top = (uintptr_t)ptr;
    maybe_trim(s);
}

/* The newest block grows in place, moving the break up if it is still ours;
 * anything else moves to a new block. */
static void *sbrk_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    sbrk_state *s = st;
    if (al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size)) return ptr;
    if (al_bump_is_newest(s->top, ptr, old_size) && current_break() == s->end &&
        take_more(s, new_size - old_size - (s->end - s->top)) &&
        al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size))
        return ptr;
    void *p = sbrk_allocate(s, new_size, align);
    if (p) memcpy(p, ptr, old_size);
    return p;
}

static void *sbrk_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    sbrk_state *s = st;
    (void)align;
    if (al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size)) maybe_trim(s);
    return ptr;
}

/* Give the current region back when the break is still its end. */
static void sbrk_destroy(void *st)
{
    sbrk_state *s = st;
    if (s->end != s->start && current_break() == s->end) sbrk(-(intptr_t)(s->end - s->start));
    free(s);
}

static const al_vtable sbrk_vt = {
    .allocate = sbrk_allocate,
    .deallocate = sbrk_deallocate,
    .grow = sbrk_grow,
    .shrink = sbrk_shrink,
    .destroy = sbrk_destroy,
};

/* ----------------------------------------------------------------------------
 * Construction and counters. The break is first moved by the first request.
 * ------------------------------------------------------------------------- */
static const char *sbrk_unavailable(void)
{
    return current_break() == (uintptr_t)-1 ? "sbrk() does not work in this process" : NULL;
}

static al_allocator *sbrk_create(const al_options *opts)
{
    size_t cap = opts->capacity ? opts->capacity : SBRK_DEFAULT_CAPACITY;
    if (cap > AL_MAX_SIZE) {
        al_set_error("sbrk: capacity %zu is too large", cap);
        return NULL;
    }
    sbrk_state *s = malloc(sizeof *s);
    if (!s) {
        al_set_error("sbrk: out of memory");
        return NULL;
    }
    *s = (sbrk_state){.handle = {.state = s, .vt = &sbrk_vt, .caps = SBRK_CAPS}, .capacity = cap};
    return &s->handle;
}

static const sbrk_state *as_sbrk(const al_allocator *a)
{
    return a && a->vt == &sbrk_vt ? a->state : NULL;
}

size_t al_sbrk_taken(const al_allocator *a)
{
    const sbrk_state *s = as_sbrk(a);
    return s ? s->taken : 0;
}

size_t al_sbrk_region_count(const al_allocator *a)
{
    const sbrk_state *s = as_sbrk(a);
    return s ? s->nregions : 0;
}

const al_backend_desc al_backend_sbrk = {
    .name = "sbrk",
    .description = "bump over the program break (sbrk), sharing it safely with malloc",
    .caps = SBRK_CAPS,
    .unavailable = sbrk_unavailable,
    .create = sbrk_create,
};
