// src/sim/studies_survival.cpp -- the survival family's simulation study for the harness.
//
// Study "surv_apgw" (options by key; unknown keys are rejected):
//   n          sample size (default 500, >= 20)
//   dist       "weibull" (default) or "apgw"
//   coef       true coefficients (default: weibull (0, -0.5, log 1.2) for lambda:(Intercept), lambda:x,
//              gamma:(Intercept); apgw (0, -0.5, log 1.5, log 1.5) adding kappa:(Intercept), phi fixed at 1)
//   cens_max   censoring times ~ U(0, cens_max) (default 4; Inf = no censoring)
//   prob_x     P(x = 1) of the binary covariate in lambda (default 0.5)
// Each replicate draws x ~ Bernoulli(prob_x), T by inverse cdf, C ~ U(0, cens_max), fits the true model
// (warm start at the truth) and returns the coefficients with observed-information SEs; a replicate counts
// as converged when the fit converged without boundary flags.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sim/harness.hpp"
#include "hetmod/survival/model.hpp"
#include "studies.hpp"

namespace hetmod::sim {
using namespace hetmod::survival;

namespace {

Study apgw_study(const Options& options) {
  const char* fn = "surv_apgw";
  static const char* const known[] = {"n", "dist", "coef", "cens_max", "prob_x"};
  for (const auto& key : options.keys())
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      check::fail("make_study", "unknown option '" + key + "' for study 'surv_apgw' (known: n, dist, coef, cens_max, prob_x)");
  const int64_t n = options.get_int("n", 500);
  const std::string dname = options.get_string("dist", "weibull");
  check::at_least(fn, "n", n, 20);
  check::require(dname == "weibull" || dname == "apgw", fn, "dist is '" + dname + "', but must be 'weibull' or 'apgw'");
  const Dist dist = dname == "apgw" ? Dist::apgw : Dist::weibull;
  std::vector<double> dflt = dist == Dist::apgw ? std::vector<double>{0.0, -0.5, std::log(1.5), std::log(1.5)}
                                                : std::vector<double>{0.0, -0.5, std::log(1.2)};
  const std::vector<double> truth = options.get_vector("coef", dflt);
  check::same_size(fn, "coef", static_cast<int64_t>(truth.size()), static_cast<int64_t>(dflt.size()));
  check::finite(fn, "coef", truth.data(), static_cast<int64_t>(truth.size()));
  const double cmax = options.get_double("cens_max", 4.0);
  check::require(cmax > 0, fn, "cens_max is " + check::fmt(cmax) + ", but must be > 0");
  const double px = options.get_double("prob_x", 0.5);
  check::in_range(fn, "prob_x", px, 0.0, 1.0);

  Study s;
  s.name = "surv_apgw";
  s.param_names = {"lambda:(Intercept)", "lambda:x", "gamma:(Intercept)"};
  if (dist == Dist::apgw) s.param_names.push_back("kappa:(Intercept)");
  s.truth = truth;
  s.replicate = [n, dist, truth, cmax, px](Rng& rng, int64_t) {
    const size_t N = static_cast<size_t>(n);
    std::vector<double> ones(N, 1.0), lam(2 * N), time(N);
    std::vector<int32_t> status(N);
    for (size_t i = 0; i < N; ++i) {
      lam[i] = 1.0;
      lam[N + i] = rng.uniform() < px ? 1.0 : 0.0;
    }
    Design d;
    d.par[1].x = data::MatView(lam.data(), n, 2);
    d.par[1].names = {"(Intercept)", "x"};
    d.par[2].x = data::MatView(ones.data(), n, 1);
    d.par[2].names = {"(Intercept)"};
    if (dist == Dist::apgw) {
      d.par[3].x = data::MatView(ones.data(), n, 1);
      d.par[3].names = {"(Intercept)"};
    }
    const std::vector<double> T = simulate_times(d, dist, truth, rng);
    for (size_t i = 0; i < N; ++i) {
      const double C = std::isfinite(cmax) ? cmax * rng.uniform_open() : std::numeric_limits<double>::infinity();
      status[i] = T[i] <= C ? 1 : 0;
      time[i] = std::min(T[i], C);
    }
    SurvData sd;
    sd.time = time;
    sd.status = status;
    Options fo;
    fo.set("start", truth);
    ReplicateOutput out;
    const SurvFit f = fit(sd, d, dist, fo);
    const size_t P = f.result.coef.size();
    out.estimate = f.result.coef;
    out.se.resize(P);
    for (size_t k = 0; k < P; ++k)
      out.se[k] = f.result.vcov.size() == P * P ? std::sqrt(f.result.vcov[k + k * P])
                                                 : std::numeric_limits<double>::quiet_NaN();
    out.converged = f.result.convergence.converged && f.flags.empty();
    return out;
  };
  return s;
}

}  // namespace


void register_survival_studies() { register_study("surv_apgw", apgw_study); }

}  // namespace hetmod::sim
