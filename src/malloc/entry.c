/* entry: every allocation function a C or C++ program (and glibc itself)
 * may call, with glibc's semantics, served by the allocator mode.c chose.
 *
 * What a caller can rely on, whichever allocator serves:
 *   - every block is aligned to at least 16 bytes; malloc(0) is a unique
 *     pointer that free accepts;
 *   - failure is NULL with errno ENOMEM (sizes near SIZE_MAX, overflowing
 *     calloc/reallocarray counts, exhaustion); a failed realloc leaves the
 *     old block untouched;
 *   - free, cfree, free_sized and free_aligned_sized never change errno;
 *     free(NULL) does nothing;
 *   - realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL,
 *     as glibc does (reallocarray alike);
 *   - memalign, valloc, pvalloc: glibc's rules (an alignment of at most 16 is
 *     malloc's, one that is not a power of two is rounded up to the next,
 *     one above SIZE_MAX / 2 + 1 is EINVAL); pvalloc rounds the size up to
 *     whole pages;
 *   - aligned_alloc: any size (C17); an alignment that is 0 or not a power of
 *     two is EINVAL (as glibc does since 2.38);
 *   - posix_memalign returns EINVAL or ENOMEM and leaves errno and *memptr
 *     alone on failure;
 *   - the __libc_* names glibc exports (and its debugging library calls) are
 *     the same functions, so no block can reach glibc's free.
 * C++'s operator new and delete reach these through libstdc++'s malloc and
 * free. The replacement is compiled with -fno-builtin: no call in here is
 * turned back into a call of the function being defined.
 */
#include "malloc_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Declared by no glibc header this project builds with (C23, glibc-internal). */
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t align, size_t size);
void cfree(void *ptr);
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_reallocarray(void *ptr, size_t n, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);
void *memalign(size_t align, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);
size_t malloc_usable_size(void *ptr);


/* ----------------------------------------------------------------------------
 * The serving allocator. Until lab is wired in, every mode goes through the
 * adapter (the bootstrap included).
 * ------------------------------------------------------------------------- */
static inline void *do_alloc(size_t size, size_t align, bool zero)
{
    am_decide();
    return am_spec_alloc(size, align, zero);
}

static inline void do_free(void *ptr)
{
    am_spec_free(ptr);
}

static inline void *do_realloc(void *ptr, size_t size)
{
    am_decide();
    return am_spec_realloc(ptr, size);
}

static inline size_t do_usable(void *ptr)
{
    return am_spec_usable(ptr);
}

static void *no_memory(void)
{
    errno = ENOMEM;
    return NULL;
}

static size_t page_size(void)
{
    static size_t page;
    if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

/* ----------------------------------------------------------------------------
 * The entry points.
 * ------------------------------------------------------------------------- */
EXPORT void *malloc(size_t size)
{
    return do_alloc(size, AM_MIN_ALIGN, false);
}

/* free's body; the other entry points call it, not free (which the
 * dynamic loader could bind elsewhere). */
static void release(void *ptr)
{
    if (!ptr) return;
    int saved = errno;
    do_free(ptr);
    errno = saved;
}

/* realloc's body, for reallocarray too. */
static void *resize(void *ptr, size_t size)
{
    if (!ptr) return do_alloc(size, AM_MIN_ALIGN, false);
    if (size == 0) {
        release(ptr);
        return NULL;
    }
    return do_realloc(ptr, size);
}

EXPORT void free(void *ptr)
{
    release(ptr);
}

EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) return no_memory();
    return do_alloc(total, AM_MIN_ALIGN, true);
}

EXPORT void *realloc(void *ptr, size_t size)
{
    return resize(ptr, size);
}

EXPORT void *reallocarray(void *ptr, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) return no_memory();
    return resize(ptr, total);
}

/* glibc's memalign rules (malloc/malloc.c, _mid_memalign). */
static void *aligned(size_t align, size_t size)
{
    if (align <= AM_MIN_ALIGN) return do_alloc(size, AM_MIN_ALIGN, false);
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if (!al_is_pow2(align)) align = (size_t)1 << (64 - __builtin_clzl(align));
    return do_alloc(size, align, false);
}

EXPORT void *memalign(size_t align, size_t size)
{
    return aligned(align, size);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!al_is_pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(align, size);
}

EXPORT int posix_memalign(void **memptr, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0 || !al_is_pow2(align / sizeof(void *))) return EINVAL;
    int saved = errno;
    void *p = aligned(align, size);
    errno = saved;
    if (!p) return ENOMEM;
    *memptr = p;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    return aligned(page_size(), size);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = page_size(), rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) return no_memory();
    return aligned(page, rounded & ~(page - 1));
}

EXPORT size_t malloc_usable_size(void *ptr)
{
    return ptr ? do_usable(ptr) : 0;
}

/* C23: the size (and alignment) handed back are those asked for; the blocks
 * know theirs, so these are free. */
EXPORT void free_sized(void *ptr, size_t size)
{
    (void)size;
    release(ptr);
}

EXPORT void free_aligned_sized(void *ptr, size_t align, size_t size)
{
    (void)align;
    (void)size;
    release(ptr);
}

/* The old names and glibc's own: the same functions. */
void cfree(void *ptr) ALIAS(free);
void *__libc_malloc(size_t size) ALIAS(malloc);
void __libc_free(void *ptr) ALIAS(free);
void *__libc_calloc(size_t n, size_t size) ALIAS(calloc);
void *__libc_realloc(void *ptr, size_t size) ALIAS(realloc);
void *__libc_reallocarray(void *ptr, size_t n, size_t size) ALIAS(reallocarray);
void *__libc_memalign(size_t align, size_t size) ALIAS(memalign);
void *__libc_valloc(size_t size) ALIAS(valloc);
void *__libc_pvalloc(size_t size) ALIAS(pvalloc);
