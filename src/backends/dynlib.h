/* Loading a production allocator's shared library privately.
 *
 * Each of libmimalloc and libtcmalloc exports its own malloc. Linked the usual
 * way, the first one loaded would silently become every caller's malloc. They
 * are opened with dlopen(RTLD_LOCAL) instead: their symbols stay out of the
 * global scope, glibc's malloc stays the process's malloc, and the adapters
 * reach the libraries' own entry points through dlsym. */
#ifndef ALLOCLAB_DYNLIB_H
#define ALLOCLAB_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

#include "alloclab/allocator.h"

typedef struct al_dynlib {
    const char *soname;            /* e.g. "libmimalloc.so.2" */
    const char *package;           /* Debian package that provides it */
    const char *const *symbols;    /* names to resolve, in the order of fns */
    size_t nsymbols;
    void **fns;                    /* out: resolved addresses */
    pthread_once_t once;
    char error[256];               /* empty when loaded */
} al_dynlib;

/* Load the library once (thread-safe); NULL when every symbol resolved,
 * otherwise a one-line reason naming the package to install. */
const char *al_dynlib_load(al_dynlib *lib);

/** A new handle of the stateless backend `name` (operations vt) over lib:
 *  loads lib first, so it does not rely on al_create having asked
 *  unavailable(). NULL with the error set when lib cannot be loaded or
 *  memory is short. */
al_allocator *al_dynlib_handle(al_dynlib *lib, const al_vtable *vt, unsigned caps, const char *name);

#endif
