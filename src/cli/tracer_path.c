/* Finding liballoclab-trace.so (see tracer_path.h): $ALLOCLAB_TRACER, else
 * where alloclab's libraries are found (al_run_find_library). */
#include "tracer_path.h"

#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int al_tracer_path(char *buf, size_t len)
{
    const char *env = getenv("ALLOCLAB_TRACER");
    if (env && env[0]) {
        if (env[0] != '/' || access(env, R_OK) != 0 || (size_t)snprintf(buf, len, "%s", env) >= len) return -1;
        return 0;
    }
    return al_run_find_library("liballoclab-trace.so", buf, len) ? 0 : -1;
}
