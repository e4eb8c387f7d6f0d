/*
 * tests/capi/survival_checks.c -- C99 checks of the survival entry points of the C API
 * (hetmod_surv_fit, hetmod_surv_predict, hetmod_surv_simulate).
 *
 * Compiled into the single test_capi executable (tests/CMakeLists.txt globs tests/capi/ *.c), so it
 * has no main(): test_capi.c's main() calls capi_survival_checks(), which prints
 * "survival: N passed, N failed" and returns the number of failed checks.
 *
 * Reference values: a deterministic 20-row Weibull data set (quantile grid, AFT effect 0.5 of x,
 * administrative censoring at 1.5) fitted by survival::survreg (R 4.2.2, survival 3.4) with
 * rel.tolerance 1e-13 and mapped to the PH parameterisation: log lambda = -coef/scale,
 * log gamma = -log(scale).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "hetmod.h"

int capi_survival_checks(void);

static capi_counter s_cnt = {0, 0, "survival_checks.c"};
#define S_CHECK(cond) CAPI_CHECK(s_cnt, cond)

enum { N = 20 };

static const double k_time[N] = {
    0.22760805961843908, 0.13805126655628425, 0.49100194174576672, 0.29780773164724389, 0.71849283251319007,
    0.43578793170302377, 0.94041501689704821, 0.57039054060223393, 1.1700446485290235,  0.70966795256554482,
    1.419057451462727,   0.86070185220581608, 1.5,                 1.0329448801589223,  1.5,
    1.2432838848751715,  1.5,                 1.5,                 1.5,                 1.5};
static const int32_t k_status[N] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0};

static void fill_designs(double* x_lambda, double* x_gamma) {
  int i;
  for (i = 0; i < N; ++i) {
    x_lambda[i] = 1.0;                       /* intercept */
    x_lambda[N + i] = (double)((i + 1) % 2); /* x */
    x_gamma[i] = 1.0;
  }
}

static void check_errors(const double* x_lambda, const double* x_gamma) {
  hetmod_fit* fit = (hetmod_fit*)&s_cnt; /* sentinel: must stay untouched on error */
  hetmod_fit* const sentinel = fit;
  double bad_time[N];
  int32_t bad_status[N];
  int i;

  /* NULL pointers and bad sizes */
  S_CHECK(hetmod_surv_fit(NULL, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "time") != NULL);
  S_CHECK(hetmod_surv_fit(k_time, NULL, NULL, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, NULL) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, -1, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, NULL, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "x_lambda") != NULL);
  /* bad distribution code */
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 99,
                          NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "dist") != NULL);
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, -1,
                          NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  /* negative time */
  memcpy(bad_time, k_time, sizeof bad_time);
  bad_time[3] = -2.0;
  S_CHECK(hetmod_surv_fit(bad_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(hetmod_last_error()[0] != '\0');
  /* bad status code, and interval rows without time2 */
  memcpy(bad_status, k_status, sizeof bad_status);
  bad_status[0] = 7;
  S_CHECK(hetmod_surv_fit(k_time, NULL, bad_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  bad_status[0] = HETMOD_SURV_INTERVAL;
  S_CHECK(hetmod_surv_fit(k_time, NULL, bad_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  /* all censored */
  for (i = 0; i < N; ++i) bad_status[i] = HETMOD_SURV_RIGHT;
  S_CHECK(hetmod_surv_fit(k_time, NULL, bad_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  /* the rest of issue 3's bad-input list: each a status and a message naming the row or the column */
  memcpy(bad_time, k_time, sizeof bad_time);
  bad_time[4] = 0.0 / 0.0; /* NaN */
  S_CHECK(hetmod_surv_fit(bad_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "time[4]") != NULL);
  bad_time[4] = 1.0 / 0.0; /* Inf */
  S_CHECK(hetmod_surv_fit(bad_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "time[4]") != NULL);
  bad_time[4] = 0.0;
  S_CHECK(hetmod_surv_fit(bad_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
  S_CHECK(strstr(hetmod_last_error(), "time[4]") != NULL);
  {
    double entry[N], w[N], t2[N], xl[2 * N];
    int32_t st2[N];
    for (i = 0; i < N; ++i) {
      entry[i] = 0.5 * k_time[i];
      w[i] = 1.0;
      t2[i] = k_time[i] + 0.5;
      st2[i] = k_status[i];
      xl[i] = x_lambda[i];
      xl[N + i] = x_lambda[N + i];
    }
    entry[6] = k_time[6]; /* entry >= exit */
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, entry, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "entry[6]") != NULL);
    entry[6] = -1.0;
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, entry, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "entry[6]") != NULL);
    w[2] = -1.0; /* negative, then NaN weight; all weights zero */
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, w, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "weights[2]") != NULL);
    w[2] = 0.0 / 0.0;
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, w, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "weights[2]") != NULL);
    for (i = 0; i < N; ++i) w[i] = 0.0;
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, w, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "weights") != NULL);
    st2[1] = HETMOD_SURV_INTERVAL; /* an interval row with a NaN upper end */
    t2[1] = 0.0 / 0.0;
    S_CHECK(hetmod_surv_fit(k_time, t2, st2, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "time2[1]") != NULL);
    st2[1] = -1; /* negative status code */
    S_CHECK(hetmod_surv_fit(k_time, t2, st2, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "status[1]") != NULL);
    xl[N + 3] = 0.0 / 0.0; /* a NaN covariate */
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, xl, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "lambda") != NULL);
    for (i = 0; i < N; ++i) xl[N + i] = 2.0 * xl[i]; /* singular: the column is twice the intercept */
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, xl, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &fit) == HETMOD_ERR_NUMERICAL);
    S_CHECK(strstr(hetmod_last_error(), "singular") != NULL && strstr(hetmod_last_error(), "lambda") != NULL &&
            strstr(hetmod_last_error(), "'x1'") != NULL);
  }
  S_CHECK(fit == sentinel);
  /* a structurally fixed parameter given columns (kappa for the Weibull) */
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, x_gamma, 1,
                          HETMOD_SURV_DIST_WEIBULL, NULL, &fit) != HETMOD_OK);
  S_CHECK(fit == sentinel);
}

int capi_survival_checks(void) {
  double x_lambda[2 * N], x_gamma[N];
  hetmod_fit* fit = NULL;
  hetmod_options* opt = NULL;
  double coef[3] = {0, 0, 0}, ll = 0, vc[9];
  int64_t p = 0, nobs = 0, df = 0, needed = 0;
  char name[64];
  int converged = 0, code = 0, iters = 0;
  double gnorm = 0;

  s_cnt.passed = 0;
  s_cnt.failed = 0;
  fill_designs(x_lambda, x_gamma);
  check_errors(x_lambda, x_gamma);

  /* Weibull PH fit with coefficient names from the options */
  S_CHECK(hetmod_options_create(&opt) == HETMOD_OK);
  S_CHECK(hetmod_options_set_string(opt, "names_lambda", "(Intercept)\nx") == HETMOD_OK);
  S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                          HETMOD_SURV_DIST_WEIBULL, opt, &fit) == HETMOD_OK);
  if (fit) {
    S_CHECK(hetmod_fit_ncoef(fit, &p) == HETMOD_OK && p == 3);
    S_CHECK(hetmod_fit_coef(fit, coef, 3) == HETMOD_OK);
    S_CHECK(capi_abs(coef[0] - (-0.0559161321)) < 1e-5);
    S_CHECK(capi_abs(coef[1] - (-0.6673670916)) < 1e-5);
    S_CHECK(capi_abs(coef[2] - 0.4242120378) < 1e-5);
    S_CHECK(hetmod_fit_loglik(fit, &ll) == HETMOD_OK && capi_abs(ll - (-16.4953485655)) < 1e-6);
    S_CHECK(hetmod_fit_nobs(fit, &nobs) == HETMOD_OK && nobs == N);
    S_CHECK(hetmod_fit_df(fit, &df) == HETMOD_OK && df == 3);
    S_CHECK(hetmod_fit_vcov(fit, vc, 9) == HETMOD_OK && vc[0] > 0 && vc[4] > 0 && vc[8] > 0);
    S_CHECK(hetmod_fit_convergence(fit, &converged, &code, &iters, &gnorm) == HETMOD_OK && converged == 1);
    S_CHECK(hetmod_fit_coef_name(fit, 1, name, (int64_t)sizeof name, &needed) == HETMOD_OK);
    S_CHECK(strcmp(name, "lambda:x") == 0);
    S_CHECK(hetmod_fit_family(fit, name, (int64_t)sizeof name, NULL) == HETMOD_OK && strcmp(name, "survival") == 0);
    S_CHECK(hetmod_fit_model(fit, name, (int64_t)sizeof name, NULL) == HETMOD_OK && strcmp(name, "weibull") == 0);
    {
      double bs[4] = {0, 0, 0, 0};
      S_CHECK(hetmod_fit_extra(fit, "surv_block_size", bs, 4, &needed) == HETMOD_OK && needed == 4);
      S_CHECK(bs[0] == 0 && bs[1] == 2 && bs[2] == 1 && bs[3] == 0);
    }

    /* predictions: S(t) at x = 0 and x = 1, quantile inverse, errors */
    {
      const double nl[4] = {1, 1, 0, 1}; /* 2 rows: intercept column, then x = (0, 1) */
      const double ng[2] = {1, 1};
      const double ref_l[4] = {1, 1, 0, 0};
      const double at[2] = {0.5, 1.0};
      double est[4], se[4], lo[4], hi[4], q[2], s2[2], sentinel[4] = {-7, -7, -7, -7};
      const double med = 0.5;
      const double row0[2] = {1, 0}, row1[2] = {1, 1};
      double haz[2] = {0, 0};
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 2,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, est, se, lo, hi, 4) == HETMOD_OK);
      S_CHECK(capi_abs(est[2] - 0.3884392704) < 1e-5); /* row 0 (x = 0) at t = 1 */
      S_CHECK(est[0] > est[2] && est[1] > est[3]);
      S_CHECK(lo[2] < est[2] && est[2] < hi[2] && se[2] > 0);
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, &med, 1,
                                  HETMOD_SURV_PREDICT_QUANTILE, 0.95, q, NULL, NULL, NULL, 2) == HETMOD_OK);
      S_CHECK(hetmod_surv_predict(fit, 1, NULL, row0, ng, NULL, NULL, NULL, NULL, NULL, &q[0], 1,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, s2, NULL, NULL, NULL, 1) == HETMOD_OK);
      S_CHECK(capi_abs(s2[0] - 0.5) < 1e-8);
      S_CHECK(hetmod_surv_predict(fit, 1, NULL, row1, ng, NULL, NULL, NULL, NULL, NULL, &q[1], 1,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, s2 + 1, NULL, NULL, NULL, 1) == HETMOD_OK);
      S_CHECK(capi_abs(s2[1] - 0.5) < 1e-8);
      /* hazards at t = 0.5 of both rows, for the hazard-ratio check below */
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 1,
                                  HETMOD_SURV_PREDICT_HAZARD, 0.95, haz, NULL, NULL, NULL, 2) == HETMOD_OK);
      /* hazard ratio of x = 1 against x = 0 (exp(beta_x) for the Weibull PH model) */
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, ref_l, ng, NULL, at, 1,
                                  HETMOD_SURV_PREDICT_HAZARD_RATIO, 0.95, est, NULL, NULL, NULL, 2) == HETMOD_OK);
      S_CHECK(capi_abs(est[1] - haz[1] / haz[0]) < 1e-8 * est[1] && capi_abs(est[0] - 1.0) < 1e-12);
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 1,
                                  HETMOD_SURV_PREDICT_HAZARD_RATIO, 0.95, est, NULL, NULL, NULL, 2) ==
              HETMOD_ERR_INVALID_ARGUMENT);
      /* errors: buffer too small (untouched), bad type, bad level, NULL fit, NULL design */
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 2,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, sentinel, NULL, NULL, NULL, 3) ==
              HETMOD_ERR_BUFFER_TOO_SMALL);
      S_CHECK(sentinel[0] == -7 && sentinel[2] == -7);
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 2, 42, 0.95, est, NULL,
                                  NULL, NULL, 4) == HETMOD_ERR_INVALID_ARGUMENT);
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 2,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 1.5, est, NULL, NULL, NULL, 4) ==
              HETMOD_ERR_INVALID_ARGUMENT);
      S_CHECK(hetmod_surv_predict(NULL, 2, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, at, 2,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, est, NULL, NULL, NULL, 4) ==
              HETMOD_ERR_INVALID_ARGUMENT);
      S_CHECK(hetmod_surv_predict(fit, 2, NULL, NULL, ng, NULL, NULL, NULL, NULL, NULL, at, 2,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, est, NULL, NULL, NULL, 4) ==
              HETMOD_ERR_INVALID_ARGUMENT);
    }

    /* serialise / deserialise keeps what predict needs */
    {
      unsigned char blob[8192];
      hetmod_fit* back = NULL;
      const double nl[2] = {1, 0};
      const double ng[1] = {1};
      const double t1 = 1.0;
      double s = 0;
      int64_t len = 0;
      S_CHECK(hetmod_fit_serialize(fit, blob, (int64_t)sizeof blob, &len) == HETMOD_OK);
      S_CHECK(hetmod_fit_deserialize(blob, len, &back) == HETMOD_OK);
      S_CHECK(hetmod_surv_predict(back, 1, NULL, nl, ng, NULL, NULL, NULL, NULL, NULL, &t1, 1,
                                  HETMOD_SURV_PREDICT_SURVIVAL, 0.95, &s, NULL, NULL, NULL, 1) == HETMOD_OK);
      S_CHECK(capi_abs(s - 0.3884392704) < 1e-5);
      hetmod_fit_free(back);
    }
  }

  /* interval censoring through time2, C-API options (offsets, names) and their errors */
  {
    double t2[N];
    int32_t st[N];
    hetmod_fit* f2 = NULL;
    hetmod_fit* f3 = NULL;
    hetmod_options* o2 = NULL;
    double off[N], b2[3] = {0, 0, 0}, b3[2] = {0, 0}, ll2 = 0;
    int i;
    for (i = 0; i < N; ++i) {
      st[i] = k_status[i];
      t2[i] = k_time[i];
      off[i] = 0.0;
    }
    st[0] = HETMOD_SURV_INTERVAL;
    t2[0] = k_time[0] + 0.25;
    st[2] = HETMOD_SURV_LEFT;
    S_CHECK(hetmod_surv_fit(k_time, t2, st, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &f2) == HETMOD_OK);
    S_CHECK(f2 != NULL && hetmod_fit_loglik(f2, &ll2) == HETMOD_OK && ll2 < 0);
    S_CHECK(f2 != NULL && hetmod_fit_coef(f2, b2, 3) == HETMOD_OK && capi_abs(b2[1] - coef[1]) < 0.5);
    t2[0] = k_time[0] - 0.1; /* upper end below the lower end */
    S_CHECK(hetmod_surv_fit(k_time, t2, st, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, NULL, &f3) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(f3 == NULL);
    /* an offset equal to x * beta_x reproduces the fit with x as a covariate */
    for (i = 0; i < N; ++i) off[i] = coef[1] * x_lambda[N + i];
    S_CHECK(hetmod_options_create(&o2) == HETMOD_OK);
    S_CHECK(hetmod_options_set_vector(o2, "offset_lambda", off, N) == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 1, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, o2, &f3) == HETMOD_OK);
    S_CHECK(f3 != NULL && hetmod_fit_coef(f3, b3, 2) == HETMOD_OK && capi_abs(b3[0] - coef[0]) < 1e-5 &&
            capi_abs(b3[1] - coef[2]) < 1e-5);
    hetmod_fit_free(f3);
    f3 = NULL;
    S_CHECK(hetmod_options_set_vector(o2, "offset_lambda", off, N - 1) == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 1, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, o2, &f3) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "offset_lambda") != NULL);
    S_CHECK(hetmod_options_unset(o2, "offset_lambda") == HETMOD_OK);
    S_CHECK(hetmod_options_set_string(o2, "names_lambda", "a\nb\nc") == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, o2, &f3) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(strstr(hetmod_last_error(), "names_lambda") != NULL);
    S_CHECK(f3 == NULL);
    hetmod_options_free(o2);
    hetmod_fit_free(f2);
  }

  /* simulation: deterministic for a seed, positive times */
  {
    double t1[N], t2[N], t3[N];
    const double b[3] = {-0.05, -0.6, 0.4};
    int i, same12 = 1, same13 = 1, positive = 1;
    S_CHECK(hetmod_surv_simulate(HETMOD_SURV_DIST_WEIBULL, b, 3, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 123u,
                                 t1, N) == HETMOD_OK);
    S_CHECK(hetmod_surv_simulate(HETMOD_SURV_DIST_WEIBULL, b, 3, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 123u,
                                 t2, N) == HETMOD_OK);
    S_CHECK(hetmod_surv_simulate(HETMOD_SURV_DIST_WEIBULL, b, 3, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 124u,
                                 t3, N) == HETMOD_OK);
    for (i = 0; i < N; ++i) {
      if (t1[i] != t2[i]) same12 = 0;
      if (t1[i] != t3[i]) same13 = 0;
      if (!(t1[i] > 0)) positive = 0;
    }
    S_CHECK(same12 && !same13 && positive);
    S_CHECK(hetmod_surv_simulate(HETMOD_SURV_DIST_WEIBULL, b, 2, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 1u, t1,
                                 N) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(hetmod_surv_simulate(HETMOD_SURV_DIST_WEIBULL, b, 3, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 1u, t1,
                                 N - 1) == HETMOD_ERR_BUFFER_TOO_SMALL);
    S_CHECK(hetmod_surv_simulate(77, b, 3, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0, 1u, t1, N) ==
            HETMOD_ERR_INVALID_ARGUMENT);
  }

  /* profile-likelihood CI of the log-shape (index 2): at each end, the fit with log gamma fixed there
   * (p_gamma = 0 plus an offset) is 1.92073 (= qchisq(0.95, 1) / 2) below the maximum; robust vcov */
  if (fit) {
    double est = 0, lo = 0, hi = 0, vr[9], ve[9], ll0 = 0, llb = 0, off[N];
    int lk = -1, uk = -1, i, k, same = 1;
    int64_t cl[N];
    S_CHECK(hetmod_fit_loglik(fit, &ll0) == HETMOD_OK);
    S_CHECK(hetmod_surv_profile(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, 2, NULL,
                                NULL, NULL, NULL, 0.95, NULL, &est, &lo, &hi, &lk, &uk) == HETMOD_OK);
    S_CHECK(lk == HETMOD_SURV_PROFILE_FOUND && uk == HETMOD_SURV_PROFILE_FOUND);
    S_CHECK(capi_abs(est - coef[2]) < 1e-12 && lo < est && est < hi);
    for (k = 0; k < 2; ++k) {
      hetmod_options* o3 = NULL;
      hetmod_fit* fb = NULL;
      for (i = 0; i < N; ++i) off[i] = k == 0 ? lo : hi;
      S_CHECK(hetmod_options_create(&o3) == HETMOD_OK);
      S_CHECK(hetmod_options_set_vector(o3, "offset_gamma", off, N) == HETMOD_OK);
      S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, NULL, 0, NULL, 0,
                              HETMOD_SURV_DIST_WEIBULL, o3, &fb) == HETMOD_OK);
      S_CHECK(fb && hetmod_fit_loglik(fb, &llb) == HETMOD_OK && capi_abs(ll0 - llb - 1.920729410347062) < 1e-6);
      hetmod_fit_free(fb);
      hetmod_options_free(o3);
    }
    S_CHECK(hetmod_surv_robust_vcov(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, NULL,
                                    NULL, vr, 9) == HETMOD_OK);
    S_CHECK(hetmod_fit_extra(fit, "vcov_robust", ve, 9, NULL) == HETMOD_OK);
    for (i = 0; i < 9; ++i)
      if (capi_abs(vr[i] - ve[i]) > 1e-10 * (1 + capi_abs(ve[i]))) same = 0;
    S_CHECK(same);
    for (i = 0; i < N; ++i) cl[i] = i; /* one cluster per row = the plain sandwich */
    S_CHECK(hetmod_surv_robust_vcov(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, cl,
                                    NULL, ve, 9) == HETMOD_OK);
    for (i = 0; i < 9; ++i)
      if (capi_abs(vr[i] - ve[i]) > 1e-12 * (1 + capi_abs(ve[i]))) same = 0;
    S_CHECK(same);
    /* errors: index out of range, cure fraction of a Weibull, NULL fit, short buffer */
    S_CHECK(hetmod_surv_profile(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, 3, NULL,
                                NULL, NULL, NULL, 0.95, NULL, &est, &lo, &hi, &lk, &uk) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(hetmod_surv_profile(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL,
                                HETMOD_SURV_PROFILE_CURE, NULL, x_lambda, x_gamma, NULL, 0.95, NULL, &est, &lo, &hi,
                                &lk, &uk) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(hetmod_surv_profile(NULL, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, 2, NULL,
                                NULL, NULL, NULL, 0.95, NULL, &est, &lo, &hi, &lk, &uk) == HETMOD_ERR_INVALID_ARGUMENT);
    S_CHECK(hetmod_surv_robust_vcov(fit, k_time, NULL, k_status, NULL, NULL, N, NULL, x_lambda, x_gamma, NULL, NULL,
                                    NULL, vr, 8) == HETMOD_ERR_BUFFER_TOO_SMALL);
  }

  {
    /* Accelerated hazards (option "ties"): APGW with kappa = 1 (offset_kappa = log 2) and x tied between
     * phi (column 0) and lambda (column 1) is the Weibull PH fit above with lambda:x = (gamma - 1) tau. */
    hetmod_options* oa = NULL;
    hetmod_fit* fa = NULL;
    double klog2[N], ties[2] = {0, 1}, ca[4] = {0, 0, 0, 0}, lla = 0, va[16], bad[2] = {0, 0};
    int i;
    for (i = 0; i < N; ++i) klog2[i] = 0.69314718055994531;
    S_CHECK(hetmod_options_create(&oa) == HETMOD_OK);
    S_CHECK(hetmod_options_set_vector(oa, "ties", ties, 2) == HETMOD_OK);
    S_CHECK(hetmod_options_set_vector(oa, "offset_kappa", klog2, N) == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, x_lambda + N, 1, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_APGW, oa, &fa) == HETMOD_OK);
    if (fa) {
      S_CHECK(hetmod_fit_coef(fa, ca, 4) == HETMOD_OK && ca[2] == -ca[0]);
      S_CHECK(hetmod_fit_loglik(fa, &lla) == HETMOD_OK && capi_abs(lla - (-16.4953485655)) < 1e-6);
      S_CHECK(hetmod_fit_df(fa, &df) == HETMOD_OK && df == 3);
      S_CHECK(capi_abs((exp(ca[3]) - 1) * ca[0] - (-0.6673670916)) < 1e-5);
      S_CHECK(hetmod_fit_vcov(fa, va, 16) == HETMOD_OK && capi_abs(va[2 + 2 * 4] - va[0]) < 1e-12 * va[0]);
    }
    hetmod_fit_free(fa);
    fa = NULL;
    /* errors: a tie with the intercept column, a Weibull (one scale) */
    S_CHECK(hetmod_options_set_vector(oa, "ties", bad, 2) == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, x_lambda + N, 1, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_APGW, oa, &fa) == HETMOD_ERR_INVALID_ARGUMENT && fa == NULL);
    S_CHECK(hetmod_options_unset(oa, "offset_kappa") == HETMOD_OK);
    S_CHECK(hetmod_surv_fit(k_time, NULL, k_status, NULL, NULL, N, NULL, 0, x_lambda, 2, x_gamma, 1, NULL, 0,
                            HETMOD_SURV_DIST_WEIBULL, oa, &fa) == HETMOD_ERR_INVALID_ARGUMENT && fa == NULL);
    hetmod_options_free(oa);
  }

  hetmod_fit_free(fit);
  hetmod_options_free(opt);
  printf("survival: %d passed, %d failed\n", s_cnt.passed, s_cnt.failed);
  return s_cnt.failed;
}
