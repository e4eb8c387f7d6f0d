// Trust-region Newton: recovery of a rejected step by the cubic line-search point (NewtonOptions::correct_rejected)
// when the curvature grows along the Newton direction, so that the full step overshoots.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "hetmod/optim/newton.hpp"

using hetmod::optim::minimize_newton;
using hetmod::optim::NewtonOptions;

namespace {
// f(x) = exp(-x) + x (minimum 1 at x = 0): from x0 = 1.2 the Newton step -(1 - e^-1.2) / e^-1.2 = -2.32
// lands at -1.12, where f = 1.945 > f(x0) = 1.501: rejected. The Hessian there is positive definite and its
// Newton step fits the radius (second-order correction to -0.45, predicted f = 1.25), but the cubic through
// f and f' at both ends predicts f = 1.00 at x0 + 0.52 p = -0.005, which is evaluated instead.
struct ExpLinear : hetmod::optim::Problem {
  std::size_t dim() const override { return 1; }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* x, double* g) override {
    if (g) g[0] = 1.0 - std::exp(-x[0]);
    return std::exp(-x[0]) + x[0];
  }
  double value_gradient_hessian(const double* x, double* g, double* h) override {
    xs.push_back(x[0]);
    h[0] = std::exp(-x[0]);
    return value_and_gradient(x, g);
  }
  std::vector<double> xs;  // points evaluated with the Hessian, in order
};
}  // namespace

TEST_CASE("Newton recovers an overshooting step at the cubic line-search point", "[optim][newton]") {
  int evals[2] = {0, 0};
  for (int corr = 0; corr < 2; ++corr) {
    ExpLinear p;
    std::vector<double> x{1.2};
    NewtonOptions o;
    o.initial_radius = 10.0;
    o.correct_rejected = corr == 1;
    const hetmod::Convergence c = minimize_newton(p, x, o);
    INFO("correction " << corr << ": " << c.reason << ", " << p.xs.size() << " evaluations");
    CHECK(c.converged);
    CHECK(std::fabs(x[0]) < 1e-8);
    REQUIRE(p.xs.size() >= 3);
    const double newton_step = -(1.0 - std::exp(-1.2)) / std::exp(-1.2);
    CHECK(p.xs[1] == Approx(1.2 + newton_step).epsilon(1e-12));  // the rejected full step
    if (corr == 1) {
      // Third evaluation: the line-search point x0 + a p, a in [0.1, 0.75], near the minimum (not the
      // correction at -0.45, nor the radius-shrunk step of the run without recovery, at 0.62).
      const double a = (p.xs[2] - 1.2) / newton_step;
      CHECK(a >= 0.1);
      CHECK(a <= 0.75);
      CHECK(std::fabs(p.xs[2]) < 0.02);
    }
    evals[corr] = static_cast<int>(p.xs.size());
  }
  INFO("evaluations without / with the recovery " << evals[0] << " / " << evals[1]);
  CHECK(evals[1] < evals[0]);  // 5 against 8
}
