/* Internal to the HTML report: XML escaping, allocator colours and the SVG
 * chart of one workload (report_svg.c). */
#ifndef ALLOCLAB_REPORT_HTML_H
#define ALLOCLAB_REPORT_HTML_H

#include "results.h"
#include <stdio.h>

/* Write s with & < > " ' escaped: safe in XML text and attribute values. */
void al_html_escape(FILE *out, const char *s);

/* The colour of the i-th allocator of the run ("#4e79a7"): the same allocator
 * has the same colour in every chart and legend of a page. */
const char *al_html_colour(size_t i);

/* One grouped bar chart for `workload` as an inline <svg> element: for each
 * parameter the allocators' bars side by side with their CI as an error bar
 * and a value label; unsupported and failed results as a hatched gap.
 * `allocs`/`nallocs` are the run's allocators in colour order; `index` makes
 * the element ids of this chart unique in the page. */
void al_html_chart(FILE *out, const al_bench_run *run, const char *workload, const char **allocs,
                   size_t nallocs, size_t index);

#endif
