/* alloclab — al_smallvec: a vec with room for N elements inline.
 *
 * The first N elements live in storage the caller provides (usually next to
 * the smallvec, on the stack or inside a struct): no allocation at all while
 * len <= N. The push that does not fit (the N+1th) "spills": the elements
 * move to a block from the allocator and from then on it behaves as an
 * al_vec (same growth policy: the first block holds max(2N, needed, the vec's
 * minimum first capacity) elements).
 *
 *   AL_SMALLVEC(int, 4) s;        // 4 ints inline
 *   AL_SMALLVEC_INIT(&s, a);
 *   for (int i = 1; i <= 5; i++) AL_SMALLVEC_PUSH(&s, int, i);
 *   al_smallvec_spilled(&s.sv);   // true: spilled on the 5th push
 *
 * shrink_to_fit moves the elements back inline when they fit there (and
 * frees the block); otherwise it shrinks the block as al_vec does. free gives
 * the block back and the smallvec is inline and empty again.
 *
 * Failure: as al_vec: false/NULL, the smallvec unchanged, nothing aborts.
 * While not spilled, a smallvec points into its inline storage: do not move
 * it (copy it by value) or let that storage go out of scope while in use.
 */
#ifndef ALLOCLAB_SMALLVEC_H
#define ALLOCLAB_SMALLVEC_H

#include "vec.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct al_smallvec {
    al_vec v;            /* the elements; v.data == inline_buf until spilled */
    void *inline_buf;    /* the caller's storage for inline_cap elements, aligned to elem_align */
    size_t inline_cap;   /* elements the inline storage holds (N) */
} al_smallvec;

/** An empty smallvec using inline_buf (room for inline_cap elements) first.
 *  False (s untouched) on the arguments al_vec_init refuses, or when
 *  inline_buf is NULL with inline_cap > 0 or not aligned to elem_align. */
AL_API bool al_smallvec_init(al_smallvec *s, al_allocator *a, size_t elem_size, size_t elem_align,
                             void *inline_buf, size_t inline_cap);

/** Whether the elements live in a block from the allocator. */
AL_API bool al_smallvec_spilled(const al_smallvec *s);

/** Elements in use. */
static inline size_t al_smallvec_len(const al_smallvec *s) { return s->v.len; }

/** As al_vec_reserve / al_vec_reserve_exact (spilling if it must). */
AL_API bool al_smallvec_reserve(al_smallvec *s, size_t additional);
AL_API bool al_smallvec_reserve_exact(al_smallvec *s, size_t additional);

/** As al_vec_push: the new element's address, or NULL (s unchanged). */
AL_API void *al_smallvec_push(al_smallvec *s, const void *elem);

/** As al_vec_extend; `elems` may point into s itself. */
AL_API bool al_smallvec_extend(al_smallvec *s, const void *elems, size_t n);

/** As al_vec_pop, al_vec_at, al_vec_get, al_vec_clear (never move storage). */
AL_API bool al_smallvec_pop(al_smallvec *s, void *out);
AL_API void *al_smallvec_at(const al_smallvec *s, size_t i);
AL_API bool al_smallvec_get(const al_smallvec *s, size_t i, void *out);
AL_API void al_smallvec_clear(al_smallvec *s);

/** Back inline when len <= inline_cap (the block is freed), else shrink the
 *  block to len. False when the allocator fails to shrink (s unchanged). */
AL_API bool al_smallvec_shrink_to_fit(al_smallvec *s);

/** Give the block back if spilled: s is empty and inline again. */
AL_API void al_smallvec_free(al_smallvec *s);

/* ----------------------------------------------------------------------------
 * Typed layer: a struct with the smallvec and N inline elements of type T.
 * The smallvec itself is the `sv` member. As with al_vec's typed layer, the
 * helpers check sizeof(T) against the element size (false/NULL when it
 * differs), each macro is a function call (fine as a statement and in an
 * `if`), and `out` is a T * (type-checked) or NULL. Reading elements (pop,
 * get, at) never moves storage, so those go to the vec's helpers directly.
 * ------------------------------------------------------------------------- */

/** al_smallvec_push, true when pushed; false also when elem_size != s's. */
static inline bool al_smallvec_push_sized(al_smallvec *s, const void *elem, size_t elem_size)
{
    return s->v.elem_size == elem_size && al_smallvec_push(s, elem) != NULL;
}

/** al_smallvec_extend; false also when elem_size != s's. */
static inline bool al_smallvec_extend_sized(al_smallvec *s, const void *elems, size_t n, size_t elem_size)
{
    return s->v.elem_size == elem_size && al_smallvec_extend(s, elems, n);
}

#define AL_SMALLVEC(T, N) struct { al_smallvec sv; T inline_[N]; }
#define AL_SMALLVEC_INIT(s, a) \
    al_smallvec_init(&(s)->sv, (a), sizeof((s)->inline_[0]), AL_ALIGNOF(__typeof__((s)->inline_[0])), \
                     (s)->inline_, sizeof((s)->inline_) / sizeof((s)->inline_[0]))
/* True when pushed. The value is evaluated once. */
#define AL_SMALLVEC_PUSH(s, T, value) al_smallvec_push_sized(&(s)->sv, AL_TEMP_PTR(T, value), sizeof(T))
/* Append n elements from the T array `elems`; true when appended. */
#define AL_SMALLVEC_EXTEND(s, T, elems, n) \
    al_smallvec_extend_sized(&(s)->sv, AL_PTR_AS(const T *, elems), (n), sizeof(T))
/* Remove the last element into *out (out: T * or NULL); false when empty. */
#define AL_SMALLVEC_POP(s, T, out) al_vec_pop_sized(&(s)->sv.v, AL_PTR_AS(T *, out), sizeof(T))
/* Copy element i into *out (out: T *); false when i >= len. */
#define AL_SMALLVEC_GET(s, T, i, out) al_vec_get_sized(&(s)->sv.v, (i), AL_PTR_AS(T *, out), sizeof(T))
/* A pointer to element i (NULL when out of range). */
#define AL_SMALLVEC_AT(s, T, i) ((T *)al_vec_at_sized(&(s)->sv.v, (i), sizeof(T)))
/* The elements as a T array (len of them in use). */
#define AL_SMALLVEC_DATA(s, T) ((T *)(s)->sv.v.data)
/* Elements in use. */
#define AL_SMALLVEC_LEN(s) ((s)->sv.v.len)

#ifdef __cplusplus
}
#endif
#endif
