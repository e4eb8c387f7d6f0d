// Scalable path: Burer-Monteiro against the exact ADMM, low-rank LA-SDP / iLA-SDP, solver routing,
// Sketch-and-Lift, choice of K (BIC against mclust reference values, trace / eigen-gap for the SDP).
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <algorithm>
#include <sstream>
#include <string>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"
#include "sdp_test_util.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

TEST_CASE("bench: low-rank path timing (not a test)", "[.bench]") {
  const char* env = std::getenv("HETMOD_BENCH_N");
  const int64_t n = env ? std::atoll(env) : 1000;
  const char* me = std::getenv("HETMOD_BENCH_METHOD");
  const std::string mth = me ? me : "bm_kmeans";
  Rng rng(1);
  const SimData d = mth == "bm_kmeans" ? simulate_isotropic(n, 10, 4, 1.2, rng) : simulate_design("D2", n, rng);
  Options o;
  if (mth != "bm_kmeans") o.set("solver", std::string("bm"));
  if (const char* rk = std::getenv("HETMOD_BENCH_RANK")) o.set("bm_rank", std::atof(rk));
  Rng r(2);
  const auto t0 = std::chrono::steady_clock::now();
  const ClusterResult f = fit(d.view(), d.k, method_from_name(mth), o, r);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << mth << " n = " << n << " time " << sec << " s, error " << misclustering_rate(d.labels, f.labels)
            << ", iterations " << f.certificate.iterations << ", primal " << f.certificate.primal_residual << ", kkt "
            << f.certificate.dual_residual << ", " << f.certificate.reason << ", outer " << f.certificate.partial_eigs
            << ", sweeps " << f.iterations << "\n";
}

namespace {

using sdp_test::read_matrix_csv;

const char* cov_of_mclust(const std::string& model) {
  if (model == "VII") return "spherical";
  if (model == "VVI") return "diagonal";
  if (model == "EEE") return "tied";
  return "full";
}

}  // namespace

TEST_CASE("Burer-Monteiro: objective matches the exact ADMM when the SDP is tight; certificate", "[sdp]") {
  Rng rng(21);
  const SimData d = simulate_isotropic(90, 8, 3, 2.0, rng);
  Rng r1(4), r2(4);
  Options ex;
  ex.set("solver", std::string("admm"));
  const ClusterResult a = fit(d.view(), 3, Method::sdp_kmeans, ex, r1);
  Options lr;
  lr.set("solver", std::string("bm"));
  const ClusterResult b = fit(d.view(), 3, Method::sdp_kmeans, lr, r2);
  INFO("admm " << a.objective << " bm " << b.objective << " bm iters " << b.certificate.iterations << " primal "
               << b.certificate.primal_residual << " kkt " << b.certificate.dual_residual);
  REQUIRE(a.certificate.solver.rfind("admm", 0) == 0);
  REQUIRE(b.certificate.solver == "burer-monteiro");
  REQUIRE(b.certificate.converged);
  REQUIRE(b.certificate.reason.rfind("tolerance reached", 0) == 0);
  REQUIRE(b.certificate.primal_residual <= 1e-6);
  REQUIRE(b.certificate.dual_residual <= 1e-4);
  REQUIRE(b.certificate.iterations > 0);
  REQUIRE(b.certificate.seconds >= 0);
  REQUIRE(std::abs(b.objective - a.objective) <= 1e-4 * std::abs(a.objective));
  REQUIRE(misclustering_rate(d.labels, b.labels) == 0.0);
  // a tight SDP: k eigenvalues 1, the rest 0 (eigen-gap 1)
  REQUIRE(b.sdp_eigenvalues.size() >= 4);
  REQUIRE(b.sdp_eigenvalues[2] == Approx(1.0).margin(1e-3).epsilon(0));
  REQUIRE(b.sdp_eigenvalues[3] == Approx(0.0).margin(1e-3).epsilon(0));
}

TEST_CASE("low-rank LA-SDP and iLA-SDP agree with the exact path", "[sdp]") {
  Rng rng(8);
  const SimData d = simulate_design("D2", 80, rng);
  const std::vector<double> sig = design_covariances("D2");
  Options o;
  o.set("sigma", sig);
  Rng r1(3), r2(3);
  const ClusterResult ex = fit(d.view(), 2, Method::la_sdp, o, r1);
  o.set("solver", std::string("bm"));
  const ClusterResult lr = fit(d.view(), 2, Method::la_sdp, o, r2);
  INFO("la exact obj " << ex.objective << " lowrank obj " << lr.objective << " exact " << ex.certificate.reason);
  INFO("la exact err " << misclustering_rate(d.labels, ex.labels) << " lowrank err "
                       << misclustering_rate(d.labels, lr.labels) << " " << lr.certificate.reason);
  REQUIRE(lr.certificate.solver == "burer-monteiro-lifted");
  REQUIRE(lr.certificate.primal_residual <= 1e-5);
  // the relaxation's value is at most the integral value of the true partition (block k = cluster k)
  const arma::mat xa = detail::to_arma(d.view());
  std::vector<arma::mat> sg;
  for (int b = 0; b < 2; ++b) sg.emplace_back(sig.data() + 4 * b, 2, 2);
  const std::vector<arma::mat> cc = detail::la_costs(xa, sg, 0.0);
  double integral = 0;
  for (int b = 0; b < 2; ++b) {
    arma::vec ind(80, arma::fill::zeros);
    for (int i = 0; i < 80; ++i) ind(i) = d.labels[static_cast<size_t>(i)] == b ? 1.0 : 0.0;
    integral += arma::as_scalar(ind.t() * cc[static_cast<size_t>(b)] * ind) / arma::accu(ind);
  }
  INFO("integral objective of the truth " << integral << " kkt " << lr.certificate.dual_residual);
  REQUIRE(lr.objective <= integral + 1e-3 * std::abs(integral));
  REQUIRE(misclustering_rate(d.labels, lr.labels) <= misclustering_rate(d.labels, ex.labels) + 0.02);
  Options oi;
  Rng r3(5), r4(5);
  const ClusterResult ie = fit(d.view(), 2, Method::ila_sdp, oi, r3);
  oi.set("solver", std::string("bm"));
  const ClusterResult il = fit(d.view(), 2, Method::ila_sdp, oi, r4);
  const double e_ex = misclustering_rate(d.labels, ie.labels), e_lr = misclustering_rate(d.labels, il.labels);
  INFO("ila exact " << e_ex << " lowrank " << e_lr << " sweeps " << il.iterations);
  REQUIRE(e_lr <= e_ex + 0.02);
  REQUIRE(il.sweep_profile.size() >= 1);
  REQUIRE(il.objective <= il.sweep_profile.front() + 1e-9);
  REQUIRE(il.covariances.size() == 8);
}

TEST_CASE("solver option: routing above exact_max, refusal, bad values", "[sdp]") {
  Rng rng(6);
  const SimData d = simulate_isotropic(150, 6, 3, 2.0, rng);
  Options o;
  o.set("solver", std::string("admm"));
  o.set("exact_max", 100.0);
  Rng r1(1);
  const ClusterResult f = fit(d.view(), 3, Method::sdp_kmeans, o, r1);
  REQUIRE(f.certificate.solver == "burer-monteiro");
  REQUIRE(f.messages.size() == 1);
  REQUIRE_THAT(f.messages[0], Catch::Contains("exact_max"));
  o.set("large_n", std::string("refuse"));
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::sdp_kmeans, o, r1), Catch::Contains("refuse"));
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::ila_sdp, o, r1), Catch::Contains("exact_max"));
  Options bad;
  bad.set("solver", std::string("cvx"));
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::sdp_kmeans, bad, r1), Catch::Contains("solver"));
  Options bad2;
  bad2.set("sketch", -1.0);
  REQUIRE_THROWS_WITH(fit(d.view(), 3, Method::sdp_kmeans, bad2, r1), Catch::Contains("sketch"));
}

TEST_CASE("Sketch-and-Lift over the exact, low-rank and Gaussian paths", "[sdp]") {
  Rng rng(12);
  const SimData d = simulate_isotropic(1200, 10, 4, 1.5, rng);
  for (const char* solver : {"admm", "bm"}) {
    Options o;
    o.set("solver", std::string(solver));
    o.set("sketch", 100.0);
    Rng r(7);
    const ClusterResult f = fit(d.view(), 4, Method::sdp_kmeans, o, r);
    INFO(solver);
    REQUIRE(f.sketch_size == 100);
    REQUIRE(f.sketch_index.size() == 100);
    REQUIRE(std::is_sorted(f.sketch_index.begin(), f.sketch_index.end()));
    REQUIRE(std::adjacent_find(f.sketch_index.begin(), f.sketch_index.end()) == f.sketch_index.end());
    REQUIRE(f.labels.size() == 1200);
    REQUIRE(f.n == 1200);
    REQUIRE(misclustering_rate(d.labels, f.labels) <= 0.01);
    REQUIRE_THAT(f.messages.back(), Catch::Contains("Sketch-and-Lift"));
    // the lift is the nearest centre of the subsample fit's partition
    REQUIRE(predict(f, d.view()) == f.labels);
  }
  Rng r2(3);
  const SimData h = simulate_design("D2", 1000, r2);
  Options o;
  o.set("sketch", 0.2);
  o.set("solver", std::string("bm"));
  Rng r3(1);
  const ClusterResult g = fit(h.view(), 2, Method::ila_sdp, o, r3);
  REQUIRE(g.sketch_size == 200);
  REQUIRE(misclustering_rate(h.labels, g.labels) <= 0.1);
  Options tiny;
  tiny.set("sketch", 2.0);
  REQUIRE_THROWS_WITH(fit(d.view(), 4, Method::kmeans, tiny, r3), Catch::Contains("at least k"));
}

TEST_CASE("choice of K: mixture BIC equals minus mclust's BIC on iris and faithful", "[sdp]") {
  int64_t n1 = 0, p1 = 0, n2 = 0, p2 = 0;
  const std::vector<double> iris = read_matrix_csv("sdp_iris.csv", n1, p1);
  const std::vector<double> faithful = read_matrix_csv("sdp_faithful.csv", n2, p2);
  REQUIRE(n1 == 150);
  REQUIRE(n2 == 272);
  std::ifstream in(std::string(HETMOD_TEST_DATA_DIR) + "/sdp_select_mclust.csv");
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  int compared = 0, matched = 0;
  std::map<std::string, std::vector<std::pair<int, double>>> mclust_bic;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string set, model, ks, lls, dfs, bics;
    std::getline(ss, set, ',');
    std::getline(ss, model, ',');
    std::getline(ss, ks, ',');
    std::getline(ss, lls, ',');
    std::getline(ss, dfs, ',');
    std::getline(ss, bics, ',');
    const int k = std::stoi(ks);
    const double ll = std::stod(lls), bic = std::stod(bics);
    mclust_bic[set + "/" + model].push_back({k, bic});
    if (k > 3) continue;  // larger k: EM local optima differ between initialisations
    const bool is_iris = set == "iris";
    const data::MatView x(is_iris ? iris.data() : faithful.data(), is_iris ? n1 : n2, is_iris ? p1 : p2);
    Options o;
    o.set("cov_type", std::string(cov_of_mclust(model)));
    o.set("ridge", 0.0);
    o.set("em_n_init", 10.0);
    Rng r(1);
    const ClusterResult f = fit(x, k, Method::em_gmm, o, r);
    INFO(set << " " << model << " k = " << k << " loglik " << f.loglik << " mclust " << ll);
    REQUIRE(f.df == std::stoi(dfs));
    // EM finds mclust's optimum or a better one (faithful VVI k = 3: -1127.01 against mclust's -1131.82)
    REQUIRE(f.loglik >= ll - 1e-6 * std::abs(ll));
    if (std::abs(f.loglik - ll) <= 1e-6 * std::abs(ll)) {
      REQUIRE(f.bic == Approx(-bic).epsilon(1e-6));
      ++matched;
    }
    ++compared;
  }
  REQUIRE(compared == 24);
  REQUIRE(matched >= 22);
  // select_k over k = 1..3 picks mclust's best k for VVV on both data sets
  for (const std::string set : {"iris", "faithful"}) {
    const bool is_iris = set == "iris";
    const data::MatView x(is_iris ? iris.data() : faithful.data(), is_iris ? n1 : n2, is_iris ? p1 : p2);
    Options o;
    o.set("cov_type", std::string("full"));
    o.set("ridge", 0.0);
    o.set("em_n_init", 10.0);
    Rng r(1);
    const SelectKResult s = select_k(x, {1, 2, 3}, Method::em_gmm, "bic", o, r);
    int best = 0;
    double bb = -1e300;
    for (const auto& kv : mclust_bic[set + "/VVV"])
      if (kv.first <= 3 && kv.second > bb) {
        bb = kv.second;
        best = kv.first;
      }
    REQUIRE(s.best_k == best);
    REQUIRE(s.rows.size() == 3);
    REQUIRE(s.rows[0].criterion == Approx(s.rows[0].bic));
  }
}

TEST_CASE("choice of K for the SDP: trace penalty and eigen-gap; bad input", "[sdp]") {
  Rng rng(31);
  const SimData small = simulate_isotropic(90, 6, 3, 2.0, rng);
  const SimData large = simulate_isotropic(600, 6, 3, 2.0, rng);
  for (const char* crit : {"trace", "eigengap"}) {
    for (Method m : {Method::sdp_kmeans, Method::bm_kmeans}) {
      if (std::string(crit) == "eigengap" && m == Method::bm_kmeans) continue;
      const SimData& d = m == Method::sdp_kmeans ? small : large;
      Rng r(2);
      const SelectKResult s = select_k(d.view(), {1, 2, 3, 4, 5}, m, crit, Options(), r);
      INFO(crit << " " << method_name(m));
      std::ostringstream rows;
      for (const auto& row : s.rows)
        rows << "k " << row.k << " crit " << row.criterion << " W " << row.objective << " gap " << row.eigengap << "; ";
      INFO(rows.str());
      REQUIRE(s.best_k == 3);
      REQUIRE(s.rows.size() == 5);
    }
  }
  Rng r(1);
  const SimData& d = small;
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "bic", Options(), r), Catch::Contains("em_gmm"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::em_gmm, "eigengap", Options(), r), Catch::Contains("SDP"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::bm_kmeans, "eigengap", Options(), r), Catch::Contains("exact"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {0, 2}, Method::em_gmm, "bic", Options(), r), Catch::Contains("outside"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {}, Method::em_gmm, "bic", Options(), r), Catch::Contains("at least one"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {2}, Method::em_gmm, "aic", Options(), r), Catch::Contains("criterion"));
}
