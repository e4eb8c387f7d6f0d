// Boundary validation (data/validate.hpp, data/view.hpp): every error with its message.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "hetmod/data/validate.hpp"
#include "support/error_match.hpp"

using hetmod::Status;
using hetmod::data::IntVecView;
using hetmod::data::MatView;
using hetmod::data::VecView;
using support::is_error;
namespace hd = hetmod::data;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("views index column-major", "[data][view]") {
  const std::vector<double> d = {1, 2, 3, 4, 5, 6};  // 3 x 2
  const MatView m(d.data(), 3, 2);
  CHECK(m(2, 0) == 3);
  CHECK(m(0, 1) == 4);
  CHECK(m.col(1)[2] == 6);
  CHECK_FALSE(m.empty());
  CHECK(MatView(d.data(), 0, 2).empty());
  const VecView v(d);
  CHECK(v.n == 6);
  CHECK(v[5] == 6);
  CHECK(VecView().empty());
}

TEST_CASE("check_finite names the index (vectors) and row, column (matrices)", "[data][validate]") {
  const std::vector<double> v = {1, 2, kInf};
  REQUIRE_THROWS_MATCHES(hd::check_finite("surv_fit", "time", VecView(v)), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: time[2] is Inf, but must be finite"));
  REQUIRE_NOTHROW(hd::check_finite("surv_fit", "time", VecView(v.data(), 2)));
  REQUIRE_NOTHROW(hd::check_finite("surv_fit", "time", VecView()));
  REQUIRE_THROWS_MATCHES(hd::check_finite("surv_fit", "time", VecView(nullptr, 2)), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: time is NULL"));

  std::vector<double> x(5 * 3, 0.5);  // 5 x 3
  REQUIRE_NOTHROW(hd::check_finite("surv_fit", "x", MatView(x.data(), 5, 3)));
  x[3 + 1 * 5] = kNaN;
  REQUIRE_THROWS_MATCHES(hd::check_finite("surv_fit", "x", MatView(x.data(), 5, 3)), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: x[3, 1] is NaN, but must be finite"));
  x[4 + 0 * 5] = -kInf;  // the first non-finite in column-major order is reported
  REQUIRE_THROWS_MATCHES(hd::check_finite("surv_fit", "x", MatView(x.data(), 5, 3)), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: x[4, 0] is -Inf, but must be finite"));
  REQUIRE_THROWS_MATCHES(hd::check_finite("f", "x", MatView(nullptr, 2, 2)), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x is NULL"));
  REQUIRE_THROWS_MATCHES(hd::check_finite("f", "x", MatView(x.data(), -1, 2)), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x has dimensions -1 x 2, but dimensions must be >= 0"));
  REQUIRE_NOTHROW(hd::check_finite("f", "x", MatView(nullptr, 0, 3)));
}

TEST_CASE("check_shape", "[data][validate]") {
  const std::vector<double> x(12, 1.0);
  REQUIRE_NOTHROW(hd::check_shape("f", "x", MatView(x.data(), 4, 3), 4));
  REQUIRE_NOTHROW(hd::check_shape("f", "x", MatView(x.data(), 4, 3), 4, 3));
  REQUIRE_THROWS_MATCHES(hd::check_shape("surv_fit", "x", MatView(x.data(), 4, 3), 5), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: x has 4 rows, but must have 5"));
  REQUIRE_THROWS_MATCHES(hd::check_shape("surv_fit", "x", MatView(x.data(), 1, 3), 5), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: x has 1 row, but must have 5"));
  REQUIRE_THROWS_MATCHES(hd::check_shape("surv_fit", "x", MatView(x.data(), 4, 3), 4, 2), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: x has 3 columns, but must have 2"));
  REQUIRE_THROWS_MATCHES(hd::check_shape("f", "x", MatView(x.data(), 4, -2), 4), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x has -2 columns, but must have >= 0"));
  REQUIRE_THROWS_MATCHES(hd::check_shape("f", "x", MatView(nullptr, 4, 3), 4), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x is NULL"));
}

TEST_CASE("check_codes", "[data][validate]") {
  const std::vector<int32_t> status = {0, 1, 1, 3, 0};
  REQUIRE_NOTHROW(hd::check_codes("surv_fit", "status", IntVecView(status.data(), 3), {0, 1}));
  REQUIRE_THROWS_MATCHES(hd::check_codes("surv_fit", "status", IntVecView(status), {0, 1, 2}), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: status[3] is 3, but must be one of {0, 1, 2}"));
  REQUIRE_THROWS_MATCHES(hd::check_codes("f", "s", IntVecView(status), {-1}), hetmod::Error,
                         is_error(Status::invalid_argument, "f: s[0] is 0, but must be one of {-1}"));
  REQUIRE_THROWS_MATCHES(hd::check_codes("f", "s", IntVecView(nullptr, 1), {0}), hetmod::Error,
                         is_error(Status::invalid_argument, "f: s is NULL"));
  REQUIRE_NOTHROW(hd::check_codes("f", "s", IntVecView(), {0}));
}

TEST_CASE("check_full_column_rank names the first dependent column", "[data][validate]") {
  // 6 x 4: intercept, t, t^2, and a 4th column set per section.
  const int n = 6, p = 4;
  std::vector<double> x(n * p);
  for (int i = 0; i < n; ++i) {
    x[i] = 1;
    x[i + n] = i;
    x[i + 2 * n] = i * i;
    x[i + 3 * n] = std::sin(i);
  }
  REQUIRE_NOTHROW(hd::check_full_column_rank("surv_fit", "x", MatView(x.data(), n, p)));

  SECTION("exact linear combination") {
    for (int i = 0; i < n; ++i) x[i + 3 * n] = 2 - 3 * i + 0.5 * i * i;
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("surv_fit", "x", MatView(x.data(), n, p)), hetmod::Error,
                           is_error(Status::numerical,
                                    "surv_fit: column 3 of x is (nearly) a linear combination of columns 0..2, so x "
                                    "does not have full column rank"));
  }
  SECTION("duplicate of column 0, reported at column 1") {
    for (int i = 0; i < n; ++i) x[i + n] = 1;
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("surv_fit", "x", MatView(x.data(), n, p)), hetmod::Error,
                           is_error(Status::numerical,
                                    "surv_fit: column 1 of x is (nearly) a linear combination of column 0, so x does "
                                    "not have full column rank"));
  }
  SECTION("nearly dependent within tolerance") {
    for (int i = 0; i < n; ++i) x[i + 3 * n] = i + 1e-13 * std::cos(i);
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p)), hetmod::Error,
                           support::error_contains(Status::numerical, "column 3 of x is (nearly) a linear combination"));
    REQUIRE_NOTHROW(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p), 1e-15));
  }
  SECTION("zero column") {
    for (int i = 0; i < n; ++i) x[i + 2 * n] = 0;
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p)), hetmod::Error,
                           is_error(Status::numerical, "f: column 2 of x is all zero, so x does not have full column rank"));
  }
  SECTION("scale invariance: wildly scaled but independent columns pass") {
    for (int i = 0; i < n; ++i) {
      x[i + n] *= 1e150;
      x[i + 2 * n] *= 1e-150;
    }
    REQUIRE_NOTHROW(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p)));
  }
  SECTION("more columns than rows") {
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("f", "x", MatView(x.data(), 3, 4)), hetmod::Error,
                           is_error(Status::numerical,
                                    "f: x has 3 rows and 4 columns, but needs at least as many rows as columns (n >= "
                                    "p) to have full column rank"));
  }
  SECTION("non-finite entries are reported first") {
    x[2 + 1 * n] = kNaN;
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p)), hetmod::Error,
                           is_error(Status::invalid_argument, "f: x[2, 1] is NaN, but must be finite"));
  }
  SECTION("bad tolerance") {
    REQUIRE_THROWS_MATCHES(hd::check_full_column_rank("f", "x", MatView(x.data(), n, p), 0.0), hetmod::Error,
                           is_error(Status::invalid_argument, "f: tol is 0, but must be > 0"));
  }
  REQUIRE_NOTHROW(hd::check_full_column_rank("f", "x", MatView(x.data(), n, 0)));
}
