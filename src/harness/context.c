/* The context of a run: which machine, build and commit produced it, and
 * whether test hooks altered it.
 *
 * Every field is filled, never left uninitialised: what cannot be found is
 * "unknown" (or empty for the git commit outside a checkout). Test hooks
 * (ALLOCLAB_TEST_* variables, read in every build) change what a run
 * measures or does on purpose, for the tests: a run made with one set says
 * so on stderr, once, and carries the variables in its context, so that
 * every report of it shows them. */
#include "results.h"

#include <alloclab/registry.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ALLOCLAB_BUILD_TYPE
#define ALLOCLAB_BUILD_TYPE "unknown"
#endif
#ifndef ALLOCLAB_VERSION
#define ALLOCLAB_VERSION "unknown"
#endif

/* Trim trailing white space in place. */
static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
}

/* The "model name" and "cpu MHz" of the first CPU in /proc/cpuinfo
 * ("unknown" and 0 when absent, as on some virtual machines and arm64). */
static void cpu_model(char *buf, size_t len, double *mhz)
{
    snprintf(buf, len, "unknown");
    *mhz = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    bool have_model = false, have_mhz = false;
    while ((!have_model || !have_mhz) && fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (!colon) continue;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        if (!have_model && strncmp(line, "model name", 10) == 0) {
            snprintf(buf, len, "%s", colon);
            rstrip(buf);
            have_model = true;
        } else if (!have_mhz && strncmp(line, "cpu MHz", 7) == 0) {
            *mhz = strtod(colon, NULL);
            have_mhz = true;
        }
    }
    fclose(f);
}

/* The short commit of the working directory's checkout, "-dirty" appended
 * when tracked files differ from it (compare learns its noise floor only
 * from runs of one clean commit), or empty outside a checkout. The --match
 * pattern matches no tag, so the name is always the bare hash. */
static void git_commit(char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *p = popen("git describe --always --dirty --abbrev=7 --match='-' 2>/dev/null", "r");
    if (!p) return;
    char line[64] = "";
    bool got = fgets(line, sizeof line, p) != NULL;
    int st = pclose(p);
    if (!got || st != 0) return;
    rstrip(line);
    snprintf(buf, len, "%s", line);
}

extern char **environ;

void al_bench_test_hooks(char *buf, size_t len)
{
    static const char prefix[] = "ALLOCLAB_TEST_";
    size_t used = 0;
    if (len) buf[0] = '\0';
    for (char **e = environ; e && *e && used < len; e++)
        if (strncmp(*e, prefix, sizeof prefix - 1) == 0)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *e);
}

void al_bench_context_detect(al_bench_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(ctx->date, sizeof ctx->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(ctx->host, sizeof ctx->host) != 0) snprintf(ctx->host, sizeof ctx->host, "unknown");
    ctx->host[sizeof ctx->host - 1] = '\0';
    cpu_model(ctx->cpu, sizeof ctx->cpu, &ctx->mhz_per_cpu);
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    ctx->ncpus = nc > 0 ? (int)nc : 1;
#if defined(__clang__)
    snprintf(ctx->compiler, sizeof ctx->compiler, "%s", __VERSION__);
#else
    snprintf(ctx->compiler, sizeof ctx->compiler, "gcc %s", __VERSION__);
#endif
    snprintf(ctx->build_type, sizeof ctx->build_type, "%s", ALLOCLAB_BUILD_TYPE);
    git_commit(ctx->git_commit, sizeof ctx->git_commit);
    snprintf(ctx->mode, sizeof ctx->mode, "time");
    snprintf(ctx->alloclab_version, sizeof ctx->alloclab_version, "%s", ALLOCLAB_VERSION);
    for (size_t i = 0; i < al_backend_count() && ctx->nlibs < AL_BENCH_MAX_LIBS; i++) {
        const al_backend_desc *b = al_backend_at(i);
        const char *v = al_spec_version(b->name);
        if (!v) continue;
        al_bench_lib *l = &ctx->libs[ctx->nlibs++];
        snprintf(l->name, sizeof l->name, "%s", b->name);
        snprintf(l->version, sizeof l->version, "%s", v);
    }
    al_bench_test_hooks(ctx->test_hooks, sizeof ctx->test_hooks);
    static atomic_bool said;
    if (ctx->test_hooks[0] && !atomic_exchange(&said, true))
        fprintf(stderr, "alloclab: warning: test hooks are set (%s): this run's figures are altered on purpose,"
                        " and its reports say so\n", ctx->test_hooks);
}
