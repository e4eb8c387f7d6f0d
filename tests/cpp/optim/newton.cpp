// Trust-region Newton (optim/newton.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hetmod/core/log.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "hetmod/optim/newton.hpp"
#include "optim/problems.hpp"
#include "support/error_match.hpp"

using hetmod::Status;
using hetmod::optim::minimize_newton;
using hetmod::optim::NewtonOptions;
namespace newton_code = hetmod::optim::newton_code;
using optim_test::max_abs_diff_from;
using optim_test::ObjectiveFailure;
using optim_test::Rosenbrock;
using optim_test::rosenbrock_start;
using support::is_error;

namespace {
bool interrupt_after(void* user) { return --*static_cast<int*>(user) < 0; }
struct InterruptGuard {
  ~InterruptGuard() { hetmod::set_interrupt_checker(nullptr); }
};

/// f(x) = x - log(x) (minimum at 1); NaN for x <= 0, so big steps land outside the domain.
struct LogBarrier : hetmod::optim::Problem {
  std::size_t dim() const override { return 1; }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* x, double* g) override {
    if (g) g[0] = 1 - 1 / x[0];
    return x[0] > 0 ? x[0] - std::log(x[0]) : std::numeric_limits<double>::quiet_NaN();
  }
  double value_gradient_hessian(const double* x, double* g, double* h) override {
    ++evaluations;
    h[0] = 1 / (x[0] * x[0]);
    return value_and_gradient(x, g);
  }
  int evaluations = 0;
};

/// f(x, y) = x^2 - y^2 + c (x^4 + y^4): a saddle at 0 (c > 0 gives minima at y = +-1/sqrt(2c)).
struct Saddle : hetmod::optim::Problem {
  double c = 0.0;
  std::size_t dim() const override { return 2; }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* x, double* g) override {
    if (g) {
      g[0] = 2 * x[0] + 4 * c * x[0] * x[0] * x[0];
      g[1] = -2 * x[1] + 4 * c * x[1] * x[1] * x[1];
    }
    return x[0] * x[0] - x[1] * x[1] + c * (std::pow(x[0], 4) + std::pow(x[1], 4));
  }
  double value_gradient_hessian(const double* x, double* g, double* h) override {
    h[0] = 2 + 12 * c * x[0] * x[0];
    h[1] = h[2] = 0;
    h[3] = -2 + 12 * c * x[1] * x[1];
    return value_and_gradient(x, g);
  }
};

/// Convex quadratic f = x'Ax/2 - b'x, minimum A^{-1} b = (1, -2, 0.5).
struct Quadratic : hetmod::optim::Problem {
  std::size_t dim() const override { return 3; }
  bool has_hessian() const override { return true; }
  const double a[9] = {4, 1, 0, 1, 3, 0.5, 0, 0.5, 2};
  double value_and_gradient(const double* x, double* g) override {
    const double sol[3] = {1, -2, 0.5};
    double f = 0;
    for (int i = 0; i < 3; ++i) {
      double ax = 0, as = 0;
      for (int j = 0; j < 3; ++j) {
        ax += a[i + 3 * j] * x[j];
        as += a[i + 3 * j] * sol[j];
      }
      if (g) g[i] = ax - as;
      f += 0.5 * x[i] * ax - x[i] * as;
    }
    return f;
  }
  double value_gradient_hessian(const double* x, double* g, double* h) override {
    for (int k = 0; k < 9; ++k) h[k] = a[k];
    return value_and_gradient(x, g);
  }
};
}  // namespace

TEST_CASE("the Rosenbrock test problem's derivatives are right", "[optim][newton]") {
  Rosenbrock p(4);
  const std::vector<double> x = {-1.2, 1, 0.3, -0.7};
  const hetmod::numeric::ScalarFn f = [&](const std::vector<double>& v) { return p.value_and_gradient(v.data(), nullptr); };
  std::vector<double> g(4), h(16);
  p.value_gradient_hessian(x.data(), g.data(), h.data());
  CHECK(hetmod::numeric::max_rel_diff(hetmod::numeric::fd_gradient_richardson(f, x), g) < 1e-8);
  const hetmod::numeric::VectorFn gr = [&](const std::vector<double>& v) {
    std::vector<double> out(4);
    p.value_and_gradient(v.data(), out.data());
    return out;
  };
  CHECK(hetmod::numeric::max_rel_diff(hetmod::numeric::fd_hessian_from_gradient(gr, x), h) < 1e-7);
}

TEST_CASE("Newton solves 2-d and 10-d Rosenbrock from the classic start", "[optim][newton]") {
  for (std::size_t n : {std::size_t(2), std::size_t(10)}) {
    INFO("n = " << n);
    Rosenbrock p(n);
    std::vector<double> x = rosenbrock_start(n);
    const hetmod::Convergence c = minimize_newton(p, x);
    INFO(c.reason);
    CHECK(c.converged);
    CHECK(c.code == newton_code::converged);
    CHECK(c.optimizer == "newton-tr");
    CHECK(c.grad_norm <= 1e-8);
    CHECK(c.iterations > 0);
    CHECK(c.iterations < 100);
    CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
  }
}

TEST_CASE("Newton converges from a start where the Hessian is indefinite", "[optim][newton]") {
  Rosenbrock p(2);
  std::vector<double> x = {0.0, 1.0};
  std::vector<double> g(2), h(4);
  p.value_gradient_hessian(x.data(), g.data(), h.data());
  REQUIRE(hetmod::numeric::symmetric_eigenvalues(h, 2)[0] < 0);  // indefinite at the start
  const hetmod::Convergence c = minimize_newton(p, x);
  INFO(c.reason);
  CHECK(c.converged);
  CHECK(max_abs_diff_from(x, 1.0) < 1e-6);

  // Hard case: g = 0 component along the negative-curvature direction. Start on the saddle's
  // unstable axis: x = (0.5, 0) has g = (1 + ..., 0) and H = diag(+, -2).
  Saddle s;
  s.c = 0.25;  // minima at (0, +-sqrt 2)
  std::vector<double> y = {0.5, 0.0};
  const hetmod::Convergence cs = minimize_newton(s, y);
  INFO(cs.reason);
  CHECK(cs.converged);
  CHECK(y[0] == Approx(0.0).margin(1e-8).epsilon(0));
  CHECK(std::fabs(y[1]) == Approx(std::sqrt(2.0)).epsilon(1e-10));
}

TEST_CASE("Newton takes one step on a quadratic", "[optim][newton]") {
  Quadratic q;
  std::vector<double> x = {0, 0, 0};
  NewtonOptions o;
  o.initial_radius = 10;
  const hetmod::Convergence c = minimize_newton(q, x, o);
  CHECK(c.converged);
  CHECK(c.iterations == 1);
  CHECK(x[0] == Approx(1.0).epsilon(1e-12));
  CHECK(x[1] == Approx(-2.0).epsilon(1e-12));
  CHECK(x[2] == Approx(0.5).epsilon(1e-12));
}

TEST_CASE("Newton rejects trial points with a non-finite objective", "[optim][newton]") {
  LogBarrier p;
  std::vector<double> x = {5.0};
  NewtonOptions o;
  o.initial_radius = 10;  // the first Newton step (-20, clipped to -10) leaves the domain
  const hetmod::Convergence c = minimize_newton(p, x, o);
  INFO(c.reason);
  CHECK(c.converged);
  CHECK(x[0] == Approx(1.0).epsilon(1e-10));
}

TEST_CASE("Newton reports a non-finite start, a saddle and max_iter without throwing", "[optim][newton]") {
  LogBarrier bad;
  std::vector<double> x = {-1.0};
  hetmod::Convergence c = minimize_newton(bad, x);
  CHECK_FALSE(c.converged);
  CHECK(c.code == newton_code::bad_start);
  CHECK(x[0] == -1.0);

  Saddle s;
  std::vector<double> y = {0.0, 0.0};
  c = minimize_newton(s, y);
  CHECK_FALSE(c.converged);
  CHECK(c.code == newton_code::saddle);
  CHECK(c.reason.find("saddle") != std::string::npos);

  Rosenbrock p(2);
  std::vector<double> z = {-1.2, 1};
  NewtonOptions o;
  o.max_iter = 3;
  c = minimize_newton(p, z, o);
  CHECK_FALSE(c.converged);
  CHECK(c.code == newton_code::max_iter);
  CHECK(c.iterations == 3);
  CHECK(c.reason.find("maximum number of iterations (3) reached") == 0);
  CHECK(c.objective < 24.2);
  CHECK(c.objective == Approx(p.value_and_gradient(z.data(), nullptr)));
}

TEST_CASE("Newton rethrows the objective's exception and polls interrupts", "[optim][newton]") {
  Rosenbrock p(2);
  p.throw_at = 5;
  std::vector<double> x = {-1.2, 1};
  REQUIRE_THROWS_AS(minimize_newton(p, x), ObjectiveFailure);
  CHECK(p.evaluations == 5);
  CHECK(x == std::vector<double>{-1.2, 1});

  InterruptGuard guard;
  Rosenbrock q(2);
  int budget = 3;
  hetmod::set_interrupt_checker(interrupt_after, &budget);
  REQUIRE_THROWS_MATCHES(minimize_newton(q, x), hetmod::Error,
                         is_error(Status::interrupted, "minimize_newton: interrupted by the user"));
}

TEST_CASE("Newton validates its arguments", "[optim][newton]") {
  Rosenbrock no_hess(2, false);
  std::vector<double> x = {0, 0};
  REQUIRE_THROWS_MATCHES(minimize_newton(no_hess, x), hetmod::Error,
                         is_error(Status::invalid_argument,
                                  "minimize_newton: the problem has no analytic Hessian (has_hessian() is false)"));
  Rosenbrock p(2);
  std::vector<double> x1 = {0};
  REQUIRE_THROWS_MATCHES(minimize_newton(p, x1), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_newton: x has length 1, but must have length 2"));
  NewtonOptions o;
  o.initial_radius = 0;
  REQUIRE_THROWS_MATCHES(minimize_newton(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_newton: initial_radius is 0, but must be > 0"));
  o = NewtonOptions();
  o.initial_radius = 2e3;
  REQUIRE_THROWS_MATCHES(minimize_newton(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument,
                                  "minimize_newton: initial_radius is 2000, but must be <= max_radius = 1000"));
}

TEST_CASE("Problem::value_gradient_hessian defaults to Error(unsupported)", "[optim]") {
  struct Plain : hetmod::optim::Problem {
    std::size_t dim() const override { return 1; }
    double value_and_gradient(const double* x, double*) override { return x[0]; }
  } plain;
  double x = 1, g = 0, h = 0;
  CHECK_FALSE(plain.has_hessian());
  REQUIRE_THROWS_MATCHES(plain.value_gradient_hessian(&x, &g, &h), hetmod::Error,
                         is_error(Status::unsupported,
                                  "Problem::value_gradient_hessian: this problem has no analytic Hessian"));
}
