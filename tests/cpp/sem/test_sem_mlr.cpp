// tests/cpp/sem/test_sem_mlr.cpp -- MLR (Huber-White SEs with the observed information, Yuan-Bentler
// Mplus-variant scaled test) under FIML, multiple groups and a mean structure against lavaan 0.6.14
// (references from scripts/gen-reference/sem_lavaan_mlr.R); casewise scores vs the FIML gradient; ULS SEs.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/data/view.hpp"
#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/multigroup.hpp"
#include "hetmod/sem/robust.hpp"
#include "sem_test_util.hpp"

namespace sem = hetmod::sem;
using semtest::close_sig;

namespace {

const char* kHs = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";

sem::GroupedData load(const std::string& file, bool groups) { return semtest::load_hs_grouped(file, groups); }

struct Row {
  int group;
  std::string lhs, op, rhs;
  bool free;
  double est, se;
};
std::vector<Row> ref_rows(const std::string& name) {
  const semtest::Csv c = semtest::read_csv(semtest::data_path("sem_" + name + "_estimates.csv"));
  std::vector<Row> out;
  for (const auto& r : c.rows)
    out.push_back({std::stoi(r[0]) - 1, r[1], r[2], r[3], r[4] == "1", std::strtod(r[5].c_str(), nullptr), std::strtod(r[6].c_str(), nullptr)});
  return out;
}

void compare_rows(const sem::Model& model, const std::vector<double>& est, const std::vector<double>& se, const std::string& name,
                  bool groups) {
  const std::vector<Row> ref = ref_rows(name);
  int matched = 0;
  for (const auto& r : ref) {
    std::size_t k = 0;
    for (; k < model.rows.size(); ++k) {
      const sem::ParRow& row = model.rows[k];
      if ((!groups || row.group == r.group) && row.lhs == r.lhs && sem::op_string(row.op) == r.op && (r.op == "~1" || row.rhs == r.rhs)) break;
    }
    INFO(name << ": row " << r.group + 1 << " " << r.lhs << " " << r.op << " " << r.rhs);
    if (k == model.rows.size()) continue;  // e.g. fixed rows lavaan lists and hetmod does not
    CHECK(close_sig(est[k], r.est, 2e-6, 1e-6));
    if (r.free) {
      CHECK(close_sig(se[k], r.se, 2e-5, 1e-7));
      ++matched;
    }
  }
  int nfree_rows = 0;
  for (const auto& row : model.rows) nfree_rows += row.par >= 0 ? 1 : 0;
  CHECK(matched == nfree_rows);
}

void compare_measures(const sem::FitMeasures& fm, const std::string& name) {
  const auto m = semtest::read_measures("sem_" + name + "_fit.csv");
  INFO(name << " fit measures");
  CHECK(fm.npar == static_cast<int>(m.at("npar")));
  CHECK(fm.df == static_cast<int>(m.at("df")));
  CHECK(close_sig(fm.chisq, m.at("chisq"), 1e-6));
  CHECK(close_sig(fm.logl, m.at("logl"), 1e-8));
  CHECK(close_sig(fm.cfi, m.at("cfi"), 1e-6));
  CHECK(close_sig(fm.rmsea, m.at("rmsea"), 1e-6));
  CHECK(close_sig(fm.scaling_factor, m.at("chisq.scaling.factor"), 1e-5));
  CHECK(close_sig(fm.chisq_scaled, m.at("chisq.scaled"), 1e-5));
  CHECK(close_sig(fm.pvalue_scaled, m.at("pvalue.scaled"), 1e-4, 1e-14));
  CHECK(close_sig(fm.baseline_scaling_factor, m.at("baseline.chisq.scaling.factor"), 1e-5));
  CHECK(close_sig(fm.baseline_chisq_scaled, m.at("baseline.chisq.scaled"), 1e-5));
  CHECK(close_sig(fm.cfi_scaled, m.at("cfi.scaled"), 1e-5));
  CHECK(close_sig(fm.tli_scaled, m.at("tli.scaled"), 1e-5));
  CHECK(close_sig(fm.rmsea_scaled, m.at("rmsea.scaled"), 1e-5));
}

}  // namespace

TEST_CASE("sem MLR: casewise FIML scores sum to minus N/2 times the FIML gradient", "[sem][mlr]") {
  const sem::GroupedData d = load("sem_hs_missing.csv", false);
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  const std::vector<sem::Model> ms = sem::group_models(kHs, 1, {}, go);
  sem::detail::Kernel k(sem::detail::ram_structure(ms[0]), {}, {});
  const sem::detail::PatternData pd = sem::detail::make_patterns(d.x.data(), d.n, 9);
  const int q = ms[0].n_free;
  std::vector<double> th(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) th[static_cast<std::size_t>(i)] = 0.4 + 0.03 * i;  // variances/loadings/means, Sigma PD
  std::vector<double> g(static_cast<std::size_t>(q));
  REQUIRE(std::isfinite(k.fiml(pd, th.data(), g.data())));
  const std::vector<double> s = sem::detail::casewise_scores(k, th.data(), d.x.data(), d.n, nullptr);
  for (int c = 0; c < q; ++c) {
    double tot = 0;
    for (int64_t i = 0; i < d.n; ++i) tot += s[static_cast<std::size_t>(i) + static_cast<std::size_t>(c) * static_cast<std::size_t>(d.n)];
    // F = -2 logL / N + const, so sum_i s_i = -N/2 dF
    CHECK(tot == Approx(-0.5 * static_cast<double>(d.n) * g[static_cast<std::size_t>(c)]).epsilon(1e-9).margin(1e-9));
  }
}

TEST_CASE("sem MLR: FIML fit matches lavaan (robust SEs, Yuan-Bentler scaled test)", "[sem][mlr][fiml]") {
  const sem::GroupedData d = load("sem_hs_missing.csv", false);
  sem::FitOptions o;
  o.estimator = sem::Estimator::mlr;
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  const sem::GroupFit f = sem::fit_groups(kHs, d, o, {}, go);
  CHECK(f.convergence.converged);
  CHECK(f.information == sem::Information::observed);
  compare_rows(f.model, f.est, f.row_se, "fiml_mlr", false);
  compare_measures(f.measures, "fiml_mlr");
  // lavaan's robust (Zhang-Savalei) indices with missing data are not implemented: NaN, not wrong
  CHECK(std::isnan(f.measures.cfi_robust));
  CHECK(std::isnan(f.measures.rmsea_robust));
}

TEST_CASE("sem MLR: multiple groups with equal loadings and intercepts match lavaan", "[sem][mlr][groups]") {
  const sem::GroupedData d = load("HolzingerSwineford1939.csv", true);
  sem::FitOptions o;
  o.estimator = sem::Estimator::mlr;
  sem::GroupFitOptions go;
  go.group_equal = {"loadings", "intercepts"};
  const sem::GroupFit f = sem::fit_groups(kHs, d, o, {}, go);
  CHECK(f.convergence.converged);
  compare_rows(f.model, f.est, f.row_se, "mg_mlr", true);
  compare_measures(f.measures, "mg_mlr");
  const auto m = semtest::read_measures("sem_mg_mlr_fit.csv");
  CHECK(close_sig(f.measures.cfi_robust, m.at("cfi.robust"), 1e-5));
  CHECK(close_sig(f.measures.tli_robust, m.at("tli.robust"), 1e-5));
  CHECK(close_sig(f.measures.rmsea_robust, m.at("rmsea.robust"), 1e-5));
}

TEST_CASE("sem MLR: multiple groups under FIML match lavaan", "[sem][mlr][groups][fiml]") {
  const sem::GroupedData d = load("sem_hs_missing.csv", true);
  sem::FitOptions o;
  o.estimator = sem::Estimator::mlr;
  sem::GroupFitOptions go;
  go.missing = sem::Missing::fiml;
  go.group_equal = {"loadings"};
  const sem::GroupFit f = sem::fit_groups(kHs, d, o, {}, go);
  CHECK(f.convergence.converged);
  compare_rows(f.model, f.est, f.row_se, "mg_fiml_mlr", true);
  compare_measures(f.measures, "mg_fiml_mlr");
}

TEST_CASE("sem MLR: a mean structure includes the scores of the mean parameters", "[sem][mlr]") {
  const sem::GroupedData d = load("HolzingerSwineford1939.csv", false);
  sem::FitOptions o;
  o.estimator = sem::Estimator::mlr;
  // single-group path with meanstructure = TRUE
  sem::ModelOptions mo;
  mo.meanstructure = true;
  const sem::SampleMoments sm = sem::sample_moments(hetmod::data::MatView(d.x.data(), d.n, 9), d.names);
  const sem::SemFit f = sem::fit(sem::make_model(kHs, mo), sm, o);
  CHECK(f.convergence.converged);
  compare_rows(f.model, f.est, f.row_se, "mlr_means", false);
  compare_measures(f.measures, "mlr_means");
  // the FIML / multi-group path on complete data gives the same
  const sem::GroupFit g = sem::fit_groups(kHs, d, o, {}, {});
  compare_rows(g.model, g.est, g.row_se, "mlr_means", false);
  compare_measures(g.measures, "mlr_means");
}

TEST_CASE("sem MLR: GLS and ULS stay refused under FIML and multiple groups", "[sem][mlr]") {
  const sem::GroupedData d = load("sem_hs_missing.csv", true);
  sem::FitOptions o;
  o.estimator = sem::Estimator::uls;
  CHECK_THROWS_WITH(sem::fit_groups(kHs, d, o, {}, {}), Catch::Contains("ML and MLR only"));
}

TEST_CASE("sem ULS: lavaan's default standard errors (Delta^T Delta)^-1 / (N - 1)", "[sem][uls]") {
  const sem::GroupedData d = load("HolzingerSwineford1939.csv", false);
  const sem::SampleMoments sm = sem::sample_moments(hetmod::data::MatView(d.x.data(), d.n, 9), d.names);
  sem::FitOptions o;
  o.estimator = sem::Estimator::uls;
  const sem::SemFit f = sem::fit(sem::make_model(kHs), sm, o);
  CHECK(f.convergence.converged);
  CHECK(f.admissibility.admissible);
  compare_rows(f.model, f.est, f.row_se, "uls", false);
}
