/* The HTML report: one self-contained page (inline CSS and SVG, no script, no
 * external asset) that is also well-formed XML. First the answer: the run's
 * summary (the headline line and the ranking of allocators). Then per
 * workload: a chart of the time beside a chart of the peak RSS, a table of
 * medians (allocators x parameters, each cell with its peak RSS and page
 * faults) and the reasons of unsupported or failed results, then every
 * number in a <details> block; finally the machine context with the
 * libraries' versions. All text from the run is escaped. */
#include "report_html.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- page parts ------------------------------------------------------------- */

static const char css[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:0;"
    "background:#fafafa}\n"
    "main{max-width:1040px;margin:0 auto;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 6px;border-bottom:1px solid #ddd}\n"
    ".sub{color:#666;margin:0 0 16px}\n"
    "svg.chart{width:100%;height:auto;background:#fff;border:1px solid #e4e4e4;border-radius:6px}\n"
    "svg text{font-family:system-ui,sans-serif;fill:#333}\n"
    ".tick{font-size:11px;fill:#666}.axis{font-size:12px;fill:#555}.note{font-size:12px;font-style:italic}\n"
    ".legend{font-size:12.5px}.param{font-size:12.5px;font-weight:600}.value{font-size:10.5px;fill:#222}\n"
    ".gaplabel{font-size:11px;fill:#a33;font-style:italic}\n"
    ".grid{stroke:#eee}.base{stroke:#888}.ci{stroke:#222;stroke-width:1.3;fill:none}\n"
    "table{border-collapse:collapse;margin:10px 0;background:#fff;font-size:13.5px;width:100%}\n"
    ".desc{color:#555;margin:0 0 10px;font-style:italic}.quick{background:#fff6e0;border:1px solid #f0d9a0;"
    "padding:6px 10px;border-radius:4px}\n"
    "table.summary th:first-child{width:7.5em}table.all{font-size:11.5px}table.all th,table.all td{padding:3px 5px}\n"
    "th,td{border:1px solid #e0e0e0;padding:4px 9px;text-align:right;vertical-align:top}\n"
    "th:first-child,td:first-child{text-align:left}th{background:#f2f2f2}\n"
    "td.best{font-weight:700;background:#eef6ee}td.tied{background:#f5f8ee}td.gap{color:#999;font-style:italic;text-align:center}\n"
    "td.failed{color:#b00;font-weight:700}\n"
    ".ci-pct,.ratio{color:#777;font-size:12px}.why{color:#666;font-size:12.5px;font-weight:400}\n"
    "details{margin:6px 0 0}summary{cursor:pointer;color:#446}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#666}dd{margin:0}\n"
    ".charts{display:grid;grid-template-columns:3fr 2fr;gap:12px;align-items:start}\n"
    "@media (max-width:800px){.charts{grid-template-columns:1fr}}\n"
    ".mem{color:#777;font-size:11.5px}\n"
    "#summary .headline{font-size:18px;font-weight:600;background:#eef3fa;border:1px solid #c9d7ea;"
    "border-radius:6px;padding:10px 14px;margin:12px 0}\n"
    "table.ranking{width:auto;min-width:50%}table.ranking td:nth-child(2),table.ranking th:nth-child(2)"
    "{text-align:left}.note{color:#666;font-size:12.5px}\n";

static void text_el(FILE *out, const char *tag, const char *attrs, const char *s)
{
    fprintf(out, "<%s%s>", tag, attrs);
    al_html_escape(out, s);
    fprintf(out, "</%s>", tag);
}

/* A cell: the value in the shared CI format, then "fastest" (highlighted)
 * when the winner's CI is clear of the others, "tied" on every cell of a tie
 * for first, and the ratio to the lowest value elsewhere. */
static void summary_cell(FILE *out, const al_bench_run *run, const al_bench_result *r, double fastest)
{
    al_report_cell c;
    al_report_cell_of(run, r, fastest, &c);
    if (!c.present) {
        fputs("<td class=\"gap\">\u2014</td>", out);
        return;
    }
    if (!c.has_value) {
        fprintf(out, "<td class=\"%s\">%s", r->status == AL_RUN_FAILED ? "failed" : "gap",
                al_run_status_name(r->status));
        if (r->reason[0]) text_el(out, "div", " class=\"why\"", r->reason);
        fputs("</td>", out);
        return;
    }
    al_report_rank rank = c.rank;
    fprintf(out, "<td%s>", rank == AL_RANK_FASTEST ? " class=\"best\"" : rank == AL_RANK_TIED ? " class=\"tied\"" : "");
    if (al_result_has_metric(r)) {
        char metric[32];
        text_el(out, "strong", " class=\"metric\"", al_report_fmt_metric(r, metric, sizeof metric));
        fputc(' ', out);
    }
    al_html_escape(out, c.text);
    if (rank == AL_RANK_FASTEST) fputs(" <span class=\"ratio\">fastest</span>", out);
    else if (fastest > 0 && c.value != fastest) fprintf(out, " <span class=\"ratio\">%.2f\u00d7</span>", c.ratio);
    if (rank == AL_RANK_TIED) fputs(" <span class=\"ratio\">tied</span>", out);
    if (r->peak_rss_kib > 0 || r->minor_faults >= 0) {
        char rss[32] = "", faults[32] = "";
        if (r->peak_rss_kib > 0) al_report_fmt_bytes((double)r->peak_rss_kib * 1024, rss, sizeof rss);
        if (r->minor_faults >= 0) al_report_fmt_count((double)r->minor_faults, faults, sizeof faults);
        fprintf(out, "<div class=\"mem\">%s%s%s%s%s</div>", rss[0] ? "RSS " : "", rss, rss[0] && faults[0] ? " \u00b7 " : "",
                faults, faults[0] ? " faults" : "");
    }
    fputs("</td>", out);
}

static void summary_table(FILE *out, const al_bench_run *run, const char *workload, const char **params,
                          size_t np, const char **allocs, size_t na)
{
    fputs("<table class=\"summary\"><thead><tr><th>allocator</th>", out);
    for (size_t p = 0; p < np; p++) text_el(out, "th", "", params[p]);
    fputs("</tr></thead><tbody>\n", out);
    for (size_t a = 0; a < na; a++) {
        fputs("<tr>", out);
        text_el(out, "td", "", allocs[a]);
        for (size_t p = 0; p < np; p++)
            summary_cell(out, run, al_bench_run_find(run, workload, params[p], allocs[a]),
                         al_report_fastest(run, workload, params[p]));
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void num_cell(FILE *out, double v, const char *fmt)
{
    if (isfinite(v) && v >= 0) {
        fputs("<td>", out);
        fprintf(out, fmt, v);
        fputs("</td>", out);
    } else {
        fputs("<td class=\"gap\">\u2014</td>", out);
    }
}

static void details_table(FILE *out, const al_bench_run *run, const char *workload)
{
    fputs("<details><summary>All numbers</summary><table class=\"all\"><thead><tr><th>benchmark</th><th>status</th>"
          "<th>median ns</th><th>CI low</th><th>CI high</th><th>mean</th><th>stddev</th><th>MAD</th>"
          "<th>min</th><th>samples \u00d7 iters</th><th>outliers</th><th>peak RSS KiB</th>"
          "<th>faults min/maj</th><th>alloc calls</th><th>instructions</th><th>est. cycles</th><th>metric</th>"
          "<th>brk / mmap / munmap / mremap / madvise (iters)</th></tr></thead>"
          "<tbody>\n", out);
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0) continue;
        char name[160];
        fputs("<tr>", out);
        text_el(out, "td", "", al_bench_result_name(r, name, sizeof name));
        text_el(out, "td", "", al_run_status_name(r->status));
        const double stats[] = {r->s.median, r->s.ci_low, r->s.ci_high, r->s.mean, r->s.stddev, r->s.mad, r->s.min};
        for (size_t s = 0; s < sizeof stats / sizeof stats[0]; s++) num_cell(out, stats[s], "%.1f");
        fprintf(out, "<td>%zu \u00d7 %llu</td><td>%zu</td>", r->nsamples, (unsigned long long)r->iterations,
                r->s.outliers_low + r->s.outliers_high);
        num_cell(out, (double)r->peak_rss_kib, "%.0f");
        if (r->minor_faults >= 0) fprintf(out, "<td>%ld / %ld</td>", r->minor_faults, r->major_faults);
        else fputs("<td class=\"gap\">\u2014</td>", out);
        num_cell(out, r->alloc_calls, "%.1f");
        num_cell(out, r->instructions, "%.0f");
        num_cell(out, r->est_cycles, "%.0f");
        if (al_result_has_metric(r)) {
            char metric[80], value[32];
            snprintf(metric, sizeof metric, "%s %s", r->metric_name, al_report_fmt_metric(r, value, sizeof value));
            text_el(out, "td", "", metric);
        } else {
            fputs("<td class=\"gap\">\u2014</td>", out);
        }
        if (al_syscalls_known(&r->sys))
            fprintf(out, "<td>%llu / %llu / %llu / %llu / %llu (%llu)</td>", (unsigned long long)r->sys.brk,
                    (unsigned long long)r->sys.mmap, (unsigned long long)r->sys.munmap,
                    (unsigned long long)r->sys.mremap, (unsigned long long)r->sys.madvise,
                    (unsigned long long)r->sys.iterations);
        else
            fputs("<td class=\"gap\">\u2014</td>", out);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></details>\n", out);
}

static void context_list(FILE *out, const al_bench_context *c)
{
    char num[32];
    fputs("<h2>Machine and build</h2>\n<dl>\n", out);
    const char *rows[][2] = {{"date", c->date},       {"host", c->host},
                             {"CPU", c->cpu},          {"compiler", c->compiler},
                             {"build type", c->build_type}, {"alloclab", c->alloclab_version},
                             {"git commit", c->git_commit}, {"label", c->label},
                             {"mode", c->mode}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        text_el(out, "dt", "", rows[i][0]);
        text_el(out, "dd", "", rows[i][1][0] ? rows[i][1] : "\u2014");
        fputc('\n', out);
    }
    for (size_t i = 0; i < c->nlibs; i++) {
        char name[40];
        snprintf(name, sizeof name, "%s library", c->libs[i].name);
        text_el(out, "dt", "", name);
        text_el(out, "dd", "", c->libs[i].version);
        fputc('\n', out);
    }
    snprintf(num, sizeof num, "%d", c->ncpus);
    text_el(out, "dt", "", "CPUs");
    text_el(out, "dd", "", num);
    if (c->mhz_per_cpu > 0) {
        snprintf(num, sizeof num, "%.0f MHz", c->mhz_per_cpu);
        text_el(out, "dt", "", "clock");
        text_el(out, "dd", "", num);
    }
    fputs("\n</dl>\n", out);
}

/* ---- the summary: the answer first ------------------------------------------- */

static void summary_section(FILE *out, const al_bench_run *run)
{
    al_run_summary s;
    if (al_run_summary_make(run, &s) != 0) return;
    if (s.nrows == 0) {
        al_run_summary_free(&s);
        return;
    }
    char line[256];
    bool rss = false;
    for (size_t i = 0; i < s.nrows; i++) rss |= isfinite(s.rows[i].rss_gm);
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", out);
    text_el(out, "p", " class=\"headline\"", al_run_summary_line(run, &s, line, sizeof line));
    fprintf(out, "\n<table class=\"ranking\"><thead><tr><th>rank</th><th>allocator</th><th>%s</th>%s"
                 "<th>benchmarks</th></tr></thead><tbody>\n",
            al_report_is_instructions(run) ? "instructions" : "time", rss ? "<th>peak RSS</th>" : "");
    for (size_t i = 0; i < s.nrows; i++) {
        const al_summary_row *r = &s.rows[i];
        fprintf(out, "<tr><td>%zu</td>", i + 1);
        text_el(out, "td", "", r->allocator);
        fprintf(out, "<td>%.2f\u00d7</td>", r->time_gm);
        if (rss && isfinite(r->rss_gm)) fprintf(out, "<td>%.2f\u00d7</td>", r->rss_gm);
        else if (rss) fputs("<td class=\"gap\">\u2014</td>", out);
        if (r->n == s.nbench) fprintf(out, "<td>%zu</td></tr>\n", r->n);
        else fprintf(out, "<td>%zu of %zu</td></tr>\n", r->n, s.nbench);
    }
    fprintf(out, "</tbody></table>\n<p class=\"note\">Geometric mean over the %zu benchmarks (workload and "
                 "parameter) of each allocator's ratio to the %s of each benchmark%s; 1.00\u00d7 is the best on "
                 "every benchmark it ran. An allocator that could not run some benchmarks is ranked on those it "
                 "ran.</p>\n</section>\n",
            s.nbench, al_report_is_instructions(run) ? "fewest instructions" : "fastest",
            rss ? ", and of its peak RSS to the lowest" : "");
    al_run_summary_free(&s);
}

/* ---- the page ----------------------------------------------------------------- */

int al_report_html(FILE *out, const al_bench_run *run)
{
    size_t n = run->nresults ? run->nresults : 1;
    const char **names = calloc(n * 4, sizeof *names);
    if (!names) return -1;
    const char **allocs = names + n, **params = allocs + n, **mine = params + n;
    size_t nw = al_report_distinct(run, AL_FIELD_WORKLOAD, NULL, names);
    size_t na = al_report_distinct(run, AL_FIELD_ALLOCATOR, NULL, allocs);
    const al_bench_context *c = &run->ctx;
    al_html_page_begin(out, "alloclab benchmark report", css);
    fputs("<p class=\"sub\">", out);
    al_html_escape(out, c->date);
    if (c->label[0]) fputs(" \u00b7 label ", out), al_html_escape(out, c->label);
    if (c->git_commit[0]) fputs(" \u00b7 commit ", out), al_html_escape(out, c->git_commit);
    if (al_report_is_instructions(run))
        fputs(" \u00b7 instruction counts (callgrind). Bars: instructions per iteration (exact, no CI); "
              "tables add estimated cycles (L1 + 5 \u00d7 LL + 35 \u00d7 RAM accesses); ratios and "
              "\u201cfastest\u201d are on instructions. Lower is better.</p>\n", out);
    else
        fputs(" \u00b7 wall time. Bars: median time per iteration with its 95% bootstrap CI; cells: "
              "median \u00b1 the longer side of the CI, or [low, high] when it is wide and lopsided. "
              "\u201cfastest\u201d only when no other median lies in its CI nor its median in another\u2019s; "
              "\u201ctied\u201d otherwise. "
              "Lower is better.</p>\n", out);
    if (c->quick)
        fputs("<p class=\"quick\">A <code>--quick</code> run: few, short samples (CI-sized), below the full "
              "statistical bar; draw conclusions from a full run.</p>\n", out);
    if (nw == 0) fputs("<p>No results.</p>\n", out);
    summary_section(out, run);
    for (size_t w = 0; w < nw; w++) {
        fprintf(out, "<section id=\"w%zu\">\n", w);
        text_el(out, "h2", "", names[w]);
        fputc('\n', out);
        const al_workload *wl = al_workload_find(names[w]);
        if (wl && wl->description && wl->description[0]) {
            text_el(out, "p", " class=\"desc\"", wl->description);
            fputc('\n', out);
        }
        fputs("<div class=\"charts\">\n", out);
        al_html_chart(out, run, names[w], allocs, na, w, AL_CHART_TIME);
        if (al_html_chart_has(run, names[w], AL_CHART_RSS)) al_html_chart(out, run, names[w], allocs, na, w, AL_CHART_RSS);
        fputs("</div>\n", out);
        size_t np = al_report_distinct(run, AL_FIELD_PARAM, names[w], params);
        size_t nm = al_report_distinct(run, AL_FIELD_ALLOCATOR, names[w], mine);
        summary_table(out, run, names[w], params, np, mine, nm);
        details_table(out, run, names[w]);
        fputs("</section>\n", out);
    }
    context_list(out, c);
    al_html_page_end(out);
    free(names);
    return al_report_finish(out);
}
