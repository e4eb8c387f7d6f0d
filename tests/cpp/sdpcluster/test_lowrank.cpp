// Low-rank (Burer-Monteiro) path reaches the SDP optimum: objective against the exact ADMM at tol 1e-8 on the
// cases that stopped at spurious first-order points before the L-BFGS inner solver and the second-order
// escape (iris subset k = 3, 4; design D5; LA-SDP on D2 at n = 80), and the dual lower bound is valid.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"
#include "sdp_test_util.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

namespace {

// iris (tests/data/sdp_iris.csv), every third row: 50 x 4
std::vector<double> iris_subset(int64_t& n, int64_t& p) { return sdp_test::read_matrix_csv("sdp_iris.csv", n, p, 3); }

struct Pair {
  ClusterResult exact, lowrank;
};

Pair both(const data::MatView& x, int k, Method m, Options o) {
  Pair out;
  Options ex = o;
  ex.set("solver", std::string("admm"));
  ex.set("tol", 1e-8);
  ex.set("sdp_max_iter", 200000.0);
  Rng r1(3), r2(3);
  out.exact = fit(x, k, m, ex, r1);
  o.set("solver", std::string("bm"));
  o.set("tol", 1e-7);
  out.lowrank = fit(x, k, m, o, r2);
  return out;
}

void check_pair(const Pair& pr, const char* what) {
  const Certificate& a = pr.exact.certificate;
  const Certificate& b = pr.lowrank.certificate;
  const double rel = (b.primal_objective - a.primal_objective) / std::abs(a.primal_objective);
  INFO(what << ": exact " << a.primal_objective << " (" << a.reason << ", kkt " << a.primal_residual << ") low-rank "
            << b.primal_objective << " rel " << rel << " bound " << b.dual_objective << " gap " << b.gap << " min eig "
            << b.dual_min_eig << " escapes " << b.escapes << " rank " << b.final_rank << " iters " << b.iterations
            << " primal " << b.primal_residual << " kkt " << b.dual_residual << " " << b.reason << " "
            << b.seconds << " s");
  REQUIRE(a.converged);
  REQUIRE(b.converged);
  REQUIRE(std::abs(rel) <= 1e-5);
  REQUIRE(b.dual_objective <= a.primal_objective + 1e-7 * std::abs(a.primal_objective));
  REQUIRE(b.gap >= -1e-7);
}

}  // namespace

TEST_CASE("low-rank Peng-Wei reaches the exact SDP optimum on the iris subset (k = 3, 4)", "[sdp][lowrank]") {
  int64_t n = 0, p = 0;
  const std::vector<double> x = iris_subset(n, p);
  REQUIRE(n == 50);
  for (int k : {3, 4}) {
    const Pair pr = both(data::MatView(x.data(), n, p), k, Method::sdp_kmeans, Options());
    check_pair(pr, k == 3 ? "iris k = 3" : "iris k = 4");
  }
}

TEST_CASE("low-rank Peng-Wei reaches the exact SDP optimum on design D5", "[sdp][lowrank]") {
  Rng rng(5);
  const SimData d = simulate_design("D5", 90, rng);
  const Pair pr = both(d.view(), 3, Method::sdp_kmeans, Options());
  check_pair(pr, "D5 n = 90");
}

TEST_CASE("low-rank LA-SDP reaches the exact lifted optimum on D2 at n = 80", "[sdp][lowrank]") {
  Rng rng(8);
  const SimData d = simulate_design("D2", 80, rng);
  Options o;
  o.set("sigma", design_covariances("D2"));
  const Pair pr = both(d.view(), 2, Method::la_sdp, o);
  check_pair(pr, "D2 LA-SDP n = 80");
}

TEST_CASE("low-rank path with second-order escapes switched on still reaches the optimum (iris k = 4)", "[sdp][lowrank]") {
  int64_t n = 0, p = 0;
  const std::vector<double> x = iris_subset(n, p);
  const Pair pr = both(data::MatView(x.data(), n, p), 4, Method::sdp_kmeans, Options());
  arma::mat xc = detail::to_arma(data::MatView(x.data(), n, p));
  xc.each_row() -= arma::mean(xc, 0);
  detail::BmOptions bo;
  bo.tol = 1e-7;
  bo.max_escape = 10;
  Rng r(3);
  arma::mat u;
  const Certificate c = detail::bm_kmeans(xc, 4, bo, r, u);
  const double ex = pr.exact.certificate.primal_objective;
  INFO("exact " << ex << " low-rank " << c.primal_objective << " escapes " << c.escapes << " bound " << c.dual_objective);
  REQUIRE(c.converged);
  REQUIRE(c.escapes >= 0);
  REQUIRE(c.escapes <= 10);
  REQUIRE(std::abs(c.primal_objective - ex) <= 1e-5 * std::abs(ex));
  REQUIRE(c.dual_objective <= ex + 1e-7 * std::abs(ex));
  REQUIRE(c.dual_min_eig <= 0);  // the bound's slack is (numerically) psd at best
  REQUIRE(static_cast<arma::uword>(c.final_rank) == u.n_cols);
}
