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

/* Records per buffer (24 bytes each): one chunk's events. */
#define REC_BUF_RECORDS 174762u
/* The most records one event may take, without and with its stack (a new
 * stack's definition comes first). */
#define REC_STACK_MAX_FRAMES 64
#define REC_EVENT_MAX 4u
#define REC_EVENT_MAX_STACKS (REC_EVENT_MAX + 1 + (REC_STACK_MAX_FRAMES + 2) / 3)

typedef struct rec_buf {
    struct rec_buf *next;           /* free list or flush queue */
    _Atomic uint64_t committed;     /* (events << 32) | records, stored after each event */
    uint32_t thread, seq;           /* of the thread that filled it */
    uint64_t tid;
    uint32_t taken_n;               /* events already written by a section's close */
    al_ev_rec data[REC_BUF_RECORDS];
} rec_buf;

typedef struct rec_thread {
    /* Owner-only, the hot path's fields first. */
    al_ev_rec *pos, *limit;         /* write position; past limit a new buffer is needed */
    uint32_t n;                     /* events in buf */
    _Atomic int mode;               /* 0 buffered; 1 write-through (exiting thread, or
                                       after the section closed): set by others too */
    rec_buf *buf;
    uint32_t index, seq;
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
/* The current buffer is full (or absent): hand it on and start another. */
void rec_buffer_next(rec_thread *ts);
/* Write-through mode: write what the buffer holds now. */
void rec_write_through(rec_thread *ts);
/* End the section (exit, exec): flush everything, write modules and END. */
void rec_section_close(uint32_t end_flags);
/* Enter or leave the tracer's own code: the thread's calls are forwarded
 * unrecorded meanwhile. */
rec_thread *rec_enter_internal(void);
void rec_leave_internal(rec_thread *saved);

/* ---- stacks (recorder_stacks.c) ------------------------------------------ */
/* Capture the caller's stack and return its id for this thread, writing a
 * stack definition at *pos first when the stack is new. 0 when it cannot. */
uint32_t rec_stack_id(rec_thread *ts, al_ev_rec **pos);
/* Forget the thread's stack ids (a forked child's new section defines its own). */
void rec_stacks_forget(rec_thread *ts);

/* ---- the clock -------------------------------------------------------------
 * Events are stamped with the CPU's time-stamp counter when the kernel itself
 * keeps time with it (its clock source is "tsc": constant, not stopping in
 * idle states, synchronised over the CPUs), else with CLOCK_MONOTONIC in ns.
 * A stamp is the tick since the section's start (rec_tick0), so that it fits
 * the 56 bits a record gives it; the reader converts ticks to ns with the
 * clock pairs of the section's chunks. */
extern bool rec_use_tsc;
extern uint64_t rec_tick0;

static inline uint64_t rec_now(void)
{
    struct timespec tsp;
    clock_gettime(CLOCK_MONOTONIC, &tsp);
    return (uint64_t)tsp.tv_sec * 1000000000u + (uint64_t)tsp.tv_nsec;
}

static inline uint64_t rec_raw_tick(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (REC_LIKELY(rec_use_tsc)) return __builtin_ia32_rdtsc();
#endif
    return rec_now();
}

static inline uint64_t rec_tick(void)
{
    uint64_t d = rec_raw_tick() - rec_tick0;
    return (int64_t)d < 0 ? 0 : d; /* another CPU a few ticks behind at the start */
}

#endif
