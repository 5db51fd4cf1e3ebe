/* alloclab tests — helpers shared by the lab tests: resident memory, the
 * sanitizer switch, and a block pattern cheap enough for large blocks. */
#ifndef ALLOCLAB_TESTS_LAB_TEST_UTIL_H
#define ALLOCLAB_TESTS_LAB_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether this build runs under a sanitizer (its shadow memory makes RSS
 * figures meaningless, so memory-figure checks skip there). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LAB_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LAB_TEST_SANITIZED 1
#endif
#endif
#ifndef LAB_TEST_SANITIZED
#define LAB_TEST_SANITIZED 0
#endif

/* The process's resident set in bytes, from /proc/self/statm (0 if unreadable). */
size_t lab_test_rss(void);

/* Write block id's pattern into p[0..size): every byte of the first and last
 * 256 bytes and one word every 4 KiB between, so a 1 MiB block costs little. */
void lab_test_fill(void *p, size_t size, uint64_t id);
/* Whether p[0..size) still carries block id's pattern. */
bool lab_test_check(const void *p, size_t size, uint64_t id);

/* An environment variable as a positive number, or def. */
unsigned long lab_test_env(const char *name, unsigned long def);

#endif
