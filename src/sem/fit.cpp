// src/sem/fit.cpp -- sample moments, ML/GLS/ULS/MLR fitting, standard errors, fit measures and
// admissibility (sem/model.hpp).
//
// Outline (spec/sem.md 1.6 and 2; lavaan 0.6.14 conventions):
// 1. Sample moments with the N divisor; a user covariance is rescaled by (N-1)/N.
// 2. fixed.x rows get the sample (co)variances/means; start values "simple": loadings 1, regressions
//    0, observed residual variances s_ii / 2, latent variances 0.05, covariances 0, intercepts the
//    sample means (user start values win).
// 3. Minimise F (N F = chi-square) with NLopt L-BFGS on the analytic gradient; ML is then polished by
//    Fisher scoring, theta <- theta - (2 I)^{-1} grad F (I = expected information per observation),
//    with step halving.
// 4. SEs: expected: vcov = I^{-1} / N (GLS: I evaluated with S^{-1}, as lavaan); observed:
//    vcov = (N/2 H)^{-1}, H = Hessian of F by central differences of the analytic gradient;
//    MLR: vcov = A^{-1} B A^{-1} / N, A = H/2, B = mean of casewise scores s_i s_i^T (d logL_i/dtheta,
//    mean parameters included with a mean structure; src/sem/robust.cpp); ULS (lavaan se = "standard"):
//    vcov = (Delta^T Delta)^{-1} / (N - 1), Delta = d(mu, vech Sigma)/dtheta.
// 5. Fit measures: chi-square N F, df = moments - fixed-x moments - npar; baseline = independence
//    model (x block fixed); CFI, TLI, RMSEA = sqrt(max(0, (X2 - df)/(N df))) with the 90% CI from the
//    noncentral chi-square (bisection on the non-centrality), SRMR (Bentler, no mean), logL,
//    unrestricted logL, AIC, BIC (conditional on x with fixed.x, as lavaan). MLR: Yuan-Bentler
//    (Mplus variant) scaling c = [tr(A1^{-1} B1) - tr(E^{-1} B0)] / df and the scaled/robust
//    indices, see src/sem/robust.cpp (the h1 pieces are evaluated at the sample moments).
// 6. Admissibility: Heywood (negative variance), non-PD latent or residual block of S, non-PD vcov,
//    spectral radius of A >= 1 in a cyclic model.
#include <algorithm>
#include <armadillo>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "hetmod/optim/nlopt.hpp"
#include "hetmod/optim/problem.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"
#include "hetmod/sem/robust.hpp"
#include "indices.hpp"
#include "util.hpp"

namespace hetmod::sem {

using detail::ix;
using detail::max_abs;
using detail::pchisq_upper;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLog2Pi = 1.8378770664093454836;

detail::Obj obj_of(Estimator e) {
  switch (e) {
    case Estimator::gls: return detail::Obj::gls;
    case Estimator::uls: return detail::Obj::uls;
    default: return detail::Obj::ml;
  }
}

class SemProblem : public optim::Problem {
 public:
  SemProblem(detail::Kernel& k, detail::Obj obj) : k_(k), obj_(obj) {}
  std::size_t dim() const override { return static_cast<std::size_t>(k_.ram().npar); }
  double value_and_gradient(const double* x, double* grad) override {
    const double f = k_.objective(obj_, x, grad);
    if (!std::isfinite(f)) {
      // outside the domain (Sigma not PD): a large value pushes the line search back
      if (grad) std::fill(grad, grad + dim(), 0.0);
      return 1e30;
    }
    return f;
  }

 private:
  detail::Kernel& k_;
  detail::Obj obj_;
};

/// Sample moments aligned to the model's observed variables.
struct Aligned {
  std::vector<double> cov, mean, raw;  // p*p, p, n*p
};

Aligned align(const Model& model, const SampleMoments& s, const char* fn) {
  const int p = model.p();
  const int ps = static_cast<int>(s.names.size());
  std::vector<int> idx(static_cast<std::size_t>(p));
  for (int i = 0; i < p; ++i) {
    auto it = std::find(s.names.begin(), s.names.end(), model.observed[static_cast<std::size_t>(i)]);
    if (it == s.names.end())
      check::fail(fn, "observed variable '" + model.observed[static_cast<std::size_t>(i)] + "' of the model is not in the data");
    idx[static_cast<std::size_t>(i)] = static_cast<int>(it - s.names.begin());
  }
  check::same_size(fn, "sample.cov", static_cast<int64_t>(s.cov.size()), static_cast<int64_t>(ps) * ps);
  Aligned a;
  a.cov.resize(static_cast<std::size_t>(p) * static_cast<std::size_t>(p));
  for (int j = 0; j < p; ++j)
    for (int i = 0; i < p; ++i) a.cov[ix(i, j, p)] = s.cov[ix(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)], ps)];
  if (!s.mean.empty()) {
    a.mean.resize(static_cast<std::size_t>(p));
    for (int i = 0; i < p; ++i) a.mean[static_cast<std::size_t>(i)] = s.mean[static_cast<std::size_t>(idx[static_cast<std::size_t>(i)])];
  }
  if (!s.raw.empty()) {
    const std::size_t n = static_cast<std::size_t>(s.nobs);
    a.raw.resize(n * static_cast<std::size_t>(p));
    for (int j = 0; j < p; ++j)
      std::copy(s.raw.begin() + static_cast<std::ptrdiff_t>(n * static_cast<std::size_t>(idx[static_cast<std::size_t>(j)])),
                s.raw.begin() + static_cast<std::ptrdiff_t>(n * static_cast<std::size_t>(idx[static_cast<std::size_t>(j)] + 1)),
                a.raw.begin() + static_cast<std::ptrdiff_t>(n * static_cast<std::size_t>(j)));
  }
  return a;
}

/// The covariance the estimator fits: ML uses S (N divisor), GLS/ULS the unbiased S (N-1), as lavaan.
std::vector<double> estimator_cov(const Aligned& a, Estimator e, int64_t nobs) {
  std::vector<double> c = a.cov;
  if (e == Estimator::gls || e == Estimator::uls) {
    const double f = static_cast<double>(nobs) / static_cast<double>(nobs - 1);
    for (auto& v : c) v *= f;
  }
  return c;
}

/// Multiplier of F in the test statistic: N (ML) or N - 1 (GLS, ULS).
double stat_n(Estimator e, int64_t nobs) {
  return (e == Estimator::gls || e == Estimator::uls) ? static_cast<double>(nobs - 1) : static_cast<double>(nobs);
}

/// Fills exo rows with sample moments; returns the number of fixed-x variables.
int fill_exo(Model& model, const Aligned& a) {
  std::vector<bool> isx(static_cast<std::size_t>(model.p()), false);
  for (auto& r : model.rows) {
    if (!r.exo) continue;
    const int i = model.var_index(r.lhs);
    if (r.op == Op::intercept) {
      check::require(!a.mean.empty(), "sem::fit", "the mean structure needs sample means");
      r.value = a.mean[static_cast<std::size_t>(i)];
    } else {
      const int j = model.var_index(r.rhs);
      r.value = a.cov[ix(i, j, model.p())];
      if (i == j) isx[static_cast<std::size_t>(i)] = true;
    }
  }
  return static_cast<int>(std::count(isx.begin(), isx.end(), true));
}

std::vector<bool> exo_vars(const Model& model) {
  std::vector<bool> isx(static_cast<std::size_t>(model.p()), false);
  for (const auto& r : model.rows)
    if (r.exo && r.op == Op::covariance && r.lhs == r.rhs) isx[static_cast<std::size_t>(model.var_index(r.lhs))] = true;
  return isx;
}

std::vector<double> start_values(const Model& model, const Aligned& a) {
  std::vector<double> x(static_cast<std::size_t>(model.n_free), kNaN);
  const int p = model.p();
  for (const auto& r : model.rows) {
    if (r.par < 0 || std::isfinite(x[static_cast<std::size_t>(r.par)])) continue;
    double v = 0;
    if (std::isfinite(r.value)) {
      v = r.value;
    } else if (r.op == Op::loading) {
      v = 1.0;
    } else if (r.op == Op::covariance && r.lhs == r.rhs) {
      const int i = model.var_index(r.lhs);
      v = i < p ? 0.5 * a.cov[ix(i, i, p)] : 0.05;
    } else if (r.op == Op::intercept) {
      const int i = model.var_index(r.lhs);
      v = (i < p && !a.mean.empty()) ? a.mean[static_cast<std::size_t>(i)] : 0.0;
    }
    x[static_cast<std::size_t>(r.par)] = v;
  }
  return x;
}


bool is_cyclic(const Graph& g) {
  std::vector<std::vector<int>> adj(static_cast<std::size_t>(g.n));
  std::vector<int> indeg(static_cast<std::size_t>(g.n), 0);
  for (const auto& e : g.directed) {
    adj[static_cast<std::size_t>(e.first)].push_back(e.second);
    ++indeg[static_cast<std::size_t>(e.second)];
  }
  std::vector<int> stack;
  for (int i = 0; i < g.n; ++i)
    if (indeg[static_cast<std::size_t>(i)] == 0) stack.push_back(i);
  int seen = 0;
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    ++seen;
    for (int w : adj[static_cast<std::size_t>(v)])
      if (--indeg[static_cast<std::size_t>(w)] == 0) stack.push_back(w);
  }
  return seen < g.n;
}





}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Sample moments
// ---------------------------------------------------------------------------------------------

SampleMoments sample_moments(data::MatView data, const std::vector<std::string>& names) {
  const char* fn = "sem::sample_moments";
  check::not_null(fn, "data", data.data, data.nrow * data.ncol);
  check::same_size(fn, "names", static_cast<int64_t>(names.size()), data.ncol);
  check::at_least(fn, "ncol(data)", data.ncol, 1);
  check::require(data.nrow > data.ncol, fn,
                 "nobs is " + std::to_string(data.nrow) + ", but must be > the number of variables (" + std::to_string(data.ncol) + ")");
  for (int64_t j = 0; j < data.ncol; ++j)
    for (int64_t i = 0; i < data.nrow; ++i)
      if (!std::isfinite(data(i, j)))
        check::fail(fn, "data[" + std::to_string(i) + ", '" + names[static_cast<std::size_t>(j)] + "'] is " + check::fmt(data(i, j)) +
                            ", but must be finite (missing values need FIML)");
  const int p = static_cast<int>(data.ncol);
  const int64_t n = data.nrow;
  SampleMoments s;
  s.names = names;
  s.nobs = n;
  s.mean.assign(static_cast<std::size_t>(p), 0.0);
  s.cov.assign(static_cast<std::size_t>(p) * static_cast<std::size_t>(p), 0.0);
  s.raw.assign(data.data, data.data + n * data.ncol);
  for (int j = 0; j < p; ++j) {
    double m = 0;
    for (int64_t i = 0; i < n; ++i) m += data(i, j);
    s.mean[static_cast<std::size_t>(j)] = m / static_cast<double>(n);
  }
  for (int j = 0; j < p; ++j)
    for (int k = j; k < p; ++k) {
      double c = 0;
      const double mj = s.mean[static_cast<std::size_t>(j)], mk = s.mean[static_cast<std::size_t>(k)];
      for (int64_t i = 0; i < n; ++i) c += (data(i, j) - mj) * (data(i, k) - mk);
      c /= static_cast<double>(n);
      s.cov[ix(j, k, p)] = s.cov[ix(k, j, p)] = c;
    }
  return s;
}

SampleMoments sample_moments_from_cov(const std::vector<double>& cov, const std::vector<std::string>& names, int64_t nobs,
                                      const std::vector<double>& mean, bool rescale) {
  const char* fn = "sem::sample_moments_from_cov";
  const int p = static_cast<int>(names.size());
  check::at_least(fn, "length(names)", p, 1);
  check::same_size(fn, "cov", static_cast<int64_t>(cov.size()), static_cast<int64_t>(p) * p);
  check::at_least(fn, "nobs", nobs, 2);
  check::finite(fn, "cov", cov.data(), static_cast<int64_t>(cov.size()));
  if (!mean.empty()) {
    check::same_size(fn, "mean", static_cast<int64_t>(mean.size()), p);
    check::finite(fn, "mean", mean.data(), p);
  }
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < i; ++j) {
      const double a = cov[ix(i, j, p)], b = cov[ix(j, i, p)];
      check::require(std::fabs(a - b) <= 1e-10 * std::max(1.0, std::fabs(a)), fn,
                     "cov is not symmetric at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
    }
  SampleMoments s;
  s.names = names;
  s.nobs = nobs;
  s.cov = cov;
  const double f = rescale ? static_cast<double>(nobs - 1) / static_cast<double>(nobs) : 1.0;
  for (auto& v : s.cov) v *= f;
  s.mean = mean;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Objective / information wrappers
// ---------------------------------------------------------------------------------------------

double objective(const Model& model, const SampleMoments& sample, const std::vector<double>& theta, std::vector<double>* grad,
                 Estimator estimator) {
  const char* fn = "sem::objective";
  check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  const Aligned a = align(model, sample, fn);
  Model m = model;
  fill_exo(m, a);
  detail::Kernel k(detail::ram_structure(m), estimator_cov(a, estimator, sample.nobs), a.mean);
  if (grad) grad->assign(theta.size(), 0.0);
  return k.objective(obj_of(estimator), theta.data(), grad ? grad->data() : nullptr);
}

std::vector<double> expected_information(const Model& model, const std::vector<double>& theta) {
  const char* fn = "sem::expected_information";
  check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  detail::Kernel k(detail::ram_structure(model), {}, {});
  if (!k.implied(theta.data())) check::fail(fn, "I - A is singular", Status::numerical);
  return k.expected_information();
}

// ---------------------------------------------------------------------------------------------
// Fit measures
// ---------------------------------------------------------------------------------------------

namespace {

struct Moments {
  int p = 0, nx = 0, py = 0;
  bool means = false;
  int nmom() const { return p * (p + 1) / 2 + (means ? p : 0) - (nx * (nx + 1) / 2 + (means ? nx : 0)); }
};

FitMeasures measures_impl(const Model& model, const Aligned& a, int64_t nobs, const std::vector<double>& theta, Estimator est,
                          detail::Kernel& k, bool baseline) {
  FitMeasures fm;
  const int p = model.p();
  const double N = static_cast<double>(nobs);
  const std::vector<bool> isx = exo_vars(model);
  Moments mo;
  mo.p = p;
  mo.nx = static_cast<int>(std::count(isx.begin(), isx.end(), true));
  mo.py = p - mo.nx;
  mo.means = model.meanstructure;
  fm.npar = model.n_free;
  fm.ntotal = nobs;
  const double F = k.objective(obj_of(est), theta.data(), nullptr);
  fm.chisq = stat_n(est, nobs) * F;
  fm.fmin = fm.chisq / (2.0 * N);
  fm.df = mo.nmom() - model.n_free;
  fm.pvalue = fm.df > 0 ? pchisq_upper(fm.chisq, fm.df) : (fm.df == 0 ? kNaN : kNaN);
  // logL at Sigma-hat (ML formula for every estimator, as lavaan)
  {
    std::vector<double> l = k.sigma();
    double logdet = 0;
    if (detail::cholesky_inplace(l.data(), p, &logdet)) {
      std::vector<double> inv(l.size());
      detail::cholesky_inverse(l.data(), p, inv.data());
      double tr = 0;
      for (int i = 0; i < p; ++i)
        for (int j = 0; j < p; ++j) tr += a.cov[ix(i, j, p)] * inv[ix(j, i, p)];
      double q = 0;
      if (model.meanstructure && !a.mean.empty()) {
        for (int i = 0; i < p; ++i)
          for (int j = 0; j < p; ++j)
            q += (a.mean[static_cast<std::size_t>(i)] - k.mu()[static_cast<std::size_t>(i)]) * inv[ix(i, j, p)] *
                 (a.mean[static_cast<std::size_t>(j)] - k.mu()[static_cast<std::size_t>(j)]);
      }
      fm.logl = -0.5 * N * (p * kLog2Pi + logdet + tr + q);
    } else {
      fm.logl = kNaN;
    }
    double logdet_s = 0;
    {
      std::vector<double> ls = a.cov;
      detail::cholesky_inplace(ls.data(), p, &logdet_s);
    }
    fm.unrestricted_logl = -0.5 * N * (p * kLog2Pi + logdet_s + p);
    if (mo.nx > 0) {
      // fixed.x: lavaan reports the log-likelihood conditional on x (minus the saturated x marginal)
      std::vector<double> sx;
      for (int j = 0; j < p; ++j)
        for (int i = 0; i < p; ++i)
          if (isx[static_cast<std::size_t>(i)] && isx[static_cast<std::size_t>(j)]) sx.push_back(a.cov[ix(i, j, p)]);
      double ldx = 0;
      detail::cholesky_inplace(sx.data(), mo.nx, &ldx);
      const double lx = -0.5 * N * (mo.nx * kLog2Pi + ldx + mo.nx);
      fm.logl -= lx;
      fm.unrestricted_logl -= lx;
    }
    fm.aic = -2.0 * fm.logl + 2.0 * fm.npar;
    fm.bic = -2.0 * fm.logl + fm.npar * std::log(N);
  }
  // SRMR (Bentler, no mean)
  {
    double ss = 0;
    int cnt = 0;
    for (int j = 0; j < p; ++j)
      for (int i = j; i < p; ++i) {
        const double r = (a.cov[ix(i, j, p)] - k.sigma()[ix(i, j, p)]) / std::sqrt(a.cov[ix(i, i, p)] * a.cov[ix(j, j, p)]);
        ss += r * r;
        ++cnt;
      }
    fm.srmr = std::sqrt(ss / cnt);
  }
  // baseline: independence among non-x variables, x block fixed
  fm.baseline_df = mo.nmom() - mo.py - (model.meanstructure ? mo.py : 0);
  if (!baseline) {
    fm.baseline_chisq = kNaN;
  } else if (est == Estimator::ml || est == Estimator::mlr) {
    double ld = 0;
    for (int i = 0; i < p; ++i)
      if (!isx[static_cast<std::size_t>(i)]) ld += std::log(a.cov[ix(i, i, p)]);
    if (mo.nx > 0) {
      std::vector<double> sx;
      for (int j = 0; j < p; ++j)
        for (int i = 0; i < p; ++i)
          if (isx[static_cast<std::size_t>(i)] && isx[static_cast<std::size_t>(j)]) sx.push_back(a.cov[ix(i, j, p)]);
      double ldx = 0;
      std::vector<double> l = sx;
      detail::cholesky_inplace(l.data(), mo.nx, &ldx);
      ld += ldx;
    }
    fm.baseline_chisq = N * (ld - k.logdet_sample());
  } else {
    // fit the diagonal baseline model with the same estimator
    std::vector<ParRow> rows;
    for (int i = 0; i < p; ++i) {
      ParRow r;
      r.lhs = r.rhs = model.observed[static_cast<std::size_t>(i)];
      r.op = Op::covariance;
      if (isx[static_cast<std::size_t>(i)]) {
        r.free = false;
        r.exo = true;
      }
      rows.push_back(r);
    }
    for (int i = 0; i < p; ++i)
      for (int j = i + 1; j < p; ++j)
        if (isx[static_cast<std::size_t>(i)] && isx[static_cast<std::size_t>(j)]) {
          ParRow r;
          r.lhs = model.observed[static_cast<std::size_t>(i)];
          r.rhs = model.observed[static_cast<std::size_t>(j)];
          r.op = Op::covariance;
          r.free = false;
          r.exo = true;
          rows.push_back(r);
        }
    ModelOptions bo;
    bo.auto_defaults = false;
    Model bm = make_model(rows, bo);
    bm.observed = model.observed;
    SampleMoments bs;
    bs.names = model.observed;
    bs.nobs = nobs;
    bs.cov = a.cov;
    bs.mean = a.mean;
    FitOptions fo;
    fo.estimator = est;
    fo.se = false;
    fo.baseline = false;
    const SemFit bf = fit(bm, bs, fo);
    fm.baseline_chisq = bf.measures.chisq;
  }
  const double X2 = fm.chisq, df = fm.df, X2b = fm.baseline_chisq, dfb = fm.baseline_df;
  detail::comparative_indices(X2, df, X2b, dfb, fm);
  detail::rmsea_indices(X2, df, N, 1, fm);
  return fm;
}

/// vcov from a (total) information/Hessian matrix; sets ok.
std::vector<double> invert_info(const std::vector<double>& info, int q, bool& ok) {
  const numeric::HessianCovariance hc = numeric::covariance_from_hessian(info, static_cast<std::size_t>(q), 1e-10, "sem::fit");
  ok = hc.ok;
  return hc.vcov;
}

std::vector<double> gls_information(detail::Kernel& k, const std::vector<double>& scov_inv, int q) {
  std::vector<double> info(static_cast<std::size_t>(q) * static_cast<std::size_t>(q));
  k.information(scov_inv.data(), info.data());
  return info;
}

/// Solves (a + ridge I) x = b for SPD a (q*q) by Cholesky; false if not PD.
bool chol_solve(std::vector<double>& a, int q, const std::vector<double>& b, std::vector<double>& x) {
  if (!detail::cholesky_inplace(a.data(), q, nullptr)) return false;
  x = b;
  for (int i = 0; i < q; ++i) {
    double s = x[static_cast<std::size_t>(i)];
    for (int k = 0; k < i; ++k) s -= a[ix(i, k, q)] * x[static_cast<std::size_t>(k)];
    x[static_cast<std::size_t>(i)] = s / a[ix(i, i, q)];
  }
  for (int i = q - 1; i >= 0; --i) {
    double s = x[static_cast<std::size_t>(i)];
    for (int k = i + 1; k < q; ++k) s -= a[ix(k, i, q)] * x[static_cast<std::size_t>(k)];
    x[static_cast<std::size_t>(i)] = s / a[ix(i, i, q)];
  }
  return true;
}

/// Fisher scoring, then BFGS, for ML and GLS. Fisher scoring (at least `fisher_steps` steps, then while
/// each step halves max|g|),
/// x <- x - t (2 I)^{-1} g with I = 1/2 Delta^T (V (x) V) Delta (V = Sigma^-1 for ML, S^-1 for GLS);
/// after them the inverse Hessian starts from (2 I)^{-1} at the current point and is updated by BFGS
/// (superlinear near the optimum, where Fisher scoring alone converges only linearly when the model
/// misfits). Step halving until F does not increase; a step that makes det(I - A) <= 0 is rejected
/// (the equilibrium branch of a cyclic model). Stops when max|g| <= tol (returns true), after max_it
/// steps or when no step decreases F (returns false: L-BFGS takes over). x, g, f are updated.
bool fisher_scoring(detail::Kernel& k, detail::Obj obj, std::vector<double>& x, std::vector<double>& g, double& f, int max_it,
                    double tol, int fisher_steps, int max_evals, int& steps, bool& budget) {
  budget = false;
  const std::size_t eval0 = k.evaluations();
  const int q = k.ram().npar;
  const std::size_t qu = static_cast<std::size_t>(q);
  std::vector<double> info(qu * qu), hinv, step(qu), xn(qu), gn(qu), sv(qu), yv(qu), hy(qu);
  f = k.objective(obj, x.data(), g.data());
  steps = 0;
  double g_prev = 0;  // max|g| before the last Fisher step: scoring continues while it halves max|g|
  if (!std::isfinite(f)) return false;
  auto fisher_matrix = [&]() {
    if (obj == detail::Obj::ml) {
      k.information(k.sigma_inverse_matrix().data(), info.data());
    } else {
      k.information(k.sample_cov_inverse().data(), info.data());
    }
    for (auto& v : info) v *= 2.0;
  };
  for (int it = 0; it < max_it; ++it) {
    if (max_abs(g) <= tol) return true;
    if (static_cast<int>(k.evaluations() - eval0) >= max_evals) {
      budget = true;
      return false;
    }
    // the kernel state is at x (last objective call)
    if (hinv.empty() && (it < fisher_steps || g_prev <= 0 || max_abs(g) < 0.5 * g_prev)) {
      g_prev = max_abs(g);
      fisher_matrix();
      if (!chol_solve(info, q, g, step)) return false;
    } else {
      if (hinv.empty()) {
        fisher_matrix();
        if (!detail::cholesky_inplace(info.data(), q, nullptr)) return false;
        hinv.assign(qu * qu, 0.0);
        detail::cholesky_inverse(info.data(), q, hinv.data());
      }
      for (std::size_t i = 0; i < qu; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < qu; ++j) s += hinv[i + qu * j] * g[j];
        step[i] = s;
      }
    }
    double t = 1.0, fn = f;
    bool moved = false;
    for (int h = 0; h < 30; ++h) {
      for (std::size_t i = 0; i < qu; ++i) xn[i] = x[i] - t * step[i];
      fn = k.objective(obj, xn.data(), gn.data());
      if (std::isfinite(fn) && k.det_i_minus_a() > 0 && fn <= f + 1e-13 * std::max(1.0, std::fabs(f))) {
        moved = true;
        break;
      }
      t *= 0.5;
    }
    ++steps;
    if (!moved) {
      k.objective(obj, x.data(), g.data());  // kernel state back at x
      return max_abs(g) <= tol;
    }
    if (!hinv.empty()) {
      // BFGS update of the inverse Hessian: H <- (I - r s y^T) H (I - r y s^T) + r s s^T
      double sy = 0, ss = 0, yy = 0;
      for (std::size_t i = 0; i < qu; ++i) {
        sv[i] = xn[i] - x[i];
        yv[i] = gn[i] - g[i];
        sy += sv[i] * yv[i];
        ss += sv[i] * sv[i];
        yy += yv[i] * yv[i];
      }
      if (sy > 1e-12 * std::sqrt(ss * yy)) {
        const double r = 1.0 / sy;
        double yhy = 0;
        for (std::size_t i = 0; i < qu; ++i) {
          double s = 0;
          for (std::size_t j = 0; j < qu; ++j) s += hinv[i + qu * j] * yv[j];
          hy[i] = s;
          yhy += yv[i] * s;
        }
        for (std::size_t j = 0; j < qu; ++j)
          for (std::size_t i = 0; i < qu; ++i)
            hinv[i + qu * j] += -r * (hy[i] * sv[j] + sv[i] * hy[j]) + (r * r * yhy + r) * sv[i] * sv[j];
      }
    }
    x.swap(xn);
    g.swap(gn);
    f = fn;
  }
  return max_abs(g) <= tol;
}

}  // namespace

FitMeasures fit_measures(const Model& model, const SampleMoments& sample, const std::vector<double>& theta, Estimator estimator) {
  const char* fn = "sem::fit_measures";
  check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  const Aligned a = align(model, sample, fn);
  Model m = model;
  fill_exo(m, a);
  detail::Kernel k(detail::ram_structure(m), estimator_cov(a, estimator, sample.nobs), a.mean);
  return measures_impl(m, a, sample.nobs, theta, estimator, k, true);
}

// ---------------------------------------------------------------------------------------------
// Fitting
// ---------------------------------------------------------------------------------------------

FitOptions fit_options_from(const Options& o) {
  const char* fn = "sem::fit_options_from";
  FitOptions f;
  const std::string est = o.get_string("estimator", "ML");
  if (est == "ML" || est == "ml") f.estimator = Estimator::ml;
  else if (est == "GLS" || est == "gls") f.estimator = Estimator::gls;
  else if (est == "ULS" || est == "uls") f.estimator = Estimator::uls;
  else if (est == "MLR" || est == "mlr") f.estimator = Estimator::mlr;
  else check::fail(fn, "estimator is '" + est + "', but must be one of ML, GLS, ULS, MLR");
  const std::string info = o.get_string("information", "expected");
  if (info == "expected") f.information = Information::expected;
  else if (info == "observed") f.information = Information::observed;
  else check::fail(fn, "information is '" + info + "', but must be 'expected' or 'observed'");
  f.se = o.get_bool("se", true);
  f.polish = o.get_bool("polish", true);
  f.maxeval = static_cast<int>(o.get_int("maxeval", f.maxeval));
  f.grad_tol = o.get_double("grad_tol", f.grad_tol);
  f.start = o.get_vector("start", {});
  f.baseline = o.get_bool("baseline", true);
  const std::vector<std::string> known = {"estimator", "information", "se", "polish", "maxeval", "grad_tol", "start", "baseline"};
  for (const auto& key : o.keys())
    if (std::find(known.begin(), known.end(), key) == known.end()) check::fail(fn, "unknown option '" + key + "'");
  return f;
}

SemFit fit(const std::string& syntax, data::MatView data, const std::vector<std::string>& names, const FitOptions& opt,
           const ModelOptions& mopt) {
  const Model model = make_model(syntax, mopt);
  return fit(model, sample_moments(data, names), opt);
}

SemFit fit(const Model& model_in, const SampleMoments& sample, const FitOptions& opt) {
  const char* fn = "sem::fit";
  check::require(model_in.n_free > 0, fn, "the model has no free parameters");
  check::at_least(fn, "nobs", sample.nobs, 2);
  check::positive(fn, "grad_tol", opt.grad_tol);
  check::at_least(fn, "maxeval", opt.maxeval, 1);
  SemFit out;
  out.options = opt;
  out.model = model_in;
  Model& model = out.model;
  const Aligned a = align(model, sample, fn);
  const int p = model.p(), q = model.n_free;
  const double N = static_cast<double>(sample.nobs);
  check::finite(fn, "sample.cov", a.cov.data(), static_cast<int64_t>(a.cov.size()));
  {
    std::vector<double> l = a.cov;
    if (!detail::cholesky_inplace(l.data(), p, nullptr))
      check::fail(fn, "the sample covariance matrix of the model's observed variables is not positive definite", Status::numerical);
  }
  if (model.meanstructure) check::require(!a.mean.empty(), fn, "the mean structure needs sample means");
  if (opt.estimator == Estimator::mlr) check::require(!a.raw.empty(), fn, "MLR needs raw data (not only a covariance matrix)");
  if (opt.estimator == Estimator::gls || opt.estimator == Estimator::uls)
    check::require(!model.meanstructure, fn, "GLS and ULS are implemented without a mean structure");
  fill_exo(model, a);
  out.sample = sample;
  detail::Kernel k(detail::ram_structure(model), estimator_cov(a, opt.estimator, sample.nobs), a.mean);
  const detail::Obj obj = obj_of(opt.estimator);

  std::vector<double> x = opt.start.empty() ? start_values(model, a) : opt.start;
  check::same_size(fn, "start", static_cast<int64_t>(x.size()), q);
  check::finite(fn, "start", x.data(), q);

  // 3. ML/GLS: Fisher scoring to 0.01 grad_tol; L-BFGS (then a Fisher polish for ML) when scoring stalls,
  //    and for ULS.
  std::vector<double> g(static_cast<std::size_t>(q));
  double f = kNaN;
  Convergence conv;
  bool scored = false;
  if (obj != detail::Obj::uls) {
    std::vector<double> xs = x;
    int steps = 0;
    bool budget = false;
    scored = fisher_scoring(k, obj, xs, g, f, 200, 0.01 * opt.grad_tol, opt.start.empty() ? 5 : 1, opt.maxeval, steps, budget);
    if (std::isfinite(f)) x = xs;
    conv.optimizer = "fisher-scoring+bfgs";
    if (scored) {
      conv.converged = true;
      conv.code = 0;
      conv.reason = "gradient norm below tolerance";
    } else if (budget) {
      scored = true;  // no L-BFGS after the evaluation budget is spent
      conv.converged = false;
      conv.code = 5;
      conv.reason = "maximum number of evaluations reached";
      if (std::isfinite(f)) f = k.objective(obj, x.data(), g.data());
    }
  }
  if (!scored) {
    SemProblem prob(k, obj);
    const optim::NloptOptions no = detail::lbfgs_options(opt.maxeval, opt.grad_tol);
    conv = optim::minimize_nlopt(prob, x, no);
    f = k.objective(obj, x.data(), g.data());
    // Fisher-scoring polish (ML) when L-BFGS stopped short of the gradient tolerance
    if (opt.polish && obj == detail::Obj::ml && std::isfinite(f)) {
      f = detail::fisher_polish(
          x, f, g, 10, 0.01 * opt.grad_tol, [&](const double* xx, double* gg) { return k.objective(obj, xx, gg); },
          [&](const double*) { return k.expected_information(); }, fn);
    }
  }
  conv.iterations = static_cast<int>(k.evaluations());
  detail::finish_convergence(conv, f, g, opt.grad_tol);
  out.convergence = conv;
  out.theta = x;

  // implied moments at the estimate
  k.implied(x.data());
  out.implied.sigma = k.sigma();
  if (model.meanstructure) out.implied.mu = k.mu();
  out.implied.det_i_minus_a = k.det_i_minus_a();

  // 4. standard errors
  out.se.assign(static_cast<std::size_t>(q), kNaN);
  bool vcov_ok = false;
  std::vector<double> Ah, Bm;  // MLR: E and B0 per observation (computed once, reused by the scaled test)
  if (opt.se && std::isfinite(f)) {
    try {
      std::vector<double> info;  // total information (vcov = info^{-1})
      if (opt.estimator == Estimator::ml && opt.information == Information::expected) {
        info = k.expected_information();
        for (auto& v : info) v *= N;
        out.vcov = invert_info(info, q, vcov_ok);
      } else if (opt.estimator == Estimator::uls) {
        // lavaan's default ULS SEs (se = "standard"): (Delta^T Delta)^{-1} / (N - 1), src/sem/indices.cpp
        k.implied(x.data());
        info = detail::uls_information(k);
        for (auto& v : info) v *= stat_n(opt.estimator, sample.nobs);
        out.vcov = invert_info(info, q, vcov_ok);
      } else if (opt.estimator == Estimator::gls) {
        std::vector<double> l = estimator_cov(a, opt.estimator, sample.nobs), sinv(a.cov.size());
        detail::cholesky_inplace(l.data(), p, nullptr);
        detail::cholesky_inverse(l.data(), p, sinv.data());
        k.implied(x.data());
        info = gls_information(k, sinv, q);
        for (auto& v : info) v *= stat_n(opt.estimator, sample.nobs);
        out.vcov = invert_info(info, q, vcov_ok);
      } else {
        // observed information: Hessian of F by differences of the analytic gradient
        auto gradfn = [&](const std::vector<double>& th) {
          std::vector<double> gg(static_cast<std::size_t>(q));
          k.objective(detail::Obj::ml, th.data(), gg.data());
          return gg;
        };
        if (opt.estimator == Estimator::mlr) {
          // A = H / 2 (per observation), B = mean s_i s_i^T (casewise scores incl. the means), src/sem/robust.cpp
          detail::mlr_information(k, x, a.raw, sample.nobs, a.mean, Ah, Bm);
          bool ok = false;
          std::vector<double> Ainv = invert_info(Ah, q, ok);
          if (ok) {
            arma::mat Ai(Ainv.data(), static_cast<arma::uword>(q), static_cast<arma::uword>(q));
            arma::mat Bmat(Bm.data(), static_cast<arma::uword>(q), static_cast<arma::uword>(q));
            arma::mat V = Ai * Bmat * Ai / N;
            out.vcov.assign(V.begin(), V.end());
            vcov_ok = true;
          }
        } else {
          std::vector<double> H = numeric::fd_hessian_from_gradient(gradfn, x, 1e-5);
          for (auto& v : H) v *= 0.5 * N;
          out.vcov = invert_info(H, q, vcov_ok);
        }
      }
    } catch (const Error&) {
      vcov_ok = false;
    }
    if (vcov_ok) out.se = detail::se_from_vcov(out.vcov, q);
    else out.vcov.clear();
  }
  // per-row estimates
  detail::row_estimates(model.rows, x, out.se, out.est, out.row_se);
  // 5. fit measures (opt.measures == false: the test statistic only)
  if (std::isfinite(f) && !opt.measures) {
    out.measures.npar = q;
    out.measures.ntotal = sample.nobs;
    out.measures.chisq = stat_n(opt.estimator, sample.nobs) * f;
    out.measures.fmin = out.measures.chisq / (2.0 * N);
  } else if (std::isfinite(f)) {
    out.measures = measures_impl(model, a, sample.nobs, x, opt.estimator == Estimator::mlr ? Estimator::ml : opt.estimator, k, opt.baseline);
    if (opt.estimator == Estimator::mlr && out.measures.df > 0) {
      // Yuan-Bentler (Mplus variant) scaling, src/sem/robust.cpp
      try {
        if (Ah.empty() || Bm.empty()) detail::mlr_information(k, x, a.raw, sample.nobs, a.mean, Ah, Bm);
        const std::vector<bool> isx = exo_vars(model);
        const detail::YuanBentler yb = detail::yuan_bentler_mplus(a.raw, sample.nobs, a.mean, a.cov, isx, model.meanstructure, Ah, Bm);
        const double bh0 = detail::yuan_bentler_baseline_h0_trace(a.raw, sample.nobs, a.mean, a.cov, isx, model.meanstructure);
        detail::fill_mlr_measures(out.measures, yb, bh0, N);
      } catch (const std::exception&) {
      }
    }
  }
  // 6. admissibility
  Admissibility& ad = out.admissibility;
  detail::flag_negative_variances(model.rows, out.est, {}, ad);
  {
    const int m = model.m();
    detail::flag_covariance_blocks(k.S(), m, p, fn, "", ad);
    const Graph gr = model_graph(model);
    if (is_cyclic(gr)) {
      arma::mat A(k.A().data(), static_cast<arma::uword>(m), static_cast<arma::uword>(m));
      arma::cx_vec ev;
      if (arma::eig_gen(ev, A)) ad.spectral_radius = arma::max(arma::abs(ev));
      if (ad.spectral_radius >= 1.0) {
        ad.unstable_cycle = true;
        ad.messages.push_back("cyclic model with spectral radius of A = " + check::fmt(ad.spectral_radius) + " >= 1 (unstable equilibrium)");
      }
    }
  }
  if (opt.se && !vcov_ok) {
    ad.vcov_not_pd = true;
    ad.messages.push_back("the information matrix is singular or the covariance matrix of the estimates is not positive definite (identification?)");
  }
  ad.admissible = !(ad.heywood || ad.latent_cov_not_pd || ad.residual_cov_not_pd || ad.vcov_not_pd || ad.unstable_cycle);
  return out;
}

FitResult SemFit::to_fit_result() const {
  FitResult r;
  r.family = "sem";
  r.model = options.estimator == Estimator::gls ? "gls" : options.estimator == Estimator::uls ? "uls" : options.estimator == Estimator::mlr ? "mlr" : "ml";
  detail::fill_fit_result(r, model.par_names, theta, vcov, se, measures, convergence);
  r.extras["implied_cov"] = implied.sigma;
  r.extras["admissible"] = {admissibility.admissible ? 1.0 : 0.0};
  std::string obs;
  for (const auto& o : model.observed) obs += (obs.empty() ? "" : ",") + o;
  r.notes["observed"] = obs;
  std::string msg;
  for (const auto& s : admissibility.messages) msg += (msg.empty() ? "" : "; ") + s;
  if (!msg.empty()) r.notes["admissibility"] = msg;
  return r;
}

}  // namespace hetmod::sem
