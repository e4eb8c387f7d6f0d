// tests/cpp/sdpcluster/test_select_k.cpp -- choice of K for the SDP (trace penalty of the adaptive SDP,
// eigen-gap): the true K on well-separated fixed-seed designs, the documented penalty rule recomputed from
// the partition, option semantics and bad input. BIC / ICL against mclust: test_scalable.cpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

namespace {

std::string dump(const SelectKResult& s) {
  std::ostringstream o;
  o << "penalty " << s.penalty << "; ";
  for (const auto& row : s.rows)
    o << "k " << row.k << " crit " << row.criterion << " W " << row.objective << " gap " << row.eigengap << "; ";
  return o.str();
}

std::vector<int> grid(int lo, int hi) {
  std::vector<int> g;
  for (int k = lo; k <= hi; ++k) g.push_back(k);
  return g;
}

}  // namespace

TEST_CASE("select_k: trace and eigen-gap pick the true K on well-separated isotropic designs", "[sdp][select_k]") {
  struct Design {
    int64_t n, p;
    int k;
  };
  // K = 2, 3: grid 1..K+1; K = 4, 5: grid {1, K, K+1} (for 1 < k < K the ADMM needs thousands of iterations:
  // seconds per k; bench/sdp/select_k_study.R covers the full grid)
  for (const Design& d : {Design{40, 4, 2}, Design{60, 6, 3}, Design{60, 8, 4}, Design{75, 10, 5}}) {
    Rng rng(100 + static_cast<uint64_t>(d.k));
    const SimData sim = simulate_isotropic(d.n, d.p, d.k, 2.0, rng);
    const std::vector<int> ks = d.k <= 3 ? grid(1, d.k + 1) : std::vector<int>{1, d.k, d.k + 1};
    for (const char* crit : {"trace", "eigengap"}) {
      if (std::string(crit) == "eigengap" && d.k % 2 == 0) continue;  // time: eigen-gap on K = 3, 5 only
      Rng r(7);
      const SelectKResult s = select_k(sim.view(), ks, Method::sdp_kmeans, crit, Options(), r);
      INFO("K = " << d.k << " " << crit << ": " << dump(s));
      REQUIRE(s.best_k == d.k);
      REQUIRE(s.rows.size() == ks.size());
      if (std::string(crit) == "eigengap") {
        // a tight SDP at the true K: Z-hat is the block membership matrix, eigen-gap 1
        REQUIRE(s.rows[ks.size() - 2].eigengap == Approx(1.0).margin(1e-3).epsilon(0));
        REQUIRE(s.rows.back().eigengap < 0.5);
        REQUIRE(std::isnan(s.penalty));
      } else {
        REQUIRE(s.penalty > 0);
      }
    }
  }
  // (the low-rank path with the trace criterion: test_scalable.cpp, n = 600)
}

TEST_CASE("select_k: the default trace penalty is (sqrt(n ||S||) + sqrt(tr S))^2 at the selected k", "[sdp][select_k]") {
  Rng rng(5);
  const SimData sim = simulate_isotropic(60, 6, 3, 2.0, rng);
  const std::vector<int> ks = grid(1, 4);
  Rng r(11);
  const SelectKResult s = select_k(sim.view(), ks, Method::sdp_kmeans, "trace", Options(), r);
  INFO(dump(s));
  REQUIRE(s.best_k == 3);
  // replay the fits with the same stream and recompute S from the partition at k = 3
  Rng rr(11);
  std::vector<int> lab;
  for (int k : ks) {
    const ClusterResult f = fit(sim.view(), k, Method::sdp_kmeans, Options(), rr);
    REQUIRE(f.objective == Approx(s.rows[static_cast<size_t>(k - 1)].objective).epsilon(1e-12));
    if (k == 3) lab = f.labels;
  }
  const int64_t n = sim.n, p = sim.p;
  arma::mat xs(sim.x.data(), static_cast<arma::uword>(n), static_cast<arma::uword>(p));
  arma::mat sw(static_cast<arma::uword>(p), static_cast<arma::uword>(p), arma::fill::zeros);
  for (int j = 0; j < 3; ++j) {
    arma::rowvec mu(static_cast<arma::uword>(p), arma::fill::zeros);
    double cnt = 0;
    for (int64_t i = 0; i < n; ++i)
      if (lab[static_cast<size_t>(i)] == j) {
        mu += xs.row(static_cast<arma::uword>(i));
        cnt += 1;
      }
    mu /= cnt;
    for (int64_t i = 0; i < n; ++i)
      if (lab[static_cast<size_t>(i)] == j) {
        const arma::rowvec d = xs.row(static_cast<arma::uword>(i)) - mu;
        sw += d.t() * d;
      }
  }
  sw /= static_cast<double>(n - 3);
  const arma::vec ev = arma::eig_sym(sw);
  const double lam = std::pow(std::sqrt(static_cast<double>(n) * ev.max()) + std::sqrt(arma::accu(ev)), 2);
  REQUIRE(s.penalty == Approx(lam).epsilon(1e-10));
  for (const auto& row : s.rows) REQUIRE(row.criterion == Approx(row.objective + lam * row.k).epsilon(1e-12));
  // penalty_scale multiplies the default; an explicit penalty replaces it
  Options o;
  o.set("penalty_scale", 2.0);
  Rng r2(11);
  const SelectKResult s2 = select_k(sim.view(), ks, Method::sdp_kmeans, "trace", o, r2);
  REQUIRE(s2.penalty == Approx(2 * lam).epsilon(1e-10));
  Options big;
  big.set("penalty", 1e12);
  Rng r3(11);
  const SelectKResult s3 = select_k(sim.view(), {1, 4}, Method::sdp_kmeans, "trace", big, r3);
  REQUIRE(s3.best_k == 1);
  REQUIRE(s3.penalty == 1e12);
  Options tiny;
  tiny.set("penalty", 1e-9);
  Rng r4(11);
  REQUIRE(select_k(sim.view(), {1, 4}, Method::sdp_kmeans, "trace", tiny, r4).best_k == 4);
  // gap_threshold 0.999: the true K still qualifies (its Z-hat is tight, gap 1), no larger k does
  Options g;
  g.set("gap_threshold", 0.999);
  Rng r5(11);
  const SelectKResult sg = select_k(sim.view(), ks, Method::sdp_kmeans, "eigengap", g, r5);
  INFO(dump(sg));
  REQUIRE(sg.best_k == 3);
}

TEST_CASE("select_k: bad input gives clear errors", "[sdp][select_k]") {
  Rng rng(1);
  const SimData d = simulate_isotropic(40, 3, 2, 2.0, rng);
  Rng r(1);
  {  // k = n on the grid: W_n = 0, S = 0 there; the noise level starts from the largest k <= n/2
    const SelectKResult s = select_k(d.view(), {1, 2, 40}, Method::sdp_kmeans, "trace", Options(), r);
    INFO(dump(s));
    REQUIRE(s.best_k == 2);
    REQUIRE(s.penalty > 0);
  }
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 41}, Method::sdp_kmeans, "trace", Options(), r),
                      Catch::Contains("k = 41 is outside [1, n = 40]"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {0, 1}, Method::sdp_kmeans, "trace", Options(), r),
                      Catch::Contains("k = 0 is outside"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {-3}, Method::em_gmm, "bic", Options(), r), Catch::Contains("outside"));
  REQUIRE_THROWS_WITH(select_k(d.view(), {}, Method::sdp_kmeans, "trace", Options(), r),
                      Catch::Contains("at least one k"));
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> x = d.x;
    x[17] = bad;
    const data::MatView v(x.data(), d.n, d.p);
    REQUIRE_THROWS_WITH(select_k(v, {1, 2}, Method::sdp_kmeans, "trace", Options(), r), Catch::Contains("finite"));
    REQUIRE_THROWS_WITH(select_k(v, {1, 2}, Method::em_gmm, "bic", Options(), r), Catch::Contains("finite"));
  }
  Options neg;
  neg.set("penalty", -1.0);
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "trace", neg, r), Catch::Contains("penalty"));
  Options sc;
  sc.set("penalty_scale", 0.0);
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "trace", sc, r),
                      Catch::Contains("penalty_scale"));
  Options gt;
  gt.set("gap_threshold", 1.5);
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "eigengap", gt, r),
                      Catch::Contains("gap_threshold"));
  Options mis;
  mis.set("penalty", 3.0);
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "eigengap", mis, r),
                      Catch::Contains("only to criterion 'trace'"));
  Options unk;
  unk.set("bogus", 1.0);
  REQUIRE_THROWS_WITH(select_k(d.view(), {1, 2}, Method::sdp_kmeans, "trace", unk, r), Catch::Contains("bogus"));
  try {
    select_k(d.view(), {1, 41}, Method::sdp_kmeans, "trace", Options(), r);
    FAIL("no error");
  } catch (const Error& e) {
    REQUIRE(e.status() == Status::invalid_argument);
  }
}
