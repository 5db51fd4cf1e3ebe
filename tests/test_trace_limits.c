/* The reader's limits on crafted traces: a file whose chunks declare more
 * than the memory limit is refused with one line (and exit status 2 from
 * the CLI) before it is decoded, also when it is a few kilobytes of zstd
 * frames that decompress to gigabytes; stack ids anywhere in 32 bits are
 * read without a table of that size; thousands of threads at one tick
 * merge in bounded work; a thread's missing chunk, and an END counting
 * more than the chunks hold, are a stated loss, not a refusal; a chunk
 * numbered twice is refused; calls after a section's END are read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "replay.h"
#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "synth_trace.h"
#include "trace.h"
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static cli_run run;

/* A hand-made EVENTS payload: the prefix, then the six columns. */
typedef struct payload {
    unsigned char *buf, *q;
} payload;

static void put_columns(payload *p, uint64_t tid, uint64_t seq, uint64_t count, const unsigned char *const *cols,
                        const size_t *lens)
{
    p->q = al_varint_put(p->q, tid);
    p->q = al_varint_put(p->q, seq);
    p->q = al_varint_put(p->q, 0); /* base */
    p->q = al_varint_put(p->q, count);
    p->q = al_varint_put(p->q, 0); /* clock pair */
    p->q = al_varint_put(p->q, 0);
    for (int i = 0; i < 6; i++) {
        p->q = al_varint_put(p->q, lens[i]);
        memcpy(p->q, cols[i], lens[i]);
        p->q += lens[i];
    }
}

/* n mallocs of 16 bytes at tick 0, all at one address (each a reuse of a
 * live address, which the model counts): five bytes an event, which zstd
 * shrinks to almost nothing. */
static void bomb_chunk(al_tw *w, int fd, uint64_t section, uint64_t seq, size_t n)
{
    unsigned char *heads = malloc(n), *time = calloc(n, 1), *sizes = malloc(n), *alloc = calloc(2 * n + 4, 1);
    assert_true(heads && time && sizes && alloc);
    memset(heads, AL_EV_MALLOC, n);
    memset(sizes, 16, n);
    size_t al = 0;
    alloc[al++] = 0;
    al = (size_t)(al_varint_put(alloc + al, 0x2000) - alloc); /* zigzag(+0x1000) */
    al += 2 * (n - 1);                                          /* "0, delta 0" per later event */
    const unsigned char *cols[6] = {heads, time, sizes, alloc, (const unsigned char *)"", (const unsigned char *)""};
    size_t lens[6] = {n, n, n, al, 0, 0};
    payload p;
    p.buf = p.q = malloc(5 * n + 256);
    assert_non_null(p.buf);
    put_columns(&p, 1000, seq, n, cols, lens);
    assert_int_equal(al_tw_chunk(w, fd, AL_CHUNK_EVENTS, section, 0, p.buf, (size_t)(p.q - p.buf)), 0);
    free(p.buf);
    free(heads);
    free(time);
    free(sizes);
    free(alloc);
}

static void write_bomb(const char *path, size_t chunks, size_t per_chunk)
{
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(AL_TRACE_MAX_RAW);
    assert_non_null(w);
    synth_trace_section(w, fd, 5, 500, "bomb", 1000);
    for (size_t c = 0; c < chunks; c++) bomb_chunk(w, fd, 5, c, per_chunk);
    synth_trace_end(w, fd, 5, 100000, chunks * per_chunk);
    al_tw_free(w);
    close(fd);
}

static long rss_now_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &size, &res), 2);
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A small file of frames that decompress to 16 MiB each: refused by its
 * declared size, with the reader's memory staying small. */
static void test_memory_limit(void **state)
{
    (void)state;
    const char *path = synth_group_path("bomb.trace");
    size_t per = (AL_TRACE_MAX_RAW - 4096) / 5; /* about 3.3 million calls a chunk */
    write_bomb(path, 40, per);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    print_message("%ld bytes declaring %zu calls\n", size, 40 * per);
    assert_true(size < 4 << 20);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err); /* the default: half the machine's memory */
    if (t) fail_msg("a trace of %zu calls was read whole", 40 * per);
    assert_non_null(strstr(err, "trace too large"));
    /* The reader's peak: read again in a child (fork maps this process's
     * pages into it, so its peak RSS less this process's RSS now is what
     * the read took): its buffers, one decompressed chunk at a time, not
     * the 640 MiB the chunks decompress to, nor the model they declare. */
    long now = rss_now_kib();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(al_trace_read(path, err, sizeof err) ? 1 : 0);
    int st = 0;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    print_message("%s; the read took %ld KiB at its peak\n", err, ru.ru_maxrss - now);
    if (!SANITIZED) /* a sanitizer's shadow and quarantine are not the reader's */
        assert_true(ru.ru_maxrss - now < 100 * 1024);

    /* Under a limit it fits, it reads; below, it is refused. */
    write_bomb(path, 2, 1000);
    t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 2000);
    assert_int_equal(t->reused_live, 1999);
    al_trace_free(t);
    setenv("ALLOCLAB_TRACE_MEMORY_LIMIT", "100000", 1);
    assert_null(al_trace_read(path, err, sizeof err));
    assert_non_null(strstr(err, "trace too large"));
    /* The commands: one line, status 2. */
    const char *cmds[] = {"profile", "replay", "recommend"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, cmds[i], path), 0);
        assert_int_equal(cli_exit_code(&run), 2);
        assert_int_equal(cli_count_lines(run.err), 1);
        assert_non_null(strstr(run.err, "trace too large"));
    }
    unsetenv("ALLOCLAB_TRACE_MEMORY_LIMIT");
}

/* A stack id near 2^32 is a key, not an index: read, and its event names it. */
static void test_large_stack_ids(void **state)
{
    (void)state;
    const char *path = synth_group_path("stacks.trace");
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(1 << 20);
    synth_trace_section(w, fd, 6, 600, "stacks", 1000);
    /* A definition of id 4000000000 (two frames), a malloc using it, its free. */
    unsigned char heads[3] = {31, AL_EV_MALLOC | AL_EV_HAS_STACK, AL_EV_FREE}, time[2] = {1, 1}, sizes[1] = {64};
    unsigned char alloc[8], freed[1] = {1}, extras[32], *x = extras; /* freed: ordinal +0 */
    size_t al = (size_t)(al_varint_put(alloc + 1, 0x2000) - alloc);
    alloc[0] = 0;
    x = al_varint_put(x, 4000000000u);
    x = al_varint_put(x, 2);
    x = al_varint_put(x, 0x800000);
    x = al_varint_put(x, 0x40);
    x = al_varint_put(x, 4000000000u);
    const unsigned char *cols[6] = {heads, time, sizes, alloc, freed, extras};
    size_t lens[6] = {3, 2, 1, al, 1, (size_t)(x - extras)};
    unsigned char buf[256];
    payload p = {buf, buf};
    put_columns(&p, 600, 0, 2, cols, lens);
    assert_int_equal(al_tw_chunk(w, fd, AL_CHUNK_EVENTS, 6, 0, buf, (size_t)(p.q - buf)), 0);
    synth_trace_end(w, fd, 6, 5000, 2);
    al_tw_free(w);
    close(fd);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 2);
    assert_int_equal(t->nstacks, 2);
    assert_int_equal(t->events[0].stack, 1);
    assert_int_equal(t->stacks[1].nframes, 2);
    assert_true(t->stacks[1].frames[0] == 0x400000 && t->stacks[1].frames[1] == 0x400020);
    al_trace_free(t);
}

/* 1500 threads whose 200 calls all share tick 0, every thread freeing the
 * previous thread's blocks: the merge still finds an order under which no
 * block is allocated twice or freed unknown, in bounded work. */
enum { WIDE_THREADS = 1500, WIDE_CALLS = 100 };

static uint64_t wide_addr(unsigned th, unsigned b) { return 0x100000000ull + 0x100000ull * th + 0x100ull * b; }

static void test_wide_tick(void **state)
{
    (void)state;
    const char *path = synth_group_path("wide.trace");
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(8 << 20);
    synth_trace_section(w, fd, 7, 700, "wide", 1000);
    al_ev_rec recs[3 * WIDE_CALLS], *q;
    uint64_t total = 0;
    for (unsigned th = 0; th < WIDE_THREADS; th++) {
        q = recs;
        for (unsigned b = 0; b < WIDE_CALLS; b++) q = synth_rec_alloc(q, AL_EV_MALLOC, 5000, 32, wide_addr(th, b));
        unsigned prev = (th + WIDE_THREADS - 1) % WIDE_THREADS;
        for (unsigned b = 0; b < WIDE_CALLS; b++) q = synth_rec_free(q, 5000, wide_addr(prev, b));
        total += synth_trace_events(w, fd, 7, th, 10000 + th, 0, recs, (size_t)(q - recs));
    }
    synth_trace_end(w, fd, 7, 9000, total);
    al_tw_free(w);
    close(fd);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 2 * WIDE_THREADS * WIDE_CALLS);
    assert_int_equal(t->nblocks, 1 + WIDE_THREADS * WIDE_CALLS);
    assert_int_equal(t->unknown_frees, 0);
    assert_int_equal(t->reused_live, 0);
    al_trace_free(t);
}

/* Thread 0 of a section: chunks numbered `seqs`, each of n mallocs then n
 * frees of its own blocks; END says `end_events`. */
static void write_chunks(const char *path, const uint64_t *seqs, size_t nchunks, unsigned n, uint64_t end_events,
                         bool late)
{
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(1 << 20);
    synth_trace_section(w, fd, 8, 800, "gaps", 1000);
    al_ev_rec recs[256], *q;
    for (size_t c = 0; c < nchunks; c++) {
        q = recs;
        uint64_t t0 = 2000 + 1000 * seqs[c];
        for (unsigned b = 0; b < n; b++) q = synth_rec_alloc(q, AL_EV_MALLOC, t0 + b, 48, 0x5000000 + 0x1000ull * (100 * seqs[c] + b));
        for (unsigned b = 0; b < n; b++) q = synth_rec_free(q, t0 + n + b, 0x5000000 + 0x1000ull * (100 * seqs[c] + b));
        synth_trace_events(w, fd, 8, 0, 800, seqs[c], recs, (size_t)(q - recs));
    }
    synth_trace_end(w, fd, 8, 90000, end_events);
    if (late) { /* a destructor's free after the close, written through */
        q = synth_rec_free(recs, 95000, 0x9999000);
        synth_trace_events(w, fd, 8, 0, 800, seqs[nchunks - 1] + 1, recs, 1);
    }
    al_tw_free(w);
    close(fd);
}

static void test_gaps_are_a_stated_loss(void **state)
{
    (void)state;
    const char *path = synth_group_path("gaps.trace");
    char err[512];
    /* Chunks 0, 1, 3, 4: #2 never reached the file; END counts all five. */
    const uint64_t seqs[] = {0, 1, 3, 4};
    write_chunks(path, seqs, 4, 10, 5 * 20, false);
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 4 * 20);
    assert_int_equal(t->sections[0].missing_chunks, 1);
    assert_int_equal(t->sections[0].missing_events, 20);
    assert_int_equal(t->unknown_frees, 0); /* every chunk decodes alone */
    al_trace_free(t);
    /* The commands read it and say what is missing. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", path), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    char line[512];
    if (!cli_line_with(run.out, "missing", line, sizeof line)) fail_msg("no loss stated:\n%s", run.out);
    assert_non_null(strstr(line, "1 chunk"));
    assert_non_null(strstr(line, "20 calls"));
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "replay", path, "--allocators", "sys", "--quick", "--no-db"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    if (!strstr(run.err, "misses 1 chunk (20 calls)")) fail_msg("replay states no loss: %s", run.err);

    /* Chunks lost at the start of a thread: the same. */
    const uint64_t late_start[] = {2, 3};
    write_chunks(path, late_start, 2, 10, 4 * 20, false);
    t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->sections[0].missing_chunks, 2);
    assert_int_equal(t->sections[0].missing_events, 40);
    al_trace_free(t);

    /* END counting fewer than the chunks before it (a chunk written while
     * END was): nothing lost. */
    const uint64_t all[] = {0, 1};
    write_chunks(path, all, 2, 10, 20, false);
    t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 40);
    assert_int_equal(t->sections[0].missing_events, 0);
    assert_int_equal(t->sections[0].missing_chunks, 0);
    al_trace_free(t);

    /* A call after the section's END is read, counted late, not lost. */
    write_chunks(path, all, 2, 10, 40, true);
    t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 41);
    assert_int_equal(t->sections[0].late_events, 1);
    assert_int_equal(t->sections[0].missing_events, 0);
    al_trace_free(t);

    /* A chunk numbered twice is damage, not loss. */
    const uint64_t twice[] = {0, 1, 1};
    write_chunks(path, twice, 3, 10, 60, false);
    assert_null(al_trace_read(path, err, sizeof err));
    assert_non_null(strstr(err, "twice"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_large_stack_ids),
        cmocka_unit_test(test_wide_tick),
        cmocka_unit_test(test_gaps_are_a_stated_loss),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
