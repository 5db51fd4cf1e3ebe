/* The SVG charts of the HTML report: per workload a grouped bar chart of
 * the time (or instructions) and one of the benchmark processes' peak RSS.
 *
 * The view box is 380 high and as wide as its groups need (one group of
 * eight bars is a narrow chart, not a lone cluster in a wide frame), at most
 * 1000; the page scales it. The value axis is linear from zero, or
 * logarithmic over whole decades when the shown values (with their CIs) span
 * more than AL_LOG_SPAN; the axis title says which, and that lower is
 * better. Each bar's tooltip gives the value, the peak RSS and the page
 * faults. Everything drawn is plain SVG 1.1: no script, no external
 * reference. */
#include "report_html.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AL_LOG_SPAN 20.0
#define MAX_VIEW_W 1000.0
#define MIN_VIEW_W 360.0
#define BAR_W 30.0 /* a bar's share of a group, when the width allows */
#define VIEW_H 380.0
#define PLOT_L 78.0
#define PLOT_R 16.0
#define PLOT_T 56.0
#define PLOT_B 44.0
#define HEADROOM 46.0 /* px above the highest value: its label */

typedef struct axis {
    al_chart_metric metric;
    double view_w;
    bool log;
    double lo, hi;     /* domain: linear [0, hi]; log [10^lo, 10^hi] (exponents) */
    double step;       /* linear tick step */
} axis;

/* The charted value of r with its CI: the report's value (time or
 * instructions), or the peak RSS in bytes (no CI). */
static bool chart_value(const al_bench_run *run, const al_bench_result *r, al_chart_metric m, double *v, double *lo,
                        double *hi)
{
    if (m == AL_CHART_TIME) return al_report_value(run, r, v, lo, hi);
    if (r->status != AL_RUN_OK || r->peak_rss_kib <= 0) return false;
    *v = *lo = *hi = (double)r->peak_rss_kib * 1024;
    return true;
}

static const char *chart_fmt(const al_bench_run *run, al_chart_metric m, double v, char *buf, size_t len)
{
    return m == AL_CHART_TIME ? al_report_fmt_value(run, v, buf, len) : al_report_fmt_bytes(v, buf, len);
}

static double y_of(const axis *ax, double v)
{
    double plot_h = VIEW_H - PLOT_T - PLOT_B, f;
    if (ax->log) f = v > 0 ? (log10(v) - ax->lo) / (ax->hi - ax->lo) : 0;
    else f = v / ax->hi;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return PLOT_T + plot_h * (1 - f);
}

static void make_axis(const al_bench_run *run, const char *workload, al_chart_metric m, double view_w, axis *ax)
{
    double vmin = INFINITY, vmax = 0, v, lo, hi;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (strcmp(r->workload, workload) != 0 || !chart_value(run, r, m, &v, &lo, &hi)) continue;
        vmin = fmin(vmin, fmin(v, lo));
        vmax = fmax(vmax, fmax(v, hi));
    }
    memset(ax, 0, sizeof *ax);
    ax->metric = m;
    ax->view_w = view_w;
    if (!(vmax > 0)) vmax = 1;
    if (vmin > 0 && isfinite(vmin) && vmax / vmin > AL_LOG_SPAN) {
        ax->log = true;
        ax->lo = floor(log10(vmin));
        ax->hi = ceil(log10(vmax * 1.15));
        if (ax->hi <= ax->lo) ax->hi = ax->lo + 1;
    } else {
        double raw = vmax * 1.12 / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
        ax->step = mag * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
        ax->hi = ceil(vmax * 1.12 / ax->step) * ax->step;
    }
    /* Room above the highest bar for its value label (rotated on narrow
     * bars), clear of the note in the top corner. */
    for (int i = 0; i < 8 && y_of(ax, vmax) < PLOT_T + HEADROOM; i++) ax->hi += ax->log ? 1 : ax->step;
}

/* A tick label without trailing zeros: "50 ns", "2.5 µs", "0". */
static const char *tick_label(const al_bench_run *run, al_chart_metric m, double v, char *buf, size_t len)
{
    if (v == 0) return "0";
    chart_fmt(run, m, v, buf, len);
    char *dot = strchr(buf, '.');
    if (!dot) return buf;
    char *end = dot + strspn(dot + 1, "0123456789") + 1, *z = end;
    while (z > dot + 1 && z[-1] == '0') z--;
    if (z == dot + 1) z = dot;
    memmove(z, end, strlen(end) + 1);
    return buf;
}

static void grid_line(FILE *out, const al_bench_run *run, const axis *ax, double y, double v)
{
    char buf[32];
    fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", PLOT_L, y,
            ax->view_w - PLOT_R, y);
    fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", PLOT_L - 6, y + 4);
    al_html_escape(out, tick_label(run, ax->metric, v, buf, sizeof buf));
    fputs("</text>\n", out);
}

static void draw_axes(FILE *out, const al_bench_run *run, const axis *ax)
{
    if (ax->log) {
        for (double e = ax->lo; e <= ax->hi + 1e-9; e++) grid_line(out, run, ax, y_of(ax, pow(10, e)), pow(10, e));
    } else {
        for (double v = 0; v <= ax->hi * (1 + 1e-9); v += ax->step) grid_line(out, run, ax, y_of(ax, v), v);
    }
    double ymid = PLOT_T + (VIEW_H - PLOT_T - PLOT_B) / 2;
    const char *what = ax->metric == AL_CHART_RSS ? "peak RSS of the process"
                       : al_report_is_instructions(run) ? "instructions per iteration"
                                                        : "time per iteration";
    fprintf(out, "<text class=\"axis\" transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                 "%s (%s scale)</text>\n", ymid, what, ax->log ? "log" : "linear");
    fprintf(out, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">lower is better"
                 "%s</text>\n", ax->view_w - PLOT_R, PLOT_T - 8, ax->log ? " \u00b7 log scale" : "");
    fprintf(out, "<line class=\"base\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", PLOT_L,
            VIEW_H - PLOT_B, ax->view_w - PLOT_R, VIEW_H - PLOT_B);
}

/* Legend across the top, wrapping; widths estimated from the name length. */
static void draw_legend(FILE *out, const char **allocs, size_t n, double view_w)
{
    double x = PLOT_L, y = 14;
    for (size_t i = 0; i < n; i++) {
        double w = 28 + 7.2 * (double)strlen(allocs[i]);
        if (x + w > view_w - PLOT_R - 90 && x > PLOT_L) x = PLOT_L, y += 18;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/>"
                     "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">", x, y, al_html_colour(i), x + 17, y + 10);
        al_html_escape(out, allocs[i]);
        fputs("</text>\n", out);
        x += w;
    }
}

/* The tooltip: "w/p/a: 1.23 ms; peak RSS 6.19 MiB, 1.2k minor page faults". */
static void bar_title(FILE *out, const al_bench_run *run, const al_bench_result *r, const axis *ax, double v)
{
    char name[160], val[32], rss[32], faults[32];
    fputs("<title>", out);
    al_html_escape(out, al_bench_result_name(r, name, sizeof name));
    fprintf(out, ": %s", chart_fmt(run, ax->metric, v, val, sizeof val));
    if (ax->metric == AL_CHART_TIME && r->peak_rss_kib > 0)
        fprintf(out, "; peak RSS %s", al_report_fmt_bytes((double)r->peak_rss_kib * 1024, rss, sizeof rss));
    if (r->minor_faults >= 0)
        fprintf(out, "%s %s minor page faults", ax->metric == AL_CHART_TIME && r->peak_rss_kib > 0 ? "," : ";",
                al_report_fmt_count((double)r->minor_faults, faults, sizeof faults));
    fputs("</title>", out);
}

static void draw_bar(FILE *out, const al_bench_run *run, const al_bench_result *r, const axis *ax,
                     double x, double bw, size_t colour, const char *id)
{
    double v, lo, hi, base = VIEW_H - PLOT_B;
    char name[160], val[32];
    if (!r) return;
    if (!chart_value(run, r, ax->metric, &v, &lo, &hi)) {
        fprintf(out, "<g class=\"gap\"><title>");
        al_html_escape(out, al_bench_result_name(r, name, sizeof name));
        const char *what = r->status == AL_RUN_FAILED ? "failed" : r->status == AL_RUN_OK ? "not measured" : "unsupported";
        fprintf(out, ": %s</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" "
                     "fill=\"url(#hatch%s)\" stroke=\"%s\" stroke-dasharray=\"3 2\"/>",
                r->status == AL_RUN_OK ? what : al_run_status_name(r->status), x, base - 18, bw, id,
                al_html_colour(colour));
        if (bw >= 70)
            fprintf(out, "<text class=\"gaplabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text></g>\n",
                    x + bw / 2, base - 22, what);
        else
            fprintf(out, "<text class=\"gaplabel\" transform=\"translate(%.1f %.1f) rotate(-90)\">%s</text></g>\n",
                    x + bw / 2 + 3.5, base - 22, what);
        return;
    }
    double y = y_of(ax, v), ylo = y_of(ax, lo), yhi = y_of(ax, hi), cx = x + bw / 2;
    fputs("<g>", out);
    bar_title(out, run, r, ax, v);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x, y, bw,
            fmax(base - y, 0.5), al_html_colour(colour));
    if (yhi < ylo - 1)
        fprintf(out, "<path class=\"ci\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\"/>", cx, ylo, yhi,
                cx - bw / 4, ylo, cx + bw / 4, cx - bw / 4, yhi, cx + bw / 4);
    double ly = fmin(y, yhi) - 4;
    if (bw >= 40)
        fprintf(out, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx, ly);
    else
        fprintf(out, "<text class=\"value\" transform=\"translate(%.1f %.1f) rotate(-90)\">", cx + 3.5, ly);
    al_html_escape(out, chart_fmt(run, ax->metric, v, val, sizeof val));
    fputs("</text></g>\n", out);
}

/* As wide as the groups need: BAR_W per bar and room around each group,
 * within [MIN_VIEW_W, MAX_VIEW_W]. */
static double view_width(size_t np, size_t nm)
{
    double w = PLOT_L + PLOT_R + (double)(np ? np : 1) * ((double)(nm ? nm : 1) * BAR_W / 0.82 + 24);
    return fmax(MIN_VIEW_W, fmin(MAX_VIEW_W, w));
}

void al_html_chart(FILE *out, const al_bench_run *run, const char *workload, const char **allocs,
                   size_t nallocs, size_t index, al_chart_metric metric)
{
    const char **params = calloc(run->nresults ? run->nresults * 2 : 1, sizeof *params);
    if (!params) return;
    const char **mine = params + run->nresults;
    size_t np = al_report_distinct(run, AL_FIELD_PARAM, workload, params);
    size_t nm = al_report_distinct(run, AL_FIELD_ALLOCATOR, workload, mine);
    double view_w = view_width(np, nm);
    axis ax;
    make_axis(run, workload, metric, view_w, &ax);
    char id[32];
    snprintf(id, sizeof id, "%zu%s", index, metric == AL_CHART_RSS ? "r" : "t");
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                 "class=\"chart %s\" style=\"max-width:%.0fpx\" aria-label=\"", view_w, VIEW_H,
            metric == AL_CHART_RSS ? "rss" : "time", view_w);
    al_html_escape(out, workload);
    fprintf(out, ": %s, lower is better\">\n<defs><pattern id=\"hatch%s\" width=\"6\" height=\"6\" "
                 "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                 "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"2\"/>"
                 "</pattern></defs>\n", metric == AL_CHART_RSS ? "peak RSS" : "time", id);
    draw_legend(out, mine, nm, view_w);
    draw_axes(out, run, &ax);
    double gw = (view_w - PLOT_L - PLOT_R) / (double)(np ? np : 1);
    double bw = fmin(56, gw * 0.82 / (double)(nm ? nm : 1));
    for (size_t p = 0; p < np; p++) {
        double gx = PLOT_L + gw * (double)p + (gw - bw * (double)nm) / 2;
        for (size_t a = 0; a < nm; a++) {
            size_t colour = 0;
            while (colour < nallocs && strcmp(allocs[colour], mine[a]) != 0) colour++;
            draw_bar(out, run, al_bench_run_find(run, workload, params[p], mine[a]), &ax,
                     gx + bw * (double)a, bw * 0.92, colour, id);
        }
        fprintf(out, "<text class=\"param\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                PLOT_L + gw * ((double)p + 0.5), VIEW_H - PLOT_B + 18);
        al_html_escape(out, params[p]);
        fputs("</text>\n", out);
    }
    char pname[48];
    fprintf(out, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
            PLOT_L + (view_w - PLOT_L - PLOT_R) / 2, VIEW_H - 6);
    al_html_escape(out, al_report_param_name(workload, pname, sizeof pname));
    fputs("</text>\n", out);
    fputs("</svg>\n", out);
    free(params);
}

bool al_html_chart_has(const al_bench_run *run, const char *workload, al_chart_metric metric)
{
    double v, lo, hi;
    for (size_t i = 0; i < run->nresults; i++)
        if (strcmp(run->results[i].workload, workload) == 0 && chart_value(run, &run->results[i], metric, &v, &lo, &hi))
            return true;
    return false;
}
