// bench/sdp/prof_admm.cpp -- profile of the exact ADMM (iterations, time, eigen-decompositions) on the
// spec's isotropic design, K = 4, p = 10 (well separated: ratio 2; hard: ratio 0.8); prints wall and CPU time.
// Build (from /work/main, after building libhetmod.a in build-<ID>):
//   g++ -O2 -std=c++17 -Iinclude -Isrc bench/sdp/prof_admm.cpp build-<ID>/libhetmod.a -larmadillo -lnlopt \
//       -llapack -lopenblas -o /tmp/prof_admm
//   /tmp/prof_admm 200 500 1000      (env LOWRANK=0: full eigen-decompositions only; RELAX=1: no over-relaxation)
#include <chrono>
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

int main(int argc, char** argv) {
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
