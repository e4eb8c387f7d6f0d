// NLopt wrapper (optim/nlopt.hpp): convergence, exception safety, interrupts, bounds, validation.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hetmod/core/log.hpp"
#include "hetmod/optim/nlopt.hpp"
#include "optim/problems.hpp"
#include "support/error_match.hpp"

using hetmod::Status;
using hetmod::optim::minimize_nlopt;
using hetmod::optim::NloptAlgorithm;
using hetmod::optim::NloptOptions;
using optim_test::max_abs_diff_from;
using optim_test::ObjectiveFailure;
using optim_test::Rosenbrock;
using optim_test::rosenbrock_start;
using support::error_contains;
using support::is_error;

namespace {
struct InterruptGuard {
  ~InterruptGuard() { hetmod::set_interrupt_checker(nullptr); }
};
bool interrupt_after(void* user) { return --*static_cast<int*>(user) < 0; }

NloptOptions with(NloptAlgorithm a, int maxeval = 20000) {
  NloptOptions o;
  o.algorithm = a;
  o.maxeval = maxeval;
  return o;
}
}  // namespace

TEST_CASE("LBFGS solves 2-d and 10-d Rosenbrock", "[optim][nlopt]") {
  for (std::size_t n : {std::size_t(2), std::size_t(10)}) {
    INFO("n = " << n);
    Rosenbrock p(n);
    std::vector<double> x = rosenbrock_start(n);
    const hetmod::Convergence c = minimize_nlopt(p, x, with(NloptAlgorithm::lbfgs));
    INFO(c.reason);
    CHECK(c.converged);
    CHECK(c.optimizer == "nlopt:LD_LBFGS");
    CHECK(c.code > 0);
    CHECK(c.iterations == p.evaluations);
    CHECK(c.grad_norm <= 1e-5);
    CHECK(c.objective < 1e-12);
    CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
  }
}

TEST_CASE("derivative-free methods solve 2-d Rosenbrock", "[optim][nlopt]") {
  for (NloptAlgorithm a : {NloptAlgorithm::bobyqa, NloptAlgorithm::neldermead, NloptAlgorithm::sbplx}) {
    INFO(hetmod::optim::nlopt_algorithm_name(a));
    Rosenbrock p(2);
    std::vector<double> x = rosenbrock_start(2);
    NloptOptions o = with(a);
    o.xtol_rel = 1e-12;
    o.ftol_rel = 0;
    const hetmod::Convergence c = minimize_nlopt(p, x, o);
    INFO(c.reason);
    CHECK(c.converged);
    CHECK(std::isnan(c.grad_norm));  // unknown for derivative-free methods
    CHECK(c.optimizer == std::string("nlopt:") + hetmod::optim::nlopt_algorithm_name(a));
    CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
  }
}

TEST_CASE("BOBYQA solves 10-d Rosenbrock", "[optim][nlopt]") {
  Rosenbrock p(10);
  std::vector<double> x = rosenbrock_start(10);
  NloptOptions o = with(NloptAlgorithm::bobyqa, 50000);
  o.xtol_rel = 1e-12;
  o.ftol_rel = 0;
  const hetmod::Convergence c = minimize_nlopt(p, x, o);
  INFO(c.reason);
  CHECK(c.converged);
  CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
}

TEST_CASE("gradient methods with bounds stay inside and converge at the bound", "[optim][nlopt]") {
  // min Rosenbrock s.t. x0 <= 0.5  ->  (0.5, 0.25), with the x0 bound active.
  for (NloptAlgorithm a : {NloptAlgorithm::lbfgs, NloptAlgorithm::mma, NloptAlgorithm::slsqp, NloptAlgorithm::bobyqa}) {
    INFO(hetmod::optim::nlopt_algorithm_name(a));
    Rosenbrock p(2);
    NloptOptions o = with(a);
    o.lower = {-2, -2};
    o.upper = {0.5, 2};
    p.lower = o.lower;
    p.upper = o.upper;
    std::vector<double> x = {-1.2, 1};
    const hetmod::Convergence c = minimize_nlopt(p, x, o);
    INFO(c.reason);
    CHECK(c.converged);
    CHECK(p.violations == 0);
    CHECK(x[0] == Approx(0.5).margin(1e-6).epsilon(0));
    CHECK(x[1] == Approx(0.25).margin(1e-6).epsilon(0));
  }
}

TEST_CASE("a start outside the bounds is clamped", "[optim][nlopt]") {
  Rosenbrock p(2);
  NloptOptions o = with(NloptAlgorithm::lbfgs);
  o.lower = {0, 0};
  o.upper = {3, 3};
  std::vector<double> x = {-1.2, 5};
  const hetmod::Convergence c = minimize_nlopt(p, x, o);
  REQUIRE(p.first_point.size() == 2);
  CHECK(p.first_point[0] == 0.0);
  CHECK(p.first_point[1] == 3.0);
  CHECK(c.converged);
  CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
}

TEST_CASE("an exception in the objective stops NLopt and is rethrown unchanged", "[optim][nlopt]") {
  for (NloptAlgorithm a : {NloptAlgorithm::lbfgs, NloptAlgorithm::bobyqa, NloptAlgorithm::neldermead}) {
    INFO(hetmod::optim::nlopt_algorithm_name(a));
    Rosenbrock p(2);
    p.throw_at = 5;
    std::vector<double> x = {-1.2, 1};
    REQUIRE_THROWS_AS(minimize_nlopt(p, x, with(a)), ObjectiveFailure);
    CHECK(p.evaluations == 5);  // never called again after the throw
    CHECK(x == std::vector<double>{-1.2, 1});  // x untouched on error
    p.evaluations = 0;
    REQUIRE_THROWS_WITH(minimize_nlopt(p, x, with(a)), "objective failed at evaluation 5");
  }
  // A hetmod::Error keeps its status.
  struct Failing : hetmod::optim::Problem {
    std::size_t dim() const override { return 1; }
    double value_and_gradient(const double*, double*) override {
      throw hetmod::Error(Status::domain, "apgw_loglik: shape is -1, but must be > 0");
    }
  } failing;
  std::vector<double> x = {0.0};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(failing, x), hetmod::Error,
                         is_error(Status::domain, "apgw_loglik: shape is -1, but must be > 0"));
}

TEST_CASE("the interrupt hook stops NLopt with Error(interrupted)", "[optim][nlopt]") {
  InterruptGuard guard;
  Rosenbrock p(2);
  int budget = 7;
  hetmod::set_interrupt_checker(interrupt_after, &budget);
  std::vector<double> x = {-1.2, 1};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x), hetmod::Error,
                         is_error(Status::interrupted, "minimize_nlopt: interrupted by the user"));
  CHECK(p.evaluations == 7);
  hetmod::set_interrupt_checker(nullptr);
  CHECK(minimize_nlopt(p, x).converged);
}

TEST_CASE("too few evaluations is a non-converged result, not an error", "[optim][nlopt]") {
  for (NloptAlgorithm a : {NloptAlgorithm::lbfgs, NloptAlgorithm::neldermead}) {
    Rosenbrock p(2);
    std::vector<double> x = {-1.2, 1};
    const hetmod::Convergence c = minimize_nlopt(p, x, with(a, 10));
    CHECK_FALSE(c.converged);
    CHECK(c.code == 5);  // NLOPT_MAXEVAL_REACHED
    CHECK(c.iterations >= 10);
    CHECK(c.iterations <= 11);  // plus at most one gradient evaluation at the returned point
    CHECK(c.reason.find("maximum number of evaluations reached") != std::string::npos);
    CHECK(c.objective < 24.2);  // improved on f(start) = 24.2
  }
}

TEST_CASE("a loose stopping rule with a large gradient is reported as not converged", "[optim][nlopt]") {
  Rosenbrock p(2);
  std::vector<double> x = {-1.2, 1};
  NloptOptions o = with(NloptAlgorithm::lbfgs);
  o.xtol_rel = 1e-2;  // stops early
  o.ftol_rel = 0;
  o.grad_tol = 1e-8;
  const hetmod::Convergence c = minimize_nlopt(p, x, o);
  CHECK_FALSE(c.converged);
  CHECK(c.grad_norm > 1e-8);
  CHECK(c.reason.find("exceeds the tolerance") != std::string::npos);
}

TEST_CASE("minimize_nlopt validates its arguments", "[optim][nlopt]") {
  Rosenbrock p(2);
  std::vector<double> x3 = {1, 2, 3};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x3), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: x has length 3, but must have length 2"));
  std::vector<double> xn = {1, std::numeric_limits<double>::quiet_NaN()};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, xn), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: x[1] is NaN, but must be finite"));
  std::vector<double> x = {0, 0};
  NloptOptions o;
  o.lower = {0};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: lower has length 1, but must have length 2"));
  o.lower = {0, 1};
  o.upper = {1, 0.5};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: lower[1] is 1, but must be <= upper[1] = 0.5"));
  o.upper = {1, std::numeric_limits<double>::quiet_NaN()};
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: upper[1] is NaN, but must be a number > -Inf"));
  o = NloptOptions();
  o.maxeval = 0;
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: maxeval is 0, but must be >= 1"));
  o = NloptOptions();
  o.xtol_rel = -1;
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: xtol_rel is -1, but must be >= 0"));
  o = NloptOptions();
  o.algorithm = static_cast<NloptAlgorithm>(42);
  REQUIRE_THROWS_MATCHES(minimize_nlopt(p, x, o), hetmod::Error,
                         is_error(Status::invalid_argument, "minimize_nlopt: algorithm 42 is unknown"));
  Rosenbrock empty(0);
  std::vector<double> none;
  REQUIRE_THROWS_MATCHES(minimize_nlopt(empty, none), hetmod::Error,
                         error_contains(Status::invalid_argument, "minimize_nlopt: the problem has dimension 0"));
  CHECK(p.evaluations == 0);
  CHECK(std::string(hetmod::optim::nlopt_algorithm_name(NloptAlgorithm::lbfgs)) == "LD_LBFGS");
  CHECK(std::string(hetmod::optim::nlopt_algorithm_name(NloptAlgorithm::neldermead)) == "LN_NELDERMEAD");
}
