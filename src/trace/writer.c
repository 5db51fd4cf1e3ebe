/* Trace writer: file header, compressed chunks, one write(2) per chunk.
 *
 * Guarantees: no call to malloc (zstd gets an mmap-backed allocator), so the
 * recorder may write from inside an interposed malloc or free; a chunk is
 * appended whole or the call reports failure; a file is never visible
 * without its header.
 */
#include "writer.h"
#include "encode.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createCCtx_advanced */
#include <zstd.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Compression level 1: on binary-trees (README) it writes traces as small as
 * level 3 (timestamps and addresses carry the entropy) for a third less CPU. */
#define AL_TW_LEVEL 1

struct al_tw {
    ZSTD_CCtx *cctx;
    unsigned char *scratch; /* chunk header + compressed frame */
    size_t scratch_size;
    size_t max_raw;
    unsigned char *enc;     /* an EVENTS payload being encoded (max_raw bytes) */
    al_block_table table;   /* the encoder's (mapped at the first EVENTS chunk) */
};

/* ---- an allocator for zstd that never enters malloc ---------------------- */
static void *map_alloc(void *opaque, size_t size)
{
    (void)opaque;
    size_t total = size + 16;
    void *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    *(size_t *)p = total;
    return (unsigned char *)p + 16;
}

static void map_free(void *opaque, void *addr)
{
    (void)opaque;
    if (!addr) return;
    unsigned char *base = (unsigned char *)addr - 16;
    munmap(base, *(size_t *)base);
}

al_tw *al_tw_new(size_t max_raw)
{
    if (max_raw == 0 || max_raw > AL_TRACE_MAX_RAW) return NULL;
    size_t scratch = AL_TRACE_CHUNK_HEADER_SIZE + ZSTD_compressBound(max_raw);
    size_t total = sizeof(al_tw) + scratch + max_raw;
    void *mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return NULL;
    al_tw *w = mem;
    w->scratch = (unsigned char *)mem + sizeof(al_tw);
    w->enc = w->scratch + scratch;
    w->scratch_size = scratch;
    w->max_raw = max_raw;
    ZSTD_customMem cm = {map_alloc, map_free, NULL};
    w->cctx = ZSTD_createCCtx_advanced(cm);
    if (!w->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, AL_TW_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1))) {
        if (w->cctx) ZSTD_freeCCtx(w->cctx);
        munmap(mem, total);
        return NULL;
    }
    return w;
}

void al_tw_free(al_tw *w)
{
    if (!w) return;
    ZSTD_freeCCtx(w->cctx);
    if (w->table.s) munmap(w->table.s, AL_BLOCK_TABLE * sizeof(al_block_slot));
    munmap(w, sizeof(al_tw) + w->scratch_size + w->max_raw);
}

static int write_all_once(int fd, const unsigned char *p, size_t n)
{
    for (;;) {
        ssize_t k = write(fd, p, n);
        if (k == (ssize_t)n) return 0;
        if (k < 0 && errno == EINTR) continue;
        /* A short write to a regular file means the disk is full: the rest
         * cannot follow without risking another process's chunk in between. */
        if (k >= 0) errno = ENOSPC;
        return -1;
    }
}

int al_tw_chunk(al_tw *w, int fd, uint8_t type, uint64_t section, uint32_t thread, const void *raw,
                size_t rawlen)
{
    if (rawlen > w->max_raw) {
        errno = EMSGSIZE;
        return -1;
    }
    /* One call over the whole payload: zstd reads it in place (streaming
     * would copy it into its own window first). */
    ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
    unsigned char *frame = w->scratch + AL_TRACE_CHUNK_HEADER_SIZE;
    size_t got = ZSTD_compress2(w->cctx, frame, w->scratch_size - AL_TRACE_CHUNK_HEADER_SIZE, raw, rawlen);
    if (ZSTD_isError(got)) {
        errno = EIO;
        return -1;
    }
    al_chunk_header h = {type, section, thread, (uint32_t)got, (uint32_t)rawlen, al_trace_fnv(frame, got)};
    al_chunk_header_encode(w->scratch, &h);
    return write_all_once(fd, w->scratch, AL_TRACE_CHUNK_HEADER_SIZE + got);
}

int al_tw_events(al_tw *w, int fd, uint64_t section, uint32_t thread, const al_ev_chunk *c, const uint64_t *words,
                 size_t nwords, uint32_t *nevents)
{
    if (al_ev_encode_bound(nwords) > w->max_raw) {
        errno = EMSGSIZE;
        return -1;
    }
    if (!w->table.s) {
        void *m = mmap(NULL, AL_BLOCK_TABLE * sizeof(al_block_slot), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return -1;
        w->table = (al_block_table){m, 0};
    }
    al_ev_chunk cc = *c;
    cc.table = &w->table;
    size_t len = al_ev_encode(&cc, words, nwords, w->enc, nevents);
    if (len == 0) {
        errno = EINVAL;
        return -1;
    }
    return al_tw_chunk(w, fd, AL_CHUNK_EVENTS, section, thread, w->enc, len);
}

void al_tw_file_header(unsigned char out[AL_TRACE_HEADER_SIZE])
{
    memset(out, 0, AL_TRACE_HEADER_SIZE);
    memcpy(out, AL_TRACE_MAGIC, 8);
    al_put32(out + 8, AL_TRACE_VERSION);
    al_put32(out + 12, AL_TRACE_HEADER_SIZE);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    al_put64(out + 16, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    al_put32(out + 28, al_trace_header_check(out));
}

/* Whether fd (at offset 0) starts with a valid file header. */
static int header_ok(int fd)
{
    unsigned char h[AL_TRACE_HEADER_SIZE];
    ssize_t k = pread(fd, h, sizeof h, 0);
    uint32_t version;
    return k > 0 && al_trace_file_header_kind(h, (size_t)k, &version) == AL_TRACE_FILE_OK;
}

int al_tw_open(const char *path)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            int rfd = open(path, O_RDONLY | O_CLOEXEC);
            int ok = rfd >= 0 && header_ok(rfd);
            if (rfd >= 0) close(rfd);
            if (ok) return fd;
            close(fd);
            errno = EINVAL;
            return -1;
        }
        if (errno != ENOENT) return -1;
        /* Create it beside its final name, header first, then link it in:
         * link fails if another process got there first, and we use theirs. */
        char tmp[4096];
        int n = snprintf(tmp, sizeof tmp, "%s.%ld.%d.tmp", path, (long)getpid(), attempt);
        if (n < 0 || (size_t)n >= sizeof tmp) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int t = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (t < 0) return -1;
        unsigned char h[AL_TRACE_HEADER_SIZE];
        al_tw_file_header(h);
        int werr = write_all_once(t, h, sizeof h);
        close(t);
        if (werr == 0 && link(tmp, path) == 0) {
            unlink(tmp);
            continue; /* open it for appending on the next turn */
        }
        int e = errno;
        unlink(tmp);
        if (werr != 0 || e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EAGAIN;
    return -1;
}
