/* alloclab run's measurement: a program run whole under each allocator.
 *
 * A warm-up round (one run per allocator, checked like the others, not
 * timed), then `runs` rounds; in round r the allocators run in the order
 * rotated by r, so none always runs first or right after another. An
 * allocator whose run fails (a signal, an unexpected exit status, the
 * timeout, or under --check-output a stdout other than the reference) is
 * failed with the reason and runs no more; the others go on. The reference
 * output is the first successful run's, in allocator order (sys's when it is
 * listed first). Each result: the wall time samples (ns per run, one
 * iteration per sample) summarised with the bootstrap CI of the median, the
 * median CPU time (user + system), and the medians of peak RSS and page
 * faults. */
#include "run.h"

#include "report_util.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct alloc_state {
    double *wall, *cpu, *user, *sys, *rss, *minflt, *majflt; /* one per measured run */
    size_t n;
    bool failed;
    char reason[256];
} alloc_state;

static void describe_exit(const al_run_sample *s, int expect, char *buf, size_t len)
{
    if (s->timed_out) snprintf(buf, len, "timed out");
    else if (WIFSIGNALED(s->wait_status))
        snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(s->wait_status), strsignal(WTERMSIG(s->wait_status)),
                 WCOREDUMP(s->wait_status) ? ", core dumped" : "");
    else if (WIFEXITED(s->wait_status) && WEXITSTATUS(s->wait_status) == 127)
        snprintf(buf, len, "exited with status 127 (not executable?)");
    else if (WIFEXITED(s->wait_status))
        snprintf(buf, len, "exited with status %d, not %d", WEXITSTATUS(s->wait_status), expect);
    else
        snprintf(buf, len, "ended with wait status %#x", (unsigned)s->wait_status);
}

static bool exit_ok(const al_run_sample *s, int expect)
{
    return !s->timed_out && WIFEXITED(s->wait_status) && WEXITSTATUS(s->wait_status) == expect;
}

/* Whether two files hold the same bytes; *at gets the first offset where
 * they differ. */
static bool same_output(int a, int b, long long *at)
{
    char x[65536], y[65536];
    long long off = 0;
    for (;;) {
        ssize_t na = pread(a, x, sizeof x, off), nb = pread(b, y, sizeof y, off);
        if (na < 0 || nb < 0) return *at = off, false;
        ssize_t n = na < nb ? na : nb;
        for (ssize_t i = 0; i < n; i++)
            if (x[i] != y[i]) return *at = off + i, false;
        if (na != nb) return *at = off + n, false;
        if (na == 0) return true;
        off += na;
    }
}

static double median_of(const double *x, size_t n)
{
    return n ? al_stat_median(x, n) : NAN;
}

static void fill_result(const al_run_config *cfg, const al_run_allocator *a, alloc_state *st, al_bench_result *r,
                        al_run_times *t)
{
    memset(r, 0, sizeof *r);
    al_report_copy(r->workload, sizeof r->workload, "run");
    const char *prog = strrchr(cfg->argv[0], '/');
    al_report_copy_text(r->param, sizeof r->param, prog ? prog + 1 : cfg->argv[0]);
    al_report_copy(r->allocator, sizeof r->allocator, a->name);
    r->alloc_calls = r->instructions = r->est_cycles = -1;
    r->metric = NAN;
    t->user_ns = t->sys_ns = -1;
    if (st->failed) {
        r->status = AL_RUN_FAILED;
        al_report_copy_text(r->reason, sizeof r->reason, st->reason);
        r->s.median = r->s.mean = r->s.stddev = r->s.mad = r->s.min = r->s.max = NAN;
        r->s.ci_low = r->s.ci_high = NAN;
        r->cpu_median_ns = -1;
        r->peak_rss_kib = r->minor_faults = r->major_faults = -1;
        return;
    }
    r->status = AL_RUN_OK;
    r->iterations = 1;
    r->nsamples = st->n;
    r->samples = st->wall; /* handed over */
    st->wall = NULL;
    al_summarize(r->samples, r->nsamples, &r->s);
    r->cpu_median_ns = median_of(st->cpu, st->n);
    r->peak_rss_kib = (long)median_of(st->rss, st->n);
    r->minor_faults = (long)median_of(st->minflt, st->n);
    r->major_faults = (long)median_of(st->majflt, st->n);
    t->user_ns = median_of(st->user, st->n);
    t->sys_ns = median_of(st->sys, st->n);
}

static void progress(const al_run_config *cfg, size_t round, size_t rounds, const char *name)
{
    if (!cfg->progress) return;
    if (!name) {
        fputs("\r\033[K", stderr);
        return;
    }
    fprintf(stderr, "\r\033[K%s round %zu/%zu: %s", round == 0 ? "warm-up" : "measuring", round, rounds, name);
    fflush(stderr);
}

int al_run_execute(const al_run_config *cfg, al_bench_run *out, al_run_times *times, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t na = cfg->nallocs, runs = cfg->runs ? cfg->runs : AL_RUN_DEFAULT_RUNS;
    double timeout = cfg->timeout_s > 0 ? cfg->timeout_s : AL_RUN_DEFAULT_TIMEOUT_S;
    if (na == 0) {
        snprintf(err, errlen, "no allocator to run under");
        return -1;
    }
    alloc_state *st = calloc(na, sizeof *st);
    int ref_fd = -1, *out_fd = calloc(na, sizeof *out_fd);
    bool have_ref = false;
    size_t ref_alloc = 0;
    int rc = st && out_fd ? 0 : -1;
    if (rc) snprintf(err, errlen, "out of memory");
    for (size_t a = 0; rc == 0 && a < na; a++) {
        double **arrays[] = {&st[a].wall, &st[a].cpu, &st[a].user, &st[a].sys, &st[a].rss, &st[a].minflt, &st[a].majflt};
        for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
            if (!(*arrays[k] = malloc(runs * sizeof(double)))) rc = -1;
        out_fd[a] = -1;
        if (cfg->check_output) {
            FILE *f = tmpfile(); /* kept open by its descriptor */
            out_fd[a] = f ? dup(fileno(f)) : -1;
            if (f) fclose(f);
            if (out_fd[a] < 0) rc = -1;
        }
        if (rc) snprintf(err, errlen, "cannot set up the runs: %s", strerror(errno ? errno : ENOMEM));
    }
    for (size_t round = 0; rc == 0 && round <= runs; round++) {
        for (size_t k = 0; rc == 0 && k < na; k++) {
            size_t a = (k + (round ? round - 1 : 0)) % na; /* warm-up in the given order, then rotated */
            if (st[a].failed) continue;
            progress(cfg, round, runs, cfg->allocs[a].name);
            al_run_spawn sp = {cfg->argv, &cfg->allocs[a], cfg->input, out_fd[a], timeout};
            al_run_sample s;
            if (al_run_spawn_once(&sp, &s, err, errlen) != 0) {
                rc = -1;
                break;
            }
            char what[200], why[200];
            const char *when = round ? "" : " (warm-up)";
            if (!exit_ok(&s, cfg->expect_status)) {
                describe_exit(&s, cfg->expect_status, what, sizeof what);
                if (s.timed_out) snprintf(what, sizeof what, "timed out after %g s", timeout);
                char full[600];
                snprintf(full, sizeof full, "%s in run %zu%s%s%s", what, round, when,
                         s.last_err[0] ? "; its stderr ended: " : "", s.last_err);
                al_report_copy(st[a].reason, sizeof st[a].reason, full);
                st[a].failed = true;
                continue;
            }
            if (cfg->check_output) {
                long long at = 0;
                if (!have_ref) {
                    have_ref = true, ref_alloc = a;
                    ref_fd = dup(out_fd[a]); /* this run's output stays the reference */
                    FILE *f = tmpfile();
                    int keep = f ? dup(fileno(f)) : -1;
                    if (f) fclose(f);
                    if (ref_fd < 0 || keep < 0) {
                        snprintf(err, errlen, "cannot keep the reference output: %s", strerror(errno));
                        rc = -1;
                        break;
                    }
                    out_fd[a] = keep; /* the next runs of this allocator write elsewhere */
                } else if (!same_output(ref_fd, out_fd[a], &at)) {
                    snprintf(why, sizeof why, "stdout differs from %s's (first at byte %lld)",
                             cfg->allocs[ref_alloc].name, at);
                    char full[300];
                    snprintf(full, sizeof full, "%s in run %zu%s", why, round, when);
                    al_report_copy(st[a].reason, sizeof st[a].reason, full);
                    st[a].failed = true;
                    continue;
                }
            }
            if (round == 0) continue;
            alloc_state *x = &st[a];
            x->wall[x->n] = s.wall_ns;
            x->user[x->n] = s.user_ns;
            x->sys[x->n] = s.sys_ns;
            x->cpu[x->n] = s.user_ns + s.sys_ns;
            x->rss[x->n] = (double)s.maxrss_kib;
            x->minflt[x->n] = (double)s.minflt;
            x->majflt[x->n] = (double)s.majflt;
            x->n++;
        }
    }
    progress(cfg, 0, 0, NULL);
    if (rc == 0) {
        al_bench_context_detect(&out->ctx);
        al_report_copy(out->ctx.mode, sizeof out->ctx.mode, "time");
        out->results = calloc(na, sizeof *out->results);
        if (!out->results) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        for (size_t a = 0; rc == 0 && a < na; a++) {
            al_run_times t;
            fill_result(cfg, &cfg->allocs[a], &st[a], &out->results[a], &t);
            if (times) times[a] = t;
            out->nresults++;
        }
    }
    for (size_t a = 0; st && a < na; a++) {
        free(st[a].wall), free(st[a].cpu), free(st[a].user), free(st[a].sys);
        free(st[a].rss), free(st[a].minflt), free(st[a].majflt);
        if (out_fd && out_fd[a] >= 0) close(out_fd[a]);
    }
    if (ref_fd >= 0) close(ref_fd);
    free(st);
    free(out_fd);
    if (rc != 0) al_bench_run_free(out);
    return rc;
}
