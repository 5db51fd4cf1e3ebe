/* Fuzz target for the report reader (al_report_json_parse), built two ways:
 * with clang's libFuzzer (make fuzz: -fsanitize=fuzzer), and as a plain
 * program that replays the committed corpus (tests/fuzz/corpus/, a ctest of
 * make test, under ASan and UBSan in make check-sanitize).
 *
 * For every input it checks what the reader promises: it returns, a refusal
 * is one line; an accepted run renders in every report format, each output
 * valid UTF-8 without control characters other than newlines; and our own
 * JSON of it reads back to the same run (names and values). Any breach
 * aborts, which libFuzzer reports as a crash with the input that did it. */
#include "reports.h"
#include "report_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_report: %s\n", what);
    abort();
}

/* Valid UTF-8 with no control character but '\n' (and no C1 control). */
static bool clean_text(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
            i++;
            continue;
        }
        size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        if (len == 0 || i + len > n || (len == 2 && c == 0xC2 && s[i + 1] < 0xA0)) return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

static char *render(int (*report)(FILE *, const al_bench_run *), const al_bench_run *run, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    require(f != NULL, "open_memstream");
    require(report(f, run) == 0, "a report failed to render");
    require(fclose(f) == 0, "fclose");
    return buf;
}

static bool same_number(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static void same_run(const al_bench_run *a, const al_bench_run *b)
{
    require(a->nresults == b->nresults, "JSON round trip: result count");
    require(strcmp(a->ctx.label, b->ctx.label) == 0 && strcmp(a->ctx.host, b->ctx.host) == 0 &&
                strcmp(a->ctx.mode, b->ctx.mode) == 0 && a->ctx.quick == b->ctx.quick,
            "JSON round trip: context");
    for (size_t i = 0; i < a->nresults; i++) {
        const al_bench_result *x = &a->results[i], *y = &b->results[i];
        require(strcmp(x->workload, y->workload) == 0 && strcmp(x->param, y->param) == 0 &&
                    strcmp(x->allocator, y->allocator) == 0 && strcmp(x->reason, y->reason) == 0,
                "JSON round trip: names");
        require(x->status == y->status && x->nsamples == y->nsamples, "JSON round trip: status or samples");
        require(same_number(x->s.median, y->s.median), "JSON round trip: median");
        for (size_t k = 0; k < x->nsamples; k++)
            require(same_number(x->samples[k], y->samples[k]), "JSON round trip: a sample");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    al_bench_run run, back;
    char err[512];
    if (al_report_json_parse((const char *)data, size, "input", &run, err, sizeof err) != 0) {
        require(err[0] && !strchr(err, '\n'), "a refusal is one non-empty line");
        require(clean_text((const unsigned char *)err, strlen(err)), "a refusal is clean text");
        return 0;
    }
    static const struct { int (*fn)(FILE *, const al_bench_run *); bool text; } formats[] = {
        {al_report_table, true}, {al_report_csv, true},  {al_report_markdown, true},
        {al_report_html, true},  {al_report_json, true},
    };
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        size_t len;
        char *out = render(formats[f].fn, &run, &len);
        require(clean_text((const unsigned char *)out, len), "a report holds a control character or bad UTF-8");
        if (formats[f].fn == al_report_json) {
            require(al_report_json_parse(out, len, "own output", &back, err, sizeof err) == 0,
                    "our own JSON output is refused");
            same_run(&run, &back);
            al_bench_run_free(&back);
        }
        free(out);
    }
    al_bench_run_free(&run);
    return 0;
}
