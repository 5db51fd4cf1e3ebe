/* The wrappers: exact stats counts, pass-through of optional operations,
 * verbose's line format. (Threads: test_locked_threads.c; verbose never
 * allocating: test_verbose_nomalloc.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/backends.h>
#include <alloclab/registry.h>
#include <alloclab/wrappers.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tiny_alloc.h"

static al_allocator *wrap(const char *name, al_allocator *inner, const al_options *opts)
{
    const al_wrapper_desc *d = al_wrapper_find(name);
    assert_non_null(d);
    al_allocator *w = d->wrap(inner, opts);
    assert_non_null(w);
    return w;
}

/* ----------------------------------------------------------------------------
 * Registry and chains
 * ------------------------------------------------------------------------- */
static void test_registry_lists_wrappers_in_order(void **state)
{
    (void)state;
    assert_int_equal(al_wrapper_count(), 4);
    assert_string_equal(al_wrapper_at(0)->name, "verbose");
    assert_string_equal(al_wrapper_at(1)->name, "stats");
    assert_string_equal(al_wrapper_at(2)->name, "locked");
    assert_string_equal(al_wrapper_at(3)->name, "checked");
    assert_null(al_wrapper_at(4));
    assert_ptr_equal(al_wrapper_find("stats"), al_wrapper_at(1));
}

static void test_chain_by_spec_and_inner(void **state)
{
    (void)state;
    FILE *log = tmpfile();
    assert_non_null(log);
    al_allocator *a = al_create("verbose:locked:stats:sys", &(al_options){.log = log});
    assert_non_null(a);
    al_allocator *l = al_wrapper_inner(a);
    al_allocator *s = al_wrapper_inner(l);
    al_allocator *sys = al_wrapper_inner(s);
    assert_non_null(sys);
    assert_null(al_wrapper_inner(sys));
    assert_null(al_wrapper_inner(NULL));
    void *p = al_allocate(a, 10, 8);
    assert_non_null(p);
    al_stats st;
    assert_true(al_stats_get(a, &st)); /* found two layers down */
    assert_int_equal(st.allocs, 1);
    assert_false(al_stats_get(sys, &st));
    al_deallocate(a, p, 10, 8);
    al_destroy(a); /* destroys the whole chain: LSan checks */
    fclose(log);
}

/* The backends' counters read the instance behind built-in wrappers, and
 * still answer 0 for another backend behind them. */
static void test_backend_counters_see_through_wrappers(void **state)
{
    (void)state;
    FILE *log = fopen("/dev/null", "w");
    assert_non_null(log);
    al_options o = {.log = log};
    al_allocator *b = al_create("stats:bump", &o);
    al_allocator *r = al_create("verbose:locked:arena", &o);
    al_allocator *p = al_create("locked:stats:pool", &o);
    al_allocator *s = al_create("stats:sbrk", &o);
    assert_non_null(b); assert_non_null(r); assert_non_null(p); assert_non_null(s);

    void *x = al_allocate(b, 100, 8), *y = al_allocate(r, 100, 8);
    void *z = al_allocate(p, 100, 8), *w = al_allocate(s, 100, 8);
    assert_non_null(x); assert_non_null(y); assert_non_null(z); assert_non_null(w);
    assert_true(al_bump_used(b) >= 100);
    assert_true(al_bump_remaining(b) > 0);
    assert_int_equal(al_bump_used(b) + al_bump_remaining(b), (size_t)1 << 20);
    assert_int_equal(al_arena_chunk_count(r), 1);
    assert_true(al_arena_allocated_bytes(r) >= 100);
    assert_int_equal(al_pool_page_count(p), 1);
    assert_true(al_sbrk_taken(s) >= 100);
    assert_int_equal(al_sbrk_region_count(s), 1);

    /* Another backend behind the wrappers: still 0. */
    assert_int_equal(al_bump_used(r), 0);
    assert_int_equal(al_arena_chunk_count(b), 0);
    assert_int_equal(al_pool_page_count(s), 0);
    assert_int_equal(al_sbrk_taken(p), 0);
    assert_int_equal(al_bump_used(NULL), 0);

    al_deallocate(p, z, 100, 8);
    al_destroy(s); al_destroy(p); al_destroy(r); al_destroy(b);
    fclose(log);
}

/* Lookups answer NULL out of range or for unknown names; errors name the
 * registry functions (not the CLI), are set by al_register_* too, and are
 * not cleared by a later success. */
static void test_registry_lookups_and_errors(void **state)
{
    (void)state;
    assert_null(al_backend_at(al_backend_count()));
    assert_null(al_wrapper_at(al_wrapper_count()));
    assert_null(al_backend_find("no-such"));
    assert_null(al_backend_find(NULL));
    assert_null(al_wrapper_find("no-such"));
    assert_null(al_wrapper_find(NULL));

    assert_null(al_create("no-such", NULL));
    assert_non_null(strstr(al_last_error(), "unknown allocator 'no-such' (not registered; al_backend_count"));
    assert_null(strstr(al_last_error(), "alloclab list"));
    assert_int_equal(al_last_error_kind(), AL_ERR_UNKNOWN_BACKEND);
    assert_string_equal(al_last_error_name(), "no-such");
    assert_null(al_create("nope:sys", NULL));
    assert_non_null(strstr(al_last_error(), "unknown wrapper 'nope' in 'nope:sys' (not registered; al_wrapper_count"));
    assert_int_equal(al_last_error_kind(), AL_ERR_UNKNOWN_WRAPPER);
    assert_string_equal(al_last_error_name(), "nope");
    assert_null(al_create("a::b", NULL));
    assert_int_equal(al_last_error_kind(), AL_ERR_BAD_SPEC);
    assert_string_equal(al_last_error_name(), "");
    assert_null(al_create("sys", &(al_options){.buffer_size = 8}));
    assert_int_equal(al_last_error_kind(), AL_ERR_BAD_OPTIONS);
    al_set_error("mine");
    assert_int_equal(al_last_error_kind(), AL_ERR_OTHER);
    assert_null(al_create("nope:sys", NULL));

    al_allocator *a = al_create("sys", NULL);
    assert_non_null(a);
    assert_non_null(strstr(al_last_error(), "unknown wrapper 'nope'")); /* not cleared */
    al_destroy(a);

    assert_int_equal(al_register_backend(al_backend_find("sys")), -1); /* name taken */
    assert_non_null(strstr(al_last_error(), "name 'sys' is taken"));
}

static void test_wrap_null_inner_fails(void **state)
{
    (void)state;
    for (size_t i = 0; i < al_wrapper_count(); i++) assert_null(al_wrapper_at(i)->wrap(NULL, NULL));
}

/* ----------------------------------------------------------------------------
 * Pass-through: the same answers as the inner allocator.
 * ------------------------------------------------------------------------- */
static void test_optional_ops_mirror_inner(void **state)
{
    (void)state;
    const char *names[] = {"verbose", "stats", "locked"};
    for (int i = 0; i < 3; i++) {
        al_options o = {.log_fd = -1}; /* verbose: stderr is fine, but keep the output quiet */
        int null_fd[2];
        assert_int_equal(pipe(null_fd), 0);
        o.log_fd = null_fd[1];
        unsigned extra = strcmp(names[i], "locked") == 0 ? AL_CAP_THREAD_SAFE : 0;

        /* Over sys: no reset, no marks, usable size and zeroed from sys. */
        al_allocator *sys = al_create("sys", NULL);
        al_allocator *w = wrap(names[i], sys, &o);
        assert_int_equal(w->caps, sys->caps | extra);
        assert_false(al_reset(w));
        al_mark m;
        assert_false(al_mark_get(w, &m));
        assert_false(al_rewind(w, &m));
        unsigned char *z = al_allocate_zeroed(w, 64, 16);
        assert_non_null(z);
        for (int k = 0; k < 64; k++) assert_int_equal(z[k], 0);
        assert_int_equal(al_usable_size(w, z, 64, 16), al_usable_size(sys, z, 64, 16));
        z = al_grow(w, z, 64, 4096, 16);
        assert_non_null(z);
        z = al_shrink(w, z, 4096, 8, 16);
        assert_non_null(z);
        al_deallocate(w, z, 8, 16);
        al_destroy(w);

        /* Over tiny: reset and marks exist; zeroed and usable size use the
         * front end's fallbacks, exactly as on tiny itself. */
        al_allocator *t = tiny_new(256);
        w = wrap(names[i], t, &o);
        assert_int_equal(w->caps, t->caps | extra);
        unsigned char *a = al_allocate(w, 16, 8);
        assert_non_null(a);
        memset(a, 0xee, 16);
        assert_true(al_mark_get(w, &m));
        assert_non_null(al_allocate(w, 100, 8));
        assert_true(al_rewind(w, &m));
        unsigned char *b = al_allocate_zeroed(w, 32, 8);
        assert_ptr_equal(b, a + 16); /* the rewind really reached tiny */
        for (int k = 0; k < 32; k++) assert_int_equal(b[k], 0);
        assert_int_equal(al_usable_size(w, b, 32, 8), 32);
        assert_null(al_allocate(w, 1000, 8)); /* tiny's capacity */
        assert_true(al_reset(w));
        assert_int_equal(tiny_of(t)->used, 0);
        al_destroy(w);
        close(null_fd[0]);
        close(null_fd[1]);
    }
}

/* ----------------------------------------------------------------------------
 * stats: exact counts for a scripted sequence, in both counting modes: plain
 * over an inner that is not thread-safe, atomic over one that is.
 * ------------------------------------------------------------------------- */
static void stats_script(al_allocator *inner)
{
    al_allocator *s = wrap("stats", inner, NULL);
    void *p1 = al_allocate(s, 1, 1);          /* bucket 0 */
    void *p2 = al_allocate(s, 4, 4);          /* bucket 2 */
    void *p3 = al_allocate(s, 100, 8);        /* bucket 6 */
    void *p4 = al_allocate_zeroed(s, 16, 8);  /* bucket 4 */
    assert_true(p1 && p2 && p3 && p4);
    p4 = al_grow(s, p4, 16, 200, 8);          /* bucket 7, +184 bytes */
    assert_non_null(p4);
    al_stats st;
    assert_true(al_stats_get(s, &st));
    assert_int_equal(st.live_bytes, 305);
    assert_int_equal(st.live_blocks, 4);
    p4 = al_shrink(s, p4, 200, 50, 8);
    assert_non_null(p4);
    al_deallocate(s, p4, 50, 8);
    al_deallocate(s, p1, 1, 1);
    assert_null(al_allocate(s, 5000, 8));     /* bucket 12, fails */
    assert_ptr_equal(al_shrink(s, p3, 100, 0, 8), al_dangling(8)); /* a deallocate */
    assert_ptr_equal(al_allocate(s, 0, 8), al_dangling(8));        /* never reaches stats */
    al_deallocate(s, NULL, 10, 8);                                  /* nor this */

    assert_true(al_stats_get(s, &st));
    assert_int_equal(st.allocs, 4);
    assert_int_equal(st.zeroed, 1);
    assert_int_equal(st.deallocs, 3);
    assert_int_equal(st.grows, 1);
    assert_int_equal(st.shrinks, 1);
    assert_int_equal(st.resets, 0);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.bytes_requested, 1 + 4 + 100 + 16 + 184 + 5000);
    assert_int_equal(st.live_bytes, 4);
    assert_int_equal(st.live_blocks, 1);
    assert_int_equal(st.peak_bytes, 305);
    assert_int_equal(st.peak_blocks, 4);
    uint64_t want[AL_STATS_BUCKETS] = {0};
    want[0] = want[2] = want[6] = want[4] = want[7] = want[12] = 1;
    for (int k = 0; k < AL_STATS_BUCKETS; k++) {
        if (st.histogram[k] != want[k]) fail_msg("bucket %d: %llu, want %llu", k,
                                                 (unsigned long long)st.histogram[k],
                                                 (unsigned long long)want[k]);
    }

    /* Reset: live figures to 0, the peak stays. */
    assert_true(al_reset(s));
    assert_true(al_stats_get(s, &st));
    assert_int_equal(st.resets, 1);
    assert_int_equal(st.live_bytes, 0);
    assert_int_equal(st.live_blocks, 0);
    assert_int_equal(st.peak_bytes, 305);

    /* Scoped use of marks: the rewind gives the live figures back. */
    assert_non_null(al_allocate(s, 8, 8));
    al_mark m;
    assert_true(al_mark_get(s, &m));
    assert_non_null(al_allocate(s, 10, 8));
    assert_non_null(al_allocate(s, 20, 8));
    assert_true(al_rewind(s, &m));
    assert_true(al_stats_get(s, &st));
    assert_int_equal(st.marks, 1);
    assert_int_equal(st.rewinds, 1);
    assert_int_equal(st.live_bytes, 8);
    assert_int_equal(st.live_blocks, 1);

    /* Clear: counts to 0, live stays, peak becomes live. */
    al_stats_clear(s);
    assert_true(al_stats_get(s, &st));
    assert_int_equal(st.allocs + st.deallocs + st.marks + st.rewinds + st.resets + st.failed, 0);
    assert_int_equal(st.bytes_requested, 0);
    assert_int_equal(st.histogram[3], 0);
    assert_int_equal(st.live_bytes, 8);
    assert_int_equal(st.peak_bytes, 8);
    assert_int_equal(st.peak_blocks, 1);
    al_destroy(s);
}

static void test_stats_scripted_sequence(void **state)
{
    (void)state;
    al_allocator *tiny = tiny_new(4096);
    assert_false(al_has(tiny, AL_CAP_THREAD_SAFE)); /* plain counters */
    stats_script(tiny);
}

static void test_stats_scripted_sequence_thread_safe_inner(void **state)
{
    (void)state;
    al_allocator *inner = wrap("locked", tiny_new(4096), NULL);
    assert_true(al_has(inner, AL_CAP_THREAD_SAFE)); /* atomic counters */
    stats_script(inner);
}

static void test_stats_histogram_bucket_edges(void **state)
{
    (void)state;
    al_allocator *s = wrap("stats", al_create("sys", NULL), NULL);
    size_t sizes[] = {1, 2, 3, 4, 7, 8, 1023, 1024, 1025, 65536};
    int bucket[] = {0, 1, 1, 2, 2, 3, 9, 10, 10, 16};
    for (size_t i = 0; i < 10; i++) {
        void *p = al_allocate(s, sizes[i], 1);
        assert_non_null(p);
        al_deallocate(s, p, sizes[i], 1);
    }
    al_stats st;
    assert_true(al_stats_get(s, &st));
    uint64_t want[AL_STATS_BUCKETS] = {0};
    for (size_t i = 0; i < 10; i++) want[bucket[i]]++;
    assert_memory_equal(st.histogram, want, sizeof want);
    assert_int_equal(st.live_bytes, 0);
    assert_int_equal(st.peak_bytes, 65536);
    assert_int_equal(st.peak_blocks, 1);
    al_destroy(s);
}

static void test_stats_print_is_readable(void **state)
{
    (void)state;
    al_stats st = {.allocs = 3, .deallocs = 2, .bytes_requested = 40, .live_bytes = 8,
                   .live_blocks = 1, .peak_bytes = 32, .peak_blocks = 2};
    st.histogram[3] = 2;
    st.histogram[4] = 1;
    FILE *f = tmpfile();
    assert_non_null(f);
    int n = al_stats_print(f, &st);
    assert_true(n > 0);
    char buf[2048] = {0};
    rewind(f);
    assert_int_equal(fread(buf, 1, sizeof buf - 1, f), (size_t)n);
    fclose(f);
    assert_non_null(strstr(buf, "allocate 3,"));
    assert_non_null(strstr(buf, "deallocate 2,"));
    assert_non_null(strstr(buf, "bytes requested: 40\n"));
    assert_non_null(strstr(buf, "live: 8 bytes in 1 blocks; peak: 32 bytes, 2 blocks\n"));
    /* One histogram line per non-empty bucket, with its range and count. */
    assert_non_null(strstr(buf, "8 .. 15"));
    assert_non_null(strstr(buf, "16 .. 31"));
    assert_null(strstr(buf, "32 .. 63"));
    assert_int_equal(al_stats_print(NULL, &st), -1);
    assert_int_equal(al_stats_print(stdout, NULL), -1);
}

/* ----------------------------------------------------------------------------
 * verbose: exact lines (only the nanoseconds matched loosely).
 * ------------------------------------------------------------------------- */

/* Compare one logged line with `want` (no " (N ns)" suffix). */
static void expect_line(const char *got, const char *want)
{
    size_t wl = strlen(want);
    if (strncmp(got, want, wl) != 0) fail_msg("line\n  %s\nwanted\n  %s (N ns)", got, want);
    const char *t = got + wl;
    if (strncmp(t, " (", 2) != 0) fail_msg("no time in '%s'", got);
    t += 2;
    if (*t < '0' || *t > '9') fail_msg("no time in '%s'", got);
    while (*t >= '0' && *t <= '9') t++;
    if (strcmp(t, " ns)\n") != 0) fail_msg("bad ending in '%s'", got);
}

static void test_verbose_lines(void **state)
{
    (void)state;
    FILE *log = tmpfile();
    assert_non_null(log);
    fputs("before\n", log); /* buffered: must be flushed before the first line */
    al_allocator *t = tiny_new(128);
    al_allocator *v = wrap("verbose", t, &(al_options){.log = log});
    char w[16][160];
    int n = 0;
    void *p = al_allocate(v, 4, 4);
    snprintf(w[n++], sizeof w[0], "[alloclab] allocate(size=4, align=4) -> %p", p);
    void *q = al_grow(v, p, 4, 16, 4);
    assert_ptr_equal(q, p);
    snprintf(w[n++], sizeof w[0], "[alloclab] grow(%p, 4 -> 16, align=4) -> %p", p, q);
    q = al_shrink(v, p, 16, 8, 4);
    snprintf(w[n++], sizeof w[0], "[alloclab] shrink(%p, 16 -> 8, align=4) -> %p", p, q);
    assert_int_equal(al_usable_size(v, q, 8, 4), 8);
    snprintf(w[n++], sizeof w[0], "[alloclab] usable_size(%p, size=8, align=4) -> 8", q);
    al_deallocate(v, q, 8, 4);
    snprintf(w[n++], sizeof w[0], "[alloclab] deallocate(%p, size=8, align=4)", q);
    assert_null(al_allocate_zeroed(v, 1000, 16));
    snprintf(w[n++], sizeof w[0], "[alloclab] allocate_zeroed(size=1000, align=16) -> NULL");
    al_mark m;
    assert_true(al_mark_get(v, &m));
    snprintf(w[n++], sizeof w[0], "[alloclab] mark() -> ok");
    assert_true(al_rewind(v, &m));
    snprintf(w[n++], sizeof w[0], "[alloclab] rewind()");
    assert_true(al_reset(v));
    snprintf(w[n++], sizeof w[0], "[alloclab] reset()");
    al_destroy(v);
    snprintf(w[n++], sizeof w[0], "[alloclab] destroy()");

    rewind(log);
    char got[256];
    assert_non_null(fgets(got, sizeof got, log));
    assert_string_equal(got, "before\n");
    for (int i = 0; i < n; i++) {
        if (!fgets(got, sizeof got, log)) fail_msg("missing line %d: %s", i, w[i]);
        expect_line(got, w[i]);
    }
    assert_null(fgets(got, sizeof got, log));
    fclose(log);
}

static void test_verbose_to_fd(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    al_allocator *v = al_create("verbose:sys", &(al_options){.log_fd = fds[1]});
    assert_non_null(v);
    void *p = al_allocate(v, 4096, 64);
    assert_non_null(p);
    al_deallocate(v, p, 4096, 64);
    al_destroy(v);
    close(fds[1]);
    char buf[1024] = {0};
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)r;
    close(fds[0]);
    char want[3][128];
    snprintf(want[0], sizeof want[0], "[alloclab] allocate(size=4096, align=64) -> %p", p);
    snprintf(want[1], sizeof want[1], "[alloclab] deallocate(%p, size=4096, align=64)", p);
    snprintf(want[2], sizeof want[2], "[alloclab] destroy()");
    char *line = buf;
    for (int i = 0; i < 3; i++) {
        char *nl = strchr(line, '\n');
        if (!nl) fail_msg("missing line %d: %s", i, want[i]);
        char one[256];
        snprintf(one, sizeof one, "%.*s", (int)(nl + 1 - line), line);
        expect_line(one, want[i]);
        line = nl + 1;
    }
    assert_string_equal(line, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_lists_wrappers_in_order),
        cmocka_unit_test(test_chain_by_spec_and_inner),
        cmocka_unit_test(test_backend_counters_see_through_wrappers),
        cmocka_unit_test(test_registry_lookups_and_errors),
        cmocka_unit_test(test_wrap_null_inner_fails),
        cmocka_unit_test(test_optional_ops_mirror_inner),
        cmocka_unit_test(test_stats_scripted_sequence),
        cmocka_unit_test(test_stats_scripted_sequence_thread_safe_inner),
        cmocka_unit_test(test_stats_histogram_bucket_edges),
        cmocka_unit_test(test_stats_print_is_readable),
        cmocka_unit_test(test_verbose_lines),
        cmocka_unit_test(test_verbose_to_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
