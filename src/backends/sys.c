/* sys: the C library's allocator (glibc malloc on Linux).
 *
 * Alignments up to what malloc guarantees go to malloc/realloc/calloc; larger
 * ones to posix_memalign, and growing them falls back to copy-and-free since
 * realloc does not keep an extended alignment. */
#include "internal.h"

#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

static void *sys_allocate(void *st, size_t size, size_t align)
{
    (void)st;
    if (align <= AL_MALLOC_ALIGN) return malloc(size);
    void *p = NULL;
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static void sys_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    free(ptr);
}

static void *sys_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    if (align <= AL_MALLOC_ALIGN) return realloc(ptr, new_size);
    void *p = sys_allocate(st, new_size, align);
    if (p) {
        memcpy(p, ptr, old_size);
        free(ptr);
    }
    return p;
}

static void *sys_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    (void)st; (void)old_size;
    if (align > AL_MALLOC_ALIGN) return ptr; /* realloc could lose the alignment */
    void *p = realloc(ptr, new_size);
    return p ? p : ptr; /* a failed shrink keeps the old, larger block */
}

static void *sys_zeroed(void *st, size_t size, size_t align)
{
    if (align <= AL_MALLOC_ALIGN) return calloc(1, size);
    void *p = sys_allocate(st, size, align);
    if (p) memset(p, 0, size);
    return p;
}

static size_t sys_usable(void *st, const void *ptr, size_t size, size_t align)
{
    (void)st; (void)size; (void)align;
    return malloc_usable_size((void *)ptr);
}

static const al_vtable sys_vt = {
    .allocate = sys_allocate,
    .deallocate = sys_deallocate,
    .grow = sys_grow,
    .shrink = sys_shrink,
    .allocate_zeroed = sys_zeroed,
    .usable_size = sys_usable,
    .destroy = free, /* the handle is the whole instance */
};

#define SYS_CAPS (AL_CAP_THREAD_SAFE | AL_CAP_FREES)

/* The plain path (allocator.h): malloc guarantees AL_MALLOC_ALIGN for
 * every size, which is what sys_allocate relies on too; free takes any
 * block, NULL included. */
static al_allocator *sys_create(const al_options *opts)
{
    (void)opts;
    return al_with_plain(al_plain_handle(&sys_vt, SYS_CAPS, "sys"), AL_MALLOC_ALIGN, malloc, free);
}

/* No operation reads the state, so one handle serves the whole process; its
 * NULL state makes even a stray al_destroy of it harmless (free(NULL)). */
static al_allocator sys_shared = {.state = NULL, .vt = &sys_vt, .caps = SYS_CAPS, .plain_align = AL_MALLOC_ALIGN,
                                  .plain_allocate = malloc, .plain_deallocate = free};

al_allocator *al_sys_shared(void) { return &sys_shared; }

/* "glibc 2.36": the C library this process runs on (not the headers'). */
static const char *sys_version(void)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "glibc %s", gnu_get_libc_version());
    return buf;
}

bool al_sys_library(al_library_fns *out)
{
    *out = (al_library_fns){.malloc = malloc, .free = free};
    return true;
}

/* The production backends' plain calls, by backend name. */
bool al_library_calls(const char *name, al_library_fns *out)
{
    static const struct { const char *name; bool (*get)(al_library_fns *); } libs[] = {
        {"sys", al_sys_library}, {"je", al_je_library}, {"mi", al_mi_library}, {"tc", al_tc_library},
    };
    for (size_t i = 0; name && i < sizeof libs / sizeof libs[0]; i++)
        if (strcmp(name, libs[i].name) == 0) return libs[i].get(out);
    return false;
}

const al_backend_desc al_backend_sys = {
    .name = "sys",
    .description = "the C library's malloc (glibc): the baseline every program gets",
    .caps = SYS_CAPS,
    .create = sys_create,
    .version = sys_version,
};
