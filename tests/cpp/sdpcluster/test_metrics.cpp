// Metrics: Hungarian assignment, mis-clustering rate, ARI, NMI against hand-computed values.
#include <catch2/catch.hpp>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "hetmod/sdpcluster/model.hpp"

using namespace hetmod::sdpcluster;

TEST_CASE("hungarian: 3x3 hand example and rectangular", "[sdp]") {
  // cost (rows) = [4 1 3; 2 0 5; 3 2 2] -> optimal 0->1, 1->0, 2->2, cost 1+2+2 = 5
  const std::vector<double> c = {4, 2, 3, 1, 0, 2, 3, 5, 2};
  const auto a = hungarian(c, 3, 3);
  REQUIRE(a == std::vector<int>{1, 0, 2});
  // 2 x 3: rows [1 2 3; 3 1 2]: row0->0, row1->1 (cost 2)
  const std::vector<double> r = {1, 3, 2, 1, 3, 2};
  REQUIRE(hungarian(r, 2, 3) == std::vector<int>{0, 1});
  // 3 x 2: rows [5 9; 1 4; 2 1] -> row1->0, row2->1, row0 unassigned (cost 2)
  const std::vector<double> t = {5, 1, 2, 9, 4, 1};
  REQUIRE(hungarian(t, 3, 2) == std::vector<int>{-1, 0, 1});
  // brute force over all permutations of a random 5x5
  std::vector<double> m(25);
  for (int i = 0; i < 25; ++i) m[static_cast<size_t>(i)] = std::fmod(i * 7.31 + 3.7 * (i % 4), 10.0);
  const auto h = hungarian(m, 5, 5);
  double hc = 0;
  for (int i = 0; i < 5; ++i) hc += m[static_cast<size_t>(i + 5 * h[static_cast<size_t>(i)])];
  std::vector<int> perm = {0, 1, 2, 3, 4};
  double best = 1e300;
  do {
    double s = 0;
    for (int i = 0; i < 5; ++i) s += m[static_cast<size_t>(i + 5 * perm[static_cast<size_t>(i)])];
    best = std::min(best, s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  REQUIRE(hc == Approx(best).margin(1e-12).epsilon(0));
}

TEST_CASE("misclustering rate is minimised over label permutations", "[sdp]") {
  const std::vector<int> truth = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  REQUIRE(misclustering_rate(truth, {2, 2, 2, 0, 0, 0, 1, 1, 1}) == 0.0);
  REQUIRE(misclustering_rate(truth, {1, 1, 0, 0, 0, 0, 2, 2, 2}) == Approx(1.0 / 9.0));
  // more predicted clusters than true ones: 4 predicted labels
  REQUIRE(misclustering_rate(truth, {0, 0, 3, 1, 1, 1, 2, 2, 2}) == Approx(1.0 / 9.0));
  REQUIRE(misclustering_rate({0, 0, 1, 1}, {0, 1, 0, 1}) == Approx(0.5));
  REQUIRE_THROWS_AS(misclustering_rate({0, 1}, {0}), hetmod::Error);
}

TEST_CASE("ARI and NMI: hand-computed values", "[sdp]") {
  // a = {0,0,0,1,1,1}, b = {0,0,1,1,2,2}: contingency [[2,1,0],[0,1,2]]
  // sum C(nij,2) = 1+0+0+0+0+1 = 2; rows C(3,2)*2 = 6; cols C(2,2)*3 = 3; C(6,2) = 15
  // E = 6*3/15 = 1.2; max = 4.5; ARI = (2 - 1.2)/(4.5 - 1.2) = 0.8/3.3
  const std::vector<int> a = {0, 0, 0, 1, 1, 1}, b = {0, 0, 1, 1, 2, 2};
  REQUIRE(adjusted_rand_index(a, b) == Approx(0.8 / 3.3).epsilon(1e-14));
  REQUIRE(adjusted_rand_index(a, {5, 5, 5, 7, 7, 7}) == Approx(1.0));
  // NMI: H(a) = log 2; H(b) = log 3; I = sum p_ij log(p_ij/(p_i p_j))
  //   cells 2/6: log((1/3)/(1/2*1/3)) = log 2 (two cells); cells 1/6: log((1/6)/(1/2*1/3)) = 0
  //   I = 2 * (1/3) log 2 = (2/3) log 2; NMI = (2/3 log 2) / ((log 2 + log 3)/2)
  const double nmi = (2.0 / 3.0) * std::log(2.0) / (0.5 * (std::log(2.0) + std::log(3.0)));
  REQUIRE(normalized_mutual_info(a, b) == Approx(nmi).epsilon(1e-14));
  REQUIRE(normalized_mutual_info(a, a) == Approx(1.0));
  REQUIRE(normalized_mutual_info({0, 0, 0}, {1, 1, 1}) == 1.0);
  // independent labelings: I = 0
  REQUIRE(normalized_mutual_info({0, 0, 1, 1}, {0, 1, 0, 1}) == Approx(0.0).margin(1e-15).epsilon(0));
  REQUIRE(adjusted_rand_index({0, 0, 1, 1}, {0, 1, 0, 1}) == Approx(-0.5));  // (0 - 2*2/6)/(2 - 2/3)
}
