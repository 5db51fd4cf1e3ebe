/* Conformance under threads: every thread-safe allocator the registry makes
 * (thread-safe backends, wrappers over sys, and lock wrappers over every
 * backend that is not thread-safe) survives 8 threads allocating, growing
 * and freeing at once, with blocks handed between threads so that one thread
 * frees what another allocated. Every block's pattern is checked when it
 * changes hands and before it is freed. Runs under TSan (label "threads"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conformance.h"
#include "conformance_toys.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define OPS_PER_THREAD 1500
#define SLOTS 64
#define LOCAL_MAX 64
#define MAX_SPECS 256

/* ----------------------------------------------------------------------------
 * The exchange: a lock-protected bag of blocks any thread may take. A block
 * in it is owned by nobody until taken; its id names the allocating thread.
 * ------------------------------------------------------------------------- */
typedef struct exchange {
    pthread_mutex_t mu;
    conf_block slots[SLOTS];
    size_t n;
} exchange;

typedef struct worker {
    al_allocator *a;
    exchange *x;
    pthread_barrier_t *start; /* all start together, and end together */
    unsigned idx;
    uint64_t seed;
    size_t cross_frees; /* blocks freed here that another thread allocated */
    conf_err err;
    bool ok;
} worker;

#define OWNER(id) ((unsigned)((id) >> 40))

static size_t thread_size(uint64_t *rs)
{
    return conf_rand(rs) % 20 == 0 ? conf_rand_range(rs, 4097, 65536) : conf_rand_range(rs, 1, 4096);
}

static bool check_block(worker *w, const conf_block *b, const char *when)
{
    size_t bad;
    if (conf_verify(b->ptr, b->size, b->id, &bad)) return true;
    return conf_fail(&w->err, "thread %u: block %p (size %zu, from thread %u) clobbered at offset %zu %s", w->idx,
                     (void *)b->ptr, b->size, OWNER(b->id) - 1, bad, when);
}

/* Free a block after checking it; it may come from any thread. */
static bool release(worker *w, conf_block *b, const char *when)
{
    if (!check_block(w, b, when)) return false;
    if (OWNER(b->id) != w->idx + 1) w->cross_frees++;
    al_deallocate(w->a, b->ptr, b->size, b->align);
    return true;
}

/* Take a block from the exchange (possibly another thread's), sometimes
 * grow it, then free it. */
static bool take_and_free(worker *w, uint64_t *rs)
{
    conf_block b;
    pthread_mutex_lock(&w->x->mu);
    bool got = w->x->n > 0;
    if (got) {
        size_t i = conf_rand_range(rs, 0, w->x->n - 1);
        b = w->x->slots[i];
        w->x->slots[i] = w->x->slots[--w->x->n];
    }
    pthread_mutex_unlock(&w->x->mu);
    if (!got) return true;
    if (!check_block(w, &b, "when taken from the exchange")) return false;
    if (conf_rand(rs) % 4 == 0) {
        size_t new_size = b.size + conf_rand_range(rs, 1, 2048);
            void *p = al_grow(w->a, b.ptr, b.size, new_size, b.align);
        if (p) {
            if (((uintptr_t)p & (b.align - 1)) || !conf_verify(p, b.size, b.id, NULL))
                return conf_fail(&w->err, "thread %u: grow %zu -> %zu lost contents or alignment", w->idx, b.size,
                                 new_size);
            b.ptr = p;
            b.size = new_size;
            conf_fill(p, new_size, b.id);
        } else if (!al_has(w->a, AL_CAP_FIXED_CAPACITY)) {
            return conf_fail(&w->err, "thread %u: grow %zu -> %zu gave NULL", w->idx, b.size, new_size);
        }
    }
    return release(w, &b, "before its free");
}

static void *work(void *arg)
{
    worker *w = arg;
    uint64_t rs = w->seed;
    conf_block local[LOCAL_MAX];
    size_t nlocal = 0;
    uint64_t next_id = (uint64_t)(w->idx + 1) << 40;
    bool fixed = al_has(w->a, AL_CAP_FIXED_CAPACITY);
    w->ok = true;
    pthread_barrier_wait(w->start);
    for (int op = 0; w->ok && op < OPS_PER_THREAD; op++) {
        unsigned r = (unsigned)(conf_rand(&rs) % 100);
        if (r < 45) {
            size_t size = thread_size(&rs), align = (size_t)1 << conf_rand_range(&rs, 0, 8);
            /* A no-op free (NULL, size 0, as a container that never grew
             * gives back) between other threads' calls: it must not write
             * to the shared handle (a race under TSan). */
            if (r < 5) al_deallocate(w->a, NULL, 0, align);
            void *p = conf_rand(&rs) % 4 ? al_allocate(w->a, size, align) : al_allocate_zeroed(w->a, size, align);
            if (!p) {
                if (!fixed) w->ok = conf_fail(&w->err, "thread %u: allocate(%zu, %zu) gave NULL", w->idx, size, align);
                continue;
            }
            if ((uintptr_t)p & (align - 1)) {
                w->ok = conf_fail(&w->err, "thread %u: misaligned %p for align %zu", w->idx, p, align);
                break;
            }
            conf_block b = {.ptr = p, .size = size, .align = align, .id = ++next_id};
            conf_fill(p, size, b.id);
            bool handed = false;
            if (conf_rand(&rs) & 1) {
                pthread_mutex_lock(&w->x->mu);
                if (w->x->n < SLOTS) {
                    w->x->slots[w->x->n++] = b;
                    handed = true;
                }
                pthread_mutex_unlock(&w->x->mu);
            }
            if (!handed && nlocal < LOCAL_MAX) local[nlocal++] = b;
            else if (!handed) w->ok = release(w, &b, "(local list full)");
        } else if (r < 80) {
            w->ok = take_and_free(w, &rs);
        } else if (nlocal > 0) {
            size_t i = conf_rand_range(&rs, 0, nlocal - 1);
            conf_block b = local[i];
            local[i] = local[--nlocal];
            w->ok = release(w, &b, "before its free");
        }
    }
    while (nlocal > 0) {
        conf_block b = local[--nlocal];
        if (!release(w, &b, "at the end")) w->ok = false;
    }
    /* No thread exits while others still run: they overlap to the end. */
    pthread_barrier_wait(w->start);
    return NULL;
}

/* Run THREADS workers on one instance of `spec`; then drain the exchange
 * from this thread (more cross-thread frees). */
static bool run_threads(const char *spec, conf_err *e, size_t *cross)
{
    al_options o = conf_options(0);
    al_allocator *a = al_create(spec, &o);
    if (!a) return conf_fail(e, "cannot create '%s': %s", spec, al_last_error());
    exchange x = {.n = 0};
    pthread_mutex_init(&x.mu, NULL);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    worker w[THREADS];
    pthread_t tid[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (worker){.a = a, .x = &x, .start = &start, .idx = i, .seed = 0x7ead5eedull * (i + 1)};
        pthread_create(&tid[i], NULL, work, &w[i]);
    }
    bool ok = true;
    *cross = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(tid[i], NULL);
        *cross += w[i].cross_frees;
        if (!w[i].ok && ok) ok = conf_fail(e, "%s", w[i].err.msg);
    }
    worker drain = {.a = a, .idx = THREADS};
    while (x.n > 0) {
        if (!release(&drain, &x.slots[--x.n], "when drained") && ok) ok = conf_fail(e, "%s", drain.err.msg);
    }
    *cross += drain.cross_frees;
    pthread_barrier_destroy(&start);
    pthread_mutex_destroy(&x.mu);
    al_destroy(a);
    return ok;
}

static void test_threads_every_thread_safe_allocator(void **state)
{
    (void)state;
    static char specs[MAX_SPECS][CONF_SPEC_LEN];
    size_t n = conf_specs(specs, MAX_SPECS, CONF_BROKEN_PREFIX), ran = 0, failed = 0;
    const char *only = getenv("ALLOCLAB_CONF_ONLY");
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, specs[i]) != 0) continue;
        const char *why = al_spec_unavailable(specs[i]);
        if (why) {
            print_message("[ skip     ] %s: %s\n", specs[i], why);
            continue;
        }
        al_options o = conf_options(0);
        al_allocator *probe = al_create(specs[i], &o);
        assert_non_null(probe);
        unsigned caps = probe->caps;
        al_destroy(probe);
        if (!conf_thread_safe_spec(specs[i], caps)) continue;
        conf_err e = {{0}};
        size_t cross = 0;
        ran++;
        if (!run_threads(specs[i], &e, &cross)) {
            failed++;
            print_message("[ FAIL     ] %s: %s\n", specs[i], e.msg);
        } else {
            print_message("[ threads  ] %s: ok, %zu cross-thread frees\n", specs[i], cross);
        }
    }
    print_message("[ conform  ] threads: %zu of %zu thread-safe specs pass\n", ran - failed, ran);
    assert_true(ran > 0);
    assert_int_equal(failed, 0);
}

/* A lock wrapper over a non-thread-safe backend is among those run: the
 * suite does cover the "locked:X" path. */
static void test_threads_cover_a_locked_non_thread_safe_backend(void **state)
{
    (void)state;
    static char specs[MAX_SPECS][CONF_SPEC_LEN];
    size_t n = conf_specs(specs, MAX_SPECS, CONF_BROKEN_PREFIX);
    bool covered = false;
    for (size_t i = 0; i < n && !covered; i++) {
        const char *last = strrchr(specs[i], ':');
        if (!last || al_spec_unavailable(specs[i])) continue;
        al_options o = conf_options(0);
        al_allocator *a = al_create(specs[i], &o);
        assert_non_null(a);
        const al_backend_desc *b = al_backend_find(last + 1);
        covered = conf_thread_safe_spec(specs[i], a->caps) && b && !(b->caps & AL_CAP_THREAD_SAFE);
        al_destroy(a);
    }
    assert_true(covered);
}

int main(void)
{
    conf_register_toys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_cover_a_locked_non_thread_safe_backend),
        cmocka_unit_test(test_threads_every_thread_safe_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
