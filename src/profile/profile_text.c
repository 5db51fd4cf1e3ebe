/* The profile as text, read top to bottom like heaptrack_print: the program
 * and its totals, calls per kind, the peak, live bytes over time, sizes,
 * lifetimes, temporaries, reallocs, threads and cross-thread frees, and the
 * top sites when the trace has stacks. Exact counts everywhere (tests read
 * them); sizes and times in human units.
 */
#include "profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *al_profile_fmt_bytes(double v, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0f B", v);
    else
        snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

const char *al_profile_fmt_time(double ns, char *buf, size_t len)
{
    static const char *const units[] = {"ns", "µs", "ms", "s"};
    size_t u = 0;
    while (ns >= 1000 && u < 3) {
        ns /= 1000;
        u++;
    }
    snprintf(buf, len, ns < 10 && u ? "%.2f %s" : ns < 100 && u ? "%.1f %s" : "%.0f %s", ns, units[u]);
    return buf;
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

/* A bar of width proportional to v/max, in eighths of a character. */
static void bar(FILE *out, uint64_t v, uint64_t max, int width)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (!max) return;
    long units = (long)((double)v / (double)max * width * 8 + 0.5);
    for (long i = 0; i < units / 8; i++) fputs("█", out);
    fputs(eighths[units % 8], out);
}

static void histogram(FILE *out, const uint64_t *h, const char *unit, bool time)
{
    int lo = -1, hi = -1;
    uint64_t max = 0, total = 0;
    for (int i = 0; i < AL_PROFILE_BUCKETS; i++)
        if (h[i]) {
            if (lo < 0) lo = i;
            hi = i;
            if (h[i] > max) max = h[i];
            total += h[i];
        }
    for (int i = lo; lo >= 0 && i <= hi; i++) {
        char a[32], b[32];
        uint64_t low = al_profile_bucket_low((unsigned)i), high = i ? (al_profile_bucket_low((unsigned)i) << 1) - 1 : 0;
        if (time) {
            al_profile_fmt_time((double)low, a, sizeof a);
            al_profile_fmt_time((double)high, b, sizeof b);
        } else if (unit[0] == 'B') {
            al_profile_fmt_bytes((double)low, a, sizeof a);
            al_profile_fmt_bytes((double)high, b, sizeof b);
        } else {
            snprintf(a, sizeof a, "%" PRIu64, low);
            snprintf(b, sizeof b, "%" PRIu64, high);
        }
        char range[72];
        snprintf(range, sizeof range, low == high ? "%s" : "%s - %s", a, b);
        fprintf(out, "  %-24s %12" PRIu64 " %5.1f%%  ", range, h[i], pct(h[i], total));
        bar(out, h[i], max, 30);
        fputc('\n', out);
    }
}

static void sites(FILE *out, const al_profile *p, const al_profile_site *s, size_t n, bool peak, const al_symbols *sym)
{
    for (size_t i = 0; i < n; i++) {
        char b1[32], b2[32];
        if (peak)
            fprintf(out, "  %10s at the peak from %" PRIu64 " calls (%s in all)\n",
                    al_profile_fmt_bytes((double)s[i].peak_bytes, b1, sizeof b1), s[i].calls,
                    al_profile_fmt_bytes((double)s[i].bytes, b2, sizeof b2));
        else
            fprintf(out, "  %10" PRIu64 " calls, %s, %" PRIu64 " temporary\n", s[i].calls,
                    al_profile_fmt_bytes((double)s[i].bytes, b1, sizeof b1), s[i].temporary);
        const al_trace_stack *st = &p->trace->stacks[s[i].stack];
        for (uint32_t f = 0; f < st->nframes && f < 4; f++) {
            const char *name = al_symbols_frame(sym, s[i].stack, f);
            fprintf(out, "      %s %s\n", f ? "from" : "at  ", name ? name : "?");
        }
    }
}

int al_profile_text(FILE *out, const al_profile *p, const char *path)
{
    const al_trace *t = p->trace;
    char b1[32], b2[32], b3[32];
    fprintf(out, "alloclab profile: %s\n", path);
    for (size_t i = 0; i < t->nsections; i++) {
        const al_trace_section *s = &t->sections[i];
        fprintf(out, "process %u: %s\n", s->pid, s->cmdline && s->cmdline[0] ? s->cmdline : s->exe);
        if (s->end_flags & AL_END_REPAIRED)
            fprintf(out, "  warning: it died without closing its trace (wait status %" PRIu64 "): its last calls are lost\n",
                    s->exit_status ? s->exit_status - 1 : 0);
        if (s->lost) fprintf(out, "  warning: %" PRIu64 " calls could not be written (disk full?)\n", s->lost);
        if (s->missing_chunks || s->missing_events)
            fprintf(out, "  warning: %" PRIu64 " chunk%s missing (%" PRIu64 " calls): the recorder could not write them; "
                         "what follows is without them\n",
                    s->missing_chunks, s->missing_chunks == 1 ? "" : "s", s->missing_events);
    }
    fprintf(out, "%" PRIu64 " calls in %s, %zu thread%s, %zu process%s; trace %s (%.2f bytes per call)\n\n", p->ncalls,
            al_profile_fmt_time((double)p->duration_ns, b1, sizeof b1), p->nthreads, p->nthreads == 1 ? "" : "s",
            t->nsections, t->nsections == 1 ? "" : "es", al_profile_fmt_bytes((double)t->file_bytes, b2, sizeof b2),
            p->ncalls ? (double)t->file_bytes / (double)p->ncalls : 0.0);

    fprintf(out, "CALLS\n");
    for (unsigned k = 1; k < AL_EV_KIND_COUNT; k++) {
        if (!p->calls[k]) continue;
        fprintf(out, "  %-20s %12" PRIu64 " %5.1f%%", al_trace_kind_name(k), p->calls[k], pct(p->calls[k], p->ncalls));
        if (p->failed[k]) fprintf(out, "  (%" PRIu64 " failed)", p->failed[k]);
        fputc('\n', out);
    }
    fprintf(out, "  %" PRIu64 " blocks allocated (%s), %" PRIu64 " freed, %" PRIu64 " free(NULL)\n", p->allocations,
            al_profile_fmt_bytes((double)p->bytes_allocated, b1, sizeof b1), p->frees, p->free_null);
    if (p->aligned_calls)
        fprintf(out, "  %" PRIu64 " calls asked for an alignment (the largest %" PRIu64 ")\n", p->aligned_calls, p->align_max);
    if (t->unknown_frees || t->reused_live)
        fprintf(out, "  %" PRIu64 " frees of addresses the trace never saw allocated, %" PRIu64 " addresses handed out while live\n",
                t->unknown_frees, t->reused_live);

    fprintf(out, "\nPEAK\n  %s live in %" PRIu64 " blocks at %s (call %zu of %" PRIu64 ")\n",
            al_profile_fmt_bytes((double)p->peak_bytes, b1, sizeof b1), p->peak_blocks,
            al_profile_fmt_time((double)p->peak_t, b2, sizeof b2), p->peak_event + 1, p->ncalls);
    fprintf(out, "  %s in %" PRIu64 " blocks still allocated at the end\n",
            al_profile_fmt_bytes((double)p->end_bytes, b1, sizeof b1), p->end_blocks);

    fprintf(out, "\nLIVE BYTES OVER TIME (0 to %s, peak %s)\n  ", al_profile_fmt_time((double)p->duration_ns, b1, sizeof b1),
            al_profile_fmt_bytes((double)p->peak_bytes, b2, sizeof b2));
    static const char *const levels[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    for (size_t c = 0; c < 60; c++) {
        uint64_t m = 0;
        for (size_t i = c * AL_PROFILE_SERIES / 60; i < (c + 1) * AL_PROFILE_SERIES / 60; i++)
            if (p->series[i] > m) m = p->series[i];
        int lv = p->peak_bytes ? (int)((double)m / (double)p->peak_bytes * 8 + 0.5) : 0;
        fputs(levels[lv > 8 ? 8 : lv], out);
    }
    fputc('\n', out);

    fprintf(out, "\nSIZES (requested; mean %s, smallest %s, largest %s)\n",
            al_profile_fmt_bytes(p->mean_size, b1, sizeof b1), al_profile_fmt_bytes((double)p->min_size, b2, sizeof b2),
            al_profile_fmt_bytes((double)p->max_size, b3, sizeof b3));
    histogram(out, p->size_hist, "B", false);
    if (p->large_blocks)
        fprintf(out, "  %" PRIu64 " blocks of 1 MiB or more (%s)\n", p->large_blocks,
                al_profile_fmt_bytes((double)p->large_bytes, b1, sizeof b1));

    fprintf(out, "\nLIFETIMES (%" PRIu64 " blocks freed or reallocated)\n", p->lifetimes);
    fprintf(out, "  in allocations made meanwhile: median %" PRIu64 "\n", p->life_allocs_median);
    histogram(out, p->life_allocs_hist, "allocations", false);
    fprintf(out, "  in time: median %s\n", al_profile_fmt_time((double)p->life_ns_median, b1, sizeof b1));
    histogram(out, p->life_ns_hist, "ns", true);

    fprintf(out, "\nTEMPORARY\n  %" PRIu64 " blocks (%.1f%% of all) freed before their thread's next allocation\n",
            p->temporary, pct(p->temporary, p->allocations));
    fprintf(out, "  %" PRIu64 " blocks (%.1f%%) of 256 bytes or less freed within 64 allocations\n", p->small_short,
            pct(p->small_short, p->allocations));

    fprintf(out, "\nREALLOC\n  %" PRIu64 " reallocs: %" PRIu64 " moved, %" PRIu64 " in place, %" PRIu64 " failed\n",
            p->reallocs, p->realloc_moved, p->realloc_in_place, p->realloc_failed);
    if (p->chains)
        fprintf(out, "  %" PRIu64 " realloc chains (a block grown or shrunk again and again): longest %" PRIu64
                     ", mean %.1f reallocs\n",
                p->chains, p->chain_max, p->chain_mean);

    fprintf(out, "\nTHREADS (%zu; at most %u active at once)\n", p->nthreads, p->max_concurrent_threads);
    fprintf(out, "  %8s %8s %12s %12s %10s %12s %12s %10s\n", "pid", "tid", "calls", "allocations", "bytes", "frees",
            "freed-there", "peak");
    for (size_t i = 0; i < p->nthreads; i++) {
        const al_profile_thread *th = &p->threads[i];
        fprintf(out, "  %8u %8" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10s %12" PRIu64 " %12" PRIu64 " %10s\n", th->pid,
                th->tid, th->calls, th->allocations, al_profile_fmt_bytes((double)th->bytes, b1, sizeof b1), th->frees,
                th->freed_elsewhere, al_profile_fmt_bytes((double)th->peak_live, b2, sizeof b2));
    }
    fprintf(out, "\nCROSS-THREAD FREES\n  %" PRIu64 " blocks (%.1f%% of frees, %s) freed by another thread than the one that allocated them\n",
            p->cross_frees, pct(p->cross_frees, p->frees), al_profile_fmt_bytes((double)p->cross_bytes, b1, sizeof b1));

    if (p->has_stacks) {
        al_symbols *sym = al_profile_top_symbols(p, t);
        fprintf(out, "\nMOST CALLS\n");
        sites(out, p, p->by_calls, p->nby_calls, false, sym);
        fprintf(out, "\nPEAK CONTRIBUTIONS\n");
        sites(out, p, p->by_peak, p->nby_peak, true, sym);
        al_symbols_free(sym);
    } else {
        fprintf(out, "\n(no stacks: alloclab trace --stacks records them, for the top sites)\n");
    }
    return ferror(out) ? -1 : 0;
}
