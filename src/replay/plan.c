/* A trace as a replay plan: each traced thread's calls, in its own order, as
 * operations on slots (the trace's block numbers).
 *
 * Guarantees: every block made is freed by the plan or left live at the end
 * (the engine frees those after each replay); a free or realloc of a block
 * another thread made is marked to wait for it, and since the trace's merge
 * gives every block's allocation an earlier time than its end, the waits
 * never form a cycle. What the allocator interface cannot express is
 * mapped: size 0 becomes 1 byte (malloc(0) returns a real block),
 * alignments below 16 become 16 (malloc's own guarantee on x86-64), valloc
 * and pvalloc ask for a page.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AL_REPLAY_MAX_THREADS 1024

static uint32_t align_of(const al_trace_event *e)
{
    if (e->kind == AL_EV_VALLOC || e->kind == AL_EV_PVALLOC) return 4096;
    uint32_t a = e->align;
    if (a < 16 || (a & (a - 1))) return 16;
    return a;
}

void al_replay_plan_free(al_replay_plan *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nthreads; i++) free(p->threads[i].ops);
    free(p->threads);
    free(p->slot_size);
    free(p->slot_align);
    free(p);
}

al_replay_plan *al_replay_plan_make(const al_trace *t, char *err, size_t errlen)
{
    if (t->nthreads > AL_REPLAY_MAX_THREADS) {
        snprintf(err, errlen, "the trace has %zu threads; a replay runs at most %d", t->nthreads,
                 AL_REPLAY_MAX_THREADS);
        return NULL;
    }
    al_replay_plan *p = calloc(1, sizeof *p);
    size_t *count = calloc(t->nthreads ? t->nthreads : 1, sizeof *count);
    if (!p || !count) goto oom;
    p->nthreads = t->nthreads;
    p->nslots = t->nblocks;
    p->threads = calloc(t->nthreads ? t->nthreads : 1, sizeof *p->threads);
    p->slot_size = calloc(t->nblocks ? t->nblocks : 1, sizeof *p->slot_size);
    p->slot_align = calloc(t->nblocks ? t->nblocks : 1, sizeof *p->slot_align);
    if (!p->threads || !p->slot_size || !p->slot_align) goto oom;
    for (size_t i = 0; i < t->nevents; i++) count[t->events[i].thread]++;
    for (size_t i = 0; i < t->nthreads; i++) {
        p->threads[i].ops = malloc((count[i] ? count[i] : 1) * sizeof(rp_op));
        if (!p->threads[i].ops) goto oom;
    }
    uint64_t live = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        const al_trace_event *e = &t->events[i];
        rp_op op = {0};
        bool is_realloc = e->kind == AL_EV_REALLOC || e->kind == AL_EV_REALLOCARRAY;
        if (e->kind == AL_EV_FREE || e->kind == AL_EV_FREE_SIZED || e->kind == AL_EV_FREE_ALIGNED_SIZED) {
            if (!e->block) {
                p->skipped++;
                continue;
            }
            op.kind = RP_FREE;
            op.slot = e->block;
            op.wait = t->blocks[e->block].thread != e->thread;
            live -= t->blocks[e->block].size;
        } else if (is_realloc) {
            if (e->flags & AL_TEV_FREES && e->old_block) {
                op.kind = RP_FREE;
                op.slot = e->old_block;
                op.wait = t->blocks[e->old_block].thread != e->thread;
                live -= t->blocks[e->old_block].size;
            } else if (!e->block) {
                p->skipped++;
                continue;
            } else if (!e->old_block) {
                op.kind = RP_ALLOC;
                op.slot = e->block;
                op.align = 16;
            } else {
                op.kind = RP_REALLOC;
                op.slot = e->block;
                op.old = e->old_block;
                op.wait = t->blocks[e->old_block].thread != e->thread;
                op.align = p->slot_align[e->old_block];
                live -= t->blocks[e->old_block].size;
            }
        } else {
            if (!e->block) {
                p->skipped++;
                continue;
            }
            op.kind = e->kind == AL_EV_CALLOC ? RP_ZALLOC : RP_ALLOC;
            op.slot = e->block;
            op.align = align_of(e);
        }
        if (op.kind != RP_FREE) {
            op.size = e->size ? e->size : 1;
            if (op.size > AL_MAX_SIZE) {
                /* No program was handed such a block: a damaged trace. Skipping
                 * it would leave its later free waiting for ever. */
                free(count);
                al_replay_plan_free(p);
                snprintf(err, errlen, "the trace asks for a block of %zu bytes, beyond any allocator's %zu: damaged",
                         op.size, (size_t)AL_MAX_SIZE);
                return NULL;
            }
            p->slot_size[op.slot] = op.size;
            p->slot_align[op.slot] = op.align;
            live += t->blocks[op.slot].size;
            p->total_bytes += op.size;
            if (op.size > p->max_block) p->max_block = op.size;
            if (live > p->peak_live) p->peak_live = live;
        }
        if (op.wait) p->cross_frees++;
        rp_thread_ops *th = &p->threads[e->thread];
        th->ops[th->n++] = op;
        p->ops++;
    }
    free(count);
    return p;
oom:
    free(count);
    al_replay_plan_free(p);
    snprintf(err, errlen, "out of memory planning the replay");
    return NULL;
}
