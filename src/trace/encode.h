/* The EVENTS payload: a thread's calls as a stream of 64-bit words (what the
 * recorder's hot path appends) and their columnar encoding (what the file
 * holds, see docs/trace-format.md, "EVENTS").
 *
 * An event is a run of words whose count its head byte decides:
 *   w0        (tick << 8) | head: the head byte as in the file (kind and
 *             flags), the raw clock tick since the section's start above it
 *             (a signed 56-bit value: a CPU a little behind gives a negative
 *             tick, read as 0)
 *   address   the result of an allocation, the pointer a free was given
 *   size      the requested size, for every kind but free
 * followed, in this order, by
 *   realloc, reallocarray:            the return's tick (<< 8), the old address
 *   aligned kinds, free_aligned_sized: the alignment
 *   a head with AL_EV_HAS_STACK:      the stack id
 * A stack definition is {AL_EV_STACK_DEF, id, n} and its n frames, a word
 * each. So a free is two words and a malloc three: the hot path stores
 * them and nothing else.
 *
 * The encoder is allocation-free (the recorder runs it inside the traced
 * process) and used by the tests to write traces the same way.
 */
#ifndef ALLOCLAB_TRACE_ENCODE_H
#define ALLOCLAB_TRACE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

#define AL_REC_HEAD(w0) ((unsigned)((w0) & 0xffu))
static inline uint64_t al_rec_w0(uint64_t tick, unsigned head) { return (tick << 8) | head; }

/* What the head of each kind implies (al_ev_kind_info[kind]): flags in the
 * low 5 bits, the event's words without a stack id above them; 0: not an
 * event kind. */
enum { AL_KI_EVENT = 1, AL_KI_SIZE = 2, AL_KI_ALLOCATES = 4, AL_KI_REALLOC = 8, AL_KI_ALIGN = 16 };
#define AL_KI_WORDS_SHIFT 5
extern const unsigned char al_ev_kind_info[32];

/* The words of the event whose head is `head` (a stack definition: its first
 * three; its frames follow). */
static inline size_t al_ev_words(unsigned head)
{
    unsigned ki = al_ev_kind_info[head & AL_EV_KIND_MASK];
    return (ki >> AL_KI_WORDS_SHIFT) + ((head >> 5) & 1); /* AL_EV_HAS_STACK */
}

/* What a chunk's prefix says besides its events. */
typedef struct al_ev_chunk {
    uint64_t tid, seq;
    uint64_t cal_tick, cal_ns; /* a clock pair read when the chunk was written */
    unsigned shift;            /* ticks are stored >> shift (the section's) */
    al_block_table *table;     /* the encoder's working table (its caller's, reused) */
} al_ev_chunk;

/* The bytes the encoding of nwords words needs in its output buffer: the
 * encoding itself (prefix included) and the encoder's scratch space. */
static inline size_t al_ev_encode_bound(size_t nwords)
{
    return 1024 + 8192 + nwords * 33;
}

/* Encode nwords words (whole events: extensions and stack frames included)
 * into out (at least al_ev_encode_bound(nwords) bytes): the prefix, then the
 * columns. Returns the bytes written and the number of events in *nevents;
 * 0 when the words are malformed (a programming error). */
size_t al_ev_encode(const al_ev_chunk *c, const uint64_t *w, size_t nwords, unsigned char *out, uint32_t *nevents);

/* The number of events in nwords words (stack definitions not counted). */
uint32_t al_ev_count(const uint64_t *w, size_t nwords);

#endif
