// src/sdpcluster/scalable.cpp -- the low-rank (Burer-Monteiro) drivers of LA-SDP and iLA-SDP (spec 2.2, "NLR for
// LA-SDP"): one non-negative factor U_k (n x r) per cluster, Z_k = U_k U_k^T, nothing n x n.
//
// 1. LA-SDP: blocks from the known covariances (la_block), bm_solve, spectral rounding of sum_k Z_k through
//    the stacked factor [U_1 .. U_K] (top-k left singular vectors, k-means), clusters matched to blocks by
//    maximal mass sum_{i in c} (Z_k 1)_i (Hungarian).
// 2. iLA-SDP: alternate the covariance step from the factors, M_k = X^T diag(Z_k 1) X - (X^T U_k)(X^T U_k)^T,
//    m_k = ||U_k^T 1||^2, Sigma_k = M_k / m_k + eps I (family: full / diagonal / spherical / tied), with the
//    low-rank LA-SDP warm-started from the previous factors and multiplier. The lifted objective after each
//    covariance step and the regularised profile -2l of each sweep's rounded partition are recorded; the
//    best partition is kept (as on the exact path).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "hetmod/core/check.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster::detail {

namespace {

void summarize(const arma::mat& x, const arma::uvec& lab, int k, double ridge, ClusterResult& res) {
  partition_summary(x, lab, k, ridge, res);
  set_labels(lab, res);
}

arma::mat stack(const std::vector<arma::mat>& u) {
  arma::mat s;
  for (const auto& b : u) s = arma::join_rows(s, b);
  return s;
}

std::vector<int> match_mass(const arma::uvec& lab, const std::vector<arma::mat>& u, int k) {
  arma::mat mass(static_cast<arma::uword>(k), static_cast<arma::uword>(k), arma::fill::zeros);
  for (size_t b = 0; b < u.size(); ++b) {
    const arma::vec r = u[b] * arma::sum(u[b], 0).t();
    for (arma::uword i = 0; i < lab.n_elem; ++i) mass(lab(i), b) += r(i);
  }
  return hungarian_min(-mass);
}

std::vector<arma::mat> factor_sigma(const arma::mat& x, const std::vector<arma::mat>& u, CovType cov, double eps) {
  const arma::uword p = x.n_cols;
  std::vector<arma::mat> m(u.size());
  std::vector<double> mk(u.size());
  for (size_t b = 0; b < u.size(); ++b) {
    const arma::rowvec s = arma::sum(u[b], 0);
    const arma::vec r = u[b] * s.t();
    mk[b] = arma::dot(s, s);
    const arma::mat xu = x.t() * u[b];
    arma::mat mm = x.t() * (x.each_col() % r) - xu * xu.t();
    m[b] = 0.5 * (mm + mm.t());
  }
  return covariances_from_scatter(m, mk, cov, eps, p);
}

double lifted_value(const std::vector<BmBlock>& blocks, const std::vector<arma::mat>& u) {
  double v = 0;
  for (size_t b = 0; b < u.size(); ++b) {
    const arma::rowvec s = arma::sum(u[b], 0);
    v += arma::dot(u[b].t() * blocks[b].d, s.t()) + blocks[b].c * arma::dot(s, s) -
         arma::accu(arma::square(blocks[b].w.t() * u[b]));
  }
  return v;
}

}  // namespace

void la_sdp_lowrank(const arma::mat& x, int k, const std::vector<arma::mat>& sigma, double eps, const BmOptions& bo,
                    int n_init, Rng& rng, ClusterResult& res) {
  const arma::uword r = static_cast<arma::uword>(bo.rank > 0 ? bo.rank : 2);
  std::vector<BmBlock> blocks;
  for (int b = 0; b < k; ++b) blocks.push_back(la_block(x, sigma[static_cast<size_t>(b)], eps));
  // start: k-means partition, cluster c to the block with the highest Gaussian likelihood (Hungarian)
  const KmeansOut km = kmeans(x, k, std::min(n_init, 3), 100, rng);
  arma::mat ll(static_cast<arma::uword>(k), static_cast<arma::uword>(k), arma::fill::zeros);
  for (int b = 0; b < k; ++b) {
    const arma::mat& w = blocks[static_cast<size_t>(b)].w;  // Gaussian -2 loglik of cluster c under block b
    for (int c = 0; c < k; ++c) {
      const arma::uvec idx = arma::find(km.labels == static_cast<arma::uword>(c));
      if (idx.n_elem == 0) continue;
      const arma::mat wc = w.rows(idx);
      ll(static_cast<arma::uword>(c), static_cast<arma::uword>(b)) =
          arma::accu(arma::square(wc.each_row() - arma::mean(wc, 0))) +
          static_cast<double>(idx.n_elem) * blocks[static_cast<size_t>(b)].c;
    }
  }
  const std::vector<int> cmap = hungarian_min(ll);
  std::vector<arma::mat> u(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) u[static_cast<size_t>(cmap[static_cast<size_t>(c)])] = bm_start(km.labels, k, r, c, rng);
  res.certificate = bm_solve(blocks, bo, u);
  const arma::uvec lab = factor_round(stack(u), k, rng, n_init);
  summarize(x, lab, k, 0.0, res);
  const arma::uword p = x.n_cols;
  const std::vector<int> match = match_mass(lab, u, k);
  for (int j = 0; j < k; ++j) {
    const arma::mat& s = sigma[static_cast<size_t>(match[static_cast<size_t>(j)])];
    std::copy(s.begin(), s.end(), res.covariances.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(j) * p * p));
  }
  res.objective = res.certificate.primal_objective;
  res.converged = res.certificate.converged;
  res.iterations = res.certificate.iterations;
}

void ila_sdp_lowrank(const arma::mat& x, int k, const arma::uvec& init_labels, double eps, CovType cov, int sweeps,
                     const BmOptions& bo, int n_init, Rng& rng, ClusterResult& res) {
  const char* fn = "sdpcluster_fit";
  const arma::uword r = static_cast<arma::uword>(bo.rank > 0 ? bo.rank : 2);
  std::vector<arma::mat> u(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) {
    check::require(arma::any(init_labels == static_cast<arma::uword>(c)), fn,
                   "the initial partition has an empty cluster", Status::numerical);
    u[static_cast<size_t>(c)] = bm_start(init_labels, k, r, c, rng);
  }
  arma::vec y;
  arma::uvec best_lab = init_labels, prev = init_labels;
  double best_prof = profile_m2ll(x, init_labels, k, eps);
  std::vector<arma::mat> best_sig = factor_sigma(x, u, cov, eps), sig;
  double prev_obj = arma::datum::inf;
  int sweep = 0;
  double seconds = 0;
  int iters = 0;
  for (sweep = 1; sweep <= sweeps; ++sweep) {
    sig = factor_sigma(x, u, cov, eps);
    std::vector<BmBlock> blocks;
    for (int b = 0; b < k; ++b) blocks.push_back(la_block(x, sig[static_cast<size_t>(b)], eps));
    const double obj = lifted_value(blocks, u);
    res.sweep_objective.push_back(obj);
    const bool small_change = std::abs(prev_obj - obj) <= 1e-6 * (1.0 + std::abs(obj));
    prev_obj = obj;
    if (small_change) {
      res.converged = true;
      break;
    }
    res.certificate = bm_solve(blocks, bo, u, &y);
    seconds += res.certificate.seconds;
    iters += res.certificate.iterations;
    const arma::uvec nl = factor_round(stack(u), k, rng, n_init);
    const double prof = profile_m2ll(x, nl, k, eps);
    res.sweep_profile.push_back(prof);
    if (prof < best_prof) {
      best_prof = prof;
      best_lab = nl;
      const std::vector<arma::mat> s2 = factor_sigma(x, u, cov, eps);
      const std::vector<int> match = match_mass(nl, u, k);
      best_sig.assign(static_cast<size_t>(k), arma::mat());
      for (int j = 0; j < k; ++j) best_sig[static_cast<size_t>(j)] = s2[static_cast<size_t>(match[static_cast<size_t>(j)])];
    }
    if (ila_sweeps_settled(nl, prev, sweep, res, obj)) {
      res.converged = true;
      ++sweep;
      break;
    }
    prev = nl;
  }
  res.certificate.seconds = seconds;
  res.certificate.iterations = iters;
  res.iterations = sweep - 1;
  summarize(x, best_lab, k, eps, res);
  res.objective = best_prof;
  std::ostringstream msg;
  msg << "iLA-SDP (low-rank path): eps = " << eps << ", " << res.iterations << " sweeps";
  res.messages.push_back(msg.str());
}


ClusterResult sketch_and_lift(const arma::mat& x, int k, Method method, const Options& options, int64_t m, Rng& rng) {
  const char* fn = "sdpcluster_fit";
  const auto n = static_cast<int64_t>(x.n_rows);
  check::require(m >= k, fn,
                 "sketch gives a subsample of m = " + std::to_string(m) + " rows, but at least k = " + std::to_string(k) +
                     " are needed");
  // uniform subsample without replacement (partial Fisher-Yates), sorted
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
  for (int64_t i = 0; i < m; ++i) {
    const int64_t j = i + rng.uniform_int(n - i);
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  }
  std::vector<int64_t> idx(perm.begin(), perm.begin() + m);
  std::sort(idx.begin(), idx.end());
  arma::uvec rows(static_cast<arma::uword>(m));
  for (int64_t i = 0; i < m; ++i) rows(static_cast<arma::uword>(i)) = static_cast<arma::uword>(idx[static_cast<size_t>(i)]);
  const arma::mat xs = x.rows(rows);
  Options sub = options;
  sub.erase("sketch");
  sub.erase("keep_membership");
  ClusterResult res = fit(data::MatView(xs.memptr(), m, static_cast<int64_t>(x.n_cols)), k, method, sub, rng);
  const std::vector<int> lab = predict(res, data::MatView(x.memptr(), n, static_cast<int64_t>(x.n_cols)));
  arma::uvec al(static_cast<arma::uword>(n));
  for (int64_t i = 0; i < n; ++i) al(static_cast<arma::uword>(i)) = static_cast<arma::uword>(lab[static_cast<size_t>(i)]);
  const bool gaussian = method == Method::em_gmm || method == Method::la_sdp || method == Method::ila_sdp;
  if (gaussian) {  // keep the subsample's Gaussian parameters (they define the lift); labels and sizes for all rows
    res.labels = lab;
    res.weights.assign(static_cast<size_t>(k), 0.0);
    for (int v : lab) res.weights[static_cast<size_t>(v)] += 1.0 / static_cast<double>(n);
  } else {
    summarize(x, al, k, 0.0, res);
  }
  res.n = n;
  res.membership.clear();
  res.sketch_size = m;
  res.sketch_index = idx;
  std::ostringstream msg;
  msg << "Sketch-and-Lift: " << method_name(method) << " on a random subsample of m = " << m << " of n = " << n
      << " rows, the rest assigned by " << (gaussian ? "Gaussian likelihood" : "nearest centre");
  res.messages.push_back(msg.str());
  return res;
}

}  // namespace hetmod::sdpcluster::detail
