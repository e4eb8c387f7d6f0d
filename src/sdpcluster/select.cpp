// src/sdpcluster/select.cpp -- choice of K (spec 1.2 "Unknown K", 4 "Choice of K").
//
// 1. Mixtures (em_gmm): BIC = -2 loglik + df log n and ICL = BIC + 2 x classification entropy (mclust's BIC is
//    the negative, 2 loglik - df log n). The smallest wins.
// 2. SDP methods (sdp_kmeans, bm_kmeans): W_k = relaxed within sum of squares tr(Xc^T Xc) - <Xc Xc^T, Z_k>.
//    "trace": the Lagrangian form of the adaptive (unknown-K) SDP of Royer (NeurIPS 2017; GFORCE's
//    PECOK_adapt): max <Xc Xc^T, Z> - lambda tr Z over Z >= 0, Z 1 = 1, Z psd, restricted to the integer traces
//    of the grid, i.e. argmin_k W_k + lambda k. lambda must dominate the operator norm of the noise Gram matrix
//    E E^T (rows e_i ~ N(0, S)), whose size is (sqrt(n ||S||_op) + sqrt(tr S))^2 (= sigma2 (sqrt n + sqrt p)^2
//    for S = sigma2 I; PECOK's n + sqrt(n p) term plus tr S because the diagonal Gamma-hat correction is not
//    subtracted from Xc Xc^T here). S is the pooled within-cluster covariance (divisor n - k) of the rounded
//    partition at k, estimated by a fixed point: start at the largest k <= n/2 of the grid, select, re-estimate S at
//    the selected k, until the selection stops moving downwards (W_k/(n - k) grows as k falls, so lambda grows).
//    Option "penalty" > 0 replaces lambda; "penalty_scale" (default 1) multiplies the default.
//    "eigengap": the largest k whose solution Z_k still has k separated eigenvalues, lambda_k - lambda_{k+1}
//    >= "gap_threshold" (default 0.5; a tight SDP gives 1: Z_k is the block membership matrix; beyond the true
//    K the trace spreads). Measured accuracy of both rules: bench/sdp/select_k_study.R, rpkg/man/cluster_select_k.Rd.
// Every k is fitted with the same options and consecutive draws from one Rng.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

namespace {

// Pooled within-cluster covariance (divisor max(n - k, 1)) of labels on the rows of xs.
arma::mat pooled_within(const arma::mat& xs, const std::vector<int>& labels, int k) {
  arma::mat s(xs.n_cols, xs.n_cols, arma::fill::zeros);
  for (int j = 0; j < k; ++j) {
    std::vector<arma::uword> idx;
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == j) idx.push_back(static_cast<arma::uword>(i));
    if (idx.empty()) continue;
    const arma::mat xj = xs.rows(arma::uvec(idx));
    const arma::mat xcj = xj.each_row() - arma::mean(xj, 0);
    s += xcj.t() * xcj;
  }
  return s / std::max(static_cast<double>(xs.n_rows) - k, 1.0);
}

// Noise level of the adaptive SDP: (sqrt(n ||S||_op) + sqrt(tr S))^2.
double noise_penalty(const arma::mat& s, double n) {
  const arma::vec ev = arma::eig_sym(0.5 * (s + s.t()));
  const double op = std::max(ev.max(), 0.0), tr = std::max(arma::accu(arma::clamp(ev, 0.0, arma::datum::inf)), 0.0);
  const double r = std::sqrt(n * op) + std::sqrt(tr);
  return r * r;
}

size_t argmin_penalised(const std::vector<SelectKRow>& rows, double lambda) {
  size_t best = rows.size();
  double bv = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < rows.size(); ++i) {
    const double v = rows[i].objective + lambda * rows[i].k;
    if (std::isfinite(v) && v < bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}

}  // namespace

SelectKResult select_k(data::MatView x, const std::vector<int>& ks, Method method, const std::string& criterion,
                       const Options& options, Rng& rng) {
  const char* fn = "cluster_select_k";
  check::require(x.nrow >= 1 && x.ncol >= 1, fn, "x must have at least one row and one column");
  check::finite(fn, "x", x.data, x.nrow * x.ncol);
  check::require(!ks.empty(), fn, "ks must contain at least one k");
  for (int k : ks)
    check::require(k >= 1 && k <= x.nrow, fn,
                   "k = " + std::to_string(k) + " is outside [1, n = " + std::to_string(x.nrow) + "]");
  const bool mixture = method == Method::em_gmm;
  const bool sdp = method == Method::sdp_kmeans || method == Method::bm_kmeans;
  if (criterion == "bic" || criterion == "icl") {
    check::require(mixture, fn, "criterion '" + criterion + "' needs method em_gmm (a mixture likelihood)");
  } else if (criterion == "trace" || criterion == "eigengap") {
    check::require(sdp, fn, "criterion '" + criterion + "' needs an SDP method (sdp_kmeans or bm_kmeans)");
    check::require(!(criterion == "eigengap" && method == Method::bm_kmeans), fn,
                   "criterion 'eigengap' needs the exact SDP (sdp_kmeans): the low-rank factorisation settles on "
                   "near-integral solutions for every k, so its eigen-gap does not discriminate");
  } else {
    check::fail(fn, "criterion is '" + criterion + "', but must be 'bic', 'icl', 'trace' or 'eigengap'");
  }
  Options fo = options;
  const double penalty = options.get_double("penalty", 0);
  const double penalty_scale = options.get_double("penalty_scale", 1);
  const double gap_threshold = options.get_double("gap_threshold", 0.5);
  check::nonnegative(fn, "penalty", penalty);
  check::require(std::isfinite(penalty), fn, "option penalty must be finite");
  check::require(std::isfinite(penalty_scale) && penalty_scale > 0, fn, "option penalty_scale must be a positive number");
  check::require(std::isfinite(gap_threshold) && gap_threshold > 0 && gap_threshold < 1, fn,
                 "option gap_threshold must lie strictly between 0 and 1");
  for (const char* key : {"penalty", "penalty_scale", "gap_threshold"}) {
    if (options.has(key))
      check::require(criterion == (std::string(key) == "gap_threshold" ? "eigengap" : "trace"), fn,
                     std::string("option ") + key + " applies only to criterion '" +
                         (std::string(key) == "gap_threshold" ? "eigengap" : "trace") + "'");
    fo.erase(key);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(x.nrow);
  SelectKResult out;
  out.method = method;
  out.criterion = criterion;
  out.penalty = nan;
  std::vector<int> sorted = ks;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::vector<int>> labels;  // trace: partitions, for the noise level
  for (int k : sorted) {
    ClusterResult r = fit(x, k, method, fo, rng);
    SelectKRow row;
    row.k = k;
    row.loglik = mixture ? r.loglik : nan;
    row.bic = mixture ? r.bic : nan;
    row.icl = mixture ? r.icl : nan;
    row.df = r.df;
    row.objective = r.objective;
    row.converged = r.converged;
    row.eigengap = nan;
    if (sdp) {
      const auto& ev = r.sdp_eigenvalues;
      const auto kk = static_cast<size_t>(k);
      if (ev.size() >= kk) row.eigengap = ev[kk - 1] - (ev.size() > kk ? std::max(ev[kk], 0.0) : 0.0);
    }
    if (criterion == "bic") {
      row.criterion = row.bic;
    } else if (criterion == "icl") {
      row.criterion = row.icl;
    } else if (criterion == "trace") {
      row.criterion = r.objective;  // W_k; the penalty is added below once the noise level is known
      labels.push_back(std::move(r.labels));
    } else {
      row.criterion = -row.eigengap;
    }
    for (const auto& msg : r.messages) out.messages.push_back("k = " + std::to_string(k) + ": " + msg);
    if (criterion == "eigengap" && r.certificate.solver == "burer-monteiro")
      out.messages.push_back("k = " + std::to_string(k) + ": eigen-gap from the low-rank path is unreliable");
    out.rows.push_back(row);
  }
  if (criterion == "trace") {
    double lambda = penalty;
    if (penalty <= 0) {  // fixed point of (noise level at the selected k) -> selection, from the largest k down
      arma::mat xs = detail::to_arma(x);
      xs.each_row() -= arma::mean(xs, 0);
      if (options.get_bool("scale", false)) {
        const arma::rowvec sd = arma::stddev(xs, 0, 0);
        for (arma::uword j = 0; j < xs.n_cols; ++j)
          if (sd(j) > 0) xs.col(j) /= sd(j);
      }
      size_t at = 0;  // start: the largest k <= n / 2 of the grid (S keeps at least n / 2 degrees of freedom)
      for (size_t i = 0; i < out.rows.size(); ++i)
        if (2 * static_cast<int64_t>(out.rows[i].k) <= x.nrow) at = i;
      for (size_t it = 0; it <= out.rows.size(); ++it) {
        lambda = penalty_scale * noise_penalty(pooled_within(xs, labels[at], out.rows[at].k), n);
        const size_t sel = argmin_penalised(out.rows, lambda);
        if (sel >= at || sel >= out.rows.size()) break;
        at = sel;
      }
      out.messages.push_back("trace penalty lambda = (sqrt(n ||S||) + sqrt(tr S))^2 = " + std::to_string(lambda) +
                             " (S: pooled within covariance at k = " + std::to_string(out.rows[at].k) + ")");
    }
    out.penalty = lambda;
    for (auto& row : out.rows) row.criterion += lambda * row.k;
  }
  if (criterion == "eigengap") {
    out.best_k = out.rows.front().k;
    for (const auto& row : out.rows)
      if (row.eigengap >= gap_threshold) out.best_k = std::max(out.best_k, row.k);
  } else {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& row : out.rows) {
      if (std::isfinite(row.criterion) && row.criterion < best) {
        best = row.criterion;
        out.best_k = row.k;
      }
    }
    check::require(out.best_k > 0, fn, "no k gave a finite criterion", Status::numerical);
  }
  return out;
}

}  // namespace hetmod::sdpcluster
