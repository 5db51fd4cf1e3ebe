/* One process of a trace: the events of one section (a process image) with
 * its threads and blocks renumbered, so that a trace of several processes
 * (--follow-forks) is profiled and replayed per process, each its own heap,
 * rather than as one heap that no process ever had.
 *
 * Guarantees: the result is a trace of the same shape al_trace_read makes
 * (events in time order, blocks from 1 with their allocating and ending
 * events, threads and one section), independent of the original (it may be
 * freed first); stacks are copied whole (their ids stay valid). */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

al_trace *al_trace_process(const al_trace *t, size_t section)
{
    if (section >= t->nsections) return NULL;
    al_trace *o = calloc(1, sizeof *o);
    uint32_t *thread_map = malloc((t->nthreads ? t->nthreads : 1) * sizeof *thread_map);
    uint32_t *block_map = calloc(t->nblocks ? t->nblocks : 1, sizeof *block_map);
    uint32_t *event_map = malloc((t->nevents ? t->nevents : 1) * sizeof *event_map);
    if (!o || !thread_map || !block_map || !event_map) goto oom;
    o->threads = calloc(t->nthreads ? t->nthreads : 1, sizeof *o->threads);
    o->events = malloc((t->nevents ? t->nevents : 1) * sizeof *o->events);
    o->blocks = calloc(t->nblocks ? t->nblocks : 1, sizeof *o->blocks);
    o->sections = calloc(1, sizeof *o->sections);
    if (!o->threads || !o->events || !o->blocks || !o->sections) goto oom;
    for (size_t i = 0; i < t->nthreads; i++) {
        thread_map[i] = UINT32_MAX;
        if (t->threads[i].section != section) continue;
        thread_map[i] = (uint32_t)o->nthreads;
        o->threads[o->nthreads] = t->threads[i];
        o->threads[o->nthreads++].section = 0;
    }
    /* Blocks of the section in order, then the events that touch them. */
    o->nblocks = 1;
    for (size_t b = 1; b < t->nblocks; b++)
        if (thread_map[t->blocks[b].thread] != UINT32_MAX) {
            block_map[b] = (uint32_t)o->nblocks;
            o->blocks[o->nblocks] = t->blocks[b];
            o->blocks[o->nblocks++].thread = thread_map[t->blocks[b].thread];
        }
    for (size_t i = 0; i < t->nevents; i++) {
        const al_trace_event *e = &t->events[i];
        event_map[i] = UINT32_MAX;
        if (thread_map[e->thread] == UINT32_MAX) continue;
        al_trace_event *x = &o->events[o->nevents];
        *x = *e;
        x->thread = thread_map[e->thread];
        x->block = e->block ? block_map[e->block] : 0;
        x->old_block = e->old_block ? block_map[e->old_block] : 0;
        event_map[i] = (uint32_t)o->nevents++;
    }
    for (size_t b = 1; b < o->nblocks; b++) {
        al_trace_block *blk = &o->blocks[b];
        blk->alloc_ev = event_map[blk->alloc_ev];
        blk->end_ev = blk->end_ev == UINT32_MAX ? UINT32_MAX : event_map[blk->end_ev];
        blk->prev = blk->prev ? block_map[blk->prev] : 0;
    }
    /* The section, its strings and modules its own. */
    const al_trace_section *s = &t->sections[section];
    o->nsections = 1;
    al_trace_section *os = &o->sections[0];
    *os = *s;
    os->cmdline = dup_str(s->cmdline);
    os->exe = dup_str(s->exe);
    os->modules = calloc(s->nmodules ? s->nmodules : 1, sizeof *os->modules);
    os->nmodules = 0;
    if ((s->cmdline && !os->cmdline) || (s->exe && !os->exe) || !os->modules) goto oom;
    for (size_t i = 0; i < s->nmodules; i++) {
        os->modules[i] = s->modules[i];
        if (!(os->modules[i].path = dup_str(s->modules[i].path))) goto oom;
        os->nmodules++;
    }
    if (t->nstacks) {
        o->stacks = calloc(t->nstacks, sizeof *o->stacks);
        if (!o->stacks) goto oom;
        o->nstacks = 1;
        for (size_t i = 1; i < t->nstacks; i++) {
            o->stacks[i] = t->stacks[i];
            o->stacks[i].frames = malloc((t->stacks[i].nframes ? t->stacks[i].nframes : 1) * sizeof(uint64_t));
            if (!o->stacks[i].frames) goto oom;
            memcpy(o->stacks[i].frames, t->stacks[i].frames, t->stacks[i].nframes * sizeof(uint64_t));
            o->nstacks++;
            if (o->stacks[i].section == section) o->stacks[i].section = 0;
        }
    }
    o->file_bytes = t->file_bytes;
    o->created_realtime = t->created_realtime;
    o->unknown_frees = s->unknown_frees;
    o->reused_live = s->reused_live;
    free(thread_map);
    free(block_map);
    free(event_map);
    return o;
oom:
    free(thread_map);
    free(block_map);
    free(event_map);
    al_trace_free(o);
    return NULL;
}

size_t al_trace_busiest(const al_trace *t)
{
    size_t best = 0;
    for (size_t i = 1; i < t->nsections; i++)
        if (t->sections[i].events > t->sections[best].events) best = i;
    return best;
}
