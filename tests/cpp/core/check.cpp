// Named argument checks (core/check.hpp) and status names (core/error.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "hetmod/core/check.hpp"
#include "support/error_match.hpp"

using hetmod::Status;
using support::is_error;
namespace check = hetmod::check;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("check::fmt shows values the way messages do", "[core][check]") {
  CHECK(check::fmt(kNaN) == "NaN");
  CHECK(check::fmt(kInf) == "Inf");
  CHECK(check::fmt(-kInf) == "-Inf");
  CHECK(check::fmt(-3) == "-3");
  CHECK(check::fmt(0.25) == "0.25");
  CHECK(check::fmt(0.1) == "0.1");
  CHECK(check::fmt(1e-20) == "1e-20");
  CHECK(check::fmt(123456789012.0) == "1.23456789e+11");
}

TEST_CASE("check messages name function, argument, index, value and rule", "[core][check]") {
  const std::vector<double> t = {1, 2, -3};
  REQUIRE_THROWS_MATCHES(check::positive("apgw_fit", "time", t.data(), 3), hetmod::Error,
                         is_error(Status::invalid_argument, "apgw_fit: time[2] is -3, but must be > 0"));
  REQUIRE_NOTHROW(check::positive("apgw_fit", "time", t.data(), 2));
  REQUIRE_THROWS_MATCHES(check::positive("f", "scale", 0.0), hetmod::Error,
                         is_error(Status::invalid_argument, "f: scale is 0, but must be > 0"));
  REQUIRE_THROWS_MATCHES(check::positive("f", "scale", kInf), hetmod::Error,
                         is_error(Status::invalid_argument, "f: scale is Inf, but must be > 0"));
  REQUIRE_THROWS_MATCHES(check::finite("f", "x", kNaN), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x is NaN, but must be finite"));
  const std::vector<double> y = {0, -kInf};
  REQUIRE_THROWS_MATCHES(check::finite("surv_fit", "y", y.data(), 2), hetmod::Error,
                         is_error(Status::invalid_argument, "surv_fit: y[1] is -Inf, but must be finite"));
  REQUIRE_THROWS_MATCHES(check::nonnegative("f", "w", -0.5), hetmod::Error,
                         is_error(Status::invalid_argument, "f: w is -0.5, but must be >= 0"));
  REQUIRE_NOTHROW(check::nonnegative("f", "w", 0.0));
  const std::vector<double> w = {0, 1, kNaN};
  REQUIRE_THROWS_MATCHES(check::nonnegative("f", "w", w.data(), 3), hetmod::Error,
                         is_error(Status::invalid_argument, "f: w[2] is NaN, but must be >= 0"));
  REQUIRE_THROWS_MATCHES(check::in_range("f", "p", 2, 0, 1), hetmod::Error,
                         is_error(Status::invalid_argument, "f: p is 2, but must be in [0, 1]"));
  REQUIRE_NOTHROW(check::in_range("f", "p", 1, 0, 1));
  REQUIRE_THROWS_MATCHES(check::at_least("f", "n", 1, 2), hetmod::Error,
                         is_error(Status::invalid_argument, "f: n is 1, but must be >= 2"));
  REQUIRE_THROWS_MATCHES(check::same_size("f", "y", 3, 4), hetmod::Error,
                         is_error(Status::invalid_argument, "f: y has length 3, but must have length 4"));
  REQUIRE_THROWS_MATCHES(check::not_null("f", "x", nullptr, 3), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x is NULL"));
  REQUIRE_NOTHROW(check::not_null("f", "x", nullptr, 0));
  REQUIRE_NOTHROW(check::finite("f", "x", static_cast<const double*>(nullptr), 0));
  REQUIRE_THROWS_MATCHES(check::finite("f", "x", static_cast<const double*>(nullptr), 2), hetmod::Error,
                         is_error(Status::invalid_argument, "f: x is NULL"));
}

TEST_CASE("check::require and check::fail carry the status", "[core][check]") {
  REQUIRE_NOTHROW(check::require(true, "f", "never"));
  REQUIRE_THROWS_MATCHES(check::require(false, "f", "bad thing", Status::domain), hetmod::Error,
                         is_error(Status::domain, "f: bad thing"));
  REQUIRE_THROWS_MATCHES(check::fail("g", "broken", Status::numerical), hetmod::Error,
                         is_error(Status::numerical, "g: broken"));
  try {
    check::fail("h", "x");
  } catch (const std::runtime_error& e) {  // Error is a std::runtime_error
    CHECK(std::string(e.what()) == "h: x");
  }
}

TEST_CASE("status_string and the numeric Status values", "[core][error]") {
  CHECK(std::string(hetmod::status_string(Status::ok)) == "ok");
  CHECK(std::string(hetmod::status_string(Status::invalid_argument)) == "invalid argument");
  CHECK(std::string(hetmod::status_string(Status::domain)) == "domain error");
  CHECK(std::string(hetmod::status_string(Status::numerical)) == "numerical error");
  CHECK(std::string(hetmod::status_string(Status::interrupted)) == "interrupted");
  CHECK(std::string(hetmod::status_string(Status::buffer_too_small)) == "buffer too small");
  CHECK(std::string(hetmod::status_string(Status::not_found)) == "not found");
  CHECK(std::string(hetmod::status_string(Status::unsupported)) == "unsupported");
  CHECK(std::string(hetmod::status_string(Status::internal)) == "internal error");
  CHECK(std::string(hetmod::status_string(static_cast<Status>(12345))) == "unknown status");
  // Part of the C ABI: never change.
  CHECK(static_cast<int>(Status::ok) == 0);
  CHECK(static_cast<int>(Status::invalid_argument) == -1);
  CHECK(static_cast<int>(Status::domain) == -2);
  CHECK(static_cast<int>(Status::numerical) == -3);
  CHECK(static_cast<int>(Status::interrupted) == -4);
  CHECK(static_cast<int>(Status::buffer_too_small) == -5);
  CHECK(static_cast<int>(Status::not_found) == -6);
  CHECK(static_cast<int>(Status::unsupported) == -7);
  CHECK(static_cast<int>(Status::internal) == -99);
  hetmod::Error e(Status::domain, "m");
  CHECK(e.status() == Status::domain);
  CHECK(std::string(e.what()) == "m");
}
