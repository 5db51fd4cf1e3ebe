/* Counting the memory system calls of one benchmark (syscalls.c), in an
 * untimed pass of its own under ptrace and a seccomp filter. */
#ifndef ALLOCLAB_SYSCALLS_H
#define ALLOCLAB_SYSCALLS_H

#include "harness.h"

/* NULL when counts can be taken on this system, else why not. */
const char *al_syscalls_unavailable(void);

/* Set the benchmark up in a traced child, run `warmup` iterations (0: the
 * counted ones meet a cold allocator), then count the brk, mmap, munmap,
 * mremap and madvise calls of `iters` more (every thread of the child). 0
 * with *out filled (counted = true), or -1 with a one-line reason (the
 * system forbids tracing, the child failed or outlived timeout_s). Call from
 * a process without other threads. */
int al_syscalls_count(const al_bench_item *it, uint64_t warmup, uint64_t iters, double timeout_s,
                      al_syscall_counts *out, char *why, size_t whylen);

#endif
