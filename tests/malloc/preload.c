/* The preloaded replacement in whole processes: the spec messages (unknown
 * spec: one line and the default; stats: counts at exit; verbose: a log),
 * calls from another library's constructor before and after the
 * replacement's own, C++ new/delete, and real programs from Debian packages
 * whose output must be byte-identical to their output under glibc.
 *
 * Each program runs in a child with a 60 s limit, its stdin, stdout and
 * stderr in files of a temporary directory. A program that is not installed
 * is skipped with the package to install (the build found it or not:
 * tests/malloc/CMakeLists.txt).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[256];

/* A whole file, NUL-terminated (binary output may hold NULs: *len says). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n = 0;
    if (f && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    char *s = malloc((size_t)(n > 0 ? n : 0) + 1);
    assert_non_null(s);
    size_t got = 0;
    if (f && n > 0 && fseek(f, 0, SEEK_SET) == 0) got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    if (f) fclose(f);
    if (len) *len = got;
    return s;
}

typedef struct result {
    int status;  /* exit status, or 128 + signal */
    char *out, *err;
    size_t out_len;
} result;

static bool same_output(const result *a, const result *b)
{
    return a->out_len == b->out_len && memcmp(a->out, b->out, a->out_len) == 0 && strcmp(a->err, b->err) == 0;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* Run argv with extra environment entries ("K=V", NULL-terminated; "K=" with
 * nothing after unsets K), stdin from `in` (NULL: /dev/null). */
static result run(char *const argv[], const char *const env[], const char *in)
{
    char out[300], err[300];
    snprintf(out, sizeof out, "%s/stdout", tmpdir);
    snprintf(err, sizeof err, "%s/stderr", tmpdir);
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        for (const char *const *e = env; e && *e; e++) {
            const char *eq = strchr(*e, '=');
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
            if (eq[1]) setenv(name, eq + 1, 1);
            else unsetenv(name);
        }
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fi < 0 || fo < 0 || fe < 0) _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        alarm(60);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    result r = {.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)};
    r.out = slurp(out, &r.out_len);
    r.err = slurp(err, NULL);
    return r;
}

static const char *preload = "LD_PRELOAD=" AM_PRELOAD;

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* ----------------------------------------------------------------------------
 * Specs.
 * ------------------------------------------------------------------------- */
static void test_unknown_spec_falls_back(void **state)
{
    (void)state;
#define LONG_NAME "a-spec-far-too-long-to-be-any-allocator-name-"
    const char *bad[] = {"nonesuch", "verbose:nonesuch", "nosuchwrapper:sys", "::", "arena:",
                         LONG_NAME LONG_NAME LONG_NAME};
    char *argv[] = {AM_API_PLAIN, "--smoke", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char spec[300];
        snprintf(spec, sizeof spec, "ALLOCLAB_MALLOC=%s", bad[i]);
        const char *env[] = {preload, spec, NULL};
        result r = run(argv, env, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "smoke ok (" AM_DEFAULT_SPEC ")\n");
        if (count_lines(r.err) != 1 || strncmp(r.err, "alloclab-malloc: ALLOCLAB_MALLOC", 32) != 0 ||
            !strstr(r.err, "using " AM_DEFAULT_SPEC "\n"))
            fail_msg("spec '%s': stderr should be one line ending 'using %s', got:\n%s", bad[i],
                     AM_DEFAULT_SPEC, r.err);
        result_free(&r);
    }
}

static void test_stats_prints_counts_at_exit(void **state)
{
    (void)state;
    char *argv[] = {AM_API_PLAIN, "--smoke", NULL};
    const char *env[] = {preload, "ALLOCLAB_MALLOC=" AM_STATS_SPEC, NULL};
    result r = run(argv, env, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "smoke ok (" AM_STATS_SPEC ")\n");
    assert_non_null(strstr(r.err, "alloclab-malloc: ALLOCLAB_MALLOC=" AM_STATS_SPEC ", pid "));
    const char *calls = strstr(r.err, "calls: allocate ");
    assert_non_null(calls);
    /* The smoke run's own malloc and calloc at least; its free and realloc. */
    unsigned long allocs = strtoul(calls + strlen("calls: allocate "), NULL, 10);
    assert_true(allocs >= 1);
    assert_non_null(strstr(r.err, "allocate_zeroed "));
    assert_non_null(strstr(r.err, "live: "));
    result_free(&r);
}

static void test_verbose_logs_every_call(void **state)
{
    (void)state;
    char *argv[] = {AM_API_PLAIN, "--smoke", NULL};
    const char *env[] = {preload, "ALLOCLAB_MALLOC=verbose:sys", NULL};
    result r = run(argv, env, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "smoke ok (verbose:sys)\n");
    assert_non_null(strstr(r.err, "[alloclab] allocate(size="));
    assert_non_null(strstr(r.err, "[alloclab] deallocate("));
    result_free(&r);
}

/* ----------------------------------------------------------------------------
 * Another library allocating from its constructor, loaded before and after.
 * ------------------------------------------------------------------------- */
static void test_early_calls_from_other_constructors(void **state)
{
    (void)state;
    const char *orders[] = {"LD_PRELOAD=" AM_EARLY_LIB ":" AM_PRELOAD, "LD_PRELOAD=" AM_PRELOAD ":" AM_EARLY_LIB};
    const char *specs[] = {"ALLOCLAB_MALLOC=", "ALLOCLAB_MALLOC=pool", "ALLOCLAB_MALLOC=stats:arena"};
    const char *noenv[] = {"AM_EARLY_NO_ENV=", "AM_EARLY_NO_ENV=1"};
    char *argv[] = {AM_API_PLAIN, "--smoke", NULL};
    for (int o = 0; o < 2; o++)
        for (int s = 0; s < 3; s++)
            for (int n = 0; n < 2; n++) {
                const char *env[] = {orders[o], specs[s], noenv[n], NULL};
                result r = run(argv, env, NULL);
                /* stderr: a spec's counts at exit, nothing else (a block freed
                 * by the wrong allocator would be reported there). */
                bool quiet = !*r.err || (strstr(specs[s], "stats:") && strstr(r.err, "counts at exit") &&
                                         !strstr(r.err, "did not allocate") && !strstr(r.err, "lab:"));
                if (r.status != 0 || !strstr(r.out, "early ok\nsmoke ok (") ||
                    !strstr(r.out, ")\nearly done\n") || !quiet)
                    fail_msg("%s %s %s: status %d, stdout:\n%s\nstderr:\n%s", orders[o], specs[s], noenv[n],
                             r.status, r.out, r.err);
                result_free(&r);
            }
}

/* ----------------------------------------------------------------------------
 * C++.
 * ------------------------------------------------------------------------- */
static void test_cxx_new_delete(void **state)
{
    (void)state;
    if (!*AM_CXX_PROG) skip();
    const char *specs[] = {"ALLOCLAB_MALLOC=", "ALLOCLAB_MALLOC=pool"};
    char *argv[] = {AM_CXX_PROG, NULL};
    for (int s = 0; s < 2; s++) {
        const char *env[] = {preload, specs[s], NULL};
        result r = run(argv, env, NULL);
        if (r.status != 0 || strncmp(r.out, "cxx ok (", 8) != 0)
            fail_msg("%s: status %d, stdout:\n%s\nstderr:\n%s", specs[s], r.status, r.out, r.err);
        result_free(&r);
    }
}

/* ----------------------------------------------------------------------------
 * Real programs: the same output under the replacement as under glibc.
 * ------------------------------------------------------------------------- */
typedef struct program {
    const char *name;     /* what it shows */
    const char *package;  /* Debian package */
    const char *path;     /* found by the build; "" when not installed */
    char *argv[12];       /* argv[0] is replaced by path */
    const char *input;    /* stdin: a file name under tmpdir, or NULL */
} program;

static void write_file(const char *name, const char *text, size_t repeat)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < repeat; i++) fputs(text, f);
    fclose(f);
}

/* A text of `lines` pseudo-random words, for sort, xz and awk. */
static void write_words(const char *name, int lines)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    unsigned s = 12345;
    for (int i = 0; i < lines; i++) {
        int words = 1 + (int)((s = s * 1103515245u + 12345u) >> 16) % 8;
        for (int w = 0; w < words; w++) {
            int len = 2 + (int)((s = s * 1103515245u + 12345u) >> 16) % 9;
            for (int c = 0; c < len; c++) fputc('a' + (int)((s = s * 1103515245u + 12345u) >> 16) % 20, f);
            fputc(w + 1 < words ? ' ' : '\n', f);
        }
    }
    fclose(f);
}

static const char py_script[] =
    "import hashlib, json\n"
    "d = {str(i): [i, str(i) * 3, {'k': i % 7}] for i in range(60000)}\n"
    "s = json.dumps(sorted(d.items(), key=lambda kv: kv[1][1]))\n"
    "print(len(d), len(s), hashlib.sha256(s.encode()).hexdigest())\n";
static const char perl_script[] =
    "my %h; for my $i (1..60000) { $h{\"k$i\"} = [$i, \"v\" x ($i % 40)]; }\n"
    "my $s = join(',', map { $_ . '=' . length($h{$_}[1]) } sort keys %h);\n"
    "print scalar(keys %h), ' ', length($s), ' ', unpack('%32C*', $s), \"\\n\";\n";
static const char sql_script[] =
    "CREATE TABLE t(a INTEGER, b TEXT);\n"
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000)\n"
    "  INSERT INTO t SELECT x, printf('%08x', (x * 2654435761) % 4294967296) FROM c;\n"
    "CREATE INDEX tb ON t(b);\n"
    "SELECT count(*), sum(a), min(b), max(b) FROM t;\n"
    "SELECT substr(b, 1, 1) AS k, count(*) FROM t GROUP BY k ORDER BY k;\n";
static const char tcl_script[] =
    "set l {}\n"
    "for {set i 0} {$i < 40000} {incr i} { lappend l [expr {($i * 7919) % 40009}]; dict set d $i [string repeat x [expr {$i % 30}]] }\n"
    "set s [lsort -integer $l]\n"
    "puts \"[llength $s] [lindex $s 0] [lindex $s end] [dict size $d] [string length [join [dict values $d] {}]]\"\n";
static const char cxx_source[] =
    "#include <map>\n#include <string>\n#include <vector>\n#include <algorithm>\n"
    "template <typename T> T total(const std::vector<T> &v) { T s{}; for (auto &x : v) s += x; return s; }\n"
    "int run(int n) { std::map<std::string, std::vector<int>> m;\n"
    "  for (int i = 0; i < n; i++) m[std::to_string(i % 97)].push_back(i);\n"
    "  int s = 0; for (auto &kv : m) { std::sort(kv.second.begin(), kv.second.end()); s += total(kv.second); }\n"
    "  return s; }\n";

static void test_real_programs_match_glibc(void **state)
{
    (void)state;
    write_file("script.py", py_script, 1);
    write_file("script.pl", perl_script, 1);
    write_file("script.sql", sql_script, 1);
    write_file("script.tcl", tcl_script, 1);
    write_file("source.cc", cxx_source, 1);
    write_words("words.txt", 60000);
    char words[300], py[300], pl[300], cc[300];
    snprintf(words, sizeof words, "%s/words.txt", tmpdir);
    snprintf(py, sizeof py, "%s/script.py", tmpdir);
    snprintf(pl, sizeof pl, "%s/script.pl", tmpdir);
    snprintf(cc, sizeof cc, "%s/source.cc", tmpdir);
    program progs[] = {
        {"python3 (interpreter)", "python3-minimal", AM_PYTHON3, {"", "-S", py}, NULL},
        {"perl (interpreter)", "perl-base", AM_PERL, {"", pl}, NULL},
        {"tclsh (interpreter)", "tcl", AM_TCLSH, {""}, "script.tcl"},
        {"sort --parallel=2 (threads)", "coreutils", AM_SORT, {"", "--parallel=2", "-S", "8M", words}, NULL},
        {"xz -T2 (threads)", "xz-utils", AM_XZ, {"", "-T2", "-2", "--block-size=256KiB", "-c", words}, NULL},
        {"sqlite3 shell", "sqlite3", AM_SQLITE3, {"", ":memory:"}, "script.sql"},
        {"g++ (C++: cc1plus)", "g++", AM_GXX, {"", "-O2", "-S", "-o", "-", cc}, NULL},
        {"awk", "mawk", AM_AWK, {"", "{ for (i = 1; i <= NF; i++) c[$i]++; n += NF } "
                                      "END { for (w in c) if (c[w] > m) m = c[w]; print n, length(c), m }", words},
         NULL},
    };
    int ran = 0;
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        program *p = &progs[i];
        if (!*p->path || access(p->path, X_OK) != 0) {
            print_message("skipped %s: not installed (apt-get install %s)\n", p->name, p->package);
            continue;
        }
        p->argv[0] = (char *)p->path;
        char input[300];
        if (p->input) snprintf(input, sizeof input, "%s/%s", tmpdir, p->input);
        const char *plain_env[] = {"LD_PRELOAD=", "ALLOCLAB_MALLOC=", NULL};
        const char *lab_env[] = {preload, "ALLOCLAB_MALLOC=", NULL};
        struct timespec t0, t1, t2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        result a = run(p->argv, plain_env, p->input ? input : NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        result b = run(p->argv, lab_env, p->input ? input : NULL);
        clock_gettime(CLOCK_MONOTONIC, &t2);
        if (a.status != 0 || a.out_len == 0)
            fail_msg("%s under glibc: status %d, stderr:\n%s", p->name, a.status, a.err);
        if (b.status != a.status || !same_output(&a, &b))
            fail_msg("%s: under the replacement status %d (glibc %d), stdout %zu bytes (glibc %zu), stderr:\n%s",
                     p->name, b.status, a.status, b.out_len, a.out_len, b.err);
        print_message("%-28s identical output (%zu bytes); glibc %.2f s, replacement %.2f s\n", p->name,
                      a.out_len, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
                      (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);
        result_free(&a);
        result_free(&b);
        ran++;
    }
    assert_true(ran >= 1);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/alloclab-malloc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_spec_falls_back),
        cmocka_unit_test(test_stats_prints_counts_at_exit),
        cmocka_unit_test(test_verbose_logs_every_call),
        cmocka_unit_test(test_early_calls_from_other_constructors),
        cmocka_unit_test(test_cxx_new_delete),
        cmocka_unit_test(test_real_programs_match_glibc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
