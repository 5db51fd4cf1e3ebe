/* Tests' own tiny fixed-capacity bump allocator (stands in for the bump
 * backend): not thread-safe, frees and grows in place only the newest block,
 * has reset and mark/rewind, no allocate_zeroed/usable_size (the front end's
 * fallbacks apply). Its call counter is a plain integer on purpose: unlocked
 * concurrent use is a data race that TSan reports. */
#ifndef ALLOCLAB_TEST_TINY_ALLOC_H
#define ALLOCLAB_TEST_TINY_ALLOC_H

#include <alloclab/allocator.h>

typedef struct tiny_alloc {
    al_allocator a;          /* the handle; a.state == this */
    unsigned char *buf;      /* cap bytes right after this struct */
    size_t cap, used;        /* buf[0, used) is handed out */
    unsigned char *last;     /* the newest block, or NULL */
    unsigned long calls;     /* operations called on it */
    unsigned long live;      /* allocations minus deallocations */
} tiny_alloc;

/** A new instance of `cap` bytes (one malloc; al_destroy frees it). */
al_allocator *tiny_new(size_t cap);

/** Its state, for the counters. */
static inline tiny_alloc *tiny_of(al_allocator *a) { return (tiny_alloc *)a->state; }

#endif
