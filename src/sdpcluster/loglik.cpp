// src/sdpcluster/loglik.cpp -- Gaussian densities, mixture log-likelihood, LA-SDP cost matrices.
//
// 1. component_logdens: log N(x_i | mu_k, Sigma_k) = -p/2 log 2pi - 1/2 log det Sigma_k - 1/2 ||L_k^-1 (x_i - mu_k)||^2,
//    Sigma_k = L_k L_k^T (Cholesky).
// 2. logsumexp_rows: m + log sum exp(a - m), m the row maximum.
// 3. profile_m2ll: spec 1.4, the eps-regularised profile -2 log-likelihood of a partition,
//    sum_k n_k [p + log det(S_k + eps I)] + n p log 2pi.
// 4. la_costs: spec 1.3-1.4, C_k = D^(k)/2 + (log det Sigma_k + eps tr Omega_k) J with
//    D^(k)_ij = (x_i - x_j)^T Omega_k (x_i - x_j) = d_i + d_j - 2 x_i^T Omega_k x_j.
#include "hetmod/sdpcluster/loglik.hpp"

#include <algorithm>
#include <cmath>

#include "hetmod/core/check.hpp"
#include "hetmod/data/validate.hpp"
#include "hetmod/numeric/arma_linalg.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

namespace detail {

arma::mat to_arma(const data::MatView& v) {
  return arma::mat(v.data, static_cast<arma::uword>(v.nrow), static_cast<arma::uword>(v.ncol));
}
std::vector<double> to_std(const arma::mat& m) { return std::vector<double>(m.begin(), m.end()); }

std::vector<arma::mat> covariances_from_scatter(const std::vector<arma::mat>& m, const std::vector<double>& mk,
                                                CovType cov, double eps, arma::uword p) {
  std::vector<arma::mat> out(m.size());
  if (cov == CovType::tied) {
    arma::mat tot(p, p, arma::fill::zeros);
    double mt = 0;
    for (size_t b = 0; b < m.size(); ++b) {
      tot += m[b];
      mt += mk[b];
    }
    const arma::mat t = tot / mt + eps * arma::eye(p, p);
    for (auto& v : out) v = t;
    return out;
  }
  for (size_t b = 0; b < m.size(); ++b) {
    const arma::mat base = m[b] / std::max(mk[b], 1e-300);
    if (cov == CovType::full) {
      out[b] = base + eps * arma::eye(p, p);
    } else if (cov == CovType::diagonal) {
      out[b] = arma::diagmat(base.diag() + eps);
    } else {
      out[b] = (arma::trace(base) / static_cast<double>(p) + eps) * arma::eye(p, p);
    }
  }
  return out;
}

void partition_summary(const arma::mat& x, const arma::uvec& lab, int k, double ridge, ClusterResult& res) {
  const arma::uword p = x.n_cols;
  arma::mat means(static_cast<arma::uword>(k), p, arma::fill::zeros);
  res.covariances.assign(static_cast<size_t>(k) * p * p, 0.0);
  res.weights.assign(static_cast<size_t>(k), 0.0);
  for (int j = 0; j < k; ++j) {
    const arma::uvec idx = arma::find(lab == static_cast<arma::uword>(j));
    res.weights[static_cast<size_t>(j)] = static_cast<double>(idx.n_elem) / static_cast<double>(x.n_rows);
    if (idx.n_elem == 0) continue;
    const arma::mat xs = x.rows(idx);
    means.row(static_cast<arma::uword>(j)) = arma::mean(xs, 0);
    const arma::mat xc = xs.each_row() - means.row(static_cast<arma::uword>(j));
    arma::mat s = xc.t() * xc / static_cast<double>(idx.n_elem);
    s.diag() += ridge;
    std::copy(s.begin(), s.end(), res.covariances.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(j) * p * p));
  }
  res.means = to_std(means);
}

bool ila_sweeps_settled(const arma::uvec& labels, const arma::uvec& prev, int sweep, const ClusterResult& res,
                        double obj) {
  return arma::all(labels == prev) && sweep > 1 &&
         std::abs(res.sweep_objective[res.sweep_objective.size() - 2] - obj) <= 1e-4 * (1.0 + std::abs(obj));
}

void set_labels(const arma::uvec& lab, ClusterResult& res) {
  res.labels.resize(lab.n_elem);
  for (arma::uword i = 0; i < lab.n_elem; ++i) res.labels[i] = static_cast<int>(lab(i));
}

arma::mat component_logdens(const arma::mat& x, const arma::mat& means, const std::vector<arma::mat>& covs,
                            const char* fn) {
  const arma::uword n = x.n_rows, p = x.n_cols, k = means.n_rows;
  arma::mat out(n, k);
  const double c0 = -0.5 * static_cast<double>(p) * std::log(2.0 * arma::datum::pi);
  for (arma::uword j = 0; j < k; ++j) {
    const arma::mat l = numeric::cholesky_lower(covs[j], fn);
    const double logdet = 2.0 * arma::accu(arma::log(l.diag()));
    arma::mat xc = x.each_row() - means.row(j);                       // n x p
    arma::mat sol = arma::solve(arma::trimatl(l), xc.t(), arma::solve_opts::fast);  // p x n
    out.col(j) = c0 - 0.5 * logdet - 0.5 * arma::sum(arma::square(sol), 0).t();
  }
  return out;
}

arma::vec logsumexp_rows(const arma::mat& a) {
  arma::vec m = arma::max(a, 1);
  arma::vec out(a.n_rows);
  for (arma::uword i = 0; i < a.n_rows; ++i) {
    if (!std::isfinite(m(i))) {
      out(i) = m(i);
      continue;
    }
    out(i) = m(i) + std::log(arma::accu(arma::exp(a.row(i) - m(i))));
  }
  return out;
}

double profile_m2ll(const arma::mat& x, const arma::uvec& labels, int k, double eps) {
  const arma::uword p = x.n_cols;
  double total = static_cast<double>(x.n_rows * p) * std::log(2.0 * arma::datum::pi);
  for (int j = 0; j < k; ++j) {
    const arma::uvec idx = arma::find(labels == static_cast<arma::uword>(j));
    if (idx.n_elem == 0) return arma::datum::inf;
    const arma::mat xs = x.rows(idx);
    const arma::rowvec mu = arma::mean(xs, 0);
    const arma::mat xc = xs.each_row() - mu;
    arma::mat s = xc.t() * xc / static_cast<double>(idx.n_elem);
    s.diag() += eps;
    double val = 0, sign = 0;
    arma::log_det(val, sign, s);
    if (!(sign > 0) || !std::isfinite(val)) return arma::datum::inf;
    total += static_cast<double>(idx.n_elem) * (static_cast<double>(p) + val);
  }
  return total;
}

std::vector<arma::mat> la_costs(const arma::mat& x, const std::vector<arma::mat>& sigma, double eps) {
  std::vector<arma::mat> c;
  c.reserve(sigma.size());
  const arma::uword n = x.n_rows;
  for (const auto& s : sigma) {
    const arma::mat omega = numeric::spd_inverse(s, "la_sdp");
    const double logdet = numeric::spd_logdet(s, "la_sdp");
    const arma::mat xo = x * omega;                     // n x p
    arma::mat g = xo * x.t();                           // x_i^T Omega x_j
    const arma::vec d = g.diag();
    arma::mat ck = -g;
    ck.each_col() += 0.5 * d;
    ck.each_row() += 0.5 * d.t();
    ck += logdet + eps * arma::trace(omega);
    ck = 0.5 * (ck + ck.t());
    (void)n;
    c.push_back(std::move(ck));
  }
  return c;
}

}  // namespace detail

std::vector<double> gaussian_logdens(data::MatView x, const std::vector<double>& mean, const std::vector<double>& cov) {
  data::check_finite("gaussian_logdens", "x", x);
  const auto p = static_cast<size_t>(x.ncol);
  check::same_size("gaussian_logdens", "mean", static_cast<int64_t>(mean.size()), x.ncol);
  check::same_size("gaussian_logdens", "cov", static_cast<int64_t>(cov.size()), x.ncol * x.ncol);
  const arma::mat xm = detail::to_arma(x);
  arma::mat mu(1, p);
  for (size_t j = 0; j < p; ++j) mu(0, j) = mean[j];
  std::vector<arma::mat> covs{arma::mat(cov.data(), p, p)};
  return detail::to_std(detail::component_logdens(xm, mu, covs, "gaussian_logdens"));
}

double mixture_loglik(data::MatView x, const std::vector<double>& means, const std::vector<double>& covs,
                      const std::vector<double>& weights) {
  data::check_finite("mixture_loglik", "x", x);
  const auto p = static_cast<arma::uword>(x.ncol);
  const auto k = static_cast<arma::uword>(weights.size());
  check::require(k >= 1, "mixture_loglik", "weights must have at least one entry");
  check::same_size("mixture_loglik", "means", static_cast<int64_t>(means.size()), static_cast<int64_t>(k * p));
  check::same_size("mixture_loglik", "covs", static_cast<int64_t>(covs.size()), static_cast<int64_t>(k * p * p));
  check::positive("mixture_loglik", "weights", weights.data(), static_cast<int64_t>(k));
  const arma::mat mu(means.data(), k, p);
  std::vector<arma::mat> cv;
  for (arma::uword j = 0; j < k; ++j) cv.emplace_back(covs.data() + j * p * p, p, p);
  arma::mat ld = detail::component_logdens(detail::to_arma(x), mu, cv, "mixture_loglik");
  for (arma::uword j = 0; j < k; ++j) ld.col(j) += std::log(weights[j]);
  return arma::accu(detail::logsumexp_rows(ld));
}

double profile_neg2_loglik(data::MatView x, const std::vector<int>& labels, int k, double eps) {
  data::check_finite("profile_neg2_loglik", "x", x);
  check::same_size("profile_neg2_loglik", "labels", static_cast<int64_t>(labels.size()), x.nrow);
  check::nonnegative("profile_neg2_loglik", "eps", eps);
  arma::uvec lab(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    check::require(labels[i] >= 0 && labels[i] < k, "profile_neg2_loglik",
                   "labels[" + std::to_string(i) + "] is " + std::to_string(labels[i]) + ", but must be in [0, k)");
    lab(i) = static_cast<arma::uword>(labels[i]);
  }
  return detail::profile_m2ll(detail::to_arma(x), lab, k, eps);
}

}  // namespace hetmod::sdpcluster
