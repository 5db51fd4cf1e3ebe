/* alloclab — al_vec: a growable array over any allocator.
 *
 * Elements have a fixed size and alignment given at init; the vec stores
 * them contiguously in one block from its allocator. The core is untyped; the
 * AL_VEC_* macros at the end add a typed layer.
 *
 * Growth: when a push or extend does not fit, the capacity becomes the
 * largest of twice the old capacity, what is needed, and a minimum first
 * capacity (8 elements of 1 byte, 4 elements up to 1 KiB, else 1 — as Rust's
 * Vec does). The block is resized with al_grow/al_shrink, so an allocator that
 * can resize in place (a bump arena's newest block, realloc) does.
 *
 * Failure: every operation that may allocate returns false (or NULL) when the
 * allocator fails or a size would overflow, and then leaves the vec exactly as
 * it was. Nothing aborts. Element size 0 never allocates.
 *
 * A vec is not thread-safe; it may be moved (copied by value) between calls.
 */
#ifndef ALLOCLAB_VEC_H
#define ALLOCLAB_VEC_H

#include "allocator.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct al_vec {
    al_allocator *alloc; /* where the block comes from; not owned */
    void *data;          /* cap elements, the first len initialised; while cap == 0 or
                            elem_size == 0, al_dangling(elem_align) (never dereferenced) */
    size_t len;          /* elements in use */
    size_t cap;          /* elements the block holds (SIZE_MAX when elem_size == 0) */
    size_t elem_size;    /* bytes per element */
    size_t elem_align;   /* alignment of the block: a power of two */
} al_vec;

/** Minimum capacity of the first allocation, for elements of elem_size bytes. */
AL_API size_t al_vec_min_cap(size_t elem_size);

/** An empty vec (no allocation). False when elem_align is not a power of two
 *  or elem_size is not a multiple of it, or v or a is NULL (then *v is left
 *  untouched). */
AL_API bool al_vec_init(al_vec *v, al_allocator *a, size_t elem_size, size_t elem_align);

/** As al_vec_init, with room for exactly `cap` elements. False (and *v an
 *  empty vec when the arguments were valid) when the allocation fails. */
AL_API bool al_vec_with_capacity(al_vec *v, al_allocator *a, size_t elem_size, size_t elem_align, size_t cap);

/** Make room for `additional` more elements with amortised (doubling)
 *  growth. True when there is room afterwards; false leaves v unchanged. */
AL_API bool al_vec_reserve(al_vec *v, size_t additional);

/** Make room for exactly `additional` more elements (no extra). */
AL_API bool al_vec_reserve_exact(al_vec *v, size_t additional);

/** Append one element copied from `elem` (NULL: zero-filled). Returns the
 *  new element's address, or NULL on failure (v unchanged). */
AL_API void *al_vec_push(al_vec *v, const void *elem);

/** Append n elements copied from `elems` (NULL: zero-filled). `elems` may
 *  point into v itself. False on failure (v unchanged). */
AL_API bool al_vec_extend(al_vec *v, const void *elems, size_t n);

/** Remove the last element, copying it to `out` when out is non-NULL.
 *  False when v is empty. Never frees memory. */
AL_API bool al_vec_pop(al_vec *v, void *out);

/** The address of element i, or NULL when i >= len. Valid until the next
 *  call that may allocate. */
AL_API void *al_vec_at(const al_vec *v, size_t i);

/** Copy element i to `out`; false when i >= len. */
AL_API bool al_vec_get(const al_vec *v, size_t i, void *out);

/** Remove every element; the capacity stays. */
AL_API void al_vec_clear(al_vec *v);

/** Shrink the block to len elements (freeing it when len == 0). False when
 *  the allocator fails to shrink (v unchanged, still valid). */
AL_API bool al_vec_shrink_to_fit(al_vec *v);

/** Give the block back; v becomes empty (still usable, same allocator). */
AL_API void al_vec_free(al_vec *v);

/* ----------------------------------------------------------------------------
 * Typed layer. T must be the type the vec was made for; every helper that
 * copies elements first checks sizeof(T) == elem_size and fails (false or
 * NULL, the vec unchanged) when it differs, so a wrong T never copies past
 * an element. Each macro is a function call: fine as a statement and in an
 * `if`. `out` is a T * (type-checked) or NULL.
 *   al_vec v; AL_VEC_INIT(&v, a, int);
 *   AL_VEC_PUSH(&v, int, 42);
 *   int x; if (AL_VEC_POP(&v, int, &x)) ...
 * ------------------------------------------------------------------------- */

/** al_vec_push, true when pushed; false also when elem_size != v's. */
static inline bool al_vec_push_sized(al_vec *v, const void *elem, size_t elem_size)
{
    return v->elem_size == elem_size && al_vec_push(v, elem) != NULL;
}

/** al_vec_extend; false also when elem_size != v's. */
static inline bool al_vec_extend_sized(al_vec *v, const void *elems, size_t n, size_t elem_size)
{
    return v->elem_size == elem_size && al_vec_extend(v, elems, n);
}

/** al_vec_pop; false also when elem_size != v's. */
static inline bool al_vec_pop_sized(al_vec *v, void *out, size_t elem_size)
{
    return v->elem_size == elem_size && al_vec_pop(v, out);
}

/** al_vec_get; false also when elem_size != v's. */
static inline bool al_vec_get_sized(const al_vec *v, size_t i, void *out, size_t elem_size)
{
    return v->elem_size == elem_size && al_vec_get(v, i, out);
}

/** al_vec_at; NULL also when elem_size != v's. */
static inline void *al_vec_at_sized(const al_vec *v, size_t i, size_t elem_size)
{
    return v->elem_size == elem_size ? al_vec_at(v, i) : NULL;
}

#define AL_VEC_INIT(v, a, T) al_vec_init((v), (a), sizeof(T), AL_ALIGNOF(T))
#define AL_VEC_WITH_CAPACITY(v, a, T, n) al_vec_with_capacity((v), (a), sizeof(T), AL_ALIGNOF(T), (n))
/* True when pushed. The value is evaluated once. */
#define AL_VEC_PUSH(v, T, value) al_vec_push_sized((v), AL_TEMP_PTR(T, value), sizeof(T))
/* Append n elements from the T array `elems`; true when appended. */
#define AL_VEC_EXTEND(v, T, elems, n) al_vec_extend_sized((v), AL_PTR_AS(const T *, elems), (n), sizeof(T))
/* Remove the last element into *out (out: T * or NULL); false when empty. */
#define AL_VEC_POP(v, T, out) al_vec_pop_sized((v), AL_PTR_AS(T *, out), sizeof(T))
/* Copy element i into *out (out: T *); false when i >= len. */
#define AL_VEC_GET(v, T, i, out) al_vec_get_sized((v), (i), AL_PTR_AS(T *, out), sizeof(T))
/* A pointer to element i (NULL when out of range). */
#define AL_VEC_AT(v, T, i) ((T *)al_vec_at_sized((v), (i), sizeof(T)))
/* The elements as a T array (len of them in use). */
#define AL_VEC_DATA(v, T) ((T *)(v)->data)
/* Elements in use. */
#define AL_VEC_LEN(v) ((v)->len)

#ifdef __cplusplus
}
#endif
#endif
