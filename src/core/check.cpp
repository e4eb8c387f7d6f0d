#include "hetmod/core/check.hpp"

#include <cmath>
#include <cstdio>

namespace hetmod::check {

std::string fmt(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

void fail(const char* fn, const std::string& what, Status status) {
  throw Error(status, std::string(fn) + ": " + what);
}

namespace {
std::string at(const char* arg, int64_t i) { return std::string(arg) + "[" + std::to_string(i) + "]"; }
}  // namespace

void finite(const char* fn, const char* arg, double x) {
  if (!std::isfinite(x)) fail(fn, std::string(arg) + " is " + fmt(x) + ", but must be finite");
}

void finite(const char* fn, const char* arg, const double* x, int64_t n) {
  not_null(fn, arg, x, n);
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) fail(fn, at(arg, i) + " is " + fmt(x[i]) + ", but must be finite");
}

void positive(const char* fn, const char* arg, const double* x, int64_t n) {
  not_null(fn, arg, x, n);
  for (int64_t i = 0; i < n; ++i)
    if (!(std::isfinite(x[i]) && x[i] > 0)) fail(fn, at(arg, i) + " is " + fmt(x[i]) + ", but must be > 0");
}

void positive(const char* fn, const char* arg, double x) {
  if (!(std::isfinite(x) && x > 0)) fail(fn, std::string(arg) + " is " + fmt(x) + ", but must be > 0");
}

void nonnegative(const char* fn, const char* arg, double x) {
  if (!(std::isfinite(x) && x >= 0)) fail(fn, std::string(arg) + " is " + fmt(x) + ", but must be >= 0");
}

void nonnegative(const char* fn, const char* arg, const double* x, int64_t n) {
  not_null(fn, arg, x, n);
  for (int64_t i = 0; i < n; ++i)
    if (!(std::isfinite(x[i]) && x[i] >= 0)) fail(fn, at(arg, i) + " is " + fmt(x[i]) + ", but must be >= 0");
}

void in_range(const char* fn, const char* arg, double x, double lo, double hi) {
  if (!(std::isfinite(x) && x >= lo && x <= hi))
    fail(fn, std::string(arg) + " is " + fmt(x) + ", but must be in [" + fmt(lo) + ", " + fmt(hi) + "]");
}

void at_least(const char* fn, const char* arg, int64_t n, int64_t min_value) {
  if (n < min_value)
    fail(fn, std::string(arg) + " is " + std::to_string(n) + ", but must be >= " + std::to_string(min_value));
}

void same_size(const char* fn, const char* arg, int64_t got, int64_t expected) {
  if (got != expected)
    fail(fn, std::string(arg) + " has length " + std::to_string(got) + ", but must have length " +
                 std::to_string(expected));
}

void not_null(const char* fn, const char* arg, const void* p, int64_t n) {
  if (n > 0 && p == nullptr) fail(fn, std::string(arg) + " is NULL");
}

}  // namespace hetmod::check
