// tests/cpp/sem/test_sem_information.cpp -- the sparse (rank-2 Gram) form of the expected information
// and of the gradient against the dense Jacobian, and the optimiser's evaluation counts (no timing).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "hetmod/numeric/fdiff.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"

using namespace hetmod;
using namespace hetmod::sem;

namespace {

/// 1/2 tr(V D_k V D_l) + dmu_k^T V dmu_l from the dense Jacobian.
std::vector<double> dense_information(detail::Kernel& k, const std::vector<double>& V, int p, int q, bool means) {
  std::vector<double> ds, dm;
  k.jacobian(ds, dm);
  const std::size_t pp = static_cast<std::size_t>(p * p);
  std::vector<double> out(static_cast<std::size_t>(q * q), 0.0);
  for (int a = 0; a < q; ++a)
    for (int b = 0; b < q; ++b) {
      const double* Da = ds.data() + pp * static_cast<std::size_t>(a);
      const double* Db = ds.data() + pp * static_cast<std::size_t>(b);
      double s = 0;
      for (int i = 0; i < p; ++i)
        for (int j = 0; j < p; ++j)
          for (int r = 0; r < p; ++r)
            for (int t = 0; t < p; ++t) s += V[static_cast<std::size_t>(i + j * p)] * Da[static_cast<std::size_t>(j + r * p)] *
                                             V[static_cast<std::size_t>(r + t * p)] * Db[static_cast<std::size_t>(t + i * p)];
      s *= 0.5;
      if (means)
        for (int i = 0; i < p; ++i)
          for (int j = 0; j < p; ++j)
            s += dm[static_cast<std::size_t>(i + a * p)] * V[static_cast<std::size_t>(i + j * p)] * dm[static_cast<std::size_t>(j + b * p)];
      out[static_cast<std::size_t>(a + b * q)] = s;
    }
  return out;
}

void check_model(const std::string& syntax, bool meanstructure, uint64_t seed) {
  ModelOptions mo;
  mo.meanstructure = meanstructure;
  Model model = make_model(syntax, mo);
  for (auto& r : model.rows)
    if (r.exo) r.value = r.op == Op::intercept ? 0.3 : (r.lhs == r.rhs ? 1.0 : 0.2);
  const int p = model.p(), q = model.n_free;
  Rng rng = Rng::for_stream(seed, 0);
  std::vector<double> theta(static_cast<std::size_t>(q));
  for (const auto& r : model.rows) {
    if (r.par < 0) continue;
    double v = 0.1 + 0.4 * rng.uniform();
    if (r.op == Op::covariance && r.lhs == r.rhs) v = 1.0 + rng.uniform();
    theta[static_cast<std::size_t>(r.par)] = v;
  }
  // random SPD weight V = L L^T + I and a sample covariance/mean for the gradient check
  std::vector<double> L(static_cast<std::size_t>(p * p)), V(L.size(), 0.0), S(L.size(), 0.0), mean(static_cast<std::size_t>(p));
  for (auto& v : L) v = rng.normal() * 0.3;
  for (int i = 0; i < p; ++i) {
    mean[static_cast<std::size_t>(i)] = rng.normal();
    for (int j = 0; j < p; ++j) {
      double s = i == j ? 1.0 : 0.0, t = i == j ? 2.0 : 0.0;
      for (int k = 0; k < p; ++k) {
        s += L[static_cast<std::size_t>(i + k * p)] * L[static_cast<std::size_t>(j + k * p)];
        t += 0.5 * L[static_cast<std::size_t>(k + i * p)] * L[static_cast<std::size_t>(k + j * p)];
      }
      V[static_cast<std::size_t>(i + j * p)] = s;
      S[static_cast<std::size_t>(i + j * p)] = t;
    }
  }
  detail::Kernel k(detail::ram_structure(model), S, mean);
  REQUIRE(k.implied(theta.data()));
  std::vector<double> sparse(static_cast<std::size_t>(q * q));
  k.information(V.data(), sparse.data());
  const std::vector<double> dense = dense_information(k, V, p, q, model.meanstructure);
  for (std::size_t i = 0; i < sparse.size(); ++i) CHECK(sparse[i] == Approx(dense[i]).margin(1e-10).epsilon(1e-10));
  // analytic ML gradient (sparse one-pass form) against central differences
  std::vector<double> g(static_cast<std::size_t>(q));
  const double f = k.objective(detail::Obj::ml, theta.data(), g.data());
  REQUIRE(std::isfinite(f));
  const std::vector<double> fd = numeric::fd_gradient(
      [&](const std::vector<double>& th) { return k.objective(detail::Obj::ml, th.data(), nullptr); }, theta, 1e-6);
  for (int i = 0; i < q; ++i) CHECK(g[static_cast<std::size_t>(i)] == Approx(fd[static_cast<std::size_t>(i)]).margin(1e-6).epsilon(1e-5));
}

}  // namespace

TEST_CASE("sem information: sparse Gram form equals the dense Jacobian form", "[sem]") {
  // CFA with correlated factors; SEM with latent regressions, labels and residual covariances;
  // mean structure with a fixed-x covariate; a cyclic model.
  check_model("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9", false, 1);
  check_model("ind60 =~ x1 + x2 + x3\n dem60 =~ y1 + a*y2 + b*y3 + y4\n dem65 =~ y5 + a*y6 + b*y7 + y8\n"
              " dem60 ~ ind60\n dem65 ~ ind60 + dem60\n y1 ~~ y5\n y2 ~~ y4 + y6",
              false, 2);
  check_model("f =~ y1 + y2 + y3 + y4\n f ~ x1\n y1 ~ 1", true, 3);
  check_model("y1 ~ y3 + x1\n y2 ~ y1 + x2\n y3 ~ y2 + x3", false, 4);
}

TEST_CASE("sem optimiser: Fisher scoring + BFGS needs few evaluations (HS-sized CFA, population moments)", "[sem]") {
  // population moments of a 3-factor CFA: the optimum is exact, the count of evaluations is deterministic
  const Model model = make_model("f1 =~ y1 + y2 + y3\n f2 =~ y4 + y5 + y6\n f3 =~ y7 + y8 + y9");
  std::vector<double> theta(static_cast<std::size_t>(model.n_free), 0.0);
  for (const auto& r : model.rows) {
    if (r.par < 0) continue;
    double v = 0.8;
    if (r.op == Op::covariance) v = r.lhs == r.rhs ? 0.6 : 0.3;
    theta[static_cast<std::size_t>(r.par)] = v;
  }
  const Implied im = implied_moments(model, theta);
  const SampleMoments s = sample_moments_from_cov(im.sigma, model.observed, 500, {}, false);
  const SemFit f = fit(model, s);
  CHECK(f.convergence.converged);
  CHECK(f.convergence.optimizer == "fisher-scoring+bfgs");
  CHECK(f.convergence.iterations <= 30);
  for (std::size_t i = 0; i < theta.size(); ++i) CHECK(f.theta[i] == Approx(theta[i]).margin(1e-7).epsilon(0));
}
