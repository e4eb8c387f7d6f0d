// hetmod/numeric/arma_linalg.hpp -- the numeric/linalg.hpp helpers on arma::mat.
//
// For family code that already works with Armadillo (include <armadillo> is heavy: keep this header
// out of widely included headers). Semantics, error statuses and messages are those of linalg.hpp:
// only the symmetric part of an input is used; non-square input throws Error(invalid_argument);
// non-finite entries and non-positive-definite matrices throw Error(numerical).
#pragma once
#include <armadillo>

namespace hetmod::numeric {

/// Lower Cholesky factor L with A = L L^T; throws Error(numerical) if A is not positive definite.
arma::mat cholesky_lower(const arma::mat& a, const char* fn = "cholesky_lower");
/// Inverse of a symmetric positive-definite matrix (exactly symmetric result).
arma::mat spd_inverse(const arma::mat& a, const char* fn = "spd_inverse");
/// log det of a symmetric positive-definite matrix.
double spd_logdet(const arma::mat& a, const char* fn = "spd_logdet");
/// Solves A X = B for symmetric positive-definite A.
arma::mat spd_solve(const arma::mat& a, const arma::mat& b, const char* fn = "spd_solve");
/// Moore-Penrose inverse of a symmetric matrix; *rank (if non-null) receives the numerical rank.
arma::mat generalized_inverse(const arma::mat& a, arma::uword* rank = nullptr, double rel_tol = 1e-10,
                              const char* fn = "generalized_inverse");

}  // namespace hetmod::numeric
