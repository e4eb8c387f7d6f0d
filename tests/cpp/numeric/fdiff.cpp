// Finite-difference derivatives (numeric/fdiff.hpp) against closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "hetmod/numeric/fdiff.hpp"
#include "support/error_match.hpp"

namespace nm = hetmod::numeric;
using Vec = std::vector<double>;

namespace {
// f(x) = exp(x0) sin(x1) + x0^2 x2^3 + log(1 + x1^2)
double f(const Vec& x) { return std::exp(x[0]) * std::sin(x[1]) + x[0] * x[0] * std::pow(x[2], 3) + std::log1p(x[1] * x[1]); }
Vec grad(const Vec& x) {
  return {std::exp(x[0]) * std::sin(x[1]) + 2 * x[0] * std::pow(x[2], 3),
          std::exp(x[0]) * std::cos(x[1]) + 2 * x[1] / (1 + x[1] * x[1]),
          3 * x[0] * x[0] * x[2] * x[2]};
}
Vec hess(const Vec& x) {  // column-major, symmetric
  const double e = std::exp(x[0]), s = std::sin(x[1]), c = std::cos(x[1]), y2 = x[1] * x[1];
  const double h00 = e * s + 2 * std::pow(x[2], 3);
  const double h01 = e * c;
  const double h02 = 6 * x[0] * x[2] * x[2];
  const double h11 = -e * s + (2 * (1 + y2) - 4 * y2) / ((1 + y2) * (1 + y2));
  const double h12 = 0.0;
  const double h22 = 6 * x[0] * x[0] * x[2];
  return {h00, h01, h02, h01, h11, h12, h02, h12, h22};
}
}  // namespace

TEST_CASE("fd_gradient matches the analytic gradient", "[numeric][fdiff]") {
  for (const Vec& x : {Vec{0.3, -1.1, 0.7}, Vec{-2.0, 3.0, 1.5}, Vec{10.0, 0.01, -4.0}}) {
    CHECK(nm::max_rel_diff(nm::fd_gradient(f, x), grad(x)) < 1e-7);
    CHECK(nm::max_rel_diff(nm::fd_gradient_richardson(f, x), grad(x)) < 1e-9);
  }
}

TEST_CASE("Richardson extrapolation is more accurate than plain central differences", "[numeric][fdiff]") {
  const Vec x = {0.3, -1.1, 0.7};
  const double plain = nm::max_rel_diff(nm::fd_gradient(f, x, 1e-3), grad(x));
  const double rich = nm::max_rel_diff(nm::fd_gradient_richardson(f, x, 1e-3), grad(x));
  CHECK(rich < plain / 100);
  // 1-d closed form: d/dx sin(x) = cos(x)
  const nm::ScalarFn s = [](const Vec& v) { return std::sin(v[0]); };
  CHECK(nm::fd_gradient_richardson(s, {1.0})[0] == Approx(std::cos(1.0)).epsilon(1e-11));
}

TEST_CASE("fd_hessian and fd_hessian_from_gradient match the analytic Hessian", "[numeric][fdiff]") {
  for (const Vec& x : {Vec{0.3, -1.1, 0.7}, Vec{-2.0, 3.0, 1.5}}) {
    const Vec h = hess(x);
    const Vec hg = nm::fd_hessian_from_gradient(grad, x);
    const Vec hf = nm::fd_hessian(f, x);
    CHECK(nm::max_rel_diff(hg, h) < 1e-7);
    CHECK(nm::max_rel_diff(hf, h) < 1e-5);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        CHECK(hg[i + 3 * j] == hg[j + 3 * i]);  // exactly symmetric
        CHECK(hf[i + 3 * j] == hf[j + 3 * i]);
      }
  }
  // Quadratic: exact up to rounding. f = x' A x / 2 + b' x, A = [[2, 1], [1, 4]]
  const nm::ScalarFn q = [](const Vec& v) { return v[0] * v[0] + v[0] * v[1] + 2 * v[1] * v[1] + 3 * v[0] - v[1]; };
  const Vec hq = nm::fd_hessian(q, {0.5, -0.25});
  CHECK(nm::max_rel_diff(hq, {2, 1, 1, 4}) < 1e-6);
}

TEST_CASE("fdiff edge cases and errors", "[numeric][fdiff]") {
  CHECK(nm::fd_gradient(f, {}).empty());
  CHECK(nm::fd_hessian(f, {}).empty());
  REQUIRE_THROWS_MATCHES(nm::fd_gradient(f, {1, 2, 3}, 0.0), hetmod::Error,
                         support::is_error(hetmod::Status::invalid_argument, "fd_gradient: step is 0, but must be > 0"));
  const nm::VectorFn short_grad = [](const Vec&) { return Vec{1.0}; };
  REQUIRE_THROWS_MATCHES(nm::fd_hessian_from_gradient(short_grad, {1.0, 2.0}), hetmod::Error,
                         support::is_error(hetmod::Status::invalid_argument,
                                           "fd_hessian_from_gradient: grad(x) has length 1, but must have length 2"));
}

TEST_CASE("max_rel_diff is relative for large values, absolute for small ones", "[numeric][fdiff]") {
  CHECK(nm::max_rel_diff({1000.0, 0.0}, {1001.0, 0.0}) == Approx(1.0 / 1001));
  CHECK(nm::max_rel_diff({0.001}, {0.002}) == Approx(0.001));
  CHECK(nm::max_rel_diff({}, {}) == 0.0);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(nm::max_rel_diff({inf}, {inf}) == 0.0);
  CHECK(nm::max_rel_diff({std::nan("")}, {1.0}) == inf);
  REQUIRE_THROWS_AS(nm::max_rel_diff({1.0}, {1.0, 2.0}), hetmod::Error);
}
