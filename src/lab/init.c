/* lab — process and thread set-up, thread exit, fork.
 *
 * Guarantees: the process set-up (options) runs once, whichever thread gets
 * there first, and needs nothing from libc that allocates. A thread's heap is
 * installed in its TLS slot before anything that may allocate is called
 * (pthread_key_create, pthread_setspecific, pthread_atfork may call calloc):
 * such calls are served by that heap, never recurse into set-up. At thread
 * exit the key's destructor abandons the heap (heap.c). Around fork every
 * global lock is taken, so the child starts with consistent pools and
 * unlocked locks; heaps of threads that do not exist in the child stay as
 * they are (their pages are simply never reclaimed there).
 */
#include "lab_internal.h"

#include <pthread.h>
#include <sched.h>

static atomic_int options_state; /* 0 not read, 1 reading, 2 read */
static atomic_int key_state;     /* 0 none, 1 being created, 2 ready, 3 failed */
static pthread_key_t heap_key;

void lab_process_init(void)
{
    if (LAB_LIKELY(atomic_load_explicit(&options_state, memory_order_acquire) == 2)) return;
    int expect = 0;
    if (atomic_compare_exchange_strong_explicit(&options_state, &expect, 1, memory_order_acq_rel,
                                                memory_order_acquire)) {
        lab_options_init();
        lab_pm_init();
        atomic_store_explicit(&options_state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&options_state, memory_order_acquire) != 2) sched_yield();
}

static void thread_done(void *value)
{
    lab_heap *h = value;
    if (lab_tls_heap == h) lab_tls_heap = &lab_empty_heap;
    lab_heap_abandon(h);
}

static void fork_prepare(void)
{
    lab_lock_acquire(&lab_heap_lock);
    lab_lock_acquire(&lab_abandoned_lock);
    for (unsigned k = 0; k < LAB_NKINDS; k++) lab_lock_acquire(&lab_pool_lock[k]);
    lab_lock_acquire(&lab_huge_lock);
}

static void fork_parent(void)
{
    lab_lock_release(&lab_huge_lock);
    for (unsigned k = LAB_NKINDS; k-- > 0;) lab_lock_release(&lab_pool_lock[k]);
    lab_lock_release(&lab_abandoned_lock);
    lab_lock_release(&lab_heap_lock);
}

static void fork_child(void)
{
    /* One thread now: the locks this thread took in fork_prepare are free. */
    fork_parent();
}

void lab_thread_register(lab_heap *h)
{
    int st = atomic_load_explicit(&key_state, memory_order_acquire);
    if (st != 2) {
        int expect = 0;
        if (atomic_compare_exchange_strong_explicit(&key_state, &expect, 1, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            int ok = pthread_key_create(&heap_key, thread_done) == 0;
            if (ok) pthread_atfork(fork_prepare, fork_parent, fork_child);
            atomic_store_explicit(&key_state, ok ? 2 : 3, memory_order_release);
        } else {
            while ((st = atomic_load_explicit(&key_state, memory_order_acquire)) == 1) sched_yield();
        }
        st = atomic_load_explicit(&key_state, memory_order_acquire);
    }
    if (st == 2) pthread_setspecific(heap_key, h);
}
