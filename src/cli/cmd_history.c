/* alloclab history BENCH: one benchmark's median (with its 95% CI) over the
 * stored runs, oldest first, one line per run with date, label and commit.
 * BENCH is workload/param/allocator, or a prefix of whole components
 * (glibc-simple, glibc-simple/64) for every benchmark under it. A run's kind
 * is tagged: "quick" for a --quick run, "instr" for an instructions-mode
 * one; the change is taken from the previous run of the same mode only
 * (instructions and nanoseconds do not compare). */
#include "cli.h"

#include "history.h"
#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: alloclab history BENCH [--db PATH]\n"
    "BENCH: workload/param/allocator (or a workload, or workload/param)\n";

static int by_name_then_run(const void *a, const void *b)
{
    const al_history_point *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->run_id > y->run_id) - (x->run_id < y->run_id);
}

static void value(double v, char *buf, size_t len)
{
    al_report_fmt_ns(v, buf, len);
}

static bool is_instr(const al_history_point *p) { return strcmp(p->mode, "instructions") == 0; }

static void print_point(const al_history_point *p, double prev)
{
    char commit[13], date[21], label[17], med[32], lo[32], hi[32], tags[16];
    /* cut between characters (text from the database may be any UTF-8) */
    al_report_copy(commit, sizeof commit, p->git_commit[0] ? p->git_commit : "-");
    al_report_copy(date, sizeof date, p->date);
    al_report_copy(label, sizeof label, p->label[0] ? p->label : "-");
    snprintf(tags, sizeof tags, "%s%s%s", is_instr(p) ? "instr" : "", is_instr(p) && p->quick ? "," : "",
             p->quick ? "quick" : "");
    printf("  #%-4lld %-20s  %-16s %-12s %-11s ", p->run_id, date, label,
           commit, tags);
    if (p->status != AL_RUN_OK) {
        printf("%s\n", al_run_status_name(p->status));
        return;
    }
    double v = p->instructions >= 0 ? p->instructions : p->median;
    if (p->instructions >= 0) {
        printf("%12.0f instr", v);
    } else {
        value(p->median, med, sizeof med);
        value(p->ci_low, lo, sizeof lo);
        value(p->ci_high, hi, sizeof hi);
        printf("%10s  [%s, %s]", med, isfinite(p->ci_low) ? lo : "?", isfinite(p->ci_high) ? hi : "?");
    }
    if (isfinite(prev) && prev > 0) printf("  %+.1f%%", (v / prev - 1) * 100);
    putchar('\n');
}

int al_cmd_history(int argc, char **argv)
{
    const char *db = AL_HISTORY_DEFAULT_PATH, *bench = NULL;
    size_t nbench = 0;
    al_cli_parser p = {.cmd = "history", .usage = usage, .db = &db, .operands = &bench, .max_operands = 1,
                       .noperands = &nbench, .too_many = "history takes one benchmark name"};
    int rc = al_cli_parse(argc, argv, &p);
    if (rc >= 0) return rc;
    if (!bench) return al_cli_usage_error("history needs a benchmark: workload/param/allocator");
    char err[512];
    al_history *h = al_history_open(db, false, err, sizeof err);
    if (!h) return al_cli_usage_error("%s", err);
    size_t n;
    al_history_point *pts = al_history_series(h, bench, &n, err, sizeof err);
    al_history_close(h);
    if (!pts) return al_cli_usage_error("%s", err);
    if (n == 0) {
        free(pts);
        return al_cli_usage_error("no stored result for '%s' in %s", bench, db);
    }
    qsort(pts, n, sizeof *pts, by_name_then_run);
    double prev[2] = {NAN, NAN}; /* the last value of a time run, of an instructions run */
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(pts[i].name, pts[i - 1].name) != 0) {
            printf("%s%s  (median per iteration, 95%% CI, change from the previous run of its mode;"
                   " tags: quick = a --quick run, instr = instructions mode)\n", i ? "\n" : "", pts[i].name);
            prev[0] = prev[1] = NAN;
        }
        bool instr = pts[i].instructions >= 0;
        print_point(&pts[i], prev[instr]);
        if (pts[i].status == AL_RUN_OK) prev[instr] = instr ? pts[i].instructions : pts[i].median;
    }
    free(pts);
    return 0;
}
