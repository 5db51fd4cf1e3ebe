/* The machine-speed reference: a fixed CPU-bound loop, timed on the CPU
 * clock of the thread that runs it, between the benchmarks of a run.
 *
 * The loop is a chain of dependent multiply-xorshift steps on one 64-bit
 * word: it neither allocates nor touches memory beyond a register, so its
 * time moves only with the speed the machine gives one thread (clock
 * frequency, a hypervisor's stolen time, a sibling hyperthread), never with
 * an allocator (about 0.5 ms here). On this shared virtual machine a run's
 * CPU time is inflated now and then by up to 10% (in about half the runs
 * under load: whatever shares the physical core), exactly as a benchmark's
 * samples are; so a sample is one run, and the reference is the median of
 * many, like a benchmark's, rather than the fastest run (which is steady to
 * 0.1% but blind to that inflation). The harness takes samples before each
 * group's pass, so the reference is spread over the run exactly as the
 * benchmarks are, and compare divides the time ratios of two runs by the
 * ratio of their references. */
#include "harness.h"

#include <stdint.h>
#include <time.h>

#define AL_REF_LOOP_STEPS (UINT64_C(1) << 18)

/* The chain's end, kept so that the compiler cannot drop the loop. */
static volatile uint64_t sink;

double al_reference_sample_ns(void)
{
    struct timespec a, b;
    uint64_t x = sink | 1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    for (uint64_t i = 0; i < AL_REF_LOOP_STEPS; i++) {
        x = x * UINT64_C(6364136223846793005) + i;
        x ^= x >> 29;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    sink = x;
    return (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
}
