/* alloclab list: every backend with its availability, then the wrappers.
 * Column widths come from the data (the longest name, status and capability
 * list), so every row lines up whatever the registry holds. */
#include "cli.h"
#include "run.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>

static int widest(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

int al_cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("list takes no arguments");
    char caps[128];
    int wname = widest(0, "NAME"), wstatus = widest(widest(0, "STATUS"), "unavailable"),
        wcaps = widest(0, "CAPABILITIES");
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        wname = widest(wname, b->name);
        wcaps = widest(wcaps, al_caps_str(b->caps, caps, sizeof caps));
    }
    for (size_t i = 0; i < al_wrapper_count(); i++) wname = widest(wname, al_wrapper_at(i)->name);
    printf("%-*s  %-*s  %-*s  %s\n", wname, "NAME", wstatus, "STATUS", wcaps, "CAPABILITIES", "DESCRIPTION");
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        const char *why = b->unavailable ? b->unavailable() : NULL;
        printf("%-*s  %-*s  %-*s  %s\n", wname, b->name, wstatus, why ? "unavailable" : "available", wcaps,
               al_caps_str(b->caps, caps, sizeof caps), b->description);
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
