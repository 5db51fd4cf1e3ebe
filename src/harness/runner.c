/* Benchmark child processes: one per (workload, param, allocator).
 *
 * A fresh child per benchmark makes its peak RSS and page faults its own
 * (wait4's rusage), and keeps a crashing workload from taking the harness
 * down. The children of one group live side by side so that the parent can
 * rotate the order in which they take their samples. Parent and child talk
 * over a socketpair (send with MSG_NOSIGNAL: a dead child never raises
 * SIGPIPE in the harness) with fixed-size messages, well under PIPE_BUF. */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ----------------------------------------------------------------------------
 * Messages. Child -> parent: READY (iters, alloc_calls, in status 1 when
 * samples are on-CPU time, in why the spec the workload really runs when it
 * says), SAMPLE (ns per iteration in value, on the
 * sample clock; CPU ns per iteration of the whole process in cpu; the
 * workload's metric over all runs so far in metric),
 * DONE (the closing verification passed) or FAIL (status, reason), after
 * which the child exits. Parent -> child: SAMPLE (iters: how many
 * iterations to time, one part of a sample; 0: the calibrated count), or
 * QUIT (verify, answer DONE or FAIL, exit).
 * ------------------------------------------------------------------------- */
enum { MSG_READY = 1, MSG_SAMPLE = 2, MSG_FAIL = 3, MSG_QUIT = 4, MSG_DONE = 5 };

/* Calibration never goes beyond this many iterations per sample. */
#define MAX_ITERS (UINT64_C(1) << 40)

typedef struct msg {
    int32_t kind;
    int32_t status;
    uint64_t iters;
    double value;
    double cpu;
    double alloc_calls;
    double metric;
    char why[200];
} msg;

static int send_msg(int fd, const msg *m)
{
    const char *p = (const char *)m;
    size_t left = sizeof *m;
    while (left > 0) {
        ssize_t k = send(fd, p, left, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        left -= (size_t)k;
    }
    return 0;
}

/* Read one message before `deadline` (al_mono_s() clock; INFINITY: wait).
 * 0, or -1 on end of stream / error, -2 on timeout. */
static int recv_msg(int fd, msg *m, double deadline)
{
    char *p = (char *)m;
    size_t left = sizeof *m;
    while (left > 0) {
        int wait_ms = -1;
        if (isfinite(deadline)) {
            double rem = deadline - al_mono_s();
            if (rem <= 0) return -2;
            wait_ms = rem > 3600 ? 3600000 : (int)(rem * 1000) + 1;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, wait_ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) return -1;
        if (pr == 0) continue; /* the loop re-checks the deadline */
        ssize_t k = recv(fd, p, left, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        left -= (size_t)k;
    }
    return 0;
}

/* ----------------------------------------------------------------------------
 * The child: setup, warm-up, calibration, then samples on demand. It always
 * leaves with _exit, so nothing of the parent (atexit handlers, stdio
 * buffers, a test framework) runs twice.
 *
 * Calibration doubles the iteration count from 1 until one run lasts
 * min_sample_ms. A workload with a fixed_iters hook that returns > 0 is not
 * calibrated: after the warm-up run(1), every sample runs exactly that many
 * iterations, so each allocator times the same stretch of a workload whose
 * iterations differ (large-blocks' running cycle).
 * ------------------------------------------------------------------------- */
static void child_fail(int fd, al_run_status st, const char *why)
{
    msg m = {.kind = MSG_FAIL, .status = (int32_t)st};
    snprintf(m.why, sizeof m.why, "%s", why && *why ? why : "no reason given");
    send_msg(fd, &m);
}

static double ns_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

/* Time `iters` iterations: wall ns in *ns, CPU ns of the whole process (all
 * its threads) in *cpu_ns, the run's status returned. With burn > 0 the run
 * is stretched by that fraction of its own length on the samples' clock
 * (on_cpu: the process's CPU time, else wall time) by spinning before the
 * clocks are read again: test_slowdown's calibrated slowdown. */
static al_run_status timed_run(const al_workload *w, void *inst, uint64_t iters, double *ns, double *cpu_ns,
                               char *why, size_t whylen, double burn, bool on_cpu)
{
    struct timespec a, b, ca, cb;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    clock_gettime(CLOCK_MONOTONIC, &a);
    al_run_status st = w->run(inst, iters, why, whylen);
    if (burn > 0) {
        clockid_t clk = on_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
        const struct timespec *from = on_cpu ? &ca : &a;
        clock_gettime(clk, &b);
        double until = ns_between(from, &b) * (1 + burn);
        do clock_gettime(clk, &b);
        while (ns_between(from, &b) < until);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    *ns = ns_between(&a, &b);
    *cpu_ns = ns_between(&ca, &cb);
    return st;
}

/* A test hook: ALLOCLAB_TEST_SLOWDOWN=WORKLOAD/PARAM/ALLOCATOR=PCT makes
 * that one benchmark's samples PCT percent longer (0 < PCT <= 1000) on the
 * samples' clock, as if its allocator were that much slower there: the
 * tests check that compare calls such a slowdown and nothing else. The
 * fraction, or 0 when the variable is unset, malformed or names another
 * benchmark. */
static double test_slowdown(const al_bench_item *it)
{
    const char *env = getenv("ALLOCLAB_TEST_SLOWDOWN");
    const char *eq = env ? strrchr(env, '=') : NULL;
    if (!eq) return 0;
    char name[256];
    snprintf(name, sizeof name, "%s/%s/%s", it->workload->name, it->param, it->allocator);
    if ((size_t)(eq - env) != strlen(name) || strncmp(env, name, strlen(name)) != 0) return 0;
    char *end;
    double pct = strtod(eq + 1, &end);
    return *end == '\0' && pct > 0 && pct <= 1000 ? pct / 100 : 0;
}

/* Threads of this process (entries of /proc/self/task); 0 when unknown. */
static unsigned thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void child_main(int fd, const al_bench_item *it, const al_runner_opts *o)
{
    const al_workload *w = it->workload;
    char why[200] = "";
    al_run_status st = AL_RUN_FAILED;
    void *inst = w->setup(it->param, it->allocator, &st, why, sizeof why);
    if (!inst) {
        child_fail(fd, st == AL_RUN_OK ? AL_RUN_FAILED : st, why);
        _exit(0);
    }
    double ns = 0, cpu = 0;
    /* A verification iteration at the full check level (it also warms up),
     * then the cheap level for calibration and samples; then (unless fixed)
     * double until one sample is long enough. */
    uint64_t fixed = w->fixed_iters ? w->fixed_iters(inst) : 0;
    uint64_t iters = fixed > 0 ? fixed : 1;
    al_workload_set_check_level(AL_CHECK_FULL);
    st = timed_run(w, inst, 1, &ns, &cpu, why, sizeof why, 0, false);
    al_workload_set_check_level(AL_CHECK_CHEAP);
    /* The clock of the samples (see al_runner_group): on-CPU time for one
     * thread, wall time when the workload runs several (a crew made at
     * setup, or threads that ran in parallel during the first run). */
    bool on_cpu = thread_count() == 1 && cpu <= 1.25 * ns;
    while (st == AL_RUN_OK && fixed == 0) {
        st = timed_run(w, inst, iters, &ns, &cpu, why, sizeof why, 0, false);
        if (st != AL_RUN_OK || (on_cpu ? cpu : ns) >= o->min_sample_ms * 1e6 || iters >= MAX_ITERS) break;
        iters *= 2;
    }
    if (st != AL_RUN_OK) {
        child_fail(fd, st, why);
        w->teardown(inst);
        _exit(0);
    }
    msg m = {.kind = MSG_READY, .iters = iters, .alloc_calls = w->alloc_calls ? w->alloc_calls(inst) : -1,
             .status = on_cpu};
    const char *used = w->allocator_used ? w->allocator_used(inst) : NULL;
    if (used) snprintf(m.why, sizeof m.why, "%s", used); /* READY's why: the spec that runs */
    if (send_msg(fd, &m) != 0) _exit(0);
    double slowdown = test_slowdown(it);
    for (;;) {
        msg cmd;
        if (recv_msg(fd, &cmd, INFINITY) != 0) break;
        if (cmd.kind == MSG_QUIT) {
            /* The closing verification iteration, at the full level: what
             * the cheap checks of the samples could have missed. */
            al_workload_set_check_level(AL_CHECK_FULL);
            st = timed_run(w, inst, 1, &ns, &cpu, why, sizeof why, 0, false);
            if (st != AL_RUN_OK) {
                child_fail(fd, st, why);
            } else {
                msg done = {.kind = MSG_DONE};
                send_msg(fd, &done);
            }
            break;
        }
        if (cmd.kind != MSG_SAMPLE) break;
        /* The group's clock, as the parent decided it for every allocator. */
        bool group_on_cpu = cmd.status != 0;
        uint64_t part = cmd.iters > 0 && cmd.iters <= iters ? cmd.iters : iters;
        st = timed_run(w, inst, part, &ns, &cpu, why, sizeof why, slowdown, group_on_cpu);
        if (st != AL_RUN_OK) {
            child_fail(fd, st, why);
            break;
        }
        msg r = {.kind = MSG_SAMPLE, .value = (group_on_cpu ? cpu : ns) / (double)part, .cpu = cpu / (double)part,
                 .metric = w->metric ? w->metric(inst) : NAN};
        if (send_msg(fd, &r) != 0) break;
    }
    w->teardown(inst);
    _exit(0);
}

/* ----------------------------------------------------------------------------
 * The parent's side: one slot per child of the group.
 * ------------------------------------------------------------------------- */
typedef struct slot {
    pid_t pid;      /* 0 once reaped */
    int fd;         /* -1 once closed */
    bool live;      /* still taking samples */
    bool on_cpu;    /* its READY asked for on-CPU time (one thread) */
    uint64_t iters; /* per sample, from its READY */
    uint64_t done;  /* iterations of the round's sample timed so far */
    double ns, cpu; /* their time on the group's clock, and their CPU time */
    double deadline; /* of the step under way: setup + calibration, or one sample */
} slot;

void al_result_init(al_bench_result *r, const al_bench_item *item)
{
    memset(r, 0, sizeof *r);
    snprintf(r->workload, sizeof r->workload, "%s", item->workload->name);
    snprintf(r->param, sizeof r->param, "%s", item->param);
    snprintf(r->allocator, sizeof r->allocator, "%s", item->allocator);
    r->status = AL_RUN_OK;
    r->peak_rss_kib = r->minor_faults = r->major_faults = -1;
    r->alloc_calls = r->instructions = r->est_cycles = r->cpu_median_ns = -1;
    r->metric = NAN;
    if (item->workload->metric_name && item->workload->metric) {
        snprintf(r->metric_name, sizeof r->metric_name, "%s", item->workload->metric_name);
        snprintf(r->metric_unit, sizeof r->metric_unit, "%s",
                 item->workload->metric_unit ? item->workload->metric_unit : "");
    }
    al_summarize(NULL, 0, &r->s);
}

static void set_failure(al_bench_result *r, slot *s, al_run_status st, const char *why)
{
    r->status = st;
    snprintf(r->reason, sizeof r->reason, "%s", why);
    s->live = false;
}

/* Reap the child, recording its rusage; if it died of a signal or exited
 * badly while it was still expected to answer, that becomes the reason. */
static void reap(slot *s, al_bench_result *r, bool kill_it)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    if (s->pid <= 0) return;
    if (kill_it) kill(s->pid, SIGKILL);
    int wst = 0;
    struct rusage ru;
    pid_t got;
    /* A child that was told to quit gets until s->deadline to tear down;
     * one that hangs there is killed, so the harness never waits forever. */
    bool hung = false;
    if (!kill_it && isfinite(s->deadline)) {
        while ((got = wait4(s->pid, &wst, WNOHANG, &ru)) == 0 && al_mono_s() < s->deadline) usleep(1000);
        if (got == 0) {
            kill(s->pid, SIGKILL);
            hung = true;
        } else if (got > 0) {
            goto reaped;
        }
    }
    do got = wait4(s->pid, &wst, 0, &ru);
    while (got < 0 && errno == EINTR);
reaped:
    s->pid = 0;
    if (got < 0) return;
    /* The largest over the benchmark's processes. */
    if (ru.ru_maxrss > r->peak_rss_kib) r->peak_rss_kib = ru.ru_maxrss;
    if (ru.ru_minflt > r->minor_faults) r->minor_faults = ru.ru_minflt;
    if (ru.ru_majflt > r->major_faults) r->major_faults = ru.ru_majflt;
    if (r->status != AL_RUN_OK || kill_it) return;
    if (hung) {
        set_failure(r, s, AL_RUN_FAILED, "timed out: the workload's teardown did not finish");
    } else if (WIFSIGNALED(wst)) {
        int sig = WTERMSIG(wst);
        char why[128];
        snprintf(why, sizeof why, "crashed: killed by SIG%s (%s)", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
                 strsignal(sig));
        set_failure(r, s, AL_RUN_FAILED, why);
    } else if (WIFEXITED(wst) && WEXITSTATUS(wst) != 0) {
        char why[64];
        snprintf(why, sizeof why, "crashed: exited with status %d", WEXITSTATUS(wst));
        set_failure(r, s, AL_RUN_FAILED, why);
    }
}

/* A child stopped answering: EOF means it died (reap tells how), a timeout
 * means it is killed. */
static void lost(slot *s, al_bench_result *r, int rc, double timeout_s)
{
    if (rc == -2) {
        char why[64];
        snprintf(why, sizeof why, "timed out after %g s (killed)", timeout_s);
        set_failure(r, s, AL_RUN_FAILED, why);
        reap(s, r, true);
        return;
    }
    s->live = false;
    reap(s, r, false);
    if (r->status == AL_RUN_OK) set_failure(r, s, AL_RUN_FAILED, "crashed: the child process stopped answering");
}

static void handle_reply(slot *s, al_bench_result *r, const msg *m)
{
    if (m->kind == MSG_FAIL) {
        char why[sizeof m->why];
        memcpy(why, m->why, sizeof why);
        why[sizeof why - 1] = '\0';
        al_run_status st = m->status == AL_RUN_UNSUPPORTED ? AL_RUN_UNSUPPORTED : AL_RUN_FAILED;
        set_failure(r, s, st, why);
        reap(s, r, false);
    }
}

/* ----------------------------------------------------------------------------
 * Fresh children: the same program executed again, told its benchmark on
 * the command line: AL_RUNNER_CHILD_ARG FD WORKLOAD PARAM ALLOCATOR MS
 * (the channel's descriptor, the names, the sample's target in ms as a
 * hexadecimal float, exact).
 * ------------------------------------------------------------------------- */
static bool exec_wanted;        /* al_runner_exec_children was called */
static const char *exec_self;   /* the path that runs this program again, once probed */
static bool exec_probed;
static char exec_resolved[4096];

void al_runner_exec_children(const char *self)
{
    exec_wanted = self != NULL;
    exec_self = NULL;
    exec_probed = false;
    if (self) snprintf(exec_resolved, sizeof exec_resolved, "%s", self);
}

#define PROBE_TOKEN "alloclab-bench-child\n"

/* Whether executing `path` runs this program's child entry: it must answer
 * the probe with the token and exit 0 (a dynamic loader or an emulator
 * that /proc/self/exe may name instead does not). */
static bool probe(const char *path)
{
    int pfd[2];
    if (pipe(pfd) != 0) return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return false;
    }
    if (pid == 0) {
        close(pfd[0]);
        if (dup2(pfd[1], 1) < 0) _exit(127);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2); /* a wrong program's complaint is not ours to show */
        char *argv[] = {(char *)path, AL_RUNNER_CHILD_ARG, "probe", NULL};
        execv(path, argv);
        _exit(127);
    }
    close(pfd[1]);
    char buf[64];
    size_t got = 0;
    for (ssize_t k; got < sizeof buf - 1 && (k = read(pfd[0], buf + got, sizeof buf - 1 - got)) != 0;) {
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        got += (size_t)k;
    }
    buf[got] = '\0';
    close(pfd[0]);
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR) {}
    return w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(buf, PROBE_TOKEN) == 0;
}

/* The path to execute for a fresh child, or NULL (fork only): the given
 * one (normally /proc/self/exe), else the file it resolves to (under
 * valgrind, the magic link names valgrind's tool; under ld.so, the loader),
 * whichever answers the probe. Decided once per process, before the first
 * child; a fallback to copies is said once on stderr. */
static const char *exec_path(void)
{
    if (!exec_wanted) return NULL;
    if (exec_probed) return exec_self;
    exec_probed = true;
    static char real[4096];
    ssize_t n = readlink(exec_resolved, real, sizeof real - 1);
    if (n > 0) real[n] = '\0';
    if (probe(exec_resolved)) exec_self = exec_resolved;
    else if (n > 0 && strcmp(real, exec_resolved) != 0 && probe(real)) exec_self = real;
    if (!exec_self)
        fprintf(stderr, "alloclab: benchmark children are copies of the harness: running %s again does not "
                        "reach alloclab\n", exec_resolved);
    return exec_self;
}

/* A whole decimal number in [lo, hi] from text; false otherwise. */
static bool parse_long(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < lo || v > hi) return false;
    *out = v;
    return true;
}

void al_runner_child_entry(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], AL_RUNNER_CHILD_ARG) != 0) return;
    if (argc == 3 && strcmp(argv[2], "probe") == 0) {
        fputs(PROBE_TOKEN, stdout);
        _exit(fflush(stdout) == 0 ? 0 : 1);
    }
    long fd = -1;
    struct stat st;
    const al_workload *w = argc == 7 ? al_workload_find(argv[3]) : NULL;
    char *end = NULL;
    double ms = argc == 7 ? strtod(argv[6], &end) : 0;
    bool ok = argc == 7 && parse_long(argv[2], 3, 1 << 20, &fd) && fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
              w && end && *end == '\0' && ms > 0 && ms <= 60000;
    if (!ok) {
        fprintf(stderr, "alloclab: %s is started by bench, not by hand\n", AL_RUNNER_CHILD_ARG);
        _exit(2);
    }
    /* Nothing else of the parent's stays open here (what was not close-on-exec). */
    if (fd > 3) close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0U, 0);
    al_bench_item it = {.workload = w, .param = argv[4], .allocator = argv[5]};
    al_runner_opts o = {.min_sample_ms = ms};
    child_main((int)fd, &it, &o);
    _exit(0);
}

/* In a forked child: become a fresh one. Returns only when the exec failed
 * (the caller then carries on in the fork, as without exec_self). */
static void exec_child(const char *path, int fd, const al_bench_item *it, const al_runner_opts *o)
{
    char fds[24], ms[48];
    snprintf(fds, sizeof fds, "%d", fd);
    snprintf(ms, sizeof ms, "%a", o->min_sample_ms);
    char *argv[] = {(char *)path, AL_RUNNER_CHILD_ARG, fds, (char *)it->workload->name,
                    (char *)it->param, (char *)it->allocator, ms, NULL};
    execv(path, argv);
}

/* Fork the child of one item and wait for READY. */
static void start_child(slot *slots, size_t i, const al_bench_item *it, const al_runner_opts *o,
                        al_bench_result *r)
{
    slot *s = &slots[i];
    int sv[2];
    s->deadline = al_mono_s() + o->timeout_s;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        set_failure(r, s, AL_RUN_FAILED, "cannot create the channel to a child process");
        return;
    }
    const char *fresh = al_workload_builtin(it->workload) ? exec_path() : NULL; /* before the fork: probed once */
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        set_failure(r, s, AL_RUN_FAILED, "cannot fork a child process");
        return;
    }
    if (pid == 0) {
        close(sv[0]);
        for (size_t k = 0; k < i; k++)
            if (slots[k].fd >= 0) close(slots[k].fd);
        if (fresh) exec_child(fresh, sv[1], it, o);
        child_main(sv[1], it, o);
        _exit(0);
    }
    close(sv[1]);
    s->pid = pid;
    s->fd = sv[0];
    s->live = true;
    msg m;
    int rc = recv_msg(s->fd, &m, s->deadline);
    if (rc != 0) {
        lost(s, r, rc, o->timeout_s);
        return;
    }
    if (m.kind == MSG_READY) {
        if (r->iterations == 0) r->iterations = m.iters; /* the first process's */
        s->iters = m.iters;
        s->on_cpu = m.status == 1;
        r->alloc_calls = m.alloc_calls;
        m.why[sizeof m.why - 1] = '\0';
        if (m.why[0] && strcmp(m.why, r->allocator) != 0) snprintf(r->ran_as, sizeof r->ran_as, "%.63s", m.why);
    } else {
        handle_reply(s, r, &m);
    }
}

/* Tell every live child of the generation to verify and quit, and reap it. */
static void close_generation(slot *slots, size_t n, const al_runner_opts *o, al_bench_result *results)
{
    for (size_t i = 0; i < n; i++) {
        al_bench_result *r = &results[i];
        slot *s = &slots[i];
        if (s->live) {
            msg q = {.kind = MSG_QUIT}, m;
            s->deadline = al_mono_s() + o->timeout_s;
            int rc = send_msg(s->fd, &q) == 0 ? recv_msg(s->fd, &m, s->deadline) : -1;
            if (rc != 0) lost(s, r, rc, o->timeout_s);
            else if (m.kind == MSG_FAIL) {
                /* Say which verification caught it: the samples all passed. */
                char why[sizeof m.why];
                snprintf(why, sizeof why, "after the samples, %.*s", (int)sizeof m.why - 24, m.why);
                memcpy(m.why, why, sizeof why);
                handle_reply(s, r, &m);
            }
            s->live = false;
        }
        reap(s, r, false);
    }
}

/* Part p of a sample of `iters` iterations in `parts` parts: its share of
 * them (0 when iters < parts leaves it none). The shares add up to iters
 * exactly, so a workload of fixed iterations times the same stretch. */
static uint64_t part_iters(uint64_t iters, size_t p, size_t parts)
{
    return (uint64_t)((unsigned __int128)iters * (p + 1) / parts - (unsigned __int128)iters * p / parts);
}

/* One round of generation g: a sample from each live child, taken in parts,
 * the children taking turns part by part in an order rotated every round
 * and reversed every other part (ABC CBA: a drift within the round falls
 * on every allocator alike). A sample counts once all its parts are in. */
static void take_round(slot *slots, size_t n, size_t round, const al_runner_opts *o, al_bench_result *results,
                       double *samples, double *cpu, size_t *per_proc, size_t g, bool on_cpu)
{
    size_t parts = o->slices ? o->slices : AL_RUNNER_SLICES;
    for (size_t i = 0; i < n; i++) slots[i].done = 0, slots[i].ns = slots[i].cpu = 0;
    for (size_t p = 0; p < parts; p++) {
        for (size_t k = 0; k < n; k++) {
            size_t i = (round + (p % 2 ? n - 1 - k : k)) % n;
            slot *s = &slots[i];
            uint64_t want = part_iters(s->iters, p, parts);
            if (!s->live || want == 0) continue;
            msg cmd = {.kind = MSG_SAMPLE, .status = on_cpu, .iters = want}, m;
            s->deadline = al_mono_s() + o->timeout_s;
            int rc = send_msg(s->fd, &cmd) == 0 ? recv_msg(s->fd, &m, s->deadline) : -1;
            if (rc != 0) {
                lost(s, &results[i], rc, o->timeout_s);
            } else if (m.kind == MSG_SAMPLE) {
                s->done += want;
                s->ns += m.value * (double)want;
                s->cpu += m.cpu * (double)want;
                results[i].metric = m.metric;
            } else {
                handle_reply(s, &results[i], &m);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i];
        if (!s->live || s->done == 0) continue;
        cpu[i * o->samples + results[i].nsamples] = s->cpu / (double)s->done;
        samples[i * o->samples + results[i].nsamples++] = s->ns / (double)s->done;
        per_proc[i * o->samples + g]++;
    }
    if (o->on_round) o->on_round(o->ctx, round);
}

/* The state of one group across its passes: the samples so far (a row of
 * o->samples per item), with the CPU time and the process each came from. */
struct al_runner_state {
    const al_bench_item *items;
    size_t n, procs;
    al_runner_opts o;
    al_bench_result *results;
    slot *slots;
    double *samples, *cpu;
    size_t *per_proc; /* samples of process g of item i, at i * samples + g */
    bool clock_decided, on_cpu; /* the group's clock, from its first pass's READYs */
};

size_t al_runner_passes(const al_runner_opts *o)
{
    size_t procs = o->processes ? o->processes : 1;
    return procs > o->samples ? o->samples : procs;
}

al_runner_state *al_runner_begin(const al_bench_item *items, size_t n, const al_runner_opts *o,
                                 al_bench_result *results)
{
    for (size_t i = 0; i < n; i++) {
        al_result_init(&results[i], &items[i]);
        results[i].iterations = 0; /* set by the first process's READY */
    }
    al_runner_state *st = calloc(1, sizeof *st);
    if (st) {
        *st = (al_runner_state){.items = items, .n = n, .procs = al_runner_passes(o), .o = *o, .results = results};
        st->slots = calloc(n ? n : 1, sizeof *st->slots);
        st->samples = calloc(n * o->samples + 1, sizeof *st->samples);
        st->cpu = calloc(n * o->samples + 1, sizeof *st->cpu);
        st->per_proc = calloc(n * o->samples + 1, sizeof *st->per_proc);
    }
    if (!st || !st->slots || !st->samples || !st->cpu || !st->per_proc) {
        for (size_t i = 0; i < n; i++) {
            results[i].status = AL_RUN_FAILED;
            snprintf(results[i].reason, sizeof results[i].reason, "out of memory in the harness");
        }
        if (st) {
            free(st->slots);
            free(st->samples);
            free(st->cpu);
            free(st->per_proc);
            free(st);
        }
        return NULL;
    }
    return st;
}

/* Pass g: one process per benchmark of the group, all side by side, taking
 * their share of the rounds rotated; a budget (--quick) is shared out the
 * same way. A benchmark that failed in an earlier pass is not started
 * again. */
void al_runner_pass(al_runner_state *st, size_t g)
{
    if (!st || g >= st->procs) return;
    const al_runner_opts *o = &st->o;
    size_t n = st->n, procs = st->procs;
    size_t min_per = (o->min_samples + procs - 1) / procs;
    size_t r0 = o->samples * g / procs, r1 = o->samples * (g + 1) / procs;
    for (size_t i = 0; i < n; i++) {
        st->slots[i] = (slot){.fd = -1};
        if (st->results[i].status == AL_RUN_OK) start_child(st->slots, i, &st->items[i], o, &st->results[i]);
    }
    /* One clock for the whole group, decided once: on-CPU time only when
     * every allocator's child runs the workload on one thread. Samples of
     * one benchmark then never mix clocks, nor do the allocators of a round
     * (compare's paired verdicts divide one by the others). */
    if (!st->clock_decided) {
        bool any = false, all_cpu = true;
        for (size_t i = 0; i < n; i++)
            if (st->slots[i].live) any = true, all_cpu = all_cpu && st->slots[i].on_cpu;
        st->clock_decided = any;
        st->on_cpu = any && all_cpu;
    }
    double t0 = al_mono_s();
    for (size_t round = r0; round < r1; round++) {
        if (o->budget_s > 0 && round - r0 >= min_per && al_mono_s() - t0 > o->budget_s / (double)procs) break;
        take_round(st->slots, n, round, o, st->results, st->samples, st->cpu, st->per_proc, g, st->on_cpu);
    }
    close_generation(st->slots, n, o, st->results);
}

void al_runner_end(al_runner_state *st)
{
    if (!st) return;
    const al_runner_opts *o = &st->o;
    for (size_t i = 0; i < st->n; i++) {
        al_bench_result *r = &st->results[i];
        if (r->status != AL_RUN_OK) {
            r->nsamples = 0;
            continue;
        }
        r->samples = malloc(r->nsamples * sizeof *r->samples);
        if (!r->samples) {
            r->nsamples = 0;
            r->status = AL_RUN_FAILED;
            snprintf(r->reason, sizeof r->reason, "out of memory in the harness");
            continue;
        }
        memcpy(r->samples, &st->samples[i * o->samples], r->nsamples * sizeof *r->samples);
        al_summarize_grouped(r->samples, &st->per_proc[i * o->samples], st->procs, &r->s);
        bool fits = st->procs <= AL_RESULT_MAX_PROCS;
        for (size_t g = 0; fits && g < st->procs; g++) fits = st->per_proc[i * o->samples + g] <= UINT16_MAX;
        for (size_t g = 0; fits && g < st->procs; g++) r->proc_samples[g] = (uint16_t)st->per_proc[i * o->samples + g];
        r->nprocs = fits ? (uint16_t)st->procs : 0;
        if (r->nsamples > 0) r->cpu_median_ns = al_stat_median(&st->cpu[i * o->samples], r->nsamples);
    }
    free(st->slots);
    free(st->samples);
    free(st->cpu);
    free(st->per_proc);
    free(st);
}

void al_runner_group(const al_bench_item *items, size_t n, const al_runner_opts *o, al_bench_result *results)
{
    al_runner_state *st = al_runner_begin(items, n, o, results);
    for (size_t g = 0; st && g < st->procs; g++) al_runner_pass(st, g);
    al_runner_end(st);
}
