/* The history under concurrent and interrupted use: many processes creating
 * and saving into one database at once, processes killed at any point of a
 * save (inside its COMMIT included), a lock held by another process, a full
 * disk, and files alloclab must not touch (WAL mode). After each, the
 * database opens, passes PRAGMA integrity_check, and holds every run whose
 * save completed, each whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "history.h"
#include "reports.h"
#include "synth_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char err[512];

/* ----------------------------------------------------------------------------
 * Helpers: paths, the database seen through raw SQLite, the CLI in a child.
 * ------------------------------------------------------------------------- */
static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool side_file(const char *db, const char *suffix)
{
    char p[300];
    snprintf(p, sizeof p, "%.256s%.16s", db, suffix);
    return exists(p);
}

/* PRAGMA integrity_check through a read-write connection (which rolls back
 * a hot journal, as alloclab's does), and the number of runs. */
static long long check_db(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Every stored run has exactly `per_run` results: nothing half stored. */
static void check_runs_whole(const char *path, long long per_run)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT runs.id, (SELECT count(*) FROM results WHERE run_id = runs.id)"
                                            " FROM runs", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) assert_int_equal(sqlite3_column_int64(st, 1), per_run);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

typedef struct spawn_opts {
    const char *env[4];       /* "NAME=value" to add */
    rlim_t fsize;             /* RLIMIT_FSIZE in bytes; 0 = unlimited */
    const char *out, *errp;   /* stdout / stderr files; NULL = /dev/null */
    bool other_user;          /* run as nobody when the tests run as root */
} spawn_opts;

/* Start `alloclab args...` in a child; returns its pid. */
static pid_t spawn_cli(const spawn_opts *o, const char *const *args)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid) return pid;
    int fo = open(o->out ? o->out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(o->errp ? o->errp : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0) _exit(127);
    dup2(fo, 1);
    dup2(fe, 2);
    for (size_t i = 0; i < 4 && o->env[i]; i++) putenv((char *)o->env[i]);
    char lsan[512]; /* LeakSanitizer's suppression summary is not the command's output */
    const char *prev = getenv("LSAN_OPTIONS");
    snprintf(lsan, sizeof lsan, "%s%sprint_suppressions=0", prev ? prev : "", prev && *prev ? ":" : "");
    setenv("LSAN_OPTIONS", lsan, 1);
    if (o->other_user && geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(125);
    if (o->fsize) {
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
        struct rlimit rl = {o->fsize, o->fsize};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
    }
    const char *argv[40] = {ALLOCLAB_CLI};
    size_t n = 1;
    for (; args[n - 1] && n < 39; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    execv(ALLOCLAB_CLI, (char *const *)argv);
    _exit(127);
}

static int wait_exit(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0) assert_int_equal(errno, EINTR);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_cli(const spawn_opts *o, const char *const *args)
{
    return wait_exit(spawn_cli(o, args));
}

#define TINY_BENCH "bench", "--workloads", "single-alloc/64", "--allocators", "sys", "--samples", "2", \
                   "--min-sample-ms", "0.01", "--quiet"

static char *read_text(const char *path)
{
    size_t len;
    char *s = synth_read_file(path, &len);
    if (!s) s = calloc(1, 1); /* not created yet */
    assert_non_null(s);
    return s;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* A save from this process (a forked child): one synthetic run. */
static int save_one(const char *path, const char *label, size_t nresults)
{
    al_history *h = al_history_open(path, true, err, sizeof err);
    if (!h) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    al_bench_run run;
    synth_run_init(&run, label);
    char param[24];
    for (size_t i = 0; i < nresults; i++) {
        snprintf(param, sizeof param, "%zu", i);
        synth_add(&run, "w", param, "sys", AL_RUN_OK, 100 + (double)i, 0.01, 40, NULL, (unsigned)i + 1);
    }
    int rc = al_history_save(h, &run, err, sizeof err);
    if (rc != 0) fprintf(stderr, "save: %s\n", err);
    al_bench_run_free(&run);
    al_history_close(h);
    return rc ? 1 : 0;
}

/* ----------------------------------------------------------------------------
 * Many writers at once.
 * ------------------------------------------------------------------------- */
enum { WRITERS = 8, ROUNDS = 6 };

/* Library level: WRITERS processes open (the first round creates the file)
 * and save at once, ROUNDS times: every run stored. */
static void test_concurrent_saves(void **state)
{
    (void)state;
    for (int db_i = 0; db_i < 3; db_i++) {
        char path[256], name[32];
        snprintf(name, sizeof name, "race%d/deep/results.db", db_i); /* folders raced too */
        synth_group_path_into(path, sizeof path, name);
        for (int round = 0; round < ROUNDS; round++) {
            pid_t pids[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                fflush(NULL);
                pids[w] = fork();
                assert_true(pids[w] >= 0);
                if (pids[w] == 0) {
                    char label[32];
                    snprintf(label, sizeof label, "r%dw%d", round, w);
                    _exit(save_one(path, label, 5));
                }
            }
            for (int w = 0; w < WRITERS; w++) assert_int_equal(wait_exit(pids[w]), 0);
            assert_int_equal(check_db(path), (long long)WRITERS * (round + 1));
        }
        check_runs_whole(path, 5);
        assert_false(side_file(path, "-journal"));
    }
}

/* The command itself: `bench --save` started WRITERS times at once on a new
 * database, then again on the existing one. All exit 0, all stored. */
static void test_concurrent_bench_commands(void **state)
{
    (void)state;
    char db[256];
    synth_group_path_into(db, sizeof db, "cli-race.db");
    for (int round = 0; round < 3; round++) {
        pid_t pids[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            char label[32];
            snprintf(label, sizeof label, "c%dw%d", round, w);
            spawn_opts o = {0};
            pids[w] = spawn_cli(&o, (const char *const[]){TINY_BENCH, "--save", label, "--db", db, NULL});
        }
        for (int w = 0; w < WRITERS; w++) assert_int_equal(wait_exit(pids[w]), 0);
        assert_int_equal(check_db(db), (long long)WRITERS * (round + 1));
    }
}

/* ----------------------------------------------------------------------------
 * Kills.
 * ------------------------------------------------------------------------- */

/* A bench killed while it waits inside its save transaction (the test hook
 * holds it there with its rows written): the hot journal it leaves is rolled
 * back by the next command, which sees every earlier run. */
static void test_kill_inside_save_transaction(void **state)
{
    (void)state;
    char db[256], errf[256], out[256];
    synth_group_path_into(db, sizeof db, "killed.db");
    synth_group_path_into(errf, sizeof errf, "killed.err");
    synth_group_path_into(out, sizeof out, "killed.out");
    spawn_opts plain = {0};
    assert_int_equal(run_cli(&plain, (const char *const[]){TINY_BENCH, "--save", "one", "--db", db, NULL}), 0);
    assert_int_equal(run_cli(&plain, (const char *const[]){TINY_BENCH, "--save", "two", "--db", db, NULL}), 0);

    spawn_opts paused = {.env = {"ALLOCLAB_TEST_SAVE_PAUSE_MS=30000"}, .errp = errf};
    pid_t pid = spawn_cli(&paused, (const char *const[]){TINY_BENCH, "--save", "killed", "--db", db, NULL});
    char *text = NULL;
    for (int i = 0; i < 2000; i++) { /* at most 20 s */
        free(text);
        text = read_text(errf);
        if (strstr(text, "pausing")) break;
        sleep_ms(10);
    }
    assert_non_null(strstr(text, "pausing"));
    free(text);
    assert_true(side_file(db, "-journal"));
    kill(pid, SIGKILL);
    assert_int_equal(wait_exit(pid), 128 + SIGKILL);
    assert_true(side_file(db, "-journal")); /* hot: its writer died */

    /* The next commands: no "corrupt", every completed run there. */
    spawn_opts show = {.out = out, .errp = errf};
    int rc = run_cli(&show, (const char *const[]){"show", "--db", db, NULL});
    text = read_text(errf);
    if (rc != 0) fprintf(stderr, "show: %s", text);
    assert_int_equal(rc, 0);
    free(text);
    text = read_text(out);
    assert_non_null(strstr(text, "label two"));
    free(text);
    assert_false(side_file(db, "-journal"));
    assert_int_equal(run_cli(&plain, (const char *const[]){"history", "single-alloc/64/sys", "--db", db, NULL}), 0);
    assert_int_equal(run_cli(&plain, (const char *const[]){TINY_BENCH, "--save", "three", "--db", db, NULL}), 0);
    assert_int_equal(check_db(db), 3);
}

/* A writer killed after its transaction has written pages into the
 * database file itself (a cache of one page spills at once), as a kill in
 * the middle of COMMIT leaves it: the file is half new, the journal hot. */
static void test_kill_with_database_half_written(void **state)
{
    (void)state;
    char db[256];
    synth_group_path_into(db, sizeof db, "half.db");
    assert_int_equal(save_one(db, "before", 20), 0);
    size_t len_before;
    free(synth_read_file(db, &len_before));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *s;
        if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) _exit(1);
        sqlite3_exec(s, "PRAGMA cache_size = 1; BEGIN IMMEDIATE;"
                        "INSERT INTO runs(label) VALUES('half');"
                        "UPDATE results SET median = 0, samples = zeroblob(30000);"
                        "INSERT INTO results(run_id, seq, workload, samples) SELECT 99, seq + 1000, 'x',"
                        " zeroblob(20000) FROM results;", NULL, NULL, NULL);
        raise(SIGKILL);
        _exit(2);
    }
    assert_int_equal(wait_exit(pid), 128 + SIGKILL);
    assert_true(side_file(db, "-journal"));
    size_t len_mid;
    free(synth_read_file(db, &len_mid));
    assert_true(len_mid > len_before); /* the file itself was written */

    al_history *h = al_history_open(db, false, err, sizeof err);
    if (!h) fprintf(stderr, "open: %s\n", err);
    assert_non_null(h);
    al_bench_run back;
    assert_int_equal(al_history_load(h, NULL, 0, &back, err, sizeof err), 0);
    assert_string_equal(back.ctx.label, "before");
    assert_int_equal(back.nresults, 20);
    assert_true(back.results[0].s.median > 0);
    al_bench_run_free(&back);
    assert_int_equal(al_history_run_count(h, err, sizeof err), 1);
    al_history_close(h);
    assert_int_equal(check_db(db), 1);
}

/* Writers killed at random moments (before, during and after their save),
 * forty times: the database always opens, and holds every run a writer
 * reported saved, each whole. */
static void test_random_kills(void **state)
{
    (void)state;
    char db[256];
    synth_group_path_into(db, sizeof db, "kills.db");
    unsigned seed = (unsigned)time(NULL);
    fprintf(stdout, "seed %u\n", seed);
    srand(seed);
    long long saved = 0;
    for (int i = 0; i < 40; i++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            char label[32];
            snprintf(label, sizeof label, "k%d", i);
            int rc = save_one(db, label, 150);
            if (rc == 0 && write(fds[1], "s", 1) != 1) _exit(3);
            _exit(rc);
        }
        close(fds[1]);
        sleep_ms(rand() % 40);
        kill(pid, SIGKILL);
        int rc = wait_exit(pid);
        char c;
        bool reported = read(fds[0], &c, 1) == 1;
        close(fds[0]);
        assert_true(rc == 0 || rc == 128 + SIGKILL);
        saved += reported;
        al_history *h = al_history_open(db, true, err, sizeof err);
        if (!h) fprintf(stderr, "round %d: %s\n", i, err);
        assert_non_null(h);
        long long n = al_history_run_count(h, err, sizeof err);
        al_history_close(h);
        assert_true(n >= saved); /* killed after COMMIT but before reporting: one more */
        saved = n;
    }
    assert_int_equal(check_db(db), saved);
    check_runs_whole(db, 150);
}

/* ----------------------------------------------------------------------------
 * A lock held by another process, a full disk, files to leave alone.
 * ------------------------------------------------------------------------- */
static void test_locked_database(void **state)
{
    (void)state;
    char db[256], errf[256];
    synth_group_path_into(db, sizeof db, "locked.db");
    synth_group_path_into(errf, sizeof errf, "locked.err");
    assert_int_equal(save_one(db, "first", 3), 0);
    sqlite3 *s;
    assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

    /* Held longer than the wait: "locked", exit 2, never "corrupt". */
    spawn_opts o = {.env = {"ALLOCLAB_DB_TIMEOUT_MS=300"}, .errp = errf};
    const char *const *cmds[] = {
        (const char *const[]){"show", "--db", db, NULL},
        (const char *const[]){"history", "w/0/sys", "--db", db, NULL},
        (const char *const[]){TINY_BENCH, "--save", "x", "--db", db, NULL},
    };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(run_cli(&o, cmds[i]), 2);
        char *text = read_text(errf);
        if (!strstr(text, "locked")) fprintf(stderr, "command %zu: %s", i, text);
        assert_non_null(strstr(text, "locked"));
        assert_null(strstr(text, "corrupt"));
        assert_int_equal(count_lines(text), 1);
        free(text);
    }

    /* Released after a while: the command waits for it and stores its run. */
    spawn_opts wait = {0};
    pid_t pid = spawn_cli(&wait, (const char *const[]){TINY_BENCH, "--save", "waited", "--db", db, NULL});
    sleep_ms(700);
    assert_int_equal(sqlite3_exec(s, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(wait_exit(pid), 0);
    assert_int_equal(check_db(db), 2);
}

/* The one line of a save that failed names the JSON report the run was
 * kept in: that file, which `alloclab show` reads as the run. Returns the
 * file's path (free()). */
static char *kept_report(const char *line, const char *label)
{
    const char *at = strstr(line, "it was written to ");
    if (!at) fprintf(stderr, "no report named in: %s", line);
    assert_non_null(at);
    at += strlen("it was written to ");
    const char *end = strstr(at, " instead");
    assert_non_null(end);
    char *path = strndup(at, (size_t)(end - at));
    assert_non_null(path);
    char out[300];
    synth_group_path_into(out, sizeof out, "kept.out");
    spawn_opts o = {.out = out};
    assert_int_equal(run_cli(&o, (const char *const[]){"show", path, "--format", "json", NULL}), 0);
    al_bench_run run;
    assert_int_equal(al_report_json_read(out, &run, err, sizeof err), 0);
    assert_string_equal(run.ctx.label, label);
    assert_true(run.nresults >= 1);
    assert_int_equal(run.results[0].status, AL_RUN_OK);
    al_bench_run_free(&run);
    return path;
}

/* After a bench whose save failed: its table was printed, then one line
 * said the run was not stored and named the JSON report it was kept in.
 * Returns that report's path (free()). */
static char *expect_kept(const char *out, const char *errf, const char *label)
{
    char *text = read_text(out);
    assert_non_null(strstr(text, "single-alloc"));
    free(text);
    text = read_text(errf);
    assert_int_equal(count_lines(text), 1);
    assert_non_null(strstr(text, "not stored"));
    char *kept = kept_report(text, label);
    free(text);
    return kept;
}

static char *dir_of(const char *path)
{
    char *d = strdup(path);
    assert_non_null(d);
    *strrchr(d, '/') = '\0';
    return d;
}

/* Whether dir holds exactly the one file `only` (and . and ..). */
static void holds_only(const char *dir, const char *only)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (strcmp(e->d_name, only) != 0) fprintf(stderr, "unexpected file %s/%s\n", dir, e->d_name);
        assert_string_equal(e->d_name, only);
        n++;
    }
    closedir(d);
    assert_int_equal(n, 1);
}

/* A database whose folder the user cannot write (SQLite cannot make its
 * journal there): the finished run is printed, then one line says it was not
 * stored and where its JSON report went instead: $TMPDIR, since the folder
 * beside the database takes nothing either. Exit 1; the database as it was. */
static void test_unsaved_run_kept_in_tmpdir(void **state)
{
    (void)state;
    char dbdir[256], db[300], tmpdir[256], out[256], errf[256], env[300];
    synth_group_path_into(dbdir, sizeof dbdir, "locked-away");
    synth_group_path_into(tmpdir, sizeof tmpdir, "tmp");
    synth_group_path_into(out, sizeof out, "kept1.out");
    synth_group_path_into(errf, sizeof errf, "kept1.err");
    snprintf(db, sizeof db, "%s/results.db", dbdir);
    snprintf(env, sizeof env, "TMPDIR=%s", tmpdir);
    assert_int_equal(mkdir(dbdir, 0755), 0);
    assert_int_equal(mkdir(tmpdir, 0777), 0);
    assert_int_equal(chmod(tmpdir, 0777), 0);
    assert_int_equal(save_one(db, "first", 3), 0);
    /* As root the other user writes the file but not its folder; as anyone
     * else the folder is made read-only for its owner. */
    assert_int_equal(chmod(db, 0666), 0);
    assert_int_equal(chmod(synth_group_dir, 0755), 0);
    if (geteuid() != 0) assert_int_equal(chmod(dbdir, 0555), 0);
    spawn_opts o = {.env = {env}, .out = out, .errp = errf, .other_user = true};
    assert_int_equal(run_cli(&o, (const char *const[]){TINY_BENCH, "--save", "kept", "--db", db, NULL}), 1);
    chmod(dbdir, 0755);
    char *kept = expect_kept(out, errf, "kept");
    char *kdir = dir_of(kept);
    assert_string_equal(kdir, tmpdir);
    holds_only(tmpdir, kept + strlen(kdir) + 1); /* no temporary file left */
    holds_only(dbdir, "results.db");
    assert_int_equal(check_db(db), 1);
    free(kdir);
    free(kept);
}

/* `alloclab run` whose program puts another file in the database's place
 * while it runs, written over it or moved onto its name: the save finds the
 * file no longer ours (the moved one would otherwise take the run into the
 * old file, unlinked) and leaves it as it is; the run is kept beside it as
 * a JSON report, named in the one line. */
static void test_unsaved_run_kept_beside_db(void **state)
{
    (void)state;
    static const char content[] = "a user's notes, not a database\n";
    static const char *const how[] = {"cat '%s' > '%s'", "cp '%s' '%s.new' && mv '%s.new' '%s'"};
    static const char *const said[] = {"is not an SQLite database", "was replaced by another file"};
    for (size_t k = 0; k < 2; k++) {
        char dir[256], db[300], notes[300], out[256], errf[256], cmd[1400], name[32];
        snprintf(name, sizeof name, "overwritten%zu", k);
        synth_group_path_into(dir, sizeof dir, name);
        synth_group_path_into(out, sizeof out, "kept2.out");
        synth_group_path_into(errf, sizeof errf, "kept2.err");
        snprintf(db, sizeof db, "%s/results.db", dir);
        snprintf(notes, sizeof notes, "%s/notes.txt", synth_group_dir);
        assert_int_equal(mkdir(dir, 0755), 0);
        assert_int_equal(save_one(db, "first", 3), 0);
        FILE *f = fopen(notes, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
        if (k == 0) snprintf(cmd, sizeof cmd, how[k], notes, db);
        else snprintf(cmd, sizeof cmd, how[k], notes, db, db, db);
        spawn_opts o = {.out = out, .errp = errf};
        assert_int_equal(run_cli(&o, (const char *const[]){"run", "--allocators", "sys", "--runs", "1", "--quiet",
                                                           "--save", "ran", "--db", db, "--", "sh", "-c", cmd,
                                                           NULL}),
                         1);
        char *text = read_text(errf);
        assert_int_equal(count_lines(text), 1);
        assert_non_null(strstr(text, "not stored"));
        if (!strstr(text, said[k])) fprintf(stderr, "%s", text);
        assert_non_null(strstr(text, said[k]));
        char *kept = kept_report(text, "ran");
        char *kdir = dir_of(kept);
        assert_string_equal(kdir, dir);
        free(kdir);
        free(kept);
        free(text);
        text = read_text(db); /* the other file is left as it was */
        assert_string_equal(text, content);
        free(text);
    }
}

/* A disk that fills up (a file-size limit of one page: the save's journal
 * cannot be written):
 * the report is printed, then one line says the run was not stored, exit
 * 1; the database is as it was; the run's JSON report (smaller than the
 * limit) is kept beside it. */
static void test_disk_full(void **state)
{
    (void)state;
    char db[256], out[256], errf[256];
    synth_group_path_into(db, sizeof db, "full.db");
    synth_group_path_into(out, sizeof out, "full.out");
    synth_group_path_into(errf, sizeof errf, "full.err");
    assert_int_equal(save_one(db, "first", 40), 0);
    spawn_opts o = {.fsize = 4096, .out = out, .errp = errf};
    assert_int_equal(run_cli(&o, (const char *const[]){TINY_BENCH, "--save", "lost", "--db", db, NULL}), 1);
    free(expect_kept(out, errf, "lost"));
    assert_int_equal(check_db(db), 1);
    check_runs_whole(db, 40);
}

/* A WAL-mode database (ours, converted) and another application's: every
 * command refuses it with exit 2, byte for byte unchanged, no side files. */
static void expect_untouched(const char *db)
{
    size_t before_len, after_len;
    char *before = synth_read_file(db, &before_len);
    assert_non_null(before);
    spawn_opts o = {0};
    const char *const *cmds[] = {
        (const char *const[]){"show", "--db", db, NULL},
        (const char *const[]){"compare", "--db", db, NULL},
        (const char *const[]){"history", "w/0/sys", "--db", db, NULL},
        (const char *const[]){TINY_BENCH, "--save", "x", "--db", db, NULL},
    };
    for (size_t i = 0; i < 4; i++) assert_int_equal(run_cli(&o, cmds[i]), 2);
    char *after = synth_read_file(db, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
    assert_false(side_file(db, "-journal"));
    assert_false(side_file(db, "-wal"));
    assert_false(side_file(db, "-shm"));
}

static void test_wal_and_foreign_files_untouched(void **state)
{
    (void)state;
    char db[256];
    synth_group_path_into(db, sizeof db, "wal.db");
    assert_int_equal(save_one(db, "first", 3), 0);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_false(side_file(db, "-wal"));
    expect_untouched(db);

    synth_group_path_into(db, sizeof db, "foreign.db");
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "CREATE TABLE runs(x); CREATE TABLE results(y); CREATE TABLE meta(z);",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    expect_untouched(db);
}

/* A read-only database is refused before the run (exit 2): the run could
 * not be stored. Root writes anyway, so the check needs another user. */
static void test_read_only_database(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        fprintf(stdout, "skipped: root writes to read-only files\n");
        skip();
    }
    char db[256];
    synth_group_path_into(db, sizeof db, "ro.db");
    assert_int_equal(save_one(db, "first", 3), 0);
    assert_int_equal(chmod(db, 0444), 0);
    spawn_opts o = {0};
    assert_int_equal(run_cli(&o, (const char *const[]){TINY_BENCH, "--save", "x", "--db", db, NULL}), 2);
    assert_int_equal(run_cli(&o, (const char *const[]){"show", "--db", db, NULL}), 0);
    chmod(db, 0644);
}

/* A creator killed before it linked its private copy into place leaves
 * "<db>.new-PID-N" (and perhaps its journal): the next process that saves
 * removes those of dead processes over a minute old, and nothing else. */
static void touch(const char *path, time_t age_s)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("left over", f);
    fclose(f);
    struct timespec t[2] = {{.tv_sec = time(NULL) - age_s}, {.tv_sec = time(NULL) - age_s}};
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void test_dead_creators_swept(void **state)
{
    (void)state;
    char db[300], dead[400], dead_j[400], live[400], other[400], name[64];
    synth_group_path_into(db, sizeof db, "swept.db");
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) _exit(0);
    assert_int_equal(waitpid(c, NULL, 0), c); /* c names no process now */
    snprintf(name, sizeof name, "swept.db.new-%ld-3", (long)c);
    synth_group_path_into(dead, sizeof dead, name);
    snprintf(name, sizeof name, "swept.db.new-%ld-3-journal", (long)c);
    synth_group_path_into(dead_j, sizeof dead_j, name);
    snprintf(name, sizeof name, "swept.db.new-%ld-0", (long)getppid()); /* alive */
    synth_group_path_into(live, sizeof live, name);
    synth_group_path_into(other, sizeof other, "swept.db.new-notes");
    touch(dead, 600);
    touch(dead_j, 600);
    touch(live, 600);
    touch(other, 600);
    /* A new database, then an existing one: both sweep. */
    al_history *h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    al_history_close(h);
    assert_false(exists(dead));
    assert_false(exists(dead_j));
    assert_true(exists(live));
    assert_true(exists(other));
    touch(dead, 600);
    h = al_history_open(db, false, err, sizeof err); /* a reader removes nothing */
    assert_non_null(h);
    al_history_close(h);
    assert_true(exists(dead));
    touch(dead, 5); /* fresh: perhaps a creator on another host, still at work */
    h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    al_history_close(h);
    assert_true(exists(dead));
    touch(dead, 600);
    h = al_history_open(db, true, err, sizeof err);
    assert_non_null(h);
    al_history_close(h);
    assert_false(exists(dead));
    assert_true(exists(live));
    unlink(live);
    unlink(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_saves),
        cmocka_unit_test(test_concurrent_bench_commands),
        cmocka_unit_test(test_kill_inside_save_transaction),
        cmocka_unit_test(test_kill_with_database_half_written),
        cmocka_unit_test(test_random_kills),
        cmocka_unit_test(test_locked_database),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_unsaved_run_kept_in_tmpdir),
        cmocka_unit_test(test_unsaved_run_kept_beside_db),
        cmocka_unit_test(test_wal_and_foreign_files_untouched),
        cmocka_unit_test(test_read_only_database),
        cmocka_unit_test(test_dead_creators_swept),
    };
    return cmocka_run_group_tests(tests, synth_group_setup, synth_group_teardown);
}
