// src/sdpcluster/lowrank.cpp -- Burer-Monteiro / non-negative low-rank K-means SDP (spec 2.2, NLR).
//
// 1. Z = U U^T with U (n x r) >= 0 and ||U||_F^2 = k (so tr Z = k); r = 2k by default.
// 2. Augmented Lagrangian on U U^T 1 = 1 only: L(U, y) = -||X^T U||_F^2 + y^T h + beta/2 ||h||^2,
//    h = U U^T 1 - 1; gradient -2 X (X^T U) + y~ (1^T U) + 1 (y~^T U), y~ = y + beta h: O(n p r), no n x n matrix.
// 3. Inner solver: projected gradient onto {U >= 0, ||U||_F^2 = k} (max(V, 0) rescaled) with
//    Barzilai-Borwein steps and Armijo backtracking; outer update y <- y + beta h when the relative
//    change of U falls below the inner tolerance.
// 4. Data scaled to ||X||_F = 1 (so the objective is O(k) against the penalty); objectives reported on
//    the original scale.
// 5. Certificate: primal residual ||h||_2 / sqrt(n); dual residual = last relative step; gap NaN
//    (no dual bound on this non-convex path).
#include <chrono>
#include <cmath>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster::detail {

namespace {

arma::mat project_u(const arma::mat& v, double k, const arma::mat& fallback) {
  arma::mat w = arma::clamp(v, 0.0, arma::datum::inf);
  const double nw = arma::norm(w, "fro");
  if (!(nw > 0)) return fallback;
  return w * (std::sqrt(k) / nw);
}

}  // namespace

Certificate bm_kmeans(const arma::mat& x0, int k, const BmOptions& opt, Rng& rng, arma::mat& u) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const arma::uword n = x0.n_rows;
  const double dn = static_cast<double>(n);
  const double dk = static_cast<double>(k);
  const arma::uword r = static_cast<arma::uword>(opt.rank > 0 ? opt.rank : 2 * k);
  double scale2 = arma::accu(arma::square(x0));
  if (!(scale2 > 0)) scale2 = 1.0;
  const arma::mat x = x0 / std::sqrt(scale2);
  Certificate cert;
  cert.solver = "burer-monteiro";
  if (u.n_rows != n || u.n_cols != r) {  // start: k-means++ partition indicators / sqrt(n_k) plus small noise
    const arma::uvec lab = kmeans(x, k, 1, 50, rng).labels;
    u.set_size(n, r);
    for (auto& v : u) v = 0.05 * rng.uniform_open() / std::sqrt(dn);
    for (arma::uword i = 0; i < n; ++i) {
      const double nk = static_cast<double>(arma::accu(lab == lab(i)));
      u(i, lab(i)) += 1.0 / std::sqrt(nk);
    }
  }
  u = project_u(u, dk, arma::mat(n, r, arma::fill::ones));
  arma::vec y(n, arma::fill::zeros);
  const double beta = opt.beta;
  const arma::vec one(n, arma::fill::ones);
  auto lag = [&](const arma::mat& uu, arma::mat* grad) {
    const arma::mat xu = x.t() * uu;             // p x r
    const arma::rowvec cs = arma::sum(uu, 0);    // 1^T U
    const arma::vec h = uu * cs.t() - 1.0;       // U U^T 1 - 1
    const double val = -arma::accu(arma::square(xu)) + arma::dot(y, h) + 0.5 * beta * arma::dot(h, h);
    if (grad) {
      const arma::vec yt = y + beta * h;
      *grad = -2.0 * x * xu + yt * cs;
      grad->each_row() += yt.t() * uu;
    }
    return val;
  };
  arma::mat g, gold, uold;
  double alpha = 1e-2, rel = 1.0;
  const double inner_tol = std::max(opt.tol * 10.0, 1e-8);
  const double feas_tol = std::sqrt(opt.tol);
  int it = 0, outer = 0;
  cert.reason = "iteration limit";
  double f = lag(u, &g);
  int inner = 0;
  for (it = 1; it <= opt.max_iter; ++it) {
    // BB step
    if (inner > 0) {
      const arma::mat s = u - uold, dg = g - gold;
      const double sy = arma::dot(s, dg);
      if (sy > 0) alpha = std::min(1e6, std::max(1e-10, arma::dot(s, s) / sy));
    }
    arma::mat un;
    double fn = 0;
    arma::mat gn;
    for (int bt = 0; bt < 40; ++bt) {
      un = project_u(u - alpha * g, dk, u);
      fn = lag(un, &gn);
      if (fn <= f - 1e-4 / alpha * arma::accu(arma::square(un - u)) || bt == 39) break;
      alpha *= 0.5;
    }
    rel = arma::norm(un - u, "fro") / std::max(1e-300, arma::norm(u, "fro"));
    uold = u;
    gold = g;
    u = un;
    g = gn;
    f = fn;
    ++inner;
    const double outer_tol = std::max(inner_tol, 1e-3 * std::pow(0.7, outer));
    if (rel <= outer_tol || inner >= 500) {  // outer update
      const arma::vec h = u * arma::sum(u, 0).t() - 1.0;
      const double feas = arma::norm(h) / std::sqrt(dn);
      cert.primal_residual = feas;
      if (feas <= feas_tol && rel <= 10 * inner_tol) {
        cert.converged = true;
        cert.reason = "tolerance reached";
        break;
      }
      y += beta * h;
      ++outer;
      inner = 0;
      f = lag(u, &g);
    }
    if (std::chrono::duration<double>(Clock::now() - t0).count() > opt.time_limit) {
      cert.reason = "time limit";
      break;
    }
    if (it % 50 == 0) check_interrupt("bm_kmeans");
  }
  const arma::vec h = u * arma::sum(u, 0).t() - 1.0;
  cert.primal_residual = arma::norm(h) / std::sqrt(dn);
  cert.dual_residual = rel;
  cert.gap = arma::datum::nan;
  cert.iterations = std::min(it, opt.max_iter);
  cert.primal_objective = -arma::accu(arma::square(x0.t() * u));
  cert.dual_objective = arma::datum::nan;
  cert.rho = beta;
  cert.final_rank = static_cast<int>(r);
  cert.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  (void)one;
  return cert;
}

}  // namespace hetmod::sdpcluster::detail
