// Tests of hetmod::Rng and hetmod::normal_quantile: reproducibility, known engine/hash values,
// stream independence, quantile accuracy, moments with Monte Carlo tolerances, bad arguments.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"

using hetmod::Rng;

namespace {

struct Stats {
  double mean = 0, var = 0;
};
Stats stats(const std::vector<double>& x) {
  Stats s;
  for (double v : x) s.mean += v;
  s.mean /= static_cast<double>(x.size());
  for (double v : x) s.var += (v - s.mean) * (v - s.mean);
  s.var /= static_cast<double>(x.size() - 1);
  return s;
}

// Checks mean and variance of N draws against (mu, var) within 4 Monte Carlo SEs. The SE of the sample
// variance is sqrt((mu4 - var^2)/N), with mu4 the fourth central moment.
template <class Draw>
void check_moments(Draw draw, int n, double mu, double var, double mu4) {
  std::vector<double> x(static_cast<size_t>(n));
  for (auto& v : x) v = draw();
  const Stats s = stats(x);
  const double se_mean = std::sqrt(var / n);
  const double se_var = std::sqrt((mu4 - var * var) / n);
  INFO("mean " << s.mean << " expected " << mu << " se " << se_mean);
  CHECK(std::fabs(s.mean - mu) < 4 * se_mean);
  INFO("var " << s.var << " expected " << var << " se " << se_var);
  CHECK(std::fabs(s.var - var) < 4 * se_var);
}

bool throws_invalid(const std::function<void()>& f, const std::string& message = "") {
  try {
    f();
  } catch (const hetmod::Error& e) {
    return e.status() == hetmod::Status::invalid_argument && (message.empty() || message == e.what());
  }
  return false;
}

}  // namespace

TEST_CASE("engine is the standard mt19937_64", "[random]") {
  Rng rng(5489u);
  CHECK(rng.next_u64() == 14514284786278117030ull);
  Rng rng2(5489u);
  uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = rng2.next_u64();
  CHECK(x == 9981545732273789042ull);  // [rand.predef]: the 10000th output for the default seed
}

TEST_CASE("splitmix64 matches the reference SplitMix64 output", "[random]") {
  // SplitMix64 with state 0: the state is advanced by the golden gamma, then finalised.
  CHECK(hetmod::splitmix64(0x9E3779B97F4A7C15ull) == 0xE220A8397B1DCDAFull);
  CHECK(hetmod::splitmix64(0) == 0);
}

TEST_CASE("same seed gives the same sequence of every kind of draw", "[random]") {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    const double ua = a.uniform(), ub = b.uniform(), uc = c.uniform();
    CHECK(ua == ub);
    differs = differs || ua != uc;
    CHECK(a.normal() == b.normal());
    CHECK(a.gamma(0.7, 2) == b.gamma(0.7, 2));
    CHECK(a.beta(2, 3) == b.beta(2, 3));
    CHECK(a.uniform_int(7) == b.uniform_int(7));
    CHECK(a.exponential(3) == b.exponential(3));
  }
  CHECK(differs);
  Rng d(42), e = d;  // copies continue identically
  CHECK(d.next_u64() == e.next_u64());
}

TEST_CASE("for_stream depends only on (master, stream)", "[random]") {
  std::vector<double> forward(10), backward(10);
  for (int s = 0; s < 10; ++s) forward[static_cast<size_t>(s)] = Rng::for_stream(7, static_cast<uint64_t>(s)).normal();
  for (int s = 9; s >= 0; --s) backward[static_cast<size_t>(s)] = Rng::for_stream(7, static_cast<uint64_t>(s)).normal();
  CHECK(forward == backward);
  // Streams differ from each other and from other masters.
  for (int s = 1; s < 10; ++s) CHECK(forward[static_cast<size_t>(s)] != forward[0]);
  CHECK(Rng::for_stream(8, 0).next_u64() != Rng::for_stream(7, 0).next_u64());
  CHECK(Rng::for_stream(0, 1).next_u64() != Rng::for_stream(1, 0).next_u64());
  // Adjacent streams are uncorrelated: correlation of paired uniforms over 4000 streams within 4 SEs.
  const int m = 4000;
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int s = 0; s < m; ++s) {
    const double x = Rng::for_stream(123, static_cast<uint64_t>(s)).uniform();
    const double y = Rng::for_stream(123, static_cast<uint64_t>(s + 1)).uniform();
    sx += x; sy += y; sxy += x * y; sxx += x * x; syy += y * y;
  }
  const double cov = sxy / m - (sx / m) * (sy / m);
  const double r = cov / std::sqrt((sxx / m - (sx / m) * (sx / m)) * (syy / m - (sy / m) * (sy / m)));
  CHECK(std::fabs(r) < 4 / std::sqrt(static_cast<double>(m)));
}

TEST_CASE("normal_quantile matches reference values", "[random]") {
  // Reference values from R's qnorm (also AS241) and high-precision tables.
  CHECK(hetmod::normal_quantile(0.5) == 0.0);
  CHECK(hetmod::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  CHECK(hetmod::normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-14));
  CHECK(hetmod::normal_quantile(0.841344746068542948) == Approx(1.0).epsilon(1e-14));
  CHECK(hetmod::normal_quantile(0.3) == Approx(-0.5244005127080407).epsilon(1e-14));    // central branch
  CHECK(hetmod::normal_quantile(0.01) == Approx(-2.326347874040841).epsilon(1e-14));    // r <= 5 branch
  CHECK(hetmod::normal_quantile(1e-300) == Approx(-37.0470962993612).epsilon(1e-13));     // r > 5 branch
  for (double p : {1e-12, 1e-5, 0.01, 0.2, 0.4, 0.49}) {
    const double q = 1 - p;  // rounded; 1 - q is exact
    INFO("q = " << q);
    CHECK(hetmod::normal_quantile(q) == Approx(-hetmod::normal_quantile(1 - q)).epsilon(1e-14));
  }
  // Monotone across the branch boundaries (q = +-0.425, r = 5).
  double prev = -INFINITY;
  for (double p = 1e-15; p < 1; p = p < 0.5 ? p * 1.7 : 1 - (1 - p) / 1.7) {
    const double z = hetmod::normal_quantile(p);
    CHECK(z > prev);
    prev = z;
    if (1 - p < 1e-15) break;
  }
  CHECK(throws_invalid([] { hetmod::normal_quantile(0); }, "normal_quantile: p is 0, but must be in (0, 1)"));
  CHECK(throws_invalid([] { hetmod::normal_quantile(1); }));
  CHECK(throws_invalid([] { hetmod::normal_quantile(NAN); }));
}

TEST_CASE("uniform draws lie in their ranges", "[random]") {
  Rng rng(1);
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double v = rng.uniform_open();
    REQUIRE(v > 0.0);
    REQUIRE(v < 1.0);
    const double w = rng.uniform(-2.0, 3.0);
    REQUIRE(w >= -2.0);
    REQUIRE(w < 3.0);
  }
  // U[0,1): mean 1/2, variance 1/12, mu4 = 1/80.
  check_moments([&] { return rng.uniform(); }, 200000, 0.5, 1.0 / 12, 1.0 / 80);
}

TEST_CASE("normal moments", "[random]") {
  Rng rng(2);
  check_moments([&] { return rng.normal(); }, 200000, 0.0, 1.0, 3.0);
  const double sd = 2.5;
  check_moments([&] { return rng.normal(-1.0, sd); }, 200000, -1.0, sd * sd, 3 * std::pow(sd, 4));
  // Tail frequency: P(Z > 1.96) = 0.025.
  int hits = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) hits += rng.normal() > 1.959963984540054;
  CHECK(std::fabs(hits / double(n) - 0.025) < 4 * std::sqrt(0.025 * 0.975 / n));
}

TEST_CASE("exponential moments", "[random]") {
  Rng rng(3);
  const double rate = 2.0;  // mean 1/rate, var 1/rate^2, mu4 = 9/rate^4
  check_moments([&] { return rng.exponential(rate); }, 200000, 1 / rate, 1 / (rate * rate), 9 / std::pow(rate, 4));
}

TEST_CASE("gamma moments", "[random]") {
  Rng rng(4);
  // Gamma(k, theta): mean k theta, var k theta^2, mu4 = 3k(k+2) theta^4.
  for (double k : {0.5, 2.5, 7.0}) {
    const double theta = 1.5;
    INFO("shape " << k);
    check_moments([&] { return rng.gamma(k, theta); }, 200000, k * theta, k * theta * theta,
                  3 * k * (k + 2) * std::pow(theta, 4));
  }
  // chi-square(df) = Gamma(df/2, 2).
  const double df = 3;
  check_moments([&] { return rng.chisq(df); }, 200000, df, 2 * df, 12 * df * (df + 4));
  // Tiny shapes stay finite and non-negative.
  for (int i = 0; i < 1000; ++i) {
    const double g = rng.gamma(1e-3);
    REQUIRE(std::isfinite(g));
    REQUIRE(g >= 0);
  }
}

TEST_CASE("beta moments", "[random]") {
  Rng rng(5);
  for (auto ab : {std::pair<double, double>{2, 3}, std::pair<double, double>{0.5, 0.5}}) {
    const double a = ab.first, b = ab.second, s = a + b;
    const double mean = a / s, var = a * b / (s * s * (s + 1));
    // Fourth central moment of the beta distribution.
    const double mu4 = 3 * a * b * (a * b * (s - 6) + 2 * s * s) / (std::pow(s, 4) * (s + 1) * (s + 2) * (s + 3));
    INFO("a " << a << " b " << b);
    check_moments([&] { return rng.beta(a, b); }, 200000, mean, var, mu4);
  }
  for (int i = 0; i < 1000; ++i) {
    const double x = rng.beta(1e-3, 1e-3);
    REQUIRE(x >= 0);
    REQUIRE(x <= 1);
  }
}

TEST_CASE("uniform_int is uniform", "[random]") {
  Rng rng(6);
  const int k = 7, n = 140000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) {
    const int64_t v = rng.uniform_int(k);
    REQUIRE(v >= 0);
    REQUIRE(v < k);
    ++counts[static_cast<size_t>(v)];
  }
  const double p = 1.0 / k, se = std::sqrt(n * p * (1 - p));
  double chi2 = 0;
  for (int c : counts) {
    CHECK(std::fabs(c - n * p) < 4 * se);
    chi2 += (c - n * p) * (c - n * p) / (n * p);
  }
  // chi-square with k-1 = 6 df: mean 6, sd sqrt(12); 6 + 4 sd ~ 19.9.
  CHECK(chi2 < 6 + 4 * std::sqrt(12.0));
  CHECK(rng.uniform_int(1) == 0);
  // A huge n (not a power of two) still works and covers the top half.
  const int64_t big = (int64_t(1) << 62) + 12345;
  int upper = 0;
  for (int i = 0; i < 2000; ++i) upper += rng.uniform_int(big) >= big / 2;
  CHECK(std::fabs(upper - 1000) < 4 * std::sqrt(500.0));
}

TEST_CASE("bad arguments throw named errors", "[random]") {
  Rng rng(7);
  CHECK(throws_invalid([&] { rng.gamma(-1); }, "Rng::gamma: shape is -1, but must be > 0"));
  CHECK(throws_invalid([&] { rng.gamma(1, 0); }, "Rng::gamma: scale is 0, but must be > 0"));
  CHECK(throws_invalid([&] { rng.gamma(NAN); }));
  CHECK(throws_invalid([&] { rng.exponential(0); }, "Rng::exponential: rate is 0, but must be > 0"));
  CHECK(throws_invalid([&] { rng.normal(0, -1); }, "Rng::normal: sd is -1, but must be >= 0"));
  CHECK(throws_invalid([&] { rng.normal(INFINITY, 1); }));
  CHECK(throws_invalid([&] { rng.chisq(0); }, "Rng::chisq: df is 0, but must be > 0"));
  CHECK(throws_invalid([&] { rng.beta(1, -2); }, "Rng::beta: b is -2, but must be > 0"));
  CHECK(throws_invalid([&] { rng.uniform_int(0); }, "Rng::uniform_int: n is 0, but must be >= 1"));
  CHECK(throws_invalid([&] { rng.uniform(1, 1); }, "Rng::uniform: hi is 1, but must be > lo (1)"));
  CHECK(throws_invalid([&] { rng.uniform(0, INFINITY); }));
  CHECK(rng.normal(3, 0) == 3);
}
