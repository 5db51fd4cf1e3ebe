/* single-alloc/<size>: one allocation on a fresh allocator instance. The
 * instance is created and destroyed INSIDE the timed region: that is what the
 * talk's various-sizes benchmark measures (instance creation + one
 * allocation), so a backend that maps a big buffer at creation pays for it
 * here. The spec is resolved once at setup into its descriptors (a backend
 * and the wrappers over it), so the timed region creates the instance from
 * them and never parses the allocator's name. The block is written (in full
 * at the full check level) and checked before it is freed. Sizes from 1 to
 * 16 MiB are accepted; the default suite runs 64, 512, 1024, 4096. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 8 /* wrappers over the backend */

typedef struct single {
    char spec[64];
    size_t size;
    const al_backend_desc *backend;
    const al_wrapper_desc *wrappers[MAX_LAYERS]; /* innermost first */
    size_t nwrappers;
    uint64_t rounds;      /* iterations run: the salt of the next block's pattern */
    uint64_t checksum;
} single;

/* "w1:w2:backend" into its descriptors; false when a name is unknown or
 * there are too many layers (al_create would have refused the spec). */
static bool resolve(single *s)
{
    char buf[sizeof s->spec];
    snprintf(buf, sizeof buf, "%s", s->spec);
    char *names[MAX_LAYERS + 1];
    size_t n = 0;
    for (char *p = buf, *colon; n <= MAX_LAYERS; p = colon + 1) {
        names[n++] = p;
        if (!(colon = strchr(p, ':'))) break;
        *colon = '\0';
    }
    if (n > MAX_LAYERS || !(s->backend = al_backend_find(names[n - 1]))) return false;
    s->nwrappers = n - 1;
    for (size_t i = 0; i + 1 < n; i++)
        if (!(s->wrappers[n - 2 - i] = al_wrapper_find(names[i]))) return false;
    return true;
}

/* An instance as al_create makes it (each layer gets its descriptor's
 * user context), from the descriptors found at setup. */
static al_allocator *create(const single *s)
{
    al_options o = {.user = s->backend->user};
    al_allocator *a = s->backend->create(&o);
    for (size_t i = 0; a && i < s->nwrappers; i++) {
        o.user = s->wrappers[i]->user;
        al_allocator *w = s->wrappers[i]->wrap(a, &o);
        if (!w) al_destroy(a);
        a = w;
    }
    return a;
}

static void *single_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    uint64_t size;
    if (!wl_parse_uint(param, 1, 16u << 20, &size))
        return wl_bad_param("single-alloc", param, "a size from 1 to 16777216", status, why, whylen);
    /* One untimed round: an allocator that cannot be made, or cannot hold
     * the block, is unsupported before any timing starts. */
    al_allocator *a = wl_create(spec, status, why, whylen);
    if (!a) return NULL;
    bool fits = wl_probe_capacity(a, spec, size, size, status, why, whylen);
    al_destroy(a);
    if (!fits) return NULL;
    single *s = wl_calloc(sizeof *s, status, why, whylen);
    if (!s) return NULL;
    snprintf(s->spec, sizeof s->spec, "%s", spec);
    s->size = size;
    if (!resolve(s)) {
        free(s);
        *status = AL_RUN_UNSUPPORTED;
        wl_why(why, whylen, "'%s': not a spec of registered names", spec);
        return NULL;
    }
    return s;
}

static al_run_status single_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    single *s = inst;
    for (uint64_t it = 0; it < iters; it++) {
        al_allocator *a = create(s);
        if (!a) {
            wl_why(why, whylen, "creating '%s' failed: %s", s->spec, al_last_error());
            return AL_RUN_FAILED;
        }
        unsigned char *p = al_allocate(a, s->size, WL_CHUNK_ALIGN);
        if (!p) {
            al_run_status st = wl_alloc_failed(a, s->spec, s->size, s->size, why, whylen);
            al_destroy(a);
            return st;
        }
        uint64_t key = wl_key(s->rounds++, 0);
        wl_fill_block(p, s->size, key);
        wl_escape(p);
        if (!wl_check_block(p, s->size, key)) {
            wl_why(why, whylen, "the %zu-byte block from '%s' lost its pattern", s->size, s->spec);
            al_destroy(a);
            return AL_RUN_FAILED;
        }
        s->checksum += p[s->size - 1];
        al_deallocate(a, p, s->size, WL_CHUNK_ALIGN);
        al_destroy(a);
    }
    wl_sink(s->checksum);
    return AL_RUN_OK;
}

static void single_teardown(void *inst) { free(inst); }

static const char *const single_params[] = {"64", "512", "1024", "4096", NULL};

const al_workload al_workload_single_alloc = {
    .name = "single-alloc",
    .description = "create an instance, allocate one <size>-byte block, free it, destroy the instance",
    .params = single_params,
    .setup = single_setup,
    .run = single_run,
    .teardown = single_teardown,
};
