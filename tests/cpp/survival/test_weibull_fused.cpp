// The fused Weibull row loop of eval() (sub-blocks of event / right-censored rows without truncation) and
// the column sums that turn slot derivatives into the coefficient score, Hessian and score outer product:
// checked against the general per-observation path (obs_loglik), against the APGW kernel at kappa = 1 (the
// Weibull), by central finite differences, and weibull_sums against eval.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "../../../src/numeric/vmath.hpp"
#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using namespace hetmod::survival::detail;
using survtest::DesignBuilder;
using survtest::max_rel;

namespace {
struct WData {
  std::vector<double> time, time2, entry, w, x, z;
  std::vector<int32_t> status;
};
// n rows of Weibull-like data; `odd_row` >= 0 makes that row interval-censored (a sub-block with a row the
// fused loop does not take); every 37th row has weight 0 when `zero_w` (else no sub-block has a zero weight,
// so the fused loop's vector-exp pass runs wherever gamma is constant).
WData wdata(int64_t n, int64_t odd_row, uint64_t seed, bool zero_w = true) {
  WData s;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const double x = rng.uniform() < 0.5 ? 1.0 : 0.0, z = rng.normal();
    const double T = std::pow(-std::log(rng.uniform_open()) / std::exp(-2 + 0.5 * x - 0.3 * z), 1 / 1.3);
    const double C = 30.0 * rng.uniform_open();
    int st = T <= C ? 1 : 0;
    double t = std::min(T, C), t2 = t;
    if (i == odd_row) {
      st = 3;
      t2 = 1.5 * t;
    }
    s.time.push_back(t);
    s.time2.push_back(t2);
    s.status.push_back(st);
    s.entry.push_back(0.0);
    s.w.push_back(zero_w && i % 37 == 5 ? 0.0 : 1.0 + 0.25 * static_cast<double>(i % 3));
    s.x.push_back(x);
    s.z.push_back(z);
  }
  return s;
}
SurvData as_data(const WData& s) {
  SurvData d;
  d.time = s.time;
  d.time2 = s.time2;
  d.status = s.status;
  d.weights = s.w;
  return d;
}
// The general per-observation path with the chain rule by hand (value, score, Hessian, score outer product).
double reference(const Model& m, const WData& s, const std::vector<double>& beta, std::vector<double>& g,
                 std::vector<double>& h, std::vector<double>& B) {
  const size_t P = beta.size();
  g.assign(P, 0.0);
  h.assign(P * P, 0.0);
  B.assign(P * P, 0.0);
  double v = 0;
  for (int64_t i = 0; i < m.n; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (s.w[k] == 0) continue;
    double xi[4], gi[4], hi[16];
    m.slots(i, beta.data(), xi);
    v += obs_loglik(m.info, xi, s.status[k], std::log(s.time[k]), std::log(s.time2[k]), -INFINITY, s.w[k], 2, gi, hi);
    std::vector<double> xr(P), sr(P);
    std::vector<int> slot(P);
    for (int a = 0; a < 4; ++a)
      for (int c = 0; c < m.p[a]; ++c) {
        const size_t ia = static_cast<size_t>(m.start[a] + c);
        xr[ia] = m.x[a][k * static_cast<size_t>(m.p[a]) + static_cast<size_t>(c)];
        slot[ia] = a;
        sr[ia] = gi[a] * xr[ia];
        g[ia] += sr[ia];
      }
    for (size_t a = 0; a < P; ++a)
      for (size_t b = 0; b < P; ++b) {
        h[a + b * P] += hi[slot[a] * 4 + slot[b]] * xr[a] * xr[b];
        B[a + b * P] += sr[a] * sr[b];
      }
  }
  return v;
}
}  // namespace

TEST_CASE("fused Weibull rows equal the general per-observation path", "[survival]") {
  const int64_t n = kEvalChunk + 1500;  // two chunks, several sub-blocks, a partial last one
  for (const int64_t odd : {int64_t(-1), int64_t(700), int64_t(-2)}) {
    const bool zero_w = odd != -2;  // -2: no interval row, no zero weight
    const WData s = wdata(n, odd, 5, zero_w);
    const SurvData d = as_data(s);
    struct Variant {
      Dist dist;
      bool aft, gamma_cov;
    };
    for (const Variant var : {Variant{Dist::weibull, false, false}, Variant{Dist::weibull, false, true},
                              Variant{Dist::weibull, true, true}, Variant{Dist::exponential, false, false}}) {
      DesignBuilder b(n);
      const Par scale = var.aft ? Par::phi : Par::lambda;
      b.intercept(scale).column(scale, s.x, "x").column(scale, s.z, "z");
      if (var.dist == Dist::weibull) {
        b.intercept(Par::gamma);
        if (var.gamma_cov) b.column(Par::gamma, s.x, "x");
      }
      const Model m = build_model("test", d, b.design(), var.dist);
      CHECK(m.simple_rows == (odd < 0));
      const size_t P = static_cast<size_t>(m.ptot);
      std::vector<double> beta(P, 0.0);
      beta[0] = var.aft ? -1.5 : -2.0;
      beta[1] = 0.4;
      beta[2] = -0.3;
      if (P > 3) beta[3] = 0.2;
      if (P > 4) beta[4] = -0.1;
      std::vector<double> g, h, B, gr, hr, Br;
      g.resize(P);
      h.resize(P * P);
      B.resize(P * P);
      const double v = eval(m, beta.data(), g.data(), h.data(), nullptr, B.data());
      const double vr = reference(m, s, beta, gr, hr, Br);
      INFO("dist " << dist_name(var.dist) << " aft " << var.aft << " gamma_cov " << var.gamma_cov << " odd " << odd);
      REQUIRE(std::isfinite(v));
      CHECK(std::fabs(v - vr) <= 1e-12 * std::fabs(vr));
      CHECK(max_rel(g, gr) < 1e-10);
      CHECK(max_rel(h, hr) < 1e-10);
      CHECK(max_rel(B, Br) < 1e-10);
      // Per-row scores and the value-only / score-only passes.
      std::vector<double> sc, g1(P);
      CHECK(eval(m, beta.data(), g1.data(), nullptr, &sc) == v);
      CHECK(g1 == g);
      CHECK(eval(m, beta.data(), nullptr, nullptr) == v);
      double gs = 0;
      for (int64_t i = 0; i < n; ++i) gs += sc[static_cast<size_t>(i) * P + 1];
      CHECK(std::fabs(gs - g[1]) <= 1e-9 * std::max(1.0, std::fabs(g[1])));
      // Central finite differences of the analytic score and Hessian.
      if (odd < 0) {
        INFO("zero weights " << zero_w);
        auto f = [&](const std::vector<double>& b2) { return eval(m, b2.data(), nullptr, nullptr); };
        for (size_t a = 0; a < P; ++a) {
          std::vector<double> bp = beta, bm = beta;
          const double e = 1e-5;
          bp[a] += e;
          bm[a] -= e;
          CHECK(std::fabs((f(bp) - f(bm)) / (2 * e) - g[a]) <= 1e-5 * std::max(1.0, std::fabs(g[a])));
          std::vector<double> gp(P), gm(P);
          eval(m, bp.data(), gp.data(), nullptr);
          eval(m, bm.data(), gm.data(), nullptr);
          for (size_t c = 0; c < P; ++c)
            CHECK(std::fabs((gp[c] - gm[c]) / (2 * e) - h[c + a * P]) <= 1e-5 * std::max(1.0, std::fabs(h[c + a * P])));
        }
        // weibull_sums: Q - SH is the log-likelihood.
        WeibullSums ws;
        REQUIRE(weibull_sums(m, beta.data(), ws));
        CHECK(std::fabs(ws.Q - ws.SH - v) <= 1e-10 * std::fabs(v));
        CHECK(ws.gamma_const == !var.gamma_cov);
      } else {
        WeibullSums ws;
        CHECK_FALSE(weibull_sums(m, beta.data(), ws));  // an interval-censored row: no closed form
      }
    }
  }
}

TEST_CASE("fused Weibull rows equal the APGW kernel at kappa = 1", "[survival]") {
  const int64_t n = 3000;
  const WData s = wdata(n, -1, 9);
  const SurvData d = as_data(s);
  DesignBuilder bw(n);
  bw.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma).column(Par::gamma, s.z, "z");
  const Model mw = build_model("test", d, bw.design(), Dist::weibull);
  // APGW with kappa fixed at 1 through the offset log(1 + kappa) = log 2 (no kappa coefficients).
  std::vector<double> koff(static_cast<size_t>(n), std::log(2.0));
  Design da = bw.design();
  da.par[3].offset = data::VecView(koff.data(), n);
  const Model ma = build_model("test", d, da, Dist::apgw);
  REQUIRE(ma.ptot == mw.ptot);
  const std::vector<double> beta = {-2.1, 0.45, 0.25, -0.15};
  std::vector<double> gw(4), hw(16), ga(4), ha(16);
  const double vw = eval(mw, beta.data(), gw.data(), hw.data());
  const double va = eval(ma, beta.data(), ga.data(), ha.data());
  CHECK(std::fabs(vw - va) <= 1e-10 * std::fabs(va));
  CHECK(max_rel(gw, ga) < 1e-10);
  CHECK(max_rel(hw, ha) < 1e-10);
}

TEST_CASE("fused Weibull rows: exp arguments outside the vector range take std::exp", "[survival]") {
  // No zero weight and one gamma: every sub-block takes the lane-parallel path. A lambda intercept near -745
  // puts every exp argument below the fast range (subnormal or zero H), one near +720 above it (H = Inf, so
  // eval returns -Inf as with std::exp), and -700 sits inside it.
  const int64_t n = 1100;
  const WData s = wdata(n, -1, 21, false);
  const SurvData d = as_data(s);
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").intercept(Par::gamma);
  const Model m = build_model("test", d, b.design(), Dist::weibull);
  REQUIRE(m.simple_rows);
  for (const double b0 : {-745.0, -730.0, -700.0}) {
    const std::vector<double> beta = {b0, 0.4, 0.2};
    std::vector<double> g(3), h(9), B(9), gr, hr, Br;
    const double v = eval(m, beta.data(), g.data(), h.data(), nullptr, B.data());
    const double vr = reference(m, s, beta, gr, hr, Br);
    INFO("lambda intercept " << b0);
    REQUIRE(std::isfinite(v));
    CHECK(std::fabs(v - vr) <= 1e-12 * std::fabs(vr));
    CHECK(max_rel(g, gr) < 1e-10);
    CHECK(max_rel(h, hr) < 1e-10);
  }
  const std::vector<double> big = {720.0, 0.4, 0.2};
  std::vector<double> g(3), h(9);
  CHECK(eval(m, big.data(), g.data(), h.data()) == -INFINITY);
  CHECK(eval(m, big.data(), nullptr, nullptr) == -INFINITY);
}

TEST_CASE("fused Weibull rows: the same bits with 2-lane and 4-lane vectors", "[survival]") {
  const int64_t n = 2 * kEvalChunk + 777;
  const WData s = wdata(n, -1, 23, false);
  const SurvData d = as_data(s);
  DesignBuilder b(n);
  b.intercept(Par::lambda).column(Par::lambda, s.x, "x").column(Par::lambda, s.z, "z").intercept(Par::gamma);
  const Model m = build_model("test", d, b.design(), Dist::weibull);
  const std::vector<double> beta = {-2.0, 0.4, -0.3, 0.2};
  std::vector<double> g4(4), h4(16), B4(16), g2(4), h2(16), B2(16);
  const double v4 = eval(m, beta.data(), g4.data(), h4.data(), nullptr, B4.data());
  numeric::vmath::force_baseline(true);
  const double v2 = eval(m, beta.data(), g2.data(), h2.data(), nullptr, B2.data());
  numeric::vmath::force_baseline(false);
  CHECK(v2 == v4);
  CHECK(g2 == g4);
  CHECK(h2 == h4);
  CHECK(B2 == B4);
  const SurvFit f4 = fit(d, b.design(), Dist::weibull);
  numeric::vmath::force_baseline(true);
  const SurvFit f2 = fit(d, b.design(), Dist::weibull);
  numeric::vmath::force_baseline(false);
  CHECK(f2.result.coef == f4.result.coef);
  CHECK(f2.result.loglik == f4.result.loglik);
}
