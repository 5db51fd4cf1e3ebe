/* mode: which allocator serves the process, from ALLOCLAB_MALLOC.
 *
 *   unset, empty or "lab"  lab, called directly by the entry points
 *   any other spec         that registry spec through the adapter (spec.c)
 *
 * The choice is made once, by the first call that can read the environment
 * (the dynamic loader and early constructors may allocate before libc has set
 * `environ`), or at the latest by this library's constructor. Until then,
 * and in the other threads while one thread decides, blocks come from the
 * bootstrap: glibc's allocator behind the adapter's header, so that free and
 * realloc recognise them whatever is chosen afterwards. Deciding never
 * recurses into a half-made allocator: al_create's own allocations go to
 * glibc (libc.c), and what it calls that allocates through malloc (dlopen,
 * for mi and tc) is served from the bootstrap too.
 *
 * A spec that cannot be made (unknown name, unavailable library, bad syntax,
 * too long) is one line on stderr and the default serves instead: never a
 * crash, never an exit.
 */
#include "malloc_internal.h"

#include "alloclab/registry.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The default: what serves when ALLOCLAB_MALLOC is unset or unusable. */
#define DEFAULT_SPEC "lab"

am_mode am_current;
unsigned am_route;
static atomic_int deciding;
static char spec_name[128] = DEFAULT_SPEC;

const char *am_spec_name(void) { return spec_name; }

/* lab needs nothing started: it is safe from the first call. */
static am_mode start_default(void)
{
    strcpy(spec_name, DEFAULT_SPEC);
    return AM_LAB;
}

static am_mode choose(const char *env)
{
    if (!env || !*env || strcmp(env, DEFAULT_SPEC) == 0) return start_default();
    if (strlen(env) >= sizeof spec_name) {
        al_say("alloclab-malloc: ALLOCLAB_MALLOC is longer than %zu characters; using %s\n",
               sizeof spec_name - 1, DEFAULT_SPEC);
        return start_default();
    }
    strcpy(spec_name, env);
    if (am_spec_start(spec_name)) return AM_SPEC;
    al_say("alloclab-malloc: ALLOCLAB_MALLOC=%s: %s; using %s\n", env, al_last_error(), DEFAULT_SPEC);
    return start_default();
}

am_mode am_decide(void)
{
    am_mode m = __atomic_load_n(&am_current, __ATOMIC_ACQUIRE);
    if (m != AM_UNSET) return m;
    if (!environ) return AM_UNSET;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&deciding, &expected, 1)) return AM_UNSET;
    int saved = errno;
    m = choose(getenv("ALLOCLAB_MALLOC"));
    errno = saved;
    __atomic_store_n(&am_current, m, __ATOMIC_RELEASE);
    if (m == AM_LAB) __atomic_fetch_or(&am_route, AM_ROUTE_LAB, __ATOMIC_RELEASE);
    return m;
}

/* At the latest here: before main, whoever allocated first. */
__attribute__((constructor)) static void am_decide_at_start(void)
{
    am_decide();
}
