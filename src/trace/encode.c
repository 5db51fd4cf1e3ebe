/* The columnar encoding of a thread's words (docs/trace-format.md,
 * "EVENTS"): one column per field, each a run of varints, so that zstd sees
 * like next to like: the heads, the time deltas, the sizes, the allocated
 * addresses, the freed addresses, the rest.
 *
 * Guarantees: no allocation and no system call (the recorder runs this in
 * the traced process, in its flusher thread); the output is a function of
 * the words alone, and the reader's decoding is its exact inverse; a
 * thread's stored ticks never decrease (a clock read on another core may lag
 * by a few ticks: it is raised to the previous one).
 *
 * Cost: this runs once per recorded call: each event is one pass guided by
 * a table of what its kind carries, without calls.
 */
#include "encode.h"

#include <stdbool.h>
#include <string.h>

#define ENC_LIKELY(x) __builtin_expect(!!(x), 1)
#define ENC_UNLIKELY(x) __builtin_expect(!!(x), 0)

enum { COL_HEADS, COL_TIME, COL_SIZE, COL_ALLOC, COL_FREED, COL_EXTRA, NCOLS };

#define W(n) ((n) << AL_KI_WORDS_SHIFT)
#define K_ALLOC (AL_KI_EVENT | AL_KI_SIZE | AL_KI_ALLOCATES)
const unsigned char al_ev_kind_info[32] = {
    [AL_EV_MALLOC] = K_ALLOC | W(3),
    [AL_EV_CALLOC] = K_ALLOC | W(3),
    [AL_EV_REALLOC] = K_ALLOC | AL_KI_REALLOC | W(5),
    [AL_EV_REALLOCARRAY] = K_ALLOC | AL_KI_REALLOC | W(5),
    [AL_EV_FREE] = AL_KI_EVENT | W(2),
    [AL_EV_POSIX_MEMALIGN] = K_ALLOC | AL_KI_ALIGN | W(4),
    [AL_EV_ALIGNED_ALLOC] = K_ALLOC | AL_KI_ALIGN | W(4),
    [AL_EV_MEMALIGN] = K_ALLOC | AL_KI_ALIGN | W(4),
    [AL_EV_VALLOC] = K_ALLOC | W(3),
    [AL_EV_PVALLOC] = K_ALLOC | W(3),
    [AL_EV_FREE_SIZED] = AL_KI_EVENT | AL_KI_SIZE | W(3),
    [AL_EV_FREE_ALIGNED_SIZED] = AL_KI_EVENT | AL_KI_SIZE | AL_KI_ALIGN | W(4),
    [AL_EV_STACK_DEF] = W(3),
};

/* The most bytes one word of input may add to each column: an event is at
 * least two words, so one with a size at least three (docs: heads 1, time 2
 * varints for a realloc of 5 words, size and allocated one varint for 3
 * words, freed one per 2 words, extras up to a varint per word in a stack
 * definition). al_ev_encode_bound() adds them up. */
static const size_t col_per_word[NCOLS] = {1, 5, 4, 4, 5, 10};

/* The freed stack (format.h) as one pointer to its newest entry, above 16
 * zero words: the 16 newest are always readable, and no allocation that is
 * searched for is 0. */
static inline __attribute__((always_inline)) int freed_find(const uint64_t *top, uint64_t addr)
{
    /* Unrolled: a compare and a branch each, newest first. */
#define AT(i) if (top[-(i)] == addr) return (i)
    AT(0); AT(1); AT(2); AT(3); AT(4); AT(5); AT(6); AT(7);
    AT(8); AT(9); AT(10); AT(11); AT(12); AT(13); AT(14); AT(15);
#undef AT
    return -1;
}

/* Take the entry at position `at` (< 16) off: the newer ones move down a
 * slot, lowest first (a jump into straight-line moves, not a memmove call). */
static inline __attribute__((always_inline)) uint64_t *freed_take(uint64_t *top, int at)
{
    uint64_t *d = top - at;
#define MV(i) case (i): d[0] = d[1]; d++; __attribute__((fallthrough));
    switch (at) {
        MV(15) MV(14) MV(13) MV(12) MV(11) MV(10) MV(9) MV(8)
        MV(7) MV(6) MV(5) MV(4) MV(3) MV(2) MV(1)
    default:
        break;
    }
#undef MV
    return top - 1;
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

/* A stored tick: the raw tick (signed, since the section's start) shifted;
 * 0 when below. */
static inline uint64_t stored_tick(uint64_t w0, unsigned shift)
{
    int64_t t = (int64_t)w0 >> 8;
    return (uint64_t)(t & ~(t >> 63)) >> shift; /* branch-free max(t, 0) */
}

uint32_t al_ev_count(const uint64_t *w, size_t nwords)
{
    uint32_t n = 0;
    for (size_t i = 0; i < nwords;) {
        unsigned head = AL_REC_HEAD(w[i]);
        if ((head & AL_EV_KIND_MASK) == AL_EV_STACK_DEF) {
            if (i + 2 >= nwords) break;
            i += 3 + w[i + 2];
            continue;
        }
        i += al_ev_words(head);
        n++;
    }
    return n;
}

#define REC_ENC_MAX_EVENT 6

/* The encoder's running state. The hot loop keeps it in locals and hands
 * it over (st) to the out-of-line path for the rarer kinds, so that the
 * loop's few values stay in registers. */
typedef struct enc_state {
    unsigned char *heads, *tcol, *scol, *acol, *fcol, *xcol;
    uint64_t prev_q, prev_alloc, prev_freed;
    uint64_t *ftop;
    uint32_t ordinal, prev_ordinal, ndefs, gen;
    al_block_slot *slots;
    unsigned shift;
} enc_state;

/* Any event but a plain malloc or free, or a stack definition, at w: the
 * words after it, or NULL when they are malformed. */
static __attribute__((noinline)) const uint64_t *encode_other(enc_state *st, const uint64_t *w, const uint64_t *end)
{
    uint64_t w0 = w[0];
    unsigned head = AL_REC_HEAD(w0), kind = head & AL_EV_KIND_MASK;
    unsigned ki = al_ev_kind_info[kind];
    if (!(ki & AL_KI_EVENT)) {
        if (kind != AL_EV_STACK_DEF || head != AL_EV_STACK_DEF || end - w < 3) return NULL;
        uint64_t nf = w[2];
        if (nf == 0 || nf > 256 || (uint64_t)(end - w - 3) < nf) return NULL;
        *st->heads++ = AL_EV_STACK_DEF;
        st->xcol = al_varint_put(st->xcol, w[1]);
        st->xcol = al_varint_put(st->xcol, nf);
        uint64_t prev = 0;
        for (uint64_t k = 0; k < nf; k++) {
            st->xcol = al_varint_put(st->xcol, al_zigzag((int64_t)(w[3 + k] - prev)));
            prev = w[3 + k];
        }
        st->ndefs++;
        return w + 3 + nf;
    }
    size_t len = (ki >> AL_KI_WORDS_SHIFT) + ((head >> 5) & 1);
    if ((size_t)(end - w) < len) return NULL;
    uint64_t addr = w[1];
    const uint64_t *x = w + 2;
    *st->heads++ = (unsigned char)head;
    uint64_t q = stored_tick(w0, st->shift);
    if (q < st->prev_q) q = st->prev_q;
    st->tcol = al_varint_put(st->tcol, q - st->prev_q);
    st->prev_q = q;
    uint64_t size = 0;
    if (ki & AL_KI_SIZE) size = *x++;
    if (ki & AL_KI_REALLOC) {
        uint64_t q2 = stored_tick(x[0], st->shift);
        uint64_t old = x[1];
        x += 2;
        st->tcol = al_varint_put(st->tcol, q2 > q ? q2 - q : 0);
        st->fcol = put_freed(st->fcol, st->slots, st->gen, old, &st->prev_freed, &st->prev_ordinal);
        if (old && !(head & AL_EV_FAILED)) *++st->ftop = old;
    }
    if (ki & AL_KI_SIZE) st->scol = al_varint_put(st->scol, size);
    if (ki & AL_KI_ALIGN) st->xcol = al_varint_put(st->xcol, *x++);
    if (ki & AL_KI_ALLOCATES) {
        if (!(head & AL_EV_FAILED)) {
            /* 1 + its position on the freed stack, or 0 and the address. */
            int at = freed_find(st->ftop, addr);
            if (at >= 0) {
                *st->acol++ = (unsigned char)(at + 1);
                st->ftop = freed_take(st->ftop, at);
            } else {
                *st->acol++ = 0;
                st->acol = al_varint_put(st->acol, al_zigzag((int64_t)(addr - st->prev_alloc)));
            }
            st->prev_alloc = addr;
            st->slots[(addr >> 4) & (AL_BLOCK_TABLE - 1)] = (al_block_slot){addr, st->ordinal++, st->gen};
        }
    } else {
        st->fcol = put_freed(st->fcol, st->slots, st->gen, addr, &st->prev_freed, &st->prev_ordinal);
        if (addr) *++st->ftop = addr;
    }
    if (head & AL_EV_HAS_STACK) st->xcol = al_varint_put(st->xcol, *x++);
    return w + len;
}

size_t al_ev_encode(const al_ev_chunk *c, const uint64_t *w, size_t nwords, unsigned char *out, uint32_t *nevents)
{
    /* Each column is written into its own region of out, sized for the
     * worst case, then the regions are packed behind the prefix. */
    size_t head_room = 12 * AL_VARINT_MAX;
    unsigned char *start[NCOLS];
    unsigned char *p = out + head_room;
    for (int i = 0; i < NCOLS; i++) {
        start[i] = p;
        p += col_per_word[i] * nwords + 16;
    }
    uintptr_t scratch = ((uintptr_t)p + 7) & ~(uintptr_t)7;
    memset((void *)scratch, 0, AL_FREED_SEARCH * sizeof(uint64_t));
    al_block_table *bt = c->table;
    al_block_table_next(bt);
    const uint64_t *const end = w + nwords;
    /* base: the first event's tick (stack definitions carry none). */
    uint64_t base = 0;
    for (const uint64_t *f = w; f < end; f += 3 + f[2]) {
        if ((f[0] & 0xff) != AL_EV_STACK_DEF || end - f < 3) {
            base = stored_tick(f[0], c->shift);
            break;
        }
    }
    enc_state st = {start[COL_HEADS], start[COL_TIME], start[COL_SIZE], start[COL_ALLOC], start[COL_FREED],
                    start[COL_EXTRA], base, 0, 0, (uint64_t *)scratch + AL_FREED_SEARCH - 1, 0, 0, 0, bt->gen,
                    bt->s, c->shift};
    /* Locals, not the state's fields: the column stores (bytes) could
     * alias anything read through a pointer, which the compiler would then
     * load again after each. */
    unsigned char *heads = st.heads, *tcol = st.tcol, *scol = st.scol, *acol = st.acol, *fcol = st.fcol;
    uint64_t prev_q = base, prev_alloc = 0, prev_freed = 0, *ftop = st.ftop;
    uint32_t ordinal = 0, prev_ordinal = 0;
    const uint32_t gen = st.gen;
    al_block_slot *const slots = st.slots;
    const unsigned shift = c->shift;
    /* The time in one shift, signed: a tick below the previous one (another
     * CPU's, or negative) becomes the previous one, which is never below 0. */
    const unsigned tshift = 8 + shift;
#define PUT_TIME(w0)                                              \
    do {                                                          \
        int64_t q_ = (int64_t)(w0) >> tshift;                     \
        if (q_ < (int64_t)prev_q) q_ = (int64_t)prev_q;           \
        tcol = al_varint_put(tcol, (uint64_t)q_ - prev_q);        \
        prev_q = (uint64_t)q_;                                    \
    } while (0)
    /* The fast loop runs while a whole malloc or free is surely in bounds
     * (the longest event without a stack definition is 6 words). */
    const uint64_t *const fast_end = nwords >= REC_ENC_MAX_EVENT ? end - REC_ENC_MAX_EVENT : w;
    while (w < end) {
        uint64_t w0 = w[0];
        /* The two calls most programs make most, here; the rest out of line. */
        if ((w0 & 0xff) == AL_EV_FREE && w < fast_end) {
            uint64_t addr = w[1];
            *heads++ = AL_EV_FREE;
            PUT_TIME(w0);
            fcol = put_freed(fcol, slots, gen, addr, &prev_freed, &prev_ordinal);
            if (addr) *++ftop = addr;
            w += 2;
        } else if ((w0 & 0xff) == AL_EV_MALLOC && w < fast_end) {
            uint64_t addr = w[1];
            *heads++ = AL_EV_MALLOC;
            PUT_TIME(w0);
            scol = al_varint_put(scol, w[2]);
            int at = freed_find(ftop, addr);
            if (at >= 0) {
                *acol++ = (unsigned char)(at + 1);
                ftop = freed_take(ftop, at);
            } else {
                *acol++ = 0;
                acol = al_varint_put(acol, al_zigzag((int64_t)(addr - prev_alloc)));
            }
            prev_alloc = addr;
            slots[(addr >> 4) & (AL_BLOCK_TABLE - 1)] = (al_block_slot){addr, ordinal++, gen};
            w += 3;
        } else {
            st.heads = heads, st.tcol = tcol, st.scol = scol, st.acol = acol, st.fcol = fcol;
            st.prev_q = prev_q, st.prev_alloc = prev_alloc, st.prev_freed = prev_freed, st.ftop = ftop;
            st.ordinal = ordinal, st.prev_ordinal = prev_ordinal;
            w = encode_other(&st, w, end);
            if (!w) return 0;
            heads = st.heads, tcol = st.tcol, scol = st.scol, acol = st.acol, fcol = st.fcol;
            prev_q = st.prev_q, prev_alloc = st.prev_alloc, prev_freed = st.prev_freed, ftop = st.ftop;
            ordinal = st.ordinal, prev_ordinal = st.prev_ordinal;
        }
    }
#undef PUT_TIME
    uint32_t n = (uint32_t)(heads - start[COL_HEADS]) - st.ndefs;
    unsigned char *pos[NCOLS] = {heads, tcol, scol, acol, fcol, st.xcol};
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
