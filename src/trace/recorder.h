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

#include "format.h"

#define REC_TLS __attribute__((tls_model("initial-exec")))
#define REC_LIKELY(x) __builtin_expect(!!(x), 1)
#define REC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Event bytes per buffer: one chunk's payload. */
#define REC_BUF_BYTES (64u << 10)
/* The most bytes one event may take, without and with its stack. */
#define REC_EVENT_MAX 64u
#define REC_STACK_MAX_FRAMES 64
#define REC_EVENT_MAX_STACKS (REC_EVENT_MAX + 16 + REC_STACK_MAX_FRAMES * AL_VARINT_MAX)

typedef struct rec_buf {
    struct rec_buf *next;           /* free list or flush queue */
    _Atomic uint64_t committed;     /* (events << 32) | bytes, stored after each event */
    uint32_t thread, seq;           /* of the thread that filled it */
    uint64_t tid, base_t;
    uint32_t taken_n;               /* events already written by a section's close */
    unsigned char data[REC_BUF_BYTES];
} rec_buf;

typedef struct rec_thread {
    /* Owner-only, the hot path's fields first. */
    unsigned char *pos, *limit;     /* write position; past limit a new buffer is needed */
    uint64_t prev_t, prev_addr;     /* delta bases, reset with each buffer */
    uint32_t n;                     /* events in buf */
    _Atomic int mode;               /* 0 buffered; 1 write-through (exiting thread, or
                                       after the section closed): set by others too */
    rec_buf *buf;
    uint32_t index, seq;
    uint64_t tid;
    uint32_t cur_stack;             /* stack id of the event being encoded, 0 none */
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

/* Called once the next allocator is resolved: read the environment, decide
 * whether this image records, start its section. */
void rec_process_init(void);
/* A thread's first event: its state, or NULL when the image does not record. */
rec_thread *rec_thread_start(void);
/* The current buffer is full (or absent): hand it on and start another. */
void rec_buffer_next(rec_thread *ts, uint64_t t);
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
uint32_t rec_stack_id(rec_thread *ts, unsigned char **pos);

static inline uint64_t rec_now(void)
{
    struct timespec tsp;
    clock_gettime(CLOCK_MONOTONIC, &tsp);
    return (uint64_t)tsp.tv_sec * 1000000000u + (uint64_t)tsp.tv_nsec;
}

#endif
