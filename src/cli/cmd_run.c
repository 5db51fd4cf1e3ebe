/* alloclab run [OPTIONS] -- PROGRAM [ARGS...]: a whole program timed under
 * each allocator (src/run/), reported like hyperfine and like bench.
 *
 * Every input is checked before the first run: options, the allocators
 * (each must be resolvable to a library on this machine), the program (found
 * and executable), --input (readable), the report files and the history. Bad
 * input is one line and exit 2. A run that fails under one allocator is that
 * allocator's failure, listed with its reason; the command then exits 1
 * after its report, as bench does for a failed benchmark. A finished run the
 * history cannot store is kept as a JSON report, as bench's is
 * (cli_unsaved.c), and the command exits 1. */
#include "cli.h"

#include "reports.h"
#include "report_util.h"
#include "run.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ALLOCS 16

static const char usage_text[] =
    "usage: alloclab run [OPTIONS] -- PROGRAM [ARGS...]\n"
    "  --allocators LIST    comma-separated: sys (glibc), je, mi, tc (their Debian libraries, preloaded),\n"
    "                       or any registry spec through liballoclab-malloc.so (lab, arena, stats:sys...);\n"
    "                       default: sys, je, mi, tc and lab, those available (alloclab list shows them)\n"
    "  --runs N             measured runs per allocator (default 10), after one warm-up run each\n"
    "  --input FILE         the program's stdin for every run (default /dev/null)\n"
    "  --check-output       stdout must be byte for byte the same under every allocator\n"
    "  --expect-status N    the exit status every run must have (default 0)\n"
    "  --timeout SECONDS    longest run; past it the program is killed (default 600)\n"
    "  --format table|json|csv|markdown   the report (default table)\n"
    "  --out FILE           write the report there (the table still goes to stdout)\n"
    "  --html FILE          also write a self-contained HTML report\n"
    "  --db PATH            results history (default " AL_HISTORY_DEFAULT_PATH ")\n"
    "  --save LABEL         label this run in the history\n"
    "  --no-db              do not store the run\n"
    "  --quiet              no progress line\n";

typedef struct run_opts {
    al_run_config cfg;
    al_run_allocator allocs[MAX_ALLOCS];
    const char *format, *out_path, *html_path, *db_path, *label;
    bool no_db, quiet;
} run_opts;

/* ---- options ---------------------------------------------------------------- */

static int parse_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= lo && v <= hi))
        return al_cli_usage_error("%s: '%s' is not a number from %g to %g", opt, arg, lo, hi);
    *out = v;
    return 0;
}

static int parse_allocators(run_opts *o, const char *arg)
{
    char buf[1024], err[512];
    if (strlen(arg) >= sizeof buf) return al_cli_usage_error("--allocators: the list is too long");
    snprintf(buf, sizeof buf, "%s", arg);
    o->cfg.nallocs = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->cfg.nallocs == MAX_ALLOCS) return al_cli_usage_error("--allocators: at most %d", MAX_ALLOCS);
        for (size_t i = 0; i < o->cfg.nallocs; i++)
            if (strcmp(o->allocs[i].name, t) == 0) return al_cli_usage_error("--allocators: '%s' twice", t);
        if (al_run_allocator_resolve(t, &o->allocs[o->cfg.nallocs], err, sizeof err) != 0)
            return al_cli_usage_error("--allocators: %s", err);
        o->cfg.nallocs++;
    }
    if (o->cfg.nallocs == 0 || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
        return al_cli_usage_error("--allocators: '%s' is not a comma-separated list of names", arg);
    return 0;
}

/* Whether the program can be executed: a path, or a name found on PATH. */
static int check_program(const char *prog)
{
    if (!*prog) return al_cli_usage_error("run: the program name is empty");
    if (strchr(prog, '/')) {
        struct stat st;
        if (stat(prog, &st) != 0) return al_cli_usage_error("run: %s: %s", prog, strerror(errno));
        if (!S_ISREG(st.st_mode) || access(prog, X_OK) != 0)
            return al_cli_usage_error("run: %s is not an executable file", prog);
        return 0;
    }
    const char *path = getenv("PATH");
    char dir[4096];
    for (const char *p = path ? path : "/usr/bin:/bin"; p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(dir, sizeof dir, "%.*s/%s", (int)n, n ? p : ".", prog);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISREG(st.st_mode) && access(dir, X_OK) == 0) return 0;
        p = colon ? colon + 1 : NULL;
    }
    return al_cli_usage_error("run: '%s' is not on PATH", prog);
}

static int parse_args(int argc, char **argv, run_opts *o)
{
    o->format = "table";
    o->db_path = AL_HISTORY_DEFAULT_PATH;
    o->cfg.runs = AL_RUN_DEFAULT_RUNS;
    o->cfg.timeout_s = AL_RUN_DEFAULT_TIMEOUT_S;
    int i = 1;
    bool have_allocs = false;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        bool missing = false;
        const char *v;
        double x;
        int rc = 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return -1;
        } else if (strcmp(argv[i], "--check-output") == 0) o->cfg.check_output = true;
        else if (strcmp(argv[i], "--no-db") == 0) o->no_db = true;
        else if (strcmp(argv[i], "--quiet") == 0) o->quiet = true;
        else if ((v = al_cli_option_value(argc, argv, &i, "--allocators", &missing))) {
            rc = parse_allocators(o, v);
            have_allocs = true;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--runs", &missing))) {
            if ((rc = parse_number("--runs", v, 1, 10000, &x)) == 0 && x != floor(x))
                rc = al_cli_usage_error("--runs: '%s' is not a whole number", v);
            o->cfg.runs = (size_t)x;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--timeout", &missing))) {
            rc = parse_number("--timeout", v, 0.001, 86400, &o->cfg.timeout_s);
        } else if ((v = al_cli_option_value(argc, argv, &i, "--expect-status", &missing))) {
            if ((rc = parse_number("--expect-status", v, 0, 255, &x)) == 0 && x != floor(x))
                rc = al_cli_usage_error("--expect-status: '%s' is not a whole number", v);
            o->cfg.expect_status = (int)x;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--input", &missing))) {
            int fd = open(v, O_RDONLY | O_CLOEXEC);
            struct stat st;
            if (fd < 0) rc = al_cli_usage_error("--input: cannot read '%s': %s", v, strerror(errno));
            else if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) rc = al_cli_usage_error("--input: '%s' is a folder", v);
            if (fd >= 0) close(fd);
            o->cfg.input = v;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--format", &missing))) {
            if (!al_cli_format(v, false, &rc)) return rc;
            o->format = v;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--out", &missing))) o->out_path = v;
        else if ((v = al_cli_option_value(argc, argv, &i, "--html", &missing))) o->html_path = v;
        else if ((v = al_cli_option_value(argc, argv, &i, "--db", &missing))) o->db_path = v;
        else if ((v = al_cli_option_value(argc, argv, &i, "--save", &missing))) {
            if (!*v || strlen(v) >= sizeof ((al_bench_context *)0)->label)
                rc = al_cli_usage_error("--save: the label must be 1 to 63 characters");
            o->label = v;
        } else if (missing) rc = al_cli_usage_error("%s needs a value", argv[i]);
        else if (argv[i][0] == '-') rc = al_cli_usage_error("run: unknown option '%s' (alloclab run --help)", argv[i]);
        else rc = al_cli_usage_error("run: '%s' before '--': the program comes after -- (alloclab run -- %s ...)",
                                     argv[i], argv[i]);
        if (rc) return rc;
    }
    if (i >= argc - 1) return al_cli_usage_error("run: no program: alloclab run [OPTIONS] -- PROGRAM [ARGS...]");
    o->cfg.argv = (const char *const *)argv + i + 1;
    if (!*o->db_path) return al_cli_usage_error("--db needs a path");
    if (o->label && o->no_db) return al_cli_usage_error("--save LABEL stores the run: it cannot go with --no-db");
    if (!have_allocs) {
        o->cfg.nallocs = al_run_default_allocators(o->allocs, MAX_ALLOCS);
        if (o->cfg.nallocs == 0) return al_cli_usage_error("run: no allocator is available (alloclab list)");
    }
    o->cfg.allocs = o->allocs;
    return check_program(o->cfg.argv[0]);
}

/* ---- the summary a person reads --------------------------------------------
 * One line per allocator (wall time with its CI, user and system time, peak
 * RSS, page faults, ratio to glibc), the failures with their reasons, then
 * hyperfine's relative lines: "mi ran 1.31x faster than sys". */

static const char *fmt_kib(long kib, char *buf, size_t len)
{
    if (kib < 0) snprintf(buf, len, "n/a");
    else if (kib >= 1024 * 1024) snprintf(buf, len, "%.2f GiB", kib / 1048576.0);
    else if (kib >= 1024) snprintf(buf, len, "%.1f MiB", kib / 1024.0);
    else snprintf(buf, len, "%ld KiB", kib);
    return buf;
}

/* The baseline: sys when it ran, else the first allocator that did. */
static const al_bench_result *baseline(const al_bench_run *run)
{
    const al_bench_result *first = NULL;
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (r->status != AL_RUN_OK) continue;
        if (strcmp(r->allocator, "sys") == 0) return r;
        if (!first) first = r;
    }
    return first;
}

static int print_summary(FILE *out, const run_opts *o, const al_bench_run *run, const al_run_times *t)
{
    char cmd[256] = "";
    size_t len = 0;
    for (const char *const *a = o->cfg.argv; *a && len < sizeof cmd - 1; a++)
        len += al_report_copy_text(cmd + len, sizeof cmd - len, a == o->cfg.argv ? *a : " "),
            len += a == o->cfg.argv ? 0 : al_report_copy_text(cmd + len, sizeof cmd - len, *a);
    fprintf(out, "alloclab run: %s — %zu runs per allocator after a warm-up, rounds rotated%s%s%s\n\n", cmd,
            o->cfg.runs, o->cfg.check_output ? ", output checked" : "", o->label ? ", label " : "",
            o->label ? run->ctx.label : "");
    const al_bench_result *base = baseline(run);
    int wname = (int)strlen("allocator");
    for (size_t i = 0; i < run->nresults; i++)
        if ((int)strlen(run->results[i].allocator) > wname) wname = (int)strlen(run->results[i].allocator);
    char vs[80] = "";
    if (base) snprintf(vs, sizeof vs, "vs %s", base->allocator);
    fprintf(out, "%-*s  %-24s  %9s  %9s  %10s  %11s  %s\n", wname, "allocator", "wall (median, 95% CI)", "user",
            "system", "peak RSS", "page faults", vs);
    for (size_t i = 0; i < run->nresults; i++) {
        const al_bench_result *r = &run->results[i];
        if (r->status != AL_RUN_OK) {
            fprintf(out, "%-*s  %s\n", wname, r->allocator, al_run_status_name(r->status));
            continue;
        }
        char wall[64], user[32], sys[32], rss[32], flt[32], ratio[32] = "";
        al_report_fmt_time_ci(r->s.median, r->s.ci_low, r->s.ci_high, wall, sizeof wall);
        al_report_fmt_ns(t[i].user_ns, user, sizeof user);
        al_report_fmt_ns(t[i].sys_ns, sys, sizeof sys);
        fmt_kib(r->peak_rss_kib, rss, sizeof rss);
        al_report_fmt_count((double)(r->minor_faults + r->major_faults), flt, sizeof flt);
        if (base) snprintf(ratio, sizeof ratio, "%.2fx", r->s.median / base->s.median);
        /* the ± and µ take one column each, two bytes: pad by display width */
        int pad = 24;
        for (const char *c = wall; *c; c++) pad += ((unsigned char)*c & 0xC0) == 0x80;
        fprintf(out, "%-*s  %-*s  %9s  %9s  %10s  %11s  %s\n", wname, r->allocator, pad, wall, user, sys, rss, flt,
                ratio);
    }
    for (size_t i = 0; i < run->nresults; i++)
        if (run->results[i].status != AL_RUN_OK)
            fprintf(out, "  failed %s: %s\n", run->results[i].allocator, run->results[i].reason);
    if (base) {
        bool header = false;
        for (size_t i = 0; i < run->nresults; i++) {
            const al_bench_result *r = &run->results[i];
            if (r == base || r->status != AL_RUN_OK) continue;
            double ratio, lo, hi; /* base / r: above 1, r is faster */
            al_stat_bootstrap_ratio_ci(r->samples, r->nsamples, base->samples, base->nsamples, 2000, 0.95,
                                       0xa110c1ab, &ratio, &lo, &hi);
            if (!header) fputs("\nSummary\n", out), header = true;
            bool faster = ratio >= 1, clear = lo > 1 || hi < 1;
            double shown = faster ? ratio : 1 / ratio;
            double a = faster ? lo : 1 / hi, b = faster ? hi : 1 / lo;
            fprintf(out, "  %s ran %.2fx %s than %s (95%% CI %.2f-%.2fx%s)\n", r->allocator, shown,
                    faster ? "faster" : "slower", base->allocator, a, b, clear ? "" : ": not a clear difference");
        }
    }
    fputc('\n', out);
    return al_report_finish(out);
}

/* ---- the command ------------------------------------------------------------ */

static int run_command(run_opts *o)
{
    const al_report_format *fmt = al_report_format_find(o->format);
    al_cli_out out = {.opt = "--out", .path = o->out_path, .format = fmt},
               html = {.opt = "--html", .path = o->html_path, .format = al_report_format_find("html")};
    al_history *h = NULL;
    int rc = out.path ? al_cli_out_open(&out) : 0;
    if (rc == 0 && html.path) rc = al_cli_out_open(&html);
    if (rc == 0 && !o->no_db) rc = al_cli_history_open(o->db_path, &h);
    al_bench_run run = {0};
    al_run_times times[MAX_ALLOCS];
    char err[512];
    o->cfg.progress = !o->quiet && isatty(STDERR_FILENO);
    if (rc == 0 && al_run_execute(&o->cfg, &run, times, err, sizeof err) != 0) rc = al_cli_usage_error("run: %s", err);
    if (rc != 0) {
        al_cli_out_abandon(&out);
        al_cli_out_abandon(&html);
        al_history_close(h);
        return rc;
    }
    if (o->label) al_report_copy(run.ctx.label, sizeof run.ctx.label, o->label);
    al_report_clean_run(&run);
    int status = 0;
    bool table = strcmp(fmt->name, "table") == 0;
    if (out.f) status |= al_cli_out_write(&out, &run);
    if ((table || out.f ? print_summary(stdout, o, &run, times) : fmt->write(stdout, &run)) != 0) {
        fprintf(stderr, "alloclab: warning: writing the report to stdout failed\n");
        status = 1;
    }
    status |= al_cli_out_write(&html, &run);
    if (h) status |= al_cli_history_save(o->db_path, h, &run, o->quiet);
    al_history_close(h);
    for (size_t i = 0; i < run.nresults; i++)
        if (run.results[i].status != AL_RUN_OK) status = 1;
    al_bench_run_free(&run);
    return status;
}

int al_cmd_run(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(argc, argv, &o);
    if (rc < 0) return 0; /* --help */
    return rc ? rc : run_command(&o);
}
