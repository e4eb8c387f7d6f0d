// hetmod/core/convergence.hpp -- the convergence record every iterative fit returns.
// Non-convergence is a result, not an error (DESIGN.md section 3).
#pragma once
#include <string>

namespace hetmod {

struct Convergence {
  bool converged = false;     ///< true when the optimiser met its tolerance
  int code = 0;               ///< optimiser-specific return code (NLopt result, Newton code)
  std::string optimizer;      ///< e.g. "nlopt:LD_LBFGS", "newton-tr"
  std::string reason;         ///< human-readable reason ("gradient norm below tolerance", ...)
  int iterations = 0;         ///< iterations (Newton) or function evaluations (NLopt)
  double grad_norm = 0.0;     ///< max-abs gradient at the returned point (NaN when unknown)
  double objective = 0.0;     ///< objective value at the returned point (as minimised)
};

}  // namespace hetmod
