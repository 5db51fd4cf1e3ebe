/* Test allocators for the workload tests, registered by name:
 *   "wl-evil"  hands every 5th allocation the previous block again (overlap):
 *              every workload's verification must catch it. Caps: none.
 *   "wl-tiny"  4 MiB fixed capacity, resettable (RESET | FIXED_CAPACITY).
 *   "wl-mid"   64 MiB fixed capacity, no frees, no reset (FIXED_CAPACITY).
 *   "wl-nts"   libc malloc without the thread-safe promise (FREES).
 * All bump allocators own their memory: a test that stops on a failure
 * leaks nothing once the instance is destroyed. */
#ifndef WL_TEST_ALLOCS_H
#define WL_TEST_ALLOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register them (idempotent); call before any thread starts. */
void wl_test_register_allocators(void);

/* One benchmark as the harness runs it: setup, run(iters), teardown. The
 * status of whichever step stopped it, with its reason in why; *in_setup
 * says whether setup refused (may be NULL). */
int wl_test_run(const char *workload, const char *param, const char *spec, uint64_t iters, char *why,
                size_t whylen, bool *in_setup);

#endif
