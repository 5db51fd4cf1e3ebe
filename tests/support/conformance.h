/* alloclab tests — the conformance suite's shared machinery.
 *
 * Every check here takes an allocator *spec* and makes its own instances
 * through al_create(), so whatever is in the registry (built-in, wrapped, or
 * registered by a test) is checked the same way. A check never asserts: it
 * returns false with a one-line reason in a conf_err, so a test can also run
 * it on a deliberately broken allocator and require that it fails.
 *
 * The shadow model: every live block carries a fill pattern derived from its
 * id (conf_fill). A block whose bytes no longer match its pattern was
 * clobbered (by an overlapping block, a lossy grow, or a premature reuse).
 */
#ifndef ALLOCLAB_TESTS_CONFORMANCE_H
#define ALLOCLAB_TESTS_CONFORMANCE_H

#include <alloclab/registry.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_ERR_LEN 512
#define CONF_SPEC_LEN 96

/* Why a check failed: the first failure found, one line. */
typedef struct conf_err {
    char msg[CONF_ERR_LEN];
} conf_err;

/* Record the first failure (later ones are ignored) and return false. */
bool conf_fail(conf_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ----------------------------------------------------------------------------
 * Fill patterns. The byte at offset i of block `id` depends only on (id, i),
 * with a period of 251 bytes (prime: a copy shifted by any power-of-two
 * distance does not match). Filling a prefix and later the whole block gives
 * consistent bytes, so a grown block keeps verifying.
 * ------------------------------------------------------------------------- */
void conf_fill(void *p, size_t size, uint64_t id);
/* True when the `size` bytes at p are block id's pattern; on a mismatch
 * *bad (if non-NULL) is the first wrong offset. */
bool conf_verify(const void *p, size_t size, uint64_t id, size_t *bad);
/* True when the `size` bytes at p are all zero; *bad as for conf_verify. */
bool conf_all_zero(const void *p, size_t size, size_t *bad);

/* ----------------------------------------------------------------------------
 * The shadow model: the live blocks of one allocator instance.
 * ------------------------------------------------------------------------- */
typedef struct conf_block {
    unsigned char *ptr; /* as returned by the allocator; never NULL */
    size_t size;        /* the size it was last requested with (> 0) */
    size_t align;       /* the alignment it was requested with */
    uint64_t id;        /* selects its fill pattern; unique in the model */
} conf_block;

typedef struct conf_model {
    conf_block *blocks; /* blocks[0..n) are live, in no particular order */
    size_t n, cap;
    uint64_t next_id;   /* the id the next added block gets */
    size_t live_bytes;  /* sum of blocks[i].size */
} conf_model;

/* Add a block (filling it with its pattern); false only if out of memory. */
bool conf_model_add(conf_model *m, void *ptr, size_t size, size_t align);
/* Forget block i (the caller deallocates it). */
void conf_model_remove(conf_model *m, size_t i);
/* The first live block other than `except` (SIZE_MAX: none excluded) whose
 * bytes intersect [ptr, ptr + size), or SIZE_MAX. */
size_t conf_model_find_overlap(const conf_model *m, const void *ptr, size_t size, size_t except);
/* Check every block's pattern, and that no two blocks intersect (by sorting). */
bool conf_model_check(const conf_model *m, conf_err *e, const char *when);
/* Deallocate every block (newest first, so LIFO allocators recover) and empty
 * the model. */
void conf_model_release(conf_model *m, al_allocator *a);
void conf_model_free(conf_model *m);

/* ----------------------------------------------------------------------------
 * Instances and specs.
 * ------------------------------------------------------------------------- */
/* Options for checks: the given capacity (0: default) and verbose output
 * going to /dev/null so logging wrappers stay quiet. */
al_options conf_options(size_t capacity);

/* The specs to check: every backend, every wrapper over every backend, and
 * every ordered pair of distinct wrappers (checked: aside) over sys and over
 * the first two backends that are not thread-safe. Backends whose name starts with
 * `skip_prefix` (NULL: none) are left out. Returns the count (<= max). */
size_t conf_specs(char (*out)[CONF_SPEC_LEN], size_t max, const char *skip_prefix);

/* Whether a spec whose instance has `caps` is one the threaded tests run: a
 * thread-safe backend, any thread-safe chain over sys, or a thread-safe chain
 * whose backend is not (a lock wrapper made it so). */
bool conf_thread_safe_spec(const char *spec, unsigned caps);

/* ----------------------------------------------------------------------------
 * The checks. Each makes fresh instances of `spec`, returns true when the
 * allocator meets the contract and false with the reason otherwise. Checks
 * whose capability the instance lacks pass trivially.
 * ------------------------------------------------------------------------- */
typedef bool (*conf_check_fn)(const char *spec, conf_err *e);

/* Alignments 1..4096: aligned, usable_size >= size, whole usable size
 * writable; 8192..1 MiB: NULL or aligned. */
bool conf_check_alignments(const char *spec, conf_err *e);
/* Zero and non-power-of-two alignments, size 0, huge sizes, overflowing
 * array counts. */
bool conf_check_bad_args(const char *spec, conf_err *e);
/* Sizes above physical memory plus swap, at alignments 1 .. 1 GiB, zeroed
 * or not, and grows to them: NULL within a second, no resident growth. */
bool conf_check_unbackable(const char *spec, conf_err *e);
/* al_grow / al_shrink / al_resize keep contents, at several alignments. */
bool conf_check_grow_shrink(const char *spec, conf_err *e);
/* allocate_zeroed is zero even over memory just dirtied and freed. */
bool conf_check_zeroed(const char *spec, conf_err *e);
/* Random operation sequences against the shadow model (several seeds). */
bool conf_check_random(const char *spec, conf_err *e);
/* AL_CAP_RESET: after reset, the capacity is available again. */
bool conf_check_reset(const char *spec, conf_err *e);
/* AL_CAP_MARKS: rewind keeps older blocks and reuses newer memory. */
bool conf_check_marks(const char *spec, conf_err *e);
/* AL_CAP_MARKS: a block from before a mark grown in place after it keeps
 * every byte through the rewind (one or two marks), and later blocks avoid
 * it; a block of the scope grown in place is freed whole. */
bool conf_check_mark_grow(const char *spec, conf_err *e);
/* The same with a vec on a mark-capable `a`: 4 elements before a mark, 60
 * pushed inside the scope, a rewind, new blocks written: all 64 intact
 * (when the vec kept its place). */
bool conf_vec_survives_rewind(al_allocator *a, conf_err *e);
/* AL_CAP_FIXED_CAPACITY: exhaustion is reached, is clean, and recovers. */
bool conf_check_fixed_capacity(const char *spec, conf_err *e);

/* One random sequence of `ops` operations from `seed`; the seed is in the
 * failure message. */
bool conf_random_run(const char *spec, uint64_t seed, size_t ops, conf_err *e);

typedef struct conf_check {
    const char *name;
    conf_check_fn fn;
} conf_check;

/* Every check above, in a fixed order. */
extern const conf_check conf_checks[];
extern const size_t conf_check_count;

/* A small deterministic generator (splitmix64). */
uint64_t conf_rand(uint64_t *state);
/* Uniform in [lo, hi]. */
size_t conf_rand_range(uint64_t *state, size_t lo, size_t hi);

#endif
