// glue.h -- the one guard every R-callable C++ function of the hetmod R package goes through.
//
// guarded(body):
//   1. clears the sticky interrupt flag and runs body() inside a try block;
//   2. hetmod::Error / std::exception / anything else is caught and only its message is kept, so all
//      C++ objects of the body are destroyed before R sees the failure;
//   3. warnings the core logged (from any thread) are forwarded to R with warning(call. = FALSE);
//   4. outside any try block: Status::interrupted (or an Rcpp interrupt) becomes an R interrupt
//      (Rcpp::internal::InterruptedException -> Rf_onintr in END_RCPP), every other failure an R
//      error carrying the core's message (Rcpp::exception without call -> stop() in END_RCPP, after
//      the C++ stack has unwound).
// An R-level long jump caught by Rcpp (Rcpp::LongjumpException) is passed through untouched.
#pragma once
#include <Rcpp.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "hetmod/core/error.hpp"
#include "hetmod/core/options.hpp"

namespace hetmod_r {

/// Named R list -> hetmod::Options: numbers (double, integer, logical) of length 1 become numbers, longer
/// ones numeric vectors (keys in `vector_keys` are always vectors, e.g. "start"); a single string becomes
/// a string option. Anything else throws Error(invalid_argument) naming `fn` and the key.
hetmod::Options options_from_list(const Rcpp::List& options, const char* fn,
                                  std::initializer_list<const char*> vector_keys = {});

/// Clears the interrupt flag set by the R interrupt checker (called at the start of every guard).
void reset_interrupt() noexcept;
/// Forwards buffered core warnings to R as warning()s. May throw Rcpp::LongjumpException (warn = 2).
void flush_warnings();
/// Drops buffered core warnings without forwarding them.
void clear_warnings() noexcept;

template <class F>
auto guarded(F&& body) -> decltype(body()) {
  using Result = decltype(body());
  enum class Outcome { ok, error, interrupt } outcome = Outcome::ok;
  std::string message;
  Result out{};
  reset_interrupt();
  clear_warnings();
  try {
    out = body();
  } catch (const hetmod::Error& e) {
    outcome = e.status() == hetmod::Status::interrupted ? Outcome::interrupt : Outcome::error;
    message = e.what();
  } catch (Rcpp::internal::InterruptedException&) {
    outcome = Outcome::interrupt;
  } catch (Rcpp::LongjumpException&) {
    throw;  // an R error/long jump already on its way; Rcpp resumes it after unwinding
  } catch (const std::exception& e) {
    outcome = Outcome::error;
    message = e.what();
  } catch (...) {
    outcome = Outcome::error;
    message = "unexpected C++ exception";
  }
  if (outcome == Outcome::interrupt) {
    clear_warnings();
    reset_interrupt();
    throw Rcpp::internal::InterruptedException();
  }
  flush_warnings();
  if (outcome == Outcome::error) {
    out = Result{};
    throw Rcpp::exception(message.c_str(), false);
  }
  return out;
}

}  // namespace hetmod_r
