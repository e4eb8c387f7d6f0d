// hetmod/survival/loglik.cpp -- APGW likelihood kernels, per-observation contributions, and the total
// log-likelihood with analytic score and Hessian (spec/survival.md sections 1.2, 1.3, 1.6, 2.1).
//
// Outline
//  1. expm1(z)/z and its z-derivatives (series for |z| < 0.2), so H and dH/dkappa are continuous
//     through kappa = 0 (spec 2.1 "stable form").
//  2. Shape kernels in (s, k), s = log u = gamma log(phi t), k = log(1 + kappa), a = 1 + kappa,
//     x = u / a, L = log1p(x) = softplus(s - k), q = x / (1 + x):
//       APGW      M = a (exp(kappa L) - 1) / kappa = a L E(kappa L),   l = log dM/ds = s + (kappa - 1) L
//       Weibull   M = u                                          l = s              (kappa = 1)
//       Burr XII  M = log1p(u)                                   l = s - L          (kappa = 0)
//       Gompertz  M = expm1(u)                                   l = s + u          (kappa -> inf)
//       cure lim. M = u / (1 + u)                                l = s - 2 L        (kappa -> -1)
//     with H = lambda M and log h = log lambda + log gamma - log t + l (since dH/dt = lambda M_s gamma/t).
//     Derivatives (APGW; G = M/a, G_k = dG/dkappa = L^2 E'(kappa L), G_kk = L^3 E''(kappa L)):
//       M_s = a q e^{kappa L},  M_ss = M_s (1 + (kappa-1) q),  M_sk = M_s (a L - (kappa-1) q)
//       M_k = a G + a^2 G_k - a q e^{kappa L}
//       M_kk = a G + 3 a^2 G_k + a^3 G_kk - 2 a^2 q L e^{kappa L} + a e^{kappa L}(-q + (kappa-1) q^2)
//       l_s = 1 + (kappa-1) q, l_k = a L - (kappa-1) q, l_ss = (kappa-1) q(1-q),
//       l_sk = a q - (kappa-1) q(1-q), l_kk = a L - 2 a q + (kappa-1) q(1-q).
//     These reproduce the linear-predictor scores of spec 2.1.
//  3. Chain rule to eta = (log phi, log lambda, log gamma, log(1+kappa)) through s = gamma (eta_phi + log t):
//     s_phi = gamma, s_gamma = s, s_phi,gamma = gamma, s_gamma,gamma = s.
//  4. Contributions (spec 1.6), weight w: event d log h - H; right -H; left log(-expm1(-H(R)));
//     interval -H(L) + log(-expm1(-(H(R) - H(L)))); left truncation + H(v). A left-censored row with
//     entry v > 0 is the interval (v, R] (P(T <= R | T > v) excludes mass before v; adding H(v) to the
//     untruncated left term would not). For f(D) = log(1 - e^{-D}):
//     f' = 1/expm1(D), f'' = -f'(1 + f').
//  5. Distribution links: PGW uses xi_kappa = log kappa, eta_kappa = softplus(xi), eta_lambda =
//     log(kappa/(1+kappa)) = -softplus(-xi); structural slots hold constants.
//  6. Coefficient space: score = sum_i g_i (x) x_i, Hessian = sum_i x_i' h_i x_i (block chain rule).
//  7. eval(): chunks of kEvalChunk rows, sub-blocks of kSub rows. Row paths: fused Weibull rows; the APGW
//     lanes (apgw_block: sections 2-4 for event / right-censored rows in W-lane vectors with numeric/vmath's
//     exp / log, within ~1e-15 relative of the scalar path; tests/cpp/survival/test_apgw_lanes.cpp); the
//     scalar per-row path for everything else. Each function with lanes is instantiated twice (baseline W = 2
//     and an AVX2 W = 4 clone picked at run time, no FMA): the same bits on every x86-64 machine and for
//     every thread count.
#include "hetmod/survival/loglik.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/parallel.hpp"
#include "hetmod/data/validate.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "../numeric/vmath.hpp"

namespace hetmod::survival::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// softplus L = log(1 + e^y), sigmoid q = e^y / (1 + e^y) and its complement q1 = 1 - q, all stable: one exp
// and one log. log1p(x) = log(u) x / (u - 1) with u = 1 + x rounded (Goldberg's correction, a few ulps for
// every x > 0), which is cheaper than log1p.
inline void softplus_sigmoid(double y, double& L, double& q, double& q1) {
  if (y > 700.0) {  // e^y would overflow; e^-y < 1e-304
    L = y;
    q = 1.0;
    q1 = std::exp(-y);
    return;
  }
  const double x = std::exp(y), u = 1.0 + x, inv = 1.0 / u;
  const double um1 = u - 1.0;
  L = um1 == 0.0 ? x : std::log(u) * (x / um1);
  q = x * inv;
  q1 = inv;
}
}  // namespace

namespace {
// Taylor coefficients of expm1(z)/z and its first two derivatives: 1/(k+1)!, 1/(k!(k+2)), 1/(k!(k+3)).
struct SeriesCoef {
  static constexpr int kTerms = 13;
  double c0[kTerms], c1[kTerms], c2[kTerms];
  SeriesCoef() {
    double fact = 1.0;  // k!
    for (int k = 0; k < kTerms; ++k) {
      if (k > 0) fact *= k;
      c0[k] = 1.0 / (fact * (k + 1));
      c1[k] = 1.0 / (fact * (k + 2));
      c2[k] = 1.0 / (fact * (k + 3));
    }
  }
};
const SeriesCoef kSeries;

// expm1(z)/z, its derivatives, and e^z, with one transcendental call at most.
inline void expm1_over_z_ez(double z, double& e0, double& e1, double& e2, double& ez) {
  if (std::fabs(z) < 0.2) {
    // |z|^13/13! < 2e-19: the truncated series is exact to rounding.
    double a0 = kSeries.c0[SeriesCoef::kTerms - 1], a1 = kSeries.c1[SeriesCoef::kTerms - 1],
           a2 = kSeries.c2[SeriesCoef::kTerms - 1];
    for (int k = SeriesCoef::kTerms - 2; k >= 0; --k) {
      a0 = a0 * z + kSeries.c0[k];
      a1 = a1 * z + kSeries.c1[k];
      a2 = a2 * z + kSeries.c2[k];
    }
    e0 = a0;
    e1 = a1;
    e2 = a2;
    ez = 1.0 + z * e0;
    return;
  }
  // |z| >= 0.2: e^z - 1 loses at most a factor e^z / |e^z - 1| <= 6 of relative precision (cheaper than
  // expm1); one division, then e1 = (e^z - e0) / z and e2 = (e^z - 2 e1) / z, whose cancellation costs
  // relative errors of about 4 eps / |z| in e1 and 12 eps / z^2 in e2 (below 2e-13 here; e2 enters only the
  // kappa-kappa second derivative; test_fit_cost.cpp checks all three against long double).
  ez = std::exp(z);
  const double inv = 1.0 / z;
  e0 = (ez - 1.0) * inv;
  e1 = (ez - e0) * inv;
  e2 = (ez - 2.0 * e1) * inv;
}

// The APGW kernel with a = e^k and kappa = expm1(k) supplied.
inline void apgw_kernel(double s, double k, double a, double kap, KernelOut& o) {
  const double km1 = kap - 1.0;
  double L, q, q1;
  softplus_sigmoid(s - k, L, q, q1);
  const double z = kap * L;
  double e0, e1, e2, ez;
  expm1_over_z_ez(z, e0, e1, e2, ez);
  const double G = L * e0, Gk = L * L * e1, Gkk = L * L * L * e2;
  const double qq = q * q1;
  o.M.v = a * G;
  o.M.s = a * q * ez;
  o.M.k = a * G + a * a * Gk - a * q * ez;
  o.M.ss = o.M.s * (1.0 + km1 * q);
  o.M.sk = o.M.s * (a * L - km1 * q);
  o.M.kk = a * G + 3.0 * a * a * Gk + a * a * a * Gkk - 2.0 * a * a * q * L * ez + a * ez * (-q + km1 * q * q);
  o.l.v = s + km1 * L;
  o.l.s = 1.0 + km1 * q;
  o.l.k = a * L - km1 * q;
  o.l.ss = km1 * qq;
  o.l.sk = a * q - km1 * qq;
  o.l.kk = a * L - 2.0 * a * q + km1 * qq;
}
}  // namespace

void expm1_over_z(double z, double& e0, double& e1, double& e2) {
  double ez;
  expm1_over_z_ez(z, e0, e1, e2, ez);
}

void eval_kernel(Kernel kern, double s, double k, KernelOut& o) {
  o = KernelOut();
  switch (kern) {
    case Kernel::apgw:
      apgw_kernel(s, k, std::exp(k), std::expm1(k), o);
      return;
    case Kernel::weibull: {
      const double u = std::exp(s);
      o.M.v = o.M.s = o.M.ss = u;
      o.l.v = s;
      o.l.s = 1.0;
      return;
    }
    case Kernel::burr: {
      double L, q, q1;
      softplus_sigmoid(s, L, q, q1);
      o.M.v = L;
      o.M.s = q;
      o.M.ss = q * q1;
      o.l.v = s - L;
      o.l.s = q1;
      o.l.ss = -q * q1;
      return;
    }
    case Kernel::gompertz: {
      const double u = std::exp(s);
      o.M.v = std::expm1(u);
      o.M.s = u * std::exp(u);
      o.M.ss = o.M.s * (1.0 + u);
      o.l.v = s + u;
      o.l.s = 1.0 + u;
      o.l.ss = u;
      return;
    }
    case Kernel::cure: {
      double L, q, q1;
      softplus_sigmoid(s, L, q, q1);
      o.M.v = q;
      o.M.s = q * q1;
      o.M.ss = q * q1 * (q1 - q);
      o.l.v = s - 2.0 * L;
      o.l.s = q1 - q;
      o.l.ss = -2.0 * q * q1;
      return;
    }
  }
}

double unit_cumhaz(Kernel kern, double k, double u) {
  switch (kern) {
    case Kernel::apgw: {
      const double a = std::exp(k), kap = std::expm1(k);
      const double L = std::log1p(u / a);
      double e0, e1, e2;
      expm1_over_z(kap * L, e0, e1, e2);
      return a * L * e0;
    }
    case Kernel::weibull: return u;
    case Kernel::burr: return std::log1p(u);
    case Kernel::gompertz: return std::expm1(u);
    case Kernel::cure: return u / (1.0 + u);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double unit_cumhaz_inverse(Kernel kern, double k, double m) {
  if (m <= 0) return 0.0;
  switch (kern) {
    case Kernel::apgw: {
      // M = a/kappa ((1+u/a)^kappa - 1)  =>  u = a ((1 + kappa m / a)^(1/kappa) - 1)
      const double a = std::exp(k), kap = std::expm1(k);
      const double zz = kap * m / a;  // 1 + zz > 0 required
      if (zz <= -1.0) return kInf;
      const double lz = std::log1p(zz);
      // (1+zz)^(1/kappa) - 1 = expm1(lz / kappa); at kappa -> 0 use m / a directly (lz/kappa -> m/a).
      const double e = std::fabs(kap) < 1e-300 ? m / a : lz / kap;
      return a * std::expm1(e);
    }
    case Kernel::weibull: return m;
    case Kernel::burr: return std::expm1(m);
    case Kernel::gompertz: return std::log1p(m);
    case Kernel::cure: return m >= 1.0 ? kInf : m / (1.0 - m);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void eval_time(Kernel kern, const double eta[4], double logt, int order, TimeEval& o) {
  EtaCache c;
  c.update(eta);
  eval_time(kern, eta, logt, order, o, c);
}

void eval_time(Kernel kern, const double eta[4], double logt, int order, TimeEval& o, const EtaCache& c) {
  const double gam = c.gam;
  const double s = gam * (eta[0] + logt);
  KernelOut ko;
  if (kern == Kernel::apgw)
    apgw_kernel(s, eta[3], c.a, c.kap, ko);
  else
    eval_kernel(kern, s, eta[3], ko);
  const double lam = c.lam;
  o.logh = eta[1] + eta[2] - logt + ko.l.v;
  o.H = lam * ko.M.v;
  if (order < 1) return;
  o.glogh[0] = ko.l.s * gam;
  o.glogh[1] = 1.0;
  o.glogh[2] = 1.0 + ko.l.s * s;
  o.glogh[3] = ko.l.k;
  o.gH[0] = lam * ko.M.s * gam;
  o.gH[1] = o.H;
  o.gH[2] = lam * ko.M.s * s;
  o.gH[3] = lam * ko.M.k;
  if (order < 2) return;
  auto fill = [gam, s](const SK& F, double scale, double* h) {
    const double pp = F.ss * gam * gam, pg = F.ss * gam * s + F.s * gam, gg = F.ss * s * s + F.s * s;
    const double pk = F.sk * gam, gk = F.sk * s, kk = F.kk;
    h[0] = scale * pp;
    h[2] = h[8] = scale * pg;
    h[10] = scale * gg;
    h[3] = h[12] = scale * pk;
    h[11] = h[14] = scale * gk;
    h[15] = scale * kk;
    h[1] = h[4] = h[5] = h[6] = h[7] = h[9] = h[13] = 0.0;
  };
  fill(ko.l, 1.0, o.hlogh);
  fill(ko.M, lam, o.hH);
  // lambda row/column of H: d2H/dl dj = dH/dj, d2H/dl2 = H.
  o.hH[4 * 1 + 0] = o.hH[0 * 4 + 1] = o.gH[0];
  o.hH[4 * 1 + 2] = o.hH[2 * 4 + 1] = o.gH[2];
  o.hH[4 * 1 + 3] = o.hH[3 * 4 + 1] = o.gH[3];
  o.hH[5] = o.H;
}

DistInfo dist_info(Dist d) {
  DistInfo info;
  info.dist = d;
  const double log2 = std::log(2.0);
  switch (d) {
    case Dist::apgw: info.kernel = Kernel::apgw; break;
    case Dist::weibull:
      info.kernel = Kernel::weibull;
      info.structural[3] = true;
      info.fixed[3] = log2;
      break;
    case Dist::exponential:
      info.kernel = Kernel::weibull;
      info.structural[2] = info.structural[3] = true;
      info.fixed[3] = log2;
      break;
    case Dist::burr:
      info.kernel = Kernel::burr;
      info.structural[3] = true;
      break;
    case Dist::loglogistic:
      info.kernel = Kernel::burr;
      info.structural[1] = info.structural[3] = true;
      break;
    case Dist::pgw:
      info.kernel = Kernel::apgw;
      info.structural[1] = true;
      info.pgw_link = true;
      break;
    case Dist::gompertz:
      info.kernel = Kernel::gompertz;
      info.structural[3] = true;
      break;
    case Dist::cure_limit:
      info.kernel = Kernel::cure;
      info.structural[3] = true;
      break;
  }
  return info;
}

void slots_to_eta(const DistInfo& info, const double xi[4], double eta[4]) {
  for (int j = 0; j < 4; ++j) eta[j] = info.structural[j] ? info.fixed[j] : xi[j];
  if (info.pgw_link) {
    eta[3] = numeric::log1pexp(xi[3]);
    eta[1] = -numeric::log1pexp(-xi[3]);
  }
}

double obs_loglik(const DistInfo& info, const double xi[4], int status, double logt, double logt2, double logv,
                  double w, int order, double* g, double* h, EtaCache* cache) {
  double eta[4];
  slots_to_eta(info, xi, eta);
  EtaCache local;
  EtaCache& ec = cache ? *cache : local;
  ec.update(eta);
  double G[4] = {0, 0, 0, 0}, Hh[16] = {0};
  double val = 0.0;
  TimeEval te;
  const Kernel kern = info.kernel;
  auto add_log1mexp = [&](double D, const double* gD, const double* hD) {
    val += numeric::log1mexp(D);
    if (order < 1) return;
    const double c1 = 1.0 / std::expm1(D), c2 = -c1 * (1.0 + c1);
    for (int a = 0; a < 4; ++a) G[a] += c1 * gD[a];
    if (order < 2) return;
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 4; ++b) Hh[a * 4 + b] += c1 * hD[a * 4 + b] + c2 * gD[a] * gD[b];
  };
  switch (status) {
    case kEvent:
    case kRight: {
      eval_time(kern, eta, logt, order, te, ec);
      const bool ev = status == kEvent;
      val = (ev ? te.logh : 0.0) - te.H;
      if (order >= 1)
        for (int a = 0; a < 4; ++a) G[a] = (ev ? te.glogh[a] : 0.0) - te.gH[a];
      if (order >= 2)
        for (int a = 0; a < 16; ++a) Hh[a] = (ev ? te.hlogh[a] : 0.0) - te.hH[a];
      break;
    }
    case kLeft:
    case kInterval: {
      if (status == kLeft && !(logv > -kInf)) {
        eval_time(kern, eta, logt, order, te, ec);
        add_log1mexp(te.H, te.gH, te.hH);
        break;
      }
      // Interval (L, R]; a left-censored row with entry v is the interval (v, t] (its -H(v) cancels the
      // truncation term below: log P(T <= t | T > v) = log(1 - exp(-(H(t) - H(v))))).
      const double lo = status == kLeft ? logv : logt, hi = status == kLeft ? logt : logt2;
      TimeEval tr;
      eval_time(kern, eta, lo, order, te, ec);
      eval_time(kern, eta, hi, order, tr, ec);
      double gD[4], hD[16];
      for (int a = 0; a < 4; ++a) gD[a] = tr.gH[a] - te.gH[a];
      for (int a = 0; a < 16; ++a) hD[a] = tr.hH[a] - te.hH[a];
      val = -te.H;
      if (order >= 1)
        for (int a = 0; a < 4; ++a) G[a] = -te.gH[a];
      if (order >= 2)
        for (int a = 0; a < 16; ++a) Hh[a] = -te.hH[a];
      add_log1mexp(tr.H - te.H, gD, hD);
      break;
    }
    default: return -kInf;
  }
  if (logv > -kInf) {
    eval_time(kern, eta, logv, order, te, ec);
    val += te.H;
    if (order >= 1)
      for (int a = 0; a < 4; ++a) G[a] += te.gH[a];
    if (order >= 2)
      for (int a = 0; a < 16; ++a) Hh[a] += te.hH[a];
  }
  val *= w;
  if (order < 1) return val;
  for (int a = 0; a < 4; ++a) G[a] *= w;
  if (order >= 2)
    for (int a = 0; a < 16; ++a) Hh[a] *= w;
  if (info.pgw_link) {
    // eta_k = softplus(xi_k), eta_l = -softplus(-xi_k): d eta_k = r, d eta_l = 1 - r, d2 = +-r(1-r).
    const double r = 1.0 / (1.0 + std::exp(-xi[3])), r1 = 1.0 - r, rr = r * r1;
    if (order >= 2) {
      const double hkk = r1 * r1 * Hh[5] + 2.0 * r * r1 * Hh[7] + r * r * Hh[15] + rr * (G[3] - G[1]);
      for (int j : {0, 2}) {
        const double v = r1 * Hh[j * 4 + 1] + r * Hh[j * 4 + 3];
        Hh[j * 4 + 3] = Hh[3 * 4 + j] = v;
      }
      Hh[15] = hkk;
      for (int j = 0; j < 4; ++j) Hh[j * 4 + 1] = Hh[1 * 4 + j] = 0.0;
    }
    G[3] = r1 * G[1] + r * G[3];
    G[1] = 0.0;
  }
  for (int j = 0; j < 4; ++j) {
    if (!info.structural[j]) continue;
    G[j] = 0.0;
    for (int b = 0; b < 4; ++b) Hh[j * 4 + b] = Hh[b * 4 + j] = 0.0;
  }
  for (int a = 0; a < 4; ++a) g[a] = G[a];
  if (order >= 2)
    for (int a = 0; a < 16; ++a) h[a] = Hh[a];
  return val;
}

namespace {
// Certificate of full column rank from the Gram matrix G = X'X (p x p, column-major, upper triangle filled;
// build_model accumulates it in its copy pass, O(n p^2 / 2)). With C = D^-1/2 G D^-1/2 (unit diagonal,
// D = diag G), trace(C^-1) = |L^-1|_F^2 (L the Cholesky factor of C) bounds 1/lambda_min(C), and every
// column's relative residual after projection on the earlier columns (what check_design_rank tests against
// 1e-7) satisfies rho_j^2 >= lambda_min(C). Certified when trace(C^-1) < 1e8: then rho_j > 1e-4 for every j,
// far from the 1e-7 tolerance, and the rounding of G (relative n u) and of the Cholesky factor (p u / lambda_min)
// cannot move a column across it. false (inconclusive: near-collinear, zero, huge or non-finite columns) sends
// the design to the exact Gram-Schmidt test, which names the aliased column.
bool gram_certifies_rank(const std::vector<double>& G, int p) {
  const size_t up = static_cast<size_t>(p);
  std::vector<double> dinv(up), L(up * up, 0.0);
  for (size_t c = 0; c < up; ++c) {
    const double d = G[c + c * up];
    if (!(d >= 1e-200) || !std::isfinite(d)) return false;  // no subnormal products / overflow in G
    dinv[c] = 1.0 / std::sqrt(d);
  }
  for (size_t j = 0; j < up; ++j) {  // lower Cholesky factor of C, column j
    double d = 1.0;
    for (size_t k = 0; k < j; ++k) d -= L[j + k * up] * L[j + k * up];
    if (!(d > 1e-12)) return false;
    d = std::sqrt(d);
    L[j + j * up] = d;
    for (size_t i = j + 1; i < up; ++i) {
      double v = G[j + i * up] * dinv[i] * dinv[j];  // C(i, j) from the upper triangle of G
      for (size_t k = 0; k < j; ++k) v -= L[i + k * up] * L[j + k * up];
      L[i + j * up] = v / d;
    }
  }
  // |L^-1|_F^2 column by column: y = L^-1 e_c by forward substitution.
  double tr = 0.0;
  std::vector<double> y(up);
  for (size_t c = 0; c < up; ++c) {
    for (size_t i = 0; i < up; ++i) {
      double v = i == c ? 1.0 : 0.0;
      for (size_t k = c; k < i; ++k) v -= L[i + k * up] * y[k];
      y[i] = i < c ? 0.0 : v / L[i + i * up];
      if (i >= c) tr += y[i] * y[i];
    }
  }
  return std::isfinite(tr) && tr < 1e8;
}

// Full column rank of one parameter's design, from the row-major n x p copy: classical Gram-Schmidt on
// columns scaled by their largest entry, the projections onto all earlier columns computed in one sweep,
// repeated once when the norm drops below 1/sqrt(2) of its start (the DGKS criterion; "twice is enough"),
// O(n p^2) and one n x p buffer. Columns are taken in order, so the first column that is (nearly) a
// combination of the ones before it is named, as R's qr() reports it; tol = 1e-7 on the relative
// residual norm (qr()'s default tolerance).
void check_design_rank(const char* fn, Par par, const std::vector<double>& x, int64_t n, int p,
                       const std::vector<std::string>& names) {
  if (p == 0) return;
  constexpr double tol = 1e-7;
  const size_t un = static_cast<size_t>(n), up = static_cast<size_t>(p);
  auto name = [&](int c) {
    return "'" + (names.empty() ? "x" + std::to_string(c) : names[static_cast<size_t>(c)]) + "'";
  };
  const std::string what = std::string("the design matrix of ") + par_name(par) + " is singular: column ";
  std::vector<double> q(un * up);  // column-major orthonormal basis of columns 0..j-1, then column j
  std::vector<double> dot(up);
  for (int j = 0; j < p; ++j) {
    double* v = q.data() + static_cast<size_t>(j) * un;
    double scale = 0.0;
    for (size_t i = 0; i < un; ++i) {
      v[i] = x[i * up + static_cast<size_t>(j)];
      scale = std::max(scale, std::fabs(v[i]));
    }
    if (scale == 0.0)
      check::fail(fn, what + name(j) + " is all zero (drop it or check factor levels)", Status::numerical);
    const double inv = 1.0 / scale;
    double nrm2 = 0.0;
    for (size_t i = 0; i < un; ++i) {
      v[i] *= inv;
      nrm2 += v[i] * v[i];
    }
    const double norm0 = std::sqrt(nrm2);
    double r = norm0;
    for (int pass = 0; pass < 2 && j > 0; ++pass) {
      std::fill(dot.begin(), dot.end(), 0.0);
      for (int c = 0; c < j; ++c) {
        const double* qc = q.data() + static_cast<size_t>(c) * un;
        double d = 0.0;
        for (size_t i = 0; i < un; ++i) d += qc[i] * v[i];
        dot[static_cast<size_t>(c)] = d;
      }
      nrm2 = 0.0;
      for (size_t i = 0; i < un; ++i) {
        double vi = v[i];
        for (int c = 0; c < j; ++c) vi -= dot[static_cast<size_t>(c)] * q[static_cast<size_t>(c) * un + i];
        v[i] = vi;
        nrm2 += vi * vi;
      }
      const double before = r;
      r = std::sqrt(nrm2);
      if (r > 0.7071 * before) break;  // little cancellation: one pass is orthogonal to working precision
    }
    if (!(r > tol * norm0)) {
      std::string before;
      for (int c = 0; c < j; ++c) before += (c ? ", " : "") + name(c);
      check::fail(fn,
                  what + name(j) + " is (nearly) a linear combination of the column" + (j > 1 ? "s " : " ") + before +
                      " (drop it or check factor levels)",
                  Status::numerical);
    }
    const double ir = 1.0 / r;
    for (size_t i = 0; i < un; ++i) v[i] *= ir;
  }
}
}  // namespace

Model build_model(const char* fn, const SurvData& d, const Design& design, Dist dist) {
  Model m;
  const int di = static_cast<int>(dist);
  check::require(di >= 0 && di <= 7, fn, "dist is " + std::to_string(di) + ", but must be in 0..7");
  m.info = dist_info(dist);
  const int64_t n = d.time.n;
  check::at_least(fn, "length(time)", n, 1);
  check::positive(fn, "time", d.time.data, n);
  check::same_size(fn, "status", d.status.n, n);
  check::not_null(fn, "status", d.status.data, n);
  bool any_interval = false;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t s = d.status[i];
    if (s < 0 || s > 3)
      check::fail(fn, "status[" + std::to_string(i) + "] is " + std::to_string(s) +
                          ", but must be 0 (right-censored), 1 (event), 2 (left-censored) or 3 (interval-censored)");
    any_interval = any_interval || s == kInterval;
  }
  if (any_interval) {
    check::require(!d.time2.empty(), fn, "time2 is empty, but status has interval-censored rows (code 3)");
    check::same_size(fn, "time2", d.time2.n, n);
  }
  if (!d.entry.empty()) {
    check::same_size(fn, "entry", d.entry.n, n);
    check::nonnegative(fn, "entry", d.entry.data, n);
  }
  if (!d.weights.empty()) {
    check::same_size(fn, "weights", d.weights.n, n);
    check::nonnegative(fn, "weights", d.weights.data, n);
  }
  m.n = n;
  const size_t un = static_cast<size_t>(n);
  m.status.assign(d.status.data, d.status.data + n);
  m.logt.resize(un);
  m.logt2.assign(un, 0.0);
  m.logv.assign(un, -kInf);
  if (d.weights.empty())
    m.w.assign(un, 1.0);
  else
    m.w.assign(d.weights.data, d.weights.data + n);
  numeric::vmath::log_array(d.time.data, m.logt.data(), n);  // std::log's value within an ulp
  bool any_entry = false;
  for (int64_t i = 0; i < n && (any_interval || !d.entry.empty()); ++i) {
    const size_t k = static_cast<size_t>(i);
    auto idx = [i] { return "[" + std::to_string(i) + "]"; };  // only built for an error message
    if (m.status[k] == kInterval) {
      const double t2 = d.time2[i];
      if (!(std::isfinite(t2) && t2 > d.time[i]))
        check::fail(fn, "time2" + idx() + " is " + check::fmt(t2) + ", but must be finite and > time" + idx() + " = " +
                            check::fmt(d.time[i]) + " for an interval-censored row");
      m.logt2[k] = std::log(t2);
    }
    if (!d.entry.empty() && d.entry[i] > 0) {
      if (!(d.entry[i] < d.time[i]))
        check::fail(fn, "entry" + idx() + " is " + check::fmt(d.entry[i]) + ", but must be < time" + idx() + " = " +
                            check::fmt(d.time[i]));
      m.logv[k] = std::log(d.entry[i]);
      any_entry = true;
    }
  }
  double wsum = 0.0;
  bool any_info = false, any_left = false;
  for (size_t k = 0; k < un; ++k) {
    wsum += m.w[k];
    any_info = any_info || (m.status[k] != kRight && m.w[k] > 0);
    any_left = any_left || m.status[k] > kEvent;
  }
  m.simple_rows = !any_entry && !any_left;
  check::require(wsum > 0, fn, "weights are all 0");
  check::require(any_info, fn, "all rows are right-censored (no events), so the model cannot be fitted");

  int pt = 0;
  for (int j = 0; j < 4; ++j) {
    const ParDesign& pd = design.par[static_cast<size_t>(j)];
    const std::string nm = std::string("design ") + par_name(static_cast<Par>(j));
    const int64_t p = pd.x.empty() ? 0 : pd.x.ncol;
    const size_t up = static_cast<size_t>(p);
    auto& xr = m.x[static_cast<size_t>(j)];
    std::vector<double> gram(up * up, 0.0);  // X'X, upper triangle (rank certificate)
    if (p > 0) {
      if (pd.x.nrow != n)
        check::fail(fn, nm + " has " + std::to_string(pd.x.nrow) + " rows, but must have " + std::to_string(n) +
                            " (one per observation)");
      check::not_null(fn, nm.c_str(), pd.x.data, pd.x.nrow * pd.x.ncol);
      // One pass per column pair over the column-major input; a non-finite entry makes its column's diagonal
      // non-finite, and data::check_finite then reports the first one as before.
      bool finite = true;
      for (size_t c2 = 0; c2 < up; ++c2) {
        const double* y = pd.x.col(static_cast<int64_t>(c2));
        for (size_t c = 0; c <= c2; ++c) {
          const double* x = pd.x.col(static_cast<int64_t>(c));
          double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          size_t i = 0;
          for (; i + 4 <= un; i += 4) {
            s0 += x[i] * y[i];
            s1 += x[i + 1] * y[i + 1];
            s2 += x[i + 2] * y[i + 2];
            s3 += x[i + 3] * y[i + 3];
          }
          for (; i < un; ++i) s0 += x[i] * y[i];
          gram[c + c2 * up] = (s0 + s1) + (s2 + s3);
        }
        finite = finite && std::isfinite(gram[c2 + c2 * up]);
      }
      if (!finite) data::check_finite(fn, nm.c_str(), pd.x);
    }
    if (!pd.offset.empty()) {
      check::same_size(fn, (nm + " offset").c_str(), pd.offset.n, n);
      check::finite(fn, (nm + " offset").c_str(), pd.offset.data, n);
    }
    if (!pd.names.empty()) check::same_size(fn, (nm + " names").c_str(), static_cast<int64_t>(pd.names.size()), p);
    if (m.info.structural[static_cast<size_t>(j)]) {
      check::require(p == 0, fn,
                     nm + " has " + std::to_string(p) + " columns, but " + par_name(static_cast<Par>(j)) +
                         " is fixed by dist '" + dist_name(dist) + "' and must have 0");
      check::require(pd.offset.empty(), fn,
                     nm + " has an offset, but " + par_name(static_cast<Par>(j)) + " is fixed by dist '" +
                         dist_name(dist) + "'");
    }
    if (p > 0)
      check::require(n >= p, fn,
                     nm + " has " + std::to_string(p) + " columns, but only " + std::to_string(n) + " rows");
    m.p[static_cast<size_t>(j)] = static_cast<int>(p);
    m.start[static_cast<size_t>(j)] = pt;
    pt += static_cast<int>(p);
    xr.resize(un * up);
    if (up <= 8) {  // row by row: sequential writes, p sequential reads
      const double* cols[8];
      for (size_t c = 0; c < up; ++c) cols[c] = pd.x.col(static_cast<int64_t>(c));
      double* dst = xr.data();
      for (size_t i = 0; i < un; ++i, dst += up)
        for (size_t c = 0; c < up; ++c) dst[c] = cols[c][i];
    } else {
      for (size_t c = 0; c < up; ++c) {
        const double* col = pd.x.col(static_cast<int64_t>(c));
        double* dst = xr.data() + c;
        for (size_t i = 0; i < un; ++i) dst[i * up] = col[i];
      }
    }
    if (p > 0 && !gram_certifies_rank(gram, static_cast<int>(p)))
      check_design_rank(fn, static_cast<Par>(j), xr, n, static_cast<int>(p), pd.names);
    auto& of = m.off[static_cast<size_t>(j)];
    if (pd.offset.empty())
      of.assign(un, 0.0);
    else
      of.assign(pd.offset.data, pd.offset.data + n);
    double osum = 0;
    if (!pd.offset.empty())
      for (double v : of) osum += v;
    m.off_mean[static_cast<size_t>(j)] = osum / static_cast<double>(n);
  }
  m.ptot = pt;
  if (dist == Dist::weibull || dist == Dist::exponential) {
    const bool fp = m.p[0] > 0, fl = m.p[1] > 0;
    check::require(fp != fl, fn,
                   std::string("dist '") + dist_name(dist) +
                       "' needs exactly one of phi / lambda with free coefficients (the other has 0 columns), "
                       "but phi has " + std::to_string(m.p[0]) + " and lambda " + std::to_string(m.p[1]));
  }
  return m;
}

namespace {
// Packed upper triangle of a symmetric 4x4: (0,0) (0,1) (0,2) (0,3) (1,1) (1,2) (1,3) (2,2) (2,3) (3,3).
constexpr int kPk[4][4] = {{0, 1, 2, 3}, {1, 4, 5, 6}, {2, 5, 7, 8}, {3, 6, 8, 9}};

// One row's weighted contribution and its derivatives in the four kernel predictors (packed Hessian).
struct RowOut {
  double v = 0;
  double g[4] = {0, 0, 0, 0};
  double h[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
};

// Weibull kernel (kappa = 1), event (d = 1) or right-censored (d = 0) row without truncation:
// log h = el + eg - log t + s, H = exp(el + s), s = gamma (ep + log t). One exp per row.
template <int Order>
inline void row_weibull(double ep, double el, double eg, double gam, double logt, double d, double w, RowOut& r) {
  const double s = gam * (ep + logt);
  const double H = std::exp(el + s);
  r.v = w * (d * (el + eg + s - logt) - H);
  if (Order < 1) return;
  const double wH = w * H, dmH = w * (d - H);
  r.g[0] = gam * dmH;
  r.g[1] = dmH;
  r.g[2] = w * d * (1.0 + s) - wH * s;
  r.g[3] = 0.0;
  if (Order < 2) return;
  r.h[0] = -wH * gam * gam;
  r.h[1] = -wH * gam;
  r.h[2] = gam * (w * d - wH * (1.0 + s));
  r.h[4] = -wH;
  r.h[5] = -wH * s;
  r.h[7] = w * d * s - wH * s * (1.0 + s);
  r.h[3] = r.h[6] = r.h[8] = r.h[9] = 0.0;
}

// Any kernel, event/right row without truncation, from the kernel output (Kap: kappa derivatives exist).
template <int Order, bool Kap>
inline void row_generic(const KernelOut& ko, double el, double eg, double lam, double gam, double s, double logt,
                        double d, double w, RowOut& r) {
  const double H = lam * ko.M.v;
  r.v = w * (d * (el + eg - logt + ko.l.v) - H);
  if (Order < 1) return;
  const double wd = w * d, wl = w * lam;
  const double gH0 = wl * ko.M.s * gam, gH2 = wl * ko.M.s * s, gH3 = Kap ? wl * ko.M.k : 0.0, wH = w * H;
  r.g[0] = wd * ko.l.s * gam - gH0;
  r.g[1] = wd - wH;
  r.g[2] = wd * (1.0 + ko.l.s * s) - gH2;
  r.g[3] = Kap ? wd * ko.l.k - gH3 : 0.0;
  if (Order < 2) return;
  const double gg2 = gam * gam, gs = gam * s, s2 = s * s;
  r.h[0] = wd * ko.l.ss * gg2 - wl * ko.M.ss * gg2;
  r.h[1] = -gH0;
  r.h[2] = wd * (ko.l.ss * gs + ko.l.s * gam) - wl * (ko.M.ss * gs + ko.M.s * gam);
  r.h[4] = -wH;
  r.h[5] = -gH2;
  r.h[7] = wd * (ko.l.ss * s2 + ko.l.s * s) - wl * (ko.M.ss * s2 + ko.M.s * s);
  if (Kap) {
    r.h[3] = wd * ko.l.sk * gam - wl * ko.M.sk * gam;
    r.h[6] = -gH3;
    r.h[8] = wd * ko.l.sk * s - wl * ko.M.sk * s;
    r.h[9] = wd * ko.l.kk - wl * ko.M.kk;
  } else {
    r.h[3] = r.h[6] = r.h[8] = r.h[9] = 0.0;
  }
}

// APGW kernel for event/right rows with only the derivatives that Order needs.
template <int Order>
inline void apgw_kernel_order(double s, double k, double a, double kap, KernelOut& o) {
  if (Order == 2) {
    apgw_kernel(s, k, a, kap, o);
    return;
  }
  const double km1 = kap - 1.0;
  double L, q, q1;
  softplus_sigmoid(s - k, L, q, q1);
  const double z = kap * L;
  double e0, e1, e2, ez;
  expm1_over_z_ez(z, e0, e1, e2, ez);
  const double G = L * e0;
  o.M.v = a * G;
  o.l.v = s + km1 * L;
  if (Order < 1) return;
  o.M.s = a * q * ez;
  o.M.k = a * G + a * a * L * L * e1 - a * q * ez;
  o.l.s = 1.0 + km1 * q;
  o.l.k = a * L - km1 * q;
}

// General row (any censoring / truncation, PGW link): obs_loglik, repacked.
inline void row_general(const DistInfo& info, const double xi[4], int status, double logt, double logt2,
                        double logv, double w, int order, EtaCache& cache, RowOut& r) {
  double g[4], h[16];
  r.v = obs_loglik(info, xi, status, logt, logt2, logv, w, order, g, h, &cache);
  if (order < 1) return;
  for (int a = 0; a < 4; ++a) r.g[a] = g[a];
  if (order < 2) return;
  for (int a = 0; a < 4; ++a)
    for (int b = a; b < 4; ++b) r.h[kPk[a][b]] = h[a * 4 + b];
}

// Per-thread buffers of one chunk: the four slot predictors (4 x kEvalChunk, slot-major) and the per-row
// slot derivatives of one sub-block (kSub rows; scores: 4 slots, Hessian: 10 packed slot pairs); for the
// APGW lanes (apgw_block) per-row 1 + kappa, kappa and value, and the rows recomputed by
// the scalar path; for the column sums the sub-block's coefficient columns made contiguous (XT, P x kSub;
// `one`: kSub ones for an all-ones column), their pointers and all-ones flags.
constexpr int64_t kSub = 512;
struct ChunkBuffers {
  std::vector<double> E, G, H;
  std::vector<double> A, K, V, XT, one;
  std::vector<int64_t> fix;
  std::vector<const double*> xcol;
  std::vector<char> ones;
};
ChunkBuffers& chunk_buffers() {
  thread_local ChunkBuffers buf;
  if (buf.E.empty()) {
    const size_t sub = static_cast<size_t>(kSub);
    buf.E.resize(static_cast<size_t>(4 * kEvalChunk));
    buf.G.resize(4 * sub);
    buf.H.resize(10 * sub);
    buf.A.resize(sub);
    buf.K.resize(sub);
    buf.V.resize(sub);
    buf.one.assign(sub, 1.0);
    buf.fix.resize(sub);  // the rows whose lanes left vmath's fast range (each row at most once)
  }
  return buf;
}

// The coefficient layout of a model for the column sums. G and H rows are indexed by slot and by packed slot
// pair (kPk) directly, as the Weibull rows write them: the slots with coefficients, the packed slot pairs they
// need, each coefficient's slot and column, and the upper-triangle coefficient pairs (a <= b) with the H row
// of their slot pair.
struct Layout {
  int nslot = 0, npk = 0;
  int slots[4] = {}, pks[10] = {};
  bool need_phi = false, need_kappa = false;  // the slots whose derivatives the APGW lanes may skip
  std::vector<int> cslot, ccol, pa, pb, ph;
  explicit Layout(const Model& m) {
    for (int j = 0; j < 4; ++j)
      if (m.p[static_cast<size_t>(j)] > 0) slots[nslot++] = j;
    for (int u = 0; u < nslot; ++u)
      for (int v = u; v < nslot; ++v) pks[npk++] = kPk[slots[u]][slots[v]];
    need_phi = m.p[0] > 0;
    need_kappa = m.p[3] > 0;
    for (int j = 0; j < 4; ++j)
      for (int c = 0; c < m.p[static_cast<size_t>(j)]; ++c) {
        cslot.push_back(j);
        ccol.push_back(c);
      }
    for (int b = 0; b < m.ptot; ++b)
      for (int a = 0; a <= b; ++a) {
        pa.push_back(a);
        pb.push_back(b);
        ph.push_back(kPk[cslot[static_cast<size_t>(a)]][cslot[static_cast<size_t>(b)]]);
      }
  }
};

namespace vm = numeric::vmath;

// Sum over len rows of the product of F factors a[i] (b[i]) (c[i]), multiplied left to right, with four
// running sums over the rows i mod 4 (in W-lane vectors), the tail added to the first, and the result
// (s0 + s1) + (s2 + s3): the same bits for W = 2 and W = 4.
template <int W, int F>
HETMOD_VINLINE double vsum(const double* a, const double* b, const double* c, int64_t len) {
  typedef typename vm::Lanes<W>::D D;
  constexpr int NA = 4 / W;
  D acc[NA];
  for (int k = 0; k < NA; ++k) acc[k] = D{};
  int64_t i = 0;
  for (; i + 4 <= len; i += 4)
    for (int k = 0; k < NA; ++k) {
      D t, u;
      vm::load<W>(t, a + i + k * W);
      if (F >= 2) {
        vm::load<W>(u, b + i + k * W);
        t = t * u;
      }
      if (F >= 3) {
        vm::load<W>(u, c + i + k * W);
        t = t * u;
      }
      acc[k] += t;
    }
  double s[4];
  for (int k = 0; k < NA; ++k)
    for (int l = 0; l < W; ++l) s[k * W + l] = acc[k][l];
  for (; i < len; ++i) {
    double t = a[i];
    if (F >= 2) t *= b[i];
    if (F >= 3) t *= c[i];
    s[0] += t;
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}
// Which columns of a row-major block x (len = rows * p values) are 1 in every row: out[c] = 1 or 0. The
// values are compared in W-lane vectors over periods of lcm(p, W) values (the lanes' columns repeat), the
// tail one by one; p > 16: column by column.
template <int W>
HETMOD_VINLINE void all_ones(const double* x, int64_t len, int p, char* out) {
  typedef typename vm::Lanes<W>::D D;
  typedef typename vm::Lanes<W>::I I;
  for (int c = 0; c < p; ++c) out[c] = 1;
  if (p > 16) {
    for (int c = 0; c < p; ++c)
      for (int64_t k = c; k < len; k += p)
        if (x[k] != 1.0) {
          out[c] = 0;
          break;
        }
    return;
  }
  int per = p;
  while (per % W != 0) per += p;  // lcm(p, W)
  const int na = per / W;
  I acc[16];
  for (int v = 0; v < na; ++v) acc[v] = ~I{};
  int64_t k = 0;
  if (na == 1) {  // p divides W
    for (; k + W <= len; k += W) {
      D t;
      vm::load<W>(t, x + k);
      acc[0] &= (I)(t == 1.0);
    }
  } else {
    for (; k + per <= len; k += per)
      for (int v = 0; v < na; ++v) {
        D t;
        vm::load<W>(t, x + k + v * W);
        acc[v] &= (I)(t == 1.0);
      }
  }
  for (int v = 0; v < na; ++v)
    for (int l = 0; l < W; ++l)
      if (!acc[v][l]) out[(v * W + l) % p] = 0;
  for (; k < len; ++k)
    if (x[k] != 1.0) out[k % p] = 0;
}

// sum_i (u_i x_i)(v_i y_i) with the same four running sums (scalar; the sandwich's outer products only).
inline double sum_uvxy(const double* u, const double* v, const double* x, const double* y, int64_t len) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= len; i += 4) {
    s0 += (u[i] * x[i]) * (v[i] * y[i]);
    s1 += (u[i + 1] * x[i + 1]) * (v[i + 1] * y[i + 1]);
    s2 += (u[i + 2] * x[i + 2]) * (v[i + 2] * y[i + 2]);
    s3 += (u[i + 3] * x[i + 3]) * (v[i + 3] * y[i + 3]);
  }
  for (; i < len; ++i) s0 += (u[i] * x[i]) * (v[i] * y[i]);
  return (s0 + s1) + (s2 + s3);
}

// The fused Weibull rows of a plain sub-block (every weight > 0, one gamma) in lanes of W rows (GCC/Clang
// vector types, numeric/vmath.hpp): per row the formulas of the general loop in weibull_block, in the same
// order, with H = vmath::exp (std::exp's value within an ulp; std::exp itself for arguments outside its fast
// range). Lane-wise IEEE operations without FMA give every row the same bits for W = 2 and W = 4; the row
// values go to v and are summed in a fixed order by the caller. The last partial vector is padded.
template <int W, int Order>
HETMOD_VINLINE bool weibull_plain_lanes(const double* ep, const double* el, const double* eg, const double* logt,
                                        const double* wv, const int32_t* st, double eg0, double gam, int64_t sl,
                                        double* v, double* G, double* Hs) {
  namespace vm = numeric::vmath;
  typedef typename vm::Lanes<W>::D D;
  typedef typename vm::Lanes<W>::I I;
  for (int64_t j = 0; j < sl; j += W) {
    const bool full = j + W <= sl;
    D vep, vel, vlt, w, d;
    if (full) {
      vm::load<W>(w, wv + j);
      D veg;
      vm::load<W>(veg, eg + j);
      const I plain = (I)(w != 0.0) & (I)(veg == eg0);
      if (vm::any<W>(~plain)) return false;
      vm::load<W>(vep, ep + j);
      vm::load<W>(vel, el + j);
      vm::load<W>(vlt, logt + j);
      // Status 0 or 1 here. One vector load and conversion (lane-by-lane inserts stall on store forwarding).
      typedef int32_t S32 __attribute__((vector_size(4 * W)));
      S32 si;
      std::memcpy(&si, st + j, sizeof si);
      d = __builtin_convertvector(si, D);
    } else {
      double b_ep[W], b_el[W], b_lt[W], b_w[W], b_d[W];
      for (int l = 0; l < W; ++l) {
        const bool in = j + l < sl;
        if (in && !(wv[j + l] != 0.0 && eg[j + l] == eg0)) return false;
        b_ep[l] = in ? ep[j + l] : 0.0;
        b_el[l] = in ? el[j + l] : 0.0;
        b_lt[l] = in ? logt[j + l] : 0.0;
        b_w[l] = in ? wv[j + l] : 0.0;
        b_d[l] = in ? static_cast<double>(st[j + l]) : 0.0;
      }
      vm::load<W>(vep, b_ep);
      vm::load<W>(vel, b_el);
      vm::load<W>(vlt, b_lt);
      vm::load<W>(w, b_w);
      vm::load<W>(d, b_d);
    }
    const D s = gam * (vep + vlt);
    const D a = vel + s;
    D H;
    I bad = {};
    vm::exp<W>(a, H, bad);
    if (vm::any<W>(bad))
      for (int l = 0; l < W; ++l)
        if (bad[l]) H[l] = std::exp(a[l]);
    const D val = w * (d * (vel + eg0 + s - vlt) - H);
    double out[W];
    const int nl = full ? W : static_cast<int>(sl - j);
    if (full) {
      vm::store<W>(v + j, val);
    } else {
      vm::store<W>(out, val);
      for (int l = 0; l < nl; ++l) v[j + l] = out[l];
    }
    if (Order < 1) continue;
    const D wH = w * H, wd = w * d, dmH = wd - wH;
    const D s1 = 1.0 + s;
    auto put = [&](double* dst, const D& x) {
      if (full) {
        vm::store<W>(dst + j, x);
      } else {
        vm::store<W>(out, x);
        for (int l = 0; l < nl; ++l) dst[j + l] = out[l];
      }
    };
    // G rows: slots 0, 1, 2; H rows: packed pairs (0,0) (0,1) (0,2) (1,1) (1,2) (2,2) = 0, 1, 2, 4, 5, 7.
    put(G, gam * dmH);
    put(G + kSub, dmH);
    put(G + 2 * kSub, wd * s1 - wH * s);
    if (Order < 2) continue;
    const D mwH = -wH;
    put(Hs, mwH * gam * gam);
    put(Hs + kSub, mwH * gam);
    put(Hs + 2 * kSub, gam * (wd - wH * s1));
    put(Hs + 4 * kSub, mwH);
    put(Hs + 5 * kSub, mwH * s);
    put(Hs + 7 * kSub, wd * s - wH * s * s1);
  }
  return true;
}

// Fused Weibull rows (kappa = 1) of one sub-block [s0, s1) when every row is an event or right-censored
// without truncation (else false, nothing written): adds the values to total and writes the slot
// derivatives (row_weibull's formulas) to G (rows phi, lambda, gamma) and H (packed pairs of those slots).
// W: the lane width chosen by eval_rows (inlined into its baseline or AVX2 build).
template <int W, int Order>
HETMOD_VINLINE bool weibull_block(const Model& m, const double* ep, const double* el, const double* eg, int64_t s0, int64_t s1,
                   double* G, double* Hs, double& total) {
  const int32_t* st = m.status.data() + s0;
  const double* logv = m.logv.data() + s0;
  const int64_t sl = s1 - s0;
  if (!m.simple_rows)
    for (int64_t j = 0; j < sl; ++j)
      if (st[j] > kEvent || logv[j] > -kInf) return false;
  const double* logt = m.logt.data() + s0;
  const double* wv = m.w.data() + s0;
  // Common case: no zero weight and one gamma in the sub-block: lane-parallel rows (weibull_plain_lanes, which
  // checks that as it goes and returns false, leaving the block to the loop below, at the first other row).
  const double eg0 = eg[0];
  const double gam0 = std::exp(eg0);
  double v[kSub] = {};  // (zeroed: GCC cannot see that sl >= 1)
  if (weibull_plain_lanes<W, Order>(ep, el, eg, logt, wv, st, eg0, gam0, sl, v, G, Hs)) {
    // Four interleaved partial sums in a fixed order (vsum: the same bits for every SIMD width and thread
    // count; a single running sum would be one long dependency chain of additions).
    total += vsum<W, 1>(v, nullptr, nullptr, sl);
    return true;
  }
  double last_eg = std::numeric_limits<double>::quiet_NaN(), gam = 0.0;
  double tot = 0.0;
  double *G0 = G, *G1 = G + kSub, *G2 = G + 2 * kSub;
  double *H00 = Hs, *H01 = Hs + kSub, *H02 = Hs + 2 * kSub, *H11 = Hs + 4 * kSub, *H12 = Hs + 5 * kSub,
         *H22 = Hs + 7 * kSub;
  for (int64_t j = 0; j < sl; ++j) {
    const double w = wv[j];
    if (w == 0.0) {  // a zero-weight row contributes nothing (even where H overflows)
      if (Order >= 1) G0[j] = G1[j] = G2[j] = 0.0;
      if (Order >= 2) H00[j] = H01[j] = H02[j] = H11[j] = H12[j] = H22[j] = 0.0;
      continue;
    }
    if (eg[j] != last_eg) {
      last_eg = eg[j];
      gam = std::exp(last_eg);
    }
    const double d = st[j] == kEvent ? 1.0 : 0.0;
    const double s = gam * (ep[j] + logt[j]);
    const double H = std::exp(el[j] + s);
    tot += w * (d * (el[j] + eg[j] + s - logt[j]) - H);
    if (Order < 1) continue;
    const double wH = w * H, wd = w * d, dmH = wd - wH;
    G0[j] = gam * dmH;
    G1[j] = dmH;
    G2[j] = wd * (1.0 + s) - wH * s;
    if (Order < 2) continue;
    H00[j] = -wH * gam * gam;
    H01[j] = -wH * gam;
    H02[j] = gam * (wd - wH * (1.0 + s));
    H11[j] = -wH;
    H12[j] = -wH * s;
    H22[j] = wd * s - wH * s * (1.0 + s);
  }
  total += tot;
  return true;
}

// One row through the scalar path (any kernel, censoring and link; Weibull event/right rows excepted, which
// row_weibull handles): the per-row code of eval_rows and the fix-ups of apgw_block.
template <int Order>
inline void scalar_row(const Model& m, const double eta[4], int64_t i, EtaCache& cache, RowOut& r) {
  const size_t k = static_cast<size_t>(i);
  const DistInfo& info = m.info;
  const int st = m.status[k];
  const double logt = m.logt[k], w = m.w[k];
  if (!info.pgw_link && st <= kEvent && !(m.logv[k] > -kInf)) {
    const double d = st == kEvent ? 1.0 : 0.0;
    cache.update(eta);
    const double s = cache.gam * (eta[0] + logt);
    KernelOut ko;
    if (info.kernel == Kernel::apgw) {
      apgw_kernel_order<Order>(s, eta[3], cache.a, cache.kap, ko);
      row_generic<Order, true>(ko, eta[1], eta[2], cache.lam, cache.gam, s, logt, d, w, r);
    } else {
      eval_kernel(info.kernel, s, eta[3], ko);
      row_generic<Order, false>(ko, eta[1], eta[2], cache.lam, cache.gam, s, logt, d, w, r);
    }
  } else {
    row_general(info, eta, st, logt, m.logt2[k], m.logv[k], w, Order, cache, r);
  }
}

// Status codes of cnt <= W rows as doubles (0 past cnt).
template <int W>
HETMOD_VINLINE void load_status(typename vm::Lanes<W>::D& v, const int32_t* p, int64_t cnt) {
#if (defined(__GNUC__) && __GNUC__ >= 9) || defined(__clang__)
  if (cnt == W) {  // one load and conversion
    typename vm::Lanes<W>::I32 si;
    std::memcpy(&si, p, sizeof si);
    v = __builtin_convertvector(si, typename vm::Lanes<W>::D);
    return;
  }
#endif
  double b[W];
  for (int l = 0; l < W; ++l) b[l] = l < cnt ? static_cast<double>(p[l]) : 0.0;
  vm::load<W>(v, b);
}
// Loads cnt <= W doubles into a vector, padding the rest with pad; stores the first cnt lanes.
template <int W>
HETMOD_VINLINE void load_pad(typename vm::Lanes<W>::D& v, const double* p, int64_t cnt, double pad) {
  if (cnt == W) {
    vm::load<W>(v, p);
    return;
  }
  double b[W];
  for (int l = 0; l < W; ++l) b[l] = l < cnt ? p[l] : pad;
  vm::load<W>(v, b);
}
template <int W>
HETMOD_VINLINE void store_n(double* p, const typename vm::Lanes<W>::D& v, int64_t cnt) {
  if (cnt == W) {
    vm::store<W>(p, v);
    return;
  }
  for (int l = 0; l < cnt; ++l) p[l] = v[l];
}

// APGW rows (no PGW link) of the sub-block [s0, s1) in lanes of W rows; ep, el, eg, ek: the sub-block's slot
// predictors. Writes each row's value to cb.V and its slot derivatives to G / H (rows as in Layout) and adds
// the values to total. Every row is computed in lanes with the formulas of apgw_kernel(_order) and
// row_generic (the same operations in the same order) and vmath's exp / log (within an ulp of std::exp /
// std::log); 1 + kappa and kappa come from std::exp / std::expm1 (once per sub-block when the kappa predictor
// is constant there, else once per distinct value). Tiles of kTile rows go through the stages (exp of the
// lambda and gamma predictors; s and e^(s - k); the softplus L, q, z = kappa L; expm1(z)/z and its
// derivatives; the algebra), each a loop over the tile, so that the long dependency chains of consecutive
// lanes overlap. The rows the lanes do not cover are flagged in the stages and recomputed by scalar_row (the
// scalar code with std::exp / std::log): zero weight, left / interval censoring, truncation, and arguments
// outside vmath's range or s - k > 700 (softplus_sigmoid's large-argument branch).
constexpr int64_t kTile = 64;
template <int W, int Order>
HETMOD_VINLINE void apgw_block(const Model& m, const Layout& lay, const double* ep, const double* el, const double* eg,
                               const double* ek, int64_t s0, int64_t s1, ChunkBuffers& cb, EtaCache& cache,
                               double& total) {
  typedef typename vm::Lanes<W>::D D;
  typedef typename vm::Lanes<W>::I I;
  const int64_t sl = s1 - s0;
  double *A = cb.A.data(), *K = cb.K.data(), *V = cb.V.data();
  double *G = cb.G.data(), *Hs = cb.H.data();
  int64_t* fix = cb.fix.data();
  const int32_t* st = m.status.data() + s0;
  const double* logt = m.logt.data() + s0;
  const double* logv = m.logv.data() + s0;
  const double* wv = m.w.data() + s0;
  const bool simple = m.simple_rows;
  int64_t nfix = 0;
  // 1 + kappa and kappa: W copies of one value when the kappa predictor is constant over the sub-block (read
  // with stride 0), else per row.
  alignas(32) double A1[W], K1[W];
  int64_t jk = 1;
  while (jk < sl && ek[jk] == ek[0]) ++jk;
  const int64_t ks = jk == sl ? 0 : 1;
  const double* Ap = A1;
  const double* Kp = K1;
  if (ks == 0) {
    const double a = std::exp(ek[0]), kap = std::expm1(ek[0]);
    for (int l = 0; l < W; ++l) {
      A1[l] = a;
      K1[l] = kap;
    }
  } else {
    double lastk = std::numeric_limits<double>::quiet_NaN(), a = 0.0, kap = 0.0;
    for (int64_t j = 0; j < sl; ++j) {
      if (ek[j] != lastk) {
        lastk = ek[j];
        a = std::exp(lastk);
        kap = std::expm1(lastk);
      }
      A[j] = a;
      K[j] = kap;
    }
    for (int64_t j = sl; j < kSub && j % 4 != 0; ++j) {  // harmless lanes past the end
      A[j] = 1.0;
      K[j] = 0.0;
    }
    Ap = A;
    Kp = K;
  }
  const bool nphi = lay.need_phi, nkap = lay.need_kappa;
  alignas(32) double LAM[kTile], GAM[kTile], S[kTile], X[kTile], L_[kTile], Q[kTile], Q1[kTile], Z[kTile];
  alignas(32) double E0[kTile], E1[kTile], E2[kTile], EZ[kTile];
  alignas(32) int64_t BAD[kTile];
  for (int64_t t0 = 0; t0 < sl; t0 += kTile) {
    const int64_t tl = std::min(kTile, sl - t0);
    // 1. lambda and gamma; the rows for scalar_row (zero weight, not event / right-censored, truncated).
    for (int64_t j = 0; j < tl; j += W) {
      const int64_t cnt = std::min<int64_t>(W, tl - j);
      D vl, vg, lam, gam, vw;
      load_pad<W>(vw, wv + t0 + j, cnt, 1.0);
      I bad = (I)(vw == 0.0);
      if (!simple) {
        D lv, sd;
        load_pad<W>(lv, logv + t0 + j, cnt, -kInf);
        load_status<W>(sd, st + t0 + j, cnt);
        bad |= (I)(lv > -kInf) | (I)(sd > 1.0);
      }
      load_pad<W>(vl, el + t0 + j, cnt, 0.0);
      load_pad<W>(vg, eg + t0 + j, cnt, 0.0);
      vm::exp<W>(vl, lam, bad);
      vm::exp<W>(vg, gam, bad);
      vm::store<W>(LAM + j, lam);
      vm::store<W>(GAM + j, gam);
      std::memcpy(BAD + j, &bad, sizeof bad);
    }
    // 2. s = gamma (eta_phi + log t) and x = e^(s - k).
    for (int64_t j = 0; j < tl; j += W) {
      const int64_t cnt = std::min<int64_t>(W, tl - j);
      D vp, vt, vk, gam, x;
      I bad;
      load_pad<W>(vp, ep + t0 + j, cnt, 0.0);
      load_pad<W>(vt, logt + t0 + j, cnt, 0.0);
      load_pad<W>(vk, ek + t0 + j, cnt, 0.0);
      vm::load<W>(gam, GAM + j);
      std::memcpy(&bad, BAD + j, sizeof bad);
      const D s = gam * (vp + vt);
      const D y = s - vk;
      bad |= (I)(y > 700.0);
      vm::exp<W>(y, x, bad);
      vm::store<W>(S + j, s);
      vm::store<W>(X + j, x);
      std::memcpy(BAD + j, &bad, sizeof bad);
    }
    // 3. softplus_sigmoid: L = log1p(x), q = x / (1 + x), q1 = 1 / (1 + x); z = kappa L. With u = 1 + x
    // rounded, log1p(x) = log(u) + (x - (u - 1)) / u to a few ulps (the first-order correction for the rounding
    // of u; softplus_sigmoid's Goldberg correction log(u) x / (u - 1) would cost a second division).
    for (int64_t j = 0; j < tl; j += W) {
      D x, kap, lu;
      I bad;
      vm::load<W>(x, X + j);
      vm::load<W>(kap, Kp + (t0 + j) * ks);
      std::memcpy(&bad, BAD + j, sizeof bad);
      const D u = 1.0 + x, inv = 1.0 / u, um1 = u - 1.0;
      vm::log<W>(u, lu, bad);
      const D L = lu + (x - um1) * inv;
      vm::store<W>(L_ + j, L);
      vm::store<W>(Q + j, x * inv);
      vm::store<W>(Q1 + j, inv);
      vm::store<W>(Z + j, kap * L);
      std::memcpy(BAD + j, &bad, sizeof bad);
    }
    // 4. expm1_over_z_ez: the series for |z| < 0.2, else from e^z.
    for (int64_t j = 0; j < tl; j += W) {
      D z;
      I bad;
      vm::load<W>(z, Z + j);
      std::memcpy(&bad, BAD + j, sizeof bad);
      const I small = (I)(z < 0.2) & (I)(z > -0.2);
      D e0 = {}, e1 = {}, e2 = {}, ez = {};
      if (vm::any<W>(small)) {
        constexpr int T = SeriesCoef::kTerms;
        D a0 = D{} + kSeries.c0[T - 1], a1 = D{} + kSeries.c1[T - 1], a2 = D{} + kSeries.c2[T - 1];
        for (int t = T - 2; t >= 0; --t) {
          a0 = a0 * z + kSeries.c0[t];
          if (Order >= 1) a1 = a1 * z + kSeries.c1[t];
          if (Order >= 2) a2 = a2 * z + kSeries.c2[t];
        }
        e0 = a0;
        e1 = a1;
        e2 = a2;
        ez = 1.0 + z * a0;
      }
      if (vm::any<W>(~small)) {
        I bz = {};
        D ezx;
        vm::exp<W>(z, ezx, bz);
        bad |= bz & ~small;
        const D iz = 1.0 / z;
        const D f0 = (ezx - 1.0) * iz;
        vm::select<W>(e0, small, e0, f0);
        vm::select<W>(ez, small, ez, ezx);
        if (Order >= 1) {
          const D f1 = (ezx - f0) * iz;
          vm::select<W>(e1, small, e1, f1);
          if (Order >= 2) {
            const D f2 = (ezx - 2.0 * f1) * iz;
            vm::select<W>(e2, small, e2, f2);
          }
        }
      }
      vm::store<W>(E0 + j, e0);
      if (Order >= 1) {
        vm::store<W>(E1 + j, e1);
        vm::store<W>(EZ + j, ez);
      }
      if (Order >= 2) vm::store<W>(E2 + j, e2);
      if (vm::any<W>(bad)) {
        const int64_t cnt = std::min<int64_t>(W, tl - j);
        for (int l = 0; l < cnt; ++l)
          if (bad[l]) fix[nfix++] = t0 + j + l;
      }
    }
    // 5. apgw_kernel and row_generic<Order, true>.
    for (int64_t j = 0; j < tl; j += W) {
      const int64_t cnt = std::min<int64_t>(W, tl - j), o = t0 + j;
      D vl, vg, vt, vw, vd, a, kap, lam, s, L, e0;
      load_pad<W>(vl, el + o, cnt, 0.0);
      load_pad<W>(vg, eg + o, cnt, 0.0);
      load_pad<W>(vt, logt + o, cnt, 0.0);
      load_pad<W>(vw, wv + o, cnt, 0.0);
      load_status<W>(vd, st + o, cnt);  // 0 / 1 (other codes: scalar_row)
      vm::load<W>(a, Ap + o * ks);
      vm::load<W>(kap, Kp + o * ks);
      vm::load<W>(lam, LAM + j);
      vm::load<W>(s, S + j);
      vm::load<W>(L, L_ + j);
      vm::load<W>(e0, E0 + j);
      const D km1 = kap - 1.0;
      const D Gf = L * e0;
      const D Mv = a * Gf;
      const D lv = s + km1 * L;
      const D H = lam * Mv;
      store_n<W>(V + o, vw * (vd * (vl + vg - vt + lv) - H), cnt);
      if (Order < 1) continue;
      D gam, q, q1, e1, ez;
      vm::load<W>(gam, GAM + j);
      vm::load<W>(q, Q + j);
      vm::load<W>(e1, E1 + j);
      vm::load<W>(ez, EZ + j);
      D Ms, Mk;
      if (Order == 1) {
        Ms = a * q * ez;
        Mk = a * Gf + a * a * L * L * e1 - a * q * ez;
      } else {
        Ms = a * q * ez;
        Mk = a * Gf + a * a * (L * L * e1) - a * q * ez;
      }
      const D ls = 1.0 + km1 * q, lk = a * L - km1 * q;
      const D wd = vw * vd, wl = vw * lam;
      const D gH0 = wl * Ms * gam, gH2 = wl * Ms * s, gH3 = wl * Mk, wH = vw * H;
      if (nphi) store_n<W>(G + o, wd * ls * gam - gH0, cnt);
      store_n<W>(G + kSub + o, wd - wH, cnt);
      store_n<W>(G + 2 * kSub + o, wd * (1.0 + ls * s) - gH2, cnt);
      if (nkap) store_n<W>(G + 3 * kSub + o, wd * lk - gH3, cnt);
      if (Order < 2) continue;
      D e2;
      vm::load<W>(q1, Q1 + j);
      vm::load<W>(e2, E2 + j);
      const D Gk = L * L * e1, Gkk = L * L * L * e2, qq = q * q1;
      const D Mss = Ms * (1.0 + km1 * q);
      const D lss = km1 * qq;
      const D gg2 = gam * gam, gs = gam * s, s2 = s * s;
      if (nphi) {
        store_n<W>(Hs + o, wd * lss * gg2 - wl * Mss * gg2, cnt);
        store_n<W>(Hs + kSub + o, -gH0, cnt);
        store_n<W>(Hs + 2 * kSub + o, wd * (lss * gs + ls * gam) - wl * (Mss * gs + Ms * gam), cnt);
      }
      store_n<W>(Hs + 4 * kSub + o, -wH, cnt);
      store_n<W>(Hs + 5 * kSub + o, -gH2, cnt);
      store_n<W>(Hs + 7 * kSub + o, wd * (lss * s2 + ls * s) - wl * (Mss * s2 + Ms * s), cnt);
      if (nkap) {
        const D Msk = Ms * (a * L - km1 * q);
        const D Mkk = a * Gf + 3.0 * a * a * Gk + a * a * a * Gkk - 2.0 * a * a * q * L * ez +
                      a * ez * (-q + km1 * q * q);
        const D lsk = a * q - km1 * qq, lkk = a * L - 2.0 * a * q + km1 * qq;
        if (nphi) store_n<W>(Hs + 3 * kSub + o, wd * lsk * gam - wl * Msk * gam, cnt);
        store_n<W>(Hs + 6 * kSub + o, -gH3, cnt);
        store_n<W>(Hs + 8 * kSub + o, wd * lsk * s - wl * Msk * s, cnt);
        store_n<W>(Hs + 9 * kSub + o, wd * lkk - wl * Mkk, cnt);
      }
    }
  }
  // Scalar fix-ups of the rows listed in fix.
  RowOut r;
  for (int64_t f = 0; f < nfix; ++f) {
    const int64_t jj = fix[f];
    if (wv[jj] == 0.0) {
      V[jj] = 0.0;
      if (Order >= 1)
        for (int u = 0; u < lay.nslot; ++u) G[lay.slots[u] * kSub + jj] = 0.0;
      if (Order >= 2)
        for (int q = 0; q < lay.npk; ++q) Hs[lay.pks[q] * kSub + jj] = 0.0;
      continue;
    }
    const double eta[4] = {ep[jj], el[jj], eg[jj], ek[jj]};
    scalar_row<Order>(m, eta, s0 + jj, cache, r);
    V[jj] = r.v;
    if (Order >= 1)
      for (int u = 0; u < lay.nslot; ++u) G[lay.slots[u] * kSub + jj] = r.g[lay.slots[u]];
    if (Order >= 2)
      for (int q = 0; q < lay.npk; ++q) Hs[lay.pks[q] * kSub + jj] = r.h[lay.pks[q]];
  }
  total += vsum<W, 1>(V, nullptr, nullptr, sl);
}

// Rows [i0, i1) of a chunk, in sub-blocks of kSub rows: (1) the row kernels write each row's value (summed)
// and slot derivatives (G, H): the fused Weibull rows, the APGW lanes, or row by row; (2) column sums over
// the sub-block (vsum, on contiguous copies of the coefficient columns; a factor that is 1 in every row of
// the sub-block is left out, which changes no bit) add the coefficient score (grad), the upper triangle of
// the Hessian (hess, column-major) and of sum_i s_i s_i' (outer) to the chunk's partial sums, and the
// per-row scores are written (scores, n x P row-major). E: the chunk's slot predictors. W: lanes (2 in the
// baseline instantiation, 4 in the AVX2 one; the same bits).
template <int W, int Order>
HETMOD_VINLINE double eval_rows_impl(const Model& m, const Layout& lay, const double* E, int64_t i0, int64_t i1,
                                     double* grad, double* hess, double* scores, double* outer, ChunkBuffers& cb) {
  const int P = m.ptot;
  const size_t uP = static_cast<size_t>(P);
  const DistInfo& info = m.info;
  const Kernel kern = info.kernel;
  const bool fast_ok = !info.pgw_link;
  const int64_t len = i1 - i0;
  const double *E0 = E, *E1 = E + len, *E2 = E + 2 * len, *E3 = E + 3 * len;
  double* G = cb.G.data();
  double* Hs = cb.H.data();
  if (Order >= 1) {
    if (cb.XT.size() < uP * static_cast<size_t>(kSub)) cb.XT.resize(uP * static_cast<size_t>(kSub));
    cb.xcol.resize(uP);
    cb.ones.resize(uP);
  }
  EtaCache cache;
  RowOut r;
  double last_eg = std::numeric_limits<double>::quiet_NaN(), gam_w = 0.0;
  double total = 0.0;
  for (int64_t s0 = i0; s0 < i1; s0 += kSub) {
    const int64_t s1 = std::min(i1, s0 + kSub), sl = s1 - s0, o = s0 - i0;
    bool done = false;
    if (kern == Kernel::weibull && fast_ok) {
      done = weibull_block<W, Order>(m, E0 + o, E1 + o, E2 + o, s0, s1, G, Hs, total);
    } else if (kern == Kernel::apgw && fast_ok) {
      apgw_block<W, Order>(m, lay, E0 + o, E1 + o, E2 + o, E3 + o, s0, s1, cb, cache, total);
      done = true;
    }
    for (int64_t i = done ? s1 : s0; i < s1; ++i) {
      const size_t k = static_cast<size_t>(i);
      const int64_t ii = i - i0, jj = i - s0;
      const double w = m.w[k];
      if (w == 0.0) {
        if (Order >= 1)
          for (int u = 0; u < lay.nslot; ++u) G[lay.slots[u] * kSub + jj] = 0.0;
        if (Order >= 2)
          for (int q = 0; q < lay.npk; ++q) Hs[lay.pks[q] * kSub + jj] = 0.0;
        continue;
      }
      const double eta[4] = {E0[ii], E1[ii], E2[ii], E3[ii]};
      if (kern == Kernel::weibull && fast_ok && m.status[k] <= kEvent && !(m.logv[k] > -kInf)) {
        if (eta[2] != last_eg) {
          last_eg = eta[2];
          gam_w = std::exp(last_eg);
        }
        row_weibull<Order>(eta[0], eta[1], eta[2], gam_w, m.logt[k], m.status[k] == kEvent ? 1.0 : 0.0, w, r);
      } else {
        scalar_row<Order>(m, eta, i, cache, r);
      }
      total += r.v;
      if (Order >= 1)
        for (int u = 0; u < lay.nslot; ++u) G[lay.slots[u] * kSub + jj] = r.g[lay.slots[u]];
      if (Order >= 2)
        for (int q = 0; q < lay.npk; ++q) Hs[lay.pks[q] * kSub + jj] = r.h[lay.pks[q]];
    }
    if (Order == 0) continue;
    // Column sums of the sub-block: contiguous columns (p = 1: the design itself) and all-ones flags.
    const double** xcol = cb.xcol.data();
    char* ones = cb.ones.data();
    for (int c = 0; c < P; c += m.p[static_cast<size_t>(lay.cslot[static_cast<size_t>(c)])]) {
      const int64_t p = m.p[static_cast<size_t>(lay.cslot[static_cast<size_t>(c)])];
      all_ones<W>(m.x[static_cast<size_t>(lay.cslot[static_cast<size_t>(c)])].data() + s0 * p, sl * p,
                  static_cast<int>(p), ones + c);
    }
    for (int c = 0; c < P; ++c) {
      const int j = lay.cslot[static_cast<size_t>(c)];
      const int64_t p = m.p[static_cast<size_t>(j)];
      const double* src = m.x[static_cast<size_t>(j)].data() + s0 * p + lay.ccol[static_cast<size_t>(c)];
      const bool one = ones[c] != 0;
      xcol[c] = p == 1 ? src : cb.one.data();
      if (p > 1 && !one) {  // contiguous copy
        double* dst = cb.XT.data() + static_cast<size_t>(c) * static_cast<size_t>(kSub);
        for (int64_t i = 0; i < sl; ++i) dst[i] = src[i * p];
        xcol[c] = dst;
      }
    }
    for (int c = 0; c < P; ++c) {
      const double* xc = xcol[c];
      const double* gc = G + lay.cslot[static_cast<size_t>(c)] * kSub;
      grad[c] += ones[c] ? vsum<W, 1>(gc, nullptr, nullptr, sl) : vsum<W, 2>(gc, xc, nullptr, sl);
      if (scores) {
        double* so = scores + static_cast<size_t>(s0) * uP + static_cast<size_t>(c);
        for (int64_t i = 0; i < sl; ++i) so[static_cast<size_t>(i) * uP] = gc[i] * xc[i];
      }
    }
    if (Order < 2 && !outer) continue;
    for (size_t q = 0; q < lay.pa.size(); ++q) {
      const int a = lay.pa[q], b = lay.pb[q];
      const double* xa = xcol[a];
      const double* xb = xcol[b];
      const size_t pos = static_cast<size_t>(a) + static_cast<size_t>(b) * uP;
      if (Order == 2) {
        // sum_i (H_i xb_i) xa_i
        const double* hq = Hs + lay.ph[q] * kSub;
        double v;
        if (ones[b])
          v = ones[a] ? vsum<W, 1>(hq, nullptr, nullptr, sl) : vsum<W, 2>(hq, xa, nullptr, sl);
        else
          v = ones[a] ? vsum<W, 2>(hq, xb, nullptr, sl) : vsum<W, 3>(hq, xb, xa, sl);
        hess[pos] += v;
      }
      if (outer) {
        const double* ga = G + lay.cslot[static_cast<size_t>(a)] * kSub;
        const double* gb = G + lay.cslot[static_cast<size_t>(b)] * kSub;
        outer[pos] += sum_uvxy(ga, gb, xa, xb, sl);
      }
    }
  }
  return total;
}

template <int Order>
double eval_rows_base(const Model& m, const Layout& lay, const double* E, int64_t i0, int64_t i1, double* grad,
                      double* hess, double* scores, double* outer, ChunkBuffers& cb) {
  return eval_rows_impl<2, Order>(m, lay, E, i0, i1, grad, hess, scores, outer, cb);
}
#if HETMOD_HAVE_AVX2_TARGET
template <int Order>
HETMOD_TARGET_AVX2 double eval_rows_avx2(const Model& m, const Layout& lay, const double* E, int64_t i0, int64_t i1,
                                         double* grad, double* hess, double* scores, double* outer, ChunkBuffers& cb) {
  return eval_rows_impl<4, Order>(m, lay, E, i0, i1, grad, hess, scores, outer, cb);
}
#endif
template <int Order>
double eval_rows(const Model& m, const Layout& lay, const double* E, int64_t i0, int64_t i1, double* grad,
                 double* hess, double* scores, double* outer, ChunkBuffers& cb) {
#if HETMOD_HAVE_AVX2_TARGET
  if (vm::use_avx2()) return eval_rows_avx2<Order>(m, lay, E, i0, i1, grad, hess, scores, outer, cb);
#endif
  return eval_rows_base<Order>(m, lay, E, i0, i1, grad, hess, scores, outer, cb);
}
}  // namespace

EvalCounters& eval_counters() {
  thread_local EvalCounters c;
  return c;
}

namespace {
// Slot predictors of rows [i0, i1) into E (4 x (i1 - i0), slot-major); false when a row leaves the bounds
// (gamma_max, k_min).
bool fill_eta(const Model& m, const double* beta, double* E, int64_t i0, int64_t i1) {
  const int64_t len = i1 - i0;
  for (size_t j = 0; j < 4; ++j) {
    double* e = E + static_cast<int64_t>(j) * len;
    if (m.info.structural[j]) {
      std::fill(e, e + len, m.info.fixed[j]);
      continue;
    }
    const double* off = m.off[j].data() + i0;
    const int p = m.p[j];
    if (p == 0) {
      std::copy(off, off + len, e);
      continue;
    }
    const double* x = m.x[j].data() + i0 * p;
    const double* b = beta + m.start[j];
    if (p == 1) {
      const double b0 = b[0];
      for (int64_t i = 0; i < len; ++i) e[i] = off[i] + x[i] * b0;
    } else if (p == 2) {
      const double b0 = b[0], b1 = b[1];
      for (int64_t i = 0; i < len; ++i) e[i] = off[i] + (x[2 * i] * b0 + x[2 * i + 1] * b1);
    } else if (p == 3) {
      const double b0 = b[0], b1 = b[1], b2 = b[2];
      for (int64_t i = 0; i < len; ++i) e[i] = off[i] + (x[3 * i] * b0 + x[3 * i + 1] * b1 + x[3 * i + 2] * b2);
    } else {
      for (int64_t i = 0; i < len; ++i) {
        const double* xr = x + i * p;
        double s = 0.0;
        for (int c = 0; c < p; ++c) s += xr[c] * b[c];
        e[i] = off[i] + s;
      }
    }
  }
  const double* e2 = E + 2 * len;
  const double* e3 = E + 3 * len;
  const double* w = m.w.data() + i0;
  const bool kcheck = m.info.kernel == Kernel::apgw && !m.info.pgw_link;
  bool ok = true;
  if (m.gamma_max < 1e299)
    for (int64_t i = 0; i < len; ++i) ok = ok && !(w[i] != 0.0 && e2[i] > m.gamma_max);
  if (kcheck && m.k_min > -1e299)
    for (int64_t i = 0; i < len; ++i) ok = ok && !(w[i] != 0.0 && e3[i] < m.k_min);
  return ok;
}

// One chunk: slot predictors, then rows. false when out of bounds.
bool eval_chunk(int order, const Model& m, const Layout& lay, const double* beta, int64_t i0, int64_t i1,
                double* total, double* g, double* h, double* sc, double* outer) {
  ChunkBuffers& cb = chunk_buffers();
  if (!fill_eta(m, beta, cb.E.data(), i0, i1)) return false;
  if (order == 0)
    *total = eval_rows<0>(m, lay, cb.E.data(), i0, i1, nullptr, nullptr, nullptr, nullptr, cb);
  else if (order == 1)
    *total = eval_rows<1>(m, lay, cb.E.data(), i0, i1, g, nullptr, sc, outer, cb);
  else
    *total = eval_rows<2>(m, lay, cb.E.data(), i0, i1, g, h, sc, outer, cb);
  return true;
}
}  // namespace

bool weibull_sums(const Model& m, const double* beta, WeibullSums& out) {
  out = WeibullSums();
  if (m.info.kernel != Kernel::weibull || m.info.pgw_link) return false;
  ChunkBuffers& cb = chunk_buffers();
  double first_eg = std::numeric_limits<double>::quiet_NaN();
  for (int64_t i0 = 0; i0 < m.n; i0 += kEvalChunk) {
    const int64_t i1 = std::min(m.n, i0 + kEvalChunk), len = i1 - i0;
    if (!fill_eta(m, beta, cb.E.data(), i0, i1)) return false;
    const double *ep = cb.E.data(), *el = ep + len, *eg = ep + 2 * len;
    double last_eg = std::numeric_limits<double>::quiet_NaN(), gam = 0.0;
    // Sub-blocks: s, gamma and the exp arguments, H by vmath::exp_array, then the sums in row order.
    for (int64_t j0 = 0; j0 < len; j0 += kSub) {
      const int64_t j1 = std::min(len, j0 + kSub);
      double sv[kSub] = {}, gv[kSub] = {}, hv[kSub] = {};
      for (int64_t j = j0; j < j1; ++j) {
        const size_t k = static_cast<size_t>(i0 + j);
        if (m.w[k] == 0.0) continue;
        if (!m.simple_rows && (m.status[k] > kEvent || m.logv[k] > -kInf)) return false;
        if (eg[j] != last_eg) {
          last_eg = eg[j];
          gam = std::exp(last_eg);
          if (std::isnan(first_eg)) first_eg = last_eg;
          out.gamma_const = out.gamma_const && last_eg == first_eg;
        }
        const double s = gam * (ep[j] + m.logt[k]);
        sv[j - j0] = s;
        gv[j - j0] = gam;
        hv[j - j0] = el[j] + s;
      }
      numeric::vmath::exp_array(hv, hv, j1 - j0);
      double D = out.D, SH = out.SH, Q = out.Q, sg = out.sg, sw = out.sw;  // in registers, not through `out`
      for (int64_t j = j0; j < j1; ++j) {
        const size_t k = static_cast<size_t>(i0 + j);
        const double w = m.w[k];
        if (w == 0.0) continue;
        const double d = m.status[k] == kEvent ? 1.0 : 0.0;
        D += w * d;
        SH += w * hv[j - j0];
        Q += w * d * (el[j] + eg[j] + sv[j - j0] - m.logt[k]);
        sg += w * gv[j - j0];
        sw += w;
      }
      out.D = D;
      out.SH = SH;
      out.Q = Q;
      out.sg = sg;
      out.sw = sw;
    }
  }
  return true;
}

double eval(const Model& m, const double* beta, double* grad, double* hess, std::vector<double>* scores,
            double* score_outer) {
  const int P = m.ptot;
  const int order = hess ? 2 : ((grad || scores || score_outer) ? 1 : 0);
  EvalCounters& counters = eval_counters();
  ++counters.calls[order];
  counters.rows += m.n;
  const int64_t n = m.n;
  const size_t un = static_cast<size_t>(n), uP = static_cast<size_t>(P), PP = uP * uP;
  if (grad) std::fill(grad, grad + P, 0.0);
  if (hess) std::fill(hess, hess + PP, 0.0);
  if (score_outer) std::fill(score_outer, score_outer + PP, 0.0);
  std::vector<double> gtmp;
  double* g = grad;
  if (order >= 1 && !g) {
    gtmp.assign(uP, 0.0);
    g = gtmp.data();
  }
  double* sc = nullptr;
  if (scores) {
    scores->assign(un * uP, 0.0);
    sc = scores->data();
  }
  double* outer = score_outer;
  const Layout lay(m);
  // Fixed chunks of kEvalChunk rows, each with its own partial sums, reduced in chunk order: the result
  // depends on the chunking only, never on the number of threads or the scheduling (one thread runs the
  // same chunks in order, so every thread count gives the same bits).
  const int64_t nchunks = (n + kEvalChunk - 1) / kEvalChunk;
  const int threads = m.threads == 1 || nchunks < 2 ? 1 : resolve_threads(m.threads, nchunks);
  const size_t uc = static_cast<size_t>(nchunks);
  const size_t stride = 1 + uP + (order >= 2 ? PP : 0) + (outer ? PP : 0);
  std::vector<double> part(uc * stride, 0.0);
  std::vector<char> ok(uc, 1);
  auto run = [&](int64_t c) {
    const int64_t i0 = c * kEvalChunk, i1 = std::min(n, i0 + kEvalChunk);
    double* pc = part.data() + static_cast<size_t>(c) * stride;
    double* gc = pc + 1;
    double* hc = order >= 2 ? gc + uP : nullptr;
    double* oc = outer ? gc + uP + (order >= 2 ? PP : 0) : nullptr;
    ok[static_cast<size_t>(c)] = eval_chunk(order, m, lay, beta, i0, i1, pc, gc, hc, sc, oc) ? 1 : 0;
  };
  if (threads == 1) {
    for (int64_t c = 0; c < nchunks; ++c) {
      run(c);
      if (!ok[static_cast<size_t>(c)]) return -kInf;
    }
  } else {
    parallel_for(nchunks, threads, run);
    for (char o : ok)
      if (!o) return -kInf;
  }
  double total = 0.0;
  for (size_t c = 0; c < uc; ++c) {
    const double* pc = part.data() + c * stride;
    total += pc[0];
    if (order == 0) continue;
    for (size_t a = 0; a < uP; ++a) g[a] += pc[1 + a];
    if (order >= 2)
      for (size_t a = 0; a < PP; ++a) hess[a] += pc[1 + uP + a];
    if (outer)
      for (size_t a = 0; a < PP; ++a) outer[a] += pc[1 + uP + (order >= 2 ? PP : 0) + a];
  }
  if (!std::isfinite(total)) return -kInf;
  // Lower triangles from the upper.
  for (double* M : {hess, outer}) {
    if (!M) continue;
    for (size_t c = 0; c < uP; ++c)
      for (size_t r = c + 1; r < uP; ++r) M[r + c * uP] = M[c + r * uP];
  }
  return total;
}

}  // namespace hetmod::survival::detail

namespace hetmod::survival {

double loglik(const SurvData& data, const Design& design, Dist dist, const std::vector<double>& coef,
              std::vector<double>* gradient, std::vector<double>* hessian) {
  const char* fn = "surv_loglik";
  detail::Model m = detail::build_model(fn, data, design, dist);
  check::same_size(fn, "coef", static_cast<int64_t>(coef.size()), m.ptot);
  check::finite(fn, "coef", coef.data(), static_cast<int64_t>(coef.size()));
  const size_t P = static_cast<size_t>(m.ptot);
  if (gradient) gradient->assign(P, 0.0);
  if (hessian) hessian->assign(P * P, 0.0);
  return detail::eval(m, coef.data(), gradient ? gradient->data() : nullptr, hessian ? hessian->data() : nullptr);
}

}  // namespace hetmod::survival
