/* Text that came from outside (a report file, the database, a label, a
 * program's message) made safe to print and to write in every format.
 *
 * Guarantees of al_report_copy_text and al_report_clean_run:
 * - the result is valid UTF-8 holding no control character: C0 controls,
 *   DEL, C1 controls (U+0080-U+009F, which terminals also obey), and the
 *   bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069, which
 *   reorder what a reader sees) become visible escapes ("\x1b", "\u202e"),
 *   and each byte of an invalid sequence becomes "\xHH";
 * - a string too long for its buffer is cut between characters, never in
 *   the middle of one or of an escape;
 * - cleaning clean text changes nothing (escapes are printable ASCII), so a
 *   run read back from our own output comes back the same.
 * Every way into a run (the JSON reader, the history loader, the commands
 * that measure) cleans it, so no writer needs to. */
#include "report_util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1 to 4) and its code point,
 * or 0 when s does not start one (overlong forms, surrogates, beyond
 * U+10FFFF and truncated sequences are invalid). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) return *cp = c, 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, v = c & 0x07, min = 0x10000;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

static bool must_escape(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

size_t al_report_copy_text(char *dst, size_t len, const char *src)
{
    if (len == 0) return 0;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    while (*s) {
        uint32_t cp;
        size_t n = utf8_decode(s, &cp);
        char esc[12];
        const char *piece = (const char *)s;
        size_t plen = n;
        if (n == 0) { /* one invalid byte */
            snprintf(esc, sizeof esc, "\\x%02x", *s);
            piece = esc, plen = 4, n = 1;
        } else if (must_escape(cp)) {
            if (cp < 0x80) snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
            else snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
            piece = esc, plen = strlen(esc);
        }
        if (o + plen >= len) break; /* it would not fit whole */
        memcpy(dst + o, piece, plen);
        o += plen;
        s += n;
    }
    dst[o] = '\0';
    return o;
}

void al_report_clean(char *buf, size_t cap)
{
    char tmp[1024];
    if (cap == 0) return;
    if (cap > sizeof tmp) cap = sizeof tmp;
    al_report_copy_text(tmp, cap, buf);
    memcpy(buf, tmp, strlen(tmp) + 1);
}

void al_report_copy(char *dst, size_t len, const char *src)
{
    if (len == 0) return;
    size_t n = src ? strnlen(src, len - 1) : 0;
    /* Cut before a character that would not fit whole. */
    if (src && src[n])
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

#define CLEAN(field) al_report_clean((field), sizeof(field))

void al_report_clean_run(al_bench_run *run)
{
    al_bench_context *c = &run->ctx;
    CLEAN(c->date);
    CLEAN(c->host);
    CLEAN(c->cpu);
    CLEAN(c->compiler);
    CLEAN(c->build_type);
    CLEAN(c->git_commit);
    CLEAN(c->label);
    CLEAN(c->mode);
    CLEAN(c->alloclab_version);
    for (size_t i = 0; i < c->nlibs; i++) {
        CLEAN(c->libs[i].name);
        CLEAN(c->libs[i].version);
    }
    for (size_t i = 0; i < run->nresults; i++) {
        al_bench_result *r = &run->results[i];
        CLEAN(r->workload);
        CLEAN(r->param);
        CLEAN(r->allocator);
        CLEAN(r->reason);
        CLEAN(r->metric_name);
        CLEAN(r->metric_unit);
        CLEAN(r->ran_as);
    }
}
