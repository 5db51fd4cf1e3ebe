/* lab — the ownership map.
 *
 * Guarantees: a granule's byte is set before the segment or huge block
 * starting there hands out its first block, and cleared before its memory is
 * unmapped, so a reader that finds it set may read the header behind it as
 * long as the block it holds is live. A segment's byte is its page shift. Reads need no lock (relaxed atomic
 * loads). The map covers 2^47 bytes at 4 MiB: 32 MiB of zero-initialised
 * address space, of which only the bytes for addresses in use are touched
 * (a 4 KiB page of the map covers 16 GiB). A byte rather than a bit per
 * granule keeps the test on lab_free's fast path to one load and compare.
 */
#include "lab_internal.h"

_Atomic(uint8_t) lab_map[LAB_GRANULES];

void lab_map_set(uintptr_t u, unsigned kind)
{
    uintptr_t g = u >> LAB_SEGMENT_SHIFT;
    if (g < LAB_GRANULES) atomic_store_explicit(&lab_map[g], (uint8_t)kind, memory_order_release);
}

bool lab_owns(const void *p)
{
    uintptr_t u = (uintptr_t)p;
    unsigned k = lab_map_kind(u);
    return lab_map_is_segment(k) || (k == LAB_MAP_HUGE && (u & LAB_SEGMENT_MASK) == 0);
}
