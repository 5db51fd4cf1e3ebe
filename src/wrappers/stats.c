/* stats: exact counts of the calls made to inner, the bytes asked for, the
 * live and peak bytes and blocks, and a power-of-two size histogram.
 *
 * A stats: layer is as thread-safe as its inner, and pays for that only when
 * it must. Over a thread-safe inner (AL_CAP_THREAD_SAFE) every counter
 * changes with a relaxed atomic read-modify-write, and peaks are raised with
 * a compare-and-swap loop so that they are never below a live figure that
 * was reached. Over any other inner no two calls may run at once, so a
 * counter changes with a relaxed load and store (plain moves, no locked
 * instruction); readers in other threads still see whole values. The
 * counters every allocate and deallocate change share one cache line, apart
 * from the handle and inner pointer every call reads. Marks and their live
 * snapshots are kept under a mutex: they are rare calls. */
#include "wrapper.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define MARK_SLOTS 16
#define CACHE_LINE 64

typedef _Atomic uint64_t counter;

/* Each group starts a cache line (_Alignas on its first member). */
typedef struct counters {
    /* Changed by every allocate and deallocate. */
    _Alignas(CACHE_LINE) counter allocs;
    counter deallocs, bytes_requested, live_bytes, live_blocks, peak_bytes, peak_blocks, zeroed;
    /* Changed by the other calls. */
    _Alignas(CACHE_LINE) counter grows;
    counter shrinks, resets, marks, rewinds, failed;
    _Alignas(CACHE_LINE) counter histogram[AL_STATS_BUCKETS];
} counters;

_Static_assert(offsetof(counters, zeroed) < CACHE_LINE, "the hot counters share one line");
_Static_assert(offsetof(counters, grows) == CACHE_LINE, "and have it to themselves");

/* A mark handed out by inner, with the live figures when it was taken. */
typedef struct mark_slot {
    al_mark mark;
    uint64_t live_bytes, live_blocks;
} mark_slot;

typedef struct stats {
    al_wrapper_base base;           /* first: the state pointer is the instance */
    bool shared;                    /* inner is thread-safe: counters change atomically */
    counters c;                     /* on cache lines of their own */
    al_fork_mutex mark_lock;        /* guards the fields below */
    mark_slot marks[MARK_SLOTS];    /* the newest n_marks marks, oldest first */
    size_t n_marks;
} stats;

#define ST(st) ((stats *)(st))
#define INNER(st) (ST(st)->base.inner)
#define LOAD(field) atomic_load_explicit(&(field), memory_order_relaxed)
#define STORE(field, v) atomic_store_explicit(&(field), (v), memory_order_relaxed)
#define INC(s, field) add((s), &(s)->c.field, 1)

/* ----------------------------------------------------------------------------
 * Counting, in either mode. Live figures are raised with their peak and
 * lowered without going below 0.
 * ------------------------------------------------------------------------- */
static inline void add(const stats *s, counter *f, uint64_t n)
{
    if (s->shared) atomic_fetch_add_explicit(f, n, memory_order_relaxed);
    else atomic_store_explicit(f, atomic_load_explicit(f, memory_order_relaxed) + n, memory_order_relaxed);
}

static inline void raise_peak(const stats *s, counter *peak, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(peak, memory_order_relaxed);
    if (!s->shared) {
        if (cur < v) atomic_store_explicit(peak, v, memory_order_relaxed);
        return;
    }
    while (cur < v && !atomic_compare_exchange_weak_explicit(peak, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed)) {
    }
}

static inline void live_add(const stats *s, counter *live, counter *peak, uint64_t n)
{
    uint64_t v;
    if (s->shared) {
        v = atomic_fetch_add_explicit(live, n, memory_order_relaxed) + n;
    } else {
        v = atomic_load_explicit(live, memory_order_relaxed) + n;
        atomic_store_explicit(live, v, memory_order_relaxed);
    }
    raise_peak(s, peak, v);
}

static inline void live_sub(const stats *s, counter *live, uint64_t n)
{
    uint64_t cur = atomic_load_explicit(live, memory_order_relaxed);
    if (!s->shared) {
        atomic_store_explicit(live, cur > n ? cur - n : 0, memory_order_relaxed);
        return;
    }
    while (!atomic_compare_exchange_weak_explicit(live, &cur, cur > n ? cur - n : 0,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

static unsigned bucket_of(size_t size)
{
    return size == 0 ? 0 : 63u - (unsigned)__builtin_clzll((unsigned long long)size);
}

/* One request of `size` bytes: counted in bytes_requested and the histogram. */
static void count_request(const stats *s, counters *c, size_t size, size_t requested)
{
    add(s, &c->bytes_requested, requested);
    add(s, &c->histogram[bucket_of(size)], 1);
}

/* ----------------------------------------------------------------------------
 * The operations: call inner through the front end, then count.
 * ------------------------------------------------------------------------- */
/* A new block p (or NULL) of `size` bytes from a call counted in `calls`. */
static void *count_new_block(stats *s, counter *calls, void *p, size_t size)
{
    add(s, calls, 1);
    count_request(s, &s->c, size, size);
    if (p == NULL) {
        INC(s, failed);
        return NULL;
    }
    live_add(s, &s->c.live_bytes, &s->c.peak_bytes, size);
    live_add(s, &s->c.live_blocks, &s->c.peak_blocks, 1);
    return p;
}

static void *st_allocate(void *st, size_t size, size_t align)
{
    stats *s = ST(st);
    return count_new_block(s, &s->c.allocs, al_allocate(s->base.inner, size, align), size);
}

static void *st_zeroed(void *st, size_t size, size_t align)
{
    stats *s = ST(st);
    return count_new_block(s, &s->c.zeroed, al_allocate_zeroed(s->base.inner, size, align), size);
}

static void st_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    stats *s = ST(st);
    al_deallocate(s->base.inner, ptr, size, align);
    INC(s, deallocs);
    live_sub(s, &s->c.live_bytes, size);
    live_sub(s, &s->c.live_blocks, 1);
}

static void *st_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    stats *s = ST(st);
    void *p = al_grow(s->base.inner, ptr, old_size, new_size, align);
    INC(s, grows);
    count_request(s, &s->c, new_size, new_size - old_size);
    if (p == NULL) INC(s, failed);
    else live_add(s, &s->c.live_bytes, &s->c.peak_bytes, new_size - old_size);
    return p;
}

static void *st_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    stats *s = ST(st);
    void *p = al_shrink(s->base.inner, ptr, old_size, new_size, align);
    INC(s, shrinks);
    if (p == NULL) INC(s, failed);
    else live_sub(s, &s->c.live_bytes, old_size - new_size);
    return p;
}

static size_t st_usable(void *st, const void *ptr, size_t size, size_t align)
{
    return al_usable_size(INNER(st), ptr, size, align);
}

static void st_reset(void *st)
{
    stats *s = ST(st);
    al_reset(s->base.inner);
    INC(s, resets);
    pthread_mutex_lock(&s->mark_lock.mu);
    s->n_marks = 0; /* marks from before a reset must not be used again */
    pthread_mutex_unlock(&s->mark_lock.mu);
    STORE(s->c.live_bytes, 0);
    STORE(s->c.live_blocks, 0);
}

static bool st_mark(void *st, al_mark *out)
{
    stats *s = ST(st);
    pthread_mutex_lock(&s->mark_lock.mu);
    bool ok = al_mark_get(s->base.inner, out);
    INC(s, marks);
    if (!ok) {
        INC(s, failed);
    } else {
        if (s->n_marks == MARK_SLOTS) { /* forget the oldest */
            memmove(&s->marks[0], &s->marks[1], (MARK_SLOTS - 1) * sizeof s->marks[0]);
            s->n_marks--;
        }
        s->marks[s->n_marks++] = (mark_slot){*out, LOAD(s->c.live_bytes), LOAD(s->c.live_blocks)};
    }
    pthread_mutex_unlock(&s->mark_lock.mu);
    return ok;
}

static void st_rewind(void *st, const al_mark *m)
{
    stats *s = ST(st);
    pthread_mutex_lock(&s->mark_lock.mu);
    al_rewind(s->base.inner, m);
    INC(s, rewinds);
    /* Marks newer than m are dead now; m itself may be rewound to again. */
    for (size_t i = s->n_marks; i-- > 0;) {
        if (s->marks[i].mark.chunk == m->chunk && s->marks[i].mark.offset == m->offset) {
            STORE(s->c.live_bytes, s->marks[i].live_bytes);
            STORE(s->c.live_blocks, s->marks[i].live_blocks);
            s->n_marks = i + 1;
            break;
        }
    }
    pthread_mutex_unlock(&s->mark_lock.mu);
}

void al_stats_destroy(void *st) { al_wrapper_release(st, &ST(st)->mark_lock); }

static const al_vtable stats_vt = {
    .allocate = st_allocate,
    .deallocate = st_deallocate,
    .grow = st_grow,
    .shrink = st_shrink,
    .allocate_zeroed = st_zeroed,
    .reset = st_reset,
    .usable_size = st_usable,
    .mark = st_mark,
    .rewind = st_rewind,
    .destroy = al_stats_destroy,
};

static al_allocator *stats_wrap(al_allocator *inner, const al_options *opts)
{
    (void)opts;
    stats *w = al_wrapper_alloc(sizeof *w, _Alignof(stats), inner, "stats"); /* all counters 0 */
    if (!w || !al_wrapper_init_mutex(w, &w->mark_lock, "stats")) return NULL;
    w->shared = (inner->caps & AL_CAP_THREAD_SAFE) != 0;
    al_wrapper_setup(&w->base, &stats_vt, inner, 0);
    return &w->base.self;
}

const al_wrapper_desc al_wrapper_stats = {
    .name = "stats",
    .description = "counts calls, bytes, live and peak memory and a size histogram",
    .wrap = stats_wrap,
};

/* ----------------------------------------------------------------------------
 * The query API: find the outermost stats: layer of a chain.
 * ------------------------------------------------------------------------- */
static stats *find_stats(al_allocator *a)
{
    for (; a != NULL; a = al_wrapper_inner(a))
        if (a->vt->destroy == al_stats_destroy) return ST(a->state);
    return NULL;
}

bool al_stats_get(al_allocator *a, al_stats *out)
{
    stats *s = find_stats(a);
    if (!s || !out) return false;
    const counters *c = &s->c;
    *out = (al_stats){
        .allocs = LOAD(c->allocs), .zeroed = LOAD(c->zeroed), .deallocs = LOAD(c->deallocs),
        .grows = LOAD(c->grows), .shrinks = LOAD(c->shrinks), .resets = LOAD(c->resets),
        .marks = LOAD(c->marks), .rewinds = LOAD(c->rewinds), .failed = LOAD(c->failed),
        .bytes_requested = LOAD(c->bytes_requested), .live_bytes = LOAD(c->live_bytes),
        .live_blocks = LOAD(c->live_blocks), .peak_bytes = LOAD(c->peak_bytes),
        .peak_blocks = LOAD(c->peak_blocks),
    };
    for (size_t k = 0; k < AL_STATS_BUCKETS; k++) out->histogram[k] = LOAD(c->histogram[k]);
    return true;
}

void al_stats_clear(al_allocator *a)
{
    stats *s = find_stats(a);
    if (!s) return;
    counters *c = &s->c;
    counter *zero[] = {&c->allocs, &c->zeroed, &c->deallocs, &c->grows, &c->shrinks,
                                &c->resets, &c->marks, &c->rewinds, &c->failed, &c->bytes_requested};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) STORE(*zero[i], 0);
    for (size_t k = 0; k < AL_STATS_BUCKETS; k++) STORE(c->histogram[k], 0);
    STORE(c->peak_bytes, LOAD(c->live_bytes));
    STORE(c->peak_blocks, LOAD(c->live_blocks));
}

/* ----------------------------------------------------------------------------
 * The summary: calls first, then memory, then the size histogram.
 * ------------------------------------------------------------------------- */
int al_stats_print(FILE *f, const al_stats *s)
{
    if (!f || !s) return -1;
    int total = 0, w;
#define OUT(...) do { if ((w = fprintf(f, __VA_ARGS__)) < 0) return -1; total += w; } while (0)
    OUT("calls: allocate %" PRIu64 ", allocate_zeroed %" PRIu64 ", deallocate %" PRIu64
        ", grow %" PRIu64 ", shrink %" PRIu64 ", reset %" PRIu64 ", mark %" PRIu64
        ", rewind %" PRIu64 "; failed %" PRIu64 "\n",
        s->allocs, s->zeroed, s->deallocs, s->grows, s->shrinks, s->resets, s->marks,
        s->rewinds, s->failed);
    OUT("bytes requested: %" PRIu64 "\n", s->bytes_requested);
    OUT("live: %" PRIu64 " bytes in %" PRIu64 " blocks; peak: %" PRIu64 " bytes, %" PRIu64
        " blocks\n", s->live_bytes, s->live_blocks, s->peak_bytes, s->peak_blocks);
    uint64_t most = 0;
    for (size_t k = 0; k < AL_STATS_BUCKETS; k++)
        if (s->histogram[k] > most) most = s->histogram[k];
    OUT("request sizes:%s\n", most ? "" : " none");
    for (size_t k = 0; k < AL_STATS_BUCKETS && most; k++) {
        uint64_t n = s->histogram[k];
        if (n == 0) continue;
        int bar = (int)((n * 40 + most - 1) / most); /* 1..40 marks, the largest bucket 40 */
        OUT("  %20" PRIu64 " .. %-20" PRIu64 " %12" PRIu64 " %.*s\n", k ? (uint64_t)1 << k : 0,
            k < 63 ? ((uint64_t)2 << k) - 1 : UINT64_MAX, n, bar,
            "########################################");
    }
#undef OUT
    return total;
}
