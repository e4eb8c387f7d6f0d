// bench/sdp/prof_admm.cpp -- profile of the exact ADMM (iterations, time, eigen-decompositions) on the
// spec's isotropic design, K = 4, p = 10 (well separated: ratio 2; hard: ratio 0.8); prints wall and CPU time.
// Build (from /work/main, after building libhetmod.a in build-<ID>):
//   g++ -O2 -std=c++17 -Iinclude -Isrc bench/sdp/prof_admm.cpp build-<ID>/libhetmod.a -larmadillo -lnlopt \
//       -llapack -lopenblas -o /tmp/prof_admm
//   /tmp/prof_admm 200 500 1000      (env LOWRANK=0: full eigen-decompositions only; RELAX=1: no over-relaxation;
//                                     RITZ=0: no Rayleigh-Ritz partial solver; TOP=0: no dsyevr top eigenpairs)
//   /tmp/prof_admm ila 150 200 300   exact iLA-SDP (lifted ADMM sweeps) on the hetero4 design of bench_ila_5000.R
//                                    (K = 4, p = 5; drawn with hetmod::Rng, seed 1): sweeps, ADMM iterations, CPU
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "sdpcluster/internal.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

static long vmhwm_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// hetero4 (bench_ila_5000.R): two elongated clusters with crossed long axes, a unit ball and a diffuse ball.
static void hetero4(int n, Rng& rng, arma::mat& x, std::vector<int>& truth) {
  const double mu[4][5] = {{0, 0, 0, 0, 0}, {0, 3, 0, 0, 0}, {4, 4, 0, 0, 0}, {0, -5, 0, 4, 0}};
  const double var[4][5] = {{8, .2, .2, .2, .2}, {.2, .2, 8, .2, .2}, {1, 1, 1, 1, 1}, {3, 3, 3, 3, 3}};
  x.set_size(static_cast<arma::uword>(n), 5);
  truth.assign(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(static_cast<long>(i) * 4 / n);
    truth[static_cast<size_t>(i)] = c;
    for (int j = 0; j < 5; ++j) x(static_cast<arma::uword>(i), static_cast<arma::uword>(j)) = mu[c][j] + std::sqrt(var[c][j]) * rng.normal();
  }
}

static int run_ila(int argc, char** argv) {
  for (int a = 2; a < argc; ++a) {
    const int n = std::atoi(argv[a]);
    Rng gen(1);
    arma::mat x;
    std::vector<int> truth;
    hetero4(n, gen, x, truth);
    Options o;
    o.set("exact_max", 100000.0);
    if (const char* lr = std::getenv("LOWRANK")) o.set("lowrank_eig", std::atoi(lr) != 0);
    Rng rng(1);
    const std::clock_t c0 = std::clock();
    const auto t0 = std::chrono::steady_clock::now();
    const ClusterResult f = fit(data::MatView{x.memptr(), static_cast<int64_t>(n), 5}, 4, Method::ila_sdp, o, rng);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ila n=%4d sweeps=%d conv=%d wall=%7.2f s cpu=%7.2f s err=%.4f obj=%.6f VmHWM=%ld MB | %s\n", n,
                f.iterations, f.converged ? 1 : 0, wall, cpu, misclustering_rate(truth, f.labels), f.objective,
                vmhwm_kb() / 1024, f.messages.empty() ? "" : f.messages.back().c_str());
    std::printf("    sweep objectives:");
    for (double v : f.sweep_objective) std::printf(" %.8g", v);
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "ila") return run_ila(argc, argv);
  const char* lr = std::getenv("LOWRANK");
  for (int a = 1; a < argc; ++a) {
    const int n = std::atoi(argv[a]);
    for (double ratio : {2.0, 0.8}) {
      Rng rng(1);
      const SimData d = simulate_isotropic(n, 10, 4, ratio, rng);
      arma::mat x(d.x.data(), static_cast<arma::uword>(n), 10);
      x.each_row() -= arma::mean(x, 0);
      const arma::mat c = -x * x.t();
      detail::AdmmOptions o;
      if (lr) o.lowrank = std::atoi(lr) != 0;
      if (const char* rx = std::getenv("RELAX")) o.relax = std::atof(rx);
      if (const char* e = std::getenv("RITZ")) o.ritz = std::atoi(e) != 0;
      if (const char* e = std::getenv("TOP")) o.top_eig = std::atoi(e) != 0;
      arma::mat z;
      const std::clock_t c0 = std::clock();
      const Certificate cert = detail::admm_peng_wei(c, 4, o, z);
      const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      Rng r2(1);
      const arma::uvec lab = detail::spectral_round(z, 4, r2, 5);
      std::vector<int> l(lab.begin(), lab.end());
      std::printf("n=%5d ratio=%.1f it=%6d full=%5d partial=%6d rank=%d pres=%.1e dres=%.1e gap=%.1e conv=%d "
                  "time=%7.2f s (%.4f s/it) cpu=%7.2f s err=%.3f VmHWM=%ld MB\n",
                  n, ratio, cert.iterations, cert.full_eigs, cert.partial_eigs, cert.final_rank, cert.primal_residual,
                  cert.dual_residual, cert.gap, cert.converged ? 1 : 0, cert.seconds,
                  cert.seconds / std::max(1, cert.iterations), cpu, misclustering_rate(d.labels, l), vmhwm_kb() / 1024);
      std::fflush(stdout);
    }
  }
}
