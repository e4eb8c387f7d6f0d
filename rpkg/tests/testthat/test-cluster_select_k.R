# Choice of K for the SDP: trace penalty (adaptive SDP noise level) and eigen-gap; methods; bad input.
# BIC / ICL against mclust: test-cluster_sdp.R.

sk_iso <- function(n, k, p, sep = 6, seed = 1) {
  set.seed(seed)
  truth <- rep(seq_len(k), length.out = n)
  mu <- matrix(0, k, p)
  for (j in seq_len(k)) mu[j, j] <- sep
  list(x = mu[truth, ] + matrix(rnorm(n * p), n, p), truth = truth)
}

test_that("cluster_select_k: trace and eigen-gap pick the true K on well-separated designs", {
  for (kk in c(2L, 4L)) {
    d <- sk_iso(15 * kk, kk, p = kk + 2, seed = kk)
    for (crit in c("trace", "eigengap")) {
      s <- cluster_select_k(d$x, k = 1:(kk + 1), method = "sdp-kmeans", criterion = crit, seed = 1)
      expect_identical(attr(s, "best_k"), kk, info = paste(kk, crit))
    }
    # the penalty is the documented noise level at the selected k, recomputed from the partition
    fit <- cluster_sdp(d$x, kk, method = "sdp-kmeans", seed = 3)
    expect_identical(cluster_metrics(fit$labels, d$truth)[["misclustering"]], 0)
    r <- d$x - apply(d$x, 2, function(v) ave(v, fit$labels))
    S <- crossprod(r) / (nrow(d$x) - kk)
    e <- eigen(S, symmetric = TRUE, only.values = TRUE)$values
    s <- cluster_select_k(d$x, k = 1:(kk + 1), method = "sdp-kmeans", seed = 1)
    expect_equal(attr(s, "penalty"), (sqrt(nrow(d$x) * e[1]) + sqrt(sum(e)))^2, tolerance = 1e-10)
    expect_equal(s$criterion, s$objective + attr(s, "penalty") * s$k, tolerance = 1e-12)
  }
})

test_that("cluster_select_k: penalty options, print / summary / plot", {
  d <- sk_iso(45, 3, p = 5, seed = 9)
  s <- cluster_select_k(d$x, k = c(1, 4), method = "sdp-kmeans", penalty = 1e12, seed = 1)
  expect_identical(attr(s, "best_k"), 1L)
  expect_identical(attr(s, "penalty"), 1e12)
  s2 <- cluster_select_k(d$x, k = 1:4, method = "sdp-kmeans", penalty_scale = 2, seed = 1)
  s1 <- cluster_select_k(d$x, k = 1:4, method = "sdp-kmeans", seed = 1)
  expect_identical(attr(s1, "best_k"), 3L)
  expect_equal(attr(s2, "penalty"), 2 * attr(s1, "penalty"), tolerance = 1e-12)
  expect_output(print(s1), "Selected k = 3")
  expect_output(print(s1), "lambda = ")
  sm <- summary(s1)
  expect_s3_class(sm, "summary.cluster_select_k")
  expect_identical(sm$best_k, 3L)
  expect_gt(sm$margin, 0)
  expect_equal(sm$margin, min(s1$criterion[-3]) - s1$criterion[3])
  expect_output(print(sm), "Selected k = 3 \\(margin")
  g <- cluster_select_k(d$x, k = 1:4, method = "sdp-kmeans", criterion = "eigengap", gap_threshold = 0.9, seed = 1)
  expect_identical(attr(g, "best_k"), 3L)
  expect_identical(attr(g, "gap_threshold"), 0.9)
  expect_true(is.na(attr(g, "penalty")))
  expect_output(print(summary(g)), "eigen-gap >= 0.9")
  expect_gt(summary(g)$margin, 0)
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(s1))
  expect_invisible(plot(g))
})

test_that("cluster_select_k: bad input gives clear errors", {
  d <- sk_iso(30, 2, p = 3, seed = 2)
  expect_error(cluster_select_k(d$x, k = 1:31, method = "sdp-kmeans"), "between 1 and nrow\\(x\\) = 30")
  expect_error(cluster_select_k(d$x, k = 0:2, method = "sdp-kmeans"), "whole numbers")
  expect_error(cluster_select_k(d$x, k = 1.5, method = "sdp-kmeans"), "whole numbers")
  expect_error(cluster_select_k(d$x, k = integer(0), method = "sdp-kmeans"), "whole numbers")
  x <- d$x
  x[3, 2] <- NA
  expect_error(cluster_select_k(x, k = 1:2, method = "sdp-kmeans", seed = 1), "finite|missing|NA")
  x[3, 2] <- Inf
  expect_error(cluster_select_k(x, k = 1:2, method = "sdp-kmeans", seed = 1), "finite")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "sdp-kmeans", penalty = -1, seed = 1), "penalty")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "sdp-kmeans", penalty_scale = 0, seed = 1), "penalty_scale")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "sdp-kmeans", criterion = "eigengap", gap_threshold = 1,
                                seed = 1), "gap_threshold")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "sdp-kmeans", criterion = "eigengap", penalty = 3,
                                seed = 1), "only to criterion 'trace'")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "gmm", criterion = "trace", seed = 1), "SDP method")
})
