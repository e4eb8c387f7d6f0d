// src/sdpcluster/select.cpp -- choice of K (spec 1.2 "Unknown K", 4 "Choice of K").
//
// 1. Mixtures (em_gmm): BIC = -2 loglik + df log n and ICL = BIC + 2 x classification entropy (mclust's BIC is
//    the negative, 2 loglik - df log n). The smallest wins.
// 2. SDP methods (sdp_kmeans, bm_kmeans): W_k = relaxed within sum of squares tr(Xc^T Xc) - <Xc Xc^T, Z_k>.
//    "trace": the trace constraint tr Z = k priced by a penalty (the Lagrangian form of the adaptive, unknown-K
//    SDP): W_k + lambda k with lambda = option "penalty", default n sigma2, sigma2 = W_kmax / (n p) from the
//    largest k of the grid. Heuristic: splitting one spherical Gaussian cluster of n_c <= n points lowers the
//    within sum of squares by about (2 / pi) n_c sigma2 < n sigma2, while merging two separated clusters
//    raises it by about n_c Delta^2 / 2.
//    "eigengap": the largest k whose solution Z_k still has k separated eigenvalues, lambda_k - lambda_{k+1}
//    >= 0.5 (a tight SDP gives 1: Z_k is the block membership matrix; beyond the true K the trace spreads).
// Every k is fitted with the same options and consecutive draws from one Rng.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

SelectKResult select_k(data::MatView x, const std::vector<int>& ks, Method method, const std::string& criterion,
                       const Options& options, Rng& rng) {
  const char* fn = "cluster_select_k";
  check::require(!ks.empty(), fn, "ks must contain at least one k");
  for (int k : ks)
    check::require(k >= 1 && k <= x.nrow, fn,
                   "k = " + std::to_string(k) + " is outside [1, n = " + std::to_string(x.nrow) + "]");
  const bool mixture = method == Method::em_gmm;
  const bool sdp = method == Method::sdp_kmeans || method == Method::bm_kmeans;
  if (criterion == "bic" || criterion == "icl") {
    check::require(mixture, fn, "criterion '" + criterion + "' needs method em_gmm (a mixture likelihood)");
  } else if (criterion == "trace" || criterion == "eigengap") {
    check::require(sdp, fn, "criterion '" + criterion + "' needs an SDP method (sdp_kmeans or bm_kmeans)");
    check::require(!(criterion == "eigengap" && method == Method::bm_kmeans), fn,
                   "criterion 'eigengap' needs the exact SDP (sdp_kmeans): the low-rank factorisation settles on "
                   "near-integral solutions for every k, so its eigen-gap does not discriminate");
  } else {
    check::fail(fn, "criterion is '" + criterion + "', but must be 'bic', 'icl', 'trace' or 'eigengap'");
  }
  Options fo = options;
  const double penalty = options.get_double("penalty", 0);
  check::nonnegative(fn, "penalty", penalty);
  fo.erase("penalty");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(x.nrow), p = static_cast<double>(x.ncol);
  SelectKResult out;
  out.method = method;
  out.criterion = criterion;
  std::vector<int> sorted = ks;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (int k : sorted) {
    const ClusterResult r = fit(x, k, method, fo, rng);
    SelectKRow row;
    row.k = k;
    row.loglik = mixture ? r.loglik : nan;
    row.bic = mixture ? r.bic : nan;
    row.icl = mixture ? r.icl : nan;
    row.df = r.df;
    row.objective = r.objective;
    row.converged = r.converged;
    row.eigengap = nan;
    if (sdp) {
      const auto& ev = r.sdp_eigenvalues;
      const auto kk = static_cast<size_t>(k);
      if (ev.size() >= kk) row.eigengap = ev[kk - 1] - (ev.size() > kk ? std::max(ev[kk], 0.0) : 0.0);
    }
    if (criterion == "bic") {
      row.criterion = row.bic;
    } else if (criterion == "icl") {
      row.criterion = row.icl;
    } else if (criterion == "trace") {
      row.criterion = r.objective;  // W_k; the penalty is added below once sigma^2 is known
    } else {
      row.criterion = -row.eigengap;
    }
    for (const auto& msg : r.messages) out.messages.push_back("k = " + std::to_string(k) + ": " + msg);
    if (criterion == "eigengap" && r.certificate.solver == "burer-monteiro")
      out.messages.push_back("k = " + std::to_string(k) + ": eigen-gap from the low-rank path is unreliable");
    out.rows.push_back(row);
  }
  if (criterion == "trace") {  // W_k + lambda k, lambda = penalty or n sigma2 (sigma2 = W_kmax / (n p))
    const double sigma2 = std::max(out.rows.back().objective, 0.0) / (n * p);
    const double lambda = penalty > 0 ? penalty : n * sigma2;
    for (auto& row : out.rows) row.criterion += lambda * row.k;
    if (penalty <= 0) out.messages.push_back("trace penalty lambda = n sigma2 = " + std::to_string(lambda));
  }
  if (criterion == "eigengap") {
    out.best_k = out.rows.front().k;
    for (const auto& row : out.rows)
      if (row.eigengap >= 0.5) out.best_k = std::max(out.best_k, row.k);
  } else {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& row : out.rows) {
      if (std::isfinite(row.criterion) && row.criterion < best) {
        best = row.criterion;
        out.best_k = row.k;
      }
    }
    check::require(out.best_k > 0, fn, "no k gave a finite criterion", Status::numerical);
  }
  return out;
}

}  // namespace hetmod::sdpcluster
