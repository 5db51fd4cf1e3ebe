/* A backing allocator for tests of arena and pool: malloc underneath, every
 * call counted, every block remembered so a sized free that names the wrong
 * size or alignment (or a block it never gave) is caught. */
#ifndef ALLOCLAB_TEST_COUNTING_BACKING_H
#define ALLOCLAB_TEST_COUNTING_BACKING_H

#include <alloclab/registry.h>

#define COUNTING_MAX_LIVE 1024

typedef struct counting_backing {
    al_allocator handle;  /* pass &handle as options.backing */
    size_t allocs;        /* successful allocate calls */
    size_t frees;         /* deallocate calls */
    size_t live_blocks;   /* blocks given and not yet back */
    size_t live_bytes;    /* their bytes */
    size_t mismatches;    /* frees of unknown blocks or with the wrong size/align */
    size_t fail_after;    /* when non-zero: allocate fails once allocs reaches it */
    size_t last_size;     /* size of the last successful allocate */
    struct {
        void *ptr;
        size_t size, align;
    } live[COUNTING_MAX_LIVE];
} counting_backing;

/* Set *c up (all counters zero) and return its handle. */
al_allocator *counting_backing_init(counting_backing *c);

/* al_create(spec) with *c, freshly set up, as its backing and the given
 * capacity option (0: the default); NULL (al_last_error says why) on failure. */
al_allocator *counting_backing_create(counting_backing *c, const char *spec, size_t capacity);

/* Whether every block went back, each with the size and alignment it was
 * given with. */
static inline bool counting_backing_clean(const counting_backing *c)
{
    return c->live_blocks == 0 && c->mismatches == 0;
}

/* Whether all n bytes at p equal v (the tests' fill patterns). */
static inline bool all_bytes_are(const void *p, size_t n, unsigned char v)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != v) return false;
    return true;
}

#endif
