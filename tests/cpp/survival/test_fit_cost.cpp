// Cost guards of the APGW fitter: the number of likelihood evaluations of default fits (counts, not time,
// so a regression of the start strategy or of Newton's stopping rule is caught on any machine), and the
// accuracy of the cheaper kernel paths (expm1(z)/z and its derivatives without expm1, softplus without log1p).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
// The bench's APGW MPR data (bench/survival/timing_survival.cpp at n = 2000): x ~ Bernoulli(1/2), z ~ N(0, 1),
// Weibull H = exp(-3 + 0.5 x - 0.3 z) t^1.3, uniform censoring on (0, q90 of T).
struct BenchData {
  std::vector<double> time, x;
  std::vector<int32_t> status;
};
// n rows of that design drawn from a sample of size n_total (bench/survival/timing_survival.cpp uses the first
// 2000 rows of n_total = 1e5; the censoring times, drawn after all event times, then differ from bench_data(n)).
BenchData bench_data(int n, int n_total);
BenchData bench_data(int n) { return bench_data(n, n); }
BenchData bench_data(int n, int n_total) {
  BenchData b;
  Rng rng(1);
  std::vector<double> T(static_cast<size_t>(n_total));
  b.x.resize(T.size());
  for (size_t i = 0; i < T.size(); ++i) {
    b.x[i] = rng.uniform() < 0.5 ? 1.0 : 0.0;
    const double z = rng.normal();
    T[i] = std::pow(-std::log(rng.uniform_open()) / std::exp(-3 + 0.5 * b.x[i] - 0.3 * z), 1 / 1.3);
  }
  std::vector<double> s = T;
  std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(0.9 * n_total), s.end());
  const double q90 = s[static_cast<size_t>(0.9 * n_total)];
  for (size_t i = 0; i < T.size(); ++i) {
    const double C = rng.uniform() * q90;
    b.time.push_back(std::min(T[i], C));
    b.status.push_back(T[i] <= C ? 1 : 0);
  }
  b.x.resize(static_cast<size_t>(n));
  b.time.resize(static_cast<size_t>(n));
  b.status.resize(static_cast<size_t>(n));
  return b;
}

struct Counted {
  SurvFit fit;
  detail::EvalCounters counts;
};
Counted counted_fit(const SurvData& d, const Design& des) {
  detail::eval_counters().reset();
  Counted c;
  c.fit = fit(d, des, Dist::apgw);
  c.counts = detail::eval_counters();
  return c;
}
}  // namespace

TEST_CASE("APGW default fits: bounded number of likelihood evaluations", "[survival]") {
  {  // The R default MPR model: phi fixed, lambda ~ x, gamma ~ x, kappa ~ 1 (bench design, n = 2000).
    const BenchData b = bench_data(2000);
    SurvData d;
    d.time = b.time;
    d.status = b.status;
    DesignBuilder db(2000);
    db.intercept(Par::lambda).column(Par::lambda, b.x, "x").intercept(Par::gamma).column(Par::gamma, b.x, "x");
    db.intercept(Par::kappa);
    const Counted c = counted_fit(d, db.design());
    INFO("evaluations value/gradient/Hessian " << c.counts.calls[0] << "/" << c.counts.calls[1] << "/"
                                               << c.counts.calls[2] << ", ll " << c.fit.result.loglik);
    CHECK(c.fit.result.convergence.converged);
    CHECK(c.fit.flags.empty());
    CHECK(c.fit.result.convergence.grad_norm <= 1e-8);
    // Now 10 Hessians (3 of the cheap Weibull start; the last APGW one also gives the sandwich meat), no
    // value or gradient evaluation; before the second-order correction / terminal step / Weibull-start
    // changes: 11 Hessians + 1 gradient + 2 values. One of slack for rounding-level changes of the kernels.
    CHECK(c.counts.calls[2] <= 11);
    CHECK(c.counts.calls[0] + c.counts.calls[1] + c.counts.calls[2] <= 11);
  }
  {  // Both scales free near the confounded ridge (D1 quantile grid, spec 5.E), threshold probe included.
    const auto g = survtest::quantile_grid({0, 0, std::log(1.5), std::log(1.5)}, 2000, 2.5);
    SurvData d;
    d.time = g.time;
    d.status = g.status;
    DesignBuilder db(2000);
    db.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const Counted c = counted_fit(d, db.design());
    INFO("evaluations value/gradient/Hessian " << c.counts.calls[0] << "/" << c.counts.calls[1] << "/"
                                               << c.counts.calls[2] << ", ll " << c.fit.result.loglik);
    CHECK(c.fit.result.convergence.converged);
    CHECK(c.fit.result.loglik == Approx(-1895.1910).margin(1e-4).epsilon(0));
    // Now 26 Hessians (joint Newton along the ridge, then the threshold probe, whose stall / hopeless stops
    // act after two evaluations); before: 28, and 37 Hessians + 3 before that. One of slack for rounding.
    CHECK(c.counts.calls[0] + c.counts.calls[1] + c.counts.calls[2] <= 27);
  }
}

TEST_CASE("APGW fit of the timing bench data: the overshooting first step off kappa = 1 is recovered by "
          "the line search", "[survival]") {
  // bench/survival/timing_survival.cpp case 1: the first 2000 rows of the n = 1e5 sample. The MLE has
  // log(1 + kappa) = 0.554: the first Newton step from the Weibull start at kappa = 1 overshoots (to 0.44,
  // ll 10 below the start) and is followed by the cubic line-search point (ll within 0.5 of the MLE).
  const BenchData b = bench_data(2000, 100000);
  SurvData d;
  d.time = b.time;
  d.status = b.status;
  DesignBuilder db(2000);
  db.intercept(Par::lambda).column(Par::lambda, b.x, "x").intercept(Par::gamma).column(Par::gamma, b.x, "x");
  db.intercept(Par::kappa);
  const Counted c = counted_fit(d, db.design());
  INFO("evaluations value/gradient/Hessian " << c.counts.calls[0] << "/" << c.counts.calls[1] << "/"
                                             << c.counts.calls[2] << ", ll " << c.fit.result.loglik);
  CHECK(c.fit.result.convergence.converged);
  CHECK(c.fit.flags.empty());
  CHECK(c.fit.result.loglik == Approx(-3457.354530).margin(1e-5).epsilon(0));
  CHECK(c.fit.result.coef.back() == Approx(0.5536).margin(1e-3).epsilon(0));
  // Now 10 Hessians (3 Weibull + 7 APGW: start, rejected step, line-search point, 3 Newton steps, terminal
  // step); with the second-order correction alone: 11. One of slack for rounding-level kernel changes.
  CHECK(c.counts.calls[0] + c.counts.calls[1] + c.counts.calls[2] <= 11);
}

TEST_CASE("APGW kernel helpers: expm1(z)/z derivatives and softplus to near rounding", "[survival]") {
  // Long-double references: the series for |z| < 0.5 (40 terms), the closed forms beyond.
  auto ref = [](long double z, long double& e0, long double& e1, long double& e2) {
    if (std::fabs(static_cast<double>(z)) < 0.5) {
      long double fact = 1, zk = 1;
      e0 = e1 = e2 = 0;
      for (int k = 0; k < 40; ++k) {
        if (k > 0) fact *= k;
        e0 += zk / (fact * (k + 1));
        e1 += zk / (fact * (k + 2));
        e2 += zk / (fact * (k + 3));
        zk *= z;
      }
      return;
    }
    const long double em = std::expm1(z), ez = em + 1;
    e0 = em / z;
    e1 = (z * ez - em) / (z * z);
    e2 = (z * z * ez - 2 * z * ez + 2 * em) / (z * z * z);
  };
  double worst[3] = {0, 0, 0};
  for (int i = -3000; i <= 3000; ++i) {
    const double z = i * 1e-3 + 1e-7 * (i % 7);
    double e0, e1, e2;
    detail::expm1_over_z(z, e0, e1, e2);
    long double r0, r1, r2;
    ref(z, r0, r1, r2);
    worst[0] = std::max(worst[0], static_cast<double>(std::fabs((e0 - r0) / r0)));
    worst[1] = std::max(worst[1], static_cast<double>(std::fabs((e1 - r1) / r1)));
    worst[2] = std::max(worst[2], static_cast<double>(std::fabs((e2 - r2) / r2)));
  }
  INFO("worst relative errors e0 " << worst[0] << " e1 " << worst[1] << " e2 " << worst[2]);
  CHECK(worst[0] < 5e-15);
  CHECK(worst[1] < 2e-14);
  CHECK(worst[2] < 2e-13);
  // APGW unit cumulative hazard M = a L E(kappa L), L = log1p(u / a), against long double, over u from
  // 1e-12 to 1e12 and kappa in (-0.9, 5).
  double wm = 0;
  for (double kap : {-0.9, -0.3, 1e-9, 0.05, 0.5, 1.0, 2.0, 5.0})
    for (double lu = -27.6; lu < 27.7; lu += 0.37) {
      const double k = std::log1p(kap);
      detail::KernelOut ko;
      detail::eval_kernel(detail::Kernel::apgw, lu, k, ko);
      const long double a = 1.0L + kap, L = std::log1p(std::exp(static_cast<long double>(lu)) / a);
      const long double M = std::fabs(kap) < 1e-6 ? a * L * (1 + kap * L / 2) : a / kap * std::expm1(kap * L);
      wm = std::max(wm, static_cast<double>(std::fabs((ko.M.v - M) / M)));
    }
  INFO("worst relative error of M " << wm);
  CHECK(wm < 1e-13);
}
