// bench/sem/profile_hs.cpp -- C++ driver for profiling the HS CFA fit end to end (callgrind / perf).
//   g++ -O2 -g -std=c++17 -Iinclude bench/sem/profile_hs.cpp build/libhetmod.a -lnlopt -larmadillo -lpthread \
//       -o /tmp/profile_hs
//   valgrind --tool=callgrind /tmp/profile_hs tests/data/HolzingerSwineford1939.csv 50
// Args: csv path, repetitions (default 100), "big" for the 60-variable CFA on simulated data, "boot" for a
// 1000-replicate bootstrap.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hetmod/random/rng.hpp"
#include "hetmod/sem/bootstrap.hpp"
#include "hetmod/sem/model.hpp"

using namespace hetmod;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "tests/data/HolzingerSwineford1939.csv";
  const int reps = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string mode = argc > 3 ? argv[3] : "hs";
  std::string syntax;
  std::vector<std::string> names;
  std::vector<double> x;
  int64_t n = 0;
  if (mode == "big") {
    // 10 factors x 6 indicators, loadings 0.7, unit latent variances, residual variances 0.51
    const int nf = 10, per = 6, p = nf * per;
    n = 1000;
    Rng rng = Rng::for_stream(1, 0);
    x.assign(static_cast<std::size_t>(n * p), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int f = 0; f < nf; ++f) {
        const double eta = rng.normal();
        for (int j = 0; j < per; ++j) x[static_cast<std::size_t>(i + (f * per + j) * n)] = 0.7 * eta + std::sqrt(0.51) * rng.normal();
      }
    for (int f = 0; f < nf; ++f) {
      syntax += "f" + std::to_string(f + 1) + " =~ ";
      for (int j = 0; j < per; ++j) syntax += (j ? " + y" : "y") + std::to_string(f * per + j + 1);
      syntax += "\n";
    }
    for (int j = 0; j < p; ++j) names.push_back("y" + std::to_string(j + 1));
  } else {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::vector<double>> cols(9);
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string cell;
      int c = 0;
      while (std::getline(ss, cell, ',')) {
        if (c >= 6 && c < 15) cols[static_cast<std::size_t>(c - 6)].push_back(std::atof(cell.c_str()));
        ++c;
      }
      ++n;
    }
    for (const auto& c : cols) x.insert(x.end(), c.begin(), c.end());
    for (int j = 1; j <= 9; ++j) names.push_back("x" + std::to_string(j));
    syntax = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";
  }
  const auto t0 = std::chrono::steady_clock::now();
  sem::SemFit f;
  if (mode == "boot") {
    const sem::Model model = sem::make_model(syntax);
    const sem::SampleMoments s = sem::sample_moments(data::MatView(x.data(), n, 9), names);
    f = sem::fit(model, s);
    sem::FitOptions fo;
    fo.start = f.theta;
    for (int r = 0; r < reps; ++r) sem::bootstrap(model, s, fo, 1000, 1, argc > 4 ? std::atoi(argv[4]) : 1);
  } else {
    for (int r = 0; r < reps; ++r)
      f = sem::fit(syntax, data::MatView(x.data(), n, static_cast<int64_t>(names.size())), names);
  }
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %d reps, %.3f ms each; evaluations %d, chisq %.6f, converged %d\n", mode.c_str(), reps, 1e3 * dt / reps,
              f.convergence.iterations, f.measures.chisq, f.convergence.converged ? 1 : 0);
  return 0;
}
