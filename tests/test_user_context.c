/* A caller's own backend and wrapper get their context: opts->user from the
 * caller's options, or else their descriptor's user (made by name with no
 * options, as the benchmarks do). alloclab's own layers ignore it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <alloclab/registry.h>
#include <alloclab/wrappers.h>

/* What a create or wrap call saw: counts calls made with this context. */
typedef struct ctx {
    int calls;
} ctx;

static ctx backend_ctx, wrapper_ctx, caller_ctx;

/* A backend over libc (a sys instance) that counts its creations in the
 * context it is handed; no context is a failure. */
static al_allocator *ctx_create(const al_options *opts)
{
    if (!opts->user) {
        al_set_error("ctx-backend: no context");
        return NULL;
    }
    ((ctx *)opts->user)->calls++;
    return al_create("sys", NULL);
}

/* A wrapper that only counts, then hands back inner itself: the chain stays
 * one allocator, which owns nothing more. */
static al_allocator *ctx_wrap(al_allocator *inner, const al_options *opts)
{
    if (!opts->user) {
        al_set_error("ctx-wrapper: no context");
        return NULL;
    }
    ((ctx *)opts->user)->calls++;
    return inner;
}

static const al_backend_desc ctx_backend = {
    .name = "ctx-backend", .description = "reads its context", .create = ctx_create,
    .caps = AL_CAP_THREAD_SAFE | AL_CAP_FREES, .user = &backend_ctx,
};
static const al_wrapper_desc ctx_wrapper = {
    .name = "ctx-wrapper", .description = "reads its context", .wrap = ctx_wrap, .user = &wrapper_ctx,
};

static int setup(void **state)
{
    (void)state;
    return al_register_backend(&ctx_backend) == 0 && al_register_wrapper(&ctx_wrapper) == 0 ? 0 : -1;
}

static int reset_counts(void **state)
{
    (void)state;
    backend_ctx = wrapper_ctx = caller_ctx = (ctx){0};
    return 0;
}

static void test_descriptor_user_without_options(void **state)
{
    (void)state;
    al_allocator *a = al_create("ctx-wrapper:ctx-backend", NULL);
    assert_non_null(a);
    assert_int_equal(backend_ctx.calls, 1);
    assert_int_equal(wrapper_ctx.calls, 1);
    al_destroy(a);
}

static void test_caller_user_wins(void **state)
{
    (void)state;
    al_allocator *a = al_create("ctx-wrapper:ctx-backend", &(al_options){.user = &caller_ctx});
    assert_non_null(a);
    assert_int_equal(caller_ctx.calls, 2);
    assert_int_equal(backend_ctx.calls, 0);
    assert_int_equal(wrapper_ctx.calls, 0);
    al_destroy(a);
}

/* Built-in layers between pass it on untouched and ignore it themselves. */
static void test_builtin_layers_ignore_it(void **state)
{
    (void)state;
    al_allocator *a = al_create("stats:locked:ctx-backend", NULL);
    assert_non_null(a);
    assert_int_equal(backend_ctx.calls, 1);
    void *p = al_allocate(a, 10, 1);
    assert_non_null(p);
    al_deallocate(a, p, 10, 1);
    al_stats st;
    assert_true(al_stats_get(a, &st));
    assert_int_equal(st.allocs, 1);
    al_destroy(a);

    al_allocator *s = al_create("stats:sys", &(al_options){.user = &caller_ctx});
    assert_non_null(s);
    assert_int_equal(caller_ctx.calls, 0);
    al_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_descriptor_user_without_options, reset_counts),
        cmocka_unit_test_setup(test_caller_user_wins, reset_counts),
        cmocka_unit_test_setup(test_builtin_layers_ignore_it, reset_counts),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
