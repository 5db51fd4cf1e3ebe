/* The tracer end to end: a program with a known allocation pattern traced
 * (alone, and with jemalloc preloaded behind the tracer) gives exactly its
 * counts in the trace and in the profile; real programs from Debian packages
 * (a shell pipeline, perl, gcc) are traced whole; a crashing program's trace
 * is repaired; and every reader refuses truncated, bit-flipped and foreign
 * files. Tests that preload the recorder skip under sanitizer builds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "profile.h"
#include "run_cli.h"
#include "sanitized.h"
#include "synth_run.h"
#include "synth_trace.h"
#include "trace.h"
#include "trace_run.h"
#include "writer.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cli_run run;

static unsigned char *read_all(const char *path, size_t *len);

enum { N = 40, M = 3, K = 25, T = 30 };

/* What each worker of trace_pattern makes (see tests/programs/trace_pattern.c). */
static const uint64_t want_malloc = 4 * N + 1 + T + K, want_calloc = N, want_realloc = 3;
static const uint64_t want_free = 5 * N + 1 + 3 + T + 1 + K, want_temporary = 4 + 1 + 1 + 1 + T;

/* The worker tids the program printed. */
static size_t worker_tids(const char *out, uint64_t *tids, size_t max)
{
    size_t n = 0;
    for (const char *p = out; (p = strstr(p, "worker ")) && n < max; p += 7) tids[n++] = strtoull(p + 7, NULL, 10);
    return n;
}

static void check_pattern_trace(const char *path, const char *stdout_text, const char *module_needle)
{
    uint64_t tids[16];
    assert_int_equal(worker_tids(stdout_text, tids, 16), M);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nsections, 1);
    assert_int_equal(t->sections[0].end_flags & AL_END_COMPLETE, AL_END_COMPLETE);
    if (module_needle) {
        bool found = false;
        for (size_t i = 0; i < t->sections[0].nmodules; i++)
            if (strstr(t->sections[0].modules[i].path, module_needle)) found = true;
        if (!found) fail_msg("no module %s in the trace's module map", module_needle);
    }
    al_profile *p = al_profile_compute(t);
    assert_non_null(p);
    uint64_t cross_by_workers = 0;
    for (size_t w = 0; w < M; w++) {
        size_t ti = SIZE_MAX;
        for (size_t i = 0; i < t->nthreads; i++)
            if (t->threads[i].tid == tids[w]) ti = i;
        if (ti == SIZE_MAX) fail_msg("worker %llu is not in the trace", (unsigned long long)tids[w]);
        /* The worker's own calls end with its last cross-thread free; glibc's
         * thread exit then calls free(NULL), not counted here. */
        size_t last = 0;
        for (size_t i = 0; i < t->nevents; i++)
            if (t->events[i].thread == ti && t->events[i].block) last = i;
        uint64_t kinds[AL_EV_KIND_COUNT] = {0}, trailing = 0;
        uint64_t moved = 0;
        for (size_t i = last + 1; i < t->nevents; i++)
            if (t->events[i].thread == ti) trailing++;
        for (size_t i = 0; i <= last; i++)
            if (t->events[i].thread == ti) {
                kinds[t->events[i].kind]++;
                moved += (t->events[i].flags & AL_TEV_MOVED) != 0;
            }
        assert_int_equal(kinds[AL_EV_MALLOC], want_malloc);
        assert_int_equal(kinds[AL_EV_CALLOC], want_calloc);
        assert_int_equal(kinds[AL_EV_REALLOC], want_realloc);
        assert_int_equal(kinds[AL_EV_POSIX_MEMALIGN], 1);
        assert_int_equal(kinds[AL_EV_ALIGNED_ALLOC], 1);
        assert_int_equal(kinds[AL_EV_MEMALIGN], 1);
        assert_int_equal(kinds[AL_EV_FREE], want_free);
        const al_profile_thread *th = &p->threads[ti];
        assert_int_equal(th->calls - trailing, want_malloc + want_calloc + want_realloc + 3 + want_free);
        assert_true(moved >= 1); /* growing 1000 bytes to 20000 moves on every allocator here */
        assert_int_equal(th->allocations, want_malloc + want_calloc + want_realloc + 3);
        assert_int_equal(th->frees, want_free - 1); /* free(NULL) frees no block */
        assert_int_equal(th->frees_of_others, K);
        assert_int_equal(th->freed_elsewhere, K);
        assert_int_equal(th->temporary, want_temporary);
        cross_by_workers += th->frees_of_others;
    }
    assert_int_equal(cross_by_workers, (uint64_t)M * K);
    assert_true(p->cross_frees >= (uint64_t)M * K);
    assert_int_equal(t->unknown_frees, 0);
    assert_int_equal(t->reused_live, 0);
    al_profile_free(p);
    al_trace_free(t);
}

static void trace_pattern(const char *out_file, const char *extra)
{
    char n[16], m[16], k[16], tt[16];
    snprintf(n, sizeof n, "%d", N);
    snprintf(m, sizeof m, "%d", M);
    snprintf(k, sizeof k, "%d", K);
    snprintf(tt, sizeof tt, "%d", T);
    if (extra)
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "trace", extra, "-o", out_file, "--", ALLOCLAB_TRACE_PATTERN, n, m, k, tt), 0);
    else
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "trace", "-o", out_file, "--", ALLOCLAB_TRACE_PATTERN, n, m, k, tt), 0);
    if (cli_exit_code(&run) != 0) fail_msg("trace failed: %s", run.err);
}

static void test_known_pattern_counts(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    trace_pattern(synth_group_path("pattern.trace"), NULL);
    check_pattern_trace(synth_group_path("pattern.trace"), run.out, NULL);
    /* The profile prints the same per-thread figures. */
    char out_copy[CLI_CAPTURE];
    memcpy(out_copy, run.out, sizeof out_copy);
    uint64_t tids[16];
    worker_tids(out_copy, tids, 16);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("pattern.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    char needle[64], line[512];
    snprintf(needle, sizeof needle, " %llu ", (unsigned long long)tids[0]);
    const char *threads = strstr(run.out, "THREADS");
    assert_non_null(threads);
    assert_non_null(cli_line_with(threads, needle, line, sizeof line));
    unsigned pid;
    unsigned long long tid, calls, allocs, frees, freed_there;
    char num[32], unit[16];
    if (sscanf(line, "%u %llu %llu %llu %31s %15s %llu %llu", &pid, &tid, &calls, &allocs, num, unit, &frees,
               &freed_there) != 8)
        fail_msg("cannot read the thread line: %s", line);
    assert_int_equal(allocs, want_malloc + want_calloc + want_realloc + 3);
    assert_int_equal(frees, want_free - 1);
    assert_int_equal(freed_there, K);
    assert_non_null(strstr(run.out, "CROSS-THREAD FREES"));
    /* --json: the same figures, machine-read. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("pattern.trace"), "--json"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    json_error_t jerr;
    json_t *root = json_loads(run.out, 0, &jerr);
    if (!root) fail_msg("profile --json is not JSON: %s", jerr.text);
    json_t *prof = json_array_get(json_object_get(root, "profiles"), 0);
    assert_non_null(prof);
    bool found = false;
    json_t *th;
    size_t ti;
    json_array_foreach(json_object_get(prof, "threads"), ti, th)
    {
        if ((uint64_t)json_integer_value(json_object_get(th, "tid")) != tids[0]) continue;
        found = true;
        assert_int_equal(json_integer_value(json_object_get(th, "allocations")), want_malloc + want_calloc + want_realloc + 3);
        assert_int_equal(json_integer_value(json_object_get(th, "frees_of_others")), K);
    }
    assert_true(found);
    assert_true(json_integer_value(json_object_get(json_object_get(prof, "peak"), "bytes")) > 0);
    json_decref(root);
    /* The page: self-contained, its two charts inline. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("pattern.trace"), "--html", synth_group_path("p.html")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    size_t len;
    char *page = (char *)read_all(synth_group_path("p.html"), &len);
    page = realloc(page, len + 1);
    assert_non_null(page);
    page[len] = 0;
    assert_true(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(page, "aria-label=\"live bytes over time\""));
    assert_non_null(strstr(page, "<polyline"));
    assert_non_null(strstr(page, "aria-label=\"allocation sizes\""));
    assert_null(strstr(page, "<script"));
    assert_non_null(strstr(page, "</html>"));
    free(page);
}

/* Without the TSC (CLOCK_MONOTONIC stamps, the recorder's other path): the
 * same exact counts, and no stacks recorded when none were asked for. */
static void test_pattern_without_tsc(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    setenv("ALLOCLAB_TRACE_TSC", "0", 1);
    trace_pattern(synth_group_path("notsc.trace"), NULL);
    unsetenv("ALLOCLAB_TRACE_TSC");
    check_pattern_trace(synth_group_path("notsc.trace"), run.out, NULL);
    char err[512];
    al_trace *t = al_trace_read(synth_group_path("notsc.trace"), err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->sections[0].flags & (AL_SECTION_TSC | AL_SECTION_STACKS), 0);
    assert_true(t->nstacks <= 1);
    al_trace_free(t);
}

static void test_pattern_under_jemalloc(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *je = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
    if (access(je, R_OK) != 0) {
        print_message("skipped: %s is not installed (apt-get install libjemalloc2)\n", je);
        skip();
    }
    /* The tracer first, then jemalloc: the calls go on to jemalloc. */
    setenv("LD_PRELOAD", je, 1);
    trace_pattern(synth_group_path("je.trace"), NULL);
    unsetenv("LD_PRELOAD");
    check_pattern_trace(synth_group_path("je.trace"), run.out, "libjemalloc");
}

static void test_stacks_name_the_sites(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
#if !ALLOCLAB_HAVE_LIBUNWIND
    print_message("skipped: no libunwind in this build\n");
    skip();
#endif
    trace_pattern(synth_group_path("stacks.trace"), "--stacks");
    char out_copy[CLI_CAPTURE];
    memcpy(out_copy, run.out, sizeof out_copy);
    check_pattern_trace(synth_group_path("stacks.trace"), out_copy, NULL);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("stacks.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    const char *most = strstr(run.out, "MOST CALLS");
    assert_non_null(most);
    if (!strstr(most, "worker (trace_pattern.c")) fail_msg("sites not resolved to the worker:\n%s", most);
}

/* ---- real programs ---------------------------------------------------------- */
static al_trace *trace_program(const char *name, const char *const *prog, int want_exit, const char *follow)
{
    const char *opts[] = {follow, NULL};
    return trace_run(&run, synth_group_path(name), opts, prog, want_exit);
}

static void test_shell_pipeline(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {"sh", "-c", "seq 1 3000 | sort -r | uniq | wc -l", NULL};
    al_trace *t = trace_program("sh.trace", prog, 0, "--follow-forks");
    assert_non_null(strstr(run.out, "3000"));
    /* sh, seq, sort, uniq, wc: one section each (a forked shell that execs
     * adds one more per command). */
    assert_true(t->nsections >= 5);
    bool sort_seen = false;
    for (size_t i = 0; i < t->nsections; i++) {
        assert_true(t->sections[i].end_flags & AL_END_COMPLETE);
        if (strstr(t->sections[i].cmdline, "sort -r")) sort_seen = true;
    }
    assert_true(sort_seen);
    assert_true(t->nevents > 500);
    /* Each process is its own heap: the sections split into traces whose
     * events add up to the whole, profiled one by one. */
    uint64_t sum = 0;
    for (size_t i = 0; i < t->nsections; i++) {
        al_trace *one = al_trace_process(t, i);
        assert_non_null(one);
        assert_int_equal(one->nsections, 1);
        assert_int_equal(one->nevents, t->sections[i].events);
        for (size_t e = 0; e < one->nevents; e++) {
            const al_trace_event *ev = &one->events[e];
            assert_true(ev->thread < one->nthreads);
            if (ev->block) assert_true(ev->block < one->nblocks);
        }
        sum += one->nevents;
        al_trace_free(one);
    }
    assert_int_equal(sum, t->nevents);
    al_trace_free(t);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("sh.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "each is profiled as its own heap"));
    assert_non_null(strstr(run.out, "sort -r"));
}

static void test_perl_and_gcc(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *perl[] = {"perl", "-e", "my %h; $h{$_} = [$_ x 3] for 1..20000; print scalar(keys %h), qq(\\n)", NULL};
    al_trace *t = trace_program("perl.trace", perl, 0, NULL);
    assert_non_null(strstr(run.out, "20000"));
    assert_true(t->nevents > 40000);
    al_trace_free(t);
    FILE *f = fopen(synth_group_path("small.c"), "w");
    assert_non_null(f);
    fputs("#include <stdio.h>\nstruct p { int x, y; };\nint main(void) { struct p a = {1, 2}; printf(\"%d\\n\", a.x + a.y); return 0; }\n", f);
    fclose(f);
    char obj[256], src[256];
    snprintf(obj, sizeof obj, "%s", synth_group_path("small.o"));
    snprintf(src, sizeof src, "%s", synth_group_path("small.c"));
    const char *gcc[] = {"gcc", "-O2", "-c", "-o", obj, src, NULL};
    t = trace_program("gcc.trace", gcc, 0, "--follow-forks");
    bool cc1 = false;
    for (size_t i = 0; i < t->nsections; i++)
        if (strstr(t->sections[i].exe, "cc1")) cc1 = true;
    assert_true(cc1);
    assert_true(t->nevents > 10000);
    al_trace_free(t);
}

static void test_crashing_program_is_repaired(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {"perl", "-e", "my @a = map { [$_] } 1..5000; kill 'SEGV', $$", NULL};
    al_trace *t = trace_program("crash.trace", prog, 128 + 11, NULL);
    assert_int_equal(t->nsections, 1);
    assert_true(t->sections[0].end_flags & AL_END_REPAIRED);
    assert_non_null(strstr(run.err, "without closing its trace"));
    al_trace_free(t);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("crash.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "died without closing its trace"));
}

/* ---- bad files ---------------------------------------------------------------- */
/* A small trace made with the writer: one section, one thread, a few calls. */
static void synthetic_trace(const char *path)
{
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(1 << 16);
    assert_non_null(w);
    const uint64_t sec = 0x1234;
    synth_trace_section(w, fd, sec, 42, "prog", 1000);
    al_ev_rec recs[64], *q = recs;
    for (int i = 0; i < 20; i++) { /* malloc(16 * i) at 0x10000 + 64 i, then its free */
        uint64_t a = 0x10000 + 64 * (uint64_t)i;
        q = synth_rec_alloc(q, AL_EV_MALLOC, 1010 + 15 * (uint64_t)i, 16 * (uint64_t)(i + 1), a);
        q = synth_rec_free(q, 1015 + 15 * (uint64_t)i, a);
    }
    assert_int_equal(synth_trace_events(w, fd, sec, 0, 42, 0, recs, (size_t)(q - recs)), 40);
    synth_trace_end(w, fd, sec, 2000, 40);
    al_tw_free(w);
    close(fd);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void write_all(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* Every cut and every sampled bit flip of a valid trace is refused. */
static void fuzz_file(const char *path, size_t flips)
{
    size_t len;
    unsigned char *b = read_all(path, &len);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("the intact file is refused: %s", err);
    al_trace_free(t);
    const char *cut = synth_group_path("cut.trace");
    size_t step = len / 300 + 1;
    for (size_t n = 0; n < len; n += (n < 64 ? 1 : step)) {
        write_all(cut, b, n);
        t = al_trace_read(cut, err, sizeof err);
        if (t) fail_msg("a trace cut to %zu of %zu bytes was accepted", n, len);
        assert_true(err[0] != 0 && !strchr(err, '\n'));
    }
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < flips; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t bit = (size_t)(x % (len * 8));
        b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        write_all(cut, b, len);
        t = al_trace_read(cut, err, sizeof err);
        if (t) fail_msg("a trace with bit %zu flipped was accepted", bit);
        b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    free(b);
}

static void test_fuzz_synthetic(void **state)
{
    (void)state;
    synthetic_trace(synth_group_path("synth.trace"));
    char err[512];
    al_trace *t = al_trace_read(synth_group_path("synth.trace"), err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 40);
    assert_int_equal(t->nblocks, 21);
    assert_int_equal(t->blocks[20].size, 320);
    assert_int_equal(t->blocks[20].end_ev, 39);
    al_trace_free(t);
    fuzz_file(synth_group_path("synth.trace"), 1500);
}

static void test_fuzz_real_trace(void **state)
{
    (void)state;
    SKIP_IF_SANITIZED();
    const char *prog[] = {"sh", "-c", "ls / > /dev/null", NULL};
    al_trace_free(trace_program("ls.trace", prog, 0, "--follow-forks"));
    fuzz_file(synth_group_path("ls.trace"), 400);
}

/* Calls of two threads sharing a tick: the merge finds the order under which
 * every address is allocated while free and freed while allocated. Thread 1
 * frees its block at X and allocates X again; thread 0 frees that second
 * block, all at tick 100: thread 0's free must come last and free block 2
 * (taking the threads in index order would free block 1 from thread 0). */
static void test_same_tick_merge(void **state)
{
    (void)state;
    const char *path = synth_group_path("tie.trace");
    unlink(path);
    int fd = al_tw_open(path);
    assert_true(fd >= 0);
    al_tw *w = al_tw_new(1 << 16);
    assert_non_null(w);
    const uint64_t sec = 9, X = 0x40000;
    synth_trace_section(w, fd, sec, 7, "tie", 10);
    al_ev_rec a[8], *q = a;
    q = synth_rec_alloc(q, AL_EV_MALLOC, 50, 32, X);
    q = synth_rec_free(q, 100, X);
    q = synth_rec_alloc(q, AL_EV_MALLOC, 100, 48, X);
    al_ev_rec b[2], *p = b;
    p = synth_rec_free(p, 100, X);
    /* The freeing thread's chunk first: the reader numbers it 0. */
    uint32_t n1 = synth_trace_events(w, fd, sec, 0, 71, 0, b, (size_t)(p - b));
    uint32_t n0 = synth_trace_events(w, fd, sec, 1, 70, 0, a, (size_t)(q - a));
    synth_trace_end(w, fd, sec, 200, n0 + n1);
    al_tw_free(w);
    close(fd);
    char err[512];
    al_trace *t = al_trace_read(path, err, sizeof err);
    if (!t) fail_msg("%s", err);
    assert_int_equal(t->nevents, 4);
    assert_int_equal(t->unknown_frees, 0);
    assert_int_equal(t->reused_live, 0);
    const al_trace_event *last = &t->events[3];
    assert_int_equal(last->kind, AL_EV_FREE);
    assert_int_equal(t->threads[last->thread].tid, 71);
    assert_int_equal(last->block, 2);
    assert_int_equal(last->size, 48);
    al_trace_free(t);
}

static void test_cli_refuses_bad_files(void **state)
{
    (void)state;
    synthetic_trace(synth_group_path("good.trace"));
    size_t len;
    unsigned char *b = read_all(synth_group_path("good.trace"), &len);
    write_all(synth_group_path("short.trace"), b, len - 3);
    write_all(synth_group_path("foreign.trace"), (const unsigned char *)"#!/bin/sh\necho hello\n", 21);
    /* A trace of format version 1: refused by name. */
    unsigned char old[AL_TRACE_HEADER_SIZE];
    al_tw_file_header(old);
    al_put32(old + 8, 1);
    al_put32(old + 28, al_trace_header_check(old));
    write_all(synth_group_path("v1.trace"), old, sizeof old);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("v1.trace")), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(cli_count_lines(run.err), 1);
    assert_non_null(strstr(run.err, "format version 1"));
    const char *bad[] = {synth_group_path("short.trace"), synth_group_path("foreign.trace"), synth_group_path("absent.trace"), synth_group_dir};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", bad[i]), 0);
        assert_int_equal(cli_exit_code(&run), 2);
        assert_int_equal(cli_count_lines(run.err), 1);
        assert_int_equal(run.out_len, 0);
    }
    assert_non_null(strstr(run.err, "not a regular file"));
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "profile", synth_group_path("foreign.trace")), 0);
    assert_non_null(strstr(run.err, "not an alloclab trace"));
    /* trace refuses to overwrite a file that is not a trace. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "trace", "-o", synth_group_path("foreign.trace"), "--", "true"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    size_t after;
    free(read_all(synth_group_path("foreign.trace"), &after));
    assert_int_equal(after, 21);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "trace"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_pattern_counts),
        cmocka_unit_test(test_pattern_without_tsc),
        cmocka_unit_test(test_pattern_under_jemalloc),
        cmocka_unit_test(test_stacks_name_the_sites),
        cmocka_unit_test(test_shell_pipeline),
        cmocka_unit_test(test_perl_and_gcc),
        cmocka_unit_test(test_crashing_program_is_repaired),
        cmocka_unit_test(test_fuzz_synthetic),
        cmocka_unit_test(test_fuzz_real_trace),
        cmocka_unit_test(test_same_tick_merge),
        cmocka_unit_test(test_cli_refuses_bad_files),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
