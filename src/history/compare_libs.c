/* Whether two runs measured the same libraries: the backends whose library
 * version (al_bench_context.libs: "je" -> "jemalloc 5.3.0") is recorded in
 * both runs and differs. A change of verdict on such a backend may be the
 * library's, not the code's; compare warns about it. A run that recorded no
 * versions (a report from elsewhere, a database row from before schema 5)
 * says nothing either way. */
#include "history.h"

#include <stdio.h>
#include <string.h>

static const al_bench_lib *lib_named(const al_bench_context *c, const char *name)
{
    for (size_t i = 0; i < c->nlibs && i < AL_BENCH_MAX_LIBS; i++)
        if (strcmp(c->libs[i].name, name) == 0) return &c->libs[i];
    return NULL;
}

size_t al_compare_lib_changes(const al_bench_run *base, const al_bench_run *new_run, char *buf, size_t len)
{
    size_t n = 0, used = 0;
    if (len) buf[0] = '\0';
    for (size_t i = 0; i < new_run->ctx.nlibs && i < AL_BENCH_MAX_LIBS; i++) {
        const al_bench_lib *b = &new_run->ctx.libs[i], *a = lib_named(&base->ctx, b->name);
        if (!a || strcmp(a->version, b->version) == 0) continue;
        n++;
        if (used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s %s -> %s", used ? ", " : "", b->name, a->version,
                                     b->version);
    }
    return n;
}
