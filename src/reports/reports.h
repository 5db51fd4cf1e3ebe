/* The report formats of a run: terminal table, JSON in Google Benchmark's
 * schema (and its reader), CSV, Markdown and a self-contained HTML page.
 * Each writes to a FILE and returns -1 on a write error. */
#ifndef ALLOCLAB_REPORTS_H
#define ALLOCLAB_REPORTS_H

#include "results.h"

#include <stdio.h>

/* ----------------------------------------------------------------------------
 * Reports (report_*.c). 0 on success, -1 on a write error.
 * ------------------------------------------------------------------------- */
int al_report_table(FILE *out, const al_bench_run *run);
int al_report_json(FILE *out, const al_bench_run *run);
int al_report_csv(FILE *out, const al_bench_run *run);
int al_report_markdown(FILE *out, const al_bench_run *run);
int al_report_html(FILE *out, const al_bench_run *run);
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

#endif
