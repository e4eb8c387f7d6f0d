# SDP clustering family: cluster_sdp(), cluster_metrics() and the S3 methods.
# Kept fast: the SDP methods run on a 50-point subsample of iris (every third row) with few sweeps.

iris_sub <- function() {
  ii <- seq(1, 150, by = 3)
  list(x = iris[ii, 1:4], species = iris$Species[ii])
}

sim_three <- function() {
  set.seed(11)
  mk <- function(n, mu, S) sweep(matrix(stats::rnorm(n * 2), n) %*% chol(S), 2, mu, "+")
  x <- rbind(mk(60, c(0, 0), matrix(c(1, .5, .5, 1), 2)), mk(60, c(8, 0), matrix(c(2, -.8, -.8, 1), 2)),
             mk(60, c(0, 8), matrix(c(.5, 0, 0, 3), 2)))
  colnames(x) <- c("a", "b")
  list(x = x, truth = rep(1:3, each = 60))
}

test_that("every method runs on iris with 1-based labels and a reasonable error", {
  d <- iris_sub()
  opts <- list(
    "kmeans" = list(),
    "gmm" = list(),
    "sdp-kmeans" = list(tol = 1e-5),
    "bm-kmeans" = list(),
    "ila-sdp" = list(tol = 1e-5, sweeps = 2),
    "la-sdp" = list(tol = 1e-5, sigma = lapply(split(d$x, d$species), stats::cov))
  )
  bound <- c("kmeans" = 0.2, "gmm" = 0.2, "sdp-kmeans" = 0.2, "bm-kmeans" = 0.2, "ila-sdp" = 0.2, "la-sdp" = 0.1)
  for (m in names(opts)) {
    # The low-rank path can stop at its iteration limit on this non-tight subset (a documented
    # limitation): it must then say so, with a classed warning and an unconverged certificate.
    warned <- FALSE
    f <- withCallingHandlers(
      do.call(cluster_sdp, c(list(d$x, 3, method = m, seed = 7), opts[[m]])),
      hetmod_convergence_warning = function(w) {
        if (m == "bm-kmeans") {
          warned <<- TRUE
          invokeRestart("muffleWarning")
        }
      })
    if (warned) {
      expect_false(f$certificate$converged)
      expect_match(f$certificate$reason, "limit")
    }
    expect_s3_class(f, "cluster_sdp")
    expect_type(f$labels, "integer")
    expect_length(f$labels, 50)
    expect_setequal(unique(f$labels), 1:3)
    expect_equal(dim(f$means), c(3L, 4L))
    expect_identical(colnames(f$means), names(iris)[1:4])
    expect_equal(dim(f$covariances), c(4L, 4L, 3L))
    expect_equal(sum(f$weights), 1, tolerance = 1e-8)
    expect_true(all(c("solver", "iterations", "primal_residual", "dual_residual", "gap", "objective",
                      "seconds", "converged", "reason") %in% names(f$certificate)))
    met <- cluster_metrics(f$labels, d$species)
    expect_named(met, c("misclustering", "ari", "nmi"))
    expect_lt(met[["misclustering"]], bound[[m]])
    if (m == "gmm") expect_false(is.na(f$loglik)) else expect_true(is.na(f$loglik))
  }
})

test_that("a fixed seed reproduces the fit exactly", {
  d <- iris_sub()
  a <- cluster_sdp(d$x, 3, "kmeans", seed = 123, n_init = 2)
  b <- cluster_sdp(d$x, 3, "kmeans", seed = 123, n_init = 2)
  expect_identical(a$labels, b$labels)
  expect_identical(a$means, b$means)
  a <- cluster_sdp(d$x, 3, "ila-sdp", seed = 5, tol = 1e-5, sweeps = 2)
  b <- cluster_sdp(d$x, 3, "ila-sdp", seed = 5, tol = 1e-5, sweeps = 2)
  expect_identical(a$labels, b$labels)
  expect_identical(a$covariances, b$covariances)
  # the seed is recorded, also when drawn from R's RNG
  set.seed(1)
  c1 <- cluster_sdp(d$x, 3, "kmeans")
  expect_identical(cluster_sdp(d$x, 3, "kmeans", seed = c1$seed)$labels, c1$labels)
})

test_that("cluster_metrics: ARI equals mclust::adjustedRandIndex, permutation invariance", {
  d <- iris_sub()
  f <- cluster_sdp(d$x, 3, "kmeans", seed = 2)
  m <- cluster_metrics(f$labels, d$species)
  skip_if_not_installed("mclust")
  expect_equal(m[["ari"]], mclust::adjustedRandIndex(f$labels, d$species), tolerance = 1e-12)
  set.seed(3)
  a <- sample(1:4, 40, TRUE)
  b <- sample(c("u", "v", "w"), 40, TRUE)
  expect_equal(cluster_metrics(a, b)[["ari"]], mclust::adjustedRandIndex(a, b), tolerance = 1e-12)
  expect_equal(cluster_metrics(c(1, 1, 2, 2), c(2, 2, 1, 1)), c(misclustering = 0, ari = 1, nmi = 1))
  expect_error(cluster_metrics(1:3, 1:4), "same length")
  expect_error(cluster_metrics(c(1, NA), 1:2), "NA")
})

test_that("gmm log-likelihood agrees with mclust for the same covariance model", {
  skip_if_not_installed("mclust")
  # Mclust() calls mclustBIC() unqualified, so mclust must be attached
  if (!"package:mclust" %in% search()) {
    suppressPackageStartupMessages(library(mclust))
    on.exit(detach("package:mclust"), add = TRUE)
  }
  s <- sim_three()
  models <- c(full = "VVV", diagonal = "VVI", spherical = "VII", tied = "EEE")
  for (ct in names(models)) {
    f <- cluster_sdp(s$x, 3, "gmm", cov_type = ct, ridge = 0, em_tol = 1e-12, seed = 3)
    m <- mclust::Mclust(s$x, G = 3, modelNames = models[[ct]], verbose = FALSE,
                        control = mclust::emControl(tol = c(1e-12, 1e-12)))
    expect_equal(mclust::adjustedRandIndex(f$labels, m$classification), 1)
    expect_lt(abs(f$loglik - m$loglik), 1e-4)
    expect_equal(f$df, m$df)
    expect_lt(abs(f$bic - (-m$bic)), 1e-4)  # mclust reports BIC as 2 loglik - df log n
    ll <- logLik(f)
    expect_equal(attr(ll, "df"), f$df)
    expect_equal(BIC(f), f$bic, tolerance = 1e-8)
  }
})

test_that("predict returns the fitted labels on the training data and assigns new points", {
  d <- iris_sub()
  f <- cluster_sdp(d$x, 3, "kmeans", seed = 4)
  expect_identical(predict(f, d$x), f$labels)
  expect_identical(predict(f), f$labels)
  expect_identical(fitted(f), f$labels)
  expect_identical(predict(f, as.matrix(d$x)), f$labels)
  expect_identical(predict(f, d$x[, 4:1]), f$labels)  # columns matched by name
  s <- sim_three()
  g <- cluster_sdp(s$x, 3, "gmm", seed = 1)
  expect_identical(predict(g, s$x), g$labels)
  expect_identical(predict(g, g$means["2", , drop = FALSE]), 2L)
  expect_error(predict(f, d$x[, 1:3]), "4 columns")
})

test_that("bad input gives clear errors", {
  d <- iris_sub()
  expect_error(cluster_sdp(d$x[1:2, ], 3, "kmeans"), "`k`")
  expect_error(cluster_sdp(d$x, 0, "kmeans"), "`k`")
  expect_error(cluster_sdp(d$x, 1.5, "kmeans"), "`k`")
  x <- d$x
  x[3, 2] <- NA
  expect_error(cluster_sdp(x, 3, "kmeans"), "missing values")
  expect_error(cluster_sdp(iris, 3, "kmeans"), "non-numeric: Species")
  expect_error(cluster_sdp(matrix(letters[1:6], 3), 2, "kmeans"), "numeric")
  expect_error(cluster_sdp(d$x, 3, "kmeans", bogus = 1), "bogus")
  expect_error(cluster_sdp(d$x, 3, "kmeans", 10), "named")
  expect_error(cluster_sdp(d$x, 3, "la-sdp"), "sigma")
  expect_error(cluster_sdp(d$x, 3, "la-sdp", sigma = list(diag(4))), "sigma")
  expect_error(cluster_sdp(d$x, 3, "gmm", cov_type = "weird"), "weird")
  expect_error(cluster_sdp(d$x, 3, "nope"))
  expect_error(cluster_sdp(d$x, 3, "kmeans", seed = -1), "seed")
})

test_that("a non-converged solver warns with the reason", {
  d <- iris_sub()
  expect_warning(f <- cluster_sdp(d$x, 3, "sdp-kmeans", seed = 1, sdp_max_iter = 3), "iteration limit")
  expect_false(f$certificate$converged)
})

test_that("S3 methods and saveRDS round trip", {
  d <- iris_sub()
  f <- cluster_sdp(d$x, 3, "gmm", seed = 9)
  expect_output(print(f), "method \"gmm\"")
  expect_output(print(summary(f)), "Solver certificate")
  expect_s3_class(logLik(f), "logLik")
  expect_equal(nobs(f), 50L)
  k <- cluster_sdp(d$x, 3, "kmeans", seed = 9)
  expect_error(logLik(k), "not defined")
  expect_output(print(k), "lloyd")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(f))
  expect_invisible(plot(f, which = c(1, 3)))
  expect_invisible(plot(f, which = 2))
  tmp <- tempfile(fileext = ".rds")
  on.exit(unlink(tmp), add = TRUE)
  saveRDS(f, tmp)
  g <- readRDS(tmp)
  expect_identical(predict(g, d$x), predict(f, d$x))
  expect_identical(unclass(g)[names(g) != "call"], unclass(f)[names(f) != "call"])
  expect_equal(logLik(g), logLik(f))
})

# ---- scalable path, Sketch-and-Lift, choice of K ------------------------------------------------------
iso_data <- function(n, k = 3, p = 6, sep = 6, seed = 1) {
  set.seed(seed)
  truth <- rep(seq_len(k), length.out = n)
  mu <- matrix(0, k, p)
  for (j in seq_len(k)) mu[j, j] <- sep
  list(x = mu[truth, ] + matrix(rnorm(n * p), n, p), truth = truth)
}

test_that("solver = 'bm' gives the exact path's partition with a low-rank certificate", {
  d <- iso_data(90)
  a <- cluster_sdp(d$x, 3, "sdp-kmeans", solver = "admm", seed = 2)
  b <- cluster_sdp(d$x, 3, "sdp-kmeans", solver = "bm", seed = 2)
  expect_identical(b$certificate$solver, "burer-monteiro")
  expect_true(b$certificate$converged)
  expect_lte(b$certificate$primal_residual, 1e-6)
  expect_equal(cluster_metrics(a$labels, b$labels)[["misclustering"]], 0)
  expect_equal(b$objective, a$objective, tolerance = 1e-4)
  # the low-rank certificate reaches R: a weak-duality lower bound on the exact optimum, escape count, dual slack
  expect_lte(b$certificate$dual_objective, a$objective + 1e-8 * abs(a$objective))
  expect_true(is.numeric(b$certificate$escapes) && b$certificate$escapes >= 0)
  expect_true(is.finite(b$certificate$dual_min_eig))
  expect_null(a$certificate$escapes)
  expect_equal(b$eigenvalues[1:3], rep(1, 3), tolerance = 1e-3)
  expect_output(print(b), "KKT residual")
  # old calls keep working (method positional, options in ...)
  expect_identical(cluster_sdp(d$x, 3, "bm-kmeans", seed = 2)$certificate$solver, "burer-monteiro")
  r <- cluster_sdp(d$x, 3, "sdp-kmeans", solver = "admm", exact_max = 50, seed = 2)
  expect_identical(r$certificate$solver, "burer-monteiro")
  expect_match(r$messages, "exact_max")
  expect_error(cluster_sdp(d$x, 3, "sdp-kmeans", exact_max = 50, large_n = "refuse", seed = 2), "refuse")
  expect_error(cluster_sdp(d$x, 3, "sdp-kmeans", solver = "cvx"), "should be one of")
  l <- cluster_sdp(d$x, 3, "ila-sdp", solver = "bm", seed = 2)
  expect_identical(l$certificate$solver, "burer-monteiro-lifted")
  expect_lte(cluster_metrics(l$labels, d$truth)[["misclustering"]], 0.02)
})

test_that("Sketch-and-Lift solves on a subsample and lifts the rest", {
  d <- iso_data(600, seed = 3)
  f <- cluster_sdp(d$x, 3, "sdp-kmeans", sketch = 80, seed = 4)
  expect_identical(f$sketch$size, 80L)
  expect_length(f$sketch$index, 80L)
  expect_false(is.unsorted(f$sketch$index, strictly = TRUE))
  expect_true(all(f$sketch$index >= 1 & f$sketch$index <= 600))
  expect_length(f$labels, 600L)
  expect_equal(cluster_metrics(f$labels, d$truth)[["misclustering"]], 0)
  expect_identical(predict(f, d$x), f$labels)
  expect_output(print(f), "Sketch-and-Lift")
  g <- cluster_sdp(d$x, 3, "gmm", sketch = 0.25, seed = 4)
  expect_identical(g$sketch$size, 150L)
  expect_null(cluster_sdp(d$x, 3, "kmeans", seed = 4)$sketch)
  expect_error(cluster_sdp(d$x, 3, "kmeans", sketch = -1), "sketch")
  expect_error(cluster_sdp(d$x, 3, "kmeans", sketch = 2, seed = 1), "at least k")
})

test_that("cluster_select_k: GMM BIC equals minus mclust's BIC (frozen reference) and picks its k", {
  ref <- read.csv(test_path("sdp_select_mclust.csv"))
  x <- as.matrix(iris[, 1:4])
  covs <- c(VII = "spherical", VVI = "diagonal", EEE = "tied", VVV = "full")
  for (m in names(covs)) {
    s <- cluster_select_k(x, k = 1:3, method = "gmm", cov_type = covs[[m]], ridge = 0, em_n_init = 10, seed = 1)
    r <- ref[ref$data == "iris" & ref$model == m & ref$k <= 3, ]
    expect_equal(s$bic, -r$bic_mclust, tolerance = 1e-6, info = m)
    expect_equal(s$loglik, r$loglik, tolerance = 1e-6, info = m)
    expect_equal(s$df, r$df, info = m)
    expect_identical(attr(s, "best_k"), r$k[which.max(r$bic_mclust)])
  }
  skip_if_not_installed("mclust")
  mc <- mclust::mclustBIC(x, G = 1:3, modelNames = "VVV", verbose = FALSE)
  s <- cluster_select_k(x, k = 1:3, method = "gmm", cov_type = "full", ridge = 0, em_n_init = 10, seed = 1)
  expect_equal(s$bic, -as.numeric(mc[, "VVV"]), tolerance = 1e-6)
  si <- cluster_select_k(x, k = 1:3, method = "gmm", criterion = "icl", ridge = 0, em_n_init = 10, seed = 1)
  expect_equal(si$criterion, si$icl)
  expect_true(all(si$icl >= si$bic - 1e-9))
})

test_that("cluster_select_k: trace and eigen-gap criteria for the SDP; print, plot, errors", {
  d <- iso_data(90, seed = 5)
  for (crit in c("trace", "eigengap")) {
    s <- cluster_select_k(d$x, k = 1:5, method = "sdp-kmeans", criterion = crit, seed = 1)
    expect_s3_class(s, "cluster_select_k")
    expect_identical(attr(s, "best_k"), 3L)
  }
  expect_error(cluster_select_k(d$x, k = 1:4, method = "bm-kmeans", criterion = "eigengap", seed = 1), "exact")
  s <- cluster_select_k(d$x, k = 1:4, method = "bm-kmeans", criterion = "trace", seed = 1)
  expect_identical(attr(s, "best_k"), 3L)
  expect_output(print(s), "Selected k = 3")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(s))
  expect_error(cluster_select_k(d$x, k = 1:3, method = "sdp-kmeans", criterion = "bic"), "em_gmm")
  expect_error(cluster_select_k(d$x, k = 0:2), "whole numbers")
  expect_error(cluster_select_k(d$x, k = 1:2, method = "gmm", bogus = 1, seed = 1), "unknown option")
})

test_that("exact iLA-SDP above n = 300 says up front that it is slow and what is faster", {
  set.seed(3)
  x <- rbind(matrix(rnorm(302), ncol = 2), matrix(rnorm(302, 6), ncol = 2))
  expect_message(suppressWarnings(cluster_sdp(x, 2, sweeps = 1, sdp_max_iter = 2, seed = 1)),
                 "exact ADMM path at n = 302.*solver = \"bm\" or sketch = m")
  # not for the low-rank path, a sketch, or small n
  expect_no_message_re <- function(expr) {
    msgs <- character(0)
    withCallingHandlers(suppressWarnings(expr), message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
    expect_false(any(grepl("exact ADMM path", msgs)))
  }
  expect_no_message_re(cluster_sdp(x[1:200, ], 2, sweeps = 1, sdp_max_iter = 2, seed = 1))
  expect_no_message_re(cluster_sdp(x, 2, sketch = 50, sweeps = 1, sdp_max_iter = 2, seed = 1))
})
