/* The resident set of this process (workload_rss.c). */
#ifndef ALLOCLAB_WORKLOAD_RSS_H
#define ALLOCLAB_WORKLOAD_RSS_H

#include <stddef.h>

/* The current resident set in bytes (/proc/self/statm), or 0 when it cannot
 * be read. It makes no allocation. */
size_t wl_rss_bytes(void);

#endif
