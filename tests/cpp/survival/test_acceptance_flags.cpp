// Issue 3 acceptance: identifiability reported in the result. With both scales free and kappa near 1 the
// APGW's phi and lambda are confounded (spec 2.2): the fit must say so ("phi_lambda_confounded"), with the
// huge SEs it has, rather than present them as ordinary estimates. Deterministic quantile-grid data
// (spec 5.E construction) from the APGW with kappa = 0.9 and 1.2; the threshold boundary (min t > 0) is
// flagged as well, as for D1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "surv_test_util.hpp"

using namespace hetmod;
using namespace hetmod::survival;
using survtest::DesignBuilder;

TEST_CASE("acceptance 2.2: kappa near 1 with both scales free is flagged phi_lambda_confounded",
          "[survival][acceptance]") {
  for (double kappa : {0.9, 1.2}) {
    const auto g = survtest::quantile_grid({0, 0, std::log(1.5), std::log1p(kappa)}, 1000, 2.5);
    SurvData d;
    d.time = g.time;
    d.status = g.status;
    DesignBuilder b(1000);
    b.intercept(Par::phi).intercept(Par::lambda).intercept(Par::gamma).intercept(Par::kappa);
    const SurvFit f = fit(d, b.design(), Dist::apgw);
    INFO("kappa " << kappa << ": flags " << f.result.notes.at("flags") << ", log(1 + kappa) " << f.result.coef[3]);
    const auto has = [&](const char* s) { return std::find(f.flags.begin(), f.flags.end(), s) != f.flags.end(); };
    CHECK(has("phi_lambda_confounded"));
    // log(1 + kappa) within one SE of log 2 (kappa = 1), and SEs of the scales above 5.
    const double se_k = std::sqrt(f.result.vcov[3 + 3 * 4]);
    CHECK(std::fabs(f.result.coef[3] - std::log(2.0)) < se_k);
    CHECK(std::sqrt(f.result.vcov[0]) > 5.0);
    CHECK(std::sqrt(f.result.vcov[1 + 1 * 4]) > 5.0);
    // The note explains the flag.
    CHECK(f.result.notes.count("boundary") == 1);
  }
}
