/* Fork safety for every lock an instance holds (declared in internal.h).
 *
 * A child of fork() has one thread: the one that forked. A mutex another
 * thread held at that moment stays held forever in the child, so its first
 * call through a "locked:pool" would hang. The guarantee here: every
 * al_fork_mutex of a live instance is taken by the forking thread just before
 * fork() (pthread_atfork's prepare) and released again in the parent and in
 * the child, so the child starts with every instance unlocked and consistent
 * (no operation was halfway through: its lock was held by the forker).
 *
 * The live mutexes form one list, newest first, guarded by its own mutex
 * (also held across fork, so no instance appears or goes during one).
 * Prepare locks them newest first. A wrapper is always made after the
 * instance it wraps, and an instance after its backing, so newest first is
 * outermost first: the order in which an operation takes them (locked:stats:X
 * holds locked's mutex, then stats'), and prepare cannot deadlock against a
 * thread holding an outer lock and waiting for an inner one.
 *
 * Libraries with fork handlers of their own (jemalloc, tcmalloc): prepare
 * handlers run newest registration first, and ours must lock before theirs
 * (a thread inside locked:je holds our mutex and waits for jemalloc's). So
 * when such a library starts, al_fork_after_library() registers our handlers
 * once more; only the first prepare of a fork (the newest registration) and
 * the first parent/child handler act, the others see it done.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static al_fork_mutex *newest; /* the live mutexes, newest first; under list_lock */
static pthread_once_t installed_once = PTHREAD_ONCE_INIT;
static atomic_bool installed; /* our handlers are registered at least once */
static atomic_bool held;      /* prepare has locked everything for the fork under way */

/* ----------------------------------------------------------------------------
 * The handlers. glibc runs one fork's handlers under its own lock, so two
 * forks never interleave them; `held` tells the repeated registrations apart.
 * ------------------------------------------------------------------------- */
static void prepare(void)
{
    if (atomic_load(&held)) return; /* a newer registration did it */
    pthread_mutex_lock(&list_lock);
    for (al_fork_mutex *m = newest; m; m = m->older) pthread_mutex_lock(&m->mu);
    atomic_store(&held, true);
}

static void release(void)
{
    if (!atomic_load(&held)) return; /* done by an older registration */
    atomic_store(&held, false);
    for (al_fork_mutex *m = newest; m; m = m->older) pthread_mutex_unlock(&m->mu);
    pthread_mutex_unlock(&list_lock);
}

static void install(void)
{
    if (pthread_atfork(prepare, release, release) == 0) atomic_store(&installed, true);
}

void al_fork_after_library(void)
{
    /* Before our first registration there is nothing to reorder: it will
     * come after the library's anyway. */
    if (atomic_load(&installed)) pthread_atfork(prepare, release, release);
}

/* ----------------------------------------------------------------------------
 * The list.
 * ------------------------------------------------------------------------- */
bool al_fork_mutex_init(al_fork_mutex *m)
{
    pthread_once(&installed_once, install);
    if (!atomic_load(&installed) || pthread_mutex_init(&m->mu, NULL) != 0) return false;
    pthread_mutex_lock(&list_lock);
    m->newer = NULL;
    m->older = newest;
    if (newest) newest->newer = m;
    newest = m;
    pthread_mutex_unlock(&list_lock);
    return true;
}

void al_fork_mutex_destroy(al_fork_mutex *m)
{
    pthread_mutex_lock(&list_lock);
    if (m->newer) m->newer->older = m->older;
    else newest = m->older;
    if (m->older) m->older->newer = m->newer;
    pthread_mutex_unlock(&list_lock);
    pthread_mutex_destroy(&m->mu);
}
