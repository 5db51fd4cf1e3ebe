/* Writing an HTML page alloclab makes (the benchmark report, report_html.c;
 * the trace profile, src/profile/profile_html.c): the page's frame, escaping
 * and the palette, so that every page is built and escaped the same way. */
#ifndef ALLOCLAB_HTML_PAGE_H
#define ALLOCLAB_HTML_PAGE_H

#include <stddef.h>
#include <stdio.h>

/* Write s with & < > " ' escaped and control characters (but newline and
 * tab) as spaces: safe in XML 1.0 text and attribute values. */
void al_html_escape(FILE *out, const char *s);

/* The colour of the i-th series of a page ("#4e79a7"): the same allocator
 * has the same colour in every chart and legend of a page. */
const char *al_html_colour(size_t i);

/* The page's start, up to its heading: the doctype, an XHTML root (the page
 * is also well-formed XML), UTF-8, the viewport, `title` (escaped) as the
 * title and as the <h1>, the inline `css` (no external asset), then
 * <body><main>. al_html_page_end closes what this opened. */
void al_html_page_begin(FILE *out, const char *title, const char *css);
void al_html_page_end(FILE *out);

#endif
