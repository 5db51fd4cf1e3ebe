/* Shared declarations of the malloc replacement (src/malloc/); not installed.
 *
 * The replacement is one relocatable object: the entry points (entry.c), the
 * choice of the serving allocator (mode.c), the spec adapter (spec.c), the
 * way to glibc's own allocator (libc.c) and the heap queries (info.c), linked
 * with a private copy of the registry whose allocation calls go to glibc
 * (al_libc_*), never back into the replacement. Only the entry points stay
 * global (src/malloc/exports.txt).
 */
#ifndef ALLOCLAB_MALLOC_INTERNAL_H
#define ALLOCLAB_MALLOC_INTERNAL_H

#include "alloclab/allocator.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every thread-local of the replacement: initial-exec, so that reading it
 * never calls __tls_get_addr (which may allocate). */
#define AM_TLS __thread __attribute__((tls_model("initial-exec")))

#define AM_LIKELY(x) __builtin_expect(!!(x), 1)
#define AM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The entry points: global in the final object (src/malloc/exports.txt).
 * ALIAS gives a function another name; gcc copies the target's attributes
 * (malloc, nothrow...) so that the two declarations agree. */
#define EXPORT __attribute__((visibility("default")))
#if defined(__clang__)
#define ALIAS(name) __attribute__((alias(#name), visibility("default")))
#else
#define ALIAS(name) __attribute__((alias(#name), copy(name), visibility("default")))
#endif

/* The smallest alignment every malloc block has (glibc's MALLOC_ALIGNMENT). */
#define AM_MIN_ALIGN 16u

/* Requests above this fail with ENOMEM before any allocator is asked (glibc
 * refuses sizes above PTRDIFF_MAX; alloclab's front end refuses AL_MAX_SIZE). */
#define AM_MAX_SIZE ((size_t)AL_MAX_SIZE)

/* ----------------------------------------------------------------------------
 * glibc's own allocator (libc.c). The registry copy inside the replacement
 * calls these instead of malloc, free, ... (src/malloc/libc_redirect.txt).
 * ------------------------------------------------------------------------- */
bool al_libc_available(void);
void *al_libc_malloc(size_t size);
void al_libc_free(void *ptr);
void *al_libc_calloc(size_t n, size_t size);
void *al_libc_realloc(void *ptr, size_t size);
void *al_libc_memalign(size_t align, size_t size);
void *al_libc_aligned_alloc(size_t align, size_t size);
int al_libc_posix_memalign(void **out, size_t align, size_t size);
size_t al_libc_usable_size(void *ptr);
int al_libc_trim(size_t pad);

/* ----------------------------------------------------------------------------
 * Which allocator serves the process (mode.c).
 * ------------------------------------------------------------------------- */
typedef enum am_mode {
    AM_UNSET = 0, /* not decided yet (the environment is not readable yet) */
    AM_LAB,       /* lab, called directly */
    AM_SPEC,      /* a registry spec through the adapter (spec.c) */
} am_mode;

/* The decided mode; AM_UNSET until am_decide() succeeds. */
extern am_mode am_current;

/* Decide the mode from ALLOCLAB_MALLOC if the environment can be read yet;
 * returns the mode (AM_UNSET: still too early, serve from the bootstrap). */
am_mode am_decide(void);

/* The spec serving the process, as the user wrote it ("lab" by default). */
const char *am_spec_name(void);

/* ----------------------------------------------------------------------------
 * The spec adapter (spec.c). Every block it hands out carries a 16-byte
 * header in front, so that free finds the size and alignment to give back.
 * Until a spec is ready (and for calls made from inside the spec's own
 * calls), blocks come from glibc with the same header.
 * ------------------------------------------------------------------------- */

/* Create the allocator for `spec` and serve from it; false (al_last_error()
 * says why) when it cannot be made, and nothing changed. */
bool am_spec_start(const char *spec);
void *am_spec_alloc(size_t size, size_t align, bool zero);
void am_spec_free(void *ptr);
void *am_spec_realloc(void *ptr, size_t size);
size_t am_spec_usable(const void *ptr);
/* How frees are routed, one word so that free's fast path is one load and
 * one compare: AM_ROUTE_LAB once lab serves, AM_ROUTE_BOOT once the adapter
 * handed out a block from glibc (the bootstrap, or a call made from inside a
 * spec's own call): only then may lab's free see a pointer that is not lab's.
 * Bits are only ever set (atomic or), never cleared; read relaxed. */
#define AM_ROUTE_LAB 1u
#define AM_ROUTE_BOOT 2u
extern unsigned am_route;
/* Whether ptr carries the adapter's header (a spec or bootstrap block). */
bool am_spec_owns(const void *ptr);

/* What the adapter has handed out and not taken back (for mallinfo). */
typedef struct am_spec_counts {
    size_t live_bytes;  /* the sizes asked for */
    size_t live_blocks;
    size_t held_bytes;  /* with the headers and alignment padding */
} am_spec_counts;
void am_spec_counts_get(am_spec_counts *out);

/* Diagnostics are written without allocating: al_say (src/core/say.h). */
#include "say.h"

#endif
