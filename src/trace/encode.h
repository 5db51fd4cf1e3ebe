/* The EVENTS payload: a thread's calls as fixed-size records (what the
 * recorder's hot path appends) and their columnar encoding (what the file
 * holds, see docs/trace-format.md, "EVENTS").
 *
 * A record is three words. Word 0 holds the head byte (kind and flags, as in
 * the file) in its low 8 bits and the raw clock tick above them; an event
 * that needs more (a realloc's old address and return tick, an alignment, a
 * stack id) is followed by extension records; a stack definition is one
 * record followed by its frames packed three to a record.
 *
 * The encoder is allocation-free (the recorder runs it inside the traced
 * process) and used by the tests to write traces the same way.
 */
#ifndef ALLOCLAB_TRACE_ENCODE_H
#define ALLOCLAB_TRACE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

typedef struct al_ev_rec {
    uint64_t w0;   /* (tick << 8) | head */
    uint64_t addr; /* the result, the freed address; EXT: its value */
    uint64_t size; /* the requested size; STACK_DEF: the frame count */
} al_ev_rec;

#define AL_REC_HEAD(w0) ((unsigned)((w0) & 0xffu))
#define AL_REC_TICK(w0) ((w0) >> 8)
static inline uint64_t al_rec_w0(uint64_t tick, unsigned head) { return (tick << 8) | head; }

/* Extension records, after the event they complete, in this order:
 *   realloc/reallocarray: EXT_REALLOC {tick: the return, addr: the old address}
 *   aligned kinds, free_aligned_sized: EXT_ALIGN {addr: the alignment}
 *   an event whose head has AL_EV_HAS_STACK: EXT_STACK {addr: the stack id} */
enum { AL_REC_EXT_REALLOC = 28, AL_REC_EXT_ALIGN = 29, AL_REC_EXT_STACK = 30 };

/* The records a stack definition of n frames takes (its own and its frames'). */
static inline size_t al_rec_stack_records(size_t n) { return 1 + (n + 2) / 3; }

/* What a chunk's prefix says besides its events. */
typedef struct al_ev_chunk {
    uint64_t tid, seq;
    uint64_t cal_tick, cal_ns; /* a clock pair read when the chunk was written */
    unsigned shift;            /* ticks are stored >> shift (the section's) */
    uint64_t origin;           /* the section's first tick: stored ticks are since it */
    al_block_table *table;     /* the encoder's working table (its caller's, reused) */
} al_ev_chunk;

/* The bytes the encoding of nrec records needs in its output buffer: the
 * encoding itself (prefix included) and the encoder's scratch space. */
static inline size_t al_ev_encode_bound(size_t nrec) { return 16 * AL_VARINT_MAX + 8 + nrec * (2 + 7 * AL_VARINT_MAX + 8); }

/* Encode nrec records (whole events: extensions and stack frames included)
 * into out (at least al_ev_encode_bound(nrec) bytes): the prefix, then the
 * columns. Returns the bytes written and the number of events in *nevents;
 * 0 when the records are malformed (a programming error). */
size_t al_ev_encode(const al_ev_chunk *c, const al_ev_rec *r, size_t nrec, unsigned char *out, uint32_t *nevents);

#endif
