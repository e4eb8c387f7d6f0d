// Finite-difference derivatives (numeric/fdiff.hpp).
//
// 1. Steps are h_i = step * max(1, |x_i|); the effective step is the representable difference
//    (x_i + h) - (x_i - h), which removes the rounding error in the step itself.
// 2. fd_gradient: central differences, error O(h^2).
// 3. fd_gradient_richardson: D(h) and D(h/2) combined as (4 D(h/2) - D(h)) / 3, error O(h^4).
// 4. fd_hessian_from_gradient: central differences of the gradient, symmetrised (H + H^T) / 2.
// 5. fd_hessian: second central differences of f (diagonal) and the four-point cross formula.
#include "hetmod/numeric/fdiff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"

namespace hetmod::numeric {
namespace {

double step_for(double xi, double step) { return step * std::max(1.0, std::fabs(xi)); }

void check_step(const char* fn, double step) { check::positive(fn, "step", step); }

// Central difference of f along coordinate i with step h; xx is a scratch copy of x, restored on return.
double central(const ScalarFn& f, const std::vector<double>& x, std::vector<double>& xx, std::size_t i, double h) {
  const double xp = x[i] + h, xm = x[i] - h;
  xx[i] = xp;
  const double fp = f(xx);
  xx[i] = xm;
  const double fm = f(xx);
  xx[i] = x[i];
  return (fp - fm) / (xp - xm);
}

}  // namespace

std::vector<double> fd_gradient(const ScalarFn& f, const std::vector<double>& x, double step) {
  check_step("fd_gradient", step);
  const std::size_t n = x.size();
  std::vector<double> g(n), xx = x;
  for (std::size_t i = 0; i < n; ++i) g[i] = central(f, x, xx, i, step_for(x[i], step));
  return g;
}

std::vector<double> fd_gradient_richardson(const ScalarFn& f, const std::vector<double>& x, double step) {
  check_step("fd_gradient_richardson", step);
  const std::size_t n = x.size();
  std::vector<double> g(n), xx = x;
  for (std::size_t i = 0; i < n; ++i) {
    const double h = step_for(x[i], step);
    const double d1 = central(f, x, xx, i, h);
    const double d2 = central(f, x, xx, i, 0.5 * h);
    g[i] = (4.0 * d2 - d1) / 3.0;
  }
  return g;
}

std::vector<double> fd_hessian_from_gradient(const VectorFn& grad, const std::vector<double>& x, double step) {
  const char* fn = "fd_hessian_from_gradient";
  check_step(fn, step);
  const std::size_t n = x.size();
  std::vector<double> h(n * n), xx = x;
  for (std::size_t j = 0; j < n; ++j) {
    const double hj = step_for(x[j], step);
    const double xp = x[j] + hj, xm = x[j] - hj;
    xx[j] = xp;
    const std::vector<double> gp = grad(xx);
    xx[j] = xm;
    const std::vector<double> gm = grad(xx);
    xx[j] = x[j];
    check::same_size(fn, "grad(x)", static_cast<int64_t>(gp.size()), static_cast<int64_t>(n));
    check::same_size(fn, "grad(x)", static_cast<int64_t>(gm.size()), static_cast<int64_t>(n));
    for (std::size_t i = 0; i < n; ++i) h[i + j * n] = (gp[i] - gm[i]) / (xp - xm);
  }
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j + 1; i < n; ++i) {
      const double s = 0.5 * (h[i + j * n] + h[j + i * n]);
      h[i + j * n] = s;
      h[j + i * n] = s;
    }
  return h;
}

std::vector<double> fd_hessian(const ScalarFn& f, const std::vector<double>& x, double step) {
  check_step("fd_hessian", step);
  const std::size_t n = x.size();
  if (n == 0) return {};
  std::vector<double> h(n * n), xx = x, hs(n), xp(n), xm(n);
  for (std::size_t i = 0; i < n; ++i) {
    hs[i] = step_for(x[i], step);
    xp[i] = x[i] + hs[i];
    xm[i] = x[i] - hs[i];
  }
  const double f0 = f(x);
  for (std::size_t i = 0; i < n; ++i) {
    const double hi = 0.5 * (xp[i] - xm[i]);
    xx[i] = xp[i];
    const double fp = f(xx);
    xx[i] = xm[i];
    const double fm = f(xx);
    xx[i] = x[i];
    h[i + i * n] = (fp - 2.0 * f0 + fm) / (hi * hi);
    for (std::size_t j = 0; j < i; ++j) {
      double acc = 0.0;
      xx[i] = xp[i];
      xx[j] = xp[j];
      acc += f(xx);
      xx[j] = xm[j];
      acc -= f(xx);
      xx[i] = xm[i];
      acc += f(xx);
      xx[j] = xp[j];
      acc -= f(xx);
      xx[i] = x[i];
      xx[j] = x[j];
      const double v = acc / ((xp[i] - xm[i]) * (xp[j] - xm[j]));
      h[i + j * n] = v;
      h[j + i * n] = v;
    }
  }
  return h;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  check::same_size("max_rel_diff", "a", static_cast<int64_t>(a.size()), static_cast<int64_t>(b.size()));
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;  // also equal infinities
    const double d = std::fabs(a[i] - b[i]) / std::max(1.0, std::fabs(b[i]));
    if (!(d <= worst)) worst = std::isnan(d) ? std::numeric_limits<double>::infinity() : d;
  }
  return worst;
}

}  // namespace hetmod::numeric
