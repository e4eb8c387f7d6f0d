/*
 * tests/capi/sdp_checks.c -- C99 checks of the SDP clustering entry points of the C API
 * (hetmod_cluster_fit and its accessors, hetmod_cluster_predict, hetmod_cluster_metrics).
 *
 * Compiled into the single test_capi executable (tests/CMakeLists.txt globs tests/capi/ *.c), so it
 * has no main(): test_capi.c's main() calls capi_sdp_checks(), which prints
 * "sdpcluster: N passed, N failed" and returns the number of failed checks.
 *
 * Data: three well-separated deterministic 2-D clusters of 10 points each (centres (0,0), (10,0),
 * (0,10), offsets on a small fixed pattern), so every method must recover the partition exactly.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "hetmod.h"

int capi_sdp_checks(void);

static capi_counter d_cnt = {0, 0, "sdp_checks.c"};
#define D_CHECK(cond) CAPI_CHECK(d_cnt, cond)

enum { NPC = 10, K = 3, N = NPC * K, P = 2 };

static int32_t g_truth[N];
static volatile double g_zero = 0.0;

static void make_data(double* x) {
  static const double off[NPC][2] = {{0.1, 0.3},  {-0.4, 0.2}, {0.5, -0.1}, {-0.2, -0.5}, {0.3, 0.6},
                                     {-0.6, 0.1}, {0.2, -0.3}, {0.0, 0.4},  {-0.1, -0.2}, {0.4, 0.0}};
  static const double ctr[K][2] = {{0.0, 0.0}, {10.0, 0.0}, {0.0, 10.0}};
  int c, i;
  for (c = 0; c < K; ++c) {
    for (i = 0; i < NPC; ++i) {
      const int r = c * NPC + i;
      x[r] = ctr[c][0] + off[i][0] * (1.0 + 0.5 * c);
      x[N + r] = ctr[c][1] + off[i][1] * (1.0 + 0.5 * c);
      g_truth[r] = c;
    }
  }
}

static void check_method(const double* x, int method, const hetmod_options* opt) {
  hetmod_cluster* h = NULL;
  hetmod_cluster* h2 = NULL;
  int32_t lab[N], lab2[N], pred[N];
  double means[K * P], covs[K * P * P], w[K];
  double mis = 1, ari = 0, nmi = 0, ll = 0, bic = 0, pr = -1, dr = -1, gap = -1, obj = 0, sec = -1;
  int conv = -1, it = -1, meth = -1, i;
  int64_t n = 0, p = 0, k = 0, needed = 0;
  D_CHECK(hetmod_cluster_fit(x, N, P, K, method, opt, 42u, &h) == HETMOD_OK);
  if (!h) return;
  D_CHECK(hetmod_cluster_dims(h, &n, &p, &k, &meth) == HETMOD_OK && n == N && p == P && k == K && meth == method);
  D_CHECK(hetmod_cluster_labels(h, lab, N) == HETMOD_OK);
  for (i = 0; i < N; ++i) D_CHECK(lab[i] >= 0 && lab[i] < K);
  D_CHECK(hetmod_cluster_metrics(g_truth, lab, N, &mis, &ari, &nmi) == HETMOD_OK);
  D_CHECK(mis == 0.0 && capi_abs(ari - 1.0) < 1e-12 && capi_abs(nmi - 1.0) < 1e-12);
  D_CHECK(hetmod_cluster_means(h, means, K * P) == HETMOD_OK);
  D_CHECK(hetmod_cluster_covariances(h, covs, K * P * P) == HETMOD_OK && covs[0] > 0 && covs[3] > 0);
  D_CHECK(hetmod_cluster_weights(h, w, K) == HETMOD_OK && capi_abs(w[0] + w[1] + w[2] - 1.0) < 1e-9);
  /* the mean of the cluster holding point 0 is near (0, 0) */
  D_CHECK(capi_abs(means[lab[0]]) < 0.5 && capi_abs(means[K + lab[0]]) < 0.5);
  D_CHECK(hetmod_cluster_certificate(h, &conv, &it, &pr, &dr, &gap, &obj, &sec) == HETMOD_OK);
  D_CHECK(conv == 0 || conv == 1);
  D_CHECK(it >= 0 && pr >= 0 && dr >= 0 && sec >= 0);
  D_CHECK(gap >= 0 || (method == HETMOD_CLUSTER_METHOD_BM_KMEANS && gap != gap)); /* BM: no dual bound */
  D_CHECK(hetmod_cluster_certificate(h, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == HETMOD_OK);
  D_CHECK(hetmod_cluster_certificate_string(h, 0, NULL, 0, &needed) == HETMOD_OK && needed >= 1);
  D_CHECK(hetmod_cluster_loglik(h, &ll, &bic) == HETMOD_OK);
  if (method == HETMOD_CLUSTER_METHOD_EM_GMM) {
    D_CHECK(ll == ll && bic == bic && bic > -2.0 * ll); /* finite, df > 0 */
  } else {
    D_CHECK(ll != ll); /* NaN where undefined */
  }
  D_CHECK(hetmod_cluster_predict(h, x, N, P, pred, N) == HETMOD_OK);
  for (i = 0; i < N; ++i) D_CHECK(pred[i] == lab[i]);
  /* same seed, same labels */
  D_CHECK(hetmod_cluster_fit(x, N, P, K, method, opt, 42u, &h2) == HETMOD_OK);
  if (h2) {
    D_CHECK(hetmod_cluster_labels(h2, lab2, N) == HETMOD_OK && memcmp(lab, lab2, sizeof lab) == 0);
    hetmod_cluster_free(h2);
  }
  hetmod_cluster_free(h);
}

static void check_errors(const double* x) {
  hetmod_cluster* h = (hetmod_cluster*)&d_cnt; /* sentinel: must stay untouched on error */
  hetmod_cluster* const sentinel = h;
  hetmod_cluster* good = NULL;
  hetmod_options* opt = NULL;
  double bad[N * P];
  int32_t lab[N], a[3] = {0, 0, 1}, b[3] = {1, 1, 0};
  double mis = -1, ari = -1, nmi = -1, one[P] = {0, 0};
  int64_t needed = 0;
  memcpy(bad, x, sizeof bad);
  bad[5] = g_zero / g_zero; /* NaN */
  D_CHECK(hetmod_cluster_fit(x, N, P, N + 1, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(strstr(hetmod_last_error(), "k is") != NULL);
  D_CHECK(hetmod_cluster_fit(x, N, P, 0, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(bad, N, P, K, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(NULL, N, P, K, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, NULL) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(x, -1, P, K, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, 99, NULL, 1u, &h) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(h == sentinel);
  /* LA-SDP without sigma, unknown option */
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_LA_SDP, NULL, 1u, &h) != HETMOD_OK);
  D_CHECK(hetmod_options_create(&opt) == HETMOD_OK);
  D_CHECK(hetmod_options_set_double(opt, "bogus", 1.0) == HETMOD_OK);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_KMEANS, opt, 1u, &h) != HETMOD_OK);
  D_CHECK(strstr(hetmod_last_error(), "bogus") != NULL);
  D_CHECK(h == sentinel);
  hetmod_options_free(opt);
  /* accessors */
  D_CHECK(hetmod_cluster_labels(NULL, lab, N) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_KMEANS, NULL, 1u, &good) == HETMOD_OK);
  if (good) {
    D_CHECK(hetmod_cluster_labels(good, lab, N - 1) == HETMOD_ERR_BUFFER_TOO_SMALL);
    D_CHECK(hetmod_cluster_labels(good, NULL, N) == HETMOD_ERR_INVALID_ARGUMENT);
    D_CHECK(hetmod_cluster_means(good, NULL, -1) == HETMOD_ERR_INVALID_ARGUMENT);
    D_CHECK(hetmod_cluster_predict(good, one, 1, P + 1, lab, 1) == HETMOD_ERR_INVALID_ARGUMENT);
    D_CHECK(hetmod_cluster_predict(good, NULL, 1, P, lab, 1) == HETMOD_ERR_INVALID_ARGUMENT);
    D_CHECK(hetmod_cluster_predict(good, one, 1, P, lab, 0) == HETMOD_ERR_BUFFER_TOO_SMALL);
    D_CHECK(hetmod_cluster_certificate_string(good, 2, NULL, 0, &needed) == HETMOD_ERR_INVALID_ARGUMENT);
    hetmod_cluster_free(good);
  }
  hetmod_cluster_free(NULL);
  /* metrics */
  D_CHECK(hetmod_cluster_metrics(a, b, 3, &mis, &ari, &nmi) == HETMOD_OK);
  D_CHECK(mis == 0.0 && capi_abs(ari - 1.0) < 1e-12 && capi_abs(nmi - 1.0) < 1e-12);
  D_CHECK(hetmod_cluster_metrics(NULL, b, 3, &mis, &ari, &nmi) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_metrics(a, b, 0, &mis, &ari, &nmi) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_metrics(a, b, 3, NULL, NULL, NULL) == HETMOD_OK);
}

/* Scalable path options (solver, sketch), the sketch / eigenvalue accessors and the choice of K. */
static void check_scalable(const double* x) {
  hetmod_options* opt = NULL;
  hetmod_cluster* h = NULL;
  int32_t lab[N], best = -1;
  int32_t ks[4] = {1, 2, 3, 4};
  int64_t m = -1, idx[N], cnt = -1, nrow = -1;
  double ev[16], table[8 * 4], mis = 1;
  char buf[64];
  int i, sorted = 1;
  if (hetmod_options_create(&opt) != HETMOD_OK) {
    D_CHECK(0);
    return;
  }
  /* low-rank path on request */
  D_CHECK(hetmod_options_set_string(opt, "solver", "bm") == HETMOD_OK);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_SDP_KMEANS, opt, 3, &h) == HETMOD_OK);
  D_CHECK(hetmod_cluster_certificate_string(h, 0, buf, (int64_t)sizeof buf, NULL) == HETMOD_OK);
  D_CHECK(strcmp(buf, "burer-monteiro") == 0);
  D_CHECK(hetmod_cluster_labels(h, lab, N) == HETMOD_OK);
  D_CHECK(hetmod_cluster_metrics(lab, g_truth, N, &mis, NULL, NULL) == HETMOD_OK && mis == 0.0);
  D_CHECK(hetmod_cluster_eigenvalues(h, &cnt, NULL, 0) == HETMOD_OK && cnt >= K + 1);
  D_CHECK(hetmod_cluster_eigenvalues(h, &cnt, ev, 16) == HETMOD_OK);
  D_CHECK(capi_abs(ev[K - 1] - 1.0) < 1e-3 && capi_abs(ev[K]) < 1e-3);
  D_CHECK(hetmod_cluster_sketch(h, &m, NULL, 0) == HETMOD_OK && m == 0);
  hetmod_cluster_free(h);
  h = NULL;
  /* Sketch-and-Lift on 15 of the 30 rows */
  D_CHECK(hetmod_options_set_double(opt, "sketch", 15) == HETMOD_OK);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_SDP_KMEANS, opt, 3, &h) == HETMOD_OK);
  D_CHECK(hetmod_cluster_sketch(h, &m, idx, N) == HETMOD_OK && m == 15);
  for (i = 1; i < 15; ++i) sorted = sorted && idx[i - 1] < idx[i];
  D_CHECK(sorted && idx[0] >= 0 && idx[14] < N);
  D_CHECK(hetmod_cluster_sketch(h, &m, idx, 3) == HETMOD_ERR_BUFFER_TOO_SMALL);
  D_CHECK(hetmod_cluster_labels(h, lab, N) == HETMOD_OK);
  D_CHECK(hetmod_cluster_metrics(lab, g_truth, N, &mis, NULL, NULL) == HETMOD_OK && mis == 0.0);
  hetmod_cluster_free(h);
  h = NULL;
  D_CHECK(hetmod_options_set_string(opt, "solver", "interior") == HETMOD_OK);
  D_CHECK(hetmod_cluster_fit(x, N, P, K, HETMOD_CLUSTER_METHOD_SDP_KMEANS, opt, 3, &h) ==
          HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(h == NULL);
  hetmod_options_free(opt);
  /* choice of K: BIC for the mixture, eigen-gap and trace for the SDP */
  D_CHECK(hetmod_cluster_select_k(x, N, P, ks, 4, HETMOD_CLUSTER_METHOD_EM_GMM, "bic", NULL, 1, &best, &nrow,
                                  table, 32) == HETMOD_OK);
  D_CHECK(best == K && nrow == 4);
  D_CHECK(table[0] == 1.0 && table[3] == 4.0);       /* k column */
  D_CHECK(capi_abs(table[4 + 2] - table[12 + 2]) < 1e-9); /* criterion = bic */
  D_CHECK(hetmod_cluster_select_k(x, N, P, ks, 4, HETMOD_CLUSTER_METHOD_SDP_KMEANS, "eigengap", NULL, 1, &best,
                                  &nrow, table, 32) == HETMOD_OK);
  D_CHECK(best == K);
  D_CHECK(hetmod_cluster_select_k(x, N, P, ks, 4, HETMOD_CLUSTER_METHOD_SDP_KMEANS, "trace", NULL, 1, &best,
                                  NULL, NULL, 0) == HETMOD_OK);
  D_CHECK(best == K);
  D_CHECK(hetmod_cluster_select_k(x, N, P, ks, 4, HETMOD_CLUSTER_METHOD_SDP_KMEANS, "bic", NULL, 1, &best, NULL,
                                  NULL, 0) == HETMOD_ERR_INVALID_ARGUMENT);
  D_CHECK(hetmod_cluster_select_k(x, N, P, ks, 4, HETMOD_CLUSTER_METHOD_EM_GMM, "bic", NULL, 1, &best, NULL, table,
                                  8) == HETMOD_ERR_BUFFER_TOO_SMALL);
  D_CHECK(hetmod_cluster_select_k(x, N, P, NULL, 4, HETMOD_CLUSTER_METHOD_EM_GMM, "bic", NULL, 1, &best, NULL, NULL,
                                  0) == HETMOD_ERR_INVALID_ARGUMENT);
}

int capi_sdp_checks(void) {
  double x[N * P];
  double sigma[K * P * P];
  hetmod_options* opt = NULL;
  int c;
  make_data(x);
  check_method(x, HETMOD_CLUSTER_METHOD_KMEANS, NULL);
  check_method(x, HETMOD_CLUSTER_METHOD_EM_GMM, NULL);
  check_method(x, HETMOD_CLUSTER_METHOD_SDP_KMEANS, NULL);
  check_method(x, HETMOD_CLUSTER_METHOD_ILA_SDP, NULL);
  check_method(x, HETMOD_CLUSTER_METHOD_BM_KMEANS, NULL);
  for (c = 0; c < K; ++c) {
    const double s = 0.1 * (1.0 + 0.5 * c) * (1.0 + 0.5 * c);
    sigma[c * 4 + 0] = s;
    sigma[c * 4 + 1] = 0.0;
    sigma[c * 4 + 2] = 0.0;
    sigma[c * 4 + 3] = s;
  }
  if (hetmod_options_create(&opt) == HETMOD_OK) {
    D_CHECK(hetmod_options_set_vector(opt, "sigma", sigma, K * P * P) == HETMOD_OK);
    check_method(x, HETMOD_CLUSTER_METHOD_LA_SDP, opt);
    hetmod_options_free(opt);
  }
  check_errors(x);
  check_scalable(x);
  printf("sdpcluster: %d passed, %d failed\n", d_cnt.passed, d_cnt.failed);
  return d_cnt.failed;
}
