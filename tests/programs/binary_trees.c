/* binary_trees [DEPTH [THREADS]]: the benchmarks-game binary-trees with
 * malloc and free, split over threads — the malloc-heavy program the
 * tracer's overhead is measured on (README, "Your program's allocations").
 * Each thread builds and checks trees of depths 4, 6, ... DEPTH, many of the
 * small ones, and frees every node; it prints the total node count. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    struct node *left, *right;
} node;

static node *make(int depth)
{
    node *n = malloc(sizeof *n);
    if (!n) {
        fprintf(stderr, "binary_trees: out of memory\n");
        exit(1);
    }
    n->left = depth > 0 ? make(depth - 1) : NULL;
    n->right = depth > 0 ? make(depth - 1) : NULL;
    return n;
}

static long check(const node *n) { return 1 + (n->left ? check(n->left) + check(n->right) : 0); }

static void destroy(node *n)
{
    if (n->left) {
        destroy(n->left);
        destroy(n->right);
    }
    free(n);
}

static int max_depth = 16, nthreads = 2;

static void *run(void *arg)
{
    long *total = arg;
    node *long_lived = make(max_depth - 2);
    for (int d = 4; d <= max_depth; d += 2) {
        long iters = (1L << (max_depth - d + 2)) / nthreads;
        for (long i = 0; i < iters; i++) {
            node *t = make(d);
            *total += check(t);
            destroy(t);
        }
    }
    *total += check(long_lived);
    destroy(long_lived);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1) max_depth = atoi(argv[1]);
    if (argc > 2) nthreads = atoi(argv[2]);
    if (max_depth < 4 || max_depth > 24 || nthreads < 1 || nthreads > 64) {
        fprintf(stderr, "usage: binary_trees [DEPTH 4-24 [THREADS 1-64]]\n");
        return 2;
    }
    pthread_t th[64];
    long totals[64] = {0};
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, run, &totals[i]) != 0) return 1;
    long total = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        total += totals[i];
    }
    printf("%ld nodes\n", total);
    return 0;
}
