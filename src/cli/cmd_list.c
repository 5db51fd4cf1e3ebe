/* alloclab list: every backend with its availability, then the wrappers. */
#include "cli.h"

#include <alloclab/registry.h>
#include <stdio.h>

int al_cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("list takes no arguments");
    char caps[96];
    printf("%-7s %-12s %-34s %s\n", "NAME", "STATUS", "CAPABILITIES", "DESCRIPTION");
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        const char *why = b->unavailable ? b->unavailable() : NULL;
        printf("%-7s %-12s %-34s %s\n", b->name, why ? "unavailable" : "available",
               al_caps_str(b->caps, caps, sizeof caps), b->description);
        if (why) printf("%-7s   reason: %s\n", "", why);
    }
    printf("\nwrappers (compose by prefix, e.g. verbose:locked:pool):\n");
    for (size_t i = 0; i < al_wrapper_count(); i++) {
        const al_wrapper_desc *w = al_wrapper_at(i);
        printf("%-7s %s\n", w->name, w->description);
    }
    return 0;
}
