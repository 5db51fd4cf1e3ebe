/* The columnar encoding of a thread's records (docs/trace-format.md,
 * "EVENTS"): one column per field, each a run of varints, so that zstd sees
 * like next to like: the heads, the time deltas, the sizes, the allocated
 * addresses, the freed addresses, the rest.
 *
 * Guarantees: no allocation and no system call (the recorder runs this in
 * the traced process, in its flusher thread); the output is a function of
 * the records alone, so that the reader's decoding is its exact inverse;
 * a thread's stored ticks never decrease (a clock read on another core may
 * lag by a few ticks: it is raised to the previous one).
 */
#include "encode.h"

#include <stdbool.h>
#include <string.h>

enum { COL_HEADS, COL_TIME, COL_SIZE, COL_ALLOC, COL_FREED, COL_EXTRA, NCOLS };

/* Bytes each record may add to each column (at most). */
static const size_t col_per_rec[NCOLS] = {1, AL_VARINT_MAX, AL_VARINT_MAX, 1 + AL_VARINT_MAX, AL_VARINT_MAX,
                                          3 * AL_VARINT_MAX};

static bool kind_has_size(unsigned k) { return k != AL_EV_FREE && k != AL_EV_STACK_DEF; }
static bool kind_allocates(unsigned k)
{
    return k != AL_EV_FREE && k != AL_EV_FREE_SIZED && k != AL_EV_FREE_ALIGNED_SIZED && k != AL_EV_STACK_DEF;
}
static bool kind_is_realloc(unsigned k) { return k == AL_EV_REALLOC || k == AL_EV_REALLOCARRAY; }
static bool kind_has_align(unsigned k)
{
    return k == AL_EV_POSIX_MEMALIGN || k == AL_EV_ALIGNED_ALLOC || k == AL_EV_MEMALIGN ||
           k == AL_EV_FREE_ALIGNED_SIZED;
}

static size_t col_total(void)
{
    size_t n = 0;
    for (int i = 0; i < NCOLS; i++) n += col_per_rec[i];
    return n;
}

/* A freed address into the freed column: (ordinal distance << 1) | 1 for a
 * block of the chunk's table, (address delta << 1) otherwise. */
static inline unsigned char *put_freed(unsigned char *p, al_block_slot *slots, uint32_t gen, uint64_t a,
                                       uint64_t *prev_freed, uint32_t *prev_ordinal)
{
    al_block_slot *sl = &slots[(a >> 4) & (AL_BLOCK_TABLE - 1)];
    if (a && sl->gen == gen && sl->addr == a) {
        p = al_varint_put(p, (al_zigzag((int64_t)sl->ordinal - (int64_t)*prev_ordinal) << 1) | 1);
        *prev_ordinal = sl->ordinal;
        sl->gen = 0;
    } else {
        p = al_varint_put(p, al_zigzag((int64_t)(a - *prev_freed)) << 1);
    }
    *prev_freed = a;
    return p;
}

size_t al_ev_encode(const al_ev_chunk *c, const al_ev_rec *r, size_t nrec, unsigned char *out, uint32_t *nevents)
{
    /* Each column is written into its own region of out, sized for the
     * worst case, then the regions are packed behind the prefix. */
    size_t head_room = 12 * AL_VARINT_MAX;
    unsigned char *start[NCOLS], *pos[NCOLS];
    unsigned char *p = out + head_room;
    for (int i = 0; i < NCOLS; i++) {
        start[i] = pos[i] = p;
        p += col_per_rec[i] * nrec;
    }
    uint64_t prev_q = UINT64_MAX, prev_alloc = 0, prev_freed = 0, base = 0;
    uint32_t ordinal = 0, prev_ordinal = 0;
    al_block_table *bt = c->table;
    al_block_table_next(bt);
    /* Locals: the column stores (bytes) could alias any field read through
     * a pointer, which the compiler would then load again after each. */
    const unsigned shift = c->shift;
    const uint64_t origin = c->origin;
    al_block_slot *const slots = bt->s;
    const uint32_t gen = bt->gen;
    uintptr_t stack_at = ((uintptr_t)(out + head_room + nrec * col_total()) + 7) & ~(uintptr_t)7;
    al_freed_stack freed = {(uint64_t *)stack_at, 0};
    uint32_t n = 0;
    for (size_t i = 0; i < nrec;) {
        unsigned head = AL_REC_HEAD(r[i].w0), kind = head & AL_EV_KIND_MASK;
        if (kind == AL_EV_STACK_DEF) {
            uint64_t nf = r[i].size;
            if (nf == 0 || nf > 256 || i + al_rec_stack_records(nf) > nrec) return 0;
            *pos[COL_HEADS]++ = AL_EV_STACK_DEF;
            pos[COL_EXTRA] = al_varint_put(pos[COL_EXTRA], r[i].addr);
            pos[COL_EXTRA] = al_varint_put(pos[COL_EXTRA], nf);
            const uint64_t *f = &r[i + 1].w0;
            uint64_t prev = 0;
            for (uint64_t k = 0; k < nf; k++) {
                pos[COL_EXTRA] = al_varint_put(pos[COL_EXTRA], al_zigzag((int64_t)(f[k] - prev)));
                prev = f[k];
            }
            i += al_rec_stack_records(nf);
            continue;
        }
        if (kind == 0 || kind >= AL_EV_KIND_COUNT) return 0;
        const al_ev_rec *e = &r[i++];
        uint64_t tick = AL_REC_TICK(e->w0);
        uint64_t q = (tick > origin ? tick - origin : 0) >> shift;
        if (prev_q == UINT64_MAX) base = prev_q = q;
        if (q < prev_q) q = prev_q;
        *pos[COL_HEADS]++ = (unsigned char)head;
        pos[COL_TIME] = al_varint_put(pos[COL_TIME], q - prev_q);
        prev_q = q;
        if (kind_is_realloc(kind)) {
            if (i >= nrec || AL_REC_HEAD(r[i].w0) != AL_REC_EXT_REALLOC) return 0;
            uint64_t t2 = AL_REC_TICK(r[i].w0);
            uint64_t q2 = (t2 > origin ? t2 - origin : 0) >> shift;
            pos[COL_TIME] = al_varint_put(pos[COL_TIME], q2 > q ? q2 - q : 0);
            pos[COL_FREED] = put_freed(pos[COL_FREED], slots, gen, r[i].addr, &prev_freed, &prev_ordinal);
            if (r[i].addr && !(head & AL_EV_FAILED)) al_freed_push(&freed, r[i].addr);
            i++;
        }
        if (kind_has_size(kind)) pos[COL_SIZE] = al_varint_put(pos[COL_SIZE], e->size);
        if (kind_has_align(kind)) {
            if (i >= nrec || AL_REC_HEAD(r[i].w0) != AL_REC_EXT_ALIGN) return 0;
            pos[COL_EXTRA] = al_varint_put(pos[COL_EXTRA], r[i].addr);
            i++;
        }
        if (kind_allocates(kind)) {
            if (!(head & AL_EV_FAILED)) {
                /* 1 + its position on the freed stack, or 0 and the address. */
                int at = al_freed_find(&freed, e->addr);
                if (at >= 0) {
                    *pos[COL_ALLOC]++ = (unsigned char)(at + 1);
                    al_freed_take(&freed, (uint32_t)at);
                } else {
                    *pos[COL_ALLOC]++ = 0;
                    pos[COL_ALLOC] = al_varint_put(pos[COL_ALLOC], al_zigzag((int64_t)(e->addr - prev_alloc)));
                }
                prev_alloc = e->addr;
                slots[(e->addr >> 4) & (AL_BLOCK_TABLE - 1)] = (al_block_slot){e->addr, ordinal++, gen};
            }
        } else {
            pos[COL_FREED] = put_freed(pos[COL_FREED], slots, gen, e->addr, &prev_freed, &prev_ordinal);
            if (e->addr) al_freed_push(&freed, e->addr);
        }
        if (head & AL_EV_HAS_STACK) {
            if (i >= nrec || AL_REC_HEAD(r[i].w0) != AL_REC_EXT_STACK) return 0;
            pos[COL_EXTRA] = al_varint_put(pos[COL_EXTRA], r[i].addr);
            i++;
        }
        n++;
    }
    unsigned char *q = out;
    q = al_varint_put(q, c->tid);
    q = al_varint_put(q, c->seq);
    q = al_varint_put(q, base);
    q = al_varint_put(q, n);
    q = al_varint_put(q, c->cal_tick);
    q = al_varint_put(q, c->cal_ns);
    for (int i = 0; i < NCOLS; i++) {
        size_t len = (size_t)(pos[i] - start[i]);
        q = al_varint_put(q, len);
        memmove(q, start[i], len);
        q += len;
    }
    *nevents = n;
    return (size_t)(q - out);
}
