/* Stack frames to names: each frame's module is found in its section's module
 * map (recorded at the close), and addr2line (binutils) resolves the offsets
 * of each module in one batch. A frame that cannot be resolved reads
 * "module+0xoffset", which stays useful with `addr2line -e module`.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define AL_SYMBOL_FRAMES 4 /* frames resolved per stack */

typedef struct sym_entry {
    uint32_t stack, frame;
    const al_trace_module *mod;
    uint64_t offset;
    char *name;
} sym_entry;

struct al_symbols {
    sym_entry *e;
    size_t n;
};

static const al_trace_module *find_module(const al_trace_section *s, uint64_t addr)
{
    for (size_t i = 0; i < s->nmodules; i++)
        if (addr >= s->modules[i].lo && addr < s->modules[i].hi) return &s->modules[i];
    return NULL;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Run addr2line on the offsets of entries [from, to) that share a module;
 * fill their names. Quietly leaves them unnamed when it cannot. */
static void resolve_module(sym_entry *e, size_t from, size_t to)
{
    char in_path[] = "/tmp/alloclab-sym-XXXXXX";
    int in = mkstemp(in_path);
    if (in < 0) return;
    unlink(in_path);
    FILE *f = fdopen(in, "w+");
    if (!f) {
        close(in);
        return;
    }
    for (size_t i = from; i < to; i++) fprintf(f, "0x%llx\n", (unsigned long long)(e[i].offset ? e[i].offset - 1 : 0));
    fflush(f);
    rewind(f);
    int pfd[2];
    if (pipe(pfd) != 0) {
        fclose(f);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(f), 0);
        dup2(pfd[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        close(pfd[0]);
        execlp("addr2line", "addr2line", "-f", "-C", "-e", e[from].mod->path, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    fclose(f);
    if (pid < 0) {
        close(pfd[0]);
        return;
    }
    FILE *r = fdopen(pfd[0], "r");
    char fn[1024], loc[1024];
    for (size_t i = from; r && i < to; i++) {
        if (!fgets(fn, sizeof fn, r) || !fgets(loc, sizeof loc, r)) break;
        fn[strcspn(fn, "\n")] = 0;
        loc[strcspn(loc, "\n")] = 0;
        if (strcmp(fn, "??") == 0) continue;
        char buf[2300];
        if (strncmp(loc, "??", 2) == 0)
            snprintf(buf, sizeof buf, "%s (%s)", fn, base_name(e[i].mod->path));
        else
            snprintf(buf, sizeof buf, "%s (%s)", fn, base_name(loc));
        e[i].name = strdup(buf);
    }
    if (r)
        fclose(r);
    else
        close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

static int by_module(const void *a, const void *b)
{
    const sym_entry *x = a, *y = b;
    if (x->mod != y->mod) return x->mod < y->mod ? -1 : 1;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

al_symbols *al_symbols_resolve(const al_trace *t, const uint32_t *stacks, size_t n)
{
    al_symbols *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->e = calloc(n * AL_SYMBOL_FRAMES + 1, sizeof *s->e);
    if (!s->e) return s;
    for (size_t i = 0; i < n; i++) {
        const al_trace_stack *st = &t->stacks[stacks[i]];
        const al_trace_section *sec = &t->sections[st->section];
        for (uint32_t f = 0; f < st->nframes && f < AL_SYMBOL_FRAMES; f++) {
            sym_entry *x = &s->e[s->n++];
            x->stack = stacks[i];
            x->frame = f;
            x->mod = find_module(sec, st->frames[f]);
            x->offset = x->mod ? st->frames[f] - x->mod->bias : st->frames[f];
        }
    }
    qsort(s->e, s->n, sizeof *s->e, by_module);
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->e[j].mod == s->e[i].mod) j++;
        if (s->e[i].mod && s->e[i].mod->path[0]) resolve_module(s->e, i, j);
        i = j;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].name) continue;
        char buf[1200];
        snprintf(buf, sizeof buf, "%s+0x%llx", s->e[i].mod ? base_name(s->e[i].mod->path) : "?",
                 (unsigned long long)s->e[i].offset);
        s->e[i].name = strdup(buf);
    }
    return s;
}

const char *al_symbols_frame(const al_symbols *s, uint32_t stack, uint32_t frame)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->e[i].stack == stack && s->e[i].frame == frame) return s->e[i].name ? s->e[i].name : "?";
    return NULL;
}

void al_symbols_free(al_symbols *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) free(s->e[i].name);
    free(s->e);
    free(s);
}

al_symbols *al_profile_top_symbols(const al_profile *p, const al_trace *t)
{
    uint32_t ids[2 * AL_PROFILE_TOP];
    size_t n = 0;
    for (size_t i = 0; i < p->nby_calls; i++) ids[n++] = p->by_calls[i].stack;
    for (size_t i = 0; i < p->nby_peak; i++) ids[n++] = p->by_peak[i].stack;
    return al_symbols_resolve(t, ids, n);
}
