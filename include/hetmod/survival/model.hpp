// hetmod/survival/model.hpp -- the APGW multi-parameter regression family: public C++ facade.
//
// Model (spec/survival.md section 1): APGW hazard with AFT scale phi, PH scale lambda, power shape gamma
// and shape kappa > -1,
//   H(t) = lambda (1+kappa)/kappa [(1 + (phi t)^gamma/(1+kappa))^kappa - 1],
// each parameter with its own linear predictor on the link scale
//   eta_phi = log phi, eta_lambda = log lambda, eta_gamma = log gamma, eta_kappa = log(1 + kappa).
// Distributions (Dist) are the special cases with some parameters structurally fixed; the coefficient
// vector only holds the free blocks, in the order phi, lambda, gamma, kappa, each block intercept-first.
// For Dist::cure_limit the four slots mean (mu, theta, gamma, -) : phi -> AFT scale mu, lambda -> PH
// scale theta, gamma -> power shape, kappa unused: H(t) = theta (mu t)^gamma / (1 + (mu t)^gamma).
//
// Data conventions: rows = observations, column-major designs, 0-based. Censoring codes follow
// survival::Surv(type = "interval"): 0 right-censored at time, 1 event at time, 2 left-censored at time
// (event before time), 3 interval-censored in (time, time2].
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"
#include "hetmod/core/result.hpp"
#include "hetmod/data/view.hpp"

namespace hetmod {
class Rng;
}

namespace hetmod::survival {

/// Distributions of the family. Values are part of the C ABI (hetmod.h HETMOD_SURV_DIST_*).
enum class Dist : int {
  apgw = 0,         ///< all four parameters free
  weibull = 1,      ///< kappa = 1; one of phi / lambda free (lambda unless phi has covariates)
  exponential = 2,  ///< kappa = 1, gamma = 1; one scale free
  burr = 3,         ///< kappa = 0 (Burr XII); phi, lambda, gamma free
  loglogistic = 4,  ///< kappa = 0, lambda = 1; phi, gamma free
  pgw = 5,          ///< kappa > 0 with lambda = kappa/(1+kappa) (B&N power generalised Weibull); the kappa
                    ///< slot's link is eta_kappa = log(kappa) (not log(1+kappa)); lambda must have p == 0
  gompertz = 6,     ///< kappa -> infinity limit: H = lambda (exp((phi t)^gamma) - 1)
  cure_limit = 7    ///< kappa -> -1 limit: promotion-time cure with log-logistic cdf
};
const char* dist_name(Dist d);
/// "apgw", "weibull", ... ; Error(invalid_argument) listing the valid names otherwise.
Dist dist_from_name(const std::string& name);

/// Parameter slots, in coefficient order.
enum class Par : int { phi = 0, lambda = 1, gamma = 2, kappa = 3 };
constexpr int kNumPar = 4;
const char* par_name(Par p);  ///< "phi", "lambda", "gamma", "kappa"

/// Censoring codes (survival::Surv type "interval").
enum Censor : int32_t { kRight = 0, kEvent = 1, kLeft = 2, kInterval = 3 };

/// Survival data (non-owning views). time: n; time2: n or empty (needed if any status == 3);
/// entry: n or empty (left-truncation times, 0 = none); weights: n or empty (case weights >= 0).
struct SurvData {
  data::VecView time;
  data::VecView time2;
  data::IntVecView status;
  data::VecView entry;
  data::VecView weights;
};

/// Linear predictor of one parameter: eta = x * beta + offset.
/// x: n x p (intercept as an explicit column of ones, if wanted); offset: n or empty (0).
/// p == 0 means the parameter has no free coefficients: eta = offset (so "~ 0" fixes the scale at 1).
/// A parameter that the distribution fixes structurally must have p == 0.
struct ParDesign {
  data::MatView x;
  data::VecView offset;
  std::vector<std::string> names;  ///< p coefficient names (e.g. "(Intercept)", "trt")
};
struct Design {
  std::array<ParDesign, kNumPar> par;
};

/// Result of a fit. `result` holds the common record: coefficients on the link scale named
/// "<par>:<name>" (e.g. "lambda:trt"), vcov from the observed information, loglik, df, nobs,
/// convergence; extras hold "vcov_robust" (sandwich), "aic", "bic"; notes hold boundary flags.
struct SurvFit {
  FitResult result;
  Dist dist = Dist::apgw;
  std::array<int, kNumPar> block_start{};  ///< index of each parameter's first coefficient
  std::array<int, kNumPar> block_size{};   ///< number of coefficients per parameter (0 = fixed)
  /// Boundary / identifiability flags: "threshold_boundary" (gamma -> inf, kappa*gamma -> c: either the fit
  /// reached log gamma = gamma_max (then convergence.converged = false) or an interior local maximum is
  /// beaten at log gamma = gamma_max, extras "threshold_loglik"), "cure_boundary" (kappa -> -1; converged =
  /// false; the cure limit is fitted too: extras "cure_limit_loglik", "cure_limit_coef" (phi, lambda, gamma
  /// blocks, original scale), "cure_limit_converged"), "phi_lambda_confounded" (kappa within one SE of 1
  /// with both scales free), "scale_boundary" (singular information at the returned point, e.g. phi -> 0
  /// with lambda -> inf in a covariate group; converged = false), "gompertz_boundary" (Dist::gompertz whose
  /// shape runs to 0: phi -> 0, lambda -> inf, (phi t)^gamma < 1e-4 for every row, i.e. the exponential
  /// (gamma fixed) or Weibull limit, which fits as well: extras "limit_loglik"; converged = false),
  /// "gompertz_limit" (Dist::apgw with kappa -> +inf: log(1+kappa) > log(1 + 1e3) on every row and the Gompertz
  /// limit lambda (exp((phi t)^gamma) - 1), fitted directly with the same phi, lambda, gamma blocks, fits as
  /// well: extras "gompertz_limit_loglik", "gompertz_limit_coef", "gompertz_limit_converged"; converged = false).
  /// A flag that sets converged = false also sets convergence.reason to "boundary: ...".
  /// Empty for a clean interior MLE.
  /// result.notes["flags"] joins them with commas; result.notes["boundary"] explains them.
  std::vector<std::string> flags;
};

/// Fits the model by maximum likelihood.
/// Options (all optional): "maxit" (200), "tol" (1e-8 on max|score|), "starts" (multi-start count, 0 = auto),
/// "start" (numeric vector of initial coefficients), "scale" (1 = centre/scale covariates internally),
/// "seed" (for random restarts), "gamma_max" (bound on log gamma for boundary detection, default log(50)),
/// "probe" (1 = probe the threshold boundary at log gamma = gamma_max after an interior fit; 0 skips it, faster).
/// With "start", a clean converged Newton fit from it is accepted without the automatic start search.
/// "ties" (accelerated hazards; src/survival/ties.hpp): 0-based pairs (phi column i, lambda column j), each
/// fixing beta_lambda[j] = -beta_phi[i] for the same covariate (h(t|x) = h0(t e^{x'tau})); the fit reports the
/// full vector with vcov A V A' and df counting the free coefficients (extras "ties").
/// Unknown keys throw Error(not_found).
/// Throws Error(invalid_argument) for bad data (non-positive or non-finite times, bad codes, time2 < time
/// for interval rows, entry >= exit, all rows censored, wrong shapes, singular designs).
SurvFit fit(const SurvData& data, const Design& design, Dist dist, const Options& options = Options());

/// Total log-likelihood at the full coefficient vector `coef` (original covariate scale, fit layout); when
/// non-null, gradient (length p) and hessian (p*p, column-major) receive the analytic score and Hessian.
/// Returns -Inf outside the parameter domain. Validates like fit() (messages start "surv_loglik:").
double loglik(const SurvData& data, const Design& design, Dist dist, const std::vector<double>& coef,
              std::vector<double>* gradient = nullptr, std::vector<double>* hessian = nullptr);

/// Prediction types (values part of the C ABI).
enum class PredictType : int {
  survival = 0, hazard = 1, cumhaz = 2, density = 3, quantile = 4, rmst = 5, cure = 6,
  hazard_ratio = 7, time_ratio = 8
};
/// Predictions for each row of `newdesign` (same column layout as the fit) at each t in `at`
/// (times; probabilities for quantile and time_ratio; horizons for rmst; ignored for cure, which has one
/// column). Output matrices are nrow x at.size(), column-major, with delta-method SEs from fit.result.vcov
/// (analytic gradients for survival/hazard/cumhaz/density/hazard_ratio, central finite differences for
/// quantile/rmst/cure/time_ratio) and CIs on the log scale (log(-log) for survival, logit for cure).
/// hazard_ratio = h_i(t)/h_ref(t); time_ratio = t_p(row i)/t_p(reference row) at probability p; `reference`
/// has 1 row (recycled) or nrow rows. Quantiles of cured mass are Inf (SE NaN). Cure fraction:
/// exp(lambda (1+kappa)/kappa) for APGW with kappa < 0, exp(-theta) for cure_limit, 0 otherwise.
/// rmst integrates S over [0, tau] by adaptive Gauss-Kronrod (21 points).
struct Prediction {
  int64_t nrow = 0, ncol = 0;
  std::vector<double> estimate, se, lower, upper;
};
Prediction predict(const SurvFit& fit, const Design& newdesign, const std::vector<double>& at, PredictType type,
                   double level = 0.95, const Design* reference = nullptr);

/// Draws event times for each row of `design` at coefficient vector `coef` (Inf for cured subjects) by
/// inversion, t = phi^-1 [M^-1(-log U / lambda)]^(1/gamma) with U = rng.uniform_open() (one draw per row).
/// The simulation study "surv_apgw" is registered by the sim layer (src/sim/studies_survival.cpp).
std::vector<double> simulate_times(const Design& design, Dist dist, const std::vector<double>& coef, Rng& rng);

}  // namespace hetmod::survival
