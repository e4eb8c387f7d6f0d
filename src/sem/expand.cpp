// src/sem/expand.cpp -- exact symbolic expansion of the implied covariance (sem/model.hpp, expand).
//
// Outline (spec/sem.md 1.2, 1.3 and 2 "Symbolic expansion"; Adhikari-Gross-Harkonen-Tsigaridas 2022):
// 1. Simple directed cycles of D[S] by DFS from their smallest vertex.
// 2. Cycle sum C(S) = sum over collections of vertex-disjoint cycles of (-1)^{#cycles} prod(weights)
//    = det((I-Lambda)_{S,S}); C(V) = det(I-Lambda).
// 3. N_ki = sum over simple paths P: k ~> i of lambda^P C(V \ P)  ([(I-Lambda)^{-1}]_ki = N_ki / C(V)).
// 4. sigma_ij = sum_{k,l} N_ki omega_kl N_lj / C(V)^2 (the one-connection rule; for acyclic D every
//    C(.) = 1 and the terms are the treks of the trek rule).
// Polynomials are sparse maps exponent-vector -> int64 coefficient (exact). Exponential in the
// number of paths and cycles: small graphs only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

// ---------------------------------------------------------------------------------------------
// Polynomial
// ---------------------------------------------------------------------------------------------

Polynomial Polynomial::constant(int nvars, int64_t c) {
  Polynomial p;
  p.nvars = nvars;
  if (c != 0) p.terms[std::vector<int>(static_cast<std::size_t>(nvars), 0)] = c;
  return p;
}

Polynomial Polynomial::variable(int nvars, int index, int power) {
  check::require(index >= 0 && index < nvars, "sem::Polynomial::variable", "index out of range");
  Polynomial p;
  p.nvars = nvars;
  std::vector<int> e(static_cast<std::size_t>(nvars), 0);
  e[static_cast<std::size_t>(index)] = power;
  p.terms[e] = 1;
  return p;
}

Polynomial Polynomial::operator+(const Polynomial& o) const {
  Polynomial r = *this;
  r.nvars = std::max(nvars, o.nvars);
  for (const auto& t : o.terms) {
    auto& c = r.terms[t.first];
    c += t.second;
    if (c == 0) r.terms.erase(t.first);
  }
  return r;
}

Polynomial Polynomial::operator-(const Polynomial& o) const {
  Polynomial neg = o;
  for (auto& t : neg.terms) t.second = -t.second;
  return *this + neg;
}

Polynomial Polynomial::operator*(const Polynomial& o) const {
  Polynomial r;
  r.nvars = std::max(nvars, o.nvars);
  for (const auto& a : terms)
    for (const auto& b : o.terms) {
      std::vector<int> e = a.first;
      for (std::size_t k = 0; k < e.size(); ++k) e[k] += b.first[k];
      auto& c = r.terms[e];
      c += a.second * b.second;
      if (c == 0) r.terms.erase(e);
    }
  return r;
}

double Polynomial::evaluate(const std::vector<double>& x) const {
  check::same_size("sem::Polynomial::evaluate", "x", static_cast<int64_t>(x.size()), nvars);
  double s = 0;
  for (const auto& t : terms) {
    double v = static_cast<double>(t.second);
    for (std::size_t k = 0; k < t.first.size(); ++k)
      if (t.first[k]) v *= std::pow(x[k], t.first[k]);
    s += v;
  }
  return s;
}

namespace {

std::string format_poly(const Polynomial& p, const std::vector<std::string>& names, bool latex) {
  if (p.terms.empty()) return "0";
  std::string out;
  // highest total degree first, then lexicographic
  std::vector<std::pair<std::vector<int>, int64_t>> ts(p.terms.begin(), p.terms.end());
  std::stable_sort(ts.begin(), ts.end(), [](const auto& a, const auto& b) {
    int da = 0, db = 0;
    for (int v : a.first) da += v;
    for (int v : b.first) db += v;
    return da < db;
  });
  bool first = true;
  for (const auto& t : ts) {
    const int64_t c = t.second;
    std::string mono;
    for (std::size_t k = 0; k < t.first.size(); ++k) {
      const int e = t.first[k];
      if (e == 0) continue;
      if (!mono.empty()) mono += latex ? " " : "*";
      mono += names[k];
      if (e > 1) mono += latex ? "^{" + std::to_string(e) + "}" : "^" + std::to_string(e);
    }
    const int64_t ac = c < 0 ? -c : c;
    std::string term;
    if (mono.empty())
      term = std::to_string(ac);
    else if (ac == 1)
      term = mono;
    else
      term = std::to_string(ac) + (latex ? " " : "*") + mono;
    if (first)
      out = (c < 0 ? "-" : "") + term;
    else
      out += (c < 0 ? " - " : " + ") + term;
    first = false;
  }
  return out;
}

struct Cycle {
  uint32_t mask = 0;
  std::vector<int> edges;  // directed-edge indices
};

class Expander {
 public:
  explicit Expander(const Graph& g) : g_(g), nv_(static_cast<int>(g.directed.size() + g.bidirected.size()) + g.n) {
    check::require(g.n <= 20, "sem::expand", "the graph has " + std::to_string(g.n) + " nodes; symbolic expansion supports at most 20");
    out_.assign(static_cast<std::size_t>(g.n), {});
    for (std::size_t e = 0; e < g.directed.size(); ++e) out_[static_cast<std::size_t>(g.directed[e].first)].push_back(static_cast<int>(e));
    find_cycles();
  }

  int nvars() const { return nv_; }

  Polynomial cycle_sum(uint32_t mask) {
    auto it = cache_.find(mask);
    if (it != cache_.end()) return it->second;
    std::vector<const Cycle*> inside;
    for (const auto& c : cycles_)
      if ((c.mask & ~mask) == 0) inside.push_back(&c);
    Polynomial acc = Polynomial::constant(nv_, 0);
    Polynomial one = Polynomial::constant(nv_, 1);
    collect(inside, 0, 0, one, 1, acc);
    cache_[mask] = acc;
    return acc;
  }

  /// N_ki = sum_{P: k ~> i} lambda^P C(V \ P)
  Polynomial path_sum(int k, int i) {
    Polynomial acc = Polynomial::constant(nv_, 0);
    std::vector<int> edges;
    dfs_paths(k, i, 1u << k, edges, acc);
    return acc;
  }

 private:
  void find_cycles() {
    const int n = g_.n;
    for (int s = 0; s < n; ++s) {
      std::vector<int> edges;
      dfs_cycle(s, s, 1u << s, edges);
    }
  }
  void dfs_cycle(int start, int v, uint32_t mask, std::vector<int>& edges) {
    for (int e : out_[static_cast<std::size_t>(v)]) {
      const int w = g_.directed[static_cast<std::size_t>(e)].second;
      if (w == start) {
        Cycle c;
        c.mask = mask;
        c.edges = edges;
        c.edges.push_back(e);
        cycles_.push_back(c);
      } else if (w > start && !(mask & (1u << w))) {
        edges.push_back(e);
        dfs_cycle(start, w, mask | (1u << w), edges);
        edges.pop_back();
      }
    }
  }
  void collect(const std::vector<const Cycle*>& cyc, std::size_t from, uint32_t used, const Polynomial& cur, int sign, Polynomial& acc) {
    acc = acc + (sign > 0 ? cur : Polynomial::constant(nv_, 0) - cur);
    for (std::size_t c = from; c < cyc.size(); ++c) {
      if (cyc[c]->mask & used) continue;
      Polynomial w = cur;
      for (int e : cyc[c]->edges) w = w * Polynomial::variable(nv_, e);
      collect(cyc, c + 1, used | cyc[c]->mask, w, -sign, acc);
    }
  }
  void dfs_paths(int v, int target, uint32_t mask, std::vector<int>& edges, Polynomial& acc) {
    if (v == target) {
      Polynomial t = cycle_sum(((g_.n >= 32 ? 0u : (1u << g_.n)) - 1u) & ~mask);
      for (int e : edges) t = t * Polynomial::variable(nv_, e);
      acc = acc + t;
      return;
    }
    for (int e : out_[static_cast<std::size_t>(v)]) {
      const int w = g_.directed[static_cast<std::size_t>(e)].second;
      if (mask & (1u << w)) continue;
      edges.push_back(e);
      dfs_paths(w, target, mask | (1u << w), edges, acc);
      edges.pop_back();
    }
  }

  const Graph& g_;
  int nv_;
  std::vector<std::vector<int>> out_;
  std::vector<Cycle> cycles_;
  std::map<uint32_t, Polynomial> cache_;
};

std::string idx_pair(int a, int b, int n, bool latex) {
  if (n <= 9) return std::to_string(a + 1) + std::to_string(b + 1);
  return latex ? std::to_string(a + 1) + "," + std::to_string(b + 1) : "_" + std::to_string(a + 1) + "_" + std::to_string(b + 1);
}

}  // namespace

std::string Polynomial::to_string(const std::vector<std::string>& var_names) const {
  check::same_size("sem::Polynomial::to_string", "var_names", static_cast<int64_t>(var_names.size()), nvars);
  return format_poly(*this, var_names, false);
}

std::string Polynomial::to_latex(const std::vector<std::string>& latex_names) const {
  check::same_size("sem::Polynomial::to_latex", "latex_names", static_cast<int64_t>(latex_names.size()), nvars);
  return format_poly(*this, latex_names, true);
}

std::vector<std::string> expansion_variable_names(const Graph& g, bool latex) {
  std::vector<std::string> names;
  for (const auto& e : g.directed)
    names.push_back(latex ? "\\lambda_{" + idx_pair(e.first, e.second, g.n, true) + "}" : "l" + idx_pair(e.first, e.second, g.n, false));
  for (int k = 0; k < g.n; ++k) names.push_back(latex ? "\\omega_{" + idx_pair(k, k, g.n, true) + "}" : "w" + idx_pair(k, k, g.n, false));
  for (const auto& e : g.bidirected)
    names.push_back(latex ? "\\omega_{" + idx_pair(e.first, e.second, g.n, true) + "}" : "w" + idx_pair(e.first, e.second, g.n, false));
  return names;
}

std::string Expansion::to_string() const {
  return "(" + numerator.to_string(var_names) + ") / (" + det.to_string(var_names) + ")^2";
}

std::string Expansion::to_latex() const {
  return "\\frac{" + numerator.to_latex(latex_names) + "}{\\left(" + det.to_latex(latex_names) + "\\right)^{2}}";
}

Polynomial cycle_sum(const Graph& g, const std::vector<int>& nodes) {
  Expander ex(g);
  uint32_t mask = 0;
  for (int v : nodes) {
    check::require(v >= 0 && v < g.n, "sem::cycle_sum", "node " + std::to_string(v) + " is out of range");
    mask |= 1u << v;
  }
  return ex.cycle_sum(mask);
}

Expansion expand(const Graph& g, int i, int j) {
  const char* fn = "sem::expand";
  check::require(i >= 0 && i < g.n && j >= 0 && j < g.n, fn, "node index out of range");
  Expander ex(g);
  const int nv = ex.nvars();
  const int nd = static_cast<int>(g.directed.size());
  std::vector<Polynomial> Ni(static_cast<std::size_t>(g.n)), Nj(static_cast<std::size_t>(g.n));
  for (int k = 0; k < g.n; ++k) {
    Ni[static_cast<std::size_t>(k)] = ex.path_sum(k, i);
    Nj[static_cast<std::size_t>(k)] = (i == j) ? Ni[static_cast<std::size_t>(k)] : ex.path_sum(k, j);
  }
  Polynomial num = Polynomial::constant(nv, 0);
  for (int k = 0; k < g.n; ++k)
    num = num + Ni[static_cast<std::size_t>(k)] * Polynomial::variable(nv, nd + k) * Nj[static_cast<std::size_t>(k)];
  for (std::size_t b = 0; b < g.bidirected.size(); ++b) {
    const int k = g.bidirected[b].first, l = g.bidirected[b].second;
    const Polynomial w = Polynomial::variable(nv, nd + g.n + static_cast<int>(b));
    num = num + Ni[static_cast<std::size_t>(k)] * w * Nj[static_cast<std::size_t>(l)] +
          Ni[static_cast<std::size_t>(l)] * w * Nj[static_cast<std::size_t>(k)];
  }
  Expansion out;
  out.numerator = num;
  out.det = ex.cycle_sum(g.n >= 32 ? 0xFFFFFFFFu : ((1u << g.n) - 1u));
  out.var_names = expansion_variable_names(g, false);
  out.latex_names = expansion_variable_names(g, true);
  return out;
}

}  // namespace hetmod::sem
