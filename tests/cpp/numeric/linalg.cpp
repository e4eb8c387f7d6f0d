// Linear-algebra helpers (numeric/linalg.hpp, numeric/arma_linalg.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "hetmod/numeric/arma_linalg.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "support/error_match.hpp"

namespace nm = hetmod::numeric;
using hetmod::Status;
using support::error_contains;
using support::is_error;
using Vec = std::vector<double>;

TEST_CASE("spd_inverse, spd_logdet, spd_solve and cholesky_lower against closed forms", "[numeric][linalg]") {
  // A = [[4, 2], [2, 3]]: det 8, inverse [[3, -2], [-2, 4]] / 8, L = [[2, 0], [1, sqrt 2]].
  const Vec a = {4, 2, 2, 3};
  CHECK(nm::max_rel_diff(nm::spd_inverse(a, 2), {3.0 / 8, -2.0 / 8, -2.0 / 8, 4.0 / 8}) < 1e-15);
  CHECK(nm::spd_logdet(a, 2) == Approx(std::log(8.0)).epsilon(1e-14));
  CHECK(nm::max_rel_diff(nm::cholesky_lower(a, 2), {2, 1, 0, std::sqrt(2.0)}) < 1e-15);
  // A x = b with b = A (1, -1) = (2, -1); two right-hand sides.
  CHECK(nm::max_rel_diff(nm::spd_solve(a, 2, {2, -1, 4, 2}), {1, -1, 1, 0}) < 1e-14);

  // Only the symmetric part is used.
  CHECK(nm::max_rel_diff(nm::spd_inverse({4, 1, 3, 3}, 2), nm::spd_inverse(a, 2)) < 1e-15);

  // Tridiagonal (2, -1) matrix of order 4: inverse (i+1)(n-j)/(n+1) for i <= j (0-based), det n + 1.
  const std::size_t n = 4;
  Vec t(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    t[i + i * n] = 2;
    if (i + 1 < n) t[i + (i + 1) * n] = t[i + 1 + i * n] = -1;
  }
  Vec expect(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t lo = std::min(i, j), hi = std::max(i, j);
      expect[i + j * n] = double(lo + 1) * double(n - hi) / double(n + 1);
    }
  const Vec ti = nm::spd_inverse(t, n);
  CHECK(nm::max_rel_diff(ti, expect) < 1e-14);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) CHECK(ti[i + j * n] == ti[j + i * n]);
  CHECK(nm::spd_logdet(t, n) == Approx(std::log(5.0)).epsilon(1e-14));
  CHECK(nm::spd_inverse(Vec{}, 0).empty());
  CHECK(nm::spd_logdet(Vec{}, 0) == 0.0);
}

TEST_CASE("non-PD, non-finite and mis-sized matrices give clear errors", "[numeric][linalg]") {
  const Vec indefinite = {1, 2, 2, 1};  // eigenvalues -1, 3
  REQUIRE_THROWS_MATCHES(nm::spd_inverse(indefinite, 2), hetmod::Error,
                         is_error(Status::numerical, "spd_inverse: matrix is not positive definite (smallest eigenvalue -1)"));
  REQUIRE_THROWS_MATCHES(nm::spd_logdet(indefinite, 2, "sem_fit"), hetmod::Error,
                         is_error(Status::numerical, "sem_fit: matrix is not positive definite (smallest eigenvalue -1)"));
  REQUIRE_THROWS_MATCHES(nm::spd_solve(indefinite, 2, {1, 1}), hetmod::Error,
                         error_contains(Status::numerical, "spd_solve: matrix is not positive definite"));
  REQUIRE_THROWS_MATCHES(nm::cholesky_lower({1, 1, 1, 1}, 2), hetmod::Error,  // singular PSD
                         error_contains(Status::numerical, "cholesky_lower: matrix is not positive definite"));
  REQUIRE_THROWS_MATCHES(nm::spd_inverse({1, 0, 0, std::nan("")}, 2), hetmod::Error,
                         is_error(Status::numerical, "spd_inverse: matrix[1, 1] is NaN, but must be finite"));
  REQUIRE_THROWS_MATCHES(nm::spd_inverse({1, 0, 0}, 2), hetmod::Error,
                         is_error(Status::invalid_argument, "spd_inverse: matrix has 3 elements, but must have n * n = 4"));
  REQUIRE_THROWS_MATCHES(nm::spd_solve({4, 2, 2, 3}, 2, {1, 2, 3}), hetmod::Error,
                         error_contains(Status::invalid_argument, "right-hand side has 3 elements"));
  const arma::mat rect(2, 3, arma::fill::ones);
  REQUIRE_THROWS_MATCHES(nm::spd_inverse(rect), hetmod::Error,
                         is_error(Status::invalid_argument, "spd_inverse: matrix is 2 x 3, but must be square"));
}

TEST_CASE("generalized_inverse reports the rank", "[numeric][linalg]") {
  // Rank-1: A = v v' with v = (1, 2): pinv = v v' / |v|^4.
  const Vec a = {1, 2, 2, 4};
  const nm::GeneralizedInverse g = nm::generalized_inverse(a, 2);
  CHECK(g.rank == 1);
  CHECK(nm::max_rel_diff(g.inverse, {1.0 / 25, 2.0 / 25, 2.0 / 25, 4.0 / 25}) < 1e-14);
  // Full rank: equals the inverse.
  const nm::GeneralizedInverse f = nm::generalized_inverse({4, 2, 2, 3}, 2);
  CHECK(f.rank == 2);
  CHECK(nm::max_rel_diff(f.inverse, nm::spd_inverse({4, 2, 2, 3}, 2)) < 1e-14);
  // Zero matrix: rank 0, zero inverse.
  const nm::GeneralizedInverse z = nm::generalized_inverse({0, 0, 0, 0}, 2);
  CHECK(z.rank == 0);
  CHECK(z.inverse == Vec{0, 0, 0, 0});
  // Armadillo API: Moore-Penrose conditions A G A = A and G A G = G.
  arma::mat m = {{2, 1, 1}, {1, 2, 1}, {1, 1, 2}};
  m.col(2) = m.col(0) + m.col(1);
  m.row(2) = m.row(0) + m.row(1);  // symmetric, rank 2
  arma::uword r = 99;
  const arma::mat gi = nm::generalized_inverse(m, &r);
  CHECK(r == 2);
  CHECK(arma::abs(m * gi * m - m).max() < 1e-12);
  CHECK(arma::abs(gi * m * gi - gi).max() < 1e-12);
}

TEST_CASE("covariance_from_hessian inverts a PD Hessian and reports singular ones", "[numeric][linalg]") {
  const nm::HessianCovariance ok = nm::covariance_from_hessian({4, 2, 2, 3}, 2);
  CHECK(ok.ok);
  CHECK(ok.rank == 2);
  CHECK(ok.reason.empty());
  CHECK(nm::max_rel_diff(ok.vcov, {3.0 / 8, -2.0 / 8, -2.0 / 8, 4.0 / 8}) < 1e-15);
  CHECK(ok.min_eigenvalue == Approx((7 - std::sqrt(17.0)) / 2));
  CHECK(ok.max_eigenvalue == Approx((7 + std::sqrt(17.0)) / 2));

  const nm::HessianCovariance sing = nm::covariance_from_hessian({1, 2, 2, 4}, 2);
  CHECK_FALSE(sing.ok);
  CHECK(sing.vcov.empty());
  CHECK(sing.rank == 1);
  CHECK(sing.reason == "the Hessian is singular (rank 1 of 2): the covariance matrix is not available");

  const nm::HessianCovariance neg = nm::covariance_from_hessian({1, 2, 2, 1}, 2);
  CHECK_FALSE(neg.ok);
  CHECK(neg.rank == 2);
  CHECK(neg.min_eigenvalue == Approx(-1.0));
  CHECK(neg.reason == "the Hessian is not positive definite (smallest eigenvalue -1): the covariance matrix is not available");

  // Nearly singular relative to rel_tol.
  const nm::HessianCovariance near = nm::covariance_from_hessian({1, 0, 0, 1e-12}, 2, 1e-10);
  CHECK_FALSE(near.ok);
  CHECK(near.rank == 1);
  CHECK(nm::covariance_from_hessian({1, 0, 0, 1e-12}, 2, 1e-14).ok);

  REQUIRE_THROWS_MATCHES(nm::covariance_from_hessian({1, 0, 0, std::numeric_limits<double>::infinity()}, 2),
                         hetmod::Error,
                         is_error(Status::numerical, "covariance_from_hessian: matrix[1, 1] is Inf, but must be finite"));
  CHECK(nm::symmetric_eigenvalues({2, 0, 0, 1}, 2) == Vec{1, 2});
}

TEST_CASE("arma_linalg helpers agree with the vector API", "[numeric][linalg]") {
  const arma::mat a = {{4, 2, 0.5}, {2, 3, 0.1}, {0.5, 0.1, 2}};
  const arma::mat inv = nm::spd_inverse(a);
  CHECK(arma::abs(inv * a - arma::eye(3, 3)).max() < 1e-14);
  CHECK(nm::spd_logdet(a) == Approx(std::log(arma::det(a))).epsilon(1e-13));
  const arma::mat l = nm::cholesky_lower(a);
  CHECK(arma::abs(l * l.t() - a).max() < 1e-14);
  CHECK(arma::abs(arma::trimatu(l, 1)).max() == 0.0);
  const arma::mat b = {{1, 0}, {2, 1}, {3, 0}};
  CHECK(arma::abs(a * nm::spd_solve(a, b) - b).max() < 1e-13);
  REQUIRE_THROWS_MATCHES(nm::spd_solve(a, arma::mat(2, 1, arma::fill::ones)), hetmod::Error,
                         is_error(Status::invalid_argument, "spd_solve: right-hand side has 2 rows, but must have 3"));
}
