/* The talk's examples, one file each (src/cli/demo_*.c), run by
 * `alloclab demo NAME [ARGS]`.
 *
 * Each demo function gets argv with argv[0] the demo's name and returns the
 * process exit status with the CLI's meaning (cli.h): 0 the demo ran and
 * showed what it shows, 1 the run failed (a clear line on stderr says why),
 * 2 bad arguments (one line "alloclab: ..." on stderr). No demo crashes
 * alloclab itself: anything meant to crash runs in a forked child. */
#ifndef ALLOCLAB_DEMOS_H
#define ALLOCLAB_DEMOS_H

/* One entry of the demo table. */
typedef struct al_demo {
    const char *name;                   /* what `alloclab demo NAME` takes */
    const char *summary;                /* one line for the listing */
    int (*run)(int argc, char **argv);  /* argv[0] is the name; returns the exit status */
} al_demo;

/* Read one line from stdin into a 32-byte static pool and echo it; input
 * longer than the pool is refused (exit 1), never written past the pool. */
int al_demo_static_pool(int argc, char **argv);

/* Print RLIMIT_STACK, then put a large array on the stack in a forked child
 * (`--size MiB`, default 16) and report how the child ended. */
int al_demo_stack_limit(int argc, char **argv);

/* Print where static, stack and heap objects live, each with the region of
 * /proc/self/maps that holds it. */
int al_demo_memory_types(int argc, char **argv);

/* A vec on verbose:bump over a 1 KiB static buffer — push, drop,
 * with_capacity, extend, shrink_to_fit — printing every allocator call. */
int al_demo_verbose_vec(int argc, char **argv);

/* For every available allocator, the brk/mmap/munmap/mremap/madvise calls of
 * one allocate + deallocate of 64 B, 64 KiB and 4 MiB, cold and warm. */
int al_demo_syscalls(int argc, char **argv);

#endif
