// capi/src/common.cpp -- version, last error, status strings, options, and the guard's helpers.
#include <stdexcept>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "guard.hpp"
#include "hetmod/core/check.hpp"
#include "hetmod/core/version.hpp"  // identical macro redefinitions: a mismatch with hetmod.h warns

static_assert(static_cast<int>(hetmod::Status::ok) == HETMOD_OK, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::invalid_argument) == HETMOD_ERR_INVALID_ARGUMENT, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::domain) == HETMOD_ERR_DOMAIN, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::numerical) == HETMOD_ERR_NUMERICAL, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::interrupted) == HETMOD_ERR_INTERRUPTED, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::buffer_too_small) == HETMOD_ERR_BUFFER_TOO_SMALL, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::not_found) == HETMOD_ERR_NOT_FOUND, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::unsupported) == HETMOD_ERR_UNSUPPORTED, "status mismatch");
static_assert(static_cast<int>(hetmod::Status::internal) == HETMOD_ERR_INTERNAL, "status mismatch");

namespace hetmod::capi {
namespace {

thread_local std::string t_last_error;

}  // namespace

void clear_error() noexcept { t_last_error.clear(); }

int set_error(int code, const char* message) noexcept {
  try {
    t_last_error.assign(message ? message : "");
  } catch (...) {
    t_last_error.clear();  // out of memory while storing the message: leave it empty
  }
  return code;
}

int handle_exception(const char* fn) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    int code = static_cast<int>(e.status());
    if (code == HETMOD_OK) code = HETMOD_ERR_INTERNAL;  // an Error must never report success
    return set_error(code, e.what());
  } catch (const std::bad_alloc&) {
    try {
      return set_error(HETMOD_ERR_INTERNAL, (std::string(fn) + ": out of memory").c_str());
    } catch (...) {
      return set_error(HETMOD_ERR_INTERNAL, "out of memory");
    }
  } catch (const std::domain_error& e) {  // Boost.Math policy: argument outside a function's domain
    try {
      return set_error(HETMOD_ERR_DOMAIN, (std::string(fn) + ": " + e.what()).c_str());
    } catch (...) {
      return set_error(HETMOD_ERR_DOMAIN, "domain error");
    }
  } catch (const std::overflow_error& e) {  // Boost.Math policy: overflow
    try {
      return set_error(HETMOD_ERR_NUMERICAL, (std::string(fn) + ": " + e.what()).c_str());
    } catch (...) {
      return set_error(HETMOD_ERR_NUMERICAL, "numerical error");
    }
  } catch (const std::exception& e) {
    try {
      return set_error(HETMOD_ERR_INTERNAL, (std::string(fn) + ": internal error: " + e.what()).c_str());
    } catch (...) {
      return set_error(HETMOD_ERR_INTERNAL, "internal error");
    }
  } catch (...) {
    try {
      return set_error(HETMOD_ERR_INTERNAL, (std::string(fn) + ": internal error: unknown exception").c_str());
    } catch (...) {
      return set_error(HETMOD_ERR_INTERNAL, "internal error");
    }
  }
}

void require_ptr(const char* fn, const char* arg, const void* p) {
  if (!p) check::fail(fn, std::string(arg) + " is NULL");
}

void require_len(const char* fn, const char* arg, int64_t len) {
  if (len < 0) check::fail(fn, std::string(arg) + " is " + std::to_string(len) + ", but must be >= 0");
}

void require_index(const char* fn, const char* arg, int64_t i, int64_t n) {
  if (i < 0 || i >= n) {
    check::fail(fn, std::string(arg) + " is " + std::to_string(i) +
                        (n > 0 ? ", but must be in 0.." + std::to_string(n - 1)
                               : ", but there are no elements to index"));
  }
}

void check_array(const char* fn, const char* arg, const void* ptr, const char* len_arg, int64_t len,
                 int64_t need) {
  require_len(fn, len_arg, len);
  if (len > 0) require_ptr(fn, arg, ptr);
  if (len < need) {
    check::fail(fn, std::string(len_arg) + " is " + std::to_string(len) + ", but " + arg + " needs " +
                        std::to_string(need) + " elements",
                Status::buffer_too_small);
  }
  if (need > 0) require_ptr(fn, arg, ptr);
}

namespace {

void write_buffer(const char* fn, const char* data, int64_t size, void* buf, int64_t buflen,
                  int64_t* needed, const char* unit) {
  require_len(fn, "buflen", buflen);
  if (buflen > 0) require_ptr(fn, "buf", buf);
  if (!buf && buflen == 0) {  // size query
    require_ptr(fn, "needed", needed);
    *needed = size;
    return;
  }
  if (needed) *needed = size;
  if (buflen < size) {
    check::fail(fn, "buflen is " + std::to_string(buflen) + ", but " + std::to_string(size) + " " +
                        unit + " are needed",
                Status::buffer_too_small);
  }
  if (size > 0) std::memcpy(buf, data, static_cast<size_t>(size));
}

}  // namespace

void write_string(const char* fn, const std::string& s, char* buf, int64_t buflen, int64_t* needed) {
  // s.c_str() includes the NUL at s.size().
  write_buffer(fn, s.c_str(), static_cast<int64_t>(s.size()) + 1, buf, buflen, needed,
               "bytes (including the terminating NUL)");
}

void write_bytes(const char* fn, const std::string& s, unsigned char* buf, int64_t buflen,
                 int64_t* needed) {
  write_buffer(fn, s.data(), static_cast<int64_t>(s.size()), buf, buflen, needed, "bytes");
}

hetmod_fit* wrap_fit(FitResult&& fit) {
  auto* h = new hetmod_fit;
  h->fit = std::move(fit);
  return h;
}

const Options& options_or_default(const hetmod_options* opt) {
  static const Options empty;
  return opt ? opt->options : empty;
}

}  // namespace hetmod::capi

using hetmod::capi::require_ptr;

// ------------------------------------------------------------------------------------------------
// Version, errors
// ------------------------------------------------------------------------------------------------

extern "C" HETMOD_API int hetmod_version(int* major, int* minor, int* patch) {
  HETMOD_GUARD_BEGIN("hetmod_version")
  require_ptr(hetmod_fn_, "major", major);
  require_ptr(hetmod_fn_, "minor", minor);
  require_ptr(hetmod_fn_, "patch", patch);
  *major = HETMOD_VERSION_MAJOR;
  *minor = HETMOD_VERSION_MINOR;
  *patch = HETMOD_VERSION_PATCH;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API const char* hetmod_version_string(void) { return HETMOD_VERSION_STRING; }

extern "C" HETMOD_API const char* hetmod_last_error(void) {
  return hetmod::capi::t_last_error.c_str();
}

extern "C" HETMOD_API const char* hetmod_status_string(int code) {
  return hetmod::status_string(static_cast<hetmod::Status>(code));
}

// ------------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------------

namespace {
void require_key(const char* fn, const char* key) {
  require_ptr(fn, "key", key);
  if (key[0] == '\0') hetmod::check::fail(fn, "key is empty");
}
}  // namespace

extern "C" HETMOD_API int hetmod_options_create(hetmod_options** out) {
  HETMOD_GUARD_BEGIN("hetmod_options_create")
  require_ptr(hetmod_fn_, "out", out);
  *out = new hetmod_options;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API void hetmod_options_free(hetmod_options* opt) { delete opt; }

extern "C" HETMOD_API int hetmod_options_set_double(hetmod_options* opt, const char* key, double value) {
  HETMOD_GUARD_BEGIN("hetmod_options_set_double")
  require_ptr(hetmod_fn_, "opt", opt);
  require_key(hetmod_fn_, key);
  opt->options.set(std::string(key), value);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_options_set_string(hetmod_options* opt, const char* key, const char* value) {
  HETMOD_GUARD_BEGIN("hetmod_options_set_string")
  require_ptr(hetmod_fn_, "opt", opt);
  require_key(hetmod_fn_, key);
  require_ptr(hetmod_fn_, "value", value);
  opt->options.set(std::string(key), std::string(value));
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_options_set_vector(hetmod_options* opt, const char* key, const double* value,
                                                    int64_t n) {
  HETMOD_GUARD_BEGIN("hetmod_options_set_vector")
  require_ptr(hetmod_fn_, "opt", opt);
  require_key(hetmod_fn_, key);
  hetmod::capi::require_len(hetmod_fn_, "n", n);
  if (n > 0) require_ptr(hetmod_fn_, "value", value);
  std::vector<double> v(value, value + n);
  opt->options.set(std::string(key), std::move(v));
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_options_unset(hetmod_options* opt, const char* key) {
  HETMOD_GUARD_BEGIN("hetmod_options_unset")
  require_ptr(hetmod_fn_, "opt", opt);
  require_key(hetmod_fn_, key);
  opt->options.erase(std::string(key));
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_options_has(const hetmod_options* opt, const char* key, int* present) {
  HETMOD_GUARD_BEGIN("hetmod_options_has")
  require_ptr(hetmod_fn_, "opt", opt);
  require_key(hetmod_fn_, key);
  require_ptr(hetmod_fn_, "present", present);
  *present = opt->options.has(std::string(key)) ? 1 : 0;
  HETMOD_GUARD_END
}
