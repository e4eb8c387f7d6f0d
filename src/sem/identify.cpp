// src/sem/identify.cpp -- generic identifiability diagnostics (sem/model.hpp, identify).
//
// Outline (spec/sem.md 1.4, 1.5 and 2 "Rank test"):
// 1. Structural flags: acyclic (Kahn's algorithm), bow-free (no i -> j with i <-> j), simple
//    (bow-free and no 2-cycle i -> j -> i).
// 2. Generic Jacobian rank of theta = (lambda, omega_kk, omega_kl) -> vech(Sigma) over GF(p),
//    p = 2^31 - 1, at random integer parameters: B = (I-Lambda)^{-1} by Gauss-Jordan mod p,
//    Sigma = B^T Omega B, and
//      dSigma/dlambda_ij [a,b] = Sigma[a,i] B[j,b] + Sigma[b,i] B[j,a],
//      dSigma/domega_kl [a,b]  = B[k,a] B[l,b] + B[l,a] B[k,b]   (once for k = l).
//    The rank (Gaussian elimination mod p) is exact; full column rank |V|+|D|+|B| <=> generically
//    finite-to-one. A draw with det(I-Lambda) = 0 mod p is redrawn; the maximum over trials is kept.
#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

namespace {

constexpr uint64_t kP = 2147483647ULL;  // 2^31 - 1

uint64_t mulm(uint64_t a, uint64_t b) { return (a * b) % kP; }
uint64_t addm(uint64_t a, uint64_t b) { return (a + b) % kP; }
uint64_t subm(uint64_t a, uint64_t b) { return (a + kP - b) % kP; }
uint64_t powm(uint64_t a, uint64_t e) {
  uint64_t r = 1;
  a %= kP;
  while (e) {
    if (e & 1) r = mulm(r, a);
    a = mulm(a, a);
    e >>= 1;
  }
  return r;
}
uint64_t invm(uint64_t a) { return powm(a, kP - 2); }

/// Inverse of an n*n matrix (row-major) mod p; false if singular.
bool inverse_mod(std::vector<uint64_t> a, int n, std::vector<uint64_t>& inv) {
  inv.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) inv[static_cast<std::size_t>(i * n + i)] = 1;
  for (int c = 0; c < n; ++c) {
    int piv = -1;
    for (int r = c; r < n; ++r)
      if (a[static_cast<std::size_t>(r * n + c)] != 0) {
        piv = r;
        break;
      }
    if (piv < 0) return false;
    if (piv != c)
      for (int k = 0; k < n; ++k) {
        std::swap(a[static_cast<std::size_t>(piv * n + k)], a[static_cast<std::size_t>(c * n + k)]);
        std::swap(inv[static_cast<std::size_t>(piv * n + k)], inv[static_cast<std::size_t>(c * n + k)]);
      }
    const uint64_t ip = invm(a[static_cast<std::size_t>(c * n + c)]);
    for (int k = 0; k < n; ++k) {
      a[static_cast<std::size_t>(c * n + k)] = mulm(a[static_cast<std::size_t>(c * n + k)], ip);
      inv[static_cast<std::size_t>(c * n + k)] = mulm(inv[static_cast<std::size_t>(c * n + k)], ip);
    }
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const uint64_t f = a[static_cast<std::size_t>(r * n + c)];
      if (f == 0) continue;
      for (int k = 0; k < n; ++k) {
        a[static_cast<std::size_t>(r * n + k)] = subm(a[static_cast<std::size_t>(r * n + k)], mulm(f, a[static_cast<std::size_t>(c * n + k)]));
        inv[static_cast<std::size_t>(r * n + k)] = subm(inv[static_cast<std::size_t>(r * n + k)], mulm(f, inv[static_cast<std::size_t>(c * n + k)]));
      }
    }
  }
  return true;
}

/// Rank of a rows x cols matrix (row-major) mod p.
int rank_mod(std::vector<uint64_t> a, int rows, int cols) {
  int rank = 0;
  for (int c = 0; c < cols && rank < rows; ++c) {
    int piv = -1;
    for (int r = rank; r < rows; ++r)
      if (a[static_cast<std::size_t>(r * cols + c)] != 0) {
        piv = r;
        break;
      }
    if (piv < 0) continue;
    for (int k = 0; k < cols; ++k) std::swap(a[static_cast<std::size_t>(piv * cols + k)], a[static_cast<std::size_t>(rank * cols + k)]);
    const uint64_t ip = invm(a[static_cast<std::size_t>(rank * cols + c)]);
    for (int r = rank + 1; r < rows; ++r) {
      const uint64_t f = mulm(a[static_cast<std::size_t>(r * cols + c)], ip);
      if (f == 0) continue;
      for (int k = c; k < cols; ++k)
        a[static_cast<std::size_t>(r * cols + k)] = subm(a[static_cast<std::size_t>(r * cols + k)], mulm(f, a[static_cast<std::size_t>(rank * cols + k)]));
    }
    ++rank;
  }
  return rank;
}

}  // namespace

Identification identify(const Graph& g, uint64_t seed, int trials) {
  const char* fn = "sem::identify";
  check::at_least(fn, "trials", trials, 1);
  const int n = g.n;
  Identification out;
  const int nd = static_cast<int>(g.directed.size()), nb = static_cast<int>(g.bidirected.size());
  out.n_params = n + nd + nb;
  out.n_moments = n * (n + 1) / 2;
  // 1. structural flags
  {
    std::set<std::pair<int, int>> dset(g.directed.begin(), g.directed.end());
    bool bow = false, two_cycle = false;
    for (const auto& e : g.directed) {
      if (dset.count({e.second, e.first})) two_cycle = true;
      const std::pair<int, int> b{std::min(e.first, e.second), std::max(e.first, e.second)};
      if (std::find(g.bidirected.begin(), g.bidirected.end(), b) != g.bidirected.end()) bow = true;
    }
    out.bow_free = !bow;
    out.simple = !bow && !two_cycle;
    std::vector<int> indeg(static_cast<std::size_t>(n), 0);
    for (const auto& e : g.directed) ++indeg[static_cast<std::size_t>(e.second)];
    std::vector<int> st;
    for (int i = 0; i < n; ++i)
      if (!indeg[static_cast<std::size_t>(i)]) st.push_back(i);
    int seen = 0;
    while (!st.empty()) {
      const int v = st.back();
      st.pop_back();
      ++seen;
      for (const auto& e : g.directed)
        if (e.first == v && --indeg[static_cast<std::size_t>(e.second)] == 0) st.push_back(e.second);
    }
    out.acyclic = seen == n;
  }
  // 2. Jacobian rank over GF(p)
  Rng rng(seed);
  const int rows = out.n_moments, cols = out.n_params;
  int best = 0;
  for (int t = 0, attempts = 0; t < trials && attempts < 50 * trials; ++attempts) {
    std::vector<uint64_t> lam(static_cast<std::size_t>(nd)), od(static_cast<std::size_t>(n)), ob(static_cast<std::size_t>(nb));
    for (auto& v : lam) v = 1 + static_cast<uint64_t>(rng.uniform_int(static_cast<int64_t>(kP - 1)));
    for (auto& v : od) v = 1 + static_cast<uint64_t>(rng.uniform_int(static_cast<int64_t>(kP - 1)));
    for (auto& v : ob) v = 1 + static_cast<uint64_t>(rng.uniform_int(static_cast<int64_t>(kP - 1)));
    // I - Lambda (row-major: [i][j] = delta_ij - lambda_ij)
    std::vector<uint64_t> ilam(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0), B;
    for (int i = 0; i < n; ++i) ilam[static_cast<std::size_t>(i * n + i)] = 1;
    for (int e = 0; e < nd; ++e) {
      const auto& d = g.directed[static_cast<std::size_t>(e)];
      ilam[static_cast<std::size_t>(d.first * n + d.second)] = subm(ilam[static_cast<std::size_t>(d.first * n + d.second)], lam[static_cast<std::size_t>(e)]);
    }
    if (!inverse_mod(ilam, n, B)) continue;
    ++t;
    auto Bm = [&](int a, int b) { return B[static_cast<std::size_t>(a * n + b)]; };
    std::vector<uint64_t> om(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0);
    for (int k = 0; k < n; ++k) om[static_cast<std::size_t>(k * n + k)] = od[static_cast<std::size_t>(k)];
    for (int b = 0; b < nb; ++b) {
      const auto& e = g.bidirected[static_cast<std::size_t>(b)];
      om[static_cast<std::size_t>(e.first * n + e.second)] = om[static_cast<std::size_t>(e.second * n + e.first)] = ob[static_cast<std::size_t>(b)];
    }
    // Sigma = B^T Omega B
    std::vector<uint64_t> ob_(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0), sig(ob_.size(), 0);
    for (int k = 0; k < n; ++k)
      for (int b = 0; b < n; ++b) {
        uint64_t s = 0;
        for (int l = 0; l < n; ++l) s = addm(s, mulm(om[static_cast<std::size_t>(k * n + l)], Bm(l, b)));
        ob_[static_cast<std::size_t>(k * n + b)] = s;
      }
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b) {
        uint64_t s = 0;
        for (int k = 0; k < n; ++k) s = addm(s, mulm(Bm(k, a), ob_[static_cast<std::size_t>(k * n + b)]));
        sig[static_cast<std::size_t>(a * n + b)] = s;
      }
    std::vector<uint64_t> J(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 0);
    int r = 0;
    for (int b = 0; b < n; ++b)
      for (int a = b; a < n; ++a, ++r) {
        int c = 0;
        for (int e = 0; e < nd; ++e, ++c) {
          const int i = g.directed[static_cast<std::size_t>(e)].first, j = g.directed[static_cast<std::size_t>(e)].second;
          J[static_cast<std::size_t>(r * cols + c)] = addm(mulm(sig[static_cast<std::size_t>(a * n + i)], Bm(j, b)), mulm(sig[static_cast<std::size_t>(b * n + i)], Bm(j, a)));
        }
        for (int k = 0; k < n; ++k, ++c) J[static_cast<std::size_t>(r * cols + c)] = mulm(Bm(k, a), Bm(k, b));
        for (int e = 0; e < nb; ++e, ++c) {
          const int k = g.bidirected[static_cast<std::size_t>(e)].first, l = g.bidirected[static_cast<std::size_t>(e)].second;
          J[static_cast<std::size_t>(r * cols + c)] = addm(mulm(Bm(k, a), Bm(l, b)), mulm(Bm(l, a), Bm(k, b)));
        }
      }
    best = std::max(best, rank_mod(J, rows, cols));
  }
  out.jacobian_rank = best;
  out.finite_to_one = best == out.n_params;
  return out;
}

}  // namespace hetmod::sem
