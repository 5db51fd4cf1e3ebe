/* alloclab profile FILE [--html PAGE]: a trace's figures, read top to bottom
 * (src/profile/). A file that is not a complete, intact trace is refused with
 * one line and status 2. */
#include "cli.h"

#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: alloclab profile FILE [--html PAGE]\n";

static int own_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    const char *v = al_cli_option_value(argc, argv, i, "--html", missing);
    if (!v) return AL_CLI_OWN_UNKNOWN;
    *(const char **)ctx = v;
    return AL_CLI_OWN_TAKEN;
}

int al_cmd_profile(int argc, char **argv)
{
    const char *html = NULL;
    al_cli_trace_args a = {.cmd = "profile", .usage = usage};
    int rc = al_cli_trace_parse(argc, argv, &a, own_option, &html);
    if (rc >= 0) return rc;
    const char *file = a.file;
    char err[512];
    al_trace *t = al_trace_read(file, err, sizeof err);
    if (!t) return al_cli_usage_error("%s", err);
    al_profile *p;
    if ((rc = al_cli_trace_profile(&a, t, &p)) != 0) return rc;
    if (html) {
        FILE *f = fopen(html, "w");
        if (!f) {
            rc = al_cli_usage_error("cannot write %s: %s", html, strerror(errno));
        } else {
            int w = al_profile_html(f, p, file);
            if (fclose(f) != 0 || w != 0) rc = al_cli_usage_error("cannot write %s", html);
        }
    }
    if (rc == 0 && al_profile_text(stdout, p, file) != 0) rc = 1;
    al_profile_free(p);
    al_trace_free(t);
    return rc;
}
