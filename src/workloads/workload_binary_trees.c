/* binary-trees/<depth>: the benchmarks-game allocation test. One iteration
 * builds and discards complete binary trees of {left, right} nodes: a stretch
 * tree of depth+1, a long-lived tree of depth, then for d = 4, 6, ..., depth,
 * 2^(depth-d+4) trees of depth d; every tree is checked by walking it (shape,
 * node count and the nodes' serials) before it is discarded. Each node holds
 * a serial, numbered at creation: a node shared by two places of a tree
 * (handed out twice) carries the later one only, and the tree's serials no
 * longer add up.
 *
 * Resettable allocators discard a tree with one reset instead of freeing
 * node by node — that is an arena's advantage, and the point of measuring
 * it. As the benchmarks-game arena programs do, they then get two instances:
 * one for the long-lived tree (reset at the iteration's end) and one for the
 * short-lived trees. Others free every node. Depths 4-22 are accepted; the
 * default suite runs 12 (small enough for a 1 MiB bump) and 16. */
#include "workload_common.h"

#include <stdio.h>
#include <stdlib.h>

#define MIN_DEPTH 4

typedef struct node {
    struct node *left, *right;
    uint64_t serial;        /* unique per node made by one instance */
} node;

/* The serials a tree was built with: [lo, hi) and the sum of their
 * wl_mix (a sum that a duplicate and a missing serial cannot keep). */
typedef struct serials {
    uint64_t lo, hi, hash;
} serials;

/* ----------------------------------------------------------------------------
 * Trees. A tree under construction is always well formed (children are NULL
 * until built), so a partial one can be freed after an allocation failure.
 * Walks are bounded by the expected depth: a corrupt tree (cycles, shared
 * nodes) ends the walk with a failure, never a hang.
 * ------------------------------------------------------------------------- */
static node *build(al_allocator *a, int depth, serials *sr, bool *oom)
{
    node *n = al_allocate(a, sizeof(node), _Alignof(node));
    if (!n) {
        *oom = true;
        return NULL;
    }
    n->left = n->right = NULL;
    n->serial = sr->hi++;
    sr->hash += wl_mix(n->serial);
    if (depth > 0 && !*oom) n->left = build(a, depth - 1, sr, oom);
    if (depth > 0 && !*oom) n->right = build(a, depth - 1, sr, oom);
    return n;
}

/* Nodes of a tree of exactly `depth` levels below n, adding their serials'
 * wl_mix to *hash; 0 when the shape is not that of a complete tree, a
 * pointer is misaligned or a serial is outside sr's range. */
static uint64_t walk(const node *n, int depth, const serials *sr, uint64_t *hash)
{
    if (n == NULL || ((uintptr_t)n % _Alignof(node)) != 0) return 0;
    if (n->serial < sr->lo || n->serial >= sr->hi) return 0;
    *hash += wl_mix(n->serial);
    if (depth == 0) return n->left == NULL && n->right == NULL ? 1 : 0;
    uint64_t l = walk(n->left, depth - 1, sr, hash);
    if (l == 0) return 0;
    uint64_t r = walk(n->right, depth - 1, sr, hash);
    return r == 0 ? 0 : l + r + 1;
}

/* Nodes of a complete tree of `depth` built with sr, or 0 when it is not
 * that tree. */
static uint64_t check(const node *n, int depth, const serials *sr)
{
    uint64_t hash = 0, count = walk(n, depth, sr, &hash);
    return hash == sr->hash ? count : 0;
}

static void free_tree(al_allocator *a, node *n, int depth)
{
    if (!n) return;
    if (depth > 0) {
        free_tree(a, n->left, depth - 1);
        free_tree(a, n->right, depth - 1);
    }
    al_deallocate(a, n, sizeof(node), _Alignof(node));
}

/* ----------------------------------------------------------------------------
 * Instance.
 * ------------------------------------------------------------------------- */
typedef struct trees {
    char spec[64];
    int depth;
    bool resettable;
    uint64_t next_serial;      /* of the next node made */
    al_allocator *shortlived;  /* every tree but the long-lived one */
    al_allocator *longlived;   /* the long-lived tree; == shortlived unless resettable */
    uint64_t checksum;
} trees;

/* Discard a tree (known good or partial): reset, or free node by node. */
static void discard(const trees *t, al_allocator *a, node *n, int depth)
{
    if (t->resettable) al_reset(a);
    else free_tree(a, n, depth);
}

static size_t tree_bytes(int depth) { return (((size_t)2 << depth) - 1) * sizeof(node); }

/* Build, check and (unless keep) discard one tree of `depth` from a; a kept
 * tree's serials go to *keep_sr. */
static al_run_status one_tree(trees *t, al_allocator *a, int depth, node **keep, serials *keep_sr, char *why,
                              size_t whylen)
{
    bool oom = false;
    serials sr = {.lo = t->next_serial, .hi = t->next_serial};
    node *n = build(a, depth, &sr, &oom);
    t->next_serial = sr.hi;
    if (oom) {
        discard(t, a, n, depth);
        return wl_alloc_failed(a, t->spec, sizeof(node), tree_bytes(t->depth + 1), why, whylen);
    }
    uint64_t count = check(n, depth, &sr);
    if (count != ((uint64_t)2 << depth) - 1) {
        /* Not freed: the nodes of a corrupt tree cannot be trusted. */
        wl_why(why, whylen, "a tree of depth %d from '%s' is corrupt (%llu nodes checked, %llu expected)", depth,
               t->spec, (unsigned long long)count, (unsigned long long)(((uint64_t)2 << depth) - 1));
        return AL_RUN_FAILED;
    }
    t->checksum += count;
    if (keep) {
        *keep = n;
        *keep_sr = sr;
    } else {
        discard(t, a, n, depth);
    }
    return AL_RUN_OK;
}

static al_run_status one_iteration(void *inst, char *why, size_t whylen)
{
    trees *t = inst;
    al_run_status st = one_tree(t, t->shortlived, t->depth + 1, NULL, NULL, why, whylen);
    node *longlived = NULL;
    serials long_sr = {0};
    if (st == AL_RUN_OK) st = one_tree(t, t->longlived, t->depth, &longlived, &long_sr, why, whylen);
    for (int d = MIN_DEPTH; st == AL_RUN_OK && d <= t->depth; d += 2) {
        uint64_t count = (uint64_t)1 << (t->depth - d + MIN_DEPTH);
        for (uint64_t i = 0; st == AL_RUN_OK && i < count; i++)
            st = one_tree(t, t->shortlived, d, NULL, NULL, why, whylen);
    }
    if (st == AL_RUN_OK && check(longlived, t->depth, &long_sr) != ((uint64_t)2 << t->depth) - 1) {
        wl_why(why, whylen, "the long-lived tree from '%s' was corrupted while it lived", t->spec);
        return AL_RUN_FAILED;
    }
    if (st == AL_RUN_FAILED) return st;
    if (longlived) discard(t, t->longlived, longlived, t->depth);
    return st;
}

static al_run_status trees_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    trees *t = inst;
    return wl_repeat(one_iteration, t, iters, &t->checksum, why, whylen);
}

static void trees_teardown(void *inst)
{
    trees *t = inst;
    if (!t) return;
    if (t->longlived != t->shortlived) al_destroy(t->longlived);
    al_destroy(t->shortlived);
    free(t);
}

static void *trees_setup(const char *param, const char *spec, al_run_status *status, char *why, size_t whylen)
{
    uint64_t depth;
    if (!wl_parse_uint(param, MIN_DEPTH, 22, &depth))
        return wl_bad_param("binary-trees", param, "a depth from 4 to 22", status, why, whylen);
    trees *t = wl_calloc(sizeof *t, status, why, whylen);
    if (!t) return NULL;
    snprintf(t->spec, sizeof t->spec, "%s", spec);
    t->depth = (int)depth;
    t->shortlived = wl_create(spec, status, why, whylen);
    if (!t->shortlived) goto fail;
    t->resettable = al_has(t->shortlived, AL_CAP_RESET);
    t->longlived = t->resettable ? wl_create(spec, status, why, whylen) : t->shortlived;
    if (!t->longlived) goto fail;
    /* The stretch tree is the largest single demand. */
    size_t need = tree_bytes(t->depth + 1);
    if (!wl_probe_capacity(t->shortlived, spec, need, need, status, why, whylen)) goto fail;
    return t;
fail:
    return wl_setup_abort(t, trees_teardown, false, status, why, whylen);
}

static const char *const trees_params[] = {"12", "16", NULL};

const al_workload al_workload_binary_trees = {
    .name = "binary-trees",
    .description = "build, check and discard complete binary trees up to <depth> (benchmarks-game shape); arenas reset per tree",
    .params = trees_params,
    .setup = trees_setup,
    .run = trees_run,
    .teardown = trees_teardown,
};
