// hetmod/core/error.hpp -- the one exception type of the library and its status codes.
//
// Every failure that is the caller's fault (bad argument), a domain problem, or a numerical
// breakdown (non-PD matrix, singular information) is reported by throwing hetmod::Error with a
// Status. Non-convergence is NOT an error: it is recorded in hetmod::Convergence (convergence.hpp).
// The numeric values of Status are part of the C ABI (capi/include/hetmod.h) and never change.
#pragma once
#include <stdexcept>
#include <string>

namespace hetmod {

/// Status codes shared with the C API (HETMOD_OK, HETMOD_ERR_*). Explicit values; add, never change.
enum class Status : int {
  ok = 0,
  invalid_argument = -1,  ///< wrong shape, NaN, out-of-range value, unknown option
  domain = -2,            ///< argument valid in form but outside the model's domain
  numerical = -3,         ///< non-PD matrix, singular information, overflow
  interrupted = -4,       ///< user interrupt seen through the interrupt hook
  buffer_too_small = -5,  ///< caller-allocated output array too short (C API)
  not_found = -6,         ///< unknown name (option key, study, coefficient)
  unsupported = -7,       ///< valid request the library does not implement
  internal = -99          ///< a bug: an unexpected exception escaped
};

/// Human-readable name of a status ("invalid argument", ...). Never returns null.
const char* status_string(Status s) noexcept;

/// The library's exception: a std::runtime_error that also carries a Status.
class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

}  // namespace hetmod
