/*
 * fuzz.h — what the libFuzzer targets in tests/fuzz share: CHECK, which
 * states an invariant of the code under test and traps when it fails (so
 * libFuzzer records a crash and keeps the input, in every build mode, unlike
 * assert), and the declaration of libFuzzer's entry point, which each
 * target defines once.
 *
 * Header only; included as "fuzz.h" from tests/fuzz/fuzz_<target>.c.
 */
#ifndef TG_TESTS_FUZZ_FUZZ_H
#define TG_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define CHECK(cond)           \
    do {                      \
        if (!(cond)) {        \
            __builtin_trap(); \
        }                     \
    } while (0)

/* libFuzzer's entry point; its name is fixed. */
// NOLINTNEXTLINE(readability-identifier-naming)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
