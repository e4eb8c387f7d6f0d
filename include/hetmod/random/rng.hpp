// hetmod/random/rng.hpp -- the library's own random number generator.
//
// Engine: std::mt19937_64 (its output sequence is fixed by the C++ standard). All derived draws
// (uniform, normal, exponential, gamma, ...) are computed here, never by std::*_distribution (which
// differ across standard libraries) nor by R's or Armadillo's RNG, so a seed gives the same numbers
// on every platform and in every adapter. Replicate i of a study uses Rng::for_stream(master, i):
// its seed is a SplitMix64 hash of (master, i), so results do not depend on the thread count.
#pragma once
#include <cstdint>
#include <random>

namespace hetmod {

class Rng {
 public:
  explicit Rng(uint64_t seed = 20260101u);
  /// Independent stream number `stream` derived from `master` (replicates, folds, starts).
  static Rng for_stream(uint64_t master, uint64_t stream);

  uint64_t next_u64();                   ///< raw 64 engine bits
  double uniform();                      ///< U[0,1): 53 random bits
  double uniform_open();                 ///< U(0,1): never 0 or 1
  double uniform(double lo, double hi);  ///< U[lo,hi)
  int64_t uniform_int(int64_t n);        ///< uniform on {0,...,n-1}, unbiased; n >= 1
  double normal();                       ///< N(0,1) by inversion (Wichura AS241)
  double normal(double mean, double sd);
  double exponential(double rate = 1.0);  ///< Exp(rate) by inversion
  double gamma(double shape, double scale = 1.0);  ///< Marsaglia-Tsang (shape < 1 boosted)
  double chisq(double df);
  double beta(double a, double b);

 private:
  std::mt19937_64 eng_;
};

/// SplitMix64 finaliser, exposed for seed derivation.
uint64_t splitmix64(uint64_t x);

/// Standard normal quantile (Wichura AS241, ~1e-16 relative accuracy), p in (0,1).
double normal_quantile(double p);

}  // namespace hetmod
