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
    return (const unsigned char *)p >= early_pool && (const unsigned char *)p < early_pool + EARLY_POOL_BYTES;
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

/* ---- recording: records appended to the thread's buffer ------------------
 * The hot path only stores words (encode.h); the flusher thread encodes and
 * compresses them. Each event commits its records with one release store, so
 * that a section's close can take a buffer another thread is filling. */
static inline al_ev_rec *ev_begin(rec_thread *ts)
{
    if (REC_UNLIKELY(ts->pos >= ts->limit)) rec_buffer_next(ts);
    return ts->pos;
}

static inline void ev_end(rec_thread *ts, al_ev_rec *q)
{
    ts->pos = q;
    ts->n++;
    atomic_store_explicit(&ts->buf->committed, ((uint64_t)ts->n << 32) | (uint32_t)(q - ts->buf->data),
                          memory_order_release);
    if (REC_UNLIKELY(atomic_load_explicit(&ts->mode, memory_order_relaxed))) rec_write_through(ts);
}

/* The event's stack, when recording them: its definition first if new, its
 * id after the event. */
static inline al_ev_rec *ev_stack(rec_thread *ts, al_ev_rec *q, unsigned *head, uint32_t *id)
{
    *id = 0;
    if (REC_LIKELY(!rec_stacks)) return q;
    *id = rec_stack_id(ts, &q);
    if (*id) *head |= AL_EV_HAS_STACK;
    return q;
}

static inline al_ev_rec *ev_stack_end(al_ev_rec *q, uint32_t id)
{
    if (REC_UNLIKELY(id)) *q++ = (al_ev_rec){AL_REC_EXT_STACK, id, 0};
    return q;
}

static inline bool kind_has_align(unsigned kind)
{
    return kind == AL_EV_POSIX_MEMALIGN || kind == AL_EV_ALIGNED_ALLOC || kind == AL_EV_MEMALIGN;
}

/* An allocation that returned p (NULL: failed); align 0 when not asked. */
static inline void rec_alloc(rec_thread *ts, unsigned kind, uint64_t size, uint64_t align, const void *p)
{
    uint64_t t = rec_tick();
    al_ev_rec *q = ev_begin(ts);
    unsigned head = kind | (p ? 0 : AL_EV_FAILED);
    uint32_t sid;
    q = ev_stack(ts, q, &head, &sid);
    *q++ = (al_ev_rec){al_rec_w0(t, head), (uint64_t)(uintptr_t)p, size};
    if (kind_has_align(kind)) *q++ = (al_ev_rec){AL_REC_EXT_ALIGN, align, 0};
    ev_end(ts, ev_stack_end(q, sid));
}

/* A free, recorded before the next allocator sees it. */
static inline void rec_free(rec_thread *ts, unsigned kind, const void *p, uint64_t size, uint64_t align)
{
    uint64_t t = rec_tick();
    al_ev_rec *q = ev_begin(ts);
    unsigned head = kind;
    uint32_t sid;
    q = ev_stack(ts, q, &head, &sid);
    *q++ = (al_ev_rec){al_rec_w0(t, head), (uint64_t)(uintptr_t)p, size};
    if (kind == AL_EV_FREE_ALIGNED_SIZED) *q++ = (al_ev_rec){AL_REC_EXT_ALIGN, align, 0};
    ev_end(ts, ev_stack_end(q, sid));
}

static inline void rec_realloc(rec_thread *ts, unsigned kind, uint64_t t0, const void *old, uint64_t size,
                               const void *p)
{
    uint64_t t1 = rec_tick();
    al_ev_rec *q = ev_begin(ts);
    unsigned head = kind | (p ? 0 : AL_EV_FAILED);
    uint32_t sid;
    q = ev_stack(ts, q, &head, &sid);
    *q++ = (al_ev_rec){al_rec_w0(t0, head), (uint64_t)(uintptr_t)p, size};
    *q++ = (al_ev_rec){al_rec_w0(t1, AL_REC_EXT_REALLOC), (uint64_t)(uintptr_t)old, 0};
    ev_end(ts, ev_stack_end(q, sid));
}

/* ---- the entry points ----------------------------------------------------- */
#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t size)
{
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return early_alloc(size, 16);
    void *p = rec_next_malloc(size);
    if (ts) rec_alloc(ts, AL_EV_MALLOC, size, 0, p);
    return p;
}

EXPORT void free(void *p)
{
    if (REC_UNLIKELY(in_early(p))) return;
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return; /* cannot happen: nothing was allocated */
    if (ts) rec_free(ts, AL_EV_FREE, p, 0, 0);
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
    uint64_t t0 = ts ? rec_tick() : 0;
    void *p = next_realloc(old, size);
    if (ts) rec_realloc(ts, AL_EV_REALLOC, t0, old, size, p);
    return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        ENTER(ts);
        if (ts) rec_realloc(ts, AL_EV_REALLOCARRAY, rec_tick(), old, UINT64_MAX, NULL);
        errno = ENOMEM;
        return NULL;
    }
    if (REC_UNLIKELY(in_early(old))) return realloc_early(old, total);
    ENTER(ts);
    if (REC_UNLIKELY(!rec_next_malloc)) return realloc_early(NULL, total);
    uint64_t t0 = ts ? rec_tick() : 0;
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
