// hetmod/numeric/boost_policy.hpp -- the one Boost.Math policy of hetmod and log-scale helpers.
//
// Every Boost.Math call in hetmod uses hetmod::numeric::Policy: domain, pole, overflow and evaluation
// errors throw (std::domain_error, std::overflow_error, boost::math::evaluation_error), underflow
// returns 0, and float/double are NOT promoted to long double (results agree across platforms where
// long double differs, and with R's BH build). Example:
//   boost::math::normal_distribution<double, hetmod::numeric::Policy> nd(0.0, 1.0);
// Adapters map std::domain_error to Status::domain and std::overflow_error to Status::numerical.
//
// The helpers below are plain functions (implemented in src/numeric/special.cpp) so that including
// this header does not pull in the Boost distribution templates.
#pragma once
#include <cstddef>
#include <vector>

#include <boost/math/policies/policy.hpp>

namespace hetmod::numeric {

using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::throw_on_error>,
    boost::math::policies::pole_error<boost::math::policies::throw_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::throw_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::throw_on_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>>;

/// log(1 - exp(-x)) for x >= 0, accurate for tiny and huge x (Maechler 2012). log1mexp(0) = -Inf,
/// log1mexp(Inf) = 0; NaN for x < 0 or x NaN.
double log1mexp(double x) noexcept;
/// log(1 + exp(x)) (softplus), accurate for all x; log1pexp(-Inf) = 0.
double log1pexp(double x) noexcept;
/// log(exp(a) + exp(b)) without overflow; -Inf if both are -Inf.
double log_add_exp(double a, double b) noexcept;
/// log(exp(a) - exp(b)) for a >= b: a + log1mexp(a - b). -Inf if a == b; NaN if a < b.
double log_diff_exp(double a, double b) noexcept;
/// log(sum_i exp(x_i)) of x[0..n) without overflow; -Inf for n == 0 or all -Inf; +Inf if any +Inf;
/// NaN if any NaN.
double log_sum_exp(const double* x, std::size_t n) noexcept;
double log_sum_exp(const std::vector<double>& x) noexcept;

/// Standard normal density, log density, cdf Phi(x), survivor 1 - Phi(x). NaN in gives NaN out.
double normal_pdf(double x);
double normal_logpdf(double x);
double normal_cdf(double x);
double normal_sf(double x);
/// log Phi(x), accurate in the far lower tail (asymptotic series below x = -30) and near 0 for large x.
double normal_logcdf(double x);
/// log(1 - Phi(x)) = normal_logcdf(-x).
double normal_logsf(double x);
/// Phi^{-1}(p) for p in (0, 1); p = 0 / 1 give -Inf / +Inf; other p throw Error(domain).
double normal_quantile(double p);

}  // namespace hetmod::numeric
