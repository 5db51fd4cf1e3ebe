/* A trace file made ready for the harness: read (refused whole when it is
 * not an intact trace), every process that allocates planned on its own
 * and registered under its own name, the "replay" workload registered once.
 *
 * Guarantees: a trace of one process is one plan named after the file; a
 * trace of several (--follow-forks) is one plan per process that made an
 * allocation call, named NAME.PID in the order of the file's sections, each
 * with that process's threads and blocks only (each process had its own
 * heap): nothing of the trace is left out of the replay, and no process is
 * replayed as if it shared another's heap. The commands that replay
 * (replay, recommend) call it before the harness runs; the processes they
 * start under valgrind find the same file through ALLOCLAB_REPLAY_TRACE and
 * register the same names. */
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

/* base + suffix into out (32 bytes), the base cut so that the suffix fits. */
static void suffixed(const char *base, const char *suffix, char out[32])
{
    size_t k = strlen(suffix), len = strlen(base);
    if (len + k > 31) len = 31 - k;
    memcpy(out, base, len);
    memcpy(out + len, suffix, k + 1);
}

/* The process's name: NAME.PID, NAME.PID.2 when an earlier image of the
 * same pid (before its exec) took that already. */
static void proc_name(const al_replay_set *set, const char *base, uint32_t pid, char out[32])
{
    for (unsigned k = 1;; k++) {
        char suffix[32];
        if (k == 1)
            snprintf(suffix, sizeof suffix, ".%u", pid);
        else
            snprintf(suffix, sizeof suffix, ".%u.%u", pid, k);
        suffixed(base, suffix, out);
        bool taken = false;
        for (size_t i = 0; i < set->n && !taken; i++) taken = strcmp(set->procs[i].name, out) == 0;
        if (!taken) return;
    }
}

void al_replay_set_free(al_replay_set *set)
{
    if (!set) return;
    al_replay_unregister_set(set);
    for (size_t i = 0; i < set->n; i++) al_replay_plan_free(set->procs[i].plan);
    free(set->procs);
    memset(set, 0, sizeof *set);
}

/* Plan section s of t (the whole trace when it has one section) into the
 * set's next process. 0, 1 when the process made no call to replay, -1. */
static int plan_process(const al_trace *t, size_t s, al_replay_set *set, char *err, size_t errlen)
{
    al_trace *one = t->nsections == 1 ? NULL : al_trace_process(t, s);
    if (t->nsections > 1 && !one) {
        snprintf(err, errlen, "out of memory planning the replay");
        return -1;
    }
    al_replay_plan *plan = al_replay_plan_make(one ? one : t, err, errlen);
    al_trace_free(one);
    if (!plan) return -1;
    if (plan->ops == 0) {
        al_replay_plan_free(plan);
        return 1;
    }
    if (set->n == AL_REPLAY_MAX_PROCS) {
        al_replay_plan_free(plan);
        snprintf(err, errlen, "the trace has more than %d processes that allocate; a replay runs at most %d",
                 AL_REPLAY_MAX_PROCS, AL_REPLAY_MAX_PROCS);
        return -1;
    }
    al_replay_proc *p = &set->procs[set->n];
    memset(p, 0, sizeof *p);
    p->pid = t->sections[s].pid;
    p->section = s;
    p->missing_chunks = t->sections[s].missing_chunks;
    p->missing_events = t->sections[s].missing_events;
    p->plan = plan;
    if (t->nsections == 1)
        snprintf(p->name, sizeof p->name, "%s", set->name);
    else
        proc_name(set, set->name, p->pid, p->name);
    set->n++;
    return 0;
}

int al_replay_load(const char *path, al_replay_set *set, al_trace **keep, char *err, size_t errlen)
{
    memset(set, 0, sizeof *set);
    al_trace *t = al_trace_read(path, err, errlen);
    if (!t) return -1;
    return al_replay_load_trace(t, path, set, keep, err, errlen);
}

int al_replay_load_trace(al_trace *t, const char *path, al_replay_set *set, al_trace **keep, char *err,
                         size_t errlen)
{
    memset(set, 0, sizeof *set);
    name_of(path, set->name, sizeof set->name);
    size_t cap = t->nsections < AL_REPLAY_MAX_PROCS ? t->nsections : AL_REPLAY_MAX_PROCS;
    set->procs = calloc(cap ? cap : 1, sizeof *set->procs);
    int rc = set->procs ? 0 : -1;
    if (rc) snprintf(err, errlen, "out of memory planning the replay");
    /* A section without a call is never split out: the cost of a trace of
     * many processes is in those that allocate (at most AL_REPLAY_MAX_PROCS). */
    for (size_t s = 0; rc >= 0 && s < t->nsections; s++)
        if (t->nsections == 1 || t->sections[s].events) rc = plan_process(t, s, set, err, errlen);
    if (rc >= 0 && set->n == 0) {
        snprintf(err, errlen, "%s holds no allocation to replay", path);
        rc = -1;
    }
    if (rc >= 0 && al_replay_register_set(set) != 0) {
        snprintf(err, errlen, "out of memory registering the replay of %s", path);
        rc = -1;
    }
    if (rc >= 0 && !workload_registered) {
        if (al_workload_register(&al_replay_workload) != 0) {
            snprintf(err, errlen, "cannot register the replay of %s", path);
            rc = -1;
        } else {
            workload_registered = true;
        }
    }
    if (rc < 0) {
        al_replay_set_free(set);
        al_trace_free(t);
        return -1;
    }
    if (keep)
        *keep = t;
    else
        al_trace_free(t);
    return 0;
}

void al_replay_load_from_env(void)
{
    const char *path = getenv("ALLOCLAB_REPLAY_TRACE");
    if (!path || !path[0]) return;
    const char *touch = getenv("ALLOCLAB_REPLAY_TOUCH");
    al_replay_set_touch(touch && strcmp(touch, "pages") == 0 ? AL_TOUCH_PAGES : AL_TOUCH_ENDS);
    char err[512];
    /* The set stays registered for the life of the process. */
    static al_replay_set set;
    if (al_replay_load(path, &set, NULL, err, sizeof err) != 0) fprintf(stderr, "alloclab: %s\n", err);
}
