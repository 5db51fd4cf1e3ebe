/* Toy allocators for the conformance suite: a correct bump allocator, a
 * locking wrapper, and broken variants of the bump that the suite must reject
 * (see conformance_toys.h). */
#include "conformance_toys.h"

#include <alloclab/registry.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------------------
 * The bump. Invariant: [buf, buf + top) is handed out or padding, the rest
 * free; the newest block ends exactly at top, so deallocating or resizing it
 * moves top. `bug` is 0 for the correct toy.
 * ------------------------------------------------------------------------- */
enum bug {
    BUG_NONE, BUG_OVERLAP, BUG_MISALIGN, BUG_GROW_LOSES, BUG_DIRTY_ZEROED,
    BUG_REWIND_NOOP, BUG_RESET_NOOP, BUG_USABLE_SHORT, BUG_FAILED_GROW_CLOBBERS,
    BUG_REWIND_CUTS_GROWN,
};

/* Marks: `mark` is the newest mark's offset; [kept_lo, kept_hi) covers the
 * blocks that began below it and grew in place past it (kept_hi 0: none). A
 * rewind to offset o keeps them unless o <= kept_lo (they came after). */
typedef struct toy {
    al_allocator handle;
    unsigned char *buf;
    size_t cap, top;
    size_t mark, kept_lo, kept_hi;
    enum bug bug;
} toy;

static void *toy_allocate(void *st, size_t size, size_t align)
{
    toy *t = st;
    if (t->bug == BUG_MISALIGN && align > 8) align = 8;
    uintptr_t base = (uintptr_t)t->buf;
    uintptr_t start = (base + t->top + align - 1) & ~(uintptr_t)(align - 1);
    if (start < base + t->top || start - base > t->cap || size > t->cap - (start - base)) return NULL;
    size_t advance = t->bug == BUG_OVERLAP && size > 1 ? size / 2 : size;
    t->top = start - base + advance;
    return (void *)start;
}

static bool newest(const toy *t, const void *ptr, size_t size)
{
    return (const unsigned char *)ptr + size == t->buf + t->top;
}

static void toy_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    toy *t = st;
    (void)align;
    if (newest(t, ptr, size)) t->top = (size_t)((unsigned char *)ptr - t->buf);
}

static void *toy_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    toy *t = st;
    size_t at = (size_t)((unsigned char *)ptr - t->buf);
    if (newest(t, ptr, old_size) && new_size <= t->cap - at) {
        t->top = at + new_size;
        if (at < t->mark && t->bug != BUG_REWIND_CUTS_GROWN) {
            t->kept_lo = t->kept_hi && t->kept_lo < at ? t->kept_lo : at;
            t->kept_hi = t->kept_hi > t->top ? t->kept_hi : t->top;
        }
        return ptr;
    }
    void *p = toy_allocate(st, new_size, align);
    if (!p && t->bug == BUG_FAILED_GROW_CLOBBERS) memset(ptr, 0, old_size);
    if (p && t->bug != BUG_GROW_LOSES) memmove(p, ptr, old_size); /* broken-overlap: may overlap */
    return p;
}

static void *toy_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    toy *t = st;
    (void)align;
    if (newest(t, ptr, old_size)) t->top = (size_t)((unsigned char *)ptr - t->buf) + new_size;
    return ptr;
}

static void *toy_zeroed(void *st, size_t size, size_t align)
{
    void *p = toy_allocate(st, size, align);
    if (p && ((toy *)st)->bug != BUG_DIRTY_ZEROED) memset(p, 0, size);
    return p;
}

static void toy_reset(void *st)
{
    toy *t = st;
    if (t->bug != BUG_RESET_NOOP) t->top = 0;
    t->mark = t->kept_lo = t->kept_hi = 0;
}

static size_t toy_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)ptr; (void)align;
    return ((toy *)st)->bug == BUG_USABLE_SHORT ? size - 1 : size;
}

static bool toy_mark(void *st, al_mark *out)
{
    toy *t = st;
    *out = (al_mark){.chunk = NULL, .offset = t->top};
    t->mark = t->top;
    return true;
}

static void toy_rewind(void *st, const al_mark *m)
{
    toy *t = st;
    if (t->bug == BUG_REWIND_NOOP || m->offset > t->top) return;
    t->mark = t->top = m->offset;
    if (m->offset <= t->kept_lo) t->kept_lo = t->kept_hi = 0;
    else if (t->kept_hi > t->top) t->top = t->kept_hi;
}

static void toy_destroy(void *st)
{
    toy *t = st;
    free(t->buf);
    free(t);
}

static const al_vtable toy_vt = {
    .allocate = toy_allocate, .deallocate = toy_deallocate, .grow = toy_grow,
    .shrink = toy_shrink, .allocate_zeroed = toy_zeroed, .reset = toy_reset,
    .usable_size = toy_usable, .mark = toy_mark, .rewind = toy_rewind, .destroy = toy_destroy,
};

#define TOY_CAPS (AL_CAP_RESET | AL_CAP_MARKS | AL_CAP_FIXED_CAPACITY)

static al_allocator *toy_create_bug(const al_options *opts, enum bug bug)
{
    toy *t = calloc(1, sizeof *t);
    size_t cap = opts && opts->capacity ? opts->capacity : 256 * 1024;
    if (t) t->buf = malloc(cap);
    if (!t || !t->buf) {
        free(t);
        al_set_error("out of memory creating a toy bump");
        return NULL;
    }
    t->cap = cap;
    t->bug = bug;
    t->handle = (al_allocator){.state = t, .vt = &toy_vt, .caps = TOY_CAPS};
    return &t->handle;
}

/* One create function per bug: descriptors carry no argument. */
#define TOY_CREATE(fn, bug) \
    static al_allocator *fn(const al_options *o) { return toy_create_bug(o, bug); }
TOY_CREATE(create_ok, BUG_NONE)
TOY_CREATE(create_overlap, BUG_OVERLAP)
TOY_CREATE(create_misalign, BUG_MISALIGN)
TOY_CREATE(create_grow_loses, BUG_GROW_LOSES)
TOY_CREATE(create_dirty_zeroed, BUG_DIRTY_ZEROED)
TOY_CREATE(create_rewind_noop, BUG_REWIND_NOOP)
TOY_CREATE(create_reset_noop, BUG_RESET_NOOP)
TOY_CREATE(create_usable_short, BUG_USABLE_SHORT)
TOY_CREATE(create_failed_grow, BUG_FAILED_GROW_CLOBBERS)
TOY_CREATE(create_rewind_cuts, BUG_REWIND_CUTS_GROWN)

#define TOY_DESC(var, nm, fn) \
    static const al_backend_desc var = {.name = nm, .description = "conformance test toy", \
                                        .caps = TOY_CAPS, .create = fn}
TOY_DESC(toy_ok, "conftoy-bump", create_ok);
TOY_DESC(toy_overlap, "broken-overlap", create_overlap);
TOY_DESC(toy_misalign, "broken-misalign", create_misalign);
TOY_DESC(toy_grow_loses, "broken-grow-loses", create_grow_loses);
TOY_DESC(toy_dirty_zeroed, "broken-dirty-zeroed", create_dirty_zeroed);
TOY_DESC(toy_rewind_noop, "broken-rewind-noop", create_rewind_noop);
TOY_DESC(toy_reset_noop, "broken-reset-noop", create_reset_noop);
TOY_DESC(toy_usable_short, "broken-usable-short", create_usable_short);
TOY_DESC(toy_failed_grow, "broken-failed-grow", create_failed_grow);
TOY_DESC(toy_rewind_cuts, "broken-rewind-cuts-grown", create_rewind_cuts);

const conf_broken_kind conf_broken_kinds[] = {
    {"broken-overlap", "alignments"},      {"broken-overlap", "random"},
    {"broken-misalign", "alignments"},     {"broken-misalign", "random"},
    {"broken-grow-loses", "grow-shrink"},  {"broken-grow-loses", "random"},
    {"broken-dirty-zeroed", "zeroed"},     {"broken-rewind-noop", "marks"},
    {"broken-reset-noop", "reset"},        {"broken-reset-noop", "fixed-capacity"},
    {"broken-usable-short", "alignments"}, {"broken-failed-grow", "grow-shrink"},
    {"broken-rewind-cuts-grown", "mark-grow"},
};
const size_t conf_broken_count = sizeof conf_broken_kinds / sizeof conf_broken_kinds[0];

/* ----------------------------------------------------------------------------
 * The locking wrapper: every operation runs under one mutex, so any inner
 * allocator becomes thread-safe. Capabilities are the inner ones plus
 * AL_CAP_THREAD_SAFE.
 * ------------------------------------------------------------------------- */
typedef struct lockw {
    al_allocator handle;
    al_allocator *inner; /* owned */
    pthread_mutex_t mu;
} lockw;

#define LOCKED(st, expr)                    \
    do {                                    \
        lockw *w_ = (st);                   \
        pthread_mutex_lock(&w_->mu);        \
        expr;                               \
        pthread_mutex_unlock(&w_->mu);      \
    } while (0)

static void *lw_allocate(void *st, size_t size, size_t align)
{
    void *p;
    LOCKED(st, p = al_allocate(w_->inner, size, align));
    return p;
}

static void lw_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    LOCKED(st, al_deallocate(w_->inner, ptr, size, align));
}

static void *lw_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    void *p;
    LOCKED(st, p = al_grow(w_->inner, ptr, old_size, new_size, align));
    return p;
}

static void *lw_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    void *p;
    LOCKED(st, p = al_shrink(w_->inner, ptr, old_size, new_size, align));
    return p;
}

static void *lw_zeroed(void *st, size_t size, size_t align)
{
    void *p;
    LOCKED(st, p = al_allocate_zeroed(w_->inner, size, align));
    return p;
}

static void lw_reset(void *st) { LOCKED(st, al_reset(w_->inner)); }

static size_t lw_usable(void *st, const void *ptr, size_t size, size_t align)
{
    size_t n;
    LOCKED(st, n = al_usable_size(w_->inner, ptr, size, align));
    return n;
}

static bool lw_mark(void *st, al_mark *out)
{
    bool ok;
    LOCKED(st, ok = al_mark_get(w_->inner, out));
    return ok;
}

static void lw_rewind(void *st, const al_mark *m) { LOCKED(st, al_rewind(w_->inner, m)); }

static void lw_destroy(void *st)
{
    lockw *w = st;
    al_destroy(w->inner);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static const al_vtable lw_vt = {
    .allocate = lw_allocate, .deallocate = lw_deallocate, .grow = lw_grow,
    .shrink = lw_shrink, .allocate_zeroed = lw_zeroed, .reset = lw_reset,
    .usable_size = lw_usable, .mark = lw_mark, .rewind = lw_rewind, .destroy = lw_destroy,
};

static al_allocator *lw_wrap(al_allocator *inner, const al_options *opts)
{
    (void)opts;
    lockw *w = calloc(1, sizeof *w);
    if (!w) {
        al_set_error("out of memory creating a toy lock");
        return NULL;
    }
    w->inner = inner;
    pthread_mutex_init(&w->mu, NULL);
    w->handle = (al_allocator){.state = w, .vt = &lw_vt, .caps = inner->caps | AL_CAP_THREAD_SAFE};
    return &w->handle;
}

static const al_wrapper_desc toy_lock = {
    .name = "conftoy-lock", .description = "conformance test toy: a mutex", .wrap = lw_wrap,
};

void conf_register_toys(void)
{
    static const al_backend_desc *const all[] = {
        &toy_ok, &toy_overlap, &toy_misalign, &toy_grow_loses, &toy_dirty_zeroed,
        &toy_rewind_noop, &toy_reset_noop, &toy_usable_short, &toy_failed_grow, &toy_rewind_cuts,
    };
    if (al_backend_find(toy_ok.name)) return;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) al_register_backend(all[i]);
    al_register_wrapper(&toy_lock);
}
