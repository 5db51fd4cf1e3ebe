/* Construction helpers every backend shares (declared in internal.h): one
 * place for the instance block, its error message and the capacity option. */
#include "internal.h"

#include <stdlib.h>

void *al_instance_alloc(size_t size, const char *name)
{
    void *p = malloc(size);
    if (!p) al_set_error("out of memory creating '%s'", name);
    return p;
}

al_allocator *al_plain_handle(const al_vtable *vt, unsigned caps, const char *name)
{
    al_allocator *a = al_instance_alloc(sizeof *a, name);
    if (a) *a = (al_allocator){.state = a, .vt = vt, .caps = caps};
    return a;
}

bool al_capacity_option(const al_options *opts, size_t def, const char *name, size_t *cap)
{
    *cap = opts->capacity ? opts->capacity : def;
    if (*cap <= AL_MAX_SIZE) return true;
    al_set_error("%s: capacity %zu is too large", name, *cap);
    return false;
}

bool al_options_check(const al_options *opts)
{
    if (opts->buffer && opts->buffer_size == 0) al_set_error_of(AL_ERR_BAD_OPTIONS, NULL, "options: buffer given without buffer_size");
    else if (!opts->buffer && opts->buffer_size) al_set_error_of(AL_ERR_BAD_OPTIONS, NULL, "options: buffer_size given without buffer");
    else if (opts->buffer && opts->capacity)
        al_set_error_of(AL_ERR_BAD_OPTIONS, NULL, "options: buffer and capacity are exclusive (capacity sizes a buffer of the "
                     "allocator's own; buffer_size sizes the caller's)");
    else return true;
    return false;
}
