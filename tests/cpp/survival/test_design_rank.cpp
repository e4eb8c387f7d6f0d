// build_model's full-column-rank check: the Gram-matrix certificate (one pass, well-conditioned designs) and
// the Gram-Schmidt test it falls back to (near-collinear, constant, zero, huge or tiny columns), which names
// the first aliased column exactly as before; and the per-model constants build_model caches (offset means,
// simple_rows).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

namespace {
struct RData {
  std::vector<double> time, x, z, u;
  std::vector<int32_t> status;
};
RData rdata(int64_t n, uint64_t seed) {
  RData s;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const double x = rng.uniform() < 0.5 ? 1.0 : 0.0, z = rng.normal();
    const double T = std::pow(-std::log(rng.uniform_open()) / std::exp(-3 + 0.5 * x - 0.3 * z), 1 / 1.3);
    const double C = 40.0 * rng.uniform_open();
    s.time.push_back(std::min(T, C));
    s.status.push_back(T <= C ? 1 : 0);
    s.x.push_back(x);
    s.z.push_back(z);
    s.u.push_back(rng.uniform());
  }
  return s;
}
std::vector<double> lin(const std::vector<double>& a, double ca, const std::vector<double>& b, double cb,
                        double c0) {
  std::vector<double> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = ca * a[i] + cb * b[i] + c0;
  return out;
}
const char* kPre = "f: the design matrix of lambda is singular: column ";
}  // namespace

TEST_CASE("build_model rank check: certificate, fallback and the named aliased column", "[survival]") {
  const int64_t n = 1200;  // more than one 512-row block; the Gram pass has a remainder (n % 4 == 0 is fine too)
  const RData s = rdata(n, 11);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  const std::vector<double> zero(s.x.size(), 0.0), three(s.x.size(), 3.0);
  auto build = [&](const DesignBuilder& b) { return detail::build_model("f", d, b.design(), Dist::weibull); };
  auto lambda = [&]() {
    DesignBuilder b(n);
    b.intercept(Par::gamma).intercept(Par::lambda);
    return b;
  };

  SECTION("well-conditioned designs pass (certificate)") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z").column(Par::lambda, s.u, "u");
    CHECK_NOTHROW(build(b));
    // Mildly collinear (correlation ~0.995) still certified or passed by Gram-Schmidt.
    DesignBuilder c = lambda();
    c.column(Par::lambda, s.z, "z").column(Par::lambda, lin(s.z, 1.0, s.u, 0.1, 0.0), "zu");
    CHECK_NOTHROW(build(c));
  }
  SECTION("exact alias: the column and the earlier columns are named") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "x").column(Par::lambda, lin(s.x, 2.0, zero, 0.0, 1.0), "x2");
    CHECK_THROWS_WITH(build(b), std::string(kPre) +
                                    "'x2' is (nearly) a linear combination of the columns '(Intercept)', 'x' "
                                    "(drop it or check factor levels)");
  }
  SECTION("intercept plus a full dummy set") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "a").column(Par::lambda, lin(s.x, -1.0, zero, 0.0, 1.0), "b");
    CHECK_THROWS_WITH(build(b), std::string(kPre) +
                                    "'b' is (nearly) a linear combination of the columns '(Intercept)', 'a' "
                                    "(drop it or check factor levels)");
  }
  SECTION("a second constant column") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.z, "z").column(Par::lambda, three, "c");
    CHECK_THROWS_WITH(build(b), Catch::Contains("column 'c' is (nearly) a linear combination of the columns "
                                                "'(Intercept)', 'z'"));
  }
  SECTION("near-collinear: above the 1e-7 tolerance passes, below it is named") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "x").column(Par::lambda, lin(s.x, 1.0, s.z, 1e-5, 0.0), "xn");
    CHECK_NOTHROW(build(b));  // relative residual ~1e-5: the certificate is inconclusive, Gram-Schmidt passes it
    DesignBuilder c = lambda();
    c.column(Par::lambda, s.x, "x").column(Par::lambda, lin(s.x, 1.0, s.z, 1e-9, 0.0), "xn");
    CHECK_THROWS_WITH(build(c), Catch::Contains("column 'xn' is (nearly) a linear combination of the columns "
                                                "'(Intercept)', 'x'"));
  }
  SECTION("the first failing column is named, whatever fails later") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "x").column(Par::lambda, lin(s.x, 2.0, zero, 0.0, 1.0), "x2").column(Par::lambda, zero,
                                                                                                   "zz");
    CHECK_THROWS_WITH(build(b), Catch::Contains("column 'x2' is (nearly)"));
    DesignBuilder c(n);
    c.intercept(Par::gamma).column(Par::lambda, zero, "zz").intercept(Par::lambda);
    CHECK_THROWS_WITH(build(c), std::string(kPre) + "'zz' is all zero (drop it or check factor levels)");
  }
  SECTION("huge and tiny columns (the Gram matrix over- or underflows) go to the scaled Gram-Schmidt") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, lin(s.z, 1e200, zero, 0.0, 0.0), "big").column(Par::lambda, lin(s.u, 1e-200, zero, 0.0, 0.0),
                                                                           "tiny");
    CHECK_NOTHROW(build(b));
    DesignBuilder c = lambda();
    c.column(Par::lambda, lin(s.z, 1e200, zero, 0.0, 0.0), "big").column(Par::lambda, lin(s.z, 3e200, zero, 0.0, 0.0),
                                                                           "big3");
    CHECK_THROWS_WITH(build(c), Catch::Contains("column 'big3' is (nearly) a linear combination of the columns "
                                                "'(Intercept)', 'big'"));
  }
  SECTION("a non-finite entry is reported by position, before the rank") {
    std::vector<double> bad = s.z;
    bad[7] = std::numeric_limits<double>::quiet_NaN();
    DesignBuilder b = lambda();
    b.column(Par::lambda, bad, "bad").column(Par::lambda, three, "c");
    CHECK_THROWS_WITH(build(b), Catch::Contains("design lambda[7, 1] is") && Catch::Contains("must be finite"));
    bad[7] = std::numeric_limits<double>::infinity();
    DesignBuilder c = lambda();
    c.column(Par::lambda, bad, "bad");
    CHECK_THROWS_WITH(build(c), Catch::Contains("design lambda[7, 1] is") && Catch::Contains("must be finite"));
  }
  SECTION("fit() reports the same message") {
    DesignBuilder b = lambda();
    b.column(Par::lambda, s.x, "a").column(Par::lambda, lin(s.x, -1.0, zero, 0.0, 1.0), "b");
    CHECK_THROWS_WITH(fit(d, b.design(), Dist::weibull),
                      "surv_fit: the design matrix of lambda is singular: column 'b' is (nearly) a linear combination "
                      "of the columns '(Intercept)', 'a' (drop it or check factor levels)");
  }
}

TEST_CASE("build_model caches offset means and whether every row is a simple event/right row", "[survival]") {
  const int64_t n = 300;
  const RData s = rdata(n, 12);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
  Design des = b.design();
  std::vector<double> off = lin(s.z, 0.5, s.u, 1.0, -0.25);
  des.par[1].offset = off;
  const detail::Model m = detail::build_model("f", d, des, Dist::weibull);
  double sum = 0;
  for (double v : off) sum += v;
  CHECK(m.off_mean[1] == sum / static_cast<double>(n));
  CHECK(m.off_mean[0] == 0.0);
  CHECK(m.off_mean[2] == 0.0);
  CHECK(m.simple_rows);
  // An entry time > 0, or a left / interval-censored row, clears simple_rows; entry = 0 everywhere keeps it.
  std::vector<double> entry(s.time.size(), 0.0);
  d.entry = entry;
  CHECK(detail::build_model("f", d, des, Dist::weibull).simple_rows);
  entry[5] = 0.5 * s.time[5];
  d.entry = entry;
  CHECK_FALSE(detail::build_model("f", d, des, Dist::weibull).simple_rows);
  d.entry = data::VecView();
  std::vector<int32_t> st = s.status;
  st[9] = 2;
  d.status = st;
  CHECK_FALSE(detail::build_model("f", d, des, Dist::weibull).simple_rows);
}

TEST_CASE("Weibull fit: the closed-form exponential start gives the fit of the profiled start pass", "[survival]") {
  // With an offset of zeros (closed form) and with a tiny non-zero offset (the weibull_sums pass) the fits agree
  // to the offset's effect; and the weights / zero-weight rows take the pass as well.
  const int64_t n = 3000;
  const RData s = rdata(n, 13);
  SurvData d;
  d.time = s.time;
  d.status = s.status;
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z").intercept(Par::gamma);
  Design des = b.design();
  const SurvFit f0 = fit(d, des, Dist::weibull);
  std::vector<double> off(s.time.size(), 0.0);
  des.par[1].offset = off;
  const SurvFit f1 = fit(d, des, Dist::weibull);
  CHECK(survtest::max_rel(f0.result.coef, f1.result.coef) < 1e-12);
  off[0] = 1e-300;  // not all zero: the start takes the pass over the rows
  des.par[1].offset = off;
  const SurvFit f2 = fit(d, des, Dist::weibull);
  CHECK(f2.result.convergence.converged);
  CHECK(survtest::max_rel(f0.result.coef, f2.result.coef) < 1e-10);
  CHECK(std::fabs(f0.result.loglik - f2.result.loglik) < 1e-8 * std::fabs(f0.result.loglik));
  // Exponential (gamma structural) likewise.
  DesignBuilder e(n);
  e.intercept(Par::lambda).column(Par::lambda, s.x, "x");
  const SurvFit fe = fit(d, e.design(), Dist::exponential);
  CHECK(fe.result.convergence.converged);
  double D = 0, expo = 0;
  for (size_t i = 0; i < s.time.size(); ++i) {
    D += s.status[i];
    expo += s.time[i];
  }
  // Closed form of the exponential with a binary covariate: rate per group = events / exposure.
  double D1 = 0, E1 = 0;
  for (size_t i = 0; i < s.time.size(); ++i)
    if (s.x[i] == 1.0) {
      D1 += s.status[i];
      E1 += s.time[i];
    }
  const double r0 = (D - D1) / (expo - E1), r1 = D1 / E1;
  CHECK(fe.result.coef[0] == Approx(std::log(r0)).epsilon(1e-10));
  CHECK(fe.result.coef[1] == Approx(std::log(r1 / r0)).epsilon(1e-9));
}
