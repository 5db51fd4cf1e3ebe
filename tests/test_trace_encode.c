/* The recorder's encoding read back: a random but consistent stream of every
 * kind of call (allocations reusing the last 0-20 freed addresses, so that
 * every position of the freed stack and beyond is met, fresh addresses,
 * reallocs in place and moved, failed calls, aligned and sized calls, free
 * of NULL), written as the recorder's words in chunks cut at random, is read
 * by the reader as exactly those calls: kinds, sizes, alignments, and which
 * allocation each free and realloc ends. No preload: runs under sanitizers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "encode.h"
#include "synth_run.h"
#include "synth_trace.h"
#include "trace.h"
#include "writer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NEV = 60000, MAXLIVE = 4096 };

typedef struct want {
    unsigned kind;
    bool failed;
    uint64_t size, align;
    int64_t ends;   /* the event whose block this one frees or reallocates, -1 none */
} want;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_every_kind_round_trips(void **state)
{
    (void)state;
    uint64_t *w = malloc(NEV * 6 * sizeof *w);
    want *ev = calloc(NEV, sizeof *ev);
    assert_non_null(w);
    assert_non_null(ev);
    /* The simulated heap: live blocks (address, the event that made them)
     * and the addresses freed, newest last. */
    uint64_t live_addr[MAXLIVE], freed[MAXLIVE];
    size_t live_ev[MAXLIVE], nlive = 0, nfreed = 0;
    uint64_t fresh = 0x7f0000000000ull, tick = 1000;
    size_t nw = 0;
    for (size_t i = 0; i < NEV; i++) {
        tick += next_rand() % 300;
        uint64_t r = next_rand() % 100;
        want *e = &ev[i];
        e->ends = -1;
        uint64_t t0 = tick << 8;
        if (nlive > 0 && (r < 40 || nlive >= MAXLIVE - 1)) { /* a free, sized or not */
            size_t k = (size_t)(next_rand() % nlive);
            uint64_t a = live_addr[k];
            e->kind = r % 7 == 0 ? AL_EV_FREE_SIZED : r % 11 == 0 ? AL_EV_FREE_ALIGNED_SIZED : AL_EV_FREE;
            e->ends = (int64_t)live_ev[k];
            e->size = ev[live_ev[k]].size;
            w[nw++] = t0 | e->kind;
            w[nw++] = a;
            if (e->kind != AL_EV_FREE) w[nw++] = e->size;
            if (e->kind == AL_EV_FREE_ALIGNED_SIZED) w[nw++] = e->align = 16;
            live_addr[k] = live_addr[nlive - 1];
            live_ev[k] = live_ev[--nlive];
            if (nfreed < MAXLIVE) freed[nfreed++] = a;
            continue;
        }
        if (r < 43) { /* free(NULL) */
            e->kind = AL_EV_FREE;
            w[nw++] = t0 | AL_EV_FREE;
            w[nw++] = 0;
            continue;
        }
        if (nlive > 0 && r < 50) { /* realloc: in place, or moved to a fresh address */
            size_t k = (size_t)(next_rand() % nlive);
            uint64_t old = live_addr[k], a = r < 46 ? old : (fresh += 4096);
            e->kind = AL_EV_REALLOC;
            e->size = 1 + next_rand() % 5000;
            e->ends = (int64_t)live_ev[k];
            w[nw++] = t0 | AL_EV_REALLOC;
            w[nw++] = a;
            w[nw++] = e->size;
            w[nw++] = (tick + 5) << 8;
            w[nw++] = old;
            live_addr[k] = a;
            live_ev[k] = i;
            continue;
        }
        /* An allocation: one of the last 20 freed addresses, or fresh. */
        uint64_t a;
        size_t depth = (size_t)(next_rand() % 24);
        if (nfreed > depth && r < 85) {
            a = freed[nfreed - 1 - depth];
            memmove(&freed[nfreed - 1 - depth], &freed[nfreed - depth], depth * sizeof *freed);
            nfreed--;
        } else {
            a = (fresh += 64);
        }
        e->kind = r % 5 == 0 ? AL_EV_CALLOC : r % 13 == 0 ? AL_EV_POSIX_MEMALIGN : r % 17 == 0 ? AL_EV_MEMALIGN : AL_EV_MALLOC;
        e->size = 1 + next_rand() % 300;
        e->failed = r == 99;
        w[nw++] = t0 | e->kind | (e->failed ? AL_EV_FAILED : 0);
        w[nw++] = e->failed ? 0 : a;
        w[nw++] = e->size;
        if (e->kind == AL_EV_POSIX_MEMALIGN || e->kind == AL_EV_MEMALIGN) w[nw++] = e->align = 64;
        if (e->failed) {
            if (nfreed < MAXLIVE) freed[nfreed++] = a; /* not used after all */
            continue;
        }
        live_addr[nlive] = a;
        live_ev[nlive++] = i;
    }
    /* Chunks cut at random event boundaries. */
    const char *path = synth_group_path("encode.trace");
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *tw = al_tw_new(al_ev_encode_bound(NEV * 6));
    assert_non_null(tw);
    synth_trace_section(tw, fd, 5, 77, "encode", 1000);
    uint32_t total = 0, seq = 0;
    for (size_t at = 0; at < nw; seq++) {
        size_t want_words = 1 + (size_t)(next_rand() % 20000), end = at;
        while (end < nw && end - at < want_words) end += al_ev_words(AL_REC_HEAD(w[end]));
        assert_true(end <= nw);
        al_ev_chunk c = {77, seq, 0, 0, 0, NULL};
        uint32_t got = 0;
        assert_int_equal(al_tw_events(tw, fd, 5, 0, &c, w + at, end - at, &got), 0);
        assert_int_equal(got, al_ev_count(w + at, end - at));
        total += got;
        at = end;
    }
    assert_int_equal(total, NEV);
    synth_trace_end(tw, fd, 5, tick + 1000, total);
    al_tw_free(tw);
    close(fd);

    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, NEV);
    assert_int_equal(t->unknown_frees, 0);
    assert_int_equal(t->reused_live, 0);
    for (size_t i = 0; i < NEV; i++) {
        const al_trace_event *x = &t->events[i];
        const want *e = &ev[i];
        if (x->kind != e->kind) fail_msg("event %zu: kind %u, want %u", i, x->kind, e->kind);
        assert_int_equal((x->flags & AL_TEV_FAILED) != 0, e->failed);
        if (e->kind != AL_EV_FREE) assert_int_equal(x->size, e->size);
        if (e->align) assert_int_equal(x->align, e->align);
        if (e->ends >= 0) {
            uint32_t b = e->kind == AL_EV_REALLOC ? x->old_block : x->block;
            if (!b || t->blocks[b].alloc_ev != (uint32_t)e->ends)
                fail_msg("event %zu ends block %u, made by event %u; want the block of event %lld", i, b,
                         b ? t->blocks[b].alloc_ev : 0, (long long)e->ends);
            if (e->kind == AL_EV_FREE) assert_int_equal(x->size, e->size);
        } else if (e->kind == AL_EV_FREE) {
            assert_int_equal(x->block, 0); /* free(NULL) */
        }
    }
    al_trace_free(t);
    free(w);
    free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_round_trips),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
