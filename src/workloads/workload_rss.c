/* The resident set of this process, for the workloads whose headline is
 * memory (fragmentation, thread-exit): read from /proc without allocating. */
#include "workload_rss.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* statm's second field, in pages. Read with plain system calls into a stack
 * buffer: stdio would allocate from glibc's heap, one of the heaps being
 * measured. */
size_t wl_rss_bytes(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128];
    ssize_t k = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (k <= 0) return 0;
    buf[k] = '\0';
    unsigned long size = 0, resident = 0;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2) return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}
