// Dense linear-algebra helpers (numeric/linalg.hpp, numeric/arma_linalg.hpp).
//
// 1. Inputs are validated (square, finite) and symmetrised: As = (A + A^T) / 2.
// 2. SPD routines use the Cholesky factor; on failure the message reports the smallest eigenvalue.
// 3. The generalized inverse and the Hessian covariance use the symmetric eigen-decomposition
//    As = Q diag(lambda) Q^T, zeroing |lambda| <= rel_tol * max|lambda|.
#include <algorithm>
#include <cmath>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/arma_linalg.hpp"
#include "hetmod/numeric/linalg.hpp"

namespace hetmod::numeric {
namespace {

/// Validates a square finite matrix and returns its symmetric part.
arma::mat symmetric_part(const arma::mat& a, const char* fn) {
  if (a.n_rows != a.n_cols)
    check::fail(fn, "matrix is " + std::to_string(a.n_rows) + " x " + std::to_string(a.n_cols) +
                        ", but must be square");
  for (arma::uword j = 0; j < a.n_cols; ++j)
    for (arma::uword i = 0; i < a.n_rows; ++i)
      if (!std::isfinite(a(i, j)))
        check::fail(fn, "matrix[" + std::to_string(i) + ", " + std::to_string(j) + "] is " + check::fmt(a(i, j)) +
                            ", but must be finite",
                    Status::numerical);
  return 0.5 * (a + a.t());
}

arma::mat from_vector(const std::vector<double>& a, std::size_t n, const char* fn) {
  if (a.size() != n * n)
    check::fail(fn, "matrix has " + std::to_string(a.size()) + " elements, but must have n * n = " +
                        std::to_string(n * n));
  return arma::mat(a.data(), n, n);  // copies
}

std::vector<double> to_vector(const arma::mat& m) { return std::vector<double>(m.begin(), m.end()); }

[[noreturn]] void not_pd(const arma::mat& as, const char* fn) {
  arma::vec ev;
  std::string detail;
  if (as.n_rows == 0)
    detail = "empty matrix";
  else if (arma::eig_sym(ev, as))
    detail = "smallest eigenvalue " + check::fmt(ev.min());
  else
    detail = "eigen-decomposition failed";
  check::fail(fn, "matrix is not positive definite (" + detail + ")", Status::numerical);
}

arma::mat chol_lower_sym(const arma::mat& as, const char* fn) {
  arma::mat l;
  if (as.n_rows == 0) return l;
  if (!arma::chol(l, as, "lower")) not_pd(as, fn);
  // chol() succeeds on matrices that are PD only up to rounding; require a positive diagonal.
  if (!(l.diag().min() > 0.0)) not_pd(as, fn);
  return l;
}

}  // namespace

// ---- arma API --------------------------------------------------------------------------------------

arma::mat cholesky_lower(const arma::mat& a, const char* fn) { return chol_lower_sym(symmetric_part(a, fn), fn); }

arma::mat spd_inverse(const arma::mat& a, const char* fn) {
  arma::mat l = cholesky_lower(a, fn);
  if (l.n_rows == 0) return l;
  arma::mat linv;
  if (!arma::inv(linv, arma::trimatl(l))) not_pd(symmetric_part(a, fn), fn);
  arma::mat out = linv.t() * linv;
  return 0.5 * (out + out.t());
}

double spd_logdet(const arma::mat& a, const char* fn) {
  arma::mat l = cholesky_lower(a, fn);
  return 2.0 * arma::accu(arma::log(l.diag()));
}

arma::mat spd_solve(const arma::mat& a, const arma::mat& b, const char* fn) {
  arma::mat l = cholesky_lower(a, fn);
  if (b.n_rows != l.n_rows)
    check::fail(fn, "right-hand side has " + std::to_string(b.n_rows) + " rows, but must have " +
                        std::to_string(l.n_rows));
  if (l.n_rows == 0) return arma::mat(0, b.n_cols);
  arma::mat y = arma::solve(arma::trimatl(l), b);
  return arma::solve(arma::trimatu(l.t()), y);
}

arma::mat generalized_inverse(const arma::mat& a, arma::uword* rank, double rel_tol, const char* fn) {
  check::nonnegative(fn, "rel_tol", rel_tol);
  arma::mat as = symmetric_part(a, fn);
  const arma::uword n = as.n_rows;
  arma::mat out(n, n, arma::fill::zeros);
  arma::uword r = 0;
  if (n > 0) {
    arma::vec ev;
    arma::mat q;
    if (!arma::eig_sym(ev, q, as)) check::fail(fn, "eigen-decomposition failed", Status::numerical);
    const double cut = rel_tol * arma::abs(ev).max();
    for (arma::uword k = 0; k < n; ++k) {
      if (std::fabs(ev(k)) > cut && ev(k) != 0.0) {
        out += (1.0 / ev(k)) * q.col(k) * q.col(k).t();
        ++r;
      }
    }
    out = 0.5 * (out + out.t());
  }
  if (rank) *rank = r;
  return out;
}

// ---- std::vector API -------------------------------------------------------------------------------

std::vector<double> spd_inverse(const std::vector<double>& a, std::size_t n, const char* fn) {
  return to_vector(spd_inverse(from_vector(a, n, fn), fn));
}

double spd_logdet(const std::vector<double>& a, std::size_t n, const char* fn) {
  return spd_logdet(from_vector(a, n, fn), fn);
}

std::vector<double> spd_solve(const std::vector<double>& a, std::size_t n, const std::vector<double>& b,
                              const char* fn) {
  arma::mat am = from_vector(a, n, fn);
  if (n == 0 ? !b.empty() : b.size() % n != 0)
    check::fail(fn, "right-hand side has " + std::to_string(b.size()) + " elements, but must be a multiple of n = " +
                        std::to_string(n));
  const std::size_t k = n == 0 ? 0 : b.size() / n;
  arma::mat bm(b.data(), n, k);
  return to_vector(spd_solve(am, bm, fn));
}

std::vector<double> cholesky_lower(const std::vector<double>& a, std::size_t n, const char* fn) {
  return to_vector(cholesky_lower(from_vector(a, n, fn), fn));
}

GeneralizedInverse generalized_inverse(const std::vector<double>& a, std::size_t n, double rel_tol,
                                       const char* fn) {
  arma::uword r = 0;
  GeneralizedInverse out;
  out.inverse = to_vector(generalized_inverse(from_vector(a, n, fn), &r, rel_tol, fn));
  out.rank = static_cast<std::size_t>(r);
  return out;
}

HessianCovariance covariance_from_hessian(const std::vector<double>& hessian, std::size_t n, double rel_tol,
                                          const char* fn) {
  check::nonnegative(fn, "rel_tol", rel_tol);
  arma::mat as = symmetric_part(from_vector(hessian, n, fn), fn);
  HessianCovariance out;
  if (n == 0) {
    out.ok = true;
    return out;
  }
  arma::vec ev;
  if (!arma::eig_sym(ev, as)) check::fail(fn, "eigen-decomposition of the Hessian failed", Status::numerical);
  out.min_eigenvalue = ev.min();
  out.max_eigenvalue = ev.max();
  const double cut = rel_tol * arma::abs(ev).max();
  for (arma::uword k = 0; k < n; ++k)
    if (std::fabs(ev(k)) > cut && ev(k) != 0.0) ++out.rank;
  const std::string rank_txt = "rank " + std::to_string(out.rank) + " of " + std::to_string(n);
  if (out.rank < n) {
    out.reason = "the Hessian is singular (" + rank_txt + "): the covariance matrix is not available";
    return out;
  }
  if (!(out.min_eigenvalue > 0.0)) {
    out.reason = "the Hessian is not positive definite (smallest eigenvalue " + check::fmt(out.min_eigenvalue) +
                 "): the covariance matrix is not available";
    return out;
  }
  arma::mat l;
  arma::mat linv;
  if (!arma::chol(l, as, "lower") || !arma::inv(linv, arma::trimatl(l))) {
    out.reason = "the Cholesky factorisation of the Hessian failed: the covariance matrix is not available";
    return out;
  }
  arma::mat v = linv.t() * linv;
  v = 0.5 * (v + v.t());
  out.vcov = to_vector(v);
  out.ok = true;
  return out;
}

std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, std::size_t n, const char* fn) {
  arma::mat as = symmetric_part(from_vector(a, n, fn), fn);
  if (n == 0) return {};
  arma::vec ev;
  if (!arma::eig_sym(ev, as)) check::fail(fn, "eigen-decomposition failed", Status::numerical);
  return std::vector<double>(ev.begin(), ev.end());
}

}  // namespace hetmod::numeric
