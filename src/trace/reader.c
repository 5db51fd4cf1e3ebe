/* Trace reader: checks a whole file and turns it into the allocation model
 * of trace.h (events in time order, blocks numbered from 1).
 *
 * Guarantees: every length is checked against what remains before it is
 * used, every chunk's zstd checksum is verified, a section must end with an
 * END record; anything else is refused with one line and NULL, and nothing
 * is left allocated. A thread's chunks are numbered: a gap (a recorder that
 * could not write a buffer) is a loss the section states (missing_chunks,
 * missing_events), not a refusal, since every chunk decodes alone.
 * Memory and time are bounded on any input: the file and the model it
 * would make are measured against a limit (half the machine's memory,
 * ALLOCLAB_TRACE_MEMORY_LIMIT) before anything is decoded, EVENTS payloads
 * are decompressed again when decoded rather than kept, sections, threads
 * and stack ids are found through hash tables, and the same-tick merge does
 * a bounded amount of work per call. The model is built in two passes:
 * decoding each thread's stream, then merging all threads by time stamp
 * while a table of live addresses turns addresses into block numbers.
 */
#include "trace.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *al_trace_kind_name(unsigned kind)
{
    static const char *const names[AL_EV_KIND_COUNT] = {
        "?",           "malloc",         "calloc",  "realloc", "reallocarray", "free",      "posix_memalign",
        "aligned_alloc", "memalign",     "valloc",  "pvalloc", "free_sized",   "free_aligned_sized"};
    return kind < AL_EV_KIND_COUNT ? names[kind] : "?";
}

/* ---- decoded, not yet merged ---------------------------------------------- */
typedef struct raw_event {
    uint64_t t, t2;        /* t2: realloc's time after the call */
    uint64_t size, addr, old_addr;
    uint32_t align, stack, thread, seq;
    uint8_t kind, flags;
} raw_event;

/* u64 -> u32 with exact keys and no removal: sections by id, threads by
 * (section, index), a thread's stack ids; linear probing. */
typedef struct id_map {
    uint64_t *keys;
    uint32_t *vals;        /* the value + 1; 0: an empty slot */
    size_t cap, n;
} id_map;

static size_t idm_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

static bool idm_get(const id_map *m, uint64_t k, uint32_t *v)
{
    if (!m->cap) return false;
    for (size_t j = idm_hash(k) & (m->cap - 1); m->vals[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == k) {
            *v = m->vals[j] - 1;
            return true;
        }
    return false;
}

/* Insert or replace. 0, or -1 when out of memory. */
static int idm_put(id_map *m, uint64_t k, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        uint64_t *nk = malloc(ncap * sizeof *nk);
        uint32_t *nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->vals[i]) continue;
            size_t j = idm_hash(m->keys[i]) & (ncap - 1);
            while (nv[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = ncap;
    }
    size_t j = idm_hash(k) & (m->cap - 1);
    while (m->vals[j] && m->keys[j] != k) j = (j + 1) & (m->cap - 1);
    if (!m->vals[j]) m->n++;
    m->keys[j] = k;
    m->vals[j] = v + 1;
    return 0;
}

static void idm_free(id_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

typedef struct rd_thread {
    uint64_t section_id;
    uint32_t section, index;
    uint64_t tid;
    uint64_t next_seq;
    bool gap;              /* a chunk of it is missing: its stacks may be too */
    id_map stacks;         /* the thread's own stack ids -> global ones */
} rd_thread;

typedef struct reader {
    char *err;
    size_t errlen;
    al_trace *t;
    const unsigned char *file; /* the whole file */
    raw_event *raw;
    size_t nraw, rawcap;
    rd_thread *th;
    size_t nth, thcap;
    size_t scap, stcap;
    id_map sec_ids, th_ids;
    uint64_t *sec_events; /* events per section before its END */
    struct clock_cal *cal; /* per section: ticks to ns */
    uint64_t *fstack;      /* the freed-address stack of the chunk being decoded */
    uint64_t *oaddr;       /* and the addresses of its allocations, by ordinal */
    size_t oaddr_cap;
    size_t fstack_cap;
    struct stashed *stash;
    size_t nstash, stashcap;
    uint64_t stash_events; /* the events the stashed chunks declare */
    uint64_t limit;        /* memory_limit() */
    uint64_t charged;      /* what the model will take: the file, the events
                              declared (BYTES_PER_EVENT each), strings, modules, stacks */
    const char *path;
    bool *sec_ended;
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static double mib(uint64_t b) { return (double)b / 1048576.0; }

/* The model's bytes per event, all passes at their peak: the decoded event,
 * the merge's keys and their copy (two per realloc), the event, its block,
 * the address tables; rounded up. */
#define BYTES_PER_EVENT 320u

/* Count bytes the model will hold against the limit: a file whose chunks
 * declare more than the machine can hold is refused as it is walked, not
 * by the kernel's OOM killer later. */
static int charge(reader *r, uint64_t bytes)
{
    if (bytes <= r->limit && r->charged <= r->limit - bytes) {
        r->charged += bytes;
        return 0;
    }
    return fail(r, "trace too large: %s would take more than %.0f MiB to read (%llu calls so far); the limit is "
                   "ALLOCLAB_TRACE_MEMORY_LIMIT, by default half this machine's memory",
                r->path, mib(r->limit), (unsigned long long)r->stash_events);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *q = realloc(p, n * elem);
    if (!q) return NULL;
    memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
    *cap = n;
    return q;
}

static char *dup_n(const unsigned char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

static int find_section(reader *r, uint64_t id)
{
    uint32_t v;
    return idm_get(&r->sec_ids, id, &v) ? (int)v : -1;
}

/* ---- the clock ------------------------------------------------------------
 * A section's events carry ticks (the TSC, or ns), stored >> shift. Each
 * SECTION, EVENTS and END record holds a pair (tick, CLOCK_MONOTONIC ns) read
 * together: the first and the latest pair give the rate. */
typedef struct clock_cal {
    uint64_t t0, ns0, t1, ns1;
    unsigned shift;
    bool tsc;
} clock_cal;

static void cal_pair(clock_cal *c, uint64_t tick, uint64_t ns)
{
    if (tick > c->t1 && ns >= c->ns0) {
        c->t1 = tick;
        c->ns1 = ns;
    }
}

/* ns per tick: exact for a ns clock; measured over at least 1 ms of ticks
 * for the TSC (a shorter section: 1, its order kept, its durations rough). */
static double cal_rate(const clock_cal *c)
{
    if (!c->tsc) return 1.0;
    if (c->t1 > c->t0 && c->ns1 > c->ns0 && c->ns1 - c->ns0 >= 1000000)
        return (double)(c->ns1 - c->ns0) / (double)(c->t1 - c->t0);
    return 1.0;
}

/* ---- chunk payloads ------------------------------------------------------- */
#define GET(var)                                                          \
    do {                                                                  \
        if (al_varint_get(&p, end, &(var)) != 0) return fail(r, "%s", bad); \
    } while (0)

static int read_bytes(reader *r, const unsigned char **pp, const unsigned char *end, char **out, const char *bad)
{
    const unsigned char *p = *pp;
    uint64_t n;
    GET(n);
    if (n > (uint64_t)(end - p)) return fail(r, "%s", bad);
    if (charge(r, n + 32) != 0) return -1;
    *out = dup_n(p, (size_t)n);
    if (!*out) return fail(r, "out of memory");
    *pp = p + n;
    return 0;
}

static int chunk_section(reader *r, const al_chunk_header *h, const unsigned char *p, const unsigned char *end)
{
    const char *bad = "corrupt trace: a malformed section record";
    if (find_section(r, h->section) >= 0) return fail(r, "corrupt trace: a section appears twice");
    al_trace *t = r->t;
    size_t old = r->scap;
    t->sections = grow(t->sections, &r->scap, t->nsections + 1, sizeof *t->sections);
    if (!t->sections) return fail(r, "out of memory");
    if (r->scap != old) {
        size_t c1 = old, c2 = old, c3 = old;
        r->sec_events = grow(r->sec_events, &c1, r->scap, sizeof *r->sec_events);
        r->sec_ended = grow(r->sec_ended, &c2, r->scap, sizeof *r->sec_ended);
        r->cal = grow(r->cal, &c3, r->scap, sizeof *r->cal);
        if (!r->sec_events || !r->sec_ended || !r->cal) return fail(r, "out of memory");
    }
    if (t->nsections >= UINT32_MAX / 2 || idm_put(&r->sec_ids, h->section, (uint32_t)t->nsections) != 0)
        return fail(r, "out of memory");
    al_trace_section *s = &t->sections[t->nsections++];
    memset(s, 0, sizeof *s);
    s->id = h->section;
    uint64_t pid, ppid, parent, flags, mono, real, tick, shift;
    GET(pid);
    GET(ppid);
    GET(parent);
    GET(flags);
    GET(mono);
    GET(real);
    GET(tick);
    GET(shift);
    if (shift > 30 || (flags & ~(uint64_t)(AL_SECTION_STACKS | AL_SECTION_TSC))) return fail(r, "%s", bad);
    r->cal[t->nsections - 1] = (clock_cal){tick, mono, tick, mono, (unsigned)shift, (flags & AL_SECTION_TSC) != 0};
    s->pid = (uint32_t)pid;
    s->ppid = (uint32_t)ppid;
    s->parent = parent;
    s->flags = (uint32_t)flags;
    s->start_t = mono;
    s->start_realtime = real;
    if (read_bytes(r, &p, end, &s->cmdline, bad) || read_bytes(r, &p, end, &s->exe, bad)) return -1;
    if (p != end) return fail(r, "%s", bad);
    return 0;
}

static int chunk_modules(reader *r, int si, const unsigned char *p, const unsigned char *end)
{
    const char *bad = "corrupt trace: a malformed module map";
    al_trace_section *s = &r->t->sections[si];
    uint64_t n;
    GET(n);
    if (n > (uint64_t)(end - p)) return fail(r, "%s", bad);
    if (charge(r, n * sizeof(al_trace_module)) != 0) return -1;
    al_trace_module *m = calloc(n ? n : 1, sizeof *m);
    if (!m) return fail(r, "out of memory");
    for (size_t i = 0; i < s->nmodules; i++) free(s->modules[i].path);
    free(s->modules);
    s->modules = m;
    s->nmodules = 0;
    for (uint64_t i = 0; i < n; i++) {
        GET(m[i].bias);
        GET(m[i].lo);
        GET(m[i].hi);
        if (read_bytes(r, &p, end, &m[i].path, bad)) return -1;
        s->nmodules++;
    }
    if (p != end) return fail(r, "%s", bad);
    return 0;
}

static int chunk_end(reader *r, int si, const unsigned char *p, const unsigned char *end)
{
    const char *bad = "corrupt trace: a malformed end record";
    al_trace_section *s = &r->t->sections[si];
    if (r->sec_ended[si]) return fail(r, "corrupt trace: a section ends twice");
    uint64_t endtick, endt, events, flags, lost, status;
    GET(endtick);
    GET(endt);
    GET(events);
    GET(flags);
    GET(lost);
    GET(status);
    if (p != end) return fail(r, "%s", bad);
    /* Fewer events than the recorder wrote: chunks lost on the way, stated.
     * More: a chunk written while END was (its count read before), none lost. */
    if (!(flags & AL_END_REPAIRED) && events > r->sec_events[si]) s->missing_events = events - r->sec_events[si];
    s->end_t = endt;
    if (endtick) cal_pair(&r->cal[si], endtick, endt);
    s->end_flags = (uint32_t)flags;
    s->lost = lost;
    s->exit_status = status;
    r->sec_ended[si] = true;
    return 0;
}

static int thread_of(reader *r, int si, uint64_t section, uint32_t index)
{
    uint64_t key = (uint64_t)(uint32_t)si << 32 | index;
    uint32_t found;
    if (idm_get(&r->th_ids, key, &found)) return (int)found;
    rd_thread *th = r->nth < INT32_MAX ? grow(r->th, &r->thcap, r->nth + 1, sizeof *r->th) : NULL;
    if (!th) return fail(r, "out of memory");
    r->th = th;
    if (idm_put(&r->th_ids, key, (uint32_t)r->nth) != 0) return fail(r, "out of memory");
    rd_thread *x = &r->th[r->nth];
    memset(x, 0, sizeof *x);
    x->section_id = section;
    x->section = (uint32_t)si;
    x->index = index;
    return (int)r->nth++;
}

/* EVENTS chunks are noted as they come (where their compressed bytes are
 * in the file) and decoded once the whole file is read, each thread's in
 * sequence order: a thread's buffers can reach the file out of order (a
 * thread that exits writes its last calls itself while an earlier buffer
 * still waits for the flusher). Only the note is kept: a payload is
 * decompressed again when it is decoded, so that the reader's memory does
 * not grow with what the chunks decompress to. */
typedef struct stashed {
    uint32_t thread;
    int section;
    uint64_t seq, tid, base, count;
    size_t off, stored;     /* the zstd frame in the file */
    uint32_t raw, prefix;   /* its decompressed size, and the prefix's */
} stashed;

static int stash_events(reader *r, int si, const al_chunk_header *h, const unsigned char *p, const unsigned char *end,
                        size_t off)
{
    const char *bad = "corrupt trace: malformed events";
    const unsigned char *start = p;
    int ti = thread_of(r, si, h->section, h->thread);
    if (ti < 0) return -1;
    uint64_t tid, seq, base, count, cal_tick, cal_ns;
    GET(tid);
    GET(seq);
    GET(base);
    GET(count);
    GET(cal_tick);
    GET(cal_ns);
    if (count > (uint64_t)(end - p) || seq > UINT32_MAX) return fail(r, "%s", bad);
    cal_pair(&r->cal[si], cal_tick, cal_ns);
    if (charge(r, count * BYTES_PER_EVENT + sizeof(stashed)) != 0) return -1;
    stashed *st = grow(r->stash, &r->stashcap, r->nstash + 1, sizeof *r->stash);
    if (!st) return fail(r, "out of memory");
    r->stash = st;
    stashed *c = &r->stash[r->nstash];
    c->off = off;
    c->stored = h->stored;
    c->raw = h->raw;
    c->prefix = (uint32_t)(p - start);
    c->thread = (uint32_t)ti;
    c->section = si;
    c->seq = seq;
    c->tid = tid;
    c->base = base;
    c->count = count;
    r->nstash++;
    r->stash_events += count;
    if (r->sec_ended[si])
        r->t->sections[si].late_events += count;
    else
        r->sec_events[si] += count;
    return 0;
}

/* One column of an EVENTS payload. */
typedef struct column {
    const unsigned char *p, *end;
} column;

#define COL(col, var)                                                            \
    do {                                                                         \
        if (al_varint_get(&(col).p, (col).end, &(var)) != 0) return fail(r, "%s", bad); \
    } while (0)

enum { COL_HEADS, COL_TIME, COL_SIZE, COL_ALLOC, COL_FREED, COL_EXTRA, NCOLS };

static int define_stack_col(reader *r, rd_thread *th, column *x)
{
    const char *bad = "corrupt trace: a malformed stack";
    uint64_t local, n;
    COL(*x, local);
    COL(*x, n);
    if (n == 0 || n > 256 || local == 0 || local > UINT32_MAX) return fail(r, "%s", bad);
    if (charge(r, n * sizeof(uint64_t) + sizeof(al_trace_stack) + 32) != 0) return -1;
    al_trace *t = r->t;
    if (t->nstacks == 0) t->nstacks = 1; /* stacks[0] means none */
    al_trace_stack *grown = grow(t->stacks, &r->stcap, t->nstacks + 1, sizeof *t->stacks);
    if (!grown) return fail(r, "out of memory");
    t->stacks = grown;
    al_trace_stack *s = &t->stacks[t->nstacks];
    s->frames = malloc(n * sizeof *s->frames);
    if (!s->frames) return fail(r, "out of memory");
    s->nframes = (uint32_t)n;
    s->section = th->section;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t z;
        COL(*x, z);
        prev += (uint64_t)al_unzigzag(z);
        s->frames[i] = prev;
    }
    if (t->nstacks >= UINT32_MAX - 1 || idm_put(&th->stacks, local, (uint32_t)t->nstacks) != 0)
        return fail(r, "out of memory");
    t->nstacks++;
    return 0;
}

/* The chunk's allocations by ordinal, and the ordinal of the last free
 * that named one. */
typedef struct ordinals {
    uint64_t *addr;
    size_t n;
    uint64_t prev;
} ordinals;

/* The inverse of the encoder's put_freed: a freed column value into an
 * address; -1 when it names an allocation the chunk has not made. */
static int get_freed(ordinals *o, uint64_t v, uint64_t *prev_freed, uint64_t *addr)
{
    if (v & 1) {
        int64_t d = al_unzigzag(v >> 1);
        if ((d < 0 && (uint64_t)-d > o->prev) || (d >= 0 && o->prev + (uint64_t)d >= o->n)) return -1;
        o->prev += (uint64_t)d;
        *addr = o->addr[o->prev];
    } else {
        *addr = *prev_freed + (uint64_t)al_unzigzag(v >> 1);
    }
    *prev_freed = *addr;
    return 0;
}

static int decode_events(reader *r, const stashed *c, const unsigned char *payload, size_t len)
{
    const char *bad = "corrupt trace: malformed events";
    int si = c->section, ti = (int)c->thread;
    rd_thread *th = &r->th[ti];
    const unsigned char *p = payload + c->prefix, *end = payload + len;
    uint64_t tid = c->tid, seq = c->seq, base = c->base, count = c->count;
    if (seq < th->next_seq)
        return fail(r, "corrupt trace: thread %llu of pid %u has chunk #%llu twice", (unsigned long long)tid,
                    r->t->sections[si].pid, (unsigned long long)seq);
    if (seq > th->next_seq) { /* chunks the recorder could not write: lost, the rest stands */
        r->t->sections[si].missing_chunks += seq - th->next_seq;
        th->gap = true;
    }
    th->next_seq = seq + 1;
    th->tid = tid;
    column col[NCOLS];
    for (int i = 0; i < NCOLS; i++) {
        uint64_t len;
        if (al_varint_get(&p, end, &len) != 0 || len > (uint64_t)(end - p)) return fail(r, "%s", bad);
        col[i] = (column){p, p + len};
        p += len;
    }
    if (p != end) return fail(r, "%s", bad);
    uint64_t prev_t = base, prev_alloc = 0, prev_freed = 0, got = 0;
    /* At most one entry per event: the heads column's length bounds it. */
    r->fstack = grow(r->fstack, &r->fstack_cap, (size_t)(col[COL_HEADS].end - col[COL_HEADS].p) + 1, sizeof *r->fstack);
    if (!r->fstack) return fail(r, "out of memory");
    al_freed_stack freed = {r->fstack, 0};
    r->oaddr = grow(r->oaddr, &r->oaddr_cap, (size_t)(col[COL_HEADS].end - col[COL_HEADS].p) + 1, sizeof *r->oaddr);
    if (!r->oaddr) return fail(r, "out of memory");
    ordinals ord = {r->oaddr, 0, 0};
    column *k = &col[COL_HEADS];
    while (k->p < k->end) {
        unsigned head = *k->p++;
        unsigned kind = head & AL_EV_KIND_MASK;
        if (kind == AL_EV_STACK_DEF) {
            if (head != AL_EV_STACK_DEF) return fail(r, "%s", bad);
            if (define_stack_col(r, th, &col[COL_EXTRA]) != 0) return -1;
            continue;
        }
        if (kind == 0 || kind >= AL_EV_KIND_COUNT || (head & 0x80)) return fail(r, "%s", bad);
        if (got >= count) return fail(r, "%s", bad);
        raw_event *grown = grow(r->raw, &r->rawcap, r->nraw + 1, sizeof *r->raw);
        if (!grown) return fail(r, "out of memory");
        r->raw = grown;
        raw_event *e = &r->raw[r->nraw];
        memset(e, 0, sizeof *e);
        e->kind = (uint8_t)kind;
        e->flags = (head & AL_EV_FAILED) ? AL_TEV_FAILED : 0;
        e->thread = (uint32_t)ti;
        uint64_t dt, z, v;
        COL(col[COL_TIME], dt);
        if (dt > (UINT64_MAX >> 8) - prev_t) return fail(r, "%s", bad);
        e->t = e->t2 = prev_t += dt;
        bool failed = e->flags & AL_TEV_FAILED;
        bool is_realloc = kind == AL_EV_REALLOC || kind == AL_EV_REALLOCARRAY;
        bool is_free = kind == AL_EV_FREE || kind == AL_EV_FREE_SIZED || kind == AL_EV_FREE_ALIGNED_SIZED;
        if (is_realloc) {
            COL(col[COL_TIME], dt);
            if (dt > (UINT64_MAX >> 8) - e->t) return fail(r, "%s", bad);
            e->t2 = e->t + dt;
            COL(col[COL_FREED], z);
            if (get_freed(&ord, z, &prev_freed, &e->old_addr) != 0) return fail(r, "%s", bad);
            if (e->old_addr && !failed) al_freed_push(&freed, e->old_addr);
        }
        if (kind != AL_EV_FREE) COL(col[COL_SIZE], e->size);
        if (kind == AL_EV_POSIX_MEMALIGN || kind == AL_EV_ALIGNED_ALLOC || kind == AL_EV_MEMALIGN ||
            kind == AL_EV_FREE_ALIGNED_SIZED) {
            COL(col[COL_EXTRA], v);
            if (v > UINT32_MAX) return fail(r, "%s", bad);
            e->align = (uint32_t)v;
        }
        if (is_free) {
            COL(col[COL_FREED], z);
            if (get_freed(&ord, z, &prev_freed, &e->addr) != 0) return fail(r, "%s", bad);
            if (e->addr) al_freed_push(&freed, e->addr);
        } else if (!failed) {
            uint64_t at;
            COL(col[COL_ALLOC], at);
            if (at == 0) {
                COL(col[COL_ALLOC], z);
                e->addr = prev_alloc + (uint64_t)al_unzigzag(z);
            } else {
                if (at > AL_FREED_SEARCH || at > freed.n) return fail(r, "%s", bad);
                e->addr = al_freed_take(&freed, (size_t)(at - 1));
            }
            prev_alloc = e->addr;
            if (!e->addr) return fail(r, "%s", bad);
            ord.addr[ord.n++] = e->addr;
        }
        if (head & AL_EV_HAS_STACK) {
            uint64_t local;
            uint32_t global = 0;
            COL(col[COL_EXTRA], local);
            /* A thread that lost a chunk may have lost a stack's
             * definition with it: its calls keep no stack. */
            if (!idm_get(&th->stacks, local, &global) && !th->gap)
                return fail(r, "corrupt trace: an event refers to an undefined stack");
            e->stack = global;
        }
        e->seq = (uint32_t)r->nraw;
        r->nraw++;
        got++;
    }
    for (int i = 0; i < NCOLS; i++)
        if (col[i].p != col[i].end) return fail(r, "%s (columns of unequal lengths)", bad);
    if (got != count) return fail(r, "%s (%llu of %llu events)", bad, (unsigned long long)got, (unsigned long long)count);
    return 0;
}
#undef COL
#undef GET

static int stash_cmp(const void *a, const void *b)
{
    const stashed *x = a, *y = b;
    if (x->thread != y->thread) return x->thread < y->thread ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Decode every thread's chunks in order (so each thread's events are
 * contiguous in r->raw, in its own order), then turn stored ticks into ns. */
static int decode_all(reader *r)
{
    qsort(r->stash, r->nstash, sizeof *r->stash, stash_cmp);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    unsigned char *buf = malloc(AL_TRACE_MAX_RAW);
    int rc = dctx && buf ? 0 : fail(r, "out of memory");
    for (size_t i = 0; rc == 0 && i < r->nstash; i++) {
        const stashed *c = &r->stash[i];
        /* Checked once already by the walk: the same bytes decompress the same. */
        size_t got = ZSTD_decompressDCtx(dctx, buf, AL_TRACE_MAX_RAW, r->file + c->off, c->stored);
        if (ZSTD_isError(got) || got != c->raw)
            rc = fail(r, "corrupt trace: a chunk changed while it was read");
        else
            rc = decode_events(r, c, buf, got);
    }
    ZSTD_freeDCtx(dctx);
    free(buf);
    if (rc != 0) return -1;
    for (size_t i = 0; i < r->nraw; i++) {
        raw_event *e = &r->raw[i];
        const clock_cal *c = &r->cal[r->th[e->thread].section];
        double rate = cal_rate(c);
        double a = ((double)(e->t << c->shift) - (double)c->t0) * rate;
        double b = ((double)(e->t2 << c->shift) - (double)c->t0) * rate;
        e->t = (uint64_t)((double)c->ns0 + (a > -(double)c->ns0 ? a : -(double)c->ns0));
        e->t2 = (uint64_t)((double)c->ns0 + (b > -(double)c->ns0 ? b : -(double)c->ns0));
    }
    return 0;
}

/* ---- the merge -------------------------------------------------------------
 * A free time-stamps before the next allocator runs and an allocation after
 * (realloc both), so in time order an address is free again before anyone
 * gets it back. Reallocs are split into their freeing half (t) and their
 * allocating half (t2) for the address table; the event keeps t2. */
typedef struct merge_key {
    uint64_t t;
    uint32_t thread, seq;
    uint32_t raw;      /* index into raw */
    uint8_t half;      /* realloc: 0 frees the old address, 1 allocates */
} merge_key;


/* The key of a live block: its address within its own process. A forked
 * child starts with its parent's addresses, so one address names different
 * blocks in different sections (processes); the section goes in the bits
 * above the 48 of a user-space address (x86-64 and arm64 with 4-level page
 * tables; sections beyond 65536 share keys). A child's free of a block it
 * inherited is then an unknown free of its own heap, never the parent's. */
static uint64_t live_key(const reader *r, const raw_event *e, uint64_t addr)
{
    uint64_t section = r->th[e->thread].section;
    return (addr & (((uint64_t)1 << 48) - 1)) | ((section & 0xffff) << 48);
}

/* Address -> live block, open addressing with tombstones. */
typedef struct addr_map {
    uint64_t *keys;  /* 0 empty, 1 tombstone (addresses 0 and 1 are never blocks) */
    uint32_t *vals;
    size_t cap, used;
} addr_map;

static size_t hash_addr(uint64_t a) { return (size_t)((a >> 4) * 0x9e3779b97f4a7c15ull); }

static int map_grow(addr_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *k = calloc(ncap, sizeof *k);
    uint32_t *v = calloc(ncap, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    size_t used = 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] <= 1) continue;
        size_t j = hash_addr(m->keys[i]) & (ncap - 1);
        while (k[j]) j = (j + 1) & (ncap - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
        used++;
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = ncap;
    m->used = used;
    return 0;
}

static uint32_t map_take(addr_map *m, uint64_t a)
{
    if (!m->cap) return 0;
    for (size_t j = hash_addr(a) & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        if (m->keys[j] == 0) return 0;
        if (m->keys[j] == a) {
            m->keys[j] = 1;
            return m->vals[j];
        }
    }
}

static int map_put(addr_map *m, uint64_t a, uint32_t block)
{
    if ((m->used + 1) * 4 >= m->cap * 3 && map_grow(m) != 0) return -1;
    size_t j = hash_addr(a) & (m->cap - 1);
    while (m->keys[j] > 1) j = (j + 1) & (m->cap - 1);
    if (m->keys[j] == 0) m->used++;
    m->keys[j] = a;
    m->vals[j] = block;
    return 0;
}

/* ---- the order of all threads' calls ----------------------------------------
 * Time stamps are coarse (a tick of a few dozen ns) and threads run at once,
 * so calls of several threads often share a tick. Within a tick, any
 * interleaving of the threads' own orders happened as far as the clock
 * knows; the merge picks one under which every address is allocated while
 * free and freed while allocated: among the threads' next calls at the
 * lowest tick, first one that keeps the heap consistent within its own
 * thread (an allocation of a free address, a free of its own block, a call
 * that touches no block), then a free of another thread's block, then one
 * that no other thread's call in that tick could make consistent (a free of
 * an address nobody allocated, an allocation over a live one: counted as
 * such by the model), and only when none can go, the lowest thread's. The
 * keys come in per thread, in the thread's order; they leave in merged
 * order. */
enum { OP_NONE, OP_ALLOC, OP_FREE };

static int key_op(const reader *r, const merge_key *k, uint64_t *addr)
{
    const raw_event *e = &r->raw[k->raw];
    bool is_realloc = e->kind == AL_EV_REALLOC || e->kind == AL_EV_REALLOCARRAY;
    bool is_free = e->kind == AL_EV_FREE || e->kind == AL_EV_FREE_SIZED || e->kind == AL_EV_FREE_ALIGNED_SIZED;
    bool failed = e->flags & AL_TEV_FAILED;
    if (is_free || (is_realloc && k->half == 0)) {
        uint64_t a = is_free ? e->addr : e->old_addr;
        if (!a || (!is_free && failed && e->size != 0)) return OP_NONE;
        *addr = live_key(r, e, a);
        return OP_FREE;
    }
    if (failed) return OP_NONE;
    *addr = live_key(r, e, e->addr);
    return OP_ALLOC;
}

typedef struct thread_heap {
    uint32_t *h;
    size_t n;
    const merge_key *keys;
    const size_t *cur;
} thread_heap;

static bool th_less(const thread_heap *q, uint32_t a, uint32_t b)
{
    uint64_t ta = q->keys[q->cur[a]].t, tb = q->keys[q->cur[b]].t;
    return ta != tb ? ta < tb : a < b;
}

static void th_push(thread_heap *q, uint32_t th)
{
    size_t i = q->n++;
    q->h[i] = th;
    while (i && th_less(q, q->h[i], q->h[(i - 1) / 2])) {
        uint32_t x = q->h[i];
        q->h[i] = q->h[(i - 1) / 2];
        q->h[(i - 1) / 2] = x;
        i = (i - 1) / 2;
    }
}

static uint32_t th_pop(thread_heap *q)
{
    uint32_t top = q->h[0];
    q->h[0] = q->h[--q->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < q->n && th_less(q, q->h[l], q->h[m])) m = l;
        if (l + 1 < q->n && th_less(q, q->h[l + 1], q->h[m])) m = l + 1;
        if (m == i) break;
        uint32_t x = q->h[i];
        q->h[i] = q->h[m];
        q->h[m] = x;
        i = m;
    }
    return top;
}

static uint32_t map_get(const addr_map *m, uint64_t a)
{
    if (!m->cap) return 0;
    for (size_t j = hash_addr(a) & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        if (m->keys[j] == 0) return 0;
        if (m->keys[j] == a) return m->vals[j];
    }
}

/* The calls at one tick of a group's threads, counted by (operation,
 * address) over the group and per thread, so that "does a thread other
 * than this one have, at this tick, that operation on that address" is two
 * look-ups, whatever the number of threads and calls: the set is built
 * once per group (each key enters it once) and counts down as calls go. */
typedef struct tick_entry {
    uint64_t a;
    uint32_t th;  /* UINT32_MAX: the group's count */
    uint16_t op;
    uint16_t used;
    uint32_t n;
} tick_entry;

typedef struct tick_set {
    tick_entry *e;
    size_t cap, bufcap;
} tick_set;

#define TICK_ALL UINT32_MAX

/* The entry of (a, th, op): found, or made when `make` (only ts_build makes
 * entries, two per call at most, in a table at least twice that size, so
 * the probe always ends), else NULL. */
static tick_entry *ts_slot(tick_set *s, uint64_t a, uint32_t th, int op, bool make)
{
    uint64_t h = (a ^ ((uint64_t)th << 40) ^ ((uint64_t)op << 62)) * 0x9e3779b97f4a7c15ull;
    for (size_t j = (size_t)(h >> 20) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        tick_entry *x = &s->e[j];
        if (!x->used) {
            if (!make) return NULL;
            *x = (tick_entry){a, th, (uint16_t)op, 1, 0};
            return x;
        }
        if (x->a == a && x->th == th && x->op == op) return x;
    }
}

static uint32_t ts_count(tick_set *s, uint64_t a, uint32_t th, int op)
{
    tick_entry *x = s->cap ? ts_slot(s, a, th, op, false) : NULL;
    return x ? x->n : 0;
}

static void ts_add(tick_set *s, uint64_t a, uint32_t th, int op, int d)
{
    tick_entry *all = ts_slot(s, a, TICK_ALL, op, d > 0), *own = ts_slot(s, a, th, op, d > 0);
    if (all) all->n += (uint32_t)d;
    if (own) own->n += (uint32_t)d;
}

/* Fill the set with the group's calls at tick t. -1 when out of memory. */
static int ts_build(tick_set *s, const reader *r, const merge_key *keys, const size_t *cur, const size_t *end,
                    const uint32_t *group, size_t g, uint64_t t)
{
    size_t calls = 0;
    for (size_t i = 0; i < g; i++)
        for (size_t k = cur[group[i]]; k < end[group[i]] && keys[k].t == t; k++) calls++;
    size_t cap = 16;
    while (cap < 4 * calls + 4) cap *= 2; /* two entries per call at most, half full */
    if (cap > s->bufcap) {
        tick_entry *e = malloc(cap * sizeof *e);
        if (!e) return -1;
        free(s->e);
        s->e = e;
        s->bufcap = cap;
    }
    s->cap = cap;
    memset(s->e, 0, cap * sizeof *s->e);
    for (size_t i = 0; i < g; i++)
        for (size_t k = cur[group[i]]; k < end[group[i]] && keys[k].t == t; k++) {
            uint64_t a;
            int op = key_op(r, &keys[k], &a);
            if (op != OP_NONE) ts_add(s, a, group[i], op, 1);
        }
    return 0;
}

/* At most this many of a tick's threads are weighed for each call: a file
 * of thousands of threads at one tick still merges in bounded time (the
 * others wait their turn). */
#define MERGE_CANDIDATES 64

static int merge_order(reader *r, merge_key *keys, size_t nkeys)
{
    size_t nth = r->nth;
    size_t *cur = calloc(nth ? nth : 1, sizeof *cur), *end = calloc(nth ? nth : 1, sizeof *end);
    uint32_t *heap = malloc((nth ? nth : 1) * sizeof *heap), *group = malloc((nth ? nth : 1) * sizeof *group);
    merge_key *out = malloc((nkeys ? nkeys : 1) * sizeof *out);
    addr_map live = {0};
    int rc = 0;
    if (!cur || !end || !heap || !group || !out) {
        rc = fail(r, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nkeys; i++) end[keys[i].thread] = i + 1;
    for (size_t i = nkeys; i-- > 0;) cur[keys[i].thread] = i;
    thread_heap q = {heap, 0, keys, cur};
    for (uint32_t th = 0; th < nth; th++)
        if (cur[th] < end[th]) th_push(&q, th);
    size_t n = 0;
    uint32_t last = UINT32_MAX;
    tick_set ts = {0};
    while (q.n && rc == 0) {
        uint32_t th = th_pop(&q);
        uint64_t t = keys[cur[th]].t;
        size_t g = 0;
        group[g++] = th;
        while (q.n && keys[cur[q.h[0]]].t == t) group[g++] = th_pop(&q);
        bool several = g > 1;
        ts.cap = 0;
        if (several && ts_build(&ts, r, keys, cur, end, group, g, t) != 0) {
            rc = fail(r, "out of memory");
            break;
        }
        while (g && rc == 0) {
            /* The group's next calls at tick t: the best to go first. */
            size_t pick = 0, weighed = g < MERGE_CANDIDATES ? g : MERGE_CANDIDATES;
            int best = 9;
            for (size_t i = 0; i < weighed && g > 1; i++) {
                uint64_t a = 0;
                int op = key_op(r, &keys[cur[group[i]]], &a), cls;
                uint32_t owner = op == OP_NONE ? 0 : map_get(&live, a);
                int other = op == OP_FREE ? OP_ALLOC : OP_FREE;
                if (op == OP_NONE || (op == OP_ALLOC && !owner) || (op == OP_FREE && owner == group[i] + 1))
                    cls = 0;
                else if (op == OP_FREE && owner)
                    cls = 1;
                else if (ts_count(&ts, a, TICK_ALL, other) == ts_count(&ts, a, group[i], other))
                    cls = 2; /* no other thread's call at this tick can make it consistent */
                else
                    cls = 3;
                if (cls < best || (cls == best && group[i] == last)) {
                    best = cls;
                    pick = i;
                }
            }
            if (best == 3) { /* none can go: the lowest thread's */
                pick = 0;
                for (size_t i = 1; i < weighed; i++)
                    if (group[i] < group[pick]) pick = i;
            }
            uint32_t pt = group[pick];
            merge_key *k = &keys[cur[pt]++];
            uint64_t a = 0;
            int op = key_op(r, k, &a);
            if (several && op != OP_NONE) ts_add(&ts, a, pt, op, -1);
            if (op == OP_FREE) map_take(&live, a);
            if (op == OP_ALLOC) {
                map_take(&live, a);
                if (map_put(&live, a, pt + 1) != 0) rc = fail(r, "out of memory");
            }
            out[n++] = *k;
            last = pt;
            if (cur[pt] == end[pt] || keys[cur[pt]].t != t) {
                if (cur[pt] < end[pt]) th_push(&q, pt);
                group[pick] = group[--g];
            }
        }
    }
    free(ts.e);
    memcpy(keys, out, n * sizeof *keys);
done:
    free(live.keys);
    free(live.vals);
    free(cur);
    free(end);
    free(heap);
    free(group);
    free(out);
    return rc;
}

static int build_model(reader *r)
{
    al_trace *t = r->t;
    size_t nkeys = 0;
    for (size_t i = 0; i < r->nraw; i++) nkeys += (r->raw[i].kind == AL_EV_REALLOC || r->raw[i].kind == AL_EV_REALLOCARRAY) ? 2 : 1;
    merge_key *keys = malloc((nkeys ? nkeys : 1) * sizeof *keys);
    t->events = calloc(r->nraw ? r->nraw : 1, sizeof *t->events);
    if (!keys || !t->events) {
        free(keys);
        return fail(r, "out of memory");
    }
    size_t k = 0;
    uint64_t origin = UINT64_MAX;
    for (size_t i = 0; i < t->nsections; i++)
        if (t->sections[i].start_t < origin) origin = t->sections[i].start_t;
    for (size_t i = 0; i < r->nraw; i++) {
        raw_event *e = &r->raw[i];
        if (e->t < origin) origin = e->t;
        /* A thread's keys never go back in time (its clock read on another
         * CPU may lag by a tick). */
        uint64_t t0 = e->t;
        if (k && keys[k - 1].thread == e->thread && keys[k - 1].t > t0) t0 = keys[k - 1].t;
        keys[k++] = (merge_key){t0, e->thread, e->seq, (uint32_t)i, 0};
        if (e->kind == AL_EV_REALLOC || e->kind == AL_EV_REALLOCARRAY)
            keys[k++] = (merge_key){e->t2 > t0 ? e->t2 : t0, e->thread, e->seq, (uint32_t)i, 1};
    }
    if (merge_order(r, keys, nkeys) != 0) {
        free(keys);
        return -1;
    }

    /* Event order: by each event's own time (a realloc's second half). */
    uint32_t *slot = malloc((r->nraw ? r->nraw : 1) * sizeof *slot);
    size_t cap_blocks = 0;
    t->blocks = grow(NULL, &cap_blocks, r->nraw / 2 + 2, sizeof *t->blocks);
    addr_map live = {0};
    if (!slot || !t->blocks) {
        free(keys);
        free(slot);
        return fail(r, "out of memory");
    }
    size_t ne = 0;
    for (size_t i = 0; i < nkeys; i++) {
        raw_event *e = &r->raw[keys[i].raw];
        bool is_realloc = e->kind == AL_EV_REALLOC || e->kind == AL_EV_REALLOCARRAY;
        if (is_realloc && keys[i].half == 0) continue;
        slot[keys[i].raw] = (uint32_t)ne++;
    }
    t->nevents = ne;
    t->nblocks = 1;
    int rc = 0;
    for (size_t i = 0; i < nkeys && rc == 0; i++) {
        raw_event *e = &r->raw[keys[i].raw];
        uint32_t ei = slot[keys[i].raw];
        al_trace_event *ev = &t->events[ei];
        bool is_realloc = e->kind == AL_EV_REALLOC || e->kind == AL_EV_REALLOCARRAY;
        if (!is_realloc || keys[i].half == 1) {
            ev->t = (is_realloc ? e->t2 : e->t) - origin;
            ev->thread = e->thread;
            ev->stack = e->stack;
            ev->align = e->align;
            ev->kind = e->kind;
            ev->flags |= e->flags;
            ev->size = e->size;
        }
        bool is_free = e->kind == AL_EV_FREE || e->kind == AL_EV_FREE_SIZED || e->kind == AL_EV_FREE_ALIGNED_SIZED;
        if (is_free || (is_realloc && keys[i].half == 0)) {
            if (!e->old_addr && !is_free) continue;
            uint64_t addr = is_free ? e->addr : e->old_addr;
            if (!addr) continue; /* free(NULL) */
            uint64_t a = live_key(r, e, addr);
            bool frees = is_free || !(e->flags & AL_TEV_FAILED) || e->size == 0;
            if (!frees) {
                /* A failed realloc keeps its block: look it up, keep it. */
                uint32_t b = map_take(&live, a);
                if (b && map_put(&live, a, b) != 0) rc = fail(r, "out of memory");
                ev->old_block = b;
                if (!b) ev->flags |= AL_TEV_UNKNOWN;
                continue;
            }
            uint32_t b = map_take(&live, a);
            if (!b) {
                ev->flags |= AL_TEV_UNKNOWN;
                t->unknown_frees++;
                t->sections[r->th[e->thread].section].unknown_frees++;
                continue;
            }
            t->blocks[b].end_ev = ei;
            if (is_free) {
                ev->block = b;
                if (!ev->size) ev->size = t->blocks[b].size;
                ev->size = t->blocks[b].size;
            } else {
                ev->old_block = b;
                if (e->flags & AL_TEV_FAILED) ev->flags |= AL_TEV_FREES;
            }
            continue;
        }
        /* An allocation, or a realloc's allocating half. */
        if (e->flags & AL_TEV_FAILED) continue;
        uint64_t key = live_key(r, e, e->addr);
        uint32_t prior = map_take(&live, key);
        if (prior) {
            t->blocks[prior].end_ev = ei;
            t->reused_live++;
            t->sections[r->th[e->thread].section].reused_live++;
        }
        if (t->nblocks >= UINT32_MAX - 1) {
            rc = fail(r, "trace too large: more than 4 billion blocks");
            break;
        }
        t->blocks = grow(t->blocks, &cap_blocks, t->nblocks + 1, sizeof *t->blocks);
        if (!t->blocks) {
            rc = fail(r, "out of memory");
            break;
        }
        uint32_t b = (uint32_t)t->nblocks++;
        al_trace_block *blk = &t->blocks[b];
        blk->size = e->size;
        blk->align = e->align;
        blk->thread = e->thread;
        blk->alloc_ev = ei;
        blk->end_ev = UINT32_MAX;
        blk->prev = is_realloc ? ev->old_block : 0;
        ev->block = b;
        if (is_realloc && ev->old_block && e->addr != e->old_addr) ev->flags |= AL_TEV_MOVED;
        if (is_realloc && !ev->old_block && e->old_addr) ev->flags |= AL_TEV_UNKNOWN;
        if (map_put(&live, key, b) != 0) rc = fail(r, "out of memory");
    }
    free(live.keys);
    free(live.vals);
    free(keys);
    free(slot);
    for (size_t i = 0; i < t->nsections; i++) {
        t->sections[i].start_t -= t->sections[i].start_t >= origin ? origin : t->sections[i].start_t;
        t->sections[i].end_t -= t->sections[i].end_t >= origin ? origin : t->sections[i].end_t;
    }
    return rc;
}

/* ---- the file --------------------------------------------------------------- */
/* What reading may take: ALLOCLAB_TRACE_MEMORY_LIMIT (bytes) when set, else
 * half the machine's physical memory. */
static uint64_t memory_limit(void)
{
    const char *env = getenv("ALLOCLAB_TRACE_MEMORY_LIMIT");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == 0 && v > 0) return v;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_C(1) << 32;
    return (uint64_t)pages * (uint64_t)page / 2;
}

static unsigned char *slurp(const char *path, size_t *len, reader *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(r, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        fail(r, "%s is not a regular file", path);
        return NULL;
    }
    uint64_t limit = memory_limit();
    if ((uint64_t)st.st_size > limit / 2) {
        fclose(f);
        fail(r, "trace too large: %s is %.0f MiB, beyond the %.0f MiB this machine lets a reader take "
                "(ALLOCLAB_TRACE_MEMORY_LIMIT, default half its memory) with the model it makes",
             path, mib((uint64_t)st.st_size), mib(limit));
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        fail(r, "out of memory reading %s", path);
        return NULL;
    }
    if (fread(buf, 1, n, f) != n) {
        free(buf);
        fclose(f);
        fail(r, "cannot read %s", path);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Walk the chunks of a file already checked to start with a header:
 * decoded (the payload handed to fn) when dctx is given. */
static int walk(reader *r, const unsigned char *buf, size_t len, const char *path)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    unsigned char *raw = malloc(AL_TRACE_MAX_RAW);
    if (!dctx || !raw) {
        ZSTD_freeDCtx(dctx);
        free(raw);
        return fail(r, "out of memory");
    }
    size_t off = AL_TRACE_HEADER_SIZE;
    int rc = 0;
    while (off < len && rc == 0) {
        al_chunk_header h;
        if (len - off < AL_TRACE_CHUNK_HEADER_SIZE) {
            rc = fail(r, "truncated trace: %s ends inside a chunk header (byte %zu)", path, off);
            break;
        }
        if (al_chunk_header_decode(buf + off, &h) != 0) {
            rc = fail(r, "corrupt trace: %s has a damaged chunk header at byte %zu", path, off);
            break;
        }
        off += AL_TRACE_CHUNK_HEADER_SIZE;
        if (h.stored > len - off) {
            rc = fail(r, "truncated trace: %s ends inside a chunk (byte %zu)", path, len);
            break;
        }
        if (al_trace_fnv(buf + off, h.stored) != h.stored_check) {
            rc = fail(r, "corrupt trace: %s has a damaged chunk at byte %zu", path, off);
            break;
        }
        ZSTD_frameHeader fh;
        if (ZSTD_getFrameHeader(&fh, buf + off, h.stored) != 0 || !fh.checksumFlag ||
            fh.frameContentSize != h.raw) {
            rc = fail(r, "corrupt trace: %s has a damaged chunk at byte %zu", path, off);
            break;
        }
        size_t got = ZSTD_decompressDCtx(dctx, raw, AL_TRACE_MAX_RAW, buf + off, h.stored);
        if (ZSTD_isError(got) || got != h.raw) {
            rc = fail(r, "corrupt trace: %s has a chunk failing its checksum at byte %zu", path, off);
            break;
        }
        size_t data_off = off;
        off += h.stored;
        if (h.type == AL_CHUNK_SECTION) {
            rc = chunk_section(r, &h, raw, raw + got);
            continue;
        }
        int si = find_section(r, h.section);
        if (si < 0) {
            rc = fail(r, "corrupt trace: %s has a chunk of an unknown section", path);
            break;
        }
        if (h.type == AL_CHUNK_EVENTS)
            rc = stash_events(r, si, &h, raw, raw + got, data_off);
        else if (h.type == AL_CHUNK_MODULES)
            rc = chunk_modules(r, si, raw, raw + got);
        else
            rc = chunk_end(r, si, raw, raw + got);
    }
    ZSTD_freeDCtx(dctx);
    free(raw);
    return rc;
}

void al_trace_free(al_trace *t)
{
    if (!t) return;
    free(t->events);
    free(t->blocks);
    free(t->threads);
    for (size_t i = 0; i < t->nsections; i++) {
        free(t->sections[i].cmdline);
        free(t->sections[i].exe);
        for (size_t j = 0; j < t->sections[i].nmodules; j++) free(t->sections[i].modules[j].path);
        free(t->sections[i].modules);
    }
    free(t->sections);
    for (size_t i = 1; i < t->nstacks; i++) free(t->stacks[i].frames);
    free(t->stacks);
    free(t);
}

al_trace *al_trace_read(const char *path, char *err, size_t errlen)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.err = err;
    r.errlen = errlen;
    r.path = path;
    r.limit = memory_limit();
    if (errlen) err[0] = 0;
    size_t len = 0;
    unsigned char *buf = slurp(path, &len, &r);
    if (!buf) return NULL;
    int rc = 0;
    r.t = calloc(1, sizeof *r.t);
    if (!r.t) rc = fail(&r, "out of memory");
    uint32_t version = 0;
    al_trace_file_kind kind = rc == 0 ? al_trace_file_header_kind(buf, len, &version) : AL_TRACE_FILE_OK;
    if (rc == 0 && kind == AL_TRACE_FILE_FOREIGN) rc = fail(&r, "%s is not an alloclab trace", path);
    if (rc == 0 && kind == AL_TRACE_FILE_VERSION)
        rc = fail(&r, "%s is a trace of format version %u; this alloclab reads version %u", path, version,
                  AL_TRACE_VERSION);
    if (rc == 0 && kind == AL_TRACE_FILE_DAMAGED) rc = fail(&r, "corrupt trace: %s has a damaged file header", path);
    if (rc == 0) {
        r.t->created_realtime = al_get64(buf + 16);
        r.t->file_bytes = len;
        r.file = buf;
        rc = charge(&r, len);
        if (rc == 0) rc = walk(&r, buf, len, path);
    }
    if (rc == 0 && r.t->nsections == 0) rc = fail(&r, "%s holds no recorded process", path);
    for (size_t i = 0; rc == 0 && i < r.t->nsections; i++)
        if (!r.sec_ended[i])
            rc = fail(&r, "truncated trace: the section of pid %u has no end record (still running, or killed)",
                      r.t->sections[i].pid);
    if (rc == 0) rc = decode_all(&r);
    free(buf);
    r.file = NULL;
    if (rc == 0) rc = build_model(&r);
    if (rc == 0) {
        r.t->threads = calloc(r.nth ? r.nth : 1, sizeof *r.t->threads);
        if (!r.t->threads) rc = fail(&r, "out of memory");
        for (size_t i = 0; rc == 0 && i < r.nth; i++)
            r.t->threads[i] = (al_trace_thread){r.th[i].section, r.th[i].index, r.th[i].tid, 0};
        r.t->nthreads = r.nth;
        for (size_t i = 0; rc == 0 && i < r.t->nevents; i++) r.t->threads[r.t->events[i].thread].events++;
        for (size_t i = 0; rc == 0 && i < r.nth; i++) r.t->sections[r.th[i].section].events += r.t->threads[i].events;
    }
    for (size_t i = 0; i < r.nth; i++) idm_free(&r.th[i].stacks);
    free(r.th);
    idm_free(&r.sec_ids);
    idm_free(&r.th_ids);
    free(r.raw);
    free(r.sec_events);
    free(r.sec_ended);
    free(r.cal);
    free(r.fstack);
    free(r.oaddr);
    free(r.stash);
    if (rc != 0) {
        al_trace_free(r.t);
        return NULL;
    }
    return r.t;
}
