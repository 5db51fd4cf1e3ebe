/* The memory system calls of a benchmark, counted under ptrace and a seccomp
 * filter: exactly the calls of the counted iterations (set-up and warm-up
 * left out), those of every thread, none of the other system calls; and the
 * counts travel through the JSON report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reports.h"
#include "synth_run.h"
#include "syscalls.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Each iteration: one mmap and one munmap of a page, one madvise, and a
 * getpid that must not count. Set-up maps a page too (not counted). */
typedef struct inst {
    void *setup_page;
    int threads;
} inst;

static void *t_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    (void)spec, (void)st, (void)why, (void)whylen;
    inst *in = calloc(1, sizeof *in);
    in->threads = atoi(param);
    in->setup_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return in;
}

static void one_iteration(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise(p, 4096, MADV_DONTNEED);
    munmap(p, 4096);
    (void)getpid();
}

static void *worker(void *arg)
{
    uint64_t n = *(uint64_t *)arg;
    for (uint64_t i = 0; i < n; i++) one_iteration();
    return NULL;
}

static al_run_status t_run(void *p, uint64_t iters, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    inst *in = p;
    if (in->threads == 0) {
        for (uint64_t i = 0; i < iters; i++) one_iteration();
        return AL_RUN_OK;
    }
    pthread_t t[4];
    for (int k = 0; k < in->threads; k++) pthread_create(&t[k], NULL, worker, &iters);
    for (int k = 0; k < in->threads; k++) pthread_join(t[k], NULL);
    return AL_RUN_OK;
}

static void t_teardown(void *p)
{
    inst *in = p;
    munmap(in->setup_page, 4096);
    free(in);
}

static const char *const params[] = {"0", NULL};
static const al_workload counted = {.name = "t-syscalls", .description = "test", .params = params,
                                    .setup = t_setup, .run = t_run, .teardown = t_teardown};

static void test_counts_exactly_the_counted_iterations(void **state)
{
    (void)state;
    if (al_syscalls_unavailable()) skip();
    al_syscall_counts c;
    char why[256] = "";
    int rc = al_syscalls_count(&(al_bench_item){&counted, "0", "sys"}, 1, 7, 30, &c, why, sizeof why);
    if (rc != 0 && strstr(why, "seccomp")) {
        fprintf(stderr, "skipping: %s\n", why);
        skip();
    }
    assert_int_equal(rc, 0);
    assert_true(c.counted);
    assert_int_equal(c.iterations, 7);
    assert_int_equal(c.mmap, 7);
    assert_int_equal(c.munmap, 7);
    assert_int_equal(c.madvise, 7);
    assert_int_equal(c.mremap, 0);
    /* threads: two workers, each every iteration: one mmap per thread
     * (and its stack, made by pthread_create: those count too) */
    rc = al_syscalls_count(&(al_bench_item){&counted, "2", "sys"}, 0, 5, 30, &c, why, sizeof why);
    assert_int_equal(rc, 0);
    assert_true(c.munmap >= 10);
    assert_true(c.madvise >= 10);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    al_bench_run run, back;
    synth_realistic(&run, NULL, 1);
    run.results[0].sys = (al_syscall_counts){.counted = true, .iterations = 40, .brk = 1, .mmap = 2, .munmap = 3,
                                             .mremap = 4, .madvise = 5};
    char *dir = synth_tmpdir(), path[512], err[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "w");
    assert_int_equal(al_report_json(f, &run), 0);
    fclose(f);
    assert_int_equal(al_report_json_read(path, &back, err, sizeof err), 0);
    const al_syscall_counts *c = &back.results[0].sys;
    assert_true(c->counted);
    assert_int_equal(c->iterations, 40);
    assert_int_equal(c->brk + 10 * c->mmap + 100 * c->munmap + 1000 * c->mremap + 10000 * c->madvise, 54321);
    assert_false(back.results[1].sys.counted);
    al_bench_run_free(&back);
    al_bench_run_free(&run);
    synth_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_exactly_the_counted_iterations),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
