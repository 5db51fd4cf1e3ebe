/* The program alloclab run's tests run: it allocates, reads stdin and
 * prints a checksum of it, and misbehaves on request under one allocator,
 * named by a piece of its LD_PRELOAD path (and ALLOCLAB_MALLOC):
 *   RUN_TARGET_CRASH_UNDER=mimalloc     dies of SIGSEGV
 *   RUN_TARGET_EXIT_UNDER=tcmalloc:3    exits with status 3
 *   RUN_TARGET_PRINT_UNDER=jemalloc     prints something else
 *   RUN_TARGET_SLEEP_MS=N               sleeps N ms (under every allocator)
 * Built without sanitizers: it is run with other allocators preloaded. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool under(const char *var, char *rest, size_t len)
{
    const char *want = getenv(var);
    if (!want || !*want) return false;
    char name[128];
    snprintf(name, sizeof name, "%s", want);
    char *colon = strchr(name, ':');
    if (colon) {
        *colon = '\0';
        snprintf(rest, len, "%s", colon + 1);
    }
    const char *preload = getenv("LD_PRELOAD"), *spec = getenv("ALLOCLAB_MALLOC");
    return (preload && strstr(preload, name)) || (spec && strcmp(spec, name) == 0) ||
           (strcmp(name, "sys") == 0 && (!preload || !*preload));
}

int main(void)
{
    char rest[64] = "";
    const char *sleep_ms = getenv("RUN_TARGET_SLEEP_MS");
    if (sleep_ms) {
        long ms = atol(sleep_ms);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* some allocation work, checked */
    unsigned long sum = 0;
    for (int round = 0; round < 200; round++) {
        char *blocks[64];
        for (int i = 0; i < 64; i++) {
            blocks[i] = malloc((size_t)(16 + i * 24));
            if (!blocks[i]) return 99;
            memset(blocks[i], i, (size_t)(16 + i * 24));
        }
        for (int i = 0; i < 64; i++) {
            sum += (unsigned char)blocks[i][i];
            free(blocks[i]);
        }
    }
    int c;
    unsigned long h = 5381;
    while ((c = getchar()) != EOF) h = h * 33 + (unsigned)c;
    if (under("RUN_TARGET_CRASH_UNDER", rest, sizeof rest)) raise(SIGSEGV);
    if (under("RUN_TARGET_EXIT_UNDER", rest, sizeof rest)) {
        fprintf(stderr, "run_target: exiting with %s as asked\n", rest);
        return atoi(rest);
    }
    printf("input hash %lu, work %lu%s\n", h, sum, under("RUN_TARGET_PRINT_UNDER", rest, sizeof rest) ? " (different)" : "");
    return 0;
}
