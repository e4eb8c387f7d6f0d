// src/sdpcluster/metrics.cpp -- clustering agreement metrics.
//
// 1. Hungarian algorithm (shortest augmenting paths with potentials, O(m^3)) on the square padding of
//    an r x c cost matrix (padding cost 0).
// 2. Mis-clustering rate: 1 - max over one-to-one label matchings of matched counts / n, the matching
//    found by the Hungarian algorithm on -contingency.
// 3. ARI (Hubert & Arabie 1985): (sum C(n_ij,2) - E) / (0.5 (sum C(a_i,2) + sum C(b_j,2)) - E),
//    E = sum C(a_i,2) sum C(b_j,2) / C(n,2).
// 4. NMI with arithmetic normalisation: I(a;b) / ((H(a) + H(b)) / 2), natural logs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "hetmod/core/check.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

namespace detail {

std::vector<int> hungarian_min(const arma::mat& cost) {
  const int r = static_cast<int>(cost.n_rows), c = static_cast<int>(cost.n_cols);
  const int m = std::max(r, c);
  if (m == 0) return {};
  // a[i][j], 1-based, square m x m
  auto a = [&](int i, int j) -> double {
    return (i <= r && j <= c) ? cost(static_cast<arma::uword>(i - 1), static_cast<arma::uword>(j - 1)) : 0.0;
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(static_cast<size_t>(m) + 1, 0.0), v(static_cast<size_t>(m) + 1, 0.0);
  std::vector<int> pcol(static_cast<size_t>(m) + 1, 0), way(static_cast<size_t>(m) + 1, 0);
  for (int i = 1; i <= m; ++i) {
    pcol[0] = i;
    int j0 = 0;
    std::vector<double> minv(static_cast<size_t>(m) + 1, inf);
    std::vector<char> used(static_cast<size_t>(m) + 1, 0);
    do {
      used[static_cast<size_t>(j0)] = 1;
      const int i0 = pcol[static_cast<size_t>(j0)];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[static_cast<size_t>(j)]) continue;
        const double cur = a(i0, j) - u[static_cast<size_t>(i0)] - v[static_cast<size_t>(j)];
        if (cur < minv[static_cast<size_t>(j)]) {
          minv[static_cast<size_t>(j)] = cur;
          way[static_cast<size_t>(j)] = j0;
        }
        if (minv[static_cast<size_t>(j)] < delta) {
          delta = minv[static_cast<size_t>(j)];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[static_cast<size_t>(j)]) {
          u[static_cast<size_t>(pcol[static_cast<size_t>(j)])] += delta;
          v[static_cast<size_t>(j)] -= delta;
        } else {
          minv[static_cast<size_t>(j)] -= delta;
        }
      }
      j0 = j1;
    } while (pcol[static_cast<size_t>(j0)] != 0);
    do {
      const int j1 = way[static_cast<size_t>(j0)];
      pcol[static_cast<size_t>(j0)] = pcol[static_cast<size_t>(j1)];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> ans(static_cast<size_t>(r), -1);
  for (int j = 1; j <= m; ++j) {
    const int i = pcol[static_cast<size_t>(j)];
    if (i >= 1 && i <= r && j <= c) ans[static_cast<size_t>(i - 1)] = j - 1;
  }
  return ans;
}

}  // namespace detail

std::vector<int> hungarian(const std::vector<double>& cost, int nrow, int ncol) {
  check::require(nrow >= 0 && ncol >= 0, "hungarian", "nrow and ncol must be >= 0");
  check::same_size("hungarian", "cost", static_cast<int64_t>(cost.size()), static_cast<int64_t>(nrow) * ncol);
  check::finite("hungarian", "cost", cost.data(), static_cast<int64_t>(cost.size()));
  arma::mat c(const_cast<double*>(cost.data()), static_cast<arma::uword>(nrow), static_cast<arma::uword>(ncol),
              false, true);
  return detail::hungarian_min(c);
}

namespace {

// Contingency table of two labelings (labels re-coded to 0..ra-1 and 0..rb-1).
arma::mat contingency(const char* fn, const std::vector<int>& a, const std::vector<int>& b) {
  check::require(!a.empty(), fn, "labelings must be non-empty");
  check::same_size(fn, "length of the second labeling", static_cast<int64_t>(b.size()),
                   static_cast<int64_t>(a.size()));
  std::map<int, arma::uword> ma, mb;
  for (int v : a) ma.emplace(v, 0);
  for (int v : b) mb.emplace(v, 0);
  arma::uword idx = 0;
  for (auto& kv : ma) kv.second = idx++;
  idx = 0;
  for (auto& kv : mb) kv.second = idx++;
  arma::mat t(ma.size(), mb.size(), arma::fill::zeros);
  for (size_t i = 0; i < a.size(); ++i) t(ma[a[i]], mb[b[i]]) += 1.0;
  return t;
}

double choose2(double x) { return 0.5 * x * (x - 1.0); }

}  // namespace

double misclustering_rate(const std::vector<int>& truth, const std::vector<int>& pred) {
  const arma::mat t = contingency("misclustering_rate", truth, pred);
  const std::vector<int> as = detail::hungarian_min(-t);
  double matched = 0;
  for (size_t i = 0; i < as.size(); ++i)
    if (as[i] >= 0) matched += t(i, static_cast<arma::uword>(as[i]));
  return 1.0 - matched / static_cast<double>(truth.size());
}

double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b) {
  const arma::mat t = contingency("adjusted_rand_index", a, b);
  const double n = static_cast<double>(a.size());
  double sij = 0, sa = 0, sb = 0;
  for (double v : t) sij += choose2(v);
  const arma::vec ra = arma::sum(t, 1);
  const arma::rowvec cb = arma::sum(t, 0);
  for (double v : ra) sa += choose2(v);
  for (double v : cb) sb += choose2(v);
  const double expected = (n > 1) ? sa * sb / choose2(n) : 0.0;
  const double maxi = 0.5 * (sa + sb);
  if (maxi == expected) return 1.0;  // both trivial (all singletons or one cluster): identical structure
  return (sij - expected) / (maxi - expected);
}

double normalized_mutual_info(const std::vector<int>& a, const std::vector<int>& b) {
  const arma::mat t = contingency("normalized_mutual_info", a, b);
  const double n = static_cast<double>(a.size());
  const arma::vec ra = arma::sum(t, 1);
  const arma::rowvec cb = arma::sum(t, 0);
  double ha = 0, hb = 0, mi = 0;
  for (double v : ra)
    if (v > 0) ha -= (v / n) * std::log(v / n);
  for (double v : cb)
    if (v > 0) hb -= (v / n) * std::log(v / n);
  for (arma::uword i = 0; i < t.n_rows; ++i)
    for (arma::uword j = 0; j < t.n_cols; ++j)
      if (t(i, j) > 0) mi += (t(i, j) / n) * std::log(n * t(i, j) / (ra(i) * cb(j)));
  if (ha == 0 && hb == 0) return 1.0;
  const double denom = 0.5 * (ha + hb);
  return std::max(0.0, mi / denom);
}

}  // namespace hetmod::sdpcluster
