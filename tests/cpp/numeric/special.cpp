// Log-scale helpers and normal functions (numeric/boost_policy.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/math/distributions/gamma.hpp>

#include "hetmod/numeric/boost_policy.hpp"
#include "support/error_match.hpp"

namespace nm = hetmod::numeric;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

TEST_CASE("log1mexp is accurate for tiny and huge arguments", "[numeric][special]") {
  CHECK(nm::log1mexp(1.0) == Approx(std::log(1 - std::exp(-1.0))).epsilon(1e-15));
  CHECK(nm::log1mexp(1e-20) == Approx(std::log(1e-20)).epsilon(1e-14));  // log(1 - e^-x) ~ log x
  CHECK(nm::log1mexp(50.0) == Approx(-std::exp(-50.0)).epsilon(1e-14));  // ~ -e^-x
  CHECK(nm::log1mexp(800.0) == 0.0);
  CHECK(nm::log1mexp(0.0) == -kInf);
  CHECK(nm::log1mexp(kInf) == 0.0);
  CHECK(std::isnan(nm::log1mexp(-1.0)));
  CHECK(std::isnan(nm::log1mexp(std::nan(""))));
}

TEST_CASE("log1pexp, log_add_exp, log_diff_exp, log_sum_exp", "[numeric][special]") {
  CHECK(nm::log1pexp(0.0) == Approx(std::log(2.0)));
  CHECK(nm::log1pexp(-50.0) == Approx(std::exp(-50.0)).epsilon(1e-14));
  CHECK(nm::log1pexp(1000.0) == 1000.0);
  CHECK(nm::log1pexp(20.0) == Approx(20.0 + std::exp(-20.0)).epsilon(1e-15));
  CHECK(nm::log1pexp(-kInf) == 0.0);

  CHECK(nm::log_add_exp(1000.0, 1000.0) == Approx(1000.0 + std::log(2.0)));
  CHECK(nm::log_add_exp(-kInf, 3.0) == 3.0);
  CHECK(nm::log_add_exp(-kInf, -kInf) == -kInf);
  CHECK(nm::log_diff_exp(1000.0, 999.0) == Approx(1000.0 + std::log(1 - std::exp(-1.0))));
  CHECK(nm::log_diff_exp(2.0, -kInf) == 2.0);
  CHECK(nm::log_diff_exp(2.0, 2.0) == -kInf);
  CHECK(std::isnan(nm::log_diff_exp(1.0, 2.0)));

  const std::vector<double> x = {-1000.0, -1001.0, -1002.0};
  CHECK(nm::log_sum_exp(x) == Approx(-1000.0 + std::log(1 + std::exp(-1.0) + std::exp(-2.0))));
  CHECK(nm::log_sum_exp(std::vector<double>{}) == -kInf);
  CHECK(nm::log_sum_exp({-kInf, -kInf}) == -kInf);
  CHECK(nm::log_sum_exp({1.0, kInf}) == kInf);
  CHECK(std::isnan(nm::log_sum_exp({1.0, std::nan("")})));
}

TEST_CASE("normal cdf, log cdf, quantile", "[numeric][special]") {
  CHECK(nm::normal_cdf(0.0) == 0.5);
  CHECK(nm::normal_cdf(1.959963984540054) == Approx(0.975).epsilon(1e-15));
  CHECK(nm::normal_sf(1.959963984540054) == Approx(0.025).epsilon(1e-14));
  CHECK(nm::normal_pdf(0.0) == Approx(0.3989422804014327).epsilon(1e-15));
  CHECK(nm::normal_logpdf(2.0) == Approx(-2.0 - 0.9189385332046727).epsilon(1e-15));
  CHECK(nm::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
  CHECK(nm::normal_quantile(0.5) == 0.0);
  CHECK(nm::normal_quantile(0.0) == -kInf);
  CHECK(nm::normal_quantile(1.0) == kInf);
  REQUIRE_THROWS_MATCHES(nm::normal_quantile(1.5), hetmod::Error,
                         support::is_error(hetmod::Status::domain, "normal_quantile: p is 1.5, but must be in [0, 1]"));
  // log Phi in the far tail: continuity at the switch to the asymptotic series (x = -30), and values
  // from R: pnorm(-40, log.p = TRUE) = -804.6084420137538, pnorm(-5, log.p = TRUE) = -15.064998393988725.
  CHECK(nm::normal_logcdf(-40.0) == Approx(-804.6084420137538).epsilon(1e-14));
  CHECK(nm::normal_logcdf(-5.0) == Approx(-15.064998393988725).epsilon(1e-14));
  CHECK(nm::normal_logcdf(-30.0 + 1e-12) == Approx(nm::normal_logcdf(-30.0 - 1e-12)).epsilon(1e-12));
  CHECK(nm::normal_logcdf(-1e10) == Approx(-5e19).epsilon(1e-12));
  CHECK(nm::normal_logcdf(10.0) == Approx(-7.619853024160527e-24).epsilon(1e-12));
  CHECK(nm::normal_logsf(10.0) == Approx(nm::normal_logcdf(-10.0)));
  CHECK(nm::normal_logcdf(kInf) == 0.0);
  CHECK(nm::normal_logcdf(-kInf) == -kInf);
  CHECK(std::isnan(nm::normal_cdf(std::nan(""))));
}

TEST_CASE("the Boost policy throws on domain and overflow errors", "[numeric][special]") {
  boost::math::gamma_distribution<double, nm::Policy> g(2.0, 1.0);
  CHECK(boost::math::cdf(g, 1.0) == Approx(1 - 2 * std::exp(-1.0)));
  REQUIRE_THROWS_AS(boost::math::cdf(g, -1.0), std::domain_error);
  REQUIRE_THROWS_AS((boost::math::gamma_distribution<double, nm::Policy>(-1.0, 1.0)), std::domain_error);
  REQUIRE_THROWS_AS(boost::math::tgamma(200.0, nm::Policy()), std::overflow_error);
  static_assert(!nm::Policy::promote_double_type::value, "no long double promotion");
  static_assert(!nm::Policy::promote_float_type::value, "no double promotion of float");
}
