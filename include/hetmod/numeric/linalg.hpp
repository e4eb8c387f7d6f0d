// hetmod/numeric/linalg.hpp -- small dense linear-algebra helpers shared by every family.
//
// Matrices are n*n, column-major std::vector<double> (element (i, j) at a[i + j * n]); inputs are
// read-only and outputs are new vectors owned by the caller. Only the symmetric part (A + A^T) / 2 of
// an input is used. Armadillo stays out of this header; numeric/arma_linalg.hpp has the same helpers
// on arma::mat for code that already works with Armadillo.
//
// Errors: a size mismatch throws Error(invalid_argument); a non-finite entry or a matrix that is not
// positive definite throws Error(numerical) with a message such as
//   "spd_inverse: matrix is not positive definite (smallest eigenvalue -0.5)".
// `fn` names the caller in messages (e.g. "surv_fit").
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace hetmod::numeric {

/// Inverse of a symmetric positive-definite n*n matrix (via Cholesky). Result is exactly symmetric.
std::vector<double> spd_inverse(const std::vector<double>& a, std::size_t n, const char* fn = "spd_inverse");

/// log det(A) of a symmetric positive-definite n*n matrix (2 * sum log diag of the Cholesky factor).
double spd_logdet(const std::vector<double>& a, std::size_t n, const char* fn = "spd_logdet");

/// Solves A x = b for symmetric positive-definite A (n*n) and b of length n*k (k right-hand sides,
/// column-major). Returns x with the shape of b.
std::vector<double> spd_solve(const std::vector<double>& a, std::size_t n, const std::vector<double>& b,
                              const char* fn = "spd_solve");

/// Lower Cholesky factor L (n*n, zero above the diagonal) with A = L L^T.
std::vector<double> cholesky_lower(const std::vector<double>& a, std::size_t n, const char* fn = "cholesky_lower");

/// Moore-Penrose inverse of a symmetric n*n matrix from its eigen-decomposition. Eigenvalues with
/// |lambda| <= rel_tol * max|lambda| are treated as zero; rank counts the others.
struct GeneralizedInverse {
  std::vector<double> inverse;  ///< n*n column-major, symmetric
  std::size_t rank = 0;         ///< numerical rank (0..n)
};
GeneralizedInverse generalized_inverse(const std::vector<double>& a, std::size_t n, double rel_tol = 1e-10,
                                       const char* fn = "generalized_inverse");

/// Covariance of an estimator from the Hessian of a NEGATIVE log-likelihood at the optimum:
/// vcov = H^{-1} when H is positive definite. Singularity is a result, not an error: when H is not
/// positive definite (some eigenvalue is negative or |lambda| <= rel_tol * max|lambda|), ok is false, vcov is
/// empty and reason says why (e.g. "the Hessian is singular (rank 2 of 3): the covariance matrix is
/// not available"). Throws only for a size mismatch (invalid_argument) or non-finite entries (numerical).
struct HessianCovariance {
  bool ok = false;
  std::vector<double> vcov;      ///< n*n column-major when ok, else empty
  std::size_t rank = 0;          ///< number of eigenvalues with |lambda| > rel_tol * max|lambda|
  double min_eigenvalue = 0.0;   ///< smallest eigenvalue of the (symmetrised) Hessian
  double max_eigenvalue = 0.0;   ///< largest eigenvalue
  std::string reason;            ///< empty when ok
};
HessianCovariance covariance_from_hessian(const std::vector<double>& hessian, std::size_t n, double rel_tol = 1e-10,
                                          const char* fn = "covariance_from_hessian");

/// Eigenvalues of a symmetric n*n matrix, ascending.
std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, std::size_t n,
                                          const char* fn = "symmetric_eigenvalues");

}  // namespace hetmod::numeric
