/* Whether Valgrind's memcheck watches this process (poison.h's al_checking).
 *
 * Found once, before main, from the answer to one client request: memcheck
 * answers MAKE_MEM_DEFINED with -1, while a native run and every other
 * Valgrind tool (callgrind, which counts the benchmarks' instructions) give
 * the request's default, 0. A process never changes tool, so the answer
 * holds for its whole life; the flag is written before any thread exists and
 * only read afterwards. */
#include "poison.h"

#if !defined(__SANITIZE_ADDRESS__) && defined(AL_HAVE_MEMCHECK)
unsigned char al_memcheck_on __attribute__((visibility("hidden")));

static const unsigned char probe = 1;

__attribute__((constructor)) static void detect_memcheck(void)
{
    al_memcheck_on = (long)VALGRIND_MAKE_MEM_DEFINED(&probe, sizeof probe) == -1;
}
#else
/* Nothing to find: ASan always checks, and without the header nothing can. */
typedef int al_poison_unused;
#endif
