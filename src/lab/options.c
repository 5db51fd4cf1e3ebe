/* lab — options from the environment.
 *
 * Guarantees: read once, at the first heap or huge block, with getenv (which
 * does not allocate and tolerates an environment not yet set up) and a
 * parser of our own. A value that is not a plain decimal number is reported
 * on stderr and the default kept.
 *
 *   ALLOCLAB_LAB_RETIRE_MS   an empty page stays in its thread's heap this
 *                            long before it returns to the pool (default 10)
 *   ALLOCLAB_LAB_PURGE_MS    a pooled page is purged (MADV_DONTNEED), and a
 *                            cached huge block unmapped, after this long
 *                            (default 50; 0 = at the next collection)
 *   ALLOCLAB_LAB_HUGE_CACHE  freed huge blocks kept for reuse (default 8)
 *   ALLOCLAB_LAB_VERBOSE     0 silences the invalid-pointer reports (default 1)
 */
#include "lab_internal.h"

#include <stdlib.h>
#include <unistd.h>

lab_options lab_opt = {.retire_ms = 10, .purge_ms = 50, .huge_cache = 8, .verbose = true};

static void complain(const char *name)
{
    static const char a[] = "alloclab lab: ignoring ", b[] = " (not a decimal number)\n";
    char line[160];
    size_t n = 0;
    for (const char *s = a; *s; s++) line[n++] = *s;
    for (const char *s = name; *s && n < 100; s++) line[n++] = *s;
    for (const char *s = b; *s; s++) line[n++] = *s;
    ssize_t w = write(2, line, n);
    (void)w;
}

static void read_number(const char *name, uint64_t *out)
{
    const char *v = getenv(name);
    if (!v) return;
    uint64_t x = 0;
    const char *s = v;
    if (!*s) goto bad;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10) goto bad;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *out = x;
    return;
bad:
    complain(name);
}

void lab_options_init(void)
{
    read_number("ALLOCLAB_LAB_RETIRE_MS", &lab_opt.retire_ms);
    read_number("ALLOCLAB_LAB_PURGE_MS", &lab_opt.purge_ms);
    read_number("ALLOCLAB_LAB_HUGE_CACHE", &lab_opt.huge_cache);
    uint64_t verbose = 1;
    read_number("ALLOCLAB_LAB_VERBOSE", &verbose);
    lab_opt.verbose = verbose != 0;
}
