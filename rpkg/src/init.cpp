// init.cpp -- package-level hooks: interrupt checker, log sink, NLopt warm-up, version.
//
// 1. At DLL load (Rcpp::init) the main thread's id is stored and the core's interrupt checker and log
//    sink are installed.
// 2. The interrupt checker acts only on the main thread: there it runs R_CheckUserInterrupt under
//    R_ToplevelExec (so R's long jump stops inside that call, never crossing C++ frames), at most
//    every 50 ms; a detected interrupt is sticky until the next guarded call, so worker threads
//    (which never touch R) see it too.
// 3. The log sink never calls R: warnings from any thread go into a bounded, mutex-protected buffer
//    that the guard (glue.h) forwards to R on the main thread after the computation.
// 4. hetmod_init_cpp() (from .onLoad) resolves every NLopt entry point of nloptrAPI.h once on the main
//    thread: nloptrAPI.h looks them up lazily with R_GetCCallable, which must not first happen on a
//    worker thread of a parallel study.
#include <Rcpp.h>
#include <R_ext/Rdynload.h>
#include <nloptrAPI.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "glue.h"
#include "hetmod/core/log.hpp"
#include "hetmod/core/version.hpp"

namespace hetmod_r {
namespace {

std::thread::id g_main_thread;
std::atomic<bool> g_interrupted{false};
std::chrono::steady_clock::time_point g_last_check{};  // main thread only

void check_interrupt_toplevel(void*) { R_CheckUserInterrupt(); }

bool r_interrupt_checker(void*) {
  if (g_interrupted.load(std::memory_order_relaxed)) return true;
  if (std::this_thread::get_id() != g_main_thread) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - g_last_check < std::chrono::milliseconds(50)) return false;
  g_last_check = now;
  if (R_ToplevelExec(check_interrupt_toplevel, nullptr) == FALSE) {
    g_interrupted.store(true);
    return true;
  }
  return false;
}

constexpr size_t kMaxWarnings = 50;
std::mutex g_warn_mutex;
std::vector<std::string> g_warnings;
size_t g_dropped = 0;

void r_log_sink(hetmod::LogLevel level, const char* message, void*) {
  if (level < hetmod::LogLevel::warning || message == nullptr) return;
  try {
    std::lock_guard<std::mutex> lock(g_warn_mutex);
    if (g_warnings.size() < kMaxWarnings) {
      g_warnings.emplace_back(message);
    } else {
      ++g_dropped;
    }
  } catch (...) {
    // A sink must not throw; a warning lost to an allocation failure is acceptable.
  }
}

double warm_objective(unsigned n, const double* x, double* grad, void*) {
  double f = 0;
  for (unsigned i = 0; i < n; ++i) {
    f += x[i] * x[i];
    if (grad) grad[i] = 2 * x[i];
  }
  return f;
}

void warm_up_nloptr() {
  int major = 0, minor = 0, bugfix = 0;
  nlopt_version(&major, &minor, &bugfix);
  (void)nlopt_algorithm_name(NLOPT_LD_LBFGS);
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, 1);
  if (opt == nullptr) Rcpp::stop("nloptr: nlopt_create failed.");
  nlopt_opt local = nlopt_create(NLOPT_LN_NELDERMEAD, 1);
  double lb = -1, ub = 1, x = 0.5, f = 0, dx = 0.1, tol = 1e-8;
  nlopt_set_min_objective(opt, warm_objective, nullptr);
  nlopt_set_max_objective(local, warm_objective, nullptr);
  nlopt_set_precond_min_objective(local, warm_objective, nullptr, nullptr);
  nlopt_set_precond_max_objective(local, warm_objective, nullptr, nullptr);
  nlopt_remove_inequality_constraints(local);
  nlopt_remove_equality_constraints(local);
  nlopt_add_inequality_constraint(local, warm_objective, nullptr, 0.0);
  nlopt_add_equality_constraint(local, warm_objective, nullptr, 0.0);
  nlopt_remove_inequality_constraints(local);
  nlopt_remove_equality_constraints(local);
  nlopt_set_min_objective(local, warm_objective, nullptr);
  (void)nlopt_get_algorithm(opt);
  (void)nlopt_get_dimension(opt);
  nlopt_set_lower_bounds(opt, &lb);
  nlopt_set_upper_bounds(opt, &ub);
  nlopt_set_lower_bounds1(opt, lb);
  nlopt_set_upper_bounds1(opt, ub);
  nlopt_get_lower_bounds(opt, &lb);
  nlopt_get_upper_bounds(opt, &ub);
  nlopt_set_stopval(opt, -HUGE_VAL);
  (void)nlopt_get_stopval(opt);
  nlopt_set_ftol_rel(opt, 1e-12);
  (void)nlopt_get_ftol_rel(opt);
  nlopt_set_ftol_abs(opt, 0.0);
  (void)nlopt_get_ftol_abs(opt);
  nlopt_set_xtol_rel(opt, 1e-10);
  (void)nlopt_get_xtol_rel(opt);
  nlopt_set_xtol_abs1(opt, 0.0);
  nlopt_set_xtol_abs(opt, &tol);
  nlopt_get_xtol_abs(opt, &tol);
  nlopt_set_xtol_abs1(opt, 0.0);
  nlopt_set_maxeval(opt, 50);
  (void)nlopt_get_maxeval(opt);
  nlopt_set_maxtime(opt, 0.0);
  (void)nlopt_get_maxtime(opt);
  nlopt_set_force_stop(opt, 0);
  (void)nlopt_get_force_stop(opt);
  nlopt_set_local_optimizer(opt, local);
  nlopt_set_population(local, 0);
  (void)nlopt_get_population(local);
  nlopt_set_vector_storage(opt, 0);
  (void)nlopt_get_vector_storage(opt);
  nlopt_set_default_initial_step(local, &x);
  nlopt_set_initial_step(local, &dx);
  nlopt_set_initial_step1(local, dx);
  nlopt_get_initial_step(local, &x, &dx);
  nlopt_opt copy = nlopt_copy(opt);
  nlopt_optimize(opt, &x, &f);
  nlopt_force_stop(opt);
  nlopt_destroy(copy);
  nlopt_destroy(local);
  nlopt_destroy(opt);
  // nlopt_srand / nlopt_srand_time would change NLopt's global RNG state, so they stay unresolved
  // (hetmod never uses NLopt's stochastic algorithms).
}

}  // namespace

void reset_interrupt() noexcept { g_interrupted.store(false); }

void clear_warnings() noexcept {
  std::lock_guard<std::mutex> lock(g_warn_mutex);
  g_warnings.clear();
  g_dropped = 0;
}

void flush_warnings() {
  std::vector<std::string> msgs;
  size_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(g_warn_mutex);
    msgs.swap(g_warnings);
    dropped = g_dropped;
    g_dropped = 0;
  }
  if (msgs.empty()) return;
  if (dropped > 0) msgs.push_back(std::to_string(dropped) + " further hetmod warnings were not shown.");
  Rcpp::Function warning = Rcpp::Environment::base_namespace()["warning"];
  for (const auto& m : msgs) warning(m, Rcpp::Named("call.") = false);
}

}  // namespace hetmod_r

// [[Rcpp::init]]
void hetmod_r_register_hooks(DllInfo* dll) {
  (void)dll;
  hetmod_r::g_main_thread = std::this_thread::get_id();
  hetmod::set_interrupt_checker(hetmod_r::r_interrupt_checker, nullptr);
  hetmod::set_log_sink(hetmod_r::r_log_sink, nullptr);
}

// Called from .onLoad: re-asserts the hooks and resolves the NLopt entry points on the main thread.
// [[Rcpp::export(rng = false)]]
bool hetmod_init_cpp() {
  return hetmod_r::guarded([] {
    hetmod_r::g_main_thread = std::this_thread::get_id();
    hetmod::set_interrupt_checker(hetmod_r::r_interrupt_checker, nullptr);
    hetmod::set_log_sink(hetmod_r::r_log_sink, nullptr);
    hetmod_r::warm_up_nloptr();
    return true;
  });
}

// [[Rcpp::export(rng = false)]]
std::string hetmod_version_cpp() {
  return hetmod_r::guarded([] { return std::string(HETMOD_VERSION_STRING); });
}

// Test hook: logs `message` through the core's sink from `threads` worker threads (0 = the calling
// thread) and then raises Error(status) when status != 0, so the tests can exercise the guard.
// [[Rcpp::export(rng = false)]]
bool hetmod_guard_test_cpp(std::string message, int threads, int status) {
  return hetmod_r::guarded([&] {
    if (threads <= 0) {
      hetmod::log(hetmod::LogLevel::warning, message);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&message, t] { hetmod::log(hetmod::LogLevel::warning, message + " (thread " + std::to_string(t) + ")"); });
      for (auto& th : pool) th.join();
    }
    if (status == static_cast<int>(hetmod::Status::interrupted)) {
      hetmod::check_interrupt("guard_test");  // no pending interrupt: nothing happens
      throw hetmod::Error(hetmod::Status::interrupted, "guard_test: interrupted by the user");
    }
    if (status != 0) throw hetmod::Error(static_cast<hetmod::Status>(status), "guard_test: " + message);
    return true;
  });
}
