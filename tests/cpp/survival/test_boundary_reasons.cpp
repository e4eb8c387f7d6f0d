// Boundary fits: the convergence reason names the boundary, and kappa -> +inf (the APGW's Gompertz limit,
// spec 1.3) is flagged "gompertz_limit" with the limit fitted directly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
bool has_flag(const SurvFit& f, const std::string& s) {
  return std::find(f.flags.begin(), f.flags.end(), s) != f.flags.end();
}
bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// veteran with time in years (or days) and a left-truncation entry min(time / 2, 10 days): the R reproducer
// surv_mpr(Surv(entry, time, status) ~ I(trt - 1), data = v, dist = "apgw") (phi fixed at 1 by default).
struct VetLT {
  std::vector<double> time, entry;
  std::vector<int32_t> status;
  std::vector<double> trt01;
};
VetLT vet_lt(double unit) {
  const auto v = survtest::load_veteran();
  VetLT o;
  for (size_t i = 0; i < v.n(); ++i) {
    const double t = v.time[i] / unit;
    o.time.push_back(t);
    o.entry.push_back(std::min(t / 2, 10.0 / unit));
  }
  o.status = v.status;
  o.trt01 = v.trt01;
  return o;
}
}  // namespace

TEST_CASE("boundary fits carry a 'boundary: ...' convergence reason", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = static_cast<int64_t>(v.n());
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  {  // the veteran APGW null fit runs to the threshold boundary (spec 5.D)
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO(f.result.convergence.reason);
    REQUIRE(has_flag(f, "threshold_boundary"));
    if (!f.result.convergence.converged)
      CHECK(f.result.convergence.reason == "boundary: log gamma reached gamma_max (the threshold boundary)");
    // With gamma_max below the fitted log gamma (0.37) the fit stops at the bound: not converged.
    Options o;
    o.set("gamma_max", 0.2);
    const SurvFit fb = fit(d, b.design(), Dist::apgw, o);
    REQUIRE(has_flag(fb, "threshold_boundary"));
    CHECK_FALSE(fb.result.convergence.converged);
    CHECK(fb.result.convergence.reason == "boundary: log gamma reached gamma_max (the threshold boundary)");
  }
  {  // Burr with lambda ~ x on APGW(kappa = 0, gamma = 0.7) data, lambda = exp(0.3 x) (bench/survival/robust_starts.cpp
     // data set 104): phi -> 0 with lambda -> inf, singular information at the returned point.
    const int nb = 150;
    Rng rng(Rng::for_stream(20261128u, 104u));
    std::vector<double> x(nb), t;
    std::vector<int32_t> st;
    for (auto& v : x) v = rng.uniform() < 0.5 ? 1.0 : 0.0;
    for (int i = 0; i < nb; ++i) {
      const double mm = -std::log(rng.uniform_open()) / std::exp(0.3 * x[static_cast<size_t>(i)]);
      const double u = detail::unit_cumhaz_inverse(detail::Kernel::apgw, 0.0, mm);
      const double T = std::pow(u, 1 / 0.7), C = 0.2 + 3.0 * rng.uniform();
      t.push_back(std::min(T, C));
      st.push_back(T <= C ? 1 : 0);
    }
    SurvData db;
    db.time = t;
    db.status = st;
    DesignBuilder b(nb);
    b.intercept(Par::phi).intercept(Par::lambda).column(Par::lambda, x, "x").intercept(Par::gamma);
    const SurvFit f = fit(db, b.design(), Dist::burr);
    INFO("burr ll " << f.result.loglik << " flags " << (f.result.notes.count("flags") ? f.result.notes.at("flags") : "")
                    << " reason " << f.result.convergence.reason);
    REQUIRE(has_flag(f, "scale_boundary"));
    CHECK_FALSE(f.result.convergence.converged);
    CHECK(f.result.convergence.reason == "boundary: the information matrix is singular (a scale runs to a limit)");
  }
  {  // the promotion-time cure limit (test_predict_sim.cpp's design)
    const int nc = 2000;
    const double theta = 1.2, gam = 1.5, C = 30;
    std::vector<double> time;
    std::vector<int32_t> status;
    for (int i = 1; i <= nc; ++i) {
      const double y = -std::log1p(-(i - 0.5) / nc);
      double T = INFINITY;
      if (y < theta) T = std::pow((y / theta) / (1 - y / theta), 1 / gam);
      status.push_back(T <= C ? 1 : 0);
      time.push_back(std::min(T, C));
    }
    SurvData dc;
    dc.time = time;
    dc.status = status;
    DesignBuilder b(nc);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(dc, b.design(), Dist::apgw);
    REQUIRE(has_flag(f, "cure_boundary"));
    CHECK_FALSE(f.result.convergence.converged);
    CHECK(f.result.convergence.reason == "boundary: kappa runs to -1 (the promotion-time cure limit)");
  }
  {  // Gompertz shape -> 0 (the existing branch)
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda);
    const SurvFit f = fit(d, b.design(), Dist::gompertz);
    REQUIRE(has_flag(f, "gompertz_boundary"));
    CHECK(starts_with(f.result.convergence.reason, "boundary: "));
  }
  {  // a converged fit keeps the optimiser's reason
    DesignBuilder b(n);
    b.intercept(Par::lambda).intercept(Par::gamma);
    const SurvFit f = fit(d, b.design(), Dist::weibull);
    CHECK(f.result.convergence.converged);
    CHECK_FALSE(starts_with(f.result.convergence.reason, "boundary"));
  }
}

TEST_CASE("kappa -> +inf: the APGW's Gompertz limit is flagged and fitted directly", "[survival]") {
  for (double unit : {365.25, 1.0}) {  // years (the R reproducer), days
    const VetLT v = vet_lt(unit);
    const int64_t n = static_cast<int64_t>(v.time.size());
    SurvData d;
    d.time = v.time;
    d.entry = v.entry;
    d.status = v.status;
    DesignBuilder b(n);  // phi fixed at 1 (the R default for the APGW)
    b.intercept(Par::lambda).column(Par::lambda, v.trt01, "trt").intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    DesignBuilder bg(n);
    bg.intercept(Par::lambda).column(Par::lambda, v.trt01, "trt").intercept(Par::gamma);
    const SurvFit g = fit(d, bg.design(), Dist::gompertz);
    INFO("unit " << unit << ": apgw ll " << f.result.loglik << " log(1+kappa) " << f.result.coef[3] << " flags "
                 << (f.result.notes.count("flags") ? f.result.notes.at("flags") : "") << " reason "
                 << f.result.convergence.reason << "; gompertz ll " << g.result.loglik);
    REQUIRE(g.result.convergence.converged);
    CHECK(g.flags.empty());
    CHECK(f.result.coef[3] > std::log1p(1e3));
    REQUIRE(has_flag(f, "gompertz_limit"));
    CHECK_FALSE(has_flag(f, "scale_boundary"));
    CHECK_FALSE(f.result.convergence.converged);
    CHECK(f.result.convergence.reason == "boundary: kappa runs to +inf (the Gompertz limit)");
    // The limit fitted directly equals the direct Gompertz fit: both are Newton fits stopped at max|grad| <=
    // 1e-4 (then one terminal Newton step), so their logLik differ by O(grad^2 / curvature), far below 1e-6.
    CHECK(f.result.extras.at("gompertz_limit_loglik")[0] == Approx(g.result.loglik).margin(1e-6).epsilon(0));
    CHECK(f.result.extras.at("gompertz_limit_converged")[0] == 1.0);
    const auto& gc = f.result.extras.at("gompertz_limit_coef");
    REQUIRE(gc.size() == g.result.coef.size());
    for (size_t k = 0; k < gc.size(); ++k) CHECK(gc[k] == Approx(g.result.coef[k]).margin(1e-4).epsilon(0));
    // The APGW supremum is the limit: its logLik cannot exceed the Gompertz fit's.
    CHECK(f.result.loglik <= g.result.loglik + 1e-6);
    CHECK(f.result.notes.at("boundary").find("Gompertz limit") != std::string::npos);
  }
}

TEST_CASE("an interior APGW fit with kappa > 1 is not flagged gompertz_limit", "[survival]") {
  // Quantile grid from the APGW with kappa = 2 (spec 1.2 quantile), phi = 1 fixed, lambda = 1, gamma = 1.5.
  const int n = 2000;
  const double kap = 2.0, gam = 1.5, lam = 1.0;
  std::vector<double> time;
  std::vector<int32_t> status;
  for (int i = 1; i <= n; ++i) {
    const double y = -std::log1p(-(i - 0.5) / n);
    const double z = 1 + kap * y / (lam * (1 + kap));
    const double T = std::pow((1 + kap) * (std::pow(z, 1 / kap) - 1), 1 / gam);
    time.push_back(std::min(T, 3.0));
    status.push_back(T <= 3.0 ? 1 : 0);
  }
  SurvData d;
  d.time = time;
  d.status = status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  const SurvFit f = fit(d, b.design(), Dist::apgw);
  INFO("ll " << f.result.loglik << " log(1+kappa) " << f.result.coef[2]);
  CHECK(f.result.convergence.converged);
  CHECK_FALSE(has_flag(f, "gompertz_limit"));
  CHECK(f.result.coef[2] == Approx(std::log1p(kap)).margin(0.1).epsilon(0));
}
