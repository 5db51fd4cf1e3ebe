/* al_smallvec: inline storage first, then an al_vec's block (see
 * alloclab/smallvec.h).
 *
 * Invariants: not spilled <=> v.data == inline_buf, and then v.cap ==
 * inline_cap; spilled, v is an ordinary al_vec over its allocator. Only
 * reserve (spilling) and shrink_to_fit/free (going back inline) cross between
 * the two; everything else is the vec's code. */
#include "alloclab/smallvec.h"
#include "vec_internal.h"

bool al_smallvec_init(al_smallvec *s, al_allocator *a, size_t elem_size, size_t elem_align,
                      void *inline_buf, size_t inline_cap)
{
    al_vec v;
    if (!s || !al_vec_init(&v, a, elem_size, elem_align)) return false;
    if (elem_size == 0 || inline_cap == 0) {
        inline_buf = v.data; /* nothing inline: the dangling pointer stands for it */
        inline_cap = v.cap;
    } else if (!inline_buf || (uintptr_t)inline_buf % elem_align != 0) {
        return false;
    }
    v.data = inline_buf;
    v.cap = inline_cap;
    *s = (al_smallvec){.v = v, .inline_buf = inline_buf, .inline_cap = inline_cap};
    return true;
}

bool al_smallvec_spilled(const al_smallvec *s) { return s && s->v.data != s->inline_buf; }

/* ----------------------------------------------------------------------------
 * Spilling: the inline elements are copied (not moved) to the new block, so
 * a pointer into the inline storage still reads the same values afterwards.
 * ------------------------------------------------------------------------- */
static bool reserve(al_smallvec *s, size_t additional, bool exact)
{
    al_vec *v = &s->v;
    if (al_smallvec_spilled(s)) return exact ? al_vec_reserve_exact(v, additional) : al_vec_reserve(v, additional);
    if (v->cap - v->len >= additional) return true;
    size_t cap;
    if (!al_vec_target_cap(v, additional, exact, &cap)) return false;
    void *p = al_allocate(v->alloc, cap * v->elem_size, v->elem_align);
    if (p == NULL) return false;
    memcpy(p, v->data, v->len * v->elem_size);
    v->data = p;
    v->cap = cap;
    return true;
}

bool al_smallvec_reserve(al_smallvec *s, size_t additional) { return s && reserve(s, additional, false); }

bool al_smallvec_reserve_exact(al_smallvec *s, size_t additional) { return s && reserve(s, additional, true); }

void *al_smallvec_push(al_smallvec *s, const void *elem)
{
    return s && reserve(s, 1, false) ? al_vec_push(&s->v, elem) : NULL;
}

/* Spilled: the vec's extend, which keeps track of elems inside a block it
 * moves. Inline: spilling copies, so elems in the inline storage stay valid. */
bool al_smallvec_extend(al_smallvec *s, const void *elems, size_t n)
{
    if (!s) return false;
    if (!al_smallvec_spilled(s) && !reserve(s, n, false)) return false;
    return al_vec_extend(&s->v, elems, n);
}

/* ----------------------------------------------------------------------------
 * Going back inline.
 * ------------------------------------------------------------------------- */
/* Give the block back and point at the inline storage again (len kept). */
static void unspill(al_smallvec *s)
{
    al_vec *v = &s->v;
    al_deallocate(v->alloc, v->data, v->cap * v->elem_size, v->elem_align);
    v->data = s->inline_buf;
    v->cap = s->inline_cap;
}

bool al_smallvec_shrink_to_fit(al_smallvec *s)
{
    if (!s) return false;
    if (!al_smallvec_spilled(s)) return true;
    al_vec *v = &s->v;
    if (v->len > s->inline_cap) return al_vec_shrink_to_fit(v);
    if (v->len) memcpy(s->inline_buf, v->data, v->len * v->elem_size);
    unspill(s);
    return true;
}

void al_smallvec_free(al_smallvec *s)
{
    if (!s) return;
    if (al_smallvec_spilled(s)) unspill(s);
    s->v.len = 0;
}

/* ----------------------------------------------------------------------------
 * Element access: the vec's, whichever storage is in use.
 * ------------------------------------------------------------------------- */
bool al_smallvec_pop(al_smallvec *s, void *out) { return s && al_vec_pop(&s->v, out); }

void *al_smallvec_at(const al_smallvec *s, size_t i) { return s ? al_vec_at(&s->v, i) : NULL; }

bool al_smallvec_get(const al_smallvec *s, size_t i, void *out) { return s && al_vec_get(&s->v, i, out); }

void al_smallvec_clear(al_smallvec *s) { if (s) al_vec_clear(&s->v); }
