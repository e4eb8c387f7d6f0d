// Issue 3 acceptance: predictions for new data with delta-method CIs, for every distribution and every
// prediction type (survival, hazard, cumhaz, density, quantile, RMST, cure fraction, hazard ratio, time
// ratio). The reference is written here from the spec's formulas (spec 1.2-1.3), independently of the
// library's kernels: the cumulative hazard and hazard of each member in closed form, quantiles by bisection
// on H, RMST by Simpson's rule, the cure fraction as exp(-H(inf)). Delta-method SEs are checked against
// sqrt(g' V g) with g a Richardson finite-difference gradient of the reference quantity, and the interval
// ends against the documented transforms (log; complementary log-log for S; logit for the cure fraction).
// The fit is a hand-made SurvFit (coefficients and a positive-definite covariance), so nothing here
// depends on the optimiser.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hetmod/numeric/fdiff.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {

constexpr double kInfD = std::numeric_limits<double>::infinity();

// Natural parameters of one covariate row.
struct Nat {
  double phi = 1, lam = 1, gam = 1, kap = 1;
};

// Cumulative hazard and hazard of each member (spec 1.2-1.3).
double cumhaz(Dist d, const Nat& q, double t) {
  const double u = std::pow(q.phi * t, q.gam);
  switch (d) {
    case Dist::weibull:
    case Dist::exponential:
      return q.lam * u;
    case Dist::burr:
    case Dist::loglogistic:
      return q.lam * std::log1p(u);
    case Dist::gompertz:
      return q.lam * std::expm1(u);
    case Dist::cure_limit:
      return q.lam * u / (1 + u);
    default:  // apgw, pgw
      return q.lam * (1 + q.kap) / q.kap * (std::pow(1 + u / (1 + q.kap), q.kap) - 1);
  }
}
double hazard(Dist d, const Nat& q, double t) {
  const double u = std::pow(q.phi * t, q.gam), du = q.gam * u / t;  // du/dt
  switch (d) {
    case Dist::weibull:
    case Dist::exponential:
      return q.lam * du;
    case Dist::burr:
    case Dist::loglogistic:
      return q.lam * du / (1 + u);
    case Dist::gompertz:
      return q.lam * std::exp(u) * du;
    case Dist::cure_limit:
      return q.lam * du / ((1 + u) * (1 + u));
    default:
      return q.lam * du * std::pow(1 + u / (1 + q.kap), q.kap - 1);
  }
}
double cumhaz_inf(Dist d, const Nat& q) {
  if (d == Dist::cure_limit) return q.lam;
  if ((d == Dist::apgw || d == Dist::pgw) && q.kap < 0) return q.lam * (1 + q.kap) / (-q.kap);
  return kInfD;
}
double quantile(Dist d, const Nat& q, double p) {
  const double y = -std::log1p(-p);
  if (y >= cumhaz_inf(d, q)) return kInfD;
  double lo = std::log(1e-12), hi = std::log(1e12);
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (cumhaz(d, q, std::exp(mid)) < y ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}
double rmst(Dist d, const Nat& q, double tau) {
  // t = tau v^2 removes the t^gamma corner at 0; Simpson on v in [0, 1].
  const int m = 4000;
  auto g = [&](double v) { return v == 0 ? 0.0 : std::exp(-cumhaz(d, q, tau * v * v)) * 2 * tau * v; };
  double s = g(0) + g(1);
  for (int k = 1; k < m; ++k) s += (k % 2 ? 4 : 2) * g(static_cast<double>(k) / m);
  return s / (3.0 * m);
}

struct Layout {
  Dist dist;
  std::array<bool, 4> free;  // which parameters carry (intercept, x) coefficients
};

// Natural parameters of row x from the coefficient vector (blocks phi, lambda, gamma, kappa; 2 each when free).
Nat natural(const Layout& L, const std::vector<double>& b, double x) {
  std::array<double, 4> eta{0, 0, 0, 0};
  size_t k = 0;
  for (size_t j = 0; j < 4; ++j)
    if (L.free[j]) {
      eta[j] = b[k] + b[k + 1] * x;
      k += 2;
    }
  Nat q;
  q.phi = std::exp(eta[0]);
  q.lam = std::exp(eta[1]);
  q.gam = std::exp(eta[2]);
  switch (L.dist) {
    case Dist::weibull: q.kap = 1; break;
    case Dist::exponential: q.kap = 1, q.gam = 1; break;
    case Dist::burr: q.kap = 0; break;
    case Dist::loglogistic: q.kap = 0, q.lam = 1; break;
    case Dist::pgw: q.kap = std::exp(eta[3]), q.lam = q.kap / (1 + q.kap); break;
    case Dist::gompertz: break;
    case Dist::cure_limit: break;
    default: q.kap = std::expm1(eta[3]);
  }
  return q;
}

// Reference value of `type` for row x (ref row x = 0 for the ratios) at point a.
double reference(const Layout& L, const std::vector<double>& b, PredictType type, double x, double a) {
  const Nat q = natural(L, b, x), r = natural(L, b, 0.0);
  switch (type) {
    case PredictType::survival: return std::exp(-cumhaz(L.dist, q, a));
    case PredictType::hazard: return hazard(L.dist, q, a);
    case PredictType::cumhaz: return cumhaz(L.dist, q, a);
    case PredictType::density: return hazard(L.dist, q, a) * std::exp(-cumhaz(L.dist, q, a));
    case PredictType::quantile: return quantile(L.dist, q, a);
    case PredictType::rmst: return rmst(L.dist, q, a);
    case PredictType::cure: return std::exp(-cumhaz_inf(L.dist, q));
    case PredictType::hazard_ratio: return hazard(L.dist, q, a) / hazard(L.dist, r, a);
    case PredictType::time_ratio: return quantile(L.dist, q, a) / quantile(L.dist, r, a);
  }
  return NAN;
}

}  // namespace

TEST_CASE("acceptance: every prediction type of every distribution, with delta-method SEs and CIs",
          "[survival][acceptance]") {
  const std::vector<Layout> layouts{
      {Dist::apgw, {true, true, true, true}},        {Dist::weibull, {false, true, true, false}},
      {Dist::exponential, {false, true, false, false}}, {Dist::burr, {true, true, true, false}},
      {Dist::loglogistic, {true, false, true, false}}, {Dist::pgw, {true, false, true, true}},
      {Dist::gompertz, {true, true, true, false}},    {Dist::cure_limit, {true, true, true, false}}};
  // Coefficients (intercept, x) per parameter; APGW kappa = 0.6 e^(0.1 x) - 1 < 0 (a cure fraction),
  // PGW kappa = 0.8 e^(0.1 x).
  const std::array<std::array<double, 2>, 4> coef{{{0.1, 0.2}, {-0.2, 0.3}, {std::log(1.3), -0.15}, {0, 0.1}}};
  const std::vector<double> xs{0.0, 0.5, 1.0};
  const std::vector<double> probs{0.1, 0.3};
  const double level = 0.9, z = 1.6448536269514722;
  for (const Layout& L : layouts) {
    std::vector<double> b;
    SurvFit f;
    f.dist = L.dist;
    DesignBuilder nd(3), rd(1);
    int start = 0;
    for (size_t j = 0; j < 4; ++j) {
      f.block_start[j] = start;
      f.block_size[j] = L.free[j] ? 2 : 0;
      if (!L.free[j]) continue;
      start += 2;
      double c0 = coef[j][0];
      if (j == 3) c0 = L.dist == Dist::pgw ? std::log(0.8) : std::log(0.6);
      b.push_back(c0);
      b.push_back(coef[j][1]);
      const Par par = static_cast<Par>(j);
      nd.intercept(par).column(par, xs, "x");
      rd.intercept(par).column(par, {0.0}, "x");
    }
    const size_t P = b.size();
    f.result.coef = b;
    f.result.vcov.assign(P * P, 0.0);
    for (size_t a = 0; a < P; ++a)
      for (size_t c = 0; c < P; ++c)
        f.result.vcov[a + c * P] = 0.02 * std::pow(0.5, std::fabs(static_cast<double>(a) - static_cast<double>(c)));
    const Design ndes = nd.design(), rdes = rd.design();
    // Times where S is not astronomically small (the Gompertz hazard grows like exp((phi t)^gamma)).
    const std::vector<double> times = L.dist == Dist::gompertz ? std::vector<double>{0.1, 0.3, 0.8}
                                                                : std::vector<double>{0.3, 1.0, 2.5};
    for (int ti = 0; ti <= 8; ++ti) {
      const PredictType type = static_cast<PredictType>(ti);
      const bool prob = type == PredictType::quantile || type == PredictType::time_ratio;
      const std::vector<double> pts = type == PredictType::cure ? std::vector<double>{} : prob ? probs : times;
      const bool ratio = type == PredictType::hazard_ratio || type == PredictType::time_ratio;
      const Prediction pr = predict(f, ndes, pts, type, level, ratio ? &rdes : nullptr);
      const size_t m = type == PredictType::cure ? 1 : pts.size();
      REQUIRE(pr.nrow == 3);
      REQUIRE(static_cast<size_t>(pr.ncol) == m);
      for (size_t i = 0; i < 3; ++i)
        for (size_t k = 0; k < m; ++k) {
          const size_t o = i + 3 * k;
          const double a = type == PredictType::cure ? 0.0 : pts[k];
          const double want = reference(L, b, type, xs[i], a);
          INFO(dist_name(L.dist) << " type " << ti << " row " << i << " at " << a);
          if (type == PredictType::cure && want == 0.0) {
            CHECK(pr.estimate[o] == 0.0);
            CHECK(pr.se[o] == 0.0);
            continue;
          }
          REQUIRE(std::isfinite(want));
          CHECK(pr.estimate[o] == Approx(want).epsilon(type == PredictType::rmst ? 1e-9 : 1e-10));
          // Delta method on the natural scale (the library works on a transformed scale: the same SE).
          auto fq = [&](const std::vector<double>& bb) { return reference(L, bb, type, xs[i], a); };
          const std::vector<double> g = numeric::fd_gradient_richardson(fq, b, 1e-3);
          double v = 0;
          for (size_t r = 0; r < P; ++r)
            for (size_t c = 0; c < P; ++c) v += g[r] * f.result.vcov[r + c * P] * g[c];
          const double se = std::sqrt(v);
          if (ratio && i == 0) {  // row 0 is the reference pattern: ratio 1, SE 0
            CHECK(pr.se[o] == Approx(0.0).margin(1e-9).epsilon(0));
            continue;
          }
          CHECK(pr.se[o] == Approx(se).epsilon(1e-6));
          // Interval ends from the transformed scale.
          const double est = pr.estimate[o];
          double lo = NAN, hi = NAN;
          if (type == PredictType::survival) {
            const double H = -std::log(est), st = se / (est * H);
            lo = std::exp(-std::exp(std::log(H) + z * st));
            hi = std::exp(-std::exp(std::log(H) - z * st));
          } else if (type == PredictType::cure) {
            const double lg = std::log(est / (1 - est)), st = se / (est * (1 - est));
            lo = 1 / (1 + std::exp(-(lg - z * st)));
            hi = 1 / (1 + std::exp(-(lg + z * st)));
          } else {
            lo = est * std::exp(-z * se / est);
            hi = est * std::exp(z * se / est);
          }
          CHECK(pr.lower[o] == Approx(lo).epsilon(1e-6));
          CHECK(pr.upper[o] == Approx(hi).epsilon(1e-6));
          CHECK(pr.lower[o] < est);
          CHECK(est < pr.upper[o]);
        }
    }
  }
}

TEST_CASE("acceptance: quantiles beyond the cure plateau are infinite; no covariance, no intervals",
          "[survival][acceptance]") {
  // APGW intercepts only, kappa = -0.5, lambda = 1: H(inf) = 1, cure fraction e^-1.
  SurvFit f;
  f.dist = Dist::apgw;
  f.result.coef = {0.0, 0.0, 0.0, std::log(0.5)};
  f.result.vcov.assign(16, 0.0);
  for (size_t a = 0; a < 4; ++a) f.result.vcov[a * 5] = 0.01;
  for (size_t j = 0; j < 4; ++j) {
    f.block_start[j] = static_cast<int>(j);
    f.block_size[j] = 1;
  }
  DesignBuilder nd(1);
  nd.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  const Prediction q = predict(f, nd.design(), {0.5, 0.7}, PredictType::quantile);
  CHECK(std::isfinite(q.estimate[0]));                  // 0.5 < 1 - e^-1 = 0.632
  CHECK(std::isinf(q.estimate[1]));                     // 0.7 > 0.632: cured
  CHECK(std::isnan(q.se[1]));
  const Prediction c = predict(f, nd.design(), {}, PredictType::cure);
  CHECK(c.estimate[0] == Approx(std::exp(-1.0)).epsilon(1e-14));
  // A fit without a valid covariance (a boundary fit reports NaN): estimates, but NaN SEs and limits, never
  // an interval collapsed onto the estimate.
  f.result.vcov.assign(16, std::nan(""));
  for (int ti = 0; ti <= 6; ++ti) {
    const PredictType type = static_cast<PredictType>(ti);
    const Prediction p = predict(f, nd.design(), type == PredictType::quantile ? std::vector<double>{0.5}
                                                                               : std::vector<double>{1.0},
                                 type);
    INFO("type " << ti);
    CHECK(std::isfinite(p.estimate[0]));
    CHECK(std::isnan(p.se[0]));
    CHECK(std::isnan(p.lower[0]));
    CHECK(std::isnan(p.upper[0]));
  }
}
