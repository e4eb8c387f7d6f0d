// src/sdpcluster/fit.cpp -- the fit() facade: validation, options, and the method drivers.
//
// 1. Validation at the boundary: k in [1, n], finite x, at least k distinct rows, covariance checks.
// 2. Baselines: k-means (baseline.cpp), EM-GMM.
// 3. Peng-Wei SDP: C = -Xc Xc^T (Xc centred), exact ADMM for n <= exact_max, else Burer-Monteiro
//    (or refusal); spectral rounding. objective = relaxed within sum of squares tr(Xc^T Xc) + <C, Z>.
// 4. LA-SDP (spec 1.3) with user covariances: lifted ADMM, spectral rounding of sum_k Z_k, clusters
//    matched to covariance blocks by maximal mass sum_{i in c} (Z_k 1)_i (Hungarian).
// 5. iLA-SDP (spec 1.4): alternate Sigma_k = M_k / m_k + eps I (M_k = X^T (diag(Z_k 1) - Z_k) X,
//    m_k = 1^T Z_k 1) with the LA-SDP solve warm-started from the previous Z_k; lifted objective
//    recorded after each covariance step (non-increasing up to the ADMM tolerance); each sweep's
//    partition is rounded spectrally and the partition with the best regularised profile -2l is kept.
// 6. iLA-SDP above exact_max (solver "auto", no sketch given): Sketch-and-Lift with the exact iLA-SDP
//    (ila_sketch_solver "admm"; "bm": low-rank) on m = min(ila_sketch = 300, exact_max) rows, lift by Gaussian
//    likelihood, then lift_sweeps classification-EM sweeps of the regularised profile -2l on all rows
//    (refine_partition: monotone, best partition kept); the same refinement from a k-means partition of all rows
//    is a safeguard, the smaller profile wins (ila_start "both"; "sdp" / "kmeans" force one); the message names
//    the kept start and both profiles. Every iLA-SDP Sketch-and-Lift (also with a user sketch) gets the
//    refinement. m = 300: the exact sweeps take ~75-110 s CPU on the hetero4 design (bench_ila_5000.R).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "hetmod/core/check.hpp"
#include "hetmod/data/validate.hpp"
#include "hetmod/numeric/arma_linalg.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

using namespace detail;

namespace {

struct Opts {
  int n_init = 10, max_iter = 300, sdp_max_iter = 20000, em_n_init = 1, sweeps = 20, bm_rank = 0, lift_sweeps = 30;
  int64_t ila_sketch = 300;
  double tol = 1e-6, time_limit = 600, ridge = -1, em_tol = 1e-10, rho = 0, eps = -1;
  int64_t exact_max = 1500;
  bool scale = false, keep_membership = false, lowrank_eig = true;
  std::string large_n = "lowrank", ila_init = "sdp", solver = "auto", ila_sketch_solver = "admm",
              ila_start = "both";
  double sketch = 0;
  CovType cov = CovType::full, ila_cov = CovType::full;
  std::vector<double> sigma;
};

Opts read_options(const Options& o) {
  const char* fn = "sdpcluster_fit";
  Opts r;
  r.n_init = static_cast<int>(o.get_int("n_init", 10));
  r.max_iter = static_cast<int>(o.get_int("max_iter", 300));
  r.sdp_max_iter = static_cast<int>(o.get_int("sdp_max_iter", 20000));
  r.em_n_init = static_cast<int>(o.get_int("em_n_init", 1));
  r.sweeps = static_cast<int>(o.get_int("sweeps", 20));
  r.bm_rank = static_cast<int>(o.get_int("bm_rank", 0));
  r.tol = o.get_double("tol", 1e-6);
  r.time_limit = o.get_double("time_limit", 600);
  r.ridge = o.get_double("ridge", -1);
  r.em_tol = o.get_double("em_tol", 1e-10);
  r.rho = o.get_double("rho", 0);
  r.eps = o.get_double("eps", -1);
  r.exact_max = o.get_int("exact_max", 1500);
  r.scale = o.get_bool("scale", false);
  r.keep_membership = o.get_bool("keep_membership", false);
  r.lowrank_eig = o.get_bool("lowrank_eig", true);
  r.large_n = o.get_string("large_n", "lowrank");
  r.ila_init = o.get_string("ila_init", "sdp");
  r.cov = cov_type_from_name(o.get_string("cov_type", "full"));
  r.ila_cov = cov_type_from_name(o.get_string("ila_cov", "full"));
  r.sigma = o.get_vector("sigma", {});
  r.solver = o.get_string("solver", "auto");
  r.sketch = o.get_double("sketch", 0);
  r.lift_sweeps = static_cast<int>(o.get_int("lift_sweeps", 30));
  r.ila_sketch = o.get_int("ila_sketch", 300);
  r.ila_sketch_solver = o.get_string("ila_sketch_solver", "admm");
  r.ila_start = o.get_string("ila_start", "both");
  static const std::vector<std::string> known = {
      "n_init", "max_iter", "sdp_max_iter", "tol", "time_limit", "scale", "keep_membership", "cov_type",
      "ridge", "em_n_init", "em_tol", "exact_max", "large_n", "rho", "lowrank_eig", "bm_rank", "sigma", "eps",
      "sweeps", "ila_init", "ila_cov", "solver", "sketch", "lift_sweeps", "ila_sketch", "ila_sketch_solver", "ila_start"};
  for (const auto& key : o.keys()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& kk : known) list += (list.empty() ? "" : ", ") + kk;
      check::fail(fn, "unknown option '" + key + "' (known: " + list + ")");
    }
  }
  check::at_least(fn, "n_init", r.n_init, 1);
  check::at_least(fn, "max_iter", r.max_iter, 1);
  check::at_least(fn, "sdp_max_iter", r.sdp_max_iter, 1);
  check::at_least(fn, "em_n_init", r.em_n_init, 1);
  check::at_least(fn, "sweeps", r.sweeps, 1);
  check::at_least(fn, "exact_max", r.exact_max, 1);
  check::at_least(fn, "bm_rank", r.bm_rank, 0);
  check::at_least(fn, "lift_sweeps", r.lift_sweeps, 0);
  check::at_least(fn, "ila_sketch", r.ila_sketch, 1);
  check::in_range(fn, "tol", r.tol, 1e-14, 1.0);
  check::positive(fn, "time_limit", r.time_limit);
  check::positive(fn, "em_tol", r.em_tol);
  check::nonnegative(fn, "rho", r.rho);
  check::require(r.large_n == "lowrank" || r.large_n == "refuse", fn,
                 "large_n is '" + r.large_n + "', but must be 'lowrank' or 'refuse'");
  check::require(r.solver == "auto" || r.solver == "admm" || r.solver == "bm", fn,
                 "solver is '" + r.solver + "', but must be 'auto', 'admm' or 'bm'");
  check::require(std::isfinite(r.sketch) && r.sketch >= 0, fn,
                 "sketch is " + check::fmt(r.sketch) + ", but must be 0 (off), a fraction in (0, 1) or a size >= 1");
  check::require(r.ila_sketch_solver == "admm" || r.ila_sketch_solver == "bm", fn,
                 "ila_sketch_solver is '" + r.ila_sketch_solver + "', but must be 'admm' or 'bm'");
  check::require(r.ila_start == "both" || r.ila_start == "sdp" || r.ila_start == "kmeans", fn,
                 "ila_start is '" + r.ila_start + "', but must be 'both', 'sdp' or 'kmeans'");
  check::require(r.ila_init == "sdp" || r.ila_init == "kmeans", fn,
                 "ila_init is '" + r.ila_init + "', but must be 'sdp' or 'kmeans'");
  if (r.ridge != -1) check::nonnegative(fn, "ridge", r.ridge);
  if (r.eps != -1) check::nonnegative(fn, "eps", r.eps);
  return r;
}


double mean_col_var(const arma::mat& x) {
  if (x.n_rows < 2) return 1.0;
  const double v = arma::mean(arma::var(x, 1, 0));
  return v > 0 ? v : 1.0;
}

AdmmOptions admm_opts(const Opts& o) {
  AdmmOptions a;
  a.tol = o.tol;
  a.max_iter = o.sdp_max_iter;
  a.time_limit = o.time_limit;
  a.rho = o.rho;
  a.lowrank = o.lowrank_eig;
  return a;
}

// Low-rank (Burer-Monteiro) path for an SDP method? solver "bm" always; otherwise above exact_max
// (message), or an error when large_n = "refuse".
bool use_lowrank(const Opts& o, arma::uword n, const char* what, ClusterResult& res) {
  if (o.solver == "bm") return true;
  if (static_cast<int64_t>(n) <= o.exact_max) return false;
  check::require(o.large_n != "refuse", "sdpcluster_fit",
                 "n = " + std::to_string(n) + " exceeds exact_max = " + std::to_string(o.exact_max) +
                     " and large_n = 'refuse': the exact SDP would need O(n^2) memory and O(n^3) per iteration",
                 Status::unsupported);
  res.messages.push_back("n = " + std::to_string(n) + " > exact_max = " + std::to_string(o.exact_max) + ": " + what +
                         " solved by the Burer-Monteiro low-rank path instead of the exact ADMM");
  return true;
}

BmOptions bm_opts(const Opts& o, bool lifted) {
  BmOptions bo;
  bo.rank = lifted ? 0 : o.bm_rank;
  bo.tol = o.tol;
  bo.max_iter = o.sdp_max_iter;
  bo.time_limit = o.time_limit;
  return bo;
}

// Covariance step of iLA-SDP from soft memberships Z_k.
std::vector<arma::mat> ila_sigma(const arma::mat& x, const std::vector<arma::mat>& z, CovType cov, double eps) {
  const arma::uword p = x.n_cols;
  std::vector<arma::mat> m(z.size());
  std::vector<double> mk(z.size());
  for (size_t b = 0; b < z.size(); ++b) {
    const arma::vec r = arma::sum(z[b], 1);
    mk[b] = arma::accu(r);
    const arma::mat xr = x.each_col() % r;
    arma::mat mm = x.t() * xr - x.t() * (z[b] * x);
    m[b] = 0.5 * (mm + mm.t());
  }
  return covariances_from_scatter(m, mk, cov, eps, p);
}

double lifted_objective(const std::vector<arma::mat>& c, const std::vector<arma::mat>& z) {
  double v = 0;
  for (size_t b = 0; b < c.size(); ++b) v += arma::dot(c[b], z[b]);
  return v;
}

// Map rounded clusters to covariance blocks by maximal mass (Hungarian on -mass).
std::vector<int> match_blocks(const arma::uvec& lab, const std::vector<arma::mat>& z, int k) {
  arma::mat mass(static_cast<arma::uword>(k), static_cast<arma::uword>(k), arma::fill::zeros);
  for (size_t b = 0; b < z.size(); ++b) {
    const arma::vec r = arma::sum(z[b], 1);
    for (arma::uword i = 0; i < lab.n_elem; ++i) mass(lab(i), b) += r(i);
  }
  return hungarian_min(-mass);
}


// Default ridge of iLA-SDP: 1e-3 tr(S_pooled) / p of a partition (fallback 1e-3 x mean column variance).
double default_eps(const arma::mat& x0, const arma::uvec& lab, int k) {
  const arma::uword n = x0.n_rows, p = x0.n_cols;
  double tr = 0;
  for (int j = 0; j < k; ++j) {
    const arma::uvec idx = arma::find(lab == static_cast<arma::uword>(j));
    if (idx.n_elem == 0) continue;
    const arma::mat xs = x0.rows(idx);
    tr += arma::accu(arma::square(xs.each_row() - arma::mean(xs, 0)));
  }
  double eps = 1e-3 * tr / static_cast<double>(n * p);
  if (!(eps > 0)) eps = 1e-3 * mean_col_var(x0);
  return eps;
}

// Likelihood refinement of a hard partition on all n rows (classification EM of the eps-regularised profile
// -2 loglik, spec 1.4): Sigma_k = S_k + eps I (by family) and mu_k from the current labels, then every row to the
// cluster minimising (x - mu_k)^T Omega_k (x - mu_k) + log det Sigma_k + eps tr Omega_k. Each sweep is an exact
// block-coordinate step, so the objective (for cov = full: profile_m2ll) never increases; the best partition
// is kept. Returns the number of sweeps run; obj receives the objective of lab on exit.
int refine_partition(const arma::mat& x, int k, CovType cov, double eps, int sweeps, arma::uvec& lab, double& obj) {
  const arma::uword n = x.n_rows, p = x.n_cols;
  const auto kk = static_cast<arma::uword>(k);
  const double c0 = static_cast<double>(n * p) * std::log(2.0 * arma::datum::pi);
  auto step = [&](const arma::uvec& l, arma::mat& cost) -> double {  // cost n x k under the parameters of l
    arma::mat means(kk, p, arma::fill::zeros);
    std::vector<arma::mat> m(kk);
    std::vector<double> mk(kk, 0.0);
    for (arma::uword j = 0; j < kk; ++j) {
      const arma::uvec idx = arma::find(l == j);
      if (idx.n_elem == 0) return arma::datum::inf;
      const arma::mat xs = x.rows(idx);
      means.row(j) = arma::mean(xs, 0);
      const arma::mat xc = xs.each_row() - means.row(j);
      m[j] = xc.t() * xc;
      mk[j] = static_cast<double>(idx.n_elem);
    }
    const std::vector<arma::mat> sig = covariances_from_scatter(m, mk, cov, eps, p);
    cost.set_size(n, kk);
    for (arma::uword j = 0; j < kk; ++j) {
      arma::mat l_chol;
      if (!arma::chol(l_chol, sig[j], "lower")) return arma::datum::inf;
      const arma::mat w = arma::solve(arma::trimatl(l_chol), (x.each_row() - means.row(j)).t());  // p x n
      const arma::mat li = arma::inv(arma::trimatl(l_chol));
      const double logdet = 2.0 * arma::accu(arma::log(l_chol.diag()));
      const double tr_omega = arma::accu(arma::square(li));
      cost.col(j) = arma::sum(arma::square(w), 0).t() + logdet + eps * tr_omega;
    }
    double v = c0;
    for (arma::uword i = 0; i < n; ++i) v += cost(i, l(i));
    return v;
  };
  arma::mat cost;
  obj = step(lab, cost);
  int s = 0;
  for (s = 1; s <= sweeps && std::isfinite(obj); ++s) {
    const arma::uvec nl = arma::index_min(cost, 1);
    if (arma::all(nl == lab)) break;
    arma::mat cost2;
    const double v = step(nl, cost2);
    if (!(v < obj)) break;  // empty cluster or no decrease: keep the current partition
    lab = nl;
    obj = v;
    cost = std::move(cost2);
  }
  return std::min(s, sweeps);
}

// iLA-SDP through Sketch-and-Lift: iLA-SDP on a subsample of m rows (solver as in options), lift every row by
// Gaussian likelihood, then lift_sweeps likelihood-refinement sweeps on all rows.
ClusterResult ila_sketch_refine(const arma::mat& x0, int k, const Options& options, const Opts& o, int64_t m,
                                Rng& rng) {
  ClusterResult res = sketch_and_lift(x0, k, Method::ila_sdp, options, m, rng);
  if (o.lift_sweeps <= 0) return res;
  arma::uvec lab(x0.n_rows);
  for (arma::uword i = 0; i < x0.n_rows; ++i) lab(i) = static_cast<arma::uword>(res.labels[i]);
  for (int j = 0; j < k; ++j)
    if (!arma::any(lab == static_cast<arma::uword>(j))) return res;  // an empty lifted cluster: keep the lift
  const double eps = o.eps >= 0 ? o.eps : default_eps(x0, lab, k);
  double obj = 0;
  int sw = refine_partition(x0, k, o.ila_cov, eps, o.lift_sweeps, lab, obj);
  // safeguard against a poor subsample solve: the same refinement from a k-means partition of all rows;
  // the partition with the smaller regularised profile -2 loglik (the objective iLA-SDP minimises) is kept
  // (option ila_start = "sdp" / "kmeans" returns that start's partition, both profiles still in the message)
  bool kmeans_won = false;
  const double obj_sdp = obj;
  double objk_out = arma::datum::inf;
  {
    arma::uvec lk = kmeans(x0, k, std::min(o.n_init, 3), o.max_iter, rng).labels;
    bool full = true;
    for (int j = 0; j < k; ++j) full = full && arma::any(lk == static_cast<arma::uword>(j));
    double objk = arma::datum::inf;
    const int swk = full ? refine_partition(x0, k, o.ila_cov, eps, o.lift_sweeps, lk, objk) : 0;
    objk_out = objk;
    // ila_start "both": the smaller profile wins; "sdp" / "kmeans": that start only (for comparisons)
    const bool take_k = o.ila_start == "kmeans" ? full : (o.ila_start == "both" && objk < obj - 1e-9 * std::abs(obj));
    if (take_k) {
      lab = lk;
      obj = objk;
      sw = swk;
      kmeans_won = true;
    }
  }
  set_labels(lab, res);
  partition_summary(x0, lab, k, eps, res);
  if (o.ila_cov != CovType::full) {  // covariances of the refined family
    const arma::uword p = x0.n_cols;
    std::vector<arma::mat> mm(static_cast<size_t>(k));
    std::vector<double> mk(static_cast<size_t>(k));
    for (int j = 0; j < k; ++j) {
      const arma::uvec idx = arma::find(lab == static_cast<arma::uword>(j));
      const arma::mat xs = x0.rows(idx);
      const arma::mat xc = xs.each_row() - arma::mean(xs, 0);
      mm[static_cast<size_t>(j)] = xc.t() * xc;
      mk[static_cast<size_t>(j)] = static_cast<double>(idx.n_elem);
    }
    const std::vector<arma::mat> sig = covariances_from_scatter(mm, mk, o.ila_cov, eps, p);
    for (int j = 0; j < k; ++j)
      std::copy(sig[static_cast<size_t>(j)].begin(), sig[static_cast<size_t>(j)].end(),
                res.covariances.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(j) * p * p));
  }
  res.objective = obj;
  std::ostringstream msg;
  msg << "likelihood refinement on all n = " << x0.n_rows << " rows: " << sw << " sweeps, eps = " << eps
      << ", regularised profile -2 loglik " << obj
      << "; kept: " << (kmeans_won ? "the k-means start" : "the SDP start")
      << (o.ila_start != "both" ? " (forced by ila_start = '" + o.ila_start + "')"
          : kmeans_won ? " (the refinement from a k-means partition of all rows reached a smaller profile than the "
                         "lifted subsample SDP solution)"
                       : " (the lifted subsample SDP solution reached a profile no larger than the refinement from a "
                         "k-means partition of all rows)")
      << "; profiles: SDP start " << obj_sdp << ", k-means start " << objk_out;
  res.messages.push_back(msg.str());
  return res;
}

}  // namespace

ClusterResult fit(data::MatView xv, int k, Method method, const Options& options, Rng& rng) {
  const char* fn = "sdpcluster_fit";
  check::not_null(fn, "x", xv.data, xv.nrow * xv.ncol);
  check::at_least(fn, "nrow(x)", xv.nrow, 1);
  check::at_least(fn, "ncol(x)", xv.ncol, 1);
  check::require(k >= 1 && k <= xv.nrow, fn,
                 "k is " + std::to_string(k) + ", but must be in [1, n = " + std::to_string(xv.nrow) + "]");
  data::check_finite(fn, "x", xv);
  const Opts o = read_options(options);
  const arma::mat x0 = to_arma(xv);
  const arma::uword n = x0.n_rows, p = x0.n_cols;
  if (k > 1) {  // at least k distinct rows (duplicates only cannot be split into k clusters)
    std::vector<arma::uword> idx(n);
    for (arma::uword i = 0; i < n; ++i) idx[i] = i;
    auto less = [&](arma::uword a, arma::uword b) {
      for (arma::uword j = 0; j < p; ++j)
        if (x0(a, j) != x0(b, j)) return x0(a, j) < x0(b, j);
      return false;
    };
    std::sort(idx.begin(), idx.end(), less);
    arma::uword distinct = 1;
    for (arma::uword i = 1; i < n; ++i)
      if (less(idx[i - 1], idx[i])) ++distinct;
    check::require(distinct >= static_cast<arma::uword>(k), fn,
                   "x has only " + std::to_string(distinct) + " distinct rows, but k = " + std::to_string(k) +
                       " clusters need at least k distinct points");
  }
  if (method == Method::ila_sdp && o.solver == "auto" && !options.has("sketch") &&
      static_cast<int64_t>(n) > o.exact_max) {
    // large-n default of iLA-SDP: Sketch-and-Lift with the exact iLA-SDP (ila_sketch_solver "admm", default) or
    // the low-rank one ("bm") on m = min(ila_sketch, exact_max) rows, Gaussian-likelihood lift and likelihood
    // refinement on all rows
    const int64_t m = std::max<int64_t>(k, std::min(o.ila_sketch, o.exact_max));
    const bool exact = o.ila_sketch_solver == "admm";
    Options sub = options;
    sub.set("solver", std::string(exact ? "admm" : "bm"));
    ClusterResult res = ila_sketch_refine(x0, k, sub, o, m, rng);
    res.messages.insert(res.messages.begin(),
                        "n = " + std::to_string(n) + " > exact_max = " + std::to_string(o.exact_max) +
                            ": iLA-SDP by Sketch-and-Lift (" + (exact ? "exact" : "low-rank") + " iLA-SDP on m = " +
                            std::to_string(m) + " rows, Gaussian-likelihood lift, " + std::to_string(o.lift_sweeps) +
                            " refinement sweeps on all rows); set solver = 'bm' for the low-rank path on all rows");
    return res;
  }
  if (o.sketch > 0) {  // Sketch-and-Lift wrapper (scalable.cpp)
    const auto m = static_cast<int64_t>(o.sketch < 1 ? std::llround(o.sketch * static_cast<double>(n)) : std::llround(o.sketch));
    if (m < static_cast<int64_t>(n)) {
      if (method == Method::ila_sdp) return ila_sketch_refine(x0, k, options, o, m, rng);
      return sketch_and_lift(x0, k, method, options, m, rng);
    }
  }
  ClusterResult res;
  res.method = method;
  res.n = static_cast<int64_t>(n);
  res.p = static_cast<int64_t>(p);
  res.k = k;
  res.loglik = std::numeric_limits<double>::quiet_NaN();
  res.bic = res.icl = std::numeric_limits<double>::quiet_NaN();
  const double ridge = o.ridge >= 0 ? o.ridge : 1e-6 * mean_col_var(x0);

  // centred (optionally scaled) data for SDP methods; constant columns are kept unscaled
  arma::mat xc = x0.each_row() - arma::mean(x0, 0);
  if (o.scale) {
    arma::rowvec sd = arma::stddev(x0, 0, 0);
    for (arma::uword j = 0; j < p; ++j)
      if (sd(j) > 0) xc.col(j) /= sd(j);
  }

  switch (method) {
    case Method::kmeans: {
      KmeansOut km = kmeans(x0, k, o.n_init, o.max_iter, rng);
      set_labels(km.labels, res);
      partition_summary(x0, km.labels, k, 0.0, res);
      res.objective = km.inertia;
      res.iterations = km.iterations;
      res.converged = km.converged;
      return res;
    }
    case Method::em_gmm: {
      if (o.cov == CovType::full || o.cov == CovType::tied) {
        check::require(!(ridge == 0 && static_cast<arma::uword>(k) > 0 && p >= n), fn,
                       "p = " + std::to_string(p) + " >= n = " + std::to_string(n) +
                           ": full covariances are singular without a ridge (set option ridge > 0)",
                       Status::domain);
      }
      if (ridge == 0) {
        const arma::rowvec sd = arma::stddev(x0, 0, 0);
        for (arma::uword j = 0; j < p; ++j)
          check::require(sd(j) > 0, fn,
                         "column " + std::to_string(j) +
                             " of x is constant: its covariance is singular without a ridge (set option ridge > 0)",
                         Status::domain);
      }
      GmmOut g = em_gmm(x0, k, o.cov, ridge, o.em_n_init, o.max_iter, o.em_tol, rng, arma::uvec());
      set_labels(g.labels, res);
      res.means = to_std(g.means);
      res.covariances.clear();
      for (const auto& c : g.covs) res.covariances.insert(res.covariances.end(), c.begin(), c.end());
      res.weights = to_std(g.weights);
      res.loglik = g.loglik;
      res.df = g.df;
      res.bic = -2.0 * g.loglik + g.df * std::log(static_cast<double>(n));
      double ent = 0;
      for (arma::uword i = 0; i < n; ++i) {
        const double z = g.resp(i, g.labels(i));
        if (z > 0) ent -= std::log(z);
      }
      res.icl = res.bic + 2.0 * ent;
      res.objective = -g.loglik;
      res.iterations = g.iterations;
      res.converged = g.converged;
      return res;
    }
    case Method::sdp_kmeans:
    case Method::bm_kmeans: {
      const bool use_bm = method == Method::bm_kmeans || use_lowrank(o, n, "the Peng-Wei SDP", res);
      arma::uvec lab;
      if (use_bm) {
        const BmOptions bo = bm_opts(o, false);
        arma::mat u;
        res.certificate = bm_kmeans(xc, k, bo, rng, u);
        lab = factor_round(u, k, rng, o.n_init);
        const arma::vec sv = arma::svd(u);
        res.sdp_eigenvalues = to_std(arma::square(sv.head(std::min<arma::uword>(sv.n_elem, 2 * k + 1))));
        res.objective = arma::accu(arma::square(xc)) + res.certificate.primal_objective;
        if (o.keep_membership) res.membership = to_std(u * u.t());
      } else {
        const arma::mat c = -xc * xc.t();
        arma::mat z;
        res.certificate = admm_peng_wei(c, k, admm_opts(o), z);
        lab = spectral_round(z, k, rng, o.n_init);
        const arma::vec ev = arma::reverse(arma::eig_sym(0.5 * (z + z.t())));
        res.sdp_eigenvalues = to_std(ev.head(std::min<arma::uword>(ev.n_elem, 2 * k + 1)));
        res.objective = arma::accu(arma::square(xc)) + res.certificate.primal_objective;
        if (o.keep_membership) res.membership = to_std(z);
      }
      set_labels(lab, res);
      partition_summary(x0, lab, k, 0.0, res);
      res.converged = res.certificate.converged;
      res.iterations = res.certificate.iterations;
      return res;
    }
    case Method::la_sdp: {
      check::same_size(fn, "length of option sigma (k * p * p)", static_cast<int64_t>(o.sigma.size()),
                       static_cast<int64_t>(k) * static_cast<int64_t>(p * p));
      check::finite(fn, "sigma", o.sigma.data(), static_cast<int64_t>(o.sigma.size()));
      std::vector<arma::mat> sig;
      for (int b = 0; b < k; ++b) sig.emplace_back(o.sigma.data() + static_cast<size_t>(b) * p * p, p, p);
      const double eps = o.eps >= 0 ? o.eps : 0.0;
      if (use_lowrank(o, n, "LA-SDP", res)) {
        la_sdp_lowrank(x0, k, sig, eps, bm_opts(o, true), o.n_init, rng, res);
        return res;
      }
      const std::vector<arma::mat> c = la_costs(x0, sig, eps);
      std::vector<arma::mat> z;
      const arma::vec t(static_cast<arma::uword>(k), arma::fill::ones);
      res.certificate = admm_lifted(c, t, admm_opts(o), z);
      arma::mat zs(n, n, arma::fill::zeros);
      for (const auto& b : z) zs += b;
      const arma::uvec lab = spectral_round(zs, k, rng, o.n_init);
      set_labels(lab, res);
      partition_summary(x0, lab, k, 0.0, res);
      const std::vector<int> match = match_blocks(lab, z, k);
      for (int j = 0; j < k; ++j) {
        const auto b = static_cast<size_t>(match[static_cast<size_t>(j)]);
        std::copy(sig[b].begin(), sig[b].end(),
                  res.covariances.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(j) * p * p));
      }
      res.objective = res.certificate.primal_objective;
      res.converged = res.certificate.converged;
      res.iterations = res.certificate.iterations;
      if (o.keep_membership) res.membership = to_std(zs);
      return res;
    }
    case Method::ila_sdp: {
      // 0. initial partition
      arma::uvec lab;
      const bool ila_bm = use_lowrank(o, n, "iLA-SDP", res);
      if (ila_bm && o.ila_init == "sdp") {
        arma::mat u;
        (void)bm_kmeans(xc, k, bm_opts(o, false), rng, u);
        lab = factor_round(u, k, rng, o.n_init);
      } else if (o.ila_init == "sdp") {
        if (static_cast<int64_t>(n) > o.exact_max) {
          check::fail(fn, "iLA-SDP needs the exact solver: n = " + std::to_string(n) + " exceeds exact_max = " +
                              std::to_string(o.exact_max), Status::unsupported);
        }
        arma::mat z;
        (void)admm_peng_wei(-xc * xc.t(), k, admm_opts(o), z);
        lab = spectral_round(z, k, rng, o.n_init);
      } else {
        lab = kmeans(x0, k, o.n_init, o.max_iter, rng).labels;
      }
      const double eps = o.eps >= 0 ? o.eps : default_eps(x0, lab, k);  // 1e-3 tr(S_pooled) / p
      if (ila_bm) {
        ila_sdp_lowrank(x0, k, lab, eps, o.ila_cov, o.sweeps, bm_opts(o, true), o.n_init, rng, res);
        return res;
      }
      std::vector<arma::mat> z(static_cast<size_t>(k), arma::mat(n, n, arma::fill::zeros)), dual;
      for (int j = 0; j < k; ++j) {
        const arma::uvec idx = arma::find(lab == static_cast<arma::uword>(j));
        check::require(idx.n_elem > 0, fn, "the initial partition has an empty cluster", Status::numerical);
        const double w = 1.0 / static_cast<double>(idx.n_elem);
        for (arma::uword a : idx)
          for (arma::uword b : idx) z[static_cast<size_t>(j)](a, b) = w;
      }
      arma::uvec best_lab = lab;
      double best_prof = profile_m2ll(x0, lab, k, eps);
      std::vector<arma::mat> best_sig, sig;
      arma::uvec prev = lab;
      double prev_obj = arma::datum::inf;
      int sweep = 0, admm_it = 0, admm_full = 0, admm_partial = 0;
      double admm_sec = 0;
      for (sweep = 1; sweep <= o.sweeps; ++sweep) {
        sig = ila_sigma(x0, z, o.ila_cov, eps);
        const std::vector<arma::mat> c = la_costs(x0, sig, eps);
        const double obj = lifted_objective(c, z);
        res.sweep_objective.push_back(obj);
        if (sweep == 1) best_sig = sig;
        const bool small_change = std::abs(prev_obj - obj) <= 1e-6 * (1.0 + std::abs(obj));
        prev_obj = obj;
        if (small_change) {
          res.converged = true;
          break;
        }
        AdmmOptions ao = admm_opts(o);
        if (!(o.rho > 0) && sweep > 1) ao.rho = res.certificate.rho;  // warm start: Z, W = rho U and rho
        res.certificate = admm_lifted(c, arma::vec(static_cast<arma::uword>(k), arma::fill::ones), ao, z, &dual);
        admm_it += res.certificate.iterations;
        admm_full += res.certificate.full_eigs;
        admm_partial += res.certificate.partial_eigs;
        admm_sec += res.certificate.seconds;
        arma::mat zs(n, n, arma::fill::zeros);
        for (const auto& b : z) zs += b;
        const arma::uvec nl = spectral_round(zs, k, rng, o.n_init);
        const double prof = profile_m2ll(x0, nl, k, eps);
        res.sweep_profile.push_back(prof);
        if (prof < best_prof) {
          best_prof = prof;
          best_lab = nl;
          best_sig = ila_sigma(x0, z, o.ila_cov, eps);
          const std::vector<int> match = match_blocks(nl, z, k);
          std::vector<arma::mat> mapped(static_cast<size_t>(k));
          for (int j = 0; j < k; ++j) mapped[static_cast<size_t>(j)] = best_sig[static_cast<size_t>(match[static_cast<size_t>(j)])];
          best_sig = mapped;
        }
        if (ila_sweeps_settled(nl, prev, sweep, res, obj)) {
          res.converged = true;
          ++sweep;
          break;
        }
        prev = nl;
        if (o.keep_membership) res.membership = to_std(zs);
      }
      res.iterations = sweep - 1;
      set_labels(best_lab, res);
      partition_summary(x0, best_lab, k, eps, res);
      res.objective = best_prof;
      std::ostringstream msg;
      msg << "iLA-SDP: eps = " << eps << ", " << res.iterations << " sweeps, " << admm_it << " lifted ADMM iterations ("
          << admm_full << " full / " << admm_partial << " partial eigen-decompositions, " << admm_sec << " s)";
      res.messages.push_back(msg.str());
      return res;
    }
  }
  check::fail(fn, "unknown method");
}

}  // namespace hetmod::sdpcluster
