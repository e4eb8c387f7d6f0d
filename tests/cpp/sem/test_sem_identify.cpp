// Identifiability: half-trek criterion (Foygel, Draisma & Drton 2012) and the exact generic Jacobian
// rank of models with latent variables, fixed values and equality labels (spec 1.4, 1.5, 5.4).
#include <catch2/catch.hpp>

#include <algorithm>

#include "hetmod/core/error.hpp"
#include "hetmod/sem/model.hpp"

using namespace hetmod;
using namespace hetmod::sem;

TEST_CASE("sem HTC: classic graphs (spec 5.4, SEMID 0.4.2)", "[sem]") {
  // instrumental variable Z -> X -> Y with X <-> Y: HTC-identifiable although not bow-free
  const Identification iv = identify(make_graph(3, {{0, 1}, {1, 2}}, {{1, 2}}));
  CHECK(iv.htc_applicable);
  CHECK(iv.htc_identifiable);
  CHECK_FALSE(iv.htc_nonidentifiable);
  CHECK_FALSE(iv.bow_free);
  CHECK(iv.jacobian_rank == 6);
  CHECK(iv.finite_to_one);
  CHECK(iv.unidentified.empty());
  CHECK(iv.htc_solved.size() == 3);
  // the bow 1 -> 2, 1 <-> 2: HTC-non-identifiable (infinite-to-one), rank 3 of 4
  const Identification bow = identify(make_graph(2, {{0, 1}}, {{0, 1}}));
  CHECK_FALSE(bow.htc_identifiable);
  CHECK(bow.htc_nonidentifiable);
  CHECK(bow.jacobian_rank == 3);
  // columns: lambda_12, omega_11, omega_22, omega_12; omega_11 = sigma_11 is identified
  CHECK(bow.unidentified == std::vector<int>{0, 2, 3});
  // the 2-cycle: non-HTC
  const Identification two = identify(make_graph(2, {{0, 1}, {1, 0}}, {}));
  CHECK(two.htc_nonidentifiable);
  // the 3-cycle with diagonal Omega: HTC inconclusive (not identifiable by HTC, non-HTC false),
  // yet finite-to-one (2 points per fibre)
  const Identification c3 = identify(make_graph(3, {{0, 1}, {1, 2}, {2, 0}}, {}));
  CHECK_FALSE(c3.htc_identifiable);
  CHECK_FALSE(c3.htc_nonidentifiable);
  CHECK(c3.finite_to_one);
  // 1 -> 2, cycle 2 -> 3 -> 4 -> 2, 1 <-> 3: all four edges HTC-identified
  const Identification g4 = identify(make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}}));
  CHECK(g4.htc_identifiable);
  CHECK(g4.finite_to_one);
  // acyclic bow-free graphs are HTC-identifiable: 1 -> 2 -> 3 with 1 <-> 3
  const Identification bf = identify(make_graph(3, {{0, 1}, {1, 2}}, {{0, 2}}));
  CHECK(bf.bow_free);
  CHECK(bf.acyclic);
  CHECK(bf.htc_identifiable);
}

TEST_CASE("sem HTC: cyclic feedback with instruments", "[sem]") {
  // Z1 -> Y1, Z2 -> Y2, Y1 <-> Y2 feedback Y1 -> Y2 -> Y1, correlated errors Y1 <-> Y2
  // nodes: 0 Z1, 1 Z2, 2 Y1, 3 Y2
  const Identification fb = identify(make_graph(4, {{0, 2}, {1, 3}, {2, 3}, {3, 2}}, {{2, 3}, {0, 1}}));
  CHECK_FALSE(fb.acyclic);
  CHECK_FALSE(fb.simple);
  CHECK(fb.htc_identifiable);
  CHECK(fb.n_params == 10);
  CHECK(fb.jacobian_rank == 10);
  // without the instrument of Y2 the feedback loop is not identified
  const Identification fb1 = identify(make_graph(3, {{0, 1}, {1, 2}, {2, 1}}, {{1, 2}}));
  CHECK_FALSE(fb1.htc_identifiable);
  CHECK_FALSE(fb1.finite_to_one);
  // the non-recursive model of spec 5.2 (y1 ~ y3 + x1, y2 ~ y1 + x2, y3 ~ y2 + x3; x's correlated)
  const Model nr = make_model("y1 ~ y3 + x1\n y2 ~ y1 + x2\n y3 ~ y2 + x3");
  const Identification idn = identify_model(nr);
  CHECK(idn.htc_applicable);
  CHECK(idn.htc_identifiable);
  CHECK(idn.finite_to_one);
  CHECK(idn.n_params == nr.n_free);
}

TEST_CASE("sem identify_model: latent-variable models by the generic Jacobian rank", "[sem]") {
  // one factor, three indicators: 6 parameters, 6 moments, identified
  const Identification f3 = identify_model(make_model("f =~ x1 + x2 + x3"));
  CHECK_FALSE(f3.htc_applicable);
  CHECK(f3.n_params == 6);
  CHECK(f3.jacobian_rank == 6);
  CHECK(f3.finite_to_one);
  CHECK(f3.unidentified.empty());
  // one factor, two indicators: 4 parameters, 3 moments: every parameter moves along the null space
  const Model m2 = make_model("f =~ x1 + x2");
  const Identification f2 = identify_model(m2);
  CHECK(f2.n_params == 4);
  CHECK(f2.jacobian_rank == 3);
  CHECK_FALSE(f2.finite_to_one);
  CHECK(f2.unidentified.size() == 4);
  // two correlated factors with two indicators each: identified (6 + 4 ... = 9 parameters, 10 moments)
  const Identification f22 = identify_model(make_model("f =~ x1 + x2\n g =~ x3 + x4"));
  CHECK(f22.finite_to_one);
  // an equality label identifies the two-indicator factor (std.lv: a, theta1, theta2 from 3 moments)
  ModelOptions slv;
  slv.std_lv = true;
  const Identification eq = identify_model(make_model("f =~ a*x1 + a*x2", slv));
  CHECK(eq.n_params == 3);
  CHECK(eq.finite_to_one);
  // HS CFA (21 free parameters) and PoliticalDemocracy (with the classic residual covariances)
  const Identification hs = identify_model(make_model("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"));
  CHECK(hs.n_params == 21);
  CHECK(hs.jacobian_rank == 21);
  const Identification pd = identify_model(make_model(
      "ind60 =~ x1 + x2 + x3\n dem60 =~ y1 + y2 + y3 + y4\n dem65 =~ y5 + y6 + y7 + y8\n dem60 ~ ind60\n"
      " dem65 ~ ind60 + dem60\n y1 ~~ y5\n y2 ~~ y4 + y6\n y3 ~~ y7\n y4 ~~ y8\n y6 ~~ y8"));
  CHECK(pd.finite_to_one);
  // a mean structure adds the intercepts and p moments; a latent mean with free intercepts is not identified
  const Identification mu = identify_model(make_model("f =~ x1 + x2 + x3\n f ~ 1\n x1 ~ 1\n x2 ~ 1\n x3 ~ 1"));
  CHECK(mu.n_moments == 9);
  CHECK_FALSE(mu.finite_to_one);
  CHECK(mu.jacobian_rank == mu.n_params - 1);
  // non-integer fixed values are used exactly (as fractions)
  const Identification fx = identify_model(make_model("f =~ 0.5*x1 + x2 + x3"));
  CHECK(fx.finite_to_one);
}
