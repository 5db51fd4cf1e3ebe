/* Test allocators for the workload tests (see wl_test_allocs.h). */
#include "wl_test_allocs.h"

#include <alloclab/registry.h>
#include "bench.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* ----------------------------------------------------------------------------
 * A bump over a private mapping. Invariant: top <= cap; blocks never move.
 * ------------------------------------------------------------------------- */
typedef struct rbump {
    al_allocator h;
    char *base;
    size_t cap, top;
    unsigned every;       /* > 0: every `every`-th allocation returns `last` again */
    unsigned long n;      /* allocations so far */
    char *last;           /* the previous block */
} rbump;

static void *rb_allocate(void *st, size_t size, size_t align)
{
    rbump *b = st;
    if (align < 16) align = 16;
    b->n++;
    if (b->every && b->n % b->every == 0 && b->last) {
        size_t end = (size_t)(b->last - b->base) + size;
        if (end <= b->cap) {
            if (end > b->top) b->top = end;
            return b->last;
        }
    }
    size_t at = (b->top + align - 1) & ~(align - 1);
    if (at > b->cap || size > b->cap - at) return NULL;
    b->top = at + size;
    b->last = b->base + at;
    return b->last;
}

static void rb_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)ptr; (void)size; (void)align;
}

static void rb_reset(void *st)
{
    rbump *b = st;
    b->top = 0;
    b->last = NULL;
}

static void rb_destroy(void *st)
{
    rbump *b = st;
    munmap(b->base, b->cap);
    free(b);
}

static const al_vtable rb_vt = {.allocate = rb_allocate, .deallocate = rb_deallocate, .destroy = rb_destroy};
static const al_vtable rb_reset_vt = {
    .allocate = rb_allocate, .deallocate = rb_deallocate, .reset = rb_reset, .destroy = rb_destroy};

static al_allocator *rb_create(size_t cap, unsigned every, unsigned caps)
{
    rbump *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->base = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (b->base == MAP_FAILED) {
        free(b);
        al_set_error("cannot map the test allocator's memory");
        return NULL;
    }
    b->cap = cap;
    b->every = every;
    b->h = (al_allocator){.state = b, .vt = (caps & AL_CAP_RESET) ? &rb_reset_vt : &rb_vt, .caps = caps};
    return &b->h;
}

static al_allocator *evil_create(const al_options *o) { (void)o; return rb_create((size_t)2 << 30, 5, 0); }
static al_allocator *tiny_create(const al_options *o)
{
    (void)o;
    return rb_create((size_t)4 << 20, 0, AL_CAP_RESET | AL_CAP_FIXED_CAPACITY);
}
static al_allocator *mid_create(const al_options *o) { (void)o; return rb_create((size_t)64 << 20, 0, AL_CAP_FIXED_CAPACITY); }

/* ----------------------------------------------------------------------------
 * libc malloc that does not claim thread safety: forces per-thread
 * instances (glibc-thread) and the locked: wrapper (stress-mem).
 * ------------------------------------------------------------------------- */
static al_allocator *nts_create(const al_options *o)
{
    al_allocator *sys = al_create("sys", o);
    if (sys) sys->caps &= ~(unsigned)AL_CAP_THREAD_SAFE;
    return sys;
}

static const al_backend_desc descs[] = {
    {.name = "wl-evil", .description = "test: overlapping blocks", .caps = 0, .create = evil_create},
    {.name = "wl-tiny", .description = "test: 4 MiB fixed, resettable",
     .caps = AL_CAP_RESET | AL_CAP_FIXED_CAPACITY, .create = tiny_create},
    {.name = "wl-mid", .description = "test: 64 MiB fixed, no frees", .caps = AL_CAP_FIXED_CAPACITY,
     .create = mid_create},
    {.name = "wl-nts", .description = "test: malloc, not thread-safe", .caps = AL_CAP_FREES, .create = nts_create},
};

void wl_test_register_allocators(void)
{
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++)
        if (!al_backend_find(descs[i].name)) al_register_backend(&descs[i]);
}

int wl_test_run(const char *workload, const char *param, const char *spec, uint64_t iters, char *why,
                size_t whylen, bool *in_setup)
{
    const al_workload *w = al_workload_find(workload);
    if (in_setup) *in_setup = true;
    why[0] = '\0';
    if (!w) {
        snprintf(why, whylen, "no workload '%s'", workload);
        return -1;
    }
    al_run_status st = AL_RUN_OK;
    void *inst = w->setup(param, spec, &st, why, whylen);
    if (!inst) return (int)st;
    if (in_setup) *in_setup = false;
    st = w->run(inst, iters, why, whylen);
    w->teardown(inst);
    return (int)st;
}
