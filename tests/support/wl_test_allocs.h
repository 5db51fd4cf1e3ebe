/* Test allocators for the workload tests, registered by name:
 *   "wl-evil"    hands every 5th allocation the previous block again (overlap):
 *                every workload's verification must catch it.
 *   "wl-dup251"  every 7th allocation returns the block handed out 251 calls
 *   "wl-dup1000" before (1000 calls before; 13 for "wl-dup13"): blocks far
 *   "wl-dup13"   apart share memory, which a pattern repeating every N
 *                blocks would miss.
 *   "wl-short"   every block is one byte short (no alignment padding): the
 *                next block starts on the previous block's last byte.
 *   "wl-twins"   hands each right leaf of a binary-trees tree its left
 *                sibling's block (it reads the {left, right} words that
 *                start every node; a test-only trick).
 *   "wl-scribble" flips the middle byte of the previous block on every
 *                allocation (blocks of 24 bytes or more): the full check level
 *                catches it, the cheap one (head and tail words) does not.
 *   "wl-scribble-late" the same from its 4000th allocation on: a harness
 *                run (1600 blocks per glibc-simple iteration) passes its
 *                first verification and must fail in the
 *                closing one.
 *   The corrupting ones above claim AL_CAP_FREES (so that workloads which
 *   need individual frees accept them) but never reuse memory: each maps
 *   2 GiB of address space (untouched pages cost nothing) and tests run few
 *   iterations.
 *   "wl-tiny"    4 MiB fixed capacity, resettable (RESET | FIXED_CAPACITY).
 *   "wl-mid"     64 MiB fixed capacity, no frees, no reset (FIXED_CAPACITY).
 *   "wl-nts"     libc malloc without the thread-safe promise (FREES).
 *   "wl-global"  libc malloc, not thread-safe, AL_CAP_PROCESS_GLOBAL: it
 *                records how many instances are live at once and whether two
 *                calls ever overlapped (wl_test_global_report).
 * All bump allocators own their memory: a test that stops on a failure
 * leaks nothing once the instance is destroyed. */
#ifndef WL_TEST_ALLOCS_H
#define WL_TEST_ALLOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register them (idempotent); call before any thread starts. */
void wl_test_register_allocators(void);

/* wl-global's record since the last call (which clears it): the most
 * instances live at once, and whether calls on any instances overlapped. */
void wl_test_global_report(unsigned *max_live, bool *overlapped);

/* One benchmark as the harness runs it: setup, run(iters), teardown. The
 * status of whichever step stopped it, with its reason in why; *in_setup
 * says whether setup refused (may be NULL). */
int wl_test_run(const char *workload, const char *param, const char *spec, uint64_t iters, char *why,
                size_t whylen, bool *in_setup);

/* wl_test_run, then require status `expect` (an al_run_status); for a
 * failure also that it came from setup exactly when expect_in_setup says,
 * with a reason that contains reason_part (when not NULL). A mismatch fails
 * the cmocka test with the benchmark's name and reason. */
void wl_test_expect(const char *workload, const char *param, const char *spec, uint64_t iters, int expect,
                    bool expect_in_setup, const char *reason_part);

#endif
