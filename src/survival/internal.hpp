// src/survival/internal.hpp -- small dense helpers shared by the survival sources (not public).
//
// Matrices are P x P, column-major, in std::vector<double> (the layout of FitResult::vcov).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"

#include "hetmod/core/result.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

namespace hetmod::survival::detail {

/// The options of survival::fit, read and validated once (fit() and the tied fit; messages name fn).
struct FitSettings {
  int maxit = 200;
  double tol = 1e-8;
  int64_t nstarts = 0;
  std::vector<double> start;
  bool scale = true;
  uint64_t seed = 1;
  double gamma_max = 0.0;  // log(50) unless given
  bool probe = true;
  int64_t threads = 1;
};
FitSettings read_settings(const char* fn, const Options& options);

/// Applies the settings to a model built by build_model: row-loop threads (0 = all hardware threads), the
/// log gamma bound of the threshold-prone members (APGW, Burr, PGW with gamma covariates or intercept) and
/// the APGW's lower bound on log(1 + kappa).
void configure_model(Model& m, const FitSettings& st);

/// The identity fields of a fit's result shared by fit() and the tied (AH) fit: dist, the coefficient
/// blocks, family, model (the dist name), df, nobs (rows with positive weight; returned) and the coefficient
/// names "par:column".
int64_t describe_result(SurvFit& out, const Model& m, const Design& design, int64_t df);

/// Notes "flags" (the flags joined by ",") and "boundary" (the boundary notes joined by "; "), when any.
void finish_notes(SurvFit& out, const std::vector<std::string>& notes);

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
