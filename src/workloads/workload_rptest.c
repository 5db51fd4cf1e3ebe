/* rptest/<threads>[:<loops>]: a realistic mix of sizes and lifetimes, after
 * mimalloc-bench's rptest (rpmalloc's benchmark). Each thread runs loops;
 * a loop allocates a batch of 32 to 96 blocks whose sizes are mostly small
 * with a long tail (seven in ten 16-256 B, two in ten up to 4 KiB, one in
 * ten up to 64 KiB) and gives each a lifetime: about six in ten die at the
 * end of the loop, a quarter go into a ring of 256 that frees its oldest
 * when it fills (medium), one in twenty lives to the end of the iteration
 * (long), and one in ten is handed to the next thread, which frees it at the
 * start of its next loop (a cross-thread free, counted). An iteration is 240
 * loops in all, divided over the threads (fixed total work); at its end every
 * thread frees its rings and what it was handed. The handover is a small
 * locked inbox per thread, the workload's own memory; a full inbox (a
 * consumer descheduled for long) makes the producer keep the block in its
 * medium ring instead, as one thread alone does. */
#include "workload_mt.h"

#include <stdlib.h>

#define DEFAULT_LOOPS 240u
#define MEDIUM_RING 256u
#define LONG_RING 1024u
#define INBOX 2048u
#define BATCH_MIN 32u
#define BATCH_MAX 96u

typedef struct rblock {
    void *p;
    uint64_t key;
    uint32_t size;
} rblock;

typedef struct inbox {
    pthread_mutex_t lock;
    size_t n;
    rblock b[INBOX];
} inbox;

typedef struct rthread {
    rblock batch[BATCH_MAX];
    rblock medium[MEDIUM_RING];
    rblock longer[LONG_RING];
    size_t medium_next, long_next;
    rblock taken[INBOX];   /* the inbox's content, moved out under its lock */
} rthread;

typedef struct rptest {
    wl_mt m;                /* first: the wl_mt_*_hook functions take the instance as one */
    uint64_t loops;        /* per thread and iteration */
    rthread *th;           /* n */
    inbox *in;             /* n: in[i] is filled by thread i - 1, emptied by i */
    unsigned locks_ready;  /* inboxes whose lock is initialised */
} rptest;

static uint32_t mixed_size(wl_rng *r)
{
    uint64_t v = wl_rng_next(r), c = v % 10;
    v >>= 8;
    if (c < 7) return (uint32_t)(16 + v % 241);
    if (c < 9) return (uint32_t)(257 + v % (4096 - 256));
    return (uint32_t)(4097 + v % (65536 - 4096));
}

/* The thread's view of the allocator and its counters. */
typedef struct rcur {
    rptest *t;
    unsigned i;
    wl_rng rng;
    uint64_t salt, next;
    al_run_status st;
    char *why;
    size_t whylen;
} rcur;

static bool drop(rcur *c, rblock *b, bool cross)
{
    if (!b->p) return true;
    if (!wl_check_block(b->p, b->size, b->key)) {
        wl_why(c->why, c->whylen, "a block from '%s' lost its pattern before it was freed", c->t->m.spec);
        c->st = AL_RUN_FAILED;
        return false;
    }
    wl_mt_counter *k = &c->t->m.count[c->i];
    k->checksum += ((unsigned char *)b->p)[0];
    k->cross_frees += cross;
    al_deallocate(c->t->m.a, b->p, b->size, WL_CHUNK_ALIGN);
    b->p = NULL;
    return true;
}

/* Free what the previous thread handed over (all of it). */
static bool drain(rcur *c)
{
    inbox *in = &c->t->in[c->i];
    rthread *th = &c->t->th[c->i];
    pthread_mutex_lock(&in->lock);
    size_t n = in->n;
    for (size_t k = 0; k < n; k++) th->taken[k] = in->b[k];
    in->n = 0;
    pthread_mutex_unlock(&in->lock);
    bool ok = true;
    for (size_t k = 0; k < n && ok; k++) ok = drop(c, &th->taken[k], true);
    return ok;
}

/* Hand b to the next thread; false when its inbox is full. */
static bool hand_on(rcur *c, const rblock *b)
{
    inbox *in = &c->t->in[(c->i + 1) % c->t->m.n];
    pthread_mutex_lock(&in->lock);
    bool room = in->n < INBOX;
    if (room) in->b[in->n++] = *b;
    pthread_mutex_unlock(&in->lock);
    return room;
}

/* Put b into a ring, freeing the block whose place it takes. */
static bool into_ring(rcur *c, rblock *ring, size_t len, size_t *next, const rblock *b)
{
    rblock *slot = &ring[*next];
    *next = (*next + 1) % len;
    if (!drop(c, slot, false)) return false;
    *slot = *b;
    return true;
}

static bool one_loop(rcur *c)
{
    rthread *th = &c->t->th[c->i];
    if (!drain(c)) return false;
    unsigned n = (unsigned)wl_rng_range(&c->rng, BATCH_MIN, BATCH_MAX);
    for (unsigned k = 0; k < n; k++) {
        uint32_t size = mixed_size(&c->rng);
        void *p = al_allocate(c->t->m.a, size, WL_CHUNK_ALIGN);
        if (!p) {
            c->st = wl_alloc_failed(c->t->m.a, c->t->m.spec, size, 0, c->why, c->whylen);
            for (unsigned j = 0; j < k; j++) drop(c, &th->batch[j], false);
            return false;
        }
        uint64_t key = wl_key(c->salt, c->next++);
        wl_fill_block(p, size, key);
        wl_escape(p);
        th->batch[k] = (rblock){.p = p, .key = key, .size = size};
    }
    bool ok = true;
    for (unsigned k = 0; k < n && ok; k++) {
        rblock *b = &th->batch[k];
        uint64_t fate = wl_rng_next(&c->rng) % 20; /* 2 in 20 handed on, 1 long, 5 medium, 12 short */
        if (fate < 2 && c->t->m.n > 1 && hand_on(c, b)) {
            b->p = NULL;
        } else if (fate == 2) {
            ok = into_ring(c, th->longer, LONG_RING, &th->long_next, b);
            b->p = NULL;
        } else if (fate < 8) { /* also a hand-over that found no room, or no next thread */
            ok = into_ring(c, th->medium, MEDIUM_RING, &th->medium_next, b);
            b->p = NULL;
        } else {
            ok = drop(c, b, false);
        }
    }
    return ok;
}

static bool sweep(rcur *c)
{
    rthread *th = &c->t->th[c->i];
    bool ok = drain(c);
    for (size_t k = 0; k < MEDIUM_RING && ok; k++) ok = drop(c, &th->medium[k], false);
    for (size_t k = 0; k < LONG_RING && ok; k++) ok = drop(c, &th->longer[k], false);
    return ok;
}

/* After a failure a thread stops allocating but keeps meeting the barriers. */
static al_run_status worker(void *arg, unsigned i, uint64_t iters, char *why, size_t whylen)
{
    rptest *t = arg;
    rcur c = {.t = t, .i = i, .why = why, .whylen = whylen};
    for (uint64_t it = 0; it < iters; it++) {
        c.salt = c.rng.s = wl_mt_salt(&t->m, i, it);
        c.next = 0;
        for (uint64_t l = 0; l < t->loops && c.st == AL_RUN_OK; l++)
            if (!one_loop(&c)) break;
        /* Every hand-over of this iteration is in an inbox before any is
         * swept for the last time. */
        wl_crew_sync(t->m.crew);
        if (c.st == AL_RUN_OK) sweep(&c);
        wl_crew_sync(t->m.crew); /* no thread hands on into an inbox still being swept */
        wl_mt_iter_end(&t->m);
    }
    return c.st;
}

static void rptest_teardown(void *inst)
{
    rptest *t = inst;
    if (!t) return;
    wl_mt_close(&t->m);
    for (unsigned i = 0; i < t->locks_ready; i++) pthread_mutex_destroy(&t->in[i].lock);
    free(t->in);
    free(t->th);
    free(t);
}

static void *rptest_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"rptest", 1, 10000000, "loops", DEFAULT_LOOPS};
    unsigned n;
    uint64_t loops;
    rptest *t = wl_mt_new(sizeof *t, &grammar, param, &n, &loops, status, why, whylen);
    if (!t) return NULL;
    t->loops = (loops + n - 1) / n;
    t->th = calloc(n, sizeof *t->th);
    t->in = calloc(n, sizeof *t->in);
    if (!t->th || !t->in) return wl_setup_abort(t, rptest_teardown, true, status, why, whylen);
    for (; t->locks_ready < n; t->locks_ready++) pthread_mutex_init(&t->in[t->locks_ready].lock, NULL);
    /* Live at most, per thread: both rings, a batch, a full inbox; at the
     * mix's mean size (about 3.8 KiB). */
    size_t live = (size_t)n * (MEDIUM_RING + LONG_RING + BATCH_MAX + INBOX) * 3800;
    return wl_mt_start(t, spec, n, live, worker, rptest_teardown, status, why, whylen);
}

const al_workload al_workload_rptest = {
    .name = "rptest",
    .description = "after mimalloc-bench's rptest: batches of mostly small blocks with a tail to 64 KiB, "
                   "lifetimes of one loop, a ring, the iteration, or handed to the next thread to free",
    .params = wl_mt_params,
    .setup = rptest_setup,
    .run = wl_mt_run_hook,
    .teardown = rptest_teardown,
    .allocator_used = wl_mt_used_hook,
    .cross_frees = wl_mt_cross_hook,
};
