/* alloclab — which symbols the shared library exports.
 *
 * liballoclab.so is built with hidden visibility: only the functions the
 * public headers declare with AL_API are exported; every internal helper
 * stays private to the library (the static archive still holds them all).
 */
#ifndef ALLOCLAB_EXPORT_H
#define ALLOCLAB_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define AL_API __attribute__((visibility("default")))
#else
#define AL_API
#endif

#endif
