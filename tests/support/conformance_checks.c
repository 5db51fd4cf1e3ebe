/* The conformance checks: the allocator contract of alloclab/allocator.h,
 * written once and run over every spec the registry can make.
 *
 * A check makes its own instances (so capacity-bound ones start fresh),
 * never asserts, and frees what it allocated even when it fails. NULL is
 * accepted only where the contract allows it: exhaustion of a fixed-capacity
 * allocator, alignments beyond AL_MAX_REQUIRED_ALIGN, and a failed shrink. */
#include "conformance.h"

#include <alloclab/vec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)

static al_allocator *make(const char *spec, size_t capacity, conf_err *e)
{
    al_options o = conf_options(capacity);
    al_allocator *a = al_create(spec, &o);
    if (!a) conf_fail(e, "cannot create '%s': %s", spec, al_last_error());
    return a;
}

static bool aligned(const void *p, size_t align) { return ((uintptr_t)p & (align - 1)) == 0; }

/* A fresh block of `size` at `align` added to m, or false. NULL is a failure
 * unless `null_ok`; then *got says whether a block was added. */
static bool take(al_allocator *a, conf_model *m, size_t size, size_t align, bool null_ok, bool *got,
                 conf_err *e)
{
    if (got) *got = false;
    void *p = al_allocate(a, size, align);
    if (!p) return null_ok ? true : conf_fail(e, "allocate(%zu, align %zu) gave NULL", size, align);
    if (!aligned(p, align)) {
        al_deallocate(a, p, size, align);
        return conf_fail(e, "allocate(%zu, align %zu) gave misaligned %p", size, align, p);
    }
    size_t other = conf_model_find_overlap(m, p, size, SIZE_MAX);
    if (other != SIZE_MAX)
        return conf_fail(e, "allocate(%zu, align %zu) gave %p, inside live block %p (size %zu)", size, align, p,
                         (void *)m->blocks[other].ptr, m->blocks[other].size);
    if (!conf_model_add(m, p, size, align)) {
        al_deallocate(a, p, size, align);
        return conf_fail(e, "out of memory in the test");
    }
    if (got) *got = true;
    return true;
}

/* ----------------------------------------------------------------------------
 * Alignment and usable size: every power of two up to AL_MAX_REQUIRED_ALIGN
 * is honoured, and the whole usable size is the caller's to write.
 * ------------------------------------------------------------------------- */
static bool check_usable(al_allocator *a, const conf_block *b, conf_err *e)
{
    size_t usable = al_usable_size(a, b->ptr, b->size, b->align);
    if (usable < b->size)
        return conf_fail(e, "usable_size %zu < size %zu (align %zu)", usable, b->size, b->align);
    if (usable - b->size > 16 * MiB)
        return conf_fail(e, "usable_size %zu is implausible for size %zu", usable, b->size);
    /* Write the slack too: a neighbour it overlaps will fail its pattern. */
    conf_fill(b->ptr, usable, b->id);
    return true;
}

bool conf_check_alignments(const char *spec, conf_err *e)
{
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    conf_model m = {0};
    bool ok = true;
    for (size_t align = 1; ok && align <= AL_MAX_REQUIRED_ALIGN; align *= 2) {
        const size_t sizes[] = {1, align, align + 1, 3 * align + 5, 24};
        for (size_t k = 0; ok && k < sizeof sizes / sizeof sizes[0]; k++) {
            ok = take(a, &m, sizes[k], align, false, NULL, e) && check_usable(a, &m.blocks[m.n - 1], e);
        }
        ok = ok && conf_model_check(&m, e, "after writing whole usable sizes");
        conf_model_release(&m, a);
        void *z = ok ? al_allocate_zeroed(a, align + 3, align) : NULL;
        if (ok && (!z || !aligned(z, align) || !conf_all_zero(z, align + 3, NULL)))
            ok = conf_fail(e, "allocate_zeroed(%zu, align %zu) gave %p: NULL, misaligned or not zero", align + 3,
                           align, z);
        al_deallocate(a, z, align + 3, align);
    }
    /* Beyond the required alignments: NULL, or a correctly aligned block. */
    for (size_t align = 2 * AL_MAX_REQUIRED_ALIGN; ok && align <= MiB; align *= 2) {
        bool got;
        ok = take(a, &m, 100, align, true, &got, e) && (!got || check_usable(a, &m.blocks[m.n - 1], e)) &&
             conf_model_check(&m, e, "large alignment");
        conf_model_release(&m, a);
        void *z = ok ? al_allocate_zeroed(a, align, align) : NULL;
        if (z && (!aligned(z, align) || !conf_all_zero(z, align, NULL)))
            ok = conf_fail(e, "allocate_zeroed(%zu, align %zu) gave %p: misaligned or not zero", align, align, z);
        al_deallocate(a, z, align, align);
    }
    conf_model_release(&m, a);
    conf_model_free(&m);
    al_destroy(a);
    return ok;
}

/* ----------------------------------------------------------------------------
 * Bad arguments give NULL (never a crash, never a short block); size 0 gives
 * the dangling pointer; the allocator keeps working afterwards.
 * ------------------------------------------------------------------------- */
static bool check_huge(al_allocator *a, conf_block *live, conf_err *e)
{
    static const size_t huge[] = {AL_MAX_SIZE, AL_MAX_SIZE + 1, SIZE_MAX / 2, SIZE_MAX - 4095, SIZE_MAX};
    static const size_t aligns[] = {1, 16, 4096};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        for (size_t k = 0; k < sizeof aligns / sizeof aligns[0]; k++) {
            if (al_allocate(a, huge[i], aligns[k]) || al_allocate_zeroed(a, huge[i], aligns[k]))
                return conf_fail(e, "a block of %zu bytes (align %zu) was not NULL", huge[i], aligns[k]);
        }
        if (al_grow(a, live->ptr, live->size, huge[i], live->align) ||
            al_resize(a, live->ptr, live->size, huge[i], live->align))
            return conf_fail(e, "growing to %zu bytes was not NULL", huge[i]);
        if (!conf_verify(live->ptr, live->size, live->id, NULL))
            return conf_fail(e, "a failed grow to %zu bytes changed the block", huge[i]);
    }
    /* Array forms: n * size overflows, or exceeds AL_MAX_SIZE. */
    typedef struct { char bytes[1000]; } big;
    if (AL_NEW(a, uint64_t, SIZE_MAX / 4) || AL_NEW(a, uint64_t, SIZE_MAX / 8) ||
        AL_NEW(a, big, SIZE_MAX / 999) || AL_NEW_UNINIT(a, uint32_t, SIZE_MAX) ||
        al_allocate_array(a, SIZE_MAX / 2 + 1, 2, 1) || al_allocate_array_zeroed(a, SIZE_MAX / 2 + 1, 2, 1))
        return conf_fail(e, "an overflowing array allocation was not NULL");
    if (AL_RESIZE(a, live->ptr, uint64_t, live->size / 8, SIZE_MAX / 4) ||
        !conf_verify(live->ptr, live->size, live->id, NULL))
        return conf_fail(e, "an overflowing AL_RESIZE was not NULL or changed the block");
    return true;
}

static bool check_size_zero(al_allocator *a, conf_err *e)
{
    for (size_t align = 1; align <= AL_MAX_REQUIRED_ALIGN; align *= 2) {
        void *p = al_allocate(a, 0, align), *z = al_allocate_zeroed(a, 0, align);
        if (p != al_dangling(align) || z != al_dangling(align))
            return conf_fail(e, "size 0 at align %zu gave %p / %p, not the dangling pointer", align, p, z);
        al_deallocate(a, p, 0, align); /* a no-op */
        void *g = al_grow(a, p, 0, 40, align);
        if (!g || !aligned(g, align)) return conf_fail(e, "growing size 0 to 40 (align %zu) gave %p", align, g);
        memset(g, 0x3c, 40);
        void *s = al_shrink(a, g, 40, 0, align);
        if (s != al_dangling(align)) return conf_fail(e, "shrinking to 0 gave %p, not the dangling pointer", s);
    }
    return true;
}

bool conf_check_bad_args(const char *spec, conf_err *e)
{
    static const size_t bad_aligns[] = {0, 3, 6, 12, 24, 100, 4095, 4097, 12288, SIZE_MAX};
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    conf_model m = {0};
    bool ok = take(a, &m, 64, 16, false, NULL, e);
    for (size_t i = 0; ok && i < sizeof bad_aligns / sizeof bad_aligns[0]; i++) {
        size_t al = bad_aligns[i];
        conf_block *b = &m.blocks[0];
        if (al_allocate(a, 16, al) || al_allocate_zeroed(a, 16, al) || al_allocate(a, 0, al) ||
            al_allocate_array(a, 2, 8, al))
            ok = conf_fail(e, "alignment %zu did not give NULL", al);
        else if (al_grow(a, b->ptr, b->size, 128, al) || al_resize(a, b->ptr, b->size, 128, al))
            ok = conf_fail(e, "growing with alignment %zu did not give NULL", al);
    }
    ok = ok && check_size_zero(a, e) && check_huge(a, &m.blocks[0], e);
    if (ok) {
        uint64_t *v = AL_NEW(a, uint64_t, 10);
        if (!v || !aligned(v, _Alignof(uint64_t)) || !conf_all_zero(v, 10 * sizeof *v, NULL))
            ok = conf_fail(e, "AL_NEW(uint64_t, 10) gave %p: NULL, misaligned or not zero", (void *)v);
        AL_DELETE(a, v, uint64_t, 10);
    }
    ok = ok && take(a, &m, 100, 8, false, NULL, e) && conf_model_check(&m, e, "after bad arguments");
    conf_model_release(&m, a);
    conf_model_free(&m);
    al_destroy(a);
    return ok;
}

/* ----------------------------------------------------------------------------
 * Requests the machine cannot back (above physical memory plus swap) are
 * NULL at once, zeroed or not, at every alignment up to 1 GiB, and so is
 * growing a block to such a size (the block untouched): no backend or
 * wrapper may reserve, commit or zero them. Promptly (a generous bound:
 * the answer takes microseconds) and with no resident memory gained.
 * ------------------------------------------------------------------------- */
static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &pages, &res) != 2) res = 0;
        fclose(f);
    }
    return (size_t)res * 4096;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define UNBACKABLE_SECONDS 1.0
#define UNBACKABLE_RSS (32 * MiB)

bool conf_check_unbackable(const char *spec, conf_err *e)
{
    size_t limit = al_backable_limit();
    if (limit >= AL_MAX_SIZE / 4) return true; /* the system did not say: nothing to refuse */
    const size_t sizes[] = {limit + 1, limit + limit / 2, (size_t)1 << 40 > limit ? (size_t)1 << 40 : 2 * limit,
                            (size_t)64 << 40 > limit ? (size_t)64 << 40 : 4 * limit};
    static const size_t aligns[] = {1, 16, 4096, 2 * MiB, (size_t)1 << 30};
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    conf_model m = {0};
    bool ok = take(a, &m, 100, 16, false, NULL, e);
    size_t rss0 = resident_bytes();
    double t0 = seconds_now();
    for (size_t i = 0; ok && i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t k = 0; ok && k < sizeof aligns / sizeof aligns[0]; k++) {
            void *p = al_allocate(a, sizes[i], aligns[k]), *z = al_allocate_zeroed(a, sizes[i], aligns[k]);
            if (p || z) {
                ok = conf_fail(e, "%zu bytes at align %zu (above memory plus swap, %zu) gave %p / zeroed %p",
                               sizes[i], aligns[k], limit, p, z);
                if (p) al_deallocate(a, p, sizes[i], aligns[k]);
                if (z) al_deallocate(a, z, sizes[i], aligns[k]);
            }
        }
        conf_block *b = &m.blocks[0];
        if (ok && al_grow(a, b->ptr, b->size, sizes[i], b->align))
            ok = conf_fail(e, "growing a block to %zu bytes (above memory plus swap) was not NULL", sizes[i]);
        else if (ok && !conf_verify(b->ptr, b->size, b->id, NULL))
            ok = conf_fail(e, "a refused grow to %zu bytes changed the block", sizes[i]);
    }
    double took = seconds_now() - t0;
    size_t rss1 = resident_bytes();
    if (ok && took > UNBACKABLE_SECONDS)
        ok = conf_fail(e, "refusing unbackable requests took %.2f s", took);
    if (ok && rss1 > rss0 + UNBACKABLE_RSS)
        ok = conf_fail(e, "refusing unbackable requests made %zu MiB resident", (rss1 - rss0) / MiB);
    conf_model_release(&m, a);
    conf_model_free(&m);
    al_destroy(a);
    return ok;
}

/* ----------------------------------------------------------------------------
 * Grow and shrink keep the common prefix, at every kind of alignment, and
 * never spill over a neighbour allocated right after the block.
 * ------------------------------------------------------------------------- */
enum resize_op { GROW, SHRINK, RESIZE };

static void *apply(al_allocator *a, enum resize_op op, const conf_block *b, size_t new_size)
{
    switch (op) {
    case GROW: return al_grow(a, b->ptr, b->size, new_size, b->align);
    case SHRINK: return al_shrink(a, b->ptr, b->size, new_size, b->align);
    default: return al_resize(a, b->ptr, b->size, new_size, b->align);
    }
}

/* Resize block i of m to new_size, checking the contract; on success the
 * model follows the block. NULL is a failure unless `null_ok` (or a shrink). */
static bool resize_block(al_allocator *a, conf_model *m, size_t i, enum resize_op op, size_t new_size,
                         bool null_ok, conf_err *e)
{
    conf_block *b = &m->blocks[i];
    size_t bad;
    if (!conf_verify(b->ptr, b->size, b->id, &bad))
        return conf_fail(e, "block %p (size %zu) clobbered at offset %zu before resizing", (void *)b->ptr, b->size,
                         bad);
    void *p = apply(a, op, b, new_size);
    if (!p) {
        if (!null_ok && new_size > b->size)
            return conf_fail(e, "resize %zu -> %zu (align %zu) gave NULL", b->size, new_size, b->align);
        if (!conf_verify(b->ptr, b->size, b->id, &bad))
            return conf_fail(e, "a failed resize %zu -> %zu changed the old block at offset %zu", b->size, new_size,
                             bad);
        return true;
    }
    /* The old block is gone: the model follows the new one even if it then
     * fails a check, so cleanup never frees a stale pointer. */
    size_t keep = new_size < b->size ? new_size : b->size, old_size = b->size;
    m->live_bytes += new_size - old_size;
    b->ptr = p;
    b->size = new_size;
    if (!aligned(p, b->align))
        return conf_fail(e, "resize %zu -> %zu gave misaligned %p (align %zu)", old_size, new_size, p, b->align);
    if (!conf_verify(p, keep, b->id, &bad))
        return conf_fail(e, "resize %zu -> %zu (align %zu) lost the contents at offset %zu", old_size, new_size,
                         b->align, bad);
    size_t other = conf_model_find_overlap(m, p, new_size, i);
    if (other != SIZE_MAX)
        return conf_fail(e, "resize %zu -> %zu gave %p, overlapping live block %p", old_size, new_size, p,
                         (void *)m->blocks[other].ptr);
    conf_fill(p, new_size, b->id);
    return true;
}

static bool grow_shrink_at(const char *spec, size_t align, conf_err *e)
{
    static const struct { enum resize_op op; size_t size; } steps[] = {
        {GROW, 7}, {GROW, 100}, {RESIZE, 4000}, {GROW, 70000}, {SHRINK, 5000}, {RESIZE, 3},
        {GROW, 10000}, {RESIZE, 300000}, {SHRINK, 50}, {RESIZE, 90000}, {SHRINK, 1},
    };
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    bool null_ok = al_has(a, AL_CAP_FIXED_CAPACITY) || align > AL_MAX_REQUIRED_ALIGN, got;
    conf_model m = {0};
    /* blocks[0]: the resized block; blocks[1]: its neighbour. */
    bool ok = take(a, &m, 1, align, null_ok, &got, e);
    if (ok && got) ok = take(a, &m, 64, 8, false, NULL, e);
    for (size_t s = 0; ok && got && s < sizeof steps / sizeof steps[0]; s++) {
        ok = resize_block(a, &m, 0, steps[s].op, steps[s].size, null_ok, e) &&
             conf_model_check(&m, e, "after a resize");
    }
    if (ok && got && m.n == 2) {
        void *p = al_shrink(a, m.blocks[0].ptr, m.blocks[0].size, 0, align);
        if (p != al_dangling(align)) ok = conf_fail(e, "shrinking to 0 gave %p, not the dangling pointer", p);
        conf_model_remove(&m, 0);
    }
    conf_model_release(&m, a);
    conf_model_free(&m);
    al_destroy(a);
    return ok;
}

bool conf_check_grow_shrink(const char *spec, conf_err *e)
{
    static const size_t aligns[] = {1, 8, 16, 64, 4096, 8192, 65536, MiB};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++)
        if (!grow_shrink_at(spec, aligns[i], e)) return false;
    return true;
}

/* ----------------------------------------------------------------------------
 * Zeroed memory: zero even when the allocator hands back memory that was
 * just dirtied and freed (the common bug of a reusing allocator).
 * ------------------------------------------------------------------------- */
static bool zeroed_round(al_allocator *a, size_t size, size_t align, size_t count, conf_err *e)
{
    void *p[16];
    for (size_t i = 0; i < count; i++) {
        p[i] = al_allocate(a, size, align);
        if (p[i]) memset(p[i], 0xff, size);
    }
    for (size_t i = count; i-- > 0;) al_deallocate(a, p[i], size, align);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        p[i] = al_allocate_zeroed(a, size, align);
        size_t bad;
        if (!p[i]) {
            if (!al_has(a, AL_CAP_FIXED_CAPACITY))
                ok = conf_fail(e, "allocate_zeroed(%zu, align %zu) gave NULL", size, align);
        } else if (!aligned(p[i], align)) {
            ok = conf_fail(e, "allocate_zeroed(%zu, align %zu) gave misaligned %p", size, align, p[i]);
        } else if (!conf_all_zero(p[i], size, &bad)) {
            ok = conf_fail(e, "allocate_zeroed(%zu, align %zu) over dirtied memory: byte %zu is not zero", size,
                           align, bad);
        } else {
            memset(p[i], 0xff, size);
        }
    }
    for (size_t i = count; i-- > 0;) al_deallocate(a, p[i], size, align);
    return ok;
}

bool conf_check_zeroed(const char *spec, conf_err *e)
{
    static const size_t sizes[] = {1, 64, 4096, 100000};
    static const size_t aligns[] = {8, 4096};
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    bool ok = true;
    for (size_t s = 0; ok && s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t k = 0; ok && k < sizeof aligns / sizeof aligns[0]; k++)
            for (int rep = 0; ok && rep < 4; rep++)
                ok = zeroed_round(a, sizes[s], aligns[k], 1, e);
    ok = ok && zeroed_round(a, 200, 16, 16, e) && zeroed_round(a, 3000, 64, 16, e);
    if (ok) {
        double *d = AL_NEW(a, double, 1000);
        if (!d || !conf_all_zero(d, 1000 * sizeof *d, NULL))
            ok = conf_fail(e, "AL_NEW(double, 1000) gave %p: NULL or not zero", (void *)d);
        AL_DELETE(a, d, double, 1000);
    }
    al_destroy(a);
    return ok;
}

/* ----------------------------------------------------------------------------
 * Random sequences against the shadow model. Each operation first verifies
 * the block it touches; every new or moved block is checked against every
 * live one; the whole model is re-checked periodically and at the end.
 * ------------------------------------------------------------------------- */
static size_t random_size(uint64_t *rs)
{
    unsigned r = (unsigned)(conf_rand(rs) % 1000);
    if (r < 700) return conf_rand_range(rs, 1, 256);
    if (r < 990) return conf_rand_range(rs, 1, 64 * KiB);
    return conf_rand_range(rs, 64 * KiB, MiB);
}

static size_t random_align(uint64_t *rs)
{
    unsigned r = (unsigned)(conf_rand(rs) % 100);
    if (r < 60) return conf_rand(rs) & 1 ? 8 : 16;
    if (r < 90) return (size_t)1 << conf_rand_range(rs, 0, 6);
    return (size_t)1 << conf_rand_range(rs, 7, 12);
}

static bool random_allocate(al_allocator *a, conf_model *m, uint64_t *rs, conf_err *e)
{
    size_t size = random_size(rs), align = random_align(rs);
    bool zeroed = conf_rand(rs) % 4 == 0;
    void *p = zeroed ? al_allocate_zeroed(a, size, align) : al_allocate(a, size, align);
    if (!p) return al_has(a, AL_CAP_FIXED_CAPACITY) ? true : conf_fail(e, "allocate(%zu, align %zu) gave NULL", size, align);
    size_t bad;
    if (!aligned(p, align)) return conf_fail(e, "allocate(%zu, align %zu) gave misaligned %p", size, align, p);
    if (zeroed && !conf_all_zero(p, size, &bad))
        return conf_fail(e, "allocate_zeroed(%zu, align %zu): byte %zu is not zero", size, align, bad);
    size_t other = conf_model_find_overlap(m, p, size, SIZE_MAX);
    if (other != SIZE_MAX)
        return conf_fail(e, "allocate(%zu, align %zu) gave %p, inside live block %p (size %zu)", size, align, p,
                     (void *)m->blocks[other].ptr, m->blocks[other].size);
    if (al_usable_size(a, p, size, align) < size) return conf_fail(e, "usable_size < %zu", size);
    if (!conf_model_add(m, p, size, align)) return conf_fail(e, "%s", "out of memory in the test");
    return true;
}

static bool random_resize(al_allocator *a, conf_model *m, uint64_t *rs, bool grow, conf_err *e)
{
    size_t i = conf_rand_range(rs, 0, m->n - 1);
    conf_block *b = &m->blocks[i];
    enum resize_op how = conf_rand(rs) & 1 ? RESIZE : grow ? GROW : SHRINK;
    if (grow) {
        size_t extra = conf_rand(rs) & 1 ? conf_rand_range(rs, 1, b->size) : random_size(rs);
        if (b->size > 2 * MiB) extra = conf_rand_range(rs, 1, 64); /* keep blocks from doubling forever */
        return resize_block(a, m, i, how, b->size + extra, al_has(a, AL_CAP_FIXED_CAPACITY), e);
    }
    size_t new_size = b->size > 1 && conf_rand(rs) % 16 ? conf_rand_range(rs, 1, b->size - 1) : 0;
    if (new_size > 0) return resize_block(a, m, i, how, new_size, true, e);
    size_t bad;
    if (!conf_verify(b->ptr, b->size, b->id, &bad))
        return conf_fail(e, "block %p (size %zu) clobbered at offset %zu", (void *)b->ptr, b->size, bad);
    void *p = apply(a, how, b, 0);
    if (p != al_dangling(b->align)) return conf_fail(e, "shrinking to 0 gave %p, not the dangling pointer", p);
    conf_model_remove(m, i);
    return true;
}

static bool random_deallocate(al_allocator *a, conf_model *m, uint64_t *rs, conf_err *e)
{
    /* Mostly the newest block (how LIFO allocators get memory back), else any. */
    size_t i = conf_rand_range(rs, 0, m->n - 1);
    if (conf_rand(rs) % 2) {
        for (size_t k = 0; k < m->n; k++)
            if (m->blocks[k].id > m->blocks[i].id) i = k;
    }
    conf_block *b = &m->blocks[i];
    size_t bad;
    if (!conf_verify(b->ptr, b->size, b->id, &bad))
        return conf_fail(e, "block %p (size %zu, align %zu) clobbered at offset %zu", (void *)b->ptr, b->size, b->align,
                     bad);
    al_deallocate(a, b->ptr, b->size, b->align);
    conf_model_remove(m, i);
    return true;
}

#define CONSUME_MAX (32 * MiB)

bool conf_random_run(const char *spec, uint64_t seed, size_t ops, conf_err *e)
{
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    bool resettable = al_has(a, AL_CAP_RESET), frees = al_has(a, AL_CAP_FREES);
    conf_model m = {0};
    uint64_t rs = seed;
    bool ok = true;
    size_t op;
    /* An allocator that does not free only consumes: reset it (or end the
     * run) once it has handed out CONSUME_MAX bytes in all. */
    size_t consumed = 0, before = 0;
    for (op = 0; ok && op < ops; op++) {
        unsigned r = (unsigned)(conf_rand(&rs) % 100);
        if (!frees && consumed > CONSUME_MAX && !resettable) break;
        if (resettable && (conf_rand(&rs) % 400 == 0 || (!frees && consumed > CONSUME_MAX))) {
            consumed = 0;
            ok = conf_model_check(&m, e, "before a reset");
            al_reset(a);
            m.n = 0;
            m.live_bytes = 0;
        } else if (m.n == 0 || (r < 40 && m.n < 256 && m.live_bytes < 8 * MiB)) {
            ok = random_allocate(a, &m, &rs, e);
        } else if (r < 55) {
            ok = random_resize(a, &m, &rs, true, e);
        } else if (r < 65) {
            ok = random_resize(a, &m, &rs, false, e);
        } else {
            ok = random_deallocate(a, &m, &rs, e);
        }
        if (ok && op % 256 == 255) ok = conf_model_check(&m, e, "periodic check");
        if (m.live_bytes > before) consumed += m.live_bytes - before;
        before = m.live_bytes;
    }
    ok = ok && conf_model_check(&m, e, "at the end");
    if (!ok) { /* name the seed and the operation so the failure can be replayed */
        char prefix[96];
        size_t np = (size_t)snprintf(prefix, sizeof prefix, "seed %#llx (ALLOCLAB_CONF_SEED), op %zu: ",
                                     (unsigned long long)seed, op - 1);
        size_t nm = strlen(e->msg);
        if (nm > sizeof e->msg - 1 - np) nm = sizeof e->msg - 1 - np;
        memmove(e->msg + np, e->msg, nm);
        memcpy(e->msg, prefix, np);
        e->msg[np + nm] = '\0';
    }
    conf_model_release(&m, a);
    conf_model_free(&m);
    al_destroy(a);
    return ok;
}

bool conf_check_random(const char *spec, conf_err *e)
{
    const char *env = getenv("ALLOCLAB_CONF_SEED");
    uint64_t base = env ? strtoull(env, NULL, 0) : 0xa110c1abull;
    /* 8 sequences of 2500 operations each, per spec. */
    for (uint64_t k = 0; k < 8; k++)
        if (!conf_random_run(spec, base + k, 2500, e)) return false;
    return true;
}

/* ----------------------------------------------------------------------------
 * Capacity: reset, marks, exhaustion. Capacity-bound instances are made with
 * a 256 KiB budget; filling stops at NULL, or fails when NULL never comes.
 * ------------------------------------------------------------------------- */
#define BUDGET (256 * KiB)
#define NEVER_FULL (64 * MiB)

/* Allocate mixed blocks into m until NULL or `limit` bytes; *bytes is what
 * was obtained. NULL before `limit` is a failure unless until_null; reaching
 * NEVER_FULL when until_null is a failure. */
static bool fill(al_allocator *a, conf_model *m, bool until_null, size_t *bytes, conf_err *e, const char *when)
{
    static const size_t sizes[] = {24, 1000, 4096, 100, 7, 300};
    static const size_t aligns[] = {8, 16, 1, 64, 8, 4096};
    size_t limit = until_null ? NEVER_FULL : 2 * BUDGET;
    *bytes = 0;
    for (size_t k = 0; *bytes < limit; k++) {
        size_t size = sizes[k % 6], align = aligns[k % 6];
        bool got;
        if (!take(a, m, size, align, until_null, &got, e)) return conf_fail(e, "%s", when);
        if (!got) break;
        *bytes += size;
    }
    if (until_null && *bytes >= limit)
        return conf_fail(e, "%s: no NULL after %zu bytes with capacity %zu", when, *bytes, (size_t)BUDGET);
    return conf_model_check(m, e, when);
}

static bool roughly_again(size_t first, size_t again, conf_err *e, const char *how)
{
    if (again + first / 8 < first)
        return conf_fail(e, "after %s only %zu bytes were available again (first: %zu)", how, again, first);
    return true;
}

bool conf_check_reset(const char *spec, conf_err *e)
{
    al_allocator *a = make(spec, BUDGET, e);
    if (!a) return false;
    bool ok = true;
    if (al_has(a, AL_CAP_RESET)) {
        bool fixed = al_has(a, AL_CAP_FIXED_CAPACITY);
        conf_model m = {0};
        size_t first = 0, again = 0;
        ok = fill(a, &m, fixed, &first, e, "before reset");
        for (int round = 0; ok && round < 3; round++) {
            if (!al_reset(a)) ok = conf_fail(e, "has AL_CAP_RESET but no reset operation");
            m.n = 0;
            m.live_bytes = 0;
            ok = ok && fill(a, &m, fixed, &again, e, "after reset") && roughly_again(first, again, e, "reset");
        }
        al_reset(a);
        conf_model_free(&m);
    }
    al_destroy(a);
    return ok;
}

bool conf_check_fixed_capacity(const char *spec, conf_err *e)
{
    al_allocator *a = make(spec, BUDGET, e);
    if (!a) return false;
    bool ok = true;
    if (al_has(a, AL_CAP_FIXED_CAPACITY)) {
        conf_model m = {0};
        size_t first = 0, again = 0;
        ok = fill(a, &m, true, &first, e, "filling to exhaustion");
        /* Exhausted: more requests are clean NULLs or valid blocks. */
        ok = ok && take(a, &m, 1, 1, true, NULL, e) && take(a, &m, 2 * BUDGET, 8, true, NULL, e) &&
             conf_model_check(&m, e, "after exhaustion");
        if (ok && al_has(a, AL_CAP_RESET)) {
            al_reset(a);
            m.n = 0;
            m.live_bytes = 0;
            ok = fill(a, &m, true, &again, e, "refilling after reset") && roughly_again(first, again, e, "reset");
        } else if (ok && al_has(a, AL_CAP_FREES)) {
            conf_model_release(&m, a);
            ok = fill(a, &m, true, &again, e, "refilling after freeing all") &&
                 roughly_again(first, again, e, "freeing every block");
        }
        /* Without either, deallocation must at least be harmless. */
        conf_model_release(&m, a);
        ok = ok && take(a, &m, 64, 8, true, NULL, e) && conf_model_check(&m, e, "after giving all back");
        conf_model_release(&m, a);
        conf_model_free(&m);
    }
    al_destroy(a);
    return ok;
}

/* Whether [p, p + size) lies inside the span of m's blocks. */
static bool within_span(const conf_model *m, const void *p, size_t size)
{
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (size_t i = 0; i < m->n; i++) {
        uintptr_t b = (uintptr_t)m->blocks[i].ptr;
        if (b < lo) lo = b;
        if (b + m->blocks[i].size > hi) hi = b + m->blocks[i].size;
    }
    return (uintptr_t)p >= lo && (uintptr_t)p + size <= hi;
}

/* Take a mark, allocate `count` blocks of `size` into scoped, rewind; then
 * the older blocks must be intact and, if `reuse`, a new block must reuse
 * scoped memory (only asked of scopes small enough to share the mark's
 * region: an allocator may hand whole regions back on rewind). */
static bool scope(al_allocator *a, conf_model *older, size_t count, size_t size, bool reuse, conf_err *e)
{
    al_mark mk;
    conf_model scoped = {0};
    if (!al_mark_get(a, &mk)) return conf_fail(e, "has AL_CAP_MARKS but mark failed");
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) ok = take(a, &scoped, size, 8, false, NULL, e);
    ok = ok && conf_model_check(&scoped, e, "inside a mark scope") &&
         (al_rewind(a, &mk) || conf_fail(e, "has AL_CAP_MARKS but no rewind operation")) &&
         conf_model_check(older, e, "older blocks after a rewind");
    void *p = ok ? al_allocate(a, size, 8) : NULL;
    if (ok && (!p || (reuse && !within_span(&scoped, p, size))))
        ok = conf_fail(e, "after rewind, allocate(%zu) gave %p, not memory from the rewound scope", size, p);
    al_deallocate(a, p, size, 8);
    conf_model_free(&scoped); /* rewound: nothing to deallocate */
    return ok;
}

bool conf_check_marks(const char *spec, conf_err *e)
{
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    bool ok = true;
    if (al_has(a, AL_CAP_MARKS)) {
        conf_model older = {0};
        al_mark outer;
        ok = take(a, &older, 32, 8, false, NULL, e) && take(a, &older, 48, 16, false, NULL, e) &&
             scope(a, &older, 4, 100, true, e);
        /* Nested: an inner rewind keeps the outer scope's blocks. */
        ok = ok && (al_mark_get(a, &outer) || conf_fail(e, "mark failed"));
        ok = ok && take(a, &older, 200, 8, false, NULL, e) && scope(a, &older, 3, 300, true, e);
        if (ok) {
            al_rewind(a, &outer);
            conf_model_remove(&older, older.n - 1);
            ok = conf_model_check(&older, e, "after the outer rewind");
        }
        /* A scope spanning many chunks, then many small scopes: memory is
         * reused each time, so a bounded allocator never runs out. */
        ok = ok && scope(a, &older, 16, 8 * KiB, false, e);
        for (int i = 0; ok && i < 2000; i++) {
            al_mark mk;
            conf_model tmp = {0};
            ok = (al_mark_get(a, &mk) || conf_fail(e, "mark failed")) &&
                 (take(a, &tmp, 4 * KiB, 16, false, NULL, e) || conf_fail(e, "scope %d of 2000", i));
            al_rewind(a, &mk);
            conf_model_free(&tmp);
        }
        ok = ok && conf_model_check(&older, e, "after 2000 scopes");
        conf_model_release(&older, a);
        conf_model_free(&older);
    }
    al_destroy(a);
    return ok;
}

/* ----------------------------------------------------------------------------
 * Marks and growth in place: a block from before a mark that grows in place
 * after it keeps every byte through the rewind, however far it grew; one
 * that moved is a block of the scope. Then new blocks after the rewind must
 * not overlap it (take() checks every live block).
 * ------------------------------------------------------------------------- */
static size_t index_of(const conf_model *m, uint64_t id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->blocks[i].id == id) return i;
    return SIZE_MAX;
}

/* Grow the block `id` of m to new_size; *moved is set when it left its place. */
static bool grow_id(al_allocator *a, conf_model *m, uint64_t id, size_t new_size, bool *moved, conf_err *e)
{
    size_t i = index_of(m, id);
    void *before = m->blocks[i].ptr;
    if (!resize_block(a, m, i, GROW, new_size, false, e)) return false;
    if (m->blocks[i].ptr != before) *moved = true;
    return true;
}

/* After a rewind to a mark taken when the model's newest id was `since`:
 * forget the blocks allocated after it, and `grown` too when it moved. */
static void forget_scope(conf_model *m, uint64_t since, uint64_t grown, bool moved)
{
    for (size_t i = m->n; i-- > 0;)
        if (m->blocks[i].id > since || (moved && m->blocks[i].id == grown)) conf_model_remove(m, i);
}

/* Blocks after a rewind: they must avoid every block still live. */
static bool after_rewind(al_allocator *a, conf_model *m, conf_err *e, const char *when)
{
    for (int k = 0; k < 4; k++)
        if (!take(a, m, 300, 8, false, NULL, e)) return conf_fail(e, "%s", when);
    return conf_model_check(m, e, when);
}

bool conf_check_mark_grow(const char *spec, conf_err *e)
{
    al_allocator *a = make(spec, 0, e);
    if (!a) return false;
    bool ok = true;
    if (al_has(a, AL_CAP_MARKS)) {
        conf_model m = {0};
        al_mark m1, m2;
        bool moved = false;
        /* One mark: A (newest) grows twice inside the scope, then blocks of
         * the scope follow it. */
        ok = take(a, &m, 32, 8, false, NULL, e) && take(a, &m, 64, 16, false, NULL, e);
        uint64_t A = m.next_id, since = m.next_id;
        ok = ok && al_mark_get(a, &m1) && grow_id(a, &m, A, 1000, &moved, e) && grow_id(a, &m, A, 2000, &moved, e) &&
             take(a, &m, 200, 8, false, NULL, e) && take(a, &m, 200, 64, false, NULL, e);
        if (ok) {
            al_rewind(a, &m1);
            forget_scope(&m, since, A, moved);
            ok = conf_model_check(&m, e, "a block grown after the mark, after the rewind") &&
                 after_rewind(a, &m, e, "blocks after rewinding past a grown block");
        }
        /* Two marks: B from before both grows after each; rewinding the
         * inner then the outer keeps it whole. */
        conf_model_release(&m, a);
        moved = false;
        ok = ok && take(a, &m, 48, 8, false, NULL, e);
        uint64_t B = m.next_id;
        since = m.next_id;
        ok = ok && al_mark_get(a, &m1) && grow_id(a, &m, B, 500, &moved, e) && al_mark_get(a, &m2) &&
             grow_id(a, &m, B, 1500, &moved, e) && take(a, &m, 100, 8, false, NULL, e);
        if (ok) {
            al_rewind(a, &m2);
            forget_scope(&m, since, B, moved);
            ok = conf_model_check(&m, e, "a block grown past two marks, after the inner rewind") &&
                 after_rewind(a, &m, e, "blocks after the inner rewind");
        }
        if (ok) {
            al_rewind(a, &m1);
            forget_scope(&m, since, B, moved);
            ok = conf_model_check(&m, e, "a block grown past two marks, after the outer rewind") &&
                 after_rewind(a, &m, e, "blocks after the outer rewind");
        }
        /* A block of the scope that grew inside it is freed whole: the
         * memory comes back (no floor left behind). */
        conf_model_release(&m, a);
        if (ok && al_mark_get(a, &m1)) {
            void *c = al_allocate(a, 40, 8), *c2 = c ? al_grow(a, c, 40, 3000, 8) : NULL;
            al_rewind(a, &m1);
            void *d = c2 ? al_allocate(a, 3000, 8) : NULL;
            if (c2 && d != c2 && c == c2)
                ok = conf_fail(e, "a block of the scope grown in place (%p) was not reused after the rewind (%p)",
                               c2, d);
            al_deallocate(a, d, 3000, 8);
        }
        conf_model_release(&m, a);
        conf_model_free(&m);
    }
    al_destroy(a);
    return ok;
}

/* The scenario of the mark-grow check with a vec: 4 elements pushed before
 * the mark, 60 more inside the scope (the vec grows in place while it is the
 * newest block), scratch blocks after it, a rewind, then new scratch blocks
 * written all over: every one of the 64 elements must still be there. */
bool conf_vec_survives_rewind(al_allocator *a, conf_err *e)
{
    al_vec v;
    al_mark mk;
    if (!AL_VEC_INIT(&v, a, uint64_t)) return conf_fail(e, "vec init failed");
    bool ok = true;
    for (uint64_t i = 0; ok && i < 4; i++) ok = AL_VEC_PUSH(&v, uint64_t, i * 0x9e3779b97f4a7c15ull);
    ok = ok && al_mark_get(a, &mk);
    for (uint64_t i = 4; ok && i < 64; i++) ok = AL_VEC_PUSH(&v, uint64_t, i * 0x9e3779b97f4a7c15ull);
    void *inside = ok ? al_allocate(a, 512, 8) : NULL;
    if (inside) memset(inside, 0xee, 512);
    if (!ok || !inside) return conf_fail(e, "a push or an allocation in the scope failed");
    const void *before = v.data;
    al_rewind(a, &mk);
    for (int k = 0; k < 8; k++) {
        void *p = al_allocate(a, 128, 8);
        if (p) memset(p, 0xff, 128);
    }
    if (v.data != before) return true; /* it moved: a block of the scope, freed (nothing to check) */
    size_t lost = 0;
    for (uint64_t i = 0; i < 64; i++) lost += *AL_VEC_AT(&v, uint64_t, i) != i * 0x9e3779b97f4a7c15ull;
    if (lost) return conf_fail(e, "%zu of the vec's 64 elements were overwritten after the rewind", lost);
    return true;
}

const conf_check conf_checks[] = {
    {"alignments", conf_check_alignments}, {"bad-args", conf_check_bad_args},
    {"grow-shrink", conf_check_grow_shrink}, {"zeroed", conf_check_zeroed},
    {"random", conf_check_random}, {"reset", conf_check_reset},
    {"marks", conf_check_marks}, {"mark-grow", conf_check_mark_grow},
    {"fixed-capacity", conf_check_fixed_capacity}, {"unbackable", conf_check_unbackable},
};
const size_t conf_check_count = sizeof conf_checks / sizeof conf_checks[0];
