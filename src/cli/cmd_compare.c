/* alloclab compare [BASE [NEW]]: verdicts between two stored runs (or JSON
 * reports), one criterion-style line per benchmark and a summary count.
 * BASE and NEW are labels, run ids or FILE.json; the default is the newest
 * run and the latest run before it of the same mode and quick flag (only
 * like runs compare). Two runs of different modes are refused (exit 2); a
 * --quick run against a full one is compared with a warning. Exit 0, 1 with
 * --fail-on-regression when something regressed, 2 on bad input. */
#include "cli.h"

#include "reports.h"
#include "history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct compare_opts {
    const char *db;
    const char *refs[2];
    size_t nrefs;
    double threshold;        /* fraction */
    bool markdown;
    bool fail_on_regression;
    bool no_floor;           /* --no-floor: the threshold alone */
    bool no_reference;       /* --no-reference: time ratios not divided by the machine-speed ratio */
    bool unpaired;           /* --unpaired: time verdicts on absolute medians */
} compare_opts;

static const char usage[] =
    "usage: alloclab compare [BASE [NEW]] [--db PATH] [--threshold PCT] [--format table|markdown]\n"
    "                        [--fail-on-regression] [--no-floor] [--no-reference] [--unpaired]\n"
    "BASE, NEW: a run's label or id in the history, or a FILE.json report (default: the newest run that\n"
    "has an earlier one with the same mode and --quick flag, and that one)\n"
    "--threshold: the smallest change called (default 2% for instructions, 5% for time); a benchmark's\n"
    "noise floor learned from earlier runs of one clean commit in the history raises it (--no-floor: not)\n"
    "--no-reference: time ratios as measured, not divided by the ratio of the two runs' machine-speed\n"
    "reference loop\n"
    "time verdicts are paired: each allocator's time against the others of its benchmark measured in the\n"
    "same rounds, so what the machine does to a whole benchmark is shown apart and not called;\n"
    "--unpaired: judge the absolute times (two machines, one allocator alone)\n";

/* ---- arguments ------------------------------------------------------------ */

static int compare_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    compare_opts *o = ctx;
    const char *v;
    if ((v = al_cli_option_value(argc, argv, i, "--threshold", missing))) {
        char *end;
        double pct = strtod(v, &end);
        if (end == v || (*end && strcmp(end, "%") != 0) || !(pct >= 0 && pct < 100))
            return al_cli_usage_error("--threshold wants a percentage in [0, 100), not '%s'", v);
        o->threshold = pct / 100;
    } else if ((v = al_cli_option_value(argc, argv, i, "--format", missing))) {
        if (strcmp(v, "markdown") != 0 && strcmp(v, "table") != 0)
            return al_cli_usage_error("--format is table or markdown, not '%s'", v);
        o->markdown = strcmp(v, "markdown") == 0;
    } else if (strcmp(argv[*i], "--fail-on-regression") == 0) {
        o->fail_on_regression = true;
    } else if (strcmp(argv[*i], "--no-floor") == 0) {
        o->no_floor = true;
    } else if (strcmp(argv[*i], "--no-reference") == 0) {
        o->no_reference = true;
    } else if (strcmp(argv[*i], "--unpaired") == 0) {
        o->unpaired = true;
    } else {
        return AL_CLI_OWN_UNKNOWN;
    }
    return AL_CLI_OWN_TAKEN;
}

static int parse(int argc, char **argv, compare_opts *o)
{
    memset(o, 0, sizeof *o);
    o->db = AL_HISTORY_DEFAULT_PATH;
    o->threshold = -1; /* by mode, once the runs are known */
    al_cli_parser p = {.cmd = "compare", .usage = usage, .db = &o->db, .option = compare_option, .ctx = o,
                       .operands = o->refs, .max_operands = 2, .noperands = &o->nrefs,
                       .too_many = "compare takes at most two runs, BASE and NEW"};
    return al_cli_parse(argc, argv, &p);
}

/* ---- loading the two runs -------------------------------------------------- */

static bool is_json(const char *ref)
{
    size_t n = strlen(ref);
    return n > 5 && strcmp(ref + n - 5, ".json") == 0;
}

/* Load side `which` (0 base, 1 new) into run; the history is opened on first
 * need. With no run named, both sides come from al_history_default_pair. */
static int load_side(const compare_opts *o, int which, al_history **h, al_bench_run *run)
{
    char err[512], id[32];
    const char *ref = which < (int)o->nrefs ? o->refs[which] : NULL;
    if (ref && is_json(ref)) {
        if (al_report_json_read(ref, run, err, sizeof err) != 0) return al_cli_usage_error("%s", err);
        return 0;
    }
    if (!*h && !(*h = al_history_open(o->db, false, err, sizeof err))) return al_cli_usage_error("%s", err);
    if (o->nrefs == 0) {
        long long ids[2];
        int pr = al_history_default_pair(*h, &ids[0], &ids[1], err, sizeof err);
        if (pr < 0) return al_cli_usage_error("%s: %s", o->db, err);
        if (pr > 0 && which == 0) fprintf(stderr, "alloclab: note: %s\n", err);
        snprintf(id, sizeof id, "%lld", ids[which]);
        ref = id;
    }
    /* BASE alone: NEW is the last run */
    if (al_history_load(*h, ref, 0, run, err, sizeof err) != 0) return al_cli_usage_error("%s", err);
    return 0;
}

/* Whether the two runs measure the same thing: a different mode is refused
 * (-1 after the one-line error), a different quick flag, library versions
 * or a run made with test hooks set are warnings. */
static int check_alike(const al_bench_run *base, const al_bench_run *nw)
{
    bool bi = al_report_is_instructions(base), ni = al_report_is_instructions(nw);
    if (bi != ni)
        return al_cli_usage_error("cannot compare runs of two modes (BASE: %s, NEW: %s): they measure "
                                  "different things; name two runs of one mode", bi ? "instructions" : "time",
                                  ni ? "instructions" : "time");
    if (base->ctx.quick != nw->ctx.quick)
        fprintf(stderr, "alloclab: warning: comparing a --quick run with a full one (%s is the --quick one): "
                        "sample counts differ, verdicts are less reliable\n", base->ctx.quick ? "BASE" : "NEW");
    char libs[512];
    if (al_compare_lib_changes(base, nw, libs, sizeof libs))
        fprintf(stderr, "alloclab: warning: the library versions differ between BASE and NEW (%s): a change on "
                        "those backends may be the library's, not the code's\n", libs);
    for (int k = 0; k < 2; k++) {
        const al_bench_run *r = k ? nw : base;
        if (*r->ctx.test_hooks)
            fprintf(stderr, "alloclab: warning: %s was measured with test hooks set (%s): its figures are altered "
                            "on purpose\n", k ? "NEW" : "BASE", r->ctx.test_hooks);
    }
    return 0;
}

/* ---- the noise floor and what the pair can detect -------------------------- */

/* The history's A/A pairs, when there is a database to learn from (a JSON
 * pair alone has none): an empty floor otherwise. */
static void learn_floor(const compare_opts *o, al_history *h, const al_bench_run *base, const al_bench_run *nw,
                        al_noise_floor *f)
{
    memset(f, 0, sizeof *f);
    char err[256];
    if (o->no_floor || !h) return;
    if (al_noise_floor_learn(h, base, nw, f, err, sizeof err) != 0)
        fprintf(stderr, "alloclab: warning: no noise floor from the history: %s\n", err);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One line on the floor, one on the smallest slowdown each benchmark could
 * be called regressed at: the median and the worst over the compared ones. */
static void print_detectable(const compare_opts *o, const al_noise_floor *f, const al_comparison *c, size_t n)
{
    if (f->pairs)
        printf("noise floor: learned from %zu A/A pair%s of runs (one clean commit) in the history\n", f->pairs,
               f->pairs == 1 ? "" : "s");
    else if (!o->no_floor)
        printf("noise floor: none learned (the history holds no two like runs of one clean commit): the threshold "
               "alone\n");
    if (n == 0) return;
    double *d = malloc(n * sizeof *d);
    if (!d) return;
    size_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        d[i] = c[i].detectable;
        if (c[i].detectable > c[worst].detectable) worst = i;
    }
    qsort(d, n, sizeof *d, cmp_double);
    printf("detectable: a slowdown is called from +%.1f%% (median over the benchmarks), +%.1f%% at worst (%s)\n",
           d[n / 2] * 100, c[worst].detectable * 100, c[worst].name);
    free(d);
}

/* One line on the machine-speed reference of two time runs. */
static void print_speed(const compare_opts *o, const al_bench_run *base, const al_bench_run *nw)
{
    if (al_report_is_instructions(nw)) return;
    al_speed s;
    if (!al_compare_speed(base, nw, &s)) {
        printf("machine speed: not measured in both runs (an older run or report): time ratios as measured\n");
        return;
    }
    printf("machine speed: the reference loop took %+.1f%% [%+.1f%%, %+.1f%%] in NEW: time ratios %s\n",
           (s.ratio - 1) * 100, (s.ratio * exp(-s.down) - 1) * 100, (s.ratio * exp(s.up) - 1) * 100,
           o->no_reference ? "as measured (--no-reference)" : "divided by it");
}

/* ---- the command ----------------------------------------------------------- */

int al_cmd_compare(int argc, char **argv)
{
    compare_opts o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    al_history *h = NULL;
    al_bench_run base = {0}, nw = {0};
    rc = load_side(&o, 0, &h, &base);
    if (rc == 0) rc = load_side(&o, 1, &h, &nw);
    if (rc == 0) rc = check_alike(&base, &nw);
    if (rc != 0) {
        al_history_close(h);
        al_bench_run_free(&base);
        al_bench_run_free(&nw);
        return rc;
    }
    if (o.threshold < 0) o.threshold = al_report_is_instructions(&nw) ? 0.02 : 0.05;
    al_noise_floor floor;
    learn_floor(&o, h, &base, &nw, &floor);
    al_history_close(h);
    size_t n, counts[3] = {0, 0, 0};
    al_compare_opts co = {.threshold = o.threshold, .floor = &floor, .raw = o.no_reference, .unpaired = o.unpaired};
    al_comparison *c = al_compare_runs_opts(&base, &nw, &co, &n);
    if (!c) {
        rc = al_cli_usage_error("out of memory");
    } else {
        al_compare_view v = {.base = &base, .new_run = &nw, .c = c, .n = n, .threshold = o.threshold,
                             .defaulted = o.nrefs == 0};
        al_report_compare(stdout, &v, o.markdown ? AL_COMPARE_MARKDOWN : AL_COMPARE_TEXT, counts);
        print_speed(&o, &base, &nw);
        print_detectable(&o, &floor, c, n);
        rc = o.fail_on_regression && counts[AL_REGRESSED] ? 1 : 0;
    }
    free(c);
    al_noise_floor_free(&floor);
    al_bench_run_free(&base);
    al_bench_run_free(&nw);
    return rc;
}
