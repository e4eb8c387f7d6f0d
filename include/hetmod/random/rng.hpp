// hetmod/random/rng.hpp -- the library's own random number generator.
//
// Engine: std::mt19937_64 (its output sequence is fixed by the C++ standard). All derived draws
// (uniform, normal, exponential, gamma, ...) are computed here, never by std::*_distribution (which
// differ across standard libraries) nor by R's or Armadillo's RNG, so a seed gives the same numbers
// on every platform and in every adapter. Replicate i of a study uses Rng::for_stream(master, i):
// its seed is a SplitMix64 hash of (master, i), so results do not depend on the thread count.
// Invalid arguments throw Error(invalid_argument) naming the method and the argument, e.g.
// "Rng::gamma: shape is -1, but must be > 0".
#pragma once
#include <cstdint>
#include <random>

namespace hetmod {

/// Seeded random number generator; not thread-safe (use one per thread/replicate). Copyable.
class Rng {
 public:
  /// Engine seeded with `seed` (std::mt19937_64's single-integer seeding).
  explicit Rng(uint64_t seed = 20260101u);
  /// Independent stream number `stream` derived from `master` (replicates, folds, starts):
  /// seeded with splitmix64(master ^ splitmix64(stream + 0x9E3779B97F4A7C15)).
  static Rng for_stream(uint64_t master, uint64_t stream);

  uint64_t next_u64();                   ///< raw 64 engine bits
  double uniform();                      ///< U[0,1): 53 random bits
  double uniform_open();                 ///< U(0,1): never 0 or 1
  double uniform(double lo, double hi);  ///< U[lo,hi)
  int64_t uniform_int(int64_t n);        ///< uniform on {0,...,n-1}, unbiased; n >= 1
  double normal();                       ///< N(0,1) by inversion (Wichura AS241)
  double normal(double mean, double sd);  ///< N(mean, sd^2); sd >= 0
  double exponential(double rate = 1.0);  ///< Exp(rate) by inversion; rate > 0
  double gamma(double shape, double scale = 1.0);  ///< Marsaglia-Tsang (shape < 1 boosted); shape, scale > 0
  double chisq(double df);          ///< chi-square(df) = 2 * Gamma(df/2); df > 0
  double beta(double a, double b);  ///< Beta(a, b) = X/(X+Y), X ~ Gamma(a), Y ~ Gamma(b); a, b > 0

 private:
  std::mt19937_64 eng_;
};

/// SplitMix64 finaliser (SplitMix64's mixing step, without the state increment), for seed derivation.
uint64_t splitmix64(uint64_t x);

/// Standard normal quantile (Wichura AS241, ~1e-16 relative accuracy); p outside (0,1) throws
/// Error(invalid_argument).
double normal_quantile(double p);

}  // namespace hetmod
