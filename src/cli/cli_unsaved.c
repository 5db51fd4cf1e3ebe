/* A finished run the history could not store (disk full, a folder it cannot
 * write, a lock held past the wait, a file that is no longer our database)
 * is kept as its JSON report, the one `--format json` writes, which `show`
 * and `compare` read as a file.
 *
 * Guarantees: the report lands beside the database when that folder takes
 * it, else in $TMPDIR, else in /tmp; under a name no other file has
 * (alloclab-unsaved-DATE-PID[-N].json, never replacing a file); and whole or
 * not at all: it is written under a temporary name in the same folder,
 * flushed to disk (fsync), then renamed into place and the folder synced,
 * so a crash or a full disk leaves either the complete report or nothing
 * under the final name (a failed attempt removes its temporary file). */
#include "cli.h"

#include "reports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Sync a folder so that a rename into it survives a crash. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/* Link tmp to a free final name in dir: 0 with the name in out. */
static int place(const char *dir, const char *tmp, char *out, size_t outlen)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
    for (int n = 1; n <= 1000; n++) {
        char suffix[16] = "";
        if (n > 1) snprintf(suffix, sizeof suffix, "-%d", n);
        int len = snprintf(out, outlen, "%s/alloclab-unsaved-%s-%ld%s.json", dir, stamp, (long)getpid(), suffix);
        if (len < 0 || (size_t)len >= outlen) return -1;
        /* A hard link never replaces a file; where the file system has
         * none, a rename that refuses to replace. */
        if (link(tmp, out) == 0) return 0;
        if (errno == EEXIST) continue;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) == 0) return 0;
        if (errno != EEXIST) return -1;
    }
    errno = EEXIST;
    return -1;
}

/* Write the report into dir: 0 with its path in out, or -1 with errno. */
static int write_into(const char *dir, const al_bench_run *run, char *out, size_t outlen)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s/.alloclab-unsaved-XXXXXX", dir) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    errno = 0;
    int rc = fchmod(fd, 0644) == 0 && al_report_json(f, run) == 0 && fflush(f) == 0 && fsync(fd) == 0 ? 0 : -1;
    int e = errno ? errno : EIO;
    if (fclose(f) != 0 && rc == 0) rc = -1, e = errno;
    if (rc == 0 && place(dir, tmp, out, outlen) != 0) rc = -1, e = errno;
    unlink(tmp); /* the final name, when there is one, is a link of its own */
    if (rc != 0) {
        errno = e;
        return -1;
    }
    sync_dir(dir);
    return 0;
}

int al_cli_keep_unsaved(const char *db_path, const al_bench_run *run, char *out, size_t outlen, char *why,
                        size_t whylen)
{
    char dirs[3][4096];
    size_t n = 0;
    const char *slash = strrchr(db_path, '/');
    if (!slash) snprintf(dirs[n++], sizeof dirs[0], ".");
    else if (slash == db_path) snprintf(dirs[n++], sizeof dirs[0], "/");
    else snprintf(dirs[n++], sizeof dirs[0], "%.*s", (int)(slash - db_path), db_path);
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir && *tmpdir) snprintf(dirs[n++], sizeof dirs[0], "%s", tmpdir);
    snprintf(dirs[n++], sizeof dirs[0], "/tmp");
    size_t used = 0;
    if (whylen) why[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++) seen |= strcmp(dirs[i], dirs[j]) == 0;
        if (seen) continue;
        if (write_into(dirs[i], run, out, outlen) == 0) return 0;
        if (used < whylen)
            used += (size_t)snprintf(why + used, whylen - used, "%s%s: %s", used ? "; " : "", dirs[i], strerror(errno));
    }
    return -1;
}
