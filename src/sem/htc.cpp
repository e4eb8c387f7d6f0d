// src/sem/htc.cpp -- the half-trek criterion (sem/htc.hpp).
//
// Outline (Foygel, Draisma & Drton 2012, Ann. Statist. 40:1682; spec/sem.md 1.5):
// 1. A half-trek from y to t is y -> ... -> t or y <-> u -> ... -> t (no directed edge on the left);
//    htr(v) = nodes reached from v by half-treks (v, its siblings and all their descendants).
// 2. Y satisfies the HTC for v if |Y| = |pa(v)|, Y avoids {v} and sib(v), and there is a system of
//    half-treks from Y to pa(v) without sided intersection. As a flow problem: source -> L(y) for
//    allowed y; L(u) -> Rin(u) and L(u) -> Rin(w) for u <-> w; Rin(u) -> Rout(u) (capacity 1: the
//    right sides are disjoint); Rout(u) -> Rin(w) for u -> w; Rout(t) -> sink for t in pa(v). Every
//    edge has capacity 1, so each y starts at most one half-trek (left sides disjoint). Such a Y
//    exists iff the max flow is |pa(v)|.
// 3. Iteration: nodes without parents are solved; v is solved when the flow succeeds with the
//    allowed set (solved nodes union nodes not in htr(v)) minus ({v} union sib(v)); repeat until
//    nothing changes. All nodes solved => generically identifiable (Theorem 1).
// 4. Theorem 2 (necessary condition), one flow for all nodes at once: a unit per non-sibling pair
//    {i, j} (i != j) may serve as j in Y_i or as i in Y_j (not both); copies R_i(.) of the right
//    sides per target node i; if the max flow is below |D|, no family (Y_v) satisfies the HTC and the
//    parametrisation is generically infinite-to-one.
#include "hetmod/sem/htc.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <queue>

namespace hetmod::sem::detail {

namespace {

/// Dinic max flow with integer capacities.
class MaxFlow {
 public:
  explicit MaxFlow(int n) : adj_(static_cast<std::size_t>(n)), level_(static_cast<std::size_t>(n)), it_(static_cast<std::size_t>(n)) {}
  void add_edge(int u, int v, int cap) {
    adj_[static_cast<std::size_t>(u)].push_back({v, cap, static_cast<int>(adj_[static_cast<std::size_t>(v)].size())});
    adj_[static_cast<std::size_t>(v)].push_back({u, 0, static_cast<int>(adj_[static_cast<std::size_t>(u)].size()) - 1});
  }
  int run(int s, int t) {
    int flow = 0;
    while (bfs(s, t)) {
      std::fill(it_.begin(), it_.end(), 0);
      int f;
      while ((f = dfs(s, t, std::numeric_limits<int>::max())) > 0) flow += f;
    }
    return flow;
  }

 private:
  struct E {
    int to, cap, rev;
  };
  bool bfs(int s, int t) {
    std::fill(level_.begin(), level_.end(), -1);
    std::queue<int> q;
    level_[static_cast<std::size_t>(s)] = 0;
    q.push(s);
    while (!q.empty()) {
      const int u = q.front();
      q.pop();
      for (const E& e : adj_[static_cast<std::size_t>(u)])
        if (e.cap > 0 && level_[static_cast<std::size_t>(e.to)] < 0) {
          level_[static_cast<std::size_t>(e.to)] = level_[static_cast<std::size_t>(u)] + 1;
          q.push(e.to);
        }
    }
    return level_[static_cast<std::size_t>(t)] >= 0;
  }
  int dfs(int u, int t, int f) {
    if (u == t) return f;
    auto& edges = adj_[static_cast<std::size_t>(u)];
    for (int& i = it_[static_cast<std::size_t>(u)]; i < static_cast<int>(edges.size()); ++i) {
      E& e = edges[static_cast<std::size_t>(i)];
      if (e.cap > 0 && level_[static_cast<std::size_t>(e.to)] == level_[static_cast<std::size_t>(u)] + 1) {
        const int d = dfs(e.to, t, std::min(f, e.cap));
        if (d > 0) {
          e.cap -= d;
          adj_[static_cast<std::size_t>(e.to)][static_cast<std::size_t>(e.rev)].cap += d;
          return d;
        }
      }
    }
    return 0;
  }
  std::vector<std::vector<E>> adj_;
  std::vector<int> level_, it_;
};

struct Adj {
  std::vector<std::vector<int>> pa, ch, sib;
  explicit Adj(const Graph& g)
      : pa(static_cast<std::size_t>(g.n)), ch(static_cast<std::size_t>(g.n)), sib(static_cast<std::size_t>(g.n)) {
    for (const auto& e : g.directed) {
      pa[static_cast<std::size_t>(e.second)].push_back(e.first);
      ch[static_cast<std::size_t>(e.first)].push_back(e.second);
    }
    for (const auto& e : g.bidirected) {
      sib[static_cast<std::size_t>(e.first)].push_back(e.second);
      sib[static_cast<std::size_t>(e.second)].push_back(e.first);
    }
  }
};

/// htr(v) including v itself (as SEMID's dependence matrix): {v} u sib(v) and their descendants.
std::vector<bool> half_trek_reachable(const Adj& a, int n, int v) {
  std::vector<bool> r(static_cast<std::size_t>(n), false);
  std::vector<int> st{v};
  for (int s : a.sib[static_cast<std::size_t>(v)]) st.push_back(s);
  for (int u : st) r[static_cast<std::size_t>(u)] = true;
  while (!st.empty()) {
    const int u = st.back();
    st.pop_back();
    for (int w : a.ch[static_cast<std::size_t>(u)])
      if (!r[static_cast<std::size_t>(w)]) {
        r[static_cast<std::size_t>(w)] = true;
        st.push_back(w);
      }
  }
  return r;
}

}  // namespace

std::vector<int> htc_solved_nodes(const Graph& g) {
  const int n = g.n;
  const Adj a(g);
  std::vector<bool> solved(static_cast<std::size_t>(n), false);
  std::vector<int> order;
  for (int v = 0; v < n; ++v)
    if (a.pa[static_cast<std::size_t>(v)].empty()) {
      solved[static_cast<std::size_t>(v)] = true;
      order.push_back(v);
    }
  std::vector<std::vector<bool>> htr;
  for (int v = 0; v < n; ++v) htr.push_back(half_trek_reachable(a, n, v));
  // nodes: 0 source, 1 sink, 2 + u = L(u), 2 + n + u = Rin(u), 2 + 2n + u = Rout(u)
  bool change = true;
  while (change) {
    change = false;
    for (int v = 0; v < n; ++v) {
      if (solved[static_cast<std::size_t>(v)]) continue;
      const auto& pa = a.pa[static_cast<std::size_t>(v)];
      MaxFlow mf(2 + 3 * n);
      int nallowed = 0;
      for (int y = 0; y < n; ++y) {
        if (y == v) continue;
        const auto& sv = a.sib[static_cast<std::size_t>(v)];
        if (std::find(sv.begin(), sv.end(), y) != sv.end()) continue;
        if (!(solved[static_cast<std::size_t>(y)] || !htr[static_cast<std::size_t>(v)][static_cast<std::size_t>(y)])) continue;
        mf.add_edge(0, 2 + y, 1);
        ++nallowed;
      }
      if (nallowed < static_cast<int>(pa.size())) continue;
      for (int u = 0; u < n; ++u) {
        mf.add_edge(2 + u, 2 + n + u, 1);
        for (int w : a.sib[static_cast<std::size_t>(u)]) mf.add_edge(2 + u, 2 + n + w, 1);
        mf.add_edge(2 + n + u, 2 + 2 * n + u, 1);
        for (int w : a.ch[static_cast<std::size_t>(u)]) mf.add_edge(2 + 2 * n + u, 2 + n + w, 1);
      }
      for (int t : pa) mf.add_edge(2 + 2 * n + t, 1, 1);
      if (mf.run(0, 1) == static_cast<int>(pa.size())) {
        solved[static_cast<std::size_t>(v)] = true;
        order.push_back(v);
        change = true;
      }
    }
  }
  return order;
}

bool htc_nonidentifiable(const Graph& g) {
  const int n = g.n;
  if (n <= 1) return false;
  const Adj a(g);
  auto is_sib = [&](int i, int j) {
    const auto& s = a.sib[static_cast<std::size_t>(i)];
    return std::find(s.begin(), s.end(), j) != s.end();
  };
  std::vector<std::pair<int, int>> pairs;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      if (!is_sib(i, j)) pairs.push_back({i, j});
  const int N = static_cast<int>(pairs.size());
  const int nn = n * n;
  // 0 source, 1 sink, 2 + k pair nodes, 2 + N + i*n + j = R_i(j) in, 2 + N + n^2 + i*n + j = R_i(j) out
  auto rin = [&](int i, int j) { return 2 + N + i * n + j; };
  auto rout = [&](int i, int j) { return 2 + N + nn + i * n + j; };
  MaxFlow mf(2 + N + 2 * nn);
  for (int k = 0; k < N; ++k) {
    const int i = pairs[static_cast<std::size_t>(k)].first, j = pairs[static_cast<std::size_t>(k)].second;
    mf.add_edge(0, 2 + k, 1);
    // j as a source for node i: half-treks start at j (trivial left side or j <-> s)
    mf.add_edge(2 + k, rin(i, j), 1);
    for (int s : a.sib[static_cast<std::size_t>(j)]) mf.add_edge(2 + k, rin(i, s), 1);
    // i as a source for node j
    mf.add_edge(2 + k, rin(j, i), 1);
    for (int s : a.sib[static_cast<std::size_t>(i)]) mf.add_edge(2 + k, rin(j, s), 1);
  }
  for (int i = 0; i < n; ++i) {
    for (int t : a.pa[static_cast<std::size_t>(i)]) mf.add_edge(rout(i, t), 1, 1);
    for (int j = 0; j < n; ++j) {
      mf.add_edge(rin(i, j), rout(i, j), 1);
      for (int w : a.ch[static_cast<std::size_t>(j)]) mf.add_edge(rout(i, j), rin(i, w), 1);
    }
  }
  return mf.run(0, 1) < static_cast<int>(g.directed.size());
}

}  // namespace hetmod::sem::detail
