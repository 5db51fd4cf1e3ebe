/* Telling memory checkers what a hand-made backend has not handed out.
 *
 * bump, arena and pool carve blocks out of memory they hold; to ASan and
 * Valgrind's memcheck all of it looks allocated, so a write past a block into
 * the free space after it, or into a freed block, goes unseen. These calls
 * mark such memory: under ASan (-fsanitize=address) through its manual
 * poisoning interface, under Valgrind's memcheck through its client
 * requests. Whether memcheck watches is found once per process (poison.c):
 * elsewhere (natively, or under callgrind, which ignores the requests) each
 * call is one test of a flag, not the dozen instructions of a client request
 * on every allocation. Without either checker they compile to nothing.
 *
 *   al_mem_noaccess(p, n)   not handed out, or freed: any access is reported
 *   al_mem_undefined(p, n)  handed out: the caller's, contents undefined
 *   al_mem_defined(p, n)    the backend's own bytes it is about to read (a
 *                           free-list link it wrote before marking noaccess)
 *
 * ASan works in 8-byte granules: it never reports a byte that is addressable,
 * so blocks sharing a granule make it miss some overflows, never invent one.
 * Memory goes back to a backing allocator marked undefined, as it came.
 */
#ifndef ALLOCLAB_POISON_H
#define ALLOCLAB_POISON_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define AL_ASAN_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define AL_ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define AL_ASAN_POISON(p, n) ((void)(p), (void)(n))
#define AL_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define AL_HAVE_MEMCHECK 1
#endif
#endif

/* al_checking(): whether any checker is watching, so that marks are worth
 * making. An ASan build always is; otherwise memcheck, as poison.c found at
 * start-up (0 before that: blocks handed out earlier are simply unmarked,
 * which hides errors, never invents one). */
#if defined(__SANITIZE_ADDRESS__)
#define al_checking() 1
#elif defined(AL_HAVE_MEMCHECK)
extern unsigned char al_memcheck_on __attribute__((visibility("hidden")));
#define al_checking() __builtin_expect(al_memcheck_on != 0, 0)
#else
#define al_checking() 0
#endif

#if defined(AL_HAVE_MEMCHECK)
#define AL_VG(req) ((void)(req))
#else
#define AL_VG(req) ((void)0)
#endif

static inline void al_mem_noaccess(const void *p, size_t n)
{
    if (!al_checking()) return;
    AL_ASAN_POISON(p, n);
    AL_VG(VALGRIND_MAKE_MEM_NOACCESS(p, n));
}

static inline void al_mem_undefined(const void *p, size_t n)
{
    if (!al_checking()) return;
    AL_ASAN_UNPOISON(p, n);
    AL_VG(VALGRIND_MAKE_MEM_UNDEFINED(p, n));
}

static inline void al_mem_defined(const void *p, size_t n)
{
    if (!al_checking()) return;
    AL_ASAN_UNPOISON(p, n);
    AL_VG(VALGRIND_MAKE_MEM_DEFINED(p, n));
}

#endif
