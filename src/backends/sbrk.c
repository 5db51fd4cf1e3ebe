/* sbrk: the talk's SbrkAllocator — a bump over the program break.
 *
 * The instance bumps through a region that ends at the break, and moves the
 * break up with sbrk() when the region is full (64 KiB at a time). The break
 * is not the instance's alone: glibc's malloc (and tcmalloc) move it too.
 * So before every extension the instance checks that the break is still
 * where it left it; if not, the memory above its region belongs to someone
 * else, and it starts a new region at the current break instead. It never
 * hands out, and never gives back, memory it did not get from its own sbrk
 * calls. Each region starts with a small header linking it to the one
 * before, so marks can rewind into older regions. Memory left in an
 * abandoned region is held (and counted) until the instance rewinds into it
 * or, when the break comes back to its end, gives it back.
 *
 * Option capacity bounds the bytes held from the break (default 1 GiB);
 * beyond it requests are NULL. As in bump, only the newest block is given
 * back or resized in place. Rewind returns the regions started after the
 * mark; reset empties the current region and forgets the older ones; destroy
 * gives back, newest first, every region the break still ends at.
 *
 * Trimming, with hysteresis. A rollback, shrink or rewind that leaves much
 * free space at the top lowers the break again when the break is still the
 * instance's, but only when at least SBRK_TRIM_MIN bytes can go at once, it
 * keeps SBRK_TRIM_SLACK bytes free at the top, and it never holds fewer
 * bytes than were in use at the peak of either of the last two reset cycles
 * (the floor; "in use": taken minus the free space at the top). Reset
 * itself never trims. So a program that fills and resets the instance in a
 * loop keeps its break still after the first cycle instead of lowering and
 * raising it every time, while a one-off spike (or a cycle much larger than
 * the two before) is still given back.
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
#define SBRK_TRIM_MIN ((size_t)1 << 20)   /* a trim gives back at least this much, or nothing */
#define SBRK_STEP ((size_t)64 << 10)      /* the break moves up by multiples of this */
#define SBRK_TRIM_SLACK (4 * SBRK_STEP)   /* free space at the top that lowers the break */
#define SBRK_CAPS (AL_CAP_FIXED_CAPACITY | AL_CAP_RESET | AL_CAP_MARKS | AL_CAP_PROCESS_GLOBAL)

/* The first bytes of every region: the chain back to the older regions,
 * which marks need to rewind into them. */
typedef struct region {
    struct region *prev; /* the region used before this one, or NULL */
    uintptr_t prev_end;  /* where prev ended (the break it had left) when this one began */
    uintptr_t start;     /* the break when this region began (at most 7 bytes below the header) */
    uintptr_t grown_start, grown_end; /* blocks from before the newest mark grown
                            in place past it (bumpstep.h) */
} region;

typedef struct sbrk_state {
    al_allocator handle;
    region *cur;         /* the current region's header, or NULL before the first request */
    uintptr_t top;       /* next free byte of the current region: top <= end */
    uintptr_t end;       /* the break as this instance last left it (0: no region) */
    size_t taken;        /* bytes held from the break, every region counted */
    size_t capacity;     /* most bytes taken may reach */
    size_t nregions;     /* regions in the chain */
    region *mark_region; /* where the newest live mark lies (NULL: none) */
    uintptr_t mark_pos;  /* and its address */
    size_t cycle_peak;   /* most bytes in use seen since the last reset (or creation) */
    size_t prev_peak;    /* cycle_peak of the cycle before the current one */
    size_t floor;        /* trims keep taken >= floor: the larger of the last two
                            completed cycles' peaks (0 before the first reset) */
} sbrk_state;

static uintptr_t current_break(void) { return (uintptr_t)sbrk(0); }

/* ----------------------------------------------------------------------------
 * Moving the break. Every function checks, or is told, that the break is
 * still `end` before it relies on the memory just above or below it.
 * ------------------------------------------------------------------------- */

/* Move the break up by at least `want` bytes, within capacity. The caller
 * has just checked that the break is `end`. false (nothing gained) on
 * failure. */
static bool take_more(sbrk_state *s, size_t want)
{
    size_t avail = s->capacity - s->taken;
    if (want > avail) return false;
    size_t incr = (want + SBRK_STEP - 1) & ~(SBRK_STEP - 1);
    if (incr > avail) incr = avail;
    void *old = sbrk((intptr_t)incr);
    if (old == (void *)-1 && incr > want) old = sbrk((intptr_t)(incr = want));
    if (old == (void *)-1) return false;
    s->taken += incr;
    if ((uintptr_t)old != s->end) {
        /* The break moved after all (another thread broke the rule): the
         * bytes are ours but not next to the region. Give them back if we
         * can; otherwise they stay held, counted, unused. */
        if (current_break() == (uintptr_t)old + incr && sbrk(-(intptr_t)incr) != (void *)-1) s->taken -= incr;
        return false;
    }
    s->end += incr;
    return true;
}

/* Before the top comes down: the bytes in use (taken minus the free space at
 * the top) peak just before a fall, so noting them there finds the cycle's
 * peak without a cost on allocation. */
static void note_use(sbrk_state *s)
{
    size_t used = s->taken - (s->end - s->top);
    if (used > s->cycle_peak) s->cycle_peak = used;
}

/* After the top came down (rollback, shrink, rewind; never reset): lower the
 * break when the break is still ours and at least SBRK_TRIM_MIN bytes can go
 * while keeping SBRK_TRIM_SLACK free at the top and taken >= floor. */
static void maybe_trim(sbrk_state *s)
{
    size_t free_top = s->end - s->top;
    if (free_top <= SBRK_TRIM_SLACK) return;
    size_t release = free_top - SBRK_TRIM_SLACK;
    if (s->taken - release < s->floor) release = s->taken > s->floor ? s->taken - s->floor : 0;
    if (release < SBRK_TRIM_MIN || current_break() != s->end) return;
    if (sbrk(-(intptr_t)release) == (void *)-1) return;
    s->end -= release;
    s->taken -= release;
}

/* Drop the regions newer than `keep` (all when NULL), newest first, giving
 * each back to the system while the break is still its end. One that is not
 * (malloc's memory lies above it) stays held and counted, never reused. */
static void drop_newer(sbrk_state *s, region *keep)
{
    while (s->cur != keep) {
        region r = *s->cur; /* read before its bytes may go back */
        if (current_break() == s->end && sbrk(-(intptr_t)(s->end - r.start)) != (void *)-1)
            s->taken -= s->end - r.start;
        s->cur = r.prev;
        s->top = s->end = r.prev_end;
        s->nregions--;
    }
}

/* Start a region at the break `brk` (someone else's memory, or nothing, lies
 * below it) and take the block from it: its header first, then the block.
 * On failure the current region stays as it was. */
static void *new_region(sbrk_state *s, uintptr_t brk, size_t size, size_t align)
{
    size_t slack = (align - 1) + (_Alignof(region) - 1) + sizeof(region);
    if (align - 1 > AL_MAX_SIZE - size || slack > AL_MAX_SIZE - size) return NULL;
    uintptr_t old_top = s->top, old_end = s->end;
    s->top = s->end = brk;
    if (!take_more(s, slack + size)) {
        s->top = old_top;
        s->end = old_end;
        return NULL;
    }
    region *r = al_bump_take(&s->top, s->end, sizeof *r, _Alignof(region));
    *r = (region){.prev = s->cur, .prev_end = old_end, .start = brk, .grown_start = 0, .grown_end = 0};
    s->cur = r;
    s->nregions++;
    return al_bump_take(&s->top, s->end, size, align);
}

/* The slow path of allocate: extend the region while the break is ours,
 * otherwise start a new one at the break. */
static __attribute__((noinline)) void *sbrk_refill(sbrk_state *s, size_t size, size_t align)
{
    uintptr_t brk = current_break();
    if (brk == (uintptr_t)-1) return NULL;
    if (brk != s->end) return new_region(s, brk, size, align); /* end is 0 with no region */
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
    note_use(s);
    s->top = (uintptr_t)ptr;
    maybe_trim(s);
}

/* The newest block grows in place, moving the break up if it is still ours
 * (recorded when it began before the newest mark, in the mark's region);
 * anything else moves to a new block. */
static void *sbrk_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    sbrk_state *s = st;
    if (al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size) ||
        (al_bump_is_newest(s->top, ptr, old_size) && current_break() == s->end &&
         take_more(s, new_size - old_size - (s->end - s->top)) &&
         al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size))) {
        if (s->mark_region == s->cur)
            al_bump_grown(&s->cur->grown_start, &s->cur->grown_end, s->mark_pos, ptr, s->top);
        return ptr;
    }
    void *p = sbrk_allocate(s, new_size, align);
    if (p) memcpy(p, ptr, old_size);
    return p;
}

static void *sbrk_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    sbrk_state *s = st;
    (void)align;
    note_use(s);
    if (al_bump_resize_newest(&s->top, s->end, ptr, old_size, new_size)) maybe_trim(s);
    return ptr;
}

/* Empty the current region and forget the older ones: they lie below
 * someone else's memory, so they could only have been reused by rewinding
 * into them; they stay held and counted. The break stays where it is (the
 * next cycle likely needs it again); the cycle's peak moves into the floor. */
static void sbrk_reset(void *st)
{
    sbrk_state *s = st;
    note_use(s);
    s->floor = s->cycle_peak > s->prev_peak ? s->cycle_peak : s->prev_peak;
    s->prev_peak = s->cycle_peak;
    s->cycle_peak = 0;
    s->mark_region = NULL;
    s->mark_pos = 0;
    if (!s->cur) return;
    s->nregions = 1;
    s->cur->prev = NULL;
    s->cur->grown_start = s->cur->grown_end = 0;
    s->top = (uintptr_t)(s->cur + 1);
}

/* A mark is the current region's header and the top's offset from it. A
 * block from before the mark grown in place since keeps its bytes
 * (bumpstep.h). */
static bool sbrk_mark(void *st, al_mark *out)
{
    sbrk_state *s = st;
    *out = (al_mark){.chunk = s->cur, .offset = s->cur ? s->top - (uintptr_t)s->cur : 0};
    s->mark_region = s->cur;
    s->mark_pos = s->top;
    return true;
}

/* Rewind refuses (changing nothing) a mark whose region is not in the chain
 * or whose offset lies outside what that region holds. */
static void sbrk_rewind(void *st, const al_mark *m)
{
    sbrk_state *s = st;
    region *r = s->cur;
    uintptr_t limit = s->top; /* the highest top the mark may name in r */
    while (r && r != m->chunk) {
        limit = r->prev_end;
        r = r->prev;
    }
    if (r != m->chunk) return;
    if (r && (m->offset < sizeof *r || m->offset > limit - (uintptr_t)r)) return;
    note_use(s);
    drop_newer(s, r);
    s->mark_region = r;
    s->mark_pos = r ? (uintptr_t)r + m->offset : 0;
    if (!r) return;
    s->top = al_bump_rewind_top(&r->grown_start, &r->grown_end, s->mark_pos);
    maybe_trim(s);
}

/* Give back every region the break still ends at, newest first. */
static void sbrk_destroy(void *st)
{
    sbrk_state *s = st;
    drop_newer(s, NULL);
    free(s);
}

static const al_vtable sbrk_vt = {
    .allocate = sbrk_allocate,
    .deallocate = sbrk_deallocate,
    .grow = sbrk_grow,
    .shrink = sbrk_shrink,
    .reset = sbrk_reset,
    .mark = sbrk_mark,
    .rewind = sbrk_rewind,
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
    size_t cap;
    if (!al_capacity_option(opts, SBRK_DEFAULT_CAPACITY, "sbrk", &cap)) return NULL;
    sbrk_state *s = al_instance_alloc(sizeof *s, "sbrk");
    if (!s) return NULL;
    *s = (sbrk_state){.handle = {.state = s, .vt = &sbrk_vt, .caps = SBRK_CAPS}, .capacity = cap};
    return &s->handle;
}

size_t al_sbrk_taken(const al_allocator *a)
{
    const sbrk_state *s = al_state_if(a, &sbrk_vt);
    return s ? s->taken : 0;
}

size_t al_sbrk_region_count(const al_allocator *a)
{
    const sbrk_state *s = al_state_if(a, &sbrk_vt);
    return s ? s->nregions : 0;
}

const al_backend_desc al_backend_sbrk = {
    .name = "sbrk",
    .description = "bump over the program break (sbrk), sharing it safely with malloc",
    .caps = SBRK_CAPS,
    .unavailable = sbrk_unavailable,
    .create = sbrk_create,
};
