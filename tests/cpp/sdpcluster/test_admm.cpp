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

namespace {
// Symmetric n x n matrix with `rank` large positive eigenvalues and a negative semidefinite bulk
// (optionally double-centred, so that 1 is in its null space).
arma::mat known_rank(arma::uword n, arma::uword rank, bool centred, Rng& rng) {
  arma::mat g(n, n), f(n, rank);
  for (auto& v : g) v = rng.normal();
  for (auto& v : f) v = rng.normal();
  arma::mat a = -0.05 * (g * g.t()) / static_cast<double>(n);
  arma::vec w = arma::linspace(3.0, 1.0, rank);
  a += f * arma::diagmat(w) * f.t() / static_cast<double>(n);
  a = 0.5 * (a + a.t());
  if (centred) {
    const arma::vec r = arma::mean(a, 1);
    const double s = arma::mean(r);
    a.each_col() -= r;
    a.each_row() -= r.t();
    a += s;
  }
  return a;
}
arma::mat full_projection(const arma::mat& a, double t, bool centred) {
  if (centred) {  // project_psd_affine minus its J/n part
    arma::mat z = detail::project_psd_affine(a, t + 1.0);
    return z - 1.0 / static_cast<double>(a.n_rows);
  }
  arma::vec ev;
  arma::mat q;
  arma::eig_sym(ev, q, a);
  const double th = detail::simplex_shift(arma::reverse(ev), t);
  const arma::uvec pos = arma::find(ev > th);
  return q.cols(pos) * arma::diagmat(ev(pos) - th) * q.cols(pos).t();
}
}  // namespace

TEST_CASE("low-rank PSD projection equals the full projection", "[sdp]") {
  Rng rng(31);
  for (bool centred : {false, true}) {
    const arma::uword n = 240;
    const arma::mat a = known_rank(n, 4, centred, rng);
    const arma::mat full = full_projection(a, 2.0, centred);
    // cold start from a random basis: many expansions allowed
    arma::mat basis(n, 14);
    for (auto& v : basis) v = rng.normal();
    arma::mat qp;
    arma::vec lp;
    REQUIRE(detail::partial_psd_trace(a, 2.0, centred, basis, qp, lp, 40, 1e-11));
    const arma::mat part = qp * arma::diagmat(lp) * qp.t();
    INFO("centred " << centred << " kept " << qp.n_cols);
    REQUIRE(arma::norm(part - full, "fro") < 1e-8 * arma::norm(full, "fro"));
    REQUIRE(std::abs(arma::accu(lp) - 2.0) < 1e-10);
    if (centred) REQUIRE(arma::abs(arma::sum(part, 1)).max() < 1e-10);
    // warm start on a perturbed matrix: converges in a few expansions to the new projection
    arma::mat e = 1e-5 * random_sym(n, rng) / std::sqrt(static_cast<double>(n));
    if (centred) {
      const arma::vec r = arma::mean(e, 1);
      const double s = arma::mean(r);
      e.each_col() -= r;
      e.each_row() -= r.t();
      e += s;
    }
    const arma::mat a2 = a + e;
    REQUIRE(detail::partial_psd_trace(a2, 2.0, centred, basis, qp, lp, 8, 1e-11));
    const arma::mat full2 = full_projection(a2, 2.0, centred);
    REQUIRE(arma::norm(qp * arma::diagmat(lp) * qp.t() - full2, "fro") < 1e-8 * arma::norm(full2, "fro"));
  }
  // a basis too small for the kept rank is refused, not silently wrong
  const arma::mat a = known_rank(200, 8, false, rng);
  arma::mat basis(200, 6);
  for (auto& v : basis) v = rng.normal();
  arma::mat qp;
  arma::vec lp;
  REQUIRE_FALSE(detail::partial_psd_trace(a, 20.0, false, basis, qp, lp, 3, 1e-11));
}

TEST_CASE("Peng-Wei ADMM: low-rank projections give the full-projection solution; warm start", "[sdp]") {
  Rng rng(1);
  const SimData d = simulate_isotropic(200, 10, 4, 2.0, rng);
  arma::mat x(d.x.data(), 200, 10);
  x.each_row() -= arma::mean(x, 0);
  const arma::mat c = -x * x.t();
  detail::AdmmOptions full, low;
  full.lowrank = false;
  full.tol = low.tol = 1e-7;
  arma::mat zf, zl, w;
  const Certificate cf = detail::admm_peng_wei(c, 4, full, zf);
  const Certificate cl = detail::admm_peng_wei(c, 4, low, zl, &w);
  INFO("full: it " << cf.iterations << " low: it " << cl.iterations << " partial " << cl.partial_eigs << " full "
                   << cl.full_eigs);
  REQUIRE(cf.converged);
  REQUIRE(cl.converged);
  REQUIRE(cf.partial_eigs == 0);
  REQUIRE(cl.partial_eigs > cl.full_eigs);
  REQUIRE(cl.primal_objective == Approx(cf.primal_objective).epsilon(1e-6));
  REQUIRE(arma::norm(zl - zf, "fro") < 1e-3 * arma::norm(zf, "fro"));
  // the returned point is the PSD iterate: Z 1 = 1 and tr Z = k exactly, Z >= 0 up to the tolerance
  REQUIRE(arma::abs(arma::sum(zl, 1) - 1.0).max() < 1e-10);
  REQUIRE(std::abs(arma::trace(zl) - 4.0) < 1e-10);
  REQUIRE(zl.min() > -1e-4);
  // warm start from (Z, W, rho): immediate convergence
  detail::AdmmOptions warm = low;
  warm.rho = cl.rho;
  const Certificate cw = detail::admm_peng_wei(c, 4, warm, zl, &w);
  INFO("warm iterations " << cw.iterations);
  REQUIRE(cw.converged);
  REQUIRE(cw.iterations <= 20);
}

TEST_CASE("lifted ADMM: low-rank projections give the full-projection solution", "[sdp]") {
  Rng rng(13);
  const SimData d = simulate_design("D2", 80, rng);
  std::vector<arma::mat> sig;
  const std::vector<double> cv = design_covariances("D2");
  for (int b = 0; b < 2; ++b) sig.emplace_back(cv.data() + 4 * b, 2, 2);
  const arma::mat x(d.x.data(), 80, 2);
  const std::vector<arma::mat> c = detail::la_costs(x, sig, 0.0);
  const arma::vec t(2, arma::fill::ones);
  detail::AdmmOptions full, low;
  full.lowrank = false;
  std::vector<arma::mat> zf, zl;
  const Certificate cf = detail::admm_lifted(c, t, full, zf);
  const Certificate cl = detail::admm_lifted(c, t, low, zl);
  INFO("full: it " << cf.iterations << " low: it " << cl.iterations << " partial " << cl.partial_eigs);
  REQUIRE(cf.converged);
  REQUIRE(cl.converged);
  REQUIRE(cl.partial_eigs > 0);
  REQUIRE(cl.primal_objective == Approx(cf.primal_objective).epsilon(1e-5));
  arma::vec rs(80, arma::fill::zeros);
  for (const auto& b : zl) {
    REQUIRE(b.min() >= 0.0);
    rs += arma::sum(b, 1);
  }
  REQUIRE(arma::abs(rs - 1.0).max() < 1e-4);
}

TEST_CASE("top eigenpairs by dsyevr give the full-projection solution (Peng-Wei and lifted)", "[sdp]") {
  // the Rayleigh-Ritz partial solver off, so that every settled-rank projection goes through dsyevr
  detail::AdmmOptions full, top;
  full.lowrank = false;
  top.ritz = false;
  full.tol = top.tol = 1e-7;
  {
    Rng rng(1);
    const SimData d = simulate_isotropic(120, 10, 4, 2.0, rng);
    arma::mat x(d.x.data(), 120, 10);
    x.each_row() -= arma::mean(x, 0);
    const arma::mat c = -x * x.t();
    arma::mat zf, zt;
    const Certificate cf = detail::admm_peng_wei(c, 4, full, zf);
    const Certificate ct = detail::admm_peng_wei(c, 4, top, zt);
    INFO("full: it " << cf.iterations << " top: it " << ct.iterations << " partial " << ct.partial_eigs);
    REQUIRE(cf.converged);
    REQUIRE(ct.converged);
    REQUIRE(ct.partial_eigs > ct.full_eigs);
    REQUIRE(ct.iterations == cf.iterations);  // exact projections: the same iterates up to rounding
    REQUIRE(ct.primal_objective == Approx(cf.primal_objective).epsilon(1e-9));
    REQUIRE(ct.gap <= 1e-7);
  }
  {
    Rng rng(13);
    const SimData d = simulate_design("D2", 80, rng);
    std::vector<arma::mat> sig;
    const std::vector<double> cv = design_covariances("D2");
    for (int b = 0; b < 2; ++b) sig.emplace_back(cv.data() + 4 * b, 2, 2);
    const arma::mat x(d.x.data(), 80, 2);
    const std::vector<arma::mat> c = detail::la_costs(x, sig, 0.0);
    const arma::vec t(2, arma::fill::ones);
    std::vector<arma::mat> zf, zt;
    const Certificate cf = detail::admm_lifted(c, t, full, zf);
    const Certificate ct = detail::admm_lifted(c, t, top, zt);
    INFO("full: it " << cf.iterations << " top: it " << ct.iterations << " partial " << ct.partial_eigs);
    REQUIRE(cf.converged);
    REQUIRE(ct.converged);
    REQUIRE(ct.partial_eigs > 0);
    REQUIRE(ct.primal_objective == Approx(cf.primal_objective).epsilon(1e-6));
    REQUIRE(ct.gap <= 1e-7);
    for (size_t b = 0; b < 2; ++b) REQUIRE(arma::norm(zt[b] - zf[b], "fro") < 1e-4 * (1.0 + arma::norm(zf[b], "fro")));
  }
}
