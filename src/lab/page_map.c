/* lab — the page map: pointer -> page descriptor in one load, for lab_free.
 *
 * Guarantees: one entry per 64 KiB granule of the 47-bit user address space
 * (2^31 entries of 8 bytes: 16 GiB of address space reserved once with
 * MAP_NORESERVE, of which only the entries of granules lab uses are ever
 * touched: a 4 KiB page of the map covers 32 MiB). An entry is the offset of
 * the granule's page descriptor from the map's own start; a granule that
 * holds no page's blocks (a segment's header page, a huge block, memory lab
 * does not own) reads 0, which names the map's first 128 bytes: a descriptor
 * that is all zero (those entries are granules 0..15, the first MiB of the
 * address space, where no mapping of lab's ever is), so its owner matches no
 * thread and its block size is 0. lab_free therefore needs no test for an
 * empty entry: the owner compare that it makes anyway sends such pointers to
 * the slow path, which checks them against the ownership map.
 *
 * Entries are written before a segment hands out its first block and
 * cleared before it is unmapped, with relaxed atomic stores; readers load
 * them the same way. lab_pm_limit is 0 until the map is reserved (and stays
 * 0 when the reservation fails, under a small RLIMIT_AS or strict overcommit):
 * every free then takes the checked slow path, slower but as safe.
 */
#include "lab_internal.h"

#include <sys/mman.h>

intptr_t *lab_pm;
size_t lab_pm_limit;

#define LAB_PM_ENTRIES ((size_t)1 << (LAB_ADDRESS_BITS - LAB_PM_SHIFT))

void lab_pm_init(void)
{
    if (__atomic_load_n(&lab_pm_limit, __ATOMIC_ACQUIRE)) return;
    size_t bytes = LAB_PM_ENTRIES * sizeof(intptr_t);
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return;
    lab_pm = m;
    __atomic_store_n(&lab_pm_limit, LAB_PM_ENTRIES, __ATOMIC_RELEASE);
}

/* Point the granules [p, p + bytes) at pg (NULL: clear them). */
static void pm_fill(uintptr_t p, size_t bytes, const lab_page *pg)
{
    if (!__atomic_load_n(&lab_pm_limit, __ATOMIC_ACQUIRE)) return;
    intptr_t v = pg ? (intptr_t)((uintptr_t)pg - (uintptr_t)lab_pm) : 0;
    for (uintptr_t g = p >> LAB_PM_SHIFT, e = (p + bytes) >> LAB_PM_SHIFT; g < e && g < LAB_PM_ENTRIES; g++)
        __atomic_store_n(&lab_pm[g], v, __ATOMIC_RELAXED);
}

void lab_pm_set_segment(lab_segment *s)
{
    size_t page = (size_t)1 << s->page_shift;
    pm_fill((uintptr_t)s, page, NULL); /* the header page */
    for (unsigned i = 1; i < s->npages; i++) pm_fill((uintptr_t)s + i * page, page, &s->pages[i]);
}

void lab_pm_clear_segment(lab_segment *s) { pm_fill((uintptr_t)s, LAB_SEGMENT_SIZE, NULL); }
