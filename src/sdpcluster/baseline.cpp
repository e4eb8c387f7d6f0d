// src/sdpcluster/baseline.cpp -- the K-means and EM-GMM baselines.
//
// 1. k-means++ seeding (Arthur & Vassilvitskii 2007) with 2 + floor(log k) local trials per centre.
// 2. Lloyd iterations until the labels stop changing; an empty cluster takes the point farthest
//    from its centre. Best of n_init runs by inertia (within sum of squares).
// 3. EM for Gaussian mixtures, covariance families spherical / diagonal / tied / full. The ridge r is
//    a penalty -r/2 tr(Sigma_k^-1) per point on the log-likelihood, whose exact M-step is
//    Sigma_k = S_k / N_k + r I (full; diag/spherical/tied analogues), so EM is an MM algorithm and the
//    penalised log-likelihood never decreases. E-step by log-sum-exp; several starts, each from a
//    one-run k-means; the best penalised objective wins.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/error.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster::detail {

namespace {

arma::mat sqdist(const arma::mat& x, const arma::mat& centers) {
  arma::mat d = -2.0 * x * centers.t();
  d.each_col() += arma::sum(arma::square(x), 1);
  d.each_row() += arma::sum(arma::square(centers), 1).t();
  d.transform([](double v) { return v < 0 ? 0.0 : v; });
  return d;
}

arma::uword sample_index(const arma::vec& w, double total, Rng& rng) {
  const double u = rng.uniform() * total;
  double acc = 0;
  for (arma::uword i = 0; i < w.n_elem; ++i) {
    acc += w(i);
    if (u < acc) return i;
  }
  // rounding: last positive weight
  for (arma::uword i = w.n_elem; i-- > 0;)
    if (w(i) > 0) return i;
  return w.n_elem - 1;
}

}  // namespace

arma::mat kmeanspp_seed(const arma::mat& x, int k, Rng& rng) {
  const arma::uword n = x.n_rows;
  arma::mat centers(static_cast<arma::uword>(k), x.n_cols);
  const auto first = static_cast<arma::uword>(rng.uniform_int(static_cast<int64_t>(n)));
  centers.row(0) = x.row(first);
  arma::vec closest = sqdist(x, centers.row(0)).col(0);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  for (int c = 1; c < k; ++c) {
    const double total = arma::accu(closest);
    arma::uword best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    arma::vec best_closest;
    for (int t = 0; t < trials; ++t) {
      const arma::uword cand =
          total > 0 ? sample_index(closest, total, rng) : static_cast<arma::uword>(rng.uniform_int(static_cast<int64_t>(n)));
      arma::vec nc = arma::min(closest, sqdist(x, x.row(cand)).col(0));
      const double pot = arma::accu(nc);
      if (pot < best_pot) {
        best_pot = pot;
        best = cand;
        best_closest = std::move(nc);
      }
    }
    centers.row(static_cast<arma::uword>(c)) = x.row(best);
    closest = best_closest;
  }
  return centers;
}

KmeansOut lloyd(const arma::mat& x, arma::mat centers, int max_iter) {
  const arma::uword n = x.n_rows, k = centers.n_rows;
  KmeansOut out;
  arma::uvec labels(n);
  labels.fill(k);  // invalid: forces one pass
  for (int it = 1; it <= max_iter; ++it) {
    const arma::mat d = sqdist(x, centers);
    const arma::uvec nl = arma::index_min(d, 1);
    const bool same = arma::all(nl == labels);
    labels = nl;
    out.iterations = it;
    if (same) {
      out.converged = true;
      break;
    }
    arma::mat nc(k, x.n_cols, arma::fill::zeros);
    arma::vec cnt(k, arma::fill::zeros);
    for (arma::uword i = 0; i < n; ++i) {
      nc.row(labels(i)) += x.row(i);
      cnt(labels(i)) += 1;
    }
    arma::vec mind = arma::min(d, 1);
    for (arma::uword j = 0; j < k; ++j) {
      if (cnt(j) > 0) {
        centers.row(j) = nc.row(j) / cnt(j);
      } else {  // empty cluster: the worst-fitted point becomes its centre
        const arma::uword far = mind.index_max();
        centers.row(j) = x.row(far);
        mind(far) = -1;
        labels(far) = j;
      }
    }
  }
  const arma::mat d = sqdist(x, centers);
  out.labels = arma::index_min(d, 1);
  // final centres = means of the final labels (non-empty clusters)
  for (arma::uword j = 0; j < k; ++j) {
    const arma::uvec idx = arma::find(out.labels == j);
    if (idx.n_elem > 0) centers.row(j) = arma::mean(x.rows(idx), 0);
  }
  out.centers = centers;
  double inertia = 0;
  for (arma::uword i = 0; i < n; ++i) inertia += arma::accu(arma::square(x.row(i) - centers.row(out.labels(i))));
  out.inertia = inertia;
  return out;
}

KmeansOut kmeans(const arma::mat& x, int k, int n_init, int max_iter, Rng& rng) {
  KmeansOut best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int s = 0; s < std::max(1, n_init); ++s) {
    KmeansOut r = lloyd(x, kmeanspp_seed(x, k, rng), max_iter);
    if (r.inertia < best.inertia) best = std::move(r);
  }
  return best;
}

namespace {

struct GmmParams {
  arma::mat means;
  std::vector<arma::mat> covs;
  arma::vec weights;
};

void m_step(const arma::mat& x, const arma::mat& resp, CovType cov, double ridge, GmmParams& g) {
  const arma::uword n = x.n_rows, p = x.n_cols, k = resp.n_cols;
  arma::rowvec nk = arma::sum(resp, 0);
  nk.transform([](double v) { return std::max(v, 1e-10); });
  g.weights = (nk / arma::accu(nk)).t();
  g.means = resp.t() * x;
  g.means.each_col() /= nk.t();
  g.covs.assign(k, arma::mat());
  arma::mat pooled(p, p, arma::fill::zeros);
  for (arma::uword j = 0; j < k; ++j) {
    const arma::mat xc = x.each_row() - g.means.row(j);
    const arma::mat wx = xc.each_col() % resp.col(j);
    arma::mat s = xc.t() * wx;  // S_k (unnormalised)
    s = 0.5 * (s + s.t());
    switch (cov) {
      case CovType::full:
        g.covs[j] = s / nk(j) + ridge * arma::eye(p, p);
        break;
      case CovType::diagonal:
        g.covs[j] = arma::diagmat(s.diag() / nk(j) + ridge);
        break;
      case CovType::spherical:
        g.covs[j] = (arma::trace(s) / (static_cast<double>(p) * nk(j)) + ridge) * arma::eye(p, p);
        break;
      case CovType::tied:
        pooled += s;
        break;
    }
  }
  if (cov == CovType::tied) {
    const arma::mat t = pooled / static_cast<double>(n) + ridge * arma::eye(p, p);
    for (auto& c : g.covs) c = t;
  }
}

// Returns per-point log of sum_k w_k f~_k (penalised densities) and fills resp; also the plain loglik.
double e_step(const arma::mat& x, const GmmParams& g, double ridge, arma::mat& resp, double* plain) {
  arma::mat ld = component_logdens(x, g.means, g.covs, "em_gmm");
  for (arma::uword j = 0; j < ld.n_cols; ++j) ld.col(j) += std::log(g.weights(j));
  if (plain) *plain = arma::accu(logsumexp_rows(ld));
  if (ridge > 0)
    for (arma::uword j = 0; j < ld.n_cols; ++j) ld.col(j) -= 0.5 * ridge * arma::trace(arma::inv_sympd(g.covs[j]));
  const arma::vec lse = logsumexp_rows(ld);
  resp = arma::exp(ld.each_col() - lse);
  return arma::accu(lse);
}

int gmm_df(CovType cov, int k, int p) {
  int c = 0;
  switch (cov) {
    case CovType::spherical: c = k; break;
    case CovType::diagonal: c = k * p; break;
    case CovType::tied: c = p * (p + 1) / 2; break;
    case CovType::full: c = k * p * (p + 1) / 2; break;
  }
  return (k - 1) + k * p + c;
}

}  // namespace

GmmOut em_gmm(const arma::mat& x, int k, CovType cov, double ridge, int n_init, int max_iter, double tol, Rng& rng,
              const arma::uvec& init_labels) {
  const arma::uword n = x.n_rows;
  GmmOut best;
  best.penalized = -std::numeric_limits<double>::infinity();
  bool have = false;
  for (int s = 0; s < std::max(1, n_init); ++s) {
    arma::uvec lab;
    if (s == 0 && init_labels.n_elem == n) {
      lab = init_labels;
    } else {
      lab = kmeans(x, k, 1, 300, rng).labels;
    }
    arma::mat resp(n, static_cast<arma::uword>(k), arma::fill::zeros);
    for (arma::uword i = 0; i < n; ++i) resp(i, lab(i)) = 1.0;
    GmmParams g;
    GmmOut out;
    double prev = -std::numeric_limits<double>::infinity();
    try {
      for (int it = 1; it <= max_iter; ++it) {
        m_step(x, resp, cov, ridge, g);
        double plain = 0;
        const double obj = e_step(x, g, ridge, resp, &plain);
        out.trace.push_back(obj);
        out.loglik_trace.push_back(plain);
        out.iterations = it;
        if (std::abs(obj - prev) <= tol * (1.0 + std::abs(obj))) {
          out.converged = true;
          break;
        }
        prev = obj;
      }
    } catch (const hetmod::Error&) {
      if (s + 1 < std::max(1, n_init) || have) continue;  // degenerate start: try the next one
      throw;
    }
    // final quantities at the last parameters
    double plain = 0;
    out.penalized = e_step(x, g, ridge, resp, &plain);
    out.loglik = plain;
    out.means = g.means;
    out.covs = g.covs;
    out.weights = g.weights;
    out.resp = resp;
    out.labels = arma::index_max(resp, 1);
    out.df = gmm_df(cov, k, static_cast<int>(x.n_cols));
    if (!have || out.penalized > best.penalized) {
      best = std::move(out);
      have = true;
    }
  }
  return best;
}

}  // namespace hetmod::sdpcluster::detail
