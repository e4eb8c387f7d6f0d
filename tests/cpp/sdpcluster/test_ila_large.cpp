// iLA-SDP above exact_max: Sketch-and-Lift default (exact iLA-SDP on a subsample, Gaussian-likelihood lift,
// likelihood refinement on all rows). Small n with a small exact_max so that each case takes seconds.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <string>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

namespace {
arma::uvec to_uvec(const std::vector<int>& l) {
  arma::uvec u(l.size());
  for (size_t i = 0; i < l.size(); ++i) u(i) = static_cast<arma::uword>(l[i]);
  return u;
}
}  // namespace

TEST_CASE("iLA-SDP above exact_max runs Sketch-and-Lift with likelihood refinement", "[sdpcluster][ila_large]") {
  Rng gen(21);
  const SimData d = simulate_design("D3", 900, gen);
  Options o;
  o.set("exact_max", 300.0);
  o.set("ila_sketch", 100.0);
  o.set("sdp_max_iter", 3000.0);
  Rng r1(5);
  const ClusterResult f = fit(d.view(), 3, Method::ila_sdp, o, r1);
  REQUIRE(f.sketch_size == 100);
  REQUIRE(f.labels.size() == 900);
  REQUIRE(f.n == 900);
  REQUIRE_THAT(f.messages.front(), Catch::Contains("Sketch-and-Lift") && Catch::Contains("exact_max") &&
                                       Catch::Contains("exact iLA-SDP on m = 100"));
  // the message says which start was kept and gives both profiles
  REQUIRE_THAT(f.messages.back(), Catch::Contains("likelihood refinement") && Catch::Contains("kept: the") &&
                                      Catch::Contains("profiles: SDP start"));
  const double err = misclustering_rate(d.labels, f.labels);
  INFO("error " << err);
  REQUIRE(err <= 0.05);
  // the objective is the regularised profile -2 loglik of the returned partition (full covariances)
  const std::string& msg = f.messages.back();
  const double eps = std::stod(msg.substr(msg.find("eps = ") + 6));
  const double prof = detail::profile_m2ll(detail::to_arma(d.view()), to_uvec(f.labels), 3, eps);
  REQUIRE(std::abs(f.objective - prof) <= 1e-4 * std::abs(prof));  // eps printed to 6 digits

  // refinement never increases the profile: same seed, plain lift (lift_sweeps = 0)
  Options o0 = o;
  o0.set("lift_sweeps", 0.0);
  Rng r2(5);
  const ClusterResult g = fit(d.view(), 3, Method::ila_sdp, o0, r2);
  REQUIRE(g.sketch_size == 100);
  const double prof0 = detail::profile_m2ll(detail::to_arma(d.view()), to_uvec(g.labels), 3, eps);
  REQUIRE(prof <= prof0 + 1e-9 * std::abs(prof0));
  REQUIRE(misclustering_rate(d.labels, f.labels) <= misclustering_rate(d.labels, g.labels) + 1e-12);

  // explicit solver = "bm" keeps the low-rank path on all rows (no sketch)
  Options ob = o;
  ob.set("solver", std::string("bm"));
  ob.set("sweeps", 2.0);
  Rng r3(5);
  const ClusterResult b = fit(d.view(), 3, Method::ila_sdp, ob, r3);
  REQUIRE(b.sketch_size == 0);

  Options bad = o;
  bad.set("lift_sweeps", -1.0);
  Rng r4(1);
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::ila_sdp, bad, r4), Catch::Contains("lift_sweeps"));
  Options bad2 = o;
  bad2.set("ila_start", std::string("em"));
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::ila_sdp, bad2, r4), Catch::Contains("ila_start"));
  Options bad3 = o;
  bad3.set("ila_sketch_solver", std::string("scs"));
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::ila_sdp, bad3, r4), Catch::Contains("ila_sketch_solver"));
}

TEST_CASE("iLA-SDP Sketch-and-Lift: the SDP start alone recovers the clusters; low-rank sketch option",
          "[sdpcluster][ila_large]") {
  Rng gen(21);
  const SimData d = simulate_design("D3", 900, gen);
  Options o;
  o.set("exact_max", 300.0);
  o.set("ila_sketch", 90.0);
  o.set("ila_start", std::string("sdp"));
  Rng r1(5);
  const ClusterResult f = fit(d.view(), 3, Method::ila_sdp, o, r1);
  REQUIRE_THAT(f.messages.back(), Catch::Contains("kept: the SDP start (forced by ila_start = 'sdp')"));
  const double err = misclustering_rate(d.labels, f.labels);
  INFO("SDP start alone: error " << err);
  REQUIRE(err <= 0.05);
  Options ok = o;
  ok.set("ila_start", std::string("kmeans"));
  Rng r2(5);
  const ClusterResult g = fit(d.view(), 3, Method::ila_sdp, ok, r2);
  REQUIRE_THAT(g.messages.back(), Catch::Contains("kept: the k-means start"));
  Options ob = o;
  ob.set("ila_sketch_solver", std::string("bm"));
  ob.set("sdp_max_iter", 2000.0);
  Rng r3(5);
  const ClusterResult b = fit(d.view(), 3, Method::ila_sdp, ob, r3);
  REQUIRE_THAT(b.messages.front(), Catch::Contains("low-rank iLA-SDP on m = 90"));
}

TEST_CASE("likelihood refinement is monotone for every covariance family", "[sdpcluster][ila_large]") {
  Rng gen(8);
  const SimData d = simulate_design("D3", 600, gen);
  for (const char* cov : {"full", "diagonal", "spherical", "tied"}) {
    Options o;
    o.set("sketch", 120.0);
    o.set("solver", std::string("bm"));
    o.set("sweeps", 3.0);
    o.set("sdp_max_iter", 2000.0);
    o.set("ila_cov", std::string(cov));
    o.set("eps", 0.01);
    Rng r1(3);
    const ClusterResult f = fit(d.view(), 3, Method::ila_sdp, o, r1);
    Options o0 = o;
    o0.set("lift_sweeps", 0.0);
    Rng r2(3);
    const ClusterResult g = fit(d.view(), 3, Method::ila_sdp, o0, r2);
    INFO(cov);
    REQUIRE(f.sketch_size == 120);
    REQUIRE_THAT(f.messages.back(), Catch::Contains("likelihood refinement"));
    if (std::string(cov) == "full") {
      const arma::mat x = detail::to_arma(d.view());
      REQUIRE(detail::profile_m2ll(x, to_uvec(f.labels), 3, 0.01) <=
              detail::profile_m2ll(x, to_uvec(g.labels), 3, 0.01) + 1e-9);
      REQUIRE(std::abs(f.objective - detail::profile_m2ll(x, to_uvec(f.labels), 3, 0.01)) <= 1e-8 * std::abs(f.objective));
    }
  }
}
