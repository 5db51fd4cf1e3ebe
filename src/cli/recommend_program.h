/* recommend -- PROGRAM (recommend_program.c): trace, run, then recommend. */
#ifndef ALLOCLAB_RECOMMEND_PROGRAM_H
#define ALLOCLAB_RECOMMEND_PROGRAM_H

struct al_bench_run;

struct al_trace;

/* The recommend command on a trace file (argv holds its options and the
 * file), with the program's runs as evidence (NULL: none) and the file
 * already read (taken; NULL: read it). */
typedef int (*al_recommend_fn)(int argc, char **argv, const struct al_bench_run *program, struct al_trace *read);

/* argv[dashes] is "--": trace the program after it into a temporary file,
 * run it under each allocator, then call recommend on the trace with the
 * options before "--". The exit status. */
int al_recommend_program(int argc, char **argv, int dashes, al_recommend_fn recommend);

#endif
