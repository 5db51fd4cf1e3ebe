/* lab: alloclab's own general-purpose allocator (src/lab/), as a backend.
 *
 * Every deallocation goes to lab_free_sized (lab finds a block's page from
 * its address alone, so the size is not needed). lab's state is
 * process-wide and no operation reads the handle's state, so one static
 * handle serves every instance: creating one costs no allocation, and
 * destroying one does nothing (any number share the same heaps). */
#include "internal.h"
#include "lab.h"

#include <stdatomic.h>

#define LAB_CAPS (AL_CAP_THREAD_SAFE | AL_CAP_FREES)
#define LAB_NATURAL 16u           /* lab_malloc's alignment */

static void *labb_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    return align <= LAB_NATURAL ? lab_malloc(size) : lab_aligned(align, size);
}

static void labb_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)align;
    lab_free_sized(ptr, size);
}

static void *labb_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (align <= LAB_NATURAL) return lab_realloc(ptr, new_size);
    if (lab_usable_size(ptr) >= new_size) return ptr;
    void *p = lab_aligned(align, new_size);
    if (p) {
        memcpy(p, ptr, old_size);
        labb_deallocate(st, ptr, old_size, align);
    }
    return p;
}

static void *labb_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    (void)st; (void)old_size;
    if (align > LAB_NATURAL) return ptr; /* lab_realloc keeps only the natural alignment */
    void *p = lab_realloc(ptr, new_size);
    return p ? p : ptr;
}

static void *labb_zeroed(void *st, size_t size, size_t align)
{
    if (align <= LAB_NATURAL) return lab_calloc(1, size);
    void *p = labb_allocate(st, size, align);
    if (p) memset(p, 0, size);
    return p;
}

static size_t labb_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    return lab_usable_size(ptr);
}

static void labb_destroy(void *st) { (void)st; } /* the shared handle stays */

static const al_vtable lab_vt = {
    .allocate = labb_allocate,
    .deallocate = labb_deallocate,
    .grow = labb_grow,
    .shrink = labb_shrink,
    .allocate_zeroed = labb_zeroed,
    .usable_size = labb_usable,
    .destroy = labb_destroy,
};

/* lab registers its fork handlers when its first thread heap is made (the
 * lab_malloc in lab_start). alloclab's own must come after them, so that a
 * "locked:lab" lock is taken before lab's on fork (al_fork_after_library):
 * otherwise fork() hangs in the parent when a locked instance existed before
 * lab started (test_fork_threads, locked:lab). */
static pthread_once_t lab_started = PTHREAD_ONCE_INIT;
static atomic_bool lab_started_done; /* lab_start ran: creation skips pthread_once */

static void lab_start(void)
{
    lab_free(lab_malloc(1)); /* lab's set-up, its fork handlers included */
    al_fork_after_library();
    atomic_store_explicit(&lab_started_done, true, memory_order_release);
}

/* The plain path is lab's malloc and free: lab_malloc aligns every block
 * to 16 bytes (8 up to 8 bytes, which a size that is a multiple of a larger
 * alignment never is), and lab_free takes any lab block. */
static al_allocator lab_shared = {.state = NULL, .vt = &lab_vt, .caps = LAB_CAPS, .plain_align = LAB_NATURAL,
                                  .plain_allocate = lab_malloc, .plain_deallocate = lab_free};

static al_allocator *labb_create(const al_options *opts)
{
    (void)opts;
    if (!atomic_load_explicit(&lab_started_done, memory_order_acquire)) pthread_once(&lab_started, lab_start);
    return &lab_shared;
}

const al_backend_desc al_backend_lab = {
    .name = "lab",
    .description = "alloclab's own: thread heaps, sharded free lists, lock-free remote frees, returns memory",
    .caps = LAB_CAPS,
    .create = labb_create,
};
