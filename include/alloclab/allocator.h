/* alloclab — the allocator interface.
 *
 * An allocator is a type-erased state pointer plus a const table of
 * operations (al_vtable). Every operation is sized: the caller hands back the
 * size and alignment it asked for, so a backend never has to store them.
 *
 * Callers use the al_* front-end functions below, never the vtable directly:
 * the front end checks arguments, handles size 0 and fills in the optional
 * operations a backend left NULL with generic fallbacks. A backend therefore
 * implements only what it does better than the fallback.
 */
#ifndef ALLOCLAB_ALLOCATOR_H
#define ALLOCLAB_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "export.h"

/* A branch the fast path expects taken (a hint to the compiler only). */
#if defined(__GNUC__)
#define AL_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define AL_LIKELY(x) (x)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------------
 * Capabilities: what an allocator instance promises beyond the contract.
 * ------------------------------------------------------------------------- */
enum {
    AL_CAP_THREAD_SAFE    = 1u << 0, /* any operation may run concurrently from any thread */
    AL_CAP_FREES          = 1u << 1, /* deallocate really returns memory for reuse */
    AL_CAP_RESET          = 1u << 2, /* reset() frees every block at once */
    AL_CAP_FIXED_CAPACITY = 1u << 3, /* a fixed byte budget; NULL once it is spent */
    AL_CAP_MARKS          = 1u << 4, /* mark()/rewind() temporary scopes */
    AL_CAP_PROCESS_GLOBAL = 1u << 5, /* instances share process-wide state (the program
                                        break): two instances must not be used from two
                                        threads at once */
};

/* The largest alignment every backend must honour. Larger alignments (up to a
 * backend's limit) are honoured where the backend can; otherwise NULL. */
#define AL_MAX_REQUIRED_ALIGN 4096u

/* A saved position of a mark-capable allocator (see al_vtable.mark). */
typedef struct al_mark {
    void *chunk;      /* backend-defined: the region the position lies in */
    size_t offset;    /* backend-defined: the position inside that region */
} al_mark;

/* ----------------------------------------------------------------------------
 * The operations. The front end guarantees, before any call reaches a backend:
 *   - align is a non-zero power of two;
 *   - size (and new_size) is non-zero, at most AL_MAX_SIZE, and a request the
 *     machine can back (al_request_backable: size and align at most
 *     physical memory plus swap);
 *   - ptr is non-NULL and was returned by this instance for (old) size, align.
 * ------------------------------------------------------------------------- */
typedef struct al_vtable {
    /** Return a block of at least `size` bytes aligned to `align`, or NULL when
     *  the memory is exhausted or the alignment is beyond what the backend
     *  supports. Never aborts, never returns memory still owned by anyone. */
    void *(*allocate)(void *state, size_t size, size_t align);

    /** Give back a block from allocate/grow/shrink/allocate_zeroed with the
     *  size and alignment it was last requested with. Cannot fail. A backend
     *  without AL_CAP_FREES may ignore it (bump: only the newest block). */
    void (*deallocate)(void *state, void *ptr, size_t size, size_t align);

    /** Optional. Resize a block to new_size > old_size (strictly: al_grow
     *  answers new_size == old_size itself and never calls this), keeping the
     *  first old_size bytes. May move. On failure return NULL and leave the
     *  old block untouched and still owned by the caller.
     *  Fallback: allocate + memcpy + deallocate (al_grow_fallback). */
    void *(*grow)(void *state, void *ptr, size_t old_size, size_t new_size, size_t align);

    /** Optional. Resize a block to 0 < new_size < old_size, keeping the first
     *  new_size bytes. May move; may return ptr unchanged. Should not fail;
     *  if it does it returns NULL and the old block is untouched.
     *  Fallback: return ptr unchanged (the block keeps its old footprint). */
    void *(*shrink)(void *state, void *ptr, size_t old_size, size_t new_size, size_t align);

    /** Optional. As allocate, with every byte of the block zero.
     *  Fallback: allocate + memset. */
    void *(*allocate_zeroed)(void *state, size_t size, size_t align);

    /** Optional (AL_CAP_RESET). Free every block at once; the allocator stays
     *  usable. Pointers handed out before are invalid afterwards. */
    void (*reset)(void *state);

    /** Optional. The number of bytes really usable at ptr (>= size).
     *  Fallback: size. */
    size_t (*usable_size)(void *state, const void *ptr, size_t size, size_t align);

    /** Optional (AL_CAP_MARKS). Save the current position in *out; returns
     *  false if the allocator cannot (then *out is unspecified). */
    bool (*mark)(void *state, al_mark *out);

    /** Optional (AL_CAP_MARKS). Free every block allocated since `m` was
     *  taken; blocks from before stay valid, every byte of them: also a block
     *  from before that grew in place after the mark (grow returned the same
     *  pointer), however far past the mark's position it now reaches. A
     *  block from before that grow or shrink moved after the mark is a new
     *  block of the scope, freed by the rewind. A rewind may keep more than
     *  it frees (bytes a grown block once covered), never less. A mark taken
     *  before a reset or a rewind to an earlier mark must not be used
     *  again. */
    void (*rewind)(void *state, const al_mark *m);

    /** Release the instance and all its memory, including the al_allocator
     *  handle itself when the instance owns it. NULL: nothing to release. */
    void (*destroy)(void *state);
} al_vtable;

/* An inline bump region of a handle (see al_allocator): [top, end) is free,
 * both held as integers; {0, 0} is none. */
typedef struct al_region {
    uintptr_t top, end;
} al_region;

/* The highest end a bump region may have: top rounded up to any alignment
 * up to AL_MAX_REQUIRED_ALIGN then cannot wrap around, so the front end and
 * the inline paths (backends.h) round the top up first and compare once,
 * like a hand-written bump. No user-space memory lies above it. */
#define AL_REGION_END_MAX (UINTPTR_MAX - (AL_MAX_REQUIRED_ALIGN - 1))

/* An allocator handle: state + operations + capabilities of this instance,
 * and optionally a plain path or a region, which let the front end serve
 * the common requests without the vtable. A handle is used in place (by
 * pointer), never copied: the region lives in it. A handle of one's own is
 * made with an initializer ((al_allocator){.state = .., .vt = .., .caps =
 * ..}) or zeroed first, so that its plain and region fields are 0.
 *
 * The plain path (all three plain_* fields zero: none) lets the front end
 * call a library's own malloc-like entry points without the vtable and the
 * backend's adapter in between, for the requests they serve exactly as the
 * vtable would: those whose align is a power of two at most plain_align and
 * whose size is a non-zero multiple of align (the layout of any C type, the
 * common case) below AL_LARGE_REQUEST: al_plain_key(size, align) <=
 * plain_align, one comparison. For such a request al_allocate calls
 * plain_allocate(size) and al_deallocate calls plain_deallocate(ptr): the
 * library's malloc and free themselves, no call in between (a sized free
 * would need one more call to reach it, and cost more than it saves:
 * measured on jemalloc's sdallocx), so a backend that sets them promises:
 *   - plain_align is a power of two below AL_LARGE_REQUEST;
 *   - plain_allocate(size) is what vt->allocate(state, size, align) would do
 *     for every such (size, align): a block aligned to align, or NULL;
 *   - plain_deallocate(ptr) gives back any block of this instance last
 *     requested (allocated, grown or shrunk) with such a (size, align), and
 *     does nothing for ptr NULL;
 *   - neither reads the state: the path carries none.
 *
 * The region (region.end 0: none) is the free space of a bump instance
 * (bump, arena), which the front end bumps in place. A request with a
 * power-of-two align up to AL_MAX_REQUIRED_ALIGN and a size from 1 that
 * fits in [top rounded up to align, end) is served from there (top moves
 * past the block) without asking the backend or testing the size further:
 * the memory is the instance's already. al_deallocate of the block that
 * ends at top moves top back to its start; any other al_deallocate on a
 * handle with a region does nothing. So a backend that sets one promises:
 *   - the region is memory the instance holds, end <= AL_REGION_END_MAX, and
 *     a block bumped from it is one vt->allocate could have returned;
 *   - giving back any block but the newest does nothing (as in bump);
 *   - its operations keep the region current (they move the same top), and
 *     it has no plain path.
 * A backend that must see every call (to mark memory for a checker) leaves
 * the region at {0, 0}. Wrappers have none.
 *
 * Everything else (zeroed, grow, shrink, other layouts, a spent region)
 * goes through the vtable. */
typedef struct al_allocator {
    void *state;
    const al_vtable *vt;
    size_t plain_align;                         /* 0: no plain path */
    void *(*plain_allocate)(size_t size);
    void (*plain_deallocate)(void *ptr);
    al_region region;                           /* {0, 0}: none */
    unsigned caps;
} al_allocator;

/* The smallest size or alignment that the front end checks against what
 * the machine can back (al_request_backable, below). */
#define AL_LARGE_REQUEST ((size_t)1 << 30)

/** The plain key of a request: `align` when (size, align) has the layout
 *  of a C type (align a power of two, size a non-zero multiple of it) and
 *  size is below AL_LARGE_REQUEST, otherwise SIZE_MAX. A request takes a
 *  handle's plain path exactly when al_plain_key(size, align) <=
 *  a->plain_align: one comparison with the handle per call, the key itself
 *  computed from the arguments alone (in a loop with one layout, once). */
static inline size_t al_plain_key(size_t size, size_t align)
{
    /* Arithmetic, not a choice between two values (which the compiler would
     * split into branches again): align, with bits at 2^32 and up when size
     * is not a multiple of align or align not a power of two, and at 2^30
     * and up when size is 0 or at least AL_LARGE_REQUEST. A set bit above
     * 2^30 puts the key above every plain_align. */
#if SIZE_MAX > 0xffffffffu
    return align | (((size | align) & (align - 1)) << 32) | ((size | (size - 1)) & ~(AL_LARGE_REQUEST - 1));
#else
    return ((size | align) & (align - 1)) == 0 && align != 0 && size - 1 < AL_LARGE_REQUEST - 1 ? align : SIZE_MAX;
#endif
}

/** Whether a request of (size, align) takes a's plain path (see
 *  al_plain_key). */
static inline bool al_plain_layout(const al_allocator *a, size_t size, size_t align)
{
    return AL_LIKELY(al_plain_key(size, align) <= a->plain_align);
}

/* No request may exceed this; larger sizes (and overflowing array sizes)
 * give NULL before a backend is asked. */
#define AL_MAX_SIZE ((size_t)PTRDIFF_MAX / 2)

/* ----------------------------------------------------------------------------
 * Requests the machine cannot back. A size or an alignment above physical
 * memory plus swap (al_backable_limit) can never be backed, yet some
 * libraries accept it: mimalloc and jemalloc reserve address space with
 * MAP_NORESERVE, which the kernel's overcommit heuristic does not refuse, so
 * 1 TiB "succeeds", and mimalloc then zeroes an over-aligned block with
 * memset until the kernel kills the process. The front end refuses such a
 * request (NULL) before any backend or wrapper sees it, zeroed or not, at
 * any alignment. Requests whose size and alignment are both below
 * AL_LARGE_REQUEST skip the check (one comparison on the fast path).
 * ------------------------------------------------------------------------- */
/** Physical memory plus swap in bytes (sysinfo, read once per process);
 *  AL_MAX_SIZE when the system does not say. */
AL_API size_t al_backable_limit(void);

/** Whether a request of `size` bytes at `align` may go to a backend: size
 *  at most AL_MAX_SIZE, size and align at most al_backable_limit(). */
AL_API bool al_request_backable(size_t size, size_t align);

/* The front end's size test: small requests pass at once. */
static inline bool al_size_ok(size_t size, size_t align)
{
    return (size | align) < AL_LARGE_REQUEST || al_request_backable(size, align);
}

/* ----------------------------------------------------------------------------
 * Size 0: al_allocate(a, 0, align) returns a non-NULL pointer aligned to
 * `align` that must never be dereferenced (it equals (void *)align, as Rust's
 * dangling pointers do). Deallocating size 0 is a no-op; growing from size 0
 * allocates; shrinking to size 0 deallocates and returns the dangling pointer.
 * ------------------------------------------------------------------------- */

/** Whether x is a power of two (0 is not). */
static inline bool al_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/** The pointer a size-0 request gets for `align` (a power of two): non-NULL,
 *  aligned, never to be dereferenced or handed to a backend. */
static inline void *al_dangling(size_t align) { return (void *)(uintptr_t)align; }

/** The generic grow for a backend without vt->grow: a new block from
 *  vt->allocate, the first old_size bytes copied, then the old block given to
 *  vt->deallocate. NULL when the allocation fails, the old block untouched.
 *  Expects what the front end guarantees a backend (see al_vtable): a and
 *  ptr non-NULL, 0 < old_size < new_size <= AL_MAX_SIZE, align a power of
 *  two. For a backend's own grow to fall back to, or the front end. */
AL_API void *al_grow_fallback(al_allocator *a, void *ptr, size_t old_size, size_t new_size, size_t align);

/** The generic allocate_zeroed for a backend without it: vt->allocate, then
 *  memset to 0. NULL when the allocation fails. Expects a non-NULL, 0 <
 *  size <= AL_MAX_SIZE, align a power of two. */
AL_API void *al_zeroed_fallback(al_allocator *a, size_t size, size_t align);

/* ----------------------------------------------------------------------------
 * The front end. Every function below takes a non-NULL `a`: an instance from
 * al_create, a backend's desc->create or al_bump_init, not yet destroyed.
 * They do not check it (they are the hot path); passing NULL is undefined.
 * Only al_destroy accepts NULL. Arguments other than `a` are checked as each
 * function says.
 * ------------------------------------------------------------------------- */

/** A block of `size` bytes aligned to `align`, or NULL (bad alignment,
 *  size > AL_MAX_SIZE, a request the machine cannot back, or exhaustion;
 *  a request that fits in the handle's region is served from it, whatever
 *  its size: that memory is held already). `a` non-NULL. al_allocate_rare
 *  is its out-of-line part: size 0, a bad alignment, and sizes or
 *  alignments from AL_LARGE_REQUEST on (the same answers, for any
 *  request). */
AL_API void *al_allocate_rare(al_allocator *a, size_t size, size_t align);

static inline void *al_allocate(al_allocator *a, size_t size, size_t align)
{
    /* The plain path: one comparison of the key with the handle. Then the
     * region, if any, and the vtable; the align tests fold away for a
     * constant, and size 0 fails the region's test (size - 1 wraps) and the
     * vtable's. */
    if (al_plain_layout(a, size, align)) return a->plain_allocate(size);
    if (align - 1 < AL_MAX_REQUIRED_ALIGN && al_is_pow2(align)) {
        /* No region ({0, 0}) needs no test of its own: its top rounds up to
         * 0, which is not below its end (a spent region's top, at its end,
         * has no room either). */
        uintptr_t end = a->region.end, p = (a->region.top + align - 1) & ~(uintptr_t)(align - 1);
        if (AL_LIKELY(p < end && size - 1 < end - p)) {
            a->region.top = p + size;
            return (void *)p;
        }
        if (size - 1 < AL_LARGE_REQUEST - 1) return a->vt->allocate(a->state, size, align);
    }
    return al_allocate_rare(a, size, align);
}

/** Give back a block; ptr NULL or size 0 is a no-op. `a` non-NULL. */
static inline void al_deallocate(al_allocator *a, void *ptr, size_t size, size_t align)
{
    if (al_plain_layout(a, size, align)) a->plain_deallocate(ptr); /* ptr NULL: a no-op there */
    else if (a->region.end) {
        /* Only the newest block goes back: the one ending at top. Size 0
         * (ptr + 0 is top only when ptr is top) and NULL (whatever the
         * size) change nothing. A handle without a region is never written
         * to (it may be shared by threads). */
        if ((uintptr_t)ptr + size == a->region.top && ptr) a->region.top = (uintptr_t)ptr;
    } else if (size != 0 && ptr)
        a->vt->deallocate(a->state, ptr, size, align);
}

/** As al_allocate, zero-filled. `a` non-NULL. */
static inline void *al_allocate_zeroed(al_allocator *a, size_t size, size_t align)
{
    if (!al_is_pow2(align) || !al_size_ok(size, align)) return NULL;
    if (size == 0) return al_dangling(align);
    if (a->vt->allocate_zeroed) return a->vt->allocate_zeroed(a->state, size, align);
    return al_zeroed_fallback(a, size, align);
}

/** Grow a block from old_size to new_size >= old_size (may move). NULL on
 *  failure (also new_size < old_size, bad align, new_size > AL_MAX_SIZE or
 *  beyond what the machine can back),
 *  leaving the old block untouched. new_size == old_size returns ptr without
 *  asking the backend; ptr NULL or old_size 0 allocates. `a` non-NULL. */
static inline void *al_grow(al_allocator *a, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (!al_is_pow2(align) || !al_size_ok(new_size, align) || new_size < old_size) return NULL;
    if (old_size == 0 || ptr == NULL) return al_allocate(a, new_size, align);
    if (new_size == old_size) return ptr;
    if (a->vt->grow) return a->vt->grow(a->state, ptr, old_size, new_size, align);
    return al_grow_fallback(a, ptr, old_size, new_size, align);
}

/** Shrink a block from old_size to new_size <= old_size (may move). NULL
 *  when new_size > old_size or align is bad (the block untouched); new_size
 *  0 gives the block back and returns al_dangling(align). `a` non-NULL. */
static inline void *al_shrink(al_allocator *a, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (!al_is_pow2(align) || new_size > old_size) return NULL;
    if (ptr == NULL || old_size == 0) return al_dangling(align);
    if (new_size == old_size) return ptr;
    if (new_size == 0) {
        a->vt->deallocate(a->state, ptr, old_size, align);
        return al_dangling(align);
    }
    if (a->vt->shrink) return a->vt->shrink(a->state, ptr, old_size, new_size, align);
    return ptr;
}

/** Grow or shrink, whichever new_size asks for. `a` non-NULL. */
static inline void *al_resize(al_allocator *a, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    return new_size >= old_size ? al_grow(a, ptr, old_size, new_size, align)
                                : al_shrink(a, ptr, old_size, new_size, align);
}

/** Free everything at once. Returns false (and does nothing) when the
 *  allocator is not resettable. `a` non-NULL. */
static inline bool al_reset(al_allocator *a)
{
    if (!a->vt->reset) return false;
    a->vt->reset(a->state);
    return true;
}

/** Usable bytes at ptr (>= size); 0 when ptr is NULL or size 0. `a`
 *  non-NULL. */
static inline size_t al_usable_size(al_allocator *a, const void *ptr, size_t size, size_t align)
{
    if (ptr == NULL || size == 0) return 0;
    return a->vt->usable_size ? a->vt->usable_size(a->state, ptr, size, align) : size;
}

/** Save the position of a mark-capable allocator; false if unsupported.
 *  `a` and `out` non-NULL. */
static inline bool al_mark_get(al_allocator *a, al_mark *out)
{
    return a->vt->mark ? a->vt->mark(a->state, out) : false;
}

/** Free everything allocated since the mark; false if unsupported. `a`
 *  and `m` non-NULL. */
static inline bool al_rewind(al_allocator *a, const al_mark *m)
{
    if (!a->vt->rewind) return false;
    a->vt->rewind(a->state, m);
    return true;
}

/** Whether `a` (non-NULL) promises every AL_CAP_* bit of `caps` (0: true). */
static inline bool al_has(const al_allocator *a, unsigned caps) { return (a->caps & caps) == caps; }

/* ----------------------------------------------------------------------------
 * Typed helpers. The array forms check n * size for overflow first and give
 * NULL when it overflows, never a short block. `a` non-NULL, as above.
 * ------------------------------------------------------------------------- */
static inline void *al_allocate_array(al_allocator *a, size_t n, size_t elem, size_t align)
{
    if (elem != 0 && n > AL_MAX_SIZE / elem) return NULL;
    return al_allocate(a, n * elem, align);
}

static inline void *al_allocate_array_zeroed(al_allocator *a, size_t n, size_t elem, size_t align)
{
    if (elem != 0 && n > AL_MAX_SIZE / elem) return NULL;
    return al_allocate_zeroed(a, n * elem, align);
}

static inline void *al_resize_array(al_allocator *a, void *ptr, size_t old_n, size_t new_n,
                                    size_t elem, size_t align)
{
    if (elem != 0 && (new_n > AL_MAX_SIZE / elem || old_n > AL_MAX_SIZE / elem)) return NULL;
    return al_resize(a, ptr, old_n * elem, new_n * elem, align);
}

/* The typed macros' building blocks, in C and in C++ alike:
 * AL_ALIGNOF(T) the alignment of T; AL_PTR_AS(T *, p) p as a T * (a
 * compile-time check that p converts, not a cast that forces it); and
 * AL_TEMP_PTR(T, value) the address of a temporary T holding value, valid
 * to the end of the full expression (C: a compound literal). */
#ifdef __cplusplus
#define AL_ALIGNOF(T) alignof(T)
#define AL_PTR_AS(PT, p) static_cast<PT>(p)
#define AL_TEMP_PTR(T, value) (::alloclab_detail::temp<T>{(value)}.ptr())
#else
#define AL_ALIGNOF(T) _Alignof(T)
#define AL_PTR_AS(PT, p) ((PT){(p)})
#define AL_TEMP_PTR(T, value) (&(T){(value)})
#endif

/* AL_NEW(a, T, n): n zeroed objects of type T, or NULL (including when
 * n * sizeof(T) overflows). AL_DELETE gives them back. */
#define AL_NEW(a, T, n) ((T *)al_allocate_array_zeroed((a), (n), sizeof(T), AL_ALIGNOF(T)))
#define AL_NEW_UNINIT(a, T, n) ((T *)al_allocate_array((a), (n), sizeof(T), AL_ALIGNOF(T)))
#define AL_DELETE(a, p, T, n) al_deallocate((a), (p), (size_t)(n) * sizeof(T), AL_ALIGNOF(T))
#define AL_RESIZE(a, p, T, old_n, new_n) \
    ((T *)al_resize_array((a), (p), (old_n), (new_n), sizeof(T), AL_ALIGNOF(T)))

/** Release an instance made by the registry or a backend constructor. NULL is
 *  a no-op. */
static inline void al_destroy(al_allocator *a)
{
    if (a && a->vt->destroy) a->vt->destroy(a->state);
}

#ifdef __cplusplus
}

namespace alloclab_detail {
/* AL_TEMP_PTR's temporary: C++ has no compound literals. */
template <typename T> struct temp {
    T v;
    const T *ptr() const { return &v; }
};
} // namespace alloclab_detail
#endif
#endif
