/* Result sets: lookup, naming and release, and the index that keeps
 * lookups O(1) on runs of any size (al_bench_run_index). */
#include "results.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *al_run_status_name(al_run_status s)
{
    switch (s) {
    case AL_RUN_OK: return "ok";
    case AL_RUN_UNSUPPORTED: return "unsupported";
    case AL_RUN_FAILED: return "failed";
    }
    return "failed";
}

static void index_free(struct al_bench_index *x);

bool al_result_procs_text(const al_bench_result *r, char *buf, size_t len)
{
    size_t at = 0;
    if (len) buf[0] = '\0';
    if (r->nprocs == 0 || r->nprocs > AL_RESULT_MAX_PROCS) return false;
    for (size_t g = 0; g < r->nprocs; g++) {
        int k = snprintf(buf + at, len - at, "%s%u", g ? "," : "", (unsigned)r->proc_samples[g]);
        if (k < 0 || (size_t)k >= len - at) {
            buf[0] = '\0';
            return false;
        }
        at += (size_t)k;
    }
    return true;
}

void al_result_procs_set(al_bench_result *r, const size_t *counts, size_t n)
{
    size_t sum = 0;
    r->nprocs = 0;
    if (n == 0 || n > AL_RESULT_MAX_PROCS) return;
    for (size_t g = 0; g < n; g++) {
        if (counts[g] > UINT16_MAX) return;
        sum += counts[g];
    }
    if (sum != r->nsamples) return;
    for (size_t g = 0; g < n; g++) r->proc_samples[g] = (uint16_t)counts[g];
    r->nprocs = (uint16_t)n;
}

void al_result_procs_parse(al_bench_result *r, const char *text)
{
    size_t counts[AL_RESULT_MAX_PROCS], n = 0;
    r->nprocs = 0;
    if (!text || !*text) return;
    for (const char *p = text;;) {
        if (n == AL_RESULT_MAX_PROCS || *p < '0' || *p > '9') return;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end - p > 5) return;
        counts[n++] = v;
        if (*end == '\0') break;
        if (*end != ',') return;
        p = end + 1;
    }
    al_result_procs_set(r, counts, n);
}

void al_bench_run_free(al_bench_run *run)
{
    if (!run) return;
    for (size_t i = 0; i < run->nresults; i++) free(run->results[i].samples);
    free(run->results);
    index_free(run->index);
    run->index = NULL;
    run->results = NULL;
    run->nresults = 0;
}

const char *al_bench_result_name(const al_bench_result *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s/%s", r->workload, r->param, r->allocator);
    return buf;
}

/* ---- the lookup index ----------------------------------------------------------
 * Open-addressing hash tables over the results' names (FNV-1a), sized to at
 * least twice the number of results so that probes stay short. Building it
 * is O(n); it holds, per result, its column's first result and the next one
 * in the column, and the table of whole names for al_bench_run_find. */
struct al_bench_index {
    const al_bench_result *results; /* what it was built over */
    size_t nresults;
    size_t mask;                    /* table size - 1 */
    size_t *by_name;                /* result index + 1; 0 empty */
    size_t *by_column;              /* the same by workload/param: a column's first result */
    size_t *col_next;               /* next result of the same column; SIZE_MAX at the end */
    size_t *col_first;              /* first result of the same column */
};

/* The name fields a key covers: workload, + param, + allocator; or the
 * allocator alone. */
enum { KEY_W = 1, KEY_WP = 2, KEY_WPA = 3, KEY_A = 4 };

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0xff) * 1099511628211u; /* a separator no name contains */
}

/* The hash of a name; param or allocator NULL when the key leaves it out. */
static uint64_t name_hash(const char *workload, const char *param, const char *allocator)
{
    uint64_t h = fnv(14695981039346656037u, workload);
    if (param) h = fnv(h, param);
    if (allocator) h = fnv(h, allocator);
    return h;
}

static uint64_t key_hash(const al_bench_result *r, int key)
{
    if (key == KEY_A) return name_hash(r->allocator, NULL, NULL);
    return name_hash(r->workload, key == KEY_WP || key == KEY_WPA ? r->param : NULL,
                     key == KEY_WPA ? r->allocator : NULL);
}

static bool key_equal(const al_bench_result *a, const al_bench_result *b, int key)
{
    if (key == KEY_A) return strcmp(a->allocator, b->allocator) == 0;
    return strcmp(a->workload, b->workload) == 0 &&
           ((key != KEY_WP && key != KEY_WPA) || strcmp(a->param, b->param) == 0) &&
           (key != KEY_WPA || strcmp(a->allocator, b->allocator) == 0);
}

/* first[i] = the first result with result i's key; returns how many keys.
 * `slots` (mask + 1 entries) is cleared and left holding the table. */
static size_t group(const al_bench_result *res, size_t n, int key, size_t *slots, size_t mask, size_t *first)
{
    size_t distinct = 0;
    memset(slots, 0, (mask + 1) * sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)key_hash(&res[i], key) & mask;
        while (slots[s] && !key_equal(&res[slots[s] - 1], &res[i], key)) s = (s + 1) & mask;
        if (!slots[s]) slots[s] = i + 1, distinct++;
        if (first) first[i] = slots[s] - 1;
    }
    return distinct;
}

static void index_free(struct al_bench_index *x)
{
    if (!x) return;
    free(x->by_name);
    free(x->by_column);
    free(x->col_next);
    free(x->col_first);
    free(x);
}

static const struct al_bench_index *current_index(const al_bench_run *run)
{
    const struct al_bench_index *x = run->index;
    return x && x->results == run->results && x->nresults == run->nresults ? x : NULL;
}

int al_bench_run_index(al_bench_run *run, char *err, size_t errlen)
{
    index_free(run->index);
    run->index = NULL;
    size_t n = run->nresults;
    if (n > AL_RUN_MAX_RESULTS) {
        snprintf(err, errlen, "%zu results, more than the %d a run may hold", n, AL_RUN_MAX_RESULTS);
        return -1;
    }
    struct al_bench_index *x = calloc(1, sizeof *x);
    size_t size = 16;
    while (size < 2 * n) size *= 2;
    size_t *scratch = malloc(size * sizeof *scratch);
    if (x) {
        x->mask = size - 1;
        x->by_name = malloc(size * sizeof *x->by_name);
        x->by_column = malloc(size * sizeof *x->by_column);
        x->col_next = malloc((n ? n : 1) * sizeof *x->col_next);
        x->col_first = malloc((n ? n : 1) * sizeof *x->col_first);
    }
    if (!x || !scratch || !x->by_name || !x->by_column || !x->col_next || !x->col_first) {
        index_free(x);
        free(scratch);
        snprintf(err, errlen, "out of memory indexing %zu results", n);
        return -1;
    }
    const al_bench_result *res = run->results;
    size_t workloads = group(res, n, KEY_W, scratch, x->mask, NULL);
    size_t columns = group(res, n, KEY_WP, x->by_column, x->mask, x->col_first);
    size_t allocators = group(res, n, KEY_A, scratch, x->mask, NULL);
    group(res, n, KEY_WPA, x->by_name, x->mask, NULL); /* a name twice (Google Benchmark's repetitions): the first */
    const char *why = NULL;
    char detail[160];
    if (workloads > AL_RUN_MAX_WORKLOADS)
        snprintf(detail, sizeof detail, "%zu workloads, more than %d", workloads, AL_RUN_MAX_WORKLOADS), why = detail;
    else if (columns > AL_RUN_MAX_COLUMNS)
        snprintf(detail, sizeof detail, "%zu workload/param pairs, more than %d", columns, AL_RUN_MAX_COLUMNS),
            why = detail;
    else if (allocators > AL_RUN_MAX_ALLOCATORS)
        snprintf(detail, sizeof detail, "%zu allocators, more than %d", allocators, AL_RUN_MAX_ALLOCATORS),
            why = detail;
    free(scratch);
    if (why) {
        snprintf(err, errlen, "%s", why);
        index_free(x);
        return -1;
    }
    /* col_next: walk backwards, remembering the latest result seen per column. */
    size_t *last = malloc((n ? n : 1) * sizeof *last);
    if (!last) {
        index_free(x);
        snprintf(err, errlen, "out of memory indexing %zu results", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) last[i] = SIZE_MAX;
    for (size_t i = n; i-- > 0;) {
        size_t head = x->col_first[i];
        x->col_next[i] = last[head];
        last[head] = i;
    }
    free(last);
    x->results = run->results;
    x->nresults = n;
    run->index = x;
    return 0;
}

const al_bench_result *al_bench_run_column_next(const al_bench_run *run, const al_bench_result *r,
                                                const al_bench_result *from)
{
    const struct al_bench_index *x = current_index(run);
    if (x) {
        size_t i = from ? x->col_next[from - run->results] : x->col_first[r - run->results];
        return i == SIZE_MAX ? NULL : &run->results[i];
    }
    for (size_t i = from ? (size_t)(from - run->results) + 1 : 0; i < run->nresults; i++)
        if (key_equal(&run->results[i], r, KEY_WP)) return &run->results[i];
    return NULL;
}

const al_bench_result *al_bench_run_find(const al_bench_run *run, const char *workload,
                                         const char *param, const char *allocator)
{
    const struct al_bench_index *x = current_index(run);
    if (x) {
        for (size_t s = (size_t)name_hash(workload, param, allocator) & x->mask; x->by_name[s]; s = (s + 1) & x->mask) {
            const al_bench_result *r = &run->results[x->by_name[s] - 1];
            if (strcmp(r->workload, workload) == 0 && strcmp(r->param, param) == 0 &&
                strcmp(r->allocator, allocator) == 0)
                return r;
        }
        return NULL;
    }
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) == 0 && strcmp(r->param, param) == 0 &&
            strcmp(r->allocator, allocator) == 0)
            return r;
    }
    return NULL;
}

const al_bench_result *al_bench_run_column_first(const al_bench_run *run, const char *workload, const char *param)
{
    const struct al_bench_index *x = current_index(run);
    if (x) {
        for (size_t s = (size_t)name_hash(workload, param, NULL) & x->mask; x->by_column[s]; s = (s + 1) & x->mask) {
            const al_bench_result *r = &run->results[x->by_column[s] - 1];
            if (strcmp(r->workload, workload) == 0 && strcmp(r->param, param) == 0) return r;
        }
        return NULL;
    }
    for (size_t i = 0; i < run->nresults; i++)
        if (strcmp(run->results[i].workload, workload) == 0 && strcmp(run->results[i].param, param) == 0)
            return &run->results[i];
    return NULL;
}
