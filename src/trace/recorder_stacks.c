/* Call stacks for --stacks: captured with libunwind (the DWARF unwind
 * tables, so programs built without frame pointers unwind too), numbered per
 * thread, and defined in the thread's stream the first time each is seen.
 *
 * Guarantees: an id refers to one stack of its thread (ids are never reused:
 * when the table of seen stacks fills, it is forgotten and stacks are defined
 * again under new ids); the tracer's own frames are left out; libunwind runs
 * as the tracer's own code, so what it allocates is not recorded.
 */
#include "recorder.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>

#if ALLOCLAB_HAVE_LIBUNWIND
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define TABLE_SLOTS (1u << 15)

/* This library's own code: frames inside it are the tracer's. */
static uintptr_t self_lo, self_hi;

static int self_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (me >= lo && me < hi) {
            self_lo = lo;
            self_hi = hi;
            return 1;
        }
    }
    return 0;
}

static void find_self(void) { dl_iterate_phdr(self_cb, (void *)(uintptr_t)find_self); }

static uint64_t hash_frames(void *const *f, int n)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)n;
    for (int i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)f[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return h ? h : 1;
}

void rec_stacks_forget(rec_thread *ts)
{
    if (ts->stack_keys) memset(ts->stack_keys, 0, TABLE_SLOTS * sizeof(uint64_t));
    ts->stack_used = 0;
    ts->next_stack = 0;
}

uint32_t rec_stack_id(rec_thread *ts, uint64_t **pos)
{
    void *frames[REC_STACK_MAX_FRAMES + 8];
    rec_thread *saved = rec_enter_internal();
    if (!self_lo) find_self();
    int n = unw_backtrace(frames, REC_STACK_MAX_FRAMES + 8);
    if (!ts->stack_keys) {
        void *m = mmap(NULL, TABLE_SLOTS * (sizeof(uint64_t) + sizeof(uint32_t)), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            ts->stack_keys = m;
            ts->stack_ids = (uint32_t *)((uint64_t *)m + TABLE_SLOTS);
        }
    }
    rec_leave_internal(saved);
    if (n <= 0 || !ts->stack_keys) return 0;
    int skip = 0;
    while (skip < n && (uintptr_t)frames[skip] >= self_lo && (uintptr_t)frames[skip] < self_hi) skip++;
    void **f = frames + skip;
    n -= skip;
    if (n > REC_STACK_MAX_FRAMES) n = REC_STACK_MAX_FRAMES;
    if (n <= 0) return 0;
    uint64_t h = hash_frames(f, n);
    uint32_t slot = (uint32_t)h & (TABLE_SLOTS - 1);
    while (ts->stack_keys[slot]) {
        if (ts->stack_keys[slot] == h) return ts->stack_ids[slot];
        slot = (slot + 1) & (TABLE_SLOTS - 1);
    }
    if (ts->stack_used >= TABLE_SLOTS / 4 * 3) {
        memset(ts->stack_keys, 0, TABLE_SLOTS * sizeof(uint64_t));
        ts->stack_used = 0;
        slot = (uint32_t)h & (TABLE_SLOTS - 1);
    }
    uint32_t id = ++ts->next_stack;
    ts->stack_keys[slot] = h;
    ts->stack_ids[slot] = id;
    ts->stack_used++;
    uint64_t *q = *pos;
    q[0] = AL_EV_STACK_DEF;
    q[1] = id;
    q[2] = (uint64_t)n;
    for (int i = 0; i < n; i++) q[3 + i] = (uint64_t)(uintptr_t)f[i];
    *pos = q + 3 + n;
    return id;
}

#else
void rec_stacks_forget(rec_thread *ts) { (void)ts; }

uint32_t rec_stack_id(rec_thread *ts, uint64_t **pos)
{
    (void)ts;
    (void)pos;
    return 0;
}
#endif
