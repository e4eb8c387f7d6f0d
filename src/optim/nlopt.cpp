// RAII, exception-safe wrapper over NLopt's C API (optim/nlopt.hpp).
//
// 1. Validate the options and the start (named "minimize_nlopt: ..." errors); clamp the start into
//    the bounds.
// 2. Create the NLopt handle (RAII), set objective, bounds and stopping rules, using only the functions
//    R's nloptr exports (nloptrAPI.h), so the R build links through nloptr.
// 3. The C callback polls the interrupt hook, evaluates the problem, keeps the best point and its
//    gradient, and captures any exception (std::exception_ptr) before force-stopping NLopt.
// 4. After nlopt_optimize: rethrow a captured exception (x untouched), otherwise fill the convergence
//    record. Gradient methods: converged = (success code or ROUNDOFF_LIMITED) AND max|projected grad|
//    <= grad_tol * max(1, |f|). Derivative-free methods: converged = success code or ROUNDOFF_LIMITED
//    (no gradient check; grad_norm is NaN). MAXEVAL/MAXTIME/FAILURE/FORCED_STOP: not converged.
#include "hetmod/optim/nlopt.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>

#ifdef HETMOD_R_BUILD
#ifndef R_NO_REMAP
#define R_NO_REMAP
#endif
#ifndef STRICT_R_HEADERS
#define STRICT_R_HEADERS
#endif
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-function-type"  // nloptrAPI.h casts R_GetCCallable's DL_FUNC
#endif
#include <nloptrAPI.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#else
#include <nlopt.h>
#endif

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"

namespace hetmod::optim {
namespace {

constexpr const char* kFn = "minimize_nlopt";

/// Owns one nlopt_opt.
class NloptHandle {
 public:
  NloptHandle(nlopt_algorithm alg, unsigned n) : h_(nlopt_create(alg, n)) {
    if (!h_) throw Error(Status::internal, std::string(kFn) + ": nlopt_create failed");
  }
  ~NloptHandle() { nlopt_destroy(h_); }
  NloptHandle(const NloptHandle&) = delete;
  NloptHandle& operator=(const NloptHandle&) = delete;
  nlopt_opt get() const { return h_; }

 private:
  nlopt_opt h_;
};

struct CallbackState {
  Problem* problem = nullptr;
  nlopt_opt opt = nullptr;
  std::exception_ptr error;
  int evaluations = 0;
  bool have_best = false;
  double best_f = std::numeric_limits<double>::infinity();
  std::vector<double> best_x, best_grad;
};

double objective(unsigned n, const double* x, double* grad, void* data) {
  auto* s = static_cast<CallbackState*>(data);
  if (s->error) {  // already stopping: never call the problem again
    nlopt_force_stop(s->opt);
    return HUGE_VAL;
  }
  try {
    check_interrupt(kFn);
    ++s->evaluations;
    double f = s->problem->value_and_gradient(x, grad);
    if (grad) {
      for (unsigned i = 0; i < n; ++i)
        if (!std::isfinite(grad[i])) grad[i] = 0.0;
    }
    if (!std::isfinite(f)) return HUGE_VAL;  // line searches back off; derivative-free methods avoid it
    if (!s->have_best || f < s->best_f) {
      s->have_best = true;
      s->best_f = f;
      s->best_x.assign(x, x + n);
      if (grad)
        s->best_grad.assign(grad, grad + n);
      else
        s->best_grad.clear();
    }
    return f;
  } catch (...) {
    s->error = std::current_exception();
    nlopt_force_stop(s->opt);
    return HUGE_VAL;
  }
}

nlopt_algorithm to_nlopt(NloptAlgorithm a) {
  switch (a) {
    case NloptAlgorithm::lbfgs: return NLOPT_LD_LBFGS;
    case NloptAlgorithm::slsqp: return NLOPT_LD_SLSQP;
    case NloptAlgorithm::mma: return NLOPT_LD_MMA;
    case NloptAlgorithm::bobyqa: return NLOPT_LN_BOBYQA;
    case NloptAlgorithm::neldermead: return NLOPT_LN_NELDERMEAD;
    case NloptAlgorithm::sbplx: return NLOPT_LN_SBPLX;
  }
  check::fail(kFn, "algorithm " + std::to_string(static_cast<int>(a)) + " is unknown");
}

bool uses_gradient(NloptAlgorithm a) {
  return a == NloptAlgorithm::lbfgs || a == NloptAlgorithm::slsqp || a == NloptAlgorithm::mma;
}

const char* result_text(nlopt_result r) {
  switch (r) {
    case NLOPT_SUCCESS: return "NLopt reported success";
    case NLOPT_STOPVAL_REACHED: return "objective reached stopval";
    case NLOPT_FTOL_REACHED: return "relative/absolute change in the objective below ftol";
    case NLOPT_XTOL_REACHED: return "relative change in the parameters below xtol_rel";
    case NLOPT_MAXEVAL_REACHED: return "maximum number of evaluations reached";
    case NLOPT_MAXTIME_REACHED: return "maximum time reached";
    case NLOPT_FAILURE: return "NLopt failed (generic failure)";
    case NLOPT_INVALID_ARGS: return "NLopt rejected the arguments";
    case NLOPT_OUT_OF_MEMORY: return "NLopt ran out of memory";
    case NLOPT_ROUNDOFF_LIMITED: return "NLopt stopped: progress limited by roundoff";
    case NLOPT_FORCED_STOP: return "NLopt was force-stopped";
    default: return "unknown NLopt result";
  }
}

void set_ok(nlopt_result r, const char* what) {
  if (r < 0) throw Error(Status::invalid_argument, std::string(kFn) + ": NLopt rejected " + what);
}

std::string fmt_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void validate(const Problem& problem, const std::vector<double>& x, const NloptOptions& opt) {
  const auto n = static_cast<int64_t>(problem.dim());
  check::require(n >= 1, kFn, "the problem has dimension 0, but must have at least 1 parameter");
  check::same_size(kFn, "x", static_cast<int64_t>(x.size()), n);
  check::finite(kFn, "x", x.data(), n);
  if (!opt.lower.empty()) check::same_size(kFn, "lower", static_cast<int64_t>(opt.lower.size()), n);
  if (!opt.upper.empty()) check::same_size(kFn, "upper", static_cast<int64_t>(opt.upper.size()), n);
  for (int64_t i = 0; i < n; ++i) {
    const std::string idx = "[" + std::to_string(i) + "]";
    double lo = -HUGE_VAL, hi = HUGE_VAL;
    if (!opt.lower.empty()) {
      lo = opt.lower[i];
      check::require(!std::isnan(lo) && lo != HUGE_VAL, kFn,
                     "lower" + idx + " is " + check::fmt(lo) + ", but must be a number < Inf");
    }
    if (!opt.upper.empty()) {
      hi = opt.upper[i];
      check::require(!std::isnan(hi) && hi != -HUGE_VAL, kFn,
                     "upper" + idx + " is " + check::fmt(hi) + ", but must be a number > -Inf");
    }
    check::require(lo <= hi, kFn,
                   "lower" + idx + " is " + check::fmt(lo) + ", but must be <= upper" + idx + " = " + check::fmt(hi));
  }
  check::nonnegative(kFn, "xtol_rel", opt.xtol_rel);
  check::nonnegative(kFn, "ftol_rel", opt.ftol_rel);
  check::nonnegative(kFn, "ftol_abs", opt.ftol_abs);
  check::at_least(kFn, "maxeval", opt.maxeval, 1);
  check::nonnegative(kFn, "maxtime", opt.maxtime);
  check::nonnegative(kFn, "grad_tol", opt.grad_tol);
  (void)to_nlopt(opt.algorithm);  // throws for an unknown algorithm
}

/// max_i |g_i|, zeroing components that push against an active bound.
double projected_grad_norm(const std::vector<double>& x, const std::vector<double>& g, const NloptOptions& opt) {
  double m = 0.0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    double gi = g[i];
    if (!opt.lower.empty() && x[i] <= opt.lower[i] && gi > 0) gi = 0.0;
    if (!opt.upper.empty() && x[i] >= opt.upper[i] && gi < 0) gi = 0.0;
    m = std::max(m, std::fabs(gi));
  }
  return m;
}

}  // namespace

const char* nlopt_algorithm_name(NloptAlgorithm a) {
  switch (a) {
    case NloptAlgorithm::lbfgs: return "LD_LBFGS";
    case NloptAlgorithm::slsqp: return "LD_SLSQP";
    case NloptAlgorithm::mma: return "LD_MMA";
    case NloptAlgorithm::bobyqa: return "LN_BOBYQA";
    case NloptAlgorithm::neldermead: return "LN_NELDERMEAD";
    case NloptAlgorithm::sbplx: return "LN_SBPLX";
  }
  return "unknown";
}

Convergence minimize_nlopt(Problem& problem, std::vector<double>& x, const NloptOptions& opt) {
  validate(problem, x, opt);
  const unsigned n = static_cast<unsigned>(problem.dim());
  std::vector<double> xw = x;
  for (unsigned i = 0; i < n; ++i) {  // clamp the start into the box
    if (!opt.lower.empty()) xw[i] = std::max(xw[i], opt.lower[i]);
    if (!opt.upper.empty()) xw[i] = std::min(xw[i], opt.upper[i]);
  }

  NloptHandle handle(to_nlopt(opt.algorithm), n);
  nlopt_opt h = handle.get();
  CallbackState state;
  state.problem = &problem;
  state.opt = h;

  set_ok(nlopt_set_min_objective(h, objective, &state), "the objective");
  if (!opt.lower.empty()) set_ok(nlopt_set_lower_bounds(h, opt.lower.data()), "the lower bounds");
  if (!opt.upper.empty()) set_ok(nlopt_set_upper_bounds(h, opt.upper.data()), "the upper bounds");
  set_ok(nlopt_set_xtol_rel(h, opt.xtol_rel), "xtol_rel");
  set_ok(nlopt_set_ftol_rel(h, opt.ftol_rel), "ftol_rel");
  set_ok(nlopt_set_ftol_abs(h, opt.ftol_abs), "ftol_abs");
  set_ok(nlopt_set_maxeval(h, opt.maxeval), "maxeval");
  set_ok(nlopt_set_maxtime(h, opt.maxtime), "maxtime");

  double fmin = HUGE_VAL;
  const nlopt_result res = nlopt_optimize(h, xw.data(), &fmin);
  if (state.error) std::rethrow_exception(state.error);
  if (res == NLOPT_INVALID_ARGS)
    throw Error(Status::invalid_argument, std::string(kFn) + ": NLopt rejected the arguments (algorithm " +
                                              nlopt_algorithm_name(opt.algorithm) + ")");
  if (res == NLOPT_OUT_OF_MEMORY) throw Error(Status::internal, std::string(kFn) + ": NLopt ran out of memory");

  Convergence c;
  c.code = static_cast<int>(res);
  c.optimizer = std::string("nlopt:") + nlopt_algorithm_name(opt.algorithm);
  c.iterations = state.evaluations;
  c.objective = fmin;
  // NLopt returns the best point it saw, which is the one the callback recorded.
  if (state.have_best && fmin == state.best_f) {
    c.objective = state.best_f;
    xw = state.best_x;
  }
  const bool grad_method = uses_gradient(opt.algorithm);
  c.grad_norm = std::numeric_limits<double>::quiet_NaN();
  if (grad_method && state.have_best) {
    if (state.best_grad.size() != n || xw != state.best_x) {  // gradient not seen at the returned point
      check_interrupt(kFn);
      state.best_grad.assign(n, 0.0);
      ++state.evaluations;
      c.objective = problem.value_and_gradient(xw.data(), state.best_grad.data());
      c.iterations = state.evaluations;
    }
    c.grad_norm = projected_grad_norm(xw, state.best_grad, opt);
  }

  const bool code_ok = res == NLOPT_SUCCESS || res == NLOPT_STOPVAL_REACHED || res == NLOPT_FTOL_REACHED ||
                       res == NLOPT_XTOL_REACHED;
  std::string reason = result_text(res);
  if (!std::isfinite(c.objective)) {
    c.converged = false;
    reason += "; the objective is not finite at the returned point";
  } else if (!grad_method) {
    // BOBYQA & co. report ROUNDOFF_LIMITED when their trust region reaches machine precision, which in
    // practice happens at the solution when xtol_rel is tiny (NLopt: "still typically a useful result").
    c.converged = code_ok || res == NLOPT_ROUNDOFF_LIMITED;
    if (res == NLOPT_ROUNDOFF_LIMITED) reason += " (accepted as converged for a derivative-free method)";
  } else {
    const double tol = opt.grad_tol * std::max(1.0, std::fabs(c.objective));
    const bool grad_ok = c.grad_norm <= tol;  // false for NaN
    if ((code_ok || res == NLOPT_ROUNDOFF_LIMITED) && grad_ok) {
      c.converged = true;
    } else if (code_ok || res == NLOPT_ROUNDOFF_LIMITED) {
      c.converged = false;
      reason += "; but max|grad| = " + fmt_g(c.grad_norm) + " exceeds the tolerance " + fmt_g(tol);
    } else {
      c.converged = false;
    }
  }
  c.reason = reason;
  x = xw;
  return c;
}

}  // namespace hetmod::optim
