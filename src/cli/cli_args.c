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

al_cli_report_fn al_cli_report_for(const char *format, bool html)
{
    if (strcmp(format, "table") == 0) return al_report_table;
    if (strcmp(format, "json") == 0) return al_report_json;
    if (strcmp(format, "csv") == 0) return al_report_csv;
    if (strcmp(format, "markdown") == 0) return al_report_markdown;
    if (html && strcmp(format, "html") == 0) return al_report_html;
    return NULL;
}
