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

/* Take the entry at position `at` (< 16) off the freed stack: the newer ones
 * move down a slot (a loop the compiler must not make a memmove call of). */
static inline void freed_take(al_freed_stack *s, size_t at)
{
    uint64_t *a = &s->a[s->n - 1 - at];
    for (size_t j = 0; j < at; j++) {
        __asm__("" ::: "memory");
        a[j] = a[j + 1];
    }
    s->n--;
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

/* A stored tick: the raw tick (signed, since the section's start) less the
 * chunk's origin, shifted; 0 when below. */
static inline uint64_t stored_tick(uint64_t w0, int64_t origin, unsigned shift)
{
    int64_t t = ((int64_t)w0 >> 8) - origin;
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
    al_freed_stack freed = {(uint64_t *)scratch, 0};
    /* Locals, not an array of positions: the column stores (bytes) could
     * alias anything read through a pointer, which the compiler would then
     * load again after each. */
    unsigned char *heads = start[COL_HEADS], *tcol = start[COL_TIME], *scol = start[COL_SIZE];
    unsigned char *acol = start[COL_ALLOC], *fcol = start[COL_FREED], *xcol = start[COL_EXTRA];
    uint64_t prev_alloc = 0, prev_freed = 0, base = 0;
    uint32_t ordinal = 0, prev_ordinal = 0;
    al_block_table *bt = c->table;
    al_block_table_next(bt);
    const unsigned shift = c->shift;
    const int64_t origin = (int64_t)c->origin;
    al_block_slot *const slots = bt->s;
    const uint32_t gen = bt->gen;
    uint32_t n = 0;
    const uint64_t *const end = w + nwords;
    /* base: the first event's tick (stack definitions carry none). */
    for (const uint64_t *f = w; f < end; f += 3 + f[2]) {
        if ((f[0] & 0xff) != AL_EV_STACK_DEF || end - f < 3) {
            base = stored_tick(f[0], origin, shift);
            break;
        }
    }
    uint64_t prev_q = base;
#define PUT_TIME(w0)                                     \
    do {                                                 \
        uint64_t q_ = stored_tick((w0), origin, shift);  \
        if (q_ < prev_q) q_ = prev_q;                    \
        tcol = al_varint_put(tcol, q_ - prev_q);         \
        prev_q = q_;                                     \
    } while (0)
    while (w < end) {
        /* The two calls most programs make most, first and without tests
         * of what their kind carries. */
        if ((w[0] & 0xff) == AL_EV_FREE && end - w >= 2) {
            uint64_t addr = w[1];
            *heads++ = AL_EV_FREE;
            PUT_TIME(w[0]);
            fcol = put_freed(fcol, slots, gen, addr, &prev_freed, &prev_ordinal);
            if (addr) al_freed_push(&freed, addr);
            w += 2;
            n++;
            continue;
        }
        if ((w[0] & 0xff) == AL_EV_MALLOC && end - w >= 3) {
            uint64_t addr = w[1];
            *heads++ = AL_EV_MALLOC;
            PUT_TIME(w[0]);
            scol = al_varint_put(scol, w[2]);
            int at = al_freed_find(&freed, addr);
            if (at >= 0) {
                *acol++ = (unsigned char)(at + 1);
                freed_take(&freed, (size_t)at);
            } else {
                *acol++ = 0;
                acol = al_varint_put(acol, al_zigzag((int64_t)(addr - prev_alloc)));
            }
            prev_alloc = addr;
            slots[(addr >> 4) & (AL_BLOCK_TABLE - 1)] = (al_block_slot){addr, ordinal++, gen};
            w += 3;
            n++;
            continue;
        }
        uint64_t w0 = w[0];
        unsigned head = AL_REC_HEAD(w0), kind = head & AL_EV_KIND_MASK;
        unsigned ki = al_ev_kind_info[kind];
        if (ENC_UNLIKELY(!(ki & AL_KI_EVENT))) {
            if (kind != AL_EV_STACK_DEF || head != AL_EV_STACK_DEF || end - w < 3) return 0;
            uint64_t nf = w[2];
            if (nf == 0 || nf > 256 || (uint64_t)(end - w - 3) < nf) return 0;
            *heads++ = AL_EV_STACK_DEF;
            xcol = al_varint_put(xcol, w[1]);
            xcol = al_varint_put(xcol, nf);
            uint64_t prev = 0;
            for (uint64_t k = 0; k < nf; k++) {
                xcol = al_varint_put(xcol, al_zigzag((int64_t)(w[3 + k] - prev)));
                prev = w[3 + k];
            }
            w += 3 + nf;
            continue;
        }
        size_t len = (ki >> AL_KI_WORDS_SHIFT) + ((head >> 5) & 1);
        if ((size_t)(end - w) < len) return 0;
        uint64_t addr = w[1];
        const uint64_t *x = w + 2;
        *heads++ = (unsigned char)head;
        PUT_TIME(w0);
        uint64_t q = prev_q;
        uint64_t size = 0;
        if (ki & AL_KI_SIZE) size = *x++;
        if (ENC_UNLIKELY(ki & AL_KI_REALLOC)) {
            uint64_t q2 = stored_tick(x[0], origin, shift);
            uint64_t old = x[1];
            x += 2;
            tcol = al_varint_put(tcol, q2 > q ? q2 - q : 0);
            fcol = put_freed(fcol, slots, gen, old, &prev_freed, &prev_ordinal);
            if (old && !(head & AL_EV_FAILED)) al_freed_push(&freed, old);
        }
        if (ki & AL_KI_SIZE) scol = al_varint_put(scol, size);
        if (ENC_UNLIKELY(ki & AL_KI_ALIGN)) xcol = al_varint_put(xcol, *x++);
        if (ki & AL_KI_ALLOCATES) {
            if (ENC_LIKELY(!(head & AL_EV_FAILED))) {
                /* 1 + its position on the freed stack, or 0 and the address. */
                int at = al_freed_find(&freed, addr);
                if (at >= 0) {
                    *acol++ = (unsigned char)(at + 1);
                    freed_take(&freed, (size_t)at);
                } else {
                    *acol++ = 0;
                    acol = al_varint_put(acol, al_zigzag((int64_t)(addr - prev_alloc)));
                }
                prev_alloc = addr;
                slots[(addr >> 4) & (AL_BLOCK_TABLE - 1)] = (al_block_slot){addr, ordinal++, gen};
            }
        } else {
            fcol = put_freed(fcol, slots, gen, addr, &prev_freed, &prev_ordinal);
            if (addr) al_freed_push(&freed, addr);
        }
        if (ENC_UNLIKELY(head & AL_EV_HAS_STACK)) xcol = al_varint_put(xcol, *x++);
        w += len;
        n++;
    }
#undef PUT_TIME
    unsigned char *pos[NCOLS] = {heads, tcol, scol, acol, fcol, xcol};
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
