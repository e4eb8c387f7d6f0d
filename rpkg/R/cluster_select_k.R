# cluster_select_k.R -- choice of K for the SDP clustering family (C++ hetmod::sdpcluster::select_k).
#
# Mixture BIC / ICL (hetmod's sign: -2 loglik + df log n, smaller is better, the negative of mclust's BIC),
# and for the K-means SDP the trace-penalty and eigen-gap criteria. Returns a classed data frame.

cluster_select_k <- function(x, k = 1:6, method = c("gmm", "sdp-kmeans", "bm-kmeans"),
                             criterion = c("bic", "icl", "eigengap", "trace"), seed = NULL, ...) {
  method <- match.arg(method)
  criterion <- if (missing(criterion)) (if (method == "gmm") "bic" else "trace") else match.arg(criterion)
  x <- cluster_matrix(x)
  n <- nrow(x)
  if (n < 1L || ncol(x) < 1L) stop("`x` must have at least one row and one column.", call. = FALSE)
  if (!is.numeric(k) || !length(k) || anyNA(k) || any(k != round(k)) || any(k < 1) || any(k > n))
    stop(sprintf("`k` must be whole numbers between 1 and nrow(x) = %d.", n), call. = FALSE)
  opts <- list(...)
  if (length(opts) && (is.null(names(opts)) || any(!nzchar(names(opts)))))
    stop("All arguments in `...` must be named options (e.g. cov_type = \"full\", penalty = 10).", call. = FALSE)
  if (is.null(seed)) {
    seed <- floor(stats::runif(1L, 0, 2^31))
  } else {
    check_whole(seed, "seed", 0, 2^53)
  }
  core <- cluster_select_k_cpp(x, as.integer(k), unname(cluster_method_map[method]), criterion, opts, seed)
  nanna <- function(v) {
    v[is.nan(v)] <- NA_real_
    v
  }
  tab <- data.frame(k = core$k, criterion = nanna(core$criterion), loglik = nanna(core$loglik),
                    bic = nanna(core$bic), icl = nanna(core$icl), df = core$df, objective = nanna(core$objective),
                    eigengap = nanna(core$eigengap), converged = core$converged)
  if (method != "gmm") tab$loglik <- tab$bic <- tab$icl <- tab$df <- NULL
  if (method == "gmm") tab$eigengap <- NULL
  attr(tab, "best_k") <- core$best_k
  attr(tab, "criterion") <- criterion
  attr(tab, "method") <- method
  attr(tab, "messages") <- core$messages
  attr(tab, "seed") <- seed
  class(tab) <- c("cluster_select_k", "data.frame")
  tab
}

print.cluster_select_k <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  crit <- attr(x, "criterion")
  cat(sprintf("Choice of k: method \"%s\", criterion \"%s\"%s\n", attr(x, "method"), crit,
              switch(crit, bic = , icl = " (smaller is better; mclust's BIC is the negative)",
                     trace = " (smaller is better)", eigengap = " (largest k with eigen-gap >= 0.5)")))
  df <- x
  class(df) <- "data.frame"
  attr(df, "best_k") <- attr(df, "criterion") <- attr(df, "method") <- attr(df, "messages") <- attr(df, "seed") <- NULL
  df$best <- ifelse(df$k == attr(x, "best_k"), "*", "")
  names(df)[names(df) == "best"] <- ""
  print(df, digits = digits, row.names = FALSE)
  cat(sprintf("Selected k = %d\n", attr(x, "best_k")))
  invisible(x)
}

plot.cluster_select_k <- function(x, y = NULL, ...) {
  crit <- attr(x, "criterion")
  val <- if (crit == "eigengap") x$eigengap else x$criterion
  ylab <- switch(crit, bic = "BIC (-2 loglik + df log n)", icl = "ICL", trace = "trace criterion",
                 eigengap = "eigen-gap of Z")
  graphics::plot(x$k, val, type = "b", pch = 19, xlab = "k", ylab = ylab,
                 main = sprintf("cluster_select_k: %s, %s", attr(x, "method"), crit), ...)
  best <- attr(x, "best_k")
  graphics::points(best, val[x$k == best], pch = 1, cex = 2.2, col = 2, lwd = 2)
  if (crit == "eigengap") graphics::abline(h = 0.5, lty = 2, col = "grey50")
  invisible(x)
}
