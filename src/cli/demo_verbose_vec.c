/* verbose-vec: the talk's "testing the bump allocator" — a vec on a bump
 * arena over a 1 KiB static buffer, behind the verbose wrapper, so every
 * allocator call the vec makes is printed as it happens.
 *
 * What it shows: a vec grows by asking its allocator to grow its block; on a
 * bump arena the newest block grows in place (the same address comes back),
 * dropping the newest block rolls the arena back, and with_capacity asks once
 * instead of growing step by step. */
#include "cli.h"
#include "demos.h"

#include <alloclab/registry.h>
#include <alloclab/vec.h>
#include <stdio.h>

static unsigned char arena_memory[1024];

static void step(const char *what)
{
    printf("\n>>> %s\n", what);
    fflush(stdout); /* the wrapper writes to the descriptor, unbuffered */
}

/* The demo body; false when an allocation failed (reported by the caller). */
static bool run_demo(al_allocator *a)
{
    al_vec v;
    int x;

    step("let mut v = Vec::new_in(&arena)      (no allocation yet)");
    if (!AL_VEC_INIT(&v, a, int)) return false;
    step("v.push(1)");
    x = 1;
    if (!al_vec_push(&v, &x)) return false;
    step("v.push(2)                             (fits: no call)");
    x = 2;
    if (!al_vec_push(&v, &x)) return false;
    step("drop(v)");
    al_vec_free(&v);

    step("let mut v = Vec::with_capacity_in(100, &arena)");
    if (!AL_VEC_WITH_CAPACITY(&v, a, int, 100)) return false;
    step("v.push(1)                             (fits: no call)");
    x = 1;
    if (!al_vec_push(&v, &x)) return false;
    step("v.extend(0..100)                      (101 > 100: grows once)");
    int more[100];
    for (int i = 0; i < 100; i++) more[i] = i;
    if (!al_vec_extend(&v, more, 100)) return false;
    step("v.shrink_to_fit()");
    if (!al_vec_shrink_to_fit(&v)) return false;
    printf("len %zu, capacity %zu, v[100] = %d\n", v.len, v.cap, *(int *)al_vec_at(&v, 100));
    step("drop(v)");
    al_vec_free(&v);
    return true;
}

int al_demo_verbose_vec(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("demo verbose-vec takes no arguments");
    al_options opts = {.buffer = arena_memory, .buffer_size = sizeof arena_memory, .log = stdout};
    al_allocator *a = al_create("verbose:bump", &opts);
    if (!a) {
        fprintf(stderr, "alloclab: cannot make verbose:bump: %s\n", al_last_error());
        return 1;
    }
    printf("a vec of int on verbose:bump over a %zu-byte static buffer at %p\n",
           sizeof arena_memory, (void *)arena_memory);
    bool ok = run_demo(a);
    fflush(stdout);
    al_destroy(a);
    if (!ok) {
        fprintf(stderr, "alloclab: an allocation failed: the 1 KiB arena is spent\n");
        return 1;
    }
    printf("\nevery block came from the static buffer; nothing touched the heap\n");
    return 0;
}
