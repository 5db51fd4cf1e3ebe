/* The Markdown report: one table per workload, ready to paste in a pull
 * request. Rows are allocators, columns the workload's parameters; a cell is
 * the median with its CI (the shared format of al_report_fmt_time_ci) and the
 * ratio to the lowest median of that column; the fastest is bold only when
 * its CI is clear of the others (else the tie is marked). Unsupported and failed cells say so, and
 * their reasons follow the table. A --quick run is flagged above the tables. Cell text never breaks the table: '|' and
 * line breaks are escaped, and '<' '>' too (GitHub would take them for HTML). */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cell_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else if (*s == '<') fputs("&lt;", out); /* else GitHub takes it for HTML */
        else if (*s == '>') fputs("&gt;", out);
        else if (*s == '\n' || *s == '\r') fputc(' ', out);
        else fputc(*s, out);
    }
}

/* A cell: the value in the shared CI format (al_report_fmt_result), bold with
 * "(fastest)" only when the winner's CI overlaps no other; a tie for first
 * says "(tied)" on each of its cells, not bold; elsewhere the ratio. */
static void cell(FILE *out, const al_bench_run *run, const al_bench_result *r, double fastest)
{
    al_report_cell c;
    al_report_cell_of(run, r, fastest, &c);
    if (!c.present) {
        fputs(" \u2014 |", out);
        return;
    }
    if (!c.has_value) {
        fprintf(out, " %s |", r->status == AL_RUN_FAILED ? "**failed**" : "*unsupported*");
        return;
    }
    fputs(c.rank == AL_RANK_FASTEST ? " **" : " ", out);
    cell_text(out, c.text);
    if (c.rank == AL_RANK_FASTEST) fputs(" (fastest)**", out);
    else if (c.rank == AL_RANK_TIED && c.value == fastest) fputs(" (tied)", out);
    else if (c.rank == AL_RANK_TIED && fastest > 0) fprintf(out, " (%.2f\u00d7, tied)", c.ratio);
    else if (fastest > 0) fprintf(out, " (%.2f\u00d7)", c.ratio);
    fputs(" |", out);
}

static void workload_table(FILE *out, const al_bench_run *run, const char *workload,
                           const char **params, const char **allocs)
{
    size_t np = al_report_distinct(run, AL_FIELD_PARAM, workload, params);
    size_t na = al_report_distinct(run, AL_FIELD_ALLOCATOR, workload, allocs);
    fprintf(out, "### %s\n\n", workload);
    const al_workload *w = al_workload_find(workload);
    if (w && w->description && w->description[0]) {
        fputc('*', out);
        cell_text(out, w->description);
        fputs("*\n\n", out);
    }
    fputs("| allocator |", out);
    for (size_t p = 0; p < np; p++) {
        fputc(' ', out);
        cell_text(out, params[p]);
        fputs(" |", out);
    }
    fputs("\n|:--|", out);
    for (size_t p = 0; p < np; p++) fputs("--:|", out);
    fputc('\n', out);
    for (size_t a = 0; a < na; a++) {
        fputs("| ", out);
        cell_text(out, allocs[a]);
        fputs(" |", out);
        for (size_t p = 0; p < np; p++)
            cell(out, run, al_bench_run_find(run, workload, params[p], allocs[a]),
                 al_report_fastest(run, workload, params[p]));
        fputc('\n', out);
    }
    bool header = false;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0 || r->status == AL_RUN_OK) continue;
        if (!header) fputc('\n', out);
        header = true;
        fprintf(out, "- `%s/%s` %s: ", r->param, r->allocator, al_run_status_name(r->status));
        cell_text(out, r->reason[0] ? r->reason : "no reason given");
        fputc('\n', out);
    }
    fputc('\n', out);
}

int al_report_markdown(FILE *out, const al_bench_run *run)
{
    const char **names = calloc(run->nresults ? run->nresults * 3 : 1, sizeof *names);
    if (!names) return -1;
    const char **params = names + run->nresults, **allocs = params + run->nresults;
    const al_bench_context *c = &run->ctx;
    if (al_report_is_instructions(run))
        fputs("Per iteration: instructions (instr, exact, callgrind) and estimated cycles (cyc); (N\u00d7) = "
              "ratio of instructions to the lowest; lower is better.\n\n", out);
    else
        fputs("Time per iteration: median \u00b1 the longer side of its 95% CI, or [low, high] when the CI is "
              "wide and lopsided; (N\u00d7) = ratio to the lowest median; **fastest** only when no other "
              "median lies in its CI nor its median in another's, (tied) otherwise; lower is better.\n\n", out);
    if (c->quick)
        fputs("> A `--quick` run: few, short samples (CI-sized), below the full statistical bar; "
              "draw conclusions from a full run.\n\n", out);
    size_t nw = al_report_distinct(run, AL_FIELD_WORKLOAD, NULL, names);
    for (size_t w = 0; w < nw; w++) workload_table(out, run, names[w], params, allocs);
    fputs("<sub>", out);
    cell_text(out, c->host);
    fputs(" \u00b7 ", out);
    cell_text(out, c->cpu);
    fprintf(out, " \u00b7 %d CPUs \u00b7 ", c->ncpus);
    cell_text(out, c->compiler);
    fprintf(out, " %s \u00b7 alloclab %s%s%s \u00b7 %s</sub>\n", c->build_type, c->alloclab_version,
            c->git_commit[0] ? " @ " : "", c->git_commit, c->date);
    free(names);
    return al_report_finish(out);
}
