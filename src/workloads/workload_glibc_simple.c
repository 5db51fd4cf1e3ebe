/* glibc-simple/<size>: the talk's single-threaded malloc test (after glibc's
 * bench-malloc-simple). One iteration allocates 1600 chunks of <size> bytes,
 * writes each with a pattern from the chunk's index (every byte at the full
 * check level, the head and tail words at the cheap one), frees the first
 * half in FIFO order and the second half in LIFO order, checking each
 * chunk's pattern before freeing it. Any size from 1 to 65536 is accepted;
 * the default suite runs 16, 32, 64, 128 and 256.
 *
 * Variants of the same body with another call path, to measure what the
 * interface costs (a suffix to the size):
 *   <size>-direct    the library behind sys, je, mi or tc called directly
 *                    (its plain malloc and free), no alloclab in between;
 *   <size>-inline    bump or arena through their inline fast path
 *                    (al_bump_alloc_inline, al_arena_alloc_inline);
 *   <size>-handbump  (bump only) a pointer bump written out here over a
 *                    buffer of its own: the floor any allocator call has.
 * Other allocators are unsupported for a variant, with the reason. */
#include "workload_common.h"

#include <alloclab/backends.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------------------
 * The call paths. The body is one always-inline function; each path is a
 * constant argument, so each instance of the body has its calls inline.
 * ------------------------------------------------------------------------- */
typedef enum path { VIA_VTABLE, VIA_DIRECT, VIA_INLINE_BUMP, VIA_INLINE_ARENA, VIA_HANDBUMP } path;

/* The hand-written bump's region, in memory like any allocator's state. */
typedef struct handbump {
    uintptr_t base, top, end;
} handbump;

/* What each path calls: pointers only, which the body copies into locals
 * once (the pattern's stores would otherwise make it reload them from the
 * struct at every call, a cost of the workload, not of the path). */
typedef struct calls {
    al_allocator *a;       /* VIA_VTABLE */
    al_library_fns lib;    /* VIA_DIRECT */
    al_bump *bump;         /* VIA_INLINE_BUMP */
    al_arena *arena;       /* VIA_INLINE_ARENA */
    handbump *hb;          /* VIA_HANDBUMP */
} calls;

static inline __attribute__((always_inline)) void *take(path via, calls *c, size_t size)
{
    switch (via) {
    case VIA_DIRECT: return c->lib.malloc(size);
    case VIA_INLINE_BUMP: return al_bump_alloc_inline(c->bump, size, WL_CHUNK_ALIGN);
    case VIA_INLINE_ARENA: return al_arena_alloc_inline(c->arena, size, WL_CHUNK_ALIGN);
    case VIA_HANDBUMP: {
        uintptr_t p = (c->hb->top + WL_CHUNK_ALIGN - 1) & ~(uintptr_t)(WL_CHUNK_ALIGN - 1);
        if (p > c->hb->end || size > c->hb->end - p) return NULL;
        c->hb->top = p + size;
        return (void *)p;
    }
    default: return al_allocate(c->a, size, WL_CHUNK_ALIGN);
    }
}

static inline __attribute__((always_inline)) void give(path via, calls *c, void *p, size_t size)
{
    switch (via) {
    case VIA_DIRECT: c->lib.free(p); break;
    case VIA_INLINE_BUMP: al_bump_free_inline(c->bump, p, size); break;
    case VIA_INLINE_ARENA: al_arena_free_inline(c->arena, p, size); break;
    case VIA_HANDBUMP: if ((uintptr_t)p + size == c->hb->top) c->hb->top = (uintptr_t)p; break;
    default: al_deallocate(c->a, p, size, WL_CHUNK_ALIGN);
    }
}

/* ----------------------------------------------------------------------------
 * The body. Chunk i's key is wl_key(salt, 0) + i (= wl_key(salt, i)): the
 * hash of the salt is taken once per iteration, not once per chunk. The
 * level is a constant of each instance of the body: a timed iteration at the
 * cheap level (chunks of 16 bytes and more) runs a loop with the head and
 * tail words inline and nothing else, a verification iteration the full
 * pattern out of line. The checks read every block, so no checksum of its
 * bytes is kept. The failures leave the loops for out-of-line code.
 * ------------------------------------------------------------------------- */
/* The loops run 1600 and 800 times; unrolled, their own counting is a
 * fraction of what it would be per chunk. The checking loops by 4, the
 * filling loop, whose calls keep more values live, by 2 (by 4 it spills
 * around the calls: measured in instructions per iteration). */
#define WL_UNROLL_CHECK _Pragma("GCC unroll 4")
#define WL_UNROLL_FILL _Pragma("GCC unroll 2")

static inline __attribute__((always_inline)) void fill(bool cheap, void *p, size_t size, uint64_t key)
{
    if (cheap) wl_put_ends(p, size, key);
    else wl_fill_block_full(p, size, key);
}

static inline __attribute__((always_inline)) bool holds(bool cheap, const void *p, size_t size, uint64_t key)
{
    if (!cheap) return wl_check_block_full(p, size, key);
    /* Two tests, each its own branch (one compare with memory each). */
    if (!wl_head_holds(p, key)) return false;
    return wl_tail_holds(p, size, key);
}

static __attribute__((noinline, cold)) al_run_status lost_pattern(size_t bad, size_t size, const char *spec,
                                                                  char *why, size_t whylen)
{
    wl_why(why, whylen, "chunk %zu of %zu bytes from '%s' lost its pattern before it was freed", bad, size, spec);
    return AL_RUN_FAILED;
}

/* The chunk pointers of the iteration a thread runs (an iteration leaves
 * none behind, so instances and threads need no array of their own). */
static __thread void *slots[WL_SIMPLE_CHUNKS];

static inline __attribute__((always_inline)) al_run_status body(path via, bool cheap, const calls *pc,
                                                                const char *spec, size_t size, uint64_t salt,
                                                                uint64_t *checksum, char *why, size_t whylen)
{
    calls local = *pc, *c = &local;
    /* Each loop walks the slots and the keys together (two induction
     * variables, no index), which keeps its values in registers across the
     * allocator's calls. */
    const uint64_t key0 = wl_key(salt, 0), key_end = key0 + WL_SIMPLE_CHUNKS;
    uint64_t key = key0;
    void **q = slots, **const end = slots + WL_SIMPLE_CHUNKS, **const half = slots + WL_SIMPLE_CHUNKS / 2;
    WL_UNROLL_FILL for (; key != key_end; q++, key++) {
        void *p = take(via, c, size);
        if (__builtin_expect(!p, 0)) goto exhausted;
        fill(cheap, p, size, key);
        *q = p;
    }
    /* Once per iteration: the blocks are read and written by code the
     * compiler cannot see, so no store of the pattern and no check of it
     * can be dropped or folded (per block, it would make every loop reload
     * the allocator's state after each store). */
    wl_escape(slots);
    WL_UNROLL_CHECK for (q = slots, key = key0; q != half; q++, key++) {
        if (__builtin_expect(!holds(cheap, *q, size, key), 0)) goto corrupt;
        give(via, c, *q, size);
    }
    WL_UNROLL_CHECK for (q = end, key = key0 + WL_SIMPLE_CHUNKS; q != half;) {
        q--, key--;
        if (__builtin_expect(!holds(cheap, *q, size, key), 0)) goto corrupt;
        give(via, c, *q, size);
    }
    *checksum += key0; /* the iteration ran: its checks read every block */
    return AL_RUN_OK;
exhausted:
    /* Give back what this iteration holds: the allocator stays usable. */
    while (q-- != slots) give(via, c, *q, size);
    return wl_alloc_failed(c->a, spec, size, WL_SIMPLE_CHUNKS * size, why, whylen);
corrupt:
    return lost_pattern((size_t)(q - slots), size, spec, why, whylen);
}

/* One function per call path and level. */
typedef al_run_status (*body_fn)(const calls *c, const char *spec, size_t size, uint64_t salt, uint64_t *checksum,
                                 char *why, size_t whylen);

#define BODY_OF(name, via, cheap)                                                                                \
    static al_run_status name(const calls *c, const char *spec, size_t size, uint64_t salt, uint64_t *checksum, \
                              char *why, size_t whylen)                                                         \
    {                                                                                                            \
        return body(via, cheap, c, spec, size, salt, checksum, why, whylen);                                     \
    }
BODY_OF(body_vtable_cheap, VIA_VTABLE, true)
BODY_OF(body_vtable_full, VIA_VTABLE, false)
BODY_OF(body_direct_cheap, VIA_DIRECT, true)
BODY_OF(body_direct_full, VIA_DIRECT, false)
BODY_OF(body_inline_bump_cheap, VIA_INLINE_BUMP, true)
BODY_OF(body_inline_bump_full, VIA_INLINE_BUMP, false)
BODY_OF(body_inline_arena_cheap, VIA_INLINE_ARENA, true)
BODY_OF(body_inline_arena_full, VIA_INLINE_ARENA, false)
BODY_OF(body_handbump_cheap, VIA_HANDBUMP, true)
BODY_OF(body_handbump_full, VIA_HANDBUMP, false)

/* The body of a path at the level now in force for chunks of this size. */
static body_fn body_for(path via, size_t size)
{
    static const body_fn fns[][2] = {
        [VIA_VTABLE] = {body_vtable_full, body_vtable_cheap},
        [VIA_DIRECT] = {body_direct_full, body_direct_cheap},
        [VIA_INLINE_BUMP] = {body_inline_bump_full, body_inline_bump_cheap},
        [VIA_INLINE_ARENA] = {body_inline_arena_full, body_inline_arena_cheap},
        [VIA_HANDBUMP] = {body_handbump_full, body_handbump_cheap},
    };
    return fns[via][size >= wl_cheap_from];
}

/* Also run by every glibc-thread worker. */
al_run_status wl_simple_body(al_allocator *a, const char *spec, size_t size, uint64_t salt, uint64_t *checksum,
                             char *why, size_t whylen)
{
    calls c = {.a = a};
    return body_for(VIA_VTABLE, size)(&c, spec, size, salt, checksum, why, whylen);
}

/* ----------------------------------------------------------------------------
 * The workload.
 * ------------------------------------------------------------------------- */
typedef struct simple {
    al_allocator *a;
    char spec[64];
    size_t size;          /* chunk size */
    path via;
    calls c;
    void *hb_buffer;      /* VIA_HANDBUMP's */
    handbump hb;
    uint64_t checksum;
    uint64_t salt;        /* of the next iteration */
} simple;

static void simple_teardown(void *inst)
{
    simple *s = inst;
    if (!s) return;
    al_destroy(s->a);
    free(s->hb_buffer);
    free(s);
}

/* "<size>" or "<size>-<variant>" into *size and *via; false when neither. */
static bool parse_param(const char *param, uint64_t *size, path *via)
{
    static const struct { const char *suffix; path via; } variants[] = {
        {"", VIA_VTABLE}, {"-direct", VIA_DIRECT}, {"-inline", VIA_INLINE_BUMP}, {"-handbump", VIA_HANDBUMP},
    };
    char num[16];
    size_t len = param ? strspn(param, "0123456789") : 0;
    if (len == 0 || len >= sizeof num) return false;
    memcpy(num, param, len);
    num[len] = '\0';
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (strcmp(param + len, variants[i].suffix) == 0) {
            *via = variants[i].via;
            return wl_parse_uint(num, 1, 65536, size);
        }
    return false;
}

/* Bind the variant's calls; false with *status UNSUPPORTED and a reason
 * when this allocator has no such path. */
static bool bind_variant(simple *s, al_run_status *status, char *why, size_t whylen)
{
    const char *missing = NULL;
    s->c.a = s->a;
    if (s->via == VIA_DIRECT && !al_library_calls(s->spec, &s->c.lib))
        missing = "-direct calls the library behind sys, je, mi or tc";
    if (s->via == VIA_INLINE_BUMP) {
        if ((s->c.bump = al_bump_of(s->a))) s->via = VIA_INLINE_BUMP;
        else if ((s->c.arena = al_arena_of(s->a))) s->via = VIA_INLINE_ARENA;
        else missing = "-inline is the inline fast path of bump and arena";
    }
    if (s->via == VIA_HANDBUMP) {
        size_t cap = WL_SIMPLE_CHUNKS * (s->size + WL_CHUNK_ALIGN);
        if (strcmp(s->spec, "bump") != 0) missing = "-handbump is the hand-written reference, shown on bump only";
        else if (!(s->hb_buffer = malloc(cap))) missing = "out of memory for the hand-written bump's buffer";
        else {
            s->hb.base = s->hb.top = (uintptr_t)s->hb_buffer;
            s->hb.end = s->hb.base + cap;
            s->c.hb = &s->hb;
        }
    }
    if (!missing) return true;
    *status = AL_RUN_UNSUPPORTED;
    wl_why(why, whylen, "%s, not '%s'", missing, s->spec);
    return false;
}

static void *simple_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    uint64_t size;
    path via;
    if (!parse_param(param, &size, &via))
        return wl_bad_param("glibc-simple", param,
                            "a chunk size from 1 to 65536, optionally -direct, -inline or -handbump", status, why,
                            whylen);
    simple *s = wl_calloc(sizeof *s, status, why, whylen);
    if (!s) return NULL;
    snprintf(s->spec, sizeof s->spec, "%s", spec);
    s->size = size;
    s->via = via;
    s->a = wl_create(spec, status, why, whylen);
    if (!s->a || !wl_probe_capacity(s->a, spec, WL_SIMPLE_CHUNKS * size, WL_SIMPLE_CHUNKS * size, status, why, whylen) ||
        !bind_variant(s, status, why, whylen))
        return wl_setup_abort(s, simple_teardown, false, status, why, whylen);
    return s;
}

static al_run_status simple_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    simple *s = inst;
    body_fn fn = body_for(s->via, s->size); /* the level is fixed for a run() */
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = fn(&s->c, s->spec, s->size, s->salt++, &s->checksum, why, whylen);
        if (st != AL_RUN_OK) return st;
        wl_iter_end(s->a); /* timed: a reset is this allocator's way of freeing */
        s->hb.top = s->hb.base; /* the hand-written bump's reset */
    }
    wl_sink(s->checksum);
    return AL_RUN_OK;
}

static const char *const simple_params[] = {"16", "32", "64", "128", "256", NULL};

const al_workload al_workload_glibc_simple = {
    .name = "glibc-simple",
    .description = "1600 chunks of <size> bytes: allocate and fill, free half FIFO and half LIFO (one thread)",
    .params = simple_params,
    .setup = simple_setup,
    .run = simple_run,
    .teardown = simple_teardown,
};
