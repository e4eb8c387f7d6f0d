// hetmod/core/check.hpp -- named argument checks used at every public boundary.
//
// Each check throws hetmod::Error(Status::invalid_argument or ::domain) with a message that names
// the function, the argument, the offending index/value and the rule, e.g.
//   "apgw_fit: time[17] is -3, but must be > 0"
// Indices in messages are 0-based (the R glue rewrites nothing; R users see the C++ index).
#pragma once
#include <cstdint>
#include <string>

#include "hetmod/core/error.hpp"

namespace hetmod::check {

/// Formats a double the way messages show values ("NaN", "Inf", "-Inf", "-3", "0.25").
std::string fmt(double v);

/// Throws Error(status, fn + ": " + what).
[[noreturn]] void fail(const char* fn, const std::string& what, Status status = Status::invalid_argument);

/// Throws unless cond holds; the message is fn + ": " + what.
inline void require(bool cond, const char* fn, const std::string& what,
                    Status status = Status::invalid_argument) {
  if (!cond) fail(fn, what, status);
}

/// x must be finite.
void finite(const char* fn, const char* arg, double x);
/// x[0..n) must all be finite. x may be null only if n == 0.
void finite(const char* fn, const char* arg, const double* x, int64_t n);
/// x[0..n) must all be > 0 and finite.
void positive(const char* fn, const char* arg, const double* x, int64_t n);
/// x must be > 0 and finite.
void positive(const char* fn, const char* arg, double x);
/// x must be >= 0 and finite.
void nonnegative(const char* fn, const char* arg, double x);
/// x[0..n) must all be >= 0 and finite.
void nonnegative(const char* fn, const char* arg, const double* x, int64_t n);
/// lo <= x <= hi (finite).
void in_range(const char* fn, const char* arg, double x, double lo, double hi);
/// Integer count: n >= min_value.
void at_least(const char* fn, const char* arg, int64_t n, int64_t min_value);
/// Shapes must agree: got == expected.
void same_size(const char* fn, const char* arg, int64_t got, int64_t expected);
/// Pointer must be non-null when n > 0.
void not_null(const char* fn, const char* arg, const void* p, int64_t n = 1);

}  // namespace hetmod::check
