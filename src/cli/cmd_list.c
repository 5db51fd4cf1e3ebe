/* alloclab list: every backend with its availability, the version of the
 * library behind it (as the library reports it), then the wrappers.
 * Column widths come from the data (the longest name, status, version and
 * capability list), so every row lines up whatever the registry holds. */
#include "cli.h"
#include "run.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: alloclab list\n"
                            "The allocators (backends) with availability, library version and capabilities,\n"
                            "then the wrappers that compose with them (verbose:locked:pool).\n";

static int widest(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

static const char *version_of(const al_backend_desc *b)
{
    const char *v = b->version && !(b->unavailable && b->unavailable()) ? b->version() : NULL;
    return v ? v : "-";
}

int al_cmd_list(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 1) return al_cli_usage_error("list takes no arguments (alloclab list --help)");
    char caps[128];
    int wname = widest(0, "NAME"), wstatus = widest(widest(0, "STATUS"), "unavailable"),
        wcaps = widest(0, "CAPABILITIES"), wver = widest(0, "VERSION");
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        wname = widest(wname, b->name);
        wcaps = widest(wcaps, al_caps_str(b->caps, caps, sizeof caps));
        wver = widest(wver, version_of(b));
    }
    for (size_t i = 0; i < al_wrapper_count(); i++) wname = widest(wname, al_wrapper_at(i)->name);
    printf("%-*s  %-*s  %-*s  %-*s  %s\n", wname, "NAME", wstatus, "STATUS", wver, "VERSION", wcaps, "CAPABILITIES",
           "DESCRIPTION");
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        const char *why = b->unavailable ? b->unavailable() : NULL;
        printf("%-*s  %-*s  %-*s  %-*s  %s\n", wname, b->name, wstatus, why ? "unavailable" : "available", wver,
               version_of(b), wcaps, al_caps_str(b->caps, caps, sizeof caps), b->description);
        if (why) printf("%-*s  reason: %s\n", wname, "", why);
    }
    printf("\nwrappers (compose by prefix, e.g. verbose:locked:pool):\n");
    for (size_t i = 0; i < al_wrapper_count(); i++) {
        const al_wrapper_desc *w = al_wrapper_at(i);
        printf("%-*s  %s\n", wname, w->name, w->description);
    }
    printf("\nalloclab run -- PROGRAM: what serves the program's malloc under each name:\n");
    al_run_list_preloads(stdout);
    return 0;
}
