// Survival fits against survreg / mpr reference values and the spec's APGW checks (spec 5.B-5.F).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
SurvData vet_data(const survtest::Veteran& v) {
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  return d;
}
bool has_flag(const SurvFit& f, const std::string& s) {
  return std::find(f.flags.begin(), f.flags.end(), s) != f.flags.end();
}
double se(const SurvFit& f, size_t i) {
  const size_t P = f.result.coef.size();
  return std::sqrt(f.result.vcov[i + i * P]);
}
}  // namespace

TEST_CASE("veteran: survreg exponential, Weibull, log-logistic (spec 5.B)", "[survival]") {
  const auto v = survtest::load_veteran();
  const auto ref = survtest::load_survreg_ref();
  REQUIRE(v.n() == 137);
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  struct Case {
    const char* model;
    Dist dist;
    bool trt;
  };
  for (const Case& c : {Case{"exponential_null", Dist::exponential, false}, Case{"exponential_trt", Dist::exponential, true},
                        Case{"weibull_null", Dist::weibull, false}, Case{"weibull_trt", Dist::weibull, true},
                        Case{"loglogistic_null", Dist::loglogistic, false},
                        Case{"loglogistic_trt", Dist::loglogistic, true}}) {
    DesignBuilder b(n);
    b.intercept(Par::phi);
    if (c.trt) b.column(Par::phi, v.trt01, "trt");
    if (c.dist != Dist::exponential) b.intercept(Par::gamma);
    const SurvFit f = fit(d, b.design(), c.dist);
    const auto& r = ref.at(c.model);
    INFO(c.model << " " << f.result.convergence.reason);
    CHECK(f.result.convergence.converged);
    CHECK(f.flags.empty());
    CHECK(f.result.loglik == Approx(r.at("loglik")).margin(1e-4).epsilon(0));
    CHECK(f.result.coef[0] == Approx(r.at("log_phi:(Intercept)")).margin(1e-3).epsilon(0));
    CHECK(se(f, 0) == Approx(r.at("se_log_phi:(Intercept)")).epsilon(2e-3));
    if (c.trt) {
      CHECK(f.result.coef[1] == Approx(r.at("log_phi:trt")).margin(1e-3).epsilon(0));
      CHECK(se(f, 1) == Approx(r.at("se_log_phi:trt")).epsilon(2e-3));
    }
    if (c.dist != Dist::exponential) CHECK(f.result.coef.back() == Approx(r.at("log_gamma")).margin(1e-3).epsilon(0));
  }
  // spec values typed in the spec (independent of the CSV)
  DesignBuilder b(n);
  b.intercept(Par::phi).intercept(Par::gamma);
  const SurvFit w = fit(d, b.design(), Dist::weibull);
  CHECK(w.result.loglik == Approx(-748.0912).margin(1e-4).epsilon(0));
  CHECK(w.result.coef[0] == Approx(-4.7931).margin(1e-3).epsilon(0));
  CHECK(w.result.coef[1] == Approx(-0.1601).margin(1e-3).epsilon(0));
  CHECK(w.result.extras.at("aic")[0] == Approx(2 * 748.0912 + 4).margin(1e-3).epsilon(0));
}

TEST_CASE("veteran: mpr Weibull with trt in lambda and gamma, Burr null (spec 5.C)", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  {
    DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, v.trt01, "trt").intercept(Par::gamma).column(Par::gamma, v.trt01, "trt");
    const SurvFit f = fit(d, b.design(), Dist::weibull);
    CHECK(f.result.convergence.converged);
    CHECK(f.result.loglik == Approx(-746.4009).margin(1e-4).epsilon(0));
    const std::vector<double> want{-4.7464, 1.0885, -0.0146, -0.2489};
    for (size_t i = 0; i < 4; ++i) CHECK(f.result.coef[i] == Approx(want[i]).margin(1e-3).epsilon(0));
    CHECK(f.result.coef_names[1] == "lambda:trt");
  }
  {
    DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, v.trt12, "trt").intercept(Par::gamma).column(Par::gamma, v.trt12, "trt");
    const SurvFit f = fit(d, b.design(), Dist::weibull);
    CHECK(f.result.loglik == Approx(-746.4009).margin(1e-4).epsilon(0));
    const std::vector<double> want{-5.8349, 1.0885, 0.2343, -0.2489};
    for (size_t i = 0; i < 4; ++i) CHECK(f.result.coef[i] == Approx(want[i]).margin(1e-3).epsilon(0));
  }
  {
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
    const SurvFit f = fit(d, b.design(), Dist::burr);
    CHECK(f.result.loglik == Approx(-747.1860).margin(1e-4).epsilon(0));
    const std::vector<double> want{-6.0634, 1.4250, -0.0254};
    INFO("burr " << f.result.coef[0] << " " << f.result.coef[1] << " " << f.result.coef[2]);
    for (size_t i = 0; i < 3; ++i) CHECK(f.result.coef[i] == Approx(want[i]).margin(2e-3).epsilon(0));
  }
}

TEST_CASE("veteran APGW: boundary handling (spec 5.D)", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  {
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO("null: ll " << f.result.loglik << " coef " << f.result.coef[0] << " " << f.result.coef[1] << " "
                     << f.result.coef[2] << " " << f.result.coef[3] << " conv " << f.result.convergence.reason);
    REQUIRE(has_flag(f, "threshold_boundary"));
    CHECK(f.result.coef[2] < std::log(50.0) - 0.5 + 10 * !f.result.convergence.converged);
    if (f.result.convergence.converged) {
      CHECK(f.result.loglik == Approx(-746.2052).margin(1e-4).epsilon(0));
      const std::vector<double> want{-1.5617, -3.0457, 0.3718, 0.4008}, ses{1.29, 1.54, 0.36, 0.11};
      for (size_t i = 0; i < 4; ++i) {
        CHECK(f.result.coef[i] == Approx(want[i]).margin(0.05 * ses[i]).epsilon(0));
        CHECK(se(f, i) == Approx(ses[i]).margin(0.006).epsilon(0));  // spec SEs are rounded to 2 decimals
      }
      CHECK(f.result.extras.at("threshold_loglik")[0] > -746.2052);
    }
  }
  for (int which : {0, 1}) {  // PH (trt in lambda), AFT (trt in phi)
    DesignBuilder b(n);
    b.intercept(Par::phi);
    if (which == 1) b.column(Par::phi, v.trt01, "trt");
    b.intercept(Par::lambda);
    if (which == 0) b.column(Par::lambda, v.trt01, "trt");
    b.intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO((which ? "AFT" : "PH") << " ll " << f.result.loglik << " " << f.result.convergence.reason);
    if (f.result.convergence.converged) {
      CHECK(f.result.loglik == Approx(which ? -746.2016 : -746.2038).margin(1e-4).epsilon(0));
      CHECK(f.result.coef[which ? 1 : 2] == Approx(which ? 0.0187 : -0.0092).margin(0.05 * (which ? 0.222 : 0.179)).epsilon(0));
    }
    CHECK(has_flag(f, "threshold_boundary"));
  }
  {  // PH + AFT (trt in both): drifts, must be flagged.
    DesignBuilder b(n);
    b.intercept(Par::phi).column(Par::phi, v.trt01, "trt").intercept(Par::lambda).column(Par::lambda, v.trt01, "trt");
    b.intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO("PH+AFT ll " << f.result.loglik << " " << f.result.convergence.reason << " coef " << f.result.coef[0] << " " << f.result.coef[1] << " " << f.result.coef[2] << " " << f.result.coef[3] << " " << f.result.coef[4] << " " << f.result.coef[5] << " se " << se(f,0) << " " << se(f,1) << " " << se(f,2) << " " << se(f,3) << " probe " << (f.result.extras.count("threshold_loglik") ? f.result.extras.at("threshold_loglik")[0] : 0.0));
    CHECK(has_flag(f, "threshold_boundary"));
  }
}

TEST_CASE("quantile-grid designs D1 and D2 (spec 5.E)", "[survival]") {
  {
    const auto g = survtest::quantile_grid({0, 0, std::log(1.5), std::log(1.5)}, 2000, 2.5);
    CHECK(g.events == 1868);
    SurvData d;
    d.time = g.time;
    d.status = g.status;
    DesignBuilder b(2000);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO("D1 " << f.result.convergence.reason);
    CHECK(f.result.convergence.converged);
    CHECK(f.result.loglik == Approx(-1895.1910).margin(1e-4).epsilon(0));
    const std::vector<double> want{-0.0062, 0.0101, 0.4061, 0.4023}, ses{1.82, 2.62, 0.056, 0.39};
    for (size_t i = 0; i < 4; ++i) {
      CHECK(f.result.coef[i] == Approx(want[i]).margin(0.05 * ses[i]).epsilon(0));
      CHECK(se(f, i) == Approx(ses[i]).epsilon(0.03));
    }
    CHECK(loglik(d, b.design(), Dist::apgw, {0, 0, std::log(1.5), std::log(1.5)}) ==
          Approx(-1895.191346).margin(1e-6).epsilon(0));
  }
  {
    const auto g = survtest::quantile_grid({0, 0, std::log(1.2), std::log(0.5)}, 2000, 20);
    CHECK(g.events == 1173);
    SurvData d;
    d.time = g.time;
    d.status = g.status;
    DesignBuilder b(2000);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO("D2 " << f.result.convergence.reason);
    CHECK(f.result.convergence.converged);
    CHECK(f.flags.empty());
    CHECK(f.result.loglik == Approx(-3094.6922).margin(1e-4).epsilon(0));
    const std::vector<double> want{-0.0118, 0.0125, 0.1821, -0.7005};
    for (size_t i = 0; i < 4; ++i) CHECK(f.result.coef[i] == Approx(want[i]).margin(1e-3).epsilon(0));
    const double kap = std::expm1(f.result.coef[3]);
    CHECK(kap == Approx(-0.5037).margin(1e-3).epsilon(0));
    CHECK(std::exp(std::exp(f.result.coef[1]) * (1 + kap) / kap) == Approx(0.3687).margin(1e-3).epsilon(0));
  }
}

TEST_CASE("veteran: other members fit cleanly; PGW equals APGW with lambda = kappa/(1+kappa)", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  DesignBuilder b(n);
  b.intercept(Par::phi).intercept(Par::gamma).intercept(Par::kappa);
  const SurvFit pg = fit(d, b.design(), Dist::pgw);
  INFO("pgw " << pg.result.loglik << " " << pg.result.convergence.reason);
  CHECK(std::isfinite(pg.result.loglik));
  CHECK(pg.result.loglik >= -748.0912 - 1e-6);  // PGW contains the Weibull (kappa = 1 -> lambda = 1/2 rescaled)
  // mapping check at the PGW estimate
  DesignBuilder ba(n);
  ba.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  const double kap = std::exp(pg.result.coef[2]);
  const std::vector<double> ca{pg.result.coef[0], std::log(kap / (1 + kap)), pg.result.coef[1], std::log1p(kap)};
  CHECK(loglik(d, ba.design(), Dist::apgw, ca) == Approx(pg.result.loglik).margin(1e-9).epsilon(0));
  for (Dist dist : {Dist::gompertz, Dist::burr, Dist::cure_limit}) {
    DesignBuilder bb(n);
    bb.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
    const SurvFit f = fit(d, bb.design(), dist);
    INFO(dist_name(dist) << " ll " << f.result.loglik << " " << f.result.convergence.reason);
    CHECK(std::isfinite(f.result.loglik));
    CHECK(f.result.convergence.grad_norm < 1e-4);
    std::vector<double> g;
    CHECK(loglik(d, bb.design(), dist, f.result.coef, &g) == Approx(f.result.loglik).margin(1e-9).epsilon(0));
  }
  // Multi-start does not lose the optimum.
  Options o;
  o.set("starts", 3.0);
  o.set("seed", 7.0);
  DesignBuilder bw(n);
  bw.intercept(Par::phi).intercept(Par::gamma);
  const SurvFit fw = fit(d, bw.design(), Dist::weibull, o);
  CHECK(fw.result.loglik == Approx(-748.0912).margin(1e-4).epsilon(0));
}

TEST_CASE("Gompertz: the shape -> 0 (exponential / Weibull) limit is flagged, an interior fit is not", "[survival]") {
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  const auto ref = survtest::load_survreg_ref();
  {  // gamma fixed at 1 (the R default): veteran's hazard is not increasing, so phi -> 0: exponential limit.
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda);
    const SurvFit f = fit(d, b.design(), Dist::gompertz);
    INFO("ll " << f.result.loglik << " coef " << f.result.coef[0] << " " << f.result.coef[1]);
    CHECK(has_flag(f, "gompertz_boundary"));
    CHECK_FALSE(f.result.convergence.converged);
    CHECK(f.result.notes.at("flags") == "gompertz_boundary");
    CHECK(f.result.extras.at("limit_loglik")[0] == Approx(ref.at("exponential_null").at("loglik")).margin(1e-4).epsilon(0));
    CHECK(f.result.loglik == Approx(-751.2212).margin(1e-3).epsilon(0));
  }
  {  // gamma free: the Weibull limit.
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
    const SurvFit f = fit(d, b.design(), Dist::gompertz);
    CHECK(has_flag(f, "gompertz_boundary"));
    CHECK(f.result.extras.at("limit_loglik")[0] == Approx(-748.0912).margin(1e-4).epsilon(0));
  }
  {  // Gompertz data (phi = 1, lambda = 0.5): increasing hazard, interior MLE near the truth, no flag.
    const int ng = 1000;
    std::vector<double> t;
    std::vector<int32_t> st;
    for (int i = 1; i <= ng; ++i) {
      const double H = -std::log1p(-(i - 0.5) / ng);
      const double T = std::log1p(H / 0.5);
      t.push_back(std::min(T, 2.0));
      st.push_back(T <= 2.0 ? 1 : 0);
    }
    SurvData dg;
    dg.time = t;
    dg.status = st;
    DesignBuilder b(ng);
    b.intercept(Par::phi).intercept(Par::lambda);
    const SurvFit f = fit(dg, b.design(), Dist::gompertz);
    CHECK(f.flags.empty());
    CHECK(f.result.convergence.converged);
    CHECK(f.result.coef[0] == Approx(0.0).margin(0.05).epsilon(0));
    CHECK(f.result.coef[1] == Approx(std::log(0.5)).margin(0.05).epsilon(0));
  }
}
