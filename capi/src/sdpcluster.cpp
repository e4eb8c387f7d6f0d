// capi/src/sdpcluster.cpp -- C entry points of the SDP clustering family (hetmod/sdpcluster/model.hpp).
//
// Thin adapter: validates pointers and lengths, builds non-owning views of the caller's arrays, calls
// the C++ facade and keeps the ClusterResult in an opaque hetmod_cluster handle. Labels cross the
// boundary as 0-based int32. All randomness comes from the seed argument (one hetmod::Rng per fit).
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "guard.hpp"
#include "hetmod/core/check.hpp"
#include "hetmod/random/rng.hpp"
#include "hetmod/sdpcluster/model.hpp"

namespace sc = hetmod::sdpcluster;
using hetmod::capi::check_array;
using hetmod::capi::require_len;
using hetmod::capi::require_ptr;

static_assert(static_cast<int>(sc::Method::kmeans) == HETMOD_CLUSTER_METHOD_KMEANS, "method code mismatch");
static_assert(static_cast<int>(sc::Method::em_gmm) == HETMOD_CLUSTER_METHOD_EM_GMM, "method code mismatch");
static_assert(static_cast<int>(sc::Method::sdp_kmeans) == HETMOD_CLUSTER_METHOD_SDP_KMEANS, "method code mismatch");
static_assert(static_cast<int>(sc::Method::la_sdp) == HETMOD_CLUSTER_METHOD_LA_SDP, "method code mismatch");
static_assert(static_cast<int>(sc::Method::ila_sdp) == HETMOD_CLUSTER_METHOD_ILA_SDP, "method code mismatch");
static_assert(static_cast<int>(sc::Method::bm_kmeans) == HETMOD_CLUSTER_METHOD_BM_KMEANS, "method code mismatch");

struct hetmod_cluster {
  sc::ClusterResult res;
};

namespace {

const sc::ClusterResult& result(const char* fn, const hetmod_cluster* h) {
  require_ptr(fn, "h", h);
  return h->res;
}

std::vector<int> to_labels(const int32_t* a, int64_t n) {
  std::vector<int> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = static_cast<int>(a[i]);
  return out;
}

}  // namespace

extern "C" HETMOD_API int hetmod_cluster_fit(const double* x, int64_t n, int64_t p, int64_t k, int method,
                                             const hetmod_options* opt, uint64_t seed, hetmod_cluster** out) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_fit")
  require_ptr(hetmod_fn_, "out", out);
  require_len(hetmod_fn_, "n", n);
  require_len(hetmod_fn_, "p", p);
  hetmod::check::require(n >= 1 && p >= 1, hetmod_fn_,
                         "x must have at least one row and one column (n = " + std::to_string(n) +
                             ", p = " + std::to_string(p) + ")");
  require_ptr(hetmod_fn_, "x", x);
  hetmod::check::require(k >= 1 && k <= n, hetmod_fn_,
                         "k is " + std::to_string(k) + ", but must be in 1..n (n = " + std::to_string(n) + ")");
  if (method < HETMOD_CLUSTER_METHOD_KMEANS || method > HETMOD_CLUSTER_METHOD_BM_KMEANS) {
    hetmod::check::fail(hetmod_fn_, "method is " + std::to_string(method) +
                                        ", but must be one of HETMOD_CLUSTER_METHOD_* (0.." +
                                        std::to_string(HETMOD_CLUSTER_METHOD_BM_KMEANS) + ")");
  }
  hetmod::Rng rng(seed);
  auto h = std::make_unique<hetmod_cluster>();
  h->res = sc::fit(hetmod::data::MatView(x, n, p), static_cast<int>(k), static_cast<sc::Method>(method),
                   hetmod::capi::options_or_default(opt), rng);
  *out = h.release();
  HETMOD_GUARD_END
}

extern "C" HETMOD_API void hetmod_cluster_free(hetmod_cluster* h) { delete h; }

extern "C" HETMOD_API int hetmod_cluster_dims(const hetmod_cluster* h, int64_t* n, int64_t* p, int64_t* k,
                                              int* method) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_dims")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  if (n) *n = r.n;
  if (p) *p = r.p;
  if (k) *k = r.k;
  if (method) *method = static_cast<int>(r.method);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_labels(const hetmod_cluster* h, int32_t* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_labels")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  hetmod::capi::copy_out(hetmod_fn_, "out", out, len, r.labels);
  HETMOD_GUARD_END
}

namespace {
void copy_doubles(const char* fn, const std::vector<double>& v, double* out, int64_t len) {
  hetmod::capi::copy_out(fn, "out", out, len, v);
}
}  // namespace

extern "C" HETMOD_API int hetmod_cluster_means(const hetmod_cluster* h, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_means")
  copy_doubles(hetmod_fn_, result(hetmod_fn_, h).means, out, len);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_covariances(const hetmod_cluster* h, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_covariances")
  copy_doubles(hetmod_fn_, result(hetmod_fn_, h).covariances, out, len);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_weights(const hetmod_cluster* h, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_weights")
  copy_doubles(hetmod_fn_, result(hetmod_fn_, h).weights, out, len);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_certificate(const hetmod_cluster* h, int* converged, int* iterations,
                                                     double* primal_res, double* dual_res, double* gap,
                                                     double* objective, double* seconds) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_certificate")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  const sc::Certificate& c = r.certificate;
  const bool sdp = !c.solver.empty();
  if (converged) *converged = (sdp ? c.converged : r.converged) ? 1 : 0;
  if (iterations) *iterations = sdp ? c.iterations : r.iterations;
  if (primal_res) *primal_res = c.primal_residual;
  if (dual_res) *dual_res = c.dual_residual;
  if (gap) *gap = c.gap;
  if (objective) *objective = sdp ? c.primal_objective : r.objective;
  if (seconds) *seconds = c.seconds;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_certificate_string(const hetmod_cluster* h, int which, char* buf,
                                                            int64_t buflen, int64_t* needed) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_certificate_string")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  hetmod::check::require(which == 0 || which == 1, hetmod_fn_,
                         "which is " + std::to_string(which) + ", but must be 0 (solver) or 1 (reason)");
  hetmod::capi::write_string(hetmod_fn_, which == 0 ? r.certificate.solver : r.certificate.reason, buf, buflen,
                             needed);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_loglik(const hetmod_cluster* h, double* loglik, double* bic) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_loglik")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  if (loglik) *loglik = r.loglik;
  if (bic) *bic = r.bic;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_predict(const hetmod_cluster* h, const double* newx, int64_t m, int64_t p,
                                                 int32_t* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_predict")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  require_len(hetmod_fn_, "m", m);
  require_len(hetmod_fn_, "p", p);
  if (m > 0) require_ptr(hetmod_fn_, "newx", newx);
  check_array(hetmod_fn_, "out", out, "len", len, m);
  hetmod::check::require(p == r.p, hetmod_fn_,
                         "p is " + std::to_string(p) + ", but the fit has p = " + std::to_string(r.p));
  if (m == 0) return HETMOD_OK;
  const std::vector<int> lab = sc::predict(r, hetmod::data::MatView(newx, m, p));
  for (int64_t i = 0; i < m; ++i) out[i] = static_cast<int32_t>(lab[static_cast<size_t>(i)]);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_metrics(const int32_t* a, const int32_t* b, int64_t n, double* misclustering,
                                                 double* ari, double* nmi) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_metrics")
  require_len(hetmod_fn_, "n", n);
  hetmod::check::require(n >= 1, hetmod_fn_, "n must be >= 1");
  require_ptr(hetmod_fn_, "a", a);
  require_ptr(hetmod_fn_, "b", b);
  const std::vector<int> va = to_labels(a, n), vb = to_labels(b, n);
  const double mis = sc::misclustering_rate(va, vb);
  const double r = sc::adjusted_rand_index(va, vb);
  const double mi = sc::normalized_mutual_info(va, vb);
  if (misclustering) *misclustering = mis;
  if (ari) *ari = r;
  if (nmi) *nmi = mi;
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_sketch(const hetmod_cluster* h, int64_t* m, int64_t* index, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_sketch")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  if (m) *m = r.sketch_size;
  if (index) {
    hetmod::capi::copy_out(hetmod_fn_, "index", index, len, r.sketch_index);
  }
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_eigenvalues(const hetmod_cluster* h, int64_t* count, double* out, int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_eigenvalues")
  const sc::ClusterResult& r = result(hetmod_fn_, h);
  if (count) *count = static_cast<int64_t>(r.sdp_eigenvalues.size());
  if (out) copy_doubles(hetmod_fn_, r.sdp_eigenvalues, out, len);
  HETMOD_GUARD_END
}

extern "C" HETMOD_API int hetmod_cluster_select_k(const double* x, int64_t n, int64_t p, const int32_t* ks, int64_t nk,
                                                  int method, const char* criterion, const hetmod_options* opt,
                                                  uint64_t seed, int32_t* best_k, int64_t* nrow, double* table,
                                                  int64_t len) {
  HETMOD_GUARD_BEGIN("hetmod_cluster_select_k")
  require_len(hetmod_fn_, "n", n);
  require_len(hetmod_fn_, "p", p);
  require_len(hetmod_fn_, "nk", nk);
  hetmod::check::require(n >= 1 && p >= 1, hetmod_fn_,
                         "x must have at least one row and one column (n = " + std::to_string(n) +
                             ", p = " + std::to_string(p) + ")");
  hetmod::check::require(nk >= 1, hetmod_fn_, "nk must be >= 1");
  require_ptr(hetmod_fn_, "x", x);
  require_ptr(hetmod_fn_, "ks", ks);
  require_ptr(hetmod_fn_, "criterion", criterion);
  if (method < HETMOD_CLUSTER_METHOD_KMEANS || method > HETMOD_CLUSTER_METHOD_BM_KMEANS) {
    hetmod::check::fail(hetmod_fn_, "method is " + std::to_string(method) +
                                        ", but must be one of HETMOD_CLUSTER_METHOD_* (0.." +
                                        std::to_string(HETMOD_CLUSTER_METHOD_BM_KMEANS) + ")");
  }
  if (table) check_array(hetmod_fn_, "table", table, "len", len, HETMOD_CLUSTER_SELECT_NCOL * nk);
  std::vector<int> kv(static_cast<size_t>(nk));
  for (int64_t i = 0; i < nk; ++i) kv[static_cast<size_t>(i)] = static_cast<int>(ks[i]);
  hetmod::Rng rng(seed);
  const sc::SelectKResult s = sc::select_k(hetmod::data::MatView(x, n, p), kv, static_cast<sc::Method>(method),
                                           criterion, hetmod::capi::options_or_default(opt), rng);
  const auto rows = static_cast<int64_t>(s.rows.size());
  if (best_k) *best_k = static_cast<int32_t>(s.best_k);
  if (nrow) *nrow = rows;
  if (table) {
    for (int64_t i = 0; i < HETMOD_CLUSTER_SELECT_NCOL * nk; ++i) table[i] = std::numeric_limits<double>::quiet_NaN();
    for (int64_t i = 0; i < rows; ++i) {
      const sc::SelectKRow& r = s.rows[static_cast<size_t>(i)];
      const double col[HETMOD_CLUSTER_SELECT_NCOL] = {static_cast<double>(r.k), r.criterion, r.loglik, r.bic, r.icl,
                                                      static_cast<double>(r.df), r.objective, r.eigengap};
      for (int j = 0; j < HETMOD_CLUSTER_SELECT_NCOL; ++j) table[j * rows + i] = col[j];
    }
  }
  HETMOD_GUARD_END
}
