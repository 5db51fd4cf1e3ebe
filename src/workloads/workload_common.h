/* What every workload shares (workload_common.c).
 *
 * Workloads verify their own memory: every block is filled with a pattern
 * derived from its index and checked before it is given back, so an
 * allocator that hands out overlapping or scribbled-on memory makes the run
 * fail instead of winning. Results escape the optimizer through wl_escape and
 * wl_sink. Allocators come only from the registry (wl_create).
 */
#ifndef ALLOCLAB_WORKLOAD_COMMON_H
#define ALLOCLAB_WORKLOAD_COMMON_H

#include "workload.h"

#include <alloclab/registry.h>
#include <pthread.h>
#include <stdio.h>

/* ----------------------------------------------------------------------------
 * Reasons: every failing path writes one line into (why, whylen).
 * ------------------------------------------------------------------------- */
void wl_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ----------------------------------------------------------------------------
 * A seeded PRNG (splitmix64): the same seed gives the same sequence on every
 * machine, so every allocator sees exactly the same requests.
 * ------------------------------------------------------------------------- */
typedef struct wl_rng {
    uint64_t s; /* the whole state */
} wl_rng;

static inline uint64_t wl_rng_next(wl_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (the tiny modulo bias is irrelevant here). */
static inline uint64_t wl_rng_range(wl_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + wl_rng_next(r) % (hi - lo + 1);
}

/* ----------------------------------------------------------------------------
 * Fill patterns. Every block gets a key, wl_key(salt, index): distinct
 * indices under one salt give distinct keys, and a workload draws a new salt
 * per iteration (and per thread), so keys of different live blocks differ.
 * A block's pattern is a head word (its first 8 bytes) that is a bijection
 * of the key, a tail word (its last 8 bytes) and, between them, a byte from
 * a hash of the key: two different live blocks of 8 bytes or more never
 * carry the same pattern, so a block handed out twice, at any distance, or
 * written over by a neighbour no longer checks. (Blocks under 8 bytes carry
 * what fits of the head word.)
 * ------------------------------------------------------------------------- */
/* splitmix64's finalizer: a bijection of 64-bit words that mixes every bit. */
static inline uint64_t wl_mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* The key of block `index` under `salt`. */
static inline uint64_t wl_key(uint64_t salt, uint64_t index) { return wl_mix(salt ^ 0x5A17ull) + index; }

/* ----------------------------------------------------------------------------
 * Patterns, inline: they run once per block inside every workload's timed
 * region, so a call per block would weigh on every allocator's figure.
 * ------------------------------------------------------------------------- */
static inline bool wl_check_bytes(const void *p, size_t n, unsigned char byte)
{
    const unsigned char *b = p;
    uint64_t word = 0x0101010101010101ull * byte;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w != word) return false;
    }
    for (; i < n; i++)
        if (b[i] != byte) return false;
    return true;
}

/* Head word: wl_mix(key) (a bijection, so distinct keys differ there);
 * tail word: a hash of the head; fill byte: the tail's top byte (one hash
 * less per block, and inlined the compiler computes the tail once). The
 * tail covers bytes [max(8, n - 8), n). */
static inline uint64_t wl_tail_word(uint64_t head) { return wl_mix(head ^ 0x7A11ull); }
static inline unsigned char wl_fill_byte(uint64_t head) { return (unsigned char)(wl_tail_word(head) >> 56); }
static inline size_t wl_head_len(size_t n) { return n < 8 ? n : 8; }
static inline size_t wl_tail_len(size_t n) { return n <= 8 ? 0 : n < 16 ? n - 8 : 8; }

/* Only the head and tail words (the first and last 8 bytes; what fits when
 * n < 16), whatever the check level: for blocks whose pages must stay
 * untouched, or that outlive one run() call. Blocks of 16 bytes or more take
 * two fixed-size stores (no library call). */
static inline void wl_fill_ends(void *p, size_t n, uint64_t key)
{
    unsigned char *b = p;
    uint64_t head = wl_mix(key), tail = wl_tail_word(head);
    if (n >= 16) {
        memcpy(b, &head, 8);
        memcpy(b + n - 8, &tail, 8);
        return;
    }
    memcpy(b, &head, wl_head_len(n));
    memcpy(b + n - wl_tail_len(n), &tail, wl_tail_len(n));
}

static inline bool wl_check_ends(const void *p, size_t n, uint64_t key)
{
    const unsigned char *b = p;
    uint64_t head = wl_mix(key), tail = wl_tail_word(head);
    if (n >= 16) {
        uint64_t h, t;
        memcpy(&h, b, 8);
        memcpy(&t, b + n - 8, 8);
        return h == head && t == tail;
    }
    return memcmp(b, &head, wl_head_len(n)) == 0 && memcmp(b + n - wl_tail_len(n), &tail, wl_tail_len(n)) == 0;
}

/* ----------------------------------------------------------------------------
 * Blocks that live within one run() call: wl_fill_block writes the pattern of
 * `key` into p[0..n), wl_check_block is true when p[0..n) still holds it.
 * Both follow the check level (al_workload_set_check_level):
 *   full   the whole pattern above: head, tail, and every byte between;
 *   cheap  (blocks of 16 bytes or more) the key itself in the head word
 *          and in the tail word: two stores and two compares, no hash.
 *          Distinct live blocks carry distinct keys, so no word of one
 *          block equals a word of another, and a block handed out twice or
 *          overwritten at either end is still caught; the untimed full
 *          iterations catch what lands in between.
 * A block is checked at the level it was filled at: the harness changes the
 * level only between run() calls.
 * ------------------------------------------------------------------------- */
/* The smallest block checked cheaply: 16 at the cheap level, SIZE_MAX at
 * the full one, so that the level and the size take one compare per block. */
extern size_t wl_cheap_from;
static inline bool wl_cheap_checks(void) { return wl_cheap_from != SIZE_MAX; }

/* The full level, out of line: it runs in untimed iterations only. */
void wl_fill_block_full(void *p, size_t n, uint64_t key);
bool wl_check_block_full(const void *p, size_t n, uint64_t key);

/* The cheap level's pattern on a block of n >= 16 bytes: its head and tail
 * words (for a loop that knows its blocks are that large and its level is
 * the cheap one). */
static inline __attribute__((always_inline)) void wl_put_ends(void *p, size_t n, uint64_t key)
{
    unsigned char *b = p;
    memcpy(b, &key, 8);
    memcpy(b + n - 8, &key, 8);
}

static inline __attribute__((always_inline)) bool wl_head_holds(const void *p, uint64_t key)
{
    uint64_t head;
    memcpy(&head, p, 8);
    return head == key;
}

static inline __attribute__((always_inline)) bool wl_tail_holds(const void *p, size_t n, uint64_t key)
{
    uint64_t tail;
    memcpy(&tail, (const unsigned char *)p + n - 8, 8);
    return tail == key;
}

static inline __attribute__((always_inline)) void wl_fill_block(void *p, size_t n, uint64_t key)
{
    if (n >= wl_cheap_from) wl_put_ends(p, n, key);
    else wl_fill_block_full(p, n, key);
}

static inline __attribute__((always_inline)) bool wl_check_block(const void *p, size_t n, uint64_t key)
{
    if (n < wl_cheap_from) return wl_check_block_full(p, n, key);
    return wl_head_holds(p, key) && wl_tail_holds(p, n, key);
}

/* The head and tail words, and one word at the start of every 4 KiB page
 * (each page's word differs): every page is touched once. */
void wl_fill_pages(void *p, size_t n, uint64_t key);
bool wl_check_pages(const void *p, size_t n, uint64_t key);


/* ----------------------------------------------------------------------------
 * Escaping the optimizer: a pointer passed to wl_escape is assumed read and
 * written by unknown code, so stores to it cannot be removed; checksums go to
 * a volatile sink at the end of each run.
 * ------------------------------------------------------------------------- */
static inline void wl_escape(const void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }
void wl_sink(uint64_t checksum);

/* ----------------------------------------------------------------------------
 * Allocators for workloads.
 * ------------------------------------------------------------------------- */
/** al_create(spec, NULL); on failure NULL, *status AL_RUN_UNSUPPORTED and
 *  al_last_error() as the reason. */
al_allocator *wl_create(const char *spec, al_run_status *status, char *why, size_t whylen);

/** The allocator of a workload run by `nthreads` threads, its spec copied
 *  into used[0..usedlen). One instance all threads share: spec itself when
 *  nthreads is 1 or it is thread-safe, otherwise "locked:"+spec. With
 *  per_thread, a spec that is not thread-safe but whose instances are
 *  independent (no AL_CAP_PROCESS_GLOBAL) is made as is: the caller then
 *  makes one instance per thread (an instance without AL_CAP_THREAD_SAFE
 *  says so). NULL with *status AL_RUN_UNSUPPORTED and a reason. */
al_allocator *wl_create_for_threads(const char *spec, unsigned nthreads, bool per_thread, char *used,
                                    size_t usedlen, al_run_status *status, char *why, size_t whylen);

/** The one instance that nthreads threads share (wl_create_for_threads, a
 *  lock added where needed, never one per thread), which must hold
 *  need_live bytes at once (wl_probe_capacity): NULL, with nothing left
 *  made, *status and a reason, when it cannot be made or cannot hold them. */
al_allocator *wl_create_shared(const char *spec, unsigned nthreads, size_t need_live, char *used, size_t usedlen,
                               al_run_status *status, char *why, size_t whylen);

/** The end of one iteration: a resettable allocator is reset here. Callers
 *  run it inside the timed region: resetting is part of such an allocator's
 *  cost, as freeing is part of the others'. */
static inline void wl_iter_end(al_allocator *a)
{
    if (al_has(a, AL_CAP_RESET)) al_reset(a);
}

/** The status and reason for an allocation of `size` bytes that returned
 *  NULL: a fixed-capacity allocator ran out (AL_RUN_UNSUPPORTED, "capacity
 *  exhausted: ... needs >= <need_live> live"), any other failed (AL_RUN_FAILED). */
al_run_status wl_alloc_failed(const al_allocator *a, const char *spec, size_t size, size_t need_live,
                              char *why, size_t whylen);

/** Before timing: a fixed-capacity allocator must at least hold one block of
 *  `probe` bytes (the largest single demand of the workload). false with
 *  *status AL_RUN_UNSUPPORTED and a reason naming `need_live` when it cannot.
 *  The probe block is given back (and the allocator reset when it can be). */
bool wl_probe_capacity(al_allocator *a, const char *spec, size_t probe, size_t need_live,
                       al_run_status *status, char *why, size_t whylen);

/* "1.5 MiB" style size into buf (returned). */
const char *wl_size_str(size_t bytes, char *buf, size_t len);

/* ----------------------------------------------------------------------------
 * Counting allocator calls (alloc_calls), through the stats: wrapper.
 * ------------------------------------------------------------------------- */
/** One iteration of a workload on allocator a (for counting). */
typedef al_run_status (*wl_body_fn)(al_allocator *a, void *ctx);
/** Allocator calls (allocate, allocate_zeroed, deallocate, grow, shrink)
 *  made by one call of body on a fresh "stats:<spec>" instance (untimed, at
 *  setup); -1 when that instance cannot be made or the body fails. */
double wl_count_calls(const char *spec, wl_body_fn body, void *ctx);

/* ----------------------------------------------------------------------------
 * A run of a workload whose iterations are one call each: `iter` on inst,
 * `iters` times, stopping at the first status that is not AL_RUN_OK (its
 * reason in why); after a complete run *checksum (when not NULL) goes to
 * wl_sink.
 * ------------------------------------------------------------------------- */
typedef al_run_status (*wl_iter_fn)(void *inst, char *why, size_t whylen);
al_run_status wl_repeat(wl_iter_fn iter, void *inst, uint64_t iters, const uint64_t *checksum, char *why,
                        size_t whylen);

/* ----------------------------------------------------------------------------
 * Setup's exits. Each returns NULL, so a setup can `return` it.
 * ------------------------------------------------------------------------- */
/** A refused parameter: *status AL_RUN_FAILED, reason
 *  "<workload>: unknown parameter '<param>' (<expected>)". */
void *wl_bad_param(const char *workload, const char *param, const char *expected, al_run_status *status,
                   char *why, size_t whylen);
/** calloc(1, size), or NULL with *status AL_RUN_FAILED and "out of memory". */
void *wl_calloc(size_t size, al_run_status *status, char *why, size_t whylen);
/** Tear down what setup made so far (teardown(inst); inst may be NULL).
 *  With oom, *status AL_RUN_FAILED and "out of memory"; otherwise the
 *  status and reason already set stay. */
void *wl_setup_abort(void *inst, void (*teardown)(void *), bool oom, al_run_status *status, char *why,
                     size_t whylen);

/* ----------------------------------------------------------------------------
 * One-allocator workloads (vec-push, smallvec). Their instance begins with a
 * wl_solo; `iter` runs one iteration on allocator a, adding to *sum.
 * wl_solo_new makes the instance (zeroed, `size` bytes); the caller fills
 * its own fields, then wl_solo_finish creates the allocator and counts one
 * iteration's calls (on a separate stats: instance, untimed). run, teardown
 * and alloc_calls of the workload are wl_solo_run, wl_solo_teardown and
 * wl_solo_calls.
 * ------------------------------------------------------------------------- */
typedef struct wl_solo wl_solo;
typedef al_run_status (*wl_solo_iter)(al_allocator *a, const wl_solo *w, uint64_t *sum, char *why, size_t whylen);
struct wl_solo {
    al_allocator *a;    /* the timed instance */
    char spec[64];
    wl_solo_iter iter;
    double calls;       /* allocator calls per iteration, -1 when not counted */
    uint64_t checksum;
};
void *wl_solo_new(size_t size, const char *spec, wl_solo_iter iter, al_run_status *status, char *why,
                  size_t whylen);
void *wl_solo_finish(void *inst, al_run_status *status, char *why, size_t whylen); /* inst, or NULL (freed) */
al_run_status wl_solo_run(void *inst, uint64_t iters, char *why, size_t whylen);
void wl_solo_teardown(void *inst);
double wl_solo_calls(void *inst);

/* ----------------------------------------------------------------------------
 * Parameters. Numbers are decimal, no sign, no spaces.
 * ------------------------------------------------------------------------- */
/** Parse s as an integer in [lo, hi]; false when it is not one. */
bool wl_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/** Split "name:N" into name (copied into buf) and *n; *n = 0 when absent.
 *  false when N is present but not a number in [1, hi]. */
bool wl_split_override(const char *param, char *buf, size_t buflen, uint64_t hi, uint64_t *n);

/* ----------------------------------------------------------------------------
 * A crew of worker threads, created at setup and reused by every run: each
 * wl_crew_run releases all workers together, each runs fn(arg, index, iters),
 * and the run returns when the last one is done (the timed region is the
 * wall time between). wl_crew_stop releases and joins them.
 * ------------------------------------------------------------------------- */
typedef al_run_status (*wl_crew_fn)(void *arg, unsigned index, uint64_t iters, char *why, size_t whylen);
typedef struct wl_crew wl_crew;

/** n workers waiting for runs; NULL with *status AL_RUN_UNSUPPORTED and a
 *  reason when threads cannot start. */
wl_crew *wl_crew_start(unsigned n, wl_crew_fn fn, void *arg, al_run_status *status, char *why, size_t whylen);
/** One run: the worst status of the workers, with the first such reason. */
al_run_status wl_crew_run(wl_crew *c, uint64_t iters, char *why, size_t whylen);
/** A barrier among the workers only (inside fn): true in exactly one of them.
 *  Every worker must call it the same number of times. */
bool wl_crew_sync(wl_crew *c);
void wl_crew_stop(wl_crew *c);

/* ----------------------------------------------------------------------------
 * The glibc-simple body, shared with glibc-thread: allocate WL_SIMPLE_CHUNKS
 * chunks of `size` bytes, fill chunk i with the pattern of wl_key(salt, i)
 * (a caller passes a new salt per iteration and thread), free the first half
 * in FIFO order and the second half in LIFO order, checking each chunk before
 * freeing it. The chunk pointers live in the calling thread's own array for
 * the length of the call. On a verification failure the remaining chunks are
 * not freed (a corrupt allocator's frees cannot be trusted).
 * ------------------------------------------------------------------------- */
al_run_status wl_simple_body(al_allocator *a, const char *spec, size_t size, uint64_t salt, uint64_t *checksum,
                             char *why, size_t whylen);

#define WL_SIMPLE_CHUNKS 1600u
/* ----------------------------------------------------------------------------
 * The workloads, one file each, listed by workloads.c.
 * ------------------------------------------------------------------------- */
extern const al_workload al_workload_glibc_simple, al_workload_glibc_thread, al_workload_large_blocks,
    al_workload_single_alloc, al_workload_stress_mem, al_workload_binary_trees, al_workload_vec_push,
    al_workload_smallvec, al_workload_larson, al_workload_xmalloc, al_workload_cache_scratch,
    al_workload_cache_thrash, al_workload_fragmentation, al_workload_thread_exit, al_workload_mstress,
    al_workload_rptest, al_workload_alloc_test;

#define WL_CHUNK_ALIGN 16u /* what malloc guarantees: the workloads ask as a C program would */

#endif
