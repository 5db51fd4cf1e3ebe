/* The profile as a self-contained HTML page: live bytes over time and the
 * size histogram as inline SVG, then the text report. No script, no external
 * resource: the page can be mailed or attached to an issue. Its frame and
 * escaping are the benchmark report's (src/reports/html_page.h).
 */
#include "profile.h"

#include "html_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char css[] = "body{font-family:sans-serif;margin:2em;max-width:60em}\n"
                          "pre{font-size:12px;background:#f6f6f6;padding:1em;overflow-x:auto}\n";

enum { W = 760, H = 260, L = 70, R = 20, T = 20, B = 40 };

static void live_chart(FILE *out, const al_profile *p)
{
    char b[32];
    double max = p->peak_bytes ? (double)p->peak_bytes : 1;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
                 "aria-label=\"live bytes over time\">\n", W, H);
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n", L, T,
            W - L - R, H - T - B);
    for (int i = 0; i <= 4; i++) {
        double y = T + (H - T - B) * (1 - i / 4.0);
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>", L, y, W - R, y);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", L - 6, y + 4);
        al_html_escape(out, al_profile_fmt_bytes(max * i / 4, b, sizeof b));
        fputs("</text>\n", out);
    }
    fputs("<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"", out);
    for (size_t i = 0; i < AL_PROFILE_SERIES; i++) {
        double x = L + (double)(W - L - R) * (double)i / (AL_PROFILE_SERIES - 1);
        double y = T + (H - T - B) * (1 - (double)p->series[i] / max);
        fprintf(out, "%.1f,%.1f ", x, y);
    }
    fputs("\"/>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">0</text>", L, H - B + 16);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", W - R, H - B + 16);
    al_html_escape(out, al_profile_fmt_time((double)p->duration_ns, b, sizeof b));
    fputs("</text>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">time</text>\n", (W + L) / 2, H - 8);
    fputs("</svg>\n", out);
}

static void size_chart(FILE *out, const al_profile *p)
{
    int lo = -1, hi = -1;
    uint64_t max = 0;
    for (int i = 0; i < AL_PROFILE_BUCKETS; i++)
        if (p->size_hist[i]) {
            if (lo < 0) lo = i;
            hi = i;
            if (p->size_hist[i] > max) max = p->size_hist[i];
        }
    if (lo < 0) return;
    int n = hi - lo + 1;
    double bw = (double)(W - L - R) / n;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
                 "aria-label=\"allocation sizes\">\n", W, H);
    for (int i = lo; i <= hi; i++) {
        double h = (double)(H - T - B) * (double)p->size_hist[i] / (double)max;
        double x = L + bw * (i - lo);
        char b[32];
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#59a14f\"><title>%" PRIu64
                     " blocks</title></rect>",
                x + 1, T + (H - T - B) - h, bw - 2, h, p->size_hist[i]);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">", x + bw / 2, H - B + 14);
        al_html_escape(out, al_profile_fmt_bytes((double)al_profile_bucket_low((unsigned)i), b, sizeof b));
        fputs("</text>\n", out);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">requested size (from)</text>\n",
            (W + L) / 2, H - 8);
    fputs("</svg>\n", out);
}

int al_profile_html(FILE *out, const al_profile *p, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) return -1;
    int rc = al_profile_text(mem, p, path);
    if (fclose(mem) != 0) rc = -1;
    if (rc != 0) {
        free(text);
        return -1;
    }
    char *title;
    if (asprintf(&title, "alloclab profile: %s", path) < 0) {
        free(text);
        return -1;
    }
    al_html_page_begin(out, title, css);
    free(title);
    fputs("<h2>Live bytes over time</h2>\n", out);
    live_chart(out, p);
    fputs("<h2>Allocation sizes</h2>\n", out);
    size_chart(out, p);
    fputs("<h2>Report</h2>\n<pre>", out);
    al_html_escape(out, text);
    fputs("</pre>\n", out);
    al_html_page_end(out);
    free(text);
    return ferror(out) ? -1 : 0;
}
