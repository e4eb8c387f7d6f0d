# bench/sdp/bench_ila_5000.R -- iLA-SDP at n = 5,000, K = 4 (issue 5 goal: within 5 minutes on 2 cores), next to
# hetmod's EM and k-means, mclust's Mclust (VVV) and base R kmeans, on the same data. Each method runs in a fresh
# Rscript, so that the peak resident memory (VmHWM) is that method's own; time is CPU (user + system) and elapsed.
#
# Design "hetero4" (the spec 5.1 D3 design extended to K = 4, p = 5, balanced): two elongated clusters with
# crossed long axes, a unit ball and a diffuse ball,
#   mu_1 = 0,            Sigma_1 = diag(8, .2, .2, .2, .2)
#   mu_2 = 3 e_2,        Sigma_2 = diag(.2, .2, 8, .2, .2)
#   mu_3 = 4 e_1 + 4 e_2, Sigma_3 = I
#   mu_4 = -5 e_2 + 4 e_4, Sigma_4 = 3 I
#   R_LIBS=<lib with hetmod> [SEED=s] Rscript bench/sdp/bench_ila_5000.R [n] [method ...]
#   methods: ila-sdp (the default path cluster_sdp picks for this n: exact iLA-SDP on a sketch of 300 rows, lift,
#   refinement, k-means-started competitor), ila-sdp-only (the same, the SDP start's partition returned:
#   ila_start = "sdp"), ila-kmeans-only (the k-means-started refinement alone: ila_start = "kmeans", with a
#   40-row sketch since its SDP result is discarded), ila-lowrank-sketch (the low-rank iLA-SDP on the sketch:
#   ila_sketch_solver = "bm"), ila-bm (low-rank path on all rows, solver = "bm"), gmm, kmeans, stats-kmeans,
#   mclust. SEED (default 1) seeds both the data and the fit.
args <- commandArgs(trailingOnly = TRUE)
vmhwm <- function() {
  l <- grep("^VmHWM:", readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", l)) / 1024
}
simulate <- function(n, seed = 1L) {
  set.seed(seed)
  k <- 4L; p <- 5L
  mu <- rbind(c(0, 0, 0, 0, 0), c(0, 3, 0, 0, 0), c(4, 4, 0, 0, 0), c(0, -5, 0, 4, 0))
  sd <- rbind(sqrt(c(8, .2, .2, .2, .2)), sqrt(c(.2, .2, 8, .2, .2)), rep(1, 5), rep(sqrt(3), 5))
  truth <- as.integer(floor((seq_len(n) - 1) * k / n)) + 1L
  x <- mu[truth, ] + matrix(rnorm(n * p), n, p) * sd[truth, ]
  list(x = x, truth = truth)
}
if (length(args) >= 1 && args[[1]] == "--one") {  # child: one fit, one line
  n <- as.integer(args[[2]]); method <- args[[3]]
  suppressPackageStartupMessages(library(hetmod))
  if (method == "mclust") suppressPackageStartupMessages(library(mclust))
  seed <- as.integer(Sys.getenv("SEED", "1"))
  d <- simulate(n, seed)
  k <- 4L
  msg <- ""
  t <- system.time({
    fit <- switch(method,
      "ila-sdp" = cluster_sdp(d$x, k, method = "ila-sdp", seed = seed),
      "ila-sdp-only" = cluster_sdp(d$x, k, method = "ila-sdp", seed = seed, ila_start = "sdp"),
      "ila-kmeans-only" = cluster_sdp(d$x, k, method = "ila-sdp", seed = seed, ila_start = "kmeans", ila_sketch = 40),
      "ila-lowrank-sketch" = cluster_sdp(d$x, k, method = "ila-sdp", seed = seed, ila_sketch_solver = "bm"),
      "ila-bm" = cluster_sdp(d$x, k, method = "ila-sdp", solver = "bm", seed = 1),
      "gmm" = cluster_sdp(d$x, k, method = "gmm", seed = 1, em_n_init = 3),
      "kmeans" = cluster_sdp(d$x, k, method = "kmeans", seed = 1),
      "stats-kmeans" = stats::kmeans(d$x, k, nstart = 10),
      "mclust" = mclust::Mclust(d$x, G = k, modelNames = "VVV", verbose = FALSE))
  })
  lab <- switch(method, "stats-kmeans" = fit$cluster, "mclust" = fit$classification, fit$labels)
  if (inherits(fit, "cluster_sdp")) msg <- paste(fit$messages, collapse = " | ")
  err <- cluster_metrics(lab, d$truth)[["misclustering"]]
  cat(sprintf("%d\t%s\t%.2f\t%.2f\t%.1f\t%.4f\t%s\n", n, method, t[["user.self"]] + t[["sys.self"]], t[["elapsed"]],
              vmhwm(), err, gsub("\t", " ", msg)))
  quit(save = "no")
}
n <- if (length(args) >= 1) as.integer(args[[1]]) else 5000L
methods <- if (length(args) >= 2) args[-1] else
  c("ila-sdp", "gmm", "kmeans", "stats-kmeans", if (requireNamespace("mclust", quietly = TRUE)) "mclust")
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
cat(sprintf("iLA-SDP benchmark, design hetero4 (K = 4, p = 5), n = %d, seed %s\n", n, Sys.getenv("SEED", "1")))
cat("n\tmethod\tcpu_s\telapsed_s\tpeak_MB\terror\tnotes\n")
for (m in methods) {
  out <- system2("Rscript", c(self, "--one", n, m), stdout = TRUE)
  if (length(out)) cat(tail(out, 1), "\n", sep = "")
}
