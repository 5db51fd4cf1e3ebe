/* The results history: an SQLite database of runs and their results.
 *
 * Identity: PRAGMA application_id holds AL_HISTORY_APP_ID and PRAGMA
 * user_version the schema version; the `meta` table repeats both as text.
 *
 * What it guarantees under concurrent and interrupted use (the opening and
 * saving sections say how):
 * - Any number of processes may open, create and save into one database at
 *   once: each save is one IMMEDIATE transaction, writers queue for the
 *   lock (al_history_busy_ms()), and every run is stored whole or not at all.
 * - A process killed at any point, inside a save's COMMIT included, leaves a
 *   database the next open rolls back to its last committed state: every
 *   completed run is still there.
 * - A lock held longer than the wait is reported as "locked", never as a
 *   corrupt file; a save that fails (disk full, read-only) says why.
 * - A file that is not an alloclab database (another application's, a WAL
 *   one, not SQLite at all) is refused before SQLite opens it: its bytes stay
 *   as they were and no side file is created.
 *
 * Schema versions: 1 had no CPU time and no quick flag; 2 adds
 * results.cpu_median_ns and runs.quick; 3 adds the workload's own metric
 * (results.metric_name, metric_unit, metric); 4 the spec that really ran
 * (results.ran_as: "locked:arena"); 5 the machine-speed reference of a
 * time run (runs.ref_n, ref_median, ref_ci_low, ref_ci_high: NULL when not
 * measured); 6 the memory system calls of each benchmark's untimed counting
 * pass (results.sys_iterations, NULL when not counted, then sys_brk,
 * sys_mmap, sys_munmap, sys_mremap, sys_madvise) and the versions of the
 * libraries behind the backends (table run_libs: "je", "jemalloc 5.3.0";
 * a run made with test hooks set has one more row, TEST_HOOKS_ROW, with
 * them as its version);
 * 7 how many samples each of a benchmark's processes took
 * (results.process_samples, "4,4,4,4,4"; NULL when not known), which
 * compare's paired verdicts resample by.
 * New columns come last in their tables (where ALTER TABLE puts them), so a
 * migrated and a new database have the same layout. An older file is
 * migrated in place, one version after the other in one transaction, when
 * it is opened; if that fails it is left as it was and refused. One that
 * cannot be written (file permissions) is read as it is: every query names
 * a column its version lacks as NULL (or 0), so each old run still shows,
 * and nothing is saved into it. */
#include "history.h"
#include "report_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AL_HISTORY_APP_ID 0x416c4c62 /* "AlLb" */
#define TEST_HOOKS_ROW "test_hooks" /* run_libs: not a library, the run's test hooks */
#define AL_HISTORY_VERSION 7

struct al_history {
    sqlite3 *db;
    int version;                /* the file's schema version: AL_HISTORY_VERSION, or
                                   older when it could only be read */
    dev_t dev;                  /* the file opened, checked again before a save */
    ino_t ino;
};

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, date TEXT, label TEXT, git_commit TEXT, host TEXT,"
    " cpu TEXT, ncpus INTEGER, mhz REAL, compiler TEXT, build_type TEXT, mode TEXT, version TEXT,"
    " quick INTEGER NOT NULL DEFAULT 0, ref_n INTEGER, ref_median REAL, ref_ci_low REAL, ref_ci_high REAL);"
    "CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, workload TEXT, param TEXT, allocator TEXT, status TEXT, reason TEXT,"
    " iterations INTEGER, nsamples INTEGER, median REAL, mean REAL, stddev REAL, mad REAL,"
    " min REAL, max REAL, ci_low REAL, ci_high REAL, outliers_low INTEGER, outliers_high INTEGER,"
    " peak_rss_kib INTEGER, minor_faults INTEGER, major_faults INTEGER, alloc_calls REAL,"
    " instructions REAL, est_cycles REAL,"
    " samples BLOB, cpu_median_ns REAL, metric_name TEXT, metric_unit TEXT, metric REAL, ran_as TEXT,"
    " sys_iterations INTEGER, sys_brk INTEGER, sys_mmap INTEGER, sys_munmap INTEGER, sys_mremap INTEGER,"
    " sys_madvise INTEGER, process_samples TEXT,"
    " PRIMARY KEY(run_id, seq));" /* samples: little-endian IEEE doubles */
    "CREATE INDEX results_name ON results(workload, param, allocator);"
    "CREATE TABLE run_libs(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY(run_id, seq));"
    "INSERT INTO meta VALUES('application', 'alloclab'), ('schema_version', '%d');"
    "PRAGMA application_id = %d;"
    "PRAGMA user_version = %d;";

/* Version 1 to 2, run inside a transaction. */
static const char migrate_v1_to_v2[] =
    "ALTER TABLE results ADD COLUMN cpu_median_ns REAL;"
    "ALTER TABLE runs ADD COLUMN quick INTEGER NOT NULL DEFAULT 0;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
    "PRAGMA user_version = 2;";

/* Version 2 to 3, likewise. */
static const char migrate_v2_to_v3[] =
    "ALTER TABLE results ADD COLUMN metric_name TEXT;"
    "ALTER TABLE results ADD COLUMN metric_unit TEXT;"
    "ALTER TABLE results ADD COLUMN metric REAL;"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';"
    "PRAGMA user_version = 3;";

/* Version 3 to 4, likewise. */
static const char migrate_v3_to_v4[] =
    "ALTER TABLE results ADD COLUMN ran_as TEXT;"
    "UPDATE meta SET value = '4' WHERE key = 'schema_version';"
    "PRAGMA user_version = 4;";

/* Version 4 to 5, likewise: the machine-speed reference of a run. */
static const char migrate_v4_to_v5[] =
    "ALTER TABLE runs ADD COLUMN ref_n INTEGER;"
    "ALTER TABLE runs ADD COLUMN ref_median REAL;"
    "ALTER TABLE runs ADD COLUMN ref_ci_low REAL;"
    "ALTER TABLE runs ADD COLUMN ref_ci_high REAL;"
    "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
    "PRAGMA user_version = 5;";

/* Version 5 to 6, likewise: the system calls and the libraries' versions. */
static const char migrate_v5_to_v6[] =
    "ALTER TABLE results ADD COLUMN sys_iterations INTEGER;"
    "ALTER TABLE results ADD COLUMN sys_brk INTEGER;"
    "ALTER TABLE results ADD COLUMN sys_mmap INTEGER;"
    "ALTER TABLE results ADD COLUMN sys_munmap INTEGER;"
    "ALTER TABLE results ADD COLUMN sys_mremap INTEGER;"
    "ALTER TABLE results ADD COLUMN sys_madvise INTEGER;"
    "CREATE TABLE run_libs(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY(run_id, seq));"
    "UPDATE meta SET value = '6' WHERE key = 'schema_version';"
    "PRAGMA user_version = 6;";

/* Version 6 to 7, likewise: the samples of each process. */
static const char migrate_v6_to_v7[] =
    "ALTER TABLE results ADD COLUMN process_samples TEXT;"
    "UPDATE meta SET value = '7' WHERE key = 'schema_version';"
    "PRAGMA user_version = 7;";

/* The version each later column came in, and what a query reads in its
 * place from an older file that could not be migrated (al_history.version). */
static const struct column_since {
    const char *name;
    int since;
    const char *absent;
} columns_since[] = {
    {"quick", 2, "0"},          {"cpu_median_ns", 2, "NULL"}, {"metric_name", 3, "NULL"},
    {"metric_unit", 3, "NULL"}, {"metric", 3, "NULL"},        {"ran_as", 4, "NULL"},
    {"ref_n", 5, "NULL"},       {"ref_median", 5, "NULL"},    {"ref_ci_low", 5, "NULL"},
    {"ref_ci_high", 5, "NULL"}, {"sys_iterations", 6, "NULL"}, {"sys_brk", 6, "NULL"},
    {"sys_mmap", 6, "NULL"},    {"sys_munmap", 6, "NULL"},    {"sys_mremap", 6, "NULL"},
    {"sys_madvise", 6, "NULL"}, {"process_samples", 7, "NULL"},
};

/* The SQL of tmpl for this file: each {column} becomes the column, or its
 * stand-in when the file predates it. sqlite3_free() the result; NULL when
 * out of memory. */
static char *sql_for(const al_history *h, const char *tmpl)
{
    sqlite3_str *out = sqlite3_str_new(NULL);
    for (const char *p = tmpl; *p;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            size_t n = strcspn(p + 1, "{") + 1;
            sqlite3_str_append(out, p, (int)n);
            p += n;
            continue;
        }
        const char *as = NULL;
        for (size_t i = 0; i < sizeof columns_since / sizeof columns_since[0] && !as; i++)
            if (strlen(columns_since[i].name) == (size_t)(end - p - 1) &&
                strncmp(columns_since[i].name, p + 1, (size_t)(end - p - 1)) == 0)
                as = h->version >= columns_since[i].since ? columns_since[i].name : columns_since[i].absent;
        if (!as) { /* not a column of the table: a mistake in this file's SQL */
            sqlite3_free(sqlite3_str_finish(out));
            return NULL;
        }
        sqlite3_str_appendall(out, as);
        p = end + 1;
    }
    return sqlite3_str_finish(out);
}

/* Prepare tmpl for this file (sql_for). */
static int prepare_for(const al_history *h, const char *tmpl, sqlite3_stmt **st)
{
    char *sql = sql_for(h, tmpl);
    *st = NULL;
    if (!sql) return SQLITE_NOMEM;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, st, NULL);
    sqlite3_free(sql);
    return rc;
}

/* ---- opening -----------------------------------------------------------------
 * What an open guarantees, whatever else runs at the same time:
 * - A new database appears whole or not at all: it is built under a private
 *   name beside the target and linked into place (link() never replaces a
 *   file), so any number of processes creating one path at once end up
 *   sharing one complete database, and none removes what another made.
 * - An existing file is first judged from its raw 100-byte header (magic,
 *   journal mode, application id, schema version) without SQLite: a foreign,
 *   WAL-mode or non-SQLite file is never opened by SQLite, so it stays byte
 *   for byte as it was and no -journal, -wal or -shm file appears beside it.
 * - An alloclab file is opened read-write, so that a hot journal left by a
 *   process killed inside a transaction is rolled back by the first read
 *   (a read-only connection cannot do that and would see a damaged file).
 * - Every connection waits for locks (al_history_busy_ms()) and a lock still
 *   held after that is reported as "locked", never as corruption. */

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return -1;
}

static int mkdirs(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    al_report_copy(dir, sizeof dir, path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return fail(err, errlen, "cannot create folder %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail(err, errlen, "cannot create folder %s: %s", dir, strerror(errno));
    return 0;
}

static long long pragma_int(sqlite3 *db, const char *sql, int *rc)
{
    sqlite3_stmt *st;
    long long v = -1;
    *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (*rc == SQLITE_OK) {
        *rc = sqlite3_step(st);
        if (*rc == SQLITE_ROW) v = sqlite3_column_int64(st, 0), *rc = SQLITE_OK;
        sqlite3_finalize(st);
    }
    return v;
}

int al_history_busy_ms(void)
{
    const char *env = getenv("ALLOCLAB_DB_TIMEOUT_MS");
    char *end;
    long v = env && *env ? strtol(env, &end, 10) : -1;
    return env && *env && !*end && v >= 0 && v <= 3600000 ? (int)v : AL_HISTORY_BUSY_MS;
}

static bool is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static void locked_msg(char *err, size_t errlen, const char *path)
{
    snprintf(err, errlen, "%s is locked by another process (waited %.1f s; ALLOCLAB_DB_TIMEOUT_MS sets the wait)",
             path, al_history_busy_ms() / 1000.0);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The file's header, read before SQLite sees the file at all: only an
 * alloclab database in rollback-journal mode is handed to SQLite. */
static int check_header(const char *path, char *err, size_t errlen)
{
    unsigned char h[100];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    const char *why = NULL;
    if (n != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) why = "is not an SQLite database";
    else if (h[18] == 2 || h[19] == 2) why = "is in WAL mode (alloclab databases use a rollback journal)";
    else if (be32(h + 68) != AL_HISTORY_APP_ID) why = "is another application's SQLite database (application_id)";
    else if (be32(h + 60) > AL_HISTORY_VERSION) why = "was written by a newer alloclab (schema version)";
    if (!why) return 0;
    return fail(err, errlen, "%s %s; refusing to touch it", path, why);
}

/* The checks that need SQLite, on the read-write connection (the first read
 * rolls back a hot journal). */
static int check_open(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    const char *why = NULL;
    char detail[160] = "";
    int rc;
    sqlite3_stmt *st;
    bool corrupt = false;
    if ((rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL)) == SQLITE_OK) {
        rc = sqlite3_step(st);
        const char *txt = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (rc == SQLITE_ROW) {
            corrupt = !txt || strcmp(txt, "ok") != 0;
            if (corrupt) al_report_copy_text(detail, sizeof detail, txt ? txt : "no result");
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK) rc = sqlite3_extended_errcode(db);
    if (rc != SQLITE_OK && is_busy(rc)) {
        locked_msg(err, errlen, path);
        return -1;
    }
    if (rc == SQLITE_READONLY_ROLLBACK || rc == SQLITE_READONLY_RECOVERY || rc == SQLITE_READONLY_CANTLOCK) {
        why = "holds a transaction interrupted by a crash, which cannot be rolled back because the file or"
              " its folder is read-only";
    } else if (rc != SQLITE_OK || corrupt) {
        why = "is corrupt";
        if (!detail[0]) al_report_copy_text(detail, sizeof detail, sqlite3_errmsg(db));
    }
    long long version = why ? 0 : pragma_int(db, "PRAGMA user_version", &rc);
    if (!why && rc == SQLITE_OK &&
        pragma_int(db, version >= 6 ? "SELECT count(*) = 4 FROM sqlite_schema WHERE type = 'table' AND"
                                      " name IN ('meta', 'runs', 'results', 'run_libs')"
                                    : "SELECT count(*) = 3 FROM sqlite_schema WHERE type = 'table' AND"
                                      " name IN ('meta', 'runs', 'results')", &rc) != 1 && rc == SQLITE_OK)
        why = "is missing alloclab's tables";
    if (!why && rc != SQLITE_OK) {
        if (is_busy(rc)) {
            locked_msg(err, errlen, path);
            return -1;
        }
        why = "cannot be read";
        al_report_copy_text(detail, sizeof detail, sqlite3_errmsg(db));
    }
    if (!why && version < 1) why = "has no alloclab schema version";
    if (!why && version > AL_HISTORY_VERSION) why = "was written by a newer alloclab (schema version)";
    if (!why) return 0;
    snprintf(err, errlen, "%s %s%s%s; refusing to touch it", path, why, detail[0] ? ": " : "", detail);
    return -1;
}

/* Bring a checked database to AL_HISTORY_VERSION; all or nothing. A current
 * one is not written to (it may be read-only); an older one that cannot be
 * written is left as it is, to be read in its own schema (h->version). The
 * version is read again inside the write transaction: another process may
 * have migrated it since. */
static int migrate(al_history *h, const char *path, char *err, size_t errlen)
{
    sqlite3 *db = h->db;
    int rc;
    char *msg = NULL;
    long long now = pragma_int(db, "PRAGMA user_version", &rc);
    h->version = rc == SQLITE_OK ? (int)now : 0;
    if (now == AL_HISTORY_VERSION && rc == SQLITE_OK) return 0;
    rc = sqlite3_db_readonly(db, "main") == 1 ? SQLITE_READONLY : sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if ((rc & 0xff) == SQLITE_READONLY && now >= 1 && now < AL_HISTORY_VERSION) {
        sqlite3_free(msg);
        return 0; /* read as it is */
    }
    if (rc != SQLITE_OK) {
        if (is_busy(rc)) locked_msg(err, errlen, path);
        else snprintf(err, errlen, "cannot open %s for writing: %s", path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    long long version = pragma_int(db, "PRAGMA user_version", &rc);
    bool ok = rc == SQLITE_OK && version >= 1 && version <= AL_HISTORY_VERSION;
    static const char *const steps[] = {migrate_v1_to_v2, migrate_v2_to_v3, migrate_v3_to_v4,
                                        migrate_v4_to_v5, migrate_v5_to_v6, migrate_v6_to_v7}; /* v to v + 1 */
    for (; ok && version < AL_HISTORY_VERSION; version++)
        ok = sqlite3_exec(db, steps[version - 1], NULL, NULL, &msg) == SQLITE_OK;
    if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) == SQLITE_OK) {
        h->version = AL_HISTORY_VERSION;
        return 0;
    }
    snprintf(err, errlen, "cannot upgrade %s to schema version %d: %s", path, AL_HISTORY_VERSION,
             msg ? msg : rc != SQLITE_OK ? sqlite3_errmsg(db) : "unknown version");
    sqlite3_free(msg);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Remove what creators killed before they finished left beside `path`: its
 * private copies "<name>.new-PID-N" and their journals, of processes that no
 * longer exist. A live process's copy (even one that only shares a reused
 * pid) is left alone; so is every other file. */
static void sweep_dead_creators(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *base = slash ? slash + 1 : path;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path);
    else snprintf(dir, sizeof dir, ".");
    size_t blen = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *n = e->d_name;
        if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".new-", 5) != 0) continue;
        char *end;
        long pid = strtol(n + blen + 5, &end, 10);
        if (pid <= 0 || *end != '-') continue;
        strtoul(end + 1, &end, 10);
        if (*end != '\0' && strcmp(end, "-journal") != 0) continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char full[8300];
        snprintf(full, sizeof full, "%s/%s", dir, n);
        /* A pid names a process of this host and namespace only: a copy a
         * minute old is also past any creation (one takes milliseconds), so
         * a creator elsewhere on a shared folder keeps its fresh one. */
        struct stat st;
        if (stat(full, &st) != 0 || time(NULL) - st.st_mtime < 60) continue;
        unlink(full);
    }
    closedir(d);
}

/* Build a new, complete database under a private name in the target's
 * folder, then link it to `path` unless a file is there already (another
 * process won the race: its database is as good as ours). 0 when `path`
 * now exists; -1 with a reason. */
static int create_new(const char *path, char *err, size_t errlen)
{
    static unsigned counter;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new-%ld-%u", path, (long)getpid(), counter++);
    sqlite3 *db = NULL;
    char *msg = NULL, *sql = sqlite3_mprintf(schema, AL_HISTORY_VERSION, AL_HISTORY_APP_ID, AL_HISTORY_VERSION);
    char journal[4300];
    snprintf(journal, sizeof journal, "%s-journal", tmp);
    unlink(tmp); /* left by a killed process that had our pid */
    unlink(journal);
    int rc = sql ? sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) : SQLITE_NOMEM;
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "BEGIN", NULL, NULL, &msg);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
    char why[256];
    al_report_copy(why, sizeof why, msg ? msg : db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_free(msg);
    sqlite3_free(sql);
    if (sqlite3_close(db) != SQLITE_OK) rc = rc ? rc : SQLITE_ERROR;
    int out = -1;
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", path, why);
    } else if (link(tmp, path) == 0 || errno == EEXIST) {
        out = 0;
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0 || errno == EEXIST) {
        out = 0; /* a file system without hard links */
    } else {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    }
    unlink(tmp);
    unlink(journal);
    return out;
}

al_history *al_history_open(const char *path, bool create, char *err, size_t errlen)
{
    if (!path) path = AL_HISTORY_DEFAULT_PATH;
    if (!*path) {
        fail(err, errlen, "the database path is empty%s%s", "", "");
        return NULL;
    }
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (exists && !S_ISREG(sb.st_mode)) {
        fail(err, errlen, "%s is not a regular file%s", path, "");
        return NULL;
    }
    if (!exists && !create) {
        fail(err, errlen, "no results database at %s (alloclab bench --save LABEL creates it)%s", path, "");
        return NULL;
    }
    if (!exists && (mkdirs(path, err, errlen) != 0 || create_new(path, err, errlen) != 0)) return NULL;
    if (check_header(path, err, errlen) != 0) return NULL;
    al_history *h = calloc(1, sizeof *h);
    if (!h) {
        fail(err, errlen, "out of memory%s%s", "", "");
        return NULL;
    }
    /* Not SQLITE_OPEN_CREATE: the file was checked above; if it vanished
     * since, that is an error, not a new empty file. */
    if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fail(err, errlen, "cannot open %s: %s", path, sqlite3_errmsg(h->db));
        al_history_close(h);
        return NULL;
    }
    sqlite3_extended_result_codes(h->db, 1);
    sqlite3_busy_timeout(h->db, al_history_busy_ms());
    if (check_open(h->db, path, err, errlen) != 0 || migrate(h, path, err, errlen) != 0) {
        al_history_close(h);
        return NULL;
    }
    sqlite3_exec(h->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    struct stat opened;
    if (stat(path, &opened) == 0) h->dev = opened.st_dev, h->ino = opened.st_ino;
    if (create) sweep_dead_creators(path);
    return h;
}

bool al_history_read_only(al_history *h)
{
    return sqlite3_db_readonly(h->db, "main") == 1;
}

void al_history_close(al_history *h)
{
    if (!h) return;
    sqlite3_close(h->db);
    free(h);
}

/* ---- saving ----------------------------------------------------------------
 * One transaction per run: either the run and all its results are stored, or
 * nothing is. */

static void *encode_samples(const double *x, size_t n)
{
    unsigned char *blob = malloc(n ? n * 8 : 1);
    for (size_t i = 0; blob && i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], 8);
        for (int b = 0; b < 8; b++) blob[i * 8 + b] = (unsigned char)(bits >> (8 * b));
    }
    return blob;
}

static double *decode_samples(const unsigned char *blob, size_t bytes, size_t *n)
{
    *n = bytes / 8;
    double *x = malloc(*n ? *n * sizeof *x : 1);
    for (size_t i = 0; x && i < *n; i++) {
        uint64_t bits = 0;
        for (int b = 0; b < 8; b++) bits |= (uint64_t)blob[i * 8 + b] << (8 * b);
        memcpy(&x[i], &bits, 8);
    }
    return x;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* NaN is stored as NULL (SQLite does that itself; being explicit). */
static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v)) sqlite3_bind_double(st, i, v);
    else sqlite3_bind_null(st, i);
}

static int insert_run(sqlite3 *db, const al_bench_context *c, long long *id)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
        "INSERT INTO runs(date, label, git_commit, host, cpu, ncpus, mhz, compiler, build_type,"
        " mode, version, quick, ref_n, ref_median, ref_ci_low, ref_ci_high)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    const char *texts[] = {c->date, c->label, c->git_commit, c->host, c->cpu};
    for (int i = 0; i < 5; i++) bind_text(st, i + 1, texts[i]);
    sqlite3_bind_int(st, 6, c->ncpus);
    bind_real(st, 7, c->mhz_per_cpu);
    bind_text(st, 8, c->compiler);
    bind_text(st, 9, c->build_type);
    bind_text(st, 10, c->mode);
    bind_text(st, 11, c->alloclab_version);
    sqlite3_bind_int(st, 12, c->quick);
    if (c->reference.n > 0) { /* else NULL: not measured */
        sqlite3_bind_int64(st, 13, (sqlite3_int64)c->reference.n);
        bind_real(st, 14, c->reference.median_ns);
        bind_real(st, 15, c->reference.ci_low_ns);
        bind_real(st, 16, c->reference.ci_high_ns);
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(db);
    if (rc != SQLITE_DONE) return rc;
    rc = sqlite3_prepare_v2(db, "INSERT INTO run_libs VALUES(?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < c->nlibs && i < AL_BENCH_MAX_LIBS; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, *id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_text(st, 3, c->libs[i].name);
        bind_text(st, 4, c->libs[i].version);
        int step = sqlite3_step(st);
        rc = step == SQLITE_DONE ? SQLITE_OK : step;
    }
    if (rc == SQLITE_OK && *c->test_hooks) { /* one more row, read back into test_hooks */
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, *id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)c->nlibs);
        bind_text(st, 3, TEST_HOOKS_ROW);
        bind_text(st, 4, c->test_hooks);
        int step = sqlite3_step(st);
        rc = step == SQLITE_DONE ? SQLITE_OK : step;
    }
    sqlite3_finalize(st);
    return rc;
}

static int insert_result(sqlite3_stmt *st, long long run_id, size_t seq, const al_bench_result *r)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    bind_text(st, 3, r->workload);
    bind_text(st, 4, r->param);
    bind_text(st, 5, r->allocator);
    bind_text(st, 6, al_run_status_name(r->status));
    bind_text(st, 7, r->reason);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)r->iterations);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->nsamples);
    const double stats[] = {r->s.median, r->s.mean, r->s.stddev, r->s.mad,
                            r->s.min,    r->s.max,  r->s.ci_low, r->s.ci_high};
    for (int i = 0; i < 8; i++) bind_real(st, 10 + i, stats[i]);
    sqlite3_bind_int64(st, 18, (sqlite3_int64)r->s.outliers_low);
    sqlite3_bind_int64(st, 19, (sqlite3_int64)r->s.outliers_high);
    sqlite3_bind_int64(st, 20, r->peak_rss_kib);
    sqlite3_bind_int64(st, 21, r->minor_faults);
    sqlite3_bind_int64(st, 22, r->major_faults);
    bind_real(st, 23, r->alloc_calls);
    bind_real(st, 24, r->instructions);
    bind_real(st, 25, r->est_cycles);
    size_t n = r->samples ? r->nsamples : 0;
    void *blob = encode_samples(r->samples, n);
    if (!blob) return SQLITE_NOMEM;
    sqlite3_bind_blob(st, 26, blob, (int)(n * 8), free);
    bind_real(st, 27, r->cpu_median_ns >= 0 ? r->cpu_median_ns : NAN); /* -1: NULL */
    bool metric = al_result_has_metric(r);
    if (metric) {
        bind_text(st, 28, r->metric_name);
        bind_text(st, 29, r->metric_unit);
    }
    bind_real(st, 30, metric ? r->metric : NAN);
    if (r->ran_as[0]) bind_text(st, 31, r->ran_as);
    if (al_syscalls_known(&r->sys)) { /* else NULL: not counted */
        const uint64_t counts[] = {r->sys.iterations, r->sys.brk, r->sys.mmap, r->sys.munmap, r->sys.mremap,
                                   r->sys.madvise};
        for (int i = 0; i < 6; i++)
            sqlite3_bind_int64(st, 32 + i, counts[i] > INT64_MAX ? INT64_MAX : (sqlite3_int64)counts[i]);
    }
    char procs[AL_RESULT_MAX_PROCS * 6 + 1];
    if (al_result_procs_text(r, procs, sizeof procs)) bind_text(st, 38, procs);
    int rc = sqlite3_step(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A test hook: ALLOCLAB_TEST_SAVE_PAUSE_MS makes a save wait that long
 * inside its transaction, after its rows are written and before COMMIT, with
 * a one-page cache so that the transaction has already written into the
 * database file (its journal synced and hot), as a COMMIT interrupted half
 * way leaves it: tests kill it there. */
static long test_pause_ms(void)
{
    const char *env = getenv("ALLOCLAB_TEST_SAVE_PAUSE_MS");
    return env ? strtol(env, NULL, 10) : 0;
}

static void test_pause(void)
{
    long ms = test_pause_ms();
    if (ms <= 0) return;
    fprintf(stderr, "alloclab: test hook: pausing %ld ms inside the save transaction\n", ms);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* The file at the database's path must still be the one this connection
 * opened, and still an alloclab database: a file moved over it since would
 * take the run into a copy no one reads any more, and one written over it
 * (another program's) is not ours to write. */
static int check_still_ours(const al_history *h, const char *file, char *err, size_t errlen)
{
    struct stat st;
    if (stat(file, &st) != 0) return fail(err, errlen, "%s is gone since it was opened: %s", file, strerror(errno));
    if (st.st_dev != h->dev || st.st_ino != h->ino)
        return fail(err, errlen, "%s was replaced by another file since it was opened%s", file, "");
    return check_header(file, err, errlen);
}

int al_history_save(al_history *h, al_bench_run *run, char *err, size_t errlen)
{
    sqlite3 *db = h->db;
    long long id = 0;
    sqlite3_stmt *st = NULL;
    if (h->version != AL_HISTORY_VERSION) {
        snprintf(err, errlen, "the database is read-only (schema version %d, read as it is)", h->version);
        return -1;
    }
    const char *path = sqlite3_db_filename(db, "main");
    if (path && *path && check_still_ours(h, path, err, errlen) != 0) return -1;
    /* IMMEDIATE: the write lock is taken (or waited for) now, never in the
     * middle of the transaction, where SQLite could not wait for it. */
    if (test_pause_ms() > 0) sqlite3_exec(db, "PRAGMA cache_size = 1", NULL, NULL, NULL);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = insert_run(db, &run->ctx, &id);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO results VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < run->nresults; i++)
        rc = insert_result(st, id, i, &run->results[i]);
    sqlite3_finalize(st);
    if (rc == SQLITE_OK) test_pause();
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        const char *file = sqlite3_db_filename(db, "main");
        if (is_busy(rc)) locked_msg(err, errlen, file && *file ? file : "the database");
        else snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    run->id = id;
    return 0;
}

/* ---- loading ----------------------------------------------------------------
 * A reference is a run id (all digits) or a label (the latest run with it);
 * an all-digit label is found when no run has that id. */

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static double col_real(sqlite3_stmt *st, int i, double null_value)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? null_value : sqlite3_column_double(st, i);
}

static al_run_status status_of(const char *s)
{
    if (strcmp(s, "ok") == 0) return AL_RUN_OK;
    if (strcmp(s, "unsupported") == 0) return AL_RUN_UNSUPPORTED;
    return AL_RUN_FAILED;
}

static long long find_run(sqlite3 *db, const char *ref, int nth_last)
{
    sqlite3_stmt *st;
    long long id = -1;
    bool digits = ref && *ref && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 19;
    const char *sql = !ref ? "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1"
                      : digits ? "SELECT id FROM runs WHERE id = ?2 UNION ALL"
                                 " SELECT * FROM (SELECT id FROM runs WHERE label = ?3 ORDER BY id DESC LIMIT 1)"
                               : "SELECT id FROM runs WHERE label = ?3 ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -2;
    sqlite3_bind_int(st, 1, nth_last < 0 ? 0 : nth_last);
    if (digits) sqlite3_bind_int64(st, 2, strtoll(ref, NULL, 10));
    if (ref) bind_text(st, 3, ref);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) id = -2;
    sqlite3_finalize(st);
    return id;
}

/* The libraries' versions of run id (schema 6 on), at most AL_BENCH_MAX_LIBS. */
static int load_libs(const al_history *h, long long id, al_bench_context *c)
{
    sqlite3_stmt *st;
    c->nlibs = 0;
    if (h->version < 6) return 0;
    if (sqlite3_prepare_v2(h->db, "SELECT name, version FROM run_libs WHERE run_id = ? ORDER BY seq LIMIT ?", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, AL_BENCH_MAX_LIBS + 1); /* and the test hooks' row */
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strcmp(col_text(st, 0), TEST_HOOKS_ROW) == 0) {
            al_report_copy_text(c->test_hooks, sizeof c->test_hooks, col_text(st, 1));
            continue;
        }
        if (c->nlibs == AL_BENCH_MAX_LIBS) continue;
        al_bench_lib *l = &c->libs[c->nlibs++];
        al_report_copy_text(l->name, sizeof l->name, col_text(st, 0));
        al_report_copy_text(l->version, sizeof l->version, col_text(st, 1));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int load_context(const al_history *h, long long id, al_bench_context *c)
{
    sqlite3_stmt *st;
    if (prepare_for(h, "SELECT date, label, git_commit, host, cpu, ncpus, mhz, compiler,"
                       " build_type, mode, version, {quick}, {ref_n}, {ref_median}, {ref_ci_low}, {ref_ci_high}"
                       " FROM runs WHERE id = ?", &st) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        al_report_copy_text(c->date, sizeof c->date, col_text(st, 0));
        al_report_copy_text(c->label, sizeof c->label, col_text(st, 1));
        al_report_copy_text(c->git_commit, sizeof c->git_commit, col_text(st, 2));
        al_report_copy_text(c->host, sizeof c->host, col_text(st, 3));
        al_report_copy_text(c->cpu, sizeof c->cpu, col_text(st, 4));
        c->ncpus = sqlite3_column_int(st, 5);
        c->mhz_per_cpu = col_real(st, 6, 0);
        al_report_copy_text(c->compiler, sizeof c->compiler, col_text(st, 7));
        al_report_copy_text(c->build_type, sizeof c->build_type, col_text(st, 8));
        al_report_copy_text(c->mode, sizeof c->mode, col_text(st, 9));
        al_report_copy_text(c->alloclab_version, sizeof c->alloclab_version, col_text(st, 10));
        c->quick = sqlite3_column_int(st, 11) != 0;
        long long ref_n = sqlite3_column_int64(st, 12);
        if (ref_n > 0)
            c->reference = (al_bench_reference){.n = (size_t)ref_n, .median_ns = col_real(st, 13, NAN),
                                                .ci_low_ns = col_real(st, 14, NAN), .ci_high_ns = col_real(st, 15, NAN)};
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? load_libs(h, id, c) : -1;
}

static int load_result(sqlite3_stmt *st, al_bench_result *r)
{
    memset(r, 0, sizeof *r);
    al_report_copy_text(r->workload, sizeof r->workload, col_text(st, 0));
    al_report_copy_text(r->param, sizeof r->param, col_text(st, 1));
    al_report_copy_text(r->allocator, sizeof r->allocator, col_text(st, 2));
    r->status = status_of(col_text(st, 3));
    al_report_copy_text(r->reason, sizeof r->reason, col_text(st, 4));
    r->iterations = (uint64_t)sqlite3_column_int64(st, 5);
    double *stats[] = {&r->s.median, &r->s.mean, &r->s.stddev, &r->s.mad,
                       &r->s.min,    &r->s.max,  &r->s.ci_low, &r->s.ci_high};
    for (int i = 0; i < 8; i++) *stats[i] = col_real(st, 7 + i, NAN);
    r->s.outliers_low = (size_t)sqlite3_column_int64(st, 15);
    r->s.outliers_high = (size_t)sqlite3_column_int64(st, 16);
    r->peak_rss_kib = (long)sqlite3_column_int64(st, 17);
    r->minor_faults = (long)sqlite3_column_int64(st, 18);
    r->major_faults = (long)sqlite3_column_int64(st, 19);
    r->alloc_calls = col_real(st, 20, -1);
    r->instructions = col_real(st, 21, -1);
    r->est_cycles = col_real(st, 22, -1);
    r->cpu_median_ns = col_real(st, 25, -1);
    al_report_copy_text(r->metric_name, sizeof r->metric_name, col_text(st, 26));
    al_report_copy_text(r->metric_unit, sizeof r->metric_unit, col_text(st, 27));
    r->metric = col_real(st, 28, NAN);
    al_report_copy(r->ran_as, sizeof r->ran_as, col_text(st, 29));
    /* The system calls: counted when every count is there, none negative
     * and the pass ran at least one iteration (as the JSON reader takes them). */
    bool counted = sqlite3_column_int64(st, 30) >= 1;
    uint64_t sc[6];
    for (int i = 0; i < 6; i++) {
        sqlite3_int64 v = sqlite3_column_int64(st, 30 + i);
        counted = counted && sqlite3_column_type(st, 30 + i) == SQLITE_INTEGER && v >= 0;
        sc[i] = (uint64_t)(v > 0 ? v : 0);
    }
    if (counted)
        r->sys = (al_syscall_counts){.counted = true, .iterations = sc[0], .brk = sc[1], .mmap = sc[2],
                                     .munmap = sc[3], .mremap = sc[4], .madvise = sc[5]};
    const void *blob = sqlite3_column_blob(st, 23);
    size_t bytes = (size_t)sqlite3_column_bytes(st, 23);
    r->samples = decode_samples(blob, blob ? bytes : 0, &r->nsamples);
    r->s.n = r->nsamples ? r->nsamples : (size_t)sqlite3_column_int64(st, 6);
    al_result_procs_parse(r, col_text(st, 36)); /* not a sum of nsamples: unknown */
    return r->samples ? 0 : -1;
}

int al_history_load(al_history *h, const char *ref, int nth_last, al_bench_run *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    long long id = find_run(h->db, ref, nth_last);
    if (id == -1) {
        if (ref) snprintf(err, errlen, "no stored run with id or label '%s'", ref);
        else snprintf(err, errlen, "the results database holds fewer than %d runs", nth_last + 1);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    int rc = id < 0 || load_context(h, id, &out->ctx) != 0 ? SQLITE_ERROR : SQLITE_OK;
    long long n = rc == SQLITE_OK ? 0 : -1;
    if (rc == SQLITE_OK)
        rc = prepare_for(h, "SELECT workload, param, allocator, status, reason, iterations,"
            " nsamples, median, mean, stddev, mad, min, max, ci_low, ci_high, outliers_low,"
            " outliers_high, peak_rss_kib, minor_faults, major_faults, alloc_calls, instructions,"
            " est_cycles, samples, (SELECT count(*) FROM results WHERE run_id = ?1), {cpu_median_ns},"
            " {metric_name}, {metric_unit}, {metric}, {ran_as}, {sys_iterations}, {sys_brk}, {sys_mmap},"
            " {sys_munmap}, {sys_mremap}, {sys_madvise}, {process_samples} FROM results WHERE run_id = ?1 ORDER BY seq", &st);
    bool too_many = false;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!out->results) {
                n = sqlite3_column_int64(st, 24);
                if ((too_many = n > AL_RUN_MAX_RESULTS)) break;
                out->results = calloc((size_t)n, sizeof *out->results);
                if (!out->results) break;
            }
            if ((long long)out->nresults >= n || load_result(st, &out->results[out->nresults]) != 0)
                break; /* rc stays SQLITE_ROW: reported below */
            out->nresults++;
        }
    }
    sqlite3_finalize(st);
    char why[200] = "";
    if (too_many) snprintf(why, sizeof why, "%lld results, more than the %d a run may hold", n, AL_RUN_MAX_RESULTS);
    else if (rc == SQLITE_ROW) snprintf(why, sizeof why, "out of memory");
    else if (rc != SQLITE_DONE) al_report_copy_text(why, sizeof why, sqlite3_errmsg(h->db));
    if (!why[0]) {
        al_report_clean_run(out);
        al_bench_run_index(out, why, sizeof why);
    }
    if (why[0]) {
        snprintf(err, errlen, "cannot load run %lld: %s", id, why);
        al_bench_run_free(out);
        return -1;
    }
    out->id = id;
    return 0;
}

/* ---- listing ---------------------------------------------------------------- */

long long al_history_run_count(al_history *h, char *err, size_t errlen)
{
    int rc;
    long long n = pragma_int(h->db, "SELECT count(*) FROM runs", &rc);
    if (rc != SQLITE_OK) snprintf(err, errlen, "cannot read the runs: %s", sqlite3_errmsg(h->db));
    return rc == SQLITE_OK ? n : -1;
}

int al_history_default_pair(al_history *h, long long *base_id, long long *new_id, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    /* The newest run that has an earlier one of the same kind (mode and
     * quick flag; an unset mode is a time run, as al_bench_context's readers
     * take it), with that partner; and the newest run itself, to say when it
     * had to be passed over. */
    if (prepare_for(h,
            "WITH k AS (SELECT id, {quick} AS quick, coalesce(nullif(mode, ''), 'time') AS m FROM runs),"
            " p AS (SELECT n.id AS nid, (SELECT b.id FROM k b WHERE b.id < n.id AND b.quick = n.quick"
            "   AND b.m = n.m ORDER BY b.id DESC LIMIT 1) AS bid FROM k n)"
            " SELECT (SELECT nid FROM p WHERE bid IS NOT NULL ORDER BY nid DESC LIMIT 1),"
            " (SELECT bid FROM p WHERE bid IS NOT NULL ORDER BY nid DESC LIMIT 1),"
            " (SELECT m FROM k ORDER BY id DESC LIMIT 1), (SELECT quick FROM k ORDER BY id DESC LIMIT 1),"
            " (SELECT max(id) FROM k), (SELECT count(*) FROM k)", &st) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the runs: %s", sqlite3_errmsg(h->db));
        return -1;
    }
    int rc = sqlite3_step(st), out = -1;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *new_id = sqlite3_column_int64(st, 0);
        *base_id = sqlite3_column_int64(st, 1);
        long long newest = sqlite3_column_int64(st, 4);
        out = 0;
        if (*new_id != newest) {
            snprintf(err, errlen, "the newest run (#%lld, %s mode%s) has no earlier run of its kind: comparing "
                     "the newest pair of one kind, #%lld and #%lld", newest, col_text(st, 2),
                     sqlite3_column_int(st, 3) ? ", --quick" : "", *base_id, *new_id);
            out = 1;
        }
    } else if (rc == SQLITE_ROW && sqlite3_column_int64(st, 5) >= 2) {
        snprintf(err, errlen, "no two runs of one mode and --quick flag in the database; name BASE and NEW");
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        snprintf(err, errlen, "the results database holds fewer than two runs: nothing to compare");
    } else {
        snprintf(err, errlen, "cannot read the runs: %s", sqlite3_errmsg(h->db));
    }
    sqlite3_finalize(st);
    return out;
}

al_history_point *al_history_series(al_history *h, const char *bench, size_t *count, char *err,
                                    size_t errlen)
{
    sqlite3_stmt *st;
    *count = 0;
    if (prepare_for(h,
            "SELECT run_id, date, label, git_commit, n, status, median, ci_low, ci_high, instructions,"
            " coalesce(nullif(mode, ''), 'time'), {quick}"
            " FROM (SELECT *, workload || '/' || param || '/' || allocator AS n FROM results)"
            " JOIN runs ON runs.id = run_id"
            " WHERE n = ?1 OR substr(n, 1, length(?1) + 1) = ?1 || '/' ORDER BY run_id, seq",
            &st) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the history: %s", sqlite3_errmsg(h->db));
        return NULL;
    }
    bind_text(st, 1, bench);
    size_t cap = 16;
    al_history_point *pts = malloc(cap * sizeof *pts);
    int rc = SQLITE_DONE;
    while (pts && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            al_history_point *more = realloc(pts, (cap *= 2) * sizeof *pts);
            if (!more) {
                free(pts);
                pts = NULL;
                break;
            }
            pts = more;
        }
        al_history_point *p = &pts[(*count)++];
        memset(p, 0, sizeof *p);
        p->run_id = sqlite3_column_int64(st, 0);
        al_report_copy_text(p->date, sizeof p->date, col_text(st, 1));
        al_report_copy_text(p->label, sizeof p->label, col_text(st, 2));
        al_report_copy_text(p->git_commit, sizeof p->git_commit, col_text(st, 3));
        al_report_copy_text(p->name, sizeof p->name, col_text(st, 4));
        p->status = status_of(col_text(st, 5));
        p->median = col_real(st, 6, NAN);
        p->ci_low = col_real(st, 7, NAN);
        p->ci_high = col_real(st, 8, NAN);
        p->instructions = col_real(st, 9, -1);
        al_report_copy_text(p->mode, sizeof p->mode, col_text(st, 10));
        p->quick = sqlite3_column_int(st, 11) != 0;
    }
    if (pts && rc != SQLITE_DONE) {
        free(pts);
        pts = NULL;
    }
    if (!pts) snprintf(err, errlen, "cannot read the history: %s", sqlite3_errmsg(h->db));
    sqlite3_finalize(st);
    if (!pts) *count = 0;
    return pts;
}
