// hetmod/random/rng.cpp -- the library's own random draws on top of std::mt19937_64.
//
// 1. Raw bits: std::mt19937_64 (sequence fixed by the C++ standard).
// 2. uniform(): top 53 bits * 2^-53 in [0,1); uniform_open(): (top 52 bits + 1/2) * 2^-52 in (0,1).
// 3. normal(): inversion, z = Phi^{-1}(U) with Wichura's algorithm AS241 (PPND16), Applied
//    Statistics 37 (1988) 477-484.
// 4. exponential(): inversion, -log(U)/rate.
// 5. gamma(): Marsaglia & Tsang (ACM TOMS 26, 2000, 363-372); shape < 1 by the boost
//    G(a) = G(a+1) * U^(1/a). Drawn on the log scale internally so beta() stays finite for tiny shapes.
// 6. chisq(df) = 2 * gamma(df/2); beta(a,b) = X/(X+Y) with X ~ G(a), Y ~ G(b).
// 7. uniform_int(n): rejection of the top (2^64 mod n) raw values, then modulo: exactly uniform.
// 8. for_stream(master, s): seed = splitmix64(master ^ splitmix64(s + golden gamma)).
#include "hetmod/random/rng.hpp"

#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"

namespace hetmod {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// log of a Gamma(shape, 1) draw; shape > 0 (checked by callers).
double log_gamma_draw(Rng& rng, double shape) {
  double boost = 0.0;  // log of U^(1/shape) for shape < 1
  double a = shape;
  if (a < 1.0) {
    boost = std::log(rng.uniform_open()) / a;
    a += 1.0;
  }
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v)))
      return std::log(d) + std::log(v) + boost;
  }
}

}  // namespace

uint64_t splitmix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed) : eng_(seed) {}

Rng Rng::for_stream(uint64_t master, uint64_t stream) {
  return Rng(splitmix64(master ^ splitmix64(stream + kGolden)));
}

uint64_t Rng::next_u64() { return eng_(); }

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform_open() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }

double Rng::uniform(double lo, double hi) {
  check::finite("Rng::uniform", "lo", lo);
  check::finite("Rng::uniform", "hi", hi);
  check::require(lo < hi, "Rng::uniform",
                 "hi is " + check::fmt(hi) + ", but must be > lo (" + check::fmt(lo) + ")");
  check::require(std::isfinite(hi - lo), "Rng::uniform", "hi - lo overflows");
  const double x = lo + (hi - lo) * uniform();
  return x < hi ? x : lo;  // guard against rounding up to hi
}

int64_t Rng::uniform_int(int64_t n) {
  check::at_least("Rng::uniform_int", "n", n, 1);
  const uint64_t un = static_cast<uint64_t>(n);
  const uint64_t threshold = (0 - un) % un;  // 2^64 mod n: the low values rejected
  for (;;) {
    const uint64_t x = next_u64();
    if (x >= threshold) return static_cast<int64_t>(x % un);
  }
}

double Rng::normal() { return normal_quantile(uniform_open()); }

double Rng::normal(double mean, double sd) {
  check::finite("Rng::normal", "mean", mean);
  check::nonnegative("Rng::normal", "sd", sd);
  return mean + sd * normal();
}

double Rng::exponential(double rate) {
  check::positive("Rng::exponential", "rate", rate);
  return -std::log(uniform_open()) / rate;
}

double Rng::gamma(double shape, double scale) {
  check::positive("Rng::gamma", "shape", shape);
  check::positive("Rng::gamma", "scale", scale);
  return std::exp(log_gamma_draw(*this, shape)) * scale;
}

double Rng::chisq(double df) {
  check::positive("Rng::chisq", "df", df);
  return 2.0 * std::exp(log_gamma_draw(*this, 0.5 * df));
}

double Rng::beta(double a, double b) {
  check::positive("Rng::beta", "a", a);
  check::positive("Rng::beta", "b", b);
  const double lx = log_gamma_draw(*this, a);
  const double ly = log_gamma_draw(*this, b);
  // X/(X+Y) = 1/(1+exp(ly-lx)), stable when both gammas underflow.
  return 1.0 / (1.0 + std::exp(ly - lx));
}

double normal_quantile(double p) {
  // The message is built only on failure: this runs once per normal draw.
  if (!(p > 0.0 && p < 1.0)) check::fail("normal_quantile", "p is " + check::fmt(p) + ", but must be in (0, 1)");
  // Wichura (1988), algorithm AS241 PPND16.
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
                4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r +
             1.3314166789178437745e+2) * r + 3.3871328727963666080e+0) /
           (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
                2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r +
             4.2313330701600911252e+1) * r + 1.0);
  }
  double r = q < 0 ? p : 1.0 - p;  // the smaller tail probability
  r = std::sqrt(-std::log(r));
  double val;
  if (r <= 5.0) {
    r -= 1.6;
    val = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
               1.27045825245236838258e+0) * r + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r +
            4.63033784615654529590e+0) * r + 1.42343711074968357734e+0) /
          (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
               1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r +
            2.05319162663775882187e+0) * r + 1.0);
  } else {
    r -= 5.0;
    val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
               2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r +
            5.46378491116411436990e+0) * r + 6.65790464350110377720e+0) /
          (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
               7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
            5.99832206555887937690e-1) * r + 1.0);
  }
  return q < 0 ? -val : val;
}

}  // namespace hetmod
