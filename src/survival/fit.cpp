// hetmod/survival/fit.cpp -- maximum-likelihood fitting of the APGW family (spec/survival.md 2.3-2.5).
//
// Outline
//  1. Validate (detail::build_model) and centre/scale non-intercept covariate columns; beta = T beta'
//     maps the internal coefficients back exactly (vcov = T V' T').
//  2. Starts (spec 2.4). Weibull kernel (weibull, exponential, and the start of every other member): the
//     better by log-likelihood of (a) the exponential rate and (b) least squares of log t on the scale
//     design (extreme-value errors: gamma0 = pi / (sd sqrt 6)), each with the scale intercept at its
//     closed-form conditional MLE, then trust-region Newton on the analytic Hessian (typically 4-6 steps).
//     Other members: a Weibull start (only two Newton steps from the better start) is mapped to the target
//     distribution by matching H at the median time t_ref (phi chosen so (phi t_ref)^gamma = 1 when both
//     scales are free). APGW/PGW quick path: the Weibull start embedded exactly at kappa = 1, then joint
//     Newton; when that is not a clean interior maximum, the robust path: a profile over the kappa grid
//     {-0.75, -0.5, 0, 0.5, 2, 5} (PGW: kappa > 0), joint Newton from the best profile points; LBFGS (NLopt)
//     fallback; optional random multi-starts. Newton (optim::minimize_newton) follows a rejected step by the
//     better-predicted of a Newton step from the rejected point (curved valleys: the phi/lambda ridge) and a
//     cubic line-search point along the step (the first step off kappa = 1 towards smaller kappa overshoots:
//     the curvature in log(1 + kappa) grows as kappa falls), and a run over all coefficients stops at
//     max|grad| <= 1e-4 and ends with one unverified Newton step whose single evaluation checks
//     max|grad| <= tol and also gives the sandwich meat (terminal_step).
//  3. Boundaries (spec 2.3, 5.D, 5.F): log gamma is bounded by gamma_max (default log 50): a fit that
//     reaches it is flagged "threshold_boundary" and reported as not converged. An interior fit is probed at
//     log gamma = gamma_max with kappa gamma (Burr: lambda gamma) held near its fitted value; a higher logL
//     there also flags "threshold_boundary" (extras "threshold_loglik"). The probe stops as soon as it beats
//     the fit, when its quadratic model cannot reach it, or when two evaluations closed less than a fifth
//     of a remaining gap above 2 log-likelihood units, and is skipped when phi has no free coefficients and an
//     event lies before 1/phi (the limit density is 0 there). kappa -> -1 (1 + kappa < 1e-3 or
//     lambda > e^20) flags "cure_boundary" and the promotion-time cure limit is fitted directly
//     (extras "cure_limit_loglik", "cure_limit_coef"). kappa within one SE of 1 with both scales free
//     flags "phi_lambda_confounded". kappa -> +inf (log(1+kappa) > log(1 + 1e3) on every row, and the Gompertz
//     limit fitted directly as good) flags "gompertz_limit" (extras "gompertz_limit_loglik", "gompertz_limit_coef").
//     Gompertz with (phi t)^gamma < 1e-4 for every row and its exponential /
//     Weibull limit fitting as well flags "gompertz_boundary" (not converged; extras "limit_loglik").
//  4. Inference: vcov = inverse observed information (NaN + note when singular), sandwich "vcov_robust",
//     "aic", "bic".
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "hetmod/optim/newton.hpp"
#include "hetmod/optim/nlopt.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"
#include "internal.hpp"
#include "ties.hpp"

namespace hetmod::survival {

namespace {
using detail::Kernel;
using detail::Model;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- 1. scaling ---------------------------------------------------------------------------------
struct BlockScale {
  int intercept = -1;  // column of the intercept (constant column), -1 none
  double ivalue = 1.0;
  std::vector<double> mean, sd;  // per column (mean 0, sd 1 for untouched columns)
};
using Scaling = std::array<BlockScale, 4>;

Scaling scale_model(Model& m, bool do_scale) {
  Scaling sc;
  const int64_t n = m.n;
  for (size_t j = 0; j < 4; ++j) {
    const int p = m.p[j];
    BlockScale& bs = sc[j];
    bs.mean.assign(static_cast<size_t>(p), 0.0);
    bs.sd.assign(static_cast<size_t>(p), 1.0);
    auto& x = m.x[j];
    std::vector<bool> constant(static_cast<size_t>(p), true);
    for (int c = 0; c < p; ++c) {
      const double x0 = x[static_cast<size_t>(c)];
      for (int64_t i = 1; i < n; ++i)
        if (x[static_cast<size_t>(i * p + c)] != x0) {
          constant[static_cast<size_t>(c)] = false;
          break;
        }
      if (constant[static_cast<size_t>(c)] && x0 != 0.0 && bs.intercept < 0) {
        bs.intercept = c;
        bs.ivalue = x0;
      }
    }
    if (!do_scale) continue;
    for (int c = 0; c < p; ++c) {
      if (constant[static_cast<size_t>(c)]) continue;
      // Sums with four interleaved accumulators (one running sum is a long chain of dependent additions).
      const double* xc = x.data() + c;
      const size_t up = static_cast<size_t>(p), un = static_cast<size_t>(n);
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      size_t i = 0;
      for (; i + 4 <= un; i += 4) {
        a0 += xc[i * up];
        a1 += xc[(i + 1) * up];
        a2 += xc[(i + 2) * up];
        a3 += xc[(i + 3) * up];
      }
      for (; i < un; ++i) a0 += xc[i * up];
      const double s1 = (a0 + a1) + (a2 + a3);
      const double mu = bs.intercept >= 0 ? s1 / static_cast<double>(n) : 0.0;
      a0 = a1 = a2 = a3 = 0;
      for (i = 0; i + 4 <= un; i += 4) {
        const double d0 = xc[i * up] - mu, d1 = xc[(i + 1) * up] - mu, d2 = xc[(i + 2) * up] - mu,
                     d3 = xc[(i + 3) * up] - mu;
        a0 += d0 * d0;
        a1 += d1 * d1;
        a2 += d2 * d2;
        a3 += d3 * d3;
      }
      for (; i < un; ++i) {
        const double d = xc[i * up] - mu;
        a0 += d * d;
      }
      const double s2 = (a0 + a1) + (a2 + a3);
      double sd = std::sqrt(s2 / static_cast<double>(n));
      if (!(sd > 0)) sd = 1.0;
      bs.mean[static_cast<size_t>(c)] = mu;
      bs.sd[static_cast<size_t>(c)] = sd;
      for (int64_t i = 0; i < n; ++i) {
        double& v = x[static_cast<size_t>(i * p + c)];
        v = (v - mu) / sd;
      }
    }
  }
  return sc;
}

// beta (original) from beta' (internal), one block.
void block_to_orig(const BlockScale& bs, const double* bp, double* b, int p) {
  double shift = 0.0;
  for (int c = 0; c < p; ++c) {
    b[c] = bp[c] / bs.sd[static_cast<size_t>(c)];
    shift += bs.mean[static_cast<size_t>(c)] * b[c];
  }
  if (bs.intercept >= 0) b[bs.intercept] = bp[bs.intercept] - shift / bs.ivalue;
}
void block_to_scaled(const BlockScale& bs, const double* b, double* bp, int p) {
  double shift = 0.0;
  for (int c = 0; c < p; ++c) {
    bp[c] = b[c] * bs.sd[static_cast<size_t>(c)];
    shift += bs.mean[static_cast<size_t>(c)] * b[c];
  }
  if (bs.intercept >= 0) bp[bs.intercept] = b[bs.intercept] + shift / bs.ivalue;
}
std::vector<double> to_orig(const Model& m, const Scaling& sc, const std::vector<double>& bp) {
  std::vector<double> b(bp.size());
  for (size_t j = 0; j < 4; ++j)
    block_to_orig(sc[j], bp.data() + m.start[j], b.data() + m.start[j], m.p[j]);
  return b;
}
std::vector<double> to_scaled(const Model& m, const Scaling& sc, const std::vector<double>& b) {
  std::vector<double> bp(b.size());
  for (size_t j = 0; j < 4; ++j)
    block_to_scaled(sc[j], b.data() + m.start[j], bp.data() + m.start[j], m.p[j]);
  return bp;
}
// T (P x P, column-major) with beta = T beta'.
std::vector<double> transform_matrix(const Model& m, const Scaling& sc) {
  const size_t P = static_cast<size_t>(m.ptot);
  std::vector<double> T(P * P), e(P, 0.0);
  for (size_t k = 0; k < P; ++k) {
    e[k] = 1.0;
    const auto col = to_orig(m, sc, e);
    std::copy(col.begin(), col.end(), T.begin() + static_cast<std::ptrdiff_t>(k * P));
    e[k] = 0.0;
  }
  return T;
}
using detail::sandwich;  // A B A' (internal.hpp)

// ---- 2. objective and Newton ----------------------------------------------------------------------
// In-place lower Cholesky factor of the n x n column-major A (the upper triangle is left as it was); false when
// a pivot is not above rel_tol * max(1, |A_jj|) (rel_tol = 0: not positive).
bool cholesky_in_place(std::vector<double>& A, size_t n, double rel_tol) {
  for (size_t j = 0; j < n; ++j) {
    double d = A[j + j * n];
    for (size_t k = 0; k < j; ++k) d -= A[j + k * n] * A[j + k * n];
    const double floor = rel_tol > 0 ? rel_tol * std::max(1.0, std::fabs(A[j + j * n])) : 0.0;
    if (!(d > floor)) return false;
    d = std::sqrt(d);
    A[j + j * n] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double v = A[i + j * n];
      for (size_t k = 0; k < j; ++k) v -= A[i + k * n] * A[j + k * n];
      A[i + j * n] = v / d;
    }
  }
  return true;
}

// b <- L^-1 b for the lower factor of cholesky_in_place.
void forward_subst(const std::vector<double>& L, std::vector<double>& b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    double v = b[i];
    for (size_t k = 0; k < i; ++k) v -= L[i + k * n] * b[k];
    b[i] = v / L[i + i * n];
  }
}

// Solves the n x n symmetric positive-definite system A x = b (column-major): b <- A^-1 b; false if not PD.
bool solve_spd(std::vector<double> A, std::vector<double>& b, size_t n) {
  if (!cholesky_in_place(A, n, 1e-12)) return false;
  forward_subst(A, b, n);
  for (size_t i = n; i-- > 0;) {
    double v = b[i];
    for (size_t k = i + 1; k < n; ++k) v -= A[k + i * n] * b[k];
    b[i] = v / A[i + i * n];
  }
  return true;
}

struct TargetReached {
  double ll;
};

// The last evaluation with a Hessian (full coefficient vector), so that the final checks at the point
// where Newton stopped need no second evaluation.
struct HessCache {
  const Model* model = nullptr;
  std::vector<double> beta, g, h;
  std::vector<double> B;  // sum of score outer products at beta (has_B: filled by terminal_step)
  double ll = -kInf;
  bool valid = false, has_B = false;
  bool matches(const Model& m, const std::vector<double>& b) const {
    return valid && model == &m && beta == b;
  }
};

class Objective : public optim::Problem {
 public:
  Objective(const Model& m, std::vector<double> full, std::vector<int> free, HessCache* cache = nullptr)
      : m_(m), full_(std::move(full)), free_(std::move(free)), cache_(cache) {
    const size_t P = static_cast<size_t>(m.ptot);
    g_.resize(P);
    h_.resize(P * P);
  }
  std::size_t dim() const override { return free_.size(); }
  bool has_hessian() const override { return true; }
  double value_and_gradient(const double* x, double* grad) override {
    set(x);
    const double ll = detail::eval(m_, full_.data(), grad ? g_.data() : nullptr, nullptr);
    if (!std::isfinite(ll)) return kInf;
    if (grad)
      for (size_t k = 0; k < free_.size(); ++k) grad[k] = -g_[static_cast<size_t>(free_[k])];
    return -ll;
  }
  double value_gradient_hessian(const double* x, double* grad, double* hess) override {
    set(x);
    const size_t d = free_.size(), P = static_cast<size_t>(m_.ptot);
    // A point evaluated last (Newton restarting where terminal_step left it) is served from the cache.
    const bool cached = cache_ && d == P && cache_->matches(m_, full_);
    const double ll = cached ? cache_->ll : detail::eval(m_, full_.data(), g_.data(), h_.data());
    if (cached) {
      g_ = cache_->g;
      h_ = cache_->h;
    }
    if (!std::isfinite(ll)) return kInf;
    if (cache_ && d == P && !cached) {
      cache_->model = &m_;
      cache_->beta = full_;
      cache_->g = g_;
      cache_->h = h_;
      cache_->ll = ll;
      cache_->valid = true;
      cache_->has_B = false;
    }
    if (ll > target) throw TargetReached{ll};
    ++nevals_;
    for (size_t a = 0; a < d; ++a) {
      grad[a] = -g_[static_cast<size_t>(free_[a])];
      for (size_t b = 0; b < d; ++b)
        hess[a + b * d] = -h_[static_cast<size_t>(free_[a]) + static_cast<size_t>(free_[b]) * P];
    }
    best_ll_ = std::max(best_ll_, ll);
    if (hopeless_margin > 0) {
      if (nevals_ >= 2 && hopeless(d, grad, hess, ll)) throw TargetReached{best_ll_};
      // Stalled: the last two evaluations closed less than a fifth of a remaining gap above 2.
      history_.push_back(best_ll_);
      const size_t h = history_.size();
      const double gap = target - best_ll_;
      if (h >= 4 && gap > 2.0 && best_ll_ - history_[h - 3] < 0.2 * gap) throw TargetReached{best_ll_};
    }
    return -ll;
  }
  const std::vector<double>& full() const { return full_; }
  /// Stop (throw TargetReached) as soon as the log-likelihood exceeds target (threshold probe).
  double target = kInf;
  /// Threshold probe: give up (throw TargetReached with the best log-likelihood so far) after at least two
  /// evaluations (not at the arbitrary start) when the Hessian is negative definite and the quadratic
  /// model's gain g'(-H)^-1 g / 2, inflated by the factor hopeless_margin, leaves ll below target - 1, or
  /// after at least four when the last two evaluations raised the best log-likelihood by less than a fifth
  /// of a remaining gap above 2.
  double hopeless_margin = 0.0;

 private:
  void set(const double* x) {
    for (size_t k = 0; k < free_.size(); ++k) full_[static_cast<size_t>(free_[k])] = x[k];
  }
  // grad/hess are those of the minimised -ll (hess positive definite <=> ll locally concave).
  bool hopeless(size_t d, const double* grad, const double* hess, double ll) const {
    std::vector<double> L(hess, hess + d * d), y(grad, grad + d);
    if (!cholesky_in_place(L, d, 0.0)) return false;
    forward_subst(L, y, d);
    double q = 0;  // g' H^-1 g = |L^-1 g|^2
    for (size_t i = 0; i < d; ++i) q += y[i] * y[i];
    return ll + hopeless_margin * 0.5 * q < target - 1.0;
  }
  const Model& m_;
  std::vector<double> full_;
  std::vector<int> free_;
  HessCache* cache_;
  std::vector<double> g_, h_;
  int nevals_ = 0;
  double best_ll_ = -kInf;
  std::vector<double> history_;  // best log-likelihood after each evaluation (threshold probe)
};

struct Attempt {
  std::vector<double> beta;
  double ll = -kInf;
  Convergence conv;
  mutable int clean = -1;  // is_clean() memo: -1 unknown, 0 no, 1 yes
};

// Newton runs over all coefficients stop at max|grad| <= kPolishTol (when tol is below it) and finish with
// terminal_step: one Newton step from the cached Hessian, whose single evaluation (score, Hessian and the
// sandwich meat) both verifies max|grad| <= tol and serves the final inference (quadratic convergence makes
// that step land below tol; otherwise Newton continues from the better point).
constexpr double kPolishTol = 1e-4;

bool terminal_step(const Model& m, std::vector<double>& x, HessCache& cache, double tol, Convergence& conv) {
  if (!cache.matches(m, x)) return false;
  const size_t P = x.size();
  std::vector<double> A(P * P), p = cache.g;
  for (size_t k = 0; k < P * P; ++k) A[k] = -cache.h[k];
  if (!solve_spd(std::move(A), p, P)) return false;
  std::vector<double> xp(P), g(P), h(P * P), B(P * P);
  for (size_t k = 0; k < P; ++k) xp[k] = x[k] + p[k];
  const double ll = detail::eval(m, xp.data(), g.data(), h.data(), nullptr, B.data());
  if (!(ll >= cache.ll - 1e-9 * std::max(1.0, std::fabs(cache.ll)))) return false;
  double gn = 0;
  for (double v : g) gn = std::max(gn, std::fabs(v));
  // The better point becomes the cache (and x) even when the gradient test fails: Newton continues there.
  x = xp;
  cache.beta = xp;
  cache.g = std::move(g);
  cache.h = std::move(h);
  cache.B = std::move(B);
  cache.ll = ll;
  cache.has_B = true;
  if (!(gn <= tol)) return false;
  conv.iterations += 1;
  conv.objective = -ll;
  conv.grad_norm = gn;
  return true;
}

Attempt run_newton(const Model& m, std::vector<double> beta, const std::vector<int>& free, int maxit, double tol,
                   bool fallback, double target = kInf, HessCache* cache = nullptr, double hopeless_margin = 0.0) {
  Attempt a;
  if (free.empty()) {
    a.ll = detail::eval(m, beta.data(), nullptr, nullptr);
    a.beta = beta;
    a.conv.converged = std::isfinite(a.ll);
    a.conv.optimizer = "none";
    a.conv.reason = "no free parameters";
    return a;
  }
  for (double v : beta)
    if (!std::isfinite(v)) {
      a.beta = beta;
      a.conv.optimizer = "newton-tr";
      a.conv.reason = "non-finite start";
      return a;
    }
  Objective obj(m, beta, free, cache);
  std::vector<double> x(free.size());
  for (size_t k = 0; k < free.size(); ++k) x[k] = beta[static_cast<size_t>(free[k])];
  optim::NewtonOptions no;
  no.max_iter = maxit;
  no.grad_tol = tol;
  no.correct_rejected = true;  // curved valleys: the phi/lambda ridge, the first step off the Weibull start
  obj.target = target;
  obj.hopeless_margin = hopeless_margin;
  const bool polish = cache && free.size() == static_cast<size_t>(m.ptot) && tol < kPolishTol;
  try {
    if (polish) {
      no.grad_tol = kPolishTol;
      a.conv = optim::minimize_newton(obj, x, no);
      no.grad_tol = tol;
      if (a.conv.converged && a.conv.grad_norm > tol && !terminal_step(m, x, *cache, tol, a.conv)) {
        const int it = a.conv.iterations;
        no.max_iter = std::max(1, maxit - it);
        a.conv = optim::minimize_newton(obj, x, no);
        a.conv.iterations += it;
      }
    } else {
      a.conv = optim::minimize_newton(obj, x, no);
    }
  } catch (const TargetReached& t) {
    a.ll = t.ll;
    a.conv.reason = t.ll > target ? "target log-likelihood exceeded" : "target out of reach";
    return a;
  }
  if (!a.conv.converged && fallback) {
    // LBFGS from the Newton point, then a Newton polish.
    optim::NloptOptions lo;
    lo.maxeval = 2000;
    std::vector<double> x2 = x;
    const double f0 = obj.value_and_gradient(x.data(), nullptr);
    try {
      optim::minimize_nlopt(obj, x2, lo);
    } catch (const Error&) {
      x2 = x;
    }
    if (obj.value_and_gradient(x2.data(), nullptr) <= f0) {
      Convergence c2 = optim::minimize_newton(obj, x2, no);
      x = x2;
      c2.iterations += a.conv.iterations;
      c2.optimizer = "newton-tr+nlopt:LD_LBFGS";
      a.conv = c2;
    }
  }
  for (size_t k = 0; k < free.size(); ++k) beta[static_cast<size_t>(free[k])] = x[k];
  a.beta = beta;
  // The Newton record holds -ll at the returned point (unless its start was not finite).
  if (a.conv.code == optim::newton_code::bad_start || !std::isfinite(a.conv.objective))
    a.ll = detail::eval(m, beta.data(), nullptr, nullptr);
  else
    a.ll = -a.conv.objective;
  return a;
}

std::vector<int> all_free(const Model& m) {
  std::vector<int> f(static_cast<size_t>(m.ptot));
  std::iota(f.begin(), f.end(), 0);
  return f;
}

// ---- starts ----------------------------------------------------------------------------------------
struct StartContext {
  double t_ref = 1.0;      // median of the observed times (rows with weight > 0); 1 for the Weibull and
                           // exponential, whose fits (fit_weibull_kernel) do not use it
  double t_min = 1.0;      // smallest observed time
  double log_rate = 0.0;   // exponential rate
  double events = 0.0;     // sum of the weights of uncensored rows (status != 0)
  double exposure = 0.0;   // sum w (t - entry)
};

// One pass over the rows (times from the data, not exp(log t)), then the median by nth_element (a copy of the
// log times; skipped when the distribution does not need t_ref).
StartContext start_context(const Model& m, const SurvData& d) {
  StartContext c;
  const bool need_ref = m.info.dist != Dist::weibull && m.info.dist != Dist::exponential;
  double ev = 0, expo = 0, t_min = kInf;
  const bool entry = !d.entry.empty();
  for (int64_t i = 0; i < m.n; ++i) {
    const size_t k = static_cast<size_t>(i);
    const double w = m.w[k];
    if (w == 0) continue;
    const double t = d.time[i];
    t_min = std::min(t_min, t);
    ev += m.status[k] != kRight ? w : 0.0;  // (a select, not a branch: the censoring pattern is unpredictable)
    expo += w * (t - (entry && std::isfinite(m.logv[k]) ? d.entry[i] : 0.0));
  }
  c.t_min = t_min;
  if (need_ref) {
    std::vector<double> lt;
    lt.reserve(static_cast<size_t>(m.n));
    for (size_t k = 0; k < static_cast<size_t>(m.n); ++k)
      if (m.w[k] != 0) lt.push_back(m.logt[k]);
    std::nth_element(lt.begin(), lt.begin() + static_cast<std::ptrdiff_t>(lt.size() / 2), lt.end());
    c.t_ref = std::exp(lt[lt.size() / 2]);
  }
  c.log_rate = std::log(std::max(ev, 1e-3) / std::max(expo, 1e-300));
  c.events = ev;
  c.exposure = expo;
  return c;
}

// A copy of m restricted to the given slot designs (others p = 0), with another distribution.
Model restrict_model(const Model& m, Dist dist, std::array<bool, 4> keep) {
  Model r = m;
  r.info = detail::dist_info(dist);
  int pt = 0;
  for (size_t j = 0; j < 4; ++j) {
    if (!keep[j] || r.info.structural[j]) {
      r.p[j] = 0;
      r.x[j].clear();
      if (r.info.structural[j]) {
        std::fill(r.off[j].begin(), r.off[j].end(), 0.0);
        r.off_mean[j] = 0.0;
      }
    }
    r.start[j] = pt;
    pt += r.p[j];
  }
  r.ptot = pt;
  r.gamma_max = kInf;
  r.k_min = -kInf;
  return r;
}

// Copies the coefficients of block j from (src model, src beta) to (dst model, dst beta) where p agree.
void copy_block(const Model& ms, const std::vector<double>& bs, const Model& md, std::vector<double>& bd, size_t j) {
  if (ms.p[j] != md.p[j]) return;
  for (int c = 0; c < ms.p[j]; ++c)
    bd[static_cast<size_t>(md.start[j] + c)] = bs[static_cast<size_t>(ms.start[j] + c)];
}

double intercept_of(const Model& m, const Scaling& sc, const std::vector<double>& b, size_t j) {
  if (m.p[j] == 0 || sc[j].intercept < 0) return 0.0;
  return b[static_cast<size_t>(m.start[j] + sc[j].intercept)] * sc[j].ivalue;
}
void set_intercept(const Model& m, const Scaling& sc, std::vector<double>& b, size_t j, double eta) {
  if (m.p[j] == 0 || sc[j].intercept < 0) return;
  b[static_cast<size_t>(m.start[j] + sc[j].intercept)] = eta / sc[j].ivalue;
}
bool has_intercept(const Model& m, const Scaling& sc, size_t j) {
  return m.p[j] > 0 && sc[j].intercept >= 0 && !m.info.structural[j];
}
// Mean offset of slot j (computed once by build_model).
double mean_offset(const Model& m, size_t j) { return m.off_mean[j]; }

// log M at s for kernel with k (log domain safe).
double log_unit_cumhaz_s(Kernel kern, double s, double k) {
  detail::KernelOut ko;
  detail::eval_kernel(kern, s, k, ko);
  return std::log(ko.M.v);
}

// Weibull start fit in the layout of m (one scale slot). Returns beta in m's layout (kappa block 0).
struct WeibullStart {
  std::vector<double> beta;  // m layout, holding the Weibull scale and gamma blocks
  int scale_slot = -1;       // 0 phi, 1 lambda, -1 none
  double log_Href = 0.0;     // log H_W(t_ref) at the baseline row
  double gamma0 = 1.0;
};

// Weibull-kernel model (scale slot S: 0 phi, 1 lambda, -1 none): moves the scale intercept to its
// closed-form conditional MLE exp(delta) = events / sum H_i (event / right-censored rows without
// truncation; for the AFT slot through phi^gamma with the mean gamma). Returns the log-likelihood at the
// moved point when it follows in closed form (the move shifts every s_i = log H_i - log lambda_i, or
// log lambda_i, by the same delta: l = Q + D delta - D with Q = sum w d log h and D = sum w d), NaN otherwise.
double profile_weibull_intercept(const Model& wb, const Scaling& sc, int S, std::vector<double>& b) {
  if (S < 0 || !has_intercept(wb, sc, static_cast<size_t>(S))) return kNaN;
  detail::WeibullSums ws;
  if (!detail::weibull_sums(wb, b.data(), ws)) return kNaN;
  if (!(ws.D > 0 && ws.SH > 0 && std::isfinite(ws.SH))) return kNaN;
  const double shift = std::log(ws.D / ws.SH);
  const double delta = S == 0 ? shift / (ws.sg / ws.sw) : shift;
  const size_t ic = static_cast<size_t>(wb.start[static_cast<size_t>(S)] + sc[static_cast<size_t>(S)].intercept);
  b[ic] += delta / sc[static_cast<size_t>(S)].ivalue;
  return S == 1 || ws.gamma_const ? ws.Q + ws.D * shift - ws.D : kNaN;
}

// profile_weibull_intercept at the exponential-rate start (scale intercept log_rate, every other coefficient 0)
// without a pass over the rows: when every row is an event or right-censored without truncation and phi, lambda
// and gamma have no offsets (structural values 0), every H_i = exp(log_rate + log t_i) = rate t_i, so
// sum w H = rate * exposure, D = events and Q = D log_rate. NaN when that does not hold.
double profile_exponential_start(const Model& wb, const Scaling& sc, const StartContext& ctx, int S,
                                 std::vector<double>& b) {
  if (S < 0 || !has_intercept(wb, sc, static_cast<size_t>(S)) || !wb.simple_rows) return kNaN;
  for (size_t j = 0; j < 3; ++j) {
    if (wb.info.structural[j]) {
      if (wb.info.fixed[j] != 0.0) return kNaN;
      continue;
    }
    if (wb.off_mean[j] != 0.0) return kNaN;
    for (double v : wb.off[j])
      if (v != 0.0) return kNaN;
  }
  const double D = ctx.events, SH = std::exp(ctx.log_rate) * ctx.exposure;
  if (!(D > 0 && SH > 0 && std::isfinite(SH))) return kNaN;
  const double shift = std::log(D / SH);  // gamma = 1 at the start: the AFT move is the same shift
  const size_t ic = static_cast<size_t>(wb.start[static_cast<size_t>(S)] + sc[static_cast<size_t>(S)].intercept);
  b[ic] += shift / sc[static_cast<size_t>(S)].ivalue;
  return D * ctx.log_rate + D * shift - D;
}

// Weighted normal equations of log t on the scale design over the rows ls_weibull_start uses: the upper
// triangle of X'WX (A, column-major p x p, zero on entry), X'Wy (r), sum w, sum w y, sum w y^2; each sum in row
// order. P > 0: p = P known at compile time (accumulators in registers); P = 0: any p.
template <int P>
void ls_normal_equations(const Model& wb, size_t Sj, bool events_only, double* A, double* r, double& sw, double& sy,
                         double& syy) {
  const int p = P > 0 ? P : wb.p[Sj];
  const size_t up = static_cast<size_t>(p);
  constexpr int kA = P > 0 ? P * P : 1, kR = P > 0 ? P : 1;
  double a[kA] = {}, rr[kR] = {};
  const double* x = wb.x[Sj].data();
  // The rows used, gathered without a branch on the (unpredictable) censoring pattern.
  std::vector<int64_t> rows(static_cast<size_t>(wb.n));
  size_t nr = 0;
  for (int64_t i = 0; i < wb.n; ++i) {
    const size_t k = static_cast<size_t>(i);
    rows[nr] = i;
    nr += static_cast<size_t>(wb.w[k] != 0) & static_cast<size_t>(!events_only || wb.status[k] == kEvent);
  }
  for (size_t q = 0; q < nr; ++q) {
    const int64_t i = rows[q];
    const size_t k = static_cast<size_t>(i);
    const double w = wb.w[k];
    const double y = wb.status[k] == kInterval ? 0.5 * (wb.logt[k] + wb.logt2[k]) : wb.logt[k];
    const double* xr = x + i * p;
    if (P > 0) {
      for (int c2 = 0; c2 < P; ++c2) {
        const double wx = w * xr[c2];
        rr[c2] += wx * y;
        for (int c = 0; c <= c2; ++c) a[c + c2 * P] += wx * xr[c];
      }
    } else {
      for (size_t c2 = 0; c2 < up; ++c2) {  // upper triangle (the lower is copied by the caller)
        const double wx = w * xr[c2];
        r[c2] += wx * y;
        double* col = A + c2 * up;
        for (size_t c = 0; c <= c2; ++c) col[c] += wx * xr[c];
      }
    }
    sw += w;
    sy += w * y;
    syy += w * y * y;
  }
  if (P > 0) {
    for (int c2 = 0; c2 < P; ++c2) {
      r[c2] = rr[c2];
      for (int c = 0; c <= c2; ++c) A[c + c2 * P] = a[c + c2 * P];
    }
  }
}

// Start from least squares of log t on the scale design (events; all rows when events are few): the
// Weibull is a location-scale model for log T with extreme-value errors (sd pi / (gamma sqrt 6), mean
// -0.5772 / gamma), so gamma0 = pi / (sd sqrt 6) and the slopes map to -gamma0 b (PH) or -b (AFT).
bool ls_weibull_start(const Model& wb, const Scaling& sc, int S, std::vector<double>& b) {
  if (S < 0 || !has_intercept(wb, sc, static_cast<size_t>(S))) return false;
  const size_t Sj = static_cast<size_t>(S);
  const int p = wb.p[Sj];
  int64_t nev = 0;
  for (size_t k = 0; k < static_cast<size_t>(wb.n); ++k)  // (no branch: the censoring pattern is unpredictable)
    nev += static_cast<int>(wb.w[k] > 0) & static_cast<int>(wb.status[k] == kEvent);
  const bool events_only = nev >= p + 3;
  const size_t up = static_cast<size_t>(p);
  std::vector<double> A(up * up, 0.0), r(up, 0.0);
  double sw = 0, sy = 0, syy = 0;
  switch (p) {  // the accumulators in registers for the common small designs
    case 1: ls_normal_equations<1>(wb, Sj, events_only, A.data(), r.data(), sw, sy, syy); break;
    case 2: ls_normal_equations<2>(wb, Sj, events_only, A.data(), r.data(), sw, sy, syy); break;
    case 3: ls_normal_equations<3>(wb, Sj, events_only, A.data(), r.data(), sw, sy, syy); break;
    case 4: ls_normal_equations<4>(wb, Sj, events_only, A.data(), r.data(), sw, sy, syy); break;
    default: ls_normal_equations<0>(wb, Sj, events_only, A.data(), r.data(), sw, sy, syy); break;
  }
  if (!(sw > static_cast<double>(p) + 1)) return false;
  for (size_t c2 = 0; c2 < up; ++c2)
    for (size_t c = c2 + 1; c < up; ++c) A[c + c2 * up] = A[c2 + c * up];
  const std::vector<double> xy = r;  // X'y (solve_spd overwrites r with b)
  if (!solve_spd(A, r, up)) return false;
  double rss = syy;  // y'y - b'X'y
  {
    double bxy = 0;
    for (size_t c = 0; c < up; ++c) bxy += r[c] * xy[c];
    rss -= bxy;
  }
  (void)sy;
  const double sd = std::sqrt(std::max(rss, 0.0) / std::max(sw - static_cast<double>(p), 1.0));
  double gam0 = 1.0;
  const bool gamma_free = has_intercept(wb, sc, 2);
  if (gamma_free) {
    gam0 = sd > 0 ? 3.14159265358979 / (sd * std::sqrt(6.0)) : 1.0;
    gam0 = std::min(std::max(gam0, 0.05), 20.0);
  } else if (wb.info.structural[2]) {
    gam0 = std::exp(wb.info.fixed[2]);
  } else {
    gam0 = std::exp(mean_offset(wb, 2));
  }
  std::fill(b.begin(), b.end(), 0.0);
  const double mult = S == 1 ? -gam0 : -1.0;
  for (size_t c = 0; c < up; ++c) b[static_cast<size_t>(wb.start[Sj]) + c] = mult * r[c];
  const double euler = 0.5772156649015329;
  const double shift = S == 1 ? -euler - gam0 * mean_offset(wb, 0) - mean_offset(wb, 1)
                              : -(mean_offset(wb, 1) + euler) / gam0 - mean_offset(wb, 0);
  b[static_cast<size_t>(wb.start[Sj] + sc[Sj].intercept)] += shift / sc[Sj].ivalue;
  if (gamma_free) set_intercept(wb, sc, b, 2, std::log(gam0) - mean_offset(wb, 2));
  return true;
}

// Maximum-likelihood fit of a Weibull-kernel model with scale slot S: the better (by log-likelihood) of
// the exponential-rate start and the least-squares start, each with its scale intercept profiled, then
// trust-region Newton.
Attempt fit_weibull_kernel(const Model& wb, const Scaling& sc, const StartContext& ctx, int S, int maxit,
                           double tol, bool fallback, HessCache* cache) {
  std::vector<double> b(static_cast<size_t>(wb.ptot), 0.0);
  if (S >= 0) {
    const size_t Sj = static_cast<size_t>(S);
    const double other = S == 1 ? mean_offset(wb, 0) : mean_offset(wb, 1);
    if (sc[Sj].intercept >= 0) b[static_cast<size_t>(wb.start[Sj] + sc[Sj].intercept)] = (ctx.log_rate - other) / sc[Sj].ivalue;
  }
  // The profiled log-likelihood comes from the profiling pass when it has a closed form (or without a pass).
  double ll = profile_exponential_start(wb, sc, ctx, S, b);
  if (std::isnan(ll)) ll = profile_weibull_intercept(wb, sc, S, b);
  if (std::isnan(ll)) ll = detail::eval(wb, b.data(), nullptr, nullptr);
  std::vector<double> b2(b.size());
  if (ls_weibull_start(wb, sc, S, b2)) {
    double ll2 = profile_weibull_intercept(wb, sc, S, b2);
    if (std::isnan(ll2)) ll2 = detail::eval(wb, b2.data(), nullptr, nullptr);
    if (ll2 > ll || !std::isfinite(ll)) {
      b = b2;
      ll = ll2;
    }
  }
  Attempt a = run_newton(wb, b, all_free(wb), maxit, tol, fallback, kInf, cache);
  if (!std::isfinite(a.ll)) a.beta = b;
  return a;
}

int weibull_scale_slot(const Model& m) {
  const bool lam_free = m.p[1] > 0 && !m.info.structural[1];
  const bool phi_free = m.p[0] > 0;
  return lam_free ? 1 : (phi_free ? 0 : -1);
}

WeibullStart weibull_start(const Model& m, const Scaling& sc, const StartContext& ctx, int maxit, double tol) {
  WeibullStart ws;
  ws.scale_slot = weibull_scale_slot(m);
  std::array<bool, 4> keep{ws.scale_slot == 0, ws.scale_slot == 1, !m.info.structural[2], false};
  Model wb = restrict_model(m, Dist::weibull, keep);
  // restrict_model keeps the user's offsets of dropped slots (a structural lambda of loglogistic/pgw is 1).
  // A start only: a loose tolerance saves the last quadratic-convergence steps.
  // Two Newton steps from the least-squares start are enough for a start: the joint Newton of the target
  // distribution does the rest (each step costs one Hessian; robust_starts.cpp: no optimum lost).
  Attempt a = fit_weibull_kernel(wb, sc, ctx, ws.scale_slot, std::min(maxit, 2), std::max(tol, 1e-4), false, nullptr);
  ws.beta.assign(static_cast<size_t>(m.ptot), 0.0);
  for (size_t j = 0; j < 3; ++j) copy_block(wb, a.beta, m, ws.beta, j);
  const double eg = intercept_of(wb, sc, a.beta, 2) + mean_offset(wb, 2);
  ws.gamma0 = std::exp(eg);
  const double ep = intercept_of(wb, sc, a.beta, 0) + mean_offset(wb, 0);
  const double el = intercept_of(wb, sc, a.beta, 1) + mean_offset(wb, 1);
  ws.log_Href = el + ws.gamma0 * (ep + std::log(ctx.t_ref));
  return ws;
}

// Maps the Weibull start to m's distribution at kappa-slot value kslot (apgw: log(1+kappa); pgw: log kappa).
std::vector<double> map_start(const Model& m, const Scaling& sc, const StartContext& ctx, const WeibullStart& ws,
                              double kslot) {
  std::vector<double> b = ws.beta;
  const Kernel kern = m.info.kernel;
  double xi[4] = {0, 0, 0, kslot}, eta[4];
  if (m.p[3] > 0) set_intercept(m, sc, b, 3, kslot);
  detail::slots_to_eta(m.info, xi, eta);
  const double k = eta[3];
  const double g0 = ws.gamma0, ltr = std::log(ctx.t_ref);
  const bool phi_free = has_intercept(m, sc, 0), lam_free = has_intercept(m, sc, 1);
  if (ws.scale_slot == 1 && lam_free) {
    double ep = mean_offset(m, 0);
    if (phi_free) {
      for (int c = 0; c < m.p[0]; ++c) b[static_cast<size_t>(m.start[0] + c)] = 0.0;
      ep = -ltr;
      set_intercept(m, sc, b, 0, ep);
    }
    const double s = g0 * (ep + ltr);
    const double el = ws.log_Href - log_unit_cumhaz_s(kern, s, k) - mean_offset(m, 1);
    set_intercept(m, sc, b, 1, el);
  } else if (phi_free) {
    // lambda fixed (offset or structural): solve M((phi t_ref)^gamma) = H_ref / lambda for phi.
    const double el = m.info.structural[1] ? eta[1] : mean_offset(m, 1);
    double target = std::exp(ws.log_Href - el);
    if (kern == Kernel::cure) target = std::min(target, 0.9);
    if (kern == Kernel::apgw && eta[3] < 0) target = std::min(target, 0.9 * std::exp(k) / -std::expm1(k));
    double u = detail::unit_cumhaz_inverse(kern, k, target);
    if (!(u > 0) || !std::isfinite(u)) u = 1.0;
    set_intercept(m, sc, b, 0, std::log(u) / g0 - ltr - mean_offset(m, 0));
  }
  return b;
}

std::vector<int> free_except_block(const Model& m, size_t j) {
  std::vector<int> f;
  for (int k = 0; k < m.ptot; ++k)
    if (!(k >= m.start[j] && k < m.start[j] + m.p[j])) f.push_back(k);
  return f;
}

double max_eta(const Model& m, const std::vector<double>& b, size_t j) {
  double mx = -kInf;
  double xi[4];
  for (int64_t i = 0; i < m.n; ++i) {
    m.slots(i, b.data(), xi);
    mx = std::max(mx, xi[j]);
  }
  return mx;
}

bool at_gamma_bound(const Model& m, const Attempt& a) {
  return m.p[2] > 0 && m.gamma_max < 1e299 && max_eta(m, a.beta, 2) > m.gamma_max - 0.05;
}
bool at_cure_bound(const Model& m, const Scaling& sc, const Attempt& a) {
  if (m.info.dist != Dist::apgw || m.p[3] == 0) return false;
  const double ek = intercept_of(m, sc, a.beta, 3) + mean_offset(m, 3);
  const double el = intercept_of(m, sc, a.beta, 1) + mean_offset(m, 1);
  return ek < std::log(1e-3) || el > 20.0;
}

// Start for the threshold probe: log gamma = gamma_max, kappa = c / G (Burr: lambda = c / G, PGW: kappa = c / G),
// threshold 1/phi just below the smallest time, lambda matching log H(t_ref) = logHref.
std::vector<double> probe_start(const Model& m, const Scaling& sc, const StartContext& ctx, std::vector<double> b,
                                double c, double logHref, double gamma_max) {
  const Dist dist = m.info.dist;
  const double G = std::exp(gamma_max), ltr = std::log(ctx.t_ref);
  set_intercept(m, sc, b, 2, gamma_max - mean_offset(m, 2));
  double ep = intercept_of(m, sc, b, 0) + mean_offset(m, 0);
  if (has_intercept(m, sc, 0)) {
    ep = -std::log(0.98 * ctx.t_min);
    set_intercept(m, sc, b, 0, ep - mean_offset(m, 0));
  }
  double knew = 0.0;
  if (dist == Dist::apgw) {
    knew = std::log1p(c / G);
    set_intercept(m, sc, b, 3, knew - mean_offset(m, 3));
  } else if (dist == Dist::pgw) {
    knew = std::log1p(c / G);
    set_intercept(m, sc, b, 3, std::log(c / G) - mean_offset(m, 3));
  }
  if (dist != Dist::pgw) {
    const double el = logHref - log_unit_cumhaz_s(m.info.kernel, G * (ep + ltr), knew);
    set_intercept(m, sc, b, 1, el - mean_offset(m, 1));
  }
  return b;
}

// False when the threshold boundary (gamma -> inf, kappa gamma -> c: zero hazard before t0 = 1/phi) cannot
// carry the likelihood: phi has no free coefficients and some event (or upper interval end) lies at or before
// 1/phi, where the limit density is 0.
bool threshold_reachable(const Model& m, const std::vector<double>& beta) {
  if (m.p[0] > 0) return true;
  double xi[4], eta[4];
  for (int64_t i = 0; i < m.n; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (m.w[k] == 0 || m.status[k] == kRight) continue;
    m.slots(i, beta.data(), xi);
    detail::slots_to_eta(m.info, xi, eta);
    const double upper = m.status[k] == kInterval ? m.logt2[k] : m.logt[k];
    if (eta[0] + upper <= 0) return false;
  }
  return true;
}

// Converged with a positive-definite information matrix (the Hessian from the cache when it is at beta).
bool information_pd(const Model& m, const std::vector<double>& beta, const HessCache* cache) {
  const size_t P = static_cast<size_t>(m.ptot);
  if (P == 0) return true;
  std::vector<double> h;
  if (cache && cache->matches(m, beta)) {
    h = cache->h;
  } else {
    std::vector<double> g(P);
    h.resize(P * P);
    if (!std::isfinite(detail::eval(m, beta.data(), g.data(), h.data()))) return false;
  }
  for (auto& v : h) v = -v;
  try {
    return numeric::covariance_from_hessian(h, P, 1e-12).ok;
  } catch (const Error&) {
    return false;
  }
}

bool is_clean(const Model& m, const Scaling& sc, const Attempt& a, const HessCache* cache) {
  if (a.clean < 0)
    a.clean = a.conv.converged && !at_gamma_bound(m, a) && !at_cure_bound(m, sc, a) && information_pd(m, a.beta, cache);
  return a.clean == 1;
}

}  // namespace

namespace detail {
FitSettings read_settings(const char* fn, const Options& options) {
  FitSettings st;
  st.maxit = static_cast<int>(options.get_int("maxit", 200));
  st.tol = options.get_double("tol", 1e-8);
  st.nstarts = options.get_int("starts", 0);
  st.start = options.get_vector("start", {});
  st.scale = options.get_bool("scale", true);
  st.seed = static_cast<uint64_t>(options.get_int("seed", 1));
  st.gamma_max = options.get_double("gamma_max", std::log(50.0));
  st.probe = options.get_bool("probe", true);
  st.threads = options.get_int("threads", 1);
  static const char* const known[] = {"maxit", "tol",   "starts",  "start", "scale",
                                      "seed",  "gamma_max", "probe", "threads", "ties"};
  for (const auto& key : options.keys())
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      check::fail(fn,
                  "unknown option '" + key +
                      "' (known: maxit, tol, starts, start, scale, seed, gamma_max, probe, threads, ties)",
                  Status::not_found);
  check::require(st.threads >= 0 && st.threads <= 1024, fn,
                 "threads is " + std::to_string(st.threads) + ", but must be in 0..1024 (0: all hardware threads)");
  check::at_least(fn, "maxit", st.maxit, 1);
  check::positive(fn, "tol", st.tol);
  check::at_least(fn, "starts", st.nstarts, 0);
  check::finite(fn, "gamma_max", st.gamma_max);
  return st;
}

void configure_model(Model& m, const FitSettings& st) {
  const Dist dist = m.info.dist;
  m.threads = st.threads == 0 ? -1 : static_cast<int>(st.threads);
  if ((dist == Dist::apgw || dist == Dist::burr || dist == Dist::pgw) && m.p[2] > 0) m.gamma_max = st.gamma_max;
  if (dist == Dist::apgw) m.k_min = -20.0;
}

int64_t describe_result(SurvFit& out, const Model& m, const Design& design, int64_t df) {
  FitResult& r = out.result;
  const Dist dist = m.info.dist;
  out.dist = dist;
  for (size_t j = 0; j < 4; ++j) {
    out.block_start[j] = m.start[j];
    out.block_size[j] = m.p[j];
  }
  r.family = "survival";
  r.model = dist_name(dist);
  r.df = df;
  int64_t nobs = 0;
  for (double w : m.w) nobs += w > 0 ? 1 : 0;
  r.nobs = nobs;
  r.coef_names.clear();
  for (size_t j = 0; j < 4; ++j) {
    const auto& names = design.par[j].names;
    for (int c = 0; c < m.p[j]; ++c)
      r.coef_names.push_back(std::string(par_name(static_cast<Par>(j))) + ":" +
                             (names.empty() ? "x" + std::to_string(c) : names[static_cast<size_t>(c)]));
  }
  return nobs;
}

void finish_notes(SurvFit& out, const std::vector<std::string>& notes) {
  auto join = [](const std::vector<std::string>& v, const char* sep) {
    std::string t;
    for (const auto& x : v) t += (t.empty() ? "" : sep) + x;
    return t;
  };
  if (!out.flags.empty()) out.result.notes["flags"] = join(out.flags, ",");
  if (!notes.empty()) out.result.notes["boundary"] = join(notes, "; ");
}
}  // namespace detail

SurvFit fit(const SurvData& data, const Design& design, Dist dist, const Options& options) {
  const char* fn = "surv_fit";
  if (options.has("ties")) return detail::fit_tied(data, design, dist, options);  // accelerated hazards (ties.cpp)
  const detail::FitSettings st = detail::read_settings(fn, options);
  const int maxit = st.maxit;
  const double tol = st.tol;
  const int64_t nstarts = st.nstarts;
  const std::vector<double>& user_start = st.start;
  const uint64_t seed = st.seed;
  const double gamma_max = st.gamma_max;
  const bool probe = st.probe;

  Model m = detail::build_model(fn, data, design, dist);
  detail::configure_model(m, st);
  const Scaling sc = scale_model(m, st.scale);
  const size_t P = static_cast<size_t>(m.ptot);
  const bool threshold_prone = (dist == Dist::apgw || dist == Dist::burr || dist == Dist::pgw) && m.p[2] > 0;
  const StartContext ctx = start_context(m, data);

  SurvFit out;
  std::vector<std::string> notes;

  // ---- 2. starts and optimisation
  HessCache cache;
  std::vector<Attempt> candidates;
  const std::vector<int> free = all_free(m);
  if (!user_start.empty()) {
    check::same_size(fn, "start", static_cast<int64_t>(user_start.size()), m.ptot);
    check::finite(fn, "start", user_start.data(), m.ptot);
    candidates.push_back(run_newton(m, to_scaled(m, sc, user_start), free, maxit, tol, true, kInf, &cache));
  }
  const bool user_ok = !candidates.empty() && is_clean(m, sc, candidates[0], &cache);
  WeibullStart ws;
  bool ws_used = false;
  if (!user_ok && (dist == Dist::weibull || dist == Dist::exponential)) {
    // The Weibull-kernel fit is the fit.
    candidates.push_back(fit_weibull_kernel(m, sc, ctx, weibull_scale_slot(m), maxit, tol, true, &cache));
  } else if (!user_ok) {
    ws = weibull_start(m, sc, ctx, maxit, tol);
    ws_used = true;
    std::vector<double> grid;
    if (dist == Dist::apgw)
      for (double k : {-0.75, -0.5, 0.0, 0.5, 2.0, 5.0}) grid.push_back(std::log1p(k));
    else if (dist == Dist::pgw)
      for (double k : {0.25, 0.5, 1.0, 2.0, 5.0}) grid.push_back(std::log(k));
    else
      grid.push_back(0.0);
    const bool profile = m.p[3] > 0 && grid.size() > 1;
    bool done = false;
    if (profile) {
      // Quick path: the Weibull fit embedded at kappa = 1 (its exact log-likelihood; a point on the
      // confounded ridge when both scales are free, which the trust-region Newton leaves along the
      // negative-curvature / gradient direction), then joint Newton. Accepted when the result is a clean
      // interior maximum.
      const double k1 = dist == Dist::apgw ? std::log(2.0) : 0.0;
      candidates.push_back(run_newton(m, map_start(m, sc, ctx, ws, k1), free, maxit, tol, false, kInf, &cache));
      done = is_clean(m, sc, candidates.back(), &cache);
    }
    if (!done) {
      // Robust path (spec 2.4): profile over the kappa grid (a few Newton steps with kappa fixed), then joint
      // Newton from the best profile points until one is clean (at most three).
      std::vector<Attempt> prof;
      for (double k : grid) {
        std::vector<double> b0 = map_start(m, sc, ctx, ws, k);
        if (profile)
          prof.push_back(run_newton(m, b0, free_except_block(m, 3), 4, 1e-3, false));
        else
          prof.push_back(Attempt{b0, detail::eval(m, b0.data(), nullptr, nullptr), {}});
      }
      std::vector<size_t> order(prof.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return prof[a].ll > prof[b].ll; });
      int tried = 0;
      for (size_t idx : order) {
        if (!std::isfinite(prof[idx].ll) && tried > 0) break;
        candidates.push_back(run_newton(m, prof[idx].beta, free, maxit, tol, true, kInf, &cache));
        ++tried;
        if (is_clean(m, sc, candidates.back(), &cache) || tried >= 3) break;
      }
    }
  }
  if (nstarts > 0) {
    // Random restarts around the best point so far.
    const Attempt* best = &candidates[0];
    for (const auto& c : candidates)
      if (c.ll > best->ll) best = &c;
    const std::vector<double> centre = best->beta;
    for (int64_t r = 0; r < nstarts; ++r) {
      Rng rng = Rng::for_stream(seed, static_cast<uint64_t>(r));
      std::vector<double> b = centre;
      for (auto& v : b) v += 0.5 * rng.normal();
      candidates.push_back(run_newton(m, b, free, maxit, tol, true, kInf, &cache));
    }
  }
  // Pick: best clean (converged interior) candidate; else best overall.
  const Attempt* pick = nullptr;
  for (const auto& c : candidates) {
    if (is_clean(m, sc, c, &cache) && (!pick || c.ll > pick->ll)) pick = &c;
  }
  bool clean_pick = pick != nullptr;
  if (!pick) {
    pick = &candidates[0];
    for (const auto& c : candidates)
      if (c.ll > pick->ll || !std::isfinite(pick->ll)) pick = &c;
  }
  Attempt best = *pick;
  out.result.convergence = best.conv;

  // ---- 3. boundaries
  if (at_gamma_bound(m, best)) {
    out.flags.push_back("threshold_boundary");
    out.result.convergence.converged = false;
    out.result.convergence.reason = "boundary: log gamma reached gamma_max (the threshold boundary)";
    notes.push_back("log gamma reached its bound gamma_max = " + check::fmt(gamma_max) +
                    ": the likelihood rises towards the threshold (left-truncated Weibull) boundary, so there is no "
                    "interior MLE");
  } else if (probe && threshold_prone && has_intercept(m, sc, 2) && (dist == Dist::pgw || has_intercept(m, sc, 1)) &&
             threshold_reachable(m, best.beta)) {
    // Probe the threshold boundary at log gamma = gamma_max, from the fit (kappa gamma kept) and from the
    // Weibull start (c = Weibull shape); a higher logL there means the supremum is on the boundary.
    // Each probe is a Newton run over the other coefficients that stops as soon as it beats the fit, or
    // when its quadratic model says it cannot get within reach of it.
    Model& mp = m;
    const double gmax_saved = m.gamma_max;
    mp.gamma_max = kInf;
    std::vector<int> fr;
    const int gi = m.start[2] + sc[2].intercept;
    for (int k = 0; k < m.ptot; ++k)
      if (k != gi) fr.push_back(k);
    double xi[4] = {intercept_of(m, sc, best.beta, 0) + mean_offset(m, 0),
                    intercept_of(m, sc, best.beta, 1) + mean_offset(m, 1),
                    intercept_of(m, sc, best.beta, 2) + mean_offset(m, 2),
                    intercept_of(m, sc, best.beta, 3) + mean_offset(m, 3)};
    double eta[4];
    detail::slots_to_eta(m.info, xi, eta);
    const double c_fit = dist == Dist::burr ? std::exp(eta[1] + eta[2]) : std::expm1(eta[3]) * std::exp(eta[2]);
    detail::TimeEval te;
    detail::eval_time(m.info.kernel, eta, std::log(ctx.t_ref), 0, te);
    double probe_ll = -kInf;
    if (c_fit > 0) {
      const auto b = probe_start(m, sc, ctx, best.beta, c_fit, std::log(te.H), gamma_max);
      probe_ll = std::max(probe_ll, run_newton(mp, b, fr, 15, 1e-5, false, best.ll + 1e-3, nullptr, 4.0).ll);
    }
    if (ws_used && !(probe_ll > best.ll + 1e-6)) {
      const auto b = probe_start(m, sc, ctx, ws.beta, ws.gamma0, ws.log_Href, gamma_max);
      probe_ll = std::max(probe_ll, run_newton(mp, b, fr, 15, 1e-5, false, best.ll + 1e-3, nullptr, 4.0).ll);
    }
    m.gamma_max = gmax_saved;
    out.result.extras["threshold_loglik"] = {probe_ll};
    if (std::isfinite(probe_ll) && probe_ll > best.ll + 1e-6) {
      out.flags.push_back("threshold_boundary");
      notes.push_back(std::string(clean_pick ? "interior local maximum; " : "") + "the likelihood is higher (" +
                      check::fmt(probe_ll) +
                      ") at log gamma = gamma_max on the path to the threshold (left-truncated Weibull) boundary, "
                      "whose supremum is not an MLE");
    }
  }
  if (at_cure_bound(m, sc, best)) {
    out.flags.push_back("cure_boundary");
    out.result.convergence.converged = false;
    out.result.convergence.reason = "boundary: kappa runs to -1 (the promotion-time cure limit)";
    notes.push_back("kappa -> -1: the fit runs to the promotion-time cure limit (lambda -> inf, phi -> 0); see "
                    "cure_limit_loglik or refit with dist = cure_limit");
    // Fit the cure limit directly from the mapped point.
    Model mc = restrict_model(m, Dist::cure_limit, {true, true, true, false});
    std::vector<double> bc(static_cast<size_t>(mc.ptot), 0.0);
    for (size_t j = 0; j < 3; ++j) copy_block(m, best.beta, mc, bc, j);
    const double ek = intercept_of(m, sc, best.beta, 3) + mean_offset(m, 3);
    const double g0 = std::exp(intercept_of(m, sc, best.beta, 2) + mean_offset(m, 2));
    set_intercept(mc, sc, bc, 0, intercept_of(m, sc, best.beta, 0) - ek / g0);
    set_intercept(mc, sc, bc, 1, intercept_of(m, sc, best.beta, 1) + ek);
    Attempt ca = run_newton(mc, bc, all_free(mc), maxit, tol, true);
    out.result.extras["cure_limit_loglik"] = {ca.ll};
    std::vector<double> co(ca.beta.size());
    for (size_t j = 0; j < 3; ++j)
      block_to_orig(sc[j], ca.beta.data() + mc.start[j], co.data() + mc.start[j], mc.p[j]);
    out.result.extras["cure_limit_coef"] = co;
    out.result.extras["cure_limit_converged"] = {ca.conv.converged ? 1.0 : 0.0};
  }
  if (dist == Dist::apgw && m.p[3] > 0 && out.flags.empty() && std::isfinite(best.ll)) {
    // kappa -> +inf (spec 1.3): H0(z; kappa) -> e^z - 1, the Gompertz limit H = lambda (exp((phi t)^gamma) - 1)
    // with phi, lambda and gamma unchanged. When log(1+kappa) > log(1 + 1e3) on every row, fit that limit
    // directly from the same coefficients and flag when it fits as well: the supremum is at kappa = inf.
    // Not checked when another boundary (threshold, cure) is already flagged.
    double ekmin = kInf;
    double xi[4], eta[4];
    for (int64_t i = 0; i < m.n; ++i) {
      if (m.w[static_cast<size_t>(i)] == 0) continue;
      m.slots(i, best.beta.data(), xi);
      detail::slots_to_eta(m.info, xi, eta);
      ekmin = std::min(ekmin, eta[3]);
    }
    if (ekmin > std::log1p(1e3)) {
      Model mg = restrict_model(m, Dist::gompertz, {true, true, true, false});
      std::vector<double> bg(static_cast<size_t>(mg.ptot), 0.0);
      for (size_t j = 0; j < 3; ++j) copy_block(m, best.beta, mg, bg, j);
      Attempt ga = run_newton(mg, bg, all_free(mg), maxit, tol, true);
      out.result.extras["gompertz_limit_loglik"] = {ga.ll};
      if (std::isfinite(ga.ll) && !(ga.ll < best.ll - 1e-4)) {
        out.flags.push_back("gompertz_limit");
        out.result.convergence.converged = false;
        out.result.convergence.reason = "boundary: kappa runs to +inf (the Gompertz limit)";
        notes.push_back("kappa -> +inf (log(1+kappa) = " + check::fmt(ekmin) +
                        "): the fit runs to its Gompertz limit lambda (exp((phi t)^gamma) - 1), not an interior "
                        "MLE; see gompertz_limit_loglik or refit with dist = gompertz (same phi, lambda and gamma "
                        "formulas)");
        std::vector<double> go(ga.beta.size());
        for (size_t j = 0; j < 3; ++j)
          block_to_orig(sc[j], ga.beta.data() + mg.start[j], go.data() + mg.start[j], mg.p[j]);
        out.result.extras["gompertz_limit_coef"] = go;
        out.result.extras["gompertz_limit_converged"] = {ga.conv.converged ? 1.0 : 0.0};
      }
    }
  }

  if (dist == Dist::gompertz && std::isfinite(best.ll)) {
    // Gompertz shape -> 0 (spec 1.3): H = lambda (exp((phi t)^gamma) - 1) -> lambda phi^gamma t^gamma as
    // phi -> 0 with lambda phi^gamma fixed, the exponential (gamma = 1) or Weibull limit. When the data
    // have no increasing hazard the fit runs there: u = (phi t)^gamma tiny for every row. Confirm with the
    // limit fitted directly (Weibull kernel, lambda carrying the scale) and flag it.
    double umax = 0;
    double xi[4], eta[4];
    for (int64_t i = 0; i < m.n; ++i) {
      const size_t k = static_cast<size_t>(i);
      if (m.w[k] == 0) continue;
      m.slots(i, best.beta.data(), xi);
      detail::slots_to_eta(m.info, xi, eta);
      const double upper = m.status[k] == kInterval ? m.logt2[k] : m.logt[k];
      umax = std::max(umax, std::exp(std::exp(eta[2]) * (eta[0] + upper)));
    }
    if (umax < 1e-4) {
      Model ml = restrict_model(m, Dist::weibull, {false, true, true, false});
      // phi's offset (if any) stays in the Weibull kernel; its coefficients move into lambda's intercept.
      const int S = has_intercept(ml, sc, 1) ? 1 : -1;
      const Attempt la = fit_weibull_kernel(ml, sc, ctx, S, maxit, tol, false, nullptr);
      out.result.extras["limit_loglik"] = {la.ll};
      if (!(la.ll < best.ll - 1e-4)) {
        out.flags.push_back("gompertz_boundary");
        out.result.convergence.converged = false;
        out.result.convergence.reason = std::string("boundary: the Gompertz shape runs to 0 (the ") +
                                        (m.p[2] > 0 ? "Weibull" : "exponential") + " limit)";
        notes.push_back(std::string("the Gompertz shape runs to 0 (phi -> 0, lambda -> inf; max (phi t)^gamma = ") +
                        check::fmt(umax) + "): the fit is at its " + (m.p[2] > 0 ? "Weibull" : "exponential") +
                        " limit (limit_loglik), not an interior MLE; the hazard is not increasing, so refit with dist = " +
                        (m.p[2] > 0 ? "weibull" : "exponential"));
      }
    }
  }

  // ---- 4. inference
  std::vector<double> g(P), h(P * P);
  // B = sum of the per-observation score outer products (the sandwich's meat), accumulated in the row
  // pass. The Hessian at the returned point is usually cached from Newton's last evaluation: then only
  // first-order quantities are evaluated.
  std::vector<double> B(P * P, 0.0);
  double ll;
  if (cache.matches(m, best.beta) && cache.has_B) {
    ll = cache.ll;
    g = cache.g;
    h = cache.h;
    B = cache.B;
  } else if (cache.matches(m, best.beta)) {
    ll = detail::eval(m, best.beta.data(), g.data(), nullptr, nullptr, B.data());
    h = cache.h;
  } else {
    ll = detail::eval(m, best.beta.data(), g.data(), h.data(), nullptr, B.data());
  }
  const std::vector<double> T = transform_matrix(m, sc);
  const int64_t nobs = detail::describe_result(out, m, design, static_cast<int64_t>(P));
  out.result.coef = to_orig(m, sc, best.beta);
  out.result.loglik = ll;
  std::vector<double> Vs;
  if (P > 0 && std::isfinite(ll)) {
    std::vector<double> nh(P * P);
    for (size_t k = 0; k < P * P; ++k) nh[k] = -h[k];
    const auto hc = numeric::covariance_from_hessian(nh, P, 1e-12, fn);
    if (hc.ok) {
      Vs = hc.vcov;
      out.result.vcov = sandwich(T, Vs, P);
      // robust: V B V with B = sum of score outer products
      const auto VB = sandwich(Vs, B, P);  // Vs B Vs' (Vs symmetric)
      out.result.extras["vcov_robust"] = sandwich(T, VB, P);
    } else {
      out.result.vcov.assign(P * P, kNaN);
      out.result.extras["vcov_robust"] = std::vector<double>(P * P, kNaN);
      notes.push_back(hc.reason);
      out.result.notes["vcov"] = hc.reason;
      if (out.result.convergence.converged)
        out.result.convergence.reason = "boundary: the information matrix is singular (a scale runs to a limit)";
      if (out.flags.empty()) {
        out.flags.push_back("scale_boundary");
        notes.push_back("the information matrix is singular at the returned point: some scale runs to a limit "
                        "(e.g. phi -> 0 with lambda -> inf, the Weibull limit, in a covariate group); not an MLE");
      }
      out.result.convergence.converged = false;
    }
  }
  // phi/lambda confounding near kappa = 1 with both scales free.
  if (dist == Dist::apgw && m.p[0] > 0 && m.p[1] > 0 && has_intercept(m, sc, 3)) {
    const size_t ki = static_cast<size_t>(m.start[3] + sc[3].intercept);
    const double ek = best.beta[ki] * sc[3].ivalue + mean_offset(m, 3);
    const double se = Vs.empty() ? kNaN : std::sqrt(Vs[ki + ki * P]) * std::fabs(sc[3].ivalue);
    const double dist1 = std::fabs(ek - std::log(2.0));
    const bool near = std::isfinite(se) ? (dist1 < 0.5 && dist1 <= se) : dist1 < 0.05;
    if (near && !at_cure_bound(m, sc, best)) {
      out.flags.push_back("phi_lambda_confounded");
      notes.push_back("kappa is within one standard error of 1 with both phi and lambda free: the AFT and PH "
                      "scales are (nearly) confounded and their SEs are unreliable");
    }
  }
  out.result.extras["aic"] = {-2.0 * ll + 2.0 * static_cast<double>(P)};
  out.result.extras["bic"] = {-2.0 * ll + std::log(static_cast<double>(nobs)) * static_cast<double>(P)};
  out.result.convergence.objective = -ll;
  double gn = 0;
  for (double v : g) gn = std::max(gn, std::fabs(v));
  out.result.convergence.grad_norm = gn;
  detail::finish_notes(out, notes);
  return out;
}

}  // namespace hetmod::survival
