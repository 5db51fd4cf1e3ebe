/* info: the heap queries and knobs of glibc's malloc API (malloc_trim,
 * mallinfo, mallinfo2, mallopt, malloc_stats), answered for the allocator
 * that really serves the process, never for glibc's unused heap.
 *
 * Under lab, they come from lab_stats_get: arena is the address space of its
 * segments, hblks and hblkhd its huge blocks (live and cached), uordblks the
 * bytes in live blocks by block size, fordblks the rest of what is mapped;
 * malloc_trim is lab_trim. Under a spec, the figures are the adapter's own exact counts: uordblks is
 * the bytes asked for in live blocks, arena those bytes with their headers
 * and padding; the backend's own overhead is not known. malloc_trim trims
 * glibc's heap, where the registry's backends (sys, and arena and pool over
 * it) take their memory. mallopt accepts glibc's parameters with values
 * glibc would accept (answer 1) and changes nothing, since they tune a heap
 * that is not in use; any other parameter is refused (0), as glibc does.
 * Nothing here allocates.
 */
#include "malloc_internal.h"

#include "lab.h"

#include <limits.h>
#include <malloc.h>


const char *alloclab_malloc_spec(void);
struct mallinfo __libc_mallinfo(void);
int __libc_mallopt(int param, int value);

/* The serving allocator's figures, as glibc reports its own. */
static struct mallinfo2 figures(void)
{
    if (am_current == AM_LAB) {
        /* arena: lab's segments; hblkhd: its huge blocks (live and cached);
         * uordblks: live blocks by block size; fordblks: the rest. */
        lab_stats s;
        lab_stats_get(&s);
        size_t arena = s.mapped > s.huge_mapped ? s.mapped - s.huge_mapped : 0;
        return (struct mallinfo2){.arena = arena, .ordblks = s.pages_free, .hblks = s.huge_count,
                                  .hblkhd = s.huge_mapped, .uordblks = s.in_use,
                                  .fordblks = s.mapped > s.in_use ? s.mapped - s.in_use : 0};
    }
    am_spec_counts c;
    am_spec_counts_get(&c);
    return (struct mallinfo2){.arena = c.held_bytes, .uordblks = c.live_bytes};
}

EXPORT struct mallinfo2 mallinfo2(void)
{
    am_decide();
    return figures();
}

static int clamp_int(size_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

/* The old form: int fields, saturated where glibc's would wrap. */
EXPORT struct mallinfo mallinfo(void)
{
    struct mallinfo2 m = mallinfo2();
    return (struct mallinfo){
        .arena = clamp_int(m.arena), .ordblks = clamp_int(m.ordblks), .smblks = clamp_int(m.smblks),
        .hblks = clamp_int(m.hblks), .hblkhd = clamp_int(m.hblkhd), .usmblks = clamp_int(m.usmblks),
        .fsmblks = clamp_int(m.fsmblks), .uordblks = clamp_int(m.uordblks),
        .fordblks = clamp_int(m.fordblks), .keepcost = clamp_int(m.keepcost),
    };
}

EXPORT int malloc_trim(size_t pad)
{
    return am_decide() == AM_LAB ? lab_trim(pad) : al_libc_trim(pad);
}

EXPORT int mallopt(int param, int value)
{
    switch (param) {
    case M_MXFAST: /* glibc: 0 .. 80 * sizeof(size_t) / 4 */
        return value >= 0 && (size_t)value <= 80 * sizeof(size_t) / 4;
    case M_TRIM_THRESHOLD: case M_TOP_PAD: case M_MMAP_THRESHOLD: case M_MMAP_MAX:
    case M_CHECK_ACTION: case M_PERTURB: case M_ARENA_TEST: case M_ARENA_MAX:
        return 1;
    default:
        return 0;
    }
}

EXPORT void malloc_stats(void)
{
    struct mallinfo2 m = mallinfo2();
    al_say("alloclab-malloc (%s):\nsystem bytes     = %10zu\nin use bytes     = %10zu\n",
           alloclab_malloc_spec(), m.arena + m.hblkhd, m.uordblks);
}

/* Which allocator serves the process: "lab", or the ALLOCLAB_MALLOC spec in
 * use. Lets a program (and the tests) see that the replacement is active. */
EXPORT const char *alloclab_malloc_spec(void)
{
    am_decide();
    return am_spec_name();
}

/* mallinfo is deprecated in glibc's header; defining its alias names it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct mallinfo __libc_mallinfo(void) ALIAS(mallinfo);
#pragma GCC diagnostic pop
int __libc_mallopt(int param, int value) ALIAS(mallopt);
