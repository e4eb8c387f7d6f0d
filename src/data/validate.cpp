// Boundary validation of views (data/validate.hpp).
//
// The rank check orthogonalises the columns in order (classical Gram-Schmidt with one
// re-orthogonalisation, "CGS2", which is as accurate as Householder QR for this purpose): column j is
// (nearly) dependent on columns 0..j-1 when the norm of its residual is <= tol * ||x_j||. This names
// the FIRST offending column, which a pivoted QR would not.
#include "hetmod/data/validate.hpp"

#include <armadillo>
#include <cmath>
#include <string>

#include "hetmod/core/check.hpp"

namespace hetmod::data {
namespace {

std::string plural(int64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

void check_finite(const char* fn, const char* arg, const VecView& v) {
  check::require(v.n >= 0, fn, std::string(arg) + " has length " + std::to_string(v.n) + ", but must have length >= 0");
  check::finite(fn, arg, v.data, v.n);
}

void check_finite(const char* fn, const char* arg, const MatView& m) {
  check::require(m.nrow >= 0 && m.ncol >= 0, fn,
                 std::string(arg) + " has dimensions " + std::to_string(m.nrow) + " x " + std::to_string(m.ncol) +
                     ", but dimensions must be >= 0");
  check::not_null(fn, arg, m.data, m.nrow * m.ncol);
  for (int64_t j = 0; j < m.ncol; ++j) {
    const double* col = m.col(j);
    for (int64_t i = 0; i < m.nrow; ++i)
      if (!std::isfinite(col[i]))
        check::fail(fn, std::string(arg) + "[" + std::to_string(i) + ", " + std::to_string(j) + "] is " +
                            check::fmt(col[i]) + ", but must be finite");
  }
}

void check_shape(const char* fn, const char* arg, const MatView& m, int64_t nrow, int64_t ncol) {
  if (m.nrow != nrow)
    check::fail(fn, std::string(arg) + " has " + plural(m.nrow, "row") + ", but must have " + std::to_string(nrow));
  if (ncol >= 0 && m.ncol != ncol)
    check::fail(fn, std::string(arg) + " has " + plural(m.ncol, "column") + ", but must have " + std::to_string(ncol));
  if (m.ncol < 0)
    check::fail(fn, std::string(arg) + " has " + std::to_string(m.ncol) + " columns, but must have >= 0");
  check::not_null(fn, arg, m.data, m.nrow * m.ncol);
}

void check_codes(const char* fn, const char* arg, const IntVecView& v, std::initializer_list<int32_t> allowed) {
  check::not_null(fn, arg, v.data, v.n);
  for (int64_t i = 0; i < v.n; ++i) {
    bool ok = false;
    for (int32_t a : allowed) ok = ok || v.data[i] == a;
    if (!ok) {
      std::string set;
      for (int32_t a : allowed) set += (set.empty() ? "" : ", ") + std::to_string(a);
      check::fail(fn, std::string(arg) + "[" + std::to_string(i) + "] is " + std::to_string(v.data[i]) +
                          ", but must be one of {" + set + "}");
    }
  }
}

void check_full_column_rank(const char* fn, const char* arg, const MatView& m, double tol) {
  check::positive(fn, "tol", tol);
  check_finite(fn, arg, m);
  if (m.nrow < m.ncol)
    check::fail(fn, std::string(arg) + " has " + plural(m.nrow, "row") + " and " + plural(m.ncol, "column") +
                        ", but needs at least as many rows as columns (n >= p) to have full column rank",
                Status::numerical);
  if (m.ncol == 0) return;
  const auto n = static_cast<arma::uword>(m.nrow);
  const auto p = static_cast<arma::uword>(m.ncol);
  arma::mat q(n, p);  // orthonormal basis of the accepted columns 0..j-1
  for (arma::uword j = 0; j < p; ++j) {
    // Scale by the largest entry first so that huge/tiny columns neither overflow nor underflow.
    arma::vec v(m.col(static_cast<int64_t>(j)), n);
    const double scale = arma::abs(v).max();
    if (scale == 0.0)
      check::fail(fn, "column " + std::to_string(j) + " of " + arg + " is all zero, so " + arg +
                          " does not have full column rank",
                  Status::numerical);
    v /= scale;
    const double norm0 = arma::norm(v);
    if (j > 0) {
      const auto qj = q.cols(0, j - 1);
      for (int pass = 0; pass < 2; ++pass) v -= qj * (qj.t() * v);
    }
    const double r = arma::norm(v);
    if (!(r > tol * norm0)) {
      const std::string earlier = j == 1 ? "column 0" : "columns 0.." + std::to_string(j - 1);
      check::fail(fn, "column " + std::to_string(j) + " of " + arg + " is (nearly) a linear combination of " +
                          earlier + ", so " + arg + " does not have full column rank",
                  Status::numerical);
    }
    q.col(j) = v / r;
  }
}

}  // namespace hetmod::data
