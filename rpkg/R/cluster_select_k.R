# cluster_select_k.R -- choice of K for the SDP clustering family (C++ hetmod::sdpcluster::select_k).
#
# Mixture BIC / ICL (hetmod's sign: -2 loglik + df log n, smaller is better, the negative of mclust's BIC),
# and for the K-means SDP the trace-penalty (adaptive SDP, lambda = noise level of the Gram matrix) and
# eigen-gap criteria. Returns a classed data frame; print / summary / plot methods below.

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
  attr(tab, "penalty") <- if (criterion == "trace") core$penalty else NA_real_
  attr(tab, "gap_threshold") <- if (criterion == "eigengap") {
    if (is.null(opts$gap_threshold)) 0.5 else as.numeric(opts$gap_threshold)
  } else NA_real_
  attr(tab, "messages") <- core$messages
  attr(tab, "seed") <- seed
  class(tab) <- c("cluster_select_k", "data.frame")
  if (!all(tab$converged))
    warning(sprintf("The fit did not converge for k = %s; the criterion there is approximate.",
                    paste(tab$k[!tab$converged], collapse = ", ")), call. = FALSE)
  tab
}

cluster_select_k_rule <- function(x) {
  switch(attr(x, "criterion"),
         bic = , icl = "smallest value (mclust's BIC is the negative)",
         trace = sprintf("smallest W_k + lambda k, lambda = %s", format(attr(x, "penalty"), digits = 4)),
         eigengap = sprintf("largest k with eigen-gap >= %s", format(attr(x, "gap_threshold"))))
}

print.cluster_select_k <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Choice of k: method \"%s\", criterion \"%s\" (%s)\n", attr(x, "method"), attr(x, "criterion"),
              cluster_select_k_rule(x)))
  df <- x
  class(df) <- "data.frame"
  df$best <- ifelse(df$k == attr(x, "best_k"), "*", "")
  names(df)[names(df) == "best"] <- ""
  print(df, digits = digits, row.names = FALSE)
  cat(sprintf("Selected k = %d\n", attr(x, "best_k")))
  invisible(x)
}

summary.cluster_select_k <- function(object, ...) {
  crit <- attr(object, "criterion")
  best <- attr(object, "best_k")
  val <- if (crit == "eigengap") object$eigengap else object$criterion
  i <- which(object$k == best)
  # margin to the runner-up: how decisive the choice is (criterion units)
  other <- val[-i]
  margin <- if (crit == "eigengap") {  # distance of the decision from the threshold
    thr <- attr(object, "gap_threshold")
    above <- val[object$k > best]
    m <- c(if (!is.na(val[i]) && val[i] >= thr) val[i] - thr, if (any(!is.na(above))) thr - max(above, na.rm = TRUE))
    if (length(m)) min(m) else NA_real_
  } else if (!length(other) || all(is.na(other))) NA_real_ else min(other, na.rm = TRUE) - val[i]
  structure(list(method = attr(object, "method"), criterion = crit, best_k = best, k = object$k,
                 rule = cluster_select_k_rule(object), penalty = attr(object, "penalty"),
                 gap_threshold = attr(object, "gap_threshold"), margin = margin,
                 converged = all(object$converged), messages = attr(object, "messages")),
            class = "summary.cluster_select_k")
}

print.summary.cluster_select_k <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Choice of k by \"%s\" with method \"%s\" over k = %s\n", x$criterion, x$method,
              paste(x$k, collapse = ", ")))
  cat(sprintf("Rule: %s\n", x$rule))
  cat(sprintf("Selected k = %d", x$best_k))
  if (!is.na(x$margin)) cat(sprintf(" (margin to the runner-up: %s)", format(x$margin, digits = digits)))
  cat("\n")
  if (!x$converged) cat("Some fits did not converge.\n")
  if (length(x$messages)) cat("Messages:\n", paste0("  ", x$messages, "\n"), sep = "")
  invisible(x)
}

plot.cluster_select_k <- function(x, y = NULL, ...) {
  crit <- attr(x, "criterion")
  val <- if (crit == "eigengap") x$eigengap else x$criterion
  ylab <- switch(crit, bic = "BIC (-2 loglik + df log n)", icl = "ICL", trace = "W_k + lambda k",
                 eigengap = "eigen-gap of Z")
  graphics::plot(x$k, val, type = "b", pch = 19, xlab = "k", ylab = ylab,
                 main = sprintf("cluster_select_k: %s, %s", attr(x, "method"), crit), ...)
  best <- attr(x, "best_k")
  graphics::points(best, val[x$k == best], pch = 1, cex = 2.2, col = 2, lwd = 2)
  if (crit == "eigengap") graphics::abline(h = attr(x, "gap_threshold"), lty = 2, col = "grey50")
  if (crit == "trace") graphics::lines(x$k, x$objective, type = "b", lty = 3, pch = 1, col = "grey50")
  graphics::legend("topright", legend = c(ylab, if (crit == "trace") "W_k (no penalty)", sprintf("selected k = %d", best)),
                   pch = c(19, if (crit == "trace") 1, 1), lty = c(1, if (crit == "trace") 3, NA),
                   col = c(1, if (crit == "trace") "grey50", 2), bty = "n")
  invisible(x)
}
