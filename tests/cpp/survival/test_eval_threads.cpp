// Threaded row loop of the survival likelihood (Model::threads), the fused score outer product
// (eval's score_outer) and the named rank check of build_model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;
using survtest::max_rel;

namespace {
struct Sim {
  std::vector<double> time, time2, entry, x, z;
  std::vector<int32_t> status;
};
// n rows: Weibull-like times, every censoring type and left truncation mixed in when `mixed`.
Sim simulate(int64_t n, bool mixed, uint64_t seed) {
  Sim s;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const double x = rng.uniform() < 0.5 ? 1.0 : 0.0, z = rng.normal();
    const double T = std::pow(-std::log(rng.uniform_open()) / std::exp(-3 + 0.5 * x - 0.3 * z), 1 / 1.3);
    const double C = 40.0 * rng.uniform_open();
    int st = T <= C ? 1 : 0;
    double t = std::min(T, C), t2 = 0.0, v = 0.0;
    if (mixed) {
      const int kind = static_cast<int>(i % 7);
      if (kind == 3) {  // left-censored at C' > T or right-censored
        st = T <= C ? 2 : 0;
        t = C;
      } else if (kind == 4) {  // interval (0.8 T, 1.25 T]
        st = 3;
        t = 0.8 * T;
        t2 = 1.25 * T;
      } else if (kind == 5) {  // left truncation below the exit time
        v = 0.3 * t;
      }
    }
    s.time.push_back(t);
    s.time2.push_back(st == 3 ? t2 : t);
    s.status.push_back(st);
    s.entry.push_back(v);
    s.x.push_back(x);
    s.z.push_back(z);
  }
  return s;
}
SurvData as_data(const Sim& s) {
  SurvData d;
  d.time = s.time;
  d.time2 = s.time2;
  d.status = s.status;
  d.entry = s.entry;
  return d;
}
}  // namespace

TEST_CASE("threaded eval equals the one-thread pass bit for bit; score_outer equals the scores' outer products",
          "[survival]") {
  const int64_t n = 3 * detail::kEvalChunk + 1234;  // four chunks, the last one partial
  for (const bool mixed : {false, true}) {
    const Sim s = simulate(n, mixed, 7);
    const SurvData d = as_data(s);
    DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z");
    b.intercept(Par::gamma).column(Par::gamma, s.x, "x").intercept(Par::kappa);
    const Design des = b.design();
    for (const Dist dist : {Dist::apgw, Dist::weibull}) {
      DesignBuilder bw(n);
      bw.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z").intercept(Par::gamma);
      const Design dw = bw.design();
      detail::Model m = detail::build_model("test", d, dist == Dist::apgw ? des : dw, dist);
      const size_t P = static_cast<size_t>(m.ptot);
      std::vector<double> beta(P, 0.05);
      beta[0] = -3.0;
      std::vector<double> g1(P), h1(P * P), B1(P * P), sc;
      const double v1 = detail::eval(m, beta.data(), g1.data(), h1.data(), &sc, B1.data());
      REQUIRE(std::isfinite(v1));
      // B from the stored scores.
      std::vector<double> Bs(P * P, 0.0);
      for (int64_t i = 0; i < n; ++i)
        for (size_t a = 0; a < P; ++a)
          for (size_t c = 0; c < P; ++c) Bs[a + c * P] += sc[static_cast<size_t>(i) * P + a] * sc[static_cast<size_t>(i) * P + c];
      CHECK(max_rel(B1, Bs) < 1e-13);
      std::vector<double> B0(P * P);
      detail::eval(m, beta.data(), nullptr, nullptr, nullptr, B0.data());
      CHECK(max_rel(B0, Bs) < 1e-13);
      for (const int th : {2, 3, 0}) {
        m.threads = th == 0 ? -1 : th;
        std::vector<double> g2(P), h2(P * P), B2(P * P), sc2;
        const double v2 = detail::eval(m, beta.data(), g2.data(), h2.data(), &sc2, B2.data());
        // Every thread count sums the same chunks in the same order: bit-identical to one thread.
        CHECK(v2 == v1);
        CHECK(g2 == g1);
        CHECK(h2 == h1);
        CHECK(B2 == B1);
        CHECK(sc2 == sc);  // per-row scores are written by row: identical
        CHECK(detail::eval(m, beta.data(), nullptr, nullptr) == v2);
        if (th == 3) {
          // Any thread count above 1 gives the same chunked sums, bit for bit.
          m.threads = 2;
          std::vector<double> g3(P), h3(P * P);
          CHECK(detail::eval(m, beta.data(), g3.data(), h3.data()) == v2);
          CHECK(g3 == g2);
          CHECK(h3 == h2);
        }
      }
      // Out of bounds: -Inf from the chunked pass too.
      m.threads = 2;
      m.gamma_max = -10.0;
      CHECK(detail::eval(m, beta.data(), nullptr, nullptr) == -std::numeric_limits<double>::infinity());
    }
  }
}

TEST_CASE("fit with threads = 2 equals the one-thread fit bit for bit", "[survival]") {
  const int64_t n = 40000;
  const Sim s = simulate(n, false, 11);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z").intercept(Par::gamma);
  const Design des = b.design();
  Options o1, o2;
  o2.set("threads", 2.0);
  const SurvFit f1 = fit(d, des, Dist::weibull, o1);
  const SurvFit f2 = fit(d, des, Dist::weibull, o2);
  REQUIRE(f1.result.convergence.converged);
  REQUIRE(f2.result.convergence.converged);
  // The likelihood sums are bit-identical for any thread count, so is the fit.
  CHECK(f1.result.loglik == f2.result.loglik);
  CHECK(f1.result.coef == f2.result.coef);
  CHECK(f1.result.vcov == f2.result.vcov);
  Options bad;
  bad.set("threads", -1.0);
  CHECK_THROWS_WITH(fit(d, des, Dist::weibull, bad), Catch::Contains("threads is -1"));
}

TEST_CASE("build_model names the parameter and the aliased column of a singular design", "[survival]") {
  const int64_t n = 200;
  const Sim s = simulate(n, false, 3);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  std::vector<double> x2(s.x.size()), zero(s.x.size(), 0.0);
  for (size_t i = 0; i < x2.size(); ++i) x2[i] = 2.0 * s.x[i] + 1.0;
  {
    DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, x2, "x2").intercept(Par::gamma);
    CHECK_THROWS_WITH(fit(d, b.design(), Dist::weibull, Options()),
                      "surv_fit: the design matrix of lambda is singular: column 'x2' is (nearly) a linear "
                      "combination of the columns '(Intercept)', 'x' (drop it or check factor levels)");
  }
  {
    DesignBuilder b(n);
    b.intercept(Par::lambda).intercept(Par::gamma).column(Par::gamma, s.z, "z").column(Par::gamma, zero, "zz");
    CHECK_THROWS_WITH(fit(d, b.design(), Dist::weibull, Options()),
                      Catch::Contains("the design matrix of gamma is singular: column 'zz' is all zero"));
  }
  {
    DesignBuilder b(n);
    std::vector<double> xs(s.x.size());
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = 1e-9 * s.z[i] + 1.0;  // within 1e-7 of the intercept column
    b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
    CHECK_NOTHROW(detail::build_model("f", d, b.design(), Dist::weibull));
    DesignBuilder c(n);
    c.intercept(Par::lambda).column(Par::lambda, xs, "xs").intercept(Par::gamma);
    CHECK_THROWS_WITH(detail::build_model("f", d, c.design(), Dist::weibull),
                      Catch::Contains("column 'xs' is (nearly) a linear combination of the column '(Intercept)'"));
  }
}
