/* Writing trace files: the file header and compressed chunks.
 *
 * Used inside the traced process (the recorder) and by `alloclab trace`
 * (which creates the file and repairs the sections of processes that died).
 * Never calls malloc: the zstd context and the scratch buffer are mapped
 * with mmap, so that writing a chunk cannot re-enter a traced allocator.
 */
#ifndef ALLOCLAB_TRACE_WRITER_H
#define ALLOCLAB_TRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

typedef struct al_tw al_tw;

/* A compression context able to write chunks of up to max_raw bytes
 * (<= AL_TRACE_MAX_RAW). NULL when mmap or zstd fails. */
al_tw *al_tw_new(size_t max_raw);
void al_tw_free(al_tw *w);

/* Compress `raw` and append one chunk (header + zstd frame) to fd in a single
 * write(2), so that chunks of several processes appending to one O_APPEND file
 * never interleave. 0, or -1 (errno set) when compression or the write failed
 * or wrote only part (a full disk). */
int al_tw_chunk(al_tw *w, int fd, uint8_t type, uint64_t section, uint32_t thread, const void *raw,
                size_t rawlen);

/* Encode nwords words of one thread's events (encode.h) and append them as
 * one EVENTS chunk; *nevents gets the number of events. The writer must have
 * been made with max_raw >= al_ev_encode_bound(nwords). 0, or -1 with errno. */
struct al_ev_chunk;
int al_tw_events(al_tw *w, int fd, uint64_t section, uint32_t thread, const struct al_ev_chunk *c,
                 const uint64_t *words, size_t nwords, uint32_t *nevents);

/* Open `path` for appending chunks, creating it with its file header when it
 * does not exist (atomically: a temporary file linked into place, so a reader
 * or a second process never sees a file without its header). An existing
 * file must start with a valid header. The descriptor, or -1 with errno set
 * (EINVAL: an existing file that is not a trace). */
int al_tw_open(const char *path);

/* Fill the 32-byte file header. */
void al_tw_file_header(unsigned char out[AL_TRACE_HEADER_SIZE]);

#endif
