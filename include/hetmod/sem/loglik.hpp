// hetmod/sem/loglik.hpp -- internal kernels of the SEM family (not part of the public facade).
//
// RamStructure: the cells of A, S, M each with a free-parameter index or a fixed value.
// Kernel: preallocated workspace; one call evaluates Sigma, mu, the objective and its gradient
// without heap allocation (raw loops: the matrices are small). See src/sem/loglik.cpp for the
// numbered outline of the equations.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "hetmod/sem/model.hpp"

namespace hetmod::sem::detail {

enum Mat : int { mat_a = 0, mat_s = 1, mat_m = 2 };

struct Cell {
  int mat = mat_s;
  int row = 0, col = 0;  ///< for S, row/col as written (symmetric); for M, col = 0
  int par = -1;          ///< free-parameter index or -1
  double value = 0;      ///< fixed value
};

struct RamStructure {
  int p = 0, m = 0, npar = 0;
  bool means = false;
  std::vector<Cell> cells;
};

/// Cells of a model's RAM representation (fixed rows with NaN value are an error).
RamStructure ram_structure(const Model& model);

/// Raw data grouped by missing-data pattern (FIML). Cases with every variable missing must be
/// removed before (make_patterns refuses them).
struct Pattern {
  std::vector<int> obs;       ///< observed variable indices (ascending)
  double n = 0;               ///< number of cases with this pattern
  std::vector<double> mean;   ///< |obs| pattern means
  std::vector<double> cov;    ///< |obs|^2 pattern covariance about the pattern mean (divisor n)
};
struct PatternData {
  int p = 0;
  double ntotal = 0;
  std::vector<Pattern> patterns;
};
/// Groups the rows of x (n x p column-major, NaN = missing) by pattern.
PatternData make_patterns(const double* x, int64_t n, int p);
/// -2 log-likelihood of the pattern data under N(mu, sigma) (p, p*p); +inf if a Sigma_oo is not PD.
double pattern_m2ll(const PatternData& d, const double* mu, const double* sigma);
/// Saturated (H1) moments by EM (mu, sigma in/out: start values if sized, else available-case
/// moments). Stops when the change of -2logL/N is below tol or after maxit iterations; returns the
/// number of iterations (negative if not converged).
int em_saturated(const PatternData& d, std::vector<double>& mu, std::vector<double>& sigma, int maxit = 10000,
                 double tol = 1e-13);

/// Objective selector for Kernel::objective.
enum class Obj : int { ml = 0, gls = 1, uls = 2 };

/// Workspace for one model and one set of sample moments.
class Kernel {
 public:
  Kernel(RamStructure ram, const std::vector<double>& sample_cov, const std::vector<double>& sample_mean);

  /// Fills A, S, M from theta and computes B = (I-A)^{-1}, Sigma, mu. Returns false if I-A is singular.
  bool implied(const double* theta);
  /// F at theta (ML/GLS/ULS), gradient if grad != null. +inf when undefined (Sigma not PD).
  double objective(Obj obj, const double* theta, double* grad);
  /// Per-case ML score-like gradient: gradient of F_ML with S replaced by d d^T (d = x_i - mu) and
  /// mean term switched off; requires implied() and sigma_inv (call objective(ml) first).
  void case_gradient(const double* d, double* grad);
  /// dSigma/dtheta_k (p*p each, column-major, stacked: npar*p*p) and dmu (npar*p) at the last implied().
  void jacobian(std::vector<double>& dsigma, std::vector<double>& dmu);
  /// Expected information per observation (npar*npar) at the last implied() (needs Sigma PD).
  std::vector<double> expected_information();
  /// 1/2 tr(V D_k V D_l) [+ dmu_k^T V dmu_l with a mean structure] for a symmetric p*p weight V
  /// (V = Sigma^-1: the expected information; V = S^-1: GLS) at the last implied(), written to
  /// out (npar*npar). Uses the sparse rank-2 form of each D_k (no dense Jacobian).
  void information(const double* V, double* out);
  /// S^-1 of the sample covariance given to the constructor (p*p; zeros if S is not PD).
  const std::vector<double>& sample_cov_inverse() const { return scov_inv_; }
  /// Sigma^-1 at the last objective(Obj::ml) call (p*p).
  const std::vector<double>& sigma_inverse_matrix() const { return sigma_inv_; }
  /// FIML objective F = (1/N) sum_k n_k [log|Sigma_oo| + tr(Sigma_oo^-1 (S_k + d_k d_k^T))],
  /// d_k = mean_k - mu_o (needs a mean structure); -2 logL = N F + sum_k n_k |o_k| log(2 pi).
  /// Gradient (if grad != null) by the one-pass formula with W = sum_k n_k/N (embedded W_k). +inf if a
  /// Sigma_oo is not PD or I - A is singular. Complete data = one pattern (the ML objective up to a constant).
  double fiml(const PatternData& d, const double* theta, double* grad);
  /// Expected (pattern-wise, lavaan "structured") information per observation of the FIML
  /// likelihood at theta: sum_k n_k/N [1/2 tr(Si D_a Si D_b) + dmu_a^T Si dmu_b] on the o_k blocks.
  std::vector<double> fiml_expected_information(const PatternData& d, const double* theta);

  const RamStructure& ram() const { return ram_; }
  const std::vector<double>& sigma() const { return sigma_; }
  const std::vector<double>& mu() const { return mu_; }
  const std::vector<double>& A() const { return A_; }
  const std::vector<double>& S() const { return S_; }
  const std::vector<double>& B() const { return B_; }
  double det_i_minus_a() const { return det_; }
  double logdet_sample() const { return logdet_s_; }
  bool sample_pd() const { return sample_pd_; }
  std::size_t evaluations() const { return nevals_; }

 private:
  void fill(const double* theta);
  bool invert_i_minus_a();
  bool sigma_inverse();  ///< Cholesky of Sigma -> sigma_inv_, logdet_sigma_; false if not PD
  void gradient_from_w(const double* wmat, const double* dvec, double* grad);

  RamStructure ram_;
  int p_, m_;
  std::vector<double> scov_, smean_, scov_inv_;
  double logdet_s_ = 0;
  bool sample_pd_ = true;
  // workspace
  std::vector<double> fa_, fb_, fc_, fv_, fw_;  ///< FIML workspace (p*p, p)
  std::vector<double> A_, S_, M_, lu_, B_, sigma_, mu_, chol_, sigma_inv_, W_, tmp_, C_, SBt_, BM_, d_, wd_;
  std::vector<int> piv_;
  std::vector<int> a_cols_;   ///< distinct columns of free A cells
  void t_rows();              ///< rows a_cols_ of T = B S Bf^T into T_ (p each) from SBf_
  std::vector<std::vector<int>> bsup_;  ///< per column k of B: rows i < p with B[i,k] structurally nonzero
  std::vector<std::vector<int>> brow_;  ///< per row j of B: columns l with B[j,l] structurally nonzero
  std::vector<std::pair<int, int>> sent_;  ///< structurally nonzero cells (k, l) of S, k <= l
  std::vector<std::pair<int, int>> a_cells_;  ///< structurally nonzero cells (i, j) of A
  std::vector<int> a_slot_;   ///< m: position of a column in a_cols_ (-1)
  std::vector<double> SBf_, T_, zk_, vz_;  ///< S Bf^T (m rows of p), T rows, information workspace
  int nilpotent_k_ = 0;       ///< k with (pattern of A)^k = 0, or 0 if A may be cyclic
  double det_ = 1, logdet_sigma_ = 0;
  std::size_t nevals_ = 0;
};

/// Lower Cholesky in place of an n*n column-major matrix; returns false if not PD. logdet optional.
bool cholesky_inplace(double* a, int n, double* logdet);
/// Inverse of an SPD matrix from its lower Cholesky factor L (n*n) into out (n*n).
void cholesky_inverse(const double* l, int n, double* out);

}  // namespace hetmod::sem::detail
