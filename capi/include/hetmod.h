/*
 * hetmod.h -- the stable C API of hetmod (C99).
 *
 * Conventions (DESIGN.md section 4):
 *   - Opaque handles (hetmod_options, hetmod_fit, hetmod_study_result) come in create/free pairs;
 *     every *_free function accepts NULL (no-op). Handles are not thread-safe for concurrent
 *     mutation, but distinct handles may be used from distinct threads, and const accessors on one
 *     handle may run concurrently.
 *   - Every function returns an int status (HETMOD_OK == 0, negative on error) except the
 *     const char* getters and the void *_free functions. No C++ exception ever crosses this API.
 *   - On error, output arguments (*out, caller arrays) are left untouched; the one exception is the
 *     `needed` out parameter of the buffer functions, which is also set on
 *     HETMOD_ERR_BUFFER_TOO_SMALL so the caller can retry with a large enough buffer.
 *   - hetmod_last_error() gives a thread-local message describing the most recent status-returning
 *     call on this thread: every status-returning function clears it on entry and sets it on failure.
 *   - Caller-allocated output arrays always come with an explicit length (in elements, int64_t).
 *     A length that is too short gives HETMOD_ERR_BUFFER_TOO_SMALL; a negative length or a NULL
 *     pointer where a pointer is required gives HETMOD_ERR_INVALID_ARGUMENT.
 *   - Strings are written NUL-terminated. For the functions with the signature
 *       int f(..., char* buf, int64_t buflen, int64_t* needed)
 *     `*needed` (if needed != NULL) receives the number of bytes required INCLUDING the terminating
 *     NUL. The pair buf == NULL, buflen == 0 is a pure size query: it returns HETMOD_OK and only sets
 *     *needed (needed must then be non-NULL).
 *   - Matrices are column-major; indices are 0-based.
 *   - Within a major version, signatures and enum values never change; functions are only added.
 */
#ifndef HETMOD_H
#define HETMOD_H

#include <stddef.h>
#include <stdint.h>

#if defined(HETMOD_C_BUILDING) && (defined(__GNUC__) || defined(__clang__))
#define HETMOD_API __attribute__((visibility("default")))
#else
#define HETMOD_API
#endif

/* Version of the headers; must equal include/hetmod/core/version.hpp (checked when the library is
 * built). Compare with hetmod_version() to detect a header/library mismatch at run time. */
#define HETMOD_VERSION_MAJOR 0
#define HETMOD_VERSION_MINOR 1
#define HETMOD_VERSION_PATCH 0
#define HETMOD_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Status codes (equal to hetmod::Status in include/hetmod/core/error.hpp). Values never change.  */
/* ---------------------------------------------------------------------------------------------- */
enum hetmod_status {
  HETMOD_OK = 0,
  HETMOD_ERR_INVALID_ARGUMENT = -1, /* NULL pointer, bad shape, NaN, out-of-range index/value    */
  HETMOD_ERR_DOMAIN = -2,           /* valid in form but outside the model's domain              */
  HETMOD_ERR_NUMERICAL = -3,        /* non-PD matrix, singular information, overflow             */
  HETMOD_ERR_INTERRUPTED = -4,      /* user interrupt                                            */
  HETMOD_ERR_BUFFER_TOO_SMALL = -5, /* caller-allocated output too short (see `needed`)          */
  HETMOD_ERR_NOT_FOUND = -6,        /* unknown name: option, study, extra, note, statistic       */
  HETMOD_ERR_UNSUPPORTED = -7,      /* valid request that the library does not implement         */
  HETMOD_ERR_INTERNAL = -99         /* a bug or out of memory: an unexpected exception was caught */
};

/* Opaque handles. */
typedef struct hetmod_options hetmod_options;
typedef struct hetmod_fit hetmod_fit;
typedef struct hetmod_study_result hetmod_study_result;

/* ---------------------------------------------------------------------------------------------- */
/* Version, errors                                                                                 */
/* ---------------------------------------------------------------------------------------------- */

/* Writes the library's version numbers. All three pointers must be non-NULL. */
HETMOD_API int hetmod_version(int* major, int* minor, int* patch);

/* The library's version as "MAJOR.MINOR.PATCH". Static storage owned by the library; never NULL. */
HETMOD_API const char* hetmod_version_string(void);

/* Message of the most recent status-returning hetmod_* call on the calling thread: "" if that call
 * succeeded (or if no call was made yet), otherwise a message naming the function and the problem.
 * Owned by the library (thread-local); valid until the next hetmod_* call on the same thread.
 * Never NULL. Calling it does not change it. */
HETMOD_API const char* hetmod_last_error(void);

/* A short description of a status code ("ok", "invalid argument", ...; "unknown status" for codes
 * not listed above). Static storage; never NULL. */
HETMOD_API const char* hetmod_status_string(int code);

/* ---------------------------------------------------------------------------------------------- */
/* Options: key/value settings passed to fits and studies                                         */
/* ---------------------------------------------------------------------------------------------- */

/* Creates an empty options object in *out (caller owns it; release with hetmod_options_free). */
HETMOD_API int hetmod_options_create(hetmod_options** out);

/* Releases an options object. NULL is a no-op. */
HETMOD_API void hetmod_options_free(hetmod_options* opt);

/* Sets key (NUL-terminated, non-empty) to a number, replacing any previous value of the key. */
HETMOD_API int hetmod_options_set_double(hetmod_options* opt, const char* key, double value);

/* Sets key to a string (NUL-terminated; copied). */
HETMOD_API int hetmod_options_set_string(hetmod_options* opt, const char* key, const char* value);

/* Sets key to a numeric vector value[0..n) (copied). n >= 0; value may be NULL only when n == 0. */
HETMOD_API int hetmod_options_set_vector(hetmod_options* opt, const char* key, const double* value,
                                         int64_t n);

/* Removes key if present (not an error if absent). */
HETMOD_API int hetmod_options_unset(hetmod_options* opt, const char* key);

/* Sets *present to 1 if key is set, 0 otherwise. */
HETMOD_API int hetmod_options_has(const hetmod_options* opt, const char* key, int* present);

/* ---------------------------------------------------------------------------------------------- */
/* Fits: results of hetmod_<family>_fit (added per family) and of hetmod_fit_deserialize          */
/* ---------------------------------------------------------------------------------------------- */

/* Releases a fit. NULL is a no-op. */
HETMOD_API void hetmod_fit_free(hetmod_fit* fit);

/* Family name ("survival", "sem", ...) as a NUL-terminated string; string-buffer convention. */
HETMOD_API int hetmod_fit_family(const hetmod_fit* fit, char* buf, int64_t buflen, int64_t* needed);

/* Family-specific model name (e.g. "apgw"); string-buffer convention. */
HETMOD_API int hetmod_fit_model(const hetmod_fit* fit, char* buf, int64_t buflen, int64_t* needed);

/* Number of estimated coefficients p. */
HETMOD_API int hetmod_fit_ncoef(const hetmod_fit* fit, int64_t* p);

/* Name of coefficient i (0 <= i < p); string-buffer convention. */
HETMOD_API int hetmod_fit_coef_name(const hetmod_fit* fit, int64_t i, char* buf, int64_t buflen,
                                    int64_t* needed);

/* Writes the p coefficients (optimisation scale) to out[0..p); len >= p. */
HETMOD_API int hetmod_fit_coef(const hetmod_fit* fit, double* out, int64_t len);

/* Writes the p x p covariance matrix (column-major) to out[0..p*p); len >= p*p.
 * HETMOD_ERR_NOT_FOUND if the fit has no covariance matrix. */
HETMOD_API int hetmod_fit_vcov(const hetmod_fit* fit, double* out, int64_t len);

/* Maximised log-likelihood. */
HETMOD_API int hetmod_fit_loglik(const hetmod_fit* fit, double* loglik);

/* Number of free parameters (degrees of freedom of the log-likelihood). */
HETMOD_API int hetmod_fit_df(const hetmod_fit* fit, int64_t* df);

/* Number of observations. */
HETMOD_API int hetmod_fit_nobs(const hetmod_fit* fit, int64_t* nobs);

/* Convergence record: *converged is 1 or 0, *code the optimiser's return code, *iterations the
 * iterations or function evaluations, *grad_norm the max-abs gradient (NaN when unknown).
 * All four pointers must be non-NULL. Non-convergence is a result, not an error. */
HETMOD_API int hetmod_fit_convergence(const hetmod_fit* fit, int* converged, int* code,
                                      int* iterations, double* grad_norm);

/* Human-readable convergence reason; string-buffer convention. */
HETMOD_API int hetmod_fit_convergence_reason(const hetmod_fit* fit, char* buf, int64_t buflen,
                                             int64_t* needed);

/* Name of the optimiser that produced the fit (e.g. "nlopt:LD_LBFGS"); string-buffer convention. */
HETMOD_API int hetmod_fit_optimizer(const hetmod_fit* fit, char* buf, int64_t buflen,
                                    int64_t* needed);

/* Family-specific numeric output `name`: writes its m values to out[0..m) and m to *needed (if
 * needed != NULL). out == NULL with len == 0 is a size query. HETMOD_ERR_NOT_FOUND if the fit has no
 * extra of that name; HETMOD_ERR_BUFFER_TOO_SMALL (with *needed set) if len < m. */
HETMOD_API int hetmod_fit_extra(const hetmod_fit* fit, const char* name, double* out, int64_t len,
                                int64_t* needed);

/* Names of all extras, sorted, separated by '\n' (no trailing newline; "" if none);
 * string-buffer convention. */
HETMOD_API int hetmod_fit_extra_names(const hetmod_fit* fit, char* buf, int64_t buflen,
                                      int64_t* needed);

/* Family-specific text output `name` (warnings, flags); string-buffer convention.
 * HETMOD_ERR_NOT_FOUND if the fit has no note of that name. */
HETMOD_API int hetmod_fit_note(const hetmod_fit* fit, const char* name, char* buf, int64_t buflen,
                               int64_t* needed);

/* Names of all notes, sorted, separated by '\n' (no trailing newline); string-buffer convention. */
HETMOD_API int hetmod_fit_note_names(const hetmod_fit* fit, char* buf, int64_t buflen,
                                     int64_t* needed);

/* Serialises the fit to a portable, versioned binary blob (may contain NUL bytes). Writes the blob
 * to buf[0..n) and n to *needed (if needed != NULL); buf == NULL with buflen == 0 is a size query;
 * HETMOD_ERR_BUFFER_TOO_SMALL (with *needed set) if buflen < n. */
HETMOD_API int hetmod_fit_serialize(const hetmod_fit* fit, unsigned char* buf, int64_t buflen,
                                    int64_t* needed);

/* Reads a blob written by hetmod_fit_serialize (any format version up to this library's) into a new
 * fit in *out (caller owns it; release with hetmod_fit_free). A corrupt, truncated or foreign blob
 * gives HETMOD_ERR_INVALID_ARGUMENT; nothing is ever read beyond buf[len-1]. */
HETMOD_API int hetmod_fit_deserialize(const unsigned char* buf, int64_t len, hetmod_fit** out);

/* ---------------------------------------------------------------------------------------------- */
/* Simulation studies                                                                              */
/* ---------------------------------------------------------------------------------------------- */

/* Names of the registered studies, sorted, separated by '\n' (no trailing newline);
 * string-buffer convention. */
HETMOD_API int hetmod_sim_study_names(char* buf, int64_t buflen, int64_t* needed);

/* Runs replicates first..last (inclusive, 0-based) of the registered study `study_name`, built with
 * study_options (NULL = all defaults), master seed `seed`, on `threads` threads (<= 0: all hardware
 * threads). Replicate r always uses the random stream (seed, r), so results are identical for any
 * thread count and any split of 0..R-1 into ranges (e.g. across a job array).
 * HETMOD_ERR_NOT_FOUND for an unknown study. The result is stored in *out (caller owns it; release
 * with hetmod_study_result_free). Replicates that fail are recorded as not converged with NaN
 * estimates; they are not an error of this call. */
HETMOD_API int hetmod_sim_run(const char* study_name, const hetmod_options* study_options,
                              uint64_t seed, int64_t first, int64_t last, int threads,
                              hetmod_study_result** out);

/* Releases a study result. NULL is a no-op. */
HETMOD_API void hetmod_study_result_free(hetmod_study_result* res);

/* Number of parameters k of the study. */
HETMOD_API int hetmod_study_nparam(const hetmod_study_result* res, int64_t* k);

/* Name of parameter i (0 <= i < k); string-buffer convention. */
HETMOD_API int hetmod_study_param_name(const hetmod_study_result* res, int64_t i, char* buf,
                                       int64_t buflen, int64_t* needed);

/* Number of replicates R in the result (last - first + 1). */
HETMOD_API int hetmod_study_nrep(const hetmod_study_result* res, int64_t* nrep);

/* Replicate indices (as passed to the study, i.e. first..last) to out[0..R); len >= R. */
HETMOD_API int hetmod_study_replicates(const hetmod_study_result* res, int64_t* out, int64_t len);

/* Per-replicate rows: est and se receive R x k matrices (column-major: est[r + R*j] is parameter j
 * of the r-th replicate in the result), converged[0..R) receives 1/0. len is the length of est and
 * of se and must be >= R*k; converged must have room for R ints. All three must be non-NULL. */
HETMOD_API int hetmod_study_rows(const hetmod_study_result* res, double* est, double* se,
                                 int* converged, int64_t len);

/* Counts: replicates run, replicates that converged, replicates whose estimator failed (threw). */
HETMOD_API int hetmod_study_counts(const hetmod_study_result* res, int64_t* nrep,
                                   int64_t* nconverged, int64_t* nfailed);

/* One performance statistic per parameter (Morris, White & Crowther 2019) to out[0..k); len >= k.
 * stat is one of "truth", "n_used", "mean", "bias", "bias_mcse", "rel_bias", "rel_bias_mcse",
 * "empse", "empse_mcse", "mean_se", "mean_se_mcse", "rmse", "rmse_mcse", "coverage",
 * "coverage_mcse", "power", "power_mcse" (HETMOD_ERR_NOT_FOUND otherwise). Coverage and power use
 * a 95% level. */
HETMOD_API int hetmod_study_summary(const hetmod_study_result* res, const char* stat, double* out,
                                    int64_t len);

/* Proportion of replicates that converged and its Monte Carlo standard error. */
HETMOD_API int hetmod_study_convergence_rate(const hetmod_study_result* res, double* rate,
                                             double* mcse);

/* ---- survival ---- */
/* ---------------------------------------------------------------------------------------------- */
/* Survival: APGW multi-parameter regression (hetmod::survival, spec/survival.md)                  */
/*                                                                                                  */
/* Four parameters, each with its own design matrix (column-major, n x p_k, intercept included by   */
/* the caller as a column of ones; p_k == 0 fixes the parameter at its link-scale 0, i.e. phi = 1,   */
/* lambda = 1, gamma = 1, kappa = 0; x_k may then be NULL):                                          */
/*   phi    AFT scale,     log link         lambda  PH scale,        log link                        */
/*   gamma  power shape,   log link         kappa   shape selector,  log(1 + kappa) link             */
/* H(t) = lambda (1+kappa)/kappa [(1 + (phi t)^gamma/(1+kappa))^kappa - 1].                          */
/* Coefficients: the free blocks in the order phi, lambda, gamma, kappa, named "<par>:<name>".       */
/* A distribution fixes some parameters structurally (their p_k must be 0): weibull kappa and one    */
/* of phi/lambda; exponential also gamma; burr, gompertz, cure_limit kappa; loglogistic lambda and   */
/* kappa; pgw lambda (its kappa slot has the link log(kappa)). For cure_limit the slots mean         */
/* phi -> mu, lambda -> theta, gamma -> gamma.                                                       */
/* Censoring codes (survival::Surv type "interval"): see HETMOD_SURV_RIGHT.. below.                  */
/* ---------------------------------------------------------------------------------------------- */

/* Distributions (values equal hetmod::survival::Dist; never change). */
#define HETMOD_SURV_DIST_APGW 0
#define HETMOD_SURV_DIST_WEIBULL 1
#define HETMOD_SURV_DIST_EXPONENTIAL 2
#define HETMOD_SURV_DIST_BURR 3
#define HETMOD_SURV_DIST_LOGLOGISTIC 4
#define HETMOD_SURV_DIST_PGW 5
#define HETMOD_SURV_DIST_GOMPERTZ 6
#define HETMOD_SURV_DIST_CURE_LIMIT 7

/* Censoring codes of `status`. */
#define HETMOD_SURV_RIGHT 0    /* right-censored at time                  */
#define HETMOD_SURV_EVENT 1    /* event at time                           */
#define HETMOD_SURV_LEFT 2     /* left-censored: event before time        */
#define HETMOD_SURV_INTERVAL 3 /* interval-censored: event in (time, time2] */

/* Prediction types (values equal hetmod::survival::PredictType; never change). */
#define HETMOD_SURV_PREDICT_SURVIVAL 0     /* S(t)                                    */
#define HETMOD_SURV_PREDICT_HAZARD 1       /* h(t)                                    */
#define HETMOD_SURV_PREDICT_CUMHAZ 2       /* H(t)                                    */
#define HETMOD_SURV_PREDICT_DENSITY 3      /* f(t)                                    */
#define HETMOD_SURV_PREDICT_QUANTILE 4     /* t_p with F(t_p) = p; `at` holds p        */
#define HETMOD_SURV_PREDICT_RMST 5         /* restricted mean to horizon `at`         */
#define HETMOD_SURV_PREDICT_CURE 6         /* cure fraction S(Inf); `at` ignored      */
#define HETMOD_SURV_PREDICT_HAZARD_RATIO 7 /* h(t | row) / h(t | reference row)       */
#define HETMOD_SURV_PREDICT_TIME_RATIO 8   /* time ratio of row vs reference row      */

/* Fits the model by maximum likelihood and stores the result in *out (caller owns it; release with
 * hetmod_fit_free). time, status: n values (required); time2: n values or NULL (required if any
 * status is HETMOD_SURV_INTERVAL; the upper interval ends); entry: n left-truncation times or NULL;
 * weights: n case weights >= 0 or NULL. x_<par>: n x p_<par> column-major or NULL when p_<par> == 0.
 * dist: HETMOD_SURV_DIST_*. opt (NULL = defaults): the core's keys "maxit", "tol", "starts",
 * "start" (vector), "scale", "seed", "gamma_max", "probe", plus the C-API keys "offset_<par>" (vector of
 * length n, added to that linear predictor) and "names_<par>" (string of p_<par> '\n'-separated
 * coefficient names; default "x0", "x1", ...). Bad data (times <= 0 or non-finite, unknown status
 * codes, time2 <= time on interval rows, entry >= time or < 0, weights < 0 or non-finite or all 0, all
 * rows right-censored, non-finite covariates) gives HETMOD_ERR_INVALID_ARGUMENT with a message naming
 * the row; a singular design gives HETMOD_ERR_NUMERICAL with a message naming the parameter and the
 * aliased column. Non-convergence and boundary
 * flags are results: see hetmod_fit_convergence and the note "flags" (comma-separated, "" for a clean
 * interior MLE: "threshold_boundary", "cure_boundary", "scale_boundary", "phi_lambda_confounded";
 * the note "boundary" explains them). Extras: "vcov_robust" (p x p, column-major), "aic", "bic",
 * boundary diagnostics ("threshold_loglik", "cure_limit_loglik", "cure_limit_coef", ...), and
 * "surv_dist", "surv_block_size" (used by hetmod_surv_predict). Option "probe" (0/1) as in the
 * core: probe the threshold boundary after an interior fit (default 1).
 * Accelerated hazards (AH): option "ties" (vector of 2k integers i_1, j_1, ..., i_k, j_k, 0-based) ties
 * lambda's column j_l to phi's column i_l (the same covariate in both designs, not an intercept):
 * coefficient lambda[j_l] = -phi[i_l], so h(t|x) = h0(t e^{x'tau}) for those covariates. Needs phi and
 * lambda both free (dist APGW, BURR, GOMPERTZ, CURE_LIMIT). The fit reports the full coefficient vector
 * (tied entries included) with a rank-deficient vcov A V A'; df, "aic" and "bic" count the free
 * coefficients; extras "ties" echoes the pairs; note "ties" names them. The threshold probe runs on
 * the model without the tied covariates (tau = 0, nested): a higher "threshold_loglik" there flags
 * "threshold_boundary". hetmod_surv_profile refuses tied fits; hetmod_surv_robust_vcov works. */
HETMOD_API int hetmod_surv_fit(const double* time, const double* time2, const int32_t* status,
                               const double* entry, const double* weights, int64_t n,
                               const double* x_phi, int64_t p_phi, const double* x_lambda,
                               int64_t p_lambda, const double* x_gamma, int64_t p_gamma,
                               const double* x_kappa, int64_t p_kappa, int dist,
                               const hetmod_options* opt, hetmod_fit** out);

/* Predictions from a survival fit for nrow covariate rows at nat points `at` (times; probabilities
 * for QUANTILE; horizons for RMST; ignored for CURE). x_<par>: nrow x p_<par> column-major with the
 * fit's block sizes (see hetmod_fit_extra "surv_block_size"; NULL when 0). ref_<par>: the reference
 * rows (same shapes), required for HAZARD_RATIO and TIME_RATIO and ignored otherwise. Writes the
 * nrow x m matrices (column-major; m = nat, or 1 for CURE) of estimates, delta-method standard
 * errors and `level` confidence limits to est, se, lo, hi (each of length len >= nrow * m; se, lo
 * and hi may be NULL). */
HETMOD_API int hetmod_surv_predict(const hetmod_fit* fit, int64_t nrow, const double* x_phi,
                                   const double* x_lambda, const double* x_gamma,
                                   const double* x_kappa, const double* ref_phi,
                                   const double* ref_lambda, const double* ref_gamma,
                                   const double* ref_kappa, const double* at, int64_t nat, int type,
                                   double level, double* est, double* se, double* lo, double* hi,
                                   int64_t len);

/* Draws one event time per row (INFINITY for cured subjects) at coefficient vector coef[0..ncoef)
 * of distribution `dist`, with designs x_<par> (nrow x p_<par>, column-major, NULL when p == 0;
 * ncoef == p_phi + p_lambda + p_gamma + p_kappa), using the library's generator seeded with `seed`
 * (same seed, same times on every platform). Writes times[0..nrow); len >= nrow. */
HETMOD_API int hetmod_surv_simulate(int dist, const double* coef, int64_t ncoef, int64_t nrow,
                                    const double* x_phi, int64_t p_phi, const double* x_lambda,
                                    int64_t p_lambda, const double* x_gamma, int64_t p_gamma,
                                    const double* x_kappa, int64_t p_kappa, uint64_t seed,
                                    double* times, int64_t len);
/* How an end of a profile-likelihood interval was determined (values equal hetmod::survival::BoundKind). */
#define HETMOD_SURV_PROFILE_FOUND 0     /* root of 2 (l_max - l_p) = qchisq(level, 1)                     */
#define HETMOD_SURV_PROFILE_UNBOUNDED 1 /* runs to the parameter-space limit: -/+INFINITY, cure 0/1      */
#define HETMOD_SURV_PROFILE_FAILED 2    /* a constrained fit failed: bound NAN (hetmod_last_error unset)  */
/* `index` value selecting the cure fraction instead of a coefficient. */
#define HETMOD_SURV_PROFILE_CURE (-1)

/* Profile-likelihood confidence interval at `level` for coefficient `index` (0-based, link scale) or,
 * with index == HETMOD_SURV_PROFILE_CURE, for the cure fraction p (APGW with kappa < 0, or cure_limit)
 * at the one-row covariate pattern pat_<par> (1 x p_<par>, NULL when p == 0; pattern offsets are 0).
 * The data and designs (as in hetmod_surv_fit, the design's p_<par> taken from the fit) must be the ones
 * the fit was computed from; opt: "offset_<par>" as in hetmod_surv_fit plus the core's profile options
 * "maxit", "tol", "gamma_max", "max_steps". Writes the estimate, the bounds and their kinds
 * (HETMOD_SURV_PROFILE_*; any output pointer may be NULL). Method: constrained fits by trust-region
 * Newton, ends by bracketing and regula falsi (hetmod/survival/inference.hpp). */
HETMOD_API int hetmod_surv_profile(const hetmod_fit* fit, const double* time, const double* time2,
                                   const int32_t* status, const double* entry, const double* weights,
                                   int64_t n, const double* x_phi, const double* x_lambda,
                                   const double* x_gamma, const double* x_kappa, int64_t index,
                                   const double* pat_phi, const double* pat_lambda,
                                   const double* pat_gamma, const double* pat_kappa, double level,
                                   const hetmod_options* opt, double* estimate, double* lower,
                                   double* upper, int* lower_kind, int* upper_kind);

/* Sandwich (cluster == NULL: one cluster per row) or cluster-robust (cluster: n integer ids) covariance
 * V B V at the fit, V the model-based covariance, B the sum of outer products of cluster score sums;
 * no small-sample factor (equals survival::survreg robust = TRUE / cluster()). Data and designs as in
 * hetmod_surv_profile (opt: "offset_<par>" only). Writes p x p column-major to vcov (len >= p * p). */
HETMOD_API int hetmod_surv_robust_vcov(const hetmod_fit* fit, const double* time, const double* time2,
                                       const int32_t* status, const double* entry, const double* weights,
                                       int64_t n, const double* x_phi, const double* x_lambda,
                                       const double* x_gamma, const double* x_kappa,
                                       const int64_t* cluster, const hetmod_options* opt, double* vcov,
                                       int64_t len);
/* ---- end survival ---- */

/* ---- sem ---- */
/* ---------------------------------------------------------------------------------------------- */
/* Linear structural equation models (hetmod::sem, spec/sem.md)                                    */
/*                                                                                                  */
/* Models are given in lavaan syntax (`=~`, `~`, `~~`, `~ 1`, modifiers `1*x`, `a*x`, `NA*x`,       */
/* `start(v)*x`; statements separated by newlines or ';') and completed with lavaan's sem()/cfa()    */
/* defaults. Variables are numbered observed first (in lavaan's order), then latent: see            */
/* hetmod_sem_model_variables. Syntax errors give HETMOD_ERR_INVALID_ARGUMENT with a message naming  */
/* the line and the token ("line 2: unexpected token ...").                                          */
/* ---------------------------------------------------------------------------------------------- */

/* Fits a model by ML (default), GLS, ULS or MLR and stores the result in *out (caller owns it;
 * release with hetmod_fit_free). Give either raw data or a covariance matrix:
 *   data: n x p column-major (rows = observations) whose columns are named names[0..p); the model's
 *         observed variables must all be among them (other columns are ignored); sample_cov NULL.
 *   sample_cov: p x p covariance matrix (N-1 divisor, rescaled by (N-1)/N as lavaan does) of the
 *         variables names[0..p), from sample_nobs observations; data NULL (n is ignored).
 * opt (NULL = defaults): the core's keys "estimator" ("ML", "GLS", "ULS", "MLR"; MLR needs raw
 * data), "information" ("expected", "observed"), "se" (0/1), "polish" (0/1), "maxeval", "grad_tol",
 * "start" (vector of the free parameters), and the C-API keys "std_lv", "fixed_x", "meanstructure",
 * "auto_cov_lv_x", "auto_cov_y" (0/1, lavaan's std.lv, fixed.x, ... ; defaults 0, 1, 0, 1, 1) and
 * "sample_mean" (vector of length p, for a mean structure with sample_cov).
 * Missing data and groups (raw data only): "missing" ("listwise" default, or "fiml": casewise normal
 * likelihood grouped by missing-data pattern, NaN = missing, rows with every model variable missing are
 * dropped and counted in the extra "n_empty"; SEs from the observed information unless "information"
 * is given, the H1 model by EM, as lavaan missing = "ml"); "group" (name of a data column with numeric
 * group codes; groups in order of first appearance, labelled by the code) with per-group parameters,
 * equal across groups for shared labels (`a*x`, or `c(a1, a2)*x` per group) and for the classes of
 * "group_equal" (comma-separated: "loadings", "intercepts", "means", "residuals",
 * "residual.covariances", "lv.variances", "lv.covariances", "regressions"; "group_partial" lists
 * exempt rows such as "f=~x2"). These fits always have a mean structure and estimator ML; models
 * with observed exogenous covariates need "fixed_x" = 0 (HETMOD_ERR_UNSUPPORTED otherwise). Extras
 * add "group_nobs" (one per group), "n_empty", "n_incomplete"; "implied_cov" holds the groups' matrices
 * one after the other; notes "groups", "missing", "information". Chi-square (2 (logL_H1 - logL_H0),
 * summed over groups), CFI, TLI, RMSEA (x sqrt(G)), SRMR (with means, N_g-weighted) as lavaan.
 * Coefficients are the free parameters named by label or "lhs op rhs" without spaces ("visual=~x2",
 * "x1~~x1"); vcov is I^{-1}/N (absent when the information is singular: see the admissibility note).
 * loglik is lavaan's logl, df the number of free parameters. Extras: "fit_measures" (named by the
 * note "fit_measures_names"), one extra per fit measure under lavaan's name ("chisq", "df", "pvalue",
 * "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl",
 * "unrestricted.logl", "aic", "bic", "npar", "fmin", "baseline.chisq", "baseline.df", "ntotal",
 * "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled"; NaN where undefined), "se",
 * "implied_cov" (p_model x p_model in the order of the note "observed", comma-separated),
 * "admissible" (1/0), "heywood", "vcov_not_pd", "spectral_radius". Notes: "observed", "latent",
 * "admissibility" (messages, only when not admissible). Non-convergence and non-admissible
 * solutions are results; a non-positive-definite sample covariance matrix gives
 * HETMOD_ERR_NUMERICAL, too few observations or non-finite data HETMOD_ERR_INVALID_ARGUMENT. */
HETMOD_API int hetmod_sem_fit(const char* model_text, const double* data, int64_t n, int64_t p,
                              const char* const* names, const double* sample_cov,
                              int64_t sample_nobs, const hetmod_options* opt, hetmod_fit** out);

/* Names of the model's variables, observed first then latent, separated by '\n' (no trailing
 * newline); *n_observed (if non-NULL) receives the number of observed ones. The model is completed
 * with the default options. String-buffer convention. */
HETMOD_API int hetmod_sem_model_variables(const char* model_text, int64_t* n_observed, char* buf,
                                          int64_t buflen, int64_t* needed);

/* Model-implied covariance matrix Sigma(theta) of the observed variables (p x p, column-major) in
 * the order names[0..p) (names may be NULL: the model's own order, see hetmod_sem_model_variables).
 * The model is completed with lavaan's defaults but fixed.x = FALSE, so the (co)variances of observed
 * covariates are free parameters; theta[0..ntheta) are the free parameters in the order of the
 * coefficients of such a fit. For a fitted model read the extra "implied_cov" of the fit instead.
 * len >= p*p. p must equal the number of observed variables, names a permutation of them.
 * HETMOD_ERR_NUMERICAL if I - A is singular. */
HETMOD_API int hetmod_sem_implied_cov(const char* model_text, const char* const* names, int64_t p,
                                      const double* theta, int64_t ntheta, double* out, int64_t len);

/* Closed form of sigma_ij (0-based variable indices in the order of hetmod_sem_model_variables,
 * latent variables included) of the model's mixed graph by the one-connection rule:
 * "(numerator) / (det)^2" with symbols l<a><b> (directed edge a -> b), w<a><a> (variance of node a)
 * and w<a><b> (covariance a <-> b), 1-based node numbers (separated by '_' beyond 9 nodes); with
 * latex != 0 the LaTeX form (\frac, \lambda_{ab}, \omega_{ab}). det(I - Lambda) is 1 for acyclic
 * graphs. Fixed parameters are treated as free symbols. Graphs with more than 20 nodes give
 * HETMOD_ERR_INVALID_ARGUMENT (the expansion is exponential). String-buffer convention. */
HETMOD_API int hetmod_sem_expand(const char* model_text, int64_t i, int64_t j, int latex, char* buf,
                                 int64_t buflen, int64_t* needed);

/* Generic identifiability: the exact generic rank of the Jacobian of vech(Sigma) (and mu with a mean
 * structure) over GF(2^31-1) (`trials` random points from `seed`, trials >= 1), and the structural
 * flags of the model's graph. Without latent variables the parameters are those of the mixed graph,
 * n_params = |V| + |D| + |B| (all edges free); with latent variables they are the model's free
 * parameters. *finite_to_one is 1 when the rank equals n_params (generically finite-to-one: locally
 * identifiable). Every output pointer may be NULL. */
HETMOD_API int hetmod_sem_identify(const char* model_text, uint64_t seed, int trials,
                                   int64_t* n_params, int64_t* n_moments, int64_t* jacobian_rank,
                                   int* finite_to_one, int* simple, int* bow_free, int* acyclic);
/* ---- end sem ---- */

/* ---- sdpcluster ---- */
/* ---------------------------------------------------------------------------------------------- */
/* SDP clustering: K-means, Gaussian-mixture EM, Peng-Wei K-means SDP, LA-SDP, iLA-SDP and the     */
/* Burer-Monteiro low-rank SDP (hetmod::sdpcluster, spec/sdp_clustering.md).                        */
/* Data x is n x p, column-major (rows = observations). Labels are 0-based (0 .. k-1).               */
/* ---------------------------------------------------------------------------------------------- */

/* Methods (values equal hetmod::sdpcluster::Method; never change). */
#define HETMOD_CLUSTER_METHOD_KMEANS 0     /* Lloyd with k-means++ seeding, option n_init starts      */
#define HETMOD_CLUSTER_METHOD_EM_GMM 1     /* EM for a Gaussian mixture (option cov_type)             */
#define HETMOD_CLUSTER_METHOD_SDP_KMEANS 2 /* Peng-Wei SDP (exact ADMM up to exact_max, else BM)      */
#define HETMOD_CLUSTER_METHOD_LA_SDP 3     /* LA-SDP with known covariances (option sigma)            */
#define HETMOD_CLUSTER_METHOD_ILA_SDP 4    /* iLA-SDP: covariances estimated by alternation           */
#define HETMOD_CLUSTER_METHOD_BM_KMEANS 5  /* Burer-Monteiro low-rank Peng-Wei SDP                    */

/* Opaque clustering result; free with hetmod_cluster_free (NULL is a no-op). */
typedef struct hetmod_cluster hetmod_cluster;

/* Fits a clustering with k clusters of the n x p matrix x (column-major). opt may be NULL
 * (defaults); option keys are those of hetmod::sdpcluster::fit ("n_init", "max_iter", "tol",
 * "time_limit", "cov_type", "ridge", "sigma" (k*p*p numbers for LA-SDP), "sweeps", "exact_max",
 * "large_n", "solver" ("auto", "admm", "bm": low-rank Burer-Monteiro path for sdp_kmeans, la_sdp and
 * ila_sdp), "sketch" (0 off; m >= 1 rows, or a fraction in (0, 1) of n: Sketch-and-Lift), ...); unknown
 * keys give HETMOD_ERR_INVALID_ARGUMENT. All randomness comes from seed.
 * Errors: k < 1 or k > n, non-finite data, NULL pointers, bad method or options. */
HETMOD_API int hetmod_cluster_fit(const double* x, int64_t n, int64_t p, int64_t k, int method,
                                  const hetmod_options* opt, uint64_t seed, hetmod_cluster** out);
HETMOD_API void hetmod_cluster_free(hetmod_cluster* h);

/* Dimensions and method of a fit; every output pointer may be NULL. */
HETMOD_API int hetmod_cluster_dims(const hetmod_cluster* h, int64_t* n, int64_t* p, int64_t* k,
                                   int* method);
/* The n 0-based labels (len >= n). */
HETMOD_API int hetmod_cluster_labels(const hetmod_cluster* h, int32_t* out, int64_t len);
/* Cluster means, k x p column-major (len >= k*p). */
HETMOD_API int hetmod_cluster_means(const hetmod_cluster* h, double* out, int64_t len);
/* Cluster covariances, k blocks of p x p column-major (len >= k*p*p). */
HETMOD_API int hetmod_cluster_covariances(const hetmod_cluster* h, double* out, int64_t len);
/* Mixing proportions (len >= k). */
HETMOD_API int hetmod_cluster_weights(const hetmod_cluster* h, double* out, int64_t len);
/* Report of the (last) SDP solve; every output pointer may be NULL. *converged is the solver's
 * convergence flag for SDP methods and the method's (Lloyd/EM) flag otherwise; objective is the
 * primal SDP objective (SDP methods) or the method objective (others). */
HETMOD_API int hetmod_cluster_certificate(const hetmod_cluster* h, int* converged, int* iterations,
                                          double* primal_res, double* dual_res, double* gap,
                                          double* objective, double* seconds);
/* Solver name ("admm", "admm-lifted", "burer-monteiro", "burer-monteiro-lifted", "" without SDP) and
 * stop reason; the
 * string-buffer convention (which = 0: solver, 1: reason). */
HETMOD_API int hetmod_cluster_certificate_string(const hetmod_cluster* h, int which, char* buf,
                                                 int64_t buflen, int64_t* needed);
/* Gaussian-mixture log-likelihood and BIC (NaN where undefined: non-EM methods); either may be NULL. */
HETMOD_API int hetmod_cluster_loglik(const hetmod_cluster* h, double* loglik, double* bic);
/* Assigns the m x p rows of newx (column-major, p must equal the fit's p) to clusters: Gaussian MAP
 * for EM / LA-SDP / iLA-SDP, nearest mean otherwise. out receives m 0-based labels (len >= m). */
HETMOD_API int hetmod_cluster_predict(const hetmod_cluster* h, const double* newx, int64_t m, int64_t p,
                                      int32_t* out, int64_t len);
/* Agreement of two labelings a, b of n >= 1 points (any integer codes): mis-clustering
 * rate (minimised over matchings), adjusted Rand index, normalised mutual information (arithmetic).
 * Every output pointer may be NULL. */
HETMOD_API int hetmod_cluster_metrics(const int32_t* a, const int32_t* b, int64_t n, double* misclustering,
                                      double* ari, double* nmi);
/* Sketch-and-Lift report: *m receives the subsample size (0 without sketch); index (may be NULL)
 * receives the m sorted 0-based rows of the subsample (len >= m). */
HETMOD_API int hetmod_cluster_sketch(const hetmod_cluster* h, int64_t* m, int64_t* index, int64_t len);
/* Leading eigenvalues of the SDP solution Z (decreasing, up to 2k + 1; none for non-SDP methods):
 * *count receives their number; out (may be NULL) receives them (len >= count). */
HETMOD_API int hetmod_cluster_eigenvalues(const hetmod_cluster* h, int64_t* count, double* out, int64_t len);

/* Columns of the choice-of-K table (hetmod_cluster_select_k), nk rows each, column-major. */
#define HETMOD_CLUSTER_SELECT_NCOL 8 /* k, criterion, loglik, bic, icl, df, objective, eigengap */
/* Choice of K: fits method for each of the nk values ks (sorted, duplicates removed; *nrow receives
 * the number of rows) and selects k by criterion "bic" / "icl" (method EM_GMM: -2 loglik + df log n,
 * the negative of mclust's BIC; ICL adds twice the entropy), "trace" (SDP_KMEANS / BM_KMEANS:
 * W_k + lambda k with the relaxed within sum of squares W_k; lambda = option "penalty", default
 * "penalty_scale" (1) x (sqrt(n ||S||_op) + sqrt(tr S))^2, S the pooled within-cluster covariance at the
 * selected k) or "eigengap" (SDP methods: largest k with lambda_k - lambda_{k+1} >= option "gap_threshold"
 * (0.5) of Z).
 * Other options go to hetmod_cluster_fit. table (may be NULL; len >= 8 nk) receives the nrow x 8 table
 * column-major with leading dimension *nrow (NaN where undefined); *best_k the selected k. */
HETMOD_API int hetmod_cluster_select_k(const double* x, int64_t n, int64_t p, const int32_t* ks, int64_t nk,
                                       int method, const char* criterion, const hetmod_options* opt,
                                       uint64_t seed, int32_t* best_k, int64_t* nrow, double* table,
                                       int64_t len);
/* ---- end sdpcluster ---- */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HETMOD_H */
