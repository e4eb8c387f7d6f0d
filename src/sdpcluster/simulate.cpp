// src/sdpcluster/simulate.cpp -- simulation designs (spec 5.1) and the "sdp_kmeans" study.
//
// 1. Threshold (Chen & Yang 2021): Delta_bar^2 = 4 sigma^2 (1 + sqrt(1 + k p / (n log n))) log n.
// 2. Isotropic design: balanced clusters N(e_j delta / sqrt 2, sigma^2 I), delta^2 = ratio Delta_bar^2.
// 3. Heterogeneous designs D1-D5 of spec 5.1 (smoke-test designs; D3, D4 details are ours) and
//    "hetero": k = 3, p = 2, two near clusters with crossed elongated covariances and a far diffuse one.
//    Draws x = mu_k + L_k z, L_k the Cholesky factor of Sigma_k, z standard normal from hetmod::Rng.
// (The "sdp_kmeans" simulation study lives in src/sim/studies_sdp.cpp: sim sits above the families.)
#include <algorithm>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/arma_linalg.hpp"
#include "internal.hpp"

namespace hetmod::sdpcluster {

namespace {

struct Design {
  int k = 0, p = 0;
  arma::mat means;              // k x p
  std::vector<arma::mat> covs;  // k of p x p
};

Design named_design(const std::string& name) {
  Design d;
  if (name == "D1") {
    d.k = 2; d.p = 2;
    d.means = {{0, 0}, {0, 1.5}};
    d.covs = {arma::diagmat(arma::vec{10, 0.1}), arma::diagmat(arma::vec{10, 0.1})};
  } else if (name == "D2") {
    d.k = 2; d.p = 2;
    d.means = {{0, 0}, {2.5, 0}};
    d.covs = {0.1 * arma::eye(2, 2), 4.0 * arma::eye(2, 2)};
  } else if (name == "D3") {
    d.k = 3; d.p = 5;
    d.means.zeros(3, 5);
    d.means(1, 1) = 3.0;
    d.means(2, 0) = 4.0; d.means(2, 1) = 4.0;
    d.covs = {arma::diagmat(arma::vec{8, 0.2, 0.2, 0.2, 0.2}), arma::diagmat(arma::vec{0.2, 0.2, 8, 0.2, 0.2}),
              arma::eye(5, 5)};
  } else if (name == "D4") {
    d.k = 2; d.p = 20;
    d.means.zeros(2, 20);
    d.means(1, 1) = 2.0;
    arma::vec v1(20); v1.fill(0.1); v1(0) = 25.0;
    d.covs = {arma::diagmat(v1), 2.0 * arma::eye(20, 20)};
  } else if (name == "D5") {
    d.k = 3; d.p = 2;
    d.means = {{0, 0}, {3.5, 0}, {30, 0}};
    d.covs = {arma::eye(2, 2), arma::eye(2, 2), arma::eye(2, 2)};
  } else if (name == "hetero") {
    d.k = 3; d.p = 2;
    d.means = {{0, 0}, {3.0, 0}, {20, 0}};
    d.covs = {arma::diagmat(arma::vec{0.15, 6.0}), arma::diagmat(arma::vec{0.15, 6.0}),
              arma::mat{{16.0, 0}, {0, 16.0}}};
  } else {
    check::fail("simulate_design", "unknown design '" + name + "' (known: D1, D2, D3, D4, D5, hetero)");
  }
  return d;
}

}  // namespace

double threshold_delta2(int64_t n, int64_t p, int k, double sigma) {
  check::at_least("threshold_delta2", "n", n, 2);
  const double dn = static_cast<double>(n), ln = std::log(dn);
  return 4.0 * sigma * sigma * (1.0 + std::sqrt(1.0 + static_cast<double>(k) * static_cast<double>(p) / (dn * ln))) * ln;
}

SimData simulate_isotropic(int64_t n, int64_t p, int k, double ratio, Rng& rng, double sigma) {
  const char* fn = "simulate_isotropic";
  check::at_least(fn, "k", k, 1);
  check::at_least(fn, "n", n, k);
  check::at_least(fn, "p", p, k);
  check::positive(fn, "ratio", ratio);
  check::positive(fn, "sigma", sigma);
  const double delta = std::sqrt(ratio * threshold_delta2(n, p, k, sigma));
  SimData s;
  s.n = n; s.p = p; s.k = k;
  s.x.assign(static_cast<size_t>(n * p), 0.0);
  s.labels.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int lab = static_cast<int>(i * k / n);  // balanced, contiguous blocks
    s.labels[static_cast<size_t>(i)] = lab;
    for (int64_t j = 0; j < p; ++j) {
      double v = rng.normal(0.0, sigma);
      if (j == lab) v += delta / std::sqrt(2.0);
      s.x[static_cast<size_t>(i + j * n)] = v;
    }
  }
  return s;
}

SimData simulate_design(const std::string& design, int64_t n, Rng& rng) {
  const Design d = named_design(design);
  check::at_least("simulate_design", "n", n, d.k);
  std::vector<arma::mat> l;
  for (const auto& c : d.covs) l.push_back(numeric::cholesky_lower(c, "simulate_design"));
  SimData s;
  s.n = n; s.p = d.p; s.k = d.k;
  s.x.assign(static_cast<size_t>(n * d.p), 0.0);
  s.labels.resize(static_cast<size_t>(n));
  arma::vec z(static_cast<arma::uword>(d.p));
  for (int64_t i = 0; i < n; ++i) {
    const int lab = static_cast<int>(i * d.k / n);
    s.labels[static_cast<size_t>(i)] = lab;
    for (auto& v : z) v = rng.normal();
    const arma::vec xi = d.means.row(static_cast<arma::uword>(lab)).t() + l[static_cast<size_t>(lab)] * z;
    for (int j = 0; j < d.p; ++j) s.x[static_cast<size_t>(i + j * n)] = xi(static_cast<arma::uword>(j));
  }
  return s;
}

std::vector<double> design_covariances(const std::string& design) {
  const Design d = named_design(design);
  std::vector<double> out;
  for (const auto& c : d.covs) out.insert(out.end(), c.begin(), c.end());
  return out;
}

}  // namespace hetmod::sdpcluster
