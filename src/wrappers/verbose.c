/* verbose: one log line per call, written without allocating.
 *
 * A line is formatted into a stack buffer by the small formatters below (no
 * printf family, no stdio buffer: either may allocate) and written with one
 * write(2), so concurrent lines do not interleave on a pipe or a file opened
 * for appending. The format is documented in alloclab/wrappers.h. */
#include "wrapper.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct verbose {
    al_wrapper_base base; /* first: the state pointer is the instance */
    FILE *log;            /* flushed before each line (the caller's own output first), or NULL */
    int fd;               /* where lines go */
} verbose;

#define VB(st) ((verbose *)(st))
#define INNER(st) (VB(st)->base.inner)

/* ----------------------------------------------------------------------------
 * Line formatting into a fixed buffer. Text past the end is dropped, but the
 * line always ends with '\n'.
 * ------------------------------------------------------------------------- */
#define LINE_MAX_LEN 256

typedef struct line {
    char buf[LINE_MAX_LEN];
    size_t n; /* < LINE_MAX_LEN: room for the final '\n' */
} line;

static void put_str(line *l, const char *s)
{
    while (*s && l->n < LINE_MAX_LEN - 1) l->buf[l->n++] = *s++;
}

static void put_u64(line *l, uint64_t v)
{
    char tmp[20];
    int k = 0;
    do tmp[k++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    while (k > 0 && l->n < LINE_MAX_LEN - 1) l->buf[l->n++] = tmp[--k];
}

static void put_ptr(line *l, const void *p)
{
    if (p == NULL) {
        put_str(l, "NULL");
        return;
    }
    char tmp[16];
    int k = 0;
    uintptr_t v = (uintptr_t)p;
    do tmp[k++] = "0123456789abcdef"[v & 15]; while ((v >>= 4) != 0);
    put_str(l, "0x");
    while (k > 0 && l->n < LINE_MAX_LEN - 1) l->buf[l->n++] = tmp[--k];
}

/* Start a line: "[alloclab] op(". */
static void begin(line *l, const char *op)
{
    l->n = 0;
    put_str(l, "[alloclab] ");
    put_str(l, op);
    put_str(l, "(");
}

/* "size=N, align=N" */
static void put_layout(line *l, size_t size, size_t align)
{
    put_str(l, "size=");
    put_u64(l, size);
    put_str(l, ", align=");
    put_u64(l, align);
}

/* End the line with " (N ns)\n" and write it. Errors are ignored: logging
 * never changes what the call returns. */
static void finish(verbose *v, line *l, uint64_t ns)
{
    put_str(l, " (");
    put_u64(l, ns);
    put_str(l, " ns)");
    l->buf[l->n++] = '\n';
    if (v->log) fflush(v->log);
    for (size_t off = 0; off < l->n;) {
        ssize_t w = write(v->fd, l->buf + off, l->n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ----------------------------------------------------------------------------
 * The operations: time the inner call, then log it. errno is kept as the
 * inner call left it.
 * ------------------------------------------------------------------------- */
#define TIMED(expr) \
    uint64_t t0_ = now_ns(); \
    expr; \
    uint64_t ns_ = now_ns() - t0_; \
    int errno_ = errno

#define LOG_END(v, l) do { finish((v), (l), ns_); errno = errno_; } while (0)

/* "op(size=N, align=N) -> result" */
static void log_alloc(verbose *v, const char *op, size_t size, size_t align, void *result, uint64_t ns)
{
    line l;
    begin(&l, op);
    put_layout(&l, size, align);
    put_str(&l, ") -> ");
    put_ptr(&l, result);
    finish(v, &l, ns);
}

static void *vb_allocate(void *st, size_t size, size_t align)
{
    TIMED(void *p = al_allocate(INNER(st), size, align));
    log_alloc(VB(st), "allocate", size, align, p, ns_);
    errno = errno_;
    return p;
}

static void *vb_zeroed(void *st, size_t size, size_t align)
{
    TIMED(void *p = al_allocate_zeroed(INNER(st), size, align));
    log_alloc(VB(st), "allocate_zeroed", size, align, p, ns_);
    errno = errno_;
    return p;
}

static void vb_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    line l;
    TIMED(al_deallocate(INNER(st), ptr, size, align));
    begin(&l, "deallocate");
    put_ptr(&l, ptr);
    put_str(&l, ", ");
    put_layout(&l, size, align);
    put_str(&l, ")");
    LOG_END(VB(st), &l);
}

/* "op(ptr, old -> new, align=A) -> result" */
static void log_resize(verbose *v, const char *op, void *ptr, size_t old_size, size_t new_size,
                       size_t align, void *result, uint64_t ns)
{
    line l;
    begin(&l, op);
    put_ptr(&l, ptr);
    put_str(&l, ", ");
    put_u64(&l, old_size);
    put_str(&l, " -> ");
    put_u64(&l, new_size);
    put_str(&l, ", align=");
    put_u64(&l, align);
    put_str(&l, ") -> ");
    put_ptr(&l, result);
    finish(v, &l, ns);
}

static void *vb_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    TIMED(void *p = al_grow(INNER(st), ptr, old_size, new_size, align));
    log_resize(VB(st), "grow", ptr, old_size, new_size, align, p, ns_);
    errno = errno_;
    return p;
}

static void *vb_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    TIMED(void *p = al_shrink(INNER(st), ptr, old_size, new_size, align));
    log_resize(VB(st), "shrink", ptr, old_size, new_size, align, p, ns_);
    errno = errno_;
    return p;
}

static size_t vb_usable(void *st, const void *ptr, size_t size, size_t align)
{
    line l;
    TIMED(size_t n = al_usable_size(INNER(st), ptr, size, align));
    begin(&l, "usable_size");
    put_ptr(&l, ptr);
    put_str(&l, ", ");
    put_layout(&l, size, align);
    put_str(&l, ") -> ");
    put_u64(&l, n);
    LOG_END(VB(st), &l);
    return n;
}

static void vb_reset(void *st)
{
    line l;
    TIMED(al_reset(INNER(st)));
    begin(&l, "reset");
    put_str(&l, ")");
    LOG_END(VB(st), &l);
}

static bool vb_mark(void *st, al_mark *out)
{
    line l;
    TIMED(bool ok = al_mark_get(INNER(st), out));
    begin(&l, "mark");
    put_str(&l, ok ? ") -> ok" : ") -> failed");
    LOG_END(VB(st), &l);
    return ok;
}

static void vb_rewind(void *st, const al_mark *m)
{
    line l;
    TIMED(al_rewind(INNER(st), m));
    begin(&l, "rewind");
    put_str(&l, ")");
    LOG_END(VB(st), &l);
}

void al_verbose_destroy(void *st)
{
    verbose v = *VB(st); /* where to log, once the instance is gone */
    line l;
    TIMED(al_destroy(v.base.inner));
    free(st);
    begin(&l, "destroy");
    put_str(&l, ")");
    LOG_END(&v, &l);
}

static const al_vtable verbose_vt = {
    .allocate = vb_allocate,
    .deallocate = vb_deallocate,
    .grow = vb_grow,
    .shrink = vb_shrink,
    .allocate_zeroed = vb_zeroed,
    .reset = vb_reset,
    .usable_size = vb_usable,
    .mark = vb_mark,
    .rewind = vb_rewind,
    .destroy = al_verbose_destroy,
};

static al_allocator *verbose_wrap(al_allocator *inner, const al_options *opts)
{
    static const al_options defaults;
    if (!opts) opts = &defaults;
    int fd = opts->log ? fileno(opts->log) : opts->log_fd > 0 ? opts->log_fd : STDERR_FILENO;
    if (fd < 0) {
        al_set_error("verbose: the log stream has no file descriptor");
        return NULL;
    }
    verbose *w = al_wrapper_alloc(sizeof *w, _Alignof(verbose), inner, "verbose");
    if (!w) return NULL;
    w->log = opts->log;
    w->fd = fd;
    al_wrapper_setup(&w->base, &verbose_vt, inner, 0);
    return &w->base.self;
}

const al_wrapper_desc al_wrapper_verbose = {
    .name = "verbose",
    .description = "logs every call (size, alignment, result, time) without allocating",
    .wrap = verbose_wrap,
};
