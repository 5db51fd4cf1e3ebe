/* larson/<threads>[:<replacements>]: the server simulation of Larson and
 * Krishnan, after mimalloc-bench's larson. 4,000 slots are split into one bin
 * per thread; each thread fills its bin with blocks of 16 B to 1 KiB
 * (uniform, seeded), then replaces random slots of it (check, free, allocate
 * a new size). After each of four rounds every bin is handed on to the next
 * thread, which goes on replacing in it: from the second round on most frees
 * are often of blocks another thread allocated (Larson's "bleeding"). After the
 * last round each thread frees the bin it holds. The total work of an
 * iteration is fixed (the fill, 50,000 replacements in all, the frees) and
 * divided over the threads, so its time is the time of a fixed amount of
 * work: an allocator that scales halves it from one thread to two cores.
 * (mimalloc-bench's larson starts new threads for each hand-over; here the
 * crew's threads take the bins in turn, and thread-exit measures start-up.)
 * Frees by another thread than the allocating one are counted. */
#include "workload_mt.h"

#include <stdlib.h>

#define TOTAL_SLOTS 4000u
#define ROUNDS 4u
#define DEFAULT_REPLACEMENTS 50000u
#define MIN_SIZE 16u
#define MAX_SIZE 1024u

/* ----------------------------------------------------------------------------
 * Instance. A bin is used by one thread at a time: bin (i + r) mod n by
 * thread i in round r, the rounds separated by crew barriers. Between
 * iterations every slot is empty (p NULL).
 * ------------------------------------------------------------------------- */
typedef struct slot {
    void *p;
    uint64_t key;           /* of its pattern */
    uint32_t size;
    uint32_t owner;         /* the thread that allocated it */
} slot;

typedef struct larson {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    slot *slots;            /* TOTAL_SLOTS, bin b at [start(b), start(b + 1)) */
    uint64_t per_round;     /* replacements per thread and round */
} larson;

static size_t bin_start(const larson *l, unsigned b) { return (size_t)TOTAL_SLOTS * b / l->m.n; }

/* The state of one thread within an iteration. */
typedef struct cursor {
    larson *l;
    unsigned i;             /* the thread */
    wl_rng rng;
    uint64_t salt, next;    /* the key of the next block: wl_key(salt, next++) */
} cursor;

static al_run_status put(cursor *c, slot *s, char *why, size_t whylen)
{
    larson *l = c->l;
    uint32_t size = (uint32_t)wl_rng_range(&c->rng, MIN_SIZE, MAX_SIZE);
    void *p = al_allocate(l->m.a, size, WL_CHUNK_ALIGN);
    if (!p) return wl_alloc_failed(l->m.a, l->m.spec, size, (size_t)TOTAL_SLOTS * MAX_SIZE, why, whylen);
    uint64_t key = wl_key(c->salt, c->next++);
    wl_fill_block(p, size, key);
    wl_escape(p);
    *s = (slot){.p = p, .key = key, .size = size, .owner = c->i};
    return AL_RUN_OK;
}

/* Check and free one slot's block (if any); false when it is corrupt (it
 * is then left in place, unfreed). */
static bool take(cursor *c, slot *s)
{
    if (!s->p) return true;
    unsigned char *p = s->p;
    if (!wl_check_block(p, s->size, s->key)) return false;
    wl_mt_counter *k = &c->l->m.count[c->i];
    k->checksum += p[s->size - 1];
    k->cross_frees += s->owner != c->i;
    al_deallocate(c->l->m.a, p, s->size, WL_CHUNK_ALIGN);
    s->p = NULL;
    return true;
}

static al_run_status corrupt(const larson *l, char *why, size_t whylen)
{
    wl_why(why, whylen, "a block from '%s' lost its pattern before it was freed", l->m.spec);
    return AL_RUN_FAILED;
}

static al_run_status fill(cursor *c, unsigned b, char *why, size_t whylen)
{
    for (size_t k = bin_start(c->l, b); k < bin_start(c->l, b + 1); k++) {
        al_run_status st = put(c, &c->l->slots[k], why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    return AL_RUN_OK;
}

static al_run_status replace(cursor *c, unsigned b, char *why, size_t whylen)
{
    size_t from = bin_start(c->l, b), n = bin_start(c->l, b + 1) - from;
    for (uint64_t r = 0; r < c->l->per_round && n > 0; r++) {
        slot *s = &c->l->slots[from + wl_rng_next(&c->rng) % n];
        if (!take(c, s)) return corrupt(c->l, why, whylen);
        al_run_status st = put(c, s, why, whylen);
        if (st != AL_RUN_OK) return st;
    }
    c->l->m.count[c->i].ops += c->l->per_round;
    return AL_RUN_OK;
}

static al_run_status empty(cursor *c, unsigned b, char *why, size_t whylen)
{
    for (size_t k = bin_start(c->l, b); k < bin_start(c->l, b + 1); k++)
        if (!take(c, &c->l->slots[k])) return corrupt(c->l, why, whylen);
    return AL_RUN_OK;
}

/* Every thread meets every barrier, even after a failure (it then stops
 * touching the allocator). */
static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    larson *l = arg;
    unsigned n = l->m.n;
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        cursor c = {.l = l, .i = i, .salt = wl_mt_salt(&l->m, i, it)};
        c.rng.s = c.salt;
        if (st == AL_RUN_OK) st = fill(&c, i, why, whylen);
        for (unsigned r = 0; r < ROUNDS; r++) {
            if (r > 0) wl_crew_sync(l->m.crew); /* the bins move on */
            if (st == AL_RUN_OK) st = replace(&c, (i + r) % n, why, whylen);
        }
        if (st == AL_RUN_OK) st = empty(&c, (i + ROUNDS - 1) % n, why, whylen);
        wl_crew_sync(l->m.crew); /* every bin is empty before any is filled again */
        wl_mt_iter_end(&l->m);
    }
    return st;
}

/* ----------------------------------------------------------------------------
 * The workload.
 * ------------------------------------------------------------------------- */
static void larson_teardown(void *inst)
{
    larson *l = inst;
    if (!l) return;
    wl_mt_close(&l->m);
    free(l->slots);
    free(l);
}

static void *larson_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"larson", 1, 100000000, "replacements", DEFAULT_REPLACEMENTS};
    unsigned n;
    uint64_t total;
    larson *l = wl_mt_new(sizeof *l, &grammar, param, &n, &total, status, why, whylen);
    if (!l) return NULL;
    l->slots = calloc(TOTAL_SLOTS, sizeof *l->slots);
    if (!l->slots) return wl_setup_abort(l, larson_teardown, true, status, why, whylen);
    l->per_round = (total + (uint64_t)n * ROUNDS - 1) / ((uint64_t)n * ROUNDS);
    size_t live = (size_t)TOTAL_SLOTS * (MIN_SIZE + MAX_SIZE) / 2;
    return wl_mt_start(l, spec, n, live, worker, larson_teardown, status, why, whylen);
}

const al_workload al_workload_larson = {
    .name = "larson",
    .description = "server simulation after mimalloc-bench's larson: threads replace random 16 B-1 KiB blocks "
                   "in bins they hand on each round, so many frees are cross-thread; fixed total work",
    .params = wl_mt_params,
    .setup = larson_setup,
    .run = wl_mt_run_hook,
    .teardown = larson_teardown,
    .allocator_used = wl_mt_used_hook,
    .cross_frees = wl_mt_cross_hook,
};
