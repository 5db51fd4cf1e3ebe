/* tc: gperftools' tcmalloc (the minimal build, without the heap profiler),
 * the library from Debian's package, loaded privately (see dynlib.h). */
#include "dynlib.h"
#include "internal.h"

#include <stdlib.h>

#ifndef ALLOCLAB_TC_SONAME
#define ALLOCLAB_TC_SONAME "libtcmalloc_minimal.so.4"
#endif

static const char *const tc_names[] = {
    "tc_malloc", "tc_memalign", "tc_calloc", "tc_realloc",
    "tc_free", "tc_free_sized", "tc_malloc_size",
};

static struct {
    void *(*malloc)(size_t);
    void *(*memalign)(size_t, size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    void (*free_sized)(void *, size_t);
    size_t (*malloc_size)(void *);
} tc;

_Static_assert(sizeof tc == sizeof tc_names / sizeof tc_names[0] * sizeof(void *), "one slot per name");

static al_dynlib tc_lib = {
    .soname = ALLOCLAB_TC_SONAME,
    .package = "libgoogle-perftools-dev",
    .symbols = tc_names,
    .nsymbols = sizeof tc_names / sizeof tc_names[0],
    .fns = (void **)&tc,
    .once = PTHREAD_ONCE_INIT,
};

static void *tc_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(al_natural_align(size, align) ? tc.malloc(size) : tc.memalign(align, size));
}

/* Sized free only for naturally aligned blocks: tc_memalign may place a
 * block in a size class that its size alone would not name. */
static void tc_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st;
    al_foreign_freed();
    if (al_natural_align(size, align)) tc.free_sized(ptr, size);
    else tc.free(ptr);
}

static void *tc_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    /* Never tc_realloc: growing by less than a quarter it allocates
     * old_size * 1.25, a larger class than new_size names, and the later
     * sized free of new_size would corrupt tcmalloc's free lists. */
    void *p = tc_allocate(st, new_size, align);
    if (p) {
        memcpy(p, ptr, old_size);
        al_foreign_freed();
        tc.free(ptr);
    }
    return p;
}

/* A block whose new size is not natural keeps its place (its later free is
 * unsized). Otherwise shrinking moves: tcmalloc's realloc may keep the block
 * in its larger size class, and the later sized free of new_size would name
 * the wrong class and corrupt tcmalloc's free lists. */
static void *tc_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    (void)old_size;
    if (!al_natural_align(new_size, align)) return ptr;
    void *p = tc_allocate(st, new_size, align);
    if (p) {
        memcpy(p, ptr, new_size);
        al_foreign_freed();
        tc.free(ptr);
    }
    return p;
}

static void *tc_zeroed(void *st, size_t size, size_t align)
{
    if (al_natural_align(size, align)) return al_foreign_got(tc.calloc(1, size));
    void *p = tc_allocate(st, size, align);
    if (p) memset(p, 0, size);
    return p;
}

static size_t tc_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    return tc.malloc_size((void *)ptr);
}

static const al_vtable tc_vt = {
    .allocate = tc_allocate,
    .deallocate = tc_deallocate,
    .grow = tc_grow,
    .shrink = tc_shrink,
    .allocate_zeroed = tc_zeroed,
    .usable_size = tc_usable,
    .destroy = free,
};

static const char *tc_unavailable(void) { return al_dynlib_load(&tc_lib); }

static al_allocator *tc_create(const al_options *opts)
{
    (void)opts;
    al_allocator *a = malloc(sizeof *a);
    if (!a) {
        al_set_error("out of memory creating 'tc'");
        return NULL;
    }
    *a = (al_allocator){.state = a, .vt = &tc_vt, .caps = AL_CAP_THREAD_SAFE | AL_CAP_FREES};
    return a;
}

const al_backend_desc al_backend_tc = {
    .name = "tc",
    .description = "tcmalloc (gperftools): per-thread caches over central size-class lists",
    .caps = AL_CAP_THREAD_SAFE | AL_CAP_FREES,
    .unavailable = tc_unavailable,
    .create = tc_create,
};
