/*
 * tests/capi/test_capi.c -- C99 test of the stable C API (capi/include/hetmod.h).
 *
 * Exercises every entry point and its error paths: NULL handles and pointers, negative lengths,
 * buffers that are too short (the needed length is reported, the buffer is untouched), size
 * queries, out-of-range indices, unknown names, corrupt/truncated blobs, free(NULL), status strings,
 * the last-error semantics (cleared on entry, set on failure, per thread), *out untouched on error.
 *
 * Fit accessors are checked against tests/data/fit_v1.bin (written by scripts/gen-fit-fixture.cpp;
 * the expected values below mirror that script). Simulation studies use the built-in "normal_mean".
 * Prints "N passed, N failed" last; exit status is non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetmod.h"

#ifndef HETMOD_TEST_DATA_DIR
#error "HETMOD_TEST_DATA_DIR must be defined (a string literal, by CMake)"
#endif

/* ---------------------------------------------------------------------------------------------- */
/* A tiny assertion framework                                                                      */
/* ---------------------------------------------------------------------------------------------- */
static int g_passed = 0;
static int g_failed = 0;

static void check_impl(int ok, const char* what, const char* file, int line) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    fprintf(stderr, "FAILED %s:%d: %s\n", file, line, what);
  }
}
#define CHECK(cond) check_impl((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Status equals `code`; on mismatch print the status and the last error. */
static void check_status_impl(int got, int want, const char* what, const char* file, int line) {
  if (got == want) {
    ++g_passed;
  } else {
    ++g_failed;
    fprintf(stderr, "FAILED %s:%d: %s returned %d (%s), expected %d (%s); last error: \"%s\"\n", file, line,
            what, got, hetmod_status_string(got), want, hetmod_status_string(want), hetmod_last_error());
  }
}
#define CHECK_STATUS(expr, want) check_status_impl((expr), (want), #expr, __FILE__, __LINE__)
#define CHECK_OK(expr) CHECK_STATUS(expr, HETMOD_OK)

/* Status equals `want` and the last error message contains `msg`. */
static void check_err_impl(int got, int want, const char* msg, const char* what, const char* file, int line) {
  check_status_impl(got, want, what, file, line);
  if (strstr(hetmod_last_error(), msg) != NULL) {
    ++g_passed;
  } else {
    ++g_failed;
    fprintf(stderr, "FAILED %s:%d: %s: last error \"%s\" does not contain \"%s\"\n", file, line, what,
            hetmod_last_error(), msg);
  }
}
#define CHECK_ERR(expr, want, msg) check_err_impl((expr), (want), (msg), #expr, __FILE__, __LINE__)

#define CHECK_STR(got, want)                                                                     \
  do {                                                                                           \
    const char* g_ = (got);                                                                      \
    const char* w_ = (want);                                                                     \
    int ok_ = g_ != NULL && strcmp(g_, w_) == 0;                                                 \
    check_impl(ok_, #got " == \"" #want "\"", __FILE__, __LINE__);                               \
    if (!ok_) fprintf(stderr, "    got \"%s\", expected \"%s\"\n", g_ ? g_ : "(null)", w_);       \
  } while (0)

static int all_bytes(const void* p, unsigned char value, size_t n) {
  const unsigned char* b = (const unsigned char*)p;
  size_t i;
  for (i = 0; i < n; ++i) {
    if (b[i] != value) return 0;
  }
  return 1;
}

/* No libm calls (test_capi links only libhetmod): our own |x| and the constant log(2). */
static double absd(double x) { return x < 0 ? -x : x; }
static int near(double a, double b, double tol) { return absd(a - b) <= tol; }
#define LOG2 0.693147180559945309417

/* A fake non-NULL handle value used to check that *out is left untouched on error. */
static int g_sentinel_storage;
#define SENTINEL(type) ((type*)(void*)&g_sentinel_storage)

/* ---------------------------------------------------------------------------------------------- */
/* Version, status strings, last error                                                             */
/* ---------------------------------------------------------------------------------------------- */
static void test_version(void) {
  int major = -1, minor = -1, patch = -1;
  char expect[64];
  CHECK_OK(hetmod_version(&major, &minor, &patch));
  CHECK(major == HETMOD_VERSION_MAJOR);
  CHECK(minor == HETMOD_VERSION_MINOR);
  CHECK(patch == HETMOD_VERSION_PATCH);
  CHECK_STR(hetmod_version_string(), HETMOD_VERSION_STRING);
  sprintf(expect, "%d.%d.%d", major, minor, patch);
  CHECK_STR(hetmod_version_string(), expect);

  major = minor = patch = -7;
  CHECK_ERR(hetmod_version(NULL, &minor, &patch), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_version: major is NULL");
  CHECK_ERR(hetmod_version(&major, NULL, &patch), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_version: minor is NULL");
  CHECK_ERR(hetmod_version(&major, &minor, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_version: patch is NULL");
  CHECK(major == -7 && minor == -7 && patch == -7); /* untouched on error */
}

static void test_status_strings(void) {
  static const int codes[] = {HETMOD_OK,
                              HETMOD_ERR_INVALID_ARGUMENT,
                              HETMOD_ERR_DOMAIN,
                              HETMOD_ERR_NUMERICAL,
                              HETMOD_ERR_INTERRUPTED,
                              HETMOD_ERR_BUFFER_TOO_SMALL,
                              HETMOD_ERR_NOT_FOUND,
                              HETMOD_ERR_UNSUPPORTED,
                              HETMOD_ERR_INTERNAL};
  const size_t n = sizeof codes / sizeof codes[0];
  size_t i, j;
  /* ABI: explicit values never change. */
  CHECK(HETMOD_OK == 0);
  CHECK(HETMOD_ERR_INVALID_ARGUMENT == -1);
  CHECK(HETMOD_ERR_DOMAIN == -2);
  CHECK(HETMOD_ERR_NUMERICAL == -3);
  CHECK(HETMOD_ERR_INTERRUPTED == -4);
  CHECK(HETMOD_ERR_BUFFER_TOO_SMALL == -5);
  CHECK(HETMOD_ERR_NOT_FOUND == -6);
  CHECK(HETMOD_ERR_UNSUPPORTED == -7);
  CHECK(HETMOD_ERR_INTERNAL == -99);

  CHECK_STR(hetmod_status_string(HETMOD_OK), "ok");
  CHECK_STR(hetmod_status_string(HETMOD_ERR_INVALID_ARGUMENT), "invalid argument");
  CHECK_STR(hetmod_status_string(HETMOD_ERR_BUFFER_TOO_SMALL), "buffer too small");
  CHECK_STR(hetmod_status_string(HETMOD_ERR_NOT_FOUND), "not found");
  CHECK_STR(hetmod_status_string(HETMOD_ERR_INTERNAL), "internal error");
  CHECK_STR(hetmod_status_string(12345), "unknown status");
  CHECK_STR(hetmod_status_string(-8), "unknown status");
  for (i = 0; i < n; ++i) {
    const char* s = hetmod_status_string(codes[i]);
    CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown status") != 0);
    for (j = 0; j < i; ++j) CHECK(strcmp(s, hetmod_status_string(codes[j])) != 0);
  }
}

static void* thread_last_error(void* arg) {
  const char** seen = (const char**)arg;
  /* A fresh thread sees no error even though the main thread has one. */
  seen[0] = hetmod_last_error()[0] == '\0' ? "empty" : "set";
  hetmod_options_create(NULL); /* fail on this thread */
  seen[1] = strstr(hetmod_last_error(), "hetmod_options_create: out is NULL") ? "own" : "other";
  return NULL;
}

static void test_last_error(void) {
  int major, minor, patch;
  const char* seen[2] = {NULL, NULL};
  pthread_t th;
  const char* msg;

  CHECK(hetmod_last_error() != NULL);
  CHECK_STATUS(hetmod_version(NULL, NULL, NULL), HETMOD_ERR_INVALID_ARGUMENT);
  msg = hetmod_last_error();
  CHECK(msg != NULL && msg[0] != '\0');
  CHECK_STR(hetmod_last_error(), "hetmod_version: major is NULL"); /* reading does not change it */
  /* Non-status getters leave it alone. */
  (void)hetmod_status_string(0);
  (void)hetmod_version_string();
  hetmod_options_free(NULL);
  hetmod_fit_free(NULL);
  hetmod_study_result_free(NULL);
  CHECK_STR(hetmod_last_error(), "hetmod_version: major is NULL");

  /* Per thread. */
  CHECK(pthread_create(&th, NULL, thread_last_error, (void*)seen) == 0);
  CHECK(pthread_join(th, NULL) == 0);
  CHECK(seen[0] != NULL && strcmp(seen[0], "empty") == 0);
  CHECK(seen[1] != NULL && strcmp(seen[1], "own") == 0);
  CHECK_STR(hetmod_last_error(), "hetmod_version: major is NULL"); /* the other thread's error is not ours */

  /* A successful status-returning call clears it. */
  CHECK_OK(hetmod_version(&major, &minor, &patch));
  CHECK_STR(hetmod_last_error(), "");
}

/* ---------------------------------------------------------------------------------------------- */
/* Options                                                                                         */
/* ---------------------------------------------------------------------------------------------- */
static void test_options(void) {
  hetmod_options* opt = NULL;
  hetmod_options* untouched = SENTINEL(hetmod_options);
  const double v[3] = {1.0, 2.0, 3.0};
  int present = -1;

  CHECK_ERR(hetmod_options_create(NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_options_create: out is NULL");
  CHECK_OK(hetmod_options_create(&opt));
  CHECK(opt != NULL);
  (void)untouched;

  CHECK_OK(hetmod_options_set_double(opt, "tol", 1e-8));
  CHECK_OK(hetmod_options_set_double(opt, "tol", 1e-6)); /* replace */
  CHECK_OK(hetmod_options_set_string(opt, "method", "newton"));
  CHECK_OK(hetmod_options_set_vector(opt, "start", v, 3));
  CHECK_OK(hetmod_options_set_vector(opt, "empty", NULL, 0));
  CHECK_OK(hetmod_options_set_double(opt, "weird", NAN)); /* values are validated by their reader */
  CHECK_OK(hetmod_options_has(opt, "tol", &present));
  CHECK(present == 1);
  CHECK_OK(hetmod_options_has(opt, "nope", &present));
  CHECK(present == 0);
  CHECK_OK(hetmod_options_unset(opt, "tol"));
  CHECK_OK(hetmod_options_unset(opt, "tol")); /* absent: not an error */
  CHECK_OK(hetmod_options_has(opt, "tol", &present));
  CHECK(present == 0);

  CHECK_ERR(hetmod_options_set_double(NULL, "a", 1.0), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_double: opt is NULL");
  CHECK_ERR(hetmod_options_set_double(opt, NULL, 1.0), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_double: key is NULL");
  CHECK_ERR(hetmod_options_set_double(opt, "", 1.0), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_double: key is empty");
  CHECK_ERR(hetmod_options_set_string(NULL, "a", "b"), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_string: opt is NULL");
  CHECK_ERR(hetmod_options_set_string(opt, NULL, "b"), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_string: key is NULL");
  CHECK_ERR(hetmod_options_set_string(opt, "a", NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_string: value is NULL");
  CHECK_ERR(hetmod_options_set_vector(NULL, "a", v, 3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_vector: opt is NULL");
  CHECK_ERR(hetmod_options_set_vector(opt, NULL, v, 3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_vector: key is NULL");
  CHECK_ERR(hetmod_options_set_vector(opt, "a", NULL, 2), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_vector: value is NULL");
  CHECK_ERR(hetmod_options_set_vector(opt, "a", v, -1), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_set_vector: n is -1, but must be >= 0");
  CHECK_ERR(hetmod_options_unset(NULL, "a"), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_options_unset: opt is NULL");
  CHECK_ERR(hetmod_options_unset(opt, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_options_unset: key is NULL");
  present = -3;
  CHECK_ERR(hetmod_options_has(NULL, "a", &present), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_has: opt is NULL");
  CHECK_ERR(hetmod_options_has(opt, NULL, &present), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_has: key is NULL");
  CHECK_ERR(hetmod_options_has(opt, "a", NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_options_has: present is NULL");
  CHECK(present == -3);

  hetmod_options_free(opt);
  hetmod_options_free(NULL);
  CHECK(1); /* free(NULL) did not crash */
}

/* ---------------------------------------------------------------------------------------------- */
/* Fits (via the fixture)                                                                          */
/* ---------------------------------------------------------------------------------------------- */

/* Expected contents of tests/data/fit_v1.bin (see scripts/gen-fit-fixture.cpp). */
static const char* const kCoefNames[3] = {"(Intercept)", "x1", "log_scale"};
static const double kCoef[3] = {0.5, -1.25, 0.125};
static const double kVcov[9] = {0.04, 0.01, -0.002, 0.01, 0.09, 0.003, -0.002, 0.003, 0.0025};
static const double kExtra[4] = {1.0, 2.0, 3.5, 4.25};

static unsigned char* read_file(const char* path, long* size) {
  FILE* fp = fopen(path, "rb");
  unsigned char* buf;
  long n;
  if (!fp) return NULL;
  if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
    fclose(fp);
    return NULL;
  }
  buf = (unsigned char*)malloc(n > 0 ? (size_t)n : 1u);
  if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  *size = n;
  return buf;
}

/* The string-buffer convention for one getter `get(fit, buf, buflen, needed)`. */
typedef int (*fit_string_getter)(const hetmod_fit*, char*, int64_t, int64_t*);

static void check_fit_string(const char* name, fit_string_getter get, const hetmod_fit* fit, const char* want) {
  char buf[256];
  char small[4];
  int64_t needed = -1;
  const int64_t want_len = (int64_t)strlen(want) + 1;
  char msg[128];
  int ok;

  /* size query */
  ok = get(fit, NULL, 0, &needed) == HETMOD_OK && needed == want_len && hetmod_last_error()[0] == '\0';
  sprintf(msg, "%s: size query gives %d", name, (int)want_len);
  check_impl(ok, msg, __FILE__, __LINE__);
  /* full read */
  needed = -1;
  memset(buf, 'Z', sizeof buf);
  ok = get(fit, buf, (int64_t)sizeof buf, &needed) == HETMOD_OK && strcmp(buf, want) == 0 && needed == want_len;
  sprintf(msg, "%s: reads \"%s\"", name, want);
  check_impl(ok, msg, __FILE__, __LINE__);
  /* exact size, needed optional */
  memset(buf, 'Z', sizeof buf);
  ok = get(fit, buf, want_len, NULL) == HETMOD_OK && strcmp(buf, want) == 0 && buf[want_len] == 'Z';
  sprintf(msg, "%s: exact-size buffer, needed NULL", name);
  check_impl(ok, msg, __FILE__, __LINE__);
  /* one byte short: too small, needed reported, buffer untouched */
  if (want_len - 1 <= (int64_t)sizeof buf) {
    needed = -1;
    memset(buf, 'Z', sizeof buf);
    ok = get(fit, buf, want_len - 1, &needed) == HETMOD_ERR_BUFFER_TOO_SMALL && needed == want_len &&
         all_bytes(buf, 'Z', sizeof buf) && strstr(hetmod_last_error(), name) != NULL;
    sprintf(msg, "%s: one byte short is BUFFER_TOO_SMALL, buffer untouched", name);
    check_impl(ok, msg, __FILE__, __LINE__);
  }
  if (want_len > (int64_t)sizeof small) {
    memset(small, 'Z', sizeof small);
    ok = get(fit, small, (int64_t)sizeof small, NULL) == HETMOD_ERR_BUFFER_TOO_SMALL &&
         all_bytes(small, 'Z', sizeof small);
    sprintf(msg, "%s: short buffer with needed NULL", name);
    check_impl(ok, msg, __FILE__, __LINE__);
  }
  /* NULL fit, NULL buf with buflen > 0, negative buflen, query without needed */
  ok = get(NULL, buf, (int64_t)sizeof buf, &needed) == HETMOD_ERR_INVALID_ARGUMENT &&
       strstr(hetmod_last_error(), "fit is NULL") != NULL && strstr(hetmod_last_error(), name) != NULL;
  sprintf(msg, "%s: NULL fit", name);
  check_impl(ok, msg, __FILE__, __LINE__);
  ok = get(fit, NULL, 10, &needed) == HETMOD_ERR_INVALID_ARGUMENT && strstr(hetmod_last_error(), "buf is NULL");
  sprintf(msg, "%s: NULL buf with buflen 10", name);
  check_impl(ok, msg, __FILE__, __LINE__);
  needed = -5;
  ok = get(fit, buf, -1, &needed) == HETMOD_ERR_INVALID_ARGUMENT && needed == -5 &&
       strstr(hetmod_last_error(), "buflen is -1");
  sprintf(msg, "%s: negative buflen", name);
  check_impl(ok, msg, __FILE__, __LINE__);
  ok = get(fit, NULL, 0, NULL) == HETMOD_ERR_INVALID_ARGUMENT && strstr(hetmod_last_error(), "needed is NULL");
  sprintf(msg, "%s: size query with needed NULL", name);
  check_impl(ok, msg, __FILE__, __LINE__);
}

static void test_fit_accessors(const hetmod_fit* fit) {
  int64_t p = -1, df = -1, nobs = -1, needed = -1, i;
  double coef[4], vcov[10], loglik = 0, grad = 0, extra[5];
  int converged = -1, code = -1, iters = -1;
  char buf[64];

  check_fit_string("hetmod_fit_family", hetmod_fit_family, fit, "test");
  check_fit_string("hetmod_fit_model", hetmod_fit_model, fit, "fixture");
  check_fit_string("hetmod_fit_convergence_reason", hetmod_fit_convergence_reason, fit,
                   "gradient norm below tolerance");
  check_fit_string("hetmod_fit_optimizer", hetmod_fit_optimizer, fit, "newton-tr");
  check_fit_string("hetmod_fit_extra_names", hetmod_fit_extra_names, fit, "fitted_scale");
  check_fit_string("hetmod_fit_note_names", hetmod_fit_note_names, fit, "warning");

  /* ncoef */
  CHECK_OK(hetmod_fit_ncoef(fit, &p));
  CHECK(p == 3);
  CHECK_ERR(hetmod_fit_ncoef(NULL, &p), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_ncoef: fit is NULL");
  CHECK_ERR(hetmod_fit_ncoef(fit, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_ncoef: p is NULL");

  /* coef names */
  for (i = 0; i < 3; ++i) {
    needed = -1;
    memset(buf, 'Z', sizeof buf);
    CHECK_OK(hetmod_fit_coef_name(fit, i, buf, (int64_t)sizeof buf, &needed));
    CHECK_STR(buf, kCoefNames[i]);
    CHECK(needed == (int64_t)strlen(kCoefNames[i]) + 1);
  }
  CHECK_OK(hetmod_fit_coef_name(fit, 0, NULL, 0, &needed));
  CHECK(needed == 12);
  memset(buf, 'Z', sizeof buf);
  needed = -1;
  CHECK_ERR(hetmod_fit_coef_name(fit, 0, buf, 11, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_fit_coef_name: buflen is 11, but 12 bytes");
  CHECK(needed == 12);
  CHECK(all_bytes(buf, 'Z', sizeof buf));
  needed = -1;
  CHECK_ERR(hetmod_fit_coef_name(fit, 3, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_coef_name: i is 3, but must be in 0..2");
  CHECK_ERR(hetmod_fit_coef_name(fit, -1, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_coef_name: i is -1, but must be in 0..2");
  CHECK(needed == -1);
  CHECK(all_bytes(buf, 'Z', sizeof buf));
  CHECK_ERR(hetmod_fit_coef_name(NULL, 0, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_coef_name: fit is NULL");

  /* coef */
  memset(coef, 0, sizeof coef);
  coef[3] = 99.0;
  CHECK_OK(hetmod_fit_coef(fit, coef, 4)); /* longer is fine */
  CHECK(coef[0] == kCoef[0] && coef[1] == kCoef[1] && coef[2] == kCoef[2]);
  CHECK(coef[3] == 99.0);
  memset(coef, 0xAB, sizeof coef);
  CHECK_ERR(hetmod_fit_coef(fit, coef, 2), HETMOD_ERR_BUFFER_TOO_SMALL, "hetmod_fit_coef: len is 2, but out needs 3");
  CHECK(all_bytes(coef, 0xAB, sizeof coef));
  CHECK_ERR(hetmod_fit_coef(fit, coef, -1), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_coef: len is -1");
  CHECK_ERR(hetmod_fit_coef(fit, NULL, 3), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_coef: out is NULL");
  CHECK_ERR(hetmod_fit_coef(NULL, coef, 3), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_coef: fit is NULL");
  CHECK(all_bytes(coef, 0xAB, sizeof coef));

  /* vcov */
  vcov[9] = 99.0;
  CHECK_OK(hetmod_fit_vcov(fit, vcov, 10));
  for (i = 0; i < 9; ++i) CHECK(vcov[i] == kVcov[i]);
  CHECK(vcov[9] == 99.0);
  CHECK(vcov[1] == vcov[3]); /* symmetric, column-major */
  memset(vcov, 0xAB, sizeof vcov);
  CHECK_ERR(hetmod_fit_vcov(fit, vcov, 8), HETMOD_ERR_BUFFER_TOO_SMALL, "hetmod_fit_vcov: len is 8, but out needs 9");
  CHECK(all_bytes(vcov, 0xAB, sizeof vcov));
  CHECK_ERR(hetmod_fit_vcov(fit, vcov, -2), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_vcov: len is -2");
  CHECK_ERR(hetmod_fit_vcov(fit, NULL, 9), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_vcov: out is NULL");
  CHECK_ERR(hetmod_fit_vcov(NULL, vcov, 9), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_vcov: fit is NULL");

  /* scalars */
  CHECK_OK(hetmod_fit_loglik(fit, &loglik));
  CHECK(loglik == -123.456);
  CHECK_OK(hetmod_fit_df(fit, &df));
  CHECK(df == 3);
  CHECK_OK(hetmod_fit_nobs(fit, &nobs));
  CHECK(nobs == 100);
  CHECK_ERR(hetmod_fit_loglik(NULL, &loglik), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_loglik: fit is NULL");
  CHECK_ERR(hetmod_fit_loglik(fit, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_loglik: loglik is NULL");
  CHECK_ERR(hetmod_fit_df(NULL, &df), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_df: fit is NULL");
  CHECK_ERR(hetmod_fit_df(fit, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_df: df is NULL");
  CHECK_ERR(hetmod_fit_nobs(NULL, &nobs), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_nobs: fit is NULL");
  CHECK_ERR(hetmod_fit_nobs(fit, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_fit_nobs: nobs is NULL");

  /* convergence */
  CHECK_OK(hetmod_fit_convergence(fit, &converged, &code, &iters, &grad));
  CHECK(converged == 1);
  CHECK(code == 4);
  CHECK(iters == 17);
  CHECK(grad == 1.5e-9);
  converged = code = iters = -9;
  CHECK_ERR(hetmod_fit_convergence(NULL, &converged, &code, &iters, &grad), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_convergence: fit is NULL");
  CHECK_ERR(hetmod_fit_convergence(fit, NULL, &code, &iters, &grad), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_convergence: converged is NULL");
  CHECK_ERR(hetmod_fit_convergence(fit, &converged, NULL, &iters, &grad), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_convergence: code is NULL");
  CHECK_ERR(hetmod_fit_convergence(fit, &converged, &code, NULL, &grad), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_convergence: iterations is NULL");
  CHECK_ERR(hetmod_fit_convergence(fit, &converged, &code, &iters, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_convergence: grad_norm is NULL");
  CHECK(converged == -9 && code == -9 && iters == -9);

  /* extras */
  needed = -1;
  CHECK_OK(hetmod_fit_extra(fit, "fitted_scale", NULL, 0, &needed));
  CHECK(needed == 4);
  needed = -1;
  extra[4] = 99.0;
  CHECK_OK(hetmod_fit_extra(fit, "fitted_scale", extra, 5, &needed));
  CHECK(needed == 4);
  for (i = 0; i < 4; ++i) CHECK(extra[i] == kExtra[i]);
  CHECK(extra[4] == 99.0);
  CHECK_OK(hetmod_fit_extra(fit, "fitted_scale", extra, 4, NULL));
  memset(extra, 0xAB, sizeof extra);
  needed = -1;
  CHECK_ERR(hetmod_fit_extra(fit, "fitted_scale", extra, 3, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_fit_extra: len is 3, but out needs 4");
  CHECK(needed == 4);
  CHECK(all_bytes(extra, 0xAB, sizeof extra));
  needed = -1;
  CHECK_ERR(hetmod_fit_extra(fit, "nope", extra, 5, &needed), HETMOD_ERR_NOT_FOUND,
            "hetmod_fit_extra: this fit has no extra named 'nope'");
  CHECK(needed == -1);
  CHECK(all_bytes(extra, 0xAB, sizeof extra));
  CHECK_ERR(hetmod_fit_extra(NULL, "fitted_scale", extra, 5, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_extra: fit is NULL");
  CHECK_ERR(hetmod_fit_extra(fit, NULL, extra, 5, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_extra: name is NULL");
  CHECK_ERR(hetmod_fit_extra(fit, "fitted_scale", NULL, 5, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_extra: out is NULL");
  CHECK_ERR(hetmod_fit_extra(fit, "fitted_scale", extra, -1, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_extra: len is -1");
  CHECK_ERR(hetmod_fit_extra(fit, "fitted_scale", NULL, 0, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_extra: needed is NULL");

  /* notes */
  needed = -1;
  memset(buf, 'Z', sizeof buf);
  CHECK_OK(hetmod_fit_note(fit, "warning", buf, (int64_t)sizeof buf, &needed));
  CHECK_STR(buf, "fixture note");
  CHECK(needed == 13);
  CHECK_OK(hetmod_fit_note(fit, "warning", NULL, 0, &needed));
  CHECK(needed == 13);
  memset(buf, 'Z', sizeof buf);
  needed = -1;
  CHECK_ERR(hetmod_fit_note(fit, "warning", buf, 12, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_fit_note: buflen is 12, but 13 bytes");
  CHECK(needed == 13);
  CHECK(all_bytes(buf, 'Z', sizeof buf));
  needed = -1;
  CHECK_ERR(hetmod_fit_note(fit, "nope", buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_NOT_FOUND,
            "hetmod_fit_note: this fit has no note named 'nope'");
  CHECK(needed == -1);
  CHECK_ERR(hetmod_fit_note(NULL, "warning", buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_note: fit is NULL");
  CHECK_ERR(hetmod_fit_note(fit, NULL, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_note: name is NULL");
  CHECK(all_bytes(buf, 'Z', sizeof buf));
}

static void test_fit_serialization(const unsigned char* blob, int64_t n, const hetmod_fit* fit) {
  unsigned char* out;
  unsigned char* bad;
  int64_t needed = -1, k;
  hetmod_fit* again = NULL;
  hetmod_fit* untouched = SENTINEL(hetmod_fit);
  int all_ok;
  double coef[3];

  /* serialize(deserialize(blob)) == blob */
  CHECK_OK(hetmod_fit_serialize(fit, NULL, 0, &needed));
  CHECK(needed == n);
  out = (unsigned char*)malloc((size_t)n + 8);
  if (!out) {
    CHECK(!"out of memory");
    return;
  }
  memset(out, 0xEE, (size_t)n + 8);
  needed = -1;
  CHECK_OK(hetmod_fit_serialize(fit, out, n + 8, &needed));
  CHECK(needed == n);
  CHECK(memcmp(out, blob, (size_t)n) == 0);
  CHECK(all_bytes(out + n, 0xEE, 8));
  CHECK_OK(hetmod_fit_serialize(fit, out, n, NULL));
  CHECK(memcmp(out, blob, (size_t)n) == 0);
  memset(out, 0xEE, (size_t)n + 8);
  needed = -1;
  CHECK_ERR(hetmod_fit_serialize(fit, out, n - 1, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_fit_serialize: buflen is");
  CHECK(needed == n);
  CHECK(all_bytes(out, 0xEE, (size_t)n + 8));
  CHECK_ERR(hetmod_fit_serialize(NULL, out, n, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_serialize: fit is NULL");
  CHECK_ERR(hetmod_fit_serialize(fit, NULL, n, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_serialize: buf is NULL");
  CHECK_ERR(hetmod_fit_serialize(fit, out, -1, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_serialize: buflen is -1");
  CHECK_ERR(hetmod_fit_serialize(fit, NULL, 0, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_serialize: needed is NULL");

  /* a second round trip through a fresh handle */
  CHECK_OK(hetmod_fit_serialize(fit, out, n, NULL));
  CHECK_OK(hetmod_fit_deserialize(out, n, &again));
  CHECK(again != NULL);
  if (again) {
    CHECK_OK(hetmod_fit_coef(again, coef, 3));
    CHECK(coef[0] == kCoef[0] && coef[1] == kCoef[1] && coef[2] == kCoef[2]);
    hetmod_fit_free(again);
  }

  /* deserialize: bad arguments */
  CHECK_ERR(hetmod_fit_deserialize(blob, n, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_deserialize: out is NULL");
  CHECK_ERR(hetmod_fit_deserialize(NULL, n, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_deserialize: buf is NULL");
  CHECK_ERR(hetmod_fit_deserialize(blob, -1, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_fit_deserialize: len is -1");
  CHECK(untouched == SENTINEL(hetmod_fit));

  /* garbage */
  CHECK_ERR(hetmod_fit_deserialize((const unsigned char*)"definitely not a fit", 20, &untouched),
            HETMOD_ERR_INVALID_ARGUMENT, "bad magic");
  CHECK_STATUS(hetmod_fit_deserialize(blob, 0, &untouched), HETMOD_ERR_INVALID_ARGUMENT);
  CHECK(untouched == SENTINEL(hetmod_fit));

  /* every truncation of the blob is rejected, never read past the end (ASan checks that) */
  all_ok = 1;
  for (k = 0; k < n; ++k) {
    unsigned char* prefix = (unsigned char*)malloc(k > 0 ? (size_t)k : 1u);
    if (!prefix) break;
    memcpy(prefix, blob, (size_t)k);
    if (hetmod_fit_deserialize(prefix, k, &untouched) != HETMOD_ERR_INVALID_ARGUMENT) all_ok = 0;
    if (hetmod_last_error()[0] == '\0') all_ok = 0;
    free(prefix);
  }
  CHECK(all_ok);
  CHECK(untouched == SENTINEL(hetmod_fit));

  bad = (unsigned char*)malloc((size_t)n + 1);
  if (bad) {
    /* trailing byte */
    memcpy(bad, blob, (size_t)n);
    bad[n] = 0;
    CHECK_ERR(hetmod_fit_deserialize(bad, n + 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT, "trailing bytes");
    /* future format version */
    memcpy(bad, blob, (size_t)n);
    bad[8] = 2;
    CHECK_ERR(hetmod_fit_deserialize(bad, n, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
              "format version 2 is not supported");
    /* corrupt magic */
    memcpy(bad, blob, (size_t)n);
    bad[0] = 'X';
    CHECK_ERR(hetmod_fit_deserialize(bad, n, &untouched), HETMOD_ERR_INVALID_ARGUMENT, "bad magic");
    /* huge string length in the family field */
    memcpy(bad, blob, (size_t)n);
    memset(bad + 12, 0xFF, 8);
    CHECK_STATUS(hetmod_fit_deserialize(bad, n, &untouched), HETMOD_ERR_INVALID_ARGUMENT);
    /* every single-byte corruption: either rejected cleanly or a valid fit (never a crash) */
    all_ok = 1;
    for (k = 0; k < n; ++k) {
      hetmod_fit* f = NULL;
      int rc;
      memcpy(bad, blob, (size_t)n);
      bad[k] ^= 0x5A;
      rc = hetmod_fit_deserialize(bad, n, &f);
      if (rc == HETMOD_OK) {
        hetmod_fit_free(f);
      } else if (rc != HETMOD_ERR_INVALID_ARGUMENT) {
        all_ok = 0;
      }
    }
    CHECK(all_ok);
    free(bad);
  }
  CHECK(untouched == SENTINEL(hetmod_fit));
  free(out);
}

static void test_fits(void) {
  const char* path = HETMOD_TEST_DATA_DIR "/fit_v1.bin";
  long size = 0;
  unsigned char* blob = read_file(path, &size);
  hetmod_fit* fit = NULL;

  CHECK(blob != NULL);
  if (!blob) {
    fprintf(stderr, "cannot read %s\n", path);
    return;
  }
  CHECK_OK(hetmod_fit_deserialize(blob, (int64_t)size, &fit));
  CHECK(fit != NULL);
  CHECK_STR(hetmod_last_error(), "");
  if (fit) {
    test_fit_accessors(fit);
    test_fit_serialization(blob, (int64_t)size, fit);
    hetmod_fit_free(fit);
  }
  hetmod_fit_free(NULL);
  free(blob);
}

/* ---------------------------------------------------------------------------------------------- */
/* Simulation studies                                                                              */
/* ---------------------------------------------------------------------------------------------- */

typedef struct {
  int64_t nrep, k;
  double* est;
  double* se;
  int* conv;
  int64_t* idx;
} Rows;

static int get_rows(const hetmod_study_result* res, Rows* rows) {
  rows->est = rows->se = NULL;
  rows->conv = NULL;
  rows->idx = NULL;
  if (hetmod_study_nrep(res, &rows->nrep) != HETMOD_OK || hetmod_study_nparam(res, &rows->k) != HETMOD_OK) return 0;
  rows->est = (double*)malloc((size_t)(rows->nrep * rows->k) * sizeof(double));
  rows->se = (double*)malloc((size_t)(rows->nrep * rows->k) * sizeof(double));
  rows->conv = (int*)malloc((size_t)rows->nrep * sizeof(int));
  rows->idx = (int64_t*)malloc((size_t)rows->nrep * sizeof(int64_t));
  if (!rows->est || !rows->se || !rows->conv || !rows->idx) return 0;
  if (hetmod_study_rows(res, rows->est, rows->se, rows->conv, rows->nrep * rows->k) != HETMOD_OK) return 0;
  if (hetmod_study_replicates(res, rows->idx, rows->nrep) != HETMOD_OK) return 0;
  return 1;
}

static void free_rows(Rows* rows) {
  free(rows->est);
  free(rows->se);
  free(rows->conv);
  free(rows->idx);
}

/* rows of `part` equal rows offset..offset+part.nrep-1 of `full` (bitwise) */
static int rows_match(const Rows* full, const Rows* part, int64_t offset) {
  int64_t r, j;
  if (part->k != full->k || offset + part->nrep > full->nrep) return 0;
  for (r = 0; r < part->nrep; ++r) {
    if (part->conv[r] != full->conv[offset + r] || part->idx[r] != full->idx[offset + r]) return 0;
    for (j = 0; j < part->k; ++j) {
      if (memcmp(&part->est[r + part->nrep * j], &full->est[offset + r + full->nrep * j], sizeof(double)) != 0)
        return 0;
      if (memcmp(&part->se[r + part->nrep * j], &full->se[offset + r + full->nrep * j], sizeof(double)) != 0)
        return 0;
    }
  }
  return 1;
}

static void test_study_names(void) {
  char buf[1024];
  char small[3];
  int64_t needed = -1;
  CHECK_OK(hetmod_sim_study_names(NULL, 0, &needed));
  CHECK(needed >= (int64_t)sizeof "normal_mean");
  CHECK((size_t)needed <= sizeof buf);
  memset(buf, 'Z', sizeof buf);
  CHECK_OK(hetmod_sim_study_names(buf, (int64_t)sizeof buf, NULL));
  CHECK(strstr(buf, "normal_mean") != NULL);
  CHECK((int64_t)strlen(buf) + 1 == needed);
  CHECK(strlen(buf) == 0 || buf[strlen(buf) - 1] != '\n');
  memset(small, 'Z', sizeof small);
  CHECK_ERR(hetmod_sim_study_names(small, (int64_t)sizeof small, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_sim_study_names: buflen is 3");
  CHECK(all_bytes(small, 'Z', sizeof small));
  CHECK_ERR(hetmod_sim_study_names(NULL, 5, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_study_names: buf is NULL");
  CHECK_ERR(hetmod_sim_study_names(buf, -1, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_study_names: buflen is -1");
  CHECK_ERR(hetmod_sim_study_names(NULL, 0, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_study_names: needed is NULL");
}

static void test_sim_errors(const hetmod_options* opt) {
  hetmod_study_result* untouched = SENTINEL(hetmod_study_result);
  hetmod_options* bad = NULL;

  CHECK_ERR(hetmod_sim_run(NULL, opt, 1, 0, 9, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_run: study_name is NULL");
  CHECK_ERR(hetmod_sim_run("normal_mean", opt, 1, 0, 9, 1, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_run: out is NULL");
  CHECK_ERR(hetmod_sim_run("no_such_study", opt, 1, 0, 9, 1, &untouched), HETMOD_ERR_NOT_FOUND, "no_such_study");
  CHECK_ERR(hetmod_sim_run("normal_mean", opt, 1, -1, 9, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_run: first is -1, but must be >= 0");
  CHECK_ERR(hetmod_sim_run("normal_mean", opt, 1, 5, 4, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_sim_run: last is 4, but must be >= first (5)");
  CHECK(untouched == SENTINEL(hetmod_study_result));

  CHECK_OK(hetmod_options_create(&bad));
  CHECK_OK(hetmod_options_set_double(bad, "no_such_option", 1.0));
  CHECK_ERR(hetmod_sim_run("normal_mean", bad, 1, 0, 9, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT,
            "no_such_option");
  CHECK_OK(hetmod_options_unset(bad, "no_such_option"));
  CHECK_OK(hetmod_options_set_double(bad, "sigma", -1.0));
  CHECK_ERR(hetmod_sim_run("normal_mean", bad, 1, 0, 9, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT, "sigma");
  CHECK_OK(hetmod_options_set_string(bad, "sigma", "two"));
  CHECK_STATUS(hetmod_sim_run("normal_mean", bad, 1, 0, 9, 1, &untouched), HETMOD_ERR_INVALID_ARGUMENT);
  CHECK(untouched == SENTINEL(hetmod_study_result));
  hetmod_options_free(bad);
}

static void test_study_accessors(const hetmod_study_result* res, int64_t R) {
  int64_t k = -1, n = -1, nc = -1, nf = -1, needed = -1, i;
  char buf[32];
  double est[2 * 40], se[2 * 40], out[3], rate = -1, mcse = -1;
  int conv[40];
  int64_t idx[40];
  static const char* const stats[] = {"truth",    "n_used",        "mean",     "bias",         "bias_mcse",
                                      "rel_bias", "rel_bias_mcse", "empse",    "empse_mcse",   "mean_se",
                                      "mean_se_mcse", "rmse",      "rmse_mcse", "coverage",    "coverage_mcse",
                                      "power",    "power_mcse"};
  size_t s;

  CHECK_OK(hetmod_study_nparam(res, &k));
  CHECK(k == 2);
  CHECK_OK(hetmod_study_nrep(res, &n));
  CHECK(n == R);
  CHECK_ERR(hetmod_study_nparam(NULL, &k), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_nparam: res is NULL");
  CHECK_ERR(hetmod_study_nparam(res, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_nparam: k is NULL");
  CHECK_ERR(hetmod_study_nrep(NULL, &n), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_nrep: res is NULL");
  CHECK_ERR(hetmod_study_nrep(res, NULL), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_nrep: nrep is NULL");

  /* parameter names */
  CHECK_OK(hetmod_study_param_name(res, 0, buf, (int64_t)sizeof buf, &needed));
  CHECK_STR(buf, "mu");
  CHECK(needed == 3);
  CHECK_OK(hetmod_study_param_name(res, 1, buf, (int64_t)sizeof buf, NULL));
  CHECK_STR(buf, "log_sigma");
  CHECK_OK(hetmod_study_param_name(res, 1, NULL, 0, &needed));
  CHECK(needed == 10);
  memset(buf, 'Z', sizeof buf);
  needed = -1;
  CHECK_ERR(hetmod_study_param_name(res, 1, buf, 9, &needed), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_study_param_name: buflen is 9, but 10 bytes");
  CHECK(needed == 10);
  CHECK(all_bytes(buf, 'Z', sizeof buf));
  CHECK_ERR(hetmod_study_param_name(res, 2, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_param_name: i is 2, but must be in 0..1");
  CHECK_ERR(hetmod_study_param_name(res, -1, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_param_name: i is -1");
  CHECK_ERR(hetmod_study_param_name(NULL, 0, buf, (int64_t)sizeof buf, &needed), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_param_name: res is NULL");
  CHECK(all_bytes(buf, 'Z', sizeof buf));

  /* replicates */
  if (R <= 40) {
    CHECK_OK(hetmod_study_replicates(res, idx, 40));
    for (i = 0; i < R; ++i) CHECK(idx[i] == i);
    memset(idx, 0xAB, sizeof idx);
    CHECK_ERR(hetmod_study_replicates(res, idx, R - 1), HETMOD_ERR_BUFFER_TOO_SMALL,
              "hetmod_study_replicates: len is");
    CHECK(all_bytes(idx, 0xAB, sizeof idx));
  }
  CHECK_ERR(hetmod_study_replicates(NULL, idx, 40), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_replicates: res is NULL");
  CHECK_ERR(hetmod_study_replicates(res, NULL, 40), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_replicates: out is NULL");
  CHECK_ERR(hetmod_study_replicates(res, idx, -1), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_replicates: len is -1");

  /* rows */
  if (R <= 40) {
    CHECK_OK(hetmod_study_rows(res, est, se, conv, 2 * R));
    for (i = 0; i < R; ++i) {
      CHECK(conv[i] == 1);
      CHECK(isfinite(est[i]) && isfinite(est[i + R]));
      CHECK(se[i] > 0 && se[i + R] > 0);
    }
    memset(est, 0xAB, sizeof est);
    memset(se, 0xAB, sizeof se);
    memset(conv, 0xAB, sizeof conv);
    CHECK_ERR(hetmod_study_rows(res, est, se, conv, 2 * R - 1), HETMOD_ERR_BUFFER_TOO_SMALL,
              "hetmod_study_rows: len is");
    CHECK(all_bytes(est, 0xAB, sizeof est) && all_bytes(se, 0xAB, sizeof se) && all_bytes(conv, 0xAB, sizeof conv));
  }
  CHECK_ERR(hetmod_study_rows(NULL, est, se, conv, 80), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_rows: res is NULL");
  CHECK_ERR(hetmod_study_rows(res, NULL, se, conv, 80), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_rows: est is NULL");
  CHECK_ERR(hetmod_study_rows(res, est, NULL, conv, 80), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_rows: se is NULL");
  CHECK_ERR(hetmod_study_rows(res, est, se, NULL, 80), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_rows: converged is NULL");
  CHECK_ERR(hetmod_study_rows(res, est, se, conv, -1), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_rows: len is -1");

  /* counts and convergence rate */
  CHECK_OK(hetmod_study_counts(res, &n, &nc, &nf));
  CHECK(n == R && nc == R && nf == 0);
  CHECK_ERR(hetmod_study_counts(NULL, &n, &nc, &nf), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_counts: res is NULL");
  CHECK_ERR(hetmod_study_counts(res, NULL, &nc, &nf), HETMOD_ERR_INVALID_ARGUMENT, "hetmod_study_counts: nrep is NULL");
  CHECK_ERR(hetmod_study_counts(res, &n, NULL, &nf), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_counts: nconverged is NULL");
  CHECK_ERR(hetmod_study_counts(res, &n, &nc, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_counts: nfailed is NULL");
  CHECK_OK(hetmod_study_convergence_rate(res, &rate, &mcse));
  CHECK(rate == 1.0 && mcse == 0.0);
  CHECK_ERR(hetmod_study_convergence_rate(NULL, &rate, &mcse), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_convergence_rate: res is NULL");
  CHECK_ERR(hetmod_study_convergence_rate(res, NULL, &mcse), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_convergence_rate: rate is NULL");
  CHECK_ERR(hetmod_study_convergence_rate(res, &rate, NULL), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_convergence_rate: mcse is NULL");

  /* summaries: every statistic is available and finite */
  for (s = 0; s < sizeof stats / sizeof stats[0]; ++s) {
    char msg[96];
    int ok;
    out[0] = out[1] = NAN;
    out[2] = 42.0;
    ok = hetmod_study_summary(res, stats[s], out, 3) == HETMOD_OK && isfinite(out[0]) && isfinite(out[1]) &&
         out[2] == 42.0;
    sprintf(msg, "hetmod_study_summary(\"%s\") is finite", stats[s]);
    check_impl(ok, msg, __FILE__, __LINE__);
  }
  memset(out, 0xAB, sizeof out);
  CHECK_ERR(hetmod_study_summary(res, "median", out, 3), HETMOD_ERR_NOT_FOUND,
            "hetmod_study_summary: unknown statistic 'median'");
  CHECK_ERR(hetmod_study_summary(res, "mean", out, 1), HETMOD_ERR_BUFFER_TOO_SMALL,
            "hetmod_study_summary: len is 1, but out needs 2");
  CHECK(all_bytes(out, 0xAB, sizeof out));
  CHECK_ERR(hetmod_study_summary(NULL, "mean", out, 3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_summary: res is NULL");
  CHECK_ERR(hetmod_study_summary(res, NULL, out, 3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_summary: stat is NULL");
  CHECK_ERR(hetmod_study_summary(res, "mean", NULL, 3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_summary: out is NULL");
  CHECK_ERR(hetmod_study_summary(res, "mean", out, -3), HETMOD_ERR_INVALID_ARGUMENT,
            "hetmod_study_summary: len is -3");
}

static void test_study_values(const hetmod_study_result* res, const Rows* rows, double mu, double log_sigma) {
  double truth[2], mean[2], bias[2], bias_mcse[2], cov[2], cov_mcse[2], nused[2], empse[2], rmse[2], pw[2];
  int64_t R = rows->nrep, r, j;
  CHECK_OK(hetmod_study_summary(res, "truth", truth, 2));
  CHECK(truth[0] == mu);
  CHECK(near(truth[1], log_sigma, 1e-15));
  CHECK_OK(hetmod_study_summary(res, "n_used", nused, 2));
  CHECK(nused[0] == (double)R && nused[1] == (double)R);
  CHECK_OK(hetmod_study_summary(res, "mean", mean, 2));
  CHECK_OK(hetmod_study_summary(res, "bias", bias, 2));
  CHECK_OK(hetmod_study_summary(res, "bias_mcse", bias_mcse, 2));
  CHECK_OK(hetmod_study_summary(res, "empse", empse, 2));
  CHECK_OK(hetmod_study_summary(res, "rmse", rmse, 2));
  CHECK_OK(hetmod_study_summary(res, "coverage", cov, 2));
  CHECK_OK(hetmod_study_summary(res, "coverage_mcse", cov_mcse, 2));
  CHECK_OK(hetmod_study_summary(res, "power", pw, 2));
  for (j = 0; j < 2; ++j) {
    double s = 0;
    for (r = 0; r < R; ++r) s += rows->est[r + R * j];
    CHECK(near(mean[j], s / (double)R, 1e-12));
    CHECK(near(bias[j], mean[j] - truth[j], 1e-12));
    CHECK(bias_mcse[j] > 0 && near(bias_mcse[j] * bias_mcse[j] * (double)R, empse[j] * empse[j], 1e-12));
    CHECK(rmse[j] > 0 && empse[j] > 0);
    CHECK(cov[j] >= 0 && cov[j] <= 1 && cov_mcse[j] >= 0);
    CHECK(pw[j] >= 0 && pw[j] <= 1);
  }
  /* the sample mean is unbiased: |bias| within 4 MCSE */
  CHECK(absd(bias[0]) <= 4 * bias_mcse[0]);
  /* with sigma/sqrt(n) = 2/sqrt(50) the mean's SE is ~0.28; empirical SE near that */
  CHECK(empse[0] > 0.15 && empse[0] < 0.45);
}

static void test_sim(void) {
  hetmod_options* opt = NULL;
  hetmod_study_result* full = NULL;
  hetmod_study_result* two = NULL;
  hetmod_study_result* all = NULL;
  hetmod_study_result* a = NULL;
  hetmod_study_result* b = NULL;
  hetmod_study_result* dflt = NULL;
  hetmod_study_result* other_seed = NULL;
  Rows rf, r2, rall, ra, rb, rs;
  const int64_t R = 40;
  double truth[2];

  memset(&rf, 0, sizeof rf);
  memset(&r2, 0, sizeof r2);
  memset(&rall, 0, sizeof rall);
  memset(&ra, 0, sizeof ra);
  memset(&rb, 0, sizeof rb);
  memset(&rs, 0, sizeof rs);
  test_study_names();

  CHECK_OK(hetmod_options_create(&opt));
  CHECK_OK(hetmod_options_set_double(opt, "n", 50));
  CHECK_OK(hetmod_options_set_double(opt, "mu", 1.0));
  CHECK_OK(hetmod_options_set_double(opt, "sigma", 2.0));
  test_sim_errors(opt);

  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260101u, 0, R - 1, 1, &full));
  CHECK_STR(hetmod_last_error(), "");
  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260101u, 0, R - 1, 2, &two));
  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260101u, 0, R - 1, 0, &all));
  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260101u, 0, 16, 2, &a));
  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260101u, 17, R - 1, 1, &b));
  CHECK_OK(hetmod_sim_run("normal_mean", opt, 20260102u, 0, R - 1, 1, &other_seed));
  CHECK_OK(hetmod_sim_run("normal_mean", NULL, 7u, 3, 3, 1, &dflt)); /* NULL options = defaults; one replicate */
  if (!full || !two || !all || !a || !b || !dflt || !other_seed) {
    CHECK(!"sim runs failed; skipping the rest of the simulation tests");
  } else {
    test_study_accessors(full, R);
    CHECK(get_rows(full, &rf) && get_rows(two, &r2) && get_rows(all, &rall) && get_rows(a, &ra) &&
          get_rows(b, &rb) && get_rows(other_seed, &rs));
    CHECK(rf.nrep == R && ra.nrep == 17 && rb.nrep == R - 17);
    CHECK(rows_match(&rf, &r2, 0));   /* 1 vs 2 threads */
    CHECK(rows_match(&rf, &rall, 0)); /* 1 vs all threads */
    CHECK(rows_match(&rf, &ra, 0));   /* split range: first part */
    CHECK(rows_match(&rf, &rb, 17));  /* split range: second part (replicate indices 17..39) */
    CHECK(rb.idx[0] == 17 && rb.idx[rb.nrep - 1] == R - 1);
    CHECK(!rows_match(&rf, &rs, 0)); /* a different seed gives different data */
    test_study_values(full, &rf, 1.0, LOG2);
    {
      int64_t n = 0, idx = -1;
      CHECK_OK(hetmod_study_nrep(dflt, &n));
      CHECK(n == 1);
      CHECK_OK(hetmod_study_replicates(dflt, &idx, 1));
      CHECK(idx == 3);
      CHECK_OK(hetmod_study_summary(dflt, "truth", truth, 2)); /* defaults mu = 1, sigma = 2 */
      CHECK(truth[0] == 1.0 && near(truth[1], LOG2, 1e-15));
    }
    free_rows(&rf);
    free_rows(&r2);
    free_rows(&rall);
    free_rows(&ra);
    free_rows(&rb);
    free_rows(&rs);
  }
  hetmod_study_result_free(full);
  hetmod_study_result_free(two);
  hetmod_study_result_free(all);
  hetmod_study_result_free(a);
  hetmod_study_result_free(b);
  hetmod_study_result_free(dflt);
  hetmod_study_result_free(other_seed);
  hetmod_study_result_free(NULL);
  hetmod_options_free(opt);
}

/* Defined in tests/capi/survival_checks.c (the survival entry points): prints its own
 * "survival: N passed, N failed" line and returns its number of failed checks. */
int capi_survival_checks(void);
/* Defined in tests/capi/sdp_checks.c (the SDP clustering entry points); same convention. */
int capi_sdp_checks(void);
/* Defined in tests/capi/sem_checks.c (the SEM entry points); same convention. */
int capi_sem_checks(void);

int main(void) {
  /* Before any call, there is no error. */
  CHECK_STR(hetmod_last_error(), "");
  test_version();
  test_status_strings();
  test_last_error();
  test_options();
  test_fits();
  test_sim();
  printf("core: %d passed, %d failed\n", g_passed, g_failed);
  g_failed += capi_survival_checks();
  g_failed += capi_sdp_checks();
  g_failed += capi_sem_checks();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
