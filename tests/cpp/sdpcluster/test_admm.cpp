// Exact SDP solver: projections, Peng-Wei exact recovery, certificate, CSDP agreement, LA-SDP reduction.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

namespace {
arma::mat random_sym(arma::uword n, Rng& rng) {
  arma::mat a(n, n);
  for (auto& v : a) v = rng.normal();
  return 0.5 * (a + a.t());
}
arma::mat block_z(const std::vector<int>& lab, int k) {
  const arma::uword n = lab.size();
  arma::mat z(n, n, arma::fill::zeros);
  std::vector<double> cnt(static_cast<size_t>(k), 0.0);
  for (int l : lab) cnt[static_cast<size_t>(l)] += 1;
  for (arma::uword i = 0; i < n; ++i)
    for (arma::uword j = 0; j < n; ++j)
      if (lab[i] == lab[j]) z(i, j) = 1.0 / cnt[static_cast<size_t>(lab[i])];
  return z;
}
}  // namespace

TEST_CASE("affine and PSD projections satisfy their constraints", "[sdp]") {
  Rng rng(4);
  for (int kb : {1, 3}) {
    const arma::uword n = 12;
    std::vector<arma::mat> v;
    for (int b = 0; b < kb; ++b) v.push_back(random_sym(n, rng));
    arma::vec t(static_cast<arma::uword>(kb));
    for (int b = 0; b < kb; ++b) t(static_cast<arma::uword>(b)) = kb == 1 ? 4.0 : 1.0;
    const auto x = detail::project_affine_lifted(v, t);
    arma::vec rs(n, arma::fill::zeros);
    for (int b = 0; b < kb; ++b) {
      rs += arma::sum(x[static_cast<size_t>(b)], 1);
      REQUIRE(std::abs(arma::trace(x[static_cast<size_t>(b)]) - t(static_cast<arma::uword>(b))) < 1e-12);
      REQUIRE(arma::norm(x[static_cast<size_t>(b)] - x[static_cast<size_t>(b)].t(), "inf") < 1e-12);
    }
    REQUIRE(arma::abs(rs - 1.0).max() < 1e-12);
    // optimality: V - X is in the span of the constraint normals, so <V - X, X' - X> = 0 for any feasible X'
    std::vector<arma::mat> v2;
    for (int b = 0; b < kb; ++b) v2.push_back(random_sym(n, rng));
    const auto x2 = detail::project_affine_lifted(v2, t);
    double ip = 0;
    for (int b = 0; b < kb; ++b) ip += arma::dot(v[static_cast<size_t>(b)] - x[static_cast<size_t>(b)],
                                                 x2[static_cast<size_t>(b)] - x[static_cast<size_t>(b)]);
    REQUIRE(std::abs(ip) < 1e-10);
  }
  // PSD + affine projection of Peng-Wei
  const arma::mat v = random_sym(15, rng);
  int rank = 0;
  const arma::mat z = detail::project_psd_affine(v, 3.0, &rank);
  REQUIRE(arma::abs(arma::sum(z, 1) - 1.0).max() < 1e-12);
  REQUIRE(std::abs(arma::trace(z) - 3.0) < 1e-12);
  arma::vec ev = arma::eig_sym(z);
  REQUIRE(ev.min() > -1e-12);
  REQUIRE(rank >= 2);
  // projection property: <V - Z, W - Z> <= 0 for feasible W (a block membership matrix)
  std::vector<int> lab(15);
  for (int i = 0; i < 15; ++i) lab[static_cast<size_t>(i)] = i % 3;
  REQUIRE(arma::dot(v - z, block_z(lab, 3) - z) <= 1e-10);
}

TEST_CASE("Peng-Wei ADMM: exact recovery above the threshold, certificate", "[sdp]") {
  int exact = 0;
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    // ratio 2: at n = 200 the asymptotic cutoff 1.5 is not always tight (seed 2 gave ||Z - Z*|| = 2%)
    Rng rng(seed);
    const SimData d = simulate_isotropic(200, 20, 4, 2.0, rng);
    Options o;
    o.set("keep_membership", 1.0);
    const ClusterResult f = fit(d.view(), 4, Method::sdp_kmeans, o, rng);
    INFO("seed " << seed << " iterations " << f.certificate.iterations << " seconds " << f.certificate.seconds
                 << " gap " << f.certificate.gap << " pres " << f.certificate.primal_residual);
    REQUIRE(f.certificate.converged);
    REQUIRE(f.certificate.gap <= 1e-6);
    REQUIRE(misclustering_rate(d.labels, f.labels) == 0.0);
    const arma::mat z(f.membership.data(), 200, 200);
    const arma::mat zs = block_z(d.labels, 4);
    const double rel = arma::norm(z - zs, "fro") / arma::norm(zs, "fro");
    INFO("rel " << rel);
    CHECK(rel < 1e-4);
    if (rel < 1e-4) ++exact;
    // objective = relaxed within-SS: equals the k-means inertia of the recovered partition
    Options ko;
    const ClusterResult km = fit(d.view(), 4, Method::kmeans, ko, rng);
    REQUIRE(f.objective == Approx(km.objective).epsilon(1e-5));
  }
  REQUIRE(exact == 2);
}

TEST_CASE("Peng-Wei ADMM: below the threshold recovery fails", "[sdp]") {
  double err = 0;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Rng rng(100 + seed);
    const SimData d = simulate_isotropic(80, 20, 4, 0.5, rng);
    Options o;
    o.set("sdp_max_iter", 300.0);
    const ClusterResult f = fit(d.view(), 4, Method::sdp_kmeans, o, rng);
    err += misclustering_rate(d.labels, f.labels);
  }
  REQUIRE(err / 3 > 0.0);
}

TEST_CASE("Peng-Wei ADMM agrees with CSDP at n = 30", "[sdp]") {
  if (access("/usr/bin/csdp", X_OK) != 0) {
    WARN("csdp not installed: skipped");
    return;
  }
  Rng rng(9);
  const SimData d = simulate_isotropic(30, 4, 3, 0.8, rng);
  arma::mat x(d.x.data(), 30, 4);
  x.each_row() -= arma::mean(x, 0);
  const arma::mat c = -x * x.t();
  const int n = 30, k = 3;
  // SDPA sparse format, CSDP maximises tr(F0 X) s.t. tr(Fi X) = ci, X = blockdiag(Z psd, s >= 0 slack diag).
  // Constraints: tr Z = k; (Z 1)_i = 1 (n); Z_ij - s_ij = 0 for i < j (nonnegativity of off-diagonals
  // through a diagonal block of slacks). Diagonal entries are >= 0 by Z psd.
  const int npairs = n * (n - 1) / 2;
  const int m = 1 + n + npairs;
  std::ostringstream f;
  f << m << "\n2\n" << n << " " << -npairs << "\n";
  f << k;
  for (int i = 0; i < n; ++i) f << " 1";
  for (int i = 0; i < npairs; ++i) f << " 0";
  f << "\n";
  f.precision(17);
  // F0 = -C (maximise <-C, Z>)
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j)
      if (c(i, j) != 0) f << "0 1 " << i + 1 << " " << j + 1 << " " << -c(i, j) << "\n";
  for (int i = 0; i < n; ++i) f << "1 1 " << i + 1 << " " << i + 1 << " 1\n";
  for (int i = 0; i < n; ++i) {  // (Z1)_i = sum_j Z_ij: symmetric matrix with 1 on row/col i, 1 on (i,i)
    for (int j = 0; j < n; ++j) {
      if (j == i) f << 2 + i << " 1 " << i + 1 << " " << i + 1 << " 1\n";
      else if (j > i) f << 2 + i << " 1 " << i + 1 << " " << j + 1 << " 0.5\n";
      else f << 2 + i << " 1 " << j + 1 << " " << i + 1 << " 0.5\n";
    }
  }
  int idx = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      const int con = 2 + n + idx;
      f << con << " 1 " << i + 1 << " " << j + 1 << " 0.5\n";
      f << con << " 2 " << idx + 1 << " " << idx + 1 << " -1\n";
      ++idx;
    }
  char dir[] = "/tmp/hetmod_sdp_XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string in = std::string(dir) + "/pw.dat-s", out = std::string(dir) + "/pw.sol", log = std::string(dir) + "/pw.log";
  { std::ofstream o(in); o << f.str(); }
  const std::string cmd = "/usr/bin/csdp " + in + " " + out + " > " + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream lg(log);
  std::string line, all;
  double pobj = std::nan("");
  while (std::getline(lg, line)) {
    all += line + "\n";
    if (line.rfind("Primal objective value:", 0) == 0) pobj = std::stod(line.substr(23));
  }
  INFO(all);
  REQUIRE(rc == 0);
  REQUIRE(std::isfinite(pobj));
  arma::mat z;
  detail::AdmmOptions ao;
  ao.tol = 1e-8;
  const Certificate cert = detail::admm_peng_wei(c, k, ao, z);
  REQUIRE(cert.converged);
  // CSDP maximises <-C, Z>; ADMM minimises <C, Z>
  REQUIRE(-cert.primal_objective == Approx(pobj).epsilon(1e-5));
  REQUIRE(-cert.dual_objective == Approx(pobj).epsilon(1e-5));
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(log.c_str());
  rmdir(dir);
}
