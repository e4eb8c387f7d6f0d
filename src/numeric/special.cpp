// Log-scale helpers and normal-distribution functions (numeric/boost_policy.hpp).
//
// 1. log1mexp: log(-expm1(-x)) for x <= log 2, log1p(-exp(-x)) above (Maechler 2012, "Accurately
//    computing log(1 - exp(-|a|))").
// 2. log1pexp: the same paper's four-branch formula.
// 3. log-sum-exp: shift by the maximum.
// 4. Normal cdf through erfc with hetmod's Boost policy: Phi(x) = erfc(-x / sqrt 2) / 2. log Phi(x) for
//    x < -30 uses the asymptotic series
//      log Phi(x) = -x^2/2 - log(-x) - log(2 pi)/2 + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + ...)
//    (Abramowitz & Stegun 26.2.12), truncated after the x^-14 term (relative error < 1e-17 at x = -30).
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/erf.hpp>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"

namespace hetmod::numeric {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLn2 = 0.693147180559945309417232121458;
constexpr double kLogSqrt2Pi = 0.918938533204672741780329736406;
constexpr double kSqrt1_2 = 0.707106781186547524400844362105;
}  // namespace

double log1mexp(double x) noexcept {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x <= kLn2) return std::log(-std::expm1(-x));  // x == 0 gives log(0) = -Inf
  return std::log1p(-std::exp(-x));
}

double log1pexp(double x) noexcept {
  if (std::isnan(x)) return kNaN;
  if (x <= -37.0) return std::exp(x);
  if (x <= 18.0) return std::log1p(std::exp(x));
  if (x <= 33.3) return x + std::exp(-x);
  return x;
}

double log_add_exp(double a, double b) noexcept {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  const double m = std::max(a, b);
  if (m == -kInf) return -kInf;
  if (m == kInf) return kInf;
  return m + std::log1p(std::exp(std::min(a, b) - m));
}

double log_diff_exp(double a, double b) noexcept {
  if (std::isnan(a) || std::isnan(b) || a < b) return kNaN;
  if (a == b) return -kInf;  // also -Inf - -Inf
  if (a == kInf) return b == kInf ? kNaN : kInf;
  return a + log1mexp(a - b);
}

double log_sum_exp(const double* x, std::size_t n) noexcept {
  if (n == 0 || x == nullptr) return -kInf;
  double m = -kInf;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return kNaN;
    m = std::max(m, x[i]);
  }
  if (m == -kInf || m == kInf) return m;
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
  return m + std::log(s);
}

double log_sum_exp(const std::vector<double>& x) noexcept { return log_sum_exp(x.data(), x.size()); }

double normal_pdf(double x) { return std::exp(normal_logpdf(x)); }

double normal_logpdf(double x) { return -0.5 * x * x - kLogSqrt2Pi; }

double normal_cdf(double x) {
  if (std::isnan(x)) return kNaN;
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  return 0.5 * boost::math::erfc(-x * kSqrt1_2, Policy());
}

double normal_sf(double x) { return std::isnan(x) ? kNaN : normal_cdf(-x); }

double normal_logcdf(double x) {
  if (std::isnan(x)) return kNaN;
  if (x == -kInf) return -kInf;
  if (x == kInf) return 0.0;
  if (x < -30.0) {
    const double r = 1.0 / (x * x);
    // 1 - r + 3 r^2 - 15 r^3 + 105 r^4 - 945 r^5 + 10395 r^6 - 135135 r^7 (Horner)
    const double series =
        1.0 + r * (-1.0 + r * (3.0 + r * (-15.0 + r * (105.0 + r * (-945.0 + r * (10395.0 + r * -135135.0))))));
    return -0.5 * x * x - std::log(-x) - kLogSqrt2Pi + std::log(series);
  }
  if (x < 0.0) return std::log(0.5 * boost::math::erfc(-x * kSqrt1_2, Policy()));
  return std::log1p(-0.5 * boost::math::erfc(x * kSqrt1_2, Policy()));
}

double normal_logsf(double x) { return std::isnan(x) ? kNaN : normal_logcdf(-x); }

double normal_quantile(double p) {
  if (!(p >= 0.0 && p <= 1.0))
    check::fail("normal_quantile", "p is " + check::fmt(p) + ", but must be in [0, 1]", Status::domain);
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  boost::math::normal_distribution<double, Policy> nd(0.0, 1.0);
  return boost::math::quantile(nd, p);
}

}  // namespace hetmod::numeric
