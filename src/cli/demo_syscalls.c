/* alloclab demo syscalls: "Is malloc a system call? No, but it uses a few
 * of them." For every available allocator, the brk, mmap, munmap, mremap and
 * madvise calls that one allocate + deallocate makes for a small (64 B), a
 * medium (64 KiB) and a large (4 MiB) request: first on a fresh instance
 * (cold: the instance's own start-up included; glibc's, jemalloc's and
 * tcmalloc's heaps are process-wide and already warm), then again (warm). Each
 * count is taken in a traced child (src/harness/syscalls.c), so nothing
 * else of this process shows up in it. */
#include "cli.h"
#include "demos.h"
#include "syscalls.h"

#include <alloclab/alloclab.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the request as a one-iteration workload --------------------------- */
typedef struct request {
    al_allocator *a;
    size_t size;
} request;

static void *req_setup(const char *param, const char *spec, al_run_status *st, char *why, size_t whylen)
{
    request *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->size = strtoull(param, NULL, 10);
    r->a = al_create(spec, NULL);
    if (!r->a) {
        snprintf(why, whylen, "%s", al_last_error());
        *st = AL_RUN_UNSUPPORTED;
        free(r);
        return NULL;
    }
    return r;
}

static al_run_status req_run(void *inst, uint64_t iters, char *why, size_t whylen)
{
    request *r = inst;
    for (uint64_t i = 0; i < iters; i++) {
        unsigned char *p = al_allocate(r->a, r->size, 16);
        if (!p) {
            snprintf(why, whylen, "refused %zu bytes", r->size);
            return AL_RUN_UNSUPPORTED;
        }
        p[0] = p[r->size - 1] = 1; /* touched, as a program would */
        al_deallocate(r->a, p, r->size, 16);
    }
    return AL_RUN_OK;
}

static void req_teardown(void *inst)
{
    request *r = inst;
    al_destroy(r->a);
    free(r);
}

static const char *const no_params[] = {NULL};
static const al_workload request_workload = {
    .name = "one-request", .description = "allocate and deallocate one block", .params = no_params,
    .setup = req_setup, .run = req_run, .teardown = req_teardown,
};

/* ---- printing ------------------------------------------------------------ */
/* "mmap 1, munmap 1", or "none". */
static const char *calls_text(const al_syscall_counts *c, char *buf, size_t len)
{
    const char *names[] = {"brk", "mmap", "munmap", "mremap", "madvise"};
    const uint64_t v[] = {c->brk, c->mmap, c->munmap, c->mremap, c->madvise};
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < 5 && used < len; k++)
        if (v[k]) used += (size_t)snprintf(buf + used, len - used, "%s%s %llu", used ? ", " : "", names[k],
                                           (unsigned long long)v[k]);
    if (!used) snprintf(buf, len, "none");
    return buf;
}

int al_demo_syscalls(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return al_cli_usage_error("syscalls takes no arguments");
    const char *no = al_syscalls_unavailable();
    if (no) {
        fprintf(stderr, "alloclab: %s\n", no);
        return 1;
    }
    static const struct { const char *param, *label; } sizes[] = {
        {"64", "64 B"}, {"65536", "64 KiB"}, {"4194304", "4 MiB"}};
    printf("Memory system calls of one allocate + deallocate: the first on a fresh instance (cold), then\n"
           "another (warm), counted under ptrace in a child of this process. malloc is no system call, but it\n"
           "uses a few. sys, je and tc are process-wide: they had already served this process before the count.\n\n");
    printf("%-8s %-7s", "", "");
    for (size_t s = 0; s < 3; s++) printf(s < 2 ? "  %-24s" : "  %s", sizes[s].label);
    putchar('\n');
    int status = 0;
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        if (b->unavailable && b->unavailable()) continue;
        for (int warm = 0; warm < 2; warm++) {
            printf("%-8s %-7s", warm ? "" : b->name, warm ? "warm" : "cold");
            for (size_t s = 0; s < 3; s++) {
                al_bench_item it = {.workload = &request_workload, .param = sizes[s].param, .allocator = b->name};
                al_syscall_counts c;
                char why[256], text[96];
                if (al_syscalls_count(&it, (uint64_t)warm, 1, 30, &c, why, sizeof why) == 0)
                    calls_text(&c, text, sizeof text);
                else
                    snprintf(text, sizeof text, "%s", strstr(why, "did not complete") ? "refused" : "not counted");
                if (strcmp(text, "not counted") == 0) status = 1;
                printf(s < 2 ? "  %-24s" : "  %s", text);
            }
            putchar('\n');
        }
    }
    printf("\nrefused: the allocator cannot give that block (a fixed capacity, a size limit).\n");
    return fflush(stdout) == 0 ? status : 1;
}
