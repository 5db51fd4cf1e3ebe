/* Hand-made traces for the tests (see synth_trace.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth_trace.h"

#include <stdlib.h>
#include <string.h>

void synth_trace_section(al_tw *w, int fd, uint64_t section, uint64_t pid, const char *name, uint64_t start_ns)
{
    unsigned char buf[512], *q = buf;
    size_t len = strlen(name);
    assert_true(len < 256);
    q = al_varint_put(q, pid); /* pid, ppid, parent, flags, start, realtime, tick, shift */
    q = al_varint_put(q, 1);
    q = al_varint_put(q, 0);
    q = al_varint_put(q, 0);
    q = al_varint_put(q, start_ns);
    q = al_varint_put(q, 5);
    q = al_varint_put(q, start_ns);
    q = al_varint_put(q, 0);
    q = al_varint_put(q, len);
    memcpy(q, name, len);
    q += len;
    q = al_varint_put(q, 0);
    assert_int_equal(al_tw_chunk(w, fd, AL_CHUNK_SECTION, section, 0, buf, (size_t)(q - buf)), 0);
}

uint32_t synth_trace_events(al_tw *w, int fd, uint64_t section, uint32_t thread, uint64_t tid, uint64_t seq,
                            const al_ev_rec *r, size_t n)
{
    /* Records to words: each event's own, then a realloc's extension. */
    uint64_t *words = malloc((5 * n + 1) * sizeof *words), *q = words;
    assert_non_null(words);
    for (size_t i = 0; i < n; i++) {
        unsigned kind = AL_REC_HEAD(r[i].w0) & AL_EV_KIND_MASK;
        assert_true(kind != 0 && kind < AL_EV_KIND_COUNT);
        assert_false(al_ev_kind_info[kind] & AL_KI_ALIGN); /* no alignment word here */
        *q++ = r[i].w0;
        *q++ = r[i].addr;
        if (kind != AL_EV_FREE) *q++ = r[i].size;
        if (kind == AL_EV_REALLOC || kind == AL_EV_REALLOCARRAY) {
            assert_true(i + 1 < n && AL_REC_HEAD(r[i + 1].w0) == AL_REC_EXT_REALLOC);
            i++;
            *q++ = r[i].w0 & ~(uint64_t)0xff;
            *q++ = r[i].addr;
        }
    }
    al_ev_chunk c = {tid, seq, 0, 0, 0, NULL};
    uint32_t events = 0;
    assert_int_equal(al_tw_events(w, fd, section, thread, &c, words, (size_t)(q - words), &events), 0);
    free(words);
    return events;
}

void synth_trace_end(al_tw *w, int fd, uint64_t section, uint64_t end_ns, uint64_t events)
{
    unsigned char buf[64], *q = buf;
    q = al_varint_put(q, end_ns); /* tick, ns, events, flags, lost, status */
    q = al_varint_put(q, end_ns);
    q = al_varint_put(q, events);
    q = al_varint_put(q, AL_END_COMPLETE);
    q = al_varint_put(q, 0);
    q = al_varint_put(q, 0);
    assert_int_equal(al_tw_chunk(w, fd, AL_CHUNK_END, section, 0, buf, (size_t)(q - buf)), 0);
}

al_ev_rec *synth_rec_alloc(al_ev_rec *q, unsigned kind, uint64_t t, uint64_t size, uint64_t addr)
{
    *q++ = (al_ev_rec){al_rec_w0(t, kind | (addr ? 0 : AL_EV_FAILED)), addr, size};
    return q;
}

al_ev_rec *synth_rec_free(al_ev_rec *q, uint64_t t, uint64_t addr)
{
    *q++ = (al_ev_rec){al_rec_w0(t, AL_EV_FREE), addr, 0};
    return q;
}

al_ev_rec *synth_rec_realloc(al_ev_rec *q, uint64_t t0, uint64_t t1, uint64_t old, uint64_t size, uint64_t addr)
{
    *q++ = (al_ev_rec){al_rec_w0(t0, AL_EV_REALLOC | (addr ? 0 : AL_EV_FAILED)), addr, size};
    *q++ = (al_ev_rec){al_rec_w0(t1, AL_REC_EXT_REALLOC), old, 0};
    return q;
}
