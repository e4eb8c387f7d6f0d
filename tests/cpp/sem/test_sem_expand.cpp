// Symbolic expansion (one-connection rule), identifiability rank, simulation.
#include <catch2/catch.hpp>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sem/model.hpp"

using namespace hetmod;
using namespace hetmod::sem;

namespace {
// variable numbering: directed edges, then omega_kk, then bidirected edges
Polynomial var(int nv, int k, int pw = 1) { return Polynomial::variable(nv, k, pw); }
Polynomial one(int nv) { return Polynomial::constant(nv, 1); }
}  // namespace

TEST_CASE("sem expand: 3-cycle closed forms (spec 5.2)", "[sem]") {
  // edges: 0: 1->2 (l12), 1: 2->3 (l23), 2: 3->1 (l31); omega 3..5
  const Graph g = make_graph(3, {{0, 1}, {1, 2}, {2, 0}}, {});
  const int nv = 6;
  const Polynomial l12 = var(nv, 0), l23 = var(nv, 1), l31 = var(nv, 2), w11 = var(nv, 3), w22 = var(nv, 4), w33 = var(nv, 5);
  const Expansion s11 = expand(g, 0, 0);
  CHECK(s11.det == one(nv) - l12 * l23 * l31);
  CHECK(s11.numerator == w11 + l31 * l31 * w33 + l23 * l23 * l31 * l31 * w22);
  const Expansion s12 = expand(g, 0, 1);
  CHECK(s12.numerator == l12 * w11 + l23 * l31 * w22 + l12 * l31 * l31 * w33);
  CHECK(s11.det.to_string(s11.var_names) == "1 - l12*l23*l31");
  CHECK(s11.to_string().find("w11") != std::string::npos);
  CHECK(s11.to_latex().find("\\lambda_{31}^{2}") != std::string::npos);
  // exact value at (.5, .4, .3), Omega = I: sigma11 = 2761/2209
  const std::vector<double> pt = {0.5, 0.4, 0.3, 1, 1, 1};
  const double d = s11.det.evaluate(pt);
  CHECK(s11.numerator.evaluate(pt) / (d * d) == Approx(2761.0 / 2209).epsilon(1e-13));
}

TEST_CASE("sem expand: 4-node cyclic graph with 1<->3 (spec 5.2)", "[sem]") {
  // edges 0: 1->2, 1: 2->3, 2: 3->4, 3: 4->2; omega_kk 4..7; 8: 1<->3
  const Graph g = make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}});
  const int nv = 9;
  const Polynomial l12 = var(nv, 0), l23 = var(nv, 1), l34 = var(nv, 2), l42 = var(nv, 3), w11 = var(nv, 4), w13 = var(nv, 8);
  const Expansion s13 = expand(g, 0, 2);
  CHECK(s13.det == one(nv) - l23 * l34 * l42);
  CHECK(s13.numerator == w13 + l12 * l23 * w11 - l23 * l34 * l42 * w13 - l12 * l23 * l23 * l34 * l42 * w11);
  CHECK(cycle_sum(g, {1, 2, 3}) == s13.det);
  CHECK(cycle_sum(g, {0, 1, 2}) == one(nv));
}

TEST_CASE("sem expand: agrees with the matrix formula at random points", "[sem]") {
  Rng rng(7);
  const std::vector<Graph> graphs = {
      make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}}),
      make_graph(5, {{0, 1}, {1, 2}, {2, 0}, {2, 3}, {3, 4}, {4, 3}}, {{0, 4}, {1, 3}}),
      make_graph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}, {{1, 2}})};
  for (const Graph& g : graphs) {
    const std::size_t nd = g.directed.size(), nb = g.bidirected.size();
    std::vector<double> lam(nd), od(static_cast<std::size_t>(g.n)), ob(nb);
    for (auto& v : lam) v = rng.uniform(-0.6, 0.6);
    for (auto& v : od) v = rng.uniform(0.5, 2.0);
    for (auto& v : ob) v = rng.uniform(-0.3, 0.3);
    const std::vector<double> sig = graph_sigma(g, lam, od, ob);
    std::vector<double> pt = lam;
    pt.insert(pt.end(), od.begin(), od.end());
    pt.insert(pt.end(), ob.begin(), ob.end());
    for (int i = 0; i < g.n; ++i)
      for (int j = i; j < g.n; ++j) {
        const Expansion e = expand(g, i, j);
        const double d = e.det.evaluate(pt);
        CHECK(e.numerator.evaluate(pt) / (d * d) == Approx(sig[static_cast<std::size_t>(i + g.n * j)]).margin(1e-12).epsilon(0));
      }
  }
}

TEST_CASE("sem identify: exact generic Jacobian ranks (spec 1.4, 5.2)", "[sem]") {
  const Identification c3 = identify(make_graph(3, {{0, 1}, {1, 2}, {2, 0}}, {}));
  CHECK(c3.n_params == 6);
  CHECK(c3.jacobian_rank == 6);
  CHECK(c3.finite_to_one);
  CHECK(c3.simple);
  CHECK_FALSE(c3.acyclic);
  const Identification bow = identify(make_graph(2, {{0, 1}}, {{0, 1}}));
  CHECK(bow.n_params == 4);
  CHECK(bow.jacobian_rank == 3);
  CHECK_FALSE(bow.finite_to_one);
  CHECK_FALSE(bow.bow_free);
  const Identification g4 = identify(make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}}));
  CHECK(g4.n_params == 9);
  CHECK(g4.jacobian_rank == 9);
  CHECK(g4.finite_to_one);
  // plus the bow 2<->3: still full rank (10 of 10), although not simple
  const Identification g4b = identify(make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}, {1, 2}}));
  CHECK(g4b.jacobian_rank == 10);
  CHECK_FALSE(g4b.simple);
  // 2-cycle with both error covariances: not finite-to-one
  const Identification two = identify(make_graph(2, {{0, 1}, {1, 0}}, {}));
  CHECK(two.jacobian_rank == 3);
  CHECK(two.n_params == 4);
  CHECK_FALSE(two.simple);
}

TEST_CASE("sem simulate: cyclic model recovers its covariance; seeded", "[sem]") {
  const Model m = make_model("y1 ~ a*y3\n y2 ~ b*y1\n y3 ~ c*y2", ModelOptions{});
  REQUIRE(m.n_free == 6);
  const std::vector<double> theta = {0.5, 0.4, 0.3, 1.0, 1.0, 1.0};
  Rng r1(3), r2(3);
  const std::vector<double> x = simulate(m, theta, 20000, r1);
  CHECK(x == simulate(m, theta, 20000, r2));
  const SampleMoments sm = sample_moments(data::MatView(x.data(), 20000, 3), m.observed);
  const Implied imp = implied_moments(m, theta);
  for (std::size_t k = 0; k < 9; ++k) CHECK(sm.cov[k] == Approx(imp.sigma[k]).margin(0.05).epsilon(0));
  // the 3-cycle is generically 2-to-1 (spec 1.4): from the default start L-BFGS may reach the unstable
  // twin (prod lambda > 1), which the admissibility flags must report
  const SemFit f0 = fit(m, sm);
  CHECK(f0.convergence.converged);
  if (f0.admissibility.spectral_radius >= 1.0) {
    CHECK(f0.admissibility.unstable_cycle);
    CHECK_FALSE(f0.admissibility.admissible);
    CHECK(f0.theta[0] * f0.theta[1] * f0.theta[2] > 1.0);
  }
  FitOptions fo;
  fo.start = {0.3, 0.3, 0.3, 1.0, 1.0, 1.0};
  const SemFit f = fit(m, sm, fo);
  CHECK(f.convergence.converged);
  CHECK(f.theta[0] == Approx(0.5).margin(0.05).epsilon(0));
  CHECK(f.admissibility.spectral_radius < 1.0);
  CHECK(f.admissibility.admissible);
  CHECK(f.measures.chisq == Approx(f0.measures.chisq).margin(1e-6).epsilon(0));  // both fibre points fit equally well
}

#include "hetmod/sim/harness.hpp"

TEST_CASE("sem study sem_cfa runs through the harness", "[sem]") {
  Options o;
  o.set("n", 200.0);
  const sim::Study s = sim::make_study("sem_cfa", o);
  REQUIRE(s.param_names.size() == 21);
  sim::StudyOptions so;
  so.seed = 11;
  so.first = 0;
  so.last = 3;
  const sim::StudyResult r = sim::run_study(s, so);
  CHECK(r.n_failed == 0);
  CHECK(r.n_converged == 4);
  CHECK(std::fabs(r.summary[0].mean - 0.5535) < 0.3);
}
