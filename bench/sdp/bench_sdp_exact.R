# bench/sdp/bench_sdp_exact.R -- the exact Peng-Wei path (ADMM + low-rank PSD projections) at n = 200,
# 500, 1000 on the spec's isotropic design (K = 4, p = 10, sigma = 1, delta^2 = ratio x threshold),
# next to base R kmeans and mclust, on the same data. Each (n, method) runs in a fresh Rscript so that
# the peak resident memory (VmHWM from /proc/self/status) is that method's own.
#   R_LIBS=<lib with hetmod> Rscript bench/sdp/bench_sdp_exact.R [ratio] [n ...]
#   (defaults: ratio 2 = well separated; ratio 0.8 = hard, below the threshold)
args <- commandArgs(trailingOnly = TRUE)
vmhwm <- function() {
  l <- grep("^VmHWM:", readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", l)) / 1024
}
simulate <- function(n, ratio, p = 10L, k = 4L, seed = 1L) {  # spec 5.1 isotropic design, balanced
  set.seed(seed)
  thr <- 4 * (1 + sqrt(1 + k * p / (n * log(n)))) * log(n)
  delta <- sqrt(ratio * thr)
  truth <- rep(seq_len(k), each = ceiling(n / k))[seq_len(n)]
  x <- matrix(rnorm(n * p), n, p)
  x[cbind(seq_len(n), truth)] <- x[cbind(seq_len(n), truth)] + delta / sqrt(2)
  list(x = x, truth = truth)
}
if (length(args) >= 1 && args[[1]] == "--one") {  # child: one fit, one line
  n <- as.integer(args[[2]]); ratio <- as.numeric(args[[3]]); method <- args[[4]]
  suppressPackageStartupMessages(library(hetmod))
  if (method == "mclust") suppressPackageStartupMessages(library(mclust))  # Mclust() needs it attached
  d <- simulate(n, ratio)
  k <- 4L
  base <- vmhwm()
  t <- system.time({
    fit <- switch(method,
      "sdp-kmeans" = cluster_sdp(d$x, k, method = "sdp-kmeans", seed = 1),
      "kmeans" = stats::kmeans(d$x, k, nstart = 10),
      "mclust" = mclust::Mclust(d$x, G = k, verbose = FALSE))
  })[["elapsed"]]
  lab <- switch(method, "sdp-kmeans" = fit$labels, "kmeans" = fit$cluster, "mclust" = fit$classification)
  err <- cluster_metrics(lab, d$truth)[["misclustering"]]
  ce <- if (method == "sdp-kmeans") fit$certificate else NULL
  kkt <- if (is.null(ce)) NA else max(ce$primal_residual, ce$dual_residual, ce$gap)
  cat(sprintf("%d,%g,%s,%.3f,%.1f,%.1f,%.4f,%s,%s\n", n, ratio, method, t, vmhwm(), base, err,
              if (is.null(ce)) NA else ce$iterations, format(kkt, digits = 2)))
  quit(save = "no")
}
ratio <- if (length(args) >= 1) as.numeric(args[[1]]) else 2
ns <- if (length(args) >= 2) as.integer(args[-1]) else c(200L, 500L, 1000L)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
methods <- c("sdp-kmeans", "kmeans", if (requireNamespace("mclust", quietly = TRUE)) "mclust")
rows <- list()
for (n in ns) for (m in methods) {
  out <- system2("Rscript", c(self, "--one", n, ratio, m), stdout = TRUE)
  if (!length(out)) next
  f <- strsplit(tail(out, 1), ",")[[1]]
  rows[[length(rows) + 1]] <- suppressWarnings(data.frame(n = as.integer(f[1]), method = f[3], time_s = as.numeric(f[4]),
                                         peak_MB = as.numeric(f[5]), R_base_MB = as.numeric(f[6]),
                                         error = as.numeric(f[7]), iterations = as.integer(f[8]),
                                         kkt = as.numeric(f[9])))
}
res <- do.call(rbind, rows)
res$time_ratio_vs_kmeans <- NA_real_
for (n in ns) {
  i <- res$n == n
  res$time_ratio_vs_kmeans[i] <- res$time_s[i] / res$time_s[i & res$method == "kmeans"]
}
cat(sprintf("exact Peng-Wei SDP benchmark, K = 4, p = 10, ratio = %g (threads: OpenBLAS default)\n", ratio))
print(res, row.names = FALSE, digits = 4)
