/* alloclab — use, build and measure memory allocators. The whole public API:
 *   allocator.h  the interface (al_allocate, al_deallocate, al_grow, ...)
 *   registry.h   allocators by name: al_create("verbose:arena", &opts)
 *   backends.h   in-place bump arenas (al_bump_init) and backend figures
 *   wrappers.h   stats queries and wrapper chains
 *   vec.h        a growable array over any allocator
 *   smallvec.h   N elements inline, spilling to an allocator
 */
#ifndef ALLOCLAB_ALLOCLAB_H
#define ALLOCLAB_ALLOCLAB_H

#include "allocator.h"
#include "backends.h"
#include "registry.h"
#include "smallvec.h"
#include "vec.h"
#include "wrappers.h"

#endif
