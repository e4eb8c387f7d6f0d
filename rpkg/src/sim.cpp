// sim.cpp -- R glue for the simulation-study harness (hetmod/sim/harness.hpp).
//
// Replicate indices are 1-based in R and 0-based in C++; the conversion happens only here.
// sim_run_cpp returns the "raw" form of a chunk of replicates (one row per replicate, matrices
// replicates x parameters); sim_summarize_cpp recomputes the summaries from raw rows gathered from any
// number of chunks with hetmod::sim::summarize, so a study split into chunks (future workers, job
// arrays) gives exactly the summaries of one run.
#include <Rcpp.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "glue.h"
#include "hetmod/core/check.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/sim/harness.hpp"

namespace {

uint64_t to_seed(double seed) {
  hetmod::check::require(std::isfinite(seed) && seed >= 0 && seed == std::floor(seed) && seed <= 9007199254740992.0,
                         "sim_run", "seed is " + hetmod::check::fmt(seed) + ", but must be a whole number in [0, 2^53]");
  return static_cast<uint64_t>(seed);
}

Rcpp::List raw_rows(const hetmod::sim::StudyResult& res) {
  const R_xlen_t n = static_cast<R_xlen_t>(res.rows.size());
  const R_xlen_t p = static_cast<R_xlen_t>(res.param_names.size());
  Rcpp::IntegerVector replicate(n);
  Rcpp::NumericMatrix estimate(n, p), se(n, p);
  Rcpp::LogicalVector converged(n);
  Rcpp::CharacterVector error(n);
  for (R_xlen_t i = 0; i < n; ++i) {
    const auto& row = res.rows[static_cast<size_t>(i)];
    replicate[i] = static_cast<int>(res.replicate[static_cast<size_t>(i)] + 1);  // 0-based -> 1-based
    for (R_xlen_t j = 0; j < p; ++j) {
      const size_t jj = static_cast<size_t>(j);
      estimate(i, j) = jj < row.estimate.size() ? row.estimate[jj] : NA_REAL;
      se(i, j) = jj < row.se.size() ? row.se[jj] : NA_REAL;
    }
    converged[i] = row.converged && row.error.empty();
    error[i] = row.error.empty() ? Rcpp::String(NA_STRING) : Rcpp::String(row.error);
  }
  Rcpp::CharacterVector pn(res.param_names.begin(), res.param_names.end());
  Rcpp::colnames(estimate) = pn;
  Rcpp::colnames(se) = pn;
  return Rcpp::List::create(Rcpp::Named("study") = res.name, Rcpp::Named("param_names") = pn,
                            Rcpp::Named("truth") = Rcpp::NumericVector(res.truth.begin(), res.truth.end()),
                            Rcpp::Named("replicate") = replicate, Rcpp::Named("estimate") = estimate,
                            Rcpp::Named("se") = se, Rcpp::Named("converged") = converged,
                            Rcpp::Named("error") = error);
}

Rcpp::List summary_list(const hetmod::sim::StudyResult& res) {
  const size_t p = res.summary.size();
  Rcpp::CharacterVector parameter(p);
  Rcpp::NumericVector truth(p), n_used(p), mean(p), bias(p), bias_mcse(p), rel_bias(p), rel_bias_mcse(p),
      empse(p), empse_mcse(p), mean_se(p), mean_se_mcse(p), rmse(p), rmse_mcse(p), coverage(p),
      coverage_mcse(p), power(p), power_mcse(p), conv_rate(p), conv_rate_mcse(p);
  for (size_t j = 0; j < p; ++j) {
    const auto& s = res.summary[j];
    parameter[j] = s.name;
    truth[j] = s.truth;
    n_used[j] = static_cast<double>(s.n_used);
    mean[j] = s.mean;
    bias[j] = s.bias;
    bias_mcse[j] = s.bias_mcse;
    rel_bias[j] = s.rel_bias;
    rel_bias_mcse[j] = s.rel_bias_mcse;
    empse[j] = s.empse;
    empse_mcse[j] = s.empse_mcse;
    mean_se[j] = s.mean_se;
    mean_se_mcse[j] = s.mean_se_mcse;
    rmse[j] = s.rmse;
    rmse_mcse[j] = s.rmse_mcse;
    coverage[j] = s.coverage;
    coverage_mcse[j] = s.coverage_mcse;
    power[j] = s.power;
    power_mcse[j] = s.power_mcse;
    conv_rate[j] = res.convergence_rate;
    conv_rate_mcse[j] = res.convergence_rate_mcse;
  }
  Rcpp::List cols(20);
  cols[0] = parameter; cols[1] = truth; cols[2] = n_used; cols[3] = mean; cols[4] = bias;
  cols[5] = bias_mcse; cols[6] = rel_bias; cols[7] = rel_bias_mcse; cols[8] = empse; cols[9] = empse_mcse;
  cols[10] = mean_se; cols[11] = mean_se_mcse; cols[12] = rmse; cols[13] = rmse_mcse; cols[14] = coverage;
  cols[15] = coverage_mcse; cols[16] = power; cols[17] = power_mcse; cols[18] = conv_rate;
  cols[19] = conv_rate_mcse;
  cols.names() = Rcpp::CharacterVector::create(
      "parameter", "truth", "n_used", "mean", "bias", "bias_mcse", "rel_bias", "rel_bias_mcse", "empse",
      "empse_mcse", "mean_se", "mean_se_mcse", "rmse", "rmse_mcse", "coverage", "coverage_mcse", "power",
      "power_mcse", "conv_rate", "conv_rate_mcse");
  return Rcpp::List::create(Rcpp::Named("summary") = cols,
                            Rcpp::Named("n_replicates") = static_cast<double>(res.n_replicates),
                            Rcpp::Named("n_converged") = static_cast<double>(res.n_converged),
                            Rcpp::Named("n_failed") = static_cast<double>(res.n_failed),
                            Rcpp::Named("conv_rate") = res.convergence_rate,
                            Rcpp::Named("conv_rate_mcse") = res.convergence_rate_mcse);
}

}  // namespace

// Names of the registered studies.
// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector sim_studies_cpp() {
  return hetmod_r::guarded([] {
    const std::vector<std::string> names = hetmod::sim::study_names();
    return Rcpp::CharacterVector(names.begin(), names.end());
  });
}

// Runs replicates first..last (1-based, inclusive) of a registered study; returns the raw rows.
// [[Rcpp::export(rng = false)]]
Rcpp::List sim_run_cpp(std::string study, Rcpp::List options, double seed, int first, int last, int threads,
                       double level) {
  return hetmod_r::guarded([&] {
    hetmod::check::at_least("sim_run", "first", first, 1);
    hetmod::check::require(last >= first, "sim_run", "last replicate " + std::to_string(last) +
                                                         " is before the first (" + std::to_string(first) + ")");
    const hetmod::sim::Study s = hetmod::sim::make_study(study, hetmod_r::options_from_list(options, "sim_run"));
    hetmod::sim::StudyOptions opt;
    opt.seed = to_seed(seed);
    opt.first = static_cast<int64_t>(first) - 1;  // 1-based -> 0-based
    opt.last = static_cast<int64_t>(last) - 1;
    opt.threads = threads;
    opt.level = level;
    const hetmod::sim::StudyResult res = hetmod::sim::run_study(s, opt);
    return raw_rows(res);
  });
}

// Parameter names and true values of a registered study with the given options (runs nothing).
// [[Rcpp::export(rng = false)]]
Rcpp::List sim_study_info_cpp(std::string study, Rcpp::List options) {
  return hetmod_r::guarded([&] {
    const hetmod::sim::Study s = hetmod::sim::make_study(study, hetmod_r::options_from_list(options, "sim_run"));
    return Rcpp::List::create(Rcpp::Named("study") = s.name,
                              Rcpp::Named("param_names") = Rcpp::CharacterVector(s.param_names.begin(), s.param_names.end()),
                              Rcpp::Named("truth") = Rcpp::NumericVector(s.truth.begin(), s.truth.end()));
  });
}

// Summaries (hetmod::sim::summarize) of raw rows, e.g. gathered from several chunks.
// [[Rcpp::export(rng = false)]]
Rcpp::List sim_summarize_cpp(Rcpp::CharacterVector param_names, Rcpp::NumericVector truth,
                             Rcpp::IntegerVector replicate, Rcpp::NumericMatrix estimate, Rcpp::NumericMatrix se,
                             Rcpp::LogicalVector converged, Rcpp::CharacterVector error, double level) {
  return hetmod_r::guarded([&] {
    const char* fn = "sim_summarize";
    const R_xlen_t p = param_names.size();
    const R_xlen_t n = replicate.size();
    hetmod::check::same_size(fn, "truth", truth.size(), p);
    hetmod::check::same_size(fn, "nrow(estimate)", estimate.nrow(), n);
    hetmod::check::same_size(fn, "ncol(estimate)", estimate.ncol(), p);
    hetmod::check::same_size(fn, "nrow(se)", se.nrow(), n);
    hetmod::check::same_size(fn, "ncol(se)", se.ncol(), p);
    hetmod::check::same_size(fn, "converged", converged.size(), n);
    hetmod::check::same_size(fn, "error", error.size(), n);
    hetmod::sim::StudyResult res;
    for (R_xlen_t j = 0; j < p; ++j) res.param_names.push_back(Rcpp::as<std::string>(param_names[j]));
    res.truth.assign(truth.begin(), truth.end());
    res.replicate.resize(static_cast<size_t>(n));
    res.rows.resize(static_cast<size_t>(n));
    for (R_xlen_t i = 0; i < n; ++i) {
      hetmod::check::require(replicate[i] != NA_INTEGER && replicate[i] >= 1, fn,
                             "replicate[" + std::to_string(i) + "] must be a replicate number >= 1");
      res.replicate[static_cast<size_t>(i)] = static_cast<int64_t>(replicate[i]) - 1;  // 1-based -> 0-based
      auto& row = res.rows[static_cast<size_t>(i)];
      row.estimate.resize(static_cast<size_t>(p));
      row.se.resize(static_cast<size_t>(p));
      for (R_xlen_t j = 0; j < p; ++j) {
        row.estimate[static_cast<size_t>(j)] = estimate(i, j);
        row.se[static_cast<size_t>(j)] = se(i, j);
      }
      row.converged = converged[i] == TRUE;
      row.error = Rcpp::CharacterVector::is_na(error[i]) ? std::string() : Rcpp::as<std::string>(error[i]);
    }
    hetmod::sim::summarize(res, level);
    return summary_list(res);
  });
}
