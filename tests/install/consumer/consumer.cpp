// consumer.cpp -- a C++ program built against an installed hetmod (C++ headers + static library).
// Prints the version, uses Options and a named check, runs a simulation study and round-trips a
// FitResult through the serialiser. Exit status 0 on success.
#include <cstdio>
#include <string>

#include "hetmod/core/check.hpp"
#include "hetmod/core/error.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/core/result.hpp"
#include "hetmod/core/version.hpp"
#include "hetmod/sim/harness.hpp"

#define REQUIRE(cond)                                          \
  do {                                                         \
    if (!(cond)) {                                             \
      std::fprintf(stderr, "consumer_cpp: %s failed\n", #cond); \
      return 1;                                                \
    }                                                          \
  } while (0)

int main() {
  std::printf("consumer_cpp: hetmod %s\n", HETMOD_VERSION_STRING);

  hetmod::Options opt;
  opt.set("n", 20.0);
  REQUIRE(opt.get_int("n", 0) == 20);

  bool threw = false;
  try {
    hetmod::check::positive("consumer", "sigma", -1.0);
  } catch (const hetmod::Error& e) {
    threw = e.status() == hetmod::Status::invalid_argument || e.status() == hetmod::Status::domain;
    std::printf("consumer_cpp: expected error: %s\n", e.what());
  }
  REQUIRE(threw);

  hetmod::sim::StudyOptions so;
  so.seed = 42;
  so.first = 0;
  so.last = 49;
  so.threads = 2;
  hetmod::sim::StudyResult res = hetmod::sim::run_study(hetmod::sim::make_study("normal_mean", opt), so);
  REQUIRE(res.rows.size() == 50 && res.summary.size() == 2);
  std::printf("consumer_cpp: normal_mean, 50 replicates: mean(mu) = %.4f, coverage(mu) = %.2f\n",
              res.summary[0].mean, res.summary[0].coverage);

  hetmod::FitResult fit;
  fit.family = "test";
  fit.coef_names = {"a"};
  fit.coef = {1.5};
  fit.vcov = {0.25};
  const hetmod::FitResult back = hetmod::deserialize(hetmod::serialize(fit));
  REQUIRE(back.family == "test" && back.coef.size() == 1 && back.coef[0] == 1.5 && back.vcov[0] == 0.25);

  std::printf("consumer_cpp: ok\n");
  return 0;
}
