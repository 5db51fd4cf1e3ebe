/* Writing small traces by hand for the tests, through the trace library's
 * own writer and encoder (so the files are exactly what a recorder writes):
 * a section, one thread's records per chunk, its end. Ticks are ns (no TSC,
 * shift 0). Every call asserts success. */
#ifndef ALLOCLAB_SYNTH_TRACE_H
#define ALLOCLAB_SYNTH_TRACE_H

#include "encode.h"
#include "writer.h"

#include <stddef.h>
#include <stdint.h>

/* The SECTION chunk of process `pid` named `name`, started at `start_ns`. */
void synth_trace_section(al_tw *w, int fd, uint64_t section, uint64_t pid, const char *name, uint64_t start_ns);
/* A test's record of one call (three words: (tick << 8) | head, address,
 * size), a realloc followed by an AL_REC_EXT_REALLOC record (its return's
 * tick, the old address): the recorder's word stream (encode.h) is made from
 * them by synth_trace_events. */
typedef struct al_ev_rec {
    uint64_t w0, addr, size;
} al_ev_rec;
enum { AL_REC_EXT_REALLOC = 28 };

/* One EVENTS chunk: n records of thread `thread` (kernel tid `tid`), its
 * chunk number seq. Returns the number of events. */
uint32_t synth_trace_events(al_tw *w, int fd, uint64_t section, uint32_t thread, uint64_t tid, uint64_t seq,
                            const al_ev_rec *r, size_t n);
/* The END chunk, saying `events` were written. */
void synth_trace_end(al_tw *w, int fd, uint64_t section, uint64_t end_ns, uint64_t events);

/* Records, appended at *q: an allocation, a free, a realloc. */
al_ev_rec *synth_rec_alloc(al_ev_rec *q, unsigned kind, uint64_t t, uint64_t size, uint64_t addr);
al_ev_rec *synth_rec_free(al_ev_rec *q, uint64_t t, uint64_t addr);
al_ev_rec *synth_rec_realloc(al_ev_rec *q, uint64_t t0, uint64_t t1, uint64_t old, uint64_t size, uint64_t addr);

#endif
