/* What the libFuzzer targets of tests/fuzz share: quiet logging, results from memory, and a
 * failed property turned into a crash that libFuzzer keeps as an artifact. */
#ifndef VMBENCH_FUZZ_H
#define VMBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "harness/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: warnings and errors only (a target that logs each input spends its
 * time writing to stderr). */
void fuzz_init(void);

/*
 * A results file held in memory, read as results_load reads one from a path (the same
 * JSON flags, then results_take_json). 0, or a negative errno (r is empty then).
 */
int fuzz_load_results(const uint8_t *data, size_t size, struct results *r) __must_check;

/*
 * What was loaded, written as results_write writes it and read back: a file vmbench wrote
 * must be one it reads (merge writes loaded cells; report reads what run wrote). Aborts
 * with both messages when it is not.
 */
void fuzz_check_round_trip(const struct results *r);

/* A property that does not hold: the message on stderr, then abort(), which libFuzzer
 * reports as a crash and saves the input for. */
void fuzz_fail(const char *fmt, ...) __printf(1, 2) __attribute__((noreturn));

#endif
