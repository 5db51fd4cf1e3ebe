/* Which library serves a program's malloc under `alloclab run`.
 *
 * The Debian shared libraries of jemalloc, mimalloc and tcmalloc (the
 * minimal build, without the heap profiler) are found by
 * cmake/dependencies.cmake and their paths compiled in; a library removed
 * since is reported missing, never preloaded blindly. Every other name is a
 * registry spec served by alloclab's own replacement, looked for beside the
 * alloclab binary (the build tree) and then in the installed library folder,
 * as alloclab's other libraries are (al_run_find_library: the tracer too). */
#include "run.h"

#include "report_util.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef ALLOCLAB_RUN_JE_SO
#define ALLOCLAB_RUN_JE_SO ""
#endif
#ifndef ALLOCLAB_RUN_MI_SO
#define ALLOCLAB_RUN_MI_SO ""
#endif
#ifndef ALLOCLAB_RUN_TC_SO
#define ALLOCLAB_RUN_TC_SO ""
#endif
#ifndef ALLOCLAB_INSTALL_LIBDIR
#define ALLOCLAB_INSTALL_LIBDIR "/usr/local/lib"
#endif

static const struct {
    const char *name, *path, *package;
} debian[] = {
    {"je", ALLOCLAB_RUN_JE_SO, "libjemalloc2"},
    {"mi", ALLOCLAB_RUN_MI_SO, "libmimalloc2.0"},
    {"tc", ALLOCLAB_RUN_TC_SO, "libgoogle-perftools4 (libtcmalloc-minimal4)"},
};

#define REPLACEMENT "liballoclab-malloc.so"

bool al_run_find_library(const char *file, char *path, size_t len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *rel[] = {"", "/../lib"};
            for (size_t i = 0; i < 2; i++)
                if ((size_t)snprintf(path, len, "%s%s/%s", exe, rel[i], file) < len && access(path, R_OK) == 0)
                    return true;
        }
    }
    return (size_t)snprintf(path, len, "%s/%s", ALLOCLAB_INSTALL_LIBDIR, file) < len && access(path, R_OK) == 0;
}

static bool find_replacement(char *path, size_t len) { return al_run_find_library(REPLACEMENT, path, len); }

int al_run_allocator_resolve(const char *name, al_run_allocator *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!*name || strlen(name) >= sizeof out->name) {
        snprintf(err, errlen, "'%.80s' is not an allocator name", name);
        return -1;
    }
    al_report_copy(out->name, sizeof out->name, name);
    if (strcmp(name, "sys") == 0) return 0;
    for (size_t i = 0; i < sizeof debian / sizeof debian[0]; i++) {
        if (strcmp(name, debian[i].name) != 0) continue;
        if (!debian[i].path[0] || access(debian[i].path, R_OK) != 0) {
            snprintf(err, errlen, "'%s': its shared library was not found%s%s (apt-get install %s)", name,
                     debian[i].path[0] ? " at " : "", debian[i].path, debian[i].package);
            return -1;
        }
        al_report_copy(out->preload, sizeof out->preload, debian[i].path);
        return 0;
    }
    /* Any other name: a registry spec, through the replacement. */
    char why[256] = "";
    al_allocator *probe = al_create(name, NULL);
    if (!probe) al_report_copy_text(why, sizeof why, al_last_error());
    else al_destroy(probe);
    if (why[0]) {
        snprintf(err, errlen, "'%s' is neither sys, je, mi, tc nor a usable registry spec: %s (see 'alloclab list')",
                 name, why);
        return -1;
    }
    if (!find_replacement(out->preload, sizeof out->preload)) {
        snprintf(err, errlen, "'%s' runs through alloclab's malloc replacement, and " REPLACEMENT
                 " is neither beside this alloclab nor in " ALLOCLAB_INSTALL_LIBDIR, name);
        return -1;
    }
    al_report_copy(out->spec, sizeof out->spec, name);
    return 0;
}

size_t al_run_default_allocators(al_run_allocator *out, size_t max)
{
    static const char *const names[] = {"sys", "je", "mi", "tc", "lab"};
    size_t n = 0;
    char err[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0] && n < max; i++)
        if (al_run_allocator_resolve(names[i], &out[n], err, sizeof err) == 0) n++;
    return n;
}

void al_run_list_preloads(FILE *out)
{
    fprintf(out, "%-6s  %s\n", "sys", "glibc, nothing preloaded");
    for (size_t i = 0; i < sizeof debian / sizeof debian[0]; i++) {
        bool ok = debian[i].path[0] && access(debian[i].path, R_OK) == 0;
        fprintf(out, "%-6s  %s%s%s\n", debian[i].name, ok ? "LD_PRELOAD=" : "unavailable: ",
                ok ? debian[i].path : "not found; apt-get install ", ok ? "" : debian[i].package);
    }
    char path[4096];
    if (find_replacement(path, sizeof path))
        fprintf(out, "%-6s  LD_PRELOAD=%s ALLOCLAB_MALLOC=SPEC (lab, arena, stats:sys, ...)\n", "other", path);
    else
        fprintf(out, "%-6s  unavailable: " REPLACEMENT " not built (it is not, under sanitizers)\n", "other");
}
