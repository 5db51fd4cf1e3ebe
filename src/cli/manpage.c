/* alloclab --man: the manual page alloclab.1 in roff, made from the help
 * texts the commands print themselves, so the page and --help never
 * disagree: the command table's one-line summaries, then each command's own
 * `COMMAND --help` output, captured from a child process. The build runs it
 * to make alloclab.1, and `make install` installs that. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Text as roff: backslashes and hyphens escaped, no line starting with a
 * control character ('.' or '\''). */
static void roff_text(FILE *out, const char *s, size_t n)
{
    bool line_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (line_start && (c == '.' || c == '\'')) fputs("\\&", out);
        if (c == '\\') fputs("\\e", out);
        else if (c == '-') fputs("\\-", out);
        else fputc(c, out);
        line_start = c == '\n';
    }
}

/* What `alloclab NAME --help` prints, run in a child: malloc'd, or NULL. */
static char *help_of(int (*run)(int, char **), const char *name, size_t *len)
{
    int fd[2];
    if (pipe(fd) != 0) return NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]), close(fd[1]);
        return NULL;
    }
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], STDOUT_FILENO) < 0) _exit(127);
        char *argv[] = {(char *)name, "--help", NULL};
        int rc = run(2, argv);
        fflush(stdout);
        _exit(rc);
    }
    close(fd[1]);
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            char *b = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!b) break;
            buf = b;
        }
        ssize_t k = read(fd[0], buf + *len, cap - *len);
        if (k <= 0) break;
        *len += (size_t)k;
    }
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return buf;
}

int al_cli_manpage(FILE *out, const al_cli_command *cmds, size_t n, const char *version)
{
    fprintf(out, ".TH ALLOCLAB 1 \"\" \"alloclab %s\" \"User Commands\"\n", version);
    fputs(".SH NAME\nalloclab \\- use, build and measure memory allocators\n"
          ".SH SYNOPSIS\n.B alloclab\n.I COMMAND\n[\\fIARGS\\fR]\n.br\n.B alloclab \\-\\-version\n"
          ".SH DESCRIPTION\nalloclab runs the benchmarks of the talk \"The Impact of Memory Allocators on "
          "Performance\" over glibc malloc, jemalloc, mimalloc, tcmalloc and hand\\-made allocators, "
          "reports them (a table with a summary, JSON, CSV, Markdown, an HTML page), keeps them in a "
          "history and compares runs with verdicts.\n.SH COMMANDS\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, ".TP\n.B %s\n", cmds[i].name);
        roff_text(out, cmds[i].help, strlen(cmds[i].help));
        fputc('\n', out);
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *text = help_of(cmds[i].run, cmds[i].name, &len);
        if (!text || len == 0) {
            free(text);
            fprintf(stderr, "alloclab: %s --help printed nothing\n", cmds[i].name);
            return 1;
        }
        fprintf(out, ".SH \"alloclab %s\"\n", cmds[i].name);
        fputs(".nf\n", out);
        roff_text(out, text, len);
        if (text[len - 1] != '\n') fputc('\n', out);
        fputs(".fi\n", out);
        free(text);
    }
    fputs(".SH EXIT STATUS\n0 success; 1 a failed check, run or regression (compare \\-\\-fail\\-on\\-regression); "
          "2 bad input, after one line on standard error.\n"
          ".SH FILES\n.TP\n.I alloclab\\-results/results.db\nthe default history of runs\n"
          ".TP\n.I alloclab\\-results/report.html\nthe page make bench writes\n", out);
    return fflush(out) == 0 ? 0 : 1;
}
