/* Finding liballoclab-trace.so (see tracer_path.h). */
#include "tracer_path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ALLOCLAB_TRACER_INSTALLED
#define ALLOCLAB_TRACER_INSTALLED "/usr/local/lib/liballoclab-trace.so"
#endif

static int usable(const char *p) { return p && p[0] == '/' && access(p, R_OK) == 0; }

int al_tracer_path(char *buf, size_t len)
{
    const char *env = getenv("ALLOCLAB_TRACER");
    if (env && env[0]) {
        if (!usable(env) || (size_t)snprintf(buf, len, "%s", env) >= len) return -1;
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            const char *rel[] = {"/liballoclab-trace.so", "/../lib/liballoclab-trace.so"};
            for (size_t i = 0; i < 2; i++)
                if ((size_t)snprintf(buf, len, "%s%s", exe, rel[i]) < len && usable(buf)) return 0;
        }
    }
    if ((size_t)snprintf(buf, len, "%s", ALLOCLAB_TRACER_INSTALLED) < len && usable(buf)) return 0;
    return -1;
}
