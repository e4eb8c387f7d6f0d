// src/sdpcluster/internal.hpp -- Armadillo-level kernels shared by the sdpcluster sources (not public).
//
// Conventions: X is n x p (rows = observations); labels are 0-based arma::uvec; a membership matrix
// is n x n. Every kernel takes its randomness from an hetmod::Rng.
#pragma once
#include <armadillo>
#include <string>
#include <vector>

#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"

namespace hetmod::sdpcluster::detail {

// ---- metrics.cpp -----------------------------------------------------------------------------
/// Min-cost assignment of an r x c cost matrix (r <= c allowed either way): assignment[i] = column
/// of row i, or -1 when r > c and row i is unassigned.
std::vector<int> hungarian_min(const arma::mat& cost);

// ---- fit.cpp: baselines ----------------------------------------------------------------------
struct KmeansOut {
  arma::uvec labels;
  arma::mat centers;  // k x p
  double inertia = 0;
  int iterations = 0;
  bool converged = false;
};
/// Lloyd's algorithm with k-means++ seeding; best of n_init runs by inertia.
KmeansOut kmeans(const arma::mat& x, int k, int n_init, int max_iter, Rng& rng);
/// One Lloyd run from given centres.
KmeansOut lloyd(const arma::mat& x, arma::mat centers, int max_iter);
/// k-means++ seeding (D^2 sampling with 2 + log k local trials, as in sklearn).
arma::mat kmeanspp_seed(const arma::mat& x, int k, Rng& rng);

struct GmmOut {
  arma::mat means;              // k x p
  std::vector<arma::mat> covs;  // k of p x p (tied: all equal)
  arma::vec weights;            // k
  arma::mat resp;               // n x k responsibilities
  arma::uvec labels;
  double loglik = 0, penalized = 0;
  std::vector<double> trace;    // penalized objective per iteration
  std::vector<double> loglik_trace;
  int iterations = 0;
  bool converged = false;
  int df = 0;
};
/// EM for a Gaussian mixture; init_labels (if non-empty) gives the first start.
GmmOut em_gmm(const arma::mat& x, int k, CovType cov, double ridge, int n_init, int max_iter, double tol,
              Rng& rng, const arma::uvec& init_labels);
/// Log densities n x k of the components (log N(x_i | mu_k, Sigma_k)).
arma::mat component_logdens(const arma::mat& x, const arma::mat& means, const std::vector<arma::mat>& covs,
                            const char* fn);
/// Row-wise log-sum-exp.
arma::vec logsumexp_rows(const arma::mat& a);

// ---- admm.cpp: exact SDP solver ----------------------------------------------------------------
struct AdmmOptions {
  double tol = 1e-6;
  int max_iter = 20000;
  double time_limit = 600;
  double rho = 0;          // 0: automatic
  bool balance = true;
  bool lowrank = true;     // partial eigen-decomposition once the rank settles
  bool ritz = true;        // with lowrank: block Rayleigh-Ritz on a warm basis first
  bool top_eig = true;     // with lowrank: exact top eigenpairs by LAPACK dsyevr (else the full decomposition)
  double relax = 1.6;      // over-relaxation alpha in (0, 2) of the ADMM (1: plain ADMM)
};
/// Projection onto {Z psd, Z 1 = 1, tr Z = k} (Frobenius), of symmetric V.
arma::mat project_psd_affine(const arma::mat& v, double k, int* rank = nullptr);
/// Closed-form projection onto {sum_k X_k 1 = 1, tr X_k = t_k} for symmetric V_k (spec 2.2).
std::vector<arma::mat> project_affine_lifted(const std::vector<arma::mat>& v, const arma::vec& t);
/// Euclidean projection of the eigenvalues onto {l >= 0, sum l = t} (returns the shift theta).
double simplex_shift(const arma::vec& lambda_desc, double t);
/// Partial projection of symmetric m onto {psd, tr = t} (on 1^perp when ones_perp; m must then have
/// 1 in its null space): block Rayleigh-Ritz from the warm basis (n x mb, mb >= 4, updated to the top
/// mb Ritz vectors). On success the projection is qp diag(lp) qp^T; false when the kept pairs (and two
/// dropped ones) cannot be certified to residual tol_rel x (spectral scale) within max_steps
/// expansions (then use the full decomposition).
bool partial_psd_trace(const arma::mat& m, double t, bool ones_perp, arma::mat& basis, arma::mat& qp, arma::vec& lp,
                       int max_steps = 4, double tol_rel = 1e-10);

/// Peng-Wei: min <C, Z>, Z psd, Z >= 0, Z 1 = 1, tr Z = k. Z holds a warm start on entry (or is empty)
/// and the solution on exit (the nonnegative, Z1=1 iterate).
Certificate admm_peng_wei(const arma::mat& c, int k, const AdmmOptions& opt, arma::mat& z, arma::mat* dual = nullptr);
/// Lifted LA-SDP: min sum <C_k, Z_k>, Z_k psd, Z_k >= 0, tr Z_k = t_k, sum_k Z_k 1 = 1.
Certificate admm_lifted(const std::vector<arma::mat>& c, const arma::vec& t, const AdmmOptions& opt,
                        std::vector<arma::mat>& z, std::vector<arma::mat>* dual = nullptr);

/// Spectral rounding: top-k eigenvectors of Z, k-means++ on the rows (n_init starts).
arma::uvec spectral_round(const arma::mat& z, int k, Rng& rng, int n_init = 10);
/// Rounding from a factor U (n x r): top-k left singular vectors of U, then k-means.
arma::uvec factor_round(const arma::mat& u, int k, Rng& rng, int n_init = 10);

// ---- lowrank.cpp: Burer-Monteiro ---------------------------------------------------------------
struct BmOptions {
  int rank = 0;  // 0: 2k (Peng-Wei); lifted: rank per block, 0 = 2
  double tol = 1e-6;       // primal residual ||sum_b U_b U_b^T 1 - 1|| / sqrt(n)
  double tol_kkt = 0;      // relative KKT residual; 0: max(10 tol, 1e-4)
  int max_iter = 20000;    // total projected-gradient steps
  int max_inner = 2000;    // steps per augmented-Lagrangian subproblem
  double time_limit = 600;
  double beta = 10;        // initial penalty (on the nu-scaled problem)
  int max_escape = 0;      // second-order escapes from spurious stationary points (0: off; see lowrank.cpp 5)
  bool certify = true;     // dual lower bound (min eigenvalue of the dual slack) at the end
};
/// One block of the low-rank solver: C = 1/2 (d 1^T + 1 d^T) + c J - W W^T (d may be empty), tr Z = t.
struct BmBlock {
  arma::mat w;
  arma::vec d;
  double c = 0;
  double t = 1;
};
/// min sum_b <C_b, U_b U_b^T> s.t. U_b >= 0, ||U_b||_F^2 = t_b, sum_b U_b U_b^T 1 = 1 (augmented
/// Lagrangian, SPG inner solver). u holds the start on entry (n x r_b each) and the solution on exit;
/// y_io (optional) the multiplier warm start / final multiplier. Never forms an n x n matrix.
Certificate bm_solve(const std::vector<BmBlock>& blocks, const BmOptions& opt, std::vector<arma::mat>& u,
                     arma::vec* y_io = nullptr);
/// Start factor: cluster indicators / sqrt(n_c) plus small noise (cluster < 0: column c = cluster c).
arma::mat bm_start(const arma::uvec& lab, int k, arma::uword r, int cluster, Rng& rng);
/// min <-X X^T, U U^T> s.t. U >= 0, ||U||_F^2 = k, U U^T 1 = 1.
Certificate bm_kmeans(const arma::mat& x, int k, const BmOptions& opt, Rng& rng, arma::mat& u);
/// LA-SDP block of covariance sigma with ridge eps inside the objective (spec 1.3-1.4).
BmBlock la_block(const arma::mat& x, const arma::mat& sigma, double eps);

// ---- scalable.cpp: low-rank LA-SDP / iLA-SDP drivers, Sketch-and-Lift, choice of K -------------------
/// LA-SDP on the low-rank path; fills labels, means, covariances (matched), weights, certificate.
void la_sdp_lowrank(const arma::mat& x, int k, const std::vector<arma::mat>& sigma, double eps,
                    const BmOptions& bo, int n_init, Rng& rng, ClusterResult& res);
/// Sketch-and-Lift: fit on a random subsample of m rows (options without "sketch"), then assign every row
/// with predict() (nearest centre, or Gaussian MAP for em_gmm / la_sdp / ila_sdp).
ClusterResult sketch_and_lift(const arma::mat& x, int k, Method method, const Options& options, int64_t m, Rng& rng);
/// iLA-SDP on the low-rank path (covariance step from the factors); init_labels from the caller.
void ila_sdp_lowrank(const arma::mat& x, int k, const arma::uvec& init_labels, double eps, CovType cov, int sweeps,
                     const BmOptions& bo, int n_init, Rng& rng, ClusterResult& res);

// ---- loglik.cpp ---------------------------------------------------------------------------------
/// Profile -2 loglik of a hard partition with ridge eps inside the objective:
/// sum_k n_k [p + log det(S_k + eps I)] + n p log(2 pi) (S_k: MLE covariance of cluster k).
double profile_m2ll(const arma::mat& x, const arma::uvec& labels, int k, double eps);
/// Cost matrices of LA-SDP: C_k = D^(k)/2 + (log det Sigma_k + eps tr Omega_k) J.
std::vector<arma::mat> la_costs(const arma::mat& x, const std::vector<arma::mat>& sigma, double eps);

arma::mat to_arma(const data::MatView& v);
std::vector<double> to_std(const arma::mat& m);
/// Means, MLE covariances (+ ridge on the diagonal) and weights of a hard partition (labels 0..k-1).
void partition_summary(const arma::mat& x, const arma::uvec& lab, int k, double ridge, ClusterResult& res);
/// Cluster covariances from within-cluster scatter matrices m[b] and masses mk[b] (hard or soft), by
/// covariance type, plus eps on the diagonal (the iLA-SDP / EM covariance step).
std::vector<arma::mat> covariances_from_scatter(const std::vector<arma::mat>& m, const std::vector<double>& mk,
                                                CovType cov, double eps, arma::uword p);
/// res.labels <- lab (0-based).
void set_labels(const arma::uvec& lab, ClusterResult& res);
/// Stopping rule of the iLA-SDP sweeps: the labels did not change (after the first sweep) and the SDP objective
/// moved by at most 1e-4 (1 + |obj|) since the previous sweep (res.sweep_objective ends with obj).
bool ila_sweeps_settled(const arma::uvec& labels, const arma::uvec& prev, int sweep, const ClusterResult& res,
                        double obj);

}  // namespace hetmod::sdpcluster::detail
