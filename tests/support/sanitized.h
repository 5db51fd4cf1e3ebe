/* Whether this test program is built with a sanitizer, and a cmocka skip
 * for the tests that cannot run under one (a library preloaded into a child
 * under ASan or TSan: the sanitizer's runtime must come first). */
#ifndef ALLOCLAB_TEST_SANITIZED_H
#define ALLOCLAB_TEST_SANITIZED_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

#define SKIP_IF_SANITIZED()                                                                  \
    do {                                                                                     \
        if (SANITIZED) {                                                                     \
            print_message("skipped: the recorder cannot be preloaded under a sanitizer\n"); \
            skip();                                                                          \
        }                                                                                    \
    } while (0)

#endif
