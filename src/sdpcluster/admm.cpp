// src/sdpcluster/admm.cpp -- exact first-order SDP solvers for the Peng-Wei and lifted LA-SDP problems.
//
// 1. Peng-Wei (spec 1.2), min <C, Z> over Z psd, Z >= 0, Z 1 = 1, tr Z = k, as a convergent 2-block
//    ADMM on the splitting Z = Y, Z in S = {psd, Z1 = 1, tr Z = k}, Y in N = {Y >= 0}:
//      Z <- Pi_S(Y - U - C/rho),  Y <- max(Z + U, 0),  U <- U + Z - Y  (scaled dual).
//    Pi_S in closed form up to one eigen-decomposition: with P = I - J/n every Z in S is
//    J/n + P Z P, P Z P psd with trace k - 1 on 1^perp, so Pi_S(V) = J/n + Q (L - theta)_+ Q^T where
//    Q L Q^T is the eigen-decomposition of P V P restricted to 1^perp (the 1 direction is pushed below
//    everything by a shift) and theta makes the positive parts sum to k - 1 (simplex projection).
// 2. Lifted LA-SDP (spec 1.3), min sum_k <C_k, Z_k> over Z_k psd, Z_k >= 0, tr Z_k = t_k,
//    sum_k Z_k 1 = 1, as the 2-block ADMM with Z_k in {psd, tr = t_k} (eigen-decomposition + simplex
//    shift of the eigenvalues) and Y in {Y_k >= 0, 1^T sum_k Y_k = 1^T} (a simplex projection per
//    column of the stacked Y_k; equivalent to the row constraint because Z_k is symmetric).
// 3. Certificates. W = rho U is a Lagrange multiplier of Z = Y; the Lagrangian dual value
//      PW:     d = <G, J>/n + (k - 1) lambda_min(P G P on 1^perp), G = C + W, valid as W <= 0;
//      lifted: d = sum_k t_k lambda_min(C_k + W_k) - sum_j max_{k,i} W_k(i, j)
//    is a lower bound on the optimum, so gap = |p - d| / (1 + |p| + |d|) certifies optimality.
//    Stop when the relative primal and dual residuals and the gap are all <= tol.
// 4. Penalty balancing: every 10 iterations rho doubles / halves (U rescaled) when one residual
//    exceeds 5x the other.
// 5. Closed-form affine projection of the lifted set (spec 2.2) for tests and callers.
// 6. Spectral rounding: top-k eigenvectors (or left singular vectors of a factor) then k-means.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster::detail {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// P V P for P = I - J/n (V symmetric).
arma::mat center_both(const arma::mat& v) {
  const double n = static_cast<double>(v.n_rows);
  const arma::vec r = arma::sum(v, 1) / n;
  const double s = arma::accu(r) / n;
  arma::mat m = v;
  m.each_col() -= r;
  m.each_row() -= r.t();
  m += s;
  return m;
}

// lambda_min of P G P restricted to 1^perp.
double lambda_min_perp(const arma::mat& g) {
  arma::mat m = center_both(g);
  const double shift = 2.0 * arma::norm(m, "fro") + 1.0;
  m += shift / static_cast<double>(m.n_rows);  // the 1 direction gets eigenvalue +shift (above all)
  arma::vec ev;
  if (!arma::eig_sym(ev, m)) check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  return ev(0);
}

double lambda_min_sym(const arma::mat& g) {
  arma::vec ev;
  if (!arma::eig_sym(ev, arma::mat(0.5 * (g + g.t()))))
    check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  return ev(0);
}

// Projection of symmetric m onto {psd, trace t}; returns rank via *rank.
arma::mat project_psd_trace(const arma::mat& m, double t, int* rank) {
  arma::vec ev;
  arma::mat q;
  if (!arma::eig_sym(ev, q, m, "dc")) check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  const arma::vec desc = arma::reverse(ev);
  const double theta = simplex_shift(desc, t);
  const arma::uvec pos = arma::find(ev > theta);
  if (rank) *rank = static_cast<int>(pos.n_elem);
  if (pos.n_elem == 0) return arma::zeros(m.n_rows, m.n_cols);
  const arma::mat qp = q.cols(pos);
  const arma::vec lp = ev(pos) - theta;
  arma::mat out = (qp.each_row() % lp.t()) * qp.t();
  return 0.5 * (out + out.t());
}

// Projection of v onto the probability simplex (in place).
void project_simplex(double* v, arma::uword m, std::vector<double>& buf) {
  buf.assign(v, v + m);
  std::sort(buf.begin(), buf.end(), std::greater<double>());
  double cum = 0, theta = 0;
  for (arma::uword j = 0; j < m; ++j) {
    cum += buf[j];
    const double th = (cum - 1.0) / static_cast<double>(j + 1);
    if (buf[j] - th > 0) theta = th;
  }
  for (arma::uword j = 0; j < m; ++j) v[j] = std::max(v[j] - theta, 0.0);
}

}  // namespace

double simplex_shift(const arma::vec& lambda_desc, double t) {
  double cum = 0, theta = lambda_desc.n_elem ? lambda_desc(0) - t : 0.0;
  for (arma::uword j = 0; j < lambda_desc.n_elem; ++j) {
    cum += lambda_desc(j);
    const double th = (cum - t) / static_cast<double>(j + 1);
    if (lambda_desc(j) - th > 0) theta = th;
  }
  return theta;
}

arma::mat project_psd_affine(const arma::mat& v, double k, int* rank) {
  const arma::uword n = v.n_rows;
  arma::mat m = center_both(0.5 * (v + v.t()));
  const double shift = 2.0 * arma::norm(m, "fro") + k + 1.0;
  m -= shift / static_cast<double>(n);  // the 1 direction gets eigenvalue -shift: never kept
  arma::mat z = project_psd_trace(m, k - 1.0, rank);
  z += 1.0 / static_cast<double>(n);
  return z;
}

std::vector<arma::mat> project_affine_lifted(const std::vector<arma::mat>& v, const arma::vec& t) {
  const auto kk = static_cast<double>(v.size());
  const arma::uword n = v.at(0).n_rows;
  const double dn = static_cast<double>(n);
  arma::vec r(n, arma::fill::zeros);
  double tv = 0;
  for (const auto& b : v) {
    r += arma::sum(b, 1);
    tv += arma::trace(b);
  }
  const double rr = arma::accu(r), tt = arma::accu(t);
  const double s = (rr - dn - tv + tt) / (kk * (dn - 1.0));
  const double a_sum = (tv - tt - kk * s) / dn;
  const arma::vec lam = (2.0 / (kk * dn)) * (r - 1.0 - a_sum) - s / dn;
  std::vector<arma::mat> out;
  for (size_t b = 0; b < v.size(); ++b) {
    const double ak = (arma::trace(v[b]) - t(b) - s) / dn;
    arma::mat x = v[b];
    x.diag() -= ak;
    x.each_col() -= 0.5 * lam;
    x.each_row() -= 0.5 * lam.t();
    out.push_back(std::move(x));
  }
  return out;
}

Certificate admm_peng_wei(const arma::mat& c, int k, const AdmmOptions& opt, arma::mat& z, arma::mat* dual) {
  const auto t0 = Clock::now();
  const arma::uword n = c.n_rows;
  const double dn = static_cast<double>(n);
  Certificate cert;
  cert.solver = "admm";
  double cs = arma::norm(c, "fro");
  if (!(cs > 0)) cs = 1.0;
  const arma::mat cn = center_both(0.5 * (c + c.t())) / cs;  // equal objective on S up to a constant
  const double ccons = (arma::accu(c) / dn) / cs;            // <C/cs, Z> = <cn, Z> + <C/cs, J>/n on S
  if (z.n_rows != n || z.n_cols != n) {
    z = (static_cast<double>(k) - 1.0) / (dn - 1.0) * (arma::eye(n, n) - 1.0 / dn) + 1.0 / dn;
    if (n == 1) z.ones(1, 1);
  }
  arma::mat y = arma::clamp(z, 0.0, arma::datum::inf), u(n, n, arma::fill::zeros), yold;
  if (dual && dual->n_rows == n) u = *dual;
  double rho = opt.rho > 0 ? opt.rho : 2.0;
  const double cnorm = arma::norm(cn, "fro");
  int last_gap_check = -100;
  double pres = 0, dres = 0, gap = arma::datum::inf, pobj = 0, dobj = 0;
  int it = 0;
  cert.reason = "iteration limit";
  for (it = 1; it <= opt.max_iter; ++it) {
    int rank = 0;
    z = project_psd_affine(y - u - cn / rho, static_cast<double>(k), &rank);
    cert.final_rank = rank;
    ++cert.full_eigs;
    yold = y;
    y = arma::clamp(z + u, 0.0, arma::datum::inf);
    u += z - y;
    pres = arma::norm(z - y, "fro") / (1.0 + arma::norm(z, "fro"));
    dres = rho * arma::norm(y - yold, "fro") / (1.0 + cnorm);
    if (std::max(pres, dres) <= opt.tol && it - last_gap_check >= 5) {
      last_gap_check = it;
      pobj = arma::dot(cn, y) + ccons;
      arma::mat g = cn + rho * arma::clamp(u, -arma::datum::inf, 0.0);
      dobj = arma::accu(g) / dn + (static_cast<double>(k) - 1.0) * lambda_min_perp(g) + ccons;
      gap = std::abs(pobj - dobj) / (1.0 + std::abs(pobj) + std::abs(dobj));
      if (gap <= opt.tol) {
        cert.converged = true;
        cert.reason = "tolerance reached";
        break;
      }
    }
    if (since(t0) > opt.time_limit) {
      cert.reason = "time limit";
      break;
    }
    if (opt.balance && it % 10 == 0) {
      if (pres > 5.0 * dres) {
        rho *= 2.0;
        u /= 2.0;
      } else if (dres > 5.0 * pres) {
        rho /= 2.0;
        u *= 2.0;
      }
    }
    if (it % 10 == 0) check_interrupt("sdp_kmeans");
  }
  if (!cert.converged) {  // final certificate at the returned point
    pobj = arma::dot(cn, y) + ccons;
    arma::mat g = cn + rho * arma::clamp(u, -arma::datum::inf, 0.0);
    dobj = arma::accu(g) / dn + (static_cast<double>(k) - 1.0) * lambda_min_perp(g) + ccons;
    gap = std::abs(pobj - dobj) / (1.0 + std::abs(pobj) + std::abs(dobj));
  }
  cert.iterations = std::min(it, opt.max_iter);
  cert.primal_residual = pres;
  cert.dual_residual = dres;
  cert.gap = gap;
  cert.primal_objective = pobj * cs;
  cert.dual_objective = dobj * cs;
  cert.rho = rho;
  cert.seconds = since(t0);
  if (dual) *dual = u;
  return cert;
}

Certificate admm_lifted(const std::vector<arma::mat>& c, const arma::vec& t, const AdmmOptions& opt,
                        std::vector<arma::mat>& z, std::vector<arma::mat>* dual) {
  const auto t0 = Clock::now();
  const size_t kb = c.size();
  const arma::uword n = c.at(0).n_rows;
  Certificate cert;
  cert.solver = "admm-lifted";
  double cs = 0;
  for (const auto& b : c) cs += arma::accu(arma::square(b));
  cs = std::sqrt(cs);
  if (!(cs > 0)) cs = 1.0;
  std::vector<arma::mat> cn(kb), y(kb), u(kb), yold(kb);
  // Remove the parts of C that are constant on the feasible set (a common multiple of J and common
  // row/column effects a 1^T + 1 a^T, since sum_k Z_k 1 = 1), then scale: same minimisers, better
  // conditioned. The removed constant is added back to the objectives.
  arma::mat cbar(n, n, arma::fill::zeros);
  for (size_t b = 0; b < kb; ++b) cbar += 0.5 * (c[b] + c[b].t());
  cbar /= static_cast<double>(kb);
  const arma::vec rowm = arma::mean(cbar, 1);
  const arma::vec a = rowm - 0.5 * arma::mean(rowm);
  double shift_const = 2.0 * arma::accu(a);  // <a 1^T + 1 a^T, sum_k Z_k> = 2 a^T 1
  cs = 0;
  for (size_t b = 0; b < kb; ++b) {
    cn[b] = 0.5 * (c[b] + c[b].t());
    cn[b].each_col() -= a;
    cn[b].each_row() -= a.t();
    cs += arma::accu(arma::square(cn[b]));
  }
  cs = std::sqrt(cs);
  if (!(cs > 0)) cs = 1.0;
  for (auto& b : cn) b /= cs;
  shift_const /= cs;
  if (z.size() != kb || z[0].n_rows != n) {
    z.assign(kb, arma::mat());
    const double tt = arma::accu(t);
    for (size_t b = 0; b < kb; ++b) z[b] = (t(b) / tt) * arma::mat(n, n, arma::fill::ones) / static_cast<double>(n);
  }
  for (size_t b = 0; b < kb; ++b) {
    y[b] = arma::clamp(z[b], 0.0, arma::datum::inf);
    u[b] = (dual && dual->size() == kb && (*dual)[b].n_rows == n) ? (*dual)[b] : arma::mat(n, n, arma::fill::zeros);
  }
  double rho = opt.rho > 0 ? opt.rho : 2.0;
  const double cnorm = 1.0;
  std::vector<double> col(kb * n), buf;
  int last_gap_check = -100;
  double pres = 0, dres = 0, gap = arma::datum::inf, pobj = 0, dobj = 0;
  auto certificate = [&]() {
    pobj = 0;
    dobj = 0;
    for (size_t b = 0; b < kb; ++b) {
      pobj += arma::dot(cn[b], y[b]);
      dobj += t(b) * lambda_min_sym(cn[b] + rho * u[b]);
    }
    arma::rowvec colmax(n);
    colmax.fill(-arma::datum::inf);
    for (size_t b = 0; b < kb; ++b) colmax = arma::max(colmax, arma::max(rho * u[b], 0));
    dobj -= arma::accu(colmax);
    gap = std::abs(pobj - dobj) / (1.0 + std::abs(pobj) + std::abs(dobj));
  };
  int it = 0;
  cert.reason = "iteration limit";
  for (it = 1; it <= opt.max_iter; ++it) {
    int rank = 0;
    for (size_t b = 0; b < kb; ++b) {
      arma::mat v = y[b] - u[b] - cn[b] / rho;
      int rb = 0;
      z[b] = project_psd_trace(0.5 * (v + v.t()), t(b), &rb);
      rank += rb;
      ++cert.full_eigs;
    }
    cert.final_rank = rank;
    for (size_t b = 0; b < kb; ++b) yold[b] = y[b];
    for (arma::uword j = 0; j < n; ++j) {
      for (size_t b = 0; b < kb; ++b)
        for (arma::uword i = 0; i < n; ++i) col[b * n + i] = z[b](i, j) + u[b](i, j);
      project_simplex(col.data(), kb * n, buf);
      for (size_t b = 0; b < kb; ++b)
        for (arma::uword i = 0; i < n; ++i) y[b](i, j) = col[b * n + i];
    }
    double pz = 0, zz = 0, dy = 0;
    for (size_t b = 0; b < kb; ++b) {
      u[b] += z[b] - y[b];
      pz += arma::accu(arma::square(z[b] - y[b]));
      zz += arma::accu(arma::square(z[b]));
      dy += arma::accu(arma::square(y[b] - yold[b]));
    }
    pres = std::sqrt(pz) / (1.0 + std::sqrt(zz));
    dres = rho * std::sqrt(dy) / (1.0 + cnorm);
    if (std::max(pres, dres) <= opt.tol && it - last_gap_check >= 5) {
      last_gap_check = it;
      certificate();
      if (gap <= opt.tol) {
        cert.converged = true;
        cert.reason = "tolerance reached";
        break;
      }
    }
    if (since(t0) > opt.time_limit) {
      cert.reason = "time limit";
      break;
    }
    if (opt.balance && it % 10 == 0) {
      if (pres > 5.0 * dres) {
        rho *= 2.0;
        for (auto& b : u) b /= 2.0;
      } else if (dres > 5.0 * pres) {
        rho /= 2.0;
        for (auto& b : u) b *= 2.0;
      }
    }
    if (it % 10 == 0) check_interrupt("la_sdp");
  }
  if (!cert.converged) certificate();
  cert.iterations = std::min(it, opt.max_iter);
  cert.primal_residual = pres;
  cert.dual_residual = dres;
  cert.gap = gap;
  cert.primal_objective = (pobj + shift_const) * cs;
  cert.dual_objective = (dobj + shift_const) * cs;
  cert.rho = rho;
  cert.seconds = since(t0);
  z = y;  // nonnegative, column sums exact; symmetrise
  for (auto& b : z) b = 0.5 * (b + b.t());
  if (dual) *dual = u;
  return cert;
}

arma::uvec spectral_round(const arma::mat& z, int k, Rng& rng, int n_init) {
  arma::vec ev;
  arma::mat q;
  if (!arma::eig_sym(ev, q, arma::mat(0.5 * (z + z.t())), "dc"))
    check::fail("spectral_round", "eigen-decomposition failed", Status::numerical);
  const arma::mat top = q.tail_cols(static_cast<arma::uword>(k));
  return kmeans(top, k, n_init, 300, rng).labels;
}

arma::uvec factor_round(const arma::mat& u, int k, Rng& rng, int n_init) {
  arma::mat lu, rv;
  arma::vec s;
  if (!arma::svd_econ(lu, s, rv, u, "left")) check::fail("factor_round", "SVD failed", Status::numerical);
  const arma::mat top = lu.head_cols(std::min<arma::uword>(static_cast<arma::uword>(k), lu.n_cols));
  return kmeans(top, k, n_init, 300, rng).labels;
}

}  // namespace hetmod::sdpcluster::detail
