/* Loading a production allocator's library privately (see dynlib.h). */
#include "dynlib.h"
#include "internal.h"

#include <dlfcn.h>
#include <stdio.h>

/* pthread_once takes no argument: the library being loaded is handed over
 * through this slot, which is only written under load_lock. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static al_dynlib *loading;

static void load_now(void)
{
    al_dynlib *lib = loading;
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(lib->error, sizeof lib->error, "%s not found (apt-get install %s)",
                 lib->soname, lib->package);
        return;
    }
    for (size_t i = 0; i < lib->nsymbols; i++) {
        lib->fns[i] = dlsym(h, lib->symbols[i]);
        if (!lib->fns[i]) {
            snprintf(lib->error, sizeof lib->error, "%s lacks %s (too old? apt-get install %s)",
                     lib->soname, lib->symbols[i], lib->package);
            return; /* the handle stays open: unloading an allocator is never safe */
        }
    }
    /* tcmalloc registers fork handlers as it loads: ours must come after. */
    al_fork_after_library();
}

const char *al_dynlib_load(al_dynlib *lib)
{
    pthread_mutex_lock(&load_lock);
    loading = lib;
    pthread_once(&lib->once, load_now);
    pthread_mutex_unlock(&load_lock);
    return lib->error[0] ? lib->error : NULL;
}

al_allocator *al_dynlib_handle(al_dynlib *lib, const al_vtable *vt, unsigned caps, const char *name)
{
    const char *why = al_dynlib_load(lib);
    if (why) {
        al_set_error("allocator '%s' is unavailable: %s", name, why);
        return NULL;
    }
    return al_plain_handle(vt, caps, name);
}
