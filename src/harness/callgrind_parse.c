/* Reading callgrind's output file: only the header's `events:` line and the
 * `summary:` / `totals:` cost lines matter; per-function costs are skipped.
 * The parser never trusts the file: a line it does not know is ignored, a
 * malformed number or a missing line is a failure with a reason. */
#include "callgrind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------------------
 * Columns: which position of a cost line each event we use sits at. An event
 * the file does not name stays at -1 (read as zero).
 * ------------------------------------------------------------------------- */
enum { EV_IR, EV_DR, EV_DW, EV_I1MR, EV_D1MR, EV_D1MW, EV_ILMR, EV_DLMR, EV_DLMW, EV_COUNT };

static const char *const event_names[EV_COUNT] = {
    "Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw",
};

/* Fill col[] from the text after "events:"; false when Ir is missing. */
static bool parse_events(char *text, int col[EV_COUNT])
{
    for (int e = 0; e < EV_COUNT; e++) col[e] = -1;
    int pos = 0;
    for (char *save = NULL, *tok = strtok_r(text, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save), pos++)
        for (int e = 0; e < EV_COUNT; e++)
            if (strcmp(tok, event_names[e]) == 0 && col[e] < 0) col[e] = pos;
    return col[EV_IR] >= 0;
}

/* Add the costs of one summary/totals line into sum[] (by event). Trailing
 * columns may be omitted (they are zero). False on a malformed number. */
static bool add_costs(const char *text, const int col[EV_COUNT], uint64_t sum[EV_COUNT])
{
    uint64_t vals[64] = {0};
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0' || *p == '\n' || *p == '\r') break;
        if (*p < '0' || *p > '9' || n == 64) return false;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n' && *end != '\r'))
            return false;
        vals[n++] = v;
        p = end;
    }
    for (int e = 0; e < EV_COUNT; e++)
        if (col[e] >= 0 && col[e] < 64) sum[e] += vals[col[e]];
    return true;
}

/* ----------------------------------------------------------------------------
 * The file. Costs are summed over every part (a file with several dumps has
 * one of each line per part). The totals lines (the sum of the costs the file
 * lists) win over the summary lines when both exist: when instrumentation is
 * switched off before the end, callgrind writes a summary of 0 but the right
 * totals.
 * ------------------------------------------------------------------------- */
int al_callgrind_parse(const char *path, al_callgrind_totals *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot read callgrind output %s: %s", path, strerror(errno));
        return -1;
    }
    int col[EV_COUNT];
    bool have_events = false, bad = false;
    uint64_t summary[EV_COUNT] = {0}, totals[EV_COUNT] = {0};
    size_t nsummary = 0, ntotals = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    while (!bad && getline(&line, &cap, f) >= 0) {
        lineno++;
        if (strncmp(line, "events:", 7) == 0) {
            if (!have_events && !parse_events(line + 7, col)) {
                snprintf(why, whylen, "callgrind output %s: no Ir in its events line", path);
                bad = true;
            }
            have_events = true;
        } else if (strncmp(line, "summary:", 8) == 0 || strncmp(line, "totals:", 7) == 0) {
            bool is_summary = line[0] == 's';
            if (!have_events) {
                snprintf(why, whylen, "callgrind output %s: costs before the events line (line %zu)",
                         path, lineno);
                bad = true;
            } else if (!add_costs(line + (is_summary ? 8 : 7), col, is_summary ? summary : totals)) {
                snprintf(why, whylen, "callgrind output %s: malformed costs on line %zu", path, lineno);
                bad = true;
            } else if (is_summary) {
                nsummary++;
            } else {
                ntotals++;
            }
        }
    }
    free(line);
    fclose(f);
    if (bad) return -1;
    if (!have_events || (nsummary == 0 && ntotals == 0)) {
        snprintf(why, whylen, "callgrind output %s has no %s line", path,
                 have_events ? "summary or totals" : "events");
        return -1;
    }
    const uint64_t *c = ntotals ? totals : summary;
    out->ir = c[EV_IR];
    out->dr = c[EV_DR];
    out->dw = c[EV_DW];
    out->i1mr = c[EV_I1MR];
    out->d1mr = c[EV_D1MR];
    out->d1mw = c[EV_D1MW];
    out->ilmr = c[EV_ILMR];
    out->dlmr = c[EV_DLMR];
    out->dlmw = c[EV_DLMW];
    out->has_cache = true;
    for (int e = 0; e < EV_COUNT; e++)
        if (col[e] < 0) out->has_cache = false;
    return 0;
}

void al_callgrind_per_iter(const al_callgrind_totals *t, uint64_t iters, double *instructions,
                           double *est_cycles)
{
    double n = iters ? (double)iters : 1.0;
    *instructions = (double)t->ir / n;
    if (!t->has_cache) {
        *est_cycles = -1;
        return;
    }
    /* In doubles: a file whose misses exceed its accesses (not callgrind's)
     * gives a meaningless but finite figure, never an unsigned wrap. */
    double accesses = (double)t->ir + (double)t->dr + (double)t->dw;
    double l1_miss = (double)t->i1mr + (double)t->d1mr + (double)t->d1mw;
    double ll_miss = (double)t->ilmr + (double)t->dlmr + (double)t->dlmw;
    double l1_hits = accesses - l1_miss, ll_hits = l1_miss - ll_miss;
    *est_cycles = (l1_hits + 5.0 * ll_hits + 35.0 * ll_miss) / n;
}
