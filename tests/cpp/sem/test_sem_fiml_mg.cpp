// tests/cpp/sem/test_sem_fiml_mg.cpp -- FIML and multiple groups against lavaan 0.6.14
// (references from scripts/gen-reference/sem_lavaan_fiml_mg.R), FIML gradient vs finite differences,
// EM for the saturated model, c(...) modifiers and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <iomanip>
#include <limits>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/multigroup.hpp"
#include "sem_test_util.hpp"

namespace sem = hetmod::sem;
using semtest::close_sig;

namespace {

const char* kHs = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";

// x1..x9 (NA -> NaN) and school codes (order of first appearance) of a CSV with those columns.
sem::GroupedData load(const std::string& file) { return semtest::load_hs_grouped(file, true); }

sem::GroupedData one_group(sem::GroupedData d) {
  d.group.clear();
  d.group_labels.clear();
  return d;
}

// Compares estimates/SEs row by row (group, lhs, op, rhs) and the fit measures.
void compare(const sem::GroupFit& f, const std::string& name, double tol_est, double tol_se, double tol_fit) {
  const semtest::Csv ref = semtest::read_csv(semtest::data_path("sem_" + name + "_estimates.csv"));
  REQUIRE(ref.rows.size() == f.model.rows.size());
  int matched = 0;
  for (const auto& r : ref.rows) {
    const int g = std::stoi(r[0]) - 1;
    std::size_t k = 0;
    for (; k < f.model.rows.size(); ++k) {
      const sem::ParRow& row = f.model.rows[k];
      const std::string op = sem::op_string(row.op);
      if (row.group == g && row.lhs == r[1] && (op == r[2] || (op == "~1" && r[2] == "~1")) && row.rhs == r[3]) break;
    }
    INFO(name << ": row " << r[0] << " " << r[1] << " " << r[2] << " " << r[3]);
    REQUIRE(k < f.model.rows.size());
    const double est = std::strtod(r[5].c_str(), nullptr), se = std::strtod(r[6].c_str(), nullptr);
    CHECK((f.model.rows[k].par >= 0) == (r[4] == "1"));
    CHECK(close_sig(f.est[k], est, tol_est, 1e-6));
    if (!close_sig(f.est[k], est, tol_est, 1e-6)) WARN(name << " " << r[1] << r[2] << r[3] << " g" << r[0] << ": " << f.est[k] << " vs " << est << " se " << f.row_se[k]);
    if (f.model.rows[k].par >= 0) CHECK(close_sig(f.row_se[k], se, tol_se, 1e-7));
    ++matched;
  }
  CHECK(matched == static_cast<int>(ref.rows.size()));
  const auto m = semtest::read_measures("sem_" + name + "_fit.csv");
  const sem::FitMeasures& fm = f.measures;
  INFO(name << " fit measures");
  CHECK(fm.npar == static_cast<int>(m.at("npar")));
  CHECK(fm.df == static_cast<int>(m.at("df")));
  CHECK(fm.baseline_df == static_cast<int>(m.at("baseline.df")));
  CHECK(fm.ntotal == static_cast<int64_t>(m.at("ntotal")));
  CHECK(close_sig(fm.chisq, m.at("chisq"), tol_fit));
  CHECK(close_sig(fm.baseline_chisq, m.at("baseline.chisq"), tol_fit));
  CHECK(close_sig(fm.cfi, m.at("cfi"), tol_fit));
  CHECK(close_sig(fm.tli, m.at("tli"), tol_fit));
  CHECK(close_sig(fm.rmsea, m.at("rmsea"), tol_fit));
  CHECK(close_sig(fm.rmsea_ci_lower, m.at("rmsea.ci.lower"), tol_fit));
  CHECK(close_sig(fm.rmsea_ci_upper, m.at("rmsea.ci.upper"), tol_fit));
  CHECK(close_sig(fm.rmsea_pvalue, m.at("rmsea.pvalue"), 1e-3, 1e-9));
  CHECK(close_sig(fm.srmr, m.at("srmr"), tol_fit));
  CHECK(close_sig(fm.logl, m.at("logl"), 1e-8));
  CHECK(close_sig(fm.unrestricted_logl, m.at("unrestricted.logl"), 1e-8));
  CHECK(close_sig(fm.aic, m.at("aic"), 1e-8));
  CHECK(close_sig(fm.bic, m.at("bic"), 1e-8));
  CHECK(close_sig(fm.pvalue, m.at("pvalue"), 1e-3, 1e-12));
}

}  // namespace

TEST_CASE("sem FIML: analytic gradient matches finite differences", "[sem][fiml]") {
  const sem::GroupedData d = one_group(load("sem_hs_missing.csv"));
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  const std::vector<sem::Model> ms = sem::group_models(kHs, 1, {}, go);
  const sem::Model& m = ms[0];
  // pattern data in the model's observed order (x1..x9 already)
  REQUIRE(m.observed == d.names);
  // drop nothing: the file has no empty rows
  const sem::detail::PatternData pd = sem::detail::make_patterns(d.x.data(), d.n, 9);
  CHECK(pd.patterns.size() > 20);
  CHECK(pd.ntotal == 301);
  sem::detail::Kernel k(sem::detail::ram_structure(m), {}, {});
  std::vector<double> th(static_cast<std::size_t>(m.n_free));
  for (std::size_t i = 0; i < th.size(); ++i) th[i] = 0.3 + 0.05 * static_cast<double>(i % 7);
  for (const auto& r : m.rows)
    if (r.par >= 0 && r.op == sem::Op::intercept) th[static_cast<std::size_t>(r.par)] = 4.0;
  std::vector<double> g(th.size());
  const double f = k.fiml(pd, th.data(), g.data());
  REQUIRE(std::isfinite(f));
  const auto fd = hetmod::numeric::fd_gradient([&](const std::vector<double>& x) { return k.fiml(pd, x.data(), nullptr); }, th, 1e-6);
  CHECK(hetmod::numeric::max_rel_diff(g, fd) < 1e-6);
}

TEST_CASE("sem FIML: EM saturated moments maximise the observed-data likelihood", "[sem][fiml]") {
  const sem::GroupedData d = one_group(load("sem_hs_missing.csv"));
  const sem::detail::PatternData pd = sem::detail::make_patterns(d.x.data(), d.n, 9);
  std::vector<double> mu, sigma;
  const int it = sem::detail::em_saturated(pd, mu, sigma);
  REQUIRE(it > 0);
  const double best = sem::detail::pattern_m2ll(pd, mu.data(), sigma.data());
  const auto m = semtest::read_measures("sem_fiml_fit.csv");
  CHECK(close_sig(-0.5 * best, m.at("unrestricted.logl"), 1e-8));
  // perturbations increase -2 logL
  for (int j = 0; j < 9; ++j) {
    std::vector<double> mu2 = mu, s2 = sigma;
    mu2[static_cast<std::size_t>(j)] += 0.01;
    s2[static_cast<std::size_t>(j + 9 * j)] *= 1.01;
    CHECK(sem::detail::pattern_m2ll(pd, mu2.data(), sigma.data()) > best);
    CHECK(sem::detail::pattern_m2ll(pd, mu.data(), s2.data()) > best);
  }
}

TEST_CASE("sem FIML: HS CFA with 10% MCAR missing matches lavaan missing = 'ml'", "[sem][fiml]") {
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  const sem::GroupFit f = sem::fit_groups(kHs, one_group(load("sem_hs_missing.csv")), {}, {}, go);
  REQUIRE(f.convergence.converged);
  CHECK(f.information == sem::Information::observed);
  CHECK(f.nobs == std::vector<int64_t>{301});
  CHECK(f.admissibility.admissible);
  compare(f, "fiml", 1e-5, 1e-4, 1e-5);
  SECTION("expected information") {
    go.information_given = true;
    sem::FitOptions fo;
    fo.information = sem::Information::expected;
    const sem::GroupFit fe = sem::fit_groups(kHs, one_group(load("sem_hs_missing.csv")), fo, {}, go);
    CHECK(fe.information == sem::Information::expected);
    compare(fe, "fiml_exp", 1e-5, 1e-4, 1e-5);
  }
}

TEST_CASE("sem multigroup: HS CFA by school, configural and equal loadings + intercepts", "[sem][multigroup]") {
  const sem::GroupedData d = load("HolzingerSwineford1939.csv");
  REQUIRE(d.group_labels == std::vector<std::string>{"Pasteur", "Grant-White"});
  const sem::GroupFit fc = sem::fit_groups(kHs, d);
  REQUIRE(fc.convergence.converged);
  CHECK(fc.nobs == std::vector<int64_t>{156, 145});
  CHECK(fc.information == sem::Information::expected);
  compare(fc, "mg_config", 1e-5, 1e-4, 1e-5);
  sem::GroupFitOptions go;
  go.group_equal = {"loadings", "intercepts"};
  const sem::GroupFit fe = sem::fit_groups(kHs, d, {}, {}, go);
  REQUIRE(fe.convergence.converged);
  compare(fe, "mg_equal", 1e-5, 1e-4, 1e-5);
  // the same constraints written as shared labels
  const std::string lab =
      "visual =~ x1 + l2*x2 + l3*x3\n textual =~ x4 + l5*x5 + l6*x6\n speed =~ x7 + l8*x8 + l9*x9\n"
      "x1 ~ i1*1\n x2 ~ i2*1\n x3 ~ i3*1\n x4 ~ i4*1\n x5 ~ i5*1\n x6 ~ i6*1\n x7 ~ i7*1\n x8 ~ i8*1\n x9 ~ i9*1\n"
      "visual ~ c(0, NA)*1\n textual ~ c(0, NA)*1\n speed ~ c(0, NA)*1";
  const sem::GroupFit fl = sem::fit_groups(lab, d);
  CHECK(fl.measures.df == fe.measures.df);
  CHECK(close_sig(fl.measures.chisq, fe.measures.chisq, 1e-7));
}

TEST_CASE("sem multigroup + FIML: equal loadings with missing data", "[sem][multigroup][fiml]") {
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  go.group_equal = {"loadings"};
  const sem::GroupFit f = sem::fit_groups(kHs, load("sem_hs_missing.csv"), {}, {}, go);
  REQUIRE(f.convergence.converged);
  compare(f, "mg_fiml", 1e-5, 1e-4, 1e-5);
}

TEST_CASE("sem multigroup: c() label vectors and group_partial", "[sem][multigroup]") {
  sem::Model comb;
  const auto ms = sem::group_models("f =~ x1 + c(a, b)*x2 + c(a, a)*x3\n x1 ~~ c(1, NA)*x1", 2, {}, {}, &comb);
  REQUIRE(ms.size() == 2);
  auto par_of = [](const sem::Model& m, const std::string& lhs, sem::Op op, const std::string& rhs) {
    for (const auto& r : m.rows)
      if (r.lhs == lhs && r.op == op && r.rhs == rhs) return r.par;
    return -2;
  };
  CHECK(par_of(ms[0], "f", sem::Op::loading, "x2") != par_of(ms[1], "f", sem::Op::loading, "x2"));
  CHECK(par_of(ms[0], "f", sem::Op::loading, "x3") == par_of(ms[0], "f", sem::Op::loading, "x2"));
  CHECK(par_of(ms[1], "f", sem::Op::loading, "x3") == par_of(ms[0], "f", sem::Op::loading, "x2"));
  CHECK(par_of(ms[0], "x1", sem::Op::covariance, "x1") == -1);
  CHECK(par_of(ms[1], "x1", sem::Op::covariance, "x1") >= 0);
  CHECK(comb.rows.size() == ms[0].rows.size() + ms[1].rows.size());
  // wrong length, single group
  CHECK_THROWS_WITH(sem::group_models("f =~ x1 + c(a, b, c)*x2 + x3", 2, {}, {}), Catch::Contains("3 elements, but there are 2 groups"));
  CHECK_THROWS_WITH(sem::make_model("f =~ x1 + c(a, b)*x2 + x3"), Catch::Contains("has 2 elements, but the model has 1 group"));
  sem::GroupFitOptions go;
  go.group_equal = {"loadings"};
  go.group_partial = {"f =~ x3"};
  const auto mp = sem::group_models("f =~ x1 + x2 + x3", 2, {}, go);
  CHECK(par_of(mp[0], "f", sem::Op::loading, "x2") == par_of(mp[1], "f", sem::Op::loading, "x2"));
  CHECK(par_of(mp[0], "f", sem::Op::loading, "x3") != par_of(mp[1], "f", sem::Op::loading, "x3"));
  go.group_equal = {"slopes"};
  CHECK_THROWS_WITH(sem::group_models("f =~ x1 + x2 + x3", 2, {}, go), Catch::Contains("group.equal entry 'slopes'"));
}

TEST_CASE("sem FIML / multigroup: bad input", "[sem][fiml][multigroup]") {
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  sem::GroupedData d = one_group(load("sem_hs_missing.csv"));
  SECTION("empty rows are dropped") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    sem::GroupedData e = d;
    e.n = d.n + 1;
    e.x.clear();
    for (int j = 0; j < 9; ++j) {
      for (int64_t i = 0; i < d.n; ++i) e.x.push_back(d.x[static_cast<std::size_t>(i + j * d.n)]);
      e.x.push_back(nan);
    }
    const sem::GroupFit f = sem::fit_groups(kHs, e, {}, {}, go);
    CHECK(f.n_empty == 1);
    CHECK(f.nobs == std::vector<int64_t>{301});
    const auto m = semtest::read_measures("sem_fiml_fit.csv");
    CHECK(close_sig(f.measures.chisq, m.at("chisq"), 1e-5));
  }
  SECTION("a variable entirely missing") {
    for (int64_t i = 0; i < d.n; ++i) d.x[static_cast<std::size_t>(i + 4 * d.n)] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(sem::fit_groups(kHs, d, {}, {}, go), Catch::Contains("variable 'x5' is observed in 0 rows"));
  }
  SECTION("a group with too few observations") {
    sem::GroupedData g = load("HolzingerSwineford1939.csv");
    for (auto& c : g.group) c = 0;
    g.group[0] = g.group[1] = g.group[2] = 1;
    CHECK_THROWS_WITH(sem::fit_groups(kHs, g), Catch::Contains("too few observations in group 'Grant-White': 3 complete rows"));
  }
  SECTION("unknown variable, estimator") {
    CHECK_THROWS_WITH(sem::fit_groups("f =~ x1 + x2 + x10", d, {}, {}, go), Catch::Contains("'x10' of the model is not in the data"));
    sem::FitOptions fo;
    fo.estimator = sem::Estimator::gls;
    CHECK_THROWS_WITH(sem::fit_groups(kHs, d, fo, {}, go), Catch::Contains("ML and MLR only"));
  }
}
