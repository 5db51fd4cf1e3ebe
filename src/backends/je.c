/* je: jemalloc, Debian's static archive linked in with every one of its
 * global symbols renamed alje_* at build time (cmake/dependencies.cmake
 * finds the archive, cmake/rename_symbols.cmake renames the symbols).
 *
 * jemalloc's shared library cannot be opened privately like mimalloc's: it
 * uses initial-exec TLS, and dlopen fails with "cannot allocate memory in
 * static TLS block". Renamed and linked statically, it neither replaces the
 * process's malloc nor needs dlopen. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One declaration of the caps: the descriptor and every instance use it. */
#define JE_CAPS (AL_CAP_THREAD_SAFE | AL_CAP_FREES)

#if ALLOCLAB_HAVE_JE

/* jemalloc's non-standard API, under the build's prefix. Flag layout as
 * documented in jemalloc(3): low 6 bits lg(alignment), 0x40 zero-fill. */
void *alje_malloc(size_t size);
void alje_free(void *ptr);
void *alje_mallocx(size_t size, int flags);
void *alje_rallocx(void *ptr, size_t size, int flags);
void alje_sdallocx(void *ptr, size_t size, int flags);
size_t alje_sallocx(const void *ptr, int flags);
int alje_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

#define JE_ZERO 0x40

/* What plain malloc guarantees in jemalloc on 64-bit targets: its quantum
 * is 16 bytes, so every size class above the 8-byte one is a multiple of 16
 * and 16-aligned (jemalloc(3), "Implementation notes": size classes are
 * multiples of the quantum, with one tiny 8-byte class below it). */
#define JE_QUANTUM 16u

static inline bool je_plain(size_t size, size_t align)
{
    return al_malloc_aligns(size, align);
}

static inline int je_flags(size_t size, size_t align)
{
    return je_plain(size, align) ? 0 : ffsl((long)align) - 1;
}

/* Plain malloc whenever it guarantees the alignment: jemalloc's shortest
 * path (about 30 instructions, against 90 for mallocx); mallocx with the
 * alignment flags only beyond. Freeing is always sdallocx, with flags 0 for
 * plain blocks: the size spares free's lookup of the size class (measured:
 * 11k fewer instructions per glibc-simple/16 iteration than free). */
static void *je_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(je_plain(size, align) ? alje_malloc(size) : alje_mallocx(size, je_flags(size, align)));
}

static void je_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st;
    al_foreign_freed();
    alje_sdallocx(ptr, size, je_flags(size, align));
}

static void *je_resize(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (AL_TSAN) return al_foreign_move(st, ptr, old_size, new_size, align, je_allocate, je_deallocate);
    al_foreign_freed();
    return al_foreign_got(alje_rallocx(ptr, new_size, je_flags(new_size, align))); /* NULL leaves ptr intact */
}

static void *je_zeroed(void *st, size_t size, size_t align)
{
    (void)st;
    return al_foreign_got(alje_mallocx(size, je_flags(size, align) | JE_ZERO));
}

static size_t je_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    return alje_sallocx(ptr, 0);
}

static const al_vtable je_vt = {
    .allocate = je_allocate,
    .deallocate = je_deallocate,
    .grow = je_resize,
    .shrink = je_resize,
    .allocate_zeroed = je_zeroed,
    .usable_size = je_usable,
    .destroy = free,
};

/* jemalloc registers its fork handlers when it starts. Started here, before
 * an instance exists, so that alloclab's handlers can be registered after
 * them (al_fork_after_library): a "locked:je" lock is then taken before
 * jemalloc's on fork. */
static pthread_once_t je_started = PTHREAD_ONCE_INIT;

static void je_start(void)
{
    void *p = alje_mallocx(1, 0);
    if (p) alje_sdallocx(p, 1, 0); /* sdallocx takes no NULL */
    al_fork_after_library();
}

/* The plain path (allocator.h): malloc for sizes that are multiples of an
 * alignment up to 16 (je_plain holds for them: 16-aligned requests are at
 * least 16 bytes), and free, which takes any block je_deallocate's
 * sdallocx does (NULL included). Not under TSan (the annotations live in
 * the adapter). */
static al_allocator *je_create(const al_options *opts)
{
    (void)opts;
    pthread_once(&je_started, je_start);
    al_allocator *a = al_plain_handle(&je_vt, JE_CAPS, "je");
    return AL_TSAN ? a : al_with_plain(a, JE_QUANTUM, alje_malloc, alje_free);
}

#define JE_UNAVAILABLE NULL

/* The linked copy's own version, from mallctl("version"), without its git
 * suffix: "5.3.0-0-g54eaed1d..." reads "jemalloc 5.3.0". */
static const char *je_version(void)
{
    static char buf[48];
    const char *v = NULL;
    size_t len = sizeof v;
    if (alje_mallctl("version", &v, &len, NULL, 0) != 0 || !v) return NULL;
    snprintf(buf, sizeof buf, "jemalloc %.*s", (int)strcspn(v, "-"), v);
    return buf;
}
#define JE_VERSION je_version

bool al_je_library(al_library_fns *out)
{
    *out = (al_library_fns){.malloc = alje_malloc, .free = alje_free};
    return true;
}

#else /* built without jemalloc */

bool al_je_library(al_library_fns *out)
{
    (void)out;
    return false;
}

static al_allocator *je_create(const al_options *opts)
{
    (void)opts;
    al_set_error("alloclab was built without jemalloc");
    return NULL;
}

static const char *je_missing(void)
{
    return "built without jemalloc (apt-get install libjemalloc-dev, then rebuild)";
}
#define JE_UNAVAILABLE je_missing
#define JE_VERSION NULL

#endif

const al_backend_desc al_backend_je = {
    .name = "je",
    .description = "jemalloc: size-class arenas per CPU set, thread caches; low fragmentation",
    .caps = JE_CAPS,
    .unavailable = JE_UNAVAILABLE,
    .create = je_create,
    .version = JE_VERSION,
};
