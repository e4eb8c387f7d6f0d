// hetmod/sim/builtin.hpp -- the studies that ship with the library.
//
// register_builtin_studies() adds every built-in study to the registry of sim/harness.hpp. It is
// idempotent and thread-safe; make_study, study_names and register_study call it first, so callers
// never need to (a study registered by the user under a built-in name replaces the built-in one).
//
// Built-in studies (options by key; unknown keys are rejected):
//   "normal_mean"  n (default 50, >= 2), mu (default 1), sigma (default 2, > 0).
//                  Each replicate draws n values from N(mu, sigma^2) and estimates
//                  mu        by the sample mean,                     se = sd / sqrt(n);
//                  log_sigma by the MLE log sqrt(mean((x-xbar)^2)),  se = 1 / sqrt(2n).
//                  params {"mu", "log_sigma"}, truth {mu, log(sigma)}.
#pragma once

namespace hetmod::sim {

/// Registers the built-in studies (once per process; later calls do nothing).
void register_builtin_studies();

}  // namespace hetmod::sim
