/* lab_fastpath: N malloc+free pairs of one small size, to count the fast
 * path's instructions under callgrind (two runs, N1 and N2 pairs: the
 * difference divided by N2 - N1 is the cost of one pair plus this loop's
 * few instructions; see docs/lab.md for the command).
 *
 *   lab_fastpath ALLOC N [SIZE [sized]]
 *     ALLOC  lab, mi (libmimalloc.so.2, opened privately) or sys (glibc)
 *     sized  free with the size (lab_free_sized, mi_free_size)
 *
 * One block stays allocated throughout, so the page never empties and each
 * pair is the pure fast path: pop from the page's free list, push on its
 * local free list. */
#include "lab.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lab_fastpath lab|mi|sys N [SIZE [sized]]\n");
        return 2;
    }
    long n = atol(argv[2]);
    size_t size = argc > 3 ? (size_t)atol(argv[3]) : 32;
    int sized = argc > 4 && strcmp(argv[4], "sized") == 0;
    void *(*alloc)(size_t) = lab_malloc;
    void (*release)(void *) = lab_free;
    void (*release_sized)(void *, size_t) = lab_free_sized;
    if (strcmp(argv[1], "mi") == 0) {
        void *h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "lab_fastpath: %s\n", dlerror());
            return 2;
        }
        alloc = (void *(*)(size_t))dlsym(h, "mi_malloc");
        release = (void (*)(void *))dlsym(h, "mi_free");
        release_sized = (void (*)(void *, size_t))dlsym(h, "mi_free_size");
    } else if (strcmp(argv[1], "sys") == 0) {
        alloc = malloc;
        release = free;
        release_sized = NULL;
    } else if (strcmp(argv[1], "lab") != 0) {
        fprintf(stderr, "lab_fastpath: unknown allocator '%s'\n", argv[1]);
        return 2;
    }
    if (!alloc || !release || (sized && !release_sized)) {
        fprintf(stderr, "lab_fastpath: '%s' lacks an entry point\n", argv[1]);
        return 2;
    }
    void *keep = alloc(size);
    for (long i = 0; i < n; i++) {
        void *volatile p = alloc(size);
        if (sized) release_sized(p, size);
        else release(p);
    }
    release(keep);
    return 0;
}
