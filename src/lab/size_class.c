/* lab — size classes.
 *
 * Guarantees: class sizes are multiples of 16, strictly increasing, and every
 * power of two from 16 to 128 KiB is a class (so an aligned request always
 * finds a class that is a multiple of its alignment). A request of s bytes
 * gets the smallest class >= s; above 128 bytes that class exceeds s by less
 * than s/8, below by less than 16 bytes. The tables are built by the
 * compiler from one formula, the same that lab_class_of computes.
 */
#include "lab_internal.h"

/* Class i: 16 (i + 1) for i < 8, then 2^b + k 2^(b-3) with b = 7 + (i-8)/8
 * and k = (i-8)%8 + 1. */
#define LAB_CS(i) ((i) < 8 ? 16u * ((i) + 1u) \
                           : (1u << (7 + ((i) - 8) / 8)) + (((i) - 8) % 8 + 1u) * (1u << (4 + ((i) - 8) / 8)))
#define LAB_CS4(i) LAB_CS(i), LAB_CS((i) + 1), LAB_CS((i) + 2), LAB_CS((i) + 3)
#define LAB_CS8(i) LAB_CS4(i), LAB_CS4((i) + 4)

const uint32_t lab_class_size[LAB_NCLASSES] = {
    LAB_CS8(0),  LAB_CS8(8),  LAB_CS8(16), LAB_CS8(24), LAB_CS8(32), LAB_CS8(40),
    LAB_CS8(48), LAB_CS8(56), LAB_CS8(64), LAB_CS8(72), LAB_CS8(80),
};
_Static_assert(LAB_CS(LAB_NCLASSES - 1) == LAB_MEDIUM_MAX, "the last class is the largest medium block");
_Static_assert(LAB_CS(LAB_SMALL_CLASSES - 1) == LAB_SMALL_MAX, "small classes end at 8 KiB");

/* The class of the sizes 16d-15 .. 16d (d = (size + 15) >> 4), for d <= 64:
 * the formula of lab_class_of, as a constant expression. */
#define LAB_LOG2_64(x) (63 - __builtin_clzll(x))
#define LAB_CM1(d) (16ull * ((d) > 8 ? (d) : 9) - 1) /* size - 1, for the d > 8 branch */
#define LAB_CD(d) ((d) <= 8 ? ((d) ? (d) - 1 : 0) \
                            : 8 + (LAB_LOG2_64(LAB_CM1(d)) - 7) * 8 + (int)(LAB_CM1(d) >> (LAB_LOG2_64(LAB_CM1(d)) - 3)) - 8)
#define LAB_CD4(d) LAB_CD(d), LAB_CD((d) + 1), LAB_CD((d) + 2), LAB_CD((d) + 3)
#define LAB_CD16(d) LAB_CD4(d), LAB_CD4((d) + 4), LAB_CD4((d) + 8), LAB_CD4((d) + 12)

const uint8_t lab_class_of_direct[LAB_DIRECT_N] = {
    LAB_CD16(0), LAB_CD16(16), LAB_CD16(32), LAB_CD16(48), LAB_CD(64),
};
