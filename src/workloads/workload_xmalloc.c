/* xmalloc/<threads>[:<blocks>]: producers and consumers, after
 * mimalloc-bench's xmalloc-test (Lever and Boreham). Half the threads (at
 * least one) only allocate: they fill batches of 64 blocks (three in four of
 * 16-127 bytes, the others up to 1 KiB) and hand them over through a shared
 * queue; the other half only free: they take batches, check each block and
 * free it. Every free is of a block another thread allocated, and no thread
 * both allocates and frees: an allocator whose thread caches only fill on
 * free and drain on allocation has to move every block between them. An
 * iteration is 60,000 blocks in all, divided over the producers; the queue
 * holds at most five batches per thread (what is in flight is bounded), and
 * batches are the workload's own memory, not the allocator's. The frees are
 * counted (all are cross-thread). */
#include "workload_mt.h"

#include <stdlib.h>

#define BATCH 64u
#define DEFAULT_BLOCKS 60000u
#define BATCHES_PER_THREAD 5u

/* ----------------------------------------------------------------------------
 * Instance. A batch is in exactly one place: the free stack, the queue, or
 * the hands of one thread; both lists are under `lock`. `claimed` counts the
 * batches consumers have taken over the instance's life: the batches of the
 * iterations up to it of the current run are all taken once claimed reaches
 * (iters_done + it + 1) * batches per iteration.
 * ------------------------------------------------------------------------- */
typedef struct item {
    void *p;
    uint64_t key;
    uint32_t size;
    uint32_t owner;
} item;

typedef struct batch {
    unsigned count;
    item it[BATCH];
} batch;

typedef struct xmalloc {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    unsigned producers;       /* threads 0..producers-1 allocate, the others free */
    uint64_t per_producer;    /* batches per producer per iteration */
    unsigned nbatches;
    batch *batches;
    unsigned *free_stack, nfree;
    unsigned *queue, qhead, qlen; /* a ring of nbatches */
    uint64_t claimed;
    bool sync_ready;          /* lock, conds initialised */
    pthread_mutex_t lock;
    pthread_cond_t has_work, has_free;
} xmalloc;

static uint32_t block_size(wl_rng *r)
{
    uint64_t v = wl_rng_next(r);
    return (v & 3) ? (uint32_t)(16 + (v >> 8) % 112) : (uint32_t)(128 + (v >> 8) % 897);
}

/* ----------------------------------------------------------------------------
 * The queue.
 * ------------------------------------------------------------------------- */
static unsigned get_free(xmalloc *x)
{
    pthread_mutex_lock(&x->lock);
    while (x->nfree == 0) pthread_cond_wait(&x->has_free, &x->lock);
    unsigned b = x->free_stack[--x->nfree];
    pthread_mutex_unlock(&x->lock);
    return b;
}

static void put_free(xmalloc *x, unsigned b)
{
    pthread_mutex_lock(&x->lock);
    x->free_stack[x->nfree++] = b;
    pthread_cond_signal(&x->has_free);
    pthread_mutex_unlock(&x->lock);
}

static void push(xmalloc *x, unsigned b)
{
    pthread_mutex_lock(&x->lock);
    x->queue[(x->qhead + x->qlen++) % x->nbatches] = b;
    pthread_cond_signal(&x->has_work);
    pthread_mutex_unlock(&x->lock);
}

/* The next batch, or -1 once the batches up to `goal` are all taken. */
static int pop(xmalloc *x, uint64_t goal)
{
    pthread_mutex_lock(&x->lock);
    while (x->qlen == 0 && x->claimed < goal) pthread_cond_wait(&x->has_work, &x->lock);
    int b = -1;
    if (x->qlen > 0) {
        b = (int)x->queue[x->qhead];
        x->qhead = (x->qhead + 1) % x->nbatches;
        x->qlen--;
        if (++x->claimed == goal) pthread_cond_broadcast(&x->has_work); /* the others may leave */
    }
    pthread_mutex_unlock(&x->lock);
    return b;
}

/* ----------------------------------------------------------------------------
 * The two sides. After a failure a thread keeps its part of the protocol
 * (producers still hand over their batches, empty; consumers still take
 * them) without using the allocator, so no thread waits forever.
 * ------------------------------------------------------------------------- */
static void produce(xmalloc *x, unsigned i, uint64_t it, al_run_status *st, char *why, size_t whylen)
{
    wl_rng r = {wl_mt_salt(&x->m, i, it)};
    uint64_t salt = r.s, next = 0;
    for (uint64_t k = 0; k < x->per_producer; k++) {
        unsigned b = get_free(x);
        batch *bt = &x->batches[b];
        bt->count = 0;
        for (unsigned j = 0; j < BATCH && *st == AL_RUN_OK; j++) {
            uint32_t size = block_size(&r);
            void *p = al_allocate(x->m.a, size, WL_CHUNK_ALIGN);
            if (!p) {
                *st = wl_alloc_failed(x->m.a, x->m.spec, size, (size_t)x->nbatches * BATCH * 1024, why, whylen);
                break;
            }
            uint64_t key = wl_key(salt, next++);
            wl_fill_block(p, size, key);
            wl_escape(p);
            bt->it[bt->count++] = (item){.p = p, .key = key, .size = size, .owner = i};
        }
        x->m.count[i].ops += bt->count;
        push(x, b);
    }
}

static void consume(xmalloc *x, unsigned i, uint64_t it, al_run_status *st, char *why, size_t whylen)
{
    uint64_t goal = (x->m.iters_done + it + 1) * x->per_producer * x->producers;
    wl_mt_counter *c = &x->m.count[i];
    for (int b; (b = pop(x, goal)) >= 0;) {
        batch *bt = &x->batches[b];
        for (unsigned j = 0; j < bt->count && *st == AL_RUN_OK; j++) {
            unsigned char *p = bt->it[j].p;
            if (!wl_check_block(p, bt->it[j].size, bt->it[j].key)) {
                wl_why(why, whylen, "a block from '%s' lost its pattern before it was freed", x->m.spec);
                *st = AL_RUN_FAILED;
                break;
            }
            c->checksum += p[0];
            c->cross_frees += bt->it[j].owner != i;
            al_deallocate(x->m.a, p, bt->it[j].size, WL_CHUNK_ALIGN);
        }
        put_free(x, (unsigned)b);
    }
}

static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    xmalloc *x = arg;
    al_run_status st = AL_RUN_OK;
    for (uint64_t it = 0; it < iters; it++) {
        if (i < x->producers) produce(x, i, it, &st, why, whylen);
        else consume(x, i, it, &st, why, whylen);
        wl_mt_iter_end(&x->m);
    }
    return st;
}

/* ----------------------------------------------------------------------------
 * The workload.
 * ------------------------------------------------------------------------- */
static void xmalloc_teardown(void *inst)
{
    xmalloc *x = inst;
    if (!x) return;
    wl_mt_close(&x->m);
    if (x->sync_ready) {
        pthread_mutex_destroy(&x->lock);
        pthread_cond_destroy(&x->has_work);
        pthread_cond_destroy(&x->has_free);
    }
    free(x->batches);
    free(x->free_stack);
    free(x->queue);
    free(x);
}

static void *xmalloc_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"xmalloc", 2, 100000000, "blocks", DEFAULT_BLOCKS};
    unsigned n;
    uint64_t blocks;
    xmalloc *x = wl_mt_new(sizeof *x, &grammar, param, &n, &blocks, status, why, whylen);
    if (!x) return NULL;
    x->producers = n / 2;
    uint64_t batches = (blocks + BATCH - 1) / BATCH;
    x->per_producer = (batches + x->producers - 1) / x->producers;
    x->nbatches = BATCHES_PER_THREAD * n;
    x->batches = calloc(x->nbatches, sizeof *x->batches);
    x->free_stack = calloc(x->nbatches, sizeof *x->free_stack);
    x->queue = calloc(x->nbatches, sizeof *x->queue);
    if (!x->batches || !x->free_stack || !x->queue) return wl_setup_abort(x, xmalloc_teardown, true, status, why, whylen);
    for (unsigned b = 0; b < x->nbatches; b++) x->free_stack[x->nfree++] = b;
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->has_work, NULL);
    pthread_cond_init(&x->has_free, NULL);
    x->sync_ready = true;
    /* At most every batch in flight, of blocks of 1 KiB at most. */
    size_t live = (size_t)x->nbatches * BATCH * 1024;
    return wl_mt_start(x, spec, n, live, worker, xmalloc_teardown, status, why, whylen);
}

const al_workload al_workload_xmalloc = {
    .name = "xmalloc",
    .description = "producer/consumer after mimalloc-bench's xmalloc-test: half the threads only allocate "
                   "batches of 16 B-1 KiB blocks, the other half only free them (every free cross-thread)",
    .params = wl_mt_params,
    .setup = xmalloc_setup,
    .run = wl_mt_run_hook,
    .teardown = xmalloc_teardown,
    .allocator_used = wl_mt_used_hook,
    .cross_frees = wl_mt_cross_hook,
};
