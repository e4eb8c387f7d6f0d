// Tests of the simulation-study harness: hand-computed summaries, determinism across thread counts
// and replicate splits, coverage of the built-in normal_mean study, failed replicates, option errors,
// and the study registry.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/sim/builtin.hpp"
#include "hetmod/sim/harness.hpp"

using namespace hetmod::sim;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

ReplicateOutput row(std::vector<double> est, std::vector<double> se, bool converged = true, std::string error = "") {
  ReplicateOutput r;
  r.estimate = std::move(est);
  r.se = std::move(se);
  r.converged = converged;
  r.error = std::move(error);
  return r;
}

// Four usable replicates plus one failed, one non-converged and one with NaN estimates.
StudyResult hand_result() {
  StudyResult res;
  res.name = "hand";
  res.param_names = {"a", "b"};
  res.truth = {1.0, 0.0};
  res.rows = {row({0.5, 1.0}, {0.5, 0.4}),
              row({1.0, -1.0}, {0.5, kNaN}),
              row({1.5, 2.0}, {1.0, 1.0}),
              row({3.0, 0.0}, {1.0, 0.5}),
              row({}, {}, false, "boom"),
              row({100.0, 100.0}, {1.0, 1.0}, false),
              row({kNaN, kNaN}, {kNaN, kNaN})};
  for (int64_t i = 0; i < 7; ++i) res.replicate.push_back(i);
  return res;
}

void same_rows(const std::vector<ReplicateOutput>& a, const std::vector<ReplicateOutput>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("row " << i);
    CHECK(a[i].estimate == b[i].estimate);
    CHECK(a[i].se == b[i].se);
    CHECK(a[i].converged == b[i].converged);
    CHECK(a[i].error == b[i].error);
  }
}

hetmod::Status status_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const hetmod::Error& e) {
    if (message) *message = e.what();
    return e.status();
  }
  return hetmod::Status::ok;
}

StudyOptions opts(int64_t first, int64_t last, int threads = 1, uint64_t seed = 11) {
  StudyOptions o;
  o.seed = seed;
  o.first = first;
  o.last = last;
  o.threads = threads;
  return o;
}

}  // namespace

TEST_CASE("summarize matches hand-computed performance measures", "[sim]") {
  StudyResult res = hand_result();
  summarize(res, 0.95);

  CHECK(res.n_replicates == 7);
  CHECK(res.n_failed == 1);
  CHECK(res.n_converged == 5);
  CHECK(res.convergence_rate == Approx(5.0 / 7));
  CHECK(res.convergence_rate_mcse == Approx(std::sqrt((5.0 / 7) * (2.0 / 7) / 7)));
  REQUIRE(res.summary.size() == 2);

  // Parameter a, truth 1: estimates 0.5, 1, 1.5, 3; se 0.5, 0.5, 1, 1.
  const ParamSummary& a = res.summary[0];
  CHECK(a.name == "a");
  CHECK(a.truth == 1.0);
  CHECK(a.n_used == 4);
  CHECK(a.mean == Approx(1.5));
  CHECK(a.bias == Approx(0.5));
  const double empse_a = std::sqrt(3.5 / 3);  // deviations -1, -0.5, 0, 1.5
  CHECK(a.empse == Approx(empse_a));
  CHECK(a.bias_mcse == Approx(empse_a / 2));
  CHECK(a.rel_bias == Approx(0.5));
  CHECK(a.rel_bias_mcse == Approx(empse_a / 2));
  CHECK(a.empse_mcse == Approx(empse_a / std::sqrt(6.0)));
  // Squared errors 0.25, 0, 0.25, 4: mean 1.125, sd sqrt(11.0625/3).
  CHECK(a.rmse == Approx(std::sqrt(1.125)));
  CHECK(a.rmse_mcse == Approx(std::sqrt(11.0625 / 3) / 2 / (2 * std::sqrt(1.125))));
  CHECK(a.mean_se == Approx(0.75));
  CHECK(a.mean_se_mcse == Approx(std::sqrt(0.25 / 3) / 2));
  // |est - 1| = 0.5, 0, 0.5, 2 vs 1.96 se = 0.98, 0.98, 1.96, 1.96: 3 of 4 covered.
  CHECK(a.coverage == Approx(0.75));
  CHECK(a.coverage_mcse == Approx(std::sqrt(0.75 * 0.25 / 4)));
  // |est / se| = 1, 2, 1.5, 3: 2 of 4 exceed 1.96.
  CHECK(a.power == Approx(0.5));
  CHECK(a.power_mcse == Approx(0.25));

  // Parameter b, truth 0: estimates 1, -1, 2, 0; se 0.4, NaN, 1, 0.5 (SE-based measures use 3 rows).
  const ParamSummary& b = res.summary[1];
  CHECK(b.n_used == 4);
  CHECK(b.bias == Approx(0.5));
  CHECK(std::isnan(b.rel_bias));
  CHECK(std::isnan(b.rel_bias_mcse));
  const double empse_b = std::sqrt(5.0 / 3);
  CHECK(b.empse == Approx(empse_b));
  CHECK(b.bias_mcse == Approx(empse_b / 2));
  // Squared errors 1, 1, 4, 0: mean 1.5, sample variance 3.
  CHECK(b.rmse == Approx(std::sqrt(1.5)));
  CHECK(b.rmse_mcse == Approx(std::sqrt(3.0) / 2 / (2 * std::sqrt(1.5))));
  const double mse_b = 1.9 / 3;
  const double var_se_b = ((0.4 - mse_b) * (0.4 - mse_b) + (1 - mse_b) * (1 - mse_b) + (0.5 - mse_b) * (0.5 - mse_b)) / 2;
  CHECK(b.mean_se == Approx(mse_b));
  CHECK(b.mean_se_mcse == Approx(std::sqrt(var_se_b / 3)));
  // |est| = 1, 2, 0 vs 1.96 se = 0.784, 1.96, 0.98: only the last is covered.
  CHECK(b.coverage == Approx(1.0 / 3));
  CHECK(b.coverage_mcse == Approx(std::sqrt((1.0 / 3) * (2.0 / 3) / 3)));
  // |est / se| = 2.5, 2, 0: two exceed 1.96.
  CHECK(b.power == Approx(2.0 / 3));

  // Level 0.5 (z = 0.6745): a is covered only for |err| 0 and 0.5 <= 0.674; every |t| > 0.674.
  summarize(res, 0.5);
  CHECK(res.summary[0].coverage == Approx(0.5));
  CHECK(res.summary[0].power == Approx(1.0));
}

TEST_CASE("summarize edge cases and errors", "[sim]") {
  StudyResult res = hand_result();
  res.rows = {res.rows[0], res.rows[4]};  // one usable row (a = 0.5) and the failed one
  res.replicate = {0, 4};
  summarize(res);
  CHECK(res.summary[0].n_used == 1);
  CHECK(res.summary[0].bias == Approx(-0.5));
  CHECK(std::isnan(res.summary[0].empse));
  CHECK(std::isnan(res.summary[0].empse_mcse));

  StudyResult none;
  none.param_names = {"x"};
  none.truth = {2};
  summarize(none);
  CHECK(none.n_replicates == 0);
  CHECK(none.summary[0].n_used == 0);
  CHECK(std::isnan(none.summary[0].bias));
  CHECK(std::isnan(none.summary[0].coverage));

  StudyResult bad = hand_result();
  bad.rows[1].estimate = {1.0};
  std::string msg;
  CHECK(status_of([&] { summarize(bad); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "summarize: result.rows[1].estimate has length 1, but must have length 2");
  bad = hand_result();
  CHECK(status_of([&] { summarize(bad, 1.0); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "summarize: level is 1, but must be in (0, 1)");
  bad.truth.push_back(3);
  CHECK(status_of([&] { summarize(bad); }) == hetmod::Status::invalid_argument);
}

TEST_CASE("run_study is identical for any thread count and any split", "[sim]") {
  const Study study = make_study("normal_mean", hetmod::Options());
  CHECK(study.name == "normal_mean");
  CHECK(study.param_names == std::vector<std::string>{"mu", "log_sigma"});
  CHECK(study.truth[0] == 1.0);
  CHECK(study.truth[1] == Approx(std::log(2.0)));

  const StudyResult r1 = run_study(study, opts(0, 99, 1));
  const StudyResult r2 = run_study(study, opts(0, 99, 2));
  const StudyResult r4 = run_study(study, opts(0, 99, 4));
  const StudyResult r0 = run_study(study, opts(0, 99, 0));
  same_rows(r1.rows, r2.rows);
  same_rows(r1.rows, r4.rows);
  same_rows(r1.rows, r0.rows);
  CHECK(r1.summary[0].bias == r4.summary[0].bias);
  CHECK(r1.n_replicates == 100);
  CHECK(r1.n_converged == 100);
  CHECK(r1.n_failed == 0);
  for (int64_t i = 0; i < 100; ++i) CHECK(r1.replicate[static_cast<size_t>(i)] == i);

  // Job-array style: 0..49 and 50..99 merged equal 0..99.
  const StudyResult lo = run_study(study, opts(0, 49, 2));
  const StudyResult hi = run_study(study, opts(50, 99, 3));
  CHECK(hi.replicate.front() == 50);
  StudyResult merged = lo;
  merged.rows.insert(merged.rows.end(), hi.rows.begin(), hi.rows.end());
  merged.replicate.insert(merged.replicate.end(), hi.replicate.begin(), hi.replicate.end());
  summarize(merged);
  same_rows(merged.rows, r1.rows);
  CHECK(merged.replicate == r1.replicate);
  for (size_t j = 0; j < 2; ++j) {
    CHECK(merged.summary[j].bias == r1.summary[j].bias);
    CHECK(merged.summary[j].coverage == r1.summary[j].coverage);
    CHECK(merged.summary[j].empse == r1.summary[j].empse);
  }

  // A different seed gives different numbers.
  const StudyResult other = run_study(study, opts(0, 9, 1, 12));
  CHECK(other.rows[0].estimate[0] != r1.rows[0].estimate[0]);
}

TEST_CASE("normal_mean: coverage of mu near 0.95 and unbiased mean", "[sim]") {
  hetmod::Options o;
  o.set("n", 50.0);
  o.set("mu", -0.5);
  o.set("sigma", 1.5);
  const Study study = make_study("normal_mean", o);
  const int64_t R = 2000;
  const StudyResult res = run_study(study, opts(0, R - 1, 0, 2026));
  const ParamSummary& mu = res.summary[0];
  CHECK(mu.n_used == R);
  CHECK(std::fabs(mu.coverage - 0.95) < 4 * std::sqrt(0.95 * 0.05 / R));
  CHECK(std::fabs(mu.bias) < 4 * mu.bias_mcse);
  // Empirical SE close to sigma / sqrt(n), mean model SE close to it too.
  const double true_se = 1.5 / std::sqrt(50.0);
  CHECK(std::fabs(mu.empse - true_se) < 4 * mu.empse_mcse);
  CHECK(std::fabs(mu.mean_se - true_se) < 0.02 * true_se);
  // log sigma: the MLE's bias is about -1/(2n) - 1/(4n) ... small; empse near 1/sqrt(2n).
  const ParamSummary& ls = res.summary[1];
  CHECK(ls.truth == Approx(std::log(1.5)));
  CHECK(std::fabs(ls.bias) < 0.03);
  CHECK(std::fabs(ls.empse - 1 / std::sqrt(100.0)) < 4 * ls.empse_mcse);
  CHECK(res.convergence_rate == 1.0);
  CHECK(res.convergence_rate_mcse == 0.0);
}

TEST_CASE("failing replicates are recorded, not fatal", "[sim]") {
  Study s;
  s.name = "flaky";
  s.param_names = {"theta"};
  s.truth = {0.0};
  s.replicate = [](hetmod::Rng& rng, int64_t r) {
    if (r == 3) throw std::runtime_error("boom at 3");
    if (r == 4) throw hetmod::Error(hetmod::Status::numerical, "singular information");
    if (r == 5) return row({1.0, 2.0}, {1.0, 1.0});  // wrong length
    if (r == 6) return row({0.1}, {1.0}, false);     // not converged
    if (r == 7) return row({0.1}, {1.0}, true, "reported failure");
    return row({rng.normal()}, {1.0});
  };
  for (int threads : {1, 3}) {
    const StudyResult res = run_study(s, opts(0, 9, threads));
    CHECK(res.n_replicates == 10);
    CHECK(res.n_failed == 4);
    CHECK(res.n_converged == 5);
    CHECK(res.rows[3].error == "boom at 3");
    CHECK(res.rows[4].error == "singular information");
    CHECK(res.rows[5].error == "replicate returned 2 estimates and 2 standard errors, but the study has 1 parameters");
    CHECK(res.rows[7].error == "reported failure");
    for (size_t i : {3, 4, 5, 7}) {
      CHECK_FALSE(res.rows[i].converged);
      REQUIRE(res.rows[i].estimate.size() == 1);
      CHECK(std::isnan(res.rows[i].estimate[0]));
      CHECK(std::isnan(res.rows[i].se[0]));
    }
    CHECK_FALSE(res.rows[6].converged);
    CHECK(res.rows[6].error.empty());
    CHECK(res.summary[0].n_used == 5);
  }

  // A user interrupt inside a replicate is not a failure: it stops the study.
  Study stop = s;
  stop.replicate = [](hetmod::Rng&, int64_t r) {
    if (r == 2) throw hetmod::Error(hetmod::Status::interrupted, "fit: interrupted by the user");
    return row({0.0}, {1.0});
  };
  CHECK(status_of([&] { run_study(stop, opts(0, 9, 2)); }) == hetmod::Status::interrupted);
}

TEST_CASE("run_study rejects bad options with named errors", "[sim]") {
  const Study study = make_study("normal_mean", hetmod::Options());
  std::string msg;
  CHECK(status_of([&] { run_study(study, opts(-1, 5)); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "run_study: first is -1, but must be >= 0");
  CHECK(status_of([&] { run_study(study, opts(5, 4)); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "run_study: last is 4, but must be >= first (5)");
  StudyOptions o = opts(0, 9);
  o.level = 0;
  CHECK(status_of([&] { run_study(study, o); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "run_study: level is 0, but must be in (0, 1)");
  o.level = kNaN;
  CHECK(status_of([&] { run_study(study, o); }) == hetmod::Status::invalid_argument);
  Study bad = study;
  bad.truth.pop_back();
  CHECK(status_of([&] { run_study(bad, opts(0, 9)); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "run_study: study.truth has length 1, but must have length 2");
  bad = study;
  bad.replicate = nullptr;
  CHECK(status_of([&] { run_study(bad, opts(0, 9)); }) == hetmod::Status::invalid_argument);
}

TEST_CASE("study registry", "[sim]") {
  register_builtin_studies();  // idempotent
  register_builtin_studies();
  const auto names = study_names();
  CHECK(std::find(names.begin(), names.end(), "normal_mean") != names.end());
  CHECK(std::is_sorted(names.begin(), names.end()));

  std::string msg;
  CHECK(status_of([&] { make_study("no_such_study", hetmod::Options()); }, &msg) == hetmod::Status::not_found);
  CHECK(msg.find("make_study: unknown study 'no_such_study'; known studies: ") == 0);
  CHECK(msg.find("normal_mean") != std::string::npos);

  hetmod::Options o;
  o.set("nn", 10.0);
  CHECK(status_of([&] { make_study("normal_mean", o); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "make_study: unknown option 'nn' for study 'normal_mean' (known: mu, n, sigma)");
  hetmod::Options o2;
  o2.set("sigma", -1.0);
  CHECK(status_of([&] { make_study("normal_mean", o2); }, &msg) == hetmod::Status::invalid_argument);
  CHECK(msg == "normal_mean: sigma is -1, but must be > 0");
  hetmod::Options o3;
  o3.set("n", 1.0);
  CHECK(status_of([&] { make_study("normal_mean", o3); }) == hetmod::Status::invalid_argument);

  register_study("test_constant", [](const hetmod::Options& opt) {
    Study s;
    s.param_names = {"c"};
    s.truth = {opt.get_double("c", 3.0)};
    const double c = s.truth[0];
    s.replicate = [c](hetmod::Rng&, int64_t) { return row({c}, {0.5}); };
    return s;
  });
  const Study s = make_study("test_constant", hetmod::Options());
  CHECK(s.name == "test_constant");
  const StudyResult res = run_study(s, opts(0, 4));
  CHECK(res.summary[0].bias == 0.0);
  CHECK(res.summary[0].coverage == 1.0);
  CHECK(status_of([] { register_study("", [](const hetmod::Options&) { return Study(); }); }) ==
        hetmod::Status::invalid_argument);
  CHECK(status_of([] { register_study("x", StudyFactory()); }) == hetmod::Status::invalid_argument);
}
