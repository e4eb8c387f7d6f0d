#!/usr/bin/env Rscript
# Freezes mclust 6 BIC / log-likelihood values for the choice-of-K check of the SDP clustering family
# (tests/cpp/sdpcluster/test_scalable.cpp, rpkg/tests/testthat/test-cluster_sdp.R).
# Writes tests/data/sdp_iris.csv, tests/data/sdp_faithful.csv (the numeric columns of base R's iris and
# faithful) and tests/data/sdp_select_mclust.csv (data, model, k, loglik, df, bic_mclust).
# mclust's BIC is 2 loglik - df log n; hetmod's is -2 loglik + df log n (the negative).
# Covariance families: VII = spherical, VVI = diagonal, EEE = tied, VVV = full (hetmod cov_type).
# Run from the repository root: Rscript scripts/gen-reference/sdp_select_mclust.R
# (the R tests read a copy: rpkg/tests/testthat/sdp_select_mclust.csv)
suppressPackageStartupMessages(library(mclust))
out_dir <- file.path("tests", "data")
sets <- list(iris = as.matrix(iris[, 1:4]), faithful = as.matrix(faithful))
write.csv(sets$iris, file.path(out_dir, "sdp_iris.csv"), row.names = FALSE)
write.csv(sets$faithful, file.path(out_dir, "sdp_faithful.csv"), row.names = FALSE)
rows <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]
  for (model in c("VII", "VVI", "EEE", "VVV")) {
    for (g in 1:5) {
      f <- Mclust(x, G = g, modelNames = model, verbose = FALSE,
                  control = emControl(tol = c(1e-10, sqrt(.Machine$double.eps))))
      if (is.null(f)) next
      rows[[length(rows) + 1L]] <- data.frame(data = nm, model = model, k = g,
                                               loglik = sprintf("%.10g", f$loglik), df = f$df,
                                               bic_mclust = sprintf("%.10g", f$bic))
    }
  }
}
ref <- do.call(rbind, rows)
write.csv(ref, file.path(out_dir, "sdp_select_mclust.csv"), row.names = FALSE, quote = FALSE)
write.csv(ref, file.path("rpkg", "tests", "testthat", "sdp_select_mclust.csv"), row.names = FALSE, quote = FALSE)
