/* spec: the process's malloc served by any registry allocator
 * (ALLOCLAB_MALLOC=arena, pool, stats:sys, verbose:sys, mi...), the C form of
 * Rust's #[global_allocator].
 *
 * The registry's interface is sized: deallocate needs the size and alignment
 * the block was asked with, which free() does not give. Every block therefore
 * carries a 16-byte header right in front of the pointer handed out: the size
 * asked for, the distance back to the start of the backend's block, the
 * backend alignment, where the block came from, and a check word. Alignments
 * up to 4096 are asked of the backend (the contract's guaranteed range);
 * larger ones are cut out of a bigger block.
 *
 * Blocks come from glibc instead (same header, marked as such) until the spec
 * is ready, and for calls made from inside the spec's own calls (a backend
 * opening its library with dlopen, which allocates), so that no allocator is
 * ever entered again while it runs. free and realloc give each block back to
 * where it came from.
 *
 * Guarantees: when the spec's backend is not thread-safe (behind a locked:
 * layer or not), one recursive mutex serialises every call into it, held across fork (pthread_atfork) so
 * that a child never inherits it half-way through a call; thread-safe specs
 * are called without a lock. A pointer without a valid header is never given
 * to an allocator: it is reported once and ignored. With a stats: layer in
 * the spec, the counts are printed on stderr at exit (through a copy of
 * descriptor 2 taken at start, numbered 100 or above and closed on exec,
 * since many programs close stderr before they exit). The instance is never
 * destroyed: blocks may be freed until the very end of the process.
 */
#include "malloc_internal.h"

#include "alloclab/registry.h"
#include "alloclab/wrappers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * The header.
 * ------------------------------------------------------------------------- */
enum { FROM_SPEC = 1, FROM_LIBC = 2 };

typedef struct am_hdr {
    size_t size;         /* the size asked for */
    uint32_t offset;     /* user pointer - backend block */
    uint8_t align_log2;  /* the alignment the backend block was asked with */
    uint8_t from;        /* FROM_SPEC or FROM_LIBC */
    uint16_t check;      /* CHECK(user pointer, from) */
} am_hdr;

_Static_assert(sizeof(am_hdr) == AM_MIN_ALIGN, "the header keeps malloc's alignment");

#define HDR(user) ((am_hdr *)(void *)((char *)(user) - sizeof(am_hdr)))
#define BASE(user, h) ((char *)(user) - (h)->offset)
#define CHECK(user, from) ((uint16_t)((((uintptr_t)(user) >> 4) ^ 0xa15bu) + (from)))
/* The largest alignment asked of a backend; beyond it, blocks are cut out. */
#define BACKEND_MAX_ALIGN 4096u
/* The largest alignment the header can describe (offset is 32 bits). */
#define MAX_ALIGN ((size_t)1 << 30)

/* ----------------------------------------------------------------------------
 * The spec's instance and how it is entered.
 * ------------------------------------------------------------------------- */
static al_allocator *inst;         /* set once, before `ready` */
static atomic_bool ready;          /* inst may be used */
static bool locked;                /* inst is not thread-safe: take `lock` */
static bool has_stats;             /* the spec has a stats: layer: print at exit */
static int stats_fd = -1;          /* a copy of stderr for that (programs close theirs) */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static AM_TLS int depth;           /* > 0 while this thread runs inside inst */

static atomic_size_t live_bytes, live_blocks, held_bytes;

static void enter(void)
{
    depth++;
    if (locked) pthread_mutex_lock(&lock);
}

static void leave(void)
{
    if (locked) pthread_mutex_unlock(&lock);
    depth--;
}

/* Whether a call may go into inst now (not before it is ready, and not from
 * inside one of its own calls). */
static bool inst_usable(void)
{
    return atomic_load_explicit(&ready, memory_order_acquire) && depth == 0;
}

static void fork_prepare(void) { if (locked) pthread_mutex_lock(&lock); }
static void fork_parent(void) { if (locked) pthread_mutex_unlock(&lock); }
/* The child's only thread is the one that forked, under a new thread id: a
 * recursive mutex it holds cannot be unlocked there, only made anew. */
static void fork_child(void)
{
    pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    memcpy(&lock, &fresh, sizeof lock);
}

static void print_stats_at_exit(void) __attribute__((destructor));
static void print_stats_at_exit(void)
{
    al_stats s;
    if (!has_stats || !atomic_load(&ready) || stats_fd < 0) return;
    enter();
    bool ok = al_stats_get(inst, &s);
    leave();
    FILE *f = ok ? fdopen(stats_fd, "w") : NULL; /* allocates: fine by now */
    if (!f) return;
    fprintf(f, "alloclab-malloc: ALLOCLAB_MALLOC=%s, pid %ld, counts at exit (sizes include a %zu-byte header):\n",
            am_spec_name(), (long)getpid(), sizeof(am_hdr));
    al_stats_print(f, &s);
    fclose(f);
    stats_fd = -1;
}

bool am_spec_start(const char *spec)
{
    depth++; /* everything al_create allocates through malloc comes from glibc */
    al_allocator *a = al_create(spec, NULL);
    depth--;
    if (!a) return false; /* al_last_error() says why */
    al_stats tmp;
    /* The lock goes by the innermost allocator: over a backend that is not
     * thread-safe, a locked: layer's own mutex would be taken across fork,
     * so the adapter's lock (held across fork) is taken first. */
    al_allocator *innermost = a;
    while (al_wrapper_inner(innermost)) innermost = al_wrapper_inner(innermost);
    locked = !al_has(innermost, AL_CAP_THREAD_SAFE);
    has_stats = al_stats_get(a, &tmp);
    /* coreutils and others close stderr before exit: keep a copy, out of
     * the way of the program's own descriptors, closed on exec. */
    if (has_stats) stats_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
    inst = a;
    if (locked) {
        depth++;
        pthread_atfork(fork_prepare, fork_parent, fork_child);
        depth--;
    }
    atomic_store_explicit(&ready, true, memory_order_release);
    return true;
}

/* ----------------------------------------------------------------------------
 * Blocks.
 * ------------------------------------------------------------------------- */
static void *header_out(char *base, size_t offset, size_t size, size_t align, int from)
{
    char *user = base + offset;
    am_hdr *h = HDR(user);
    *h = (am_hdr){.size = size, .offset = (uint32_t)offset,
                  .align_log2 = (uint8_t)__builtin_ctzl(align), .from = (uint8_t)from,
                  .check = CHECK(user, from)};
    atomic_fetch_add_explicit(&live_bytes, size, memory_order_relaxed);
    atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&held_bytes, offset + size, memory_order_relaxed);
    return user;
}

static void header_gone(const am_hdr *h)
{
    atomic_fetch_sub_explicit(&live_bytes, h->size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&held_bytes, h->offset + h->size, memory_order_relaxed);
}

static void *from_libc(size_t total, size_t balign, bool zero)
{
    if (balign <= AM_MIN_ALIGN) return zero ? al_libc_calloc(1, total) : al_libc_malloc(total);
    void *p = al_libc_memalign(balign, total);
    if (p && zero) memset(p, 0, total);
    return p;
}

void *am_spec_alloc(size_t size, size_t align, bool zero)
{
    if (align < AM_MIN_ALIGN) align = AM_MIN_ALIGN;
    if (align > MAX_ALIGN || size > AM_MAX_SIZE - 2 * align) {
        errno = ENOMEM;
        return NULL;
    }
    /* Up to BACKEND_MAX_ALIGN the backend aligns the block and the header
     * takes `align` bytes in front; beyond, the user pointer is the first
     * aligned address past a header in a block of size + align bytes. */
    size_t balign = align <= BACKEND_MAX_ALIGN ? align : BACKEND_MAX_ALIGN;
    size_t total = size + align;
    bool spec = inst_usable();
    char *base;
    if (spec) {
        enter();
        base = zero ? al_allocate_zeroed(inst, total, balign) : al_allocate(inst, total, balign);
        leave();
    } else {
        base = from_libc(total, balign, zero);
    }
    if (!base) {
        errno = ENOMEM;
        return NULL;
    }
    size_t offset = align <= BACKEND_MAX_ALIGN
                        ? align
                        : (((uintptr_t)base + sizeof(am_hdr) + align - 1) & ~(uintptr_t)(align - 1)) -
                              (uintptr_t)base;
    if (!spec && !(__atomic_load_n(&am_route, __ATOMIC_RELAXED) & AM_ROUTE_BOOT))
        __atomic_fetch_or(&am_route, AM_ROUTE_BOOT, __ATOMIC_RELAXED);
    return header_out(base, offset, size, balign, spec ? FROM_SPEC : FROM_LIBC);
}

bool am_spec_owns(const void *ptr)
{
    if (!ptr || ((uintptr_t)ptr & (AM_MIN_ALIGN - 1))) return false;
    const am_hdr *h = HDR(ptr);
    return (h->from == FROM_SPEC || h->from == FROM_LIBC) && h->check == CHECK(ptr, h->from);
}

static void report_foreign(const void *ptr)
{
    static atomic_bool said;
    if (!atomic_exchange(&said, true))
        al_say("alloclab-malloc: free of %p, which it did not allocate: ignored (reported once)\n", ptr);
}

void am_spec_free(void *ptr)
{
    if (!am_spec_owns(ptr)) {
        report_foreign(ptr);
        return;
    }
    am_hdr *h = HDR(ptr);
    char *base = BASE(ptr, h);
    header_gone(h);
    h->check = 0; /* a second free of the same pointer is caught as foreign */
    if (h->from == FROM_LIBC) {
        al_libc_free(base);
        return;
    }
    /* A spec block freed from inside a spec call (depth > 0) cannot be given
     * back without entering the allocator again: it stays allocated. */
    if (depth > 0) return;
    enter();
    al_deallocate(inst, base, h->offset + h->size, (size_t)1 << h->align_log2);
    leave();
}

size_t am_spec_usable(const void *ptr)
{
    return am_spec_owns(ptr) ? HDR(ptr)->size : 0;
}

void *am_spec_realloc(void *ptr, size_t size)
{
    if (!am_spec_owns(ptr)) {
        report_foreign(ptr);
        errno = ENOMEM;
        return NULL;
    }
    am_hdr *h = HDR(ptr);
    if (size > AM_MAX_SIZE - 2 * AM_MIN_ALIGN) {
        errno = ENOMEM;
        return NULL;
    }
    /* A plain block resizes in place where its allocator can; the header
     * moves with it. Over-aligned blocks move (realloc keeps only malloc's
     * alignment, as glibc's does). */
    if (h->offset == AM_MIN_ALIGN && h->align_log2 == __builtin_ctz(AM_MIN_ALIGN)) {
        am_hdr old = *h;
        char *base = BASE(ptr, h), *nb = NULL;
        bool same_source = old.from == FROM_SPEC ? inst_usable() : true;
        if (same_source) {
            if (old.from == FROM_SPEC) {
                enter();
                nb = al_resize(inst, base, old.offset + old.size, old.offset + size, AM_MIN_ALIGN);
                leave();
            } else {
                nb = al_libc_realloc(base, old.offset + size);
            }
            if (!nb) {
                errno = ENOMEM;
                return NULL;
            }
            header_gone(&old);
            return header_out(nb, old.offset, size, AM_MIN_ALIGN, old.from);
        }
    }
    void *p = am_spec_alloc(size, AM_MIN_ALIGN, false);
    if (!p) return NULL;
    memcpy(p, ptr, h->size < size ? h->size : size);
    am_spec_free(ptr);
    return p;
}

void am_spec_counts_get(am_spec_counts *out)
{
    out->live_bytes = atomic_load_explicit(&live_bytes, memory_order_relaxed);
    out->live_blocks = atomic_load_explicit(&live_blocks, memory_order_relaxed);
    out->held_bytes = atomic_load_explicit(&held_bytes, memory_order_relaxed);
}
