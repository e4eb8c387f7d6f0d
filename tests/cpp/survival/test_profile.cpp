// Profile-likelihood CIs, robust covariances and counting-process (time-varying covariate) fits of the
// survival family, against survreg / hand-written-likelihood references frozen by
// scripts/gen-reference/survival_inference.R (tests/data/survival_inference_ref.csv, veteran_tvc.csv).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>

#include "hetmod/core/error.hpp"
#include "hetmod/survival/inference.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
std::map<std::string, std::map<std::string, double>> load_ref() { return survtest::load_ref_csv("survival_inference_ref.csv"); }
double vc(const std::vector<double>& V, size_t P, size_t i, size_t j) { return V[i + j * P]; }
constexpr double kQ95 = 1.959963984540054;  // sqrt(qchisq(0.95, 1))

// One-row pattern design with intercepts only.
struct Pattern {
  std::array<std::vector<double>, 4> one;
  Design d;
  explicit Pattern(const SurvFit& f) {
    for (size_t j = 0; j < 4; ++j) {
      one[j].assign(static_cast<size_t>(f.block_size[j]), 1.0);
      if (f.block_size[j] > 0) d.par[j].x = data::MatView(one[j].data(), 1, f.block_size[j]);
    }
  }
};
}  // namespace

TEST_CASE("profile CI: Weibull log-shape and trt effect match survreg profiles (veteran)", "[survival][profile]") {
  const auto v = survtest::load_veteran();
  const auto ref = load_ref();
  const int64_t n = 137;
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  {
    DesignBuilder b(n);
    b.intercept(Par::lambda).intercept(Par::gamma);
    const Design des = b.design();
    const SurvFit f = fit(d, des, Dist::weibull);
    REQUIRE(f.result.loglik == Approx(ref.at("weibull_null").at("loglik")).margin(1e-6).epsilon(0));
    ProfileTarget t;
    t.index = 1;  // gamma:(Intercept)
    const ProfileResult pr = profile_ci(f, d, des, t, 0.95);
    CHECK(pr.lower_kind == BoundKind::found);
    CHECK(pr.upper_kind == BoundKind::found);
    CHECK(pr.estimate == Approx(ref.at("weibull_null").at("log_gamma")).margin(1e-6).epsilon(0));
    CHECK(pr.lower == Approx(ref.at("weibull_null").at("profile_lower_log_gamma")).margin(2e-6).epsilon(0));
    CHECK(pr.upper == Approx(ref.at("weibull_null").at("profile_upper_log_gamma")).margin(2e-6).epsilon(0));
    CHECK_FALSE(pr.higher_found);
    // The profile at log gamma = 0 is the exponential fit.
    const ProfileResult pc = profile(f, d, des, t, {0.0});
    bool seen = false;
    for (size_t i = 0; i < pc.value.size(); ++i)
      if (pc.value[i] == 0.0) {
        seen = true;
        CHECK(pc.loglik[i] == Approx(ref.at("weibull_null").at("profile_loglik_log_gamma_0")).margin(1e-7).epsilon(0));
        CHECK(pc.converged[i] == 1);
      }
    CHECK(seen);
  }
  {
    DesignBuilder b(n);
    b.intercept(Par::phi).column(Par::phi, v.trt01, "trt").intercept(Par::gamma);
    const Design des = b.design();
    const SurvFit f = fit(d, des, Dist::weibull);
    REQUIRE(f.result.loglik == Approx(ref.at("weibull_trt_phi").at("loglik")).margin(1e-6).epsilon(0));
    ProfileTarget t;
    t.index = 1;  // phi:trt
    const ProfileResult pr = profile_ci(f, d, des, t, 0.95);
    CHECK(pr.lower == Approx(ref.at("weibull_trt_phi").at("profile_lower_log_phi:trt")).margin(2e-6).epsilon(0));
    CHECK(pr.upper == Approx(ref.at("weibull_trt_phi").at("profile_upper_log_phi:trt")).margin(2e-6).epsilon(0));
    // Every evaluated point is a converged constrained fit; the bounds sit on the cut-off.
    for (size_t i = 0; i < pr.value.size(); ++i) CHECK(pr.converged[i] == 1);
  }
}

TEST_CASE("profile CI: Wald and profile agree for large n (Weibull quantile grid)", "[survival][profile]") {
  // Weibull (kappa = 1) quantile grid, n = 4000: the log-likelihood is nearly quadratic.
  const auto g = survtest::quantile_grid({0.0, 0.0, std::log(1.5), std::log(2.0)}, 4000, 2.0);
  const int64_t n = 4000;
  SurvData d;
  d.time = g.time;
  d.status = g.status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).intercept(Par::gamma);
  const Design des = b.design();
  const SurvFit f = fit(d, des, Dist::weibull);
  for (int idx = 0; idx < 2; ++idx) {
    ProfileTarget t;
    t.index = idx;
    const ProfileResult pr = profile_ci(f, d, des, t, 0.95);
    const double se = std::sqrt(vc(f.result.vcov, 2, static_cast<size_t>(idx), static_cast<size_t>(idx)));
    const double est = f.result.coef[static_cast<size_t>(idx)];
    CHECK(pr.lower == Approx(est - kQ95 * se).margin(0.03 * se).epsilon(0));
    CHECK(pr.upper == Approx(est + kQ95 * se).margin(0.03 * se).epsilon(0));
  }
}

TEST_CASE("profile CI: cure fraction (cure limit and APGW, spec 5.E D2)", "[survival][profile]") {
  const std::array<double, 4> truth{0.0, 0.0, std::log(1.2), std::log(0.5)};
  const auto g = survtest::quantile_grid(truth, 2000, 20.0);
  const int64_t n = 2000;
  SurvData d;
  d.time = g.time;
  d.status = g.status;
  SECTION("cure limit: cure-fraction profile = transformed theta-intercept profile") {
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma);
    const Design des = b.design();
    const SurvFit f = fit(d, des, Dist::cure_limit);
    REQUIRE(f.result.convergence.converged);
    Pattern pat(f);
    ProfileTarget tc;
    tc.kind = ProfileTarget::Kind::cure_fraction;
    tc.pattern = &pat.d;
    const ProfileResult pc = profile_ci(f, d, des, tc, 0.95);
    ProfileTarget tb;
    tb.index = 1;  // lambda = theta intercept: p = exp(-exp(beta))
    const ProfileResult pb = profile_ci(f, d, des, tb, 0.95);
    REQUIRE(pc.lower_kind == BoundKind::found);
    REQUIRE(pc.upper_kind == BoundKind::found);
    CHECK(pc.estimate == Approx(std::exp(-std::exp(f.result.coef[1]))).epsilon(1e-10));
    CHECK(pc.lower == Approx(std::exp(-std::exp(pb.upper))).epsilon(1e-6));
    CHECK(pc.upper == Approx(std::exp(-std::exp(pb.lower))).epsilon(1e-6));
    CHECK(pc.lower < pc.estimate);
    CHECK(pc.upper > pc.estimate);
  }
  SECTION("APGW: bounds sit on the cut-off, checked by brute-force constrained fits") {
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const Design des = b.design();
    const SurvFit f = fit(d, des, Dist::apgw);
    REQUIRE(f.result.loglik == Approx(-3094.6922).margin(1e-3).epsilon(0));
    Pattern pat(f);
    ProfileTarget tc;
    tc.kind = ProfileTarget::Kind::cure_fraction;
    tc.pattern = &pat.d;
    const ProfileResult pc = profile_ci(f, d, des, tc, 0.95);
    REQUIRE(pc.lower_kind == BoundKind::found);
    REQUIRE(pc.upper_kind == BoundKind::found);
    CHECK(pc.estimate == Approx(0.3687).margin(1e-3).epsilon(0));
    CHECK(pc.lower < 0.3687);
    CHECK(pc.upper > 0.3687);
    // Brute force at each bound p: c = log(-log p) = eta_lambda + log(1+kappa) - log(-kappa). For a grid of
    // eta_lambda, kappa follows; fit phi and gamma with lambda and kappa as offsets (the public fit()), and
    // maximise over eta_lambda by golden-section search.
    const double lhat = f.result.loglik;
    for (double p : {pc.lower, pc.upper}) {
      const double c = std::log(-std::log(p));
      std::vector<double> offl(static_cast<size_t>(n)), offk(static_cast<size_t>(n));
      auto inner = [&](double el) {
        const double y = c - el;
        const double k = y > 0 ? -std::log1p(std::exp(-y)) : y - std::log1p(std::exp(y));
        std::fill(offl.begin(), offl.end(), el);
        std::fill(offk.begin(), offk.end(), k);
        DesignBuilder bi(n);
        bi.intercept(Par::phi).intercept(Par::gamma);
        Design di = bi.design();
        di.par[1].offset = data::VecView(offl.data(), n);
        di.par[3].offset = data::VecView(offk.data(), n);
        Options o;
        o.set("probe", 0.0);
        return fit(d, di, Dist::apgw, o).result.loglik;
      };
      const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
      double a = f.result.coef[1] - 3.0, bb = f.result.coef[1] + 3.0;
      double x1 = bb - gr * (bb - a), x2 = a + gr * (bb - a), f1 = inner(x1), f2 = inner(x2);
      for (int it = 0; it < 45; ++it) {
        if (f1 > f2) {
          bb = x2; x2 = x1; f2 = f1; x1 = bb - gr * (bb - a); f1 = inner(x1);
        } else {
          a = x1; x1 = x2; f1 = f2; x2 = a + gr * (bb - a); f2 = inner(x2);
        }
      }
      const double lp = std::max(f1, f2);
      CHECK(2.0 * (lhat - lp) == Approx(kQ95 * kQ95).margin(2e-4).epsilon(0));
    }
  }
  SECTION("APGW kappa: profile CI of log(1 + kappa) brackets the estimate; Weibull-type fit errors for cure") {
    DesignBuilder b(n);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const Design des = b.design();
    const SurvFit f = fit(d, des, Dist::apgw);
    ProfileTarget t;
    t.index = 3;
    const ProfileResult pr = profile_ci(f, d, des, t, 0.95);
    REQUIRE(pr.lower_kind == BoundKind::found);
    REQUIRE(pr.upper_kind == BoundKind::found);
    CHECK(pr.lower < f.result.coef[3]);
    CHECK(pr.upper > f.result.coef[3]);
    CHECK(pr.upper < 0.0);  // kappa < 0: cure is supported
  }
}

TEST_CASE("profile CI: unbounded ends are reported as limits, bad targets throw", "[survival][profile]") {
  // APGW on a small Weibull (kappa = 1) sample: kappa is barely identified, so at least the upper end of
  // log(1 + kappa) runs off (Gompertz limit) and must be reported as +Inf, never as a number.
  const auto g = survtest::quantile_grid({0.0, 0.0, std::log(1.5), std::log(2.0)}, 40, 2.0);
  const int64_t n = 40;
  SurvData d;
  d.time = g.time;
  d.status = g.status;
  DesignBuilder b(n);
  b.intercept(Par::phi).intercept(Par::gamma).intercept(Par::kappa);
  const Design des = b.design();
  const SurvFit f = fit(d, des, Dist::apgw);
  ProfileTarget t;
  t.index = 2;
  const ProfileResult pr = profile_ci(f, d, des, t, 0.95);
  CHECK((pr.lower_kind != BoundKind::found || pr.upper_kind != BoundKind::found));
  for (auto [kind, val] : {std::pair{pr.lower_kind, pr.lower}, std::pair{pr.upper_kind, pr.upper}}) {
    if (kind == BoundKind::unbounded) CHECK(std::isinf(val));
    if (kind == BoundKind::failed) CHECK(std::isnan(val));
    if (kind == BoundKind::found) CHECK(std::isfinite(val));
  }
  CHECK_FALSE(pr.note.empty());
  ProfileTarget bad;
  bad.index = 7;
  CHECK_THROWS_AS(profile_ci(f, d, des, bad), Error);
  CHECK_THROWS_AS(profile_ci(f, d, des, t, 1.5), Error);
  ProfileTarget cure;
  cure.kind = ProfileTarget::Kind::cure_fraction;
  CHECK_THROWS_AS(profile_ci(f, d, des, cure), Error);  // no pattern
}

TEST_CASE("robust vcov: sandwich and cluster-robust match survreg (veteran Weibull, trt in phi)",
          "[survival][robust]") {
  const auto v = survtest::load_veteran();
  const auto ref = load_ref().at("weibull_trt_phi");
  const int64_t n = 137;
  SurvData d;
  d.time = v.time;
  d.status = v.status;
  DesignBuilder b(n);
  b.intercept(Par::phi).column(Par::phi, v.trt01, "trt").intercept(Par::gamma);
  const Design des = b.design();
  const SurvFit f = fit(d, des, Dist::weibull);
  CHECK(vc(f.result.vcov, 3, 1, 1) == Approx(ref.at("model_var_trt")).epsilon(1e-5));
  const auto Vr = robust_vcov(f, d, des, {});
  CHECK(vc(Vr, 3, 0, 0) == Approx(ref.at("robust_var_intercept")).epsilon(1e-5));
  CHECK(vc(Vr, 3, 1, 1) == Approx(ref.at("robust_var_trt")).epsilon(1e-5));
  CHECK(vc(Vr, 3, 2, 2) == Approx(ref.at("robust_var_log_gamma")).epsilon(1e-5));
  CHECK(vc(Vr, 3, 0, 1) == Approx(ref.at("robust_cov_intercept_trt")).epsilon(1e-5));
  CHECK(vc(Vr, 3, 1, 2) == Approx(ref.at("robust_cov_trt_log_gamma")).epsilon(1e-5));
  // Equals the fit's own sandwich.
  const auto& Vf = f.result.extras.at("vcov_robust");
  for (size_t k = 0; k < 9; ++k) CHECK(Vr[k] == Approx(Vf[k]).epsilon(1e-8).margin(1e-14));
  std::vector<int64_t> id(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) id[static_cast<size_t>(i)] = i / 3;
  const auto Vc = robust_vcov(f, d, des, id);
  CHECK(vc(Vc, 3, 0, 0) == Approx(ref.at("cluster_var_intercept")).epsilon(1e-5));
  CHECK(vc(Vc, 3, 1, 1) == Approx(ref.at("cluster_var_trt")).epsilon(1e-5));
  CHECK(vc(Vc, 3, 2, 2) == Approx(ref.at("cluster_var_log_gamma")).epsilon(1e-5));
  CHECK(vc(Vc, 3, 0, 1) == Approx(ref.at("cluster_cov_intercept_trt")).epsilon(1e-5));
  CHECK(vc(Vc, 3, 1, 2) == Approx(ref.at("cluster_cov_trt_log_gamma")).epsilon(1e-5));
  CHECK_THROWS_AS(robust_vcov(f, d, des, std::vector<int64_t>(5, 0)), Error);
}

TEST_CASE("counting process: split rows reproduce the unsplit fit; time-varying covariate vs optim",
          "[survival][tvc]") {
  // tests/data/veteran_tvc.csv: veteran split at days 60 and 200; z = trt01 * 1{t > 60}.
  std::ifstream in(std::string(HETMOD_TEST_DATA_DIR) + "/veteran_tvc.csv");
  std::string line;
  std::getline(in, line);
  std::vector<double> start, stop, trt, z, id;
  std::vector<int32_t> status;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = survtest::split_csv(line);
    id.push_back(std::stod(f[0]));
    start.push_back(std::stod(f[1]));
    stop.push_back(std::stod(f[2]));
    status.push_back(std::stoi(f[3]));
    trt.push_back(std::stod(f[4]));
    z.push_back(std::stod(f[5]));
  }
  const int64_t ns = static_cast<int64_t>(stop.size());
  REQUIRE(ns == 234);
  const auto v = survtest::load_veteran();
  const auto ref = load_ref().at("weibull_tvc");
  SurvData ds;
  ds.time = stop;
  ds.status = status;
  ds.entry = start;
  SurvData du;
  du.time = v.time;
  du.status = v.status;
  // Unchanged covariates: split == unsplit, for Weibull PH and APGW.
  for (Dist dist : {Dist::weibull, Dist::apgw}) {
    DesignBuilder bs(ns), bu(137);
    bs.intercept(Par::lambda).column(Par::lambda, trt, "trt").intercept(Par::gamma);
    bu.intercept(Par::lambda).column(Par::lambda, v.trt01, "trt").intercept(Par::gamma);
    if (dist == Dist::apgw) {
      bs.intercept(Par::kappa);
      bu.intercept(Par::kappa);
    }
    const SurvFit fs = fit(ds, bs.design(), dist), fu = fit(du, bu.design(), dist);
    CHECK(fs.result.loglik == Approx(fu.result.loglik).margin(1e-7).epsilon(0));
    for (size_t k = 0; k < fu.result.coef.size(); ++k)
      CHECK(fs.result.coef[k] == Approx(fu.result.coef[k]).margin(1e-5).epsilon(0));
    // Cluster-robust by subject on the split data = plain sandwich on the unsplit data.
    std::vector<int64_t> cid(id.begin(), id.end());
    if (fs.result.vcov.size() == fu.result.vcov.size() && std::isfinite(fu.result.vcov[0])) {
      const auto Vs = robust_vcov(fs, ds, bs.design(), cid);
      const auto Vu = robust_vcov(fu, du, bu.design(), {});
      for (size_t k = 0; k < Vu.size(); ++k) CHECK(Vs[k] == Approx(Vu[k]).epsilon(1e-4).margin(1e-10));
    }
  }
  // Genuinely time-varying covariate.
  DesignBuilder b(ns);
  b.intercept(Par::lambda).column(Par::lambda, trt, "trt01").column(Par::lambda, z, "z").intercept(Par::gamma);
  const SurvFit f = fit(ds, b.design(), Dist::weibull);
  CHECK(f.result.loglik == Approx(ref.at("loglik")).margin(1e-6).epsilon(0));
  CHECK(f.result.coef[0] == Approx(ref.at("lambda:(Intercept)")).margin(1e-4).epsilon(0));
  CHECK(f.result.coef[1] == Approx(ref.at("lambda:trt01")).margin(1e-4).epsilon(0));
  CHECK(f.result.coef[2] == Approx(ref.at("lambda:z")).margin(1e-4).epsilon(0));
  CHECK(f.result.coef[3] == Approx(ref.at("gamma:(Intercept)")).margin(1e-4).epsilon(0));
  CHECK(std::sqrt(vc(f.result.vcov, 4, 2, 2)) == Approx(ref.at("se_lambda:z")).epsilon(1e-3));
}
