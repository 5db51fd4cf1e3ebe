/* Where the recorder library is: $ALLOCLAB_TRACER (an absolute path), else
 * liballoclab-trace.so beside the alloclab binary (the build tree), in ../lib
 * from it, or in the installed library folder. */
#ifndef ALLOCLAB_TRACER_PATH_H
#define ALLOCLAB_TRACER_PATH_H

#include <stddef.h>

/* 0 with an existing file's path in buf, or -1. */
int al_tracer_path(char *buf, size_t len);

#endif
