// src/sdpcluster/lowrank.cpp -- Burer-Monteiro / non-negative low-rank SDP solver (spec 2.2, NLR), for the
// Peng-Wei K-means SDP (one block) and the lifted LA-SDP (one factor per cluster).
//
// 1. Blocks b = 1..B with cost C_b = 1/2 (d_b 1^T + 1 d_b^T) + c_b J - W_b W_b^T (never formed: W_b is
//    n x q), Z_b = U_b U_b^T with U_b (n x r) >= 0.
//    Peng-Wei: one block, W = X (centred), d = 0, c = 0, t = k. LA-SDP: W_b = X L_b (L_b L_b^T = Omega_b),
//    d_b = diag(X Omega_b X^T), c_b = log det Sigma_b + eps tr Omega_b, t_b = 1.
//    <C_b, U U^T> = (U^T d_b) . s + c_b ||s||^2 - ||W_b^T U||^2 with s = U^T 1: O(n q r) per block.
// 2. Augmented Lagrangian on the equality constraints h = sum_b U_b s_b - 1 (n rows) and
//    q_b = ||U_b||_F^2 - t_b (trace), L = f/nu + y^T h + z^T q + beta/2 (||h||^2 + ||q||^2)
//    (nu = mean squared row norm of the W_b: balances cost and penalty). Only U >= 0 stays in the
//    subproblem, a bound-constrained problem.
// 3. Inner solver: projected L-BFGS (two-metric projection in the style of Bertsekas / L-BFGS-B: quasi-Newton
//    direction on the free variables, scaled gradient on the epsilon-active bounds, Armijo search along the
//    projection arc max(U + a d, 0)); memory 8; stops at relative projected-gradient residual eps_in.
//    Warm start across outer iterations (factors and multipliers).
// 4. Outer: y <- y + beta h, z <- z + beta q (standard first-order multiplier update); beta x4 only when the
//    infeasibility fell by less than a factor 4, capped at 1e5 (bounded penalty); eps_in x0.3 per outer step
//    down to tol_kkt / 2.
// 5. Second-order escape: at a converged first-order point, a new column eps v (v >= 0) lowers the
//    Lagrangian iff v^T M_b v < 0, M_b = C_b / nu + sym(ytilde 1^T) + ztilde_b I (the dual slack S_b = nu M_b
//    without the nonnegativity multiplier; v >= 0 makes that multiplier irrelevant: a copositivity test).
//    Searched by projected power iterations from the factor's columns, random points, the most negative
//    diagonal entries and both signs of the min eigenvector of M_b (exact on the low-rank structure); the
//    column is appended (up to rank 2 r + 4) with a backtracking search on L, and the ALM continues.
//    Why: the nonnegative factorisation has spurious first-order points (iris subset k = 4 stopped 5.6%
//    above the exact objective, D5 +0.9%; raising the rank does not help). Off by default (max_escape = 0):
//    with the L-BFGS inner solver, accurate subproblem solves and the bounded penalty those cases reach the
//    exact objective to 1e-8 without escapes, while at n = 5000 (tight isotropic design) the test fired on
//    multiplier error and doubled the run time without changing the objective. An escape is taken only
//    when it lowers L by >= 1e-9 (1 + |L|) on the current penalty; escapes end when one did not lower the
//    objective.
// 6. Certificate: primal residual max(||h||_2 / sqrt(n), max_b |q_b| / t_b); dual_residual = relative KKT
//    residual of the factorised problem; a valid lower bound on the SDP optimum from weak duality:
//    for any lambda and N_b >= 0, sum_b <C_b, Z_b> >= 1^T lambda + sum_b t_b lambda_min(C_b - sym(lambda 1^T) - N_b)
//    over the feasible set (Z_b psd, >= 0, tr Z_b = t_b). lambda = -nu ytilde. N_b: for n <= 200
//    (dense), the positive part of C_b - sym(lambda 1^T) off the support of Z_b, then 15 alternating
//    projections between {N >= 0, zero on the support of Z_b} and {C_b - sym(lambda 1^T) - zeta_b I - N psd}
//    (zeta_b = -nu ztilde_b); above, N_b = 0 and lambda_min is exact from a QR of the
//    low-rank basis [W_b, d_b + nu ytilde, 1] (O(n q^2); nothing n x n) -- valid but loose when the
//    nonnegativity constraint binds. dual_objective = that bound; gap = (primal - bound) / (1 + |primal| +
//    |bound|); dual_min_eig = min_b lambda_min(S_b) / ||C_b||_2 with S_b = C_b - sym(lambda 1^T) - zeta_b I - N_b.
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

void clamp0(arma::mat& v) {
  v.transform([](double a) { return a > 0 ? a : 0.0; });
}

void rescale_block(arma::mat& v, double t, const arma::mat& fallback) {
  clamp0(v);
  const double nv = arma::norm(v, "fro");
  if (!(nv > 0)) {
    v = fallback;
    return;
  }
  v *= std::sqrt(t) / nv;
}

double dot_all(const Us& a, const Us& b) {
  double v = 0;
  for (size_t i = 0; i < a.size(); ++i) v += arma::dot(a[i], b[i]);
  return v;
}

struct Problem {
  const std::vector<BmBlock>* blocks;
  arma::uword n;
  double nu;
  // sum_b <C_b, U_b U_b^T> / nu, row sums h = sum_b U_b s_b - 1, traces q_b = ||U_b||^2 - t_b
  double cost(const Us& u, arma::vec& h, arma::vec& q, std::vector<arma::rowvec>* s_out,
              std::vector<arma::mat>* wu_out) const {
    h.zeros(n);
    q.zeros(u.size());
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
      q(b) = arma::dot(u[b], u[b]) - bl.t;
      if (s_out) (*s_out)[b] = s;
      if (wu_out) (*wu_out)[b] = wu;
    }
    h -= 1.0;
    return f / nu;
  }
  // augmented Lagrangian value and gradient
  double lag(const Us& u, const arma::vec& y, const arma::vec& z, double beta, Us* g, arma::vec* hout = nullptr,
             arma::vec* qout = nullptr) const {
    arma::vec h, q;
    std::vector<arma::rowvec> s(u.size());
    std::vector<arma::mat> wu(u.size());
    const double f = cost(u, h, q, &s, &wu);
    const double val = f + arma::dot(y, h) + arma::dot(z, q) + 0.5 * beta * (arma::dot(h, h) + arma::dot(q, q));
    if (g) {
      const arma::vec yt = y + beta * h;
      const arma::vec zt = z + beta * q;
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
        gb += (2.0 * zt(b)) * u[b];
      }
    }
    if (hout) *hout = h;
    if (qout) *qout = q;
    return val;
  }
};

// Relative first-order KKT residual on {U >= 0} for gradient g (projected gradient).
double kkt_residual(const Us& u, const Us& g) {
  double num = 0, den = 0;
  for (size_t b = 0; b < u.size(); ++b) {
    const double* pu = u[b].memptr();
    const double* pg = g[b].memptr();
    for (arma::uword i = 0; i < u[b].n_elem; ++i) {
      const double r = pu[i] > 0 ? pg[i] : std::min(pg[i], 0.0);
      num += r * r;
      den += pg[i] * pg[i];
    }
  }
  return std::sqrt(num) / (1.0 + std::sqrt(den));
}

// Projected L-BFGS on L(., y, z, beta) over U >= 0 (two-metric projection).
struct InnerCtl {
  int max_inner = 0, max_iter = 0;
  double time_limit = 0;
  std::chrono::steady_clock::time_point t0;
};

double inner_lbfgs(const Problem& pr, Us& u, const arma::vec& y, const arma::vec& z, double beta, double eps_in,
                   const InnerCtl& ctl, int& it, int& status) {
  // status: 0 tolerance or stalled, 1 iteration limit, 2 time limit
  status = 0;
  const size_t nb = u.size();
  Us g, un, gn, d(nb);
  double f = pr.lag(u, y, z, beta, &g);
  const int memory = 8;
  std::deque<Us> ss, ys;
  std::deque<double> rho;
  double gamma = 0;
  int inner = 0;
  double kkt = kkt_residual(u, g);
  while (kkt > eps_in && inner < ctl.max_inner) {
    if (it >= ctl.max_iter) {
      status = 1;
      break;
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - ctl.t0).count() > ctl.time_limit) {
      status = 2;
      break;
    }
    if (!(gamma > 0)) {
      const double gn2 = std::sqrt(dot_all(g, g)), un2 = std::sqrt(dot_all(u, u));
      gamma = gn2 > 0 ? std::min(1.0, 0.1 * std::max(un2, 1e-8) / gn2) : 1.0;
    }
    // epsilon-active set: at (or within eps of) the bound with a positive gradient
    double pgn = 0;
    for (size_t b = 0; b < nb; ++b) {
      const arma::mat pu = arma::clamp(u[b] - g[b], 0.0, arma::datum::inf) - u[b];
      pgn += arma::dot(pu, pu);
    }
    const double eact = std::min(std::sqrt(pgn), 1e-6);
    std::vector<arma::umat> act(nb);
    for (size_t b = 0; b < nb; ++b) act[b] = (u[b] <= eact) % (g[b] > 0);
    // two-loop recursion on the free part of the gradient
    for (size_t b = 0; b < nb; ++b) {
      d[b] = g[b];
      d[b].elem(arma::find(act[b])).zeros();
    }
    std::vector<double> al(ss.size());
    for (size_t i = ss.size(); i-- > 0;) {
      al[i] = rho[i] * dot_all(ss[i], d);
      for (size_t b = 0; b < nb; ++b) d[b] -= al[i] * ys[i][b];
    }
    for (size_t b = 0; b < nb; ++b) d[b] *= gamma;
    for (size_t i = 0; i < ss.size(); ++i) {
      const double be = rho[i] * dot_all(ys[i], d);
      for (size_t b = 0; b < nb; ++b) d[b] += (al[i] - be) * ss[i][b];
    }
    for (size_t b = 0; b < nb; ++b) {
      d[b] = -d[b];
      const arma::uvec ia = arma::find(act[b]);
      d[b].elem(ia) = -gamma * g[b].elem(ia);
    }
    if (!(dot_all(g, d) < 0)) {
      for (size_t b = 0; b < nb; ++b) d[b] = -gamma * g[b];
      ss.clear();
      ys.clear();
      rho.clear();
    }
    // Armijo search along the projection arc
    double a = 1.0, fn = f;
    bool ok = false;
    for (int bt = 0; bt < 40; ++bt) {
      un.resize(nb);
      for (size_t b = 0; b < nb; ++b) {
        un[b] = u[b] + a * d[b];
        clamp0(un[b]);
      }
      fn = pr.lag(un, y, z, beta, &gn);
      double dec = 0;
      for (size_t b = 0; b < nb; ++b) dec += arma::dot(g[b], un[b] - u[b]);
      if (dec < 0 && fn <= f + 1e-4 * dec) {
        ok = true;
        break;
      }
      if (!(dec < 0) && bt > 0) break;
      a *= 0.5;
    }
    ++it;
    ++inner;
    if (!ok) {
      if (ss.empty()) break;  // steepest descent cannot move: stationary to working precision
      ss.clear();
      ys.clear();
      rho.clear();
      gamma = 0;
      continue;
    }
    Us sv(nb), yv(nb);
    for (size_t b = 0; b < nb; ++b) {
      sv[b] = un[b] - u[b];
      yv[b] = gn[b] - g[b];
    }
    const double sy = dot_all(sv, yv), yy = dot_all(yv, yv);
    if (sy > 1e-12 * std::sqrt(dot_all(sv, sv) * yy)) {
      ss.push_back(std::move(sv));
      ys.push_back(std::move(yv));
      rho.push_back(1.0 / sy);
      gamma = sy / yy;
      if (static_cast<int>(ss.size()) > memory) {
        ss.pop_front();
        ys.pop_front();
        rho.pop_front();
      }
    }
    std::swap(u, un);
    std::swap(g, gn);
    f = fn;
    kkt = kkt_residual(u, g);
    if (it % 50 == 0) check_interrupt("bm_solve");
  }
  if (status == 0 && kkt > eps_in && inner >= ctl.max_inner) status = 3;
  return kkt;
}

// M_b v with M_b = C_b / nu + sym(ytilde 1^T) + ztilde I.
arma::vec m_times(const BmBlock& bl, const arma::vec& yt, double zt, double nu, const arma::vec& v) {
  const double sv = arma::accu(v);
  arma::vec out = (-1.0 / nu) * (bl.w * (bl.w.t() * v));
  if (!bl.d.is_empty()) out += (0.5 / nu) * (bl.d * sv + arma::dot(bl.d, v));
  if (bl.c != 0) out += (bl.c / nu) * sv;
  out += 0.5 * (yt * sv + arma::dot(yt, v));
  out += zt * v;
  return out;
}

// Exact min eigenpair and spectral norm of P = C_b + sym(lam 1^T) from the QR of [W, d + lam, 1] (n x (q + 2)).
struct LowrankEig {
  double lmin = 0, lmax_abs = 0;
  arma::vec v;  // min eigenvector (empty when the min is the zero eigenvalue of the complement)
};

LowrankEig lowrank_eig(const BmBlock& bl, const arma::vec& lam) {
  const arma::uword n = bl.w.n_rows, q = bl.w.n_cols;
  arma::mat basis(n, q + 2);
  basis.cols(0, q - 1) = bl.w;
  basis.col(q) = bl.d.is_empty() ? lam : arma::vec(bl.d + lam);
  basis.col(q + 1).ones();
  arma::mat kk(q + 2, q + 2, arma::fill::zeros);
  kk.submat(0, 0, q - 1, q - 1) = -arma::eye(q, q);
  kk(q, q + 1) = kk(q + 1, q) = 0.5;
  kk(q + 1, q + 1) = bl.c;
  arma::mat qq, rr;
  arma::qr_econ(qq, rr, basis);
  arma::mat small = rr * kk * rr.t();
  small = 0.5 * (small + small.t());
  arma::vec ev;
  arma::mat evec;
  arma::eig_sym(ev, evec, small);
  LowrankEig out;
  out.lmax_abs = arma::max(arma::abs(ev));
  out.lmin = ev(0);
  if (n > qq.n_cols && out.lmin > 0) {
    out.lmin = 0;
  } else {
    out.v = qq * evec.col(0);
  }
  return out;
}

struct Escape {
  double value = 0;  // min v^T M v over v >= 0, ||v|| = 1, relative to the spectral scale of M
  double scale = 1;  // that scale
  arma::vec v;
};

Escape find_escape(const BmBlock& bl, const arma::vec& yt, double zt, double nu, const arma::mat& u, Rng& rng) {
  const arma::uword n = u.n_rows;
  const LowrankEig le = lowrank_eig(bl, nu * yt);  // nu M = P + nu zt I
  const double big = 1.05 * (le.lmax_abs / nu + std::abs(zt)) + 1e-12;
  Escape best;
  best.scale = big;
  std::vector<arma::vec> starts;
  for (arma::uword c = 0; c < u.n_cols; ++c)
    if (arma::norm(u.col(c)) > 0) starts.push_back(u.col(c));
  for (int s = 0; s < 3; ++s) {
    arma::vec r(n);
    for (auto& e : r) e = rng.uniform_open();
    starts.push_back(r);
  }
  if (!le.v.is_empty()) {
    arma::vec pp = arma::clamp(le.v, 0.0, arma::datum::inf), nn = arma::clamp(-le.v, 0.0, arma::datum::inf);
    if (arma::norm(pp) > 0) starts.push_back(pp);
    if (arma::norm(nn) > 0) starts.push_back(nn);
  }
  {  // coordinate starts at the most negative diagonal entries of M
    arma::vec dg = (-1.0 / nu) * arma::sum(arma::square(bl.w), 1) + yt + zt + bl.c / nu;
    if (!bl.d.is_empty()) dg += bl.d / nu;
    const arma::uvec ord = arma::sort_index(dg);
    for (arma::uword i = 0; i < std::min<arma::uword>(n, 6); ++i) {
      arma::vec e(n, arma::fill::zeros);
      e(ord(i)) = 1.0;
      starts.push_back(e);
    }
  }
  for (arma::vec v : starts) {
    v /= arma::norm(v);
    for (int it = 0; it < 300; ++it) {
      arma::vec w = big * v - m_times(bl, yt, zt, nu, v);
      clamp0(w);
      const double nw = arma::norm(w);
      if (!(nw > 0)) break;
      w /= nw;
      const double dv = arma::norm(w - v);
      v = w;
      if (dv < 1e-8) break;
    }
    const double val = arma::dot(v, m_times(bl, yt, zt, nu, v)) / big;
    if (val < best.value) {
      best.value = val;
      best.v = v;
    }
  }
  return best;
}

// Weak-duality lower bound (item 6 of the header); returns the bound, sets the relative min eigenvalue of S.
double dual_bound(const std::vector<BmBlock>& blocks, const Us& u, const arma::vec& yt, const arma::vec& zt,
                  double nu, double& min_eig) {
  const arma::uword n = u[0].n_rows;
  const arma::vec lam = nu * yt;  // P_b = C_b + sym(lam 1^T) = C_b - sym(lambda 1^T), lambda = -lam
  double bound = -arma::accu(lam);
  min_eig = arma::datum::inf;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const BmBlock& bl = blocks[b];
    const LowrankEig le = lowrank_eig(bl, lam);
    double lmin = le.lmin;
    const double zeta = -nu * zt(b);
    if (n <= 200) {
      arma::mat p = -bl.w * bl.w.t();
      arma::vec e = bl.d.is_empty() ? lam : arma::vec(bl.d + lam);
      p.each_col() += 0.5 * e;
      p.each_row() += 0.5 * e.t();
      p += bl.c;
      const arma::mat zb = u[b] * u[b].t();
      const arma::umat off = zb <= 1e-6 * zb.max();
      arma::mat nn = arma::clamp(p, 0.0, arma::datum::inf) % arma::conv_to<arma::mat>::from(off);  // start: positive part
      arma::vec ev;
      arma::mat evec;
      const int iters = 15;
      double prev_min = -arma::datum::inf;
      for (int k = 0; k < iters; ++k) {
        arma::mat a = p - nn;
        a.diag() -= zeta;
        a = 0.5 * (a + a.t());
        if (!arma::eig_sym(ev, evec, a)) break;
        if (ev(0) >= 0 || ev(0) < prev_min + 1e-9 * std::abs(ev(0))) break;  // feasible, or no progress
        prev_min = ev(0);
        const arma::uvec neg = arma::find(ev < 0);
        const arma::mat vn = evec.cols(neg);
        nn += vn * arma::diagmat(ev.elem(neg)) * vn.t();  // add the negative part: P - N moves to psd
        nn = 0.5 * (nn + nn.t());
        nn.transform([](double x) { return x > 0 ? x : 0.0; });
        nn %= arma::conv_to<arma::mat>::from(off);
      }
      arma::mat a = p - nn;
      a = 0.5 * (a + a.t());
      const double l2 = arma::eig_sym(a)(0);
      lmin = std::max(lmin, l2);
    }
    bound += bl.t * lmin;
    min_eig = std::min(min_eig, (lmin - zeta) / std::max(1.0, le.lmax_abs));
  }
  return bound;
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
  for (size_t b = 0; b < u.size(); ++b) {
    arma::mat fb(n, u[b].n_cols, arma::fill::ones);
    rescale_block(fb, blocks[b].t, fb);
    rescale_block(u[b], blocks[b].t, fb);  // a feasible trace to start from
  }
  arma::vec y = (y_io && y_io->n_elem == n) ? *y_io : arma::vec(n, arma::fill::zeros);
  arma::vec z(u.size(), arma::fill::zeros);
  double beta = opt.beta > 0 ? opt.beta : 1.0;
  const double tol = opt.tol;
  const double tol_kkt = opt.tol_kkt > 0 ? opt.tol_kkt : std::max(opt.tol * 10.0, 1e-4);
  Certificate cert;
  cert.solver = blocks.size() == 1 ? "burer-monteiro" : "burer-monteiro-lifted";
  cert.reason = "iteration limit";
  double eps_in = 1e-2;
  double feas_prev = arma::datum::inf, feas = arma::datum::inf, kkt = arma::datum::inf;
  const double escape_tol = 1e-5;  // relative to the spectral scale of M_b
  double f_escape = arma::datum::inf;  // objective (f / nu) where the last escape was taken
  bool escaping = opt.max_escape > 0;
  int it = 0, outer = 0, escapes = 0;
  arma::uword max_rank = 0;
  for (const auto& b : u) max_rank = std::max(max_rank, b.n_cols);
  max_rank = std::min<arma::uword>(n, 2 * max_rank + 4);
  Rng erng(20240531);
  const double beta_max = 1e5;
  InnerCtl ctl{opt.max_inner, opt.max_iter, opt.time_limit, t0};
  arma::vec h, q;
  auto feasibility = [&](const arma::vec& hh, const arma::vec& qq) {
    double fq = 0;
    for (size_t b = 0; b < blocks.size(); ++b) fq = std::max(fq, std::abs(qq(b)) / blocks[b].t);
    return std::max(arma::norm(hh) / std::sqrt(dn), fq);
  };
  for (;;) {
    ++outer;
    int status = 0;
    kkt = inner_lbfgs(pr, u, y, z, beta, eps_in, ctl, it, status);
    pr.lag(u, y, z, beta, nullptr, &h, &q);
    feas = feasibility(h, q);
    if (status == 1 || status == 2) {
      cert.reason = status == 1 ? "iteration limit" : "time limit";
      break;
    }
    if (feas <= tol && kkt <= tol_kkt) {
      bool injected = false;
      const double f_now = pr.cost(u, h, q, nullptr, nullptr);
      // an escape that did not lower the objective (beyond the solve's accuracy) ends the escapes
      if (f_now > f_escape - 1e-7 * (1.0 + std::abs(f_now))) escaping = false;
      pr.lag(u, y, z, beta, nullptr, &h, &q);
      if (escaping && escapes < opt.max_escape) {
        f_escape = f_now;
        const arma::vec yt = y + beta * h, zt = z + beta * q;
        y = yt;
        z = zt;
        // the escape step is searched on the current penalty (it must not buy its decrease with
        // infeasibility), then the subproblem is solved accurately (a loose solve would not move)
        for (size_t b = 0; b < u.size(); ++b) {
          const Escape e = find_escape(blocks[b], yt, zt(b), nu, u[b], erng);
          if (!(e.value < -escape_tol)) continue;
          arma::uword col = arma::sum(arma::square(u[b]), 0).index_min();
          const arma::mat keep = u[b];
          if (u[b].n_cols < max_rank) {
            u[b].insert_cols(u[b].n_cols, 1);
            col = u[b].n_cols - 1;
          }
          const arma::mat base = u[b];
          const double l0 = pr.lag(u, y, z, beta, nullptr);
          double sh = 0.1 * blocks[b].t;
          bool ok = false;
          for (int bt = 0; bt < 40 && !ok; ++bt, sh *= 0.25) {
            u[b] = base;
            u[b].col(col) += std::sqrt(sh) * e.v;
            const double l1 = pr.lag(u, y, z, beta, nullptr);
            ok = l1 <= l0 + 0.25 * sh * e.value * e.scale;  // a quarter of the predicted decrease
          }
          // an escape must buy a decrease worth a re-solve (tiny ones only reflect multiplier error)
          if (ok && !(l0 - pr.lag(u, y, z, beta, nullptr) >= 1e-9 * (1.0 + std::abs(l0)))) ok = false;
          if (!ok) {
            u[b] = keep;
            continue;
          }
          injected = true;
        }
        if (injected) ++escapes;
      }
      if (!injected) {
        cert.converged = true;
        cert.reason = "tolerance reached (primal residual and KKT residual of the factorised problem; dual bound in dual_objective)";
        break;
      }
      eps_in = 0.1 * tol_kkt;  // solve accurately from the escaped point (a loose solve would not move)
      feas_prev = arma::datum::inf;
      continue;
    }
    y += beta * h;
    z += beta * q;
    const bool stalled = status == 0 && feas > tol && feas > 0.25 * feas_prev;
    if (stalled) beta = std::min(beta * 4.0, beta_max);
    feas_prev = feas;
    // a stalled infeasibility needs a more accurate subproblem solve (multipliers from a loose solve
    // stop improving), below the usual floor if need be
    eps_in = stalled ? std::max(eps_in * 0.3, 1e-3 * tol_kkt) : std::max(eps_in * 0.3, 0.1 * tol_kkt);
  }
  pr.lag(u, y, z, beta, nullptr, &h, &q);
  const arma::vec yt = y + beta * h, zt = z + beta * q;
  if (y_io) *y_io = y;
  cert.iterations = it;
  cert.primal_residual = feas;
  cert.dual_residual = kkt;
  cert.primal_objective = pr.cost(u, h, q, nullptr, nullptr) * nu;
  cert.escapes = escapes;
  if (opt.certify) {
    double me = 0;
    cert.dual_objective = dual_bound(blocks, u, yt, zt, nu, me);
    cert.dual_min_eig = me;
    cert.gap = (cert.primal_objective - cert.dual_objective) /
               (1.0 + std::abs(cert.primal_objective) + std::abs(cert.dual_objective));
  } else {
    cert.dual_objective = arma::datum::nan;
    cert.dual_min_eig = arma::datum::nan;
    cert.gap = arma::datum::nan;
  }
  cert.rho = beta;
  cert.final_rank = static_cast<int>(u[0].n_cols);
  cert.partial_eigs = outer;  // outer (multiplier) updates; no eigen-decompositions of n x n matrices at large n
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
