// hetmod/sdpcluster/model.hpp -- SDP clustering family: public C++ facade (spec/sdp_clustering.md).
//
// Methods: K-means (Lloyd + k-means++), EM for Gaussian mixtures (4 covariance families), the exact
// Peng-Wei K-means SDP (ADMM, spec 1.2), LA-SDP with known covariances (spec 1.3), iLA-SDP with
// estimated covariances (spec 1.4), and the Burer-Monteiro low-rank K-means SDP (spec 2.2, NLR).
// Data: x is n x p, column-major, rows = observations. Labels are 0-based. Randomness only from the
// Rng argument. Armadillo stays out of this header.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"
#include "hetmod/data/view.hpp"

namespace hetmod {
class Rng;
}

namespace hetmod::sdpcluster {

/// Clustering methods (values are part of the C ABI).
enum class Method : int {
  kmeans = 0,      ///< Lloyd with k-means++ seeding, n_init starts
  em_gmm = 1,      ///< EM for a Gaussian mixture (covariance family by option "cov_type")
  sdp_kmeans = 2,  ///< Peng-Wei SDP: exact ADMM when n <= exact_max, else Burer-Monteiro (message)
  la_sdp = 3,      ///< LA-SDP with known covariances (option "sigma")
  ila_sdp = 4,     ///< iLA-SDP: covariances estimated, alternating with LA-SDP
  bm_kmeans = 5    ///< Burer-Monteiro low-rank Peng-Wei SDP (never forms an n x n matrix)
};
const char* method_name(Method m);
/// "kmeans", "em_gmm", "sdp_kmeans", "la_sdp", "ila_sdp", "bm_kmeans"; else Error(invalid_argument).
Method method_from_name(const std::string& name);

/// Covariance families of the EM baseline (and of iLA-SDP's covariance step).
enum class CovType : int { spherical = 0, diagonal = 1, tied = 2, full = 3 };
const char* cov_type_name(CovType c);
CovType cov_type_from_name(const std::string& name);  ///< "spherical", "diagonal", "tied", "full"

/// Optimality report of an SDP solve. Residuals are relative: primal ||Z - Y||_F / (1 + ||Z||_F),
/// dual rho ||Y - Y_prev||_F / (1 + ||C||_F), gap |p - d| / (1 + |p| + |d|), where d is a valid
/// Lagrangian lower bound computed from the dual iterate (so gap is a true optimality certificate on
/// the scaled problem). Objectives are on the ORIGINAL scale of C (minimisation form).
struct Certificate {
  std::string solver;            ///< "admm", "admm-lifted", "burer-monteiro", "" (no SDP)
  int iterations = 0;
  double primal_residual = 0, dual_residual = 0, gap = 0;
  double primal_objective = 0, dual_objective = 0;
  double seconds = 0;
  bool converged = false;
  std::string reason;            ///< "tolerance reached", "iteration limit", "time limit"
  double rho = 0;                ///< final penalty
  int final_rank = 0;            ///< rank of the last PSD projection
  int full_eigs = 0, partial_eigs = 0;  ///< eigen-decompositions used (full / partial: PSD projections done by the partial eigensolver)
  int escapes = 0;               ///< low-rank path: second-order escapes (columns added along a descent direction)
  double dual_min_eig = 0;       ///< low-rank path: min eigenvalue of the dual slack S (relative; < 0: dual infeasible by that much)
};

/// Result of a clustering fit.
struct ClusterResult {
  Method method = Method::kmeans;
  int64_t n = 0, p = 0;
  int k = 0;
  std::vector<int> labels;                ///< n, 0-based cluster labels
  std::vector<double> means;              ///< k x p column-major (cluster means of the final labels, or EM means)
  std::vector<double> covariances;        ///< k blocks of p x p column-major (EM / iLA-SDP / LA-SDP), else MLE of labels
  std::vector<double> weights;            ///< k mixing proportions
  double loglik = 0;                      ///< Gaussian mixture log-likelihood (EM); NaN where undefined
  double bic = 0, icl = 0;                ///< EM: -2 loglik + df log n; ICL adds the classification entropy. NaN otherwise
  int df = 0;                             ///< free parameters of the mixture (EM), 0 otherwise
  double objective = 0;                   ///< method objective: inertia (kmeans), -loglik (EM), SDP objective, profile -2l (iLA)
  Certificate certificate;                ///< SDP solve report (last solve for iLA-SDP)
  std::vector<double> sweep_objective;    ///< iLA-SDP: lifted objective after each sweep
  std::vector<double> sweep_profile;      ///< iLA-SDP: regularised profile -2 loglik of each sweep's partition
  std::vector<double> membership;         ///< n x n membership matrix Z (sum_k Z_k) when option keep_membership = 1
  int iterations = 0;                     ///< Lloyd / EM iterations or iLA-SDP sweeps
  bool converged = false;
  std::vector<std::string> messages;      ///< notes, e.g. routing to Burer-Monteiro above exact_max
  std::vector<double> sdp_eigenvalues;    ///< SDP methods: leading eigenvalues of Z (decreasing, up to 2k + 1)
  int64_t sketch_size = 0;                ///< Sketch-and-Lift: subsample size m (0: no sketch)
  std::vector<int64_t> sketch_index;      ///< Sketch-and-Lift: 0-based rows of the subsample (sorted)
};

/// Fits a clustering with k clusters. Options (all optional, unknown keys rejected):
///  common: "n_init" (10, k-means / rounding starts), "max_iter" (300 Lloyd/EM; ADMM: "sdp_max_iter" 20000),
///    "tol" (1e-6, ADMM relative KKT), "time_limit" (600 s per SDP solve), "scale" (0: SDP methods centre the
///    columns only; 1: also scale them to unit variance), "keep_membership" (0).
///  EM: "cov_type" ("full"), "ridge" (1e-6 x mean column variance, added to every covariance, = a
///    penalty -ridge/2 tr(Sigma_k^-1) per point), "em_n_init" (1), "em_tol" (1e-10 relative).
///  SDP: "exact_max" (1500): above it sdp_kmeans uses Burer-Monteiro (message) unless "large_n" = "refuse";
///    "rho" (0 = automatic), "lowrank_eig" (1: partial eigendecompositions once the rank settles, with full fallback),
///    "bm_rank" (2k).
///  Scalable path: "solver" ("auto": exact ADMM up to exact_max, low-rank above; "admm": exact, above
///    exact_max routed with a message or refused by large_n; "bm": low-rank Burer-Monteiro for sdp_kmeans,
///    la_sdp and ila_sdp); "sketch" (0 = off; m >= 1: Sketch-and-Lift on a random subsample of m rows, a
///    value in (0, 1) is a fraction of n; the rest assigned to the nearest centre, or by Gaussian likelihood
///    for em_gmm / la_sdp / ila_sdp).
///  LA-SDP: "sigma" (k*p*p numbers: k covariance matrices, column-major, required), "eps" (0).
///  iLA-SDP: "eps" (1e-3 tr(S_pooled)/p), "sweeps" (20), "ila_init" ("sdp" or "kmeans"),
///    "ila_cov" ("full", "diagonal", "spherical", "tied").
///    Above exact_max with solver "auto" and no sketch, iLA-SDP runs as Sketch-and-Lift: the low-rank iLA-SDP on
///    m = min("ila_sketch" (1000), exact_max) random rows, Gaussian-likelihood lift, then "lift_sweeps" (30)
///    likelihood-refinement sweeps (classification EM of the regularised profile -2l) on all rows; the same
///    refinement from a k-means partition is a safeguard and the smaller profile wins (message).
///    The refinement also follows a user sketch for iLA-SDP ("lift_sweeps" = 0: plain lift).
/// Errors (hetmod::Error): k < 1 or k > n, non-finite values, all points identical, p > n with
/// cov_type full and ridge 0, wrong sigma length or non-PD sigma, bad option values.
ClusterResult fit(data::MatView x, int k, Method method, const Options& options, Rng& rng);

/// Assigns new rows to clusters: Gaussian MAP for EM / LA-SDP / iLA-SDP (means, covariances, weights),
/// nearest mean otherwise. newx must have p columns.
std::vector<int> predict(const ClusterResult& fit, data::MatView newx);

// ---- choice of K (select.cpp) ---------------------------------------------------------------------
/// One row of a choice-of-K table (NaN where a column does not apply to the method).
struct SelectKRow {
  int k = 0;
  double criterion = 0;    ///< the selection criterion (smaller is better)
  double loglik = 0, bic = 0, icl = 0;  ///< em_gmm: -2 loglik + df log n (= minus mclust's BIC); ICL adds 2 x entropy
  int df = 0;
  double objective = 0;    ///< fit objective (SDP: relaxed within sum of squares)
  double eigengap = 0;     ///< SDP: lambda_k - lambda_{k+1} of Z-hat
  bool converged = false;
};
struct SelectKResult {
  Method method = Method::em_gmm;
  std::string criterion;
  std::vector<SelectKRow> rows;
  int best_k = 0;
  double penalty = 0;      ///< "trace": the lambda used (NaN for the other criteria)
  std::vector<std::string> messages;
};
/// Fits method for every k in ks and selects k. criterion "bic" / "icl" (em_gmm: minimum), "trace" (SDP methods:
/// minimum of W_k + lambda k, W_k the relaxed SDP within sum of squares; lambda = option "penalty", or by default
/// "penalty_scale" (1) x (sqrt(n ||S||_op) + sqrt(tr S))^2, the noise level of the adaptive SDP (Royer 2017), S the
/// pooled within-cluster covariance at the selected k, found by a fixed point from the largest k <= n/2 down),
/// "eigengap" (SDP methods: the largest k whose Z-hat has lambda_k - lambda_{k+1} >= option "gap_threshold"
/// (0.5), a tight SDP giving 1). Other options go to fit() (same seed stream). Errors: empty ks, k outside
/// [1, n], non-finite x, criterion not matching the method, bad penalty / penalty_scale / gap_threshold.
SelectKResult select_k(data::MatView x, const std::vector<int>& ks, Method method, const std::string& criterion,
                       const Options& options, Rng& rng);

// ---- metrics (metrics.cpp) ------------------------------------------------------------------------
/// Min-cost assignment for an nrow x ncol cost matrix (column-major): result[i] = column of row i,
/// -1 if unassigned (nrow > ncol). Hungarian algorithm, O(max(nrow,ncol)^3).
std::vector<int> hungarian(const std::vector<double>& cost, int nrow, int ncol);
/// Fraction of points mis-clustered, minimised over matchings of predicted to true labels.
double misclustering_rate(const std::vector<int>& truth, const std::vector<int>& pred);
/// Adjusted Rand index (Hubert & Arabie 1985).
double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b);
/// Normalised mutual information, arithmetic-mean normalisation (sklearn default): I / ((H(a)+H(b))/2);
/// 1 when both labelings are a single cluster.
double normalized_mutual_info(const std::vector<int>& a, const std::vector<int>& b);

// ---- simulation designs (simulate.cpp) --------------------------------------------------------------
/// A simulated data set: x is n x p column-major, labels 0-based.
struct SimData {
  int64_t n = 0, p = 0;
  int k = 0;
  std::vector<double> x;
  std::vector<int> labels;
  data::MatView view() const { return data::MatView(x.data(), n, p); }
};
/// Sharp threshold of Chen & Yang: Delta_bar^2 = 4 sigma^2 (1 + sqrt(1 + k p / (n log n))) log n.
double threshold_delta2(int64_t n, int64_t p, int k, double sigma = 1.0);
/// Isotropic design: k balanced clusters N(mu_j, sigma^2 I), mu_j = e_j delta / sqrt(2) with
/// delta^2 = ratio * Delta_bar^2 (p >= k).
SimData simulate_isotropic(int64_t n, int64_t p, int k, double ratio, Rng& rng, double sigma = 1.0);
/// Heterogeneous designs of spec 5.1: "D1".."D5" (n points, balanced), plus "hetero" (k = 3, p = 2:
/// far cluster with large covariance, two near clusters with distinct elongated covariances).
SimData simulate_design(const std::string& design, int64_t n, Rng& rng);
/// True covariances (k blocks p x p) of a named design.
std::vector<double> design_covariances(const std::string& design);

// The simulation study "sdp_kmeans" is registered by the sim layer (src/sim/studies_sdp.cpp).

}  // namespace hetmod::sdpcluster
