// hetmod/numeric/fdiff.hpp -- finite-difference gradients and Hessians (for tests and fallbacks).
#pragma once
#include <functional>
#include <vector>

namespace hetmod::numeric {

using ScalarFn = std::function<double(const std::vector<double>&)>;
using VectorFn = std::function<std::vector<double>(const std::vector<double>&)>;

/// Central differences, step h_i = step * max(1, |x_i|). Returns length-n gradient.
std::vector<double> fd_gradient(const ScalarFn& f, const std::vector<double>& x, double step = 1e-6);
/// Richardson-extrapolated central differences (4 evaluations per coordinate): ~1e-10 accuracy.
std::vector<double> fd_gradient_richardson(const ScalarFn& f, const std::vector<double>& x, double step = 1e-3);
/// Hessian (n*n column-major) by central differences of an analytic gradient, symmetrised.
std::vector<double> fd_hessian_from_gradient(const VectorFn& grad, const std::vector<double>& x, double step = 1e-5);
/// Hessian (n*n column-major) from function values only (second central differences).
std::vector<double> fd_hessian(const ScalarFn& f, const std::vector<double>& x, double step = 1e-4);

/// max_i |a_i - b_i| / max(1, |b_i|): the relative-or-absolute discrepancy used in derivative tests.
double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace hetmod::numeric
