/* The recorder's entry points: every allocation function a program may call,
 * each forwarded to the next allocator in the process (glibc's, or one
 * preloaded after this library) and recorded around that call.
 *
 * Guarantees:
 * - The call is always forwarded, whether or not the image records, and the
 *   result and errno the program sees are the next allocator's.
 * - Bootstrap: the first call (often from the loader) resolves the next
 *   allocator with dlsym(RTLD_NEXT); dlsym's own allocations are served from
 *   a static pool that is never freed or handed to the next allocator.
 * - Ordering: an allocation is time-stamped after the next allocator
 *   returned, a free before it is called, a realloc on both sides. Another
 *   thread can only be given a block after its free's time stamp, so merging
 *   the threads by time never shows a block allocated twice at once.
 * - The tracer's own code (flushing, stacks, thread set-up) runs with
 *   rec_self cleared: its allocations are forwarded and not recorded.
 */
#include "recorder.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *(*rec_next_malloc)(size_t);
void (*rec_next_free)(void *);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static void *(*next_memalign)(size_t, size_t);
static void *(*next_valloc)(size_t);
static void *(*next_pvalloc)(size_t);
static size_t (*next_usable_size)(void *);
static void (*next_free_sized)(void *, size_t);
static void (*next_free_aligned_sized)(void *, size_t, size_t);

/* ---- bootstrap ------------------------------------------------------------
 * 0: nothing resolved; 1: a thread is resolving (its own calls meanwhile go
 * to the early pool, other threads wait); 2: ready. */
static _Atomic int boot_state;
static __thread volatile int boot_resolving REC_TLS; /* volatile: read by the nested calls dlsym makes */

#define EARLY_POOL_BYTES (64u << 10)
static unsigned char early_pool[EARLY_POOL_BYTES] __attribute__((aligned(64)));
static _Atomic size_t early_used;

static inline bool in_early(const void *p)
{
    return (uintptr_t)p - (uintptr_t)early_pool < EARLY_POOL_BYTES; /* one comparison */
}

/* Bump allocation from the static pool, with its size in the 16 bytes before
 * the block; zeroed (the pool is never reused). NULL when spent. */
static void *early_alloc(size_t size, size_t align)
{
    if (align < 16) align = 16;
    if (size > EARLY_POOL_BYTES || align > 4096) return NULL;
    size_t cur = atomic_load(&early_used);
    for (;;) {
        size_t start = (cur + 16 + align - 1) & ~(align - 1);
        size_t end = start + ((size + 15) & ~(size_t)15);
        if (end > EARLY_POOL_BYTES) return NULL;
        if (atomic_compare_exchange_weak(&early_used, &cur, end)) {
            *(size_t *)(early_pool + start - 16) = size;
            return early_pool + start;
        }
    }
}

static size_t early_size(const void *p) { return *(const size_t *)((const unsigned char *)p - 16); }

static void resolve_next(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&boot_state, &expected, 1)) {
        if (boot_resolving) return;
        while (atomic_load(&boot_state) != 2) sched_yield();
        return;
    }
    boot_resolving = 1;
#define NEXT(var, name) *(void **)(&var) = dlsym(RTLD_NEXT, name)
    NEXT(rec_next_free, "free");
    NEXT(next_calloc, "calloc");
    NEXT(next_realloc, "realloc");
    NEXT(next_posix_memalign, "posix_memalign");
    NEXT(next_aligned_alloc, "aligned_alloc");
    NEXT(next_memalign, "memalign");
    NEXT(next_valloc, "valloc");
    NEXT(next_pvalloc, "pvalloc");
    NEXT(next_usable_size, "malloc_usable_size");
    NEXT(next_free_sized, "free_sized");
    NEXT(next_free_aligned_sized, "free_aligned_sized");
    void *(*m)(size_t);
    NEXT(m, "malloc");
#undef NEXT
    /* malloc last: its being set is what tells the entry points that the
     * others are there. */
    rec_next_malloc = m;
    boot_resolving = 0;
    if (!rec_next_malloc || !rec_next_free || !next_calloc || !next_realloc || !next_memalign) {
        static const char msg[] = "alloclab-trace: cannot find the next malloc (RTLD_NEXT)\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        abort();
    }
    rec_process_init();
    atomic_store(&boot_state, 2);
}

void rec_boot(void)
{
    if (atomic_load_explicit(&boot_state, memory_order_acquire) != 2) resolve_next();
}

/* The slow start of every entry point: resolve the next allocator if needed
 * and find the thread's recorder state (NULL: do not record this call). */
static rec_thread *slow_enter(void)
{
    if (REC_UNLIKELY(atomic_load_explicit(&boot_state, memory_order_acquire) != 2)) {
        resolve_next();
        if (atomic_load(&boot_state) != 2) return NULL; /* this thread is resolving */
    }
    return rec_thread_start();
}

#define ENTER(ts)                       \
    rec_thread *ts = rec_self;          \
    if (REC_UNLIKELY(!ts)) ts = slow_enter()

/* ---- recording: words appended to the thread's buffer -------------------
 * The hot path only stores words (encode.h) and publishes its position; the
 * flusher thread encodes and compresses them. There is always room for one
 * more event at pos: the check against limit comes after the event, and the
 * slow path (a full buffer, write-through) starts another buffer then. */
static inline uint64_t *ev_begin(rec_thread *ts) { return atomic_load_explicit(&ts->pos, memory_order_relaxed); }

static inline void ev_end(rec_thread *ts, uint64_t *q)
{
    atomic_store_explicit(&ts->pos, q, memory_order_release);
    if (REC_UNLIKELY(q >= atomic_load_explicit(&ts->limit, memory_order_relaxed))) rec_slow(ts);
}

static inline bool kind_has_align(unsigned kind)
{
    return kind == AL_EV_POSIX_MEMALIGN || kind == AL_EV_ALIGNED_ALLOC || kind == AL_EV_MEMALIGN;
}

/* An event is a head, the address, the size (free: none), then a realloc's
 * return stamp and old address, an alignment (encode.h). With --stacks, or
 * without the TSC, it takes this out-of-line path, so that the plain one
 * tests one flag and keeps its few values in registers. */
static __attribute__((noinline)) void rec_event_stacked(rec_thread *ts, uint64_t w0, const void *p, uint64_t size,
                                                        uint64_t t1, const void *old, uint64_t align)
{
    unsigned head = AL_REC_HEAD(w0), kind = head & AL_EV_KIND_MASK;
    uint64_t *q = ev_begin(ts);
    uint32_t sid = rec_stacks ? rec_stack_id(ts, &q) : 0; /* also here without the TSC */
    if (sid) w0 |= AL_EV_HAS_STACK;
    q[0] = w0;
    q[1] = (uint64_t)(uintptr_t)p;
    q += 2;
    if (kind != AL_EV_FREE) *q++ = size;
    if (kind == AL_EV_REALLOC || kind == AL_EV_REALLOCARRAY) {
        q[0] = t1;
        q[1] = (uint64_t)(uintptr_t)old;
        q += 2;
    }
    if (kind_has_align(kind) || kind == AL_EV_FREE_ALIGNED_SIZED) *q++ = align;
    if (sid) *q++ = sid;
    ev_end(ts, q);
}

/* An allocation that returned p (NULL: failed); align 0 when not asked. */
static inline void rec_alloc(rec_thread *ts, unsigned kind, uint64_t size, uint64_t align, const void *p)
{
    if (REC_UNLIKELY(!rec_plain)) {
        rec_event_stacked(ts, rec_stamp() | kind | (p ? 0 : AL_EV_FAILED), p, size, 0, NULL, align);
        return;
    }
    uint64_t w0 = rec_tsc_stamp() | kind | (p ? 0 : AL_EV_FAILED);
    uint64_t *q = ev_begin(ts);
    q[0] = w0;
    q[1] = (uint64_t)(uintptr_t)p;
    q[2] = size;
    q += 3;
    if (kind_has_align(kind)) *q++ = align;
    ev_end(ts, q);
}

/* A free, recorded before the next allocator sees it (size and align for
 * the sized kinds only). */
static inline void rec_free(rec_thread *ts, unsigned kind, const void *p, uint64_t size, uint64_t align)
{
    if (REC_UNLIKELY(!rec_plain)) {
        rec_event_stacked(ts, rec_stamp() | kind, p, size, 0, NULL, align);
        return;
    }
    uint64_t w0 = rec_tsc_stamp() | kind;
    uint64_t *q = ev_begin(ts);
    q[0] = w0;
    q[1] = (uint64_t)(uintptr_t)p;
    q += 2;
    if (kind != AL_EV_FREE) *q++ = size;
    if (kind == AL_EV_FREE_ALIGNED_SIZED) *q++ = align;
    ev_end(ts, q);
}

/* t0: the stamp taken before the call. */
static inline void rec_realloc(rec_thread *ts, unsigned kind, uint64_t t0, const void *old, uint64_t size,
                               const void *p)
{
    uint64_t t1 = rec_stamp();
    uint64_t w0 = t0 | kind | (p ? 0 : AL_EV_FAILED);
    if (REC_UNLIKELY(!rec_plain)) {
        rec_event_stacked(ts, w0, p, size, t1, old, 0);
        return;
    }
    uint64_t *q = ev_begin(ts);
    q[0] = w0;
    q[1] = (uint64_t)(uintptr_t)p;
    q[2] = size;
    q[3] = t1;
    q[4] = (uint64_t)(uintptr_t)old;
    ev_end(ts, q + 5);
}

/* ---- the entry points ----------------------------------------------------- */
#define EXPORT __attribute__((visibility("default")))

/* malloc and free: a thread that records has resolved the next allocator,
 * so its calls test nothing else; the rest take the slow start. */
static __attribute__((noinline)) void *malloc_slow(size_t size)
{
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return early_alloc(size, 16);
    void *p = rec_next_malloc(size);
    if (ts) rec_alloc(ts, AL_EV_MALLOC, size, 0, p);
    return p;
}

EXPORT void *malloc(size_t size)
{
    rec_thread *ts = rec_self;
    if (REC_UNLIKELY(!ts)) return malloc_slow(size);
    void *p = rec_next_malloc(size);
    rec_alloc(ts, AL_EV_MALLOC, size, 0, p);
    return p;
}

static __attribute__((noinline)) void free_slow(void *p)
{
    if (REC_UNLIKELY(in_early(p))) return;
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return; /* cannot happen: nothing was allocated */
    if (ts) rec_free(ts, AL_EV_FREE, p, 0, 0);
    rec_next_free(p);
}

EXPORT void free(void *p)
{
    rec_thread *ts = rec_self;
    if (REC_UNLIKELY(!ts || in_early(p))) {
        free_slow(p);
        return;
    }
    rec_free(ts, AL_EV_FREE, p, 0, 0);
    rec_next_free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
    ENTER(ts);
    size_t total;
    bool overflow = __builtin_mul_overflow(n, size, &total);
    if (REC_UNLIKELY(!rec_next_malloc)) return overflow ? NULL : early_alloc(total, 16);
    void *p = next_calloc(n, size);
    if (ts) rec_alloc(ts, AL_EV_CALLOC, overflow ? UINT64_MAX : total, 0, p);
    return p;
}

static void *realloc_early(void *old, size_t size)
{
    /* A block of the early pool is never given to the next allocator: copy
     * it out (the pool keeps it). */
    void *p = rec_next_malloc ? rec_next_malloc(size) : early_alloc(size, 16);
    if (p && old) memcpy(p, old, early_size(old) < size ? early_size(old) : size);
    return p;
}

EXPORT void *realloc(void *old, size_t size)
{
    if (REC_UNLIKELY(in_early(old))) return realloc_early(old, size);
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return realloc_early(NULL, size);
    uint64_t t0 = ts ? rec_stamp() : 0;
    void *p = next_realloc(old, size);
    if (ts) rec_realloc(ts, AL_EV_REALLOC, t0, old, size, p);
    return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        ENTER(ts);
        if (ts) rec_realloc(ts, AL_EV_REALLOCARRAY, rec_stamp(), old, UINT64_MAX, NULL);
        errno = ENOMEM;
        return NULL;
    }
    if (REC_UNLIKELY(in_early(old))) return realloc_early(old, total);
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return realloc_early(NULL, total);
    uint64_t t0 = ts ? rec_stamp() : 0;
    /* glibc's reallocarray calls realloc through the PLT, which would be
     * recorded a second time: check the product here, call realloc. */
    void *p = next_realloc(old, total);
    if (ts) rec_realloc(ts, AL_EV_REALLOCARRAY, t0, old, total, p);
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) {
        void *p = early_alloc(size, align);
        if (!p) return ENOMEM;
        *out = p;
        return 0;
    }
    int rc = next_posix_memalign(out, align, size);
    if (ts) rec_alloc(ts, AL_EV_POSIX_MEMALIGN, size, align, rc == 0 ? *out : NULL);
    return rc;
}

static void *aligned_common(unsigned kind, void *(*next)(size_t, size_t), size_t align, size_t size)
{
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return early_alloc(size, align);
    void *p = next ? next(align, size) : next_memalign(align, size);
    if (ts) rec_alloc(ts, kind, size, align, p);
    return p;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    return aligned_common(AL_EV_ALIGNED_ALLOC, next_aligned_alloc, align, size);
}

EXPORT void *memalign(size_t align, size_t size) { return aligned_common(AL_EV_MEMALIGN, next_memalign, align, size); }

static void *page_common(unsigned kind, void *(*next)(size_t), size_t size)
{
    ENTER(ts);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (REC_UNLIKELY(!rec_next_malloc)) return early_alloc(size, page);
    void *p;
    if (next)
        p = next(size);
    else if (kind == AL_EV_PVALLOC)
        p = next_memalign(page, size ? (size + page - 1) & ~(page - 1) : page);
    else
        p = next_memalign(page, size);
    if (ts) rec_alloc(ts, kind, size, 0, p);
    return p;
}

EXPORT void *valloc(size_t size) { return page_common(AL_EV_VALLOC, next_valloc, size); }
EXPORT void *pvalloc(size_t size) { return page_common(AL_EV_PVALLOC, next_pvalloc, size); }

EXPORT void free_sized(void *p, size_t size)
{
    if (REC_UNLIKELY(in_early(p))) return;
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return;
    if (ts) rec_free(ts, AL_EV_FREE_SIZED, p, size, 0);
    if (next_free_sized)
        next_free_sized(p, size);
    else
        rec_next_free(p);
}

EXPORT void free_aligned_sized(void *p, size_t align, size_t size)
{
    if (REC_UNLIKELY(in_early(p))) return;
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return;
    if (ts) rec_free(ts, AL_EV_FREE_ALIGNED_SIZED, p, size, align);
    if (next_free_aligned_sized)
        next_free_aligned_sized(p, align, size);
    else
        rec_next_free(p);
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (!p) return 0;
    if (in_early(p)) return early_size(p);
    if (REC_UNLIKELY(!rec_next_malloc)) resolve_next();
    return next_usable_size ? next_usable_size(p) : 0;
}

/* cfree: the old name some programs still call. */
EXPORT void cfree(void *p) { free(p); }
