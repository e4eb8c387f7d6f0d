// ML/GLS/ULS/MLR fits against frozen lavaan 0.6.14 results (scripts/gen-reference/sem_lavaan.R).
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "hetmod/core/error.hpp"
#include "hetmod/sem/model.hpp"
#include "sem_test_util.hpp"

using namespace hetmod;
using namespace hetmod::sem;
using semtest::close_sig;

namespace {

const char* kHS = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9";

struct RefRow {
  std::string lhs, op, rhs;
  std::map<std::string, double> v;
};

std::vector<RefRow> read_estimates(const std::string& file) {
  const semtest::Csv c = semtest::read_csv(semtest::data_path(file));
  std::vector<RefRow> out;
  for (const auto& r : c.rows) {
    RefRow x;
    x.lhs = r[0];
    x.op = r[1];
    x.rhs = r[2];
    for (std::size_t k = 3; k < r.size(); ++k) x.v[c.header[k]] = std::strtod(r[k].c_str(), nullptr);
    out.push_back(x);
  }
  return out;
}

int find_row(const Model& m, const RefRow& r) {
  for (std::size_t i = 0; i < m.rows.size(); ++i) {
    const ParRow& x = m.rows[i];
    if (op_string(x.op) != r.op) continue;
    if ((x.lhs == r.lhs && x.rhs == r.rhs) || (r.op == "~~" && x.lhs == r.rhs && x.rhs == r.lhs)) return static_cast<int>(i);
  }
  return -1;
}

/// Compares every row's estimate (and SE column se_col if non-empty) with the reference.
void compare(const SemFit& f, const std::vector<RefRow>& ref, const std::string& est_col, const std::string& se_col, double rel) {
  for (const auto& r : ref) {
    const int i = find_row(f.model, r);
    INFO(r.lhs << " " << r.op << " " << r.rhs);
    REQUIRE(i >= 0);
    CHECK(close_sig(f.est[static_cast<std::size_t>(i)], r.v.at(est_col), rel, 1e-7));
    if (!se_col.empty() && f.model.rows[static_cast<std::size_t>(i)].par >= 0)
      CHECK(close_sig(f.row_se[static_cast<std::size_t>(i)], r.v.at(se_col), rel, 1e-7));
  }
}

SampleMoments hs_moments() {
  std::vector<std::string> names;
  int64_t n = 0;
  const std::vector<double> x = semtest::hs_data(names, n);
  return sample_moments(data::MatView(x.data(), n, 9), names);
}

}  // namespace

TEST_CASE("sem HS CFA: ML estimates, SEs and fit measures match lavaan", "[sem]") {
  const SampleMoments sm = hs_moments();
  REQUIRE(sm.nobs == 301);
  CHECK(sm.cov[0] == Approx(1.358370).epsilon(1e-6));
  const SemFit f = fit(make_model(kHS), sm);
  CHECK(f.convergence.converged);
  CHECK(f.admissibility.admissible);
  compare(f, read_estimates("sem_hs_cfa_estimates.csv"), "est", "se", 1e-5);
  const auto ref = semtest::read_measures("sem_hs_cfa_fit.csv");
  const FitMeasures& m = f.measures;
  CHECK(m.npar == 21);
  CHECK(m.df == 24);
  CHECK(m.baseline_df == 36);
  CHECK(close_sig(m.fmin, ref.at("fmin"), 1e-6));
  CHECK(close_sig(m.chisq, 85.305522, 1e-7));
  CHECK(close_sig(m.chisq, ref.at("chisq"), 1e-6));
  CHECK(close_sig(m.pvalue, ref.at("pvalue"), 1e-5));
  CHECK(close_sig(m.baseline_chisq, ref.at("baseline.chisq"), 1e-7));
  CHECK(close_sig(m.cfi, 0.930560, 1e-6));
  CHECK(close_sig(m.tli, 0.895839, 1e-6));
  CHECK(close_sig(m.rmsea, 0.092121, 1e-5));
  CHECK(close_sig(m.rmsea_ci_lower, 0.071418, 1e-5));
  CHECK(close_sig(m.rmsea_ci_upper, 0.113678, 1e-5));
  CHECK(close_sig(m.rmsea_ci_lower, ref.at("rmsea.ci.lower"), 1e-5));
  CHECK(close_sig(m.rmsea_ci_upper, ref.at("rmsea.ci.upper"), 1e-5));
  CHECK(close_sig(m.rmsea_pvalue, ref.at("rmsea.pvalue"), 1e-4));
  CHECK(close_sig(m.srmr, 0.065205, 1e-5));
  CHECK(close_sig(m.logl, -3737.744927, 1e-9));
  CHECK(close_sig(m.unrestricted_logl, -3695.092166, 1e-9));
  CHECK(close_sig(m.aic, 7517.489853, 1e-9));
  CHECK(close_sig(m.bic, 7595.339169, 1e-9));
  CHECK(f.implied.sigma[1] == Approx(0.447957).epsilon(1e-5));
  CHECK(f.implied.sigma[2] == Approx(0.590291).epsilon(1e-5));
  const FitResult r = f.to_fit_result();
  CHECK(r.coef.size() == 21);
  CHECK(r.vcov.size() == 441);
  CHECK(r.nobs == 301);
}

TEST_CASE("sem HS CFA: observed information, GLS and ULS match lavaan", "[sem]") {
  const SampleMoments sm = hs_moments();
  const Model model = make_model(kHS);
  const auto est = read_estimates("sem_hs_cfa_estimates.csv");
  const auto ref = semtest::read_measures("sem_hs_cfa_fit.csv");
  FitOptions o;
  o.information = Information::observed;
  compare(fit(model, sm, o), est, "est", "se_observed", 2e-5);
  FitOptions g;
  g.estimator = Estimator::gls;
  const SemFit fg = fit(model, sm, g);
  compare(fg, est, "est_gls", "se_gls", 2e-5);
  CHECK(close_sig(fg.measures.chisq, ref.at("gls.chisq"), 1e-6));
  FitOptions u;
  u.estimator = Estimator::uls;
  const SemFit fu = fit(model, sm, u);
  compare(fu, est, "est_uls", "", 2e-5);
  CHECK(close_sig(fu.measures.fmin, ref.at("uls.fmin"), 1e-6));
}

TEST_CASE("sem HS CFA: MLR sandwich SEs", "[sem]") {
  const SampleMoments sm = hs_moments();
  FitOptions o;
  o.estimator = Estimator::mlr;
  const SemFit f = fit(make_model(kHS), sm, o);
  compare(f, read_estimates("sem_hs_cfa_estimates.csv"), "est", "se_mlr", 2e-5);
  const auto ref = semtest::read_measures("sem_hs_cfa_fit.csv");
  CHECK(f.measures.chisq == Approx(ref.at("chisq")).epsilon(1e-6));
}

// lavaan's MLR test is "yuan.bentler.mplus" with h1.information switched to "unstructured" (the
// saturated pieces at the sample moments); the scaled and robust indices follow lav_fit_cfi/_rmsea.
static void check_mlr_measures(const FitMeasures& m, const std::map<std::string, double>& ref) {
  CHECK(close_sig(m.scaling_factor, ref.at("mlr.chisq.scaling.factor"), 1e-5));
  CHECK(close_sig(m.chisq_scaled, ref.at("mlr.chisq.scaled"), 1e-5));
  CHECK(close_sig(m.pvalue_scaled, ref.at("mlr.pvalue.scaled"), 1e-4));
  CHECK(close_sig(m.baseline_chisq_scaled, ref.at("mlr.baseline.chisq.scaled"), 1e-5));
  CHECK(close_sig(m.cfi_scaled, ref.at("mlr.cfi.scaled"), 1e-5));
  CHECK(close_sig(m.tli_scaled, ref.at("mlr.tli.scaled"), 1e-5));
  CHECK(close_sig(m.rmsea_scaled, ref.at("mlr.rmsea.scaled"), 1e-5));
  CHECK(close_sig(m.cfi_robust, ref.at("mlr.cfi.robust"), 1e-5));
  CHECK(close_sig(m.rmsea_robust, ref.at("mlr.rmsea.robust"), 1e-5));
}

TEST_CASE("sem HS CFA: Yuan-Bentler (Mplus) scaled test and robust indices match lavaan", "[sem]") {
  const SampleMoments sm = hs_moments();
  FitOptions o;
  o.estimator = Estimator::mlr;
  const SemFit f = fit(make_model(kHS), sm, o);
  check_mlr_measures(f.measures, semtest::read_measures("sem_hs_cfa_fit.csv"));
}

TEST_CASE("sem non-recursive model: exact recovery from the population covariance", "[sem]") {
  const semtest::Csv c = semtest::read_csv(semtest::data_path("sem_nonrec_population_cov.csv"));
  std::vector<std::string> names(c.header.begin() + 1, c.header.end());
  const std::size_t p = names.size();
  REQUIRE(p == 6);
  std::vector<double> cov(p * p);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j) cov[i + j * p] = std::strtod(c.rows[i][j + 1].c_str(), nullptr);
  CHECK(cov[0] == Approx(2.3729630).epsilon(1e-7));
  const SampleMoments sm = sample_moments_from_cov(cov, names, 500);
  const SemFit f = fit(make_model("y1 ~ y3 + x1\n y2 ~ y1 + x2\n y3 ~ y2 + x3"), sm);
  CHECK(f.convergence.converged);
  CHECK(f.measures.npar == 9);
  CHECK(f.measures.df == 6);
  CHECK(f.measures.chisq < 1e-8);
  const double truth[6] = {0.5, 0.7, 0.5, 0.7, 0.4, 0.7};
  for (int k = 0; k < 6; ++k) CHECK(std::fabs(f.theta[static_cast<std::size_t>(k)] - truth[k]) < 1e-7);
  for (int k = 6; k < 9; ++k) CHECK(std::fabs(f.theta[static_cast<std::size_t>(k)] - 0.998) < 1e-7);
  const double se[9] = {0.032295, 0.045003, 0.031016, 0.044981, 0.031483, 0.045138, 0.064724, 0.064601, 0.065488};
  for (int k = 0; k < 9; ++k) CHECK(close_sig(f.se[static_cast<std::size_t>(k)], se[k], 2e-5));
  compare(f, read_estimates("sem_nonrec_estimates.csv"), "est", "se", 1e-5);
  const auto ref = semtest::read_measures("sem_nonrec_fit.csv");
  CHECK(close_sig(f.measures.baseline_chisq, ref.at("baseline.chisq"), 1e-7));
  CHECK(f.measures.baseline_df == 12);
  CHECK(close_sig(f.measures.logl, ref.at("logl"), 1e-9));
  CHECK(close_sig(f.measures.tli, ref.at("tli"), 1e-6));
  CHECK(f.measures.cfi == 1.0);
  CHECK(f.admissibility.admissible);
  CHECK(f.admissibility.spectral_radius == Approx(std::cbrt(0.1)).epsilon(1e-6));
  CHECK(f.implied.det_i_minus_a == Approx(0.9).epsilon(1e-7));
}

TEST_CASE("sem PoliticalDemocracy SEM matches lavaan", "[sem]") {
  const semtest::Csv c = semtest::read_csv(semtest::data_path("sem_PoliticalDemocracy.csv"));
  std::vector<std::string> names = c.header;
  const std::size_t n = c.rows.size(), k = names.size();
  std::vector<double> x(n * k);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t i = 0; i < n; ++i) x[i + j * n] = std::strtod(c.rows[i][j].c_str(), nullptr);
  const char* model =
      "ind60 =~ x1 + x2 + x3\n dem60 =~ y1 + y2 + y3 + y4\n dem65 =~ y5 + y6 + y7 + y8\n"
      " dem60 ~ ind60\n dem65 ~ ind60 + dem60";
  const SemFit f = fit(model, data::MatView(x.data(), static_cast<int64_t>(n), static_cast<int64_t>(k)), names);
  const auto ref = semtest::read_measures("sem_poldem_fit.csv");
  CHECK(f.measures.npar == static_cast<int>(ref.at("npar")));
  CHECK(close_sig(f.measures.chisq, ref.at("chisq"), 1e-6));
  CHECK(close_sig(f.measures.cfi, ref.at("cfi"), 1e-6));
  compare(f, read_estimates("sem_poldem_estimates.csv"), "est", "se", 2e-5);
  FitOptions o;
  o.estimator = Estimator::mlr;
  const SemFit fr = fit(model, data::MatView(x.data(), static_cast<int64_t>(n), static_cast<int64_t>(k)), names, o);
  compare(fr, read_estimates("sem_poldem_estimates.csv"), "est", "se_mlr", 2e-5);
  check_mlr_measures(fr.measures, ref);
}

TEST_CASE("sem HS CFA: timing of one fit (informational)", "[sem]") {
  const SampleMoments sm = hs_moments();
  const Model model = make_model(kHS);
  FitOptions o;
  o.se = false;
  o.baseline = false;
  const int reps = 50;
  const auto t0 = std::chrono::steady_clock::now();
  double chi = 0;
  for (int r = 0; r < reps; ++r) chi += fit(model, sm, o).measures.chisq;
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps;
  CHECK(chi / reps == Approx(85.305522).epsilon(1e-6));
  const SemFit full = fit(model, sm);
  WARN("HS CFA fit (estimates + fit measures, no SE/baseline): " << us << " us; evaluations " << full.convergence.iterations);
}
