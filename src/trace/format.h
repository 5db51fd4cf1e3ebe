/* alloclab trace format — the layout shared by the recorder and the reader.
 *
 * docs/trace-format.md is the reference; this header is its code. A trace is
 * a 32-byte file header followed by chunks. Each chunk is a 32-byte header
 * (magic, type, section, thread, sizes, a check of the header itself) and a
 * zstd frame carrying a content checksum, so that a truncated, bit-flipped or
 * foreign file is refused rather than misread. Sections are process images
 * (one per exec, one per forked child with --follow-forks), all appending to
 * the same file with O_APPEND: every chunk is one write(2).
 *
 * Events are encoded per thread, one column per field (encode.h): each
 * chunk's payload restarts the deltas, so any chunk decodes alone. Everything here is header-only and allocation-free:
 * the recorder includes it inside the traced process.
 */
#ifndef ALLOCLAB_TRACE_FORMAT_H
#define ALLOCLAB_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AL_TRACE_MAGIC "ALTRACE\x1a"  /* 8 bytes: file header */
#define AL_TRACE_VERSION 2u
#define AL_TRACE_HEADER_SIZE 32u
#define AL_TRACE_CHUNK_MAGIC 0x4b434c41u /* "ALCK" little-endian */
#define AL_TRACE_CHUNK_HEADER_SIZE 40u
/* The largest decompressed payload a reader accepts: a recorder's buffers
 * are much smaller, so a larger claim is corruption. */
#define AL_TRACE_MAX_RAW (16u << 20)

/* Chunk types. */
enum {
    AL_CHUNK_SECTION = 1, /* a process image starts: pid, ppid, command line */
    AL_CHUNK_EVENTS = 2,  /* one buffer of one thread's events */
    AL_CHUNK_MODULES = 3, /* the loaded modules (for symbolising stacks) */
    AL_CHUNK_END = 4,     /* a section ends: totals to check against */
};

/* Event kinds: which entry point the program called. */
enum {
    AL_EV_MALLOC = 1,
    AL_EV_CALLOC = 2,
    AL_EV_REALLOC = 3,
    AL_EV_REALLOCARRAY = 4,
    AL_EV_FREE = 5,
    AL_EV_POSIX_MEMALIGN = 6,
    AL_EV_ALIGNED_ALLOC = 7,
    AL_EV_MEMALIGN = 8,
    AL_EV_VALLOC = 9,
    AL_EV_PVALLOC = 10,
    AL_EV_FREE_SIZED = 11,
    AL_EV_FREE_ALIGNED_SIZED = 12,
    AL_EV_KIND_COUNT = 13,
    AL_EV_STACK_DEF = 31, /* not a call: defines a stack id (see the doc) */
};
#define AL_EV_KIND_MASK 0x1fu
#define AL_EV_HAS_STACK 0x20u /* a stack id follows the event's fields */
#define AL_EV_FAILED 0x40u    /* the call returned NULL / an error */

/* END flags. */
enum {
    AL_END_COMPLETE = 1u,  /* written by the recorder itself at exit or exec */
    AL_END_EXEC = 2u,      /* the image ended by a successful exec (written before it) */
    AL_END_REPAIRED = 4u,  /* written by `alloclab trace` for a process that died
                              without writing its own: buffered events are lost */
};

/* SECTION flags. */
enum {
    AL_SECTION_STACKS = 1u, /* --stacks */
    AL_SECTION_TSC = 2u,    /* ticks are the CPU's time-stamp counter, else CLOCK_MONOTONIC ns */
};

/* ---- little-endian fixed-width fields ------------------------------------ */
static inline void al_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void al_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t al_get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline uint64_t al_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* FNV-1a over n bytes. */
static inline uint32_t al_trace_fnv(const unsigned char *p, size_t n)
{
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < n; i++) x = (x ^ p[i]) * 16777619u;
    return x;
}

/* The check of a file header or chunk header: FNV-1a over its first 28 (file)
 * or 36 (chunk) bytes, detecting a damaged header before its sizes are
 * trusted. */
static inline uint32_t al_trace_header_check(const unsigned char *h) { return al_trace_fnv(h, 28); }

/* What the first len bytes of a file are (the one check of a file header:
 * the writer, the readers and `alloclab trace` all use it). *version gets
 * the header's version when the magic matches. */
typedef enum {
    AL_TRACE_FILE_OK,       /* a trace of this version, its header intact */
    AL_TRACE_FILE_FOREIGN,  /* not a trace: too short, or another magic */
    AL_TRACE_FILE_VERSION,  /* a trace of another format version */
    AL_TRACE_FILE_DAMAGED,  /* the magic and version, but a damaged header */
} al_trace_file_kind;

static inline al_trace_file_kind al_trace_file_header_kind(const unsigned char *h, size_t len, uint32_t *version)
{
    if (len < AL_TRACE_HEADER_SIZE || memcmp(h, AL_TRACE_MAGIC, 8) != 0) return AL_TRACE_FILE_FOREIGN;
    *version = al_get32(h + 8);
    if (*version != AL_TRACE_VERSION) return AL_TRACE_FILE_VERSION;
    if (al_get32(h + 12) != AL_TRACE_HEADER_SIZE || al_get32(h + 28) != al_trace_header_check(h))
        return AL_TRACE_FILE_DAMAGED;
    return AL_TRACE_FILE_OK;
}

/* ---- chunk header -------------------------------------------------------- */
typedef struct al_chunk_header {
    uint8_t type;
    uint64_t section;   /* random id of the process image */
    uint32_t thread;    /* thread index within the section (EVENTS), else 0 */
    uint32_t stored;    /* bytes of the zstd frame that follow */
    uint32_t raw;       /* bytes it decompresses to */
    uint32_t stored_check; /* FNV-1a of the stored bytes: zstd's own checksum covers
                              what they decode to, this covers every stored bit */
} al_chunk_header;

static inline void al_chunk_header_encode(unsigned char *out, const al_chunk_header *h)
{
    memset(out, 0, AL_TRACE_CHUNK_HEADER_SIZE);
    al_put32(out, AL_TRACE_CHUNK_MAGIC);
    out[4] = h->type;
    al_put64(out + 8, h->section);
    al_put32(out + 16, h->thread);
    al_put32(out + 20, h->stored);
    al_put32(out + 24, h->raw);
    al_put32(out + 28, h->stored_check);
    al_put32(out + 36, al_trace_fnv(out, 36));
}

/* 0 when the 32 bytes are a well-formed chunk header. */
static inline int al_chunk_header_decode(const unsigned char *in, al_chunk_header *h)
{
    if (al_get32(in) != AL_TRACE_CHUNK_MAGIC) return -1;
    if (al_get32(in + 36) != al_trace_fnv(in, 36)) return -1;
    if (in[5] || in[6] || in[7] || al_get32(in + 32)) return -1;
    h->type = in[4];
    h->section = al_get64(in + 8);
    h->thread = al_get32(in + 16);
    h->stored = al_get32(in + 20);
    h->raw = al_get32(in + 24);
    h->stored_check = al_get32(in + 28);
    if (h->type < AL_CHUNK_SECTION || h->type > AL_CHUNK_END) return -1;
    if (h->raw > AL_TRACE_MAX_RAW || h->stored == 0) return -1;
    return 0;
}

/* ---- varints (LEB128) and zigzag ----------------------------------------- */
#define AL_VARINT_MAX 10

static inline unsigned char *al_varint_put(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static inline uint64_t al_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t al_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Decode one varint from [*p, end): 0 and *p advanced, or -1 when it runs past
 * end or is longer than 10 bytes (corruption). */
static inline int al_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) return -1;
        unsigned char b = *(*p)++;
        if (shift == 63 && b > 1) return -1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* ---- the freed-address stack of an EVENTS chunk ---------------------------
 * Most allocators hand a thread back the blocks it just freed, last freed
 * first: the encoder and the reader keep the addresses the thread freed
 * within the chunk on a stack, and an allocation that returns one of the 16
 * newest is stored as its position instead of an address (and taken out).
 * The stack holds at most one entry per event of the chunk. */
#define AL_FREED_SEARCH 16u  /* the newest entries an allocation may name */

typedef struct al_freed_stack {
    uint64_t *a;             /* a[n - 1 - i] is the i-th newest */
    size_t n;
} al_freed_stack;

static inline void al_freed_push(al_freed_stack *s, uint64_t addr) { s->a[s->n++] = addr; }

/* The position of addr among the newest entries (0 = newest), or -1. */
static inline int al_freed_find(const al_freed_stack *s, uint64_t addr)
{
    size_t lim = s->n < AL_FREED_SEARCH ? s->n : AL_FREED_SEARCH;
    for (size_t i = 0; i < lim; i++)
        if (s->a[s->n - 1 - i] == addr) return (int)i;
    return -1;
}

/* Take out the entry at position i (< n), returning it. */
static inline uint64_t al_freed_take(al_freed_stack *s, size_t i)
{
    uint64_t *at = &s->a[s->n - 1 - i];
    uint64_t v = *at;
    for (size_t j = 0; j < i; j++) at[j] = at[j + 1]; /* i < 16: no call */
    s->n--;
    return v;
}

/* ---- the block table of an EVENTS chunk -----------------------------------
 * A free usually names a block the thread allocated in the same chunk: the
 * encoder and the reader number the chunk's allocations (ordinals, from 0)
 * and keep each in a direct-mapped table slot chosen by its address, so
 * that such a free is stored as the distance between its block's ordinal
 * and the previous such free's, instead of an address. A slot belongs to
 * the chunk whose generation it carries: nothing is cleared between chunks. */
#define AL_BLOCK_TABLE (1u << 16)

typedef struct al_block_slot {
    uint64_t addr;
    uint32_t ordinal, gen;
} al_block_slot;

typedef struct al_block_table {
    al_block_slot *s;        /* AL_BLOCK_TABLE slots */
    uint32_t gen;            /* the chunk's (never 0) */
} al_block_table;

static inline al_block_slot *al_block_slot_of(al_block_table *t, uint64_t addr)
{
    return &t->s[(addr >> 4) & (AL_BLOCK_TABLE - 1)];
}

/* A new chunk: a new generation (the slots cleared when it wraps). */
static inline void al_block_table_next(al_block_table *t)
{
    if (++t->gen == 0) {
        memset(t->s, 0, AL_BLOCK_TABLE * sizeof *t->s);
        t->gen = 1;
    }
}

#endif
