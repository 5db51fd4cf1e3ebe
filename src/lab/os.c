/* lab — the operating system: mappings, the clock, reports.
 *
 * Guarantees: every byte lab uses comes from mmap here; nothing in this file
 * (or any lab file) calls malloc. Aligned mappings are made by asking for the
 * aligned address first and otherwise over-mapping and trimming, so they never
 * leave a stray mapping behind. Reports are one write(2) of a line built on
 * the stack, and leave errno as it was.
 */
#include "lab_internal.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

atomic_size_t lab_stat_mapped, lab_stat_committed, lab_stat_invalid;

void lab_lock_slow(lab_lock *l)
{
    for (unsigned spins = 0;; spins++) {
        if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
            !atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
            return;
        if (spins > 16) sched_yield();
#if defined(__x86_64__) || defined(__i386__)
        else __builtin_ia32_pause();
#endif
    }
}

void lab_set_errno(int e) { errno = e; }

/* Where the next aligned mapping is tried first: just below the last one.
 * Linux hands out mappings top-down, so the addresses below the lowest one
 * are usually free, and an aligned request there is one mmap; above, they
 * are usually taken, and a refused hint costs four more system calls (the
 * stray mapping's munmap, an over-sized mmap, two trims). */
static _Atomic uintptr_t next_hint;

static void *map_at(void *hint, size_t size)
{
    void *p = mmap(hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *lab_os_map_aligned(size_t size, size_t align, size_t offset)
{
    uintptr_t mask = (uintptr_t)align - 1;
    uint8_t *p = NULL;
    uintptr_t hint = atomic_load_explicit(&next_hint, memory_order_relaxed);
    if (hint > size + offset + mask) {
        uintptr_t want = ((hint - size + offset) & ~mask) - offset; /* want + size <= hint */
        p = map_at((void *)want, size);
        if (p && (((uintptr_t)p + offset) & mask) != 0) {
            munmap(p, size);
            p = NULL;
        }
    }
    if (!p) {
        if (size + align < size) return NULL;
        uint8_t *raw = map_at(NULL, size + align);
        if (!raw) return NULL;
        p = (uint8_t *)((((uintptr_t)raw + offset + mask) & ~mask) - offset);
        size_t head = (size_t)(p - raw), tail = align - head;
        if (head) munmap(raw, head);
        if (tail) munmap(p + size, tail);
    }
    atomic_store_explicit(&next_hint, (uintptr_t)p, memory_order_relaxed);
    atomic_fetch_add_explicit(&lab_stat_mapped, size, memory_order_relaxed);
    return p;
}

void lab_os_unmap(void *p, size_t size)
{
    munmap(p, size);
    atomic_fetch_sub_explicit(&lab_stat_mapped, size, memory_order_relaxed);
}

void lab_os_purge(void *p, size_t size) { madvise(p, size, MADV_DONTNEED); }

uint64_t lab_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void lab_report_invalid(const char *what, const void *p)
{
    atomic_fetch_add_explicit(&lab_stat_invalid, 1, memory_order_relaxed);
    if (!lab_opt.verbose) return;
    int saved = errno;
    char line[128];
    size_t n = 0;
    static const char head[] = "alloclab lab: ";
    for (const char *s = head; *s; s++) line[n++] = *s;
    for (const char *s = what; *s && n < 80; s++) line[n++] = *s;
    line[n++] = ' ';
    line[n++] = '0';
    line[n++] = 'x';
    uintptr_t u = (uintptr_t)p;
    int shift = 60;
    while (shift > 0 && ((u >> shift) & 0xf) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) line[n++] = "0123456789abcdef"[(u >> shift) & 0xf];
    static const char tail[] = " (not lab's, ignored)\n";
    for (const char *s = tail; *s; s++) line[n++] = *s;
    ssize_t w = write(2, line, n);
    (void)w;
    errno = saved;
}
