/* arena, bump and pool tell the memory checkers what they have not handed
 * out (src/backends/poison.h): a write past a block into an arena's free
 * space, into a pool's freed block or past a bump's top is reported.
 *   - ASan build: each write runs in a child process, which ASan must stop
 *     with a use-after-poison report.
 *   - plain build with valgrind: this program runs itself under memcheck
 *     (--error-exitcode), once writing out of bounds (an error expected)
 *     and once using the three backends correctly (no error: the marks
 *     invent nothing).
 * Other builds (TSan, no valgrind) skip with the reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#if __has_feature(thread_sanitizer) && !defined(__SANITIZE_THREAD__)
#define __SANITIZE_THREAD__ 1
#endif
#endif

/* ----------------------------------------------------------------------------
 * What the children do. Each bad write is one a checker must see; `volatile`
 * keeps the compiler from dropping it.
 * ------------------------------------------------------------------------- */
typedef enum { WRITE_ARENA_FREE_SPACE, WRITE_POOL_FREED, WRITE_BUMP_PAST_TOP, CLEAN_USE } scenario;

static al_allocator *make(const char *spec)
{
    al_allocator *a = al_create(spec, NULL);
    if (!a) {
        fprintf(stderr, "%s: %s\n", spec, al_last_error());
        _exit(3);
    }
    return a;
}

static void run_scenario(scenario s)
{
    if (s == WRITE_ARENA_FREE_SPACE) {
        al_allocator *a = make("arena");
        volatile char *p = al_allocate(a, 16, 8);
        p[24] = 'x'; /* past the block, into the chunk's free space */
    } else if (s == WRITE_POOL_FREED) {
        al_allocator *a = make("pool");
        volatile char *p = al_allocate(a, 48, 8);
        al_deallocate(a, (void *)p, 48, 8);
        p[20] = 'x'; /* into a freed block */
    } else if (s == WRITE_BUMP_PAST_TOP) {
        al_allocator *a = make("bump");
        volatile char *p = al_allocate(a, 32, 16);
        p[40] = 'x'; /* past the top */
    } else {
        /* Everything a caller may do: blocks, grows in place and moved,
         * shrinks, frees, reset, marks; every byte handed out written and
         * read back. */
        static const char *const specs[] = {"arena", "pool", "bump"};
        for (size_t k = 0; k < 3; k++) {
            al_allocator *a = make(specs[k]);
            unsigned long sum = 0;
            for (int round = 0; round < 3; round++) {
                al_mark m;
                bool marked = al_mark_get(a, &m);
                char *blocks[40];
                for (int i = 0; i < 40; i++) {
                    size_t n = 1 + (size_t)i * 37;
                    blocks[i] = al_allocate(a, n, (size_t)1 << (i % 6));
                    memset(blocks[i], i, n);
                    if (i % 5 == 0) {
                        blocks[i] = al_grow(a, blocks[i], n, n * 2, (size_t)1 << (i % 6));
                        memset(blocks[i], i, n * 2);
                        blocks[i] = al_shrink(a, blocks[i], n * 2, n, (size_t)1 << (i % 6));
                    }
                }
                for (int i = 40; i-- > 0;) {
                    for (size_t j = 0; j < 1 + (size_t)i * 37; j++) sum += (unsigned char)blocks[i][j];
                    al_deallocate(a, blocks[i], 1 + (size_t)i * 37, (size_t)1 << (i % 6));
                }
                if (marked) al_rewind(a, &m);
                al_reset(a);
            }
            if (sum == 0) _exit(4);
            al_destroy(a);
        }
    }
    _exit(0);
}

/* The child's body: the scenario here, or this program again under the
 * given command (valgrind) with --scenario. */
typedef struct child_job {
    scenario s;
    const char *const *argv_prefix;
} child_job;

static void child_body(void *ctx)
{
    const child_job *j = ctx;
    if (!j->argv_prefix) run_scenario(j->s);
    char self[4096], arg[32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) _exit(5);
    self[n] = '\0';
    snprintf(arg, sizeof arg, "--scenario=%d", (int)j->s);
    const char *argv[16];
    size_t k = 0;
    for (; j->argv_prefix[k]; k++) argv[k] = j->argv_prefix[k];
    argv[k++] = self;
    argv[k++] = arg;
    argv[k] = NULL;
    execv(argv[0], (char *const *)argv);
    _exit(6);
}

/* Run `s` in a child (under `argv_prefix` when given), its stderr into out;
 * its wait status. */
static __attribute__((unused)) int run_child(scenario s, const char *const *argv_prefix, char *out, size_t len)
{
    child_job j = {s, argv_prefix};
    int st = child_stderr(child_body, &j, out, len);
    assert_true(st != -1);
    return st;
}

static const struct { scenario s; const char *name; } bad_writes[] __attribute__((unused)) = {
    {WRITE_ARENA_FREE_SPACE, "arena: a write into the chunk's free space"},
    {WRITE_POOL_FREED, "pool: a write into a freed block"},
    {WRITE_BUMP_PAST_TOP, "bump: a write past the top"},
};

static void test_asan_reports_writes_into_free_space(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    static char out[65536];
    for (size_t i = 0; i < sizeof bad_writes / sizeof bad_writes[0]; i++) {
        int st = run_child(bad_writes[i].s, NULL, out, sizeof out);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) fail_msg("%s went unreported by ASan", bad_writes[i].name);
        if (!strstr(out, "use-after-poison")) fail_msg("%s: no use-after-poison report:\n%s", bad_writes[i].name, out);
        print_message("[ asan     ] %s: reported\n", bad_writes[i].name);
    }
    assert_int_equal(run_child(CLEAN_USE, NULL, out, sizeof out), 0);
#else
    print_message("[ skip     ] not an ASan build (make check-sanitize runs this)\n");
#endif
}

static void test_memcheck_reports_writes_into_free_space(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    print_message("[ skip     ] valgrind does not run sanitized programs\n");
    skip();
#else
    const char *vg = getenv("ALLOCLAB_VALGRIND");
    if (!vg || !*vg) vg = ALLOCLAB_VALGRIND;
    if (!*vg || access(vg, X_OK) != 0) {
        print_message("[ skip     ] valgrind not found (apt-get install valgrind)\n");
        skip();
    }
    const char *const prefix[] = {vg, "--tool=memcheck", "--error-exitcode=99", "-q", NULL};
    static char out[65536];
    for (size_t i = 0; i < sizeof bad_writes / sizeof bad_writes[0]; i++) {
        int st = run_child(bad_writes[i].s, prefix, out, sizeof out);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 99 || !strstr(out, "Invalid write"))
            fail_msg("%s: memcheck did not report it (status %#x):\n%s", bad_writes[i].name, st, out);
        print_message("[ memcheck ] %s: reported\n", bad_writes[i].name);
    }
    int st = run_child(CLEAN_USE, prefix, out, sizeof out);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("correct use: memcheck found errors (status %#x):\n%s", st, out);
#endif
}

int main(int argc, char **argv)
{
    if (argc == 2 && strncmp(argv[1], "--scenario=", 11) == 0) run_scenario((scenario)atoi(argv[1] + 11));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asan_reports_writes_into_free_space),
        cmocka_unit_test(test_memcheck_reports_writes_into_free_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
