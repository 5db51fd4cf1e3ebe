/* alloclab tests — toy allocators the conformance suite registers for itself.
 *
 * "conftoy-bump": a fixed-capacity bump allocator (RESET | MARKS |
 * FIXED_CAPACITY, default capacity 256 KiB, not thread-safe) that gives back
 * its newest block on deallocate. "conftoy-lock:": a wrapper that adds a
 * mutex (and AL_CAP_THREAD_SAFE). They make the suite exercise every
 * capability path even before the library's own bump/locked exist.
 *
 * "broken-<kind>": the same bump with one deliberate bug each (see
 * conf_broken_kinds); the suite must catch every one. Tests leave backends
 * named "broken-" out of the normal runs.
 */
#ifndef ALLOCLAB_TESTS_CONFORMANCE_TOYS_H
#define ALLOCLAB_TESTS_CONFORMANCE_TOYS_H

#include <stddef.h>

#define CONF_BROKEN_PREFIX "broken-"

/* A broken variant and the check that must catch it. */
typedef struct conf_broken_kind {
    const char *spec;        /* its registry name, "broken-..." */
    const char *caught_by;   /* the name of a conf_checks[] entry */
} conf_broken_kind;

extern const conf_broken_kind conf_broken_kinds[];
extern const size_t conf_broken_count;

/* Register the toys and the broken variants; idempotent, call before threads. */
void conf_register_toys(void);

#endif
