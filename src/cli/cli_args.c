/* Argument helpers shared by the subcommands: one parser for each kind of
 * value (an option's value, a count, a list, a mode, a report format), each
 * with the one error line every command gives for it. */
#include "cli.h"

#include "reports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *al_cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int al_cli_parse(int argc, char **argv, const al_cli_parser *p)
{
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(p->usage, stdout);
            return 0;
        } else if (p->db && (v = al_cli_option_value(argc, argv, &i, "--db", &missing))) {
            *p->db = v;
        } else if (argv[i][0] == '-' && argv[i][1] && !missing) {
            int rc = p->option ? p->option(p->ctx, argc, argv, &i, &missing) : AL_CLI_OWN_UNKNOWN;
            if (rc == AL_CLI_OWN_TAKEN) continue;
            if (rc != AL_CLI_OWN_UNKNOWN) return rc;
            if (missing) return al_cli_usage_error("%s needs a value", argv[i]);
            return al_cli_usage_error("%s: unknown option '%s' (alloclab %s --help)", p->cmd, argv[i], p->cmd);
        } else if (missing) {
            return al_cli_usage_error("%s needs a value", argv[i]);
        } else if (*p->noperands == p->max_operands) {
            return al_cli_usage_error("%s", p->too_many);
        } else {
            p->operands[(*p->noperands)++] = argv[i];
        }
    }
    return -1;
}

const al_report_format *al_cli_format(const char *name, bool files, int *status)
{
    const al_report_format *f = al_report_format_find(name);
    if (f && (files || !f->file_only)) return f;
    char names[128];
    *status = al_cli_usage_error("--format: '%s' is not %s", name, al_report_format_names(files, NULL, names, sizeof names));
    return NULL;
}

int al_cli_mode(const char *arg, al_bench_mode *mode)
{
    if (strcmp(arg, "time") == 0) *mode = AL_MODE_TIME;
    else if (strcmp(arg, "instructions") == 0) *mode = AL_MODE_INSTRUCTIONS;
    else return al_cli_usage_error("--mode: '%s' is not time or instructions", arg);
    return 0;
}

int al_cli_count(const char *opt, const char *arg, long lo, long hi, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi)
        return al_cli_usage_error("%s: '%s' is not a whole number from %ld to %ld", opt, arg, lo, hi);
    *out = (size_t)v;
    return 0;
}

int al_cli_split_list(const char *opt, const char *arg, char **buf, const char **v, size_t max, size_t *n)
{
    free(*buf);
    *buf = strdup(arg);
    if (!*buf) return al_cli_usage_error("out of memory");
    *n = 0;
    for (char *t = *buf; t; ) {
        char *comma = strchr(t, ',');
        if (comma) *comma = '\0';
        if (!*t) return al_cli_usage_error("%s: empty item in '%s' (a comma-separated list of names)", opt, arg);
        if (*n == max) return al_cli_usage_error("%s: at most %zu entries", opt, max);
        v[(*n)++] = t;
        t = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* An option is known before its value is looked for, so "--bogus" last is
 * an unknown option, not a missing value. --export-FORMAT takes one for
 * every format of the reports' table. */
bool al_cli_bench_takes_value(const char *opt)
{
    static const char *const with_value[] = {"--allocators", "--workloads", "--filter", "--samples", "--processes",
                                             "--iters", "--min-sample-ms", "--mode", "--format",
                                             "--out", "--html", "--db", "--save"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (strcmp(opt, with_value[i]) == 0) return true;
    return strncmp(opt, "--export-", 9) == 0 && al_report_format_find(opt + 9);
}

const char *const *al_cli_callgrind_child(char *exe, size_t len, const char **argv3)
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
