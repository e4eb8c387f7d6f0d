// hetmod/sim/harness.hpp -- the simulation-study harness.
//
// A Study is a data generator + estimator (combined in `replicate`) plus true values. Replicate r
// receives Rng::for_stream(master_seed, r), so each replicate's numbers are fixed by (seed, r) alone
// and results are identical for any thread count or any split of the replicate range (job arrays).
//
// Summaries follow Morris, White & Crowther (Stat Med 2019, Table 6), over the replicates whose
// estimate is finite and that converged (n_used):
//   bias = mean(est) - truth,                 MCSE = empse / sqrt(n)
//   relative bias = bias / truth (NaN when truth == 0),  MCSE = MCSE(bias)/|truth|
//   empse = sd(est) (n-1 denominator),        MCSE = empse / sqrt(2(n-1))
//   mean model SE = mean(se),                 MCSE = sd(se) / sqrt(n)
//   rmse = sqrt(mean((est-truth)^2)),         MCSE = MCSE(mse) / (2 rmse), MCSE(mse) = sd((est-truth)^2)/sqrt(n)
//   coverage = mean(|est - truth| <= z se),   MCSE = sqrt(cov(1-cov)/n), z = qnorm(1-(1-level)/2)
//   power = mean(|est / se| > z)  (test of 0), MCSE = sqrt(pow(1-pow)/n)
//   convergence rate = converged / replicates, MCSE = sqrt(r(1-r)/replicates)
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"
#include "hetmod/random/rng.hpp"

namespace hetmod::sim {

/// What one replicate returns: one estimate and model SE per parameter (NaN when not available).
struct ReplicateOutput {
  std::vector<double> estimate;  ///< one per parameter, in Study::param_names order
  std::vector<double> se;        ///< model-based standard errors, same order (NaN if none)
  bool converged = true;         ///< the fit converged (non-converged rows are not summarised)
  std::string error;  ///< non-empty if the replicate threw (estimate/se are NaN then)
};

/// A simulation study: named parameters, their true values and the per-replicate generate-and-fit.
struct Study {
  std::string name;                      ///< registry name (informational)
  std::vector<std::string> param_names;  ///< p parameter names
  std::vector<double> truth;             ///< p true values, same order
  /// Generates one data set and fits it. Must be thread-safe (it is called concurrently with
  /// different Rng objects) and use only the given Rng for randomness.
  std::function<ReplicateOutput(Rng& rng, int64_t replicate)> replicate;
};

/// How to run a study: seed, replicate range (for job arrays), threads and confidence level.
struct StudyOptions {
  uint64_t seed = 1;         ///< master seed; replicate r uses Rng::for_stream(seed, r)
  int64_t first = 0;         ///< first replicate index (0-based, inclusive)
  int64_t last = 99;         ///< last replicate index (inclusive)
  int threads = 1;           ///< <= 0: all hardware threads
  double level = 0.95;       ///< confidence level for coverage and power, in (0, 1)
};

/// Per-parameter summary with Monte Carlo standard errors.
struct ParamSummary {
  std::string name;    ///< parameter name
  double truth = 0;    ///< true value
  int64_t n_used = 0;  ///< converged replicates with finite estimate (SE-based measures also need finite se)
  // The measures and their MCSEs, as defined in the file comment (NaN when undefined, e.g. n < 2):
  double mean = 0, bias = 0, bias_mcse = 0, rel_bias = 0, rel_bias_mcse = 0;
  double empse = 0, empse_mcse = 0, mean_se = 0, mean_se_mcse = 0;
  double rmse = 0, rmse_mcse = 0, coverage = 0, coverage_mcse = 0, power = 0, power_mcse = 0;
};

/// Replicate rows plus their summary. Rows from several run_study chunks can be concatenated and
/// re-summarised with summarize().
struct StudyResult {
  std::string name;                      ///< study name
  std::vector<std::string> param_names;  ///< p parameter names
  std::vector<double> truth;             ///< p true values
  std::vector<int64_t> replicate;          ///< replicate indices, in order
  std::vector<ReplicateOutput> rows;       ///< one per replicate, same order
  std::vector<ParamSummary> summary;       ///< one per parameter (filled by summarize)
  int64_t n_replicates = 0, n_converged = 0, n_failed = 0;  ///< rows; converged without error; with error
  double convergence_rate = 0, convergence_rate_mcse = 0;   ///< n_converged / n_replicates and its MCSE
};

/// Runs replicates opt.first..opt.last in parallel and summarises them. Invalid options (first < 0,
/// last < first, level outside (0,1), truth size != param_names size) throw Error(invalid_argument).
/// A replicate that throws (or returns error text, or outputs of the wrong length) becomes a failed
/// row: error text, NaN estimates and se, converged = false. A user interrupt is rethrown.
StudyResult run_study(const Study& study, const StudyOptions& opt);

/// Summaries from replicate rows (e.g. rows gathered from several job-array chunks): recomputes the
/// counts and `summary`. Rows without error text must have p estimates and p se values.
void summarize(StudyResult& result, double level = 0.95);

/// Registry of named studies, so the C API and the R package can run any registered study by name.
using StudyFactory = std::function<Study(const Options& options)>;
/// Adds or replaces the factory for `name` (thread-safe). Built-in studies: sim/builtin.hpp.
void register_study(const std::string& name, StudyFactory factory);
/// Builds a registered study; Error(not_found) listing the known names if absent.
Study make_study(const std::string& name, const Options& options);
/// Names of all registered studies (built-in ones included), sorted.
std::vector<std::string> study_names();

}  // namespace hetmod::sim
