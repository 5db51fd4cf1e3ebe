/* alloclab show [RUN]: a stored run (or a JSON report) rendered again, in any
 * of the report formats — to look at an old run, or to turn a run into a
 * chart page or a pull-request table after the fact. RUN is a label, a run
 * id or FILE.json; the default is the last run of the database. */
#include "cli.h"

#include "reports.h"
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_fmt[] =
    "usage: alloclab show [RUN] [--db PATH] [--format %s] [--out FILE] [--html FILE] [--wide]\n"
    "RUN: a run's label or id in the history, or a FILE.json report (default: the last run)\n"
    "--wide: the table with every column (CPU time, allocator calls, memory system calls per iteration)\n";

typedef struct show_opts {
    const char *db, *ref, *out, *html;
    const al_report_format *format;
    bool wide;
} show_opts;

static int show_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    show_opts *o = ctx;
    const char *v;
    int status = 0;
    if ((v = al_cli_option_value(argc, argv, i, "--format", missing)))
        return (o->format = al_cli_format(v, false, &status)) ? AL_CLI_OWN_TAKEN : status;
    else if ((v = al_cli_option_value(argc, argv, i, "--out", missing))) o->out = v;
    else if ((v = al_cli_option_value(argc, argv, i, "--html", missing))) o->html = v;
    else if (strcmp(argv[*i], "--wide") == 0) o->wide = true;
    else return AL_CLI_OWN_UNKNOWN;
    return AL_CLI_OWN_TAKEN;
}

static int parse(int argc, char **argv, show_opts *o)
{
    memset(o, 0, sizeof *o);
    o->db = AL_HISTORY_DEFAULT_PATH;
    o->format = al_report_format_find("table");
    char usage[640], names[128];
    snprintf(usage, sizeof usage, usage_fmt, al_report_format_names(false, "|", names, sizeof names));
    size_t nrefs = 0;
    al_cli_parser p = {.cmd = "show", .usage = usage, .db = &o->db, .option = show_option, .ctx = o,
                       .operands = &o->ref, .max_operands = 1, .noperands = &nrefs, .too_many = "show takes one run"};
    int rc = al_cli_parse(argc, argv, &p);
    if (rc < 0 && o->wide && o->format->write != al_report_table)
        return al_cli_usage_error("--wide is for the table format, not %s", o->format->name);
    return rc;
}

static int table_wide(FILE *out, const al_bench_run *run)
{
    const al_table_opts wide = {.wide = true};
    return al_report_table_with(out, run, &wide);
}

/* Render into memory, then write the file whole: a report that cannot be
 * made leaves no partial file behind. */
static int write_file(const char *path, const al_report_format *format, const al_bench_run *run)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int rc = mem ? format->write(mem, run) : -1;
    if (mem && fclose(mem) != 0) rc = -1;
    if (rc != 0) {
        free(buf);
        return al_cli_usage_error("out of memory rendering the %s report", format->name);
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        free(buf);
        return al_cli_usage_error("cannot write %s", path);
    }
    bool ok = fwrite(buf, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    free(buf);
    return ok ? 0 : al_cli_usage_error("cannot write %s", path);
}

int al_cmd_show(int argc, char **argv)
{
    show_opts o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    char err[512];
    al_bench_run run = {0};
    size_t n = o.ref ? strlen(o.ref) : 0;
    if (n > 5 && strcmp(o.ref + n - 5, ".json") == 0) {
        if (al_report_json_read(o.ref, &run, err, sizeof err) != 0) return al_cli_usage_error("%s", err);
    } else {
        al_history *h = al_history_open(o.db, false, err, sizeof err);
        if (!h) return al_cli_usage_error("%s", err);
        rc = al_history_load(h, o.ref, 0, &run, err, sizeof err);
        al_history_close(h);
        if (rc != 0) return al_cli_usage_error("%s", err);
    }
    rc = 0;
    al_report_format table = *o.format;
    if (o.wide) table.write = table_wide, o.format = &table;
    if (o.out) rc = write_file(o.out, o.format, &run);
    else if (o.format->write(stdout, &run) != 0 || fflush(stdout) != 0)
        rc = al_cli_usage_error("cannot write the report");
    if (rc == 0 && o.html) rc = write_file(o.html, al_report_format_find("html"), &run);
    al_bench_run_free(&run);
    return rc;
}
