/* al_vec: a growable array over any allocator (see alloclab/vec.h).
 *
 * Invariants: len <= cap; data holds cap * elem_size bytes from alloc
 * aligned to elem_align, or is al_dangling(elem_align) when that is 0 bytes;
 * cap * elem_size <= AL_MAX_SIZE. A failed call changes none of the fields. */
#include "vec_internal.h"

/* ----------------------------------------------------------------------------
 * Capacity: the growth policy and the one place the block is resized.
 * ------------------------------------------------------------------------- */
size_t al_vec_min_cap(size_t elem_size)
{
    if (elem_size == 1) return 8;
    return elem_size <= 1024 ? 4 : 1;
}

bool al_vec_target_cap(const al_vec *v, size_t additional, bool exact, size_t *out)
{
    size_t max = v->elem_size ? AL_MAX_SIZE / v->elem_size : SIZE_MAX;
    if (additional > max || v->len > max - additional) return false;
    size_t cap = v->len + additional;
    if (!exact) {
        size_t twice = v->cap > max / 2 ? max : v->cap * 2;
        size_t min = al_vec_min_cap(v->elem_size);
        if (twice > cap) cap = twice;
        if (min > cap) cap = min > max ? max : min;
    }
    *out = cap;
    return true;
}

/* Move the block to new_cap elements (new_cap >= len). */
static bool set_cap(al_vec *v, size_t new_cap)
{
    void *p = al_resize(v->alloc, v->data, v->cap * v->elem_size, new_cap * v->elem_size, v->elem_align);
    if (p == NULL) return false;
    v->data = p;
    v->cap = new_cap;
    return true;
}

static bool reserve(al_vec *v, size_t additional, bool exact)
{
    if (v->cap - v->len >= additional) return true; /* elem_size 0: cap is SIZE_MAX */
    size_t cap;
    if (!al_vec_target_cap(v, additional, exact, &cap)) return false;
    return set_cap(v, cap);
}

bool al_vec_reserve(al_vec *v, size_t additional) { return v && reserve(v, additional, false); }

bool al_vec_reserve_exact(al_vec *v, size_t additional) { return v && reserve(v, additional, true); }

/* ----------------------------------------------------------------------------
 * Life cycle
 * ------------------------------------------------------------------------- */
bool al_vec_init(al_vec *v, al_allocator *a, size_t elem_size, size_t elem_align)
{
    if (!v || !a || !al_is_pow2(elem_align) || elem_size % elem_align != 0) return false;
    *v = (al_vec){.alloc = a, .data = al_dangling(elem_align), .cap = elem_size ? 0 : SIZE_MAX,
                  .elem_size = elem_size, .elem_align = elem_align};
    return true;
}

bool al_vec_with_capacity(al_vec *v, al_allocator *a, size_t elem_size, size_t elem_align, size_t cap)
{
    return al_vec_init(v, a, elem_size, elem_align) && reserve(v, cap, true);
}

void al_vec_free(al_vec *v)
{
    if (!v) return;
    if (v->elem_size) {
        al_deallocate(v->alloc, v->data, v->cap * v->elem_size, v->elem_align);
        v->cap = 0;
    }
    v->data = al_dangling(v->elem_align);
    v->len = 0;
}

bool al_vec_shrink_to_fit(al_vec *v)
{
    if (!v) return false;
    if (v->cap == v->len || v->elem_size == 0) return true;
    return set_cap(v, v->len);
}

/* ----------------------------------------------------------------------------
 * Elements
 * ------------------------------------------------------------------------- */
static unsigned char *slot(const al_vec *v, size_t i) { return (unsigned char *)v->data + i * v->elem_size; }

void *al_vec_push(al_vec *v, const void *elem)
{
    if (!v || !reserve(v, 1, false)) return NULL;
    unsigned char *s = slot(v, v->len);
    if (elem) memcpy(s, elem, v->elem_size);
    else memset(s, 0, v->elem_size);
    v->len++;
    return s;
}

bool al_vec_extend(al_vec *v, const void *elems, size_t n)
{
    if (!v) return false;
    /* elems may lie in the block that reserve() moves: keep its index. */
    const unsigned char *src = elems;
    uintptr_t at = (uintptr_t)src, lo = (uintptr_t)slot(v, 0), hi = (uintptr_t)slot(v, v->len);
    bool inside = v->elem_size && at >= lo && at < hi;
    size_t from = inside ? (size_t)(at - lo) : 0;
    if (!reserve(v, n, false)) return false;
    if (inside) src = slot(v, 0) + from;
    if (src) memcpy(slot(v, v->len), src, n * v->elem_size);
    else if (n) memset(slot(v, v->len), 0, n * v->elem_size);
    v->len += n;
    return true;
}

bool al_vec_pop(al_vec *v, void *out)
{
    if (!v || v->len == 0) return false;
    v->len--;
    if (out) memcpy(out, slot(v, v->len), v->elem_size);
    return true;
}

void *al_vec_at(const al_vec *v, size_t i) { return v && i < v->len ? slot(v, i) : NULL; }

bool al_vec_get(const al_vec *v, size_t i, void *out)
{
    void *s = al_vec_at(v, i);
    if (!s) return false;
    if (out) memcpy(out, s, v->elem_size);
    return true;
}

void al_vec_clear(al_vec *v)
{
    if (v) v->len = 0;
}
