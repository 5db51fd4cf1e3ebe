/* lab — statistics and trimming.
 *
 * Guarantees: lab_stats_get takes each lock briefly and never blocks a fast
 * path; figures read while other threads allocate are estimates (block
 * counts of pages owned by other threads are read without synchronisation).
 * lab_trim releases, at once and ignoring every delay, what collection would
 * release over time.
 */
#include "lab_internal.h"

#include <string.h>

void lab_stats_get(lab_stats *s)
{
    memset(s, 0, sizeof *s);
    lab_pool_stats(s);
    lab_huge_stats(s);
    lab_heap_stats(s);
    s->mapped = atomic_load_explicit(&lab_stat_mapped, memory_order_relaxed);
    s->committed = atomic_load_explicit(&lab_stat_committed, memory_order_relaxed);
    s->invalid_frees = atomic_load_explicit(&lab_stat_invalid, memory_order_relaxed);
}

int lab_trim(size_t pad)
{
    lab_process_init();
    lab_heap *h = lab_tls_heap;
    bool freed = false;
    freed |= lab_heap_collect(h, true, pad);
    return freed ? 1 : 0;
}
