/* replay_once FILE SPEC: replay a trace once on one allocator and exit
 * (0 ok, 1 the replay failed or was unsupported, 2 bad input). Traced itself
 * by test_replay: its replay threads must show the profile of the original. */
#include "replay.h"

#include <alloclab/registry.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: replay_once FILE SPEC\n");
        return 2;
    }
    char err[512];
    al_trace *t = al_trace_read(argv[1], err, sizeof err);
    if (!t) {
        fprintf(stderr, "replay_once: %s\n", err);
        return 2;
    }
    al_replay_plan *plan = al_replay_plan_make(t, err, sizeof err);
    al_trace_free(t);
    al_allocator *a = plan ? al_create(argv[2], NULL) : NULL;
    al_replay *r = a ? al_replay_new(plan, a, AL_TOUCH_ENDS, err, sizeof err) : NULL;
    if (!r) {
        fprintf(stderr, "replay_once: %s\n", plan && !a ? al_last_error() : err);
        return 2;
    }
    al_run_status st = al_replay_once(r, err, sizeof err);
    if (st != AL_RUN_OK) fprintf(stderr, "replay_once: %s\n", err);
    al_replay_free(r);
    al_destroy(a);
    al_replay_plan_free(plan);
    return st == AL_RUN_OK ? 0 : 1;
}
