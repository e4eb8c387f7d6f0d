// hetmod/sim/builtin.cpp -- registration of the built-in simulation studies (list in sim/builtin.hpp).
//
// 1. reject_unknown: every study rejects option keys it does not read.
// 2. normal_mean: the harness's own sanity study (sample mean and MLE of log sigma of a normal sample).
// Family studies are added to register_builtin_studies() by their families.
#include "hetmod/sim/builtin.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "hetmod/core/check.hpp"
#include "hetmod/sim/harness.hpp"
#include "studies.hpp"

namespace hetmod::sim {

namespace {

void reject_unknown(const char* study, const Options& options, const std::vector<std::string>& known) {
  for (const auto& key : options.keys()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      check::fail("make_study", "unknown option '" + key + "' for study '" + study + "' (known: " + list + ")");
    }
  }
}

Study normal_mean_study(const Options& options) {
  reject_unknown("normal_mean", options, {"mu", "n", "sigma"});
  const int64_t n = options.get_int("n", 50);
  const double mu = options.get_double("mu", 1.0);
  const double sigma = options.get_double("sigma", 2.0);
  check::at_least("normal_mean", "n", n, 2);
  check::finite("normal_mean", "mu", mu);
  check::positive("normal_mean", "sigma", sigma);

  Study s;
  s.name = "normal_mean";
  s.param_names = {"mu", "log_sigma"};
  s.truth = {mu, std::log(sigma)};
  s.replicate = [n, mu, sigma](Rng& rng, int64_t) {
    std::vector<double> x(static_cast<size_t>(n));
    double sum = 0;
    for (auto& v : x) {
      v = rng.normal(mu, sigma);
      sum += v;
    }
    const double dn = static_cast<double>(n);
    const double mean = sum / dn;
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    ReplicateOutput out;
    out.estimate = {mean, 0.5 * std::log(ss / dn)};
    out.se = {std::sqrt(ss / (dn - 1.0)) / std::sqrt(dn), 1.0 / std::sqrt(2.0 * dn)};
    return out;
  };
  return s;
}

}  // namespace

void register_builtin_studies() {
  static std::once_flag once;
  // register_study calls back into this function; the flag stops that recursion inside call_once.
  static thread_local bool registering = false;
  if (registering) return;
  std::call_once(once, [] {
    struct Guard {
      Guard() { registering = true; }
      ~Guard() { registering = false; }
    } guard;
    register_study("normal_mean", normal_mean_study);
    register_survival_studies();
    register_sem_studies();
    register_sdp_studies();
  });
}

}  // namespace hetmod::sim
