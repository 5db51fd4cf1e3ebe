/* Repairing a trace after its program died: a process killed by a signal (or
 * one that called _exit) never wrote its END record, and its last buffers are
 * lost. `alloclab trace` calls this once the program has exited: a partial
 * chunk at the end of the file is cut, and every section without an END gets
 * one flagged AL_END_REPAIRED with the program's wait status, so that the
 * readers accept what was written and say what was lost.
 */
#include "trace.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int al_trace_repair(const char *path, int wait_status, int *repaired, char *err, size_t errlen)
{
    *repaired = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < AL_TRACE_HEADER_SIZE) {
        close(fd);
        snprintf(err, errlen, "%s is not an alloclab trace", path);
        return -1;
    }
    size_t len = (size_t)st.st_size, off = AL_TRACE_HEADER_SIZE;
    size_t cap = 16, nsec = 0;
    uint64_t *ids = malloc(cap * sizeof *ids);
    unsigned char *ended = calloc(cap, 1);
    int rc = -1;
    if (!ids || !ended) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    unsigned char h[AL_TRACE_CHUNK_HEADER_SIZE];
    for (;;) {
        if (len - off < AL_TRACE_CHUNK_HEADER_SIZE) break;
        if (pread(fd, h, sizeof h, (off_t)off) != (ssize_t)sizeof h) break;
        al_chunk_header ch;
        if (al_chunk_header_decode(h, &ch) != 0 || ch.stored > len - off - AL_TRACE_CHUNK_HEADER_SIZE) break;
        size_t i = 0;
        while (i < nsec && ids[i] != ch.section) i++;
        if (i == nsec && ch.type == AL_CHUNK_SECTION) {
            if (nsec == cap) {
                uint64_t *ni = realloc(ids, 2 * cap * sizeof *ids);
                unsigned char *ne = ni ? realloc(ended, 2 * cap) : NULL;
                if (ni) ids = ni;
                if (!ne) {
                    snprintf(err, errlen, "out of memory");
                    goto out;
                }
                ended = ne;
                memset(ended + cap, 0, cap);
                cap *= 2;
            }
            ids[nsec] = ch.section;
            ended[nsec++] = 0;
        } else if (i < nsec && ch.type == AL_CHUNK_END) {
            ended[i] = 1;
        }
        off += AL_TRACE_CHUNK_HEADER_SIZE + ch.stored;
    }
    if (off != len && ftruncate(fd, (off_t)off) != 0) {
        snprintf(err, errlen, "cannot cut the partial chunk of %s: %s", path, strerror(errno));
        goto out;
    }
    al_tw *w = al_tw_new(4096);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    rc = fd < 0 ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < nsec; i++) {
        if (ended[i]) continue;
        unsigned char payload[6 * AL_VARINT_MAX], *q = payload;
        q = al_varint_put(q, 0); /* no clock pair: tick 0 */
        q = al_varint_put(q, 0);
        q = al_varint_put(q, 0);
        q = al_varint_put(q, AL_END_REPAIRED);
        q = al_varint_put(q, 0);
        q = al_varint_put(q, (uint64_t)(unsigned)wait_status + 1);
        if (al_tw_chunk(w, fd, AL_CHUNK_END, ids[i], 0, payload, (size_t)(q - payload)) != 0) rc = -1;
        else (*repaired)++;
    }
    if (rc != 0) snprintf(err, errlen, "cannot repair %s: %s", path, strerror(errno));
    al_tw_free(w);
out:
    if (fd >= 0) close(fd);
    free(ids);
    free(ended);
    return rc;
}
