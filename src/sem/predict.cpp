// src/sem/predict.cpp -- implied moments (sem/model.hpp).
//
// 1. implied_moments: Sigma = F (I-A)^{-1} S (I-A)^{-T} F^T, mu = F (I-A)^{-1} M (kernel of loglik.cpp).
// 2. graph_sigma: the graph parametrisation Sigma = (I-Lambda)^{-T} Omega (I-Lambda)^{-1}, i.e. the
//    RAM form with A = Lambda^T and every node observed.
#include <cmath>

#include "hetmod/core/check.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

Implied implied_moments(const Model& model, const std::vector<double>& theta) {
  const char* fn = "sem::implied_moments";
  check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  check::finite(fn, "theta", theta.data(), static_cast<int64_t>(theta.size()));
  detail::RamStructure ram = detail::ram_structure(model);
  for (const auto& c : ram.cells)
    if (c.par < 0 && !std::isfinite(c.value))
      check::fail(fn, "a fixed parameter has no value (fixed.x rows are filled by fit from the sample moments)");
  detail::Kernel k(ram, {}, {});
  if (!k.implied(theta.data())) check::fail(fn, "I - A is singular (det(I - A) = 0)", Status::numerical);
  Implied out;
  out.sigma = k.sigma();
  if (model.meanstructure) out.mu = k.mu();
  out.det_i_minus_a = k.det_i_minus_a();
  return out;
}

std::vector<double> graph_sigma(const Graph& g, const std::vector<double>& lambda, const std::vector<double>& omega_diag,
                                const std::vector<double>& omega_off) {
  const char* fn = "sem::graph_sigma";
  check::same_size(fn, "lambda", static_cast<int64_t>(lambda.size()), static_cast<int64_t>(g.directed.size()));
  check::same_size(fn, "omega_diag", static_cast<int64_t>(omega_diag.size()), g.n);
  check::same_size(fn, "omega_off", static_cast<int64_t>(omega_off.size()), static_cast<int64_t>(g.bidirected.size()));
  detail::RamStructure ram;
  ram.p = ram.m = g.n;
  ram.npar = 0;
  for (std::size_t e = 0; e < g.directed.size(); ++e)
    ram.cells.push_back({detail::mat_a, g.directed[e].second, g.directed[e].first, -1, lambda[e]});
  for (int k = 0; k < g.n; ++k) ram.cells.push_back({detail::mat_s, k, k, -1, omega_diag[static_cast<std::size_t>(k)]});
  for (std::size_t e = 0; e < g.bidirected.size(); ++e)
    ram.cells.push_back({detail::mat_s, g.bidirected[e].first, g.bidirected[e].second, -1, omega_off[e]});
  detail::Kernel k(ram, {}, {});
  if (!k.implied(nullptr)) check::fail(fn, "I - Lambda is singular", Status::numerical);
  return k.sigma();
}

}  // namespace hetmod::sem
