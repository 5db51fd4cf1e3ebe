/* alloclab demo: the table of the talk's examples and their dispatch. */
#include "cli.h"
#include "demos.h"

#include <stdio.h>
#include <string.h>

/* ---- the table ------------------------------------------------------------
 * Listing order; every entry names a demo that is built and runs. */
static const al_demo demos[] = {
    {"static-pool", "read a line into a 32-byte static pool; overlong input is refused",
     al_demo_static_pool},
    {"stack-limit", "show RLIMIT_STACK and overflow it with a big stack array in a child (--size MiB)",
     al_demo_stack_limit},
    {"memory-types", "where static, stack and heap objects live in /proc/self/maps",
     al_demo_memory_types},
    {"verbose-vec", "a vec on verbose:bump over a 1 KiB static buffer: every allocator call shown",
     al_demo_verbose_vec},
    {"syscalls", "the brk/mmap/munmap/mremap/madvise calls each allocator makes for 64 B, 64 KiB, 4 MiB",
     al_demo_syscalls},
};

/* ---- dispatch -------------------------------------------------------------
 * `demo` alone (or -h/--help) lists the demos on stdout and exits 0;
 * `demo NAME ARGS` runs NAME with argv[0] = NAME; an unknown NAME is one
 * line on stderr and exit status 2. */
static void list_demos(void)
{
    printf("usage: alloclab demo NAME [ARGS]\n\ndemos:\n");
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++)
        printf("  %-13s %s\n", demos[i].name, demos[i].summary);
}

int al_cmd_demo(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        list_demos();
        return 0;
    }
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++)
        if (strcmp(argv[1], demos[i].name) == 0) return demos[i].run(argc - 1, argv + 1);
    return al_cli_usage_error("unknown demo '%s' (alloclab demo lists them)", argv[1]);
}
