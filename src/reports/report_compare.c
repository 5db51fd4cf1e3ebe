/* The comparison report: two runs side by side, one line per benchmark in
 * criterion's manner or a Markdown table for a pull request, then the count
 * of each verdict and what could not be compared. Values read as in every
 * other report (times in a unit that suits them, counts as "1.23M"). */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_name(al_verdict v)
{
    return v == AL_IMPROVED ? "improved" : v == AL_REGRESSED ? "regressed" : "no change";
}

/* "#12 label (date, commit; time mode, --quick)", or "file" for a run read
 * from a JSON report. */
static void describe(const al_bench_run *r, char *buf, size_t len)
{
    char id[32] = "file", commit[13];
    if (r->id) snprintf(id, sizeof id, "#%lld", r->id);
    al_report_copy(commit, sizeof commit, r->ctx.git_commit); /* cut between characters */
    snprintf(buf, len, "%s%s%s (%s%s%s; %s mode%s)", id, r->ctx.label[0] ? " " : "", r->ctx.label,
             r->ctx.date, r->ctx.git_commit[0] ? ", " : "", commit,
             al_report_is_instructions(r) ? "instructions" : "time", r->ctx.quick ? ", --quick" : "");
}

/* The length of "workload/param/" in a comparison's name (its column). */
static size_t column_len(const char *name)
{
    const char *last = strrchr(name, '/');
    return last ? (size_t)(last - name) + 1 : strlen(name);
}

/* The benchmarks whose allocators all moved together beyond the threshold:
 * what a paired verdict leaves out (the machine, or the workload's code).
 * One line per column, the largest first, at most `most`. */
static void moved_together(FILE *out, const al_compare_view *v, bool md)
{
    enum { most = 8 };
    size_t shown[most], nshown = 0, total = 0, paired = 0;
    for (size_t i = 0; i < v->n; i++) paired += v->c[i].paired;
    if (!paired) return;
    /* Count the columns beyond the threshold (each once: at its first comparison;
     * the ratio is its column's, the same on every comparison of it). */
    for (size_t i = 0; i < v->n; i++) {
        const al_comparison *c = &v->c[i];
        double r = c->column_ratio;
        if (!c->paired || !(r > 0) || fabs(log(r)) <= log1p(v->threshold)) continue;
        if (!c->column_first) continue; /* each column once (a column's figures are the same on all) */
        total++;
        /* Keep the `most` largest, in order. */
        size_t at = nshown;
        while (at > 0 && fabs(log(v->c[shown[at - 1]].column_ratio)) < fabs(log(r))) at--;
        if (at >= most) continue;
        if (nshown < most) nshown++;
        memmove(&shown[at + 1], &shown[at], (nshown - 1 - at) * sizeof *shown);
        shown[at] = i;
    }
    fprintf(out, "%sPaired: each time change is the allocator's against the others of its benchmark in the same "
                 "rounds; ",
            md ? "\n" : "");
    if (!total) {
        fprintf(out, "no benchmark moved as a whole by more than \u00b1%g%%.\n%s", v->threshold * 100, md ? "\n" : "");
        return;
    }
    fprintf(out, "%zu benchmark%s moved as a whole by more than \u00b1%g%% (all allocators alike: the machine's "
                 "load, or the workload's own code; not judged in time mode, --mode instructions tells them apart):\n",
            total, total == 1 ? "" : "s", v->threshold * 100);
    for (size_t k = 0; k < nshown; k++) {
        const al_comparison *c = &v->c[shown[k]];
        fprintf(out, "%s%.*s %+.1f%%\n", md ? "- " : "  ", (int)column_len(c->name) - 1, c->name,
                (c->column_ratio - 1) * 100);
    }
    if (total > nshown) fprintf(out, "%s... and %zu more\n", md ? "- " : "  ", total - nshown);
    if (md) fputc('\n', out); /* what follows is not part of the list */
}

/* The threaded benchmarks not judged because the machine gave them another
 * share of its CPUs in NEW (al_comparison.not_comparable): one entry per
 * column, at most `most` named. */
static void other_cpu_share(FILE *out, const al_compare_view *v, bool md)
{
    enum { most = 8 };
    size_t total = 0, named = 0;
    char *list = NULL;
    size_t list_len = 0;
    FILE *l = open_memstream(&list, &list_len);
    if (!l) return;
    for (size_t i = 0; i < v->n; i++) {
        const al_comparison *c = &v->c[i];
        if (!c->not_comparable || !c->column_first) continue; /* each column once */
        total++;
        if (named++ < most)
            fprintf(l, "%s%.*s %.2f -> %.2f", named > 1 ? ", " : "", (int)column_len(c->name) - 1, c->name,
                    c->cpus_base, c->cpus_new);
    }
    if (named > most) fprintf(l, " and %zu more", named - most);
    fclose(l);
    if (total)
        fprintf(out, "%sNot judged: %zu threaded benchmark%s kept another share of the CPUs busy in NEW (CPUs, "
                     "median over the allocators; a process that took a core changes how allocators rank, for "
                     "real): %s\n%s",
                md ? "\n" : "", total, total == 1 ? "" : "s", list, md ? "\n" : "");
    free(list);
}

int al_report_compare(FILE *out, const al_compare_view *v, al_compare_style style, size_t counts[3])
{
    char b[160], a[160];
    bool md = style == AL_COMPARE_MARKDOWN;
    describe(v->base, b, sizeof b);
    describe(v->new_run, a, sizeof a);
    int width = 10;
    for (size_t i = 0; i < v->n; i++) width = (int)fmax(width, (double)strlen(v->c[i].name));
    char libs[512];
    bool lib_changes = al_compare_lib_changes(v->base, v->new_run, libs, sizeof libs) > 0;
    if (md && lib_changes) /* the table is posted where stderr's warning is not seen */
        fprintf(out, "> **Library versions differ** (%s): a change on those backends may be the library's.\n\n", libs);
    if (md)
        fprintf(out, "Comparing %s -> %s\n\n| benchmark | base | new | change (95%% CI) | verdict |\n"
                     "|:--|--:|--:|:--:|:--|\n", b, a);
    else
        fprintf(out, "base: %s\nnew:  %s\n%s\n", b, a,
                v->defaulted ? "(default: the newest run and the latest before it of the same mode and --quick flag)\n" : "");
    counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < v->n; i++) {
        const al_comparison *c = &v->c[i];
        char x[32], y[32];
        al_report_fmt_value(v->base, c->base_median, x, sizeof x);
        al_report_fmt_value(v->new_run, c->new_median, y, sizeof y);
        double lo = (c->ratio_lo - 1) * 100, mid = (c->ratio - 1) * 100, hi = (c->ratio_hi - 1) * 100;
        counts[c->verdict]++;
        char fl[64] = ""; /* a noise floor learned above the threshold is said */
        if (c->not_comparable) snprintf(fl, sizeof fl, " (not judged: %.2f -> %.2f CPUs)", c->cpus_base, c->cpus_new);
        else if (c->floor > v->threshold + 1e-9) snprintf(fl, sizeof fl, " (noise floor \u00b1%.1f%%)", c->floor * 100);
        if (md)
            fprintf(out, "| `%s` | %s | %s | %+.1f%% [%+.1f%%, %+.1f%%] | %s%s%s%s |\n", c->name, x, y, mid, lo, hi,
                    c->verdict ? "**" : "", verdict_name(c->verdict), c->verdict ? "**" : "", fl);
        else
            fprintf(out, "%-*s  %10s -> %-10s  change: [%+.1f%% %+.1f%% %+.1f%%]  %s%s\n", width, c->name, x, y, lo,
                    mid, hi, verdict_name(c->verdict), fl);
    }
    al_compare_coverage cov = al_compare_cover(v->base, v->new_run);
    size_t not_ok = cov.both - v->n;
    fprintf(out, "\n%zu compared: %zu improved, %zu regressed, %zu unchanged (threshold \u00b1%g%%)", v->n,
            counts[AL_IMPROVED], counts[AL_REGRESSED], counts[AL_UNCHANGED], v->threshold * 100);
    if (cov.only_base || cov.only_new || not_ok)
        fprintf(out, "; not compared: %zu only in base, %zu only in new, %zu not ok", cov.only_base, cov.only_new,
                not_ok);
    fputc('\n', out);
    other_cpu_share(out, v, md);
    moved_together(out, v, md);
    return al_report_finish(out);
}
