// sem_glue.cpp -- R glue for the linear SEM family (hetmod/sem/model.hpp).
//
// Thin adapter (DESIGN.md section 2): converts R vectors/matrices into the core's types, calls the C++
// facade inside hetmod_r::guarded (glue.h), and converts the results back into plain R lists. No
// statistics here. Conventions:
//   - `mopt` is a named list of logicals (std_lv, fixed_x, meanstructure, auto_cov_lv_x, auto_cov_y) ->
//     hetmod::sem::ModelOptions; `options` a named list for hetmod::sem::fit_options_from.
//   - A fitted model is rebuilt from its syntax + model options (make_model is deterministic, so the
//     rows and the free-parameter order are the same) and the fitted values of the exo (fixed.x) rows,
//     passed as `row_values` (one per table row, NA for rows that keep their table value).
//   - Graph edges cross as 1-based two-column integer matrices.
//   - Randomness: hetmod::Rng streams of a master seed; R's RNG is never touched from C++.
//   - FIML / multiple groups (sem_fit_groups_cpp): raw data with NA, 0-based group codes + labels;
//     `options` may carry "missing", "group_equal", "group_partial" (sem::group_fit_options_take).
#include <Rcpp.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "glue.h"
#include "hetmod/core/check.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sem/bootstrap.hpp"
#include "hetmod/sem/model.hpp"
#include "hetmod/sem/multigroup.hpp"

namespace {

namespace sem = hetmod::sem;

bool flag(const Rcpp::List& l, const char* key, bool def) {
  if (!l.containsElementNamed(key)) return def;
  SEXP v = l[key];
  hetmod::check::require(Rf_length(v) == 1 && (TYPEOF(v) == LGLSXP || TYPEOF(v) == INTSXP || TYPEOF(v) == REALSXP),
                         "sem_fit", std::string("option '") + key + "' must be TRUE or FALSE");
  const double x = Rcpp::as<double>(v);
  hetmod::check::require(!std::isnan(x), "sem_fit", std::string("option '") + key + "' must be TRUE or FALSE");
  return x != 0.0;
}

sem::ModelOptions model_options(const Rcpp::List& mopt) {
  sem::ModelOptions o;
  o.std_lv = flag(mopt, "std_lv", o.std_lv);
  o.fixed_x = flag(mopt, "fixed_x", o.fixed_x);
  o.meanstructure = flag(mopt, "meanstructure", o.meanstructure);
  o.auto_cov_lv_x = flag(mopt, "auto_cov_lv_x", o.auto_cov_lv_x);
  o.auto_cov_y = flag(mopt, "auto_cov_y", o.auto_cov_y);
  return o;
}

std::vector<std::string> strings(const Rcpp::CharacterVector& v) {
  std::vector<std::string> out;
  for (R_xlen_t i = 0; i < v.size(); ++i) out.emplace_back(Rcpp::as<std::string>(v[i]));
  return out;
}

Rcpp::CharacterVector chr(const std::vector<std::string>& v) { return Rcpp::CharacterVector(v.begin(), v.end()); }
Rcpp::NumericVector num(const std::vector<double>& v) { return Rcpp::NumericVector(v.begin(), v.end()); }

Rcpp::NumericMatrix square(const std::vector<double>& v, const std::vector<std::string>& names) {
  const int p = static_cast<int>(names.size());
  Rcpp::NumericMatrix m(p, p);
  if (v.size() == static_cast<size_t>(p) * static_cast<size_t>(p)) {
    std::copy(v.begin(), v.end(), m.begin());
  } else {
    std::fill(m.begin(), m.end(), NA_REAL);
  }
  Rcpp::CharacterVector nm = chr(names);
  m.attr("dimnames") = Rcpp::List::create(nm, nm);
  return m;
}

// The parameter table as a list of columns (par is 1-based, NA when fixed).
Rcpp::List partable(const sem::Model& m, const std::vector<double>* est, const std::vector<double>* se) {
  const size_t n = m.rows.size();
  Rcpp::CharacterVector lhs(n), op(n), rhs(n), label(n);
  Rcpp::IntegerVector group(n), par(n), line(n);
  Rcpp::LogicalVector free(n), user(n), exo(n);
  Rcpp::NumericVector value(n), e(n), s(n);
  for (size_t i = 0; i < n; ++i) {
    const sem::ParRow& r = m.rows[i];
    lhs[i] = r.lhs;
    op[i] = sem::op_string(r.op);
    rhs[i] = r.rhs;
    label[i] = r.label;
    group[i] = r.group + 1;
    par[i] = r.par >= 0 ? r.par + 1 : NA_INTEGER;
    line[i] = r.line;
    free[i] = r.free;
    user[i] = r.user;
    exo[i] = r.exo;
    value[i] = std::isnan(r.value) ? NA_REAL : r.value;
    e[i] = est && i < est->size() ? (*est)[i] : NA_REAL;
    s[i] = se && i < se->size() ? (*se)[i] : NA_REAL;
  }
  return Rcpp::List::create(Rcpp::Named("lhs") = lhs, Rcpp::Named("op") = op, Rcpp::Named("rhs") = rhs,
                            Rcpp::Named("group") = group, Rcpp::Named("free") = free, Rcpp::Named("par") = par,
                            Rcpp::Named("label") = label, Rcpp::Named("user") = user, Rcpp::Named("exo") = exo,
                            Rcpp::Named("line") = line, Rcpp::Named("value") = value, Rcpp::Named("est") = e,
                            Rcpp::Named("se") = s);
}

// Rebuilds a fitted model: syntax + options, exo rows set to `row_values` (NA: unchanged).
sem::Model rebuild(const std::string& syntax, const Rcpp::List& mopt, const Rcpp::NumericVector& row_values) {
  sem::Model m = sem::make_model(syntax, model_options(mopt));
  if (row_values.size() == 0) return m;
  hetmod::check::require(static_cast<size_t>(row_values.size()) == m.rows.size(), "sem",
                         "the stored parameter table does not match the model syntax (" +
                             std::to_string(row_values.size()) + " vs " + std::to_string(m.rows.size()) + " rows)");
  for (size_t i = 0; i < m.rows.size(); ++i) {
    if (m.rows[i].exo && !std::isnan(row_values[static_cast<R_xlen_t>(i)])) m.rows[i].value = row_values[static_cast<R_xlen_t>(i)];
  }
  return m;
}

std::vector<double> theta_of(const sem::Model& m, const Rcpp::NumericVector& theta) {
  hetmod::check::require(theta.size() == m.n_free, "sem",
                         "theta has length " + std::to_string(theta.size()) + ", but the model has " +
                             std::to_string(m.n_free) + " free parameters");
  std::vector<double> t(theta.begin(), theta.end());
  hetmod::check::finite("sem", "theta", t.data(), static_cast<int64_t>(t.size()));
  return t;
}

sem::Graph graph_of(int n, const Rcpp::IntegerMatrix& directed, const Rcpp::IntegerMatrix& bidirected,
                    const Rcpp::CharacterVector& names) {
  auto edges = [](const Rcpp::IntegerMatrix& e) {
    std::vector<std::pair<int, int>> out;
    if (e.nrow() == 0) return out;
    hetmod::check::require(e.ncol() == 2, "sem", "edge matrices must have two columns");
    for (int i = 0; i < e.nrow(); ++i) {
      hetmod::check::require(e(i, 0) != NA_INTEGER && e(i, 1) != NA_INTEGER, "sem", "edges must not be NA");
      out.emplace_back(e(i, 0) - 1, e(i, 1) - 1);
    }
    return out;
  };
  return sem::make_graph(n, edges(directed), edges(bidirected), strings(names));
}

Rcpp::List graph_list(const sem::Graph& g) {
  Rcpp::IntegerMatrix d(static_cast<int>(g.directed.size()), 2), b(static_cast<int>(g.bidirected.size()), 2);
  for (size_t k = 0; k < g.directed.size(); ++k) {
    d(static_cast<int>(k), 0) = g.directed[k].first + 1;
    d(static_cast<int>(k), 1) = g.directed[k].second + 1;
  }
  for (size_t k = 0; k < g.bidirected.size(); ++k) {
    b(static_cast<int>(k), 0) = g.bidirected[k].first + 1;
    b(static_cast<int>(k), 1) = g.bidirected[k].second + 1;
  }
  return Rcpp::List::create(Rcpp::Named("n") = g.n, Rcpp::Named("names") = chr(g.names), Rcpp::Named("directed") = d,
                            Rcpp::Named("bidirected") = b);
}

// The fit-measure vector under lavaan's names (robust = also the MLR scaled/robust indices).
Rcpp::NumericVector measures_vector(const sem::FitMeasures& m, bool robust) {
  std::vector<std::pair<std::string, double>> fmv = {
      {"npar", m.npar}, {"fmin", m.fmin}, {"chisq", m.chisq}, {"df", m.df}, {"pvalue", m.pvalue},
      {"baseline.chisq", m.baseline_chisq}, {"baseline.df", m.baseline_df}, {"cfi", m.cfi}, {"tli", m.tli},
      {"rmsea", m.rmsea}, {"rmsea.ci.lower", m.rmsea_ci_lower}, {"rmsea.ci.upper", m.rmsea_ci_upper},
      {"rmsea.pvalue", m.rmsea_pvalue}, {"srmr", m.srmr}, {"logl", m.logl},
      {"unrestricted.logl", m.unrestricted_logl}, {"aic", m.aic}, {"bic", m.bic},
      {"ntotal", static_cast<double>(m.ntotal)}, {"chisq.scaled", m.chisq_scaled},
      {"chisq.scaling.factor", m.scaling_factor}, {"pvalue.scaled", m.pvalue_scaled}};
  if (robust) {
    const std::vector<std::pair<std::string, double>> more = {
        {"baseline.chisq.scaled", m.baseline_chisq_scaled}, {"baseline.chisq.scaling.factor", m.baseline_scaling_factor},
        {"cfi.scaled", m.cfi_scaled}, {"tli.scaled", m.tli_scaled}, {"rmsea.scaled", m.rmsea_scaled},
        {"cfi.robust", m.cfi_robust}, {"tli.robust", m.tli_robust}, {"rmsea.robust", m.rmsea_robust}};
    fmv.insert(fmv.end(), more.begin(), more.end());
  }
  Rcpp::NumericVector fm(fmv.size());
  Rcpp::CharacterVector fmn(fmv.size());
  for (size_t k = 0; k < fmv.size(); ++k) {
    fm[static_cast<R_xlen_t>(k)] = std::isnan(fmv[k].second) ? NA_REAL : fmv[k].second;
    fmn[static_cast<R_xlen_t>(k)] = fmv[k].first;
  }
  fm.names() = fmn;
  return fm;
}

// The convergence fields of an SEM fit, set on the fit's result list.
void put_convergence(Rcpp::List& out, const hetmod::Convergence& c) {
  out["converged"] = c.converged;
  out["code"] = c.code;
  out["optimizer"] = c.optimizer;
  out["reason"] = c.reason;
  out["iterations"] = c.iterations;
  out["grad_norm"] = c.grad_norm;
  out["objective"] = c.objective;
}

Rcpp::List admissibility_list(const sem::Admissibility& a) {
  return Rcpp::List::create(
      Rcpp::Named("admissible") = a.admissible, Rcpp::Named("heywood") = a.heywood,
      Rcpp::Named("latent_cov_not_pd") = a.latent_cov_not_pd, Rcpp::Named("residual_cov_not_pd") = a.residual_cov_not_pd,
      Rcpp::Named("vcov_not_pd") = a.vcov_not_pd, Rcpp::Named("unstable_cycle") = a.unstable_cycle,
      Rcpp::Named("spectral_radius") = a.spectral_radius, Rcpp::Named("messages") = chr(a.messages));
}

// q x q covariance matrix of the estimates (0 x 0 when it was not computed).
Rcpp::NumericMatrix vcov_matrix(size_t q, const std::vector<double>& v) {
  const int d = v.size() == q * q ? static_cast<int>(q) : 0;
  Rcpp::NumericMatrix out(d, d);
  if (d > 0) std::copy(v.begin(), v.end(), out.begin());
  return out;
}

}  // namespace

// Parses and completes a model: the parameter table, variables and free-parameter names.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_model_cpp(std::string syntax, Rcpp::List mopt) {
  return hetmod_r::guarded([&] {
    const sem::Model m = sem::make_model(syntax, model_options(mopt));
    const sem::Graph g = sem::model_graph(m);
    return Rcpp::List::create(Rcpp::Named("partable") = partable(m, nullptr, nullptr),
                              Rcpp::Named("observed") = chr(m.observed), Rcpp::Named("latent") = chr(m.latent),
                              Rcpp::Named("par_names") = chr(m.par_names), Rcpp::Named("n_free") = m.n_free,
                              Rcpp::Named("meanstructure") = m.meanstructure, Rcpp::Named("graph") = graph_list(g));
  });
}

// Fits a model to raw data (n x k matrix with column names `names`) or to a covariance matrix.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_fit_cpp(std::string syntax, Rcpp::List mopt, Rcpp::Nullable<Rcpp::NumericMatrix> data,
                       Rcpp::CharacterVector names, Rcpp::Nullable<Rcpp::NumericMatrix> sample_cov, double sample_nobs,
                       Rcpp::Nullable<Rcpp::NumericVector> sample_mean, Rcpp::List options) {
  return hetmod_r::guarded([&] {
    const sem::Model model = sem::make_model(syntax, model_options(mopt));
    const sem::FitOptions fo = sem::fit_options_from(hetmod_r::options_from_list(options, "sem_fit", {"start"}));
    const std::vector<std::string> nm = strings(names);
    sem::SampleMoments s;
    if (data.isNotNull()) {
      Rcpp::NumericMatrix x(data.get());
      s = sem::sample_moments(hetmod::data::MatView(x.begin(), x.nrow(), x.ncol()), nm);
    } else {
      hetmod::check::require(sample_cov.isNotNull(), "sem_fit", "either data or sample_cov is needed");
      Rcpp::NumericMatrix c(sample_cov.get());
      hetmod::check::require(std::isfinite(sample_nobs) && sample_nobs == std::floor(sample_nobs), "sem_fit",
                             "sample_nobs must be a whole number");
      std::vector<double> mean;
      if (sample_mean.isNotNull()) {
        Rcpp::NumericVector mu(sample_mean.get());
        mean.assign(mu.begin(), mu.end());
      }
      s = sem::sample_moments_from_cov(std::vector<double>(c.begin(), c.end()), nm, static_cast<int64_t>(sample_nobs),
                                       mean);
    }
    const sem::SemFit f = sem::fit(model, s, fo);
    const sem::FitMeasures& m = f.measures;
    Rcpp::NumericVector fm = measures_vector(f.measures, true);
    Rcpp::List adm = admissibility_list(f.admissibility);
    Rcpp::NumericMatrix vcov = vcov_matrix(f.theta.size(), f.vcov);
    std::vector<double> sample_cov_aligned, sample_mean_aligned;
    {
      // the fitted moments in the model's observed order
      const int p = f.model.p();
      std::vector<int> pos;
      for (const auto& o : f.model.observed) {
        int k = -1;
        for (size_t j = 0; j < f.sample.names.size(); ++j)
          if (f.sample.names[j] == o) k = static_cast<int>(j);
        pos.push_back(k);
      }
      const int ps = static_cast<int>(f.sample.names.size());
      sample_cov_aligned.assign(static_cast<size_t>(p) * static_cast<size_t>(p), NA_REAL);
      for (int i = 0; i < p; ++i)
        for (int j = 0; j < p; ++j)
          if (pos[static_cast<size_t>(i)] >= 0 && pos[static_cast<size_t>(j)] >= 0)
            sample_cov_aligned[static_cast<size_t>(i + j * p)] =
                f.sample.cov[static_cast<size_t>(pos[static_cast<size_t>(i)] + pos[static_cast<size_t>(j)] * ps)];
      if (!f.sample.mean.empty())
        for (int i = 0; i < p; ++i) sample_mean_aligned.push_back(f.sample.mean[static_cast<size_t>(pos[static_cast<size_t>(i)])]);
    }
    Rcpp::NumericVector smean = num(sample_mean_aligned);
    if (!sample_mean_aligned.empty()) smean.names() = chr(f.model.observed);
    Rcpp::NumericVector imean = num(f.implied.mu);
    if (!f.implied.mu.empty()) imean.names() = chr(f.model.observed);
    Rcpp::List out = Rcpp::List::create(
        Rcpp::Named("coefficients") = num(f.theta), Rcpp::Named("par_names") = chr(f.model.par_names),
        Rcpp::Named("se") = num(f.se), Rcpp::Named("vcov") = vcov, Rcpp::Named("loglik") = m.logl,
        Rcpp::Named("nobs") = static_cast<double>(f.sample.nobs),
        Rcpp::Named("partable") = partable(f.model, &f.est, &f.row_se), Rcpp::Named("fit_measures") = fm,
        Rcpp::Named("admissibility") = adm, Rcpp::Named("observed") = chr(f.model.observed),
        Rcpp::Named("latent") = chr(f.model.latent), Rcpp::Named("implied_cov") = square(f.implied.sigma, f.model.observed),
        Rcpp::Named("implied_mean") = imean, Rcpp::Named("sample_cov") = square(sample_cov_aligned, f.model.observed),
        Rcpp::Named("sample_mean") = smean, Rcpp::Named("meanstructure") = f.model.meanstructure);
    put_convergence(out, f.convergence);
    return out;
  });
}

// Observed and latent variables of a model replicated over `ngroups` groups (c(...) modifiers allowed).
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_group_model_cpp(std::string syntax, Rcpp::List mopt, int ngroups) {
  return hetmod_r::guarded([&] {
    const std::vector<sem::Model> ms = sem::group_models(syntax, ngroups, model_options(mopt), {});
    return Rcpp::List::create(Rcpp::Named("observed") = chr(ms.front().observed), Rcpp::Named("latent") = chr(ms.front().latent));
  });
}

// Fits with FIML and/or several groups (sem::fit_groups). data: n x k matrix (NA = missing) with column
// names `names`; group: 0-based codes (length n, or empty for one group) with labels.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_fit_groups_cpp(std::string syntax, Rcpp::List mopt, Rcpp::NumericMatrix data, Rcpp::CharacterVector names,
                              Rcpp::IntegerVector group, Rcpp::CharacterVector group_labels, Rcpp::List options) {
  return hetmod_r::guarded([&] {
    hetmod::Options o = hetmod_r::options_from_list(options, "sem_fit", {"start"});
    const sem::GroupFitOptions go = sem::group_fit_options_take(o);
    const sem::FitOptions fo = sem::fit_options_from(o);
    sem::GroupedData gd;
    gd.names = strings(names);
    gd.n = data.nrow();
    gd.x.assign(data.begin(), data.end());
    for (auto& v : gd.x)
      if (ISNA(v) || std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
    gd.group.assign(group.begin(), group.end());
    gd.group_labels = strings(group_labels);
    const sem::GroupFit f = sem::fit_groups(syntax, gd, fo, model_options(mopt), go);
    const sem::FitMeasures& m = f.measures;
    Rcpp::NumericVector fm = measures_vector(f.measures, fo.estimator == sem::Estimator::mlr);
    Rcpp::List adm = admissibility_list(f.admissibility);
    Rcpp::NumericMatrix vcov = vcov_matrix(f.theta.size(), f.vcov);
    const std::vector<std::string>& obs = f.model.observed;
    Rcpp::List icov, imean, scov, smean;
    for (size_t g = 0; g < f.implied.size(); ++g) {
      icov.push_back(square(f.implied[g].sigma, obs));
      Rcpp::NumericVector mu = num(f.implied[g].mu);
      if (!f.implied[g].mu.empty()) mu.names() = chr(obs);
      imean.push_back(mu);
      scov.push_back(square(f.h1_cov[g], obs));
      Rcpp::NumericVector sm = num(f.h1_mean[g]);
      sm.names() = chr(obs);
      smean.push_back(sm);
    }
    std::vector<double> nobs(f.nobs.begin(), f.nobs.end());
    Rcpp::List out = Rcpp::List::create(
        Rcpp::Named("coefficients") = num(f.theta), Rcpp::Named("par_names") = chr(f.model.par_names),
        Rcpp::Named("se") = num(f.se), Rcpp::Named("vcov") = vcov, Rcpp::Named("loglik") = m.logl,
        Rcpp::Named("nobs") = static_cast<double>(m.ntotal), Rcpp::Named("partable") = partable(f.model, &f.est, &f.row_se),
        Rcpp::Named("fit_measures") = fm, Rcpp::Named("admissibility") = adm, Rcpp::Named("observed") = chr(obs),
        Rcpp::Named("latent") = chr(f.model.latent), Rcpp::Named("implied_cov") = icov, Rcpp::Named("implied_mean") = imean,
        Rcpp::Named("sample_cov") = scov, Rcpp::Named("sample_mean") = smean, Rcpp::Named("meanstructure") = true);
    out["group_labels"] = chr(f.group_labels);
    out["group_nobs"] = num(nobs);
    out["n_empty"] = static_cast<double>(f.n_empty);
    out["n_incomplete"] = static_cast<double>(f.n_incomplete);
    out["n_patterns"] = Rcpp::IntegerVector(f.n_patterns.begin(), f.n_patterns.end());
    out["em_iterations"] = Rcpp::IntegerVector(f.em_iterations.begin(), f.em_iterations.end());
    out["missing"] = f.missing == sem::Missing::fiml ? "fiml" : "listwise";
    out["information"] = f.information == sem::Information::observed ? "observed" : "expected";
    put_convergence(out, f.convergence);
    return out;
  });
}

// Implied covariance (and means) of a model at theta; row_values as in rebuild().
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_implied_cpp(std::string syntax, Rcpp::List mopt, Rcpp::NumericVector theta, Rcpp::NumericVector row_values) {
  return hetmod_r::guarded([&] {
    const sem::Model m = rebuild(syntax, mopt, row_values);
    const sem::Implied im = sem::implied_moments(m, theta_of(m, theta));
    Rcpp::NumericVector mu = num(im.mu);
    if (!im.mu.empty()) mu.names() = chr(m.observed);
    return Rcpp::List::create(Rcpp::Named("cov") = square(im.sigma, m.observed), Rcpp::Named("mean") = mu,
                              Rcpp::Named("det") = im.det_i_minus_a);
  });
}

// n draws of the observed variables at theta (stream `stream` of master `seed`); n x p matrix.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix sem_simulate_cpp(std::string syntax, Rcpp::List mopt, Rcpp::NumericVector theta,
                                     Rcpp::NumericVector row_values, double n, double seed, double stream) {
  return hetmod_r::guarded([&] {
    const sem::Model m = rebuild(syntax, mopt, row_values);
    hetmod::check::require(std::isfinite(n) && n >= 1 && n == std::floor(n), "sem_simulate", "n must be a whole number >= 1");
    hetmod::Rng rng = hetmod::Rng::for_stream(static_cast<uint64_t>(seed), static_cast<uint64_t>(stream));
    const std::vector<double> x = sem::simulate(m, theta_of(m, theta), static_cast<int64_t>(n), rng);
    Rcpp::NumericMatrix out(static_cast<int>(n), m.p());
    std::copy(x.begin(), x.end(), out.begin());
    out.attr("dimnames") = Rcpp::List::create(R_NilValue, chr(m.observed));
    return out;
  });
}

// Nonparametric bootstrap (sem::bootstrap): replicate r resamples the rows of `data` with hetmod::Rng
// stream r of `seed` and refits warm-started at `start` (no SEs, no baseline), on `threads` threads.
// Returns estimates (R x q), convergence and admissibility flags and error messages.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_bootstrap_cpp(std::string syntax, Rcpp::List mopt, Rcpp::NumericMatrix data, Rcpp::CharacterVector names,
                             Rcpp::List options, Rcpp::NumericVector start, int R, double seed, int threads) {
  return hetmod_r::guarded([&] {
    const sem::Model model = sem::make_model(syntax, model_options(mopt));
    sem::FitOptions fo = sem::fit_options_from(hetmod_r::options_from_list(options, "sem_fit", {"start"}));
    if (start.size() == model.n_free) fo.start.assign(start.begin(), start.end());
    const int64_t n = data.nrow();
    sem::SampleMoments s;
    s.names = strings(names);
    s.nobs = n;
    s.raw.assign(data.begin(), data.end());
    const sem::BootstrapResult b = sem::bootstrap(model, s, fo, R, static_cast<uint64_t>(seed), threads);
    Rcpp::NumericMatrix est(R, b.q);
    std::copy(b.est.begin(), b.est.end(), est.begin());
    Rcpp::LogicalVector conv(R), adm(R);
    Rcpp::CharacterVector err(R);
    for (int r = 0; r < R; ++r) {
      conv[r] = b.converged[static_cast<size_t>(r)] != 0;
      adm[r] = b.admissible[static_cast<size_t>(r)] != 0;
      err[r] = b.error[static_cast<size_t>(r)];
    }
    return Rcpp::List::create(Rcpp::Named("est") = est, Rcpp::Named("converged") = conv, Rcpp::Named("admissible") = adm,
                              Rcpp::Named("error") = err);
  });
}

// The graph of a model over all its variables (observed first).
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_graph_cpp(std::string syntax, Rcpp::List mopt) {
  return hetmod_r::guarded([&] { return graph_list(sem::model_graph(sem::make_model(syntax, model_options(mopt)))); });
}

// Symbolic sigma_ij (1-based pairs i[k], j[k]) of a graph: numerator, det, text and LaTeX.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_expand_cpp(int n, Rcpp::IntegerMatrix directed, Rcpp::IntegerMatrix bidirected, Rcpp::CharacterVector names,
                          Rcpp::IntegerVector i, Rcpp::IntegerVector j) {
  return hetmod_r::guarded([&] {
    const sem::Graph g = graph_of(n, directed, bidirected, names);
    hetmod::check::require(i.size() == j.size(), "sem_expand", "i and j must have the same length");
    const R_xlen_t K = i.size();
    Rcpp::CharacterVector text(K), latex(K), numer(K), numer_latex(K);
    std::string det, det_latex;
    for (R_xlen_t k = 0; k < K; ++k) {
      hetmod::check::require(i[k] >= 1 && i[k] <= n && j[k] >= 1 && j[k] <= n, "sem_expand",
                             "variable indices must be between 1 and the number of variables");
      const sem::Expansion e = sem::expand(g, i[k] - 1, j[k] - 1);
      text[k] = e.to_string();
      latex[k] = e.to_latex();
      numer[k] = e.numerator.to_string(e.var_names);
      numer_latex[k] = e.numerator.to_latex(e.latex_names);
      if (k == 0) {
        det = e.det.to_string(e.var_names);
        det_latex = e.det.to_latex(e.latex_names);
      }
    }
    if (K == 0) {
      // det(I - Lambda) of the whole graph
      std::vector<int> all;
      for (int v = 0; v < n; ++v) all.push_back(v);
      const sem::Polynomial d = sem::cycle_sum(g, all);
      det = d.to_string(sem::expansion_variable_names(g, false));
      det_latex = d.to_latex(sem::expansion_variable_names(g, true));
    }
    return Rcpp::List::create(Rcpp::Named("text") = text, Rcpp::Named("latex") = latex, Rcpp::Named("numerator") = numer,
                              Rcpp::Named("numerator_latex") = numer_latex, Rcpp::Named("det") = det,
                              Rcpp::Named("det_latex") = det_latex,
                              Rcpp::Named("variables") = chr(sem::expansion_variable_names(g, false)),
                              Rcpp::Named("variables_latex") = chr(sem::expansion_variable_names(g, true)));
  });
}

// Identification result -> R list (node and parameter indices 1-based).
static Rcpp::List identification_list(const sem::Identification& id) {
  Rcpp::IntegerVector un(id.unidentified.begin(), id.unidentified.end()), solved(id.htc_solved.begin(), id.htc_solved.end());
  for (auto& v : un) ++v;
  for (auto& v : solved) ++v;
  return Rcpp::List::create(Rcpp::Named("n_params") = id.n_params, Rcpp::Named("n_moments") = id.n_moments,
                            Rcpp::Named("jacobian_rank") = id.jacobian_rank, Rcpp::Named("finite_to_one") = id.finite_to_one,
                            Rcpp::Named("unidentified") = un, Rcpp::Named("simple") = id.simple,
                            Rcpp::Named("bow_free") = id.bow_free, Rcpp::Named("acyclic") = id.acyclic,
                            Rcpp::Named("htc_applicable") = id.htc_applicable,
                            Rcpp::Named("htc_identifiable") = id.htc_identifiable,
                            Rcpp::Named("htc_nonidentifiable") = id.htc_nonidentifiable, Rcpp::Named("htc_solved") = solved);
}

// Generic identifiability of a graph (Jacobian rank over GF(2^31-1), HTC) and its structural flags.
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_identify_cpp(int n, Rcpp::IntegerMatrix directed, Rcpp::IntegerMatrix bidirected, Rcpp::CharacterVector names,
                            double seed, int trials) {
  return hetmod_r::guarded([&] {
    const sem::Graph g = graph_of(n, directed, bidirected, names);
    return identification_list(sem::identify(g, static_cast<uint64_t>(seed), trials));
  });
}

// Generic local identifiability of a model as specified (latent variables included).
// [[Rcpp::export(rng = false)]]
Rcpp::List sem_identify_model_cpp(std::string syntax, Rcpp::List mopt, double seed, int trials) {
  return hetmod_r::guarded([&] {
    const sem::Model m = sem::make_model(syntax, model_options(mopt));
    Rcpp::List out = identification_list(sem::identify_model(m, static_cast<uint64_t>(seed), trials));
    out["par_names"] = chr(m.par_names);
    return out;
  });
}
