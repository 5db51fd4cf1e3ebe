/* entry: every allocation function a C or C++ program (and glibc itself)
 * may call, with glibc's semantics, served by the allocator mode.c chose.
 *
 * What a caller can rely on, whichever allocator serves:
 *   - every block is aligned for any object that fits in it: 16 bytes, or 8
 *     for requests of at most 8 bytes under lab (C17's rule, as jemalloc and
 *     mimalloc do; glibc gives 16 to all); malloc(0) is a unique pointer that
 *     free accepts;
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
#include "internal.h"

#include "lab.h"

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
 * The serving allocator. Under lab (the default), each entry point is one
 * test of the mode and a direct call: lab knows its blocks' sizes, so there
 * is no header. Anything else (a spec, or the bootstrap before the mode is
 * decided) goes through the adapter. A bootstrap block may reach lab's free
 * later: am_route says whether any was handed out, and only then is a
 * pointer checked against lab before it is given to lab.
 * ------------------------------------------------------------------------- */
#define LAB() AM_LIKELY(__atomic_load_n(&am_current, __ATOMIC_RELAXED) == AM_LAB)

/* Only lab serves and no block of the adapter's exists: free goes to lab. */
#define LAB_ONLY() AM_LIKELY(__atomic_load_n(&am_route, __ATOMIC_RELAXED) == AM_ROUTE_LAB)

static inline bool adapter_block(const void *ptr)
{
    return AM_UNLIKELY(__atomic_load_n(&am_route, __ATOMIC_RELAXED) & AM_ROUTE_BOOT) && !lab_owns(ptr) &&
           am_spec_owns(ptr);
}

/* `align` is what the caller asked for (1 from malloc, calloc, realloc).
 * An alignment lab_malloc does not guarantee (al_malloc_aligns) goes to
 * lab_aligned. */
static void *lab_alloc(size_t size, size_t align, bool zero)
{
    if (al_malloc_aligns(size, align))
        return zero ? lab_calloc(1, size) : lab_malloc(size);
    return lab_aligned(align, size); /* never zeroed: calloc asks for 1 */
}

static __attribute__((noinline)) void *slow_alloc(size_t size, size_t align, bool zero)
{
    if (am_decide() == AM_LAB) return lab_alloc(size, align, zero);
    return am_spec_alloc(size, align, zero);
}

static inline void *do_alloc(size_t size, size_t align, bool zero)
{
    if (LAB()) return lab_alloc(size, align, zero);
    return slow_alloc(size, align, zero);
}

/* Any free but lab-only's: a block of lab's, or of the adapter's (a spec's,
 * or the bootstrap's), errno kept. */
static __attribute__((noinline)) void release_slow(void *ptr)
{
    if (!ptr) return;
    if (LAB() && !adapter_block(ptr)) {
        lab_free(ptr);
        return;
    }
    int saved = errno;
    am_spec_free(ptr);
    errno = saved;
}

/* free's body, for the other entry points too (free itself could be bound
 * elsewhere by the dynamic loader). lab_free takes NULL and keeps errno. */
static inline void release(void *ptr)
{
    if (LAB_ONLY()) lab_free(ptr);
    else release_slow(ptr);
}

static inline void release_sized(void *ptr, size_t size)
{
    if (LAB_ONLY()) lab_free_sized(ptr, size);
    else release_slow(ptr);
}

static inline void *do_realloc(void *ptr, size_t size)
{
    if (LAB() && !adapter_block(ptr)) return lab_realloc(ptr, size);
    if (am_decide() == AM_LAB && !adapter_block(ptr)) return lab_realloc(ptr, size);
    return am_spec_realloc(ptr, size);
}

static inline size_t do_usable(void *ptr)
{
    if (LAB() && !adapter_block(ptr)) return lab_usable_size(ptr);
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
    return do_alloc(size, 1, false);
}

/* realloc's body, for reallocarray too. */
static void *resize(void *ptr, size_t size)
{
    if (!ptr) return do_alloc(size, 1, false);
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
    return do_alloc(total, 1, true);
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
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if (align == 0) align = 1;
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
    release_sized(ptr, size);
}

EXPORT void free_aligned_sized(void *ptr, size_t align, size_t size)
{
    /* lab's sized path covers alignments up to 64 KiB; beyond, plain free. */
    if (align <= ((size_t)64 << 10)) release_sized(ptr, size);
    else release(ptr);
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
