# bench/sdp/bench_sdp.R -- hetmod's clustering methods against base R kmeans and mclust, same data, one run.
# Prints time, peak memory (gc), mis-clustering error per method.
#   Rscript bench/sdp/bench_sdp.R [n]
suppressPackageStartupMessages(library(hetmod))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.integer(args[[1]]) else 300L
set.seed(1)
k <- 3; p <- 2
centres <- rbind(c(0, 0), c(3, 0), c(20, 0))
truth <- rep(seq_len(k), length.out = n)
x <- centres[truth, ] + matrix(rnorm(n * p), n, p) %*% diag(c(0.4, 2))
run <- function(label, expr) {
  gc(reset = TRUE)
  t <- system.time(lab <- eval.parent(substitute(expr)))[["elapsed"]]
  mem <- sum(gc()[, 6])
  err <- cluster_metrics(lab, truth)[["misclustering"]]
  cat(sprintf("%-22s n=%5d  time %8.3f s  peak mem %8.1f MB  error %.4f\n", label, n, t, mem, err))
}
for (m in c("kmeans", "gmm", "sdp-kmeans", "ila-sdp")) run(paste("hetmod", m), cluster_sdp(x, k, method = m, seed = 1)$labels)
run("stats::kmeans", stats::kmeans(x, k, nstart = 10)$cluster)
if (requireNamespace("mclust", quietly = TRUE)) run("mclust::Mclust VVV", mclust::Mclust(x, G = k, modelNames = "VVV", verbose = FALSE)$classification)
