/* glibc-simple/<size>: the talk's single-threaded malloc test (after glibc's
 * bench-malloc-simple). One iteration allocates 1600 chunks of <size> bytes,
 * writes every byte with a pattern from the chunk's index, frees the first
 * half in FIFO order and the second half in LIFO order, checking each chunk's
 * pattern before freeing it. Any size from 1 to 65536 is accepted; the
 * default suite runs 16, 32, 64, 128 and 256. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>

/* ----------------------------------------------------------------------------
 * The body (also run by every glibc-thread worker). Chunk i's key is
 * wl_key(salt, 0) + i (= wl_key(salt, i)): the hash of the salt is taken
 * once per iteration, not once per chunk, and the checksum stays in a
 * register across the allocator's calls.
 * ------------------------------------------------------------------------- */
static inline __attribute__((always_inline)) bool check_and_free(al_allocator *a, void **slots, size_t i,
                                                                 size_t size, uint64_t key0, uint64_t *sum)
{
    unsigned char *p = slots[i];
    if (!wl_check_block(p, size, key0 + i)) return false;
    *sum += p[size - 1];
    al_deallocate(a, p, size, WL_CHUNK_ALIGN);
    return true;
}

al_run_status wl_simple_body(al_allocator *a, const char *spec, void **slots, size_t n, size_t size,
                             uint64_t salt, uint64_t *checksum, char *why, size_t whylen)
{
    uint64_t key0 = wl_key(salt, 0), sum = 0;
    for (size_t i = 0; i < n; i++) {
        void *p = al_allocate(a, size, WL_CHUNK_ALIGN);
        if (!p) {
            /* Give back what this iteration holds: the allocator stays usable. */
            for (size_t k = 0; k < i; k++) al_deallocate(a, slots[k], size, WL_CHUNK_ALIGN);
            return wl_alloc_failed(a, spec, size, n * size, why, whylen);
        }
        wl_fill_block(p, size, key0 + i);
        wl_escape(p);
        slots[i] = p;
    }
    size_t half = n / 2, bad;
    for (bad = 0; bad < half; bad++)
        if (!check_and_free(a, slots, bad, size, key0, &sum)) goto corrupt;
    for (bad = n; bad-- > half;)
        if (!check_and_free(a, slots, bad, size, key0, &sum)) goto corrupt;
    *checksum += sum;
    return AL_RUN_OK;
corrupt:
    wl_why(why, whylen, "chunk %zu of %zu bytes from '%s' lost its pattern before it was freed", bad, size, spec);
    return AL_RUN_FAILED;
}

/* ----------------------------------------------------------------------------
 * The workload.
 * ------------------------------------------------------------------------- */
typedef struct simple {
    al_allocator *a;
    char spec[64];
    size_t size;          /* chunk size */
    void **slots;         /* WL_SIMPLE_CHUNKS chunk pointers (libc memory) */
    uint64_t checksum;
    uint64_t salt;        /* of the next iteration */
} simple;

static void simple_teardown(void *inst)
{
    simple *s = inst;
    if (!s) return;
    al_destroy(s->a);
    free(s->slots);
    free(s);
}

static void *simple_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    uint64_t size;
    if (!wl_parse_uint(param, 1, 65536, &size))
        return wl_bad_param("glibc-simple", param, "a chunk size from 1 to 65536", status, why, whylen);
    simple *s = wl_calloc(sizeof *s, status, why, whylen);
    if (!s) return NULL;
    snprintf(s->spec, sizeof s->spec, "%s", spec);
    s->size = size;
    s->slots = calloc(WL_SIMPLE_CHUNKS, sizeof *s->slots);
    if (!s->slots) return wl_setup_abort(s, simple_teardown, true, status, why, whylen);
    s->a = wl_create(spec, status, why, whylen);
    if (!s->a || !wl_probe_capacity(s->a, spec, WL_SIMPLE_CHUNKS * size, WL_SIMPLE_CHUNKS * size, status, why, whylen))
        return wl_setup_abort(s, simple_teardown, false, status, why, whylen);
    return s;
}

static al_run_status simple_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    simple *s = inst;
    for (uint64_t it = 0; it < iters; it++) {
        al_run_status st = wl_simple_body(s->a, s->spec, s->slots, WL_SIMPLE_CHUNKS, s->size, s->salt++, &s->checksum,
                                          why, whylen);
        if (st != AL_RUN_OK) return st;
        wl_iter_end(s->a); /* timed: a reset is this allocator's way of freeing */
    }
    wl_sink(s->checksum);
    return AL_RUN_OK;
}

static const char *const simple_params[] = {"16", "32", "64", "128", "256", NULL};

const al_workload al_workload_glibc_simple = {
    .name = "glibc-simple",
    .description = "1600 chunks of <size> bytes: allocate and fill, free half FIFO and half LIFO (one thread)",
    .params = simple_params,
    .setup = simple_setup,
    .run = simple_run,
    .teardown = simple_teardown,
};
