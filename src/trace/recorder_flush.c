/* The recorder's buffers and sections: per-thread buffers handed to a
 * background flusher, the section's start (SECTION chunk) and end (MODULES
 * and END chunks), and what happens at thread exit, fork and exec.
 *
 * Guarantees:
 * - A thread appends to its own buffer without locks; a full buffer goes to
 *   the flusher thread, which compresses and appends it (one write per
 *   chunk). The queue is bounded: a thread outrunning the flusher waits,
 *   events are never dropped for speed.
 * - The section closes at exit (this library's destructor, which runs after
 *   the program's and most libraries' destructors) and before a successful
 *   exec: every buffer is written, then the module map and END with the
 *   number of events written, so that a reader can tell a complete section
 *   from a cut one. Calls after the close (later destructors, exiting
 *   threads) are written through one chunk each: recorded to the last call.
 * - A forked child without --follow-forks records nothing; with it, it
 *   starts its own section in the same file (flushing synchronously: it has
 *   no flusher thread). A vfork child (shared memory) touches nothing.
 * - A close takes each thread's buffer up to the position it published and
 *   switches the thread to write-through: the events a thread records during
 *   the close itself are written by its next call (after END: read as
 *   calls made after the section closed).
 */
#include "recorder.h"
#include "say.h"
#include "writer.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

_Atomic int rec_mode = REC_OFF;
bool rec_stacks;
bool rec_use_tsc;
bool rec_plain;
uint64_t rec_tick0;
/* Stored ticks are raw ticks >> tick_shift (docs/trace-format.md). */
static unsigned tick_shift = 6;
__thread rec_thread *rec_self REC_TLS;
__thread int rec_busy REC_TLS;

static bool follow_forks;
static char trace_path[4096];
static int trace_fd = -1;
static pid_t section_pid;
static uint64_t section_id;

/* Writers: one for the flusher thread, one (under write_lock) for everyone
 * else: the section's own chunks, synchronous flushes, write-through. */
static al_tw *flush_tw, *sync_tw;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static _Atomic uint64_t events_written, events_lost;
static _Atomic int write_errno;

/* ---- thread states: never freed, so a close can walk them at any time ---- */
#define MAX_THREADS 65536
static rec_thread **threads;            /* mmap'd array */
static _Atomic uint32_t nthreads;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t thread_key;

/* ---- the buffer pool and the flush queue ---------------------------------- */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static rec_buf *pool_free;

#define QUEUE_MAX 8
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_nonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t queue_space = PTHREAD_COND_INITIALIZER;
static rec_buf *queue_head, *queue_tail;
static unsigned queue_len;
static bool flusher_running, flusher_stop;
static pthread_t flusher;

static pthread_mutex_t close_lock = PTHREAD_MUTEX_INITIALIZER;
static bool section_closed;

rec_thread *rec_enter_internal(void)
{
    rec_thread *saved = rec_self;
    rec_self = NULL;
    rec_busy++;
    return saved;
}

void rec_leave_internal(rec_thread *saved)
{
    rec_busy--;
    rec_self = saved;
}

static void *map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static rec_buf *pool_get(void)
{
    pthread_mutex_lock(&pool_lock);
    if (!pool_free) {
        enum { BATCH = 8 };
        rec_buf *b = map(sizeof(rec_buf) * BATCH);
        /* Huge pages where the kernel gives them on request: a buffer is
         * filled once per chunk, so 4 KiB pages cost a fault every 512
         * calls on a fresh buffer. */
        if (b) madvise(b, sizeof(rec_buf) * BATCH, MADV_HUGEPAGE);
        for (int i = 0; b && i < BATCH; i++) {
            b[i].next = pool_free;
            pool_free = &b[i];
        }
    }
    rec_buf *b = pool_free;
    if (b) pool_free = b->next;
    pthread_mutex_unlock(&pool_lock);
    return b;
}

static void pool_put(rec_buf *b)
{
    pthread_mutex_lock(&pool_lock);
    b->next = pool_free;
    pool_free = b;
    pthread_mutex_unlock(&pool_lock);
}

/* ---- writing chunks -------------------------------------------------------- */
static void note_write_error(uint64_t lost)
{
    atomic_fetch_add(&events_lost, lost);
    int expected = 0;
    atomic_compare_exchange_strong(&write_errno, &expected, errno ? errno : EIO);
}

/* Append words [from, to) of b as one EVENTS chunk numbered seq. */
static void write_events(al_tw *w, const rec_buf *b, uint32_t from, uint32_t to, uint32_t seq)
{
    if (to <= from) return;
    al_ev_chunk c = {b->tid, seq, rec_tick(), rec_now(), tick_shift, NULL};
    uint32_t got = 0;
    if (!w || al_tw_events(w, trace_fd, section_id, b->thread, &c, b->data + from, to - from, &got) != 0)
        note_write_error(al_ev_count(b->data + from, to - from));
    else
        atomic_fetch_add(&events_written, got);
}

static void write_events_sync(const rec_buf *b, uint32_t from, uint32_t to, uint32_t seq)
{
    pthread_mutex_lock(&write_lock);
    write_events(sync_tw, b, from, to, seq);
    pthread_mutex_unlock(&write_lock);
}

/* Words [from, to) of b are complete: queue them for the flusher, or write
 * them here when there is none. Then b returns to the pool. */
static void submit(rec_buf *b, uint32_t from, uint32_t to, uint32_t seq)
{
    b->from = from;
    b->to = to;
    b->seq = seq;
    pthread_mutex_lock(&queue_lock);
    if (flusher_running) {
        while (queue_len >= QUEUE_MAX && flusher_running) pthread_cond_wait(&queue_space, &queue_lock);
        if (flusher_running) {
            b->next = NULL;
            if (queue_tail)
                queue_tail->next = b;
            else
                queue_head = b;
            queue_tail = b;
            queue_len++;
            pthread_cond_signal(&queue_nonempty);
            pthread_mutex_unlock(&queue_lock);
            return;
        }
    }
    pthread_mutex_unlock(&queue_lock);
    write_events_sync(b, from, to, seq);
    pool_put(b);
}

static void *flusher_main(void *arg)
{
    (void)arg;
    rec_enter_internal(); /* for good: this thread's own calls are not the program's */
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (!queue_head && !flusher_stop) pthread_cond_wait(&queue_nonempty, &queue_lock);
        rec_buf *b = queue_head;
        if (!b) break;
        queue_head = b->next;
        if (!queue_head) queue_tail = NULL;
        queue_len--;
        pthread_cond_broadcast(&queue_space);
        pthread_mutex_unlock(&queue_lock);
        write_events(flush_tw, b, b->from, b->to, b->seq);
        pool_put(b);
        pthread_mutex_lock(&queue_lock);
    }
    pthread_mutex_unlock(&queue_lock);
    return NULL;
}

static void start_flusher(void)
{
    if (flusher_running || !flush_tw) return;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 << 10);
    flusher_stop = false;
    if (pthread_create(&flusher, &attr, flusher_main, NULL) == 0) {
        pthread_mutex_lock(&queue_lock);
        flusher_running = true;
        pthread_mutex_unlock(&queue_lock);
    }
    pthread_attr_destroy(&attr);
}

/* Let the flusher write everything queued, then stop it. */
static void stop_flusher(void)
{
    pthread_mutex_lock(&queue_lock);
    if (!flusher_running) {
        pthread_mutex_unlock(&queue_lock);
        return;
    }
    flusher_stop = true;
    pthread_cond_signal(&queue_nonempty);
    pthread_mutex_unlock(&queue_lock);
    pthread_join(flusher, NULL);
    pthread_mutex_lock(&queue_lock);
    flusher_running = false;
    pthread_cond_broadcast(&queue_space);
    pthread_mutex_unlock(&queue_lock);
}

/* ---- a thread's buffer ------------------------------------------------------ */
static void spin_lock(atomic_flag *f)
{
    while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) sched_yield();
}
static void spin_unlock(atomic_flag *f) { atomic_flag_clear_explicit(f, memory_order_release); }

static size_t room_needed(void) { return rec_stacks ? REC_EVENT_MAX_STACKS : REC_EVENT_MAX; }

static uint32_t words_of(rec_thread *ts)
{
    return (uint32_t)(atomic_load_explicit(&ts->pos, memory_order_acquire) - ts->buf->data);
}

/* Where the thread's events may go before the slow path must run. */
static void set_limit(rec_thread *ts)
{
    rec_buf *b = ts->buf;
    uint64_t *lim = atomic_load(&ts->mode) ? b->data : b->data + REC_BUF_WORDS - room_needed();
    atomic_store_explicit(&ts->limit, lim, memory_order_relaxed);
}

/* Start buffer b for ts (under ts->lock, or before anyone sees ts). */
static void buffer_begin(rec_thread *ts, rec_buf *b)
{
    b->thread = ts->index;
    b->tid = ts->tid;
    b->taken = 0;
    ts->buf = b;
    atomic_store_explicit(&ts->pos, b->data, memory_order_relaxed);
    set_limit(ts);
}

/* Hand on what ts->buf holds that no close has written yet (under ts->lock). */
static void buffer_retire(rec_thread *ts)
{
    rec_buf *b = ts->buf;
    if (!b) return;
    uint32_t used = words_of(ts);
    ts->buf = NULL;
    if (used > b->taken)
        submit(b, b->taken, used, ts->seq++);
    else
        pool_put(b);
}

void rec_slow(rec_thread *ts)
{
    int saved_errno = errno;
    rec_thread *saved = rec_enter_internal();
    spin_lock(&ts->lock);
    rec_buf *b = ts->buf;
    if (atomic_load(&ts->mode)) {
        /* Write-through: what the buffer holds now, then start it again. */
        uint32_t used = words_of(ts);
        if (used > b->taken) write_events_sync(b, b->taken, used, ts->seq++);
        buffer_begin(ts, b);
    } else {
        rec_buf *nb = pool_get();
        if (nb) {
            buffer_retire(ts);
        } else {
            /* No memory for another buffer: this one's events are lost, the
             * buffer starts again (counted in END). */
            atomic_fetch_add(&events_lost, al_ev_count(b->data + b->taken, words_of(ts) - b->taken));
            nb = b;
        }
        buffer_begin(ts, nb);
    }
    spin_unlock(&ts->lock);
    rec_leave_internal(saved);
    errno = saved_errno;
}

/* The thread ends (its key's destructor): hand on its buffer; any call it
 * still makes (later TLS destructors) is written through. */
static void thread_gone(void *arg)
{
    rec_thread *ts = arg;
    rec_thread *saved = rec_enter_internal();
    spin_lock(&ts->lock);
    rec_buf *b = ts->buf;
    buffer_retire(ts);
    rec_buf *nb = b ? pool_get() : NULL;
    atomic_store(&ts->mode, 1);
    if (nb) buffer_begin(ts, nb);
    ts->dead = true;
    spin_unlock(&ts->lock);
    rec_leave_internal(saved);
    if (!nb) rec_self = NULL;
}

rec_thread *rec_thread_start(void)
{
    if (rec_busy || atomic_load_explicit(&rec_mode, memory_order_acquire) != REC_ON) return NULL;
    rec_thread *saved = rec_enter_internal();
    int saved_errno = errno;
    rec_thread *ts = map(sizeof *ts);
    rec_buf *b = ts ? pool_get() : NULL;
    if (!b) {
        rec_leave_internal(saved);
        errno = saved_errno;
        return NULL;
    }
    atomic_flag_clear(&ts->lock);
    ts->tid = (uint64_t)syscall(SYS_gettid);
    pthread_mutex_lock(&threads_lock);
    uint32_t i = atomic_load(&nthreads);
    if (i >= MAX_THREADS) {
        pthread_mutex_unlock(&threads_lock);
        pool_put(b);
        rec_leave_internal(saved);
        errno = saved_errno;
        return NULL;
    }
    ts->index = i;
    if (section_closed) atomic_store(&ts->mode, 1);
    buffer_begin(ts, b);
    threads[i] = ts;
    atomic_store(&nthreads, i + 1);
    pthread_mutex_unlock(&threads_lock);
    pthread_setspecific(thread_key, ts);
    rec_leave_internal(ts);
    errno = saved_errno;
    return ts;
}

/* ---- the section ----------------------------------------------------------- */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t new_section_id(void)
{
    struct timespec a;
    clock_gettime(CLOCK_REALTIME, &a);
    uint64_t x = mix64((uint64_t)a.tv_nsec ^ ((uint64_t)a.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^ rec_now());
    return x ? x : 1;
}

/* Read a small /proc file into buf; its length (0 when unreadable). */
static size_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t len = 0;
    while (len < cap) {
        ssize_t k = read(fd, buf + len, cap - len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        len += (size_t)k;
    }
    close(fd);
    return len;
}

static void write_section(uint64_t parent)
{
    static unsigned char payload[16384];
    unsigned char *q = payload;
    q = al_varint_put(q, (uint64_t)getpid());
    q = al_varint_put(q, (uint64_t)getppid());
    q = al_varint_put(q, parent);
    q = al_varint_put(q, (rec_stacks ? AL_SECTION_STACKS : 0) | (rec_use_tsc ? AL_SECTION_TSC : 0));
    uint64_t tick = rec_tick();
    q = al_varint_put(q, rec_now());
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    q = al_varint_put(q, (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec);
    q = al_varint_put(q, tick);
    q = al_varint_put(q, tick_shift);
    char cmd[4096];
    size_t n = read_small("/proc/self/cmdline", cmd, sizeof cmd);
    for (size_t i = 0; i + 1 < n; i++)
        if (cmd[i] == 0) cmd[i] = ' ';
    if (n && cmd[n - 1] == 0) n--;
    q = al_varint_put(q, n);
    memcpy(q, cmd, n);
    q += n;
    char exe[4096];
    ssize_t e = readlink("/proc/self/exe", exe, sizeof exe);
    if (e < 0) e = 0;
    q = al_varint_put(q, (uint64_t)e);
    memcpy(q, exe, (size_t)e);
    q += e;
    pthread_mutex_lock(&write_lock);
    if (al_tw_chunk(sync_tw, trace_fd, AL_CHUNK_SECTION, section_id, 0, payload, (size_t)(q - payload)) != 0)
        note_write_error(0);
    pthread_mutex_unlock(&write_lock);
}

/* The module map, for symbolising stacks: every loaded object's load bias,
 * address range and path. Written at the close, under write_lock. */
typedef struct modmap {
    unsigned char *q, *end;
    uint64_t count;
} modmap;

static int module_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    modmap *m = arg;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo) lo = a;
        if (a + ph->p_memsz > hi) hi = a + ph->p_memsz;
    }
    if (hi <= lo) return 0;
    const char *name = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "";
    char exe[4096];
    if (!name[0]) {
        ssize_t e = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[e > 0 ? e : 0] = 0;
        name = exe;
    }
    size_t len = strlen(name);
    if (m->end - m->q < (ptrdiff_t)(len + 4 * AL_VARINT_MAX)) return 1;
    m->q = al_varint_put(m->q, info->dlpi_addr);
    m->q = al_varint_put(m->q, lo);
    m->q = al_varint_put(m->q, hi);
    m->q = al_varint_put(m->q, len);
    memcpy(m->q, name, len);
    m->q += len;
    m->count++;
    return 0;
}

static void write_modules(void)
{
    static unsigned char payload[60000];
    modmap m = {payload + AL_VARINT_MAX, payload + sizeof payload, 0};
    dl_iterate_phdr(module_cb, &m);
    /* The count goes first: shift the entries behind its varint. */
    unsigned char cnt[AL_VARINT_MAX];
    size_t cl = (size_t)(al_varint_put(cnt, m.count) - cnt);
    unsigned char *start = payload + AL_VARINT_MAX - cl;
    memcpy(start, cnt, cl);
    if (al_tw_chunk(sync_tw, trace_fd, AL_CHUNK_MODULES, section_id, 0, start, (size_t)(m.q - start)) != 0)
        note_write_error(0);
}

static void write_end(uint32_t flags)
{
    unsigned char payload[6 * AL_VARINT_MAX], *q = payload;
    q = al_varint_put(q, rec_tick());
    q = al_varint_put(q, rec_now());
    q = al_varint_put(q, atomic_load(&events_written));
    q = al_varint_put(q, flags);
    q = al_varint_put(q, atomic_load(&events_lost));
    q = al_varint_put(q, 0); /* exit status: only a repair knows it */
    if (al_tw_chunk(sync_tw, trace_fd, AL_CHUNK_END, section_id, 0, payload, (size_t)(q - payload)) != 0)
        note_write_error(0);
}

/* Write what every thread has published and not yet handed on (the flusher
 * stopped); with write_through, each thread writes its later calls itself
 * (its limit at its buffer's start: its next event takes the slow path). */
static void write_all_buffers(bool write_through)
{
    pthread_mutex_lock(&threads_lock);
    uint32_t n = atomic_load(&nthreads);
    pthread_mutex_unlock(&threads_lock);
    for (uint32_t i = 0; i < n; i++) {
        rec_thread *ts = threads[i];
        spin_lock(&ts->lock);
        rec_buf *b = ts->buf;
        if (b) {
            uint32_t used = words_of(ts);
            if (used > b->taken) write_events_sync(b, b->taken, used, ts->seq++);
            b->taken = used;
        }
        if (write_through) {
            atomic_store(&ts->mode, 1);
            if (b) set_limit(ts);
        }
        spin_unlock(&ts->lock);
    }
}

void rec_section_close(uint32_t end_flags)
{
    if (atomic_load(&rec_mode) != REC_ON || getpid() != section_pid) return;
    rec_thread *saved = rec_enter_internal();
    int saved_errno = errno;
    pthread_mutex_lock(&close_lock);
    if (!section_closed) {
        stop_flusher();
        write_all_buffers(true);
        pthread_mutex_lock(&write_lock);
        write_modules();
        write_end(end_flags);
        pthread_mutex_unlock(&write_lock);
        pthread_mutex_lock(&threads_lock);
        section_closed = true;
        pthread_mutex_unlock(&threads_lock);
        int we = atomic_load(&write_errno);
        if (we)
            al_say("alloclab-trace: writing %s failed (%s): %llu events lost\n", trace_path, strerror(we),
                (unsigned long long)atomic_load(&events_lost));
    }
    pthread_mutex_unlock(&close_lock);
    errno = saved_errno;
    rec_leave_internal(saved);
}

/* ---- process start: the environment decides --------------------------------
 * The variables are read from /proc/self/environ: the first calls come from
 * the loader, before libc has set up environ. */
#define EXEC_VAR "ALLOCLAB_TRACE_EXEC"

static void read_config(char *file, size_t filecap, long *root, bool *stacks, bool *follow, long *shift,
                        bool *no_tsc, char *exec_handoff, size_t execcap)
{
    file[0] = 0;
    exec_handoff[0] = 0;
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    static char buf[8192];
    size_t have = 0;
    for (;;) {
        ssize_t k = read(fd, buf + have, sizeof buf - have);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0 && have == 0) break;
        if (k > 0) have += (size_t)k;
        /* Complete entries in buf[0, have). */
        size_t start = 0;
        for (size_t i = 0; i < have; i++) {
            if (buf[i] != 0) continue;
            const char *e = buf + start;
            if (strncmp(e, "ALLOCLAB_TRACE_FILE=", 20) == 0)
                snprintf(file, filecap, "%s", e + 20);
            else if (strncmp(e, "ALLOCLAB_TRACE_ROOT=", 20) == 0)
                *root = strtol(e + 20, NULL, 10);
            else if (strcmp(e, "ALLOCLAB_TRACE_STACKS=1") == 0)
                *stacks = true;
            else if (strcmp(e, "ALLOCLAB_TRACE_FOLLOW=1") == 0)
                *follow = true;
            else if (strcmp(e, "ALLOCLAB_TRACE_TSC=0") == 0)
                *no_tsc = true;
            else if (strncmp(e, "ALLOCLAB_TRACE_TICK_SHIFT=", 26) == 0)
                *shift = strtol(e + 26, NULL, 10);
            else if (strncmp(e, EXEC_VAR "=", sizeof EXEC_VAR) == 0)
                snprintf(exec_handoff, execcap, "%s", e + sizeof EXEC_VAR);
            start = i + 1;
        }
        if (k <= 0) break;
        if (start == 0 && have == sizeof buf) {
            have = 0; /* an entry longer than the buffer: not ours, skip it */
            continue;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    close(fd);
}

/* Whether the kernel keeps time with the TSC: then it found it constant and
 * synchronised over the CPUs, and so can we. */
static bool kernel_uses_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    char cs[32];
    size_t n = read_small("/sys/devices/system/clocksource/clocksource0/current_clocksource", cs, sizeof cs - 1);
    return n >= 3 && memcmp(cs, "tsc", 3) == 0 && (n == 3 || cs[3] == '\n');
#else
    return false;
#endif
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&close_lock);
    pthread_mutex_lock(&threads_lock);
    pthread_mutex_lock(&queue_lock);
    pthread_mutex_lock(&pool_lock);
    pthread_mutex_lock(&write_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&write_lock);
    pthread_mutex_unlock(&pool_lock);
    pthread_mutex_unlock(&queue_lock);
    pthread_mutex_unlock(&threads_lock);
    pthread_mutex_unlock(&close_lock);
}

static void fork_child(void)
{
    pthread_mutex_init(&write_lock, NULL);
    pthread_mutex_init(&pool_lock, NULL);
    pthread_mutex_init(&queue_lock, NULL);
    pthread_mutex_init(&threads_lock, NULL);
    pthread_mutex_init(&close_lock, NULL);
    pthread_cond_init(&queue_nonempty, NULL);
    pthread_cond_init(&queue_space, NULL);
    rec_thread *me = rec_self;
    flusher_running = false;
    if (!follow_forks || atomic_load(&rec_mode) != REC_ON || section_closed) {
        atomic_store(&rec_mode, REC_OFF);
        rec_self = NULL;
        return;
    }
    /* The parent writes what its buffers hold; the child starts afresh. */
    for (rec_buf *b = queue_head; b;) {
        rec_buf *next = b->next;
        b->next = pool_free;
        pool_free = b;
        b = next;
    }
    queue_head = queue_tail = NULL;
    queue_len = 0;
    uint64_t parent = section_id;
    section_id = new_section_id();
    section_pid = getpid();
    atomic_store(&events_written, 0);
    atomic_store(&events_lost, 0);
    atomic_store(&write_errno, 0);
    atomic_store(&nthreads, 0);
    rec_tick0 = rec_raw_tick();
    write_section(parent);
    if (me) {
        me->index = 0;
        me->seq = 0;
        me->tid = (uint64_t)syscall(SYS_gettid);
        me->dead = false;
        /* Stack ids are defined per section: the child's new section starts
         * with none, so none of the parent's may be reused unannounced. */
        rec_stacks_forget(me);
        atomic_store(&me->mode, 0);
        atomic_flag_clear(&me->lock);
        if (me->buf) buffer_begin(me, me->buf);
        threads[0] = me;
        atomic_store(&nthreads, 1);
    }
}

/* ---- exec: the image's END is written once the exec succeeded ------------
 * Before an exec the section is flushed (every buffer, the module map) and
 * the writes are held (write_lock) until the exec returns, so that nothing
 * else reaches the file meanwhile; the new image gets what its END needs in
 * ALLOCLAB_TRACE_EXEC (pid, section, tick origin, clock, events written and
 * lost) and writes that END before its own SECTION. A failed exec writes
 * nothing: the process goes on recording in the same section. When the new
 * image is not traced (a static or setuid program, LD_PRELOAD dropped),
 * `alloclab trace` writes the END of the cut section as a repair. */
typedef struct exec_handoff {
    uint64_t pid, section, tick0, tsc, written, lost;
} exec_handoff;

static bool handoff_parse(const char *s, exec_handoff *h)
{
    unsigned long long v[6];
    if (sscanf(s, "%llu:%llx:%llu:%llu:%llu:%llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return false;
    *h = (exec_handoff){v[0], v[1], v[2], v[3], v[4], v[5]};
    return h->pid == (uint64_t)getpid() && h->section != 0;
}

/* The END of the image this one replaced, with a clock pair in its ticks. */
static void write_predecessor_end(al_tw *w, int fd, const exec_handoff *h)
{
    unsigned char payload[6 * AL_VARINT_MAX], *q = payload;
    uint64_t raw = h->tsc ? (kernel_uses_tsc() ? rec_raw_tick_tsc() : 0) : rec_now();
    q = al_varint_put(q, raw > h->tick0 ? raw - h->tick0 : 0); /* 0: no clock pair */
    q = al_varint_put(q, rec_now());
    q = al_varint_put(q, h->written);
    q = al_varint_put(q, AL_END_COMPLETE | AL_END_EXEC);
    q = al_varint_put(q, h->lost);
    q = al_varint_put(q, 0);
    if (al_tw_chunk(w, fd, AL_CHUNK_END, h->section, 0, payload, (size_t)(q - payload)) != 0) note_write_error(0);
}

void rec_process_init(void)
{
    static char file[4096], handoff[128];
    long root = 0, shift = -1;
    bool stacks = false, follow = false, no_tsc = false;
    read_config(file, sizeof file, &root, &stacks, &follow, &shift, &no_tsc, handoff, sizeof handoff);
    if (!file[0]) return;
    exec_handoff pred;
    bool has_pred = handoff[0] && handoff_parse(handoff, &pred);
    if (shift >= 0 && shift <= 30) tick_shift = (unsigned)shift;
    if (root > 0 && root != (long)getpid() && !follow) {
        if (has_pred) { /* this image does not record: only the END */
            int fd = al_tw_open(file);
            al_tw *w = fd >= 0 ? al_tw_new(4096) : NULL;
            if (w) write_predecessor_end(w, fd, &pred);
            al_tw_free(w);
            if (fd >= 0) close(fd);
        }
        return;
    }
    rec_stacks = stacks;
    follow_forks = follow;
    snprintf(trace_path, sizeof trace_path, "%s", file);
    threads = map(sizeof(rec_thread *) * MAX_THREADS);
    sync_tw = al_tw_new(al_ev_encode_bound(REC_BUF_WORDS));
    flush_tw = al_tw_new(al_ev_encode_bound(REC_BUF_WORDS));
    trace_fd = al_tw_open(trace_path);
    if (!threads || !sync_tw || !flush_tw || trace_fd < 0 || pthread_key_create(&thread_key, thread_gone) != 0) {
        al_say("alloclab-trace: cannot record into %s: %s\n", trace_path,
            trace_fd < 0 ? (errno == EINVAL ? "not a trace file" : strerror(errno)) : "out of memory");
        return;
    }
    if (has_pred) write_predecessor_end(sync_tw, trace_fd, &pred);
    rec_use_tsc = !no_tsc && kernel_uses_tsc();
    rec_plain = rec_use_tsc && !rec_stacks;
    rec_tick0 = rec_raw_tick();
    section_id = new_section_id();
    section_pid = getpid();
    write_section(0);
    atomic_store(&rec_mode, REC_ON);
}

/* Runs once the image is loaded (the first calls may come earlier and are
 * recorded all the same): the flusher and the fork handlers need a usable
 * libpthread. */
__attribute__((constructor)) static void rec_constructor(void)
{
    rec_boot(); /* not free(NULL): the compiler drops that call as a no-op */
    /* The handoff is this image's alone: not for the programs it runs. */
    unsetenv(EXEC_VAR);
    if (atomic_load(&rec_mode) != REC_ON) return;
    rec_thread *saved = rec_enter_internal();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    start_flusher();
    rec_leave_internal(saved);
}

__attribute__((destructor)) static void rec_destructor(void) { rec_section_close(AL_END_COMPLETE); }

/* ---- the exec entry points (exec_begin above) ----------------------------- */
#define EXPORT __attribute__((visibility("default")))

static int (*next_execve)(const char *, char *const[], char *const[]);
static int (*next_execvpe)(const char *, char *const[], char *const[]);
static int (*next_fexecve)(int, char *const[], char *const[]);

/* What an exec in progress holds: the environment given to it. */
typedef struct exec_state {
    bool active;
    char **env;
    size_t env_bytes;
    rec_thread *saved;
} exec_state;

/* Flush the section and hold the writes for an exec with environment envp;
 * the environment to exec with (envp plus the handoff). */
static char *const *exec_begin(exec_state *x, char *const envp[])
{
    memset(x, 0, sizeof *x);
    if (atomic_load(&rec_mode) != REC_ON || getpid() != section_pid) return envp;
    int saved_errno = errno;
    x->saved = rec_enter_internal();
    pthread_mutex_lock(&close_lock);
    if (section_closed) {
        pthread_mutex_unlock(&close_lock);
        rec_leave_internal(x->saved);
        errno = saved_errno;
        return envp;
    }
    x->active = true;
    stop_flusher();
    write_all_buffers(false);
    pthread_mutex_lock(&write_lock); /* held until the exec returns */
    write_modules();
    size_t nenv = 0;
    while (envp && envp[nenv]) nenv++;
    char var[160];
    snprintf(var, sizeof var, EXEC_VAR "=%llu:%llx:%llu:%d:%llu:%llu", (unsigned long long)getpid(),
             (unsigned long long)section_id, (unsigned long long)rec_tick0, rec_use_tsc ? 1 : 0,
             (unsigned long long)atomic_load(&events_written), (unsigned long long)atomic_load(&events_lost));
    x->env_bytes = (nenv + 2) * sizeof(char *) + sizeof var;
    x->env = map(x->env_bytes);
    if (!x->env) return envp; /* the exec goes on; its END will be a repair */
    char *copy = (char *)(x->env + nenv + 2);
    memcpy(copy, var, sizeof var);
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(envp[i], EXEC_VAR "=", sizeof EXEC_VAR) != 0) x->env[k++] = envp[i];
    x->env[k++] = copy;
    x->env[k] = NULL;
    errno = saved_errno;
    return x->env;
}

/* The exec returned: it failed, and the process records on. */
static void exec_failed(exec_state *x)
{
    if (!x->active) return;
    int saved_errno = errno;
    if (x->env) munmap(x->env, x->env_bytes);
    pthread_mutex_unlock(&write_lock);
    start_flusher();
    pthread_mutex_unlock(&close_lock);
    rec_leave_internal(x->saved);
    errno = saved_errno;
}

#define RESOLVE(var, name)                                   \
    do {                                                     \
        if (!var) {                                          \
            rec_thread *s_ = rec_enter_internal();           \
            *(void **)(&var) = dlsym(RTLD_NEXT, name);       \
            rec_leave_internal(s_);                          \
        }                                                    \
    } while (0)

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    RESOLVE(next_execve, "execve");
    exec_state x;
    char *const *env = exec_begin(&x, envp);
    int rc = next_execve(path, argv, env);
    exec_failed(&x);
    return rc;
}

EXPORT int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    RESOLVE(next_execvpe, "execvpe");
    exec_state x;
    char *const *env = exec_begin(&x, envp);
    int rc = next_execvpe(file, argv, env);
    exec_failed(&x);
    return rc;
}

EXPORT int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    RESOLVE(next_fexecve, "fexecve");
    exec_state x;
    char *const *env = exec_begin(&x, envp);
    int rc = next_fexecve(fd, argv, env);
    exec_failed(&x);
    return rc;
}

/* The execl family: the arguments into an array on the stack, then the
 * matching execv form. */
#define COLLECT_ARGS(first, ap, argv, with_env, envp)                        \
    size_t n_ = 1;                                                           \
    va_start(ap, first);                                                     \
    while (va_arg(ap, char *)) n_++;                                         \
    va_end(ap);                                                              \
    char **argv = __builtin_alloca((n_ + 1) * sizeof(char *));               \
    va_start(ap, first);                                                     \
    argv[0] = (char *)first;                                                 \
    for (size_t i_ = 1; i_ <= n_; i_++) argv[i_] = va_arg(ap, char *);      \
    if (with_env) envp = va_arg(ap, char **);                                \
    va_end(ap)

EXPORT int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    char **envp = NULL;
    COLLECT_ARGS(arg, ap, argv, 0, envp);
    (void)envp;
    return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    char **envp = NULL;
    COLLECT_ARGS(arg, ap, argv, 0, envp);
    (void)envp;
    return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    char **envp = NULL;
    COLLECT_ARGS(arg, ap, argv, 1, envp);
    return execve(path, argv, envp);
}

/* _exit skips the destructors (dash ends that way): close first. In a vfork
 * child (another pid, the parent's memory) nothing is touched. */
static void (*next__exit)(int);
static void (*next__Exit)(int);

EXPORT void _exit(int status)
{
    RESOLVE(next__exit, "_exit");
    rec_section_close(AL_END_COMPLETE);
    next__exit(status);
    __builtin_unreachable();
}

EXPORT void _Exit(int status)
{
    RESOLVE(next__Exit, "_Exit");
    rec_section_close(AL_END_COMPLETE);
    next__Exit(status);
    __builtin_unreachable();
}
