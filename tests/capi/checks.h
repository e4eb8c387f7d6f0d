/*
 * tests/capi/checks.h -- the counting check shared by the family check files of test_capi
 * (sdp_checks.c, sem_checks.c, survival_checks.c). Each file keeps its own counter and prints
 * "<family>: N passed, N failed" from its capi_<family>_checks() function.
 */
#ifndef HETMOD_TESTS_CAPI_CHECKS_H
#define HETMOD_TESTS_CAPI_CHECKS_H

#include <stdio.h>

#include "hetmod.h"

typedef struct {
  int passed;
  int failed;
  const char* file;
} capi_counter;

/* No libm: |x| of our own. */
static inline double capi_abs(double x) { return x < 0 ? -x : x; }

static inline void capi_count(capi_counter* c, int ok, const char* what, int line) {
  if (ok) {
    ++c->passed;
  } else {
    ++c->failed;
    fprintf(stderr, "FAILED %s:%d: %s (last error: \"%s\")\n", c->file, line, what, hetmod_last_error());
  }
}

/* CAPI_CHECK(counter, cond): counts one check in `counter` (a capi_counter variable). */
#define CAPI_CHECK(counter, cond) capi_count(&(counter), (cond) ? 1 : 0, #cond, __LINE__)

#endif
