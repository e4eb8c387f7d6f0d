// Test problems for the optimisers: extended Rosenbrock with analytic gradient and Hessian, with
// evaluation counting, an optional exception at a given evaluation, and bound-violation tracking.
#pragma once
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "hetmod/optim/problem.hpp"

namespace optim_test {

/// A distinct exception type, to check that the optimisers rethrow the objective's own exception.
struct ObjectiveFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; minimum 0 at (1, ..., 1).
class Rosenbrock : public hetmod::optim::Problem {
 public:
  explicit Rosenbrock(std::size_t n, bool hessian = true) : n_(n), hessian_(hessian) {}
  std::size_t dim() const override { return n_; }
  bool has_hessian() const override { return hessian_; }

  double value_and_gradient(const double* x, double* grad) override {
    count(x);
    if (grad) gradient(x, grad);
    return value(x);
  }
  double value_gradient_hessian(const double* x, double* grad, double* hess) override {
    count(x);
    gradient(x, grad);
    for (std::size_t k = 0; k < n_ * n_; ++k) hess[k] = 0.0;
    for (std::size_t i = 0; i + 1 < n_; ++i) {
      const double a = x[i], b = x[i + 1];
      hess[i + i * n_] += 1200 * a * a - 400 * b + 2;
      hess[i + (i + 1) * n_] += -400 * a;
      hess[i + 1 + i * n_] += -400 * a;
      hess[i + 1 + (i + 1) * n_] += 200;
    }
    return value(x);
  }

  int evaluations = 0;
  int throw_at = -1;                   ///< throw ObjectiveFailure at this evaluation (1-based)
  std::vector<double> lower, upper;    ///< record bound violations when set
  int violations = 0;
  std::vector<double> first_point;

 private:
  void count(const double* x) {
    ++evaluations;
    if (evaluations == 1) first_point.assign(x, x + n_);
    for (std::size_t i = 0; i < n_; ++i) {
      if (!lower.empty() && x[i] < lower[i]) ++violations;
      if (!upper.empty() && x[i] > upper[i]) ++violations;
    }
    if (evaluations == throw_at) throw ObjectiveFailure("objective failed at evaluation " + std::to_string(evaluations));
  }
  double value(const double* x) const {
    double f = 0;
    for (std::size_t i = 0; i + 1 < n_; ++i) f += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
    return f;
  }
  void gradient(const double* x, double* g) const {
    for (std::size_t i = 0; i < n_; ++i) g[i] = 0.0;
    for (std::size_t i = 0; i + 1 < n_; ++i) {
      const double d = x[i + 1] - x[i] * x[i];
      g[i] += -400 * x[i] * d - 2 * (1 - x[i]);
      g[i + 1] += 200 * d;
    }
  }
  std::size_t n_;
  bool hessian_;
};

/// The classic start (-1.2, 1) for n = 2. For n >= 4 the function also has a local minimum near
/// (-1, 1, ..., 1), which (-1.2, 1, -1.2, 1, ...) can lead to, so larger n start at 0.
inline std::vector<double> rosenbrock_start(std::size_t n) {
  if (n == 2) return {-1.2, 1.0};
  return std::vector<double>(n, 0.0);
}

inline double max_abs_diff_from(const std::vector<double>& x, double v) {
  double m = 0;
  for (double xi : x) m = std::fmax(m, std::fabs(xi - v));
  return m;
}

}  // namespace optim_test
