// Key/value options (core/options.hpp).
#include <catch2/catch.hpp>

#include "hetmod/core/options.hpp"
#include "support/error_match.hpp"

using hetmod::Options;
using hetmod::Status;
using support::is_error;

TEST_CASE("Options getters return values or defaults", "[core][options]") {
  Options o;
  CHECK_FALSE(o.has("a"));
  CHECK(o.get_double("a", 1.5) == 1.5);
  CHECK(o.get_int("a", 7) == 7);
  CHECK(o.get_bool("a", true));
  CHECK(o.get_string("a", "dflt") == "dflt");
  CHECK(o.get_vector("a", {1, 2}) == std::vector<double>{1, 2});

  o.set("tol", 1e-8);
  o.set("maxit", 200.0);
  o.set("verbose", 0.0);
  o.set("method", std::string("newton"));
  o.set("start", std::vector<double>{0.5, -1});
  CHECK(o.has("tol"));
  CHECK(o.get_double("tol", 0) == 1e-8);
  CHECK(o.get_int("maxit", 0) == 200);
  CHECK_FALSE(o.get_bool("verbose", true));
  CHECK(o.get_bool("maxit", false));
  CHECK(o.get_string("method", "") == "newton");
  CHECK(o.get_vector("start", {}) == std::vector<double>{0.5, -1});
  CHECK(o.get_vector("tol", {}) == std::vector<double>{1e-8});  // a number is a length-1 vector
  CHECK(o.keys() == std::vector<std::string>{"maxit", "method", "start", "tol", "verbose"});

  o.set("tol", std::string("loose"));  // overwrite with another kind
  CHECK(o.get_string("tol", "") == "loose");
  o.erase("tol");
  CHECK_FALSE(o.has("tol"));
  o.erase("never-set");  // no-op
  CHECK(o.keys().size() == 4);
}

TEST_CASE("Options getters reject the wrong kind of value", "[core][options]") {
  Options o;
  o.set("method", std::string("newton"));
  o.set("maxit", 2.5);
  o.set("start", std::vector<double>{1, 2});
  o.set("big", 1e18);
  REQUIRE_THROWS_MATCHES(o.get_double("method", 0), hetmod::Error,
                         is_error(Status::invalid_argument, "options: option 'method' must be a number, but is a string"));
  REQUIRE_THROWS_MATCHES(o.get_string("maxit", ""), hetmod::Error,
                         is_error(Status::invalid_argument, "options: option 'maxit' must be a string, but is a number"));
  REQUIRE_THROWS_MATCHES(o.get_vector("method", {}), hetmod::Error,
                         is_error(Status::invalid_argument,
                                  "options: option 'method' must be a numeric vector, but is a string"));
  REQUIRE_THROWS_MATCHES(o.get_double("start", 0), hetmod::Error,
                         is_error(Status::invalid_argument,
                                  "options: option 'start' must be a number, but is a numeric vector"));
  REQUIRE_THROWS_MATCHES(o.get_bool("start", false), hetmod::Error,
                         is_error(Status::invalid_argument,
                                  "options: option 'start' must be a number, but is a numeric vector"));
  REQUIRE_THROWS_MATCHES(o.get_int("maxit", 0), hetmod::Error,
                         is_error(Status::invalid_argument, "options: option 'maxit' is 2.5, but must be an integer"));
  REQUIRE_THROWS_MATCHES(o.get_int("big", 0), hetmod::Error,
                         is_error(Status::invalid_argument, "options: option 'big' is 1e+18, but must be an integer"));
  o.set("nan", std::numeric_limits<double>::quiet_NaN());
  REQUIRE_THROWS_MATCHES(o.get_int("nan", 0), hetmod::Error,
                         is_error(Status::invalid_argument, "options: option 'nan' is NaN, but must be an integer"));
  o.set("neg", -3.0);
  CHECK(o.get_int("neg", 0) == -3);
}
