/* The registry: backends and wrappers by name, and spec parsing.
 *
 * A spec is "w1:w2:...:backend". Wrappers are applied innermost first, so
 * "verbose:locked:pool" logs calls made to a locked pool. */
#include "alloclab/registry.h"
#include "internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Listing order: libc first, the production allocators, alloclab's own, then
 * the hand-made ones. */
static const al_backend_desc *const backends[] = {
    &al_backend_sys, &al_backend_je, &al_backend_mi, &al_backend_tc, &al_backend_lab,
    &al_backend_bump, &al_backend_arena, &al_backend_pool, &al_backend_sbrk,
};

static const al_wrapper_desc *const wrappers[] = {
    &al_wrapper_verbose, &al_wrapper_stats, &al_wrapper_locked, &al_wrapper_checked,
};

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

/* ----------------------------------------------------------------------------
 * Allocators registered at run time (a user's own, a test's corrupting one).
 * They are listed after the built-in ones. Registration is meant for start-up:
 * it takes a lock, lookups do not, so register before creating threads.
 * ------------------------------------------------------------------------- */
#define MAX_EXTRA 16
/* Descriptors of either kind, as registered (al_backend_desc or
 * al_wrapper_desc by table): one registration path serves both. */
static const void *extra_backends[MAX_EXTRA];
static const void *extra_wrappers[MAX_EXTRA];
static size_t n_extra_backends, n_extra_wrappers;
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t builtin_wrapper_count(void)
{
    size_t n = 0;
    while (n < COUNT(wrappers) && wrappers[n]) n++;
    return n;
}

size_t al_backend_count(void) { return COUNT(backends) + n_extra_backends; }

const al_backend_desc *al_backend_at(size_t i)
{
    if (i < COUNT(backends)) return backends[i];
    i -= COUNT(backends);
    return i < n_extra_backends ? extra_backends[i] : NULL;
}

size_t al_wrapper_count(void) { return builtin_wrapper_count() + n_extra_wrappers; }

const al_wrapper_desc *al_wrapper_at(size_t i)
{
    size_t nb = builtin_wrapper_count();
    if (i < nb) return wrappers[i];
    i -= nb;
    return i < n_extra_wrappers ? extra_wrappers[i] : NULL;
}

const al_backend_desc *al_backend_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < al_backend_count(); i++)
        if (strcmp(al_backend_at(i)->name, name) == 0) return al_backend_at(i);
    return NULL;
}

const al_wrapper_desc *al_wrapper_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < al_wrapper_count(); i++)
        if (strcmp(al_wrapper_at(i)->name, name) == 0) return al_wrapper_at(i);
    return NULL;
}

static bool valid_name(const char *name)
{
    if (!name || !*name || strlen(name) >= 32) return false;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_')) return false;
    return true;
}

/* One registration of either kind: a complete descriptor (a valid name, its
 * entry point, a description), a name that neither kind uses yet, room in
 * its table; then appended, under the lock. 0, or -1 with the reason. */
static int register_extra(const void *desc, const char *name, bool complete, const char *kind,
                          const void **table, size_t *n)
{
    if (!desc || !valid_name(name) || !complete) {
        al_set_error_of(AL_ERR_REGISTRATION, NULL, "invalid %s descriptor", kind);
        return -1;
    }
    pthread_mutex_lock(&extra_lock);
    int rc = -1;
    if (al_backend_find(name) || al_wrapper_find(name)) al_set_error_of(AL_ERR_REGISTRATION, name, "name '%s' is taken", name);
    else if (*n == MAX_EXTRA) al_set_error_of(AL_ERR_REGISTRATION, NULL, "too many registered %ss", kind);
    else {
        table[(*n)++] = desc;
        rc = 0;
    }
    pthread_mutex_unlock(&extra_lock);
    return rc;
}

int al_register_backend(const al_backend_desc *desc)
{
    return register_extra(desc, desc ? desc->name : NULL, desc && desc->create && desc->description, "backend",
                          extra_backends, &n_extra_backends);
}

int al_register_wrapper(const al_wrapper_desc *desc)
{
    return register_extra(desc, desc ? desc->name : NULL, desc && desc->wrap && desc->description, "wrapper",
                          extra_wrappers, &n_extra_wrappers);
}

/* ----------------------------------------------------------------------------
 * Errors: one message per thread, overwritten by each failure.
 * ------------------------------------------------------------------------- */
static _Thread_local char last_error[256];
static _Thread_local char last_error_name[32];
static _Thread_local al_error_kind last_kind;

const char *al_last_error(void) { return last_error[0] ? last_error : "no error"; }
al_error_kind al_last_error_kind(void) { return last_kind; }
const char *al_last_error_name(void) { return last_error_name; }

static void set_error_v(al_error_kind kind, const char *name, const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    snprintf(last_error_name, sizeof last_error_name, "%s", name ? name : "");
    last_kind = kind;
}

void al_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(AL_ERR_OTHER, NULL, fmt, ap);
    va_end(ap);
}

void al_set_error_of(al_error_kind kind, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(kind, name, fmt, ap);
    va_end(ap);
}

/* ----------------------------------------------------------------------------
 * Spec parsing. Names are at most 31 characters; a spec at most 8 parts.
 * ------------------------------------------------------------------------- */
#define MAX_PARTS 8
#define MAX_NAME 32

static int split_spec(const char *spec, char parts[MAX_PARTS][MAX_NAME])
{
    if (spec == NULL || *spec == '\0') {
        al_set_error_of(AL_ERR_BAD_SPEC, NULL, "empty allocator name");
        return -1;
    }
    int n = 0;
    const char *p = spec;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len == 0 || len >= MAX_NAME || n == MAX_PARTS) {
            al_set_error_of(AL_ERR_BAD_SPEC, NULL, "malformed allocator spec '%s'", spec);
            return -1;
        }
        memcpy(parts[n], p, len);
        parts[n][len] = '\0';
        n++;
        if (!colon) break;
        p = colon + 1;
    }
    return n;
}

/* The backend a spec ends with, or NULL with the error set. Checks every
 * wrapper name on the way. */
static const al_backend_desc *spec_backend(const char *spec, char parts[MAX_PARTS][MAX_NAME], int *nparts)
{
    int n = split_spec(spec, parts);
    if (n < 0) return NULL;
    for (int i = 0; i < n - 1; i++) {
        if (!al_wrapper_find(parts[i])) {
            al_set_error_of(AL_ERR_UNKNOWN_WRAPPER, parts[i], "unknown wrapper '%s' in '%s' (not registered; al_wrapper_count/al_wrapper_at "
                         "list them)", parts[i], spec);
            return NULL;
        }
    }
    const al_backend_desc *b = al_backend_find(parts[n - 1]);
    if (!b) {
        al_set_error_of(AL_ERR_UNKNOWN_BACKEND, parts[n - 1], "unknown allocator '%s' (not registered; al_backend_count/al_backend_at list them)",
                     parts[n - 1]);
        return NULL;
    }
    *nparts = n;
    return b;
}

const char *al_spec_unavailable(const char *spec)
{
    char parts[MAX_PARTS][MAX_NAME];
    int n;
    const al_backend_desc *b = spec_backend(spec, parts, &n);
    if (!b) return al_last_error();
    const char *why = b->unavailable ? b->unavailable() : NULL;
    if (why) al_set_error_of(AL_ERR_UNAVAILABLE, b->name, "allocator '%s' is unavailable: %s", b->name, why);
    return why;
}

const char *al_spec_version(const char *spec)
{
    char parts[MAX_PARTS][MAX_NAME];
    int n;
    const al_backend_desc *b = spec_backend(spec, parts, &n);
    if (!b || !b->version || (b->unavailable && b->unavailable())) return NULL;
    return b->version();
}

/* The options one layer of a spec sees: the caller's, with user taken from
 * the layer's descriptor when the caller left it NULL (copied into *own). */
static const al_options *layer_options(const al_options *opts, void *desc_user, al_options *own)
{
    if (opts->user || !desc_user) return opts;
    *own = *opts;
    own->user = desc_user;
    return own;
}

al_allocator *al_create(const char *spec, const al_options *opts)
{
    static const al_options defaults;
    al_options own;
    char parts[MAX_PARTS][MAX_NAME];
    int n;
    if (!opts) opts = &defaults;
    const al_backend_desc *b = spec_backend(spec, parts, &n);
    if (!b || !al_options_check(opts)) return NULL;
    const char *why = b->unavailable ? b->unavailable() : NULL;
    if (why) {
        al_set_error_of(AL_ERR_UNAVAILABLE, b->name, "allocator '%s' is unavailable: %s", b->name, why);
        return NULL;
    }
    al_allocator *a = b->create(layer_options(opts, b->user, &own));
    if (!a) return NULL;
    for (int i = n - 2; i >= 0; i--) {
        const al_wrapper_desc *wd = al_wrapper_find(parts[i]);
        al_allocator *w = wd->wrap(a, layer_options(opts, wd->user, &own));
        if (!w) {
            al_destroy(a);
            return NULL;
        }
        a = w;
    }
    return a;
}

const char *al_caps_str(unsigned caps, char *buf, size_t len)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {AL_CAP_THREAD_SAFE, "thread-safe"}, {AL_CAP_FREES, "frees"},
        {AL_CAP_RESET, "reset"}, {AL_CAP_FIXED_CAPACITY, "fixed-capacity"},
        {AL_CAP_MARKS, "marks"}, {AL_CAP_PROCESS_GLOBAL, "process-global"},
    };
    size_t used = 0;
    if (len == 0) return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < COUNT(names); i++) {
        if (!(caps & names[i].bit)) continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
        if (w < 0 || (size_t)w >= len - used) break;
        used += (size_t)w;
    }
    if (used == 0) snprintf(buf, len, "-");
    return buf;
}
