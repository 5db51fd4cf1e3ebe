/* The recorder's internal state, shared by its files (recorder*.c), all of
 * which are linked into build/liballoclab-trace.so only.
 *
 *   recorder.c         the interposed entry points and the bootstrap
 *   recorder_flush.c   per-thread buffers, the background flusher, the
 *                      section's start and end, fork and exec
 *   recorder_stacks.c  call stacks (--stacks) and their per-thread ids
 *
 * Nothing here allocates through malloc: buffers, thread states and zstd's
 * memory come from mmap, so recording never re-enters the traced allocator.
 */
#ifndef ALLOCLAB_TRACE_RECORDER_H
#define ALLOCLAB_TRACE_RECORDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "encode.h"
#include "format.h"

#define REC_TLS __attribute__((tls_model("initial-exec")))
#define REC_LIKELY(x) __builtin_expect(!!(x), 1)
#define REC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Words per buffer (3 MiB): one chunk's events at most. */
#define REC_BUF_WORDS (3u << 17)
/* The most words one event may take, without and with its stack (a new
 * stack's definition comes first). */
#define REC_STACK_MAX_FRAMES 64
#define REC_EVENT_MAX 6u
#define REC_EVENT_MAX_STACKS (REC_EVENT_MAX + 3 + REC_STACK_MAX_FRAMES)

typedef struct rec_buf {
    struct rec_buf *next;           /* free list or flush queue */
    uint32_t thread;                /* of the thread that filled it */
    uint32_t taken;                 /* words from the start already written (by a close or
                                       an exec), under the thread's lock */
    uint64_t tid;
    uint32_t from, to, seq;         /* submitted: the words to write, as chunk seq */
    uint64_t data[REC_BUF_WORDS];
} rec_buf;

typedef struct rec_thread {
    /* The hot path's fields first. pos is the owner's write position, stored
     * (release) after each event: a close reads it, under `lock`, to take
     * what the thread committed. Past limit the slow path runs: the buffer
     * is full, or (limit at the start) every event is written through. */
    _Atomic(uint64_t *) pos;
    _Atomic(uint64_t *) limit;
    _Atomic int mode;               /* 0 buffered; 1 write-through (exiting thread, or
                                       after the section closed): set by others too */
    rec_buf *buf;
    uint32_t index, seq;            /* seq: the next chunk's, under lock */
    uint64_t tid;
    atomic_flag lock;               /* buffer swaps against a section's close */
    bool dead;                      /* its thread ended (key destructor ran) */
    /* --stacks: per-thread stack ids (recorder_stacks.c). */
    uint64_t *stack_keys;           /* open-addressing table of hashes, 0 = empty */
    uint32_t *stack_ids;
    uint32_t stack_used, next_stack;
} rec_thread;

/* ---- process state (recorder_flush.c) ------------------------------------ */
enum { REC_OFF = 0, REC_ON = 1 };
extern _Atomic int rec_mode;         /* REC_ON while this image records */
extern __thread int rec_busy REC_TLS; /* inside the tracer's own code */
extern bool rec_stacks;              /* --stacks */
extern __thread rec_thread *rec_self REC_TLS; /* the thread recording, or NULL */

/* The next allocator's entry points (recorder.c). */
extern void *(*rec_next_malloc)(size_t);
extern void (*rec_next_free)(void *);

/* Resolve the next allocator and initialise the image's recording, unless a
 * call did already (the library's constructor calls it: a program need not
 * allocate before main). */
void rec_boot(void);
/* Called once the next allocator is resolved: read the environment, decide
 * whether this image records, start its section. */
void rec_process_init(void);
/* A thread's first event: its state, or NULL when the image does not record. */
rec_thread *rec_thread_start(void);
/* An event took the thread past its limit: the buffer is full (hand it on,
 * start another), or the thread writes through (write what it holds). */
void rec_slow(rec_thread *ts);
/* End the section (exit, exec): flush everything, write modules and END. */
void rec_section_close(uint32_t end_flags);
/* Enter or leave the tracer's own code: the thread's calls are forwarded
 * unrecorded meanwhile. */
rec_thread *rec_enter_internal(void);
void rec_leave_internal(rec_thread *saved);

/* ---- stacks (recorder_stacks.c) ------------------------------------------ */
/* Capture the caller's stack and return its id for this thread, writing a
 * stack definition at *pos first when the stack is new. 0 when it cannot. */
uint32_t rec_stack_id(rec_thread *ts, uint64_t **pos);
/* Forget the thread's stack ids (a forked child's new section defines its own). */
void rec_stacks_forget(rec_thread *ts);

/* ---- the clock -------------------------------------------------------------
 * Events are stamped with the CPU's time-stamp counter when the kernel itself
 * keeps time with it (its clock source is "tsc": constant, not stopping in
 * idle states, synchronised over the CPUs), else with CLOCK_MONOTONIC in ns.
 * A stamp is the tick since the section's start (rec_tick0), so that it fits
 * the 56 bits a record gives it; the reader converts ticks to ns with the
 * clock pairs of the section's chunks. rec_stamp() is the hot path's: the
 * tick already in place above a record's head byte, left signed (a CPU
 * slightly behind the one that started the section gives a negative tick,
 * which the encoder reads as 0). */
extern bool rec_use_tsc;
extern uint64_t rec_tick0;

static inline uint64_t rec_now(void)
{
    struct timespec tsp;
    clock_gettime(CLOCK_MONOTONIC, &tsp);
    return (uint64_t)tsp.tv_sec * 1000000000u + (uint64_t)tsp.tv_nsec;
}

static inline uint64_t rec_raw_tick_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

static inline uint64_t rec_raw_tick(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (REC_LIKELY(rec_use_tsc)) return __builtin_ia32_rdtsc();
#endif
    return rec_now();
}

static inline uint64_t rec_stamp(void) { return (rec_raw_tick() - rec_tick0) << 8; }

/* rec_plain: the TSC is the clock and no stacks are recorded, the common
 * case the entry points test for with one flag; then this is the stamp. */
extern bool rec_plain;
static inline uint64_t rec_tsc_stamp(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return (__builtin_ia32_rdtsc() - rec_tick0) << 8;
#else
    return rec_stamp();
#endif
}

static inline uint64_t rec_tick(void)
{
    uint64_t d = rec_raw_tick() - rec_tick0;
    return (int64_t)d < 0 ? 0 : d; /* another CPU a few ticks behind at the start */
}

#endif
