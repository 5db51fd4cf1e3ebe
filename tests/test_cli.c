/* The alloclab command itself: the listing of allocators and the handling of
 * missing and unknown commands, run through the built binary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_cli.h"

#include <alloclab/registry.h>
#include <stdio.h>
#include <string.h>

static cli_run run;

static void test_list_shows_the_production_allocators(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "list"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    const char *names[] = {"sys", "je", "mi", "tc"};
    for (size_t i = 0; i < 4; i++) {
        const al_backend_desc *b = al_backend_find(names[i]);
        assert_non_null(b);
        /* The row starts with the name, then its status and capabilities. */
        char prefix[16], line[512], caps[96];
        snprintf(prefix, sizeof prefix, "\n%s ", names[i]);
        const char *row = strstr(run.out, prefix);
        if (!row) fail_msg("no row for %s in:\n%s", names[i], run.out);
        assert_non_null(cli_line_with(row + 1, prefix + 1, line, sizeof line));
        const char *status = al_spec_unavailable(names[i]) ? " unavailable " : " available ";
        if (!strstr(line, status)) fail_msg("%s: expected%sin: %s", names[i], status, line);
        al_caps_str(b->caps, caps, sizeof caps);
        assert_true(strcmp(caps, "-") != 0);
        if (!strstr(line, caps)) fail_msg("%s: capabilities '%s' missing in: %s", names[i], caps, line);
        /* The library's own version, as it reports it. */
        const char *v = al_spec_version(names[i]);
        if (!al_spec_unavailable(names[i])) {
            assert_non_null(v);
            if (!strstr(line, v)) fail_msg("%s: version '%s' missing in: %s", names[i], v, line);
        }
    }
    assert_non_null(strstr(run.out, "VERSION"));
    assert_null(al_spec_version("bump")); /* no library behind it */
    assert_null(al_spec_version("no-such"));
    if (!al_spec_unavailable("je")) assert_non_null(strstr(al_spec_version("je"), "jemalloc "));
    if (!al_spec_unavailable("mi")) assert_non_null(strstr(al_spec_version("mi"), "mimalloc "));
    if (!al_spec_unavailable("tc")) assert_non_null(strstr(al_spec_version("tc"), "gperftools "));
    /* list --help is a usage text on stdout, exit 0. */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "list", "--help"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "usage: alloclab list"));
}

/* Every backend's description starts in the column of the DESCRIPTION
 * header, however long its capability list (sbrk's is the longest). */
static void test_list_columns_align(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "list"), 0);
    const char *hdr = strstr(run.out, "DESCRIPTION");
    assert_non_null(hdr);
    size_t col = (size_t)(hdr - run.out);
    size_t rows = 0;
    for (size_t i = 0; i < al_backend_count(); i++) {
        const al_backend_desc *b = al_backend_at(i);
        char prefix[32], line[512];
        snprintf(prefix, sizeof prefix, "\n%s ", b->name);
        const char *row = strstr(run.out, prefix);
        assert_non_null(row);
        assert_non_null(cli_line_with(row + 1, prefix + 1, line, sizeof line));
        const char *desc = strstr(line, b->description);
        if (!desc || (size_t)(desc - line) != col)
            fail_msg("%s: description not in column %zu: %s", b->name, col, line);
        char caps[128];
        const char *c = strstr(line, al_caps_str(b->caps, caps, sizeof caps));
        assert_non_null(c);
        assert_true(c + strlen(caps) < desc); /* the capabilities end before it */
        rows++;
    }
    assert_true(rows >= 8);
}

static void test_list_rejects_arguments(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "list", "extra"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(cli_count_lines(run.err), 1);
}

static void test_no_command_is_a_usage_error(void **state)
{
    (void)state;
    assert_int_equal(cli_run_args(&run, NULL, CLI_KEEP_STACK, (const char *const[]){NULL}), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(run.out_len, 0);
    assert_non_null(strstr(run.err, "usage: alloclab"));
}

static void test_unknown_command_is_one_line(void **state)
{
    (void)state;
    /* --version: one line on stdout, exit 0 */
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "--version"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_int_equal(cli_count_lines(run.out), 1);
    assert_memory_equal(run.out, "alloclab 0.", 11);
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "frobnicate"), 0);
    assert_int_equal(cli_exit_code(&run), 2);
    assert_int_equal(run.out_len, 0);
    assert_int_equal(cli_count_lines(run.err), 1);
    assert_memory_equal(run.err, "alloclab: ", 10);
    assert_non_null(strstr(run.err, "frobnicate"));
}

static void test_help_lists_the_commands(void **state)
{
    (void)state;
    assert_int_equal(CLI_RUN(&run, NULL, CLI_KEEP_STACK, "--help"), 0);
    assert_int_equal(cli_exit_code(&run), 0);
    assert_non_null(strstr(run.out, "  list "));
    assert_non_null(strstr(run.out, "  demo "));
}

/* A command whose output cannot be written (stdout on /dev/full) fails:
 * status 1 and one line on stderr, not a silent success. */
static void test_unwritable_stdout_fails(void **state)
{
    (void)state;
    static const char *const cmds[] = {"list", "--help", "demo", "compare --help", "history --help"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char sh[1024], out[1024] = "";
        /* LeakSanitizer would list its suppressions on stderr too. */
        snprintf(sh, sizeof sh, "LSAN_OPTIONS=\"$LSAN_OPTIONS:print_suppressions=0\" '%s' %s 2>&1 >/dev/full; "
                 "echo \"rc=$?\"", ALLOCLAB_CLI, cmds[i]);
        FILE *p = popen(sh, "r");
        assert_non_null(p);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        pclose(p);
        const char *rc = strstr(out, "rc=");
        if (!rc || strcmp(rc, "rc=1\n") != 0) fail_msg("alloclab %s >/dev/full: %s", cmds[i], out);
        if (cli_count_lines(out) != 2 || strncmp(out, "alloclab: ", 10) != 0)
            fail_msg("alloclab %s >/dev/full: not one stderr line: %s", cmds[i], out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shows_the_production_allocators),
        cmocka_unit_test(test_list_columns_align),
        cmocka_unit_test(test_list_rejects_arguments),
        cmocka_unit_test(test_no_command_is_a_usage_error),
        cmocka_unit_test(test_unknown_command_is_one_line),
        cmocka_unit_test(test_help_lists_the_commands),
        cmocka_unit_test(test_unwritable_stdout_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
