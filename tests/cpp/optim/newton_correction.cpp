// Trust-region Newton with the second-order correction of rejected steps (NewtonOptions::correct_rejected).
#include <catch2/catch.hpp>

#include "hetmod/optim/newton.hpp"
#include "optim/problems.hpp"

using hetmod::optim::minimize_newton;
using hetmod::optim::NewtonOptions;
using optim_test::max_abs_diff_from;
using optim_test::Rosenbrock;
using optim_test::rosenbrock_start;

namespace {
// Counts the evaluations of the wrapped problem.
struct Counting : hetmod::optim::Problem {
  explicit Counting(hetmod::optim::Problem& p) : inner(p) {}
  std::size_t dim() const override { return inner.dim(); }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* x, double* g) override { return inner.value_and_gradient(x, g); }
  double value_gradient_hessian(const double* x, double* g, double* h) override {
    ++evals;
    return inner.value_gradient_hessian(x, g, h);
  }
  hetmod::optim::Problem& inner;
  int evals = 0;
};
}  // namespace

TEST_CASE("Newton with the correction of rejected steps solves Rosenbrock's curved valley", "[optim][newton]") {
  for (std::size_t n : {std::size_t(2), std::size_t(10)}) {
    int evals[2] = {0, 0};
    for (int corr = 0; corr < 2; ++corr) {
      Rosenbrock r(n);
      Counting p(r);
      std::vector<double> x = rosenbrock_start(n);
      NewtonOptions o;
      o.correct_rejected = corr == 1;
      const hetmod::Convergence c = minimize_newton(p, x, o);
      INFO("n = " << n << ", correction " << corr << ": " << c.reason << ", " << p.evals << " evaluations");
      CHECK(c.converged);
      CHECK(c.grad_norm <= 1e-8);
      CHECK(max_abs_diff_from(x, 1.0) < 1e-6);
      evals[corr] = p.evals;
    }
    INFO("n = " << n << ": evaluations without / with the correction " << evals[0] << " / " << evals[1]);
    if (n == 2) CHECK(evals[1] < evals[0]);  // 12 against 27: the correction follows the banana
  }
}
