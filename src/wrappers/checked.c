/* checked: verifies the caller's side of the sized contract, for any inner.
 *
 * What it guarantees: every misuse below is reported as one finding (one
 * line on stderr, then abort(), or the caller's al_checked_set_handler),
 * and a misused call is not passed on to inner, so inner's state is never
 * corrupted by it:
 *   - a free, grow, shrink or usable_size of a pointer it did not hand out,
 *     or already gave back (double free while the block is in quarantine);
 *   - the wrong size or alignment on any of those calls;
 *   - writes past the end: CANARY bytes follow every block, checked at free,
 *     grow, shrink and destroy;
 *   - writes after free: over an inner that frees (AL_CAP_FREES), a freed
 *     block is filled with POISON and held in a bounded FIFO quarantine
 *     before inner gets it; the poison is checked when it leaves (and at
 *     reset, rewind and destroy);
 *   - blocks still live at destroy, one finding each with its size (over an
 *     inner that frees: with arenas, destroy is how blocks are freed);
 *   - a rewind to a mark it does not hold (taken before a reset or before a
 *     rewind to an earlier mark);
 *   - an inner that hands out a block that is still live or in quarantine.
 * Its metadata (a hash table from block address to size, alignment and
 * state, the quarantine, the marks) lives in pages of its own from mmap,
 * never in inner's memory or libc's heap: a wild pointer is only looked up,
 * never read through. One mutex (fork-safe) guards it and is held across
 * each inner call, so checked:X is thread-safe exactly when X is.
 */
#include "wrapper.h"
#include "say.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define CANARY 16                      /* bytes after every block */
#define POISON 0xdb                    /* the fill of a quarantined block */
#define QUARANTINE_BLOCKS 1024         /* most blocks waiting in quarantine */
#define QUARANTINE_BYTES ((size_t)8 << 20) /* most bytes held there */
#define HOLD_MAX (QUARANTINE_BYTES / 8) /* larger blocks go back at once */
#define TABLE_MIN 1024                 /* slots of a new table (a power of two) */

/* ----------------------------------------------------------------------------
 * Pages of its own: anonymous mappings, never inner's memory.
 * ------------------------------------------------------------------------- */
static void *pages(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ----------------------------------------------------------------------------
 * The table: open addressing over block addresses, linear probing, tombstones.
 * ------------------------------------------------------------------------- */
enum { SLOT_EMPTY, SLOT_LIVE, SLOT_FREED, SLOT_TOMB };

typedef struct entry {
    uintptr_t ptr;
    size_t size, align;   /* as the caller asked */
    uint64_t seq;         /* allocation order: marks cut by it */
    uint8_t state;        /* SLOT_* */
    bool held;            /* SLOT_FREED: poisoned, still to go back to inner */
} entry;

/* A quarantine slot: the entry it names, unless that address was reused. */
typedef struct qslot {
    uintptr_t ptr;
    uint64_t seq;
} qslot;

typedef struct mark_rec {
    al_mark mark;
    uint64_t seq; /* blocks with a larger seq were allocated after it */
} mark_rec;

typedef struct checked {
    al_wrapper_base base; /* first: the state pointer is the instance */
    al_fork_mutex lock;
    bool frees;           /* inner has AL_CAP_FREES: quarantine and leak report */
    entry *slots;
    size_t cap, used, tombs; /* used: LIVE and FREED entries */
    uint64_t seq;
    qslot *q;             /* ring of QUARANTINE_BLOCKS */
    size_t q_head, q_len, q_bytes;
    mark_rec *marks;
    size_t n_marks, marks_cap;
} checked;

#define CK(st) ((checked *)(st))

static size_t hash_of(uintptr_t p, size_t cap)
{
    return (size_t)(((uint64_t)p * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static entry *find(checked *c, uintptr_t p)
{
    for (size_t i = hash_of(p, c->cap);; i = (i + 1) & (c->cap - 1)) {
        entry *e = &c->slots[i];
        if (e->state == SLOT_EMPTY) return NULL;
        if (e->state != SLOT_TOMB && e->ptr == p) return e;
    }
}

static bool rehash(checked *c, size_t cap)
{
    entry *ns = pages(cap * sizeof *ns);
    if (!ns) return false;
    for (size_t i = 0; i < c->cap; i++) {
        entry *e = &c->slots[i];
        if (e->state != SLOT_LIVE && e->state != SLOT_FREED) continue;
        size_t j = hash_of(e->ptr, cap);
        while (ns[j].state != SLOT_EMPTY) j = (j + 1) & (cap - 1);
        ns[j] = *e;
    }
    if (c->slots) munmap(c->slots, c->cap * sizeof *c->slots);
    c->slots = ns;
    c->cap = cap;
    c->tombs = 0;
    return true;
}

/* A slot for the new address p (not in the table), or NULL when the table
 * cannot grow. */
static entry *insert(checked *c, uintptr_t p)
{
    if ((c->used + c->tombs + 1) * 2 > c->cap && !rehash(c, c->used * 4 > c->cap ? c->cap * 2 : c->cap))
        return NULL;
    size_t i = hash_of(p, c->cap);
    while (c->slots[i].state == SLOT_LIVE || c->slots[i].state == SLOT_FREED) i = (i + 1) & (c->cap - 1);
    if (c->slots[i].state == SLOT_TOMB) c->tombs--;
    c->used++;
    c->slots[i] = (entry){.ptr = p};
    return &c->slots[i];
}

static void remove_entry(checked *c, entry *e)
{
    if (e->state == SLOT_FREED && e->held) c->q_bytes -= e->size + CANARY;
    e->state = SLOT_TOMB;
    c->used--;
    c->tombs++;
}

/* ----------------------------------------------------------------------------
 * Findings: one line each, to the handler (default: stderr, then abort).
 * ------------------------------------------------------------------------- */
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static al_checked_handler handler_fn;
static void *handler_ctx;

void al_checked_set_handler(al_checked_handler fn, void *ctx)
{
    pthread_mutex_lock(&handler_lock);
    handler_fn = fn;
    handler_ctx = ctx;
    pthread_mutex_unlock(&handler_lock);
}

static const char *const kind_names[] = {
    [AL_CHECKED_DOUBLE_FREE] = "double free",       [AL_CHECKED_WRONG_SIZE] = "wrong size",
    [AL_CHECKED_WRONG_ALIGN] = "wrong alignment",   [AL_CHECKED_UNKNOWN_POINTER] = "unknown pointer",
    [AL_CHECKED_OVERFLOW] = "overflow",             [AL_CHECKED_USE_AFTER_FREE] = "use after free",
    [AL_CHECKED_LEAK] = "leak",                     [AL_CHECKED_STALE_MARK] = "stale mark",
    [AL_CHECKED_INNER_FAULT] = "inner fault",
};

/* Report f, its line made of `call` (the operation as called) and `detail`.
 * Returns only when the handler (or, for a leak, the default) does. */
static void report(al_checked_finding *f, const char *call, const char *detail)
{
    char line[510]; /* with its newline, within al_say's 511 bytes */
    snprintf(line, sizeof line, "alloclab checked: %s: %s: %s", kind_names[f->kind], call, detail);
    f->line = line;
    pthread_mutex_lock(&handler_lock);
    al_checked_handler fn = handler_fn;
    void *ctx = handler_ctx;
    pthread_mutex_unlock(&handler_lock);
    if (fn) {
        fn(f, ctx);
        return;
    }
    al_say("%s\n", line);
    if (f->kind != AL_CHECKED_LEAK) abort();
}

/* The call as a caller wrote it, for the finding's line. */
static void describe_call(char *buf, size_t len, const char *op, const void *ptr, size_t size, size_t new_size,
                          size_t align)
{
    if (new_size) snprintf(buf, len, "%s(%p, %zu -> %zu, align=%zu)", op, ptr, size, new_size, align);
    else snprintf(buf, len, "%s(%p, size=%zu, align=%zu)", op, ptr, size, align);
}

/* ----------------------------------------------------------------------------
 * Canaries and poison. A canary byte depends on the block's address and its
 * offset, so a block copied elsewhere does not carry a valid canary along.
 * ------------------------------------------------------------------------- */
static unsigned char canary_byte(uintptr_t p, size_t i) { return (unsigned char)(0xa5 ^ (p >> 4) ^ (i * 0x3b)); }

static void put_canary(uintptr_t p, size_t size)
{
    unsigned char *c = (unsigned char *)p + size;
    for (size_t i = 0; i < CANARY; i++) c[i] = canary_byte(p, i);
}

/* The first changed canary byte's offset from the block's start, or 0. */
static size_t canary_broken(uintptr_t p, size_t size)
{
    const unsigned char *c = (const unsigned char *)p + size;
    for (size_t i = 0; i < CANARY; i++)
        if (c[i] != canary_byte(p, i)) return size + i;
    return 0;
}

/* The first byte of a quarantined block that is not POISON, or SIZE_MAX. */
static size_t poison_broken(const entry *e)
{
    const unsigned char *b = (const unsigned char *)e->ptr;
    for (size_t i = 0; i < e->size + CANARY; i++)
        if (b[i] != POISON) return i;
    return SIZE_MAX;
}

/* A finding about the block of e, changed at offset `off`: `what` happened. */
static void report_block(al_checked_kind kind, const char *op, const char *call, const entry *e, size_t off,
                         const char *what)
{
    char detail[200];
    snprintf(detail, sizeof detail, "block %p of size %zu (align %zu) was written %s, at offset %zu",
             (void *)e->ptr, e->size, e->align, what, off);
    al_checked_finding f = {.kind = kind, .op = op, .ptr = (void *)e->ptr, .size = e->size, .align = e->align,
                            .expected_size = e->size, .expected_align = e->align, .offset = off};
    report(&f, call, detail);
}

/* The canary of a live block, on the call `call` of operation op. */
static void check_canary(const entry *e, const char *op, const char *call)
{
    size_t off = canary_broken(e->ptr, e->size);
    if (off) report_block(AL_CHECKED_OVERFLOW, op, call, e, off, "past its end");
}

/* A quarantined block about to leave (op: "quarantine" when it goes to
 * inner, or "reset", "rewind", "destroy" that reclaim it): its poison must
 * be intact. */
static void check_poison(const entry *e, const char *op)
{
    size_t off = poison_broken(e);
    if (off == SIZE_MAX) return;
    char call[64];
    snprintf(call, sizeof call, "%s()", op);
    report_block(AL_CHECKED_USE_AFTER_FREE, op, call, e, off, "after its free");
}

/* ----------------------------------------------------------------------------
 * The quarantine: freed blocks in FIFO order. A held block goes back to
 * inner when it leaves; any block's entry is then forgotten.
 * ------------------------------------------------------------------------- */
static void q_evict_oldest(checked *c)
{
    qslot s = c->q[c->q_head];
    c->q_head = (c->q_head + 1) % QUARANTINE_BLOCKS;
    c->q_len--;
    entry *e = find(c, s.ptr);
    if (!e || e->state != SLOT_FREED || e->seq != s.seq) return; /* reclaimed or reused since */
    if (e->held) {
        check_poison(e, "quarantine");
        al_deallocate(c->base.inner, (void *)e->ptr, e->size + CANARY, e->align);
    }
    remove_entry(c, e);
}

static void q_push(checked *c, entry *e)
{
    while (c->q_len == QUARANTINE_BLOCKS || (e->held && c->q_bytes + e->size + CANARY > QUARANTINE_BYTES && c->q_len))
        q_evict_oldest(c);
    c->q[(c->q_head + c->q_len) % QUARANTINE_BLOCKS] = (qslot){e->ptr, e->seq};
    c->q_len++;
    if (e->held) c->q_bytes += e->size + CANARY;
}

/* Forget every entry with seq > since (all when since is 0 and all is set):
 * inner has reclaimed their memory (reset, rewind). Held ones are checked
 * first; nothing goes back to inner. */
static void forget_after(checked *c, uint64_t since, const char *why)
{
    for (size_t i = 0; i < c->cap; i++) {
        entry *e = &c->slots[i];
        if ((e->state != SLOT_LIVE && e->state != SLOT_FREED) || e->seq <= since) continue;
        if (e->state == SLOT_FREED && e->held) check_poison(e, why);
        remove_entry(c, e);
    }
}

/* ----------------------------------------------------------------------------
 * Checking a caller's block: the entry for (ptr, size, align), or NULL after
 * reporting why not (the call is then not passed on).
 * ------------------------------------------------------------------------- */
static entry *own_block(checked *c, const char *op, void *ptr, size_t size, size_t new_size, size_t align)
{
    char call[160], detail[200];
    entry *e = find(c, (uintptr_t)ptr);
    al_checked_finding f = {.op = op, .ptr = ptr, .size = size, .align = align};
    if (e && e->state == SLOT_LIVE && e->size == size && e->align == align) {
        size_t off = canary_broken(e->ptr, e->size);
        if (off) { /* the call is described only for a report */
            describe_call(call, sizeof call, op, ptr, size, new_size, align);
            report_block(AL_CHECKED_OVERFLOW, op, call, e, off, "past its end");
        }
        return e;
    }
    describe_call(call, sizeof call, op, ptr, size, new_size, align);
    if (!e) {
        f.kind = AL_CHECKED_UNKNOWN_POINTER;
        snprintf(detail, sizeof detail, "%p is not a block of this allocator (never handed out, or freed long ago)",
                 ptr);
    } else {
        f.expected_size = e->size;
        f.expected_align = e->align;
        if (e->state == SLOT_FREED) {
            f.kind = AL_CHECKED_DOUBLE_FREE;
            snprintf(detail, sizeof detail, "block %p of size %zu (align %zu) was already freed", ptr, e->size,
                     e->align);
        } else if (e->size != size) {
            f.kind = AL_CHECKED_WRONG_SIZE;
            snprintf(detail, sizeof detail, "block %p has size %zu, not %zu (align %zu)", ptr, e->size, size,
                     e->align);
        } else {
            f.kind = AL_CHECKED_WRONG_ALIGN;
            snprintf(detail, sizeof detail, "block %p of size %zu has align %zu, not %zu", ptr, e->size, e->align,
                     align);
        }
    }
    report(&f, call, detail);
    return NULL;
}

/* Record a block inner just handed out (size as the caller asked). false
 * when the table cannot grow: the caller gives the block back. */
static bool record(checked *c, const char *op, void *p, size_t size, size_t align)
{
    entry *e = find(c, (uintptr_t)p);
    if (e && (e->state == SLOT_LIVE || e->held)) {
        char call[96], detail[200];
        snprintf(call, sizeof call, "%s(size=%zu, align=%zu) -> %p", op, size, align, p);
        snprintf(detail, sizeof detail, "the inner allocator handed out %p, a block %s (size %zu, align %zu)", p,
                 e->state == SLOT_LIVE ? "still live" : "still in quarantine", e->size, e->align);
        al_checked_finding f = {.kind = AL_CHECKED_INNER_FAULT, .op = op, .ptr = p, .size = size, .align = align,
                                .expected_size = e->size, .expected_align = e->align};
        report(&f, call, detail);
    }
    if (e) remove_entry(c, e);
    e = insert(c, (uintptr_t)p);
    if (!e) return false;
    *e = (entry){.ptr = (uintptr_t)p, .size = size, .align = align, .seq = ++c->seq, .state = SLOT_LIVE};
    put_canary((uintptr_t)p, size);
    return true;
}

/* ----------------------------------------------------------------------------
 * The operations.
 * ------------------------------------------------------------------------- */
#define LOCK(c) pthread_mutex_lock(&(c)->lock.mu)
#define UNLOCK(c) pthread_mutex_unlock(&(c)->lock.mu)

static void *new_block(checked *c, const char *op, size_t size, size_t align, bool zero)
{
    LOCK(c);
    void *p = zero ? al_allocate_zeroed(c->base.inner, size + CANARY, align)
                   : al_allocate(c->base.inner, size + CANARY, align);
    if (p && !record(c, op, p, size, align)) {
        al_deallocate(c->base.inner, p, size + CANARY, align);
        p = NULL;
    }
    UNLOCK(c);
    return p;
}

static void *ck_allocate(void *st, size_t size, size_t align) { return new_block(st, "allocate", size, align, false); }

static void *ck_zeroed(void *st, size_t size, size_t align)
{
    return new_block(st, "allocate_zeroed", size, align, true);
}

static void ck_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    checked *c = st;
    LOCK(c);
    entry *e = own_block(c, "deallocate", ptr, size, 0, align);
    if (e) {
        e->state = SLOT_FREED;
        e->held = c->frees && size <= HOLD_MAX;
        if (e->held) memset(ptr, POISON, size + CANARY);
        else al_deallocate(c->base.inner, ptr, size + CANARY, align);
        q_push(c, e);
    }
    UNLOCK(c);
}

/* Grow or shrink through inner; in place the block keeps its entry (and its
 * place in allocation order), moved it is a new block. */
static void *resize(checked *c, const char *op, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    LOCK(c);
    void *q = NULL;
    entry *e = own_block(c, op, ptr, old_size, new_size, align);
    if (e) {
        q = new_size > old_size ? al_grow(c->base.inner, ptr, old_size + CANARY, new_size + CANARY, align)
                                : al_shrink(c->base.inner, ptr, old_size + CANARY, new_size + CANARY, align);
        if (q == ptr) {
            e->size = new_size;
            put_canary((uintptr_t)q, new_size);
        } else if (q) {
            remove_entry(c, e);
            if (!record(c, op, q, new_size, align)) { /* cannot track it: give it back, report failure */
                al_deallocate(c->base.inner, q, new_size + CANARY, align);
                q = NULL;
            }
        }
    }
    UNLOCK(c);
    return q;
}

static void *ck_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    return resize(st, "grow", ptr, old_size, new_size, align);
}

static void *ck_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    return resize(st, "shrink", ptr, old_size, new_size, align);
}

/* Exactly the size asked for: the bytes after it are the canary's. */
static size_t ck_usable(void *st, const void *ptr, size_t size, size_t align)
{
    checked *c = st;
    LOCK(c);
    own_block(c, "usable_size", (void *)ptr, size, 0, align);
    UNLOCK(c);
    return size;
}

static void ck_reset(void *st)
{
    checked *c = st;
    LOCK(c);
    forget_after(c, 0, "reset");
    c->q_head = c->q_len = 0;
    c->n_marks = 0; /* marks from before a reset must not be used again */
    al_reset(c->base.inner);
    UNLOCK(c);
}

static bool ck_mark(void *st, al_mark *out)
{
    checked *c = st;
    LOCK(c);
    bool ok = al_mark_get(c->base.inner, out);
    if (ok && c->n_marks == c->marks_cap) {
        size_t cap = c->marks_cap ? 2 * c->marks_cap : 256;
        mark_rec *m = pages(cap * sizeof *m);
        if (m && c->marks) memcpy(m, c->marks, c->n_marks * sizeof *m);
        if (m && c->marks) munmap(c->marks, c->marks_cap * sizeof *m);
        if (m) {
            c->marks = m;
            c->marks_cap = cap;
        }
    }
    if (ok && c->n_marks < c->marks_cap) c->marks[c->n_marks++] = (mark_rec){*out, c->seq};
    UNLOCK(c);
    return ok;
}

/* The newest record of mark m (a mark may be taken twice at one position;
 * the newest is the one whose scope is innermost), or SIZE_MAX. */
static size_t mark_index(const checked *c, const al_mark *m)
{
    for (size_t i = c->n_marks; i-- > 0;)
        if (c->marks[i].mark.chunk == m->chunk && c->marks[i].mark.offset == m->offset) return i;
    return SIZE_MAX;
}

static void ck_rewind(void *st, const al_mark *m)
{
    checked *c = st;
    LOCK(c);
    size_t i = mark_index(c, m);
    if (i == SIZE_MAX) {
        al_checked_finding f = {.kind = AL_CHECKED_STALE_MARK, .op = "rewind"};
        report(&f, "rewind()",
               "a mark this allocator does not hold (taken before a reset, before a rewind to an earlier mark, "
               "or by another allocator)");
    } else {
        /* Oldest among equal marks: blocks allocated between two marks at
         * one position were all freed before the second was taken. */
        while (i > 0 && c->marks[i - 1].mark.chunk == m->chunk && c->marks[i - 1].mark.offset == m->offset) i--;
        al_rewind(c->base.inner, m);
        forget_after(c, c->marks[i].seq, "rewind");
        c->n_marks = i + 1;
    }
    UNLOCK(c);
}

void al_checked_destroy(void *st)
{
    checked *c = st;
    LOCK(c);
    size_t leaks = 0, leaked = 0;
    for (size_t i = 0; i < c->cap; i++) {
        entry *e = &c->slots[i];
        if (e->state == SLOT_FREED && e->held) {
            check_poison(e, "destroy");
            al_deallocate(c->base.inner, (void *)e->ptr, e->size + CANARY, e->align); /* sys keeps it otherwise */
        }
        if (e->state != SLOT_LIVE) continue;
        check_canary(e, "destroy", "destroy()");
        if (!c->frees) continue;
        char detail[160];
        snprintf(detail, sizeof detail, "block %p of size %zu (align %zu) is still live", (void *)e->ptr, e->size,
                 e->align);
        al_checked_finding f = {.kind = AL_CHECKED_LEAK, .op = "destroy", .ptr = (void *)e->ptr,
                                .size = e->size, .align = e->align, .expected_size = e->size,
                                .expected_align = e->align};
        report(&f, "destroy()", detail);
        leaks++;
        leaked += e->size;
    }
    UNLOCK(c);
    bool by_default;
    pthread_mutex_lock(&handler_lock);
    by_default = handler_fn == NULL;
    pthread_mutex_unlock(&handler_lock);
    if (leaks && by_default) {
        al_say("alloclab checked: %zu blocks (%zu bytes) leaked at destroy\n", leaks, leaked);
        abort();
    }
    if (c->slots) munmap(c->slots, c->cap * sizeof *c->slots);
    if (c->marks) munmap(c->marks, c->marks_cap * sizeof *c->marks);
    munmap(c->q, QUARANTINE_BLOCKS * sizeof *c->q);
    al_wrapper_release(st, &c->lock);
}

static const al_vtable checked_vt = {
    .allocate = ck_allocate,
    .deallocate = ck_deallocate,
    .grow = ck_grow,
    .shrink = ck_shrink,
    .allocate_zeroed = ck_zeroed,
    .reset = ck_reset,
    .usable_size = ck_usable,
    .mark = ck_mark,
    .rewind = ck_rewind,
    .destroy = al_checked_destroy,
};

static al_allocator *checked_wrap(al_allocator *inner, const al_options *opts)
{
    (void)opts;
    checked *w = al_wrapper_alloc(sizeof *w, _Alignof(checked), inner, "checked");
    if (!w) return NULL;
    w->q = pages(QUARANTINE_BLOCKS * sizeof *w->q);
    if (!w->q || !rehash(w, TABLE_MIN) || !al_fork_mutex_init(&w->lock)) {
        if (w->slots) munmap(w->slots, w->cap * sizeof *w->slots);
        if (w->q) munmap(w->q, QUARANTINE_BLOCKS * sizeof *w->q);
        free(w);
        al_set_error("checked: no memory for its table");
        return NULL;
    }
    w->frees = (inner->caps & AL_CAP_FREES) != 0;
    al_wrapper_setup(&w->base, &checked_vt, inner, 0);
    return &w->base.self;
}

const al_wrapper_desc al_wrapper_checked = {
    .name = "checked",
    .description = "verifies the sized contract: double and wrong-size frees, overflows, use after free, leaks",
    .wrap = checked_wrap,
};
