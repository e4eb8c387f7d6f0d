// capi/src/sim.cpp -- running registered simulation studies (hetmod::sim) through the C API.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "guard.hpp"
#include "hetmod/core/check.hpp"

using hetmod::capi::check_array;
using hetmod::capi::require_ptr;
using hetmod::capi::write_string;

namespace {

// Statistic name -> member of ParamSummary.
struct StatEntry {
  const char* name;
  double hetmod::sim::ParamSummary::*member;
};
const StatEntry kStats[] = {
    {"truth", &hetmod::sim::ParamSummary::truth},
    {"mean", &hetmod::sim::ParamSummary::mean},
    {"bias", &hetmod::sim::ParamSummary::bias},
    {"bias_mcse", &hetmod::sim::ParamSummary::bias_mcse},
    {"rel_bias", &hetmod::sim::ParamSummary::rel_bias},
    {"rel_bias_mcse", &hetmod::sim::ParamSummary::rel_bias_mcse},
    {"empse", &hetmod::sim::ParamSummary::empse},
    {"empse_mcse", &hetmod::sim::ParamSummary::empse_mcse},
    {"mean_se", &hetmod::sim::ParamSummary::mean_se},
    {"mean_se_mcse", &hetmod::sim::ParamSummary::mean_se_mcse},
    {"rmse", &hetmod::sim::ParamSummary::rmse},
    {"rmse_mcse", &hetmod::sim::ParamSummary::rmse_mcse},
    {"coverage", &hetmod::sim::ParamSummary::coverage},
    {"coverage_mcse", &hetmod::sim::ParamSummary::coverage_mcse},
    {"power", &hetmod::sim::ParamSummary::power},
    {"power_mcse", &hetmod::sim::ParamSummary::power_mcse},
};

int64_t nparam(const hetmod_study_result* res) { return static_cast<int64_t>(res->result.param_names.size()); }
int64_t nrep(const hetmod_study_result* res) { return static_cast<int64_t>(res->result.rows.size()); }

}  // namespace

extern "C" HETMOD_API int hetmod_sim_study_names(char* buf, int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_sim_study_names")
  std::vector<std::string> names = hetmod::sim::study_names();
  std::sort(names.begin(), names.end());
  std::string joined;
  for (const auto& n : names) {
    if (!joined.empty()) joined += '\n';
    joined += n;
  }
  write_string(hetmod_fn_, joined, buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_sim_run(const char* study_name, const hetmod_options* study_options, uint64_t seed,
                                         int64_t first, int64_t last, int threads, hetmod_study_result** out) {
  HETMOD_GUARD_BEGIN("hetmod_sim_run")
  require_ptr(hetmod_fn_, "study_name", study_name);
  require_ptr(hetmod_fn_, "out", out);
  if (first < 0) hetmod::check::fail(hetmod_fn_, "first is " + std::to_string(first) + ", but must be >= 0");
  if (last < first) {
    hetmod::check::fail(hetmod_fn_, "last is " + std::to_string(last) + ", but must be >= first (" +
                                        std::to_string(first) + ")");
  }
  hetmod::sim::Study study =
      hetmod::sim::make_study(std::string(study_name), hetmod::capi::options_or_default(study_options));
  hetmod::sim::StudyOptions so;
  so.seed = seed;
  so.first = first;
  so.last = last;
  so.threads = threads;
  auto* h = new hetmod_study_result;
  try {
    h->result = hetmod::sim::run_study(study, so);
  } catch (...) {
    delete h;
    throw;
  }
  *out = h;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API void hetmod_study_result_free(hetmod_study_result* res) { delete res; }

extern "C" HETMOD_API int hetmod_study_nparam(const hetmod_study_result* res, int64_t* k) {
  HETMOD_GUARD_BEGIN("hetmod_study_nparam")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "k", k);
  *k = nparam(res);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_param_name(const hetmod_study_result* res, int64_t i, char* buf,
                                                  int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_study_param_name")
  require_ptr(hetmod_fn_, "res", res);
  hetmod::capi::require_index(hetmod_fn_, "i", i, nparam(res));
  write_string(hetmod_fn_, res->result.param_names[static_cast<size_t>(i)], buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_nrep(const hetmod_study_result* res, int64_t* n) {
  HETMOD_GUARD_BEGIN("hetmod_study_nrep")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "nrep", n);
  *n = nrep(res);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_replicates(const hetmod_study_result* res, int64_t* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_study_replicates")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "out", out);
  const auto& idx = res->result.replicate;
  hetmod::capi::copy_out(hetmod_fn_, "out", out, len, idx);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_rows(const hetmod_study_result* res, double* est, double* se, int* converged,
                                            int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_study_rows")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "est", est);
  require_ptr(hetmod_fn_, "se", se);
  require_ptr(hetmod_fn_, "converged", converged);
  const int64_t R = nrep(res), k = nparam(res);
  check_array(hetmod_fn_, "est", est, "len", len, R * k);
  const auto& rows = res->result.rows;
  for (int64_t r = 0; r < R; ++r) {
    const auto& row = rows[static_cast<size_t>(r)];
    for (int64_t j = 0; j < k; ++j) {
      const auto uj = static_cast<size_t>(j);
      est[r + R * j] = uj < row.estimate.size() ? row.estimate[uj] : std::numeric_limits<double>::quiet_NaN();
      se[r + R * j] = uj < row.se.size() ? row.se[uj] : std::numeric_limits<double>::quiet_NaN();
    }
    converged[r] = row.converged ? 1 : 0;
  }
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_counts(const hetmod_study_result* res, int64_t* n, int64_t* nconverged,
                                              int64_t* nfailed) {
  HETMOD_GUARD_BEGIN("hetmod_study_counts")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "nrep", n);
  require_ptr(hetmod_fn_, "nconverged", nconverged);
  require_ptr(hetmod_fn_, "nfailed", nfailed);
  *n = res->result.n_replicates;
  *nconverged = res->result.n_converged;
  *nfailed = res->result.n_failed;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_summary(const hetmod_study_result* res, const char* stat, double* out,
                                               int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_study_summary")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "stat", stat);
  require_ptr(hetmod_fn_, "out", out);
  const bool is_n_used = std::strcmp(stat, "n_used") == 0;
  const StatEntry* entry = nullptr;
  for (const auto& e : kStats) {
    if (std::strcmp(stat, e.name) == 0) entry = &e;
  }
  if (!entry && !is_n_used) {
    std::string known = "n_used";
    for (const auto& e : kStats) known += std::string(", ") + e.name;
    hetmod::check::fail(hetmod_fn_, std::string("unknown statistic '") + stat + "' (known: " + known + ")",
                        hetmod::Status::not_found);
  }
  const auto& summary = res->result.summary;
  const int64_t k = nparam(res);
  hetmod::check::require(static_cast<int64_t>(summary.size()) == k, hetmod_fn_,
                         "the study result has no summary for every parameter", hetmod::Status::internal);
  check_array(hetmod_fn_, "out", out, "len", len, k);
  for (size_t j = 0; j < summary.size(); ++j) {
    out[j] = is_n_used ? static_cast<double>(summary[j].n_used) : summary[j].*(entry->member);
  }
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_study_convergence_rate(const hetmod_study_result* res, double* rate, double* mcse) {
  HETMOD_GUARD_BEGIN("hetmod_study_convergence_rate")
  require_ptr(hetmod_fn_, "res", res);
  require_ptr(hetmod_fn_, "rate", rate);
  require_ptr(hetmod_fn_, "mcse", mcse);
  *rate = res->result.convergence_rate;
  *mcse = res->result.convergence_rate_mcse;
  HETMOD_GUARD_END
}
