// hetmod/core/result.hpp -- the common fit result and its versioned serialiser.
//
// Every family's fit returns (or converts to) a FitResult: named estimates, covariance, log-likelihood,
// df, nobs, the convergence record, plus named numeric/text extras for family-specific output. The
// serialiser writes a self-describing little-endian binary blob:
//   magic "HETMODFR" | u32 format version | fields...
// deserialize() accepts every format version <= kFitFormatVersion and rejects anything else with a
// clear Error (never reads past the buffer).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hetmod/core/convergence.hpp"

namespace hetmod {

struct FitResult {
  std::string family;                    ///< "survival", "sem", ...
  std::string model;                     ///< family-specific model name, e.g. "apgw"
  std::vector<std::string> coef_names;   ///< length p
  std::vector<double> coef;              ///< length p, on the optimisation scale
  std::vector<double> vcov;              ///< p*p column-major; empty when unavailable
  double loglik = 0.0;
  int64_t df = 0;                        ///< number of free parameters
  int64_t nobs = 0;
  Convergence convergence;
  std::map<std::string, std::vector<double>> extras;  ///< family-specific numeric output
  std::map<std::string, std::string> notes;           ///< family-specific text (warnings, flags)
};

constexpr uint32_t kFitFormatVersion = 1;

/// Serialises a fit to a byte string (binary, may contain NULs).
std::string serialize(const FitResult& fit);
/// Reads a fit written by serialize(); throws Error(invalid_argument) on a corrupt or foreign blob.
FitResult deserialize(const std::string& bytes);

}  // namespace hetmod
