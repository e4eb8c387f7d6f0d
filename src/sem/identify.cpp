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
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sem/htc.hpp"
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

/// Rank of a rows x cols matrix (row-major) mod p by reduction to row echelon form. If unident is
/// given, it receives the columns on which some null-space vector is nonzero (reduced echelon form:
/// every non-pivot column, and every pivot column whose row has a nonzero entry in a non-pivot column).
int rank_mod(std::vector<uint64_t> a, int rows, int cols, std::vector<int>* unident = nullptr) {
  auto at = [&](int r, int c) -> uint64_t& { return a[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)]; };
  int rank = 0;
  std::vector<int> pivcol;
  for (int c = 0; c < cols && rank < rows; ++c) {
    int piv = -1;
    for (int r = rank; r < rows; ++r)
      if (at(r, c) != 0) {
        piv = r;
        break;
      }
    if (piv < 0) continue;
    for (int k = 0; k < cols; ++k) std::swap(at(piv, k), at(rank, k));
    const uint64_t ip = invm(at(rank, c));
    for (int k = c; k < cols; ++k) at(rank, k) = mulm(at(rank, k), ip);
    for (int r = rank + 1; r < rows; ++r) {
      const uint64_t f = at(r, c);
      if (f == 0) continue;
      for (int k = c; k < cols; ++k) at(r, k) = subm(at(r, k), mulm(f, at(rank, k)));
    }
    pivcol.push_back(c);
    ++rank;
  }
  if (unident) {
    unident->clear();
    // back substitution to the reduced form
    for (int r = rank - 1; r >= 0; --r) {
      const int c = pivcol[static_cast<std::size_t>(r)];
      for (int r2 = 0; r2 < r; ++r2) {
        const uint64_t f = at(r2, c);
        if (f == 0) continue;
        for (int k = c; k < cols; ++k) at(r2, k) = subm(at(r2, k), mulm(f, at(r, k)));
      }
    }
    std::vector<bool> is_piv(static_cast<std::size_t>(cols), false), bad(static_cast<std::size_t>(cols), false);
    for (int c : pivcol) is_piv[static_cast<std::size_t>(c)] = true;
    for (int c = 0; c < cols; ++c) {
      if (is_piv[static_cast<std::size_t>(c)]) continue;
      bad[static_cast<std::size_t>(c)] = true;
      for (int r = 0; r < rank; ++r)
        if (at(r, c) != 0) bad[static_cast<std::size_t>(pivcol[static_cast<std::size_t>(r)])] = true;
    }
    for (int c = 0; c < cols; ++c)
      if (bad[static_cast<std::size_t>(c)]) unident->push_back(c);
  }
  return rank;
}

/// Residue of a fixed value: integers exactly, other values as the closest fraction with a
/// denominator up to 10^6 (continued fractions).
uint64_t residue(double v) {
  const bool neg = v < 0;
  double x = std::fabs(v);
  int64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;  // convergents h/k
  double r = x;
  for (int it = 0; it < 40; ++it) {
    const double fl = std::floor(r);
    const int64_t ai = static_cast<int64_t>(fl);
    const int64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    if (k2 > 1000000) break;
    h0 = h1;
    h1 = h2;
    k0 = k1;
    k1 = k2;
    if (std::fabs(static_cast<double>(h1) / static_cast<double>(k1) - x) <= 1e-12 * std::max(1.0, x)) break;
    const double fr = r - fl;
    if (fr < 1e-15) break;
    r = 1.0 / fr;
  }
  const uint64_t num = static_cast<uint64_t>(h1) % kP, den = static_cast<uint64_t>(k1) % kP;
  const uint64_t val = mulm(num, invm(den));
  return neg ? subm(0, val) : val;
}

/// Structural flags of a graph.
void structural_flags(const Graph& g, Identification& out) {
  const int n = g.n;
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

void run_htc(const Graph& g, Identification& out) {
  out.htc_applicable = true;
  out.htc_solved = detail::htc_solved_nodes(g);
  out.htc_identifiable = static_cast<int>(out.htc_solved.size()) == g.n;
  out.htc_nonidentifiable = !out.htc_identifiable && detail::htc_nonidentifiable(g);
}

uint64_t random_unit(Rng& rng) { return 1 + static_cast<uint64_t>(rng.uniform_int(static_cast<int64_t>(kP - 1))); }

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
  structural_flags(g, out);
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
    std::vector<int> un;
    const int rk = rank_mod(J, rows, cols, &un);
    if (rk > best || t == 1) {
      best = std::max(best, rk);
      out.unidentified = un;
    }
  }
  out.jacobian_rank = best;
  out.finite_to_one = best == out.n_params;
  // 3. half-trek criterion
  run_htc(g, out);
  return out;
}

}  // namespace hetmod::sem

namespace hetmod::sem {

Identification identify_model(const Model& model, uint64_t seed, int trials) {
  const char* fn = "sem::identify_model";
  check::at_least(fn, "trials", trials, 1);
  const int p = model.p(), m = model.m(), q = model.n_free;
  const bool means = model.meanstructure;
  Identification out;
  out.n_params = q;
  out.n_moments = p * (p + 1) / 2 + (means ? p : 0);
  const Graph g = model_graph(model);
  structural_flags(g, out);
  if (static_cast<int>(model.latent.size()) == 0) run_htc(g, out);
  // cells of the RAM matrices (as detail::ram_structure): kind 0 = A(row, col), 1 = S, 2 = M
  struct C {
    int kind, row, col, par;
    bool random;
    uint64_t value;
  };
  std::vector<C> cells;
  for (const auto& r : model.rows) {
    const int l = model.var_index(r.lhs);
    check::require(l >= 0, fn, "unknown variable '" + r.lhs + "'");
    C c{0, 0, 0, r.par, false, 0};
    if (r.par < 0) {
      if (r.exo || !std::isfinite(r.value)) c.random = true;
      else c.value = residue(r.value);
    }
    const int x = r.op == Op::intercept ? 0 : model.var_index(r.rhs);
    check::require(x >= 0, fn, "unknown variable '" + r.rhs + "'");
    switch (r.op) {
      case Op::loading: c.kind = 0; c.row = x; c.col = l; break;
      case Op::regression: c.kind = 0; c.row = l; c.col = x; break;
      case Op::covariance: c.kind = 1; c.row = l; c.col = x; break;
      case Op::intercept:
        if (!means) continue;
        c.kind = 2;
        c.row = l;
        break;
    }
    cells.push_back(c);
  }
  Rng rng(seed);
  const int rows = out.n_moments, cols = q;
  const std::size_t mm = static_cast<std::size_t>(m);
  auto ix2 = [mm](int i, int j) { return static_cast<std::size_t>(i) * mm + static_cast<std::size_t>(j); };
  int best = -1;
  for (int t = 0, attempts = 0; t < trials && attempts < 50 * trials; ++attempts) {
    std::vector<uint64_t> th(static_cast<std::size_t>(q));
    for (auto& v : th) v = random_unit(rng);
    std::vector<uint64_t> A(mm * mm, 0), S(mm * mm, 0), M(mm, 0);
    std::vector<uint64_t> val(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const C& c = cells[k];
      const uint64_t v = c.par >= 0 ? th[static_cast<std::size_t>(c.par)] : c.random ? random_unit(rng) : c.value;
      val[k] = v;
      if (c.kind == 0) A[ix2(c.row, c.col)] = addm(A[ix2(c.row, c.col)], v);
      else if (c.kind == 1) {
        S[ix2(c.row, c.col)] = v;
        S[ix2(c.col, c.row)] = v;
      } else {
        M[static_cast<std::size_t>(c.row)] = v;
      }
    }
    // B = (I - A)^{-1} (row-major), T = B S B^T, BM = B M
    std::vector<uint64_t> ia(mm * mm, 0), B;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) ia[ix2(i, j)] = subm(i == j ? 1 : 0, A[ix2(i, j)]);
    if (!inverse_mod(ia, m, B)) continue;
    ++t;
    std::vector<uint64_t> SBt(mm * mm, 0), T(mm * mm, 0), BM(mm, 0);
    for (int k = 0; k < m; ++k)
      for (int j = 0; j < m; ++j) {
        uint64_t s = 0;
        for (int l = 0; l < m; ++l)
          if (S[ix2(k, l)]) s = addm(s, mulm(S[ix2(k, l)], B[ix2(j, l)]));
        SBt[ix2(k, j)] = s;
      }
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) {
        uint64_t s = 0;
        for (int k = 0; k < m; ++k) s = addm(s, mulm(B[ix2(i, k)], SBt[ix2(k, j)]));
        T[ix2(i, j)] = s;
      }
    for (int i = 0; i < m; ++i) {
      uint64_t s = 0;
      for (int k = 0; k < m; ++k) s = addm(s, mulm(B[ix2(i, k)], M[static_cast<std::size_t>(k)]));
      BM[static_cast<std::size_t>(i)] = s;
    }
    // J: rows vech(Sigma_obs) (column-wise lower triangle) then mu; Sigma = B S B^T (RAM A[i,j] = j -> i)
    std::vector<uint64_t> J(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 0);
    for (const C& c : cells) {
      if (c.par < 0) continue;
      int r = 0;
      for (int b = 0; b < p; ++b)
        for (int a = b; a < p; ++a, ++r) {
          uint64_t d = 0;
          if (c.kind == 0) {
            // dSigma = B E_rc T + T E_cr B^T: [a,b] = B[a,row] T[col,b] + T[a,col] B[b,row]
            d = addm(mulm(B[ix2(a, c.row)], T[ix2(c.col, b)]), mulm(T[ix2(a, c.col)], B[ix2(b, c.row)]));
          } else if (c.kind == 1) {
            d = mulm(B[ix2(a, c.row)], B[ix2(b, c.col)]);
            if (c.row != c.col) d = addm(d, mulm(B[ix2(a, c.col)], B[ix2(b, c.row)]));
          }
          auto& cell = J[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c.par)];
          cell = addm(cell, d);
        }
      if (means)
        for (int a = 0; a < p; ++a, ++r) {
          uint64_t d = 0;
          if (c.kind == 0) d = mulm(B[ix2(a, c.row)], BM[static_cast<std::size_t>(c.col)]);
          else if (c.kind == 2) d = B[ix2(a, c.row)];
          auto& cell = J[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c.par)];
          cell = addm(cell, d);
        }
    }
    std::vector<int> un;
    const int rk = rank_mod(J, rows, cols, &un);
    if (rk > best) {
      best = rk;
      out.unidentified = un;
    }
  }
  check::require(best >= 0, fn, "I - A is singular at every random parameter point (the model's paths form a degenerate cycle)");
  out.jacobian_rank = best;
  out.finite_to_one = best == q;
  return out;
}

}  // namespace hetmod::sem
