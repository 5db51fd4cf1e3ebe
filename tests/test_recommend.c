/* The recommendation's rules on made-up measurements (no benchmark runs):
 * the fastest drop-in allocator is recommended only when it is clearly
 * faster than glibc; every drop-in allocator the measurement cannot tell
 * from it is named beside it ("does about as well"), and one clearly slower
 * is not; special-purpose allocators are never the recommendation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recommend.h"
#include "synth_run.h"

/* The recommendation's text for `run` as the replay evidence. */
static char *recommend_text(const al_bench_run *run, al_rec_choice *choice)
{
    al_rec_facts f;
    memset(&f, 0, sizeof f);
    f.calls = 1000;
    f.allocations = 500;
    f.frees = 500;
    f.nthreads = 1;
    f.mean_size = 64;
    al_rec_evidence ev = {.replay = run, .program = NULL};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(al_recommend(out, &f, &ev, choice), 0);
    fclose(out);
    return buf;
}

/* sys at 200, mi and lab at 100 (alike), tc at 150 (clearly slower than
 * mi), arena at 50 (fastest, but special-purpose); 1% noise, 20 samples. */
static void test_ties_named(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, "r");
    synth_add(&run, "replay", "p", "sys", AL_RUN_OK, 200e6, 0.01, 20, NULL, 1);
    synth_add(&run, "replay", "p", "mi", AL_RUN_OK, 100e6, 0.01, 20, NULL, 2);
    synth_add(&run, "replay", "p", "lab", AL_RUN_OK, 100.2e6, 0.01, 20, NULL, 3);
    synth_add(&run, "replay", "p", "tc", AL_RUN_OK, 150e6, 0.01, 20, NULL, 4);
    synth_add(&run, "replay", "p", "arena", AL_RUN_OK, 50e6, 0.01, 20, NULL, 5);
    al_rec_choice c;
    char *t = recommend_text(&run, &c);
    fprintf(stdout, "%s", t);
    assert_false(c.keep_baseline);
    assert_true(strcmp(c.allocator, "mi") == 0 || strcmp(c.allocator, "lab") == 0);
    const char *other = strcmp(c.allocator, "mi") == 0 ? "lab" : "mi";
    char want[64];
    snprintf(want, sizeof want, "  %s does about as well: ", other);
    assert_non_null(strstr(t, want));
    assert_null(strstr(t, "tc does about as well"));
    assert_null(strstr(t, "arena does about as well"));
    assert_null(strstr(t, "glibc does about as well"));
    free(t);
    al_bench_run_free(&run);
}

/* Alone in front: no tie line. */
static void test_clear_winner_alone(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, "r");
    synth_add(&run, "replay", "p", "sys", AL_RUN_OK, 200e6, 0.01, 20, NULL, 1);
    synth_add(&run, "replay", "p", "mi", AL_RUN_OK, 100e6, 0.01, 20, NULL, 2);
    synth_add(&run, "replay", "p", "lab", AL_RUN_OK, 130e6, 0.01, 20, NULL, 3);
    al_rec_choice c;
    char *t = recommend_text(&run, &c);
    assert_string_equal(c.allocator, "mi");
    assert_null(strstr(t, "does about as well"));
    free(t);
    al_bench_run_free(&run);
}

/* Nothing clearly faster than glibc: glibc is kept, and no tie line. */
static void test_baseline_kept(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, "r");
    synth_add(&run, "replay", "p", "sys", AL_RUN_OK, 100e6, 0.01, 20, NULL, 1);
    synth_add(&run, "replay", "p", "mi", AL_RUN_OK, 99.9e6, 0.01, 20, NULL, 2);
    al_rec_choice c;
    char *t = recommend_text(&run, &c);
    assert_true(c.keep_baseline);
    assert_string_equal(c.allocator, "sys");
    assert_non_null(strstr(t, "(keep it)"));
    assert_null(strstr(t, "does about as well"));
    free(t);
    al_bench_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_named),
        cmocka_unit_test(test_clear_winner_alone),
        cmocka_unit_test(test_baseline_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
