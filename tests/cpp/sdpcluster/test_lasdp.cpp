// LA-SDP / iLA-SDP, Burer-Monteiro path, routing, prediction and the registered study.
#include <catch2/catch.hpp>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "hetmod/sim/harness.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

TEST_CASE("LA-SDP with identity covariances reduces to Peng-Wei", "[sdp]") {
  Rng rng(21);
  const SimData d = simulate_isotropic(40, 4, 3, 1.2, rng);
  std::vector<double> sig;
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 4; ++i) sig.push_back(i == j ? 1.0 : 0.0);
  Options la;
  la.set("sigma", sig);
  la.set("tol", 1e-7);
  Rng r1(1), r2(1);
  const ClusterResult a = fit(d.view(), 3, Method::la_sdp, la, r1);
  Options pw;
  pw.set("tol", 1e-7);
  const ClusterResult b = fit(d.view(), 3, Method::sdp_kmeans, pw, r2);
  REQUIRE(a.certificate.converged);
  REQUIRE(b.certificate.converged);
  // LA objective sum_k <D/2, Z_k> = tr(Xc^T Xc) - <Xc Xc^T, Z> = Peng-Wei relaxed within-SS (log det I = 0)
  REQUIRE(a.objective == Approx(b.objective).epsilon(1e-5));
  REQUIRE(misclustering_rate(a.labels, b.labels) == 0.0);
  REQUIRE(a.covariances.size() == 3 * 16);
  REQUIRE(predict(a, d.view()).size() == 40);
}

TEST_CASE("iLA-SDP: lifted objective non-increasing across sweeps; beats SDP on the hetero design", "[sdp]") {
  Rng rng(1);
  const SimData d = simulate_design("hetero", 45, rng);
  Rng r1(1), r2(1);
  const ClusterResult f = fit(d.view(), 3, Method::ila_sdp, Options(), r1);
  REQUIRE(f.sweep_objective.size() >= 2);
  for (size_t i = 1; i < f.sweep_objective.size(); ++i) {
    INFO("sweep " << i << ": " << f.sweep_objective[i - 1] << " -> " << f.sweep_objective[i]);
    REQUIRE(f.sweep_objective[i] <= f.sweep_objective[i - 1] + 1e-6 * (1.0 + std::abs(f.sweep_objective[i - 1])));
  }
  // the returned partition has the best profile -2l seen
  for (double v : f.sweep_profile) REQUIRE(f.objective <= v + 1e-9);
  const ClusterResult s = fit(d.view(), 3, Method::sdp_kmeans, Options(), r2);
  REQUIRE(misclustering_rate(d.labels, f.labels) < misclustering_rate(d.labels, s.labels));
  REQUIRE(predict(f, d.view()).size() == 45);
}

TEST_CASE("iLA-SDP beats SDP K-means and EM on the hetero design over seeds", "[sdp][.slow]") {
  double e_sdp = 0, e_em = 0, e_ila = 0;
  const int seeds = 4;
  for (int s = 1; s <= seeds; ++s) {
    Rng rng(static_cast<uint64_t>(s));
    const SimData d = simulate_design("hetero", 45, rng);
    Rng r1(static_cast<uint64_t>(s)), r2(static_cast<uint64_t>(s)), r3(static_cast<uint64_t>(s));
    e_sdp += misclustering_rate(d.labels, fit(d.view(), 3, Method::sdp_kmeans, Options(), r1).labels);
    e_em += misclustering_rate(d.labels, fit(d.view(), 3, Method::em_gmm, Options(), r2).labels);
    e_ila += misclustering_rate(d.labels, fit(d.view(), 3, Method::ila_sdp, Options(), r3).labels);
  }
  INFO("mean error sdp " << e_sdp / seeds << " em " << e_em / seeds << " ila " << e_ila / seeds);
  REQUIRE(e_ila <= e_sdp - 0.05 * seeds);
  REQUIRE(e_ila <= e_em - 0.05 * seeds);
}

TEST_CASE("Burer-Monteiro agrees with the exact path; routing above exact_max", "[sdp]") {
  Rng rng(5);
  const SimData d = simulate_isotropic(240, 10, 4, 2.0, rng);
  Rng r1(2), r2(2), r3(2);
  const ClusterResult ex = fit(d.view(), 4, Method::sdp_kmeans, Options(), r1);
  const ClusterResult bm = fit(d.view(), 4, Method::bm_kmeans, Options(), r2);
  INFO("bm iterations " << bm.certificate.iterations << " feas " << bm.certificate.primal_residual << " "
                        << bm.certificate.reason);
  REQUIRE(misclustering_rate(ex.labels, bm.labels) == 0.0);
  REQUIRE(bm.certificate.solver == "burer-monteiro");
  REQUIRE(bm.objective == Approx(ex.objective).epsilon(1e-3));
  Options small;
  small.set("exact_max", 100.0);
  const ClusterResult routed = fit(d.view(), 4, Method::sdp_kmeans, small, r3);
  REQUIRE(routed.certificate.solver == "burer-monteiro");
  REQUIRE_FALSE(routed.messages.empty());
  REQUIRE(misclustering_rate(d.labels, routed.labels) == 0.0);
  small.set("large_n", std::string("refuse"));
  REQUIRE_THROWS_WITH(fit(d.view(), 4, Method::sdp_kmeans, small, r3), Catch::Contains("exact_max"));
}

TEST_CASE("study sdp_kmeans runs through the harness", "[sdp]") {
  Options o;
  o.set("n", 60.0);
  o.set("p", 5.0);
  o.set("k", 3.0);
  o.set("ratio", 3.0);
  o.set("method", std::string("kmeans"));
  const sim::Study st = sim::make_study("sdp_kmeans", o);
  sim::StudyOptions so;
  so.last = 3;
  const sim::StudyResult r = sim::run_study(st, so);
  REQUIRE(r.n_failed == 0);
  REQUIRE(r.summary.at(0).mean < 0.05);
  Options bad;
  bad.set("nope", 1.0);
  REQUIRE_THROWS_AS(sim::make_study("sdp_kmeans", bad), Error);
}
