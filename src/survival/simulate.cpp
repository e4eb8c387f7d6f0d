// hetmod/survival/simulate.cpp -- inverse-cdf simulation (spec/survival.md 1.2) and the "surv_apgw" study.
//
// Outline
//  1. simulate_times: per row, slot predictors -> (phi, lambda, gamma, kappa); U ~ U(0,1) from Rng::uniform_open;
//     t = phi^-1 [M^-1(-log U / lambda)]^(1/gamma), where M^-1 is the unit cumulative hazard inverse
//     (APGW: H0^-1(.; kappa) = H0(.; 1/kappa)); Inf when -log U / lambda exceeds the cure plateau.
//  (The "surv_apgw" simulation study lives in src/sim/studies_survival.cpp: sim sits above the families.)
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

namespace hetmod::survival {

std::vector<double> simulate_times(const Design& design, Dist dist, const std::vector<double>& coef, Rng& rng) {
  const char* fn = "surv_simulate";
  const detail::DistInfo info = detail::dist_info(dist);
  int64_t n = -1;
  std::array<int, 4> p{}, start{};
  int pt = 0;
  for (size_t j = 0; j < 4; ++j) {
    const ParDesign& pd = design.par[j];
    const std::string nm = std::string("design ") + par_name(static_cast<Par>(j));
    p[j] = pd.x.empty() ? 0 : static_cast<int>(pd.x.ncol);
    if (info.structural[j])
      check::require(p[j] == 0 && pd.offset.empty(), fn,
                     nm + " must be empty: " + par_name(static_cast<Par>(j)) + " is fixed by dist '" +
                         dist_name(dist) + "'");
    start[j] = pt;
    pt += p[j];
    for (int64_t rows : {p[j] > 0 ? pd.x.nrow : -1, pd.offset.empty() ? int64_t(-1) : pd.offset.n}) {
      if (rows < 0) continue;
      if (n < 0) n = rows;
      check::require(rows == n, fn, nm + " has " + std::to_string(rows) + " rows, but other blocks have " +
                                        std::to_string(n));
    }
    if (p[j] > 0) check::finite(fn, nm.c_str(), pd.x.data, pd.x.nrow * p[j]);
  }
  check::same_size(fn, "coef", static_cast<int64_t>(coef.size()), pt);
  check::finite(fn, "coef", coef.data(), pt);
  if (n < 0) n = 1;
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double xi[4], eta[4];
    for (size_t j = 0; j < 4; ++j) {
      const ParDesign& pd = design.par[j];
      double e = pd.offset.empty() ? 0.0 : pd.offset[i];
      for (int c = 0; c < p[j]; ++c) e += pd.x(i, c) * coef[static_cast<size_t>(start[j] + c)];
      xi[j] = e;
    }
    detail::slots_to_eta(info, xi, eta);
    const double y = -std::log(rng.uniform_open());
    const double u = detail::unit_cumhaz_inverse(info.kernel, eta[3], y / std::exp(eta[1]));
    out[static_cast<size_t>(i)] =
        std::isfinite(u) ? std::exp(std::log(u) / std::exp(eta[2]) - eta[0]) : std::numeric_limits<double>::infinity();
  }
  return out;
}

}  // namespace hetmod::survival
