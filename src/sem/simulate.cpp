// src/sem/simulate.cpp -- data generation and the SEM simulation study (sem/model.hpp).
//
// 1. simulate: eps ~ N(M, S) via a Cholesky factor of S that tolerates zero variances (PSD S),
//    X = F (I-A)^{-1} eps (cyclic models allowed: only det(I-A) != 0), draws from the caller's Rng.
// (The "sem_cfa" simulation study lives in src/sim/studies_sem.cpp: sim sits above the families.)
#include <cmath>
#include <string>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"
#include "util.hpp"

namespace hetmod::sem {

using detail::ix;

std::vector<double> simulate(const Model& model, const std::vector<double>& theta, int64_t n, Rng& rng) {
  const char* fn = "sem::simulate";
  check::at_least(fn, "n", n, 1);
  check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  check::finite(fn, "theta", theta.data(), static_cast<int64_t>(theta.size()));
  const detail::RamStructure ram = detail::ram_structure(model);
  for (const auto& c : ram.cells)
    if (c.par < 0 && !std::isfinite(c.value)) check::fail(fn, "a fixed parameter has no value (set the fixed.x rows first)");
  detail::Kernel k(ram, {}, {});
  if (!k.implied(theta.data())) check::fail(fn, "I - A is singular", Status::numerical);
  const int m = model.m(), p = model.p();
  // PSD Cholesky of S
  std::vector<double> L = k.S();
  double scale = 0;
  for (int i = 0; i < m; ++i) scale = std::max(scale, std::fabs(L[ix(i, i, m)]));
  for (int j = 0; j < m; ++j) {
    double d = L[ix(j, j, m)];
    for (int kk = 0; kk < j; ++kk) d -= L[ix(j, kk, m)] * L[ix(j, kk, m)];
    if (d < -1e-10 * std::max(1.0, scale)) check::fail(fn, "the (residual) covariance matrix S is not positive semi-definite", Status::numerical);
    const double ljj = d > 1e-14 * std::max(1.0, scale) ? std::sqrt(d) : 0.0;
    L[ix(j, j, m)] = ljj;
    for (int i = j + 1; i < m; ++i) {
      double s = L[ix(i, j, m)];
      for (int kk = 0; kk < j; ++kk) s -= L[ix(i, kk, m)] * L[ix(j, kk, m)];
      if (ljj == 0.0) {
        if (std::fabs(s) > 1e-8 * std::max(1.0, scale)) check::fail(fn, "the (residual) covariance matrix S is not positive semi-definite", Status::numerical);
        L[ix(i, j, m)] = 0.0;
      } else {
        L[ix(i, j, m)] = s / ljj;
      }
    }
    for (int i = 0; i < j; ++i) L[ix(i, j, m)] = 0.0;
  }
  std::vector<double> M(static_cast<std::size_t>(m), 0.0);
  if (model.meanstructure)
    for (const auto& c : ram.cells)
      if (c.mat == detail::mat_m) M[static_cast<std::size_t>(c.row)] = c.par >= 0 ? theta[static_cast<std::size_t>(c.par)] : c.value;
  const std::vector<double>& B = k.B();
  std::vector<double> out(static_cast<std::size_t>(n) * static_cast<std::size_t>(p));
  std::vector<double> z(static_cast<std::size_t>(m)), e(static_cast<std::size_t>(m));
  for (int64_t r = 0; r < n; ++r) {
    for (auto& v : z) v = rng.normal();
    for (int i = 0; i < m; ++i) {
      double s = M[static_cast<std::size_t>(i)];
      for (int kk = 0; kk <= i; ++kk) s += L[ix(i, kk, m)] * z[static_cast<std::size_t>(kk)];
      e[static_cast<std::size_t>(i)] = s;
    }
    for (int i = 0; i < p; ++i) {
      double s = 0;
      for (int kk = 0; kk < m; ++kk) s += B[ix(i, kk, m)] * e[static_cast<std::size_t>(kk)];
      out[static_cast<std::size_t>(r) + static_cast<std::size_t>(i) * static_cast<std::size_t>(n)] = s;
    }
  }
  return out;
}

}  // namespace hetmod::sem
