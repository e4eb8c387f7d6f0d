// hetmod/sem/bootstrap.hpp -- nonparametric bootstrap of an SEM fit, replicates in parallel
// (src/sem/bootstrap.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

struct BootstrapResult {
  int R = 0, q = 0;
  std::vector<double> est;          ///< R*q column-major (row r = replicate r); NaN when the fit failed
  std::vector<int> converged;       ///< R flags
  std::vector<int> admissible;      ///< R flags
  std::vector<std::string> error;   ///< R messages ("" when the fit ran)
};

/// Nonparametric bootstrap: replicate r resamples the rows of sample.raw with Rng::for_stream(seed, r)
/// (so the result does not depend on `threads`) and refits with the same options, warm-started at
/// opt.start (pass the full-sample estimates) or the automatic start values; standard errors and the
/// baseline model are skipped. threads <= 0: all hardware threads. Needs raw data in `sample`.
BootstrapResult bootstrap(const Model& model, const SampleMoments& sample, FitOptions opt, int R, uint64_t seed,
                          int threads = 1);

}  // namespace hetmod::sem
