// capi/src/fit.cpp -- accessors, serialisation and release of hetmod_fit (a wrapped hetmod::FitResult).
// Family entry points (hetmod_<family>_fit) live in their own files and return their result through
// hetmod::capi::wrap_fit (guard.hpp).
#include <string>

#include "guard.hpp"
#include "hetmod/core/check.hpp"

using hetmod::capi::check_array;
using hetmod::capi::require_ptr;
using hetmod::capi::write_string;

using hetmod::capi::copy_out;
using hetmod::capi::find_named;
using hetmod::capi::join_keys;

extern "C" HETMOD_API void hetmod_fit_free(hetmod_fit* fit) { delete fit; }

extern "C" HETMOD_API int hetmod_fit_family(const hetmod_fit* fit, char* buf, int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_family")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, fit->fit.family, buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_model(const hetmod_fit* fit, char* buf, int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_model")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, fit->fit.model, buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_ncoef(const hetmod_fit* fit, int64_t* p) {
  HETMOD_GUARD_BEGIN("hetmod_fit_ncoef")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "p", p);
  *p = static_cast<int64_t>(fit->fit.coef.size());
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_coef_name(const hetmod_fit* fit, int64_t i, char* buf, int64_t buflen,
                                               int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_coef_name")
  require_ptr(hetmod_fn_, "fit", fit);
  hetmod::capi::require_index(hetmod_fn_, "i", i, static_cast<int64_t>(fit->fit.coef_names.size()));
  write_string(hetmod_fn_, fit->fit.coef_names[static_cast<size_t>(i)], buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_coef(const hetmod_fit* fit, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_fit_coef")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "out", out);
  const auto& c = fit->fit.coef;
  copy_out(hetmod_fn_, "out", out, len, c);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_vcov(const hetmod_fit* fit, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_fit_vcov")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "out", out);
  const auto& v = fit->fit.vcov;
  if (v.empty()) hetmod::check::fail(hetmod_fn_, "this fit has no covariance matrix", hetmod::Status::not_found);
  copy_out(hetmod_fn_, "out", out, len, v);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_loglik(const hetmod_fit* fit, double* loglik) {
  HETMOD_GUARD_BEGIN("hetmod_fit_loglik")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "loglik", loglik);
  *loglik = fit->fit.loglik;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_df(const hetmod_fit* fit, int64_t* df) {
  HETMOD_GUARD_BEGIN("hetmod_fit_df")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "df", df);
  *df = fit->fit.df;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_nobs(const hetmod_fit* fit, int64_t* nobs) {
  HETMOD_GUARD_BEGIN("hetmod_fit_nobs")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "nobs", nobs);
  *nobs = fit->fit.nobs;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_convergence(const hetmod_fit* fit, int* converged, int* code, int* iterations,
                                                 double* grad_norm) {
  HETMOD_GUARD_BEGIN("hetmod_fit_convergence")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "converged", converged);
  require_ptr(hetmod_fn_, "code", code);
  require_ptr(hetmod_fn_, "iterations", iterations);
  require_ptr(hetmod_fn_, "grad_norm", grad_norm);
  const hetmod::Convergence& c = fit->fit.convergence;
  *converged = c.converged ? 1 : 0;
  *code = c.code;
  *iterations = c.iterations;
  *grad_norm = c.grad_norm;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_convergence_reason(const hetmod_fit* fit, char* buf, int64_t buflen,
                                                        int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_convergence_reason")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, fit->fit.convergence.reason, buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_optimizer(const hetmod_fit* fit, char* buf, int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_optimizer")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, fit->fit.convergence.optimizer, buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_extra(const hetmod_fit* fit, const char* name, double* out, int64_t len,
                                           int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_extra")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "name", name);
  const std::vector<double>& v = find_named(hetmod_fn_, fit->fit.extras, name, "extra");
  const auto m = static_cast<int64_t>(v.size());
  hetmod::capi::require_len(hetmod_fn_, "len", len);
  if (!out && len == 0) {  // size query
    require_ptr(hetmod_fn_, "needed", needed);
    *needed = m;
  } else {
    if (needed) *needed = m;
    copy_out(hetmod_fn_, "out", out, len, v);
  }
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_extra_names(const hetmod_fit* fit, char* buf, int64_t buflen,
                                                 int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_extra_names")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, join_keys(fit->fit.extras), buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_note(const hetmod_fit* fit, const char* name, char* buf, int64_t buflen,
                                          int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_note")
  require_ptr(hetmod_fn_, "fit", fit);
  require_ptr(hetmod_fn_, "name", name);
  write_string(hetmod_fn_, find_named(hetmod_fn_, fit->fit.notes, name, "note"), buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_note_names(const hetmod_fit* fit, char* buf, int64_t buflen,
                                                int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_note_names")
  require_ptr(hetmod_fn_, "fit", fit);
  write_string(hetmod_fn_, join_keys(fit->fit.notes), buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_serialize(const hetmod_fit* fit, unsigned char* buf, int64_t buflen,
                                               int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_fit_serialize")
  require_ptr(hetmod_fn_, "fit", fit);
  hetmod::capi::require_len(hetmod_fn_, "buflen", buflen);
  hetmod::capi::write_bytes(hetmod_fn_, hetmod::serialize(fit->fit), buf, buflen, needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_fit_deserialize(const unsigned char* buf, int64_t len, hetmod_fit** out) {
  HETMOD_GUARD_BEGIN("hetmod_fit_deserialize")
  require_ptr(hetmod_fn_, "out", out);
  hetmod::capi::require_len(hetmod_fn_, "len", len);
  require_ptr(hetmod_fn_, "buf", buf);
  std::string bytes(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  hetmod_fit* h = hetmod::capi::wrap_fit(hetmod::deserialize(bytes));
  *out = h;
  HETMOD_GUARD_END
}
