/* alloclab — the registry: allocators and wrappers by name.
 *
 * A spec names a backend, optionally behind wrappers applied right to left:
 * "arena", "locked:pool", "verbose:stats:bump". The CLI, the benchmarks and
 * the tests find allocators only through al_create().
 */
#ifndef ALLOCLAB_REGISTRY_H
#define ALLOCLAB_REGISTRY_H

#include <stdio.h>
#include "allocator.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options understood by backends and wrappers. Zero means "default" for every
 * field, so `(al_options){0}` and NULL are the same.
 *
 * One al_options serves a whole spec: every layer of "verbose:arena" reads
 * the same struct, each the fields it uses. A field a layer does not use is
 * ignored by it (capacity means nothing to sys, je, mi, tc or pool; log
 * nothing without a verbose: layer), so one options struct can be handed to
 * every spec of a benchmark. What is contradictory in itself is refused by
 * al_create for every spec, with NULL and al_last_error():
 *   - buffer without buffer_size, or buffer_size without buffer;
 *   - buffer together with capacity (the buffer's size is buffer_size).
 *
 *   field                read by
 *   capacity             bump, arena, sbrk
 *   buffer, buffer_size  bump
 *   backing              arena, pool
 *   log, log_fd          verbose
 *   user                 a caller's own backends and wrappers; alloclab's ignore it */
typedef struct al_options {
    size_t capacity;          /* bump: bytes of its own buffer (default 1 MiB);
                                 arena: first chunk size (default 4 KiB);
                                 sbrk: most bytes it may take (default 1 GiB);
                                 at most AL_MAX_SIZE. Others ignore it. */
    void *buffer;             /* bump: use this caller-owned memory (static, stack)
                                 instead of a buffer of its own; needs buffer_size,
                                 excludes capacity. Others ignore it. */
    size_t buffer_size;       /* bytes at buffer; non-zero exactly when buffer is set */
    al_allocator *backing;    /* arena, pool: where chunks and pages come from
                                 (default: a shared sys handle); not owned, must
                                 outlive the instance. Others ignore it. */
    FILE *log;                /* verbose: where to write (default stderr) */
    int log_fd;               /* verbose: or this descriptor when log is NULL and
                                 fd > 0 (log wins when both are set) */
    void *user;               /* context for a caller's own backend or wrapper
                                 (registered with al_register_*), read by its
                                 create/wrap; when NULL, al_create hands each
                                 layer its descriptor's `user` instead.
                                 alloclab's backends and wrappers ignore it. */
} al_options;

typedef struct al_backend_desc {
    const char *name;         /* "sys", "je", "bump", ... */
    const char *description;  /* one line */
    unsigned caps;            /* AL_CAP_* of a default instance */
    /** NULL when the backend can be used in this process, otherwise a
     *  one-line reason (library missing, with the install command). */
    const char *(*unavailable)(void);
    /** A new instance, or NULL (al_last_error() says why). opts is never
     *  NULL and is valid during the call only (copy what must be kept). */
    al_allocator *(*create)(const al_options *opts);
    /** Context for a caller's own backend: al_create hands it to create as
     *  opts->user when the caller's options leave user NULL, so a backend
     *  made by name (by the benchmarks, with no options) still gets it.
     *  alloclab's backends leave it NULL. */
    void *user;
    /** Optional: the version of the library behind the backend, as the
     *  library itself reports it ("jemalloc 5.3.0", "mimalloc 2.0.9",
     *  "gperftools 2.10", "glibc 2.36"),
     *  or NULL when unknown or unavailable. The string lives as long as the
     *  process. */
    const char *(*version)(void);
} al_backend_desc;

typedef struct al_wrapper_desc {
    const char *name;         /* "verbose", "stats", "locked" */
    const char *description;
    /** Wrap `inner`, taking ownership of it: destroying the wrapper destroys
     *  inner. On failure returns NULL and leaves inner alone. opts is never
     *  NULL through al_create and valid during the call only. */
    al_allocator *(*wrap)(al_allocator *inner, const al_options *opts);
    /** As al_backend_desc.user: opts->user for wrap when the caller's is
     *  NULL. */
    void *user;
} al_wrapper_desc;

/* ----------------------------------------------------------------------------
 * All registered backends and wrappers, in listing order: the built-in ones,
 * then those of al_register_* in registration order. Indexes are stable
 * (registration only appends).
 * ------------------------------------------------------------------------- */

/** How many backends are registered (built-in ones included). */
AL_API size_t al_backend_count(void);

/** The i-th backend, or NULL when i >= al_backend_count(). */
AL_API const al_backend_desc *al_backend_at(size_t i);

/** The backend called `name`, or NULL when none is (or name is NULL). */
AL_API const al_backend_desc *al_backend_find(const char *name);

/** How many wrappers are registered (built-in ones included). */
AL_API size_t al_wrapper_count(void);

/** The i-th wrapper, or NULL when i >= al_wrapper_count(). */
AL_API const al_wrapper_desc *al_wrapper_at(size_t i);

/** The wrapper called `name`, or NULL when none is (or name is NULL). */
AL_API const al_wrapper_desc *al_wrapper_find(const char *name);

/** Add an allocator or wrapper of the caller's (at start-up, before threads):
 *  it becomes usable by name everywhere, the benchmarks included. The
 *  descriptor must outlive every use. 0, or -1 when the name is invalid or
 *  taken (al_last_error() says which). At most 16 of each. */
AL_API int al_register_backend(const al_backend_desc *desc);
AL_API int al_register_wrapper(const al_wrapper_desc *desc);

/** The version of the library behind a spec's backend (its descriptor's
 *  version hook), or NULL when the backend has none, is unknown or cannot
 *  run here. */
AL_API const char *al_spec_version(const char *spec);

/** Make an allocator from a spec ("verbose:locked:pool"). NULL on an unknown
 *  name, an unavailable backend or exhaustion; al_last_error() says which.
 *  Release it with al_destroy(). */
AL_API al_allocator *al_create(const char *spec, const al_options *opts);

/** Whether the backend at the end of a spec is usable here (NULL) or why not. */
AL_API const char *al_spec_unavailable(const char *spec);

/** The reason for the last failure in this thread of a function that says
 *  so: al_create, al_spec_unavailable, al_register_backend/wrapper, a
 *  backend's create or a wrapper's wrap. It is not cleared by a success:
 *  read it only right after a failure. "no error" when nothing failed yet in
 *  this thread. Valid until the thread's next failure. */
AL_API const char *al_last_error(void);

/** What kind of failure the last error in this thread was (set with its
 *  message, by the same functions), so that a caller can react to it without
 *  reading the text: an unknown name to list the registry, an unavailable
 *  backend to skip it. AL_ERR_NONE when nothing failed yet in this thread;
 *  al_set_error sets AL_ERR_OTHER. */
typedef enum al_error_kind {
    AL_ERR_NONE = 0,
    AL_ERR_OTHER,            /* anything else: a backend's create, exhaustion, ... */
    AL_ERR_BAD_SPEC,         /* an empty or malformed spec ("a::b", a name too long) */
    AL_ERR_UNKNOWN_BACKEND,  /* the spec's last name is no registered backend */
    AL_ERR_UNKNOWN_WRAPPER,  /* a name before the last is no registered wrapper */
    AL_ERR_UNAVAILABLE,      /* the backend is registered but cannot run here */
    AL_ERR_BAD_OPTIONS,      /* contradictory al_options */
    AL_ERR_REGISTRATION,     /* al_register_*: invalid descriptor, name taken, table full */
} al_error_kind;

AL_API al_error_kind al_last_error_kind(void);

/** The name the last error is about ("no-such" for an unknown allocator
 *  'no-such', the backend for an unavailable one), or "" when it is about no
 *  one name. Valid until the thread's next failure. */
AL_API const char *al_last_error_name(void);

/** Set this thread's al_last_error() (printf format, cut at 255 bytes): for a
 *  caller's own backend or wrapper to explain why its create/wrap failed. */
AL_API void al_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Capabilities as text, e.g. "thread-safe,frees" (into buf, returned). */
AL_API const char *al_caps_str(unsigned caps, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
