// Parameter table, parser, lavaan defaults, RAM import/export, implied moments, gradients.
#include <catch2/catch.hpp>
#include <cmath>

#include "hetmod/core/error.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/sem/model.hpp"
#include "sem_test_util.hpp"

using namespace hetmod;
using namespace hetmod::sem;

namespace {
const char* kHS = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";
const char* kNonrec = "y1 ~ y3 + x1\n y2 ~ y1 + x2\n y3 ~ y2 + x3";

int count_op(const Model& m, Op op, bool free_only) {
  int c = 0;
  for (const auto& r : m.rows)
    if (r.op == op && (!free_only || r.par >= 0)) ++c;
  return c;
}
}  // namespace

TEST_CASE("sem parser: operators, modifiers, comments, continuation", "[sem]") {
  const auto rows = parse_syntax(
      "# a comment\n"
      "f =~ 1*x1 + a*x2 + a*x3 ! another\n"
      "y ~ b*f + start(0.3)*x4; x1 ~~ x2\n"
      "y ~ 1\n"
      "g =~ NA*x5 +\n  x6 + x7\n"
      "y1 + y2 ~ z");
  REQUIRE(rows.size() == 12);
  CHECK(rows[0].lhs == "f");
  CHECK(rows[0].op == Op::loading);
  CHECK(rows[0].rhs == "x1");
  CHECK_FALSE(rows[0].free);
  CHECK(rows[0].value == 1.0);
  CHECK(rows[1].label == "a");
  CHECK(rows[2].label == "a");
  CHECK(rows[3].op == Op::regression);
  CHECK(rows[3].label == "b");
  CHECK(rows[4].value == Approx(0.3));
  CHECK(rows[4].free);
  CHECK(rows[5].op == Op::covariance);
  CHECK(rows[6].op == Op::intercept);
  CHECK(rows[6].rhs.empty());
  CHECK(rows[7].na_free);
  CHECK(rows[7].line == 5);
  CHECK(rows[9].rhs == "x7");
  CHECK(rows[10].lhs == "y1");
  CHECK(rows[11].lhs == "y2");
}

TEST_CASE("sem parser: errors name the line and the token", "[sem]") {
  try {
    parse_syntax("f =~ x1 + x2\nf =~ * x3");
    FAIL("no throw");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("line 2") != std::string::npos);
    CHECK(msg.find("'*'") != std::string::npos);
  }
  try {
    parse_syntax("f =~ x1\nx1 := 2*x2");
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_syntax("f x1"), Error);
  CHECK_THROWS_AS(parse_syntax("f =~ x1 +"), Error);
  CHECK_THROWS_AS(parse_syntax("  # nothing\n"), Error);
  CHECK_THROWS_WITH(make_model("f =~ x1 + x2 + x3\n x1 ~~ x2\n x2 ~~ x1"), Catch::Contains("duplicated specification") && Catch::Contains("lines 2 and 3"));
}

TEST_CASE("sem defaults: HS CFA has lavaan's 21 parameters", "[sem]") {
  const Model m = make_model(kHS);
  CHECK(m.n_free == 21);
  CHECK(m.p() == 9);
  CHECK(m.m() == 12);
  CHECK(m.observed.front() == "x1");
  CHECK(m.latent == std::vector<std::string>{"visual", "textual", "speed"});
  CHECK(count_op(m, Op::loading, true) == 6);
  CHECK(count_op(m, Op::covariance, true) == 15);
  CHECK(m.par_names[0] == "visual=~x2");
  CHECK(m.par_names[6] == "x1~~x1");
  CHECK(m.par_names[20] == "textual~~speed");
  // std.lv: 9 loadings free, latent variances fixed
  ModelOptions o;
  o.std_lv = true;
  CHECK(make_model(kHS, o).n_free == 21);
  // equality by label
  const Model eq = make_model("visual =~ x1 + a*x2 + a*x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9");
  CHECK(eq.n_free == 20);
}

TEST_CASE("sem defaults: non-recursive model has 9 free parameters and a fixed x block", "[sem]") {
  const Model m = make_model(kNonrec);
  CHECK(m.n_free == 9);
  CHECK(m.observed == std::vector<std::string>{"y1", "y2", "y3", "x1", "x2", "x3"});
  int exo = 0;
  for (const auto& r : m.rows) exo += r.exo ? 1 : 0;
  CHECK(exo == 6);
  // auto.cov.y: y1 ~ x1, y2 ~ x1 gives the residual covariance y1 ~~ y2 (as lavaan)
  CHECK(make_model("y1 ~ x1\n y2 ~ x1").n_free == 5);
  // lavaan: f2 ~ f1, f3 ~ f1 adds f2 ~~ f3
  CHECK(make_model("f1 =~ a + b + c\n f2 =~ d + e + g\n f3 =~ h + i + j\n f2 ~ f1\n f3 ~ f1").n_free == 21);
}

TEST_CASE("sem RAM export/import round trip", "[sem]") {
  const Model m = make_model(kHS);
  std::vector<double> theta(21);
  for (int i = 0; i < 21; ++i) theta[static_cast<std::size_t>(i)] = 0.3 + 0.05 * i;
  const RamSpec ram = ram_matrices(m, theta);
  REQUIRE(ram.A.size() == 144);
  // A[x2, visual] = path visual -> x2 = theta[0]
  CHECK(ram.A[1 + 9 * 12] == theta[0]);
  CHECK(ram.A_par[1 + 9 * 12] == 0);
  CHECK(ram.A[0 + 9 * 12] == 1.0);
  CHECK(ram.latent[9]);
  const Model back = model_from_ram(ram);
  CHECK(back.n_free == 21);
  const Implied i1 = implied_moments(m, theta), i2 = implied_moments(back, theta);
  for (std::size_t k = 0; k < i1.sigma.size(); ++k) CHECK(i1.sigma[k] == Approx(i2.sigma[k]).margin(1e-14).epsilon(0));
}

TEST_CASE("sem implied: 3-cycle closed form (spec 5.2)", "[sem]") {
  const Graph g = make_graph(3, {{0, 1}, {1, 2}, {2, 0}}, {});
  const std::vector<double> s = graph_sigma(g, {0.5, 0.4, 0.3}, {1, 1, 1}, {});
  const double ex[3][3] = {{2761.0 / 2209, 3325.0 / 4418, 1370.0 / 2209},
                           {3325.0 / 4418, 12725.0 / 8836, 1625.0 / 2209},
                           {1370.0 / 2209, 1625.0 / 2209, 3000.0 / 2209}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) CHECK(std::fabs(s[static_cast<std::size_t>(i + 3 * j)] - ex[i][j]) < 1e-9);
}

TEST_CASE("sem implied: 4-node cyclic example with a bidirected edge (spec 5.2)", "[sem]") {
  // 1->2, 2->3, 3->4, 4->2, 1<->3
  const Graph g = make_graph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 1}}, {{0, 2}});
  const std::vector<double> s = graph_sigma(g, {0.7, 0.5, -0.4, 0.6}, {1, 2, 1.5, 1}, {0.3});
  const double rows[4][4] = {{1, 0.560714286, 0.580357143, -0.232142857},
                             {0, 2.260522959, 0.996332908, 0.137181122},
                             {0, 0, 1.931202168, -0.504623724},
                             {0, 0, 0, 1.094706633}};
  for (int i = 0; i < 4; ++i)
    for (int j = i; j < 4; ++j) CHECK(std::fabs(s[static_cast<std::size_t>(i + 4 * j)] - rows[i][j]) < 1e-8);
  CHECK_THROWS_AS(graph_sigma(make_graph(2, {{0, 1}, {1, 0}}, {}), {1.0, 1.0}, {1, 1}, {}), Error);
}

TEST_CASE("sem gradients: ML, GLS, ULS analytic vs finite differences", "[sem]") {
  std::vector<std::string> names;
  int64_t n = 0;
  const std::vector<double> x = semtest::hs_data(names, n);
  const SampleMoments sm = sample_moments(data::MatView(x.data(), n, 9), names);
  const Model m = make_model(kHS);
  std::vector<double> theta(21);
  for (int i = 0; i < 21; ++i) theta[static_cast<std::size_t>(i)] = (i < 6) ? 0.8 + 0.05 * i : (i < 18 ? 0.6 + 0.02 * i : 0.15);
  for (Estimator est : {Estimator::ml, Estimator::gls, Estimator::uls}) {
    std::vector<double> g;
    objective(m, sm, theta, &g, est);
    const auto f = [&](const std::vector<double>& th) { return objective(m, sm, th, nullptr, est); };
    const std::vector<double> fd = numeric::fd_gradient_richardson(f, theta);
    CHECK(numeric::max_rel_diff(g, fd) < 1e-6);
  }
  // with a mean structure and a cyclic model
  const Model nr = make_model(std::string(kNonrec) + "\n y1 ~ 1", ModelOptions{});
  REQUIRE(nr.meanstructure);
  std::vector<double> cov = {2.0, 0.5, 0.4, 0.3, 0.1, 0.2, 0.5, 2.2, 0.6, 0.1, 0.4, 0.1, 0.4, 0.6, 1.9, 0.2, 0.1, 0.5,
                             0.3, 0.1, 0.2, 1.0, 0.0, 0.1, 0.1, 0.4, 0.1, 0.0, 1.0, 0.0, 0.2, 0.1, 0.5, 0.1, 0.0, 1.0};
  const SampleMoments s2 = sample_moments_from_cov(cov, {"y1", "y2", "y3", "x1", "x2", "x3"}, 200, {0.1, 0.2, 0.3, 0.0, -0.1, 0.2});
  std::vector<double> th2(static_cast<std::size_t>(nr.n_free), 0.3);
  for (std::size_t i = 0; i < nr.rows.size(); ++i)
    if (nr.rows[i].par >= 0 && nr.rows[i].op == Op::covariance) th2[static_cast<std::size_t>(nr.rows[i].par)] = 1.0;
  std::vector<double> g2;
  objective(nr, s2, th2, &g2);
  const auto f2 = [&](const std::vector<double>& th) { return objective(nr, s2, th, nullptr); };
  CHECK(numeric::max_rel_diff(g2, numeric::fd_gradient_richardson(f2, th2)) < 1e-6);
}

TEST_CASE("sem bad input gives clear errors", "[sem]") {
  std::vector<std::string> names;
  int64_t n = 0;
  const std::vector<double> x = semtest::hs_data(names, n);
  const SampleMoments sm = sample_moments(data::MatView(x.data(), n, 9), names);
  CHECK_THROWS_WITH(fit(make_model("f =~ x1 + x2 + x10"), sm), Catch::Contains("'x10'") && Catch::Contains("not in the data"));
  // non-PD sample covariance
  std::vector<double> bad = {1, 2, 0, 2, 1, 0, 0, 0, 1};
  const SampleMoments sb = sample_moments_from_cov(bad, {"x1", "x2", "x3"}, 100);
  CHECK_THROWS_WITH(fit(make_model("f =~ x1 + x2 + x3"), sb), Catch::Contains("not positive definite"));
  // N too small
  CHECK_THROWS_WITH(sample_moments(data::MatView(x.data(), 5, 9), names), Catch::Contains("nobs is 5"));
  CHECK_THROWS_AS(sample_moments_from_cov({1.0}, {"x1"}, 1), Error);
  // NaN in data
  std::vector<double> y = x;
  y[3] = std::nan("");
  CHECK_THROWS_WITH(sample_moments(data::MatView(y.data(), n, 9), names), Catch::Contains("must be finite"));
  // a latent without indicators is an error; label on fixed and free
  CHECK_THROWS_AS(make_model("f =~ f + x1"), Error);
  CHECK_THROWS_WITH(make_model("f =~ a*x1 + a*x2 + x3"), Catch::Contains("label 'a'"));
}
