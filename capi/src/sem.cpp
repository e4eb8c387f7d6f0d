// capi/src/sem.cpp -- C entry points of the linear SEM family (hetmod/sem/model.hpp).
//
// Thin adapter: validates pointers and lengths, builds the core's sample moments from the caller's
// arrays, calls the C++ facade, and wraps SemFit::to_fit_result() in a hetmod_fit handle. The fit
// measures are additionally stored one extra per measure under lavaan's names (so
// hetmod_fit_extra(fit, "cfi", ...) works), plus the admissibility flags.
//
// C-API-only options (read and removed here, never passed to the core):
//   "std_lv", "fixed_x", "meanstructure", "auto_cov_lv_x", "auto_cov_y"  model options (0/1);
//   "sample_mean"  vector of length p (with sample_cov);
//   "group"        name of a data column holding numeric group codes (groups in order of appearance).
// Keys read by sem::group_fit_options_take: "missing" ("listwise"/"fiml"), "group_equal", "group_partial".
// With "group" or missing = "fiml" the fit goes through sem::fit_groups (raw data with NaN = missing).
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "guard.hpp"
#include "hetmod/core/check.hpp"
#include "hetmod/sem/model.hpp"
#include "hetmod/sem/multigroup.hpp"

namespace sem = hetmod::sem;
using hetmod::capi::check_array;
using hetmod::capi::require_len;
using hetmod::capi::require_ptr;

namespace {

std::vector<std::string> read_names(const char* fn, const char* const* names, int64_t p) {
  require_ptr(fn, "names", names);
  std::vector<std::string> out;
  for (int64_t j = 0; j < p; ++j) {
    if (names[j] == nullptr) hetmod::check::fail(fn, "names[" + std::to_string(j) + "] is NULL");
    out.emplace_back(names[j]);
  }
  return out;
}

std::string model_string(const char* fn, const char* model_text) {
  require_ptr(fn, "model_text", model_text);
  return std::string(model_text);
}

// Reads and removes the C-API model keys.
sem::ModelOptions take_model_options(hetmod::Options& o) {
  sem::ModelOptions m;
  auto take = [&](const char* key, bool& field) {
    if (o.has(key)) {
      field = o.get_bool(key, field);
      o.erase(key);
    }
  };
  take("std_lv", m.std_lv);
  take("fixed_x", m.fixed_x);
  take("meanstructure", m.meanstructure);
  take("auto_cov_lv_x", m.auto_cov_lv_x);
  take("auto_cov_y", m.auto_cov_y);
  return m;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (size_t k = 0; k < v.size(); ++k) {
    if (k) s += sep;
    s += v[k];
  }
  return s;
}

// One extra per fit measure under lavaan's names.
void add_measures(hetmod::FitResult& r, const sem::FitMeasures& m) {
  const std::vector<std::pair<const char*, double>> fm = {
      {"npar", m.npar},
      {"fmin", m.fmin},
      {"chisq", m.chisq},
      {"df", m.df},
      {"pvalue", m.pvalue},
      {"baseline.chisq", m.baseline_chisq},
      {"baseline.df", m.baseline_df},
      {"cfi", m.cfi},
      {"tli", m.tli},
      {"rmsea", m.rmsea},
      {"rmsea.ci.lower", m.rmsea_ci_lower},
      {"rmsea.ci.upper", m.rmsea_ci_upper},
      {"rmsea.pvalue", m.rmsea_pvalue},
      {"srmr", m.srmr},
      {"logl", m.logl},
      {"unrestricted.logl", m.unrestricted_logl},
      {"aic", m.aic},
      {"bic", m.bic},
      {"ntotal", static_cast<double>(m.ntotal)},
      {"chisq.scaled", m.chisq_scaled},
      {"chisq.scaling.factor", m.scaling_factor},
      {"pvalue.scaled", m.pvalue_scaled},
      {"baseline.chisq.scaled", m.baseline_chisq_scaled},
      {"cfi.scaled", m.cfi_scaled},
      {"tli.scaled", m.tli_scaled},
      {"rmsea.scaled", m.rmsea_scaled},
      {"cfi.robust", m.cfi_robust},
      {"tli.robust", m.tli_robust},
      {"rmsea.robust", m.rmsea_robust}};
  for (const auto& kv : fm) r.extras[kv.first] = {kv.second};
}

}  // namespace

extern "C" HETMOD_API int hetmod_sem_fit(const char* model_text, const double* data, int64_t n, int64_t p,
                                         const char* const* names, const double* sample_cov, int64_t sample_nobs,
                                         const hetmod_options* opt, hetmod_fit** out) {
  HETMOD_GUARD_BEGIN("hetmod_sem_fit")
  require_ptr(hetmod_fn_, "out", out);
  const std::string syntax = model_string(hetmod_fn_, model_text);
  require_len(hetmod_fn_, "p", p);
  if (p == 0) hetmod::check::fail(hetmod_fn_, "p is 0, but at least one variable is needed");
  if ((data == nullptr) == (sample_cov == nullptr)) {
    hetmod::check::fail(hetmod_fn_, "give either data or sample_cov (exactly one of them must be non-NULL)");
  }
  const std::vector<std::string> nm = read_names(hetmod_fn_, names, p);
  hetmod::Options options = hetmod::capi::options_or_default(opt);
  const sem::ModelOptions mopt = take_model_options(options);
  std::vector<double> mean;
  if (options.has("sample_mean")) {
    mean = options.get_vector("sample_mean", {});
    options.erase("sample_mean");
  }
  std::string group_col;
  if (options.has("group")) {
    group_col = options.get_string("group", "");
    options.erase("group");
  }
  const sem::GroupFitOptions gopt = sem::group_fit_options_take(options);
  const sem::FitOptions fo = sem::fit_options_from(options);
  if (!group_col.empty() || gopt.missing == sem::Missing::fiml) {
    if (data == nullptr) hetmod::check::fail(hetmod_fn_, "missing = 'fiml' and 'group' need raw data (data, not sample_cov)");
    require_len(hetmod_fn_, "n", n);
    sem::GroupedData gd;
    gd.names = nm;
    gd.n = n;
    gd.x.assign(data, data + n * p);
    if (!group_col.empty()) {
      int64_t gc = -1;
      for (int64_t j = 0; j < p; ++j)
        if (nm[static_cast<size_t>(j)] == group_col) gc = j;
      if (gc < 0) hetmod::check::fail(hetmod_fn_, "group column '" + group_col + "' is not among the names");
      std::vector<double> codes;
      for (int64_t i = 0; i < n; ++i) {
        const double v = data[i + gc * n];
        if (!std::isfinite(v)) hetmod::check::fail(hetmod_fn_, "group column '" + group_col + "' is missing in row " + std::to_string(i + 1));
        size_t k = 0;
        while (k < codes.size() && codes[k] != v) ++k;
        if (k == codes.size()) {
          codes.push_back(v);
          gd.group_labels.push_back(hetmod::check::fmt(v));
        }
        gd.group.push_back(static_cast<int>(k));
      }
    }
    const sem::GroupFit f = sem::fit_groups(syntax, gd, fo, mopt, gopt);
    hetmod::FitResult r = f.to_fit_result();
    add_measures(r, f.measures);
    r.extras["heywood"] = {f.admissibility.heywood ? 1.0 : 0.0};
    r.extras["vcov_not_pd"] = {f.admissibility.vcov_not_pd ? 1.0 : 0.0};
    r.extras["n_empty"] = {static_cast<double>(f.n_empty)};
    r.extras["n_incomplete"] = {static_cast<double>(f.n_incomplete)};
    r.notes["latent"] = join(f.model.latent, ',');
    *out = hetmod::capi::wrap_fit(std::move(r));
  } else {
    const sem::Model model = sem::make_model(syntax, mopt);
    sem::SampleMoments s;
    if (data) {
      require_len(hetmod_fn_, "n", n);
      s = sem::sample_moments(hetmod::data::MatView(data, n, p), nm);
    } else {
      require_len(hetmod_fn_, "sample_nobs", sample_nobs);
      s = sem::sample_moments_from_cov(std::vector<double>(sample_cov, sample_cov + p * p), nm, sample_nobs, mean);
    }
    const sem::SemFit f = sem::fit(model, s, fo);
    hetmod::FitResult r = f.to_fit_result();
    add_measures(r, f.measures);
    r.extras["heywood"] = {f.admissibility.heywood ? 1.0 : 0.0};
    r.extras["vcov_not_pd"] = {f.admissibility.vcov_not_pd ? 1.0 : 0.0};
    r.extras["spectral_radius"] = {f.admissibility.spectral_radius};
    r.notes["latent"] = join(f.model.latent, ',');
    hetmod_fit* h = hetmod::capi::wrap_fit(std::move(r));
    *out = h;
  }
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_sem_model_variables(const char* model_text, int64_t* n_observed, char* buf,
                                                     int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_sem_model_variables")
  const sem::Model m = sem::make_model(model_string(hetmod_fn_, model_text));
  std::vector<std::string> all = m.observed;
  all.insert(all.end(), m.latent.begin(), m.latent.end());
  hetmod::capi::write_string(hetmod_fn_, join(all, '\n'), buf, buflen, needed);
  if (n_observed) *n_observed = m.p();
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_sem_implied_cov(const char* model_text, const char* const* names, int64_t p,
                                                 const double* theta, int64_t ntheta, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_sem_implied_cov")
  const std::string syntax = model_string(hetmod_fn_, model_text);
  require_len(hetmod_fn_, "p", p);
  require_len(hetmod_fn_, "ntheta", ntheta);
  if (ntheta > 0) require_ptr(hetmod_fn_, "theta", theta);
  sem::ModelOptions mo;
  mo.fixed_x = false;
  const sem::Model m = sem::make_model(syntax, mo);
  if (p != m.p()) {
    hetmod::check::fail(hetmod_fn_, "p is " + std::to_string(p) + ", but the model has " + std::to_string(m.p()) +
                                        " observed variables");
  }
  if (ntheta != m.n_free) {
    hetmod::check::fail(hetmod_fn_, "ntheta is " + std::to_string(ntheta) + ", but the model has " +
                                        std::to_string(m.n_free) + " free parameters");
  }
  std::vector<int64_t> pos(static_cast<size_t>(p));
  if (names) {
    const std::vector<std::string> nm = read_names(hetmod_fn_, names, p);
    for (int64_t a = 0; a < p; ++a) {
      const int k = m.var_index(nm[static_cast<size_t>(a)]);
      if (k < 0 || k >= m.p()) {
        hetmod::check::fail(hetmod_fn_, "names[" + std::to_string(a) + "] = '" + nm[static_cast<size_t>(a)] +
                                            "' is not an observed variable of the model");
      }
      for (int64_t b = 0; b < a; ++b) {
        if (pos[static_cast<size_t>(b)] == k) hetmod::check::fail(hetmod_fn_, "names has a duplicate: '" + nm[static_cast<size_t>(a)] + "'");
      }
      pos[static_cast<size_t>(a)] = k;
    }
  } else {
    for (int64_t a = 0; a < p; ++a) pos[static_cast<size_t>(a)] = a;
  }
  check_array(hetmod_fn_, "out", out, "len", len, p * p);
  const std::vector<double> t(theta, theta + ntheta);
  hetmod::check::finite(hetmod_fn_, "theta", t.data(), ntheta);
  const sem::Implied im = sem::implied_moments(m, t);
  for (int64_t b = 0; b < p; ++b)
    for (int64_t a = 0; a < p; ++a)
      out[a + b * p] = im.sigma[static_cast<size_t>(pos[static_cast<size_t>(a)] + pos[static_cast<size_t>(b)] * p)];
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_sem_expand(const char* model_text, int64_t i, int64_t j, int latex, char* buf,
                                            int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_sem_expand")
  const sem::Model m = sem::make_model(model_string(hetmod_fn_, model_text));
  hetmod::capi::require_index(hetmod_fn_, "i", i, m.m());
  hetmod::capi::require_index(hetmod_fn_, "j", j, m.m());
  const sem::Graph g = sem::model_graph(m);
  const sem::Expansion e = sem::expand(g, static_cast<int>(i), static_cast<int>(j));
  hetmod::capi::write_string(hetmod_fn_, latex ? e.to_latex() : e.to_string(), buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_sem_identify(const char* model_text, uint64_t seed, int trials, int64_t* n_params,
                                              int64_t* n_moments, int64_t* jacobian_rank, int* finite_to_one,
                                              int* simple, int* bow_free, int* acyclic) {
  HETMOD_GUARD_BEGIN("hetmod_sem_identify")
  const sem::Model m = sem::make_model(model_string(hetmod_fn_, model_text));
  if (trials < 1) hetmod::check::fail(hetmod_fn_, "trials is " + std::to_string(trials) + ", but must be >= 1");
  // graphs of observed variables: all edges free (|V|+|D|+|B| parameters); latent models: the free
  // parameters of the model as specified
  const sem::Identification id =
      m.latent.empty() ? sem::identify(sem::model_graph(m), seed, trials) : sem::identify_model(m, seed, trials);
  if (n_params) *n_params = id.n_params;
  if (n_moments) *n_moments = id.n_moments;
  if (jacobian_rank) *jacobian_rank = id.jacobian_rank;
  if (finite_to_one) *finite_to_one = id.finite_to_one ? 1 : 0;
  if (simple) *simple = id.simple ? 1 : 0;
  if (bow_free) *bow_free = id.bow_free ? 1 : 0;
  if (acyclic) *acyclic = id.acyclic ? 1 : 0;
  HETMOD_GUARD_END
}
