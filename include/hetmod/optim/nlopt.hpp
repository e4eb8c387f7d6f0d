// hetmod/optim/nlopt.hpp -- exception-safe RAII wrapper over NLopt's C API.
//
// Uses only the NLopt functions that R's nloptr package exports through nloptrAPI.h (create, destroy,
// set_min_objective, set_lower/upper_bounds, set_xtol_rel, set_ftol_rel, set_ftol_abs, set_maxeval,
// set_maxtime, force_stop, optimize, ...), so the R package links through nloptr. An exception thrown
// inside the objective is captured, the optimiser is force-stopped, and the exception is rethrown
// after nlopt_optimize returns. The user interrupt hook is polled on every evaluation.
#pragma once
#include <string>
#include <vector>

#include "hetmod/core/convergence.hpp"
#include "hetmod/optim/problem.hpp"

namespace hetmod::optim {

enum class NloptAlgorithm : int {
  lbfgs = 0,   ///< LD_LBFGS (gradient)
  slsqp = 1,   ///< LD_SLSQP (gradient)
  mma = 2,     ///< LD_MMA (gradient)
  bobyqa = 3,  ///< LN_BOBYQA (derivative-free)
  neldermead = 4,  ///< LN_NELDERMEAD (derivative-free)
  sbplx = 5    ///< LN_SBPLX (derivative-free)
};

struct NloptOptions {
  NloptAlgorithm algorithm = NloptAlgorithm::lbfgs;
  double xtol_rel = 1e-10;
  double ftol_rel = 1e-12;
  double ftol_abs = 0.0;
  int maxeval = 2000;
  double maxtime = 0.0;             ///< seconds, 0 = none
  std::vector<double> lower, upper; ///< empty = unbounded
  double grad_tol = 1e-5;           ///< converged requires max|grad| <= grad_tol * max(1, |f|) for gradient methods
};

/// Minimises problem starting at x (length dim(); a start outside [lower, upper] is clamped into it;
/// overwritten by the best point on return, untouched when an exception propagates). Returns the
/// convergence record: optimizer "nlopt:<name>", code = the nlopt_result, iterations = objective
/// evaluations, objective = best f, grad_norm = max-abs projected gradient at the returned point
/// (components pushing against an active bound count as 0; NaN for derivative-free methods).
/// converged: gradient methods need an NLopt success code (or ROUNDOFF_LIMITED) AND grad_norm <=
/// grad_tol * max(1, |f|); derivative-free methods need a success code or ROUNDOFF_LIMITED; running out
/// of evaluations/time is never converged. A non-finite objective is passed to NLopt as +HUGE_VAL
/// (non-finite gradient entries as 0) so line searches back off.
/// Throws the objective's own exception (after force-stop; the problem is not called again),
/// Error(interrupted) when the interrupt hook fires (polled before every evaluation), or
/// Error(invalid_argument) for bad options/start ("minimize_nlopt: ...").
Convergence minimize_nlopt(Problem& problem, std::vector<double>& x, const NloptOptions& opt = {});

/// "LD_LBFGS" etc.
const char* nlopt_algorithm_name(NloptAlgorithm a);

}  // namespace hetmod::optim
