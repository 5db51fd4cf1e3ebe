/* alloclab demo memory-types: where a program's objects really live.
 *
 * Statics sit in the executable's own mappings (.rodata, .data, .bss), locals
 * on the main thread's [stack], small malloc blocks in the brk [heap] and
 * large ones in anonymous mappings of their own. The demo takes one object
 * of each kind and looks its address up in /proc/self/maps, so the table
 * shows what this process does, not what a textbook says. */
#include "cli.h"
#include "demos.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the objects ----------------------------------------------------------
 * One of each kind. The statics are touched through volatile accesses so
 * the compiler keeps them in their sections. */
static const char ro_static[] = "a read-only static";
static volatile int data_static = 42;
static volatile char bss_static[64];

enum { SMALL_BLOCK = 64, LARGE_BLOCK = 4 << 20 };

/* One row of the table: an object and, once looked up, its mapping. */
typedef struct row {
    const char *what;     /* the object, for a person */
    uintptr_t addr;       /* its address */
    int found;            /* nonzero once a mapping holds addr */
    char perms[5];        /* that mapping's permissions, as in maps */
    char region[320];     /* its pathname, "[heap]", "[stack]" or a description */
} row;

/* ---- /proc/self/maps ------------------------------------------------------
 * Each line is "lo-hi perms offset dev inode [pathname]"; lines are sorted
 * by address. A mapping without a pathname is anonymous; one that directly
 * follows the executable's last mapping holds the rest of its .bss. Lines
 * longer than the buffer are read to their end and only their start kept. */
static int read_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f)) return 0;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
    else for (int c; (c = getc(f)) != EOF && c != '\n';) {}
    return 1;
}

/* Fill rows[i].region/perms/found for every row; -1 if maps cannot be read. */
static int locate(row *rows, size_t n, const char *exe)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    char line[PATH_MAX + 128], prev_path[PATH_MAX] = "";
    unsigned long prev_hi = 0;
    while (read_line(f, line, sizeof line)) {
        unsigned long lo, hi;
        char perms[5];
        int pos = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perms, &pos) != 3 || pos == 0) continue;
        const char *path = line + pos;
        for (size_t i = 0; i < n; i++) {
            if (rows[i].found || rows[i].addr < lo || rows[i].addr >= hi) continue;
            rows[i].found = 1;
            memcpy(rows[i].perms, perms, sizeof perms);
            if (path[0]) snprintf(rows[i].region, sizeof rows[i].region, "%s", path);
            else if (exe[0] && prev_hi == lo && strcmp(prev_path, exe) == 0)
                snprintf(rows[i].region, sizeof rows[i].region, "anonymous, right after %s (rest of .bss)", exe);
            else snprintf(rows[i].region, sizeof rows[i].region, "anonymous mapping");
        }
        prev_hi = hi;
        snprintf(prev_path, sizeof prev_path, "%s", path);
    }
    fclose(f);
    return 0;
}

/* ---- the demo -------------------------------------------------------------
 * Prints the table, then notes that explain the rows from what was found:
 * a note never claims a region the table does not show. Exit 1 only when
 * /proc/self/maps or malloc is unavailable. */
static void print_notes(const row *local, const row *small, const row *large)
{
    int small_in_heap = strcmp(small->region, "[heap]") == 0;
    int large_in_heap = strcmp(large->region, "[heap]") == 0;
    printf("\nnotes:\n");
    if (strcmp(local->region, "[stack]") != 0)
        printf("- the local is not in [stack]: this build keeps locals elsewhere "
               "(a sanitizer's fake stack, for one)\n");
    if (small_in_heap)
        printf("- small blocks come from the brk heap ([heap]), which malloc grows with brk\n");
    else
        printf("- the small block is not in [heap]: this process's malloc does not use the brk heap "
               "(a sanitizer's allocator, for one, maps regions of its own)\n");
    if (small_in_heap && !large_in_heap)
        printf("- the %d MiB block got a mapping of its own: glibc mmaps blocks above its mmap "
               "threshold (128 KiB by default) and unmaps them on free\n", LARGE_BLOCK >> 20);
    else if (large_in_heap)
        printf("- the %d MiB block is in [heap] too: the mmap threshold was raised above it\n",
               LARGE_BLOCK >> 20);
}

int al_demo_memory_types(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("memory-types takes no arguments");
    volatile int stack_local = data_static + bss_static[0];
    void *small = malloc(SMALL_BLOCK), *large = malloc(LARGE_BLOCK);
    if (!small || !large) {
        free(small);
        free(large);
        fprintf(stderr, "alloclab: malloc failed\n");
        return 1;
    }
    row rows[] = {
        {"read-only static (.rodata)", (uintptr_t)ro_static, 0, "", ""},
        {"initialised static (.data)", (uintptr_t)&data_static, 0, "", ""},
        {"zero-initialised static (.bss)", (uintptr_t)bss_static, 0, "", ""},
        {"local variable (stack)", (uintptr_t)&stack_local, 0, "", ""},
        {"small malloc block (64 B)", (uintptr_t)small, 0, "", ""},
        {"large malloc block (4 MiB)", (uintptr_t)large, 0, "", ""},
    };
    size_t n = sizeof rows / sizeof rows[0];
    char exe[PATH_MAX] = "";
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = '\0';

    int rc = 0;
    if (locate(rows, n, exe) != 0) {
        fprintf(stderr, "alloclab: cannot read /proc/self/maps: %s\n", strerror(errno));
        rc = 1;
    } else {
        printf("where this process's objects live (regions from /proc/self/maps):\n\n");
        printf("%-31s %-18s %-5s %s\n", "OBJECT", "ADDRESS", "PERMS", "REGION");
        for (size_t i = 0; i < n; i++)
            printf("%-31s %#-18lx %-5s %s\n", rows[i].what, (unsigned long)rows[i].addr,
                   rows[i].found ? rows[i].perms : "-",
                   rows[i].found ? rows[i].region : "(in no mapping listed)");
        print_notes(&rows[3], &rows[4], &rows[5]);
    }
    free(small);
    free(large);
    return rc;
}
