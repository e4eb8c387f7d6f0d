// src/sdpcluster/predict.cpp -- assignment of new points to fitted clusters.
//
// 1. Gaussian methods (EM, LA-SDP, iLA-SDP): argmax_k log w_k + log N(x | mu_k, Sigma_k).
// 2. Other methods: nearest cluster mean (Euclidean).
#include "hetmod/core/check.hpp"
#include "hetmod/data/validate.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

std::vector<int> predict(const ClusterResult& fit, data::MatView newx) {
  const char* fn = "sdpcluster_predict";
  check::require(fit.k >= 1 && fit.p >= 1, fn, "the fit is empty");
  check::same_size(fn, "ncol(newx)", newx.ncol, fit.p);
  check::not_null(fn, "newx", newx.data, newx.nrow * newx.ncol);
  data::check_finite(fn, "newx", newx);
  const auto k = static_cast<arma::uword>(fit.k), p = static_cast<arma::uword>(fit.p);
  check::same_size(fn, "fit.means", static_cast<int64_t>(fit.means.size()), static_cast<int64_t>(k * p));
  const arma::mat x = detail::to_arma(newx);
  const arma::mat mu(fit.means.data(), k, p);
  arma::uvec lab;
  const bool gaussian = fit.method == Method::em_gmm || fit.method == Method::la_sdp || fit.method == Method::ila_sdp;
  if (gaussian) {
    check::same_size(fn, "fit.covariances", static_cast<int64_t>(fit.covariances.size()),
                     static_cast<int64_t>(k * p * p));
    std::vector<arma::mat> covs;
    for (arma::uword j = 0; j < k; ++j) covs.emplace_back(fit.covariances.data() + j * p * p, p, p);
    arma::mat ld = detail::component_logdens(x, mu, covs, fn);
    for (arma::uword j = 0; j < k; ++j)
      ld.col(j) += std::log(fit.weights.size() == k && fit.weights[j] > 0 ? fit.weights[j] : 1e-300);
    lab = arma::index_max(ld, 1);
  } else {
    arma::mat d = -2.0 * x * mu.t();
    d.each_row() += arma::sum(arma::square(mu), 1).t();
    lab = arma::index_min(d, 1);
  }
  std::vector<int> out(lab.n_elem);
  for (arma::uword i = 0; i < lab.n_elem; ++i) out[i] = static_cast<int>(lab(i));
  return out;
}

}  // namespace hetmod::sdpcluster
