// Trust-region Newton with the exact Hessian (optim/newton.hpp).
//
// 1. Validate; evaluate f, g, H at the start (non-finite -> code bad_start, no throw).
// 2. Each iteration: symmetrise H and eigen-decompose H = Q diag(lambda) Q^T; stop if max|g| <= grad_tol
//    (saddle if lambda_min < 0); otherwise solve the trust-region subproblem
//      min_p g^T p + p^T H p / 2  subject to ||p|| <= radius
//    (More & Sorensen 1983; Nocedal & Wright 2006, ch. 4.3): p(mu) = -Q (Q^T g) / (lambda + mu), with
//    mu = 0 if H is PD and the Newton step fits, otherwise mu > max(0, -lambda_min) solving
//    1/||p(mu)|| = 1/radius by safeguarded Newton/bisection; the hard case (g orthogonal to the lowest
//    eigenspace) adds tau * q_min to reach the boundary.
// 3. rho = (f - f_trial) / predicted; radius /4 if rho < 1/4 (or trial non-finite), *2 (capped) if
//    rho > 3/4 and the step was on the boundary; accept if rho > 1e-4.
//    When the predicted decrease is below the resolution of f (100 eps |f|), rho is rounding noise:
//    the step is accepted (radius unchanged) iff it decreases max|grad|.
//    Optionally (correct_rejected), a rejected step is followed by one evaluation at the better-predicted of
//    the Newton step from the rejected point (when its Hessian is PD and the step fits the radius) and the
//    minimiser of the cubic along p through f and the directional derivatives at both ends.
// 4. No progress: 3 accepted steps in a row with relative decrease <= ftol_rel, or radius below
//    eps * max(1, ||x||), or a non-positive predicted reduction.
#include "hetmod/optim/newton.hpp"

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstdio>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"

namespace hetmod::optim {
namespace {

constexpr const char* kFn = "minimize_newton";
constexpr double kEps = std::numeric_limits<double>::epsilon();

std::string fmt_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

/// Solves the trust-region subproblem given the eigen-decomposition of H.
arma::vec trust_region_step(const arma::vec& lam, const arma::mat& q, const arma::vec& g, double radius) {
  const arma::uword n = lam.n_elem;
  const arma::vec a = q.t() * g;
  const double lam1 = lam(0);
  const double lmax = arma::abs(lam).max();
  const double tiny = std::sqrt(kEps) * std::max(1.0, lmax);

  auto step_at = [&](double mu) {
    arma::vec c(n);
    for (arma::uword i = 0; i < n; ++i) c(i) = -a(i) / (lam(i) + mu);
    return c;  // coefficients in the eigenbasis
  };

  // Interior Newton step.
  if (lam1 > tiny) {
    arma::vec c = step_at(0.0);
    if (arma::norm(c) <= radius) return q * c;
  }

  const double mu_lo = std::max(0.0, -lam1);
  if (lam1 <= tiny) {
    // Lowest eigenspace S: lambda_i <= lambda_1 + tiny. Hard case if g is (nearly) orthogonal to it.
    double a_s = 0.0;
    for (arma::uword i = 0; i < n && lam(i) <= lam1 + tiny; ++i) a_s += a(i) * a(i);
    if (std::sqrt(a_s) <= std::sqrt(kEps) * arma::norm(a)) {
      arma::vec c(n, arma::fill::zeros);
      for (arma::uword i = 0; i < n; ++i)
        if (lam(i) > lam1 + tiny) c(i) = -a(i) / (lam(i) + mu_lo);
      const double r = arma::norm(c);
      if (r <= radius) {
        if (lam1 < -tiny) c(0) += std::sqrt(std::max(0.0, radius * radius - r * r));  // to the boundary
        return q * c;
      }
    }
  }

  // Secular equation psi(mu) = 1/||p(mu)|| - 1/radius = 0 on (mu_lo, mu_hi].
  double lo = mu_lo;
  double hi = mu_lo + arma::norm(g) / radius;  // lambda_i + hi >= ||g||/radius  =>  ||p(hi)|| <= radius
  double mu = lam1 > tiny ? 0.0 : 0.5 * (lo + hi);
  for (int it = 0; it < 200; ++it) {
    double s2 = 0.0, s3 = 0.0;
    for (arma::uword i = 0; i < n; ++i) {
      const double d = lam(i) + mu;
      s2 += a(i) * a(i) / (d * d);
      s3 += a(i) * a(i) / (d * d * d);
    }
    const double pn = std::sqrt(s2);
    if (std::fabs(pn - radius) <= 1e-10 * radius) break;
    if (pn > radius || !std::isfinite(pn))
      lo = mu;
    else
      hi = mu;
    const double psi = 1.0 / pn - 1.0 / radius;
    const double dpsi = s3 / (pn * pn * pn);
    double next = mu - psi / dpsi;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (hi - lo <= 4 * kEps * std::max(1.0, hi)) {
      mu = hi;
      break;
    }
    mu = next;
  }
  arma::vec c = step_at(mu);
  if (!c.is_finite()) c = step_at(hi);
  const double cn = arma::norm(c);
  if (cn > radius) c *= radius / cn;
  return q * c;
}

/// Minimiser over [0.1, 0.75] of the cubic through phi(0) = f0, phi'(0) = d0, phi(1) = f1, phi'(1) = d1
/// (Nocedal & Wright 2006, eq. 3.59; the quadratic through f0, d0, f1 when the cubic has no minimiser).
double cubic_min(double f0, double d0, double f1, double d1) {
  const double e1 = d0 + d1 - 3.0 * (f1 - f0);
  const double disc = e1 * e1 - d0 * d1;
  double a = disc >= 0 ? 1.0 - (d1 + std::sqrt(disc) - e1) / (d1 - d0 + 2.0 * std::sqrt(disc))
                       : -d0 / (2.0 * (f1 - f0 - d0));
  if (!std::isfinite(a)) a = 0.5;
  return std::min(std::max(a, 0.1), 0.75);
}

bool all_finite(double f, const arma::vec& g, const arma::mat& h) {
  return std::isfinite(f) && g.is_finite() && h.is_finite();
}

}  // namespace

Convergence minimize_newton(Problem& problem, std::vector<double>& x, const NewtonOptions& opt) {
  check::require(problem.has_hessian(), kFn, "the problem has no analytic Hessian (has_hessian() is false)");
  const auto n64 = static_cast<int64_t>(problem.dim());
  check::require(n64 >= 1, kFn, "the problem has dimension 0, but must have at least 1 parameter");
  check::same_size(kFn, "x", static_cast<int64_t>(x.size()), n64);
  check::finite(kFn, "x", x.data(), n64);
  check::at_least(kFn, "max_iter", opt.max_iter, 0);
  check::nonnegative(kFn, "grad_tol", opt.grad_tol);
  check::nonnegative(kFn, "ftol_rel", opt.ftol_rel);
  check::positive(kFn, "initial_radius", opt.initial_radius);
  check::positive(kFn, "max_radius", opt.max_radius);
  check::require(opt.initial_radius <= opt.max_radius, kFn,
                 "initial_radius is " + check::fmt(opt.initial_radius) + ", but must be <= max_radius = " +
                     check::fmt(opt.max_radius));
  const auto n = static_cast<arma::uword>(n64);

  Convergence c;
  c.optimizer = "newton-tr";
  c.grad_norm = std::numeric_limits<double>::quiet_NaN();

  check_interrupt(kFn);
  arma::vec xv(x.data(), n), g(n, arma::fill::zeros), gt(n, arma::fill::zeros);
  arma::mat h(n, n, arma::fill::zeros), ht(n, n, arma::fill::zeros);
  double f = problem.value_gradient_hessian(xv.memptr(), g.memptr(), h.memptr());
  c.objective = f;
  if (!all_finite(f, g, h)) {
    c.code = newton_code::bad_start;
    c.reason = "the objective, gradient or Hessian is not finite at the starting point";
    if (g.is_finite()) c.grad_norm = arma::abs(g).max();
    return c;
  }

  double radius = opt.initial_radius;
  int stall = 0;
  int iter = 0;
  arma::vec lam;
  arma::mat q;
  for (;; ++iter) {
    c.iterations = iter;
    c.objective = f;
    c.grad_norm = arma::abs(g).max();
    const arma::mat hs = 0.5 * (h + h.t());
    if (!arma::eig_sym(lam, q, hs)) {
      c.code = newton_code::no_progress;
      c.reason = "the eigen-decomposition of the Hessian failed";
      break;
    }
    if (c.grad_norm <= opt.grad_tol) {
      const double neg_tol = std::sqrt(kEps) * std::max(1.0, arma::abs(lam).max());
      if (lam(0) < -neg_tol) {
        c.code = newton_code::saddle;
        c.reason = "gradient below tolerance at a saddle point (Hessian eigenvalue " + fmt_g(lam(0)) + ")";
      } else {
        c.converged = true;
        c.code = newton_code::converged;
        c.reason = "max|grad| below grad_tol";
      }
      break;
    }
    if (iter >= opt.max_iter) {
      c.code = newton_code::max_iter;
      c.reason = "maximum number of iterations (" + std::to_string(opt.max_iter) + ") reached; max|grad| = " +
                 fmt_g(c.grad_norm);
      break;
    }
    check_interrupt(kFn);

    const arma::vec p = trust_region_step(lam, q, g, radius);
    const double pnorm = arma::norm(p);
    const double pred = -(arma::dot(g, p) + 0.5 * arma::dot(p, hs * p));
    const arma::vec xt = xv + p;
    if (!(pred > 0.0) || arma::all(xt == xv)) {
      c.code = newton_code::no_progress;
      c.reason = "no progress: the step is below the resolution of x; max|grad| = " + fmt_g(c.grad_norm);
      break;
    }
    const double ft = problem.value_gradient_hessian(xt.memptr(), gt.memptr(), ht.memptr());
    const bool ok = all_finite(ft, gt, ht);
    double rho = ok ? (f - ft) / pred : -HUGE_VAL;
    // When the predicted decrease is below what f can resolve, the ratio is rounding noise: judge the
    // step by the gradient instead (accept, radius unchanged, if max|grad| decreased).
    const bool below_resolution = ok && pred <= 100 * kEps * std::max(1.0, std::fabs(f));
    if (below_resolution) rho = arma::abs(gt).max() < c.grad_norm ? 0.5 : -HUGE_VAL;
    if (opt.correct_rejected && ok && !below_resolution && !(rho > 1e-4)) {
      // Recovery of a rejected step (NewtonOptions::correct_rejected): one evaluation at the candidate with
      // the lower predicted f, (a) the Newton step from the rejected point or (b) the cubic line-search point.
      arma::vec lt, xc;
      arma::mat qt;
      double pred_c = HUGE_VAL, need = 1e-4 * pred, alpha = 0.0;
      if (arma::eig_sym(lt, qt, arma::mat(0.5 * (ht + ht.t()))) &&
          lt(0) > std::sqrt(kEps) * std::max(1.0, arma::abs(lt).max())) {
        const arma::vec a2 = qt.t() * gt;
        const arma::vec p2 = -qt * (a2 / lt);
        if (arma::norm(p2) <= radius) {
          xc = xt + p2;
          pred_c = ft - 0.5 * arma::dot(a2, a2 / lt);
        }
      }
      if (xc.n_elem > 0) {
        // The cubic phi(a) = f + d0 a + cb a^2 + ca a^3 through f, d0 = g'p at 0 and ft, d1 = gt'p at 1.
        const double d0 = arma::dot(g, p), d1 = arma::dot(gt, p);
        alpha = cubic_min(f, d0, ft, d1);
        const double ca = d0 + d1 - 2.0 * (ft - f), cb = 3.0 * (ft - f) - 2.0 * d0 - d1;
        const double pred_ls = f + alpha * (d0 + alpha * (cb + alpha * ca));
        if (pred_ls < pred_c) {
          xc = xv + alpha * p;
          need = std::max(0.0, -1e-4 * (alpha * d0 + 0.5 * alpha * alpha * arma::dot(p, hs * p)));
        } else {
          alpha = 0.0;
        }
      }
      if (xc.n_elem > 0) {
        arma::vec g2(n, arma::fill::zeros);
        arma::mat h2(n, n, arma::fill::zeros);
        const double f2 = problem.value_gradient_hessian(xc.memptr(), g2.memptr(), h2.memptr());
        if (all_finite(f2, g2, h2) && f - f2 > need) {
          stall = 0;
          if (alpha > 0) radius = alpha * pnorm;
          xv = xc;
          f = f2;
          g = g2;
          h = h2;
          continue;
        }
      }
    }
    if (rho < 0.25)
      radius = 0.25 * pnorm;
    else if (rho > 0.75 && pnorm >= 0.99 * radius)
      radius = std::min(2.0 * radius, opt.max_radius);
    if (ok && rho > 1e-4) {
      const double decrease = f - ft;
      stall = !below_resolution && decrease <= opt.ftol_rel * std::max(1.0, std::fabs(f)) ? stall + 1 : 0;
      xv = xt;
      f = ft;
      g = gt;
      h = ht;
      if (stall >= 3) {
        c.iterations = iter + 1;
        c.objective = f;
        c.grad_norm = arma::abs(g).max();
        if (c.grad_norm <= opt.grad_tol) continue;  // the next pass classifies the point
        c.code = newton_code::no_progress;
        c.reason = "no progress: relative decrease in f below ftol_rel; max|grad| = " + fmt_g(c.grad_norm);
        break;
      }
    }
    if (radius < kEps * std::max(1.0, arma::norm(xv))) {
      c.iterations = iter + 1;
      c.objective = f;
      c.grad_norm = arma::abs(g).max();
      if (c.grad_norm <= opt.grad_tol) continue;
      c.code = newton_code::no_progress;
      c.reason = "no progress: the trust region collapsed; max|grad| = " + fmt_g(c.grad_norm);
      break;
    }
  }
  x.assign(xv.begin(), xv.end());
  return c;
}

}  // namespace hetmod::optim
