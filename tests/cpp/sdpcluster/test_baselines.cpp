// Baselines: k-means and EM-GMM recovery, EM monotonicity, closed form on a 1-D two-point case, bad input.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/loglik.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "../../../src/sdpcluster/internal.hpp"

using namespace hetmod;
using namespace hetmod::sdpcluster;

TEST_CASE("k-means recovers well-separated clusters and is seeded by Rng", "[sdp]") {
  Rng rng(11);
  const SimData d = simulate_isotropic(300, 5, 3, 3.0, rng);
  Rng r1(5), r2(5);
  const ClusterResult a = fit(d.view(), 3, Method::kmeans, Options(), r1);
  const ClusterResult b = fit(d.view(), 3, Method::kmeans, Options(), r2);
  REQUIRE(a.labels == b.labels);
  REQUIRE(misclustering_rate(d.labels, a.labels) == 0.0);
  REQUIRE(a.converged);
  REQUIRE(a.means.size() == 15);
  // predict on the training data reproduces the labels (nearest mean)
  REQUIRE(predict(a, d.view()) == a.labels);
}

TEST_CASE("EM-GMM: recovery for every covariance family, monotone penalised loglik", "[sdp]") {
  Rng rng(3);
  const SimData d = simulate_design("D2", 300, rng);
  for (const char* cov : {"spherical", "diagonal", "tied", "full"}) {
    Options o;
    o.set("cov_type", std::string(cov));
    o.set("em_n_init", 3.0);
    Rng r(7);
    const ClusterResult f = fit(d.view(), 2, Method::em_gmm, o, r);
    INFO(cov);
    REQUIRE(std::isfinite(f.loglik));
    REQUIRE(f.bic == Approx(-2 * f.loglik + f.df * std::log(300.0)));
    REQUIRE(f.icl >= f.bic);
    if (std::string(cov) != "tied") REQUIRE(misclustering_rate(d.labels, f.labels) < 0.08);
    // reported loglik equals the mixture loglik at the returned parameters
    REQUIRE(mixture_loglik(d.view(), f.means, f.covariances, f.weights) == Approx(f.loglik).epsilon(1e-10));
  }
  // monotone traces (penalised exactly, plain up to the tiny ridge)
  const arma::mat x(d.x.data(), 300, 2);
  Rng r(1);
  const auto g = detail::em_gmm(x, 2, CovType::full, 1e-6, 1, 500, 1e-12, r, arma::uvec());
  REQUIRE(g.trace.size() > 3);
  for (size_t i = 1; i < g.trace.size(); ++i) {
    REQUIRE(g.trace[i] >= g.trace[i - 1] - 1e-9 * std::abs(g.trace[i - 1]));
    REQUIRE(g.loglik_trace[i] >= g.loglik_trace[i - 1] - 1e-6);
  }
}

TEST_CASE("EM-GMM: closed form on a 1-D two-point case", "[sdp]") {
  // x = {-1 - h, -1 + h, 1 - h, 1 + h}: the symmetric fixed point has mu = -1, 1, weights 1/2, and
  // variance h^2 + ridge (the other component's responsibility is ~exp(-2/h^2), negligible).
  const double h = 0.1, ridge = 1e-4;
  const std::vector<double> x = {-1 - h, -1 + h, 1 - h, 1 + h};
  Options o;
  o.set("cov_type", std::string("full"));
  o.set("ridge", ridge);
  Rng rng(2);
  const ClusterResult f = fit(data::MatView(x.data(), 4, 1), 2, Method::em_gmm, o, rng);
  const double m0 = std::min(f.means[0], f.means[1]), m1 = std::max(f.means[0], f.means[1]);
  REQUIRE(m0 == Approx(-1.0).margin(1e-12).epsilon(0));
  REQUIRE(m1 == Approx(1.0).margin(1e-12).epsilon(0));
  REQUIRE(f.covariances[0] == Approx(h * h + ridge).epsilon(1e-12));
  REQUIRE(f.weights[0] == Approx(0.5).epsilon(1e-12));
  const double v = h * h + ridge;
  double ll = 0;
  for (double xi : x) {
    const double a = std::exp(-0.5 * (xi + 1) * (xi + 1) / v), b = std::exp(-0.5 * (xi - 1) * (xi - 1) / v);
    ll += std::log(0.5 * (a + b) / std::sqrt(2 * M_PI * v));
  }
  REQUIRE(f.loglik == Approx(ll).epsilon(1e-12));
  REQUIRE(f.df == 1 + 2 + 2);
}

TEST_CASE("bad input gives clear errors", "[sdp]") {
  Rng rng(1);
  std::vector<double> x = {0, 1, 2, 3, 4, 5};
  const data::MatView v(x.data(), 3, 2);
  REQUIRE_THROWS_WITH(fit(v, 0, Method::kmeans, Options(), rng), Catch::Contains("k is 0"));
  REQUIRE_THROWS_WITH(fit(v, 4, Method::kmeans, Options(), rng), Catch::Contains("k is 4"));
  std::vector<double> same = {1, 1, 1, 2, 2, 2};
  REQUIRE_THROWS_WITH(fit(data::MatView(same.data(), 3, 2), 2, Method::sdp_kmeans, Options(), rng),
                      Catch::Contains("distinct"));
  std::vector<double> bad = x;
  bad[4] = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_AS(fit(data::MatView(bad.data(), 3, 2), 2, Method::kmeans, Options(), rng), Error);
  // p >= n with full covariances and no ridge
  std::vector<double> wide(3 * 5);
  for (size_t i = 0; i < wide.size(); ++i) wide[i] = std::sin(static_cast<double>(i) * 1.7);
  Options o;
  o.set("ridge", 0.0);
  REQUIRE_THROWS_WITH(fit(data::MatView(wide.data(), 3, 5), 2, Method::em_gmm, o, rng), Catch::Contains("ridge"));
  // constant column with ridge 0
  std::vector<double> cc = {0, 1, 2, 3, 10, 11, 5, 5, 5, 5, 5, 5};
  REQUIRE_THROWS_WITH(fit(data::MatView(cc.data(), 6, 2), 2, Method::em_gmm, o, rng), Catch::Contains("constant"));
  // ... but the default ridge handles it
  REQUIRE_NOTHROW(fit(data::MatView(cc.data(), 6, 2), 2, Method::em_gmm, Options(), rng));
  REQUIRE_NOTHROW(fit(data::MatView(cc.data(), 6, 2), 2, Method::sdp_kmeans, Options(), rng));
  Options unk;
  unk.set("bogus", 1.0);
  REQUIRE_THROWS_WITH(fit(v, 2, Method::kmeans, unk, rng), Catch::Contains("bogus"));
  Options la;
  la.set("sigma", std::vector<double>{1, 0, 0, 1});
  REQUIRE_THROWS_WITH(fit(v, 2, Method::la_sdp, la, rng), Catch::Contains("sigma"));
}
