/* The profile as JSON (jansson), for scripts: the same figures as the text
 * report, under the names profile.h gives them, sizes in bytes and times in
 * ns. One object per process, as the text report profiles them. */
#include "profile.h"

#include <jansson.h>

static json_t *u64(uint64_t v) { return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v); }

/* Non-empty buckets as [{"low": L, "count": N[, "bytes": B]}]. */
static json_t *hist(const uint64_t *h, const uint64_t *bytes)
{
    json_t *a = json_array();
    for (unsigned b = 0; b < AL_PROFILE_BUCKETS; b++) {
        if (!h[b]) continue;
        json_t *o = json_pack("{s:o,s:o}", "low", u64(al_profile_bucket_low(b)), "count", u64(h[b]));
        if (bytes) json_object_set_new(o, "bytes", u64(bytes[b]));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *sites(const al_profile *p, const al_profile_site *s, size_t n, al_symbols *sym)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *frames = json_array();
        const al_trace_stack *st = &p->trace->stacks[s[i].stack];
        for (uint32_t f = 0; f < st->nframes && f < 8; f++) {
            const char *name = al_symbols_frame(sym, s[i].stack, f);
            json_array_append_new(frames, json_string(name ? name : "?"));
        }
        json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o,s:o}", "calls", u64(s[i].calls), "bytes", u64(s[i].bytes),
                                           "peak_bytes", u64(s[i].peak_bytes), "temporary", u64(s[i].temporary),
                                           "frames", frames));
    }
    return a;
}

json_t *al_profile_json_object(const al_profile *p)
{
    const al_trace *t = p->trace;
    json_t *o = json_object();
    json_t *procs = json_array();
    for (size_t i = 0; i < t->nsections; i++) {
        const al_trace_section *s = &t->sections[i];
        json_array_append_new(procs, json_pack("{s:i,s:i,s:s,s:s,s:b,s:o,s:o}", "pid", (int)s->pid, "ppid",
                                               (int)s->ppid, "cmdline", s->cmdline ? s->cmdline : "", "exe",
                                               s->exe ? s->exe : "", "repaired", (s->end_flags & AL_END_REPAIRED) != 0,
                                               "lost", u64(s->lost), "events", u64(s->events)));
    }
    json_object_set_new(o, "processes", procs);
    json_t *calls = json_object(), *failed = json_object();
    for (unsigned k = 1; k < AL_EV_KIND_COUNT; k++) {
        if (p->calls[k]) json_object_set_new(calls, al_trace_kind_name(k), u64(p->calls[k]));
        if (p->failed[k]) json_object_set_new(failed, al_trace_kind_name(k), u64(p->failed[k]));
    }
    json_object_set_new(o, "calls", u64(p->ncalls));
    json_object_set_new(o, "calls_by_kind", calls);
    json_object_set_new(o, "failed_by_kind", failed);
    json_object_set_new(o, "duration_ns", u64(p->duration_ns));
    json_object_set_new(o, "allocations", u64(p->allocations));
    json_object_set_new(o, "frees", u64(p->frees));
    json_object_set_new(o, "free_null", u64(p->free_null));
    json_object_set_new(o, "bytes_allocated", u64(p->bytes_allocated));
    json_object_set_new(o, "unknown_frees", u64(t->unknown_frees));
    json_object_set_new(o, "reused_live", u64(t->reused_live));
    json_object_set_new(o, "peak", json_pack("{s:o,s:o,s:o,s:o}", "bytes", u64(p->peak_bytes), "blocks",
                                             u64(p->peak_blocks), "t_ns", u64(p->peak_t), "call", u64(p->peak_event + 1)));
    json_object_set_new(o, "end", json_pack("{s:o,s:o}", "bytes", u64(p->end_bytes), "blocks", u64(p->end_blocks)));
    json_t *series = json_array();
    for (size_t i = 0; i < AL_PROFILE_SERIES; i++) json_array_append_new(series, u64(p->series[i]));
    json_object_set_new(o, "live_bytes_over_time", json_pack("{s:o,s:o}", "slice_ns",
                                                             u64(p->duration_ns / AL_PROFILE_SERIES), "max_bytes", series));
    json_object_set_new(o, "sizes", json_pack("{s:o,s:o,s:f,s:o}", "min", u64(p->min_size), "max", u64(p->max_size),
                                              "mean", p->mean_size, "histogram",
                                              hist(p->size_hist, p->size_hist_bytes)));
    json_object_set_new(o, "lifetimes", json_pack("{s:o,s:o,s:o,s:o,s:o}", "blocks", u64(p->lifetimes),
                                                  "median_allocations", u64(p->life_allocs_median), "median_ns",
                                                  u64(p->life_ns_median), "allocations_histogram",
                                                  hist(p->life_allocs_hist, NULL), "ns_histogram",
                                                  hist(p->life_ns_hist, NULL)));
    json_object_set_new(o, "temporary", u64(p->temporary));
    json_object_set_new(o, "small_short", u64(p->small_short));
    json_object_set_new(o, "large", json_pack("{s:o,s:o}", "blocks", u64(p->large_blocks), "bytes", u64(p->large_bytes)));
    json_object_set_new(o, "realloc", json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:f}", "calls", u64(p->reallocs), "moved",
                                                u64(p->realloc_moved), "in_place", u64(p->realloc_in_place), "failed",
                                                u64(p->realloc_failed), "chains", u64(p->chains), "chain_max",
                                                u64(p->chain_max), "chain_mean", p->chain_mean));
    json_object_set_new(o, "cross_thread_frees", json_pack("{s:o,s:o}", "blocks", u64(p->cross_frees), "bytes",
                                                           u64(p->cross_bytes)));
    json_object_set_new(o, "aligned", json_pack("{s:o,s:o}", "calls", u64(p->aligned_calls), "max", u64(p->align_max)));
    json_t *threads = json_array();
    for (size_t i = 0; i < p->nthreads; i++) {
        const al_profile_thread *th = &p->threads[i];
        json_array_append_new(threads, json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "pid", (int)th->pid,
                                                 "tid", u64(th->tid), "calls", u64(th->calls), "allocations",
                                                 u64(th->allocations), "bytes", u64(th->bytes), "frees", u64(th->frees),
                                                 "freed_elsewhere", u64(th->freed_elsewhere), "frees_of_others",
                                                 u64(th->frees_of_others), "peak_live", u64(th->peak_live),
                                                 "temporary", u64(th->temporary)));
    }
    json_object_set_new(o, "threads", threads);
    json_object_set_new(o, "max_concurrent_threads", json_integer(p->max_concurrent_threads));
    if (p->has_stacks) {
        al_symbols *sym = al_profile_top_symbols(p, t);
        json_object_set_new(o, "sites_by_calls", sites(p, p->by_calls, p->nby_calls, sym));
        json_object_set_new(o, "sites_by_peak", sites(p, p->by_peak, p->nby_peak, sym));
        al_symbols_free(sym);
    }
    return o;
}
