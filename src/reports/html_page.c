/* The frame of every HTML page alloclab writes (html_page.h): one head, one
 * escaping, one palette. A page is self-contained (inline CSS and SVG, no
 * script, no external asset) and well-formed XML, so it can be mailed,
 * attached to an issue or checked by an XML parser. */
#include "html_page.h"

void al_html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') fputc(' ', out);
            else fputc(*s, out);
        }
    }
}

const char *al_html_colour(size_t i)
{
    static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1",
                                          "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"};
    return palette[i % (sizeof palette / sizeof palette[0])];
}

void al_html_page_begin(FILE *out, const char *title, const char *css)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<title>", out);
    al_html_escape(out, title);
    fputs("</title>\n<style>\n", out);
    fputs(css, out);
    fputs("</style>\n</head>\n<body>\n<main>\n<h1>", out);
    al_html_escape(out, title);
    fputs("</h1>\n", out);
}

void al_html_page_end(FILE *out) { fputs("</main>\n</body>\n</html>\n", out); }
