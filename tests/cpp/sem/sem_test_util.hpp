// tests/cpp/sem/sem_test_util.hpp -- CSV reading and small helpers for the SEM tests.
#pragma once
#include <cmath>
#include <cstdlib>
#include <limits>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hetmod/sem/multigroup.hpp"

namespace semtest {

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  }
};

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool q = false;
  for (char c : line) {
    if (c == '"') {
      q = !q;
    } else if (c == ',' && !q) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

inline Csv read_csv(const std::string& path) {
  std::ifstream in(path);
  Csv csv;
  std::string line;
  if (!std::getline(in, line)) return csv;
  csv.header = split_csv_line(line);
  while (std::getline(in, line))
    if (!line.empty()) csv.rows.push_back(split_csv_line(line));
  return csv;
}

inline std::string data_path(const std::string& file) { return std::string(HETMOD_TEST_DATA_DIR) + "/" + file; }

/// name -> value of a "measure,value" CSV.
inline std::map<std::string, double> read_measures(const std::string& file) {
  const Csv c = read_csv(data_path(file));
  std::map<std::string, double> m;
  for (const auto& r : c.rows) m[r[0]] = std::strtod(r[1].c_str(), nullptr);
  return m;
}

/// Columns x1..x9 of the HS data, column-major, and their names.
inline std::vector<double> hs_data(std::vector<std::string>& names, int64_t& n) {
  const Csv c = read_csv(data_path("HolzingerSwineford1939.csv"));
  names.clear();
  std::vector<int> idx;
  for (int k = 1; k <= 9; ++k) {
    names.push_back("x" + std::to_string(k));
    idx.push_back(c.col(names.back()));
  }
  n = static_cast<int64_t>(c.rows.size());
  std::vector<double> x(static_cast<std::size_t>(n) * 9);
  for (std::size_t j = 0; j < 9; ++j)
    for (std::size_t i = 0; i < c.rows.size(); ++i)
      x[i + j * c.rows.size()] = std::strtod(c.rows[i][static_cast<std::size_t>(idx[j])].c_str(), nullptr);
  return x;
}

/// Relative agreement to `digits` significant digits (absolute near zero).
inline bool close_sig(double a, double b, double rel = 1e-5, double abs_tol = 1e-9) {
  return std::fabs(a - b) <= rel * std::fabs(b) + abs_tol;
}

/// x1..x9 of a Holzinger-Swineford-shaped CSV (NA -> NaN) and, when `groups`, the school codes in order of
/// first appearance.
inline hetmod::sem::GroupedData load_hs_grouped(const std::string& file, bool groups) {
  const Csv c = read_csv(data_path(file));
  hetmod::sem::GroupedData d;
  d.n = static_cast<int64_t>(c.rows.size());
  for (int k = 1; k <= 9; ++k) d.names.push_back("x" + std::to_string(k));
  d.x.resize(static_cast<std::size_t>(d.n) * 9);
  for (std::size_t j = 0; j < 9; ++j) {
    const int cj = c.col(d.names[j]);
    for (std::size_t i = 0; i < c.rows.size(); ++i) {
      const std::string& s = c.rows[i][static_cast<std::size_t>(cj)];
      d.x[i + j * c.rows.size()] =
          (s == "NA" || s.empty()) ? std::numeric_limits<double>::quiet_NaN() : std::strtod(s.c_str(), nullptr);
    }
  }
  if (!groups) return d;
  const int cs = c.col("school");
  for (const auto& r : c.rows) {
    const std::string& s = r[static_cast<std::size_t>(cs)];
    int code = -1;
    for (std::size_t g = 0; g < d.group_labels.size(); ++g)
      if (d.group_labels[g] == s) code = static_cast<int>(g);
    if (code < 0) {
      code = static_cast<int>(d.group_labels.size());
      d.group_labels.push_back(s);
    }
    d.group.push_back(code);
  }
  return d;
}

}  // namespace semtest
