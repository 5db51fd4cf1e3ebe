/* alloclab profile FILE [--html PAGE] [--json]: a trace's figures, read top
 * to bottom (src/profile/), or as JSON. A trace of several processes
 * (--follow-forks) is profiled per process, each its own heap. A file that
 * is not a complete, intact trace is refused with one line and status 2. */
#include "cli.h"

#include "profile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: alloclab profile FILE [--html PAGE] [--json]\n"
    "A trace of several processes is profiled process by process (--html: the busiest one).\n"
    "  --json   the figures as JSON on stdout, one object per process, instead of the report\n";

typedef struct profile_opts {
    const char *html;
    bool json;
} profile_opts;

static int own_option(void *ctx, int argc, char **argv, int *i, bool *missing)
{
    profile_opts *o = ctx;
    const char *v = al_cli_option_value(argc, argv, i, "--html", missing);
    if (v) {
        o->html = v;
        return AL_CLI_OWN_TAKEN;
    }
    if (strcmp(argv[*i], "--json") == 0) {
        o->json = true;
        return AL_CLI_OWN_TAKEN;
    }
    return AL_CLI_OWN_UNKNOWN;
}

static int write_html(const char *html, const al_profile *p, const char *file)
{
    FILE *f = fopen(html, "w");
    if (!f) return al_cli_usage_error("cannot write %s: %s", html, strerror(errno));
    int w = al_profile_html(f, p, file);
    if (fclose(f) != 0 || w != 0) return al_cli_usage_error("cannot write %s", html);
    return 0;
}

int al_cmd_profile(int argc, char **argv)
{
    profile_opts o = {NULL, false};
    al_cli_trace_args a = {.cmd = "profile", .usage = usage};
    int rc = al_cli_trace_parse(argc, argv, &a, own_option, &o);
    if (rc >= 0) return rc;
    rc = 0;
    const char *file = a.file;
    char err[512];
    al_trace *t = al_trace_read(file, err, sizeof err);
    if (!t) return al_cli_usage_error("%s", err);
    /* One trace per process with calls (the whole trace when it is one). */
    size_t n = 0, busiest = 0, top = al_trace_busiest(t);
    al_trace **parts = calloc(t->nsections, sizeof *parts);
    al_profile **profs = calloc(t->nsections, sizeof *profs);
    if (!parts || !profs) rc = al_cli_usage_error("out of memory profiling %s", file);
    for (size_t i = 0; rc == 0 && i < t->nsections; i++) {
        if (t->nsections > 1 && !t->sections[i].events) continue;
        if (i == top) busiest = n;
        parts[n] = t->nsections == 1 ? t : al_trace_process(t, i);
        profs[n] = parts[n] ? al_profile_compute(parts[n]) : NULL;
        if (!profs[n]) rc = al_cli_usage_error("out of memory profiling %s", file);
        n += parts[n] != NULL;
    }
    if (rc == 0 && o.html && n) rc = write_html(o.html, profs[busiest], file);
    if (rc == 0 && o.json) {
        json_t *root = json_pack("{s:s,s:I,s:f}", "file", file, "trace_bytes", (json_int_t)t->file_bytes,
                                 "bytes_per_call", t->nevents ? (double)t->file_bytes / (double)t->nevents : 0.0);
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(list, al_profile_json_object(profs[i]));
        json_object_set_new(root, "profiles", list);
        if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) != 0 || fputc('\n', stdout) == EOF) rc = 1;
        json_decref(root);
    } else if (rc == 0) {
        if (n > 1)
            printf("alloclab profile: %s holds %zu processes with calls (%zu calls in all); each is profiled as its own heap\n\n",
                   file, n, t->nevents);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (i) fputc('\n', stdout);
            if (al_profile_text(stdout, profs[i], file) != 0) rc = 1;
        }
    }
    for (size_t i = 0; parts && i < n; i++) {
        al_profile_free(profs[i]);
        if (parts[i] != t) al_trace_free(parts[i]);
    }
    free(parts);
    free(profs);
    al_trace_free(t);
    return rc;
}
