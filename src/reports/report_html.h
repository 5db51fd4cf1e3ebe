/* Internal to the HTML report: the SVG chart of one workload (report_svg.c);
 * escaping and colours are every page's (html_page.h). */
#ifndef ALLOCLAB_REPORT_HTML_H
#define ALLOCLAB_REPORT_HTML_H

#include "html_page.h"
#include "results.h"
#include <stdio.h>

/* What a chart shows: the report's value (time per iteration, or
 * instructions), or the benchmark processes' peak RSS. */
typedef enum al_chart_metric { AL_CHART_TIME = 0, AL_CHART_RSS = 1 } al_chart_metric;

/* One grouped bar chart for `workload` as an inline <svg class="chart time">
 * (or "chart rss") element: for each parameter the allocators' bars side by
 * side (with their CI as an error bar for time) and a value label, the peak
 * RSS and page faults in each bar's tooltip; unsupported and failed results
 * as a hatched gap. The view box is as wide as the groups need.
 * `allocs`/`nallocs` are the run's allocators in colour order; `index`
 * makes the element ids of this chart unique in the page. */
void al_html_chart(FILE *out, const al_bench_run *run, const char *workload, const char **allocs,
                   size_t nallocs, size_t index, al_chart_metric metric);

/* Whether some result of the workload has a value for that chart. */
bool al_html_chart_has(const al_bench_run *run, const char *workload, al_chart_metric metric);

#endif
