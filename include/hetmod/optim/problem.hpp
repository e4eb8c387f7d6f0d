// hetmod/optim/problem.hpp -- the objective interface every optimiser in hetmod minimises.
#pragma once
#include <cstddef>

namespace hetmod::optim {

/// A smooth objective to MINIMISE (families pass the negative log-likelihood).
class Problem {
 public:
  virtual ~Problem() = default;
  /// Number of free parameters.
  virtual std::size_t dim() const = 0;
  /// Returns f(x); when grad != nullptr also writes the gradient (length dim()).
  /// May throw hetmod::Error; optimisers stop cleanly and rethrow.
  virtual double value_and_gradient(const double* x, double* grad) = 0;
  /// Analytic Hessian available through value_gradient_hessian()?
  virtual bool has_hessian() const { return false; }
  /// Returns f(x), writes gradient (dim) and Hessian (dim*dim, column-major). Only if has_hessian().
  virtual double value_gradient_hessian(const double* x, double* grad, double* hess);
};

}  // namespace hetmod::optim
