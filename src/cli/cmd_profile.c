/* alloclab profile FILE [--html PAGE]: a trace's figures, read top to bottom
 * (src/profile/). A file that is not a complete, intact trace is refused with
 * one line and status 2. */
#include "cli.h"

#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: alloclab profile FILE [--html PAGE]\n";

int al_cmd_profile(int argc, char **argv)
{
    const char *file = NULL, *html = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((v = al_cli_option_value(argc, argv, &i, "--html", &missing))) {
            html = v;
        } else if (missing) {
            return al_cli_usage_error("%s needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return al_cli_usage_error("profile: unknown option '%s' (alloclab profile --help)", argv[i]);
        } else if (file) {
            return al_cli_usage_error("profile takes one trace file");
        } else {
            file = argv[i];
        }
    }
    if (!file) return al_cli_usage_error("profile: no trace file given (alloclab profile FILE)");
    char err[512];
    al_trace *t = al_trace_read(file, err, sizeof err);
    if (!t) return al_cli_usage_error("%s", err);
    al_profile *p = al_profile_compute(t);
    if (!p) {
        al_trace_free(t);
        return al_cli_usage_error("out of memory profiling %s", file);
    }
    int rc = 0;
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
