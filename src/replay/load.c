/* A trace file made ready for the harness: read (refused whole when it is
 * not an intact trace), planned, registered under a name drawn from the
 * file's, the "replay" workload registered once. A trace of several
 * processes replays its busiest process alone (each process had its own
 * heap), named NAME.PID. The commands that replay
 * (replay, recommend) call it before the harness runs; the processes they
 * start under valgrind find the same file through ALLOCLAB_REPLAY_TRACE. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool workload_registered;

static void name_of(const char *path, char *name, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ".trace") == 0) n -= 6;
    if (n >= len) n = len - 1;
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                  c == '_';
        name[i] = ok ? c : '_';
    }
    name[n] = 0;
    if (!n) snprintf(name, len, "trace");
}

int al_replay_load(const char *path, char *name, size_t namelen, al_replay_plan **out, al_trace **keep, char *err,
                   size_t errlen)
{
    al_trace *t = al_trace_read(path, err, errlen);
    if (!t) return -1;
    /* Several processes (--follow-forks) had as many heaps: the busiest one
     * is replayed, on its own, and named by its pid. */
    uint32_t pid = 0;
    if (t->nsections > 1) {
        size_t busiest = al_trace_busiest(t);
        al_trace *one = al_trace_process(t, busiest);
        if (!one) {
            al_trace_free(t);
            snprintf(err, errlen, "out of memory planning the replay");
            return -1;
        }
        pid = t->sections[busiest].pid;
        al_trace_free(t);
        t = one;
    }
    al_replay_plan *plan = al_replay_plan_make(t, err, errlen);
    if (!plan) {
        al_trace_free(t);
        return -1;
    }
    if (plan->ops == 0) {
        snprintf(err, errlen, "%s holds no allocation to replay", path);
        al_replay_plan_free(plan);
        al_trace_free(t);
        return -1;
    }
    name_of(path, name, namelen);
    if (pid) {
        char suffix[16];
        int k = snprintf(suffix, sizeof suffix, ".%u", pid);
        size_t len = strlen(name);
        if (len + (size_t)k >= namelen) len = namelen - 1 - (size_t)k;
        memcpy(name + len, suffix, (size_t)k + 1);
    }
    if (al_replay_register_plan(name, plan) != 0 ||
        (!workload_registered && al_workload_register(&al_replay_workload) != 0)) {
        snprintf(err, errlen, "cannot register the replay of %s", path);
        al_replay_plan_free(plan);
        al_trace_free(t);
        return -1;
    }
    workload_registered = true;
    if (keep)
        *keep = t;
    else
        al_trace_free(t);
    *out = plan;
    return 0;
}

void al_replay_load_from_env(void)
{
    const char *path = getenv("ALLOCLAB_REPLAY_TRACE");
    if (!path || !path[0]) return;
    const char *touch = getenv("ALLOCLAB_REPLAY_TOUCH");
    al_replay_set_touch(touch && strcmp(touch, "pages") == 0 ? AL_TOUCH_PAGES : AL_TOUCH_ENDS);
    char name[32], err[512];
    al_replay_plan *plan;
    if (al_replay_load(path, name, sizeof name, &plan, NULL, err, sizeof err) != 0)
        fprintf(stderr, "alloclab: %s\n", err);
}
