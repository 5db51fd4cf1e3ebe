/* lab — the ownership bitmaps.
 *
 * Guarantees: a bit is set before the segment or huge block it names hands
 * out its first block, and cleared before its memory is unmapped, so a
 * reader that finds a bit set may read the header behind it as long as the
 * block it holds is live. Reads need no lock (relaxed atomic loads); writers
 * use atomic read-modify-write, so two granules sharing a byte never lose a
 * bit. The maps cover 2^47 bytes at 4 MiB: 4 MiB of zero-initialised memory
 * each, of which only the bytes for addresses in use are ever touched.
 */
#include "lab_internal.h"

_Atomic(uint8_t) lab_segment_bits[LAB_GRANULES / 8];
_Atomic(uint8_t) lab_huge_bits[LAB_GRANULES / 8];

void lab_map_set(_Atomic(uint8_t) *bits, uintptr_t u, bool on)
{
    uintptr_t g = u >> LAB_SEGMENT_SHIFT;
    if (g >= LAB_GRANULES) return;
    uint8_t bit = (uint8_t)(1u << (g & 7));
    if (on) atomic_fetch_or_explicit(&bits[g >> 3], bit, memory_order_release);
    else atomic_fetch_and_explicit(&bits[g >> 3], (uint8_t)~bit, memory_order_release);
}

bool lab_owns(const void *p)
{
    uintptr_t u = (uintptr_t)p;
    return lab_map_test(lab_segment_bits, u) || (lab_map_test(lab_huge_bits, u) && (u & LAB_SEGMENT_MASK) == 0);
}
