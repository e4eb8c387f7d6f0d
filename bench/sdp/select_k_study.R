# bench/sdp/select_k_study.R -- calibration study for the choice of K (issue 5; spec sdp_clustering.md 1.2).
#
# Proportion of data sets on which each criterion of cluster_select_k() picks the true K:
#   trace     : default rule, argmin_k W_k + lambda k, lambda = (sqrt(n ||S||) + sqrt(tr S))^2 (noise level of the
#               adaptive SDP, S pooled within covariance at the selected k, fixed point); sdp-kmeans, exact path
#   trace x c : sensitivity, the same W_k with lambda multiplied by c (lambda held at its default value)
#   old       : the previous default lambda = n W_kmax / (n p)
#   gap t     : eigen-gap rule, largest k with lambda_k - lambda_{k+1} >= t (t = 0.5 is the default)
#   bic       : Gaussian mixture BIC (method "gmm", cov_type "full", 5 EM starts)
# Every SDP criterion is read off the same fits: select_k fits every k with the same seed stream whatever the
# criterion, so the eigen-gap column of the "trace" run is the one the "eigengap" run would use.
# Designs: isotropic N(mu_j, I) with mu_j = e_j delta / sqrt(2), delta^2 = ratio x Chen-Yang threshold,
# ratio 1.5 (above) and 0.5 (below), K = 2..5, p = 5 and 20, n = 60 (balanced up to rounding); the spec's
# heterogeneous designs D2, D3, D5 and "hetero" (src/sdpcluster/simulate.cpp) at n = 100; iris (K = 3) and
# faithful (K = 2). Grid k = 1..6. Fixed seeds.
# Run:  R_LIBS=<rlib> Rscript bench/sdp/select_k_study.R [reps = 3] [part = all]
#   part "iso5", "iso20" (optionally suffixed "a" = above / "b" = below the threshold), "other" (heterogeneous +
#   real data) runs one block and writes select_k_study_<part>.csv into $SELECT_K_STUDY_DIR (default "."), one row
#   per data set as it is done; part "summary" reads every select_k_study_*.csv there and prints the tables.
#   About 12 s of CPU per data set (the exact ADMM needs thousands of iterations at 1 < k < K): run the parts in
#   parallel. The table in rpkg/man/cluster_select_k.Rd used reps = 2 for every part (iso5a, iso5b, iso20a,
#   iso20b, other), then part "summary".
suppressMessages(library(hetmod))
args <- commandArgs(TRUE)
reps <- if (length(args)) as.integer(args[1]) else 3L
part <- if (length(args) > 1) args[2] else "all"
outdir <- if (nzchar(Sys.getenv("SELECT_K_STUDY_DIR"))) Sys.getenv("SELECT_K_STUDY_DIR") else "."
ks <- 1:6
n_iso <- 60L
thr <- function(n, p, K) 4 * (1 + sqrt(1 + K * p / (n * log(n)))) * log(n)
sim_iso <- function(n, p, K, ratio) {
  d <- sqrt(ratio * thr(n, p, K))
  lab <- rep(seq_len(K), length.out = n)
  mu <- matrix(0, K, p)
  for (j in 1:K) mu[j, j] <- d / sqrt(2)
  mu[lab, ] + matrix(stats::rnorm(n * p), n)
}
designs <- list(  # means (rows) and diagonal covariances, as in src/sdpcluster/simulate.cpp
  D2 = list(m = rbind(c(0, 0), c(2.5, 0)), v = list(c(.1, .1), c(4, 4))),
  D3 = list(m = rbind(c(0, 0, 0, 0, 0), c(0, 3, 0, 0, 0), c(4, 4, 0, 0, 0)),
            v = list(c(8, .2, .2, .2, .2), c(.2, .2, 8, .2, .2), rep(1, 5))),
  D5 = list(m = rbind(c(0, 0), c(3.5, 0), c(30, 0)), v = list(c(1, 1), c(1, 1), c(1, 1))),
  hetero = list(m = rbind(c(0, 0), c(3, 0), c(20, 0)), v = list(c(.15, 6), c(.15, 6), c(16, 16))))
sim_design <- function(D, n) {
  lab <- rep(seq_len(nrow(D$m)), length.out = n)
  D$m[lab, ] + t(vapply(lab, function(l) stats::rnorm(ncol(D$m)) * sqrt(D$v[[l]]), numeric(ncol(D$m))))
}
gap_rule <- function(tab, t) max(c(tab$k[1], tab$k[!is.na(tab$eigengap) & tab$eigengap >= t]))
one <- function(x, K, design, seed) {
  n <- nrow(x); p <- ncol(x)
  cpu <- system.time(tr <- suppressWarnings(cluster_select_k(x, ks, "sdp-kmeans", "trace", seed = seed)))[["user.self"]]
  lam <- attr(tr, "penalty")
  W <- tr$objective
  bic <- suppressWarnings(cluster_select_k(x, ks, "gmm", "bic", cov_type = "full", em_n_init = 5, seed = seed))
  sel <- c(trace = attr(tr, "best_k"),
           trace_x0.5 = ks[which.min(W + 0.5 * lam * ks)], trace_x2 = ks[which.min(W + 2 * lam * ks)],
           old = ks[which.min(W + W[length(W)] / p * ks)],
           gap0.3 = gap_rule(tr, 0.3), gap0.5 = gap_rule(tr, 0.5), gap0.7 = gap_rule(tr, 0.7),
           gap0.9 = gap_rule(tr, 0.9), bic = attr(bic, "best_k"))
  data.frame(design = design, K = K, n = n, p = p, t(sel), cpu = cpu)
}
rows <- list()
csv <- file.path(outdir, sprintf("select_k_study_%s.csv", part))
add <- function(row) {  # keep the row; a block part also appends it to its CSV at once
  rows[[length(rows) + 1]] <<- row
  if (part != "all") utils::write.table(row, csv, sep = ",", row.names = FALSE, col.names = length(rows) == 1,
                                        append = length(rows) > 1)
  cat(".")
}
iso_p <- switch(sub("[ab]$", "", part), all = c(5, 20), iso5 = 5, iso20 = 20, NULL)
iso_ratio <- switch(sub("^iso[0-9]+", "", part), a = 1.5, b = 0.5, c(1.5, 0.5))
for (r in seq_len(reps)) for (p in iso_p) for (K in 2:5) for (ratio in iso_ratio) {  # replicate outermost
  set.seed(10000 * K + 100 * p + 10 * r + 2 * ratio)
  add(one(sim_iso(n_iso, p, K, ratio), K, sprintf("iso p=%d %s", p, if (ratio > 1) "above" else "below"), r))
}
if (part %in% c("all", "other")) {
  for (nm in names(designs)) for (r in seq_len(reps)) {
    set.seed(500 + r)
    add(one(sim_design(designs[[nm]], 100), nrow(designs[[nm]]$m), nm, r))
  }
  add(one(as.matrix(iris[, 1:4]), 3, "iris", 1))
  add(one(as.matrix(faithful), 2, "faithful", 1))
}
cat("\n")
if (part != "all" && part != "summary") quit(save = "no")
res <- if (part == "summary") {
  do.call(rbind, lapply(Sys.glob(file.path(outdir, "select_k_study_*.csv")), utils::read.csv,
                        stringsAsFactors = FALSE))
} else do.call(rbind, rows)
crit <- c("trace", "trace_x0.5", "trace_x2", "old", "gap0.3", "gap0.5", "gap0.7", "gap0.9", "bic")
grp <- ifelse(grepl("^iso", res$design), sub(" p=[0-9]+", "", res$design), res$design)
cat("Proportion of correct K by design group (rows: data sets; K = 2..5 pooled for the isotropic designs)\n")
acc <- aggregate(res[crit] == res$K, by = list(design = grp), FUN = mean)
acc$sets <- as.vector(table(grp)[acc$design])
print(acc, digits = 2, row.names = FALSE)
cat("\nIsotropic designs above the threshold, by K (proportion correct)\n")
iso <- res[res$design %in% c("iso p=5 above", "iso p=20 above"), ]
print(aggregate(iso[crit] == iso$K, by = list(K = iso$K), FUN = mean), digits = 2, row.names = FALSE)
cat("\nSelected K on the real data sets\n")
print(res[res$design %in% c("iris", "faithful"), c("design", "K", crit)], row.names = FALSE)
cat(sprintf("\nCPU of one sdp-kmeans grid k = 1..6 (trace run): median %.2f s, max %.2f s\n",
            stats::median(res$cpu), max(res$cpu)))
