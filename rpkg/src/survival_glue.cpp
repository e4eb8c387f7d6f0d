// survival_glue.cpp -- R glue for the APGW multi-parameter regression family (hetmod/survival/model.hpp).
//
// Thin adapter (DESIGN.md section 2): converts R vectors/matrices into non-owning views, calls the C++
// facade inside hetmod_r::guarded (glue.h), and converts the result back into plain R lists. No
// statistics here. Conventions:
//   - X and offsets are lists of four elements in parameter order (phi, lambda, gamma, kappa); X[[k]]
//     is an n x p_k double matrix (p_k = 0 for a fixed parameter), offsets[[k]] has length n or 0.
//   - Coefficient vectors hold the free blocks only, in parameter order, intercept first.
//   - status codes: 0 right-censored, 1 event, 2 left-censored, 3 interval-censored (time, time2].
//   - Randomness: the seed goes to hetmod::Rng (stream `stream` of master `seed`); R's RNG is never
//     touched from C++.
#include <Rcpp.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "glue.h"
#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/survival/inference.hpp"
#include "hetmod/survival/model.hpp"

namespace {

namespace hs = hetmod::survival;

// Keeps the R objects alive while the views into them are used.
struct DesignHolder {
  std::vector<Rcpp::NumericMatrix> x;
  std::vector<Rcpp::NumericVector> off;
  hs::Design design;
  int64_t nrow = -1;
};

void build_design(const char* fn, const Rcpp::List& X, const Rcpp::List& offsets, DesignHolder& h) {
  hetmod::check::require(X.size() == hs::kNumPar, fn, "X must be a list of 4 design matrices");
  hetmod::check::require(offsets.size() == hs::kNumPar, fn, "offsets must be a list of 4 vectors");
  h.x.clear();
  h.off.clear();
  for (int k = 0; k < hs::kNumPar; ++k) {
    SEXP xk = X[k];
    hetmod::check::require(Rf_isMatrix(xk) && TYPEOF(xk) == REALSXP, fn,
                           std::string("X[[") + std::to_string(k + 1) + "]] must be a double matrix");
    h.x.emplace_back(xk);
    SEXP ok = offsets[k];
    hetmod::check::require(TYPEOF(ok) == REALSXP || Rf_length(ok) == 0, fn,
                           std::string("offsets[[") + std::to_string(k + 1) + "]] must be numeric");
    h.off.emplace_back(Rf_length(ok) == 0 ? Rcpp::NumericVector(0) : Rcpp::NumericVector(ok));
  }
  for (int k = 0; k < hs::kNumPar; ++k) {
    Rcpp::NumericMatrix& m = h.x[static_cast<size_t>(k)];
    const int64_t nr = m.nrow();
    if (h.nrow < 0) h.nrow = nr;
    hetmod::check::require(nr == h.nrow, fn, "the design matrices must have the same number of rows");
    auto& pd = h.design.par[static_cast<size_t>(k)];
    pd.x = hetmod::data::MatView(m.begin(), nr, m.ncol());
    const Rcpp::NumericVector& o = h.off[static_cast<size_t>(k)];
    pd.offset = hetmod::data::VecView(o.begin(), o.size());
    pd.names.clear();
    SEXP dn = Rf_getAttrib(m, R_DimNamesSymbol);
    SEXP cn = Rf_isNull(dn) ? R_NilValue : VECTOR_ELT(dn, 1);
    for (int j = 0; j < m.ncol(); ++j) {
      if (!Rf_isNull(cn) && STRING_ELT(cn, j) != NA_STRING) {
        pd.names.emplace_back(CHAR(STRING_ELT(cn, j)));
      } else {
        pd.names.push_back("x" + std::to_string(j));
      }
    }
  }
}

hetmod::data::VecView view(const Rcpp::NumericVector& v) { return hetmod::data::VecView(v.begin(), v.size()); }

hs::SurvData make_data(const Rcpp::NumericVector& time, const Rcpp::NumericVector& time2,
                       const Rcpp::IntegerVector& status, const Rcpp::NumericVector& entry,
                       const Rcpp::NumericVector& weights) {
  hs::SurvData d;
  d.time = view(time);
  d.time2 = view(time2);
  d.status = hetmod::data::IntVecView(reinterpret_cast<const int32_t*>(status.begin()), status.size());
  d.entry = view(entry);
  d.weights = view(weights);
  return d;
}

Rcpp::NumericVector as_numeric(const std::vector<double>& v) { return Rcpp::NumericVector(v.begin(), v.end()); }

// SurvFit -> named R list in the form the R fit object stores (surv_mpr.R, .surv_new_fit): coefficients
// named, vcov with those names as dimnames (0 x 0 when the core has none), convergence as the list that
// new_hetmod_fit() keeps unchanged, extras with vcov_robust as a named p x p matrix, notes, blocks, flags.
// Everything is built here once, so that R neither renames nor converts it.
Rcpp::List fit_to_list(const hs::SurvFit& f) {
  const auto& r = f.result;
  const R_xlen_t p = static_cast<R_xlen_t>(r.coef.size());
  Rcpp::CharacterVector cnames(r.coef_names.begin(), r.coef_names.end());
  Rcpp::NumericVector coef = as_numeric(r.coef);
  coef.attr("names") = cnames;
  const auto named_square = [&](const std::vector<double>& v) {
    Rcpp::NumericMatrix m(static_cast<int>(p), static_cast<int>(p));
    std::copy(v.begin(), v.end(), m.begin());
    if (p > 0) m.attr("dimnames") = Rcpp::List::create(cnames, cnames);
    return m;
  };
  const bool has_vcov = p > 0 && r.vcov.size() == static_cast<size_t>(p * p);
  Rcpp::NumericMatrix vcov = has_vcov ? named_square(r.vcov) : Rcpp::NumericMatrix(0, 0);
  Rcpp::List extras(r.extras.size());
  if (!r.extras.empty()) {
    Rcpp::CharacterVector en(r.extras.size());
    R_xlen_t i = 0;
    for (const auto& kv : r.extras) {
      en[i] = kv.first;
      if (kv.first == "vcov_robust" && p > 0 && kv.second.size() == static_cast<size_t>(p * p)) {
        extras[i] = named_square(kv.second);
      } else {
        extras[i] = as_numeric(kv.second);
      }
      ++i;
    }
    extras.attr("names") = en;
  }
  Rcpp::CharacterVector notes;
  {
    std::vector<std::string> nn, vv;
    for (const auto& kv : r.notes) {
      nn.push_back(kv.first);
      vv.push_back(kv.second);
    }
    notes = Rcpp::CharacterVector(vv.begin(), vv.end());
    notes.names() = Rcpp::CharacterVector(nn.begin(), nn.end());
  }
  Rcpp::List conv = Rcpp::List::create(
      Rcpp::Named("converged") = r.convergence.converged, Rcpp::Named("code") = r.convergence.code,
      Rcpp::Named("optimizer") = r.convergence.optimizer, Rcpp::Named("reason") = r.convergence.reason,
      Rcpp::Named("iterations") = r.convergence.iterations, Rcpp::Named("grad_norm") = r.convergence.grad_norm);
  return Rcpp::List::create(
      Rcpp::Named("coefficients") = coef, Rcpp::Named("vcov") = vcov, Rcpp::Named("loglik") = r.loglik,
      Rcpp::Named("df") = static_cast<int>(r.df), Rcpp::Named("nobs") = static_cast<int>(r.nobs),
      Rcpp::Named("convergence") = conv, Rcpp::Named("extras") = extras, Rcpp::Named("notes") = notes,
      Rcpp::Named("block_start") = Rcpp::IntegerVector(f.block_start.begin(), f.block_start.end()),
      Rcpp::Named("block_size") = Rcpp::IntegerVector(f.block_size.begin(), f.block_size.end()),
      Rcpp::Named("flags") = Rcpp::CharacterVector(f.flags.begin(), f.flags.end()),
      Rcpp::Named("dist") = std::string(hs::dist_name(f.dist)), Rcpp::Named("model") = r.model);
}

Rcpp::NumericMatrix as_matrix(const std::vector<double>& v, int64_t nr, int64_t nc) {
  Rcpp::NumericMatrix m(static_cast<int>(nr), static_cast<int>(nc));
  if (static_cast<int64_t>(v.size()) == nr * nc) {
    std::copy(v.begin(), v.end(), m.begin());
  } else {
    std::fill(m.begin(), m.end(), NA_REAL);
  }
  return m;
}

uint64_t to_seed(double seed, const char* fn) {
  hetmod::check::require(std::isfinite(seed) && seed >= 0 && seed == std::floor(seed) && seed <= 9007199254740992.0,
                         fn, "seed is " + hetmod::check::fmt(seed) + ", but must be a whole number in [0, 2^53]");
  return static_cast<uint64_t>(seed);
}

// A SurvFit shell (coefficients, vcov, blocks) from the R fit's pieces.
hs::SurvFit fit_shell(const char* fn, const Rcpp::NumericVector& coef, const Rcpp::NumericMatrix& vcov,
                      const std::string& dist, const Rcpp::IntegerVector& block_size) {
  hs::SurvFit fit;
  fit.dist = hs::dist_from_name(dist);
  hetmod::check::require(block_size.size() == hs::kNumPar, fn, "block_size must have length 4");
  int start = 0;
  for (int k = 0; k < hs::kNumPar; ++k) {
    fit.block_start[static_cast<size_t>(k)] = start;
    fit.block_size[static_cast<size_t>(k)] = block_size[k];
    start += block_size[k];
  }
  hetmod::check::require(start == coef.size(), fn, "coef does not match the block sizes");
  fit.result.family = "survival";
  fit.result.model = dist;
  fit.result.coef.assign(coef.begin(), coef.end());
  fit.result.coef_names.assign(static_cast<size_t>(coef.size()), std::string());
  if (vcov.nrow() == coef.size() && vcov.ncol() == coef.size()) fit.result.vcov.assign(vcov.begin(), vcov.end());
  fit.result.df = static_cast<int64_t>(coef.size());
  return fit;
}

const char* bound_kind_name(hs::BoundKind k) {
  switch (k) {
    case hs::BoundKind::found: return "found";
    case hs::BoundKind::unbounded: return "unbounded";
    case hs::BoundKind::failed: return "failed";
  }
  return "failed";
}

}  // namespace

// Fits one model. Returns the FitResult fields plus block sizes, flags, extras and notes.
// [[Rcpp::export(rng = false)]]
Rcpp::List surv_fit_cpp(Rcpp::NumericVector time, Rcpp::NumericVector time2, Rcpp::IntegerVector status,
                        Rcpp::NumericVector entry, Rcpp::NumericVector weights, Rcpp::List X,
                        Rcpp::List offsets, std::string dist, Rcpp::List options) {
  return hetmod_r::guarded([&] {
    DesignHolder h;
    build_design("surv_mpr", X, offsets, h);
    const hs::SurvData data = make_data(time, time2, status, entry, weights);
    const hetmod::Options opt = hetmod_r::options_from_list(options, "surv_mpr", {"start"});
    const hs::SurvFit f = hs::fit(data, h.design, hs::dist_from_name(dist), opt);
    return fit_to_list(f);
  });
}

// Log-likelihood (and optionally its gradient and Hessian) at a given coefficient vector.
// [[Rcpp::export(rng = false)]]
Rcpp::List surv_loglik_cpp(Rcpp::NumericVector time, Rcpp::NumericVector time2, Rcpp::IntegerVector status,
                           Rcpp::NumericVector entry, Rcpp::NumericVector weights, Rcpp::List X,
                           Rcpp::List offsets, std::string dist, Rcpp::NumericVector coef, int deriv) {
  return hetmod_r::guarded([&] {
    DesignHolder h;
    build_design("surv_loglik", X, offsets, h);
    const hs::SurvData data = make_data(time, time2, status, entry, weights);
    std::vector<double> b(coef.begin(), coef.end()), g, H;
    const double ll = hs::loglik(data, h.design, hs::dist_from_name(dist), b, deriv >= 1 ? &g : nullptr,
                                 deriv >= 2 ? &H : nullptr);
    const int64_t p = static_cast<int64_t>(b.size());
    Rcpp::List out = Rcpp::List::create(Rcpp::Named("loglik") = ll);
    if (deriv >= 1) out["gradient"] = as_numeric(g);
    if (deriv >= 2) out["hessian"] = as_matrix(H, p, p);
    return out;
  });
}

// Predictions (type = hetmod::survival::PredictType value). With `paired`, row i is evaluated at at[i]
// only (length(at) == nrow) and the result has one column.
// [[Rcpp::export(rng = false)]]
Rcpp::List surv_predict_cpp(Rcpp::NumericVector coef, Rcpp::NumericMatrix vcov, std::string dist,
                            Rcpp::IntegerVector block_size, Rcpp::List X, Rcpp::List offsets,
                            Rcpp::NumericVector at, int type, double level, Rcpp::List Xref,
                            Rcpp::List offref, bool paired) {
  return hetmod_r::guarded([&] {
    const char* fn = "predict.surv_mpr";
    hs::SurvFit fit = fit_shell(fn, coef, vcov, dist, block_size);
    hetmod::check::require(type >= 0 && type <= 8, fn, "type code " + std::to_string(type) + " is out of range");
    const auto ptype = static_cast<hs::PredictType>(type);
    DesignHolder h, href;
    build_design(fn, X, offsets, h);
    const bool has_ref = Xref.size() > 0;
    if (has_ref) {
      build_design(fn, Xref, offref, href);
      hetmod::check::require(href.nrow == h.nrow, fn, "reference must have as many rows as newdata");
    }
    std::vector<double> a(at.begin(), at.end());
    const int64_t n = h.nrow;
    if (!paired) {
      const hs::Prediction pr = hs::predict(fit, h.design, a, ptype, level, has_ref ? &href.design : nullptr);
      return Rcpp::List::create(Rcpp::Named("estimate") = as_matrix(pr.estimate, pr.nrow, pr.ncol),
                                Rcpp::Named("se") = as_matrix(pr.se, pr.nrow, pr.ncol),
                                Rcpp::Named("lower") = as_matrix(pr.lower, pr.nrow, pr.ncol),
                                Rcpp::Named("upper") = as_matrix(pr.upper, pr.nrow, pr.ncol));
    }
    hetmod::check::require(static_cast<int64_t>(a.size()) == n, fn, "paired prediction needs one time per row");
    // Row by row: copy row i of every design into one-row matrices and predict at at[i].
    std::vector<double> est(static_cast<size_t>(n)), se(static_cast<size_t>(n)), lo(static_cast<size_t>(n)),
        hi(static_cast<size_t>(n));
    std::array<std::vector<double>, hs::kNumPar> xr, orow, xrr, orr;
    hs::Design one = h.design, oneref = has_ref ? href.design : h.design;
    for (int64_t i = 0; i < n; ++i) {
      for (int k = 0; k < hs::kNumPar; ++k) {
        const size_t kk = static_cast<size_t>(k);
        auto fill = [&](const hs::Design& src, std::vector<double>& xbuf, std::vector<double>& obuf,
                        hs::Design& dst) {
          const auto& pd = src.par[kk];
          xbuf.resize(static_cast<size_t>(pd.x.ncol));
          for (int64_t j = 0; j < pd.x.ncol; ++j) xbuf[static_cast<size_t>(j)] = pd.x(i, j);
          dst.par[kk].x = hetmod::data::MatView(xbuf.data(), 1, pd.x.ncol);
          if (pd.offset.empty()) {
            dst.par[kk].offset = hetmod::data::VecView();
          } else {
            obuf.assign(1, pd.offset[i]);
            dst.par[kk].offset = hetmod::data::VecView(obuf.data(), 1);
          }
        };
        fill(h.design, xr[kk], orow[kk], one);
        if (has_ref) fill(href.design, xrr[kk], orr[kk], oneref);
      }
      const std::vector<double> ai(1, a[static_cast<size_t>(i)]);
      const hs::Prediction pr = hs::predict(fit, one, ai, ptype, level, has_ref ? &oneref : nullptr);
      const auto get = [](const std::vector<double>& v) { return v.empty() ? NA_REAL : v[0]; };
      est[static_cast<size_t>(i)] = get(pr.estimate);
      se[static_cast<size_t>(i)] = get(pr.se);
      lo[static_cast<size_t>(i)] = get(pr.lower);
      hi[static_cast<size_t>(i)] = get(pr.upper);
      if ((i & 255) == 255) hetmod::check_interrupt(fn);
    }
    return Rcpp::List::create(Rcpp::Named("estimate") = as_matrix(est, n, 1),
                              Rcpp::Named("se") = as_matrix(se, n, 1),
                              Rcpp::Named("lower") = as_matrix(lo, n, 1),
                              Rcpp::Named("upper") = as_matrix(hi, n, 1));
  });
}

// Simulated event times (Inf = cured) for every row of the designs at `coef`, from stream `stream` of
// the master seed `seed`; afterwards `n_uniform` U(0,1) draws from the same generator (used by the R
// side to draw censoring times), so one (seed, stream) pair fixes the whole simulated data set.
// [[Rcpp::export(rng = false)]]
Rcpp::List surv_simulate_cpp(Rcpp::List X, Rcpp::List offsets, std::string dist, Rcpp::NumericVector coef,
                             double seed, double stream, int n_uniform) {
  return hetmod_r::guarded([&] {
    const char* fn = "simulate.surv_mpr";
    DesignHolder h;
    build_design(fn, X, offsets, h);
    hetmod::Rng rng = hetmod::Rng::for_stream(to_seed(seed, fn), to_seed(stream, fn));
    const std::vector<double> b(coef.begin(), coef.end());
    const std::vector<double> t = hs::simulate_times(h.design, hs::dist_from_name(dist), b, rng);
    hetmod::check::require(n_uniform >= 0, fn, "n_uniform must be >= 0");
    std::vector<double> u(static_cast<size_t>(n_uniform));
    for (auto& x : u) x = rng.uniform_open();
    return Rcpp::List::create(Rcpp::Named("times") = as_numeric(t), Rcpp::Named("u") = as_numeric(u));
  });
}

// Names of the distributions in the order of their integer codes (checks the R table against the core).
// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector surv_dist_names_cpp() {
  return hetmod_r::guarded([&] {
    Rcpp::CharacterVector out(8);
    for (int d = 0; d < 8; ++d) out[d] = hs::dist_name(static_cast<hs::Dist>(d));
    return out;
  });
}

// Profile likelihood of one target (kind 0: coefficient `index` (0-based); 1: cure fraction at the one-row
// pattern Xpat/offpat). With `values` empty: the CI at `level` (profile_ci); otherwise the profile at values.
// [[Rcpp::export(rng = false)]]
Rcpp::List surv_profile_cpp(Rcpp::NumericVector time, Rcpp::NumericVector time2, Rcpp::IntegerVector status,
                            Rcpp::NumericVector entry, Rcpp::NumericVector weights, Rcpp::List X,
                            Rcpp::List offsets, std::string dist, Rcpp::NumericVector coef,
                            Rcpp::NumericMatrix vcov, Rcpp::IntegerVector block_size, int kind, int index,
                            Rcpp::List Xpat, Rcpp::List offpat, double level, Rcpp::NumericVector values,
                            Rcpp::List options) {
  return hetmod_r::guarded([&] {
    const char* fn = "surv_profile";
    const hs::SurvFit fit = fit_shell(fn, coef, vcov, dist, block_size);
    DesignHolder h, hp;
    build_design(fn, X, offsets, h);
    const hs::SurvData data = make_data(time, time2, status, entry, weights);
    hs::ProfileTarget t;
    hetmod::check::require(kind == 0 || kind == 1, fn, "kind must be 0 (coefficient) or 1 (cure fraction)");
    t.kind = static_cast<hs::ProfileTarget::Kind>(kind);
    t.index = index;
    if (kind == 1) {
      build_design(fn, Xpat, offpat, hp);
      t.pattern = &hp.design;
    }
    const hetmod::Options opt = hetmod_r::options_from_list(options, fn, {});
    const hs::ProfileResult r =
        values.size() == 0 ? hs::profile_ci(fit, data, h.design, t, level, opt)
                           : hs::profile(fit, data, h.design, t, std::vector<double>(values.begin(), values.end()), opt);
    return Rcpp::List::create(
        Rcpp::Named("estimate") = r.estimate, Rcpp::Named("loglik_max") = r.loglik_max,
        Rcpp::Named("level") = r.level, Rcpp::Named("lower") = r.lower, Rcpp::Named("upper") = r.upper,
        Rcpp::Named("lower_kind") = bound_kind_name(r.lower_kind),
        Rcpp::Named("upper_kind") = bound_kind_name(r.upper_kind), Rcpp::Named("higher_found") = r.higher_found,
        Rcpp::Named("value") = as_numeric(r.value), Rcpp::Named("loglik") = as_numeric(r.loglik),
        Rcpp::Named("z") = as_numeric(r.z),
        Rcpp::Named("converged") = Rcpp::LogicalVector(r.converged.begin(), r.converged.end()),
        Rcpp::Named("note") = r.note);
  });
}

// Sandwich (cluster empty) or cluster-robust covariance at the fit (hetmod::survival::robust_vcov).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix surv_robust_vcov_cpp(Rcpp::NumericVector time, Rcpp::NumericVector time2,
                                         Rcpp::IntegerVector status, Rcpp::NumericVector entry,
                                         Rcpp::NumericVector weights, Rcpp::List X, Rcpp::List offsets,
                                         std::string dist, Rcpp::NumericVector coef, Rcpp::NumericMatrix vcov,
                                         Rcpp::IntegerVector block_size, Rcpp::IntegerVector cluster) {
  return hetmod_r::guarded([&] {
    const char* fn = "vcov.surv_mpr";
    const hs::SurvFit fit = fit_shell(fn, coef, vcov, dist, block_size);
    DesignHolder h;
    build_design(fn, X, offsets, h);
    const hs::SurvData data = make_data(time, time2, status, entry, weights);
    std::vector<int64_t> cl(cluster.begin(), cluster.end());
    const std::vector<double> V = hs::robust_vcov(fit, data, h.design, cl);
    const int64_t p = coef.size();
    return as_matrix(V, p, p);
  });
}
