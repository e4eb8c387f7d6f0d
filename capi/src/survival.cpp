// capi/src/survival.cpp -- C entry points of the survival family (hetmod/survival/model.hpp).
//
// Thin adapter: validates pointers and lengths, builds non-owning views of the caller's arrays, calls
// the C++ facade, and wraps the SurvFit's FitResult in a hetmod_fit handle. What predict needs beyond
// the FitResult (the distribution and the block sizes) is stored in the FitResult extras
// "surv_dist" (1 value: the Dist code) and "surv_block_size" (4 values), so a serialised/deserialised
// fit can still be used for predict. The boundary flags are in the note "flags" (comma-separated).
//
// C-API-only options (read and removed here, never passed to the core):
//   "offset_phi", "offset_lambda", "offset_gamma", "offset_kappa"  numeric vectors of length n;
//   "names_phi", ..., "names_kappa"  strings of '\n'-separated coefficient names (default x0, x1, ...).
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "guard.hpp"
#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/survival/inference.hpp"
#include "hetmod/survival/model.hpp"

namespace hs = hetmod::survival;
using hetmod::capi::check_array;
using hetmod::capi::require_len;
using hetmod::capi::require_ptr;

static_assert(static_cast<int>(hs::Dist::apgw) == HETMOD_SURV_DIST_APGW, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::weibull) == HETMOD_SURV_DIST_WEIBULL, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::exponential) == HETMOD_SURV_DIST_EXPONENTIAL, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::burr) == HETMOD_SURV_DIST_BURR, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::loglogistic) == HETMOD_SURV_DIST_LOGLOGISTIC, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::pgw) == HETMOD_SURV_DIST_PGW, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::gompertz) == HETMOD_SURV_DIST_GOMPERTZ, "dist code mismatch");
static_assert(static_cast<int>(hs::Dist::cure_limit) == HETMOD_SURV_DIST_CURE_LIMIT, "dist code mismatch");
static_assert(static_cast<int>(hs::PredictType::survival) == HETMOD_SURV_PREDICT_SURVIVAL, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::hazard) == HETMOD_SURV_PREDICT_HAZARD, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::cumhaz) == HETMOD_SURV_PREDICT_CUMHAZ, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::density) == HETMOD_SURV_PREDICT_DENSITY, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::quantile) == HETMOD_SURV_PREDICT_QUANTILE, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::rmst) == HETMOD_SURV_PREDICT_RMST, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::cure) == HETMOD_SURV_PREDICT_CURE, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::hazard_ratio) == HETMOD_SURV_PREDICT_HAZARD_RATIO, "type mismatch");
static_assert(static_cast<int>(hs::PredictType::time_ratio) == HETMOD_SURV_PREDICT_TIME_RATIO, "type mismatch");
static_assert(static_cast<int>(hs::BoundKind::found) == HETMOD_SURV_PROFILE_FOUND &&
                  static_cast<int>(hs::BoundKind::unbounded) == HETMOD_SURV_PROFILE_UNBOUNDED &&
                  static_cast<int>(hs::BoundKind::failed) == HETMOD_SURV_PROFILE_FAILED,
              "profile bound kind mismatch");
static_assert(hs::kRight == HETMOD_SURV_RIGHT && hs::kEvent == HETMOD_SURV_EVENT && hs::kLeft == HETMOD_SURV_LEFT &&
                  hs::kInterval == HETMOD_SURV_INTERVAL,
              "censoring code mismatch");

namespace {

constexpr const char* kParNames[hs::kNumPar] = {"phi", "lambda", "gamma", "kappa"};

hs::Dist to_dist(const char* fn, int dist) {
  if (dist < HETMOD_SURV_DIST_APGW || dist > HETMOD_SURV_DIST_CURE_LIMIT) {
    hetmod::check::fail(fn, "dist is " + std::to_string(dist) + ", but must be one of HETMOD_SURV_DIST_* (0.." +
                                std::to_string(HETMOD_SURV_DIST_CURE_LIMIT) + ")");
  }
  return static_cast<hs::Dist>(dist);
}

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

// Storage for names and offsets taken from the options.
struct DesignStore {
  std::array<std::vector<double>, hs::kNumPar> offsets;
  hs::Design design;
};

// Builds the design from four column-major matrices x[k] (n x p[k]; may be NULL when p[k] == 0).
// With `opts` non-null, reads and removes the C-API-only options offset_<par> / names_<par>.
void build_design(const char* fn, int64_t n, const std::array<const double*, hs::kNumPar>& x,
                  const std::array<int64_t, hs::kNumPar>& p, hetmod::Options* opts, DesignStore& st) {
  for (int k = 0; k < hs::kNumPar; ++k) {
    const size_t kk = static_cast<size_t>(k);
    const std::string par = kParNames[k];
    const std::string parg = "p_" + par;
    const std::string xarg = "x_" + par;
    require_len(fn, parg.c_str(), p[kk]);
    if (p[kk] > 0) require_ptr(fn, xarg.c_str(), x[kk]);
    auto& pd = st.design.par[kk];
    pd.x = hetmod::data::MatView(p[kk] > 0 ? x[kk] : nullptr, n, p[kk]);
    pd.offset = hetmod::data::VecView();
    pd.names.clear();
    std::vector<std::string> names;
    if (opts) {
      const std::string okey = "offset_" + par;
      if (opts->has(okey)) {
        st.offsets[kk] = opts->get_vector(okey, {});
        opts->erase(okey);
        if (static_cast<int64_t>(st.offsets[kk].size()) != n) {
          hetmod::check::fail(fn, "option " + okey + " has length " + std::to_string(st.offsets[kk].size()) +
                                      ", but must have length n = " + std::to_string(n));
        }
        pd.offset = hetmod::data::VecView(st.offsets[kk]);
      }
      const std::string nkey = "names_" + par;
      if (opts->has(nkey)) {
        names = split_names(opts->get_string(nkey, ""));
        opts->erase(nkey);
        if (static_cast<int64_t>(names.size()) != p[kk]) {
          hetmod::check::fail(fn, "option " + nkey + " gives " + std::to_string(names.size()) +
                                      " names, but p_" + par + " is " + std::to_string(p[kk]));
        }
      }
    }
    if (names.empty()) {
      for (int64_t j = 0; j < p[kk]; ++j) names.push_back("x" + std::to_string(j));
    }
    pd.names = std::move(names);
  }
}

// Rebuilds the SurvFit that predict needs from a handle's FitResult.
hs::SurvFit fit_from_handle(const char* fn, const hetmod_fit* h) {
  const hetmod::FitResult& r = h->fit;
  const auto d = r.extras.find("surv_dist");
  const auto b = r.extras.find("surv_block_size");
  if (r.family != "survival" || d == r.extras.end() || b == r.extras.end() || d->second.size() != 1 ||
      b->second.size() != static_cast<size_t>(hs::kNumPar)) {
    hetmod::check::fail(fn, "fit is not a survival fit (family '" + r.family + "')");
  }
  hs::SurvFit f;
  f.result = r;
  f.dist = to_dist(fn, static_cast<int>(d->second[0]));
  int start = 0;
  for (int k = 0; k < hs::kNumPar; ++k) {
    const size_t kk = static_cast<size_t>(k);
    f.block_start[kk] = start;
    f.block_size[kk] = static_cast<int>(b->second[kk]);
    start += f.block_size[kk];
  }
  if (static_cast<size_t>(start) != r.coef.size()) {
    hetmod::check::fail(fn, "fit is inconsistent: block sizes do not add up to the number of coefficients");
  }
  return f;
}

// Data + design of a fit's rows (for profile / robust): p from the fit, offsets from the options.
struct FitData {
  DesignStore st;
  hs::SurvData data;
};
void fit_data(const char* fn, const hs::SurvFit& f, const double* time, const double* time2, const int32_t* status,
              const double* entry, const double* weights, int64_t n,
              const std::array<const double*, hs::kNumPar>& x, hetmod::Options& options, FitData& fd) {
  require_len(fn, "n", n);
  if (n == 0) hetmod::check::fail(fn, "n is 0, but at least one observation is needed");
  require_ptr(fn, "time", time);
  require_ptr(fn, "status", status);
  std::array<int64_t, hs::kNumPar> p{};
  for (int k = 0; k < hs::kNumPar; ++k) p[static_cast<size_t>(k)] = f.block_size[static_cast<size_t>(k)];
  build_design(fn, n, x, p, &options, fd.st);
  bool any_interval = false;
  for (int64_t i = 0; i < n; ++i) any_interval = any_interval || status[i] == HETMOD_SURV_INTERVAL;
  if (any_interval) require_ptr(fn, "time2 (needed for interval-censored rows)", time2);
  fd.data.time = hetmod::data::VecView(time, n);
  if (time2) fd.data.time2 = hetmod::data::VecView(time2, n);
  fd.data.status = hetmod::data::IntVecView(status, n);
  if (entry) fd.data.entry = hetmod::data::VecView(entry, n);
  if (weights) fd.data.weights = hetmod::data::VecView(weights, n);
}

}  // namespace

extern "C" HETMOD_API int hetmod_surv_fit(const double* time, const double* time2, const int32_t* status,
                                          const double* entry, const double* weights, int64_t n,
                                          const double* x_phi, int64_t p_phi, const double* x_lambda,
                                          int64_t p_lambda, const double* x_gamma, int64_t p_gamma,
                                          const double* x_kappa, int64_t p_kappa, int dist,
                                          const hetmod_options* opt, hetmod_fit** out) {
  HETMOD_GUARD_BEGIN("hetmod_surv_fit")
  require_ptr(hetmod_fn_, "out", out);
  require_len(hetmod_fn_, "n", n);
  if (n == 0) hetmod::check::fail(hetmod_fn_, "n is 0, but at least one observation is needed");
  require_ptr(hetmod_fn_, "time", time);
  require_ptr(hetmod_fn_, "status", status);
  const hs::Dist d = to_dist(hetmod_fn_, dist);
  hetmod::Options options = hetmod::capi::options_or_default(opt);
  DesignStore st;
  build_design(hetmod_fn_, n, {x_phi, x_lambda, x_gamma, x_kappa}, {p_phi, p_lambda, p_gamma, p_kappa}, &options,
               st);
  bool any_interval = false;
  for (int64_t i = 0; i < n; ++i) any_interval = any_interval || status[i] == HETMOD_SURV_INTERVAL;
  if (any_interval) require_ptr(hetmod_fn_, "time2 (needed for interval-censored rows)", time2);
  hs::SurvData data;
  data.time = hetmod::data::VecView(time, n);
  if (time2) data.time2 = hetmod::data::VecView(time2, n);
  data.status = hetmod::data::IntVecView(status, n);
  if (entry) data.entry = hetmod::data::VecView(entry, n);
  if (weights) data.weights = hetmod::data::VecView(weights, n);
  hs::SurvFit f = hs::fit(data, st.design, d, options);
  f.result.family = "survival";
  if (f.result.model.empty()) f.result.model = hs::dist_name(f.dist);
  f.result.extras["surv_dist"] = {static_cast<double>(static_cast<int>(f.dist))};
  f.result.extras["surv_block_size"] = std::vector<double>(f.block_size.begin(), f.block_size.end());
  if (f.result.notes.find("flags") == f.result.notes.end()) {
    std::string flags;
    for (const auto& s : f.flags) {
      if (!flags.empty()) flags += ',';
      flags += s;
    }
    f.result.notes["flags"] = flags;
  }
  hetmod_fit* h = hetmod::capi::wrap_fit(std::move(f.result));
  *out = h;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_surv_predict(const hetmod_fit* fit, int64_t nrow, const double* x_phi,
                                              const double* x_lambda, const double* x_gamma,
                                              const double* x_kappa, const double* ref_phi,
                                              const double* ref_lambda, const double* ref_gamma,
                                              const double* ref_kappa, const double* at, int64_t nat,
                                              int type, double level, double* est, double* se, double* lo,
                                              double* hi, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_surv_predict")
  require_ptr(hetmod_fn_, "fit", fit);
  require_len(hetmod_fn_, "nrow", nrow);
  require_len(hetmod_fn_, "nat", nat);
  if (nat > 0) require_ptr(hetmod_fn_, "at", at);
  if (type < HETMOD_SURV_PREDICT_SURVIVAL || type > HETMOD_SURV_PREDICT_TIME_RATIO) {
    hetmod::check::fail(hetmod_fn_, "type is " + std::to_string(type) + ", but must be one of HETMOD_SURV_PREDICT_*");
  }
  if (!(level > 0 && level < 1)) {
    hetmod::check::fail(hetmod_fn_, "level is " + hetmod::check::fmt(level) + ", but must be in (0, 1)");
  }
  const hs::SurvFit f = fit_from_handle(hetmod_fn_, fit);
  std::array<int64_t, hs::kNumPar> p{};
  for (int k = 0; k < hs::kNumPar; ++k) p[static_cast<size_t>(k)] = f.block_size[static_cast<size_t>(k)];
  DesignStore st, rst;
  build_design(hetmod_fn_, nrow, {x_phi, x_lambda, x_gamma, x_kappa}, p, nullptr, st);
  const bool ratio = type == HETMOD_SURV_PREDICT_HAZARD_RATIO || type == HETMOD_SURV_PREDICT_TIME_RATIO;
  if (ratio) {
    const std::array<const double*, hs::kNumPar> r{ref_phi, ref_lambda, ref_gamma, ref_kappa};
    for (int k = 0; k < hs::kNumPar; ++k) {
      if (p[static_cast<size_t>(k)] > 0 && r[static_cast<size_t>(k)] == nullptr) {
        hetmod::check::fail(hetmod_fn_, std::string("ref_") + kParNames[k] +
                                            " is NULL, but hazard-ratio and time-ratio predictions need the reference design");
      }
    }
    build_design(hetmod_fn_, nrow, r, p, nullptr, rst);
  }
  const std::vector<double> a(at, at + nat);
  require_ptr(hetmod_fn_, "est", est);
  const hs::Prediction pr =
      hs::predict(f, st.design, a, static_cast<hs::PredictType>(type), level, ratio ? &rst.design : nullptr);
  const int64_t need = pr.nrow * pr.ncol;
  check_array(hetmod_fn_, "est", est, "len", len, need);
  auto copy = [&](const std::vector<double>& src, double* dst) {
    if (!dst) return;
    for (int64_t i = 0; i < need; ++i) {
      dst[i] = static_cast<size_t>(i) < src.size() ? src[static_cast<size_t>(i)] : std::nan("");
    }
  };
  copy(pr.estimate, est);
  copy(pr.se, se);
  copy(pr.lower, lo);
  copy(pr.upper, hi);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_surv_simulate(int dist, const double* coef, int64_t ncoef, int64_t nrow,
                                               const double* x_phi, int64_t p_phi, const double* x_lambda,
                                               int64_t p_lambda, const double* x_gamma, int64_t p_gamma,
                                               const double* x_kappa, int64_t p_kappa, uint64_t seed,
                                               double* times, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_surv_simulate")
  const hs::Dist d = to_dist(hetmod_fn_, dist);
  require_len(hetmod_fn_, "ncoef", ncoef);
  if (ncoef > 0) require_ptr(hetmod_fn_, "coef", coef);
  require_len(hetmod_fn_, "nrow", nrow);
  if (p_phi + p_lambda + p_gamma + p_kappa != ncoef) {
    hetmod::check::fail(hetmod_fn_, "ncoef is " + std::to_string(ncoef) +
                                        ", but p_phi + p_lambda + p_gamma + p_kappa is " +
                                        std::to_string(p_phi + p_lambda + p_gamma + p_kappa));
  }
  check_array(hetmod_fn_, "times", times, "len", len, nrow);
  DesignStore st;
  build_design(hetmod_fn_, nrow, {x_phi, x_lambda, x_gamma, x_kappa}, {p_phi, p_lambda, p_gamma, p_kappa}, nullptr,
               st);
  hetmod::Rng rng(seed);
  const std::vector<double> b(coef, coef + ncoef);
  const std::vector<double> t = hs::simulate_times(st.design, d, b, rng);
  if (static_cast<int64_t>(t.size()) != nrow) {
    hetmod::check::fail(hetmod_fn_, "internal: simulate_times returned the wrong length", hetmod::Status::internal);
  }
  for (int64_t i = 0; i < nrow; ++i) times[i] = t[static_cast<size_t>(i)];
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_surv_profile(const hetmod_fit* fit, const double* time, const double* time2,
                                              const int32_t* status, const double* entry, const double* weights,
                                              int64_t n, const double* x_phi, const double* x_lambda,
                                              const double* x_gamma, const double* x_kappa, int64_t index,
                                              const double* pat_phi, const double* pat_lambda,
                                              const double* pat_gamma, const double* pat_kappa, double level,
                                              const hetmod_options* opt, double* estimate, double* lower,
                                              double* upper, int* lower_kind, int* upper_kind) {
  HETMOD_GUARD_BEGIN("hetmod_surv_profile")
  require_ptr(hetmod_fn_, "fit", fit);
  const hs::SurvFit f = fit_from_handle(hetmod_fn_, fit);
  hetmod::Options options = hetmod::capi::options_or_default(opt);
  FitData fd;
  fit_data(hetmod_fn_, f, time, time2, status, entry, weights, n, {x_phi, x_lambda, x_gamma, x_kappa}, options, fd);
  hs::ProfileTarget t;
  DesignStore pat;
  if (index == HETMOD_SURV_PROFILE_CURE) {
    std::array<int64_t, hs::kNumPar> p{};
    for (int k = 0; k < hs::kNumPar; ++k) p[static_cast<size_t>(k)] = f.block_size[static_cast<size_t>(k)];
    build_design(hetmod_fn_, 1, {pat_phi, pat_lambda, pat_gamma, pat_kappa}, p, nullptr, pat);
    t.kind = hs::ProfileTarget::Kind::cure_fraction;
    t.pattern = &pat.design;
  } else {
    if (index < 0 || index >= static_cast<int64_t>(f.result.coef.size())) {
      hetmod::check::fail(hetmod_fn_, "index is " + std::to_string(index) + ", but must be in [0, " +
                                          std::to_string(f.result.coef.size()) + ") or HETMOD_SURV_PROFILE_CURE");
    }
    t.index = static_cast<int>(index);
  }
  const hs::ProfileResult r = hs::profile_ci(f, fd.data, fd.st.design, t, level, options);
  if (estimate) *estimate = r.estimate;
  if (lower) *lower = r.lower;
  if (upper) *upper = r.upper;
  if (lower_kind) *lower_kind = static_cast<int>(r.lower_kind);
  if (upper_kind) *upper_kind = static_cast<int>(r.upper_kind);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_surv_robust_vcov(const hetmod_fit* fit, const double* time, const double* time2,
                                                  const int32_t* status, const double* entry, const double* weights,
                                                  int64_t n, const double* x_phi, const double* x_lambda,
                                                  const double* x_gamma, const double* x_kappa,
                                                  const int64_t* cluster, const hetmod_options* opt, double* vcov,
                                                  int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_surv_robust_vcov")
  require_ptr(hetmod_fn_, "fit", fit);
  const hs::SurvFit f = fit_from_handle(hetmod_fn_, fit);
  hetmod::Options options = hetmod::capi::options_or_default(opt);
  FitData fd;
  fit_data(hetmod_fn_, f, time, time2, status, entry, weights, n, {x_phi, x_lambda, x_gamma, x_kappa}, options, fd);
  if (!options.keys().empty()) {
    hetmod::check::fail(hetmod_fn_, "unknown option '" + options.keys().front() + "' (known: offset_<par>)",
                        hetmod::Status::not_found);
  }
  const int64_t p = static_cast<int64_t>(f.result.coef.size());
  check_array(hetmod_fn_, "vcov", vcov, "len", len, p * p);
  std::vector<int64_t> cl;
  if (cluster) cl.assign(cluster, cluster + n);
  const std::vector<double> V = hs::robust_vcov(f, fd.data, fd.st.design, cl);
  for (int64_t i = 0; i < p * p; ++i) vcov[i] = V[static_cast<size_t>(i)];
  HETMOD_GUARD_END
}
