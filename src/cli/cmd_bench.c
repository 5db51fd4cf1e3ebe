/* alloclab bench: run the benchmark suite, report it, keep it in the history.
 *
 * Every input is checked before anything runs: options, numbers, the plan
 * (allocators, workloads, filter; a plan that matches nothing is refused),
 * the instruction mode's availability, the --out / --html files (opened
 * without truncation; a file this command created is removed again if a
 * later check fails) and the history (opened and validated: a file that is
 * not an alloclab database is refused untouched). So bad input costs
 * nothing, leaves existing files and the history untouched, and gives one
 * line on stderr with exit status 2. A run that cannot be stored once it has
 * finished (disk full, a lock held too long) is still reported, then said
 * so in one line, with exit status 1. */
#include "cli.h"

#include "callgrind.h"
#include "reports.h"
#include "history.h"
#include "report_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LIST 64

typedef struct bench_opts {
    al_bench_config cfg;
    char *alloc_buf, *wl_buf; /* the split copies of --allocators / --workloads */
    const char *allocs[MAX_LIST], *wls[MAX_LIST];
    const char *alloc_arg, *wl_arg; /* the lists as given, for messages */
    bool list, no_db;
    const char *format, *out_path, *html_path, *db_path, *label;
} bench_opts;

static const char usage_text[] =
    "usage: alloclab bench [OPTIONS]\n"
    "  --allocators LIST    comma-separated specs (wrappers allowed); default: every available backend\n"
    "  --workloads LIST     comma-separated 'name' or 'name/param'; default: the whole suite\n"
    "  --filter REGEX       POSIX extended regex over workload/param/allocator\n"
    "  --list               print what would run, one per line\n"
    "  --quick              fewer and shorter samples (CI-sized)\n"
    "  --samples N          samples per benchmark (default 20; quick 10)\n"
    "  --min-sample-ms X    shortest sample (default 1; quick 0.5)\n"
    "  --mode time|instructions   wall time, or instruction counts under callgrind\n"
    "  --iters N            instructions mode: warm iterations counted (default 1)\n"
    "  --format table|json|csv|markdown   the report (default table)\n"
    "  --out FILE           write the report there (the table still goes to stdout)\n"
    "  --html FILE          also write a self-contained HTML report\n"
    "  --db PATH            results history (default " AL_HISTORY_DEFAULT_PATH ")\n"
    "  --save LABEL         label this run in the history\n"
    "  --no-db              do not store the run\n"
    "  --quiet              no progress line\n";

/* ----------------------------------------------------------------------------
 * Option parsing: 0, -1 after --help, or the exit status of a usage error.
 * ------------------------------------------------------------------------- */
/* Split a comma-separated list in place; every item must be non-empty. */
static int split_list(const char *opt, const char *arg, char **buf, const char **v, size_t *n)
{
    free(*buf);
    *buf = strdup(arg);
    if (!*buf) return al_cli_usage_error("out of memory");
    *n = 0;
    for (char *t = *buf; t; ) {
        char *comma = strchr(t, ',');
        if (comma) *comma = '\0';
        if (!*t) return al_cli_usage_error("%s: empty item in '%s' (a comma-separated list of names)", opt, arg);
        if (*n == MAX_LIST) return al_cli_usage_error("%s: at most %d entries", opt, MAX_LIST);
        v[(*n)++] = t;
        t = comma ? comma + 1 : NULL;
    }
    return 0;
}

static int parse_count(const char *opt, const char *arg, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v < 1 || v > 100000)
        return al_cli_usage_error("%s: '%s' is not a whole number from 1 to 100000", opt, arg);
    *out = (size_t)v;
    return 0;
}

static int parse_ms(const char *opt, const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 60000)
        return al_cli_usage_error("%s: '%s' is not a number of milliseconds in (0, 60000]", opt, arg);
    *out = v;
    return 0;
}

/* The options that take a value: an option is known before its value is
 * looked for, so "--bogus" last is an unknown option, not a missing value. */
static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"--allocators", "--workloads", "--filter", "--samples",
                                             "--iters", "--min-sample-ms", "--mode", "--format",
                                             "--out", "--html", "--db", "--save"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (strcmp(opt, with_value[i]) == 0) return true;
    return false;
}

/* Whether two paths name one file: the same existing inode, or the same
 * text when the files do not exist yet. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    o->format = "table";
    o->db_path = AL_HISTORY_DEFAULT_PATH;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        int rc = 0;
        /* --name=value: the same as --name value. */
        char name[32];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq) {
            if ((size_t)(eq - a) >= sizeof name) return al_cli_usage_error("bench: unknown option '%s'", a);
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            if (!takes_value(name)) return al_cli_usage_error("bench: unknown option '%s'", name);
            a = name;
            val = eq + 1;
            takes = false;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return -1;
        } else if (strcmp(a, "--list") == 0) o->list = true, takes = false;
        else if (strcmp(a, "--quick") == 0) o->cfg.quick = true, takes = false;
        else if (strcmp(a, "--quiet") == 0) o->cfg.quiet = true, takes = false;
        else if (strcmp(a, "--no-db") == 0) o->no_db = true, takes = false;
        else if (strncmp(a, "--", 2) != 0) return al_cli_usage_error("bench: unexpected argument '%s'", a);
        else if (!takes_value(a)) return al_cli_usage_error("bench: unknown option '%s'", a);
        else if (!val) return al_cli_usage_error("%s needs a value", a);
        else if (strcmp(a, "--allocators") == 0) {
            rc = split_list(a, val, &o->alloc_buf, o->allocs, &o->cfg.nallocators);
            o->cfg.allocators = o->allocs;
            o->alloc_arg = val;
        } else if (strcmp(a, "--workloads") == 0) {
            rc = split_list(a, val, &o->wl_buf, o->wls, &o->cfg.nworkloads);
            o->cfg.workloads = o->wls;
            o->wl_arg = val;
        } else if (strcmp(a, "--filter") == 0) o->cfg.filter = val;
        else if (strcmp(a, "--samples") == 0) rc = parse_count(a, val, &o->cfg.samples);
        else if (strcmp(a, "--iters") == 0) rc = parse_count(a, val, &o->cfg.instr_iters);
        else if (strcmp(a, "--min-sample-ms") == 0) rc = parse_ms(a, val, &o->cfg.min_sample_ms);
        else if (strcmp(a, "--mode") == 0) {
            if (strcmp(val, "time") == 0) o->cfg.mode = AL_MODE_TIME;
            else if (strcmp(val, "instructions") == 0) o->cfg.mode = AL_MODE_INSTRUCTIONS;
            else rc = al_cli_usage_error("--mode: '%s' is not time or instructions", val);
        } else if (strcmp(a, "--format") == 0) {
            if (al_cli_format(val, false, &rc)) o->format = val;
        } else if (strcmp(a, "--out") == 0) o->out_path = val;
        else if (strcmp(a, "--html") == 0) o->html_path = val;
        else if (strcmp(a, "--db") == 0) o->db_path = val;
        else if (strcmp(a, "--save") == 0) {
            if (!*val || strlen(val) >= sizeof ((al_bench_context *)0)->label)
                rc = al_cli_usage_error("--save: the label must be 1 to 63 characters");
            o->label = val;
        }
        if (rc) return rc;
        if (takes) i++;
    }
    if (o->db_path && !*o->db_path) return al_cli_usage_error("--db needs a path");
    if (o->label && o->no_db) return al_cli_usage_error("--save LABEL stores the run: it cannot go with --no-db");
    /* A report written over the results database (or over the other report)
     * would destroy it: refuse the same file under two roles. */
    const char *roles[][2] = {{"--out", o->out_path}, {"--html", o->html_path}, {"--db", o->no_db ? NULL : o->db_path}};
    for (size_t x = 0; x < 3; x++)
        for (size_t y = x + 1; y < 3; y++)
            if (roles[x][1] && roles[y][1] && same_file(roles[x][1], roles[y][1]))
                return al_cli_usage_error("%s and %s name the same file '%s'", roles[x][0], roles[y][0], roles[x][1]);
    return 0;
}

/* ----------------------------------------------------------------------------
 * The command.
 * ------------------------------------------------------------------------- */
static int print_list(const al_bench_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s/%s/%s\n", items[i].workload->name, items[i].param, items[i].allocator);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* A plan that matches nothing: say which options narrowed it to nothing. */
static int empty_plan_error(const bench_opts *o)
{
    char sel[512] = "";
    size_t len = 0;
    const char *opt[] = {"--workloads", "--allocators", "--filter"};
    const char *val[] = {o->wl_arg, o->alloc_arg, o->cfg.filter};
    for (size_t i = 0; i < 3; i++)
        if (val[i] && len < sizeof sel)
            len += (size_t)snprintf(sel + len, sizeof sel - len, "%s%s '%s'", len ? " " : "", opt[i], val[i]);
    return al_cli_usage_error("no benchmark matches %s (alloclab bench --list shows the suite)",
                              len ? sel : "the default suite");
}

/* A plan error in the command's words: the harness says what is wrong, the
 * CLI adds where to look (the library's own hints name its API). */
static int plan_error(const al_bench_error *e)
{
    switch (e->kind) {
    case AL_BENCH_ERR_ALLOCATOR:
        if (e->registry == AL_ERR_UNKNOWN_BACKEND)
            return al_cli_usage_error("unknown allocator '%s' (see 'alloclab list')", e->name);
        if (e->registry == AL_ERR_UNKNOWN_WRAPPER)
            return al_cli_usage_error("unknown wrapper '%s' (see 'alloclab list')", e->name);
        return al_cli_usage_error("%s", e->message);
    case AL_BENCH_ERR_WORKLOAD:
        return al_cli_usage_error("%s (alloclab bench --list shows them)", e->message);
    default:
        return al_cli_usage_error("%s", e->message);
    }
}

/* The command valgrind runs for an instruction count: this executable's
 * hidden bench --callgrind-child entry. */
static const char *const *callgrind_child(char *exe, size_t len, const char **argv3)
{
    ssize_t n = readlink("/proc/self/exe", exe, len - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    argv3[0] = exe;
    argv3[1] = "bench";
    argv3[2] = "--callgrind-child";
    argv3[3] = NULL;
    return argv3;
}

static int run_bench(bench_opts *o)
{
    al_bench_plan plan;
    al_bench_error perr;
    if (al_bench_plan_make(&o->cfg, &plan, &perr) != 0) return plan_error(&perr);
    int rc = plan.n == 0 ? empty_plan_error(o) : o->list ? print_list(plan.items, plan.n) : -1;
    if (rc < 0 && o->cfg.mode == AL_MODE_INSTRUCTIONS && al_callgrind_unavailable())
        rc = al_cli_usage_error("--mode instructions: %s", al_callgrind_unavailable());
    if (rc >= 0) {
        al_bench_plan_free(&plan);
        return rc;
    }
    char exe[4096];
    const char *child[4];
    o->cfg.callgrind_child = callgrind_child(exe, sizeof exe, child);

    al_cli_out out = {0}, html = {0};
    al_history *h = NULL;
    rc = al_cli_out_open(&out, "--out", o->out_path);
    if (rc == 0) rc = al_cli_out_open(&html, "--html", o->html_path);
    if (rc == 0 && !o->no_db) rc = al_cli_history_open(o->db_path, &h);
    al_bench_run run = {0};
    if (o->label) snprintf(run.ctx.label, sizeof run.ctx.label, "%s", o->label);
    if (rc == 0 && al_bench_run_plan(&o->cfg, &plan, NULL, &run, &perr) != 0) rc = plan_error(&perr);
    for (size_t i = 0; i < plan.nskipped && !o->cfg.quiet; i++)
        fprintf(stderr, "alloclab: note: skipping allocator '%s': %s\n", plan.skipped[i].allocator, plan.skipped[i].why);
    al_bench_plan_free(&plan);
    if (rc != 0) {
        al_cli_out_abandon(&out);
        al_cli_out_abandon(&html);
        al_history_close(h);
        return rc;
    }

    al_report_clean_run(&run);
    int status = 0;
    al_report_fn fmt = al_report_format_find(o->format)->write;
    if (out.f) {
        status |= al_cli_out_write(&out, fmt, &run);
        if (fmt != al_report_table && al_report_table(stdout, &run) != 0) status = 1;
    } else if (fmt(stdout, &run) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "alloclab: warning: writing the report to stdout failed\n");
        status = 1;
    }
    status |= al_cli_out_write(&html, al_report_html, &run);
    if (h) status |= al_cli_history_save(o->db_path, h, &run, o->cfg.quiet);
    al_history_close(h);
    for (size_t i = 0; i < run.nresults; i++)
        if (run.results[i].status == AL_RUN_FAILED) status = 1;
    al_bench_run_free(&run);
    return status;
}

int al_cmd_bench(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--callgrind-child") == 0) return al_callgrind_child_main(argc, argv);
    bench_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc == 0) rc = run_bench(&o);
    else if (rc < 0) rc = 0; /* --help */
    free(o.alloc_buf);
    free(o.wl_buf);
    return rc;
}
