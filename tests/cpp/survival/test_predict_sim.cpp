// Survival predictions (delta method, quantiles, RMST), simulation, cure limit, validation and invariances.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hetmod/core/error.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sim/harness.hpp"
#include "hetmod/sim/harness.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
struct Sim {
  std::vector<double> x, time;
  std::vector<int32_t> status;
};
// Weibull/APGW data with a binary covariate in lambda (and gamma when requested).
Sim simulate(Dist dist, const std::vector<double>& coef, int64_t n, double cmax, uint64_t seed, bool x_in_gamma = false) {
  Sim s;
  Rng rng(seed);
  s.x.resize(static_cast<size_t>(n));
  for (auto& v : s.x) v = rng.uniform() < 0.5 ? 1.0 : 0.0;
  DesignBuilder b(n);
  if (dist == Dist::apgw) b.intercept(Par::phi);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
  if (x_in_gamma) b.column(Par::gamma, s.x, "x");
  if (dist == Dist::apgw) b.intercept(Par::kappa);
  const auto T = simulate_times(b.design(), dist, coef, rng);
  for (size_t i = 0; i < T.size(); ++i) {
    const double C = cmax * rng.uniform_open();
    s.status.push_back(T[i] <= C ? 1 : 0);
    s.time.push_back(std::min(T[i], C));
  }
  return s;
}
}  // namespace

TEST_CASE("simulate_times: parameter recovery at n = 5000", "[survival]") {
  // Weibull with x in lambda and gamma.
  const std::vector<double> truth{0.2, -0.5, std::log(1.3), 0.15};
  const Sim s = simulate(Dist::weibull, truth, 5000, 5.0, 42, true);
  DesignBuilder b(5000);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma).column(Par::gamma, s.x, "x");
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  const SurvFit f = fit(d, b.design(), Dist::weibull);
  REQUIRE(f.result.convergence.converged);
  for (size_t k = 0; k < 4; ++k) CHECK(std::fabs(f.result.coef[k] - truth[k]) < 4 * std::sqrt(f.result.vcov[k * 5]));
  // APGW with phi, lambda(x), gamma, kappa (kappa = -0.4: a cure fraction, so Inf times occur).
  const std::vector<double> ta{0.0, 0.3, -0.5, std::log(1.4), std::log(0.6)};
  const Sim s2 = simulate(Dist::apgw, ta, 5000, 30.0, 7);
  CHECK(std::count_if(s2.time.begin(), s2.time.end(), [](double t) { return t > 29; }) >= 0);
  DesignBuilder b2(5000);
  b2.intercept(Par::phi).intercept(Par::lambda).column(Par::lambda, s2.x, "x").intercept(Par::gamma).intercept(Par::kappa);
  d.time = s2.time;
  d.status = s2.status;
  const SurvFit f2 = fit(d, b2.design(), Dist::apgw);
  INFO(f2.result.convergence.reason);
  REQUIRE(f2.result.convergence.converged);
  for (size_t k = 0; k < 5; ++k) CHECK(std::fabs(f2.result.coef[k] - ta[k]) < 4 * std::sqrt(f2.result.vcov[k * 6]));
}

TEST_CASE("predict: quantile inverts S, delta-method SEs, RMST, cure fraction", "[survival]") {
  const std::vector<double> truth{0.0, 0.3, -0.5, std::log(1.4), std::log(0.6)};
  const Sim s = simulate(Dist::apgw, truth, 1000, 30.0, 3);
  DesignBuilder b(1000);
  b.intercept(Par::phi).intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma).intercept(Par::kappa);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  const SurvFit f = fit(d, b.design(), Dist::apgw);
  REQUIRE(f.result.convergence.converged);
  DesignBuilder nb(2);
  nb.intercept(Par::phi).intercept(Par::lambda).column(Par::lambda, {0.0, 1.0}, "x").intercept(Par::gamma).intercept(Par::kappa);
  const Design nd = nb.design();
  const std::vector<double> ps{0.1, 0.3};
  const Prediction q = predict(f, nd, ps, PredictType::quantile);
  const std::vector<double> tq{q.estimate[0], q.estimate[1], q.estimate[2], q.estimate[3]};
  for (size_t k = 0; k < 2; ++k)
    for (size_t i = 0; i < 2; ++i) {
      const Prediction sv = predict(f, nd, {tq[i + 2 * k]}, PredictType::survival);
      CHECK(sv.estimate[i] == Approx(1 - ps[k]).epsilon(1e-10));
    }
  // Delta-method SE of S(t) against a finite-difference gradient of S in the coefficients.
  const double t0 = 1.5;
  const Prediction sv = predict(f, nd, {t0}, PredictType::survival);
  const size_t P = f.result.coef.size();
  for (int64_t i = 0; i < 2; ++i) {
    auto Sfun = [&](const std::vector<double>& beta) {
      SurvFit g = f;
      g.result.coef = beta;
      return predict(g, nd, {t0}, PredictType::survival).estimate[static_cast<size_t>(i)];
    };
    const auto gr = numeric::fd_gradient_richardson(Sfun, f.result.coef, 1e-3);
    double v = 0;
    for (size_t a = 0; a < P; ++a)
      for (size_t c = 0; c < P; ++c) v += gr[a] * f.result.vcov[a + c * P] * gr[c];
    CHECK(sv.se[static_cast<size_t>(i)] == Approx(std::sqrt(v)).epsilon(1e-6));
    CHECK(sv.lower[static_cast<size_t>(i)] < sv.estimate[static_cast<size_t>(i)]);
    CHECK(sv.upper[static_cast<size_t>(i)] > sv.estimate[static_cast<size_t>(i)]);
  }
  // hazard, density consistency: f = h S; cumhaz = -log S.
  const Prediction hz = predict(f, nd, {t0}, PredictType::hazard);
  const Prediction de = predict(f, nd, {t0}, PredictType::density);
  const Prediction ch = predict(f, nd, {t0}, PredictType::cumhaz);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(de.estimate[i] == Approx(hz.estimate[i] * sv.estimate[i]).epsilon(1e-12));
    CHECK(ch.estimate[i] == Approx(-std::log(sv.estimate[i])).epsilon(1e-12));
  }
  // PH covariate: hazard ratio is exp(beta_x) at every t.
  DesignBuilder rb(2);
  rb.intercept(Par::phi).intercept(Par::lambda).column(Par::lambda, {0.0, 0.0}, "x").intercept(Par::gamma).intercept(Par::kappa);
  const Design rd = rb.design();
  const Prediction hr = predict(f, nd, {0.5, 3.0}, PredictType::hazard_ratio, 0.95, &rd);
  CHECK(hr.estimate[1] == Approx(std::exp(f.result.coef[2])).epsilon(1e-12));
  CHECK(hr.estimate[3] == Approx(std::exp(f.result.coef[2])).epsilon(1e-12));
  CHECK(hr.se[1] == Approx(std::exp(f.result.coef[2]) * std::sqrt(f.result.vcov[2 + 2 * P])).epsilon(1e-8));
  // Cure fraction: exp(lambda (1+kappa)/kappa).
  const Prediction cu = predict(f, nd, {}, PredictType::cure);
  const double kap = std::expm1(f.result.coef[4]);
  CHECK(cu.estimate[1] == Approx(std::exp(std::exp(f.result.coef[1] + f.result.coef[2]) * (1 + kap) / kap)).epsilon(1e-12));
  CHECK(cu.lower[1] < cu.estimate[1]);
  CHECK(cu.upper[1] > cu.estimate[1]);
  // time ratio at p in a PH (non-AFT) model: finite and positive.
  const Prediction trr = predict(f, nd, {0.2}, PredictType::time_ratio, 0.95, &rd);
  CHECK(trr.estimate[0] == Approx(1.0).epsilon(1e-9));
  CHECK(trr.estimate[1] > 0);
}

TEST_CASE("predict: RMST of the exponential equals its closed form", "[survival]") {
  const Sim s = simulate(Dist::weibull, {-0.3, 0.4, 0.0}, 400, 5.0, 9);
  DesignBuilder b(400);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x");
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  const SurvFit f = fit(d, b.design(), Dist::exponential);
  REQUIRE(f.result.convergence.converged);
  DesignBuilder nb(1);
  nb.intercept(Par::lambda).column(Par::lambda, {1.0}, "x");
  const double rate = std::exp(f.result.coef[0] + f.result.coef[1]);
  for (double tau : {0.5, 2.0, 10.0}) {
    const Prediction r = predict(f, nb.design(), {tau}, PredictType::rmst);
    CHECK(r.estimate[0] == Approx((1 - std::exp(-rate * tau)) / rate).epsilon(1e-10));
    // delta method: d rmst / d log rate = -(1-e^{-r tau})/r + tau e^{-r tau}
    const double dr = -(1 - std::exp(-rate * tau)) / rate + tau * std::exp(-rate * tau);
    const auto& V = f.result.vcov;
    const double var = dr * dr * (V[0] + 2 * V[1] + V[3]);
    CHECK(r.se[0] == Approx(std::sqrt(var)).epsilon(1e-5));
  }
}

TEST_CASE("cure limit: kappa -> -1 is detected and the cure limit fitted (spec 5.F)", "[survival]") {
  // Data from the promotion-time cure limit H = theta v / (1 + v), v = (mu t)^gamma; theta = 1.2, mu = 1, gamma = 1.5
  // (quantile grid; for this design the APGW likelihood rises all the way to kappa = -1).
  const int n = 2000;
  const double theta = 1.2, gam = 1.5, C = 30;
  std::vector<double> time;
  std::vector<int32_t> status;
  for (int i = 1; i <= n; ++i) {
    const double y = -std::log1p(-(i - 0.5) / n);
    double T = INFINITY;
    if (y < theta) T = std::pow((y / theta) / (1 - y / theta), 1 / gam);
    status.push_back(T <= C ? 1 : 0);
    time.push_back(std::min(T, C));
  }
  SurvData d;
  d.time = time;
  d.status = status;
  DesignBuilder b(n);
  b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  const SurvFit f = fit(d, b.design(), Dist::apgw);
  DesignBuilder bc(n);
  bc.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
  const SurvFit fc = fit(d, bc.design(), Dist::cure_limit);
  INFO("apgw ll " << f.result.loglik << " kappa-slot " << f.result.coef[3] << " cure ll " << fc.result.loglik);
  CHECK(fc.result.convergence.converged);
  CHECK(fc.flags.empty());
  CHECK(fc.result.coef[0] == Approx(0.0).margin(0.05).epsilon(0));
  CHECK(fc.result.coef[1] == Approx(std::log(theta)).margin(0.05).epsilon(0));
  CHECK(fc.result.coef[2] == Approx(std::log(gam)).margin(0.05).epsilon(0));
  CHECK(fc.result.loglik >= f.result.loglik - 1e-6);
  const bool flagged = std::find(f.flags.begin(), f.flags.end(), "cure_boundary") != f.flags.end();
  CHECK(flagged);
  CHECK(std::find(f.flags.begin(), f.flags.end(), "phi_lambda_confounded") == f.flags.end());
  if (flagged) {
    CHECK_FALSE(f.result.convergence.converged);
    CHECK(f.result.extras.at("cure_limit_loglik")[0] == Approx(fc.result.loglik).margin(1e-6).epsilon(0));
  }
  // Cure fraction of the cure-limit fit: exp(-theta).
  DesignBuilder nb(1);
  nb.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
  CHECK(predict(fc, nb.design(), {}, PredictType::cure).estimate[0] == Approx(std::exp(-std::exp(fc.result.coef[1]))));
}

TEST_CASE("fit: invariance to row order and covariate rescaling", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, v.karno, "karno").intercept(Par::gamma).column(Par::gamma, v.trt01, "trt");
  const SurvFit f = fit(d, b.design(), Dist::weibull);
  REQUIRE(f.result.convergence.converged);
  // permuted rows
  std::vector<size_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(5);
  for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(i) + 1))]);
  std::vector<double> t2, k2, r2;
  std::vector<int32_t> s2;
  for (size_t i : perm) {
    t2.push_back(v.time[i]);
    s2.push_back(v.status[i]);
    k2.push_back(v.karno[i] * 10.0 + 7.0);  // also rescaled and shifted
    r2.push_back(v.trt01[i]);
  }
  SurvData d2;
  d2.time = t2;
  d2.status = s2;
  DesignBuilder b2(n);
  b2.intercept(Par::lambda).column(Par::lambda, k2, "karno").intercept(Par::gamma).column(Par::gamma, r2, "trt");
  const SurvFit f2 = fit(d2, b2.design(), Dist::weibull);
  CHECK(f2.result.loglik == Approx(f.result.loglik).margin(1e-8).epsilon(0));
  CHECK(f2.result.coef[1] * 10.0 == Approx(f.result.coef[1]).epsilon(1e-6));
  CHECK(f2.result.coef[0] + 7.0 * f2.result.coef[1] == Approx(f.result.coef[0]).epsilon(1e-6));
  CHECK(std::sqrt(f2.result.vcov[1 + 4]) * 10.0 == Approx(std::sqrt(f.result.vcov[1 + 4])).epsilon(1e-5));
  // unscaled fit agrees
  Options o;
  o.set("scale", 0.0);
  const SurvFit f3 = fit(d, b.design(), Dist::weibull, o);
  CHECK(f3.result.loglik == Approx(f.result.loglik).margin(1e-8).epsilon(0));
  for (size_t k = 0; k < 4; ++k) CHECK(f3.result.coef[k] == Approx(f.result.coef[k]).margin(1e-6).epsilon(0));
  for (size_t k = 0; k < 16; ++k) CHECK(f3.result.vcov[k] == Approx(f.result.vcov[k]).margin(1e-8).epsilon(0));
}

TEST_CASE("fit: censoring types, truncation and weights", "[survival]") {
  // Weights 2 equal duplicated rows; interval/left censoring fit converges with analytic derivatives.
  const Sim s = simulate(Dist::weibull, {0.0, -0.4, std::log(1.3)}, 300, 4.0, 21);
  const int64_t n = 300;
  std::vector<double> w(static_cast<size_t>(n), 2.0);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  d.weights = w;
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
  const SurvFit fw = fit(d, b.design(), Dist::weibull);
  std::vector<double> tt = s.time, xx = s.x;
  tt.insert(tt.end(), s.time.begin(), s.time.end());
  xx.insert(xx.end(), s.x.begin(), s.x.end());
  std::vector<int32_t> ss = s.status;
  ss.insert(ss.end(), s.status.begin(), s.status.end());
  SurvData dd;
  dd.time = tt;
  dd.status = ss;
  DesignBuilder bd(2 * n);
  bd.intercept(Par::lambda).column(Par::lambda, xx, "x").intercept(Par::gamma);
  const SurvFit fd = fit(dd, bd.design(), Dist::weibull);
  CHECK(fw.result.loglik == Approx(fd.result.loglik).margin(1e-8).epsilon(0));
  for (size_t k = 0; k < 3; ++k) CHECK(fw.result.coef[k] == Approx(fd.result.coef[k]).margin(1e-7).epsilon(0));
  CHECK(fw.result.extras.at("vcov_robust").size() == 9);
  // Interval-censor events into (0.8 t, 1.2 t], left-censor every 7th, truncate every 5th at 0.3 t.
  std::vector<double> t1(s.time), t2v(s.time), entry(static_cast<size_t>(n), 0.0);
  std::vector<int32_t> st(s.status);
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    if (i % 5 == 0) entry[i] = 0.3 * s.time[i];
    if (st[i] == 1 && i % 3 == 0) {
      t1[i] = 0.8 * s.time[i];
      t2v[i] = 1.2 * s.time[i];
      st[i] = 3;
      entry[i] = std::min(entry[i], 0.5 * t1[i]);
    } else if (st[i] == 1 && i % 7 == 0) {
      st[i] = 2;
    }
  }
  SurvData di;
  di.time = t1;
  di.time2 = t2v;
  di.status = st;
  di.entry = entry;
  for (Dist dist : {Dist::weibull, Dist::apgw}) {
    DesignBuilder bb(n);  // APGW: PH form (phi fixed at 1), identifiable for Weibull data
    bb.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
    if (dist == Dist::apgw) bb.intercept(Par::kappa);
    const SurvFit fi = fit(di, bb.design(), dist);
    INFO(dist_name(dist) << " " << fi.result.convergence.reason << " flags " << (fi.result.notes.count("boundary") ? fi.result.notes.at("boundary") : "") << " coef " << fi.result.coef[0] << " " << fi.result.coef[1]<< " " << fi.result.coef[2]<< " " << fi.result.coef.back());
    CHECK(fi.result.convergence.converged);
    CHECK(fi.result.convergence.grad_norm < 1e-6);
  }
}

TEST_CASE("fit: validation errors name the argument", "[survival]") {
  std::vector<double> t{1, 2, -2, 4, 5}, x(5, 1.0), t2{2, 3, 4, 5, 6};
  std::vector<int32_t> st{1, 0, 1, 1, 0};
  SurvData d;
  d.time = t;
  d.status = st;
  DesignBuilder b(5);
  b.intercept(Par::lambda).intercept(Par::gamma);
  auto msg = [&](const SurvData& dd, const Design& des, Dist dist) {
    try {
      fit(dd, des, dist);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg(d, b.design(), Dist::weibull) == "surv_fit: time[2] is -2, but must be > 0");
  t[2] = std::nan("");
  CHECK(msg(d, b.design(), Dist::weibull) == "surv_fit: time[2] is NaN, but must be > 0");
  t[2] = 3;
  st[1] = 5;
  CHECK(msg(d, b.design(), Dist::weibull).find("status[1] is 5") != std::string::npos);
  st[1] = 3;
  CHECK(msg(d, b.design(), Dist::weibull).find("time2 is empty") != std::string::npos);
  d.time2 = t2;
  t2[1] = 2;
  CHECK(msg(d, b.design(), Dist::weibull).find("time2[1] is 2, but must be finite and > time[1] = 2") != std::string::npos);
  t2[1] = 3;
  std::vector<int32_t> cens(5, 0);
  SurvData dc = d;
  dc.status = cens;
  CHECK(msg(dc, b.design(), Dist::weibull).find("all rows are right-censored") != std::string::npos);
  std::vector<double> entry{0, 0, 0, 4, 0};
  SurvData de = d;
  de.entry = entry;
  CHECK(msg(de, b.design(), Dist::weibull).find("entry[3] is 4, but must be < time[3] = 4") != std::string::npos);
  // Structural parameters must have p == 0; Weibull needs exactly one scale.
  DesignBuilder bk(5);
  bk.intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  CHECK(msg(d, bk.design(), Dist::weibull).find("kappa is fixed by dist 'weibull'") != std::string::npos);
  DesignBuilder bb(5);
  bb.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
  CHECK(msg(d, bb.design(), Dist::weibull).find("exactly one of phi / lambda") != std::string::npos);
  // Singular design (duplicate column).
  DesignBuilder bs(5);
  bs.intercept(Par::lambda).column(Par::lambda, x, "dup").intercept(Par::gamma);
  const std::string sm = msg(d, bs.design(), Dist::weibull);
  CHECK(sm.find("surv_fit") == 0);
  CHECK(sm.find("lambda") != std::string::npos);
  // Wrong number of design rows; NaN covariate.
  std::vector<double> x4(4, 1.0);
  Design bad = b.design();
  bad.par[1].x = data::MatView(x4.data(), 4, 1);
  CHECK(msg(d, bad, Dist::weibull).find("has 4 rows, but must have 5") != std::string::npos);
  std::vector<double> xn{1, 2, std::nan(""), 4, 5};
  DesignBuilder bn(5);
  bn.intercept(Par::lambda).column(Par::lambda, xn, "z").intercept(Par::gamma);
  CHECK(msg(d, bn.design(), Dist::weibull).find("NaN") != std::string::npos);
  // Unknown option.
  Options o;
  o.set("maxiter", 3.0);
  CHECK_THROWS_WITH(fit(d, b.design(), Dist::weibull, o), Catch::Contains("unknown option 'maxiter'"));
  CHECK_THROWS_WITH(dist_from_name("weibul"), Catch::Contains("apgw, weibull"));
  CHECK(dist_from_name("cure_limit") == Dist::cure_limit);
}

TEST_CASE("sim study surv_apgw is registered and runs", "[survival]") {
  Options o;
  o.set("n", 200.0);
  const sim::Study st = sim::make_study("surv_apgw", o);
  sim::StudyOptions so;
  so.last = 3;
  const auto r = sim::run_study(st, so);
  CHECK(r.n_failed == 0);
  CHECK(r.summary.size() == 3);
}

TEST_CASE("sim study: bias and coverage over 1000 replicates", "[.slow][survival]") {
  for (const char* dist : {"weibull", "apgw"}) {
    Options o;
    o.set("n", 500.0);
    o.set("dist", std::string(dist));
    const sim::Study st = sim::make_study("surv_apgw", o);
    sim::StudyOptions so;
    so.last = 999;
    so.threads = 0;
    const auto r = sim::run_study(st, so);
    INFO(dist << " converged " << r.n_converged << " of " << r.n_replicates);
    CHECK(r.n_failed == 0);
    CHECK(r.convergence_rate > 0.95);
    for (const auto& p : r.summary) {
      INFO(p.name << " bias " << p.bias << " (mcse " << p.bias_mcse << ") coverage " << p.coverage << " (mcse "
                  << p.coverage_mcse << ")");
      CHECK(std::fabs(p.bias) < 4 * p.bias_mcse);
      CHECK(std::fabs(p.coverage - 0.95) < 4 * std::max(p.coverage_mcse, 0.0069));
    }
  }
}
