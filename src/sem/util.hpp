// src/sem/util.hpp -- module-private helpers of the SEM family shared by its .cpp files: column-major
// indexing and the small string helpers of the option readers.
#pragma once

#include <cctype>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace hetmod::sem::detail {

/// Column-major index of (i, j) in a matrix with n rows.
inline std::size_t ix(int i, int j, int n) {
  return static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * static_cast<std::size_t>(n);
}

/// s without any white space.
inline std::string strip(const std::string& s) {
  std::string o;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) o += c;
  return o;
}

/// Non-empty, white-space-stripped items of a comma-separated list.
inline std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = strip(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace hetmod::sem::detail
