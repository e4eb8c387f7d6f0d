/*
 * tests/capi/sem_checks.c -- C99 checks of the SEM entry points of the C API
 * (hetmod_sem_fit, hetmod_sem_model_variables, hetmod_sem_implied_cov, hetmod_sem_expand,
 * hetmod_sem_identify).
 *
 * Compiled into the single test_capi executable (tests/CMakeLists.txt globs tests/capi/ *.c), so it
 * has no main(): test_capi.c's main() calls capi_sem_checks(), which prints
 * "sem: N passed, N failed" and returns the number of failed checks.
 *
 * Reference values: spec/sem.md section 5.1 (lavaan 0.6.14, HS CFA) and 5.2 (3-cycle closed form).
 * The HS covariance matrix below is cov(HolzingerSwineford1939[, x1..x9]) (N-1 divisor, R 4.2.2).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "hetmod.h"

int capi_sem_checks(void);

static capi_counter m_cnt = {0, 0, "sem_checks.c"};
#define M_CHECK(cond) CAPI_CHECK(m_cnt, cond)
#define M_NEAR_REL(a, b, tol) M_CHECK(capi_abs((a) - (b)) <= (tol) * capi_abs(b))
#define M_NEAR(a, b, tol) M_CHECK(capi_abs((a) - (b)) <= (tol))

static const char* const k_hs_names[9] = {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"};
static const double k_hs_cov[81] = {
    1.3628977449977859,
    0.40872923458654481,
    0.5818323200848422,
    0.50651777949585941,
    0.44208425583726463,
    0.45632415774787222,
    0.085047985926619746,
    0.26471714330171092,
    0.45986634222912515,
    0.40872923458654481,
    1.3863898117386491,
    0.45256748338870434,
    0.20961978157045957,
    0.21179471207087486,
    0.24836971990279622,
    -0.097073520982004433,
    0.11002491694352159,
    0.24482281573366557,
    0.5818323200848422,
    0.45256748338870434,
    1.2791144102990033,
    0.20886351162214839,
    0.11267061184939092,
    0.24492267812843299,
    0.088636310763842749,
    0.21303038482834996,
    0.3750987461701274,
    0.50651777949585941,
    0.20961978157045957,
    0.20886351162214839,
    1.3551667228846569,
    1.1014119575116832,
    0.89850076176325477,
    0.22047506510334636,
    0.12601199448074199,
    0.2441739463043692,
    0.44208425583726463,
    0.21179471207087486,
    0.11267061184939092,
    1.1014119575116832,
    1.6653183831672205,
    1.0179057889233942,
    0.14347621326771873,
    0.18120722591362129,
    0.29622546742109634,
    0.45632415774787222,
    0.24836971990279622,
    0.24492267812843299,
    0.89850076176325477,
    1.0179057889233942,
    1.200346239286036,
    0.1445586505079762,
    0.16598244158049835,
    0.23678360591218156,
    0.085047985926619746,
    -0.097073520982004433,
    0.088636310763842749,
    0.22047506510334636,
    0.14347621326771873,
    0.1445586505079762,
    1.1870832625408529,
    0.53702937198588041,
    0.37454154330688105,
    0.26471714330171092,
    0.11002491694352159,
    0.21303038482834996,
    0.12601199448074199,
    0.18120722591362129,
    0.16598244158049835,
    0.53702937198588041,
    1.0253894241417498,
    0.4588409483089701,
    0.45986634222912515,
    0.24482281573366557,
    0.3750987461701274,
    0.2441739463043692,
    0.29622546742109634,
    0.23678360591218156,
    0.37454154330688105,
    0.4588409483089701,
    1.0183872161929175};
static const char* const k_hs_model =
    "visual =~ x1 + x2 + x3\n"
    "textual =~ x4 + x5 + x6\n"
    "speed =~ x7 + x8 + x9";

static double extra1(const hetmod_fit* fit, const char* name) {
  double v = -12345.0;
  int64_t need = 0;
  if (hetmod_fit_extra(fit, name, &v, 1, &need) != HETMOD_OK || need != 1) return -12345.0;
  return v;
}

static void check_hs(void) {
  hetmod_fit* fit = NULL;
  char buf[64];
  int64_t need = 0, p = 0, nobs = 0, df = 0, i;
  double coef[21], ll = 0;
  int found_x2 = 0;
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, 9, k_hs_names, k_hs_cov, 301, NULL, &fit) == HETMOD_OK);
  if (!fit) return;
  M_CHECK(hetmod_fit_family(fit, buf, sizeof buf, &need) == HETMOD_OK && strcmp(buf, "sem") == 0);
  M_CHECK(hetmod_fit_model(fit, buf, sizeof buf, &need) == HETMOD_OK && strcmp(buf, "ml") == 0);
  M_CHECK(hetmod_fit_ncoef(fit, &p) == HETMOD_OK && p == 21);
  M_CHECK(hetmod_fit_nobs(fit, &nobs) == HETMOD_OK && nobs == 301);
  M_CHECK(hetmod_fit_df(fit, &df) == HETMOD_OK && df == 21);
  M_CHECK(hetmod_fit_loglik(fit, &ll) == HETMOD_OK);
  M_NEAR_REL(ll, -3737.744927, 1e-8);
  M_NEAR_REL(extra1(fit, "chisq"), 85.305522, 1e-6);
  M_NEAR(extra1(fit, "df"), 24.0, 0.0);
  M_NEAR_REL(extra1(fit, "cfi"), 0.930560, 1e-5);
  M_NEAR_REL(extra1(fit, "tli"), 0.895839, 1e-5);
  M_NEAR_REL(extra1(fit, "rmsea"), 0.092121, 1e-5);
  M_NEAR_REL(extra1(fit, "rmsea.ci.lower"), 0.071418, 1e-4);
  M_NEAR_REL(extra1(fit, "srmr"), 0.065205, 1e-5);
  M_NEAR_REL(extra1(fit, "aic"), 7517.489853, 1e-8);
  M_NEAR_REL(extra1(fit, "bic"), 7595.339169, 1e-8);
  M_NEAR_REL(extra1(fit, "baseline.chisq"), 918.851589, 1e-7);
  M_NEAR(extra1(fit, "admissible"), 1.0, 0.0);
  /* the packed vector too */
  M_CHECK(hetmod_fit_extra(fit, "fit_measures", NULL, 0, &need) == HETMOD_OK && need == 18);
  M_CHECK(hetmod_fit_note(fit, "observed", NULL, 0, &need) == HETMOD_OK && need > 1);
  M_CHECK(hetmod_fit_coef(fit, coef, 21) == HETMOD_OK);
  for (i = 0; i < p; ++i) {
    M_CHECK(hetmod_fit_coef_name(fit, i, buf, sizeof buf, &need) == HETMOD_OK);
    if (strcmp(buf, "visual=~x2") == 0) {
      double V[21 * 21];
      found_x2 = 1;
      M_NEAR(coef[i], 0.553500, 2e-6);
      M_CHECK(hetmod_fit_vcov(fit, V, 21 * 21) == HETMOD_OK);
      M_NEAR(V[i + 21 * i], 0.099665 * 0.099665, 2e-7);
    }
    if (strcmp(buf, "speed~~speed") == 0) M_NEAR(coef[i], 0.383748, 2e-6);
  }
  M_CHECK(found_x2);
  hetmod_fit_free(fit);
}

/* y ~ x on 10 deterministic rows: the raw-data interface. */
static void check_raw_data(void) {
  const char* const names[3] = {"x", "y", "unused"};
  double d[30];
  hetmod_fit* fit = NULL;
  hetmod_options* opt = NULL;
  int64_t nobs = 0, p = 0;
  double v = 0;
  int i;
  for (i = 0; i < 10; ++i) {
    d[i] = (double)i;
    d[10 + i] = 0.5 * i + ((i * 7) % 5) - 2.0;
    d[20 + i] = (double)((i * 3) % 4);
  }
  M_CHECK(hetmod_sem_fit("y ~ x", d, 10, 3, names, NULL, 0, NULL, &fit) == HETMOD_OK);
  M_CHECK(hetmod_fit_nobs(fit, &nobs) == HETMOD_OK && nobs == 10);
  M_CHECK(hetmod_fit_ncoef(fit, &p) == HETMOD_OK && p == 2); /* slope + residual variance (fixed.x) */
  M_NEAR(extra1(fit, "df"), 0.0, 0.0);
  M_CHECK(extra1(fit, "chisq") < 1e-8);
  hetmod_fit_free(fit);
  fit = NULL;
  /* options: GLS, and a C-API model key */
  M_CHECK(hetmod_options_create(&opt) == HETMOD_OK);
  M_CHECK(hetmod_options_set_string(opt, "estimator", "GLS") == HETMOD_OK);
  M_CHECK(hetmod_options_set_double(opt, "fixed_x", 0) == HETMOD_OK);
  M_CHECK(hetmod_sem_fit("y ~ x", d, 10, 3, names, NULL, 0, opt, &fit) == HETMOD_OK);
  M_CHECK(hetmod_fit_ncoef(fit, &p) == HETMOD_OK && p == 3); /* + variance of x */
  M_CHECK(hetmod_fit_extra(fit, "chisq", &v, 1, NULL) == HETMOD_OK);
  hetmod_fit_free(fit);
  fit = NULL;
  /* unknown option */
  M_CHECK(hetmod_options_set_double(opt, "no_such_option", 1) == HETMOD_OK);
  M_CHECK(hetmod_sem_fit("y ~ x", d, 10, 3, names, NULL, 0, opt, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "no_such_option") != NULL);
  M_CHECK(fit == NULL);
  hetmod_options_free(opt);
}

static void check_errors(void) {
  hetmod_fit* fit = (hetmod_fit*)&m_cnt; /* sentinel: must stay untouched on error */
  hetmod_fit* const sentinel = fit;
  double bad_cov[81];
  double d[30];
  const char* const names3[3] = {"x", "y", "z"};
  int i;
  M_CHECK(hetmod_sem_fit(NULL, NULL, 0, 9, k_hs_names, k_hs_cov, 301, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "model_text") != NULL);
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, 9, k_hs_names, k_hs_cov, 301, NULL, NULL) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, 9, NULL, k_hs_cov, 301, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "names") != NULL);
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, 9, k_hs_names, NULL, 301, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "sample_cov") != NULL);
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, -1, k_hs_names, k_hs_cov, 301, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  /* parse error: the message names the line */
  M_CHECK(hetmod_sem_fit("visual =~ x1 + x2 + x3\ntextual =~ * x4", NULL, 0, 9, k_hs_names, k_hs_cov, 301, NULL,
                         &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "line 2") != NULL);
  /* unknown variable */
  M_CHECK(hetmod_sem_fit("f =~ x1 + x2 + x10", NULL, 0, 9, k_hs_names, k_hs_cov, 301, NULL, &fit) ==
          HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "x10") != NULL);
  /* non-PD sample covariance: x2 := x1 */
  for (i = 0; i < 81; ++i) bad_cov[i] = k_hs_cov[i];
  for (i = 0; i < 9; ++i) {
    bad_cov[1 + 9 * i] = k_hs_cov[0 + 9 * i];
    bad_cov[i + 9 * 1] = k_hs_cov[i + 9 * 0];
  }
  bad_cov[1 + 9 * 1] = k_hs_cov[0];
  M_CHECK(hetmod_sem_fit(k_hs_model, NULL, 0, 9, k_hs_names, bad_cov, 301, NULL, &fit) == HETMOD_ERR_NUMERICAL);
  M_CHECK(strstr(hetmod_last_error(), "positive definite") != NULL);
  /* too few observations, non-finite data */
  for (i = 0; i < 30; ++i) d[i] = (double)((i * 7) % 11);
  M_CHECK(hetmod_sem_fit("y ~ x + z", d, 3, 3, names3, NULL, 0, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "nobs") != NULL);
  {
    volatile double zero = 0.0;
    d[5] = zero / zero; /* NaN in column x */
  }
  M_CHECK(hetmod_sem_fit("y ~ x + z", d, 10, 3, names3, NULL, 0, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "finite") != NULL);
  M_CHECK(fit == sentinel);
}

static void check_graph_functions(void) {
  const char* const cyc_names[3] = {"y1", "y2", "y3"};
  const char* cyc = "y2 ~ y1\ny3 ~ y2\ny1 ~ y3";
  const double theta[6] = {0.5, 0.4, 0.3, 1.0, 1.0, 1.0};
  double sig[9];
  char buf[512];
  char small[4];
  int64_t need = 0, nobs = -1, np = 0, nm = 0, rk = 0;
  int f2o = -1, simple = -1, bowfree = -1, acyc = -1;
  /* variables */
  M_CHECK(hetmod_sem_model_variables(k_hs_model, &nobs, buf, sizeof buf, &need) == HETMOD_OK);
  M_CHECK(nobs == 9);
  M_CHECK(strcmp(buf, "x1\nx2\nx3\nx4\nx5\nx6\nx7\nx8\nx9\nvisual\ntextual\nspeed") == 0);
  M_CHECK(need == (int64_t)strlen(buf) + 1);
  /* implied covariance of the 3-cycle (spec 5.2) */
  M_CHECK(hetmod_sem_implied_cov(cyc, cyc_names, 3, theta, 6, sig, 9) == HETMOD_OK);
  M_NEAR(sig[0], 1.249886827, 1e-9);
  M_NEAR(sig[1], 0.752602988, 1e-9);
  M_NEAR(sig[3], 0.752602988, 1e-9);
  M_NEAR(sig[2], 0.620190131, 1e-9);
  M_NEAR(sig[4], 1.440131281, 1e-9);
  M_NEAR(sig[5], 0.735626981, 1e-9);
  M_NEAR(sig[8], 1.358080579, 1e-9);
  M_CHECK(hetmod_sem_implied_cov(cyc, cyc_names, 3, theta, 6, sig, 8) == HETMOD_ERR_BUFFER_TOO_SMALL);
  M_CHECK(hetmod_sem_implied_cov(cyc, cyc_names, 3, theta, 5, sig, 9) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(hetmod_sem_implied_cov(cyc, cyc_names, 2, theta, 6, sig, 9) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(hetmod_sem_implied_cov(NULL, cyc_names, 3, theta, 6, sig, 9) == HETMOD_ERR_INVALID_ARGUMENT);
  {
    const char* const bad[3] = {"y1", "y2", "q"};
    M_CHECK(hetmod_sem_implied_cov(cyc, bad, 3, theta, 6, sig, 9) == HETMOD_ERR_INVALID_ARGUMENT);
    M_CHECK(strstr(hetmod_last_error(), "'q'") != NULL);
  }
  /* symbolic expansion: size query, text, too small, LaTeX */
  M_CHECK(hetmod_sem_expand(cyc, 0, 0, 0, NULL, 0, &need) == HETMOD_OK && need > 10);
  M_CHECK(hetmod_sem_expand(cyc, 0, 0, 0, buf, sizeof buf, &need) == HETMOD_OK);
  M_CHECK(strstr(buf, "(1 - l") != NULL && strstr(buf, ")^2") != NULL && strstr(buf, "w11") != NULL);
  M_CHECK(hetmod_sem_expand(cyc, 0, 0, 0, small, sizeof small, &need) == HETMOD_ERR_BUFFER_TOO_SMALL);
  M_CHECK(need == (int64_t)strlen(buf) + 1);
  M_CHECK(hetmod_sem_expand(cyc, 0, 1, 1, buf, sizeof buf, &need) == HETMOD_OK);
  M_CHECK(strstr(buf, "\\frac") != NULL && strstr(buf, "\\lambda_{") != NULL);
  M_CHECK(hetmod_sem_expand(cyc, 0, 3, 0, buf, sizeof buf, &need) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(hetmod_sem_expand("y ~ ", 0, 0, 0, buf, sizeof buf, &need) == HETMOD_ERR_INVALID_ARGUMENT);
  /* identification: the 3-cycle is finite-to-one, a bow is not, the HS CFA is locally identified */
  M_CHECK(hetmod_sem_identify(cyc, 12345u, 2, &np, &nm, &rk, &f2o, &simple, &bowfree, &acyc) == HETMOD_OK);
  M_CHECK(np == 6 && nm == 6 && rk == 6 && f2o == 1 && acyc == 0);
  M_CHECK(hetmod_sem_identify("y ~ x\ny ~~ x", 1u, 2, &np, &nm, &rk, &f2o, &simple, &bowfree, &acyc) == HETMOD_OK);
  M_CHECK(np == 4 && nm == 3 && rk == 3 && f2o == 0 && bowfree == 0 && simple == 0 && acyc == 1);
  M_CHECK(hetmod_sem_identify("y ~ x", 1u, 1, NULL, NULL, NULL, &f2o, NULL, NULL, NULL) == HETMOD_OK && f2o == 1);
  M_CHECK(hetmod_sem_identify(k_hs_model, 1u, 2, &np, NULL, &rk, &f2o, NULL, NULL, NULL) == HETMOD_OK);
  M_CHECK(np == 21 && rk == 21 && f2o == 1); /* latent models: rank over the free parameters */
  M_CHECK(hetmod_sem_identify(cyc, 1u, 0, &np, NULL, NULL, NULL, NULL, NULL, NULL) == HETMOD_ERR_INVALID_ARGUMENT);
}

/* FIML and multiple groups through the options "missing", "group", "group_equal" (core results are
 * checked against lavaan in tests/cpp/sem/test_sem_fiml_mg.cpp; here: the adapter). */
static void check_fiml_groups(void) {
  enum { N = 80 };
  const char* const names[5] = {"a", "b", "c", "d", "g"};
  const char* model = "f =~ a + b + c + d";
  double x[5 * N];
  hetmod_fit* fit = NULL;
  hetmod_options* opt = NULL;
  double ml_chisq = 0, nan = 0.0;
  int64_t nobs = 0, q = 0;
  unsigned long s = 12345u;
  int i, j;
  nan = nan / nan;
  for (i = 0; i < N; ++i) {
    double f, e[4];
    s = s * 1103515245u + 12345u;
    f = (double)((s >> 8) % 2001u) / 1000.0 - 1.0;
    for (j = 0; j < 4; ++j) {
      s = s * 1103515245u + 12345u;
      e[j] = (double)((s >> 8) % 2001u) / 1000.0 - 1.0;
      x[i + j * N] = (0.6 + 0.2 * j) * f + 0.7 * e[j] + j;
    }
    x[i + 4 * N] = (double)(i % 2) + 1.0; /* groups 1, 2 */
  }
  /* complete data: FIML = ML with a saturated mean structure */
  M_CHECK(hetmod_options_create(&opt) == HETMOD_OK);
  M_CHECK(hetmod_options_set_double(opt, "meanstructure", 1) == HETMOD_OK);
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_OK);
  ml_chisq = extra1(fit, "chisq");
  hetmod_fit_free(fit);
  fit = NULL;
  M_CHECK(hetmod_options_set_string(opt, "missing", "fiml") == HETMOD_OK);
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_OK);
  M_NEAR_REL(extra1(fit, "chisq"), ml_chisq, 1e-6);
  M_NEAR(extra1(fit, "df"), 2.0, 0.0);
  hetmod_fit_free(fit);
  fit = NULL;
  /* missing values and an empty row */
  x[3] = nan;
  x[N + 7] = nan;
  x[2 * N + 11] = nan;
  for (j = 0; j < 4; ++j) x[20 + j * N] = nan;
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_OK);
  M_CHECK(hetmod_fit_nobs(fit, &nobs) == HETMOD_OK && nobs == N - 1);
  M_NEAR(extra1(fit, "n_empty"), 1.0, 0.0);
  M_CHECK(extra1(fit, "chisq") >= 0 && extra1(fit, "cfi") <= 1.0);
  hetmod_fit_free(fit);
  fit = NULL;
  /* two groups, equal loadings */
  M_CHECK(hetmod_options_set_string(opt, "group", "g") == HETMOD_OK);
  M_CHECK(hetmod_options_set_string(opt, "group_equal", "loadings") == HETMOD_OK);
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_OK);
  M_CHECK(hetmod_fit_ncoef(fit, &q) == HETMOD_OK && q == 2 * 12 - 3); /* 3 shared loadings */
  M_NEAR(extra1(fit, "df"), 2.0 * 14.0 - 21.0, 0.0);
  {
    double gn[2] = {0, 0};
    int64_t need = 0;
    M_CHECK(hetmod_fit_extra(fit, "group_nobs", gn, 2, &need) == HETMOD_OK && need == 2);
    M_CHECK(gn[0] == 39.0 && gn[1] == 40.0); /* group 1 lost the empty row 21 (i = 20) */
  }
  hetmod_fit_free(fit);
  fit = NULL;
  /* errors: FIML needs raw data; unknown group column; bad missing value */
  M_CHECK(hetmod_sem_fit(model, NULL, 0, 9, k_hs_names, k_hs_cov, 301, opt, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "raw data") != NULL);
  M_CHECK(hetmod_options_set_string(opt, "group", "zz") == HETMOD_OK);
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(strstr(hetmod_last_error(), "'zz'") != NULL);
  M_CHECK(hetmod_options_set_string(opt, "group", "g") == HETMOD_OK);
  M_CHECK(hetmod_options_set_string(opt, "missing", "pairwise") == HETMOD_OK);
  M_CHECK(hetmod_sem_fit(model, x, N, 5, names, NULL, 0, opt, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  M_CHECK(fit == NULL);
  hetmod_options_free(opt);
}

int capi_sem_checks(void) {
  check_hs();
  check_raw_data();
  check_errors();
  check_graph_functions();
  check_fiml_groups();
  printf("sem: %d passed, %d failed\n", m_cnt.passed, m_cnt.failed);
  return m_cnt.failed;
}
