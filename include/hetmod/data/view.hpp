// hetmod/data/view.hpp -- non-owning, column-major views of caller memory (R vectors, C arrays).
//
// Rows are observations, columns variables, as in R. A view never owns or copies; the caller keeps
// the memory alive for the duration of the call. Views do not validate: use data/validate.hpp at the
// boundary.
#pragma once
#include <cstdint>
#include <vector>

namespace hetmod::data {

/// A read-only vector view: data[0..n).
template <class T>
struct VecViewT {
  const T* data = nullptr;
  int64_t n = 0;
  VecViewT() = default;
  VecViewT(const T* d, int64_t len) : data(d), n(len) {}
  VecViewT(const std::vector<T>& v) : data(v.data()), n(static_cast<int64_t>(v.size())) {}  // NOLINT
  T operator[](int64_t i) const { return data[i]; }
  bool empty() const { return n == 0; }
};
using VecView = VecViewT<double>;
using IntVecView = VecViewT<int32_t>;

/// A read-only column-major matrix view: element (i, j) at data[i + j * nrow].
struct MatView {
  const double* data = nullptr;
  int64_t nrow = 0;
  int64_t ncol = 0;
  MatView() = default;
  MatView(const double* d, int64_t r, int64_t c) : data(d), nrow(r), ncol(c) {}
  double operator()(int64_t i, int64_t j) const { return data[i + j * nrow]; }
  const double* col(int64_t j) const { return data + j * nrow; }
  bool empty() const { return nrow == 0 || ncol == 0; }
};

}  // namespace hetmod::data
