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
 * samples; out->id = 0). 0 on success; -1 with a one-line reason in err when
 * the file is unreadable, not JSON, or not in that schema. On failure `out`
 * holds nothing to free. */
int al_report_json_read(const char *path, al_bench_run *out, char *err, size_t errlen);

#endif
