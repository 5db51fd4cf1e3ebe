/* Internal declarations shared by the library's sources; not installed. */
#ifndef ALLOCLAB_INTERNAL_H
#define ALLOCLAB_INTERNAL_H

#include "alloclab/registry.h"

/* Backends (src/backends) and wrappers (src/wrappers), one file each. */
extern const al_backend_desc al_backend_sys;
extern const al_backend_desc al_backend_je;
extern const al_backend_desc al_backend_mi;
extern const al_backend_desc al_backend_tc;
extern const al_backend_desc al_backend_bump;
extern const al_backend_desc al_backend_arena;
extern const al_backend_desc al_backend_pool;
extern const al_backend_desc al_backend_sbrk;
extern const al_wrapper_desc al_wrapper_verbose;
extern const al_wrapper_desc al_wrapper_stats;
extern const al_wrapper_desc al_wrapper_locked;

/* An instance whose handle lives inside its own state: the usual layout for
 * registry-made allocators. Allocated from libc; never from the instance. */
#define AL_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Smallest alignment libc's malloc guarantees on this platform. */
#define AL_MALLOC_ALIGN (_Alignof(max_align_t))

#endif
