/* Argument helpers shared by the subcommands. */
#include "cli.h"

#include "reports.h"

#include <string.h>

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

bool al_cli_history_option(int argc, char **argv, int *i, const char *usage, const char **db, bool *missing,
                           bool *done)
{
    if (strcmp(argv[*i], "-h") == 0 || strcmp(argv[*i], "--help") == 0) {
        fputs(usage, stdout);
        return *done = true;
    }
    const char *v = al_cli_option_value(argc, argv, i, "--db", missing);
    if (v) *db = v;
    return v != NULL;
}

const al_report_format *al_cli_format(const char *name, bool files, int *status)
{
    const al_report_format *f = al_report_format_find(name);
    if (f && (files || !f->file_only)) return f;
    char names[128];
    *status = al_cli_usage_error("--format: '%s' is not %s", name, al_report_format_names(files, NULL, names, sizeof names));
    return NULL;
}
