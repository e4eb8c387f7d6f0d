// The APGW lanes of eval() (loglik.cpp's apgw_block: vmath exp / log over tiles of rows) against the scalar
// per-observation path (obs_loglik, std::exp / std::log): every censoring type, zero weights, truncation,
// kappa near 0 and 1 (the series / exp branches of expm1(z)/z on both sides of |z| = 0.2), rows that the
// lanes hand to the scalar path (arguments outside vmath's range, softplus's large-argument branch), and the
// baseline (2 lanes) and AVX2 (4 lanes) instantiations bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../../../src/numeric/vmath.hpp"
#include "hetmod/random/rng.hpp"
#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using namespace hetmod::survival::detail;
using survtest::max_rel;

namespace {
struct Rows {
  std::vector<double> time, time2, entry, w, z;
  std::vector<int32_t> status;
  int64_t n() const { return static_cast<int64_t>(time.size()); }
};

// n rows; mixed: every censoring type, truncation and zero weights; extreme: a few event / right-censored times
// at 1e-308 and 1e305.
Rows make_rows(int64_t n, bool mixed, bool extreme, uint64_t seed) {
  Rows r;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const double t = std::exp(3.0 * rng.normal());  // wide spread of s = gamma log t
    int st = rng.uniform() < 0.6 ? 1 : 0;
    double t2 = t, v = 0.0, w = 0.5 + rng.uniform();
    if (mixed) {
      const int kind = static_cast<int>(i % 9);
      if (kind == 2) st = 2;
      if (kind == 4) {
        st = 3;
        t2 = 1.7 * t;
      }
      if (kind == 5 || kind == 7) v = 0.4 * t;
      if (kind == 6) w = 0.0;
    }
    const bool ex = extreme && st <= 1 && v == 0.0;  // a left-censored row at 1e-308 has likelihood 0
    r.time.push_back(ex && i % 37 == 3 ? 1e-308 : (ex && i % 37 == 8 ? 1e305 : t));
    r.time2.push_back(st == 3 ? 1.7 * r.time.back() : t2);
    r.entry.push_back(v > 0 && v < r.time.back() ? v : 0.0);
    r.status.push_back(st);
    r.w.push_back(w);
    r.z.push_back(rng.normal());
  }
  return r;
}

SurvData as_data(const Rows& r) {
  SurvData d;
  d.time = r.time;
  d.time2 = r.time2;
  d.status = r.status;
  d.entry = r.entry;
  d.weights = r.w;
  return d;
}

// Value, score and Hessian in the coefficients from obs_loglik row by row.
double reference(const Model& m, const Rows& r, const std::vector<double>& beta, std::vector<double>& g,
                 std::vector<double>& h) {
  const size_t P = beta.size();
  g.assign(P, 0.0);
  h.assign(P * P, 0.0);
  double v = 0.0;
  for (int64_t i = 0; i < m.n; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (m.w[k] == 0) continue;
    double xi[4], gi[4], hi[16];
    m.slots(i, beta.data(), xi);
    v += obs_loglik(m.info, xi, m.status[k], m.logt[k], m.logt2[k], m.logv[k], m.w[k], 2, gi, hi);
    for (int a = 0; a < 4; ++a)
      for (int ca = 0; ca < m.p[a]; ++ca) {
        const size_t ia = static_cast<size_t>(m.start[a] + ca);
        const double xa = m.x[a][k * static_cast<size_t>(m.p[a]) + static_cast<size_t>(ca)];
        g[ia] += gi[a] * xa;
        for (int b = 0; b < 4; ++b)
          for (int cb = 0; cb < m.p[b]; ++cb) {
            const size_t ib = static_cast<size_t>(m.start[b] + cb);
            h[ia + ib * P] += hi[a * 4 + b] * xa * m.x[b][k * static_cast<size_t>(m.p[b]) + static_cast<size_t>(cb)];
          }
      }
  }
  (void)r;
  return v;
}
}  // namespace

TEST_CASE("APGW lanes equal the scalar per-observation path (censoring types, kappa near 0 and 1)",
          "[survival][lanes]") {
  // 1100 rows: two full sub-blocks of 512 rows and a partial one, tiles of 64 with a partial tail.
  const int64_t n = 1100;
  for (const bool mixed : {false, true}) {
    for (const bool extreme : {false, true}) {
      const Rows r = make_rows(n, mixed, extreme, mixed ? 11 : 12);
      const SurvData d = as_data(r);
      survtest::DesignBuilder b(n);
      b.intercept(Par::phi).column(Par::phi, r.z, "z");
      b.intercept(Par::lambda).column(Par::lambda, r.z, "z");
      b.intercept(Par::gamma).column(Par::gamma, r.z, "z");
      b.intercept(Par::kappa).column(Par::kappa, r.z, "z");
      const Design des = b.design();
      const Model m = build_model("test", d, des, Dist::apgw);
      // log(1 + kappa): 0 exactly, +-1e-12 (kappa ~ 0), 1e-6, log 2 (kappa = 1) and log 2 +- 1e-9, larger and
      // negative kappa (so that z = kappa L crosses |z| = 0.2 within the data).
      // With the extreme times (s up to ~900: rows past softplus's branch at s - k > 700 and below vmath's exp
      // range) only kappa ~ 0 keeps H finite.
      std::vector<double> ks = {0.0, 1e-12, -1e-12, 1e-6};
      if (!extreme)
        for (const double k : {std::log(2.0), std::log(2.0) + 1e-9, std::log(2.0) - 1e-9, 1.5, -0.4}) ks.push_back(k);
      for (const double k0 : ks) {
        const double kz = std::fabs(k0) < 1e-3 ? 0.0 : 0.05;  // kappa covariate (none near kappa = 0)
        std::vector<double> beta = {-0.1, 0.05, -0.5, 0.2, extreme ? 0.1 : -0.3, 0.15, k0, kz};
        const size_t P = beta.size();
        std::vector<double> g(P), h(P * P), g_ref, h_ref, g1(P);
        const double v = eval(m, beta.data(), g.data(), h.data());
        const double v_ref = reference(m, r, beta, g_ref, h_ref);
        INFO("mixed " << mixed << ", extreme " << extreme << ", k = " << k0);
        REQUIRE(std::isfinite(v));
        CHECK(v == Approx(v_ref).epsilon(1e-12));
        CHECK(max_rel(g, g_ref) < 1e-12);
        CHECK(max_rel(h, h_ref) < 1e-12);
        // The value-only and gradient-only lanes compute the same values.
        CHECK(eval(m, beta.data(), nullptr, nullptr) == Approx(v).epsilon(1e-14));
        CHECK(eval(m, beta.data(), g1.data(), nullptr) == Approx(v).epsilon(1e-14));
        CHECK(max_rel(g1, g) < 1e-13);
      }
    }
  }
}

TEST_CASE("APGW lanes: baseline and AVX2 instantiations give the same bits", "[survival][lanes]") {
  namespace vm = hetmod::numeric::vmath;
  const int64_t n = 2 * kEvalChunk + 777;  // several chunks, threads on
  for (const bool mixed : {false, true}) {
    const Rows r = make_rows(n, mixed, true, 21);
    const SurvData d = as_data(r);
    survtest::DesignBuilder b(n);
    b.intercept(Par::lambda).column(Par::lambda, r.z, "z");
    b.intercept(Par::gamma).column(Par::gamma, r.z, "z");
    b.intercept(Par::kappa);
    Model m = build_model("test", d, b.design(), Dist::apgw);
    const size_t P = static_cast<size_t>(m.ptot);
    const std::vector<double> beta = {-0.2, 0.1, 0.1, 0.15, 1e-6};  // kappa ~ 0: H finite at the extreme times
    for (const int threads : {1, 2}) {
      m.threads = threads;
      std::vector<double> g4(P), h4(P * P), o4(P * P), s4, g2(P), h2(P * P), o2(P * P), s2;
      const double v4 = eval(m, beta.data(), g4.data(), h4.data(), &s4, o4.data());
      const double w4 = eval(m, beta.data(), nullptr, nullptr);
      vm::force_baseline(true);
      const double v2 = eval(m, beta.data(), g2.data(), h2.data(), &s2, o2.data());
      const double w2 = eval(m, beta.data(), nullptr, nullptr);
      vm::force_baseline(false);
      INFO("mixed " << mixed << ", threads " << threads << ", AVX2 available " << vm::use_avx2());
      REQUIRE(std::isfinite(v4));
      CHECK(v2 == v4);
      CHECK(w2 == w4);
      CHECK(g2 == g4);
      CHECK(h2 == h4);
      CHECK(o2 == o4);
      CHECK(s2 == s4);
    }
  }
}
