/* mstress/<threads>[:<slots>]: server-like phases of short-lived threads,
 * after mimalloc-bench's mstress. One iteration is four rounds; each round
 * starts <threads> new threads (pthread_create, timed) that share one
 * allocator, with unequal shares of the work (thread i gets weight
 * 1 + i mod 3). A thread first frees the blocks the previous round's thread
 * of its index left it (cross-thread: their owner has exited), then fills
 * its slots with blocks of power-of-two sizes from 16 B to 4 KiB, replaces
 * random slots (three times in four a free and a new block, once a resize
 * to another power of two through the allocator's grow/shrink), and exits
 * leaving a quarter of its blocks to the next round and one in sixteen
 * alive to the end of the iteration, when the main thread frees those and
 * whatever the last round left (cross-thread too). The total work of an
 * iteration is fixed (4,000 slots and 16,000 replacements per round, split
 * by weight). Frees of blocks another thread allocated are counted. */
#include "workload_common.h"
#include "workload_mt.h"

#include <stdlib.h>
#include <string.h>

#define ROUNDS 4u
#define DEFAULT_SLOTS 4000u
#define REPLACE_PER_SLOT 4u
#define LEAVE_ONE_IN 4u     /* slot k % 4 == 0: to the next round */
#define KEEP_ONE_IN 16u     /* slot k % 16 == 1: to the end of the iteration */
#define MIN_SHIFT 4u        /* 16 B */
#define SHIFTS 9u           /* ... to 4 KiB */

typedef struct mblock {
    void *p;
    uint64_t key;
    uint32_t size;
} mblock;

typedef struct mstress mstress;

/* One thread of one round. It writes only its own fields and slots; the
 * main thread reads them after pthread_join. */
typedef struct mthread {
    mstress *m;
    unsigned index, round;
    size_t from, to;        /* its slots [from, to) of every per-round array */
    uint64_t salt;
    uint64_t cross_frees, checksum;
    al_run_status st;
    char why[160];
} mthread;

struct mstress {
    al_allocator *a;
    char spec[80];
    unsigned n;
    size_t slots;           /* per round, all threads */
    mblock *work;           /* slots: the blocks of the running round */
    mblock *left;           /* slots: what each thread leaves the next round (same index range) */
    mblock *kept;           /* ROUNDS x slots: alive to the end of the iteration */
    mthread *th;            /* n */
    pthread_t *tids;        /* n */
    uint64_t rounds_run;    /* salts */
    uint64_t cross_frees;   /* of all runs */
    uint64_t checksum;
};

static uint32_t pow2_size(wl_rng *r) { return 1u << (MIN_SHIFT + wl_rng_next(r) % SHIFTS); }

/* Check and free b (when it holds a block); false when it is corrupt. */
static bool release(mthread *t, mblock *b, bool cross)
{
    if (!b->p) return true;
    if (!wl_check_block(b->p, b->size, b->key)) return false;
    t->checksum += ((unsigned char *)b->p)[0];
    al_deallocate(t->m->a, b->p, b->size, WL_CHUNK_ALIGN);
    t->cross_frees += cross;
    b->p = NULL;
    return true;
}

static bool put(mthread *t, mblock *b, uint32_t size, uint64_t key)
{
    void *p = al_allocate(t->m->a, size, WL_CHUNK_ALIGN);
    if (!p) {
        t->st = wl_alloc_failed(t->m->a, t->m->spec, size, t->m->slots * (1u << (MIN_SHIFT + SHIFTS - 1)), t->why,
                                sizeof t->why);
        return false;
    }
    wl_fill_block(p, size, key);
    wl_escape(p);
    *b = (mblock){.p = p, .key = key, .size = size};
    return true;
}

/* Resize b to another power of two: its first word must come through. */
static bool resize(mthread *t, mblock *b, uint32_t size, uint64_t key)
{
    if (!wl_check_block(b->p, b->size, b->key)) return false;
    unsigned char head[8];
    memcpy(head, b->p, 8);
    void *p = al_resize(t->m->a, b->p, b->size, size, WL_CHUNK_ALIGN);
    if (!p) {
        t->st = wl_alloc_failed(t->m->a, t->m->spec, size, 0, t->why, sizeof t->why);
        return true; /* the old block is untouched and still b's */
    }
    if (memcmp(p, head, 8) != 0) {
        b->p = NULL; /* not freed: a corrupt allocator's frees cannot be trusted */
        return false;
    }
    wl_fill_block(p, size, key);
    wl_escape(p);
    *b = (mblock){.p = p, .key = key, .size = size};
    return true;
}

static void *thread_main(void *arg)
{
    mthread *t = arg;
    mstress *m = t->m;
    wl_rng r = {t->salt};
    uint64_t next = 0;
    bool ok = true;
    /* What the previous round's thread of this index left. */
    for (size_t k = t->from; k < t->to && ok; k++) ok = release(t, &m->left[k], true);
    for (size_t k = t->from; k < t->to && ok; k++) ok = put(t, &m->work[k], pow2_size(&r), wl_key(t->salt, next++));
    size_t n = t->to - t->from;
    for (size_t j = 0; j < n * REPLACE_PER_SLOT && ok && t->st == AL_RUN_OK; j++) {
        mblock *b = &m->work[t->from + wl_rng_next(&r) % n];
        uint32_t size = pow2_size(&r);
        if (j % 4 == 3 && b->p) ok = resize(t, b, size, wl_key(t->salt, next++));
        else ok = release(t, b, false) && put(t, b, size, wl_key(t->salt, next++));
    }
    /* Leave a quarter, keep one in sixteen, free the rest. */
    for (size_t k = t->from; k < t->to && ok; k++) {
        mblock *b = &m->work[k];
        if (k % LEAVE_ONE_IN == 0) m->left[k] = *b;
        else if (k % KEEP_ONE_IN == 1) m->kept[(size_t)t->round * m->slots + k] = *b;
        else ok = release(t, b, false);
        b->p = NULL;
    }
    if (!ok && t->st == AL_RUN_OK) {
        t->st = AL_RUN_FAILED;
        wl_why(t->why, sizeof t->why, "a block from '%s' lost its pattern before it was freed or resized", m->spec);
    }
    return NULL;
}

static al_run_status round_of(mstress *m, unsigned round, char *why, size_t whylen)
{
    unsigned weights = 0, started = 0;
    for (unsigned i = 0; i < m->n; i++) weights += 1 + i % 3;
    size_t from = 0, acc = 0;
    int err = 0;
    for (; started < m->n; started++) {
        mthread *t = &m->th[started];
        acc += 1 + started % 3;
        size_t to = m->slots * acc / weights;
        *t = (mthread){.m = m, .index = started, .round = round, .from = from, .to = to,
                       .salt = (m->rounds_run << 16) ^ ((uint64_t)(started + 1) << 48)};
        from = to;
        if ((err = pthread_create(&m->tids[started], NULL, thread_main, t)) != 0) break;
    }
    for (unsigned i = 0; i < started; i++) pthread_join(m->tids[i], NULL);
    m->rounds_run++;
    al_run_status st = AL_RUN_OK;
    for (unsigned i = 0; i < started; i++) {
        m->cross_frees += m->th[i].cross_frees;
        m->checksum += m->th[i].checksum;
        if (m->th[i].st > st) {
            st = m->th[i].st;
            wl_why(why, whylen, "thread %u: %s", i, m->th[i].why);
        }
    }
    if (err && st == AL_RUN_OK) {
        wl_why(why, whylen, "cannot start thread %u of %u: %s", started + 1, m->n, strerror(err));
        st = AL_RUN_UNSUPPORTED;
    }
    return st;
}

/* The end of an iteration, on the main thread: everything still alive. */
static bool sweep(mstress *m)
{
    mthread main_thread = {.m = m};
    bool ok = true;
    for (size_t k = 0; k < m->slots && ok; k++) ok = release(&main_thread, &m->left[k], true);
    for (size_t k = 0; k < ROUNDS * m->slots && ok; k++) ok = release(&main_thread, &m->kept[k], true);
    m->cross_frees += main_thread.cross_frees;
    m->checksum += main_thread.checksum;
    return ok;
}

static al_run_status mstress_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    mstress *m = inst;
    for (uint64_t it = 0; it < iters; it++) {
        for (unsigned r = 0; r < ROUNDS; r++) {
            al_run_status st = round_of(m, r, why, whylen);
            if (st == AL_RUN_FAILED) return st;
            if (st != AL_RUN_OK) {
                sweep(m);
                return st;
            }
        }
        if (!sweep(m)) {
            wl_why(why, whylen, "a block from '%s' lost its pattern before it was freed", m->spec);
            return AL_RUN_FAILED;
        }
        wl_iter_end(m->a);
    }
    wl_sink(m->checksum);
    return AL_RUN_OK;
}

static uint64_t mstress_cross(void *inst) { return ((mstress *)inst)->cross_frees; }

static const char *mstress_used(void *inst) { return ((mstress *)inst)->spec; }

static void mstress_teardown(void *inst)
{
    mstress *m = inst;
    if (!m) return;
    al_destroy(m->a);
    free(m->work);
    free(m->left);
    free(m->kept);
    free(m->th);
    free(m->tids);
    free(m);
}

static void *mstress_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    static const wl_mt_grammar grammar = {"mstress", 1, 10000000, "slots", DEFAULT_SLOTS};
    unsigned n;
    uint64_t slots;
    mstress *m = wl_mt_new(sizeof *m, &grammar, param, &n, &slots, status, why, whylen);
    if (!m) return NULL;
    m->n = n;
    m->slots = slots;
    m->work = calloc(m->slots, sizeof *m->work);
    m->left = calloc(m->slots, sizeof *m->left);
    m->kept = calloc(ROUNDS * m->slots, sizeof *m->kept);
    m->th = calloc(n, sizeof *m->th);
    m->tids = calloc(n, sizeof *m->tids);
    if (!m->work || !m->left || !m->kept || !m->th || !m->tids)
        return wl_setup_abort(m, mstress_teardown, true, status, why, whylen);
    /* Live at most: a round's slots, what the last one left, what all kept;
     * at the mean size of 16 B..4 KiB in powers of two (~910 B). */
    size_t live = (m->slots + m->slots / LEAVE_ONE_IN + ROUNDS * m->slots / KEEP_ONE_IN) * 910;
    if (!(m->a = wl_create_shared(spec, n, live, m->spec, sizeof m->spec, status, why, whylen)))
        return wl_setup_abort(m, mstress_teardown, false, status, why, whylen);
    return m;
}

const al_workload al_workload_mstress = {
    .name = "mstress",
    .description = "after mimalloc-bench's mstress: rounds of new, unequally loaded threads that free what the "
                   "last round left, allocate and resize power-of-two blocks, leave some to the next round, exit",
    .params = wl_mt_params,
    .setup = mstress_setup,
    .run = mstress_run,
    .teardown = mstress_teardown,
    .cross_frees = mstress_cross,
    .allocator_used = mstress_used,
};
