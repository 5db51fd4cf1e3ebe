/* Reading traces: the one module every trace reader (profile, replay,
 * recommend, the tests) goes through.
 *
 * al_trace_read checks the whole file — header, every chunk's header and zstd
 * checksum, every event's encoding, each section's END record — and refuses
 * anything else with NULL and one line in err: a corrupt, truncated or
 * foreign file is never half-read. Chunks a recorder could not write (a gap
 * in a thread's numbering, fewer events than END counts) are a stated loss
 * (missing_chunks, missing_events), not a refusal. A file, or the model it
 * would make, beyond the memory limit is refused. What it returns is the program's allocations as a model:
 * events merged over all threads in time order, and blocks, each a distinct
 * allocation, numbered from 1 (addresses are gone: a reused address makes a
 * new block), so that a replay can use block numbers as slot indices.
 */
#ifndef ALLOCLAB_TRACE_H
#define ALLOCLAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* Event flags. */
enum {
    AL_TEV_FAILED = 1,  /* the call returned NULL (or an error): no block made */
    AL_TEV_MOVED = 2,   /* realloc: the block moved */
    AL_TEV_UNKNOWN = 4, /* free/realloc of an address no traced block holds */
    AL_TEV_FREES = 8,   /* realloc(p, 0) that freed p and returned NULL (glibc) */
};

typedef struct al_trace_event {
    uint64_t t;         /* ns since the trace's start */
    uint64_t size;      /* allocation: requested bytes; realloc: the new size;
                           free: the freed block's size (0 when unknown) */
    uint32_t block;     /* the block made (allocation, realloc) or freed (free); 0 none */
    uint32_t old_block; /* realloc: the block it was given (0: NULL or unknown) */
    uint32_t thread;    /* index into al_trace.threads */
    uint32_t stack;     /* index into al_trace.stacks, 0 = none */
    uint32_t align;     /* requested alignment (0: the default) */
    uint8_t kind;       /* AL_EV_* */
    uint8_t flags;      /* AL_TEV_* */
} al_trace_event;

typedef struct al_trace_block {
    uint64_t size;
    uint32_t align;     /* requested (0: default) */
    uint32_t thread;    /* that allocated it */
    uint32_t alloc_ev;  /* event that made it */
    uint32_t end_ev;    /* event that freed or reallocated it; UINT32_MAX: live at the end */
    uint32_t prev;      /* the block a realloc made it from, 0 none */
} al_trace_block;

typedef struct al_trace_thread {
    uint32_t section;   /* index into sections */
    uint32_t index;     /* the recorder's index within its section */
    uint64_t tid;
    uint64_t events;
} al_trace_thread;

typedef struct al_trace_module {
    uint64_t bias, lo, hi; /* load bias and address range */
    char *path;
} al_trace_module;

typedef struct al_trace_section {
    uint64_t id, parent;
    uint32_t pid, ppid;
    uint32_t flags;        /* AL_SECTION_* */
    uint64_t start_t, end_t; /* ns since the trace's start */
    uint64_t start_realtime;
    char *cmdline, *exe;
    uint32_t end_flags;    /* AL_END_* */
    uint64_t events, lost, late_events; /* events: in the model, of this section's threads */
    uint64_t missing_chunks;   /* chunks a thread's numbering skips: never written (lost) */
    uint64_t missing_events;   /* events its END counts that no chunk before it holds */
    uint64_t unknown_frees, reused_live; /* this section's part of the trace's counts */
    uint64_t exit_status;  /* for a repaired section: the wait status + 1; 0 unknown */
    al_trace_module *modules;
    size_t nmodules;
} al_trace_section;

typedef struct al_trace_stack {
    uint32_t section;
    uint32_t nframes;
    uint64_t *frames;      /* innermost first */
} al_trace_stack;

typedef struct al_trace {
    al_trace_event *events;
    size_t nevents;
    al_trace_block *blocks; /* blocks[0] unused */
    size_t nblocks;         /* including blocks[0] */
    al_trace_thread *threads;
    size_t nthreads;
    al_trace_section *sections;
    size_t nsections;
    al_trace_stack *stacks; /* stacks[0] unused */
    size_t nstacks;
    uint64_t file_bytes;
    uint64_t created_realtime;
    /* Inconsistencies the recorder cannot rule out (a thread killed at exec),
     * kept as counts: an allocation at an address still live (the older
     * block ends there) and frees of unknown addresses. */
    uint64_t reused_live, unknown_frees;
} al_trace;

/* Read and check a whole trace. NULL with one line in err when the file is
 * unreadable, not a trace, of another version, corrupt or truncated. */
al_trace *al_trace_read(const char *path, char *err, size_t errlen);
void al_trace_free(al_trace *t);

/* One process of a trace (section index `section`) as a trace of its own:
 * its threads, blocks and events renumbered (see select.c). NULL when out
 * of memory or the index is out of range. */
al_trace *al_trace_process(const al_trace *t, size_t section);
/* The index of the section with the most events. */
size_t al_trace_busiest(const al_trace *t);

/* The entry point's name of an event kind ("malloc", "free", ...). */
const char *al_trace_kind_name(unsigned kind);

/* Whether the event makes a block (allocation or successful realloc). */
static inline bool al_trace_event_allocates(const al_trace_event *e) { return e->block && e->kind != AL_EV_FREE &&
    e->kind != AL_EV_FREE_SIZED && e->kind != AL_EV_FREE_ALIGNED_SIZED; }

/* Scan a file for its sections and whether each has an END record, without
 * checking events: used by `alloclab trace` to repair after a program died.
 * Appends an END (AL_END_REPAIRED, with wait_status + 1) for every section
 * lacking one, after cutting a partial last chunk. 0 and *repaired (sections
 * repaired), or -1 with err. */
int al_trace_repair(const char *path, int wait_status, int *repaired, char *err, size_t errlen);

#endif
