/* Internal: the growth policy al_vec and al_smallvec share. */
#ifndef ALLOCLAB_VEC_INTERNAL_H
#define ALLOCLAB_VEC_INTERNAL_H

#include "alloclab/vec.h"

/** The capacity v must move to so that `additional` more elements fit:
 *  exactly len + additional when `exact`, else at least twice the current
 *  capacity and al_vec_min_cap(). False when len + additional elements would
 *  exceed AL_MAX_SIZE bytes (the doubling is clamped to that limit first). */
bool al_vec_target_cap(const al_vec *v, size_t additional, bool exact, size_t *out);

#endif
