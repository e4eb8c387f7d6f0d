// src/sdpcluster/lowrank.cpp -- Burer-Monteiro / non-negative low-rank SDP solver (spec 2.2, NLR), for the
// Peng-Wei K-means SDP (one block) and the lifted LA-SDP (one factor per cluster).
//
// 1. Blocks b = 1..B with cost C_b = 1/2 (d_b 1^T + 1 d_b^T) + c_b J - W_b W_b^T (never formed: W_b is
//    n x q), Z_b = U_b U_b^T with U_b (n x r) >= 0 and ||U_b||_F^2 = t_b (so tr Z_b = t_b).
//    Peng-Wei: one block, W = X (centred), d = 0, c = 0, t = k. LA-SDP: W_b = X L_b (L_b L_b^T = Omega_b),
//    d_b = diag(X Omega_b X^T), c_b = log det Sigma_b + eps tr Omega_b, t_b = 1.
//    <C_b, U U^T> = (U^T d_b) . s + c_b ||s||^2 - ||W_b^T U||^2 with s = U^T 1: O(n q r) per block.
// 2. Only sum_b Z_b 1 = 1 enters an augmented Lagrangian L = f/nu + y^T h + beta/2 ||h||^2,
//    h = sum_b U_b s_b - 1 (nu = mean squared row norm of the W_b: balances cost and penalty).
// 3. Inner solver: spectral projected gradient (Birgin-Martinez-Raydan SPG: alternating Barzilai-Borwein
//    steps, non-monotone Armijo search over the last 10 values along the projection arc) on the product of
//    the sets {U >= 0, ||U||_F^2 = t} (projection: max(V, 0) rescaled). Inner KKT tolerance 1e-2, halved
//    per outer step down to tol_kkt / 2; at most max_inner steps per subproblem.
// 4. Outer: y <- y + beta h; beta x4 (cap 1e6) when ||h|| fell by less than a factor 4.
// 5. Stopping rule (certificate): primal residual ||h||_2 / sqrt(n) <= tol and relative KKT residual of the
//    Lagrangian gradient (radial multiplier removed, sign condition on the active bounds) <= tol_kkt
//    (default max(10 tol, 1e-4): the last digits of stationarity cost many steps on this non-convex path).
//    gap is NaN (no dual bound on this non-convex path); iterations = total SPG steps.
// 6. Second-order escape (find_escape; currently disabled, max_escape = 0): at a first-order point a new
//    column eps v, v >= 0, lowers the Lagrangian iff v^T Chat v < mu / 2 (Chat = C / nu + sym(ytilde 1^T),
//    mu the radial multiplier), a copositivity test searched by projected power iterations; the column is
//    appended with a backtracking search on the augmented Lagrangian after resetting y <- ytilde and beta.
//    Why: the non-tight failures (iris subset, D5) are spurious stationary points of the nonnegative
//    factorisation (the exact optimum Z* is completely positive of rank <= 2k + 1 there, and
//    <Chat - mu/2 I, Z*> < 0 at the stuck point), not a rank deficit: raising the rank to 40 does not help.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster::detail {

namespace {

using Us = std::vector<arma::mat>;

void project_block(arma::mat& v, double t, const arma::mat& fallback) {
  v.transform([](double a) { return a > 0 ? a : 0.0; });
  const double nv = arma::norm(v, "fro");
  if (!(nv > 0)) {
    v = fallback;
    return;
  }
  v *= std::sqrt(t) / nv;
}

struct Problem {
  const std::vector<BmBlock>* blocks;
  arma::uword n;
  double nu;
  // value of sum_b <C_b, U_b U_b^T> / nu and the row sums h = sum_b U_b s_b - 1
  double cost(const Us& u, arma::vec& h, std::vector<arma::rowvec>* s_out, std::vector<arma::mat>* wu_out) const {
    h.zeros(n);
    double f = 0;
    for (size_t b = 0; b < u.size(); ++b) {
      const BmBlock& bl = (*blocks)[b];
      const arma::rowvec s = arma::sum(u[b], 0);
      const arma::mat wu = bl.w.t() * u[b];
      double v = -arma::accu(arma::square(wu));
      if (!bl.d.is_empty()) v += arma::dot(u[b].t() * bl.d, s.t());
      if (bl.c != 0) v += bl.c * arma::dot(s, s);
      f += v;
      h += u[b] * s.t();
      if (s_out) (*s_out)[b] = s;
      if (wu_out) (*wu_out)[b] = wu;
    }
    h -= 1.0;
    return f / nu;
  }
  // augmented Lagrangian value and gradient
  double lag(const Us& u, const arma::vec& y, double beta, Us* g, arma::vec* hout = nullptr) const {
    arma::vec h;
    std::vector<arma::rowvec> s(u.size());
    std::vector<arma::mat> wu(u.size());
    const double f = cost(u, h, &s, &wu);
    const double val = f + arma::dot(y, h) + 0.5 * beta * arma::dot(h, h);
    if (g) {
      const arma::vec yt = y + beta * h;
      g->resize(u.size());
      for (size_t b = 0; b < u.size(); ++b) {
        const BmBlock& bl = (*blocks)[b];
        arma::mat& gb = (*g)[b];
        gb = (-2.0 / nu) * (bl.w * wu[b]);
        arma::rowvec row = yt.t() * u[b];  // 1 (y~^T U)
        arma::vec col = yt;                // y~ s^T
        if (!bl.d.is_empty()) {
          row += (1.0 / nu) * (bl.d.t() * u[b]);
          col += (1.0 / nu) * bl.d;
        }
        gb += col * s[b];
        if (bl.c != 0) gb.each_row() += (2.0 * bl.c / nu) * s[b];
        gb.each_row() += row;
      }
    }
    if (hout) *hout = h;
    return val;
  }
};

double dot_all(const Us& a, const Us& b) {
  double v = 0;
  for (size_t i = 0; i < a.size(); ++i) v += arma::dot(a[i], b[i]);
  return v;
}

// Relative first-order KKT residual on {U_b >= 0, ||U_b||^2 = t_b} for gradient g.
double kkt_residual(const Us& u, const Us& g) {
  double num = 0, den = 0;
  for (size_t b = 0; b < u.size(); ++b) {
    const double uu = arma::dot(u[b], u[b]);
    const double mu = uu > 0 ? arma::dot(g[b], u[b]) / uu : 0.0;
    const double* pu = u[b].memptr();
    const double* pg = g[b].memptr();
    for (arma::uword i = 0; i < u[b].n_elem; ++i) {
      const double r = pu[i] > 0 ? pg[i] - mu * pu[i] : std::min(pg[i], 0.0);
      num += r * r;
      den += pg[i] * pg[i];
    }
  }
  return std::sqrt(num) / (1.0 + std::sqrt(den));
}

// Second-order escape (nonnegative Burer-Monteiro has spurious first-order points: a zero column is always
// stationary). At a first-order point G_b = 2 Chat_b U_b = mu_b U_b on the support, Chat_b = C_b / nu +
// sym(ytilde 1^T); a new column eps v (v >= 0, ||v|| = 1, rest rescaled to keep ||U_b||^2 = t_b) changes
// the Lagrangian by eps^2 (v^T Chat_b v - mu_b / 2). Search v by the projected power (MM) method on
// {v >= 0, ||v|| = 1} from several starts; return the most negative value and its v.
struct Escape {
  double value = 0;  // v^T Chat v - mu / 2 (relative to the scale of Chat)
  double scale = 1;
  arma::vec v;
};

arma::vec chat_times(const BmBlock& bl, const arma::vec& yt, double nu, const arma::vec& v) {
  const double sv = arma::accu(v);
  arma::vec out = (-1.0 / nu) * (bl.w * (bl.w.t() * v));
  if (!bl.d.is_empty()) out += (0.5 / nu) * (bl.d * sv + arma::dot(bl.d, v));
  if (bl.c != 0) out += (bl.c / nu) * sv;
  out += 0.5 * (yt * sv + arma::dot(yt, v));
  return out;
}

Escape find_escape(const BmBlock& bl, const arma::vec& yt, double nu, const arma::mat& u, double mu, Rng& rng) {
  const arma::uword n = u.n_rows;
  // spectral bound of Chat by power iteration (x1.1 safety + shift): MM needs L I - A psd
  arma::vec q(n);
  for (auto& e : q) e = rng.uniform_open() - 0.5;
  q /= arma::norm(q);
  double lam = 0;
  for (int i = 0; i < 30; ++i) {
    arma::vec z = chat_times(bl, yt, nu, q);
    lam = arma::norm(z);
    if (!(lam > 0)) break;
    q = z / lam;
  }
  const double big = 1.1 * lam + std::abs(mu) + 1e-12;
  Escape best;
  best.value = 0;
  std::vector<arma::vec> starts;
  for (arma::uword c = 0; c < u.n_cols; ++c)
    if (arma::norm(u.col(c)) > 0) starts.push_back(u.col(c));
  for (int s = 0; s < 4; ++s) {
    arma::vec r(n);
    for (auto& e : r) e = rng.uniform_open();
    starts.push_back(r);
  }
  {  // coordinate starts at the most negative diagonal entries of Chat - mu/2 I
    arma::vec dg = (-1.0 / nu) * arma::sum(arma::square(bl.w), 1) + yt;
    if (!bl.d.is_empty()) dg += bl.d / nu;
    dg += bl.c / nu;
    const arma::uvec ord = arma::sort_index(dg);
    for (arma::uword i = 0; i < std::min<arma::uword>(n, 20); ++i) {
      arma::vec e(n, arma::fill::zeros);
      e(ord(i)) = 1.0;
      starts.push_back(e);
    }
  }
  {
    arma::vec pp = arma::clamp(q, 0.0, arma::datum::inf), nn = arma::clamp(-q, 0.0, arma::datum::inf);
    if (arma::norm(pp) > 0) starts.push_back(pp);
    if (arma::norm(nn) > 0) starts.push_back(nn);
  }
  for (arma::vec v : starts) {
    v /= arma::norm(v);
    double val = 0;
    for (int it = 0; it < 2000; ++it) {
      const arma::vec av = chat_times(bl, yt, nu, v) - 0.5 * mu * v;
      const double nv = arma::dot(v, av);
      arma::vec w = big * v - av;
      w.transform([](double a) { return a > 0 ? a : 0.0; });
      const double nw = arma::norm(w);
      if (!(nw > 0)) break;
      w /= nw;
      const double dv = arma::norm(w - v);
      v = w;
      val = nv;
      if (dv < 1e-9) break;
    }
    val = arma::dot(v, chat_times(bl, yt, nu, v)) - 0.5 * mu * arma::dot(v, v);
    if (val < best.value) {
      best.value = val;
      best.v = v;
    }
  }
  best.value /= big;
  best.scale = big;
  return best;
}

}  // namespace

Certificate bm_solve(const std::vector<BmBlock>& blocks, const BmOptions& opt, std::vector<arma::mat>& u,
                     arma::vec* y_io) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  check::require(!blocks.empty() && blocks.size() == u.size(), "bm_solve", "blocks and factors must match");
  const arma::uword n = u[0].n_rows;
  const double dn = static_cast<double>(n);
  double nu = 0;
  for (const auto& b : blocks) nu += arma::accu(arma::square(b.w)) / dn;
  nu /= static_cast<double>(blocks.size());
  if (!(nu > 0)) nu = 1.0;
  Problem pr{&blocks, n, nu};
  Us fallback(u.size());
  for (size_t b = 0; b < u.size(); ++b) {
    fallback[b] = arma::mat(n, u[b].n_cols, arma::fill::ones);
    project_block(fallback[b], blocks[b].t, fallback[b]);
    project_block(u[b], blocks[b].t, fallback[b]);
  }
  arma::vec y = (y_io && y_io->n_elem == n) ? *y_io : arma::vec(n, arma::fill::zeros);
  double beta = opt.beta > 0 ? opt.beta : 1.0;
  const double tol = opt.tol;
  const double tol_kkt = opt.tol_kkt > 0 ? opt.tol_kkt : std::max(opt.tol * 10.0, 1e-4);
  Certificate cert;
  cert.solver = blocks.size() == 1 ? "burer-monteiro" : "burer-monteiro-lifted";
  cert.reason = "iteration limit";
  double eps_in = 1e-2;
  const double eps_fac = 0.5;  // inner tolerance x0.5 per outer step
  double feas_prev = arma::datum::inf, feas = arma::datum::inf, kkt = arma::datum::inf;
  int it = 0, outer = 0;
  bool stop = false;
  Us g, gold, uold, un(u.size()), gn;
  arma::vec h;
  const int memory = 10;
  int escapes = 0;
  // Second-order escapes: OFF (0) until validated. With 20 the iris k = 4 subset reaches the exact objective
  // to 6e-5 (from +5.6%), but the runs still stopping at the iteration limit are unchanged (inner solver).
  const int max_escape = 0;
  const double escape_tol = 1e-7;
  arma::uword max_rank = 0;
  for (const auto& b : u) max_rank = std::max(max_rank, b.n_cols);
  max_rank = 2 * max_rank + 4;
  Rng erng(20240531);
  const double beta_max = 1e6;
  while (!stop) {
    ++outer;
    // ---- inner SPG on L(., y, beta) ----
    double f = pr.lag(u, y, beta, &g, &h);
    std::deque<double> recent{f};
    double gnorm = std::sqrt(dot_all(g, g));
    double unorm = std::sqrt(dot_all(u, u));
    double alpha = gnorm > 0 ? 0.1 * unorm / gnorm : 1.0;
    int inner = 0;  // per subproblem
    for (;;) {
      kkt = kkt_residual(u, g);
      if (kkt <= eps_in || inner >= opt.max_inner) break;
      if (it >= opt.max_iter) {
        stop = true;
        break;
      }
      if (std::chrono::duration<double>(Clock::now() - t0).count() > opt.time_limit) {
        cert.reason = "time limit";
        stop = true;
        break;
      }
      const double fmax = *std::max_element(recent.begin(), recent.end());
      double fn = 0;
      for (int bt = 0; bt < 50; ++bt) {
        for (size_t b = 0; b < u.size(); ++b) {
          un[b] = u[b] - alpha * g[b];
          project_block(un[b], blocks[b].t, u[b]);
        }
        fn = pr.lag(un, y, beta, &gn, nullptr);
        double dec = 0;
        for (size_t b = 0; b < u.size(); ++b) dec += arma::dot(g[b], un[b] - u[b]);
        if (fn <= fmax + 1e-4 * dec || bt == 49) break;
        alpha *= 0.3;
      }
      // BB step (alternating BB1 / BB2)
      double ss = 0, sy = 0, yy = 0;
      for (size_t b = 0; b < u.size(); ++b) {
        const arma::mat sb = un[b] - u[b], yb = gn[b] - g[b];
        ss += arma::dot(sb, sb);
        sy += arma::dot(sb, yb);
        yy += arma::dot(yb, yb);
      }
      if (sy > 0) {
        alpha = (it % 2 == 0) ? ss / sy : sy / yy;
        alpha = std::min(1e10, std::max(1e-14, alpha));
      } else {
        alpha = std::min(1e10, alpha * 4.0);
      }
      std::swap(u, un);
      std::swap(g, gn);
      f = fn;
      recent.push_back(f);
      if (static_cast<int>(recent.size()) > memory) recent.pop_front();
      ++it;
      ++inner;
      if (it % 50 == 0) check_interrupt("bm_solve");
    }
    // ---- outer: feasibility and multiplier ----
    pr.lag(u, y, beta, nullptr, &h);
    feas = arma::norm(h) / std::sqrt(dn);
    if (feas <= tol && kkt <= tol_kkt) {
      // second-order check: inject a descent column when one exists (at most max_escape times)
      bool injected = false;
      if (escapes < max_escape) {
        const arma::vec yt = y + beta * h;
        {  // escape on the Lagrangian with the multiplier ytilde and the initial penalty
          y = yt;
          beta = opt.beta > 0 ? opt.beta : 1.0;
          feas_prev = arma::datum::inf;
        }
        Us gg;
        pr.lag(u, y, beta, &gg, nullptr);
        for (size_t b = 0; b < u.size(); ++b) {
          const double uu = arma::dot(u[b], u[b]);
          const double mu = uu > 0 ? arma::dot(gg[b], u[b]) / uu : 0.0;
          const Escape e = find_escape(blocks[b], yt, nu, u[b], mu, erng);
          if (!(e.value < -escape_tol)) continue;
          arma::uword col = 0;
          const arma::rowvec cn = arma::sum(arma::square(u[b]), 0);
          col = cn.index_min();
          const double share = 0.1 * blocks[b].t;
          // a new column (adding to an existing one keeps its first-order balance); at the rank cap, the
          // smallest column receives the direction
          if (u[b].n_cols < std::min<arma::uword>(n, max_rank)) {
            u[b].insert_cols(u[b].n_cols, 1);
            col = u[b].n_cols - 1;
          }
          // backtracking on the augmented Lagrangian along the escape curve
          const double l0 = pr.lag(u, y, beta, nullptr, nullptr);
          const arma::mat keep = u[b];
          double sh = share;
          bool ok = false;
          for (int bt = 0; bt < 40 && !ok; ++bt, sh *= 0.25) {
            u[b] = keep;
            u[b].col(col) += std::sqrt(sh) * e.v;
            project_block(u[b], blocks[b].t, keep);
            const double l1 = pr.lag(u, y, beta, nullptr, nullptr);
            ok = l1 < l0 - 1e-12 * std::abs(l0);
          }
          if (!ok) {
            u[b] = keep;
            continue;
          }
          injected = true;
        }
        ++escapes;
      }
      if (!injected) {
        cert.converged = true;
        cert.reason = "tolerance reached (first-order stationarity of the factorised problem; no SDP duality certificate on this path)";
        break;
      }
      eps_in = std::max(1e-3, 0.5 * tol_kkt);
      continue;
    }
    if (stop) break;
    y += beta * h;
    if (feas > 0.25 * feas_prev) beta = std::min(beta * 4.0, beta_max);
    feas_prev = feas;
    eps_in = std::max(eps_in * eps_fac, 0.5 * tol_kkt);
  }
  if (y_io) *y_io = y;
  cert.iterations = it;
  cert.primal_residual = feas;
  cert.dual_residual = kkt;
  cert.gap = arma::datum::nan;
  arma::vec hh;
  cert.primal_objective = pr.cost(u, hh, nullptr, nullptr) * nu;
  cert.dual_objective = arma::datum::nan;
  cert.rho = beta;
  cert.final_rank = static_cast<int>(u[0].n_cols);
  cert.partial_eigs = outer;  // outer (multiplier) updates; no eigen-decompositions on this path
  cert.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return cert;
}

arma::mat bm_start(const arma::uvec& lab, int k, arma::uword r, int cluster, Rng& rng) {
  // indicator of `cluster` (or all clusters, one per column, if cluster < 0), / sqrt(n_c), plus noise
  const arma::uword n = lab.n_elem;
  arma::mat u(n, r);
  const double dn = static_cast<double>(n);
  for (auto& v : u) v = 0.01 * rng.uniform_open() / std::sqrt(dn);
  arma::vec sizes(static_cast<arma::uword>(k), arma::fill::zeros);
  for (arma::uword i = 0; i < n; ++i) sizes(lab(i)) += 1;
  for (arma::uword i = 0; i < n; ++i) {
    const auto c = static_cast<int>(lab(i));
    if (cluster < 0 && static_cast<arma::uword>(c) < r) u(i, static_cast<arma::uword>(c)) += 1.0 / std::sqrt(sizes(lab(i)));
    if (cluster >= 0 && c == cluster) u(i, 0) += 1.0 / std::sqrt(sizes(lab(i)));
  }
  return u;
}

Certificate bm_kmeans(const arma::mat& x, int k, const BmOptions& opt, Rng& rng, arma::mat& u) {
  const arma::uword r = static_cast<arma::uword>(opt.rank > 0 ? opt.rank : 2 * k);
  if (u.n_rows != x.n_rows || u.n_cols != r) u = bm_start(kmeans(x, k, 1, 50, rng).labels, k, r, -1, rng);
  std::vector<BmBlock> blocks(1);
  blocks[0].w = x;
  blocks[0].t = static_cast<double>(k);
  std::vector<arma::mat> us{u};
  const Certificate c = bm_solve(blocks, opt, us, nullptr);
  u = us[0];
  return c;
}

BmBlock la_block(const arma::mat& x, const arma::mat& sigma, double eps) {
  const char* fn = "la_sdp";
  arma::mat sig = 0.5 * (sigma + sigma.t());
  arma::mat rinv;
  arma::mat l;
  if (!arma::chol(l, sig, "lower")) check::fail(fn, "a covariance matrix is not positive definite", Status::domain);
  // Omega = Sigma^-1 = L^-T L^-1; W = X L^-T (n x p): W W^T = X Omega X^T
  const arma::mat linv = arma::inv(arma::trimatl(l));
  BmBlock b;
  b.w = x * linv.t();
  b.d = arma::sum(arma::square(b.w), 1);
  double ld = 2.0 * arma::accu(arma::log(l.diag()));
  b.c = ld + eps * arma::accu(arma::square(linv));  // tr Omega = ||L^-1||_F^2
  b.t = 1.0;
  return b;
}

}  // namespace hetmod::sdpcluster::detail
