/* Internal declarations shared by the library's sources; not installed. */
#ifndef ALLOCLAB_INTERNAL_H
#define ALLOCLAB_INTERNAL_H

#include "alloclab/registry.h"

/* Backends (src/backends) and wrappers (src/wrappers), one file each. */
extern const al_backend_desc al_backend_sys;
extern const al_backend_desc al_backend_je;
extern const al_backend_desc al_backend_mi;
extern const al_backend_desc al_backend_tc;

/* An instance whose handle lives inside its own state: the usual layout for
 * registry-made allocators. Allocated from libc; never from the instance. */
#define AL_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Smallest alignment libc's malloc guarantees on this platform. */
#define AL_MALLOC_ALIGN (_Alignof(max_align_t))

/* Whether a plain malloc-style call of `size` bytes is enough for `align` in
 * jemalloc, mimalloc and tcmalloc: they align a small block only to its size
 * class (an 8-byte block is 8-aligned, mimalloc has 24-byte classes), so only
 * alignments up to 8, or up to AL_MALLOC_ALIGN for multiples of it, qualify.
 * Depends only on (size, align), so sized frees agree with the allocation. */
static inline bool al_natural_align(size_t size, size_t align)
{
    return align <= 8 || (align <= AL_MALLOC_ALIGN && size % AL_MALLOC_ALIGN == 0);
}

#endif
