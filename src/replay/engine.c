/* Running a replay plan on one allocator.
 *
 * Guarantees:
 * - One replay thread per traced thread (the caller's own thread when there
 *   is one), started once and reused for every replay; each runs its thread's
 *   operations in order, through the allocator interface with sized frees.
 * - A free or realloc of a block another thread makes waits until that block
 *   exists (a per-slot flag, set with release order after the pointer).
 * - Every block carries a pattern in its head and tail words (and one word
 *   per page with AL_TOUCH_PAGES) derived from its slot and the replay's
 *   salt; it is checked before the block is freed or resized, and a grown
 *   block must still start with its old head: overlapping blocks or a bad
 *   copy fail the replay.
 * - The slot tables are mapped with mmap, never taken from the allocator
 *   under test; after each replay, blocks the trace left live are freed and
 *   a resettable allocator is reset, so the allocator holds nothing.
 */
#include "replay.h"

#include "workload_common.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct al_replay {
    const al_replay_plan *plan;
    al_allocator *a;
    al_replay_touch touch;
    void **ptr;                 /* per slot: the live block, NULL when none */
    _Atomic uint8_t *ready;     /* per slot: set once ptr[slot] is there */
    size_t table_bytes;
    uint64_t salt;
    _Atomic int stop;           /* a thread failed: the others return */
    pthread_mutex_t why_lock;
    al_run_status status;
    char why[256];
    uint64_t cross;
    /* Worker threads for plans of more than one thread. */
    pthread_t *th;
    struct worker_arg *args;    /* the workers' own: they make no allocator call of their own */
    size_t nth;
    pthread_mutex_t lock;       /* with go and idle: a replay's start and end */
    pthread_cond_t go, idle;
    uint64_t generation;        /* bumped to start a replay */
    size_t running;             /* workers still replaying */
    bool quit;
};

typedef struct worker_arg {
    al_replay *r;
    size_t index;
} worker_arg;

static void set_failure(al_replay *r, al_run_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_failure(al_replay *r, al_run_status st, const char *fmt, ...)
{
    pthread_mutex_lock(&r->why_lock);
    if (r->status == AL_RUN_OK) {
        r->status = st;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, sizeof r->why, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&r->why_lock);
    atomic_store(&r->stop, 1);
}

static inline void fill(const al_replay *r, void *p, size_t n, uint64_t key)
{
    if (r->touch == AL_TOUCH_PAGES)
        wl_fill_pages(p, n, key);
    else
        wl_fill_ends(p, n, key);
}

static inline bool check(const al_replay *r, const void *p, size_t n, uint64_t key)
{
    return r->touch == AL_TOUCH_PAGES ? wl_check_pages(p, n, key) : wl_check_ends(p, n, key);
}

static void alloc_refused(al_replay *r, size_t size)
{
    const al_replay_plan *pl = r->plan;
    char b1[32], b2[32], b3[32];
    bool frees = al_has(r->a, AL_CAP_FREES);
    set_failure(r, AL_RUN_UNSUPPORTED,
                "refused %s: the trace needs >= %s %s (peak live %s)%s", wl_size_str(size, b1, sizeof b1),
                wl_size_str(frees ? pl->peak_live : pl->total_bytes, b2, sizeof b2),
                frees ? "live at once" : "in all (it frees nothing)", wl_size_str(pl->peak_live, b3, sizeof b3),
                al_has(r->a, AL_CAP_FIXED_CAPACITY) ? ", beyond its fixed capacity" : "");
}

/* Wait until slot s exists (made by another thread). false when stopped. */
static bool wait_slot(al_replay *r, uint32_t s)
{
    unsigned spins = 0;
    while (!atomic_load_explicit(&r->ready[s], memory_order_acquire)) {
        if (atomic_load_explicit(&r->stop, memory_order_relaxed)) return false;
        if (++spins > 64) sched_yield();
    }
    return true;
}

static void run_ops(al_replay *r, size_t ti)
{
    const rp_thread_ops *t = &r->plan->threads[ti];
    const uint64_t *sizes = r->plan->slot_size;
    const uint32_t *aligns = r->plan->slot_align;
    uint64_t salt = r->salt, cross = 0;
    for (size_t i = 0; i < t->n; i++) {
        const rp_op *op = &t->ops[i];
        if ((i & 255) == 0 && atomic_load_explicit(&r->stop, memory_order_relaxed)) break;
        switch (op->kind) {
        case RP_ALLOC:
        case RP_ZALLOC: {
            void *p = op->kind == RP_ZALLOC ? al_allocate_zeroed(r->a, op->size, op->align)
                                            : al_allocate(r->a, op->size, op->align);
            if (!p) {
                alloc_refused(r, op->size);
                return;
            }
            fill(r, p, op->size, wl_key(salt, op->slot));
            r->ptr[op->slot] = p;
            atomic_store_explicit(&r->ready[op->slot], 1, memory_order_release);
            break;
        }
        case RP_FREE: {
            if (op->wait && !wait_slot(r, op->slot)) return;
            void *p = r->ptr[op->slot];
            size_t n = sizes[op->slot];
            if (!check(r, p, n, wl_key(salt, op->slot))) {
                set_failure(r, AL_RUN_FAILED, "block %u (%zu bytes) was overwritten before its free: overlapping blocks",
                            op->slot, n);
                return;
            }
            r->ptr[op->slot] = NULL;
            al_deallocate(r->a, p, n, aligns[op->slot]);
            cross += op->wait;
            break;
        }
        case RP_REALLOC: {
            if (op->wait && !wait_slot(r, op->old)) return;
            void *p = r->ptr[op->old];
            size_t n = sizes[op->old];
            uint64_t okey = wl_key(salt, op->old);
            if (!check(r, p, n, okey)) {
                set_failure(r, AL_RUN_FAILED, "block %u (%zu bytes) was overwritten before its realloc: overlapping blocks",
                            op->old, n);
                return;
            }
            void *q = op->size >= n ? al_grow(r->a, p, n, op->size, op->align)
                                    : al_shrink(r->a, p, n, op->size, op->align);
            if (!q) {
                alloc_refused(r, op->size);
                return;
            }
            r->ptr[op->old] = NULL;
            uint64_t head = wl_mix(okey), got;
            size_t keep = n < op->size ? n : op->size;
            if (keep >= 8) {
                memcpy(&got, q, 8);
                if (got != head) {
                    r->ptr[op->slot] = q;
                    set_failure(r, AL_RUN_FAILED, "realloc of block %u lost its contents (%zu -> %zu bytes)", op->old, n,
                                (size_t)op->size);
                    return;
                }
            }
            fill(r, q, op->size, wl_key(salt, op->slot));
            r->ptr[op->slot] = q;
            atomic_store_explicit(&r->ready[op->slot], 1, memory_order_release);
            cross += op->wait;
            break;
        }
        }
    }
    if (cross) __atomic_fetch_add(&r->cross, cross, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
    worker_arg *w = arg;
    al_replay *r = w->r;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (r->generation == seen && !r->quit) pthread_cond_wait(&r->go, &r->lock);
        seen = r->generation;
        bool quit = r->quit;
        pthread_mutex_unlock(&r->lock);
        if (quit) break;
        run_ops(r, w->index);
        pthread_mutex_lock(&r->lock);
        if (--r->running == 0) pthread_cond_signal(&r->idle);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

al_replay *al_replay_new(const al_replay_plan *plan, al_allocator *a, al_replay_touch touch, char *why,
                         size_t whylen)
{
    if (plan->nthreads > 1 && !al_has(a, AL_CAP_THREAD_SAFE)) {
        /* Its threads would race inside the allocator: the overlaps found
         * would be the replay's, not the allocator's. */
        wl_why(why, whylen, "the trace has %zu threads and this allocator is not thread-safe: wrap it (locked:)",
               (size_t)plan->nthreads);
        return NULL;
    }
    al_replay *r = calloc(1, sizeof *r);
    if (!r) {
        wl_why(why, whylen, "out of memory");
        return NULL;
    }
    r->plan = plan;
    r->a = a;
    r->touch = touch;
    r->status = AL_RUN_OK;
    pthread_mutex_init(&r->why_lock, NULL);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->go, NULL);
    pthread_cond_init(&r->idle, NULL);
    r->table_bytes = plan->nslots * (sizeof(void *) + 1);
    void *m = mmap(NULL, r->table_bytes ? r->table_bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        wl_why(why, whylen, "cannot map the slot table (%zu bytes): %s", r->table_bytes, strerror(errno));
        r->ptr = NULL;
        al_replay_free(r);
        return NULL;
    }
    /* Touched now, so that it is part of the baseline, not of the allocator's growth. */
    memset(m, 0, r->table_bytes);
    r->ptr = m;
    r->ready = (_Atomic uint8_t *)((char *)m + plan->nslots * sizeof(void *));
    if (plan->nthreads > 1) {
        r->th = calloc(plan->nthreads, sizeof *r->th);
        r->args = calloc(plan->nthreads, sizeof *r->args);
        if (!r->th || !r->args) {
            wl_why(why, whylen, "out of memory");
            al_replay_free(r);
            return NULL;
        }
        for (size_t i = 0; i < plan->nthreads; i++) {
            r->args[i] = (worker_arg){r, i};
            if (pthread_create(&r->th[i], NULL, worker, &r->args[i]) != 0) {
                wl_why(why, whylen, "cannot start replay thread %zu", i);
                al_replay_free(r);
                return NULL;
            }
            r->nth++;
        }
    }
    return r;
}

/* Give back every block still held, then reset a resettable allocator. */
static void release_all(al_replay *r)
{
    const al_replay_plan *pl = r->plan;
    for (size_t s = 1; s < pl->nslots; s++)
        if (r->ptr[s]) {
            al_deallocate(r->a, r->ptr[s], pl->slot_size[s], pl->slot_align[s]);
            r->ptr[s] = NULL;
        }
    memset((void *)r->ready, 0, pl->nslots);
    wl_iter_end(r->a);
}

al_run_status al_replay_once(al_replay *r, char *why, size_t whylen)
{
    r->salt = wl_mix(r->salt + 0x51ed);
    r->status = AL_RUN_OK;
    r->why[0] = 0;
    atomic_store(&r->stop, 0);
    if (r->nth) {
        pthread_mutex_lock(&r->lock);
        r->running = r->nth;
        r->generation++;
        pthread_cond_broadcast(&r->go);
        while (r->running) pthread_cond_wait(&r->idle, &r->lock);
        pthread_mutex_unlock(&r->lock);
    } else if (r->plan->nthreads == 1) {
        run_ops(r, 0);
    }
    /* Blocks the trace never freed are checked too before they go. */
    const al_replay_plan *pl = r->plan;
    if (r->status == AL_RUN_OK)
        for (size_t s = 1; s < pl->nslots; s++)
            if (r->ptr[s] && !check(r, r->ptr[s], pl->slot_size[s], wl_key(r->salt, s))) {
                set_failure(r, AL_RUN_FAILED, "block %zu (%zu bytes) was overwritten: overlapping blocks", s,
                            (size_t)pl->slot_size[s]);
                break;
            }
    release_all(r);
    if (r->status != AL_RUN_OK) wl_why(why, whylen, "%s", r->why);
    return r->status;
}

uint64_t al_replay_cross_frees(const al_replay *r) { return __atomic_load_n(&r->cross, __ATOMIC_RELAXED); }

void al_replay_free(al_replay *r)
{
    if (!r) return;
    if (r->nth) {
        pthread_mutex_lock(&r->lock);
        r->quit = true;
        pthread_cond_broadcast(&r->go);
        pthread_mutex_unlock(&r->lock);
        for (size_t i = 0; i < r->nth; i++) pthread_join(r->th[i], NULL);
    }
    free(r->th);
    free(r->args);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->go);
    pthread_cond_destroy(&r->idle);
    if (r->ptr) munmap(r->ptr, r->table_bytes ? r->table_bytes : 1);
    pthread_mutex_destroy(&r->why_lock);
    free(r);
}
