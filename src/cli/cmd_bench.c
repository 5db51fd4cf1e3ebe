/* alloclab bench: run the benchmark suite, report it, keep it in the history.
 *
 * Every input is checked before anything runs: options, numbers, the plan
 * (allocators, workloads, filter; a plan that matches nothing is refused),
 * the instruction mode's availability, the --out / --html files (opened
 * without truncation; a file this command created is removed again if a
 * later check fails) and the history (opened and validated: a file that is
 * not an alloclab database is refused untouched). So bad input costs
 * nothing, leaves existing files and the history untouched, and gives one
 * line on stderr with exit status 2. A finished run that cannot be stored
 * (disk full, a lock held too long) is still reported and kept as a JSON
 * report (cli_unsaved.c), then said so in one line naming that file, with
 * exit status 1. */
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
#define MAX_OUTPUTS 8

/* A report file (cli.h): where, in which format, the option that named it. */
typedef al_cli_out out_file;

typedef struct bench_opts {
    al_bench_config cfg;
    char *alloc_buf, *wl_buf; /* the split copies of --allocators / --workloads */
    const char *allocs[MAX_LIST], *wls[MAX_LIST];
    const char *alloc_arg, *wl_arg; /* the lists as given, for messages */
    bool list, no_db, wide, db_given;
    const al_report_format *format; /* --format, NULL when not given */
    const char *db_path, *label;
    out_file outs[MAX_OUTPUTS];
    size_t nouts;
} bench_opts;

static const char usage_text[] =
    "usage: alloclab bench [OPTIONS]\n"
    "  --allocators LIST    comma-separated specs (wrappers allowed); default: every available backend\n"
    "  --workloads LIST     comma-separated 'name' or 'name/param'; default: the whole suite\n"
    "  --filter REGEX       POSIX extended regex over workload/param/allocator\n"
    "  --list               print what would run, one per line\n"
    "  --quick              fewer and shorter samples (CI-sized)\n"
    "  --samples N          samples per benchmark (default 30; quick 10)\n"
    "  --processes N        child processes per benchmark, one per pass over the suite, the samples split\n"
    "                       among them (default 6; quick 2)\n"
    "  --min-sample-ms X    shortest sample (default 1; quick 0.5)\n"
    "  --mode time|instructions   wall time, or instruction counts under callgrind\n"
    "  --iters N            instructions mode: warm iterations counted (default 1)\n"
    "  --format FORMAT      the report on stdout (%s; default table), or of an --out\n"
    "                       FILE whose extension names no format\n"
    "  --out FILE           also write a report there, in the format of its extension (%s);\n"
    "                       repeatable; the table still goes to stdout\n"
    "  --export-FORMAT FILE the same for one format: %s\n"
    "  --html FILE          the same as --export-html FILE\n"
    "  --wide               every column (CPU time, allocator and system calls), no 120-column limit\n"
    "  --no-syscalls        skip the untimed pass that counts brk/mmap/munmap/mremap/madvise calls\n"
    "  --db PATH            results history (default " AL_HISTORY_DEFAULT_PATH ")\n"
    "  --save LABEL         label this run in the history\n"
    "  --no-db              do not store the run\n"
    "  --quiet              no progress line\n";

static void print_usage(void)
{
    char names[128], exts[128], exports[256];
    size_t used = 0, eused = 0;
    exts[0] = exports[0] = '\0';
    for (size_t i = 0; i < al_report_format_count(); i++) {
        const al_report_format *f = al_report_format_at(i);
        used += (size_t)snprintf(exts + used, sizeof exts - used, "%s%s", i ? " " : "", f->ext);
        eused += (size_t)snprintf(exports + eused, sizeof exports - eused, "%s--export-%s", i ? ", " : "", f->name);
    }
    printf(usage_text, al_report_format_names(false, "|", names, sizeof names), exts, exports);
}

/* ----------------------------------------------------------------------------
 * Option parsing: 0, -1 after --help, or the exit status of a usage error.
 * ------------------------------------------------------------------------- */
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

/* Whether two paths name one file: the same existing inode, or the same
 * text when the files do not exist yet. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

static int add_output(bench_opts *o, const char *opt, const char *path, const al_report_format *f)
{
    if (!*path) return al_cli_usage_error("%s needs a file name", opt);
    if (o->nouts == MAX_OUTPUTS) return al_cli_usage_error("at most %d report files", MAX_OUTPUTS);
    o->outs[o->nouts++] = (out_file){.opt = opt, .path = path, .format = f};
    return 0;
}

/* After parsing: every --out file gets its format (its extension, else
 * --format), and no file serves two roles. */
static int check_outputs(bench_opts *o)
{
    for (size_t x = 0; x < o->nouts; x++) {
        for (size_t y = x + 1; y < o->nouts; y++)
            if (same_file(o->outs[x].path, o->outs[y].path))
                return al_cli_usage_error("%s and %s name the same file '%s'", o->outs[x].opt, o->outs[y].opt,
                                          o->outs[x].path);
        if (!o->no_db && same_file(o->outs[x].path, o->db_path))
            return al_cli_usage_error("%s and --db name the same file '%s'", o->outs[x].opt, o->outs[x].path);
    }
    for (size_t x = 0; x < o->nouts; x++) {
        out_file *of = &o->outs[x];
        if (!of->format) of->format = al_report_format_of_path(of->path);
        if (!of->format) of->format = o->format;
        if (!of->format) {
            char names[128];
            return al_cli_usage_error("%s: the extension of '%s' names no format (%s): add --format", of->opt,
                                      of->path, al_report_format_names(true, NULL, names, sizeof names));
        }
    }
    return 0;
}

/* An explicit --db in a folder that does not exist is a mistake to point
 * out, not a folder to make (the default alloclab-results/ is made). */
static int check_db_folder(const bench_opts *o)
{
    if (!o->db_given || o->no_db) return 0;
    const char *slash = strrchr(o->db_path, '/');
    if (!slash || slash == o->db_path) return 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - o->db_path), o->db_path);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return al_cli_usage_error("--db: the folder '%s' does not exist (create it, or leave --db out for %s)", dir,
                                  AL_HISTORY_DEFAULT_PATH);
    return 0;
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
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
            if (!al_cli_bench_takes_value(name)) return al_cli_usage_error("bench: unknown option '%s'", name);
            a = name;
            val = eq + 1;
            takes = false;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage();
            return -1;
        } else if (strcmp(a, "--list") == 0) o->list = true, takes = false;
        else if (strcmp(a, "--quick") == 0) o->cfg.quick = true, takes = false;
        else if (strcmp(a, "--quiet") == 0) o->cfg.quiet = true, takes = false;
        else if (strcmp(a, "--no-db") == 0) o->no_db = true, takes = false;
        else if (strcmp(a, "--wide") == 0) o->wide = true, takes = false;
        else if (strcmp(a, "--no-syscalls") == 0) o->cfg.no_syscalls = true, takes = false;
        else if (strncmp(a, "--", 2) != 0) return al_cli_usage_error("bench: unexpected argument '%s'", a);
        else if (!al_cli_bench_takes_value(a)) return al_cli_usage_error("bench: unknown option '%s'", a);
        else if (!val) return al_cli_usage_error("%s needs a value", a);
        else if (strcmp(a, "--allocators") == 0) {
            rc = al_cli_split_list(a, val, &o->alloc_buf, o->allocs, MAX_LIST, &o->cfg.nallocators);
            o->cfg.allocators = o->allocs;
            o->alloc_arg = val;
        } else if (strcmp(a, "--workloads") == 0) {
            rc = al_cli_split_list(a, val, &o->wl_buf, o->wls, MAX_LIST, &o->cfg.nworkloads);
            o->cfg.workloads = o->wls;
            o->wl_arg = val;
        } else if (strcmp(a, "--filter") == 0) o->cfg.filter = val;
        else if (strcmp(a, "--samples") == 0) rc = al_cli_count(a, val, 1, 100000, &o->cfg.samples);
        else if (strcmp(a, "--processes") == 0) rc = al_cli_count(a, val, 1, 100000, &o->cfg.processes);
        else if (strcmp(a, "--iters") == 0) rc = al_cli_count(a, val, 1, 100000, &o->cfg.instr_iters);
        else if (strcmp(a, "--min-sample-ms") == 0) rc = parse_ms(a, val, &o->cfg.min_sample_ms);
        else if (strcmp(a, "--mode") == 0) rc = al_cli_mode(val, &o->cfg.mode);
        else if (strcmp(a, "--format") == 0) o->format = al_cli_format(val, false, &rc);
        else if (strcmp(a, "--out") == 0) rc = add_output(o, "--out", val, NULL);
        else if (strcmp(a, "--html") == 0) rc = add_output(o, "--html", val, al_report_format_find("html"));
        else if (strncmp(a, "--export-", 9) == 0) rc = add_output(o, argv[i], val, al_report_format_find(a + 9));
        else if (strcmp(a, "--db") == 0) o->db_path = val, o->db_given = true;
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
    int rc = check_outputs(o);
    return rc ? rc : check_db_folder(o);
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

/* ----------------------------------------------------------------------------
 * While the suite runs: each workload's table as soon as its last group is
 * done, and the ETA's expectation from the last stored run of this kind.
 * ------------------------------------------------------------------------- */
typedef struct live {
    const al_bench_plan *plan;
    al_table_opts topts;
    bool stream;           /* the table goes to stdout as the run goes */
    bool begun;
    al_bench_run prev;     /* the last stored run of the same mode and --quick flag, or empty */
    int status;            /* 1 once a write to stdout failed */
} live;

static void on_group(void *ctx, const al_bench_run *run, size_t first, size_t n)
{
    live *lv = ctx;
    if (!lv->stream) return;
    size_t end = first + n;
    const al_bench_item *it = &lv->plan->items[first];
    if (end < lv->plan->n && lv->plan->items[end].workload == it->workload) return; /* more of it to come */
    if (!lv->begun && al_report_table_begin(stdout, run, &lv->topts) != 0) lv->status = 1;
    lv->begun = true;
    if (al_report_table_workload(stdout, run, it->workload->name, &lv->topts) != 0 || fflush(stdout) != 0)
        lv->status = 1;
}

/* The previous run's timed work for these items (samples x iterations x
 * median), plus an allowance for set-up, calibration, the untimed
 * verification and system-call passes (a quarter, and 50 ms per process: an
 * estimate, not a calibrated figure); < 0 when the previous run lacks one
 * of them. Once a workload has run in this run, its own pace replaces this. */
static double expect_s(void *ctx, const al_bench_item *items, size_t n)
{
    live *lv = ctx;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const al_bench_result *r =
            al_bench_run_find(&lv->prev, items[i].workload->name, items[i].param, items[i].allocator);
        if (!r) return -1;
        if (r->status == AL_RUN_OK && isfinite(r->s.median))
            sum += (double)r->nsamples * (double)r->iterations * r->s.median * 1e-9;
    }
    return sum * 1.25 + 0.05 * (double)n;
}

static void load_previous(al_history *h, const al_bench_config *cfg, al_bench_run *prev)
{
    const char *mode = cfg->mode == AL_MODE_INSTRUCTIONS ? "instructions" : "time";
    char err[256];
    for (int k = 0; h && k < 8; k++) {
        al_bench_run r = {0};
        if (al_history_load(h, NULL, k, &r, err, sizeof err) != 0) return;
        if (strcmp(r.ctx.mode, mode) == 0 && r.ctx.quick == cfg->quick) {
            *prev = r;
            return;
        }
        al_bench_run_free(&r);
    }
}

static al_cli_bench_finish_fn finish_fn;
static void *finish_ctx;

void al_cli_bench_set_finish(al_cli_bench_finish_fn fn, void *ctx)
{
    finish_fn = fn;
    finish_ctx = ctx;
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
    o->cfg.callgrind_child = al_cli_callgrind_child(exe, sizeof exe, child);

    al_history *h = NULL;
    rc = 0;
    for (size_t i = 0; i < o->nouts && rc == 0; i++) rc = al_cli_out_open(&o->outs[i]);
    /* A database this creates stays even if the run cannot start: another
     * process may be storing into it already. */
    if (rc == 0 && !o->no_db) rc = al_cli_history_open(o->db_path, &h);

    /* stdout: the table as the run goes, or the --format report at the end
     * when that is all that was asked for. */
    const al_report_format *to_stdout = o->format && o->nouts == 0 ? o->format : al_report_format_find("table");
    live lv = {.plan = &plan, .topts = {.wide = o->wide}, .stream = to_stdout->write == al_report_table && !finish_fn};
    load_previous(h, &o->cfg, &lv.prev);
    al_bench_hooks hooks = {.on_group = on_group, .expect_s = expect_s, .ctx = &lv};

    al_bench_run run = {0};
    if (o->label) snprintf(run.ctx.label, sizeof run.ctx.label, "%s", o->label);
    if (rc == 0 && al_bench_run_plan(&o->cfg, &plan, &hooks, &run, &perr) != 0) rc = plan_error(&perr);
    al_bench_run_free(&lv.prev);
    if (rc != 0) {
        for (size_t i = 0; i < o->nouts; i++) al_cli_out_abandon(&o->outs[i]);
        al_history_close(h);
        al_bench_plan_free(&plan);
        return rc;
    }

    if (finish_fn) finish_fn(&run, &o->cfg, finish_ctx);
    al_report_clean_run(&run);
    int status = lv.status;
    if (lv.stream) {
        if (!lv.begun && al_report_table_begin(stdout, &run, &lv.topts) != 0) status = 1;
        if (al_report_table_end(stdout, &run, &lv.topts) != 0) status = 1;
    } else if (to_stdout->write(stdout, &run) != 0) {
        status = 1;
    }
    if (fflush(stdout) != 0 || status) {
        fprintf(stderr, "alloclab: warning: writing the report to stdout failed\n");
        status = 1;
    }
    /* Gathered at the end, with the places the run went. */
    for (size_t i = 0; i < plan.nskipped && !o->cfg.quiet; i++)
        fprintf(stderr, "alloclab: note: skipped allocator '%s': %s\n", plan.skipped[i].allocator, plan.skipped[i].why);
    al_bench_plan_free(&plan);
    for (size_t i = 0; i < o->nouts; i++) {
        int w = al_cli_out_write(&o->outs[i], &run);
        if (w == 0 && !o->cfg.quiet) fprintf(stderr, "alloclab: wrote the %s report to %s\n", o->outs[i].format->name,
                                             o->outs[i].path);
        status |= w;
    }
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
