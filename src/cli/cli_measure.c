/* What the commands that measure (bench, run) share: the report files
 * opened before the measurement and written after it, and the history
 * opened before it and written after it.
 *
 * So that bad input costs nothing, every file is checked before anything
 * runs: a report file is opened without truncation (and removed again if
 * this command created it and gives up), the database is opened, checked and
 * refused when read-only. Once the measurement is done its report is always
 * printed; a file or a save that fails then is one line and exit status 1,
 * and a run the history did not take is kept as a JSON report instead
 * (cli_unsaved.c), whose path that line gives. */
#include "cli.h"

#include "reports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int al_cli_out_open(al_cli_out *of)
{
    of->f = NULL;
    struct stat st;
    of->created = stat(of->path, &st) != 0;
    int fd = open(of->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return al_cli_usage_error("%s: cannot write '%s': %s", of->opt, of->path, strerror(errno));
    of->f = fdopen(fd, "w");
    if (!of->f) {
        close(fd);
        return al_cli_usage_error("%s: cannot write '%s'", of->opt, of->path);
    }
    return 0;
}

void al_cli_out_abandon(al_cli_out *of)
{
    if (!of->f) return;
    fclose(of->f);
    of->f = NULL;
    if (of->created) unlink(of->path);
}

int al_cli_out_write(al_cli_out *of, const al_bench_run *run)
{
    if (!of->f) return 0;
    int rc = ftruncate(fileno(of->f), 0) == 0 ? of->format->write(of->f, run) : -1;
    if (fclose(of->f) != 0) rc = -1;
    of->f = NULL;
    if (rc != 0) {
        fprintf(stderr, "alloclab: warning: writing '%s' failed\n", of->path);
        return 1;
    }
    return 0;
}

int al_cli_history_open(const char *path, al_history **h)
{
    char err[512] = "";
    *h = al_history_open(path, true, err, sizeof err);
    if (!*h) return al_cli_usage_error("--db: %s", err);
    if (al_history_read_only(*h)) {
        al_history_close(*h);
        *h = NULL;
        return al_cli_usage_error("--db: %s is read-only: the run could not be stored (--no-db runs without it)", path);
    }
    return 0;
}

int al_cli_history_save(const char *path, al_history *h, struct al_bench_run *run, bool quiet)
{
    char err[512] = "";
    if (al_history_save(h, run, err, sizeof err) != 0) {
        /* The run is complete: it is kept as a JSON report instead. */
        char kept[4300], why[1024];
        if (al_cli_keep_unsaved(path, run, kept, sizeof kept, why, sizeof why) == 0)
            fprintf(stderr, "alloclab: the run was not stored in %s: %s; it was written to %s instead (alloclab show %s)\n",
                    path, err, kept, kept);
        else
            fprintf(stderr, "alloclab: the run was not stored in %s: %s; nor could it be written as a JSON report (%s)\n",
                    path, err, why);
        return 1;
    }
    if (!quiet) fprintf(stderr, "alloclab: stored as run %lld in %s\n", run->id, path);
    return 0;
}
