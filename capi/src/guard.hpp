// capi/src/guard.hpp -- the one guard around every C entry point, plus shared helpers of the C API.
//
// Every status-returning entry point has the shape
//
//   int hetmod_x(...) {
//     HETMOD_GUARD_BEGIN("hetmod_x")
//       ... body: throw hetmod::Error on failure, write outputs last ...
//     HETMOD_GUARD_END
//   }
//
// HETMOD_GUARD_BEGIN clears the thread-local last error; HETMOD_GUARD_END returns HETMOD_OK after
// the body, or converts any exception into a status code and a message: hetmod::Error keeps its
// status and message, std::bad_alloc and every other exception become HETMOD_ERR_INTERNAL. No
// exception ever crosses the C boundary. Bodies must write caller outputs only once everything that
// can fail has been done, so *out is untouched on error.
//
// Inside the body, `hetmod_fn_` is the entry point's name, for messages. A family entry point
// (declared in hetmod.h, defined in capi/src/<family>.cpp) follows this pattern:
//
//   extern "C" HETMOD_API int hetmod_surv_fit(const double* time, ..., const hetmod_options* opt,
//                                             hetmod_fit** out) {
//     HETMOD_GUARD_BEGIN("hetmod_surv_fit")
//     hetmod::capi::require_ptr(hetmod_fn_, "out", out);
//     hetmod::capi::require_ptr(hetmod_fn_, "time", time);  // ... every pointer and length
//     hetmod::Rng rng(...);
//     hetmod::FitResult res = hetmod::survival::fit(view, hetmod::capi::options_or_default(opt), rng);
//     *out = hetmod::capi::wrap_fit(std::move(res));  // last statement: nothing can fail after it
//     HETMOD_GUARD_END
//   }
#pragma once
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "hetmod.h"
#include "hetmod/core/check.hpp"
#include "hetmod/core/error.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/core/result.hpp"
#include "hetmod/sim/harness.hpp"

// The handle types behind the opaque C typedefs.
struct hetmod_options {
  hetmod::Options options;
};
struct hetmod_fit {
  hetmod::FitResult fit;
};
struct hetmod_study_result {
  hetmod::sim::StudyResult result;
};

namespace hetmod::capi {

/// Clears the calling thread's last error message.
void clear_error() noexcept;
/// Sets the calling thread's last error message and returns `code` (never throws).
int set_error(int code, const char* message) noexcept;
/// Converts the exception currently being handled into a status + message (never throws).
int handle_exception(const char* fn) noexcept;

/// Throws Error(invalid_argument, "fn: arg is NULL") when p is null.
void require_ptr(const char* fn, const char* arg, const void* p);
/// Throws Error(invalid_argument) when len < 0.
void require_len(const char* fn, const char* arg, int64_t len);
/// Checks an index 0 <= i < n (invalid argument with a clear message otherwise).
void require_index(const char* fn, const char* arg, int64_t i, int64_t n);

/// Checks a caller array (ptr, len) that must hold `need` elements: len >= 0, ptr non-null when
/// len > 0, len >= need (buffer_too_small otherwise). Does not write anything.
void check_array(const char* fn, const char* arg, const void* ptr, const char* len_arg, int64_t len,
                 int64_t need);

/// The string-buffer convention (hetmod.h): validates (buf, buflen, needed), sets *needed to
/// s.size() + 1 when the query is valid, and copies s + NUL into buf when it fits. Throws
/// Error(buffer_too_small) (after setting *needed) when buflen is too short.
void write_string(const char* fn, const std::string& s, char* buf, int64_t buflen, int64_t* needed);
/// The same for binary blobs (no terminating NUL).
void write_bytes(const char* fn, const std::string& s, unsigned char* buf, int64_t buflen,
                 int64_t* needed);

/// Wraps a FitResult into a new heap handle (the way every hetmod_<family>_fit returns its result).
/// Callers: `hetmod_fit* h = wrap_fit(std::move(res)); *out = h;` as the last statement of the body.
hetmod_fit* wrap_fit(FitResult&& fit);

/// Options of a possibly-null handle (null = defaults).
const Options& options_or_default(const hetmod_options* opt);


/// check_array for `v.size()` elements, then copies v into out (element type converted).
template <class T, class U>
void copy_out(const char* fn, const char* arg, T* out, int64_t len, const std::vector<U>& v) {
  check_array(fn, arg, out, "len", len, static_cast<int64_t>(v.size()));
  for (size_t j = 0; j < v.size(); ++j) out[j] = static_cast<T>(v[j]);
}

/// The entry of a named map (a fit's extras or notes); Error(not_found) naming `kind` otherwise.
template <class Map>
const typename Map::mapped_type& find_named(const char* fn, const Map& m, const char* name, const char* kind) {
  auto it = m.find(name);
  if (it == m.end()) {
    check::fail(fn, std::string("this fit has no ") + kind + " named '" + name + "'", Status::not_found);
  }
  return it->second;
}

/// The keys of a named map, one per line.
template <class Map>
std::string join_keys(const Map& m) {
  std::string out;
  for (const auto& kv : m) {
    if (!out.empty()) out += '\n';
    out += kv.first;
  }
  return out;
}

}  // namespace hetmod::capi

#define HETMOD_GUARD_BEGIN(fn_name)                 \
  static constexpr const char* hetmod_fn_ = fn_name; \
  ::hetmod::capi::clear_error();                     \
  try {
#define HETMOD_GUARD_END                                \
  return HETMOD_OK;                                     \
  }                                                     \
  catch (...) {                                         \
    return ::hetmod::capi::handle_exception(hetmod_fn_); \
  }
