/* tc: gperftools' tcmalloc (the minimal build, without the heap profiler),
 * the library from Debian's package, loaded privately (see dynlib.h). */
#include "dynlib.h"
#include "internal.h"

#include <stdlib.h>

/* One declaration of the caps: the descriptor and every instance use it. */
#define TC_CAPS (AL_CAP_THREAD_SAFE | AL_CAP_FREES)

#ifndef ALLOCLAB_TC_SONAME
#define ALLOCLAB_TC_SONAME "libtcmalloc_minimal.so.4"
#endif

static const char *const tc_names[] = {
    "tc_malloc", "tc_memalign", "tc_calloc", "tc_realloc",
    "tc_free", "tc_malloc_size", "tc_version",
};

static struct {
    void *(*malloc)(size_t);
    void *(*memalign)(size_t, size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    size_t (*malloc_size)(void *);
    const char *(*version)(int *major, int *minor, const char **patch); /* "gperftools 2.10" */
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

/* What plain tc_malloc guarantees (gperftools' AlignmentForSize): 8 bytes
 * below 16, 16 from 16 bytes on (kMinAlign), more for larger classes. */
static inline bool tc_plain(size_t size, size_t align)
{
    return al_malloc_aligns(size, align);
}

static void *tc_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(tc_plain(size, align) ? tc.malloc(size) : tc.memalign(align, size));
}

/* Always the unsized free: tcmalloc's realloc may keep a block in a larger
 * size class than its new size names (it over-allocates small growths by a
 * quarter and shrinks in place), so a sized free could name the wrong class
 * and corrupt its free lists; tc_memalign has the same effect. The unsized
 * free looks the class up and is always right. */
static void tc_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    al_foreign_freed();
    tc.free(ptr);
}

/* Naturally aligned blocks resize with tc_realloc (in place when tcmalloc
 * can); others move, since realloc would not keep an extended alignment. */
static void *tc_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (AL_TSAN || !tc_plain(new_size, align))
        return al_foreign_move(st, ptr, old_size, new_size, align, tc_allocate, tc_deallocate);
    al_foreign_freed();
    return al_foreign_got(tc.realloc(ptr, new_size)); /* NULL leaves ptr intact */
}

static void *tc_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (!tc_plain(new_size, align)) return ptr; /* keeps its place and alignment */
    void *p = AL_TSAN ? al_foreign_move(st, ptr, old_size, new_size, align, tc_allocate, tc_deallocate)
                      : tc.realloc(ptr, new_size);
    return p ? al_foreign_got(p) : ptr;
}

static void *tc_zeroed(void *st, size_t size, size_t align)
{
    if (tc_plain(size, align)) return al_foreign_got(tc.calloc(1, size));
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

bool al_tc_library(al_library_fns *out)
{
    if (tc_unavailable()) return false;
    *out = (al_library_fns){.malloc = tc.malloc, .free = tc.free};
    return true;
}

/* The plain path (allocator.h): tc_malloc for sizes that are multiples of
 * an alignment up to 16 (tc_plain holds for them: 16-aligned requests are at
 * least 16 bytes), and the unsized tc_free, as tc_deallocate (NULL
 * included). Not under TSan (the annotations live in the adapter). */
static al_allocator *tc_create(const al_options *opts)
{
    (void)opts;
    al_allocator *a = al_dynlib_handle(&tc_lib, &tc_vt, TC_CAPS, "tc");
    return AL_TSAN ? a : al_with_plain(a, 16, tc.malloc, tc.free);
}

static const char *tc_lib_version(void)
{
    return al_dynlib_load(&tc_lib) ? NULL : tc.version(NULL, NULL, NULL);
}

const al_backend_desc al_backend_tc = {
    .name = "tc",
    .description = "tcmalloc (gperftools): per-thread caches over central size-class lists",
    .caps = TC_CAPS,
    .unavailable = tc_unavailable,
    .create = tc_create,
    .version = tc_lib_version,
};
