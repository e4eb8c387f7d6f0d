// hetmod/optim/newton.hpp -- trust-region Newton for problems with an analytic Hessian.
//
// Each iteration solves the trust-region subproblem with the exact Hessian (More-Sorensen style:
// Cholesky of H + mu I with mu chosen so the step fits the radius; indefinite H handled by the shift),
// accepts on the ratio of actual to predicted reduction, and stops when max|grad| <= grad_tol, or the
// relative change in f and x falls below tolerance. Non-convergence is reported, not thrown.
#pragma once
#include <vector>

#include "hetmod/core/convergence.hpp"
#include "hetmod/optim/problem.hpp"

namespace hetmod::optim {

struct NewtonOptions {
  int max_iter = 200;
  double grad_tol = 1e-8;     ///< on max|grad|
  double ftol_rel = 1e-14;    ///< relative decrease in f considered no progress
  double initial_radius = 1.0;
  double max_radius = 1e3;
};

/// Minimises problem (which must have has_hessian()) from x (overwritten). Throws the objective's
/// exceptions; Error(invalid_argument) if the problem has no Hessian.
Convergence minimize_newton(Problem& problem, std::vector<double>& x, const NewtonOptions& opt = {});

}  // namespace hetmod::optim
