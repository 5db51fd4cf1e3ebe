/* A library whose constructor allocates before the replacement's own
 * constructor may have run (tests/malloc/preload.c loads it before and after
 * liballoclab-malloc.so): malloc, calloc, realloc, free, strdup, dlerror's
 * own allocation after a failed dlsym, 40 pthread keys (glibc allocates the
 * second level of the key table with calloc), a thread, and blocks kept
 * until its destructor frees them. Prints "early ok" from the constructor
 * and "early done" from the destructor when every check held. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *kept[64];
static pthread_key_t keys[40];
static int ok = 1;

static void *thread_body(void *arg)
{
    char *s = malloc(1000);
    if (!s) return NULL;
    memset(s, 'x', 999);
    s[999] = 0;
    free(arg);
    return s;
}

/* With AM_EARLY_NO_ENV set, the first blocks are taken while `environ` is
 * NULL (clearenv), as when libc has not set it up yet: the replacement cannot
 * read ALLOCLAB_MALLOC then, serves them from its bootstrap, and must still
 * free them correctly once the mode is decided. */
static void *before_env[8];

__attribute__((constructor)) static void early_init(void)
{
    if (getenv("AM_EARLY_NO_ENV")) {
        char **saved = environ;
        clearenv();
        for (int i = 0; i < 8; i++) before_env[i] = malloc((size_t)(i * 1000 + 8));
        before_env[1] = realloc(before_env[1], 50000);
        environ = saved;
        for (int i = 0; i < 8; i++)
            if (!before_env[i]) ok = 0;
    }
    for (int i = 0; i < 64; i++) {
        kept[i] = (i % 3 == 0) ? calloc(1, (size_t)(i * 40 + 1)) : malloc((size_t)(i * 40 + 1));
        if (!kept[i]) ok = 0;
    }
    kept[5] = realloc(kept[5], 100000);
    char *dup = strdup("early allocation");
    if (!dup || strcmp(dup, "early allocation") != 0) ok = 0;
    free(dup);
    if (dlsym(RTLD_DEFAULT, "alloclab_no_such_symbol") != NULL || dlerror() == NULL) ok = 0;
    for (int i = 0; i < 40; i++) {
        if (pthread_key_create(&keys[i], free) != 0) ok = 0;
        else pthread_setspecific(keys[i], malloc(16));
    }
    pthread_t t;
    void *res = NULL;
    if (pthread_create(&t, NULL, thread_body, malloc(10)) != 0 || pthread_join(t, &res) != 0 || !res ||
        strlen(res) != 999)
        ok = 0;
    free(res);
    printf("%s\n", ok ? "early ok" : "early FAILED");
    fflush(stdout);
}

__attribute__((destructor)) static void early_fini(void)
{
    for (int i = 0; i < 64; i++) free(kept[i]);
    for (int i = 0; i < 8; i++) free(before_env[i]);
    for (int i = 0; i < 40; i++) {
        free(pthread_getspecific(keys[i]));
        pthread_setspecific(keys[i], NULL);
    }
    printf("%s\n", ok ? "early done" : "early FAILED");
    fflush(stdout);
}
