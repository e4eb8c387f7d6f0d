// Survival kernels: spec 5.A point values, special cases/limits, analytic vs numeric derivatives.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/survival/loglik.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using namespace hetmod::survival::detail;

namespace {
TimeEval at(Kernel k, double phi, double lam, double gam, double kappa, double t) {
  const double eta[4] = {std::log(phi), std::log(lam), std::log(gam), std::log1p(kappa)};
  TimeEval te;
  eval_time(k, eta, std::log(t), 2, te);
  return te;
}
double rel(double a, double b) { return std::fabs(a - b) / std::max(1e-300, std::fabs(b)); }
}  // namespace

TEST_CASE("APGW kernel point values (spec 5.A)", "[survival]") {
  const TimeEval te = at(Kernel::apgw, 1, 1, 1.5, 0.5, 1.0);
  CHECK(te.H == Approx(0.8729833462).epsilon(1e-10));
  CHECK(std::exp(te.logh) == Approx(1.1618950039).epsilon(1e-10));
}

TEST_CASE("APGW special cases and limits (spec 1.3, 5.A)", "[survival]") {
  for (double t : {0.01, 0.3, 1.0, 2.7, 40.0}) {
    const double phi = 0.7, lam = 1.3, gam = 1.4;
    const double u = std::pow(phi * t, gam);
    // kappa = 1: Weibull.
    TimeEval a = at(Kernel::apgw, phi, lam, gam, 1.0, t);
    CHECK(rel(a.H, lam * u) < 1e-12);
    CHECK(rel(std::exp(a.logh), lam * gam * phi * std::pow(phi * t, gam - 1)) < 1e-12);
    // kappa = +-1e-10: Burr.
    for (double k : {1e-10, -1e-10, 0.0}) {
      TimeEval b = at(Kernel::apgw, phi, lam, gam, k, t);
      TimeEval br = at(Kernel::burr, phi, lam, gam, 0.0, t);
      CHECK(rel(b.H, lam * std::log1p(u)) < 1e-9);
      CHECK(rel(b.H, br.H) < 1e-9);
      CHECK(std::fabs(b.logh - br.logh) < 1e-9);
      for (int j = 0; j < 3; ++j) CHECK(std::fabs(b.gH[j] - br.gH[j]) < 1e-8 * (1 + std::fabs(br.gH[j])));
    }
    // kappa = 1e6: Gompertz-type limit.
    if (u < 5) {
      TimeEval g = at(Kernel::apgw, phi, lam, gam, 1e6, t);
      TimeEval gr = at(Kernel::gompertz, phi, lam, gam, 0.0, t);
      CHECK(rel(g.H, lam * std::expm1(u)) < 1e-5);
      CHECK(rel(g.H, gr.H) < 1e-5);
      CHECK(std::fabs(g.logh - gr.logh) < 1e-5);
    }
    // kappa = -1 + 1e-9 with lambda (1+kappa) = theta and phi (1+kappa)^(-1/gamma) = mu: cure limit.
    {
      const double a1 = 1e-9, theta = 0.8, mu = 0.5;
      const double lam_c = theta / a1, phi_c = mu * std::pow(a1, 1.0 / gam);
      const double eta[4] = {std::log(phi_c), std::log(lam_c), std::log(gam), std::log(a1)};
      TimeEval c;
      eval_time(Kernel::apgw, eta, std::log(t), 0, c);
      TimeEval cr = at(Kernel::cure, mu, theta, gam, 0.0, t);
      const double v = std::pow(mu * t, gam);
      CHECK(rel(cr.H, theta * v / (1 + v)) < 1e-13);
      CHECK(rel(c.H, cr.H) < 1e-6);
      CHECK(std::fabs(c.logh - cr.logh) < 1e-6);
    }
  }
}

TEST_CASE("unit cumulative hazard inverse", "[survival]") {
  for (Kernel k : {Kernel::apgw, Kernel::weibull, Kernel::burr, Kernel::gompertz, Kernel::cure})
    for (double kap : {-0.6, -1e-12, 0.0, 0.35, 1.0, 2.0})
      for (double u : {1e-3, 0.2, 1.0, 7.0}) {
        const double kk = std::log1p(kap);
        const double m = unit_cumhaz(k, kk, u);
        CHECK(rel(unit_cumhaz_inverse(k, kk, m), u) < 1e-9);
      }
  // cure plateau: beyond a/(-kappa) no finite time.
  CHECK(std::isinf(unit_cumhaz_inverse(Kernel::apgw, std::log1p(-0.5), 1.5)));
}

namespace {
// Checks obs_loglik gradient/Hessian in xi against finite differences.
void check_obs(Dist dist, const std::array<double, 4>& xi0, int status, double t, double t2, double v) {
  const DistInfo info = dist_info(dist);
  const double lt = std::log(t), lt2 = std::log(t2), lv = v > 0 ? std::log(v) : -INFINITY;
  auto f = [&](const std::vector<double>& x) {
    return obs_loglik(info, x.data(), status, lt, lt2, lv, 1.7, 0, nullptr, nullptr);
  };
  auto gr = [&](const std::vector<double>& x) {
    std::vector<double> g(4);
    obs_loglik(info, x.data(), status, lt, lt2, lv, 1.7, 1, g.data(), nullptr);
    return g;
  };
  std::vector<double> x(xi0.begin(), xi0.end());
  for (int j = 0; j < 4; ++j)
    if (info.structural[static_cast<size_t>(j)]) x[static_cast<size_t>(j)] = 0;
  std::vector<double> g(4), h(16);
  const double val = obs_loglik(info, x.data(), status, lt, lt2, lv, 1.7, 2, g.data(), h.data());
  REQUIRE(std::isfinite(val));
  CHECK(val == Approx(f(x)).epsilon(1e-14));
  const auto gn = numeric::fd_gradient_richardson(f, x, 1e-3);
  const auto hn = numeric::fd_hessian_from_gradient(gr, x, 1e-5);
  std::vector<double> hcm(16);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) hcm[static_cast<size_t>(a + 4 * b)] = h[static_cast<size_t>(a * 4 + b)];
  INFO("dist " << dist_name(dist) << " status " << status << " kappa-slot " << x[3] << " t " << t);
  CHECK(numeric::max_rel_diff(g, gn) < 1e-7);
  CHECK(numeric::max_rel_diff(hcm, hn) < 1e-6);
}
}  // namespace

TEST_CASE("observation derivatives vs finite differences, all censoring types", "[survival]") {
  for (double kap : {-0.6, 0.0, 1e-9, 0.35, 1.0, 2.0}) {
    for (int status : {0, 1, 2, 3}) {
      for (double v : {0.0, 0.2}) {
        const std::array<double, 4> xi{-0.3, 0.2, std::log(1.3), std::log1p(kap)};
        check_obs(Dist::apgw, xi, status, 0.9, 2.2, v);
        check_obs(Dist::apgw, {0.4, -0.5, std::log(0.7), std::log1p(kap)}, status, 3.5, 6.0, v);
      }
    }
  }
  for (Dist d : {Dist::weibull, Dist::exponential, Dist::burr, Dist::loglogistic, Dist::pgw, Dist::gompertz,
                 Dist::cure_limit})
    for (int status : {0, 1, 2, 3}) check_obs(d, {-0.3, 0.2, std::log(1.3), 0.4}, status, 0.9, 2.2, 0.3);
}

TEST_CASE("coefficient score and Hessian vs finite differences (covariates in all four)", "[survival]") {
  const int64_t n = 60;
  Rng rng(11);
  std::vector<double> time(n), time2(n), entry(n), w(n), x(static_cast<size_t>(n * 2));
  std::vector<int32_t> status(n);
  for (int64_t i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(i);
    time[k] = 0.2 + 3 * rng.uniform();
    time2[k] = time[k] + 0.1 + rng.uniform();
    entry[k] = i % 5 == 0 ? 0.5 * time[k] : 0.0;
    w[k] = 0.5 + rng.uniform();
    status[k] = static_cast<int32_t>(i % 4);
    x[k] = 1.0;
    x[static_cast<size_t>(n) + k] = rng.normal();
  }
  SurvData d;
  d.time = time;
  d.time2 = time2;
  d.status = status;
  d.entry = entry;
  d.weights = w;
  Design des;
  for (auto& pd : des.par) pd.x = data::MatView(x.data(), n, 2);
  for (double kap : {-0.6, 0.0, 1e-9, 0.35, 1.0, 2.0}) {
    std::vector<double> beta = {-0.2, 0.1, 0.3, -0.2, std::log(1.2), 0.15, std::log1p(kap), 0.05};
    std::vector<double> g, h;
    const double v = loglik(d, des, Dist::apgw, beta, &g, &h);
    REQUIRE(std::isfinite(v));
    auto f = [&](const std::vector<double>& b) { return loglik(d, des, Dist::apgw, b); };
    auto gr = [&](const std::vector<double>& b) {
      std::vector<double> gg;
      loglik(d, des, Dist::apgw, b, &gg);
      return gg;
    };
    INFO("kappa " << kap);
    CHECK(numeric::max_rel_diff(g, numeric::fd_gradient_richardson(f, beta, 1e-3)) < 1e-7);
    CHECK(numeric::max_rel_diff(h, numeric::fd_hessian_from_gradient(gr, beta, 1e-5)) < 1e-6);
  }
}

TEST_CASE("contributions: closed forms for the exponential under each censoring type", "[survival]") {
  const DistInfo info = dist_info(Dist::exponential);
  const double r = 0.7, w = 1.3;
  const double xi[4] = {0.0, std::log(r), 0.0, 0.0};
  const double lt = std::log(2.0), lt2 = std::log(3.0), lv = std::log(0.5), none = -INFINITY;
  auto ll = [&](int st, double lv_) { return obs_loglik(info, xi, st, lt, lt2, lv_, w, 0, nullptr, nullptr); };
  CHECK(ll(1, none) == Approx(w * (std::log(r) - 2 * r)).epsilon(1e-14));
  CHECK(ll(0, none) == Approx(w * (-2 * r)).epsilon(1e-14));
  CHECK(ll(2, none) == Approx(w * std::log(1 - std::exp(-2 * r))).epsilon(1e-14));
  CHECK(ll(3, none) == Approx(w * std::log(std::exp(-2 * r) - std::exp(-3 * r))).epsilon(1e-13));
  // left truncation at v = 0.5: conditional on T > v
  CHECK(ll(1, lv) == Approx(w * (std::log(r) - 1.5 * r)).epsilon(1e-14));
  CHECK(ll(0, lv) == Approx(w * (-1.5 * r)).epsilon(1e-14));
  CHECK(ll(2, lv) == Approx(w * std::log(1 - std::exp(-1.5 * r))).epsilon(1e-14));
  CHECK(ll(3, lv) == Approx(w * std::log(std::exp(-1.5 * r) - std::exp(-2.5 * r))).epsilon(1e-13));
}

TEST_CASE("eval: the fast event/right-censored row kernels equal the general per-observation path", "[survival]") {
  // eval() uses closed-form row kernels for event / right-censored rows without truncation (the Weibull one
  // with a single exp) and obs_loglik for the rest; both must give the same total, score and Hessian.
  const int64_t n = 80;
  Rng rng(5);
  std::vector<double> time(n), time2(n), entry(n), w(n), x(static_cast<size_t>(n * 2)), off(n);
  std::vector<int32_t> status(n);
  for (int64_t i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(i);
    time[k] = 0.1 + 3 * rng.uniform();
    time2[k] = time[k] + 0.1 + rng.uniform();
    entry[k] = i % 7 == 0 ? 0.5 * time[k] : 0.0;
    w[k] = i % 11 == 0 ? 0.0 : 0.5 + rng.uniform();
    status[k] = static_cast<int32_t>(i % 9 == 0 ? 2 + i % 2 : i % 2);
    x[k] = 1.0;
    x[static_cast<size_t>(n) + k] = rng.normal();
    off[k] = 0.1 * rng.normal();
  }
  SurvData d;
  d.time = time;
  d.time2 = time2;
  d.status = status;
  d.entry = entry;
  d.weights = w;
  for (Dist dist : {Dist::apgw, Dist::weibull, Dist::exponential, Dist::burr, Dist::loglogistic, Dist::pgw,
                    Dist::gompertz, Dist::cure_limit}) {
    const DistInfo info = dist_info(dist);
    Design des;
    for (size_t j = 0; j < 4; ++j) {
      if (info.structural[j]) continue;
      if ((dist == Dist::weibull || dist == Dist::exponential) && j == 0) {
        des.par[j].offset = data::VecView(off.data(), n);  // phi: offset only (one scale free)
        continue;
      }
      des.par[j].x = data::MatView(x.data(), n, 2);
    }
    Model m = build_model("test", d, des, dist);
    std::vector<double> beta(static_cast<size_t>(m.ptot));
    for (size_t k = 0; k < beta.size(); ++k) beta[k] = (k % 2 == 0 ? -0.2 : 0.1) + 0.05 * static_cast<double>(k);
    const size_t P = beta.size();
    std::vector<double> g(P), h(P * P), sc;
    const double v = eval(m, beta.data(), g.data(), h.data(), &sc);
    // Reference: the general per-observation path, chain rule by hand.
    double v_ref = 0;
    std::vector<double> g_ref(P, 0.0), h_ref(P * P, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      if (w[k] == 0) continue;
      double xi[4], gi[4], hi[16];
      m.slots(i, beta.data(), xi);
      const double lt2 = status[k] == 3 ? std::log(time2[k]) : 0.0;
      const double lv = entry[k] > 0 ? std::log(entry[k]) : -INFINITY;
      v_ref += obs_loglik(info, xi, status[k], std::log(time[k]), lt2, lv, w[k], 2, gi, hi);
      for (int a = 0; a < 4; ++a)
        for (int ca = 0; ca < m.p[a]; ++ca) {
          const size_t ia = static_cast<size_t>(m.start[a] + ca);
          const double xa = m.x[a][k * static_cast<size_t>(m.p[a]) + static_cast<size_t>(ca)];
          g_ref[ia] += gi[a] * xa;
          for (int b = 0; b < 4; ++b)
            for (int cb = 0; cb < m.p[b]; ++cb) {
              const size_t ib = static_cast<size_t>(m.start[b] + cb);
              h_ref[ia + ib * P] += hi[a * 4 + b] * xa * m.x[b][k * static_cast<size_t>(m.p[b]) + static_cast<size_t>(cb)];
            }
        }
    }
    INFO("dist " << dist_name(dist));
    REQUIRE(std::isfinite(v));
    CHECK(v == Approx(v_ref).epsilon(1e-12));
    CHECK(numeric::max_rel_diff(g, g_ref) < 1e-10);
    CHECK(numeric::max_rel_diff(h, h_ref) < 1e-10);
    // Value-only and gradient-only evaluations agree with the full one.
    std::vector<double> g1(P);
    CHECK(eval(m, beta.data(), nullptr, nullptr) == Approx(v).epsilon(1e-14));
    CHECK(eval(m, beta.data(), g1.data(), nullptr) == Approx(v).epsilon(1e-14));
    CHECK(numeric::max_rel_diff(g1, g) < 1e-13);
    // Scores sum to the gradient.
    std::vector<double> gs(P, 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (size_t c = 0; c < P; ++c) gs[c] += sc[static_cast<size_t>(i) * P + c];
    CHECK(numeric::max_rel_diff(gs, g) < 1e-12);
  }
}
