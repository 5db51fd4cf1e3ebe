/* mi: Microsoft's mimalloc, the library from Debian's package, through its
 * aligned and sized entry points (loaded privately, see dynlib.h). */
#include "dynlib.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* One declaration of the caps: the descriptor and every instance use it. */
#define MI_CAPS (AL_CAP_THREAD_SAFE | AL_CAP_FREES)

#ifndef ALLOCLAB_MI_SONAME
#define ALLOCLAB_MI_SONAME "libmimalloc.so.2"
#endif

static const char *const mi_names[] = {
    "mi_malloc_aligned_at", "mi_zalloc_aligned", "mi_realloc_aligned",
    "mi_free_size_aligned", "mi_usable_size", "mi_malloc", "mi_zalloc",
    "mi_realloc", "mi_version", "mi_free",
};

static struct {
    void *(*malloc_aligned_at)(size_t, size_t, size_t);
    void *(*zalloc_aligned)(size_t, size_t);
    void *(*realloc_aligned)(void *, size_t, size_t);
    void (*free_size_aligned)(void *, size_t, size_t);
    size_t (*usable_size)(const void *);
    void *(*malloc)(size_t);
    void *(*zalloc)(size_t);
    void *(*realloc)(void *, size_t);
    int (*version)(void); /* MI_MALLOC_VERSION: 209 for 2.0.9 */
    void (*free)(void *);
} mi;

_Static_assert(sizeof mi == sizeof mi_names / sizeof mi_names[0] * sizeof(void *), "one slot per name");

static al_dynlib mi_lib = {
    .soname = ALLOCLAB_MI_SONAME,
    .package = "libmimalloc-dev",
    .symbols = mi_names,
    .nsymbols = sizeof mi_names / sizeof mi_names[0],
    .fns = (void **)&mi,
    .once = PTHREAD_ONCE_INIT,
};

/* The unaligned entry points skip mimalloc's alignment checks: use them
 * whenever the natural alignment suffices. Aligned allocation goes through
 * mi_malloc_aligned_at(.., 0): mimalloc 2.0.9's mi_malloc_aligned misaligns
 * power-of-two sizes of 256..1024 bytes at alignments above 128 (its
 * issue #700), a path the _at form does not take. Plain blocks are freed
 * with mi_free: mi_free_size only forwards to it (one call less per free).
 * The plain calls need a size that is a multiple of 16 for 16-byte
 * alignment: mimalloc has 24-, 40- and 56-byte size classes, 8-aligned. */
static void *mi_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(al_natural_align(size, align) ? mi.malloc(size) : mi.malloc_aligned_at(size, align, 0));
}

static void mi_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st;
    al_foreign_freed();
    if (al_natural_align(size, align)) mi.free(ptr);
    else mi.free_size_aligned(ptr, size, align);
}

static void *mi_resize(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (AL_TSAN) return al_foreign_move(st, ptr, old_size, new_size, align, mi_allocate, mi_deallocate);
    al_foreign_freed();
    return al_foreign_got(al_natural_align(new_size, align) ? mi.realloc(ptr, new_size)
                                                             : mi.realloc_aligned(ptr, new_size, align));
}

static void *mi_zeroed(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(al_natural_align(size, align) ? mi.zalloc(size) : mi.zalloc_aligned(size, align));
}

static size_t mi_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    return mi.usable_size(ptr);
}

static const al_vtable mi_vt = {
    .allocate = mi_allocate,
    .deallocate = mi_deallocate,
    .grow = mi_resize,
    .shrink = mi_resize,
    .allocate_zeroed = mi_zeroed,
    .usable_size = mi_usable,
    .destroy = free,
};

static const char *mi_unavailable(void) { return al_dynlib_load(&mi_lib); }

bool al_mi_library(al_library_fns *out)
{
    if (mi_unavailable()) return false;
    *out = (al_library_fns){.malloc = mi.malloc, .free = mi.free};
    return true;
}

/* The loaded library's own version: mi_version() 209 reads "mimalloc 2.0.9". */
static const char *mi_lib_version(void)
{
    static char buf[64];
    if (al_dynlib_load(&mi_lib)) return NULL;
    int v = mi.version();
    snprintf(buf, sizeof buf, "mimalloc %d.%d.%d", v / 100, v / 10 % 10, v % 10);
    return buf;
}

/* The plain path (allocator.h): mi_malloc for sizes that are multiples of
 * an alignment up to 16, exactly mi_allocate's choice there (al_natural_align
 * holds for them), and mi_free, as mi_deallocate (NULL included). Not under
 * TSan: the annotations of al_foreign_got/al_foreign_freed live in the
 * adapter. */
static al_allocator *mi_create(const al_options *opts)
{
    (void)opts;
    al_allocator *a = al_dynlib_handle(&mi_lib, &mi_vt, MI_CAPS, "mi");
    return AL_TSAN ? a : al_with_plain(a, AL_MALLOC_ALIGN, mi.malloc, mi.free);
}

const al_backend_desc al_backend_mi = {
    .name = "mi",
    .description = "mimalloc: free-list sharding per page, thread-local heaps; the talk's fastest",
    .caps = MI_CAPS,
    .unavailable = mi_unavailable,
    .create = mi_create,
    .version = mi_lib_version,
};
