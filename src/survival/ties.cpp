// src/survival/ties.cpp -- tied coefficients: the accelerated-hazards (AH) submodel (spec/survival.md 1.5).
//
// With log phi = x'tau and log lambda = x'beta the hazard is h0(t e^{x'tau}) e^{x'(beta + tau)}; the tie
// beta = -tau gives accelerated hazards h(t|x) = h0(t e^{x'tau}). The full coefficient vector is
// beta = A theta, where A maps each reduced coefficient to one or two full coefficients with sign +-1
// (a tied lambda coefficient is minus its phi partner). Newton (optim::minimize_newton) runs over
// u = theta * s (s = sd of the coefficient's column, 1 for constant columns) with gradient A'g / s and
// Hessian A'HA / (s s'), from the fit without the tied covariates (tau = 0). Inference: V_theta = inverse
// observed information of theta, vcov = A V_theta A' (rank-deficient, consistent for predict/simulate),
// vcov_robust = A V_theta (A'BA) V_theta A'.
#include "ties.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "hetmod/optim/newton.hpp"
#include "hetmod/survival/loglik.hpp"
#include "internal.hpp"

namespace hetmod::survival::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// beta_k = sign[k] * theta[red[k]].
struct TieMap {
  size_t P = 0, D = 0;
  std::vector<size_t> red;
  std::vector<double> sign;
  std::vector<size_t> full_of;  // D: a full index carrying each reduced coefficient with sign +1
  std::vector<double> beta(const std::vector<double>& theta) const {
    std::vector<double> b(P);
    for (size_t k = 0; k < P; ++k) b[k] = sign[k] * theta[red[k]];
    return b;
  }
  std::vector<double> project(const std::vector<double>& b) const {  // theta from a full vector (phi wins)
    std::vector<double> t(D);
    for (size_t r = 0; r < D; ++r) t[r] = b[full_of[r]];
    return t;
  }
  std::vector<double> reduce_grad(const double* g) const {
    std::vector<double> out(D, 0.0);
    for (size_t k = 0; k < P; ++k) out[red[k]] += sign[k] * g[k];
    return out;
  }
  std::vector<double> reduce_hess(const double* h) const {  // A' H A
    std::vector<double> out(D * D, 0.0);
    for (size_t b = 0; b < P; ++b)
      for (size_t a = 0; a < P; ++a) out[red[a] + red[b] * D] += sign[a] * sign[b] * h[a + b * P];
    return out;
  }
  std::vector<double> expand(const std::vector<double>& V) const {  // A V A'
    std::vector<double> out(P * P);
    for (size_t b = 0; b < P; ++b)
      for (size_t a = 0; a < P; ++a) out[a + b * P] = sign[a] * sign[b] * V[red[a] + red[b] * D];
    return out;
  }
};

TieMap make_map(const Model& m, const Ties& ties) {
  TieMap t;
  t.P = static_cast<size_t>(m.ptot);
  t.red.assign(t.P, 0);
  t.sign.assign(t.P, 1.0);
  std::vector<int> tied_to(t.P, -1);  // lambda full index -> phi full index
  for (const auto& pr : ties) tied_to[static_cast<size_t>(m.start[1] + pr.second)] = m.start[0] + pr.first;
  for (size_t k = 0; k < t.P; ++k) {
    if (tied_to[k] >= 0) continue;
    t.red[k] = t.full_of.size();
    t.full_of.push_back(k);
  }
  for (size_t k = 0; k < t.P; ++k)
    if (tied_to[k] >= 0) {
      t.red[k] = t.red[static_cast<size_t>(tied_to[k])];
      t.sign[k] = -1.0;
    }
  t.D = t.full_of.size();
  return t;
}

class TiedObjective : public optim::Problem {
 public:
  TiedObjective(const Model& m, const TieMap& map, std::vector<double> s) : m_(m), map_(map), s_(std::move(s)) {}
  std::size_t dim() const override { return map_.D; }
  bool has_hessian() const override { return true; }
  std::vector<double> beta_of(const double* u) const {
    std::vector<double> th(map_.D);
    for (size_t r = 0; r < map_.D; ++r) th[r] = u[r] / s_[r];
    return map_.beta(th);
  }
  double value_and_gradient(const double* u, double* grad) override {
    const auto b = beta_of(u);
    std::vector<double> g(map_.P);
    const double ll = eval(m_, b.data(), grad ? g.data() : nullptr, nullptr);
    if (!std::isfinite(ll)) return kInf;
    if (grad) {
      const auto gr = map_.reduce_grad(g.data());
      for (size_t r = 0; r < map_.D; ++r) grad[r] = -gr[r] / s_[r];
    }
    return -ll;
  }
  double value_gradient_hessian(const double* u, double* grad, double* hess) override {
    const auto b = beta_of(u);
    const size_t P = map_.P, D = map_.D;
    std::vector<double> g(P), h(P * P);
    const double ll = eval(m_, b.data(), g.data(), h.data());
    if (!std::isfinite(ll)) return kInf;
    const auto gr = map_.reduce_grad(g.data());
    const auto hr = map_.reduce_hess(h.data());
    for (size_t a = 0; a < D; ++a) {
      grad[a] = -gr[a] / s_[a];
      for (size_t c = 0; c < D; ++c) hess[a + c * D] = -hr[a + c * D] / (s_[a] * s_[c]);
    }
    return -ll;
  }

 private:
  const Model& m_;
  const TieMap& map_;
  std::vector<double> s_;
};

struct TiedRun {
  std::vector<double> theta;
  double ll = -kInf;
  Convergence conv;
};

TiedRun newton_tied(const Model& m, const TieMap& map, const std::vector<double>& s, std::vector<double> theta,
                    int maxit, double tol) {
  TiedObjective obj(m, map, s);
  std::vector<double> u(map.D);
  for (size_t r = 0; r < map.D; ++r) u[r] = theta[r] * s[r];
  optim::NewtonOptions no;
  no.max_iter = maxit;
  no.grad_tol = tol;
  no.correct_rejected = true;
  TiedRun out;
  out.conv = optim::minimize_newton(obj, u, no);
  out.theta.assign(map.D, 0.0);
  for (size_t r = 0; r < map.D; ++r) out.theta[r] = u[r] / s[r];
  const auto b = map.beta(out.theta);
  out.ll = eval(m, b.data(), nullptr, nullptr);
  return out;
}

// A converged interior maximum: Newton converged, the reduced information is positive definite, and no
// boundary is reached (log gamma below its bound, 1 + kappa >= 1e-3 for the APGW).
bool tied_clean(const Model& m, const TieMap& map, const TiedRun& r) {
  if (!r.conv.converged || !std::isfinite(r.ll)) return false;
  const auto b = map.beta(r.theta);
  double xi[4];
  for (int64_t i = 0; i < m.n; ++i) {
    m.slots(i, b.data(), xi);
    if (m.p[2] > 0 && m.gamma_max < 1e300 && xi[2] > m.gamma_max - 1e-3) return false;
    if (m.info.dist == Dist::apgw && m.p[3] > 0 && std::exp(xi[3]) < 1e-3) return false;
  }
  std::vector<double> g(map.P), h(map.P * map.P);
  eval(m, b.data(), g.data(), h.data());
  auto nh = map.reduce_hess(h.data());
  for (auto& v : nh) v = -v;
  if (!std::all_of(nh.begin(), nh.end(), [](double v) { return std::isfinite(v); })) return false;
  return numeric::covariance_from_hessian(nh, map.D, 1e-12).ok;
}

bool is_tied_lambda(const Ties& ties, int c) {
  return std::any_of(ties.begin(), ties.end(), [c](const std::pair<int, int>& p) { return p.second == c; });
}
bool is_tied_phi(const Ties& ties, int c) {
  return std::any_of(ties.begin(), ties.end(), [c](const std::pair<int, int>& p) { return p.first == c; });
}

}  // namespace

Ties parse_ties(const char* fn, const std::vector<double>& v, const SurvData& data, const Design& design, Dist dist) {
  if (dist == Dist::weibull || dist == Dist::exponential)
    check::fail(fn, std::string("ties (accelerated hazards) need phi and lambda both free, but dist = ") +
                        dist_name(dist) +
                        " has one scale: there the AH model h0(t e^{x'tau}) is the PH model with lambda "
                        "coefficient (gamma - 1) tau (a reparametrisation), so fit the PH model instead");
  if (dist == Dist::loglogistic || dist == Dist::pgw)
    check::fail(fn, std::string("ties (accelerated hazards) need phi and lambda both free, but dist = ") +
                        dist_name(dist) + " fixes lambda; use dist = apgw, burr, gompertz or cure_limit");
  check::require(!v.empty() && v.size() % 2 == 0, fn,
                 "option 'ties' must hold pairs (phi column, lambda column), but has length " +
                     std::to_string(v.size()));
  const auto& xp = design.par[0].x;
  const auto& xl = design.par[1].x;
  const int64_t n = data.time.n;
  Ties ties;
  for (size_t k = 0; k < v.size(); k += 2) {
    const double a = v[k], b = v[k + 1];
    check::require(std::isfinite(a) && std::isfinite(b) && a == std::floor(a) && b == std::floor(b), fn,
                   "option 'ties' must hold integer column indices (0-based)");
    check::require(a >= 0 && a < static_cast<double>(xp.ncol), fn,
                   "tie " + std::to_string(k / 2 + 1) + ": phi column " + check::fmt(a) + " is out of range (phi has " +
                       std::to_string(xp.ncol) + " columns, 0-based)");
    check::require(b >= 0 && b < static_cast<double>(xl.ncol), fn,
                   "tie " + std::to_string(k / 2 + 1) + ": lambda column " + check::fmt(b) +
                       " is out of range (lambda has " + std::to_string(xl.ncol) + " columns, 0-based)");
    const int i = static_cast<int>(a), j = static_cast<int>(b);
    check::require(!is_tied_phi(ties, i) && !is_tied_lambda(ties, j), fn,
                   "tie " + std::to_string(k / 2 + 1) + ": a column is tied twice");
    check::require(xp.nrow == n && xl.nrow == n, fn, "the phi and lambda designs must have one row per observation");
    bool same = true, constant = true;
    for (int64_t r = 0; r < n; ++r) {
      same = same && xp(r, i) == xl(r, j);
      constant = constant && xp(r, i) == xp(0, i);
    }
    check::require(same, fn,
                   "tie " + std::to_string(k / 2 + 1) + ": phi column " + std::to_string(i) + " and lambda column " +
                       std::to_string(j) + " do not hold the same values (a tie needs the same covariate in both)");
    check::require(!constant, fn,
                   "tie " + std::to_string(k / 2 + 1) +
                       ": the tied column is constant (an intercept); intercepts of phi and lambda stay free");
    ties.emplace_back(i, j);
  }
  return ties;
}

SurvFit fit_tied(const SurvData& data, const Design& design, Dist dist, const Options& options) {
  const char* fn = "surv_fit";
  const FitSettings st = read_settings(fn, options);
  const int maxit = st.maxit;
  const double tol = st.tol;
  const std::vector<double>& user_start = st.start;
  const std::vector<double> tie_vec = options.get_vector("ties", {});
  // The untied fits that supply starts.
  Options sub = options;
  sub.erase("ties");
  sub.erase("start");
  const bool probe = st.probe;
  double null_threshold_ll = -kInf;  // threshold-path log-likelihood of the model without the tied covariates

  const Ties ties = parse_ties(fn, tie_vec, data, design, dist);
  Model m = build_model(fn, data, design, dist);
  configure_model(m, st);  // (the PGW, threshold-prone too, is refused by parse_ties)
  const TieMap map = make_map(m, ties);
  const size_t P = map.P, D = map.D;

  // Column scales of the reduced coefficients.
  std::vector<double> s(D, 1.0);
  for (size_t r = 0; r < D; ++r) {
    const size_t k = map.full_of[r];
    size_t j = 0;
    while (j + 1 < 4 && static_cast<int>(k) >= m.start[j + 1]) ++j;
    const int c = static_cast<int>(k) - m.start[j], p = m.p[j];
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < m.n; ++i) s1 += m.x[j][static_cast<size_t>(i * p + c)];
    const double mu = s1 / static_cast<double>(m.n);
    for (int64_t i = 0; i < m.n; ++i) {
      const double d = m.x[j][static_cast<size_t>(i * p + c)] - mu;
      s2 += d * d;
    }
    const double sd = std::sqrt(s2 / static_cast<double>(m.n));
    if (sd > 0 && std::isfinite(sd)) s[r] = sd;
  }

  std::vector<TiedRun> runs;
  if (!user_start.empty()) {
    check::same_size(fn, "start", static_cast<int64_t>(user_start.size()), m.ptot);
    check::finite(fn, "start", user_start.data(), m.ptot);
    runs.push_back(newton_tied(m, map, s, map.project(user_start), maxit, tol));
  } else {
    // The fit without the tied covariates (tau = 0).
    Design d0;
    std::array<std::vector<double>, 4> xs;
    for (size_t j = 0; j < 4; ++j) {
      const auto& pd = design.par[j];
      d0.par[j].offset = pd.offset;
      if (j > 1) {
        d0.par[j] = pd;
        continue;
      }
      std::vector<int> keep;
      for (int c = 0; c < static_cast<int>(pd.x.ncol); ++c)
        if (!(j == 0 ? is_tied_phi(ties, c) : is_tied_lambda(ties, c))) keep.push_back(c);
      const int64_t nr = pd.x.nrow;
      for (int c : keep) {
        xs[j].insert(xs[j].end(), pd.x.col(c), pd.x.col(c) + nr);
        if (!pd.names.empty()) d0.par[j].names.push_back(pd.names[static_cast<size_t>(c)]);
      }
      d0.par[j].x = data::MatView(xs[j].data(), keep.empty() ? 0 : nr, static_cast<int64_t>(keep.size()));
    }
    // Its threshold probe (option "probe") also bounds the tied model's supremum from below: tau = 0 is in it.
    const SurvFit f0 = fit(data, d0, dist, sub);
    const auto tl = f0.result.extras.find("threshold_loglik");
    if (tl != f0.result.extras.end() && !tl->second.empty()) null_threshold_ll = tl->second[0];
    if (std::find(f0.flags.begin(), f0.flags.end(), "threshold_boundary") != f0.flags.end())
      null_threshold_ll = std::max(null_threshold_ll, f0.result.loglik);
    sub.set("probe", 0.0);
    std::vector<double> b0(P, 0.0);
    for (size_t j = 0; j < 4; ++j) {
      int c0 = 0;
      for (int c = 0; c < m.p[j]; ++c) {
        const bool tied = j == 0 ? is_tied_phi(ties, c) : (j == 1 && is_tied_lambda(ties, c));
        if (tied) continue;
        b0[static_cast<size_t>(m.start[j] + c)] = f0.result.coef[static_cast<size_t>(f0.block_start[j] + c0)];
        ++c0;
      }
    }
    runs.push_back(newton_tied(m, map, s, map.project(b0), maxit, tol));
  }
  sub.set("probe", 0.0);
  if (!tied_clean(m, map, runs.back())) {
    // The untied (general hazard) fit projected onto the tie: tau = (tau_phi - beta_lambda) / 2.
    const SurvFit fg = fit(data, design, dist, sub);
    std::vector<double> bg = fg.result.coef;
    for (const auto& pr : ties) {
      const size_t a = static_cast<size_t>(m.start[0] + pr.first), b = static_cast<size_t>(m.start[1] + pr.second);
      const double tau = 0.5 * (bg[a] - bg[b]);
      bg[a] = tau;
      bg[b] = -tau;
    }
    runs.push_back(newton_tied(m, map, s, map.project(bg), maxit, tol));
  }
  // The best clean run, else the best converged one, else the best.
  const TiedRun* best = &runs[0];
  auto rank = [&](const TiedRun& r) { return tied_clean(m, map, r) ? 2 : r.conv.converged ? 1 : 0; };
  for (const auto& r : runs)
    if (rank(r) > rank(*best) || (rank(r) == rank(*best) && r.ll > best->ll)) best = &r;

  // Inference in theta, reported in beta.
  SurvFit out;
  const std::vector<double> beta = map.beta(best->theta);
  std::vector<double> g(P), h(P * P), B(P * P, 0.0);
  const double ll = eval(m, beta.data(), g.data(), h.data(), nullptr, B.data());
  const auto gr = map.reduce_grad(g.data());
  const auto hr = map.reduce_hess(h.data());
  const auto Br = map.reduce_hess(B.data());
  std::vector<std::string> notes;
  const int64_t nobs = describe_result(out, m, design, static_cast<int64_t>(D));
  out.result.coef = beta;
  out.result.loglik = ll;
  out.result.convergence = best->conv;
  double gn = 0;
  for (double v : gr) gn = std::max(gn, std::fabs(v));
  out.result.convergence.grad_norm = gn;
  out.result.convergence.objective = -ll;
  if (std::isfinite(ll)) {
    std::vector<double> nh(D * D);
    for (size_t k = 0; k < D * D; ++k) nh[k] = -hr[k];
    const auto hc = numeric::covariance_from_hessian(nh, D, 1e-12, fn);
    if (hc.ok) {
      out.result.vcov = map.expand(hc.vcov);
      out.result.extras["vcov_robust"] = map.expand(sandwich(hc.vcov, Br, D));
    } else {
      out.result.vcov.assign(P * P, kNaN);
      out.result.extras["vcov_robust"] = std::vector<double>(P * P, kNaN);
      out.result.notes["vcov"] = hc.reason;
      notes.push_back(hc.reason);
      out.flags.push_back("scale_boundary");
      notes.push_back("the information matrix is singular at the returned point: some scale runs to a limit; not an MLE");
      out.result.convergence.converged = false;
    }
  }
  // Boundaries reached by the tied fit (no threshold probe here).
  if (std::isfinite(ll)) {
    double gmax = -kInf, kmin = kInf;
    double xi[4];
    for (int64_t i = 0; i < m.n; ++i) {
      m.slots(i, beta.data(), xi);
      if (m.p[2] > 0) gmax = std::max(gmax, xi[2]);
      if (dist == Dist::apgw && m.p[3] > 0) kmin = std::min(kmin, xi[3]);
    }
    if (m.gamma_max < 1e300 && gmax > m.gamma_max - 1e-3) {
      out.flags.push_back("threshold_boundary");
      out.result.convergence.converged = false;
      notes.push_back("log gamma reached its bound gamma_max = " + check::fmt(st.gamma_max) +
                      ": the likelihood rises towards the threshold boundary, so there is no interior MLE");
    }
    if (probe && std::find(out.flags.begin(), out.flags.end(), "threshold_boundary") == out.flags.end() &&
        null_threshold_ll > ll + 1e-6) {
      out.flags.push_back("threshold_boundary");
      out.result.extras["threshold_loglik"] = {null_threshold_ll};
      notes.push_back("interior local maximum; the likelihood is higher (" + check::fmt(null_threshold_ll) +
                      ") on the path to the threshold (left-truncated Weibull) boundary of the model without the "
                      "tied covariates (tau = 0), whose supremum is not an MLE");
    }
    if (std::expm1(kmin) + 1.0 < 1e-3) {
      out.flags.push_back("cure_boundary");
      out.result.convergence.converged = false;
      notes.push_back("kappa -> -1: the fit runs to the promotion-time cure limit");
    }
  }
  out.result.extras["aic"] = {-2.0 * ll + 2.0 * static_cast<double>(D)};
  out.result.extras["bic"] = {-2.0 * ll + std::log(static_cast<double>(nobs)) * static_cast<double>(D)};
  std::vector<double> tv;
  for (const auto& pr : ties) {
    tv.push_back(pr.first);
    tv.push_back(pr.second);
  }
  out.result.extras["ties"] = tv;
  std::string tn;
  for (const auto& pr : ties)
    tn += (tn.empty() ? "" : ", ") + out.result.coef_names[static_cast<size_t>(m.start[1] + pr.second)] + " = -" +
          out.result.coef_names[static_cast<size_t>(m.start[0] + pr.first)];
  out.result.notes["ties"] = tn + " (accelerated hazards)";
  finish_notes(out, notes);
  return out;
}

}  // namespace hetmod::survival::detail
