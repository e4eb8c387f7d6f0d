// Nonparametric bootstrap: thread-count invariance, warm starts, bad input; and an informational
// timing of 1 vs 2 threads (no thresholds).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "hetmod/sem/bootstrap.hpp"
#include "hetmod/sem/model.hpp"
#include "sem_test_util.hpp"

using namespace hetmod;
using namespace hetmod::sem;

namespace {
const char* kHSb = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";
SampleMoments hs_raw() {
  std::vector<std::string> names;
  int64_t n = 0;
  const std::vector<double> x = semtest::hs_data(names, n);
  return sample_moments(data::MatView(x.data(), n, 9), names);
}
}  // namespace

TEST_CASE("sem bootstrap: identical for 1 and 2 threads, centred at the estimates", "[sem]") {
  const SampleMoments s = hs_raw();
  const Model m = make_model(kHSb);
  const SemFit f0 = fit(m, s);
  FitOptions o;
  o.start = f0.theta;
  const BootstrapResult b1 = bootstrap(m, s, o, 40, 7u, 1);
  const BootstrapResult b2 = bootstrap(m, s, o, 40, 7u, 2);
  REQUIRE(b1.est.size() == 40u * 21u);
  CHECK(b1.est == b2.est);
  CHECK(b1.converged == b2.converged);
  int nconv = 0;
  for (int c : b1.converged) nconv += c;
  CHECK(nconv == 40);
  // bootstrap means are within a few bootstrap SEs / sqrt(R) of the estimates (loose: 5 SE of the mean)
  for (int j = 0; j < 21; ++j) {
    double mu = 0, ss = 0;
    for (int r = 0; r < 40; ++r) mu += b1.est[static_cast<std::size_t>(r + 40 * j)];
    mu /= 40;
    for (int r = 0; r < 40; ++r) ss += std::pow(b1.est[static_cast<std::size_t>(r + 40 * j)] - mu, 2);
    const double sd = std::sqrt(ss / 39);
    CHECK(std::fabs(mu - f0.theta[static_cast<std::size_t>(j)]) < 5 * sd / std::sqrt(40.0) + 0.05 * sd);
  }
  // a cold start gives the same estimates (the optimum does not depend on the start)
  FitOptions cold;
  const BootstrapResult bc = bootstrap(m, s, cold, 5, 7u, 1);
  for (int j = 0; j < 21; ++j)
    for (int r = 0; r < 5; ++r)
      CHECK(std::fabs(bc.est[static_cast<std::size_t>(r + 5 * j)] - b1.est[static_cast<std::size_t>(r + 40 * j)]) < 1e-5);
}

TEST_CASE("sem bootstrap: bad input", "[sem]") {
  const SampleMoments s = hs_raw();
  const Model m = make_model(kHSb);
  CHECK_THROWS_AS(bootstrap(m, s, FitOptions(), 0, 1u), Error);
  SampleMoments nocov = sample_moments_from_cov(s.cov, s.names, s.nobs);
  CHECK_THROWS_WITH(bootstrap(m, nocov, FitOptions(), 5, 1u), Catch::Contains("raw data"));
}

TEST_CASE("sem bootstrap: timing 1 vs 2 threads (informational)", "[sem]") {
  const SampleMoments s = hs_raw();
  const Model m = make_model(kHSb);
  FitOptions o;
  o.start = fit(m, s).theta;
  double t[2];
  for (int th = 1; th <= 2; ++th) {
    const auto t0 = std::chrono::steady_clock::now();
    const BootstrapResult b = bootstrap(m, s, o, 200, 3u, th);
    t[th - 1] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    CHECK(b.R == 200);
  }
  // evaluations of a warm-started and a cold replicate fit
  FitOptions cold;
  const SemFit fw = fit(m, s, o), fc = fit(m, s, cold);
  WARN("HS bootstrap, 200 replicates: 1 thread " << t[0] << " ms, 2 threads " << t[1] << " ms; evaluations warm "
                                                 << fw.convergence.iterations << ", cold " << fc.convergence.iterations);
}
