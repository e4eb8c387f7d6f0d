// sdpcluster_glue.cpp -- R glue for the SDP clustering family (hetmod/sdpcluster/model.hpp).
//
// Thin adapter (DESIGN.md section 2): converts the R matrix into a non-owning view, calls the C++
// facade inside hetmod_r::guarded (glue.h), and converts the ClusterResult back into a plain R list.
// No statistics here. Conventions:
//   - x is an n x p double matrix (rows = observations); labels cross as 1-based integers.
//   - options: a named list of numbers, numeric vectors (e.g. sigma = k*p*p numbers) and single
//     strings, passed to hetmod::sdpcluster::fit unchanged (the core rejects unknown keys).
//   - Randomness: `seed` goes to one hetmod::Rng; R's RNG is never touched from C++.
//   - predict rebuilds the parts of a ClusterResult that hetmod::sdpcluster::predict reads (method,
//     k, p, means, covariances, weights) from the saved R object, so it works after saveRDS().
#include <Rcpp.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "glue.h"
#include "hetmod/core/check.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/data/view.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"

namespace {

namespace sc = hetmod::sdpcluster;

uint64_t to_seed(double seed) {
  hetmod::check::require(std::isfinite(seed) && seed >= 0 && seed == std::floor(seed) && seed <= 9007199254740992.0,
                         "cluster_sdp", "seed is " + hetmod::check::fmt(seed) + ", but must be a whole number in [0, 2^53]");
  return static_cast<uint64_t>(seed);
}

Rcpp::NumericVector dvec(const std::vector<double>& v) { return Rcpp::NumericVector(v.begin(), v.end()); }

}  // namespace

// [[Rcpp::export]]
Rcpp::List cluster_fit_cpp(Rcpp::NumericMatrix x, int k, std::string method, Rcpp::List options, double seed) {
  return hetmod_r::guarded([&]() -> Rcpp::List {
    const sc::Method m = sc::method_from_name(method);
    const hetmod::Options opt = hetmod_r::options_from_list(options, "cluster_sdp", {"sigma"});
    hetmod::Rng rng(to_seed(seed));
    const sc::ClusterResult r =
        sc::fit(hetmod::data::MatView(x.begin(), x.nrow(), x.ncol()), k, m, opt, rng);
    Rcpp::IntegerVector labels(r.labels.size());
    for (size_t i = 0; i < r.labels.size(); ++i) labels[static_cast<R_xlen_t>(i)] = r.labels[i] + 1;
    Rcpp::NumericMatrix means(r.k, static_cast<int>(r.p));
    std::copy(r.means.begin(), r.means.end(), means.begin());
    const sc::Certificate& c = r.certificate;
    Rcpp::List cert = Rcpp::List::create(
        Rcpp::Named("solver") = c.solver, Rcpp::Named("iterations") = c.iterations,
        Rcpp::Named("primal_residual") = c.primal_residual, Rcpp::Named("dual_residual") = c.dual_residual,
        Rcpp::Named("gap") = c.gap, Rcpp::Named("objective") = c.primal_objective,
        Rcpp::Named("dual_objective") = c.dual_objective, Rcpp::Named("seconds") = c.seconds,
        Rcpp::Named("converged") = c.converged, Rcpp::Named("reason") = c.reason, Rcpp::Named("rho") = c.rho,
        Rcpp::Named("final_rank") = c.final_rank);
    if (c.solver.rfind("burer-monteiro", 0) == 0) {  // low-rank path: escapes and dual slack (lower bound = dual_objective)
      cert["escapes"] = c.escapes;
      cert["dual_min_eig"] = c.dual_min_eig;
    }
    Rcpp::List out = Rcpp::List::create(
        Rcpp::Named("method") = std::string(sc::method_name(r.method)), Rcpp::Named("labels") = labels,
        Rcpp::Named("means") = means, Rcpp::Named("covariances") = dvec(r.covariances),
        Rcpp::Named("weights") = dvec(r.weights), Rcpp::Named("loglik") = r.loglik, Rcpp::Named("bic") = r.bic,
        Rcpp::Named("icl") = r.icl, Rcpp::Named("df") = r.df, Rcpp::Named("objective") = r.objective,
        Rcpp::Named("certificate") = cert, Rcpp::Named("sweep_objective") = dvec(r.sweep_objective),
        Rcpp::Named("sweep_profile") = dvec(r.sweep_profile), Rcpp::Named("iterations") = r.iterations,
        Rcpp::Named("converged") = r.converged, Rcpp::Named("messages") = r.messages);
    out["eigenvalues"] = dvec(r.sdp_eigenvalues);
    out["sketch_size"] = static_cast<double>(r.sketch_size);
    {
      Rcpp::NumericVector si(r.sketch_index.size());
      for (size_t i = 0; i < r.sketch_index.size(); ++i) si[static_cast<R_xlen_t>(i)] = static_cast<double>(r.sketch_index[i] + 1);
      out["sketch_index"] = si;
    }
    if (!r.membership.empty()) {
      Rcpp::NumericMatrix z(static_cast<int>(r.n), static_cast<int>(r.n));
      std::copy(r.membership.begin(), r.membership.end(), z.begin());
      out["membership"] = z;
    }
    return out;
  });
}

// [[Rcpp::export]]
Rcpp::IntegerVector cluster_predict_cpp(std::string method, Rcpp::NumericMatrix means, Rcpp::NumericVector covariances,
                                        Rcpp::NumericVector weights, Rcpp::NumericMatrix newx) {
  return hetmod_r::guarded([&]() -> Rcpp::IntegerVector {
    sc::ClusterResult r;
    r.method = sc::method_from_name(method);
    r.k = means.nrow();
    r.p = means.ncol();
    r.means.assign(means.begin(), means.end());
    r.covariances.assign(covariances.begin(), covariances.end());
    r.weights.assign(weights.begin(), weights.end());
    const std::vector<int> lab = sc::predict(r, hetmod::data::MatView(newx.begin(), newx.nrow(), newx.ncol()));
    Rcpp::IntegerVector out(lab.size());
    for (size_t i = 0; i < lab.size(); ++i) out[static_cast<R_xlen_t>(i)] = lab[i] + 1;
    return out;
  });
}

// [[Rcpp::export]]
Rcpp::NumericVector cluster_metrics_cpp(Rcpp::IntegerVector a, Rcpp::IntegerVector b) {
  return hetmod_r::guarded([&]() -> Rcpp::NumericVector {
    const std::vector<int> va(a.begin(), a.end()), vb(b.begin(), b.end());
    const double mis = sc::misclustering_rate(va, vb);
    const double ari = sc::adjusted_rand_index(va, vb);
    const double nmi = sc::normalized_mutual_info(va, vb);
    return Rcpp::NumericVector::create(Rcpp::Named("misclustering") = mis, Rcpp::Named("ari") = ari,
                                       Rcpp::Named("nmi") = nmi);
  });
}

// [[Rcpp::export]]
Rcpp::List cluster_select_k_cpp(Rcpp::NumericMatrix x, Rcpp::IntegerVector ks, std::string method, std::string criterion,
                                Rcpp::List options, double seed) {
  return hetmod_r::guarded([&]() -> Rcpp::List {
    const sc::Method m = sc::method_from_name(method);
    const hetmod::Options opt = hetmod_r::options_from_list(options, "cluster_select_k", {"sigma"});
    hetmod::Rng rng(to_seed(seed));
    const std::vector<int> kv(ks.begin(), ks.end());
    const sc::SelectKResult s =
        sc::select_k(hetmod::data::MatView(x.begin(), x.nrow(), x.ncol()), kv, m, criterion, opt, rng);
    const auto nr = static_cast<R_xlen_t>(s.rows.size());
    Rcpp::IntegerVector k(nr), df(nr);
    Rcpp::NumericVector crit(nr), ll(nr), bic(nr), icl(nr), obj(nr), gap(nr);
    Rcpp::LogicalVector conv(nr);
    for (R_xlen_t i = 0; i < nr; ++i) {
      const sc::SelectKRow& r = s.rows[static_cast<size_t>(i)];
      k[i] = r.k;
      crit[i] = r.criterion;
      ll[i] = r.loglik;
      bic[i] = r.bic;
      icl[i] = r.icl;
      df[i] = r.df;
      obj[i] = r.objective;
      gap[i] = r.eigengap;
      conv[i] = r.converged;
    }
    return Rcpp::List::create(Rcpp::Named("k") = k, Rcpp::Named("criterion") = crit, Rcpp::Named("loglik") = ll,
                              Rcpp::Named("bic") = bic, Rcpp::Named("icl") = icl, Rcpp::Named("df") = df,
                              Rcpp::Named("objective") = obj, Rcpp::Named("eigengap") = gap,
                              Rcpp::Named("converged") = conv, Rcpp::Named("best_k") = s.best_k,
                              Rcpp::Named("messages") = s.messages, Rcpp::Named("penalty") = s.penalty);
  });
}
