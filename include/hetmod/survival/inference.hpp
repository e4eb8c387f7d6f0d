// hetmod/survival/inference.hpp -- likelihood-based inference for fitted APGW models: profile-likelihood
// confidence intervals (src/survival/profile.cpp) and sandwich / cluster-robust covariance matrices
// (src/survival/robust.cpp). Part of the public C++ facade of the survival family.
//
// Both take the fit together with the data and design it was fitted to (SurvFit does not own data).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"
#include "hetmod/survival/model.hpp"

namespace hetmod::survival {

/// What to profile.
///  - coefficient: coefficient `index` (0-based, fit layout) on its link scale.
///  - cure_fraction: the cure fraction p(x0) of the covariate pattern `pattern` (a one-row Design with the
///    fit's column layout). Available for Dist::apgw (p = exp(lambda (1+kappa)/kappa) when kappa < 0) and
///    Dist::cure_limit (p = exp(-theta)); the profile is in c = log(-log p) by reparametrisation (below).
struct ProfileTarget {
  enum class Kind : int { coefficient = 0, cure_fraction = 1 };
  Kind kind = Kind::coefficient;
  int index = 0;
  const Design* pattern = nullptr;
};

/// How an end of a profile interval was determined (values part of the C ABI, HETMOD_SURV_PROFILE_*).
enum class BoundKind : int {
  found = 0,      ///< root of 2 (l_max - l_p) = qchisq(level, 1), to ~1e-6 in the signed root
  unbounded = 1,  ///< the profile never drops below the cut-off towards the parameter-space limit: the bound
                  ///< is that limit (coefficient: -Inf/+Inf; cure fraction: 0/1; so kappa's lower end is
                  ///< -1 when log(1+kappa) -> -Inf)
  failed = 2      ///< a constrained fit failed (non-finite or not converged) before the cut-off: bound NaN
};

/// Result of profile() / profile_ci(). Values are on the target's natural scale: the coefficient (link
/// scale) or the cure fraction p. The curve holds every evaluated point, sorted by value:
/// value, profile log-likelihood l_p (maximised over all other coefficients), signed root
/// z = sign(value - estimate) sqrt(2 (l_max - l_p)), and whether the constrained fit converged.
struct ProfileResult {
  double estimate = 0.0;   ///< value at the MLE
  double loglik_max = 0.0; ///< l_max (the fit's log-likelihood, or a higher one found on the profile)
  double level = 0.95;
  double lower = 0.0, upper = 0.0;
  BoundKind lower_kind = BoundKind::failed, upper_kind = BoundKind::failed;
  bool higher_found = false;  ///< a constrained fit beat the fit's log-likelihood (the fit was not the MLE)
  std::vector<double> value, loglik, z;
  std::vector<int> converged;
  std::string note;  ///< explanation of unbounded / failed ends, empty otherwise
};

/// Profile-likelihood confidence interval for one target at `level` (0 < level < 1).
///
/// Method: for a fixed value the log-likelihood is maximised over the remaining coefficients by
/// trust-region Newton on the analytic Hessian (chain rule through the reparametrisation), in coordinates
/// scaled by the fit's standard errors, warm-started from the nearest evaluated point. Each end is
/// bracketed by stepping outwards from the Wald bound (doubling steps) and then solved by the Illinois
/// (modified regula falsi) method on z(value) - q with q = sqrt(qchisq(level, 1)).
/// An end is "unbounded" when the profile is still above the cut-off at the limit of the parameter space
/// (|coefficient - estimate| > 60 SE or 1e3 on the link scale; kappa's log(1+kappa) below -30; cure
/// fraction c = log(-log p) beyond +-30) or flattens out (l_p changes < 1e-7 over a doubling step).
///
/// Cure fraction, reparametrisation: with c = log(-log p(x0)),
///   APGW:       c = eta_lambda(x0) + g(eta_kappa(x0)),  g(k) = k - log(1 - e^k)  (k = log(1+kappa) < 0),
///               solved for one kappa coefficient (the one with the largest |x0| entry) through
///               g^-1(y) = -log1p(exp(-y)), so every fixed c keeps kappa(x0) in (-1, 0) automatically;
///   cure_limit: c = eta_theta(x0), solved for one lambda(theta) coefficient (linear).
/// An APGW fit whose kappa(x0) >= 0 has cure fraction 0 and cannot be profiled this way (Error).
///
/// Options: "maxit" (100, Newton iterations per constrained fit), "tol" (1e-8 on the scaled gradient),
/// "gamma_max" (log(50): bound on log gamma, as in fit()), "max_steps" (40, bracketing steps per end).
/// Throws Error(invalid_argument) for a bad target, level, or a fit without finite log-likelihood.
ProfileResult profile_ci(const SurvFit& fit, const SurvData& data, const Design& design, const ProfileTarget& target,
                         double level = 0.95, const Options& options = Options());

/// The profile log-likelihood at the given values of the target (natural scale as above), warm-started
/// along the sorted grid from the MLE. Fills value/loglik/z/converged (lower/upper NaN).
ProfileResult profile(const SurvFit& fit, const SurvData& data, const Design& design, const ProfileTarget& target,
                      const std::vector<double>& values, const Options& options = Options());

/// Sandwich covariance V B V at the fit, with V = fit.result.vcov (inverse observed information) and
/// B = sum_g u_g u_g', u_g the sum of the per-observation scores (weighted) over cluster g. cluster: one
/// id per row (any integers), or empty for one cluster per row (the plain sandwich, fit extras
/// "vcov_robust"). No small-sample factor: this equals survival::survreg(..., robust = TRUE) and
/// survreg(... + cluster(id)) (crossprod of the collapsed dfbeta residuals) for the models both fit.
/// Returns P x P column-major.
std::vector<double> robust_vcov(const SurvFit& fit, const SurvData& data, const Design& design,
                                const std::vector<int64_t>& cluster);

}  // namespace hetmod::survival
