// hetmod/sem/robust.hpp -- internal: robust (MLR) test statistics of the SEM family (not part of
// the public facade). See src/sem/robust.cpp for the equations.
#pragma once
#include <cstdint>
#include <vector>

#include "hetmod/sem/loglik.hpp"

namespace hetmod::sem::detail {

/// Pieces of lavaan's test = "yuan.bentler.mplus" (lav_test_yuan_bentler_mplus_trace):
/// trace(U Gamma) = trace_h1 - trace_h0, scaling factor c = trace / df.
struct YuanBentler {
  double trace_h1 = 0;  ///< tr(A1^{-1} B1), saturated model, unstructured (at S, xbar)
  double trace_h0 = 0;  ///< tr(E^{-1} B0), E = observed (Hessian) information, B0 = casewise scores
  int h1_ndat = 0;      ///< number of non-fixed-x moments of the saturated model
  bool ok = false;
};

/// Observed (Hessian) information per observation E = 1/2 d^2 F_ML / dtheta^2 (central differences
/// of the analytic gradient) and the first-order information B0 = mean_i s_i s_i^T of the casewise
/// scores s_i (casewise_scores: mean parameters included with a mean structure; without one, the
/// deviations from `mean`) (npar*npar each, column-major).
/// raw: n*p column-major, mean: p. Leaves the kernel at theta.
void mlr_information(Kernel& k, const std::vector<double>& theta, const std::vector<double>& raw, int64_t n,
                     const std::vector<double>& mean, std::vector<double>& E, std::vector<double>& B0);

/// Casewise scores d logL_i / d theta of the normal log-likelihood at theta (n*q column-major: case i,
/// parameter c at i + c*n) for the rows of x (n x p column-major, NaN = missing: the observed subvector's
/// likelihood, as FIML). Mean parameters get their scores when the model has a mean structure; without
/// one, mean_fallback (p) is used as mu. Leaves the kernel at implied(theta); throws std::exception when
/// I - A is singular or a Sigma_oo is not PD.
std::vector<double> casewise_scores(Kernel& k, const double* theta, const double* x, int64_t n, const double* mean_fallback);
/// B += S^T S for casewise scores S (n*q as casewise_scores); B is q*q (allocated if empty).
void add_score_crossproduct(const std::vector<double>& scores, int64_t n, int q, std::vector<double>& B);

/// Saturated trace tr(A1^{-1} B1) of the Mplus variant for data with missing values (lavaan
/// h1.information = "unstructured" with missing = "ml"): A1 = observed information per case of the
/// saturated FIML likelihood in (mu, vech Sigma) at the EM moments (central differences of the analytic
/// score), B1 = mean of the casewise score products there. x: n x p column-major, NaN = missing.
double yuan_bentler_h1_trace_missing(const double* x, int64_t n, int p, const std::vector<double>& mu,
                                     const std::vector<double>& sigma);
/// Baseline (independence, free means) tr(E^{-1} B0) with available-case moments per variable:
/// sum_k 1/2 (m4_k / s_kk^2 - 1) + 1 (x as above; complete data give yuan_bentler_baseline_h0_trace).
double yuan_bentler_baseline_h0_trace_missing(const double* x, int64_t n, int p);

/// The Yuan-Bentler (Mplus variant) traces. cov: p*p sample covariance (N divisor), isx: fixed-x flags
/// (x-x moments are excluded from the saturated model as lavaan does), E, B0 from mlr_information.
YuanBentler yuan_bentler_mplus(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                               const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure,
                               const std::vector<double>& E, const std::vector<double>& B0);

/// The saturated-model trace alone (also used for the baseline model).
double yuan_bentler_h1_trace(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                             const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure, int* ndat);

/// tr(E^{-1} B0) of the independence (baseline) model at its estimate diag(S): per non-x variable
/// 1/2 (m4_k / s_kk^2 - 1) (+ 1 per free mean with a mean structure).
double yuan_bentler_baseline_h0_trace(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                                      const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure);

/// Fills chisq_scaled, scaling_factor, pvalue_scaled, baseline_chisq_scaled, baseline_scaling_factor,
/// cfi/tli/rmsea _scaled and _robust of fm (chisq, df, baseline_chisq, baseline_df set) as lavaan's
/// fitMeasures does for test = "yuan.bentler.mplus".
void fill_mlr_measures(FitMeasures& fm, const YuanBentler& yb, double baseline_h0_trace, double nobs);

}  // namespace hetmod::sem::detail
