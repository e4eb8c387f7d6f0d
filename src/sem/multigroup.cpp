// src/sem/multigroup.cpp -- FIML and multiple-group fitting (sem/multigroup.hpp).
//
// Outline (lavaan 0.6.14 conventions, spec/sem.md 1.6):
// 1. Models: the user rows are replicated per group (c(...) modifiers resolved per group), completed by
//    make_model with a mean structure, then group.equal rows get a shared label; free parameters are
//    numbered globally (a label = one parameter across groups). Names: label, or "lhs op rhs" with the
//    suffix ".g<k>" for groups k >= 2 (lavaan's coef names).
// 2. Data: per group, listwise deletion (missing = listwise) or removal of empty rows (fiml); rows are
//    grouped by missing-data pattern (detail::make_patterns). H1 moments: sample moments (complete) or
//    EM (detail::em_saturated).
// 3. Objective F = sum_g N_g/N F_g with F_g the pattern-wise FIML objective (detail::Kernel::fiml; a
//    complete group is one pattern), analytic gradient; L-BFGS then Fisher scoring with the pattern-wise
//    expected information.
// 4. SEs: observed information = N/2 Hessian of F (central differences of the analytic gradient), the
//    default with FIML as lavaan; expected = N sum_g N_g/N I_g (the default for complete data).
//    MLR: vcov = E^{-1} B0 E^{-1} / N with E = 1/2 Hessian of F and B0 = 1/N sum of casewise FIML score
//    products (src/sem/robust.cpp), information "observed" as lavaan.
// 5. Fit measures: logL, H1 logL (EM), chi-square = 2 (logL1 - logL0), baseline independence model in
//    closed form (available-case mean and variance per variable and group), CFI, TLI, RMSEA * sqrt(G)
//    with its CI, SRMR (Bentler with means; groups weighted by N_g), AIC, BIC; MLR: Yuan-Bentler (Mplus)
//    trace = sum_g tr(A1_g^{-1} B1_g) - tr(E^{-1} B0), the h1 pieces at the sample / EM moments.
#include "hetmod/sem/multigroup.hpp"

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "hetmod/optim/nlopt.hpp"
#include "hetmod/optim/problem.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/robust.hpp"
#include "indices.hpp"
#include "util.hpp"

namespace hetmod::sem {

using detail::max_abs;
using detail::pchisq_upper;
using detail::ix;
using detail::split_list;
using detail::strip;

namespace {

constexpr const char* kFn = "sem::fit_groups";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLog2Pi = 1.8378770664093454836;

const std::vector<std::string>& equal_classes() {
  static const std::vector<std::string> v = {"loadings",     "intercepts",     "means",       "residuals", "residual.covariances",
                                             "lv.variances", "lv.covariances", "regressions", "thresholds"};
  return v;
}

/// group.equal class of a row of `m` ("" if none).
std::string row_class(const Model& m, const ParRow& r) {
  const bool lhs_lat = std::find(m.latent.begin(), m.latent.end(), r.lhs) != m.latent.end();
  switch (r.op) {
    case Op::loading: return "loadings";
    case Op::regression: return "regressions";
    case Op::intercept: return lhs_lat ? "means" : "intercepts";
    case Op::covariance:
      if (lhs_lat) return r.lhs == r.rhs ? "lv.variances" : "lv.covariances";
      return r.lhs == r.rhs ? "residuals" : "residual.covariances";
  }
  return "";
}

std::string row_name(const ParRow& r) { return r.op == Op::intercept ? r.lhs + "~1" : r.lhs + op_string(r.op) + r.rhs; }

/// Rows of one group with its numbered free parameters.
struct Layout {
  std::vector<Model> groups;
  Model combined;
};

Layout build_layout(const std::string& syntax, int G, const ModelOptions& mopt, const GroupFitOptions& gopt) {
  check::at_least(kFn, "number of groups", G, 1);
  for (const auto& c : gopt.group_equal)
    if (std::find(equal_classes().begin(), equal_classes().end(), c) == equal_classes().end())
      check::fail(kFn, "group.equal entry '" + c + "' is not one of loadings, intercepts, means, residuals, residual.covariances, lv.variances, "
                       "lv.covariances, regressions");
  const auto has_eq = [&](const std::string& c) { return std::find(gopt.group_equal.begin(), gopt.group_equal.end(), c) != gopt.group_equal.end(); };
  std::set<std::string> partial;
  for (const auto& s : gopt.group_partial) partial.insert(strip(s));
  const std::vector<ParRow> user = parse_syntax(syntax);
  ModelOptions mo = mopt;
  mo.meanstructure = true;
  Layout L;
  for (int g = 0; g < G; ++g) {
    std::vector<ParRow> rows = user;
    for (auto& r : rows) {
      const std::size_t nl = r.group_label.size(), nv = r.group_value.size();
      if ((nl > 0 && nl != static_cast<std::size_t>(G)) || (nv > 0 && nv != static_cast<std::size_t>(G)))
        check::fail(kFn, "line " + std::to_string(r.line) + ": the modifier c(...) of '" + r.lhs + " " + op_string(r.op) + " " + r.rhs + "' has " +
                             std::to_string(std::max(nl, nv)) + " elements, but there are " + std::to_string(G) + " groups");
      if (nl > 0) r.label = r.group_label[static_cast<std::size_t>(g)];
      if (nv > 0) {
        const double v = r.group_value[static_cast<std::size_t>(g)];
        r.free = std::isnan(v);
        r.value = v;
        r.na_free = r.free;
      }
      r.group_label.clear();
      r.group_value.clear();
    }
    Model m = make_model(rows, mo);
    for (auto& r : m.rows) {
      r.group = g;
      if (r.exo)
        check::fail(kFn, "observed covariate '" + r.lhs + "' has fixed (fixed.x) moments; FIML and multiple groups need fixed.x = FALSE",
                    Status::unsupported);
    }
    // latent means of groups 2..G are free when the intercepts are equal (lavaan)
    if (g > 0 && has_eq("intercepts") && !has_eq("means"))
      for (auto& r : m.rows)
        if (r.op == Op::intercept && !r.user && std::find(m.latent.begin(), m.latent.end(), r.lhs) != m.latent.end()) {
          r.free = true;
          r.value = kNaN;
        }
    for (auto& r : m.rows) {
      if (!r.free || !r.label.empty()) continue;
      const std::string cls = row_class(m, r);
      if (has_eq(cls) && !partial.count(strip(row_name(r)))) r.label = ".eq." + row_name(r);
    }
    L.groups.push_back(std::move(m));
  }
  // global numbering
  std::map<std::string, int> label_par;
  std::set<std::string> fixed_labels;
  std::vector<std::string> names;
  for (int g = 0; g < G; ++g)
    for (auto& r : L.groups[static_cast<std::size_t>(g)].rows) {
      if (!r.free) {
        r.par = -1;
        if (!r.label.empty() && r.label.rfind(".eq.", 0) != 0) fixed_labels.insert(r.label);
        continue;
      }
      if (!r.label.empty()) {
        auto it = label_par.find(r.label);
        if (it != label_par.end()) {
          r.par = it->second;
          continue;
        }
        label_par[r.label] = static_cast<int>(names.size());
      }
      r.par = static_cast<int>(names.size());
      std::string nm = (!r.label.empty() && r.label.rfind(".eq.", 0) != 0) ? r.label : row_name(r);
      if (g > 0 && (r.label.empty() || r.label.rfind(".eq.", 0) == 0)) nm += ".g" + std::to_string(g + 1);
      names.push_back(nm);
    }
  // automatic group.equal labels read like lavaan's: ".p<k>." (k = 1-based free parameter)
  for (auto& m : L.groups)
    for (auto& r : m.rows)
      if (r.label.rfind(".eq.", 0) == 0) r.label = ".p" + std::to_string(r.par + 1) + ".";
  for (const auto& l : fixed_labels)
    check::require(!label_par.count(l), kFn, "label '" + l + "' is used on both fixed and free parameters");
  const int q = static_cast<int>(names.size());
  L.combined = L.groups[0];
  L.combined.rows.clear();
  for (auto& m : L.groups) {
    m.n_free = q;
    m.par_names = names;
    L.combined.rows.insert(L.combined.rows.end(), m.rows.begin(), m.rows.end());
  }
  L.combined.n_free = q;
  L.combined.par_names = names;
  return L;
}

/// Data of one group, aligned to the model's observed variables.
struct GroupData {
  int64_t n = 0;
  std::vector<double> x;  // n*p
  detail::PatternData pat;
  std::vector<double> h1_mean, h1_cov;
  int em_iter = 0;
};

class GroupProblem : public optim::Problem {
 public:
  GroupProblem(std::vector<detail::Kernel>& k, const std::vector<GroupData>& d, double N) : k_(k), d_(d), N_(N) {
    g_.resize(static_cast<std::size_t>(k.front().ram().npar));
  }
  std::size_t dim() const override { return static_cast<std::size_t>(k_.front().ram().npar); }
  double eval(const double* x, double* grad) {
    double f = 0;
    if (grad) std::fill(grad, grad + dim(), 0.0);
    for (std::size_t g = 0; g < k_.size(); ++g) {
      const double w = d_[g].pat.ntotal / N_;
      const double fg = k_[g].fiml(d_[g].pat, x, grad ? g_.data() : nullptr);
      if (!std::isfinite(fg)) return std::numeric_limits<double>::infinity();
      f += w * fg;
      if (grad)
        for (std::size_t i = 0; i < dim(); ++i) grad[i] += w * g_[i];
    }
    return f;
  }
  double value_and_gradient(const double* x, double* grad) override {
    const double f = eval(x, grad);
    if (!std::isfinite(f)) {
      if (grad) std::fill(grad, grad + dim(), 0.0);
      return 1e30;
    }
    return f;
  }
  std::vector<double> expected_info(const double* x) {
    const int q = static_cast<int>(dim());
    std::vector<double> I(static_cast<std::size_t>(q) * static_cast<std::size_t>(q), 0.0);
    for (std::size_t g = 0; g < k_.size(); ++g) {
      const double w = d_[g].pat.ntotal / N_;
      const std::vector<double> Ig = k_[g].fiml_expected_information(d_[g].pat, x);
      for (std::size_t i = 0; i < I.size(); ++i) I[i] += w * Ig[i];
    }
    return I;
  }

 private:
  std::vector<detail::Kernel>& k_;
  const std::vector<GroupData>& d_;
  double N_;
  std::vector<double> g_;
};


}  // namespace

GroupFitOptions group_fit_options_take(Options& o) {
  const char* fn = "sem::group_fit_options";
  GroupFitOptions g;
  if (o.has("missing")) {
    const std::string m = o.get_string("missing", "listwise");
    if (m == "listwise" || m == "default") g.missing = Missing::listwise;
    else if (m == "fiml" || m == "ml" || m == "FIML" || m == "direct") g.missing = Missing::fiml;
    else check::fail(fn, "missing is '" + m + "', but must be 'listwise' or 'fiml'");
    o.erase("missing");
  }
  if (o.has("group_equal")) {
    g.group_equal = split_list(o.get_string("group_equal", ""));
    o.erase("group_equal");
  }
  if (o.has("group_partial")) {
    g.group_partial = split_list(o.get_string("group_partial", ""));
    o.erase("group_partial");
  }
  g.information_given = o.has("information");
  return g;
}

std::vector<Model> group_models(const std::string& syntax, int ngroups, const ModelOptions& mopt, const GroupFitOptions& gopt, Model* combined) {
  Layout L = build_layout(syntax, ngroups, mopt, gopt);
  if (combined) *combined = L.combined;
  return L.groups;
}

GroupFit fit_groups(const std::string& syntax, const GroupedData& data, const FitOptions& opt, const ModelOptions& mopt,
                    const GroupFitOptions& gopt) {
  check::require(opt.estimator == Estimator::ml || opt.estimator == Estimator::mlr, kFn,
                 "FIML and multiple groups are implemented for the estimators ML and MLR only (not GLS or ULS)", Status::unsupported);
  const bool mlr = opt.estimator == Estimator::mlr;
  check::positive(kFn, "grad_tol", opt.grad_tol);
  check::at_least(kFn, "maxeval", opt.maxeval, 1);
  const int64_t n = data.n;
  const int k = static_cast<int>(data.names.size());
  check::at_least(kFn, "number of rows", n, 1);
  check::same_size(kFn, "data", static_cast<int64_t>(data.x.size()), n * k);
  int G = 1;
  if (!data.group.empty()) {
    check::same_size(kFn, "group", static_cast<int64_t>(data.group.size()), n);
    for (int c : data.group) {
      check::require(c >= 0, kFn, "group codes must be >= 0");
      G = std::max(G, c + 1);
    }
  }
  std::vector<std::string> labels = data.group_labels;
  if (labels.empty())
    for (int g = 0; g < G; ++g) labels.push_back(std::to_string(g + 1));
  check::require(static_cast<int>(labels.size()) >= G, kFn, "fewer group labels than groups");
  G = static_cast<int>(labels.size());

  GroupFit out;
  out.options = opt;
  out.missing = gopt.missing;
  out.group_labels = labels;
  Layout L = build_layout(syntax, G, mopt, gopt);
  out.model = L.combined;
  out.group_models = L.groups;
  const Model& m0 = L.groups[0];
  const int p = m0.p(), q = m0.n_free;
  check::require(q > 0, kFn, "the model has no free parameters");
  // 2. data
  std::vector<int> col(static_cast<std::size_t>(p));
  for (int j = 0; j < p; ++j) {
    auto it = std::find(data.names.begin(), data.names.end(), m0.observed[static_cast<std::size_t>(j)]);
    if (it == data.names.end()) check::fail(kFn, "observed variable '" + m0.observed[static_cast<std::size_t>(j)] + "' of the model is not in the data");
    col[static_cast<std::size_t>(j)] = static_cast<int>(it - data.names.begin());
  }
  std::vector<GroupData> gd(static_cast<std::size_t>(G));
  {
    std::vector<std::vector<int64_t>> rows(static_cast<std::size_t>(G));
    for (int64_t i = 0; i < n; ++i) {
      const int g = data.group.empty() ? 0 : data.group[static_cast<std::size_t>(i)];
      int nobs = 0;
      for (int j = 0; j < p; ++j) {
        const double v = data.x[static_cast<std::size_t>(i) + static_cast<std::size_t>(col[static_cast<std::size_t>(j)]) * static_cast<std::size_t>(n)];
        if (!std::isnan(v)) {
          if (!std::isfinite(v))
            check::fail(kFn, "data[" + std::to_string(i + 1) + ", '" + m0.observed[static_cast<std::size_t>(j)] + "'] is infinite");
          ++nobs;
        }
      }
      if (nobs == 0) {
        ++out.n_empty;
        continue;
      }
      if (nobs < p && gopt.missing == Missing::listwise) {
        ++out.n_incomplete;
        continue;
      }
      rows[static_cast<std::size_t>(g)].push_back(i);
    }
    for (int g = 0; g < G; ++g) {
      GroupData& d = gd[static_cast<std::size_t>(g)];
      const auto& r = rows[static_cast<std::size_t>(g)];
      const std::string gname = G > 1 ? " in group '" + labels[static_cast<std::size_t>(g)] + "'" : "";
      d.n = static_cast<int64_t>(r.size());
      if (gopt.missing == Missing::listwise) {
        check::require(d.n > p, kFn,
                       "too few observations" + gname + ": " + std::to_string(d.n) + " complete rows for " + std::to_string(p) +
                           " observed variables (need more rows than variables)");
      } else {
        check::require(d.n >= 2, kFn, "too few observations" + gname + ": " + std::to_string(d.n) + " non-empty rows");
      }
      d.x.resize(static_cast<std::size_t>(d.n) * static_cast<std::size_t>(p));
      for (int j = 0; j < p; ++j)
        for (int64_t a = 0; a < d.n; ++a)
          d.x[static_cast<std::size_t>(a) + static_cast<std::size_t>(j) * static_cast<std::size_t>(d.n)] =
              data.x[static_cast<std::size_t>(r[static_cast<std::size_t>(a)]) + static_cast<std::size_t>(col[static_cast<std::size_t>(j)]) * static_cast<std::size_t>(n)];
      // coverage
      std::vector<int64_t> cov(static_cast<std::size_t>(p) * static_cast<std::size_t>(p), 0);
      for (int64_t a = 0; a < d.n; ++a)
        for (int j = 0; j < p; ++j) {
          if (std::isnan(d.x[static_cast<std::size_t>(a) + static_cast<std::size_t>(j) * static_cast<std::size_t>(d.n)])) continue;
          for (int l = j; l < p; ++l)
            if (!std::isnan(d.x[static_cast<std::size_t>(a) + static_cast<std::size_t>(l) * static_cast<std::size_t>(d.n)])) ++cov[ix(j, l, p)];
        }
      for (int j = 0; j < p; ++j)
        check::require(cov[ix(j, j, p)] >= 2, kFn,
                       "variable '" + m0.observed[static_cast<std::size_t>(j)] + "' is observed in " + std::to_string(cov[ix(j, j, p)]) +
                           " rows" + gname + " (entirely missing or nearly so)");
      for (int j = 0; j < p; ++j) {
        for (int l = j + 1; l < p; ++l)
          check::require(cov[ix(j, l, p)] >= 1, kFn,
                         "variables '" + m0.observed[static_cast<std::size_t>(j)] + "' and '" + m0.observed[static_cast<std::size_t>(l)] +
                             "' are never observed together" + gname + " (their covariance is not estimable)");
      }
      d.pat = detail::make_patterns(d.x.data(), d.n, p);
      if (d.pat.patterns.size() == 1 && static_cast<int>(d.pat.patterns[0].obs.size()) == p) {
        d.h1_mean = d.pat.patterns[0].mean;
        d.h1_cov = d.pat.patterns[0].cov;
        d.em_iter = 0;
      } else {
        d.em_iter = detail::em_saturated(d.pat, d.h1_mean, d.h1_cov, gopt.em_maxit, gopt.em_tol);
        check::require(d.em_iter > 0, kFn, "the EM algorithm for the saturated (H1) model did not converge" + gname, Status::numerical);
      }
      std::vector<double> l = d.h1_cov;
      if (!detail::cholesky_inplace(l.data(), p, nullptr))
        check::fail(kFn, "the (EM) sample covariance matrix" + gname + " is not positive definite", Status::numerical);
      out.nobs.push_back(d.n);
      out.n_patterns.push_back(static_cast<int>(d.pat.patterns.size()));
      out.em_iterations.push_back(d.em_iter);
      out.h1_mean.push_back(d.h1_mean);
      out.h1_cov.push_back(d.h1_cov);
    }
  }
  double N = 0;
  for (const auto& d : gd) N += static_cast<double>(d.n);

  // 3. kernels, start values, optimisation
  std::vector<detail::Kernel> kern;
  kern.reserve(static_cast<std::size_t>(G));
  for (int g = 0; g < G; ++g) kern.emplace_back(detail::ram_structure(L.groups[static_cast<std::size_t>(g)]), std::vector<double>{}, std::vector<double>{});
  std::vector<double> x = opt.start;
  if (x.empty()) {
    x.assign(static_cast<std::size_t>(q), kNaN);
    for (int g = 0; g < G; ++g) {
      const Model& m = L.groups[static_cast<std::size_t>(g)];
      const GroupData& d = gd[static_cast<std::size_t>(g)];
      for (const auto& r : m.rows) {
        if (r.par < 0 || std::isfinite(x[static_cast<std::size_t>(r.par)])) continue;
        double v = 0;
        const int i = m.var_index(r.lhs);
        if (std::isfinite(r.value)) v = r.value;
        else if (r.op == Op::loading) v = 1.0;
        else if (r.op == Op::covariance && r.lhs == r.rhs) v = i < p ? 0.5 * d.h1_cov[ix(i, i, p)] : 0.05;
        else if (r.op == Op::intercept) v = i < p ? d.h1_mean[static_cast<std::size_t>(i)] : 0.0;
        x[static_cast<std::size_t>(r.par)] = v;
      }
    }
  }
  check::same_size(kFn, "start", static_cast<int64_t>(x.size()), q);
  check::finite(kFn, "start", x.data(), q);
  GroupProblem prob(kern, gd, N);
  const optim::NloptOptions no = detail::lbfgs_options(opt.maxeval, opt.grad_tol);
  Convergence conv = optim::minimize_nlopt(prob, x, no);
  std::vector<double> g(static_cast<std::size_t>(q));
  double f = prob.eval(x.data(), g.data());
  if (opt.polish && std::isfinite(f)) {
    f = detail::fisher_polish(
        x, f, g, 20, 0.01 * opt.grad_tol, [&](const double* xx, double* gg) { return prob.eval(xx, gg); },
        [&](const double* xx) { return prob.expected_info(xx); }, kFn);
  }
  std::size_t nev = 0;
  for (const auto& kk : kern) nev = std::max(nev, kk.evaluations());
  conv.iterations = static_cast<int>(nev);
  detail::finish_convergence(conv, f, g, opt.grad_tol);
  out.convergence = conv;
  out.theta = x;
  for (int gi = 0; gi < G; ++gi) {
    detail::Kernel& kk = kern[static_cast<std::size_t>(gi)];
    Implied im;
    if (kk.implied(x.data())) {
      im.sigma = kk.sigma();
      im.mu = kk.mu();
      im.det_i_minus_a = kk.det_i_minus_a();
    }
    out.implied.push_back(im);
  }

  // 4. standard errors
  out.information = ((gopt.missing == Missing::fiml || mlr) && !gopt.information_given) ? Information::observed : opt.information;
  if (mlr) out.information = Information::observed;  // lavaan MLR: observed (Hessian) information
  out.se.assign(static_cast<std::size_t>(q), kNaN);
  bool vcov_ok = false;
  // MLR pieces (per observation): E = 1/2 Hessian of F, B0 = 1/N sum_g sum_i s_i s_i^T (casewise FIML
  // scores at theta, src/sem/robust.cpp); lavaan's B0 = sum_g N_g/N B0_g.
  std::vector<double> mlr_E, mlr_B0;
  bool mlr_ok = false;
  if (mlr && std::isfinite(f)) {
    try {
      auto gradfn = [&](const std::vector<double>& th) {
        std::vector<double> gg(static_cast<std::size_t>(q));
        prob.eval(th.data(), gg.data());
        return gg;
      };
      mlr_E = numeric::fd_hessian_from_gradient(gradfn, x, 1e-5);
      for (auto& v : mlr_E) v *= 0.5;
      for (int gi = 0; gi < G; ++gi) {
        const GroupData& d = gd[static_cast<std::size_t>(gi)];
        detail::add_score_crossproduct(detail::casewise_scores(kern[static_cast<std::size_t>(gi)], x.data(), d.x.data(), d.n, nullptr), d.n, q, mlr_B0);
      }
      for (auto& v : mlr_B0) v /= N;
      prob.eval(x.data(), nullptr);
      mlr_ok = true;
    } catch (const Error&) {
      mlr_ok = false;
    }
  }
  if (opt.se && std::isfinite(f) && mlr) {
    if (mlr_ok) {
      bool ok = false;
      try {
        const numeric::HessianCovariance hc = numeric::covariance_from_hessian(mlr_E, static_cast<std::size_t>(q), 1e-10, kFn);
        ok = hc.ok;
        if (ok) {
          // Huber-White sandwich: vcov = E^{-1} B0 E^{-1} / N (hc.vcov = E^{-1})
          const arma::mat Ei(const_cast<double*>(hc.vcov.data()), static_cast<arma::uword>(q), static_cast<arma::uword>(q), false, true);
          const arma::mat Bm(mlr_B0.data(), static_cast<arma::uword>(q), static_cast<arma::uword>(q), false, true);
          const arma::mat V = Ei * Bm * Ei / N;
          out.vcov.assign(V.begin(), V.end());
        }
      } catch (const Error&) {
        ok = false;
      }
      vcov_ok = ok;
      if (vcov_ok) out.se = detail::se_from_vcov(out.vcov, q);
      else out.vcov.clear();
    }
  } else if (opt.se && std::isfinite(f)) {
    try {
      std::vector<double> info;
      if (out.information == Information::expected) {
        info = prob.expected_info(x.data());
        for (auto& v : info) v *= N;
      } else {
        auto gradfn = [&](const std::vector<double>& th) {
          std::vector<double> gg(static_cast<std::size_t>(q));
          prob.eval(th.data(), gg.data());
          return gg;
        };
        info = numeric::fd_hessian_from_gradient(gradfn, x, 1e-5);
        for (auto& v : info) v *= 0.5 * N;
      }
      const numeric::HessianCovariance hc = numeric::covariance_from_hessian(info, static_cast<std::size_t>(q), 1e-10, kFn);
      vcov_ok = hc.ok;
      out.vcov = hc.vcov;
    } catch (const Error&) {
      vcov_ok = false;
    }
    if (vcov_ok) out.se = detail::se_from_vcov(out.vcov, q);
    else out.vcov.clear();
  }
  detail::row_estimates(out.model.rows, x, out.se, out.est, out.row_se);

  // 5. fit measures
  FitMeasures& fm = out.measures;
  fm.npar = q;
  fm.ntotal = static_cast<int64_t>(N);
  if (std::isfinite(f)) {
    double m2ll0 = 0, m2ll1 = 0, m2llb = 0, srmr = 0;
    for (int gi = 0; gi < G; ++gi) {
      const GroupData& d = gd[static_cast<std::size_t>(gi)];
      const Implied& im = out.implied[static_cast<std::size_t>(gi)];
      m2ll0 += detail::pattern_m2ll(d.pat, im.mu.data(), im.sigma.data());
      m2ll1 += detail::pattern_m2ll(d.pat, d.h1_mean.data(), d.h1_cov.data());
      // baseline: available-case mean and variance of each variable
      for (int j = 0; j < p; ++j) {
        double s1 = 0, s2 = 0, cnt = 0;
        for (int64_t a = 0; a < d.n; ++a) {
          const double v = d.x[static_cast<std::size_t>(a) + static_cast<std::size_t>(j) * static_cast<std::size_t>(d.n)];
          if (std::isnan(v)) continue;
          s1 += v;
          cnt += 1;
        }
        const double mj = s1 / cnt;
        for (int64_t a = 0; a < d.n; ++a) {
          const double v = d.x[static_cast<std::size_t>(a) + static_cast<std::size_t>(j) * static_cast<std::size_t>(d.n)];
          if (!std::isnan(v)) s2 += (v - mj) * (v - mj);
        }
        m2llb += cnt * (kLog2Pi + std::log(s2 / cnt) + 1.0);
      }
      // SRMR (Bentler, with means) against the H1 moments
      double ss = 0;
      for (int j = 0; j < p; ++j) {
        for (int i = j; i < p; ++i) {
          const double r = (d.h1_cov[ix(i, j, p)] - im.sigma[ix(i, j, p)]) / std::sqrt(d.h1_cov[ix(i, i, p)] * d.h1_cov[ix(j, j, p)]);
          ss += r * r;
        }
        const double r = (d.h1_mean[static_cast<std::size_t>(j)] - im.mu[static_cast<std::size_t>(j)]) / std::sqrt(d.h1_cov[ix(j, j, p)]);
        ss += r * r;
      }
      srmr += static_cast<double>(d.n) * std::sqrt(ss / (p * (p + 1) / 2 + p));
    }
    fm.logl = -0.5 * m2ll0;
    fm.unrestricted_logl = -0.5 * m2ll1;
    fm.chisq = std::max(m2ll0 - m2ll1, 0.0);
    fm.fmin = fm.chisq / (2.0 * N);
    fm.df = G * (p * (p + 1) / 2 + p) - q;
    fm.pvalue = fm.df > 0 ? pchisq_upper(fm.chisq, fm.df) : kNaN;
    fm.baseline_chisq = m2llb - m2ll1;
    fm.baseline_df = G * (p * (p - 1) / 2);
    fm.srmr = srmr / N;
    fm.aic = -2.0 * fm.logl + 2.0 * q;
    fm.bic = -2.0 * fm.logl + q * std::log(N);
    const double X2 = fm.chisq, df = fm.df, X2b = fm.baseline_chisq, dfb = fm.baseline_df;
    detail::comparative_indices(X2, df, X2b, dfb, fm);
    detail::rmsea_indices(X2, df, N, G, fm);
    if (mlr && mlr_ok && fm.df > 0) {
      // Yuan-Bentler (Mplus variant): trace_h0 = tr(E^{-1} B0); trace_h1 = sum_g tr(A1_g^{-1} B1_g) at the
      // H1 moments (sample moments, or EM with missing data); baseline h0 trace per group.
      try {
        detail::YuanBentler yb;
        const arma::mat Em(mlr_E.data(), static_cast<arma::uword>(q), static_cast<arma::uword>(q), false, true);
        const arma::mat Bm(mlr_B0.data(), static_cast<arma::uword>(q), static_cast<arma::uword>(q), false, true);
        arma::mat Einv;
        if (arma::inv(Einv, Em)) {
          yb.trace_h0 = arma::accu(Bm % Einv.t());
          double bh0 = 0;
          const std::vector<bool> nox(static_cast<std::size_t>(p), false);
          for (int gi = 0; gi < G; ++gi) {
            const GroupData& d = gd[static_cast<std::size_t>(gi)];
            yb.trace_h1 += d.em_iter == 0 ? detail::yuan_bentler_h1_trace(d.x, d.n, d.h1_mean, d.h1_cov, nox, true, nullptr)
                                          : detail::yuan_bentler_h1_trace_missing(d.x.data(), d.n, p, d.h1_mean, d.h1_cov);
            bh0 += detail::yuan_bentler_baseline_h0_trace_missing(d.x.data(), d.n, p);
          }
          yb.ok = std::isfinite(yb.trace_h0) && std::isfinite(yb.trace_h1);
          detail::fill_mlr_measures(fm, yb, bh0, N);
          const double sg = std::sqrt(static_cast<double>(G));  // lavaan's multi-group RMSEA
          fm.rmsea_scaled *= sg;
          fm.rmsea_robust *= sg;
          // lavaan's robust CFI/TLI/RMSEA with missing data follow Zhang & Savalei (a different
          // construction): not reported rather than reported wrongly
          bool any_missing = false;
          for (const auto& d : gd) any_missing = any_missing || d.em_iter != 0;
          if (any_missing) fm.cfi_robust = fm.tli_robust = fm.rmsea_robust = kNaN;
        }
      } catch (const std::exception&) {
      }
    }
  } else {
    fm.chisq = fm.logl = fm.unrestricted_logl = fm.cfi = fm.tli = fm.rmsea = fm.srmr = fm.aic = fm.bic = kNaN;
  }

  // 6. admissibility
  Admissibility& ad = out.admissibility;
  detail::flag_negative_variances(out.model.rows, out.est, G > 1 ? labels : std::vector<std::string>{}, ad);
  for (int gi = 0; gi < G && std::isfinite(f); ++gi) {
    const std::string gname = G > 1 ? " (group '" + labels[static_cast<std::size_t>(gi)] + "')" : "";
    detail::flag_covariance_blocks(kern[static_cast<std::size_t>(gi)].S(), m0.m(), p, kFn, gname, ad);
  }
  if (opt.se && !vcov_ok) {
    ad.vcov_not_pd = true;
    ad.messages.push_back("the information matrix is singular or the covariance matrix of the estimates is not positive definite (identification?)");
  }
  ad.admissible = !(ad.heywood || ad.latent_cov_not_pd || ad.residual_cov_not_pd || ad.vcov_not_pd);
  return out;
}

FitResult GroupFit::to_fit_result() const {
  FitResult r;
  r.family = "sem";
  r.model = std::string(options.estimator == Estimator::mlr ? "mlr" : "ml") + (missing == Missing::fiml ? "-fiml" : "");
  detail::fill_fit_result(r, model.par_names, theta, vcov, se, measures, convergence);
  std::vector<double> gn;
  for (auto v : nobs) gn.push_back(static_cast<double>(v));
  r.extras["group_nobs"] = gn;
  std::vector<double> ic;
  for (const auto& im : implied) ic.insert(ic.end(), im.sigma.begin(), im.sigma.end());
  r.extras["implied_cov"] = ic;
  r.extras["admissible"] = {admissibility.admissible ? 1.0 : 0.0};
  std::string obs, grp;
  for (const auto& o : model.observed) obs += (obs.empty() ? "" : ",") + o;
  for (const auto& g : group_labels) grp += (grp.empty() ? "" : ",") + g;
  r.notes["observed"] = obs;
  r.notes["groups"] = grp;
  r.notes["missing"] = missing == Missing::fiml ? "fiml" : "listwise";
  r.notes["information"] = information == Information::observed ? "observed" : "expected";
  std::string msg;
  for (const auto& s : admissibility.messages) msg += (msg.empty() ? "" : "; ") + s;
  if (!msg.empty()) r.notes["admissibility"] = msg;
  return r;
}

}  // namespace hetmod::sem
