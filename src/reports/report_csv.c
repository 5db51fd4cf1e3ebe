/* The CSV report: a header row, then one row per result, in run order.
 *
 * Text fields are quoted as RFC 4180 says (in double quotes, inner quotes
 * doubled) whenever they hold a comma, a quote or a line break; unknown
 * numbers (NaN, -1 = not measured) are empty cells. Columns are only ever
 * added at the end (cpu_median_ns came last), so older readers keep working. */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* A number cell; `unknown_below_zero` makes negative values (the -1 "not
 * measured" convention) empty. */
static void number(FILE *out, double v, bool unknown_below_zero)
{
    fputc(',', out);
    if (isfinite(v) && !(unknown_below_zero && v < 0)) fprintf(out, "%.17g", v);
}

int al_report_csv(FILE *out, const al_bench_run *run)
{
    fputs("name,workload,param,allocator,status,reason,iterations,samples,median_ns,mean_ns,"
          "stddev_ns,mad_ns,min_ns,max_ns,ci_low_ns,ci_high_ns,outliers,peak_rss_kib,"
          "minor_faults,major_faults,alloc_calls,instructions,est_cycles,cpu_median_ns,metric_name,metric,"
          "metric_unit\n",
          out);
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        char name[160];
        const char *fields[] = {al_bench_result_name(r, name, sizeof name), r->workload, r->param,
                                r->allocator, al_run_status_name(r->status), r->reason};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            if (f) fputc(',', out);
            text(out, fields[f]);
        }
        fprintf(out, ",%llu,%zu", (unsigned long long)r->iterations, r->nsamples);
        const double stats[] = {r->s.median, r->s.mean, r->s.stddev, r->s.mad,
                                r->s.min,    r->s.max,  r->s.ci_low, r->s.ci_high};
        for (size_t s = 0; s < sizeof stats / sizeof stats[0]; s++) number(out, stats[s], false);
        fprintf(out, ",%zu", r->s.outliers_low + r->s.outliers_high);
        number(out, (double)r->peak_rss_kib, true);
        number(out, (double)r->minor_faults, true);
        number(out, (double)r->major_faults, true);
        number(out, r->alloc_calls, true);
        number(out, r->instructions, true);
        number(out, r->est_cycles, true);
        number(out, r->cpu_median_ns, true);
        bool m = al_result_has_metric(r);
        fputc(',', out);
        text(out, m ? r->metric_name : "");
        number(out, m ? r->metric : NAN, false);
        fputc(',', out);
        text(out, m ? r->metric_unit : "");
        fputc('\n', out);
    }
    return al_report_finish(out);
}
