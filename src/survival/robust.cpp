// hetmod/survival/robust.cpp -- sandwich and cluster-robust covariance matrices (inference.hpp).
//
// V B V with V = fit.result.vcov (inverse observed information, original coefficient scale) and
// B = sum_g u_g u_g', u_g = sum over the rows of cluster g of the weighted per-observation scores
// (detail::eval). With one cluster per row this is the plain sandwich (fit extras "vcov_robust").
// survival::survreg(robust = TRUE) computes crossprod(rowsum(dfbeta, cluster)) with dfbeta_i = u_i' V:
// the same matrix, no small-sample factor.
#include <cmath>
#include <limits>
#include <unordered_map>

#include "hetmod/core/check.hpp"
#include "hetmod/survival/inference.hpp"
#include "hetmod/survival/loglik.hpp"
#include "internal.hpp"

namespace hetmod::survival {

std::vector<double> robust_vcov(const SurvFit& fit, const SurvData& data, const Design& design,
                                const std::vector<int64_t>& cluster) {
  const char* fn = "surv_robust_vcov";
  const detail::Model m = detail::build_model(fn, data, design, fit.dist);
  const size_t P = static_cast<size_t>(m.ptot);
  check::require(fit.result.coef.size() == P, fn,
                 "the fit has " + std::to_string(fit.result.coef.size()) + " coefficients, but data and design give " +
                     std::to_string(P) + " (pass the data and design the fit was computed from)");
  check::require(fit.result.vcov.size() == P * P, fn, "the fit has no covariance matrix");
  if (!cluster.empty()) check::same_size(fn, "cluster", static_cast<int64_t>(cluster.size()), m.n);
  std::vector<double> scores;
  const double ll = detail::eval(m, fit.result.coef.data(), nullptr, nullptr, &scores);
  check::require(std::isfinite(ll), fn, "the log-likelihood is not finite at the fit's coefficients");
  // Cluster sums of scores.
  std::unordered_map<int64_t, size_t> idx;
  std::vector<double> U;  // nclusters x P
  for (int64_t i = 0; i < m.n; ++i) {
    size_t g;
    if (cluster.empty()) {
      g = static_cast<size_t>(i);
      if (U.size() < (g + 1) * P) U.resize((g + 1) * P, 0.0);
    } else {
      auto it = idx.find(cluster[static_cast<size_t>(i)]);
      if (it == idx.end()) {
        g = idx.size();
        idx.emplace(cluster[static_cast<size_t>(i)], g);
        U.resize((g + 1) * P, 0.0);
      } else {
        g = it->second;
      }
    }
    const double* s = scores.data() + static_cast<size_t>(i) * P;
    for (size_t a = 0; a < P; ++a) U[g * P + a] += s[a];
  }
  const size_t G = P ? U.size() / P : 0;
  std::vector<double> B(P * P, 0.0);
  for (size_t g = 0; g < G; ++g)
    for (size_t a = 0; a < P; ++a)
      for (size_t b = 0; b < P; ++b) B[a + b * P] += U[g * P + a] * U[g * P + b];
  return detail::sandwich(fit.result.vcov, B, P);  // V B V (V symmetric)
}

}  // namespace hetmod::survival
