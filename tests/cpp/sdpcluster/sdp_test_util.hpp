// Shared helpers of the sdpcluster tests.
#pragma once
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sdp_test {

// A numeric CSV file from tests/data (one header line) as an n x p column-major matrix; with every = m only
// rows 0, m, 2m, ... are kept.
inline std::vector<double> read_matrix_csv(const std::string& file, int64_t& n, int64_t& p, int every = 1) {
  std::ifstream in(std::string(HETMOD_TEST_DATA_DIR) + "/" + file);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  int i = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (i++ % every != 0) continue;
    std::stringstream ss(line);
    std::string cell;
    std::vector<double> r;
    while (std::getline(ss, cell, ',')) r.push_back(std::stod(cell));
    rows.push_back(r);
  }
  n = static_cast<int64_t>(rows.size());
  p = static_cast<int64_t>(rows.at(0).size());
  std::vector<double> x(static_cast<size_t>(n * p));
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < p; ++b) x[static_cast<size_t>(b * n + a)] = rows[static_cast<size_t>(a)][static_cast<size_t>(b)];
  return x;
}

}  // namespace sdp_test
