/* Internal declarations shared by the library's sources; not installed. */
#ifndef ALLOCLAB_INTERNAL_H
#define ALLOCLAB_INTERNAL_H

#include "alloclab/registry.h"
#include "alloclab/backends.h"
#include "alloclab/wrappers.h"

#include <pthread.h>

/* Backends (src/backends) and wrappers (src/wrappers), one file each. */
/* Each production backend's al_library_calls part (false when unavailable). */
bool al_sys_library(al_library_fns *out);
bool al_je_library(al_library_fns *out);
bool al_mi_library(al_library_fns *out);
bool al_tc_library(al_library_fns *out);

extern const al_backend_desc al_backend_sys;
extern const al_backend_desc al_backend_je;
extern const al_backend_desc al_backend_mi;
extern const al_backend_desc al_backend_tc;
extern const al_backend_desc al_backend_lab;
extern const al_backend_desc al_backend_bump;
extern const al_backend_desc al_backend_arena;
extern const al_backend_desc al_backend_pool;
extern const al_backend_desc al_backend_sbrk;
extern const al_wrapper_desc al_wrapper_verbose;
extern const al_wrapper_desc al_wrapper_stats;
extern const al_wrapper_desc al_wrapper_locked;
extern const al_wrapper_desc al_wrapper_checked;

/* al_set_error with a kind and the name it is about (al_last_error_kind,
 * al_last_error_name); al_set_error itself is kind AL_ERR_OTHER. */
void al_set_error_of(al_error_kind kind, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ----------------------------------------------------------------------------
 * Fork safety (src/core/forklock.c). Every mutex an instance holds around its
 * operations is an al_fork_mutex: the thread that forks takes all of them
 * (newest first) just before fork() and releases them in parent and child,
 * so a child never inherits a lock held by a thread it does not have.
 * ------------------------------------------------------------------------- */
typedef struct al_fork_mutex {
    pthread_mutex_t mu;                  /* lock and unlock this one directly */
    struct al_fork_mutex *newer, *older; /* the list of live ones; private */
} al_fork_mutex;

/** Initialise m and add it to the live list (newest). false when the fork
 *  handlers or the mutex cannot be set up (the caller reports it). An
 *  instance made after another it calls into (its inner or backing) must
 *  init its mutexes after that one's: the list order is the lock order. */
bool al_fork_mutex_init(al_fork_mutex *m);

/** Remove m from the live list and destroy it; it must not be held. */
void al_fork_mutex_destroy(al_fork_mutex *m);

/** Call once when a library that registers pthread_atfork handlers of its
 *  own starts (jemalloc, tcmalloc, a lab-style allocator): our handlers are
 *  registered again, so that our locks are taken before the library's. */
void al_fork_after_library(void);

/* ----------------------------------------------------------------------------
 * Construction helpers shared by the backends (src/backends/instance.c). Each
 * sets the error (al_set_error) whenever it fails.
 * ------------------------------------------------------------------------- */

/** A libc block of `size` bytes for a new `name` instance; NULL with the
 *  error "out of memory creating '<name>'". Released with free(). */
void *al_instance_alloc(size_t size, const char *name);

/** A registry-made handle of a backend without state (sys, je, mi, tc): the
 *  handle is the whole instance, so vt->destroy must be free. NULL with the
 *  error set when out of memory. */
al_allocator *al_plain_handle(const al_vtable *vt, unsigned caps, const char *name);

/** Give the handle `a` (NULL: nothing) the plain path of allocator.h: the
 *  library's calls for requests aligned to at most `align` with a size that
 *  is a multiple of it. The backend vouches for the promises written there.
 *  Returns a. */
static inline al_allocator *al_with_plain(al_allocator *a, size_t align, void *(*allocate)(size_t),
                                          void (*deallocate)(void *))
{
    if (a) {
        a->plain_align = align;
        a->plain_allocate = allocate;
        a->plain_deallocate = deallocate;
    }
    return a;
}

/** opts->capacity, or `def` when it is 0, into *cap; false (error set, *cap
 *  unspecified) when it exceeds AL_MAX_SIZE. */
bool al_capacity_option(const al_options *opts, size_t def, const char *name, size_t *cap);

/** Whether *opts is free of contradictions (the rules in registry.h:
 *  buffer and buffer_size together or neither, not buffer with capacity);
 *  false with the error set otherwise. al_create checks every spec's
 *  options; a backend reading these fields checks them too, for a direct
 *  call of its create. */
bool al_options_check(const al_options *opts);

/** The state of the first instance with operations vt among a and the
 *  allocators behind its built-in wrappers (al_wrapper_inner), else NULL (a
 *  NULL too): how a backend's counters find their own instance, also through
 *  "stats:bump" or "verbose:locked:arena". */
static inline void *al_state_if(const al_allocator *a, const al_vtable *vt)
{
    for (al_allocator *p = (al_allocator *)a; p; p = al_wrapper_inner(p))
        if (p->vt == vt) return p->state;
    return NULL;
}

/** The process-wide sys handle (src/backends/sys.c): libc's malloc, no state.
 *  The default backing of arena and pool; never destroyed (destroying it
 *  would be a no-op anyway) and safe to share between threads. */
al_allocator *al_sys_shared(void);

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

/* What alignment a plain malloc(size) guarantees, the one rule for the
 * adapters that call a library's own malloc for what it aligns (je, tc) and
 * for the malloc replacement's lab path: a block is aligned for every object
 * that fits in it, up to AL_MALLOC_ALIGN: 8 bytes under AL_MALLOC_ALIGN bytes
 * (no smaller object needs more), AL_MALLOC_ALIGN from there on. glibc,
 * jemalloc (its quantum, 16, above one 8-byte class), tcmalloc (gperftools'
 * AlignmentForSize) and lab all give at least that; anything more takes the
 * library's aligned call. Depends only on (size, align), so sized frees
 * agree with the allocation. */
static inline bool al_malloc_aligns(size_t size, size_t align)
{
    return align <= 8 || (align <= AL_MALLOC_ALIGN && size >= AL_MALLOC_ALIGN);
}

/* Under ThreadSanitizer: jemalloc, mimalloc and tcmalloc are uninstrumented,
 * so TSan cannot see that a block freed by one thread happens before its
 * reuse by another, and reports the two owners' accesses as a race. Their
 * backends state the library's guarantee: al_foreign_freed() before each
 * free, al_foreign_got(p) on each allocation's result (one token per backend
 * file). No-ops in other builds. */
#if defined(__SANITIZE_THREAD__)
#define AL_TSAN 1
#include <sanitizer/tsan_interface.h>
static char al_foreign_token __attribute__((unused));
static inline void al_foreign_freed(void) { __tsan_release(&al_foreign_token); }
static inline void *al_foreign_got(void *p)
{
    __tsan_acquire(&al_foreign_token);
    return p;
}
#else
#define AL_TSAN 0
static inline void al_foreign_freed(void) {}
static inline void *al_foreign_got(void *p) { return p; }
#endif

/* A library's realloc reads the old block after it is free for reuse, out
 * of the annotations' reach; under TSan, backends resize with this instead:
 * allocate, copy the common prefix, free. NULL leaves ptr untouched. */
static inline void *al_foreign_move(void *st, void *ptr, size_t old_size, size_t new_size, size_t align,
                                    void *(*alloc)(void *, size_t, size_t),
                                    void (*dealloc)(void *, void *, size_t, size_t))
{
    void *p = alloc(st, new_size, align);
    if (p) {
        memcpy(p, ptr, old_size < new_size ? old_size : new_size);
        dealloc(st, ptr, old_size, align);
    }
    return p;
}

#endif
