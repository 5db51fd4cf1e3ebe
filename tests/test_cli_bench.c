/* alloclab bench from the outside: bad input gives one stderr line and exit
 * status 2 before anything runs or is written; --list prints the plan; the
 * benchmark children are fresh runs of the program. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "runner.h"
#include "history.h"
#include "reports.h"
#include "run_cli.h"
#include "synth_run.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];

/* ----------------------------------------------------------------------------
 * Running the command: exit status; stdout and stderr as malloc'd strings.
 * ------------------------------------------------------------------------- */
static int run_cli(char **out, char **err, const char *const *args)
{
    char out_path[128], err_path[128];
    snprintf(out_path, sizeof out_path, "%s/stdout", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
    const char *argv[32] = {ALLOCLAB_CLI, "bench"};
    size_t n = 2;
    for (; args[n - 2] && n < 31; n++) argv[n] = args[n - 2];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0) _exit(127);
        dup2(fo, 1);
        dup2(fe, 2);
        if (chdir(tmpdir) != 0) _exit(127); /* a default history lands in the scratch folder */
        cli_child_quiet_lsan(); /* its summary would be a second stderr line */
        execv(ALLOCLAB_CLI, (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    *out = synth_read_file(out_path, NULL);
    *err = synth_read_file(err_path, NULL);
    assert_non_null(*out);
    assert_non_null(*err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Exit 2, nothing on stdout, exactly one line "alloclab: ..." on stderr. */
static void expect_usage_error(const char *const *args)
{
    char *out, *err;
    int rc = run_cli(&out, &err, args);
    if (rc != 2 || count_lines(err) != 1 || strncmp(err, "alloclab: ", 10) != 0)
        print_error("args[0]=%s: rc=%d stderr=<%s>\n", args[0], rc, err);
    assert_int_equal(rc, 2);
    assert_int_equal(count_lines(err), 1);
    assert_memory_equal(err, "alloclab: ", 10);
    assert_string_equal(out, "");
    free(out);
    free(err);
}

#define BAD(...) expect_usage_error((const char *const[]){__VA_ARGS__, NULL})

/* ----------------------------------------------------------------------------
 * Bad input.
 * ------------------------------------------------------------------------- */
static void test_bad_options(void **state)
{
    (void)state;
    BAD("--nosuch");
    BAD("stray");
    BAD("--samples");
    BAD("--samples", "abc");
    BAD("--samples", "0");
    BAD("--samples", "12x");
    BAD("--min-sample-ms", "-1");
    BAD("--min-sample-ms", "nan");
    BAD("--mode", "cycles");
    BAD("--format", "xml");
    BAD("--save", "");
    BAD("--bogus=3");
    BAD("--samples=abc");
    BAD("--save", "x", "--no-db");             /* a label nothing would store */
    BAD("--out", "same.txt", "--html", "same.txt", "--no-db");
    /* An unknown option is named as such, even as the last argument. */
    BAD("--bogus");
    char *out, *err;
    assert_int_equal(run_cli(&out, &err, (const char *const[]){"--bogus", NULL}), 2);
    assert_non_null(strstr(err, "unknown option '--bogus'"));
    free(out);
    free(err);
}

static void test_bad_plan(void **state)
{
    (void)state;
    BAD("--allocators", "nosuch-alloc");
    BAD("--allocators", "sys,nosuchwrap:sys");
    BAD("--allocators", ",");
    /* Empty items are refused, wherever they are. */
    BAD("--allocators", "sys,,", "--list");
    BAD("--allocators", ",sys", "--list");
    BAD("--allocators", "sys,", "--list");
    BAD("--workloads", "glibc-simple,,", "--list");
    BAD("--workloads", "nosuch-workload");
    BAD("--filter", "(unclosed");
}

static void test_unwritable_outputs(void **state)
{
    (void)state;
    BAD("--allocators", "sys", "--out", "/nonexistent-alloclab-dir/report.json", "--no-db");
    BAD("--allocators", "sys", "--html", "/nonexistent-alloclab-dir/report.html", "--no-db");
}

/* A bad command touches neither an existing database nor the other output
 * file: created files are removed, existing ones keep their bytes. */
static void test_bad_command_leaves_files_alone(void **state)
{
    (void)state;
    char db[128], out_new[128], out_old[128];
    snprintf(db, sizeof db, "%s/results.db", tmpdir);
    snprintf(out_new, sizeof out_new, "%s/new.json", tmpdir);
    snprintf(out_old, sizeof out_old, "%s/old.json", tmpdir);
    const char known[] = "not really a database, but these bytes must stay\n";
    FILE *f = fopen(db, "wb");
    assert_non_null(f);
    fputs(known, f);
    fclose(f);
    f = fopen(out_old, "wb");
    assert_non_null(f);
    fputs("old report\n", f);
    fclose(f);

    BAD("--allocators", "sys", "--db", db, "--out", "/nonexistent-alloclab-dir/r.json");
    BAD("--allocators", "sys", "--db", db, "--out", out_new, "--html", "/nonexistent-alloclab-dir/r.html");
    BAD("--allocators", "sys", "--db", db, "--out", out_old, "--html", "/nonexistent-alloclab-dir/r.html");
    BAD("--allocators", "nosuch", "--db", db, "--out", out_new);
    /* A report aimed at the database itself is refused before anything runs. */
    BAD("--allocators", "sys", "--workloads", "single-alloc/64", "--db", db, "--out", db);
    BAD("--allocators", "sys", "--workloads", "single-alloc/64", "--db", db, "--html", db);

    char *bytes = synth_read_file(db, NULL);
    assert_string_equal(bytes, known);
    free(bytes);
    bytes = synth_read_file(out_old, NULL);
    assert_string_equal(bytes, "old report\n");
    free(bytes);
    struct stat st;
    assert_int_equal(stat(out_new, &st), -1);
    unlink(db);
    unlink(out_old);
}

/* ----------------------------------------------------------------------------
 * --list and a real run.
 * ------------------------------------------------------------------------- */
static void test_list_prints_the_plan(void **state)
{
    (void)state;
    const char *allocs[] = {"sys"};
    al_bench_config cfg = {.allocators = allocs, .nallocators = 1};
    al_bench_plan plan;
    al_bench_error perr;
    assert_int_equal(al_bench_plan_make(&cfg, &plan, &perr), 0);
    al_bench_item *items = plan.items;
    size_t n = plan.n;
    char *expected = calloc(n + 1, 256);
    assert_non_null(expected);
    for (size_t i = 0; i < n; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s/%s/%s\n", items[i].workload->name, items[i].param, items[i].allocator);
        strcat(expected, line);
    }
    char *out, *err;
    assert_int_equal(run_cli(&out, &err, (const char *const[]){"--list", "--allocators", "sys", NULL}), 0);
    assert_string_equal(out, expected);
    assert_string_equal(err, "");
    free(out);
    free(err);
    /* --name=value is the same as --name value. */
    assert_int_equal(run_cli(&out, &err, (const char *const[]){"--list", "--allocators=sys", NULL}), 0);
    assert_string_equal(out, expected);
    free(out);
    free(err);

    free(expected);
    al_bench_plan_free(&plan);
}

/* A selection that matches nothing is a usage error, with --list too, and
 * stores nothing. */
static void test_empty_plan_is_refused(void **state)
{
    (void)state;
    char db[128];
    snprintf(db, sizeof db, "%s/empty-plan.db", tmpdir);
    BAD("--list", "--filter", "^$");
    BAD("--filter", "zzz", "--db", db);
    BAD("--workloads", "glibc-simple", "--allocators", "sys", "--filter", "/mimalloc$", "--db", db);
    char *out, *err;
    assert_int_equal(run_cli(&out, &err, (const char *const[]){"--filter", "zzz", "--db", db, NULL}), 2);
    assert_non_null(strstr(err, "no benchmark matches"));
    assert_non_null(strstr(err, "zzz"));
    free(out);
    free(err);
    struct stat st;
    assert_int_equal(stat(db, &st), -1); /* no history created */
}

/* ----------------------------------------------------------------------------
 * A --db that is not an alloclab database: refused before anything runs, and
 * left byte for byte as it was.
 * ------------------------------------------------------------------------- */
static void write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

/* One tiny benchmark against `db`: exit 2, one line, nothing on stdout (so
 * nothing ran), and the file unchanged. */
static void expect_db_refused(const char *db)
{
    if (al_workload_count() == 0) skip();
    const al_workload *w = al_workload_at(0);
    char entry[128];
    snprintf(entry, sizeof entry, "%s/%s", w->name, w->params[0]);
    size_t before_len, after_len;
    char *before = synth_read_file(db, &before_len);
    assert_non_null(before);
    BAD("--workloads", entry, "--allocators", "sys", "--samples", "2", "--min-sample-ms", "0.01", "--quiet",
        "--db", db);
    char *after = synth_read_file(db, &after_len);
    assert_non_null(after);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
    char side[160];
    snprintf(side, sizeof side, "%s-journal", db);
    struct stat st;
    assert_int_not_equal(stat(side, &st), 0);
    unlink(db);
}

static void test_bad_db_refused_before_running(void **state)
{
    (void)state;
    char db[128];
    snprintf(db, sizeof db, "%s/bad.db", tmpdir);

    write_bytes(db, "my notes, not a database\n", 25); /* text */
    expect_db_refused(db);
    write_bytes(db, "", 0); /* empty */
    expect_db_refused(db);

    sqlite3 *s; /* another application's SQLite database */
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "CREATE TABLE runs(x); INSERT INTO runs VALUES(1);", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
    expect_db_refused(db);

    /* A real alloclab database, then truncated, then damaged. */
    synth_store_realistic(db, "x");
    size_t len;
    char *good = synth_read_file(db, &len);
    assert_non_null(good);
    assert_true(len > 8192);
    write_bytes(db, good, 4096 + 1000); /* truncated inside page 2 */
    expect_db_refused(db);
    memset(good + 4096 + 16, 0xA5, 4000); /* page 2 overwritten */
    memset(good + 100, 0xFF, 12);         /* page 1's b-tree header */
    write_bytes(db, good, len);
    expect_db_refused(db);
    free(good);
}

/* One real benchmark end to end (the first of the suite, on sys). */
static void test_one_benchmark_runs(void **state)
{
    (void)state;
    if (al_workload_count() == 0) skip();
    const al_workload *w = al_workload_at(0);
    char entry[128];
    snprintf(entry, sizeof entry, "%s/%s", w->name, w->params[0]);
    char csv[128];
    snprintf(csv, sizeof csv, "%s/r.csv", tmpdir);
    char *out, *err;
    int rc = run_cli(&out, &err,
                     (const char *const[]){"--workloads", entry, "--allocators", "sys", "--samples", "2",
                                           "--min-sample-ms", "0.01", "--quiet", "--no-db", "--format", "csv",
                                           "--out", csv, NULL});
    assert_int_equal(rc, 0);
    /* The chosen format goes to --out, the table still to stdout. */
    assert_non_null(strstr(out, w->name));
    assert_non_null(strstr(out, "1.00x"));
    struct stat st;
    assert_int_equal(stat(csv, &st), 0);
    unlink(csv);
    free(out);
    free(err);
}

/* The children of `parent` (from /proc): whether one runs the program with
 * argv[1] AL_RUNNER_CHILD_ARG and argv[3] `workload`. */
static bool fresh_child_of(pid_t parent, const char *workload)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    bool found = false;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char path[300], buf[4096];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        const char *close = strrchr(buf, ')');
        int ppid = -1;
        if (!close || sscanf(close + 1, " %*c %d", &ppid) != 1 || ppid != parent) continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        f = fopen(path, "r");
        if (!f) continue;
        got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        const char *arg[4] = {buf};
        for (size_t k = 1, at = 0; k < 4; k++) {
            at += strlen(buf + at) + 1;
            arg[k] = at < got ? buf + at : "";
        }
        found = strcmp(arg[1], AL_RUNNER_CHILD_ARG) == 0 && strcmp(arg[3], workload) == 0;
    }
    closedir(d);
    return found;
}

/* bench starts each benchmark's child as a fresh run of the program, not
 * a copy of itself: while it samples, its child's command line says so. */
static void test_children_are_fresh(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null < 0) _exit(127);
        dup2(null, 1);
        dup2(null, 2);
        execl(ALLOCLAB_CLI, ALLOCLAB_CLI, "bench", "--workloads", "glibc-simple/64", "--allocators", "sys",
              "--samples", "8", "--processes", "1", "--min-sample-ms", "50", "--quiet", "--no-db", "--no-syscalls",
              (char *)NULL);
        _exit(127);
    }
    bool seen = false;
    for (int tries = 0; !seen && tries < 4000; tries++) { /* at most 20 s, or until bench ends */
        seen = fresh_child_of(pid, "glibc-simple");
        int st;
        if (!seen && waitpid(pid, &st, WNOHANG) == pid) {
            pid = -1;
            break;
        }
        if (!seen) usleep(5000);
    }
    if (pid > 0) {
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    assert_true(seen);
}

/* Run argv (argv[0] the program) with stdout to /dev/null and stderr into
 * *err (malloc'd): its exit status, 128 when it did not exit. */
static int run_argv(const char *const *argv, char **err)
{
    char err_path[128];
    snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);
        if (fe < 0 || null < 0) _exit(127);
        dup2(fe, 2);
        dup2(null, 1);
        cli_child_quiet_lsan(); /* its summary would be a second stderr line */
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    *err = synth_read_file(err_path, NULL);
    assert_non_null(*err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Run through the dynamic loader, /proc/self/exe names the loader, which
 * does not answer the probe: the children are copies, said in one line,
 * and the benchmark still runs. */
static void test_children_through_the_loader(void **state)
{
    (void)state;
    const char *loader = "/lib64/ld-linux-x86-64.so.2";
    if (access(loader, X_OK) != 0) skip();
    char *err;
    int rc = run_argv((const char *const[]){loader, ALLOCLAB_CLI, "bench", "--workloads", "glibc-simple/64",
                                            "--allocators", "sys", "--samples", "2", "--processes", "1", "--quiet",
                                            "--no-db", "--no-syscalls", NULL},
                      &err);
    if (rc != 0) fprintf(stdout, "stderr: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(err, "alloclab: benchmark children are copies of the harness"));
    assert_int_equal(count_lines(err), 1);
    free(err);
}

/* A child invocation by hand (no channel, not a socket, an unknown workload,
 * a sample target that never ends): one line, exit status 2, at once. */
static void test_child_by_hand_refused(void **state)
{
    (void)state;
    const char *const cases[][7] = {
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, NULL},
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "1", "glibc-simple", "64", "sys", "0x1p+0"},
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "9", "no-such-workload", "64", "sys", "0x1p+0"},
        /* stdin (0) is no socket; 2junk no number; an endless or huge sample */
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "0", "glibc-simple", "64", "sys", "0x1p+0"},
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "2junk", "glibc-simple", "64", "sys", "0x1p+0"},
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "2", "glibc-simple", "64", "sys", "inf"},
        {ALLOCLAB_CLI, AL_RUNNER_CHILD_ARG, "2", "glibc-simple", "64", "sys", "1e300"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *argv[8] = {0};
        for (size_t k = 0; k < 7 && cases[c][k]; k++) argv[k] = cases[c][k];
        char *err;
        assert_int_equal(run_argv(argv, &err), 2);
        assert_int_equal(count_lines(err), 1);
        assert_memory_equal(err, "alloclab: ", 10);
        free(err);
    }
}

/* Several reports in one run, each in the format of its extension (or of
 * --export-FORMAT), and where each went said at the end; the table on
 * stdout closes with the summary. */
static void test_several_outputs(void **state)
{
    (void)state;
    char json[128], csv[128], md[128], html[128], txt[128];
    snprintf(json, sizeof json, "%s/r.json", tmpdir);
    snprintf(csv, sizeof csv, "%s/r.csv", tmpdir);
    snprintf(md, sizeof md, "%s/r.report", tmpdir);
    snprintf(html, sizeof html, "%s/r.html", tmpdir);
    snprintf(txt, sizeof txt, "%s/r.txt", tmpdir);
    char *out, *err;
    int rc = run_cli(&out, &err,
                     (const char *const[]){"--workloads", "single-alloc/64", "--allocators", "sys,bump", "--samples", "2",
                                           "--min-sample-ms", "0.01", "--no-db", "--out", json, "--out", csv,
                                           "--export-markdown", md, "--html", html, "--out", txt, NULL});
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Summary: "));
    assert_non_null(strstr(out, "over 1 benchmark"));
    const char *paths[] = {json, csv, md, html, txt};
    const char *starts[] = {"{", "name,", "Time per iteration", "<!DOCTYPE html>", "alloclab "};
    const char *names[] = {"json", "csv", "markdown", "html", "table"};
    for (size_t i = 0; i < 5; i++) {
        char *bytes = synth_read_file(paths[i], NULL);
        assert_non_null(bytes);
        if (strncmp(bytes, starts[i], strlen(starts[i])) != 0) fail_msg("%s starts: %.40s", paths[i], bytes);
        free(bytes);
        char said[256];
        snprintf(said, sizeof said, "wrote the %s report to %s\n", names[i], paths[i]);
        if (!strstr(err, said)) fail_msg("stderr lacks '%s': %s", said, err);
        unlink(paths[i]);
    }
    free(out);
    free(err);
    /* A file whose extension names no format needs --format; one file twice is refused. */
    BAD("--allocators", "sys", "--no-db", "--out", md);
    BAD("--allocators", "sys", "--no-db", "--out", json, "--export-json", json);
    BAD("--allocators", "sys", "--no-db", "--export-xml", json);
    struct stat st;
    assert_int_equal(stat(md, &st), -1);
    assert_int_equal(stat(json, &st), -1);
}

/* An explicit --db in a folder that does not exist is refused (exit 2) and
 * makes no folder; the default alloclab-results/ is still created. */
static void test_db_folder_must_exist(void **state)
{
    (void)state;
    char db[200], dir[160];
    snprintf(dir, sizeof dir, "%s/no-such-dir", tmpdir);
    snprintf(db, sizeof db, "%s/x.db", dir);
    BAD("--allocators", "sys", "--workloads", "single-alloc/64", "--db", db);
    struct stat st;
    assert_int_equal(stat(dir, &st), -1);
    char *out, *err;
    assert_int_equal(run_cli(&out, &err, (const char *const[]){"--allocators", "sys", "--workloads", "single-alloc/64",
                                                              "--samples", "2", "--min-sample-ms", "0.01", "--quiet",
                                                              NULL}),
                     0);
    char defdir[160];
    snprintf(defdir, sizeof defdir, "%s/alloclab-results", tmpdir);
    assert_int_equal(stat(defdir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    const char *leftovers[] = {"results.db", "results.db-wal", "results.db-shm", "results.db-journal"};
    for (size_t i = 0; i < 4; i++) {
        char path[200];
        snprintf(path, sizeof path, "%s/%s", defdir, leftovers[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(defdir), 0);
    free(out);
    free(err);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/alloclab-clibench-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    const char *files[] = {"stdout", "stderr"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(tmpdir);
    return 0;
}

/* A test hook set in the environment (ALLOCLAB_TEST_SLOWDOWN here, which
 * stretches one benchmark's samples) is said once on stderr and carried by
 * the run: the table's header, the JSON context, and the run stored in the
 * history and loaded again. A run without one shows none of it. */
static void test_test_hooks_said_and_kept(void **state)
{
    (void)state;
    static const char hook[] = "ALLOCLAB_TEST_SLOWDOWN=single-alloc/64/sys=10";
    char json[128], db[128];
    snprintf(json, sizeof json, "%s/hooks.json", tmpdir);
    snprintf(db, sizeof db, "%s/hooks.db", tmpdir);
    for (int with = 1; with >= 0; with--) {
        if (with) assert_int_equal(setenv("ALLOCLAB_TEST_SLOWDOWN", hook + strlen("ALLOCLAB_TEST_SLOWDOWN="), 1), 0);
        char *out, *err;
        int rc = run_cli(&out, &err,
                         (const char *const[]){"--workloads", "single-alloc/64", "--allocators", "sys", "--samples", "2",
                                               "--min-sample-ms", "0.01", "--quiet", "--db", db, "--out", json, NULL});
        unsetenv("ALLOCLAB_TEST_SLOWDOWN");
        assert_int_equal(rc, 0);
        if (with) {
            if (count_lines(err) != 1 || !strstr(err, hook)) print_error("stderr: <%s>\n", err);
            assert_int_equal(count_lines(err), 1);
            assert_non_null(strstr(err, "test hooks are set"));
            assert_non_null(strstr(err, hook));
            assert_non_null(strstr(out, "test hooks: "));
            assert_non_null(strstr(out, hook));
        } else {
            assert_null(strstr(err, "test hook"));
            assert_null(strstr(out, "test hook"));
        }
        al_bench_run run;
        char e[256];
        assert_int_equal(al_report_json_read(json, &run, e, sizeof e), 0);
        assert_string_equal(run.ctx.test_hooks, with ? hook : "");
        al_bench_run_free(&run);
        al_history *h = al_history_open(db, false, e, sizeof e);
        assert_non_null(h);
        assert_int_equal(al_history_load(h, NULL, 0, &run, e, sizeof e), 0);
        assert_string_equal(run.ctx.test_hooks, with ? hook : "");
        for (size_t i = 0; i < run.ctx.nlibs; i++) assert_string_not_equal(run.ctx.libs[i].name, "test_hooks");
        al_bench_run_free(&run);
        al_history_close(h);
        free(out);
        free(err);
    }
    /* compare names the run that had them (the default pair: the two runs
     * above, BASE the one with the hook). */
    static cli_run r;
    assert_int_equal(CLI_RUN(&r, NULL, CLI_KEEP_STACK, "compare", "--db", db), 0);
    assert_int_equal(cli_exit_code(&r), 0);
    char line[512];
    assert_non_null(cli_line_with(r.err, "BASE was measured with test hooks set", line, sizeof line));
    assert_non_null(strstr(line, hook));
    assert_null(strstr(r.err, "NEW was measured with test hooks"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_bad_plan),
        cmocka_unit_test(test_unwritable_outputs),
        cmocka_unit_test(test_bad_command_leaves_files_alone),
        cmocka_unit_test(test_list_prints_the_plan),
        cmocka_unit_test(test_empty_plan_is_refused),
        cmocka_unit_test(test_bad_db_refused_before_running),
        cmocka_unit_test(test_one_benchmark_runs),
        cmocka_unit_test(test_children_are_fresh),
        cmocka_unit_test(test_child_by_hand_refused),
        cmocka_unit_test(test_children_through_the_loader),
        cmocka_unit_test(test_several_outputs),
        cmocka_unit_test(test_db_folder_must_exist),
        cmocka_unit_test(test_test_hooks_said_and_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
