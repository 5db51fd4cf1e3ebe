/* The report formats of a run: terminal table, JSON in Google Benchmark's
 * schema (and its reader), CSV, Markdown and a self-contained HTML page.
 * Each writes to a FILE and returns -1 on a write error. */
#ifndef ALLOCLAB_REPORTS_H
#define ALLOCLAB_REPORTS_H

#include "history.h"
#include "results.h"

#include <stdbool.h>
#include <stdio.h>

/* ----------------------------------------------------------------------------
 * Reports (report_*.c). 0 on success, -1 on a write error.
 * ------------------------------------------------------------------------- */
int al_report_table(FILE *out, const al_bench_run *run);
int al_report_json(FILE *out, const al_bench_run *run);
int al_report_csv(FILE *out, const al_bench_run *run);
int al_report_markdown(FILE *out, const al_bench_run *run);
int al_report_html(FILE *out, const al_bench_run *run);
/* The terminal report in parts, for a caller that prints each workload as
 * it finishes: the header, one workload's table, then the end (the
 * warnings of the whole run, gathered once, and the summary that closes
 * it). al_report_table is the three with default options. width: the
 * columns the tables fit in (0 = 120; a table too wide is cut into blocks of
 * parameters); wide: every column (CPU time, allocator calls, system calls)
 * and no width limit. */
typedef struct al_table_opts {
    unsigned width;
    bool wide;
} al_table_opts;

int al_report_table_begin(FILE *out, const al_bench_run *run, const al_table_opts *o);
int al_report_table_workload(FILE *out, const al_bench_run *run, const char *workload, const al_table_opts *o);
int al_report_table_end(FILE *out, const al_bench_run *run, const al_table_opts *o);
/* The three parts over a whole run, with options (al_report_table: none). */
int al_report_table_with(FILE *out, const al_bench_run *run, const al_table_opts *o);

/* Read a file al_report_json wrote back into `out` (context, results and raw
 * samples; out->id = 0), cleaned (al_report_clean_run) and indexed
 * (al_bench_run_index). 0 on success; -1 with a one-line reason in err when
 * the file is unreadable, larger than AL_REPORT_MAX_BYTES, not JSON, not in
 * that schema, beyond the limits of results.h, or would take more than about
 * 24 times its size in memory to parse. Time and memory are linear in the
 * file's size. On failure `out` holds nothing to free. al_report_json_parse
 * reads the same from memory (`name` for messages). */
#define AL_REPORT_MAX_BYTES (256u << 20)
int al_report_json_read(const char *path, al_bench_run *out, char *err, size_t errlen);
int al_report_json_parse(const char *data, size_t len, const char *name, al_bench_run *out, char *err,
                         size_t errlen);

/* ----------------------------------------------------------------------------
 * The table of formats (report_formats.c): every command that writes a run
 * finds its writer here, by name (--format NAME) or by a file's extension
 * (--out r.json), and lists the names and help from it.
 * ------------------------------------------------------------------------- */
typedef int (*al_report_fn)(FILE *out, const al_bench_run *run);

typedef struct al_report_format {
    const char *name;       /* "json" */
    const char *ext;        /* ".json": a file ending so is written in this format */
    al_report_fn write;
    const char *help;       /* one line */
    bool file_only;         /* a page for a browser (html): never to stdout */
} al_report_format;

size_t al_report_format_count(void);
const al_report_format *al_report_format_at(size_t i);
/* By name; NULL for an unknown one. */
const al_report_format *al_report_format_find(const char *name);
/* By the extension of path (".htm" too for html); NULL when none matches. */
const al_report_format *al_report_format_of_path(const char *path);
/* The names as prose for a message or a usage line: "table, json, csv or
 * markdown" (with_files: "..., markdown or html"; sep "|" gives
 * "table|json|csv|markdown"). Into buf; returns buf. */
const char *al_report_format_names(bool with_files, const char *sep, char *buf, size_t len);

/* Whether the run was measured in instructions mode (values are counts). */
bool al_report_is_instructions(const al_bench_run *run);

/* ----------------------------------------------------------------------------
 * A comparison of two runs (report_compare.c): a line per benchmark in
 * criterion's manner ("change: [-1.2% +0.3% +1.8%]  no change") or a
 * Markdown table for a pull request, then the count of verdicts and what
 * was not compared.
 * ------------------------------------------------------------------------- */
typedef struct al_compare_view {
    const al_bench_run *base, *new_run;
    const al_comparison *c;   /* al_compare_runs(base, new_run, threshold) */
    size_t n;
    double threshold;         /* fraction */
    bool defaulted;           /* the pair was chosen by default: say how */
} al_compare_view;

typedef enum al_compare_style { AL_COMPARE_TEXT = 0, AL_COMPARE_MARKDOWN = 1 } al_compare_style;

/* 0, or -1 on a write error; counts[verdict] gets the number of each. */
int al_report_compare(FILE *out, const al_compare_view *v, al_compare_style style, size_t counts[3]);

#endif
