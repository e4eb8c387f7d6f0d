// Accelerated hazards (AH): tied coefficients lambda:x = -phi:x (option "ties", src/survival/ties.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
// Independent APGW AH log-likelihood for right-censored data: phi = e^{a0 + x tau}, lambda = e^{b0 - x tau},
// gamma = e^{g0}, 1 + kappa = e^{k0}; H(t) = lambda (1+kappa)/kappa [(1 + (phi t)^gamma/(1+kappa))^kappa - 1].
double ah_loglik(const std::vector<double>& t, const std::vector<int32_t>& d, const std::vector<double>& x,
                 double a0, double tau, double b0, double g0, double k0) {
  const double g = std::exp(g0), k1 = std::exp(k0), k = k1 - 1;
  double ll = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const double phi = std::exp(a0 + x[i] * tau), lam = std::exp(b0 - x[i] * tau);
    const double u = std::pow(phi * t[i], g);
    const double H = lam * k1 / k * (std::pow(1 + u / k1, k) - 1);
    const double h = lam * phi * g * std::pow(phi * t[i], g - 1) * std::pow(1 + u / k1, k - 1);
    ll += (d[i] ? std::log(h) : 0.0) - H;
  }
  return ll;
}

struct AhSetup {
  DesignBuilder b;
  SurvData data;
  explicit AhSetup(const survtest::Veteran& v) : b(static_cast<int64_t>(v.n())) {
    b.intercept(Par::phi)
        .column(Par::phi, v.trt01, "trt")
        .intercept(Par::lambda)
        .column(Par::lambda, v.trt01, "trt")
        .intercept(Par::gamma)
        .intercept(Par::kappa);
    data.time = v.time;
    data.status = v.status;
  }
};
Options ties_opt(std::vector<double> t) {
  Options o;
  o.set("ties", std::move(t));
  return o;
}
}  // namespace

TEST_CASE("AH on veteran: tied fit, independent log-likelihood, GH comparison", "[survival][ah]") {
  const auto v = survtest::load_veteran();
  AhSetup s(v);
  const SurvFit f = fit(s.data, s.b.design(), Dist::apgw, ties_opt({1, 1}));
  REQUIRE(f.result.convergence.converged);
  const auto& c = f.result.coef;  // phi:(Intercept), phi:trt, lambda:(Intercept), lambda:trt, gamma, kappa
  REQUIRE(c.size() == 6);
  CHECK(c[3] == -c[1]);
  CHECK(f.result.df == 5);
  CHECK(f.result.coef_names[3] == "lambda:trt");
  CHECK(f.result.notes.at("ties") == "lambda:trt = -phi:trt (accelerated hazards)");
  // Independent reference (scripts/gen-reference/survival_ah.R: the AH log-likelihood coded in R, optim).
  const auto ref = survtest::load_ref_csv("survival_ah_ref.csv");
  const auto& ri = ref.at("apgw_ah_trt_interior");
  CHECK(f.result.loglik == Approx(ri.at("loglik")).margin(1e-6));
  CHECK(c[0] == Approx(ri.at("phi.(Intercept)")).margin(2e-3));
  CHECK(c[1] == Approx(ri.at("phi.trt")).margin(2e-3));
  CHECK(c[2] == Approx(ri.at("lambda.(Intercept)")).margin(2e-3));
  CHECK(c[4] == Approx(ri.at("gamma.(Intercept)")).margin(2e-3));
  CHECK(c[5] == Approx(ri.at("kappa.(Intercept)")).margin(2e-3));
  // An interior local maximum: the supremum lies on the path to the threshold boundary (the reference's global
  // optim point has log gamma > log 50), detected through the probe of the model without trt (tau = 0).
  CHECK(std::find(f.flags.begin(), f.flags.end(), "threshold_boundary") != f.flags.end());
  const double tl = f.result.extras.at("threshold_loglik")[0];
  CHECK(tl > f.result.loglik);
  CHECK(tl <= ref.at("apgw_ah_trt").at("loglik") + 1e-6);
  // Independent formula at the estimate.
  CHECK(f.result.loglik == Approx(ah_loglik(v.time, v.status, v.trt01, c[0], c[1], c[2], c[4], c[5])).epsilon(1e-12));
  // Score in the tied direction and in the free directions is zero.
  std::vector<double> g;
  loglik(s.data, s.b.design(), Dist::apgw, c, &g);
  CHECK(std::fabs(g[1] - g[3]) < 1e-5);
  for (size_t k : {0, 2, 4, 5}) CHECK(std::fabs(g[k]) < 1e-5);
  // vcov = A V A': Var(lambda:trt) = Var(phi:trt), Cov = -Var; aic counts 5 parameters.
  const auto& V = f.result.vcov;
  CHECK(V[3 + 3 * 6] == Approx(V[1 + 1 * 6]));
  CHECK(V[1 + 3 * 6] == Approx(-V[1 + 1 * 6]));
  CHECK(V[1 + 1 * 6] > 0);
  CHECK(f.result.extras.at("aic")[0] == Approx(-2 * f.result.loglik + 10));
  // Perturbing the estimate lowers the independent log-likelihood (a local maximum).
  for (double e : {-1e-3, 1e-3}) {
    CHECK(ah_loglik(v.time, v.status, v.trt01, c[0], c[1] + e, c[2], c[4], c[5]) < f.result.loglik);
    CHECK(ah_loglik(v.time, v.status, v.trt01, c[0] + e, c[1], c[2], c[4], c[5]) < f.result.loglik);
  }
  // General hazard (untied) fit: LRT >= 0 with df = 1 more parameter.
  const SurvFit gh = fit(s.data, s.b.design(), Dist::apgw);
  CHECK(gh.result.df == f.result.df + 1);
  CHECK(gh.result.loglik >= f.result.loglik - 1e-8);
  // The untied log-likelihood at the tied estimate equals the tied fit's.
  CHECK(loglik(s.data, s.b.design(), Dist::apgw, c) == Approx(f.result.loglik).epsilon(1e-13));
  // A user start on the tie gives the same fit.
  Options o = ties_opt({1, 1});
  o.set("start", std::vector<double>{-1.5, 0.3, -3.0, -0.3, 0.4, 0.4});
  const SurvFit f2 = fit(s.data, s.b.design(), Dist::apgw, o);
  CHECK(f2.result.loglik == Approx(f.result.loglik).epsilon(1e-9));
}

TEST_CASE("AH with a Weibull baseline is PH with coefficient (gamma - 1) tau", "[survival][ah]") {
  const auto v = survtest::load_veteran();
  const int64_t n = static_cast<int64_t>(v.n());
  // APGW with kappa = 1 through the offset log 2: phi carries only the tied covariate (its intercept is
  // confounded with lambda's at kappa = 1).
  std::vector<double> klog2(v.n(), std::log(2.0));
  DesignBuilder b(n);
  b.column(Par::phi, v.karno, "karno").intercept(Par::lambda).column(Par::lambda, v.karno, "karno").intercept(Par::gamma);
  Design d = b.design();
  d.par[3].offset = klog2;
  SurvData data;
  data.time = v.time;
  data.status = v.status;
  const SurvFit ah = fit(data, d, Dist::apgw, ties_opt({0, 1}));
  REQUIRE(ah.result.convergence.converged);
  DesignBuilder bw(n);
  bw.intercept(Par::lambda).column(Par::lambda, v.karno, "karno").intercept(Par::gamma);
  const SurvFit ph = fit(data, bw.design(), Dist::weibull);
  REQUIRE(ph.result.convergence.converged);
  CHECK(ah.result.loglik == Approx(ph.result.loglik).epsilon(1e-10));
  CHECK(ah.result.df == ph.result.df);
  const double tau = ah.result.coef[0], gam = std::exp(ah.result.coef[3]);
  CHECK((gam - 1) * tau == Approx(ph.result.coef[1]).epsilon(1e-5));
  CHECK(ah.result.coef[3] == Approx(ph.result.coef[2]).epsilon(1e-5));
}

TEST_CASE("AH: analytic gradient of the reduced objective vs finite differences", "[survival][ah]") {
  const auto v = survtest::load_veteran();
  AhSetup s(v);
  const Design d = s.b.design();
  // theta = (a0, tau, b0, g0, k0); beta = A theta.
  auto full = [](const std::vector<double>& th) {
    return std::vector<double>{th[0], th[1], th[2], -th[1], th[3], th[4]};
  };
  const std::vector<double> th{-1.2, 0.3, -3.5, 0.2, 0.4};
  std::vector<double> g;
  loglik(s.data, d, Dist::apgw, full(th), &g);
  const std::vector<double> gr{g[0], g[1] - g[3], g[2], g[4], g[5]};  // A'g
  for (size_t r = 0; r < 5; ++r) {
    const double e = 1e-6;
    auto tp = th, tm = th;
    tp[r] += e;
    tm[r] -= e;
    const double fd = (loglik(s.data, d, Dist::apgw, full(tp)) - loglik(s.data, d, Dist::apgw, full(tm))) / (2 * e);
    CHECK(gr[r] == Approx(fd).epsilon(1e-6).margin(1e-5));
    // and against the independent formula
    const double fi = (ah_loglik(v.time, v.status, v.trt01, tp[0], tp[1], tp[2], tp[3], tp[4]) -
                       ah_loglik(v.time, v.status, v.trt01, tm[0], tm[1], tm[2], tm[3], tm[4])) / (2 * e);
    CHECK(gr[r] == Approx(fi).epsilon(1e-6).margin(1e-5));
  }
}

TEST_CASE("AH: simulate and recover tau", "[survival][ah]") {
  const int64_t n = 3000;
  Rng rng(20261128);
  std::vector<double> x(static_cast<size_t>(n)), z(static_cast<size_t>(n));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = rng.uniform() < 0.5 ? 1.0 : 0.0;
    z[i] = rng.normal();
  }
  DesignBuilder b(n);
  b.column(Par::phi, x, "x").column(Par::phi, z, "z").intercept(Par::lambda).column(Par::lambda, x, "x")
      .column(Par::lambda, z, "z").intercept(Par::gamma).intercept(Par::kappa);
  // tau = (0.7, -0.4), lambda intercept 0, gamma 1.5, kappa 0.5.
  const std::vector<double> truth{0.7, -0.4, 0.0, -0.7, 0.4, std::log(1.5), std::log(1.5)};
  const auto T = simulate_times(b.design(), Dist::apgw, truth, rng);
  std::vector<double> t(T.size());
  std::vector<int32_t> st(T.size());
  for (size_t i = 0; i < T.size(); ++i) {
    const double C = 4.0 * rng.uniform_open();
    st[i] = T[i] <= C ? 1 : 0;
    t[i] = std::min(T[i], C);
  }
  SurvData data;
  data.time = t;
  data.status = st;
  const SurvFit f = fit(data, b.design(), Dist::apgw, ties_opt({0, 1, 1, 2}));
  REQUIRE(f.result.convergence.converged);
  CHECK(f.result.df == 5);
  const size_t P = 7;
  for (size_t k = 0; k < 2; ++k) {
    const double se = std::sqrt(f.result.vcov[k + k * P]);
    CHECK(std::fabs(f.result.coef[k] - truth[k]) < 4 * se);
    CHECK(f.result.coef[k + 3] == -f.result.coef[k]);
  }
  // The GH fit nests it: LRT >= 0 on 2 df.
  const SurvFit gh = fit(data, b.design(), Dist::apgw);
  CHECK(gh.result.df - f.result.df == 2);
  CHECK(gh.result.loglik >= f.result.loglik - 1e-8);
}

TEST_CASE("AH: bad ties are clear errors", "[survival][ah]") {
  const auto v = survtest::load_veteran();
  AhSetup s(v);
  const Design d = s.b.design();
  auto msg = [&](const Options& o, Dist dist = Dist::apgw) {
    try {
      fit(s.data, d, dist, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(msg(ties_opt({0, 5})), Catch::Contains("lambda column 5 is out of range"));
  CHECK_THAT(msg(ties_opt({3, 1})), Catch::Contains("phi column 3 is out of range"));
  CHECK_THAT(msg(ties_opt({1, 1}), Dist::loglogistic), Catch::Contains("fixes lambda"));
  CHECK_THAT(msg(ties_opt({0})), Catch::Contains("pairs"));
  CHECK_THAT(msg(ties_opt({0, 0.5})), Catch::Contains("integer"));
  CHECK_THAT(msg(ties_opt({1, 1, 1, 1})), Catch::Contains("tied twice"));
  Options bad = ties_opt({1, 1});
  bad.set("start", std::vector<double>{-1.5, 0.3, -3.0, -0.3, 0.4, 0.4});
  bad.set("nonsense", 1.0);
  CHECK_THAT(msg(bad), Catch::Contains("unknown option 'nonsense'"));
  // lambda column 0 is the intercept: values differ from phi's trt column.
  DesignBuilder b2(static_cast<int64_t>(v.n()));
  b2.intercept(Par::phi).column(Par::phi, v.trt01, "trt").intercept(Par::lambda).column(Par::lambda, v.karno, "karno")
      .intercept(Par::gamma).intercept(Par::kappa);
  const Design d2 = b2.design();
  auto msg2 = [&](const Options& o) {
    try {
      fit(s.data, d2, Dist::apgw, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(msg2(ties_opt({1, 1})), Catch::Contains("do not hold the same values"));
  CHECK_THAT(msg2(ties_opt({0, 0})), Catch::Contains("intercept"));
  // Weibull: AH is a reparametrised PH.
  DesignBuilder bw(static_cast<int64_t>(v.n()));
  bw.intercept(Par::lambda).column(Par::lambda, v.trt01, "trt").intercept(Par::gamma);
  try {
    fit(s.data, bw.design(), Dist::weibull, ties_opt({1, 1}));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("reparametrisation"));
  }
}
