// hetmod/survival/profile.cpp -- profile-likelihood confidence intervals (inference.hpp).
//
// Outline
//  1. Reparametrisation: the target value c fixes one "pivot" coefficient r as a function of the other
//     coefficients theta (the free set F = all but r):
//       coefficient j:        beta_r = c                                      (r = j)
//       cure_limit cure:      beta_r = (c - off_L - sum_{k != r} a_k beta_k) / a_r       (r in lambda block)
//       APGW cure:            beta_r = (h(c - eta_L) - off_K - sum_{k != r} b_k beta_k) / b_r  (r in kappa)
//     with c = log(-log p), eta_L = off_L + a' beta_lambda, a / b the pattern's lambda / kappa rows and
//     h(y) = -log1p(exp(-y)) = g^-1(y) the inverse of g(k) = k - log(1 - e^k) (so kappa(x0) stays in (-1, 0)).
//  2. Constrained fit: minimise -l(beta(theta)) over theta by trust-region Newton (optim/newton.hpp) on the
//     analytic Hessian, chained through beta_r(theta):
//       grad_F = g_F + g_r d,  Hess_FF = H_FF + H_Fr d' + d H_rF + H_rr d d' + g_r s2 a_F a_F'
//     (d = d beta_r / d theta, s2 a a' its second derivative, APGW cure only), in coordinates
//     z = (theta - theta_hat) / se (the fit's standard errors) for conditioning.
//  3. Interval ends: signed root z(c) = sign(c - c_hat) sqrt(2 (l_max - l_p(c))); outward doubling steps from
//     the Wald bound until dir z(c) > q = sqrt(qchisq(level, 1)) (or a limit: unbounded), then Illinois
//     (modified regula falsi) on dir z(c) - q.
//  4. gamma_max is a fitting safeguard, not part of the model: a constrained fit that stops at it is re-solved
//     with the bound lifted by log(1e3) (APGW kappa -> 0+: the constrained maximum has gamma ~ c / kappa). When
//     the fits just inside an end still fail but the end is bracketed to 1e-3 SE (the jump of the APGW kappa
//     profile at kappa = 0, where the threshold boundary gamma -> Inf is approached from above), the verified
//     inside end is reported as found, with the bracket in the note.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <boost/math/distributions/chi_squared.hpp>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "hetmod/optim/newton.hpp"
#include "hetmod/survival/inference.hpp"
#include "hetmod/survival/loglik.hpp"

namespace hetmod::survival {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kFn = "surv_profile";

enum class RType { fixed, linear, apgw_cure };

// Pivot coefficient r as a function of the others (section 1).
struct Reparam {
  RType type = RType::fixed;
  int P = 0, r = 0;
  std::vector<int> freeidx;  // P - 1 indices (all but r)
  std::vector<double> a, b;  // P: pattern entries of the lambda / kappa blocks (0 elsewhere)
  double offL = 0, offK = 0;

  // Sets beta[r] for value c; d (P, d[r] = 0) and s2 receive the derivatives when non-null.
  void apply(double c, std::vector<double>& beta, std::vector<double>* d, double* s2) const {
    if (d) std::fill(d->begin(), d->end(), 0.0);
    if (s2) *s2 = 0.0;
    switch (type) {
      case RType::fixed:
        beta[static_cast<size_t>(r)] = c;
        return;
      case RType::linear: {
        const double ar = a[static_cast<size_t>(r)];
        double s = c - offL;
        for (int k = 0; k < P; ++k)
          if (k != r && a[static_cast<size_t>(k)] != 0.0) {
            s -= a[static_cast<size_t>(k)] * beta[static_cast<size_t>(k)];
            if (d) (*d)[static_cast<size_t>(k)] = -a[static_cast<size_t>(k)] / ar;
          }
        beta[static_cast<size_t>(r)] = s / ar;
        return;
      }
      case RType::apgw_cure: {
        const double br = b[static_cast<size_t>(r)];
        double etaL = offL;
        for (int k = 0; k < P; ++k) etaL += a[static_cast<size_t>(k)] * beta[static_cast<size_t>(k)];
        const double y = c - etaL;
        // h(y) = log sigma(y); h' = sigma(-y); h'' = -sigma(y) sigma(-y).
        const double hval = y > 0 ? -std::log1p(std::exp(-y)) : y - std::log1p(std::exp(y));
        const double sm = y > 0 ? std::exp(-y) / (1.0 + std::exp(-y)) : 1.0 / (1.0 + std::exp(y));  // sigma(-y)
        const double sp = 1.0 - sm;
        double s = hval - offK;
        for (int k = 0; k < P; ++k) {
          const size_t kk = static_cast<size_t>(k);
          if (k != r && b[kk] != 0.0) {
            s -= b[kk] * beta[kk];
            if (d) (*d)[kk] = -b[kk] / br;
          }
          if (d && a[kk] != 0.0) (*d)[kk] += -sm * a[kk] / br;
        }
        if (s2) *s2 = -sp * sm / br;
        beta[static_cast<size_t>(r)] = s / br;
        return;
      }
    }
  }
};

struct Point {
  double ll = -kInf;
  bool conv = false;
  std::vector<double> theta;  // free coordinates (P - 1)
};

class ProfileObjective : public optim::Problem {
 public:
  ProfileObjective(const detail::Model& m, const Reparam& rp, const std::vector<double>& center,
                   const std::vector<double>& scale, double c)
      : m_(m), rp_(rp), center_(center), scale_(scale), c_(c) {
    const size_t P = static_cast<size_t>(m.ptot);
    beta_.assign(P, 0.0);
    g_.resize(P);
    h_.resize(P * P);
    d_.resize(P);
  }
  std::size_t dim() const override { return rp_.freeidx.size(); }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* z, double* grad) override {
    if (!grad) {
      set(z, false);
      const double ll = detail::eval(m_, beta_.data(), nullptr, nullptr);
      return std::isfinite(ll) ? -ll : kInf;
    }
    std::vector<double> H(dim() * dim());
    return value_gradient_hessian(z, grad, H.data());
  }
  double value_gradient_hessian(const double* z, double* grad, double* hess) override {
    double s2 = 0.0;
    set(z, true, &s2);
    const double ll = detail::eval(m_, beta_.data(), g_.data(), h_.data());
    if (!std::isfinite(ll)) return kInf;
    const size_t F = dim(), P = static_cast<size_t>(m_.ptot), r = static_cast<size_t>(rp_.r);
    const double gr = g_[r], hrr = h_[r + r * P];
    for (size_t i = 0; i < F; ++i) {
      const size_t fi = static_cast<size_t>(rp_.freeidx[i]);
      grad[i] = -(g_[fi] + gr * d_[fi]) * scale_[i];
      for (size_t j = 0; j < F; ++j) {
        const size_t fj = static_cast<size_t>(rp_.freeidx[j]);
        double v = h_[fi + fj * P] + h_[fi + r * P] * d_[fj] + d_[fi] * h_[r + fj * P] + hrr * d_[fi] * d_[fj];
        if (rp_.type == RType::apgw_cure) v += gr * s2 * rp_.a[fi] * rp_.a[fj];
        hess[i + j * F] = -v * scale_[i] * scale_[j];
      }
    }
    return -ll;
  }
  std::vector<double> theta(const std::vector<double>& z) const {
    std::vector<double> t(z.size());
    for (size_t i = 0; i < z.size(); ++i) t[i] = center_[i] + scale_[i] * z[i];
    return t;
  }

 private:
  void set(const double* z, bool deriv, double* s2 = nullptr) {
    for (size_t i = 0; i < dim(); ++i)
      beta_[static_cast<size_t>(rp_.freeidx[i])] = center_[i] + scale_[i] * z[i];
    rp_.apply(c_, beta_, deriv ? &d_ : nullptr, s2);
  }
  const detail::Model& m_;
  const Reparam& rp_;
  const std::vector<double>& center_;
  const std::vector<double>& scale_;
  double c_;
  std::vector<double> beta_, g_, h_, d_;
};

struct Profiler {
  detail::Model m;
  Reparam rp;
  std::vector<double> beta_hat;   // fit coefficients
  std::vector<double> theta_hat;  // free part
  std::vector<double> scale;      // SEs of the free part (1 when unavailable)
  double c_hat = 0, se_c = 1, l_max = 0;
  bool is_cure = false;
  int maxit = 100;
  double tol = 1e-8;
  double lo_limit = -kInf, hi_limit = kInf;  // domain limits of c
  std::map<double, Point> pts;                // evaluated points by c

  Point solve(double c, const std::vector<double>& theta0) const {
    Point pt;
    const size_t F = rp.freeidx.size();
    if (F == 0) {
      std::vector<double> beta = beta_hat;
      rp.apply(c, beta, nullptr, nullptr);
      pt.ll = detail::eval(m, beta.data(), nullptr, nullptr);
      pt.conv = std::isfinite(pt.ll);
      return pt;
    }
    ProfileObjective obj(m, rp, theta_hat, scale, c);
    std::vector<double> z(F);
    for (size_t i = 0; i < F; ++i) z[i] = (theta0[i] - theta_hat[i]) / scale[i];
    optim::NewtonOptions no;
    no.max_iter = maxit;
    no.grad_tol = tol;
    const Convergence cv = optim::minimize_newton(obj, z, no);
    const double f = obj.value_and_gradient(z.data(), nullptr);
    pt.ll = std::isfinite(f) ? -f : -kInf;
    // "no progress" at a tiny gradient is numerically converged for a profile point.
    pt.conv = std::isfinite(pt.ll) && (cv.converged || (cv.code == optim::newton_code::no_progress &&
                                                        cv.grad_norm < 1e-4));
    pt.theta = obj.theta(z);
    return pt;
  }

  // Evaluates (and caches) the profile at c, warm-started from the nearest converged point.
  const Point& at(double c) {
    auto it = pts.find(c);
    if (it != pts.end()) return it->second;
    const std::vector<double>* start = &theta_hat;
    double best = kInf;
    for (const auto& kv : pts)
      if (kv.second.conv && std::fabs(kv.first - c) < best) {
        best = std::fabs(kv.first - c);
        start = &kv.second.theta;
      }
    Point p = solve(c, *start);
    if (!p.conv && start != &theta_hat) {
      Point p2 = solve(c, theta_hat);
      if (p2.conv || p2.ll > p.ll) p = p2;
    }
    if (!p.conv && at_gamma_limit(c, p.theta)) {
      // The constrained supremum lies beyond the fitting safeguard log gamma <= gamma_max (e.g. the APGW
      // kappa profile as kappa -> 0+, where the threshold path has gamma ~ c / kappa): the profile value is
      // a supremum over all gamma, so re-solve with the safeguard lifted by log(1e3).
      const double saved = m.gamma_max;
      m.gamma_max = saved + std::log(1e3);
      Point p3 = solve(c, p.theta);
      m.gamma_max = saved;
      if (p3.conv || p3.ll > p.ll) p = p3;
    }
    return pts.emplace(c, std::move(p)).first->second;
  }
  // True when the coefficients (theta at c) put log gamma of some row within 0.05 of m.gamma_max.
  bool at_gamma_limit(double c, const std::vector<double>& theta) const {
    if (m.p[2] == 0 || !(m.gamma_max < 1e299) || theta.size() != rp.freeidx.size()) return false;
    std::vector<double> beta = beta_hat;
    for (size_t i = 0; i < theta.size(); ++i) beta[static_cast<size_t>(rp.freeidx[i])] = theta[i];
    rp.apply(c, beta, nullptr, nullptr);
    double xi[4];
    for (int64_t i = 0; i < m.n; ++i) {
      m.slots(i, beta.data(), xi);
      if (xi[2] > m.gamma_max - 0.05) return true;
    }
    return false;
  }
  double zval(double c, double ll) const {
    const double dv = std::max(0.0, 2.0 * (l_max - ll));
    return (c >= c_hat ? 1.0 : -1.0) * std::sqrt(dv);
  }

  // One end (dir = -1 lower, +1 upper) in c.
  void end(int dir, double q, int max_steps, double& bound, BoundKind& kind, std::string& note) {
    const double limit = dir > 0 ? hi_limit : lo_limit;
    const double maxdist = 60.0 * se_c;
    double c_in = c_hat, dist = q * se_c, l_prev = l_max;
    for (int step = 0; step < max_steps; ++step) {
      double c = c_hat + dir * dist;
      bool at_limit = false;
      if (dir * (c - limit) >= 0) {
        c = limit;
        at_limit = true;
      }
      const Point& p = at(c);
      if (!p.conv) {
        bound = kNaN;
        kind = BoundKind::failed;
        note += std::string(note.empty() ? "" : "; ") + (dir < 0 ? "lower" : "upper") +
                " end: the constrained fit failed at " + check::fmt(c);
        return;
      }
      const double zc = dir * zval(c, p.ll);
      if (zc >= q) {
        bound = root(dir, q, c_in, c);
        kind = std::isfinite(bound) ? BoundKind::found : BoundKind::failed;
        if (!std::isfinite(bound) && std::fabs(c - c_in) <= 1e-3 * se_c) {
          // The end is bracketed to within 1e-3 SE, but the constrained fits right inside it do not converge
          // (APGW kappa -> 0+: they run to the threshold boundary gamma -> Inf, while kappa <= 0 lies outside):
          // report the verified inside end of the bracket.
          bound = c_in;
          kind = BoundKind::found;
          note += std::string(note.empty() ? "" : "; ") + (dir < 0 ? "lower" : "upper") + " end in [" +
                  check::fmt(std::min(c_in, c)) + ", " + check::fmt(std::max(c_in, c)) +
                  "]: the profile jumps there; the constrained fits on the inside run to the threshold boundary "
                  "(gamma -> Inf), reported end " + check::fmt(c_in);
          return;
        }
        if (!std::isfinite(bound))
          note += std::string(note.empty() ? "" : "; ") + (dir < 0 ? "lower" : "upper") +
                  " end: a constrained fit did not converge while solving for the end, which lies between " +
                  check::fmt(std::min(c_in, c)) + " and " + check::fmt(std::max(c_in, c)) +
                  " (e.g. the fit runs to the threshold boundary gamma -> Inf there)";
        return;
      }
      const bool flat = dist > 5.0 * se_c && std::fabs(p.ll - l_prev) < 1e-7;
      if (at_limit || dist >= maxdist || flat) {
        bound = dir * kInf;
        kind = BoundKind::unbounded;
        note += std::string(note.empty() ? "" : "; ") + (dir < 0 ? "lower" : "upper") +
                " end unbounded: the profile log-likelihood stays within the cut-off up to " + check::fmt(c) +
                (at_limit ? " (limit of the parameter space)" : flat ? " (the profile is flat)" : " (60 SE)");
        return;
      }
      c_in = c;
      l_prev = p.ll;
      dist *= 2.0;
    }
    bound = dir * kInf;
    kind = BoundKind::unbounded;
    note += std::string(note.empty() ? "" : "; ") + (dir < 0 ? "lower" : "upper") +
            " end: not reached within max_steps bracketing steps";
  }

  // Illinois on F(c) = dir z(c) - q over [c_in (F < 0), c_out (F > 0)].
  // On return c_in / c_out hold the final bracket (the end lies between them when the result is NaN).
  double root(int dir, double q, double& c_in, double& c_out) {
    auto F = [&](double c) -> double {
      const Point& p = at(c);
      return p.conv ? dir * zval(c, p.ll) - q : kNaN;
    };
    double a = c_in, b = c_out, fa = F(a), fb = F(b);
    if (!(fa < 0)) fa = -q;  // c_hat itself
    int side = 0;
    for (int it = 0; it < 80; ++it) {
      double c = (a * fb - b * fa) / (fb - fa);
      if (!(std::isfinite(c)) || c <= std::min(a, b) || c >= std::max(a, b)) c = 0.5 * (a + b);
      const double fc = F(c);
      if (!std::isfinite(fc)) {
        const bool a_in = dir * (a - c_hat) < dir * (b - c_hat);
        c_in = a_in ? a : b;
        c_out = a_in ? b : a;
        return kNaN;
      }
      if (std::fabs(fc) < 1e-7 || std::fabs(b - a) < 1e-12 * (1.0 + std::fabs(c))) return c;
      if (fc > 0) {
        b = c;
        fb = fc;
        if (side == 1) fa *= 0.5;
        side = 1;
      } else {
        a = c;
        fa = fc;
        if (side == -1) fb *= 0.5;
        side = -1;
      }
    }
    return 0.5 * (a + b);
  }
};

double g_cure(double k) { return k - std::log(-std::expm1(k)); }  // k = log(1 + kappa) < 0

Profiler make_profiler(const SurvFit& fit, const SurvData& data, const Design& design, const ProfileTarget& target,
                       const Options& options) {
  check::require(fit.result.extras.count("ties") == 0, kFn,
                 "profile likelihoods are not available for fits with ties (accelerated hazards); use Wald intervals");
  Profiler pr;
  static const char* const known[] = {"maxit", "tol", "gamma_max", "max_steps"};
  for (const auto& key : options.keys())
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      check::fail(kFn, "unknown option '" + key + "' (known: maxit, tol, gamma_max, max_steps)", Status::not_found);
  pr.maxit = static_cast<int>(options.get_int("maxit", 100));
  pr.tol = options.get_double("tol", 1e-8);
  check::at_least(kFn, "maxit", pr.maxit, 1);
  check::positive(kFn, "tol", pr.tol);
  pr.m = detail::build_model(kFn, data, design, fit.dist);
  detail::Model& m = pr.m;
  const int P = m.ptot;
  check::require(static_cast<int>(fit.result.coef.size()) == P, kFn,
                 "the fit has " + std::to_string(fit.result.coef.size()) + " coefficients, but data and design give " +
                     std::to_string(P) + " (pass the data and design the fit was computed from)");
  for (size_t j = 0; j < 4; ++j)
    check::require(m.p[j] == fit.block_size[j], kFn, "the design does not match the fit's parameter blocks");
  if ((fit.dist == Dist::apgw || fit.dist == Dist::burr || fit.dist == Dist::pgw) && m.p[2] > 0)
    m.gamma_max = options.get_double("gamma_max", std::log(50.0));
  if (fit.dist == Dist::apgw) m.k_min = -35.0;
  pr.beta_hat = fit.result.coef;
  check::finite(kFn, "fit coefficients", pr.beta_hat.data(), P);
  pr.l_max = detail::eval(m, pr.beta_hat.data(), nullptr, nullptr);
  check::require(std::isfinite(pr.l_max), kFn, "the log-likelihood is not finite at the fit's coefficients");
  const std::vector<double>& V = fit.result.vcov;
  const bool haveV = V.size() == static_cast<size_t>(P) * static_cast<size_t>(P);
  auto vget = [&](int i, int j) { return haveV ? V[static_cast<size_t>(i) + static_cast<size_t>(j) * P] : kNaN; };

  Reparam& rp = pr.rp;
  rp.P = P;
  rp.a.assign(static_cast<size_t>(P), 0.0);
  rp.b.assign(static_cast<size_t>(P), 0.0);
  std::vector<double> gradc(static_cast<size_t>(P), 0.0);  // d c / d beta (delta-method SE of c)
  if (target.kind == ProfileTarget::Kind::coefficient) {
    check::require(target.index >= 0 && target.index < P, kFn,
                   "coefficient index " + std::to_string(target.index) + " is out of range [0, " +
                       std::to_string(P) + ")");
    rp.type = RType::fixed;
    rp.r = target.index;
    pr.c_hat = pr.beta_hat[static_cast<size_t>(rp.r)];
    gradc[static_cast<size_t>(rp.r)] = 1.0;
    // log(1 + kappa) intercept-type coefficient of the APGW: kappa -> -1 at the lower limit.
    if (fit.dist == Dist::apgw && rp.r >= m.start[3] && rp.r < m.start[3] + m.p[3]) pr.lo_limit = -30.0;
  } else {
    pr.is_cure = true;
    check::require(fit.dist == Dist::apgw || fit.dist == Dist::cure_limit, kFn,
                   std::string("the cure fraction is only defined (non-zero) for dist apgw and cure_limit, not ") +
                       dist_name(fit.dist));
    check::require(target.pattern != nullptr, kFn, "the cure-fraction target needs a covariate pattern");
    const Design& pat = *target.pattern;
    double off[4] = {0, 0, 0, 0};
    for (size_t j = 0; j < 4; ++j) {
      const ParDesign& pd = pat.par[j];
      const int64_t pj = pd.x.empty() ? 0 : pd.x.ncol;
      check::require(pj == m.p[j], kFn,
                     std::string("pattern ") + par_name(static_cast<Par>(j)) + " has " + std::to_string(pj) +
                         " columns, but the fit has " + std::to_string(m.p[j]));
      if (pj > 0) check::require(pd.x.nrow == 1, kFn, "the pattern must have exactly one row");
      if (!pd.offset.empty()) off[j] = pd.offset[0];
      for (int c = 0; c < m.p[j]; ++c) {
        const double v = pd.x(0, c);
        check::finite(kFn, "pattern", v);
        if (j == 1) rp.a[static_cast<size_t>(m.start[j] + c)] = v;
        if (j == 3) rp.b[static_cast<size_t>(m.start[j] + c)] = v;
      }
    }
    rp.offL = off[1];
    rp.offK = off[3];
    double etaL = off[1], etaK = off[3];
    for (int k = 0; k < P; ++k) {
      etaL += rp.a[static_cast<size_t>(k)] * pr.beta_hat[static_cast<size_t>(k)];
      etaK += rp.b[static_cast<size_t>(k)] * pr.beta_hat[static_cast<size_t>(k)];
    }
    const std::vector<double>& piv = fit.dist == Dist::apgw ? rp.b : rp.a;
    int r = -1;
    for (int k = 0; k < P; ++k)
      if (piv[static_cast<size_t>(k)] != 0.0 && (r < 0 || std::fabs(piv[static_cast<size_t>(k)]) >
                                                              std::fabs(piv[static_cast<size_t>(r)])))
        r = k;
    check::require(r >= 0, kFn,
                   fit.dist == Dist::apgw
                       ? "kappa has no free coefficient with a non-zero pattern entry, so the cure fraction is fixed"
                       : "lambda (theta) has no free coefficient with a non-zero pattern entry, so the cure fraction "
                         "is fixed");
    rp.r = r;
    if (fit.dist == Dist::apgw) {
      check::require(etaK < 0, kFn,
                     "kappa = " + check::fmt(std::expm1(etaK)) +
                         " >= 0 at the pattern: the estimated cure fraction is 0, so it cannot be profiled "
                         "(use dist = \"cure_limit\" or a fit with kappa < 0)");
      rp.type = RType::apgw_cure;
      pr.c_hat = etaL + g_cure(etaK);
      const double gp = -1.0 / std::expm1(etaK);  // g'(k)
      for (int k = 0; k < P; ++k) gradc[static_cast<size_t>(k)] = rp.a[static_cast<size_t>(k)] + gp * rp.b[static_cast<size_t>(k)];
    } else {
      rp.type = RType::linear;
      pr.c_hat = etaL;
      gradc = rp.a;
    }
    pr.lo_limit = -30.0;
    pr.hi_limit = 30.0;
  }
  for (int k = 0; k < P; ++k)
    if (k != rp.r) rp.freeidx.push_back(k);
  // Check the reparametrisation reproduces the pivot at c_hat.
  {
    std::vector<double> b = pr.beta_hat;
    rp.apply(pr.c_hat, b, nullptr, nullptr);
    const double d = std::fabs(b[static_cast<size_t>(rp.r)] - pr.beta_hat[static_cast<size_t>(rp.r)]);
    check::require(d < 1e-6 * (1.0 + std::fabs(pr.beta_hat[static_cast<size_t>(rp.r)])), kFn,
                   "internal: the reparametrisation does not reproduce the fit");
  }
  double vc = 0.0;
  for (int i = 0; i < P; ++i)
    for (int j = 0; j < P; ++j) vc += gradc[static_cast<size_t>(i)] * vget(i, j) * gradc[static_cast<size_t>(j)];
  pr.se_c = std::sqrt(vc);
  if (!(pr.se_c > 1e-8) || !std::isfinite(pr.se_c)) pr.se_c = 0.1 * (1.0 + std::fabs(pr.c_hat));
  for (int k : rp.freeidx) {
    pr.theta_hat.push_back(pr.beta_hat[static_cast<size_t>(k)]);
    double s = std::sqrt(vget(k, k));
    if (!(s > 1e-8) || !std::isfinite(s)) s = 1.0;
    pr.scale.push_back(s);
  }
  Point p0;
  p0.ll = pr.l_max;
  p0.conv = true;
  p0.theta = pr.theta_hat;
  pr.pts.emplace(pr.c_hat, p0);
  return pr;
}

// c = log(-log p) <-> p for the cure fraction.
double c_to_value(const Profiler& pr, double c) {
  if (!pr.is_cure) return c;
  if (c == kInf) return 0.0;
  if (c == -kInf) return 1.0;
  return std::exp(-std::exp(c));
}

void fill_curve(const Profiler& pr, ProfileResult& out) {
  std::vector<std::pair<double, size_t>> order;
  std::vector<const std::pair<const double, Point>*> items;
  for (const auto& kv : pr.pts) items.push_back(&kv);
  for (size_t i = 0; i < items.size(); ++i) order.emplace_back(c_to_value(pr, items[i]->first), i);
  std::sort(order.begin(), order.end());
  for (const auto& o : order) {
    const auto* kv = items[o.second];
    out.value.push_back(o.first);
    out.loglik.push_back(kv->second.ll);
    // z in the natural direction: for the cure fraction p decreases in c.
    const double z = pr.zval(kv->first, kv->second.ll);
    out.z.push_back(pr.is_cure ? -z : z);
    out.converged.push_back(kv->second.conv ? 1 : 0);
    if (kv->second.conv && kv->second.ll > pr.l_max + 1e-6) out.higher_found = true;
  }
}

}  // namespace

ProfileResult profile_ci(const SurvFit& fit, const SurvData& data, const Design& design, const ProfileTarget& target,
                         double level, const Options& options) {
  check::require(level > 0 && level < 1, kFn, "level is " + check::fmt(level) + ", but must be in (0, 1)");
  Profiler pr = make_profiler(fit, data, design, target, options);
  const int max_steps = static_cast<int>(options.get_int("max_steps", 40));
  check::at_least(kFn, "max_steps", max_steps, 1);
  const boost::math::chi_squared_distribution<double, numeric::Policy> chi(1.0);
  const double q = std::sqrt(boost::math::quantile(chi, level));
  ProfileResult out;
  out.level = level;
  out.loglik_max = pr.l_max;
  double lo_c = kNaN, hi_c = kNaN;
  BoundKind lo_k = BoundKind::failed, hi_k = BoundKind::failed;
  pr.end(-1, q, max_steps, lo_c, lo_k, out.note);
  pr.end(+1, q, max_steps, hi_c, hi_k, out.note);
  if (pr.is_cure) {  // p is decreasing in c
    out.estimate = c_to_value(pr, pr.c_hat);
    out.lower = std::isnan(hi_c) ? kNaN : c_to_value(pr, hi_c);
    out.upper = std::isnan(lo_c) ? kNaN : c_to_value(pr, lo_c);
    out.lower_kind = hi_k;
    out.upper_kind = lo_k;
  } else {
    out.estimate = pr.c_hat;
    out.lower = lo_c;
    out.upper = hi_c;
    out.lower_kind = lo_k;
    out.upper_kind = hi_k;
  }
  fill_curve(pr, out);
  if (out.higher_found)
    out.note += std::string(out.note.empty() ? "" : "; ") +
                "a constrained fit has a higher log-likelihood than the fit: the fit is not the MLE, refit";
  return out;
}

ProfileResult profile(const SurvFit& fit, const SurvData& data, const Design& design, const ProfileTarget& target,
                      const std::vector<double>& values, const Options& options) {
  Profiler pr = make_profiler(fit, data, design, target, options);
  (void)options.get_int("max_steps", 40);
  std::vector<double> cs;
  for (double v : values) {
    check::finite(kFn, "values", v);
    if (pr.is_cure) {
      check::require(v > 0 && v < 1, kFn, "cure-fraction values must be in (0, 1), got " + check::fmt(v));
      cs.push_back(std::log(-std::log(v)));
    } else {
      cs.push_back(v);
    }
  }
  std::vector<double> up, down;
  for (double c : cs) (c >= pr.c_hat ? up : down).push_back(c);
  std::sort(up.begin(), up.end());
  std::sort(down.begin(), down.end(), std::greater<double>());
  for (double c : up) pr.at(c);
  for (double c : down) pr.at(c);
  ProfileResult out;
  out.level = kNaN;
  out.loglik_max = pr.l_max;
  out.estimate = c_to_value(pr, pr.c_hat);
  out.lower = out.upper = kNaN;
  fill_curve(pr, out);
  return out;
}

}  // namespace hetmod::survival
