// hetmod/optim/newton.hpp -- trust-region Newton for problems with an analytic Hessian.
//
// Each iteration solves the trust-region subproblem with the exact Hessian (More-Sorensen style: the
// step is -(H + mu I)^{-1} g with H + mu I positive semi-definite and mu >= 0 chosen by a safeguarded
// Newton iteration on the secular equation so the step fits the radius; the eigen-decomposition of H
// makes the indefinite and the "hard" case exact). Steps are accepted on the ratio of actual to
// predicted reduction; a trial point with a non-finite objective/gradient/Hessian is rejected and the
// radius shrunk. The run stops when max|grad| <= grad_tol (converged, unless the Hessian there has a
// negative eigenvalue: a saddle), when the relative decrease in f stays below ftol_rel for 3 accepted
// steps or the radius collapses (no progress), or after max_iter iterations. Non-convergence is
// reported in the record, never thrown. The interrupt hook is polled every iteration.
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
  /// Recovery of a rejected step (curved valleys, strongly non-quadratic directions): when the Hessian at
  /// the rejected trial point is positive definite and its Newton step from there fits the radius, one
  /// extra evaluation at the candidate with the lower predicted f: that Newton step (second-order
  /// correction; predicted by the quadratic model at the trial point) or the line-search point x + a p,
  /// a in [0.1, 0.75] minimising the cubic through f and the directional derivatives at x and at the
  /// trial point (predicted by that cubic; the radius becomes a |p|). Accepted when it decreases f by at
  /// least 1e-4 of its quadratic-model decrease; otherwise the radius shrinks as usual.
  bool correct_rejected = false;
};

/// Convergence::code values of minimize_newton (Convergence::optimizer is "newton-tr").
namespace newton_code {
constexpr int converged = 1;     ///< max|grad| <= grad_tol at a point with a positive semi-definite Hessian
constexpr int max_iter = -1;     ///< max_iter iterations done
constexpr int no_progress = -2;  ///< f stopped decreasing / trust region collapsed before grad_tol was met
constexpr int bad_start = -3;    ///< objective, gradient or Hessian not finite at the start (x unchanged)
constexpr int saddle = -4;       ///< max|grad| <= grad_tol but the Hessian has a negative eigenvalue
}  // namespace newton_code

/// Minimises problem (which must have has_hessian()) from x (length dim(); overwritten by the last
/// accepted point on return, untouched when an exception propagates). Convergence::iterations counts
/// Newton iterations. Throws the objective's exceptions, Error(interrupted) on a user interrupt, and
/// Error(invalid_argument) if the problem has no Hessian or x/options are invalid ("minimize_newton: ...").
Convergence minimize_newton(Problem& problem, std::vector<double>& x, const NewtonOptions& opt = {});

}  // namespace hetmod::optim
