// Shared helpers for the survival tests: veteran data, reference CSV, quantile-grid designs.
#pragma once
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

namespace survtest {

struct Veteran {
  std::vector<double> time, trt01, trt12, karno, age;
  std::vector<int32_t> status;
  size_t n() const { return time.size(); }
};

// max |a - b| relative to max |a| (vectors of equal length).
inline double max_rel(const std::vector<double>& a, const std::vector<double>& b) {
  double scale = 0, diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, std::fabs(a[i]));
    diff = std::max(diff, std::fabs(a[i] - b[i]));
  }
  return diff / std::max(scale, 1e-300);
}

inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool q = false;
  for (char ch : line) {
    if (ch == '"') q = !q;
    else if (ch == ',' && !q) { out.push_back(cur); cur.clear(); }
    else if (ch != '\r') cur += ch;
  }
  out.push_back(cur);
  return out;
}

inline Veteran load_veteran() {
  std::ifstream in(std::string(HETMOD_TEST_DATA_DIR) + "/veteran.csv");
  Veteran v;
  std::string line;
  std::getline(in, line);
  const auto hdr = split_csv(line);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < hdr.size(); ++i) col[hdr[i]] = i;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv(line);
    v.time.push_back(std::stod(f[col["time"]]));
    v.status.push_back(static_cast<int32_t>(std::stoi(f[col["status"]])));
    const double trt = std::stod(f[col["trt"]]);
    v.trt12.push_back(trt);
    v.trt01.push_back(trt == 2 ? 1.0 : 0.0);
    v.karno.push_back(std::stod(f[col["karno"]]));
    v.age.push_back(std::stod(f[col["age"]]));
  }
  return v;
}

/// Reference values of tests/data/<file> (CSV model,quantity,value): ref[model][quantity].
inline std::map<std::string, std::map<std::string, double>> load_ref_csv(const std::string& file) {
  std::ifstream in(std::string(HETMOD_TEST_DATA_DIR) + "/" + file);
  std::map<std::string, std::map<std::string, double>> r;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv(line);
    r[f[0]][f[1]] = std::stod(f[2]);
  }
  return r;
}

/// survreg reference values: ref[model][quantity].
inline std::map<std::string, std::map<std::string, double>> load_survreg_ref() {
  return load_ref_csv("survival_survreg_ref.csv");
}

/// Owns the column storage for a Design.
struct DesignBuilder {
  std::array<std::vector<double>, 4> cols;
  std::array<int64_t, 4> p{};
  std::array<std::vector<std::string>, 4> names;
  int64_t n = 0;
  explicit DesignBuilder(int64_t n_) : n(n_) {}
  DesignBuilder& intercept(hetmod::survival::Par par) {
    return column(par, std::vector<double>(static_cast<size_t>(n), 1.0), "(Intercept)");
  }
  DesignBuilder& column(hetmod::survival::Par par, const std::vector<double>& x, const std::string& nm) {
    const size_t j = static_cast<size_t>(par);
    cols[j].insert(cols[j].end(), x.begin(), x.end());
    ++p[j];
    names[j].push_back(nm);
    return *this;
  }
  hetmod::survival::Design design() const {
    hetmod::survival::Design d;
    for (size_t j = 0; j < 4; ++j) {
      if (p[j] > 0) d.par[j].x = hetmod::data::MatView(cols[j].data(), n, p[j]);
      d.par[j].names = names[j];
    }
    return d;
  }
};

/// Quantile of the APGW at link-scale (log phi, log lambda, log gamma, log(1+kappa)).
inline double apgw_quantile(const std::array<double, 4>& eta, double u) {
  using namespace hetmod::survival::detail;
  const double m = -std::log1p(-u) / std::exp(eta[1]);
  const double uu = unit_cumhaz_inverse(Kernel::apgw, eta[3], m);
  if (std::isinf(uu)) return INFINITY;
  return std::pow(uu, std::exp(-eta[2])) / std::exp(eta[0]);
}

/// Deterministic quantile-grid design (spec 5.E).
struct GridData {
  std::vector<double> time;
  std::vector<int32_t> status;
  int events = 0;
};
inline GridData quantile_grid(const std::array<double, 4>& eta, int n, double C) {
  GridData g;
  for (int i = 1; i <= n; ++i) {
    const double T = apgw_quantile(eta, (i - 0.5) / n);
    const bool ev = T <= C;
    g.time.push_back(ev ? T : C);
    g.status.push_back(ev ? 1 : 0);
    g.events += ev;
  }
  return g;
}

}  // namespace survtest
