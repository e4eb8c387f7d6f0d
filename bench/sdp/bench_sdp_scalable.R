# bench/sdp/bench_sdp_scalable.R -- the scalable (low-rank Burer-Monteiro) path and Sketch-and-Lift against
# base R kmeans and mclust on the isotropic threshold design (spec 5.1: K = 4, p = 10, sigma = 1,
# mu_k = e_k delta / sqrt(2), delta^2 = 1.2 Delta_bar^2) and the heterogeneous design D2 for (i)LA-SDP.
# Prints time, peak memory (R heap by gc(); the low-rank path never forms an n x n matrix, so the process
# RSS stays near R's own footprint: run under /usr/bin/time -v for RSS) and mis-clustering error.
#   Rscript bench/sdp/bench_sdp_scalable.R [n ...]      (default n = 1000 5000)
suppressPackageStartupMessages(library(hetmod))
# mclust 6 calls mclustBIC unqualified inside Mclust(): attach it
have_mclust <- suppressWarnings(suppressPackageStartupMessages(require(mclust, quietly = TRUE)))
args <- commandArgs(trailingOnly = TRUE)
ns <- if (length(args)) as.integer(args) else c(1000L, 5000L)
iso <- function(n, k = 4L, p = 10L, ratio = 1.2) {
  d2 <- 4 * (1 + sqrt(1 + k * p / (n * log(n)))) * log(n)
  delta <- sqrt(ratio * d2)
  truth <- rep(seq_len(k), length.out = n)
  mu <- matrix(0, k, p)
  for (j in seq_len(k)) mu[j, j] <- delta / sqrt(2)
  list(x = mu[truth, ] + matrix(rnorm(n * p), n, p), truth = truth, k = k)
}
d2 <- function(n) {  # spec D2: Sigma_1 = 0.1 I, Sigma_2 = 4 I, mu_2 = (2.5, 0)
  truth <- rep(1:2, length.out = n)
  sd <- ifelse(truth == 1, sqrt(0.1), 2)
  x <- cbind(ifelse(truth == 2, 2.5, 0), 0) + matrix(rnorm(n * 2), n, 2) * sd
  list(x = x, truth = truth, k = 2L)
}
run <- function(label, n, truth, expr) {
  gc(reset = TRUE)
  t <- system.time(lab <- eval.parent(substitute(expr)))[["elapsed"]]
  mem <- sum(gc()[, 6])
  err <- cluster_metrics(lab, truth)[["misclustering"]]
  cat(sprintf("%-34s n=%5d  time %8.2f s  R peak mem %7.1f MB  error %.4f\n", label, n, t, mem, err))
}
for (n in ns) {
  set.seed(n)
  d <- iso(n)
  x <- d$x
  k <- d$k
  cat(sprintf("-- isotropic, K = %d, p = %d, delta^2 = 1.2 threshold --\n", k, ncol(x)))
  run("hetmod sdp-kmeans solver=bm", n, d$truth, {
    f <- cluster_sdp(x, k, "sdp-kmeans", solver = "bm", seed = 1)
    cat(sprintf("   certificate: %d iterations, primal %.1e, KKT %.1e, objective %.6g, dual lower bound %.6g, gap %.2g, %s\n",
                f$certificate$iterations, f$certificate$primal_residual, f$certificate$dual_residual,
                f$certificate$objective, f$certificate$dual_objective, f$certificate$gap, f$certificate$reason))
    f$labels
  })
  run("hetmod sdp-kmeans sketch=500 (admm)", n, d$truth, cluster_sdp(x, k, "sdp-kmeans", sketch = 500, seed = 1)$labels)
  run("hetmod sdp-kmeans sketch=0.1 (bm)", n, d$truth,
      cluster_sdp(x, k, "sdp-kmeans", solver = "bm", sketch = 0.1, seed = 1)$labels)
  run("hetmod kmeans", n, d$truth, cluster_sdp(x, k, "kmeans", seed = 1)$labels)
  run("stats::kmeans nstart=10", n, d$truth, stats::kmeans(x, k, nstart = 10)$cluster)
  if (have_mclust)
    run("mclust::Mclust EII", n, d$truth, mclust::Mclust(x, G = k, modelNames = "EII", verbose = FALSE)$classification)
  set.seed(n + 1)
  h <- d2(n)
  cat("-- heterogeneous D2 (K = 2, p = 2) --\n")
  run("hetmod ila-sdp solver=bm", n, h$truth, cluster_sdp(h$x, 2, "ila-sdp", solver = "bm", seed = 1)$labels)
  run("hetmod ila-sdp sketch=300", n, h$truth, cluster_sdp(h$x, 2, "ila-sdp", sketch = 300, seed = 1)$labels)
  run("hetmod gmm", n, h$truth, cluster_sdp(h$x, 2, "gmm", seed = 1)$labels)
  run("stats::kmeans nstart=10", n, h$truth, stats::kmeans(h$x, 2, nstart = 10)$cluster)
  if (have_mclust)
    run("mclust::Mclust VII", n, h$truth, mclust::Mclust(h$x, G = 2, modelNames = "VII", verbose = FALSE)$classification)
}
