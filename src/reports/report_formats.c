/* The table of report formats: one entry per writer, the only place a
 * format's name, file extension and help are spelled. Commands find writers
 * here (by --format NAME or by an output file's extension) and build their
 * usage lines and error messages from it, so a new format is one line. */
#include "reports.h"

#include <stdio.h>
#include <string.h>

static const al_report_format formats[] = {
    {"table", ".txt", al_report_table, "a table per workload, for a terminal (the default)", false},
    {"json", ".json", al_report_json, "Google Benchmark's schema plus every figure; read back by show and compare", false},
    {"csv", ".csv", al_report_csv, "one row per benchmark", false},
    {"markdown", ".md", al_report_markdown, "tables for a pull request or a README", false},
    {"html", ".html", al_report_html, "a self-contained page with the summary and charts", true},
};

#define NFORMATS (sizeof formats / sizeof formats[0])

size_t al_report_format_count(void) { return NFORMATS; }

const al_report_format *al_report_format_at(size_t i) { return i < NFORMATS ? &formats[i] : NULL; }

const al_report_format *al_report_format_find(const char *name)
{
    for (size_t i = 0; name && i < NFORMATS; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n > k && strcasecmp(s + n - k, tail) == 0;
}

const al_report_format *al_report_format_of_path(const char *path)
{
    for (size_t i = 0; path && i < NFORMATS; i++)
        if (ends_with(path, formats[i].ext)) return &formats[i];
    if (path && ends_with(path, ".htm")) return al_report_format_find("html");
    return NULL;
}

const char *al_report_format_names(bool with_files, const char *sep, char *buf, size_t len)
{
    size_t n = 0, used = 0, k = 0;
    for (size_t i = 0; i < NFORMATS; i++) n += with_files || !formats[i].file_only;
    if (len) buf[0] = '\0';
    for (size_t i = 0; i < NFORMATS && used < len; i++) {
        if (!with_files && formats[i].file_only) continue;
        const char *join = k == 0 ? "" : sep ? sep : k + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, len - used, "%s%s", join, formats[i].name);
        if (w < 0) break;
        used += (size_t)w;
        k++;
    }
    return buf;
}
