/* lab — alloclab's own general-purpose allocator: the internal interface.
 *
 * The registry backend (src/backends/lab.c) and the malloc replacement
 * (src/malloc/) call lab through these functions only. Guarantees every one
 * of them keeps, so that lab can be a process's malloc:
 *   - none calls malloc or anything that allocates through it: memory comes
 *     from mmap/munmap/madvise/mremap, metadata from lab's own mappings;
 *   - thread-safe; usable before constructors run, from any thread, during
 *     thread exit and in the child of a fork taken while other threads
 *     allocate;
 *   - a pointer lab does not own handed to lab_free, lab_realloc or
 *     lab_usable_size is reported (one line on stderr, written with write(2))
 *     and ignored, never a crash;
 *   - failures give NULL with errno ENOMEM (EINVAL for a bad alignment);
 *     lab_free and lab_free_sized never change errno.
 * Blocks are aligned to 16 bytes (8 for requests of at most 8 bytes).
 */
#ifndef ALLOCLAB_LAB_H
#define ALLOCLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A block of at least `size` bytes, or NULL with errno ENOMEM. Size 0 gives
 *  a unique pointer (a minimal block) that must be freed like any other. */
void *lab_malloc(size_t size);

/** n * size zeroed bytes; NULL with errno ENOMEM when the product overflows
 *  or memory is exhausted. Memory fresh from the kernel is not memset. */
void *lab_calloc(size_t n, size_t size);

/** Resize: p NULL is lab_malloc(size); otherwise the first min(old, size)
 *  bytes are kept and the block may move (huge blocks move by mremap).
 *  Size 0 gives a minimal block like lab_malloc(0) and frees p (glibc's
 *  realloc(p, 0) = free is the malloc layer's decision). NULL with errno
 *  ENOMEM on failure, p untouched and still valid. A pointer lab does not
 *  own is reported and NULL returned (errno EINVAL). The result keeps the
 *  16-byte alignment only, not a larger one p was allocated with, except
 *  that a huge block grown or shrunk in place or moved keeps its
 *  alignment (at least 4 MiB, or the larger one lab_aligned gave it). */
void *lab_realloc(void *p, size_t size);

/** `size` bytes aligned to `align`, any power of two (up to 64 KiB from the
 *  pages, beyond from mmap). NULL with errno EINVAL when align is not a power
 *  of two, ENOMEM when memory is exhausted. */
void *lab_aligned(size_t align, size_t size);

/** Give back a block; NULL is a no-op. Never changes errno. */
void lab_free(void *p);

/** lab_free with the size the block was requested with (C23 free_sized):
 *  the same checks and the same cost. lab finds a block's page from its
 *  address alone, so a wrong size is harmless. */
void lab_free_sized(void *p, size_t size);

/** The bytes usable at p (at least what was requested); 0 for NULL or a
 *  pointer lab does not own (reported). */
size_t lab_usable_size(const void *p);

/** Whether p points into memory lab manages for blocks: O(1), lock-free, safe
 *  on any pointer value (never dereferences p). */
bool lab_owns(const void *p);

/** Give free memory back to the OS now: empty pages of this thread and of
 *  exited threads, every cached free page beyond `pad` bytes, cached huge
 *  blocks. Returns 1 if some memory was released, else 0. */
int lab_trim(size_t pad);

/* Figures for mallinfo2 and the tests. Byte counts are estimates where they
 * are read while other threads allocate. */
typedef struct lab_stats {
    size_t mapped;          /* address space mapped from the OS (segments and huge blocks) */
    size_t committed;       /* of it, what may be resident: mapped minus purged */
    size_t in_use;          /* bytes in live blocks, counted by block size */
    size_t huge_mapped;     /* bytes mapped for huge blocks (live and cached) */
    size_t huge_count;      /* live huge blocks */
    size_t huge_cached;     /* freed huge blocks kept for reuse */
    size_t segments;        /* segments mapped (4 MiB each) */
    size_t pages_in_use;    /* pages owned by a thread heap or abandoned */
    size_t pages_free;      /* pages in the free-page pools (purged or not) */
    size_t pages_abandoned; /* pages of exited threads not yet reclaimed */
    size_t heaps;           /* live thread heaps */
    size_t invalid_frees;   /* pointers lab did not own, reported and ignored */
} lab_stats;

/** Fill *s with the current figures. */
void lab_stats_get(lab_stats *s);

#ifdef __cplusplus
}
#endif
#endif
