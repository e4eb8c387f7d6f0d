// src/survival/internal.hpp -- small dense helpers shared by the survival sources (not public).
//
// Matrices are P x P, column-major, in std::vector<double> (the layout of FitResult::vcov).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hetmod/core/result.hpp"
#include "hetmod/survival/loglik.hpp"

namespace hetmod::survival::detail {

/// The identity fields of a fit's result shared by fit() and the tied (AH) fit: family, model (the dist
/// name), df, nobs (rows with positive weight; returned) and the coefficient names "par:column".
int64_t describe_result(FitResult& r, const Model& m, const Design& design, Dist dist, int64_t df);

/// A B A' for P x P matrices (column-major): the change of variables of a covariance matrix
/// (A = T, the map from internal to original coefficients) and the sandwich V B V (A = V symmetric,
/// B = sum of score outer products; fit.cpp's "vcov_robust" and robust.cpp's robust_vcov).
inline std::vector<double> sandwich(const std::vector<double>& A, const std::vector<double>& B, size_t P) {
  std::vector<double> AB(P * P, 0.0), out(P * P, 0.0);
  for (size_t j = 0; j < P; ++j)
    for (size_t k = 0; k < P; ++k) {
      const double b = B[k + j * P];
      for (size_t i = 0; i < P; ++i) AB[i + j * P] += A[i + k * P] * b;
    }
  for (size_t j = 0; j < P; ++j)
    for (size_t k = 0; k < P; ++k) {
      const double a = A[j + k * P];  // (A')_{kj}
      for (size_t i = 0; i < P; ++i) out[i + j * P] += AB[i + k * P] * a;
    }
  return out;
}

}  // namespace hetmod::survival::detail
