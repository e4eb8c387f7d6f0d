// Survival fits against frozen peer values: mpr (tests/data/survival_mpr_ref.csv, written by
// scripts/gen-reference/survival_mpr.R; spec/survival.md 5.C and 5.G) and an independent R profile of the
// APGW kappa (optim over (log lambda, log gamma) at fixed kappa, phi = 1; values below).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "hetmod/survival/inference.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
std::map<std::string, std::map<std::string, double>> load_mpr_ref() { return survtest::load_ref_csv("survival_mpr_ref.csv"); }
SurvData vet_data(const survtest::Veteran& v) {
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  return d;
}
}  // namespace

TEST_CASE("veteran: frozen mpr Weibull, Burr and PGW fits (spec 5.C, 5.G)", "[survival]") {
  const auto v = survtest::load_veteran();
  const auto ref = load_mpr_ref();
  REQUIRE(ref.count("pgw_trt") == 1);
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  {  // Weibull, trt (1/2) in log lam and log gam: the same parameterisation as hetmod's lambda / gamma.
    const auto& r = ref.at("weibull_trt_trt");
    DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, v.trt12, "trt");
    b.intercept(Par::gamma).column(Par::gamma, v.trt12, "trt");
    const SurvFit f = fit(d, b.design(), Dist::weibull);
    CHECK(f.result.loglik == Approx(r.at("loglik")).margin(1e-4).epsilon(0));
    const std::vector<double> want{r.at("beta.(Intercept).b"), r.at("beta.trt.b"), r.at("alpha.(Intercept).a"),
                                   r.at("alpha.trt.a")};
    for (size_t i = 0; i < 4; ++i) CHECK(f.result.coef[i] == Approx(want[i]).margin(1e-3).epsilon(0));
  }
  {  // Burr: lambda = 1/rho, phi^gamma = lam rho.
    const auto& r = ref.at("burr_null");
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
    const SurvFit f = fit(d, b.design(), Dist::burr);
    CHECK(f.result.loglik == Approx(r.at("loglik")).margin(1e-4).epsilon(0));
    const double lb = r.at("beta.(Intercept).b"), la = r.at("alpha.(Intercept).a"), lt = r.at("tau.(Intercept).t");
    const std::vector<double> mapped{(lb + lt) / std::exp(la), -lt, la};
    CHECK(loglik(d, b.design(), Dist::burr, mapped) == Approx(r.at("loglik")).margin(1e-6).epsilon(0));
    for (size_t i = 0; i < 3; ++i) CHECK(f.result.coef[i] == Approx(mapped[i]).margin(2e-3).epsilon(0));
  }
  // PGW (mpr has no time scale: H = lam((1 + t^gam)^rho - 1)) = APGW with kappa = rho,
  // phi = (1 + kappa)^(1/gam), lambda = lam kappa / (1 + kappa): the mapped point reproduces mpr's logLik,
  // and hetmod's APGW (phi free) contains it, so its fit is at least as high.
  for (const char* model : {"pgw_null", "pgw_trt"}) {
    const auto& r = ref.at(model);
    const bool trt = std::string(model) == "pgw_trt";
    const double kap = std::exp(r.at("tau.(Intercept).t")), la = r.at("alpha.(Intercept).a");
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda);
    if (trt) b.column(Par::lambda, v.trt12, "trt");
    b.intercept(Par::gamma).intercept(Par::kappa);
    std::vector<double> c{std::log1p(kap) / std::exp(la), r.at("beta.(Intercept).b") + std::log(kap / (1 + kap))};
    if (trt) c.push_back(r.at("beta.trt.b"));
    c.push_back(la);
    c.push_back(std::log1p(kap));
    INFO(model);
    CHECK(loglik(d, b.design(), Dist::apgw, c) == Approx(r.at("loglik")).margin(1e-6).epsilon(0));
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    CHECK(f.result.loglik >= r.at("loglik") - 1e-6);
  }
}

TEST_CASE("veteran APGW (phi fixed): the kappa profile below the MLE passes gamma_max and matches R", "[survival]") {
  // Independent: R optim (BFGS then Nelder-Mead, reltol 1e-14) over (log lambda, log gamma) at fixed kappa with
  // phi = 1 (time in days). At kappa = 0.01 the constrained maximum has gamma = e^4.385 = 80 > gamma_max = 50.
  const auto v = survtest::load_veteran();
  const int64_t n = 137;
  const SurvData d = vet_data(v);
  DesignBuilder b(n);
  b.intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
  const SurvFit f = fit(d, b.design(), Dist::apgw);
  REQUIRE(f.result.loglik == Approx(-746.6289).margin(1e-4).epsilon(0));
  ProfileTarget t;
  t.index = 2;
  const std::vector<double> kap{0.2, 0.1, 0.05, 0.02, 0.01};
  const std::vector<double> want{-746.689615, -746.771586, -746.816056, -746.835472, -746.840295};
  std::vector<double> vals;
  for (double k : kap) vals.push_back(std::log1p(k));
  const ProfileResult p = profile(f, d, b.design(), t, vals, Options());
  REQUIRE(p.value.size() == kap.size() + 1);  // with the MLE
  for (size_t i = 0; i < p.value.size(); ++i) {
    for (size_t k = 0; k < kap.size(); ++k)
      if (std::fabs(p.value[i] - vals[k]) < 1e-12) {
        INFO("kappa " << kap[k]);
        CHECK(p.converged[i] == 1);
        CHECK(p.loglik[i] == Approx(want[k]).margin(1e-4).epsilon(0));
      }
  }
  // The CI: the lower end is not 'failed' any more (a root or the bracketed jump at kappa = 0).
  const ProfileResult ci = profile_ci(f, d, b.design(), t, 0.95, Options());
  INFO(ci.note);
  CHECK(ci.lower_kind != BoundKind::failed);
  CHECK(ci.upper_kind == BoundKind::found);
  CHECK(ci.lower < f.result.coef[2]);
  CHECK(ci.upper == Approx(0.75585).margin(1e-3).epsilon(0));
}
