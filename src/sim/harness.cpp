// hetmod/sim/harness.cpp -- running simulation studies and summarising them.
//
// 1. run_study: validates the options, runs replicate r = first..last on Rng::for_stream(seed, r)
//    through parallel_for (results written by index, so thread count does not matter), turns a
//    throwing replicate or one with wrong-length output into a failed row (error text, NaN
//    estimates, not converged). A user interrupt is not a replicate failure: it is rethrown.
// 2. summarize: counts, convergence rate and per-parameter performance measures with Monte Carlo
//    SEs following Morris, White & Crowther (Stat Med 2019; 38:2074-2102, Table 6); the exact
//    formulas are listed in sim/harness.hpp.
// 3. The registry of named studies: a function-local static map guarded by a mutex; built-in
//    studies (sim/builtin.hpp) are registered on first use of make_study/study_names/register_study.
#include "hetmod/sim/harness.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <mutex>

#include "hetmod/core/check.hpp"
#include "hetmod/core/parallel.hpp"
#include "hetmod/sim/builtin.hpp"

namespace hetmod::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void mark_failed(ReplicateOutput& out, size_t p, std::string error) {
  out.estimate.assign(p, kNaN);
  out.se.assign(p, kNaN);
  out.converged = false;
  out.error = error.empty() ? "replicate failed" : std::move(error);
}

void check_level(const char* fn, double level) {
  check::require(std::isfinite(level) && level > 0.0 && level < 1.0, fn,
                 "level is " + check::fmt(level) + ", but must be in (0, 1)");
}

// Mean and sample SD (n-1 denominator; NaN when n < 2) of x.
struct Moments {
  double mean = kNaN, sd = kNaN;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  const size_t n = x.size();
  if (n == 0) return m;
  double s = 0;
  for (double v : x) s += v;
  m.mean = s / static_cast<double>(n);
  if (n < 2) return m;
  double ss = 0;
  for (double v : x) ss += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(ss / static_cast<double>(n - 1));
  return m;
}

// Proportion and its binomial MCSE.
void proportion(int64_t hits, int64_t n, double& p, double& mcse) {
  if (n == 0) {
    p = mcse = kNaN;
    return;
  }
  p = static_cast<double>(hits) / static_cast<double>(n);
  mcse = std::sqrt(p * (1.0 - p) / static_cast<double>(n));
}

struct Registry {
  std::mutex mu;
  std::map<std::string, StudyFactory> factories;
};
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

StudyResult run_study(const Study& study, const StudyOptions& opt) {
  const char* fn = "run_study";
  check::at_least(fn, "first", opt.first, 0);
  check::require(opt.last >= opt.first, fn,
                 "last is " + std::to_string(opt.last) + ", but must be >= first (" + std::to_string(opt.first) + ")");
  check_level(fn, opt.level);
  check::same_size(fn, "study.truth", static_cast<int64_t>(study.truth.size()),
                   static_cast<int64_t>(study.param_names.size()));
  check::require(static_cast<bool>(study.replicate), fn, "study.replicate is empty");

  const size_t p = study.param_names.size();
  const int64_t n = opt.last - opt.first + 1;
  StudyResult res;
  res.name = study.name;
  res.param_names = study.param_names;
  res.truth = study.truth;
  res.replicate.resize(static_cast<size_t>(n));
  res.rows.resize(static_cast<size_t>(n));

  parallel_for(n, opt.threads, [&](int64_t i) {
    const int64_t r = opt.first + i;
    res.replicate[static_cast<size_t>(i)] = r;
    ReplicateOutput& out = res.rows[static_cast<size_t>(i)];
    Rng rng = Rng::for_stream(opt.seed, static_cast<uint64_t>(r));
    try {
      out = study.replicate(rng, r);
    } catch (const Error& e) {
      if (e.status() == Status::interrupted) throw;
      mark_failed(out, p, e.what());
      return;
    } catch (const std::exception& e) {
      mark_failed(out, p, e.what());
      return;
    } catch (...) {
      mark_failed(out, p, "unknown exception");
      return;
    }
    if (!out.error.empty()) {
      mark_failed(out, p, out.error);
    } else if (out.estimate.size() != p || out.se.size() != p) {
      mark_failed(out, p,
                  "replicate returned " + std::to_string(out.estimate.size()) + " estimates and " +
                      std::to_string(out.se.size()) + " standard errors, but the study has " + std::to_string(p) +
                      " parameters");
    }
  });

  summarize(res, opt.level);
  return res;
}

void summarize(StudyResult& result, double level) {
  const char* fn = "summarize";
  check_level(fn, level);
  const size_t p = result.param_names.size();
  check::same_size(fn, "result.truth", static_cast<int64_t>(result.truth.size()), static_cast<int64_t>(p));
  if (!result.replicate.empty())
    check::same_size(fn, "result.replicate", static_cast<int64_t>(result.replicate.size()),
                     static_cast<int64_t>(result.rows.size()));
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const ReplicateOutput& row = result.rows[i];
    if (!row.error.empty()) continue;  // failed rows are not read
    const std::string arg = "result.rows[" + std::to_string(i) + "]";
    check::same_size(fn, (arg + ".estimate").c_str(), static_cast<int64_t>(row.estimate.size()),
                     static_cast<int64_t>(p));
    check::same_size(fn, (arg + ".se").c_str(), static_cast<int64_t>(row.se.size()), static_cast<int64_t>(p));
  }

  result.n_replicates = static_cast<int64_t>(result.rows.size());
  result.n_converged = 0;
  result.n_failed = 0;
  for (const auto& row : result.rows) {
    if (!row.error.empty())
      ++result.n_failed;
    else if (row.converged)
      ++result.n_converged;
  }
  proportion(result.n_converged, result.n_replicates, result.convergence_rate, result.convergence_rate_mcse);

  const double z = normal_quantile(1.0 - (1.0 - level) / 2.0);
  result.summary.assign(p, ParamSummary{});
  for (size_t j = 0; j < p; ++j) {
    ParamSummary& s = result.summary[j];
    s.name = result.param_names[j];
    s.truth = result.truth[j];
    std::vector<double> est, sq, se;
    int64_t covered = 0, rejected = 0;
    for (const auto& row : result.rows) {
      if (!row.error.empty() || !row.converged || !std::isfinite(row.estimate[j])) continue;
      const double e = row.estimate[j];
      est.push_back(e);
      sq.push_back((e - s.truth) * (e - s.truth));
      if (std::isfinite(row.se[j])) {
        se.push_back(row.se[j]);
        if (std::fabs(e - s.truth) <= z * row.se[j]) ++covered;
        if (std::fabs(e / row.se[j]) > z) ++rejected;
      }
    }
    s.n_used = static_cast<int64_t>(est.size());
    const double n = static_cast<double>(est.size());

    const Moments me = moments(est);
    s.mean = me.mean;
    s.bias = me.mean - s.truth;
    s.empse = me.sd;
    s.bias_mcse = me.sd / std::sqrt(n);
    s.empse_mcse = n >= 2 ? me.sd / std::sqrt(2.0 * (n - 1.0)) : kNaN;
    if (s.truth != 0) {
      s.rel_bias = s.bias / s.truth;
      s.rel_bias_mcse = s.bias_mcse / std::fabs(s.truth);
    } else {
      s.rel_bias = s.rel_bias_mcse = kNaN;
    }

    const Moments msq = moments(sq);
    s.rmse = std::sqrt(msq.mean);
    s.rmse_mcse = (msq.sd / std::sqrt(n)) / (2.0 * s.rmse);

    const Moments mse = moments(se);
    s.mean_se = mse.mean;
    s.mean_se_mcse = mse.sd / std::sqrt(static_cast<double>(se.size()));
    proportion(covered, static_cast<int64_t>(se.size()), s.coverage, s.coverage_mcse);
    proportion(rejected, static_cast<int64_t>(se.size()), s.power, s.power_mcse);
  }
}

void register_study(const std::string& name, StudyFactory factory) {
  check::require(!name.empty(), "register_study", "name is empty");
  check::require(static_cast<bool>(factory), "register_study", "factory for '" + name + "' is empty");
  register_builtin_studies();  // so a user's registration under a built-in name is not overwritten later
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  reg.factories[name] = std::move(factory);
}

Study make_study(const std::string& name, const Options& options) {
  register_builtin_studies();
  StudyFactory factory;
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mu);
    auto it = reg.factories.find(name);
    if (it == reg.factories.end()) {
      std::string known;
      for (const auto& kv : reg.factories) known += (known.empty() ? "" : ", ") + kv.first;
      check::fail("make_study", "unknown study '" + name + "'; known studies: " + (known.empty() ? "(none)" : known),
                  Status::not_found);
    }
    factory = it->second;
  }
  Study study = factory(options);  // outside the lock: a factory may itself use the registry
  if (study.name.empty()) study.name = name;
  return study;
}

std::vector<std::string> study_names() {
  register_builtin_studies();
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  std::vector<std::string> out;
  out.reserve(reg.factories.size());
  for (const auto& kv : reg.factories) out.push_back(kv.first);
  return out;
}

}  // namespace hetmod::sim
