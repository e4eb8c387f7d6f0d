# cluster_sdp.R -- SDP clustering family: K-means, Gaussian-mixture EM, Peng-Wei K-means SDP, LA-SDP and
# iLA-SDP (C++ core hetmod::sdpcluster, glue in src/sdpcluster_glue.cpp).
#
# A fit is a plain classed list (so saveRDS() works); predict() rebuilds what the core needs from it.

cluster_method_map <- c("ila-sdp" = "ila_sdp", "la-sdp" = "la_sdp", "sdp-kmeans" = "sdp_kmeans",
                        "kmeans" = "kmeans", "gmm" = "em_gmm", "bm-kmeans" = "bm_kmeans")

# Numeric matrix from a matrix or data frame (numeric columns only, no missing values).
cluster_matrix <- function(x, name = "x") {
  if (is.data.frame(x)) {
    ok <- vapply(x, function(col) is.numeric(col) || is.logical(col), logical(1))
    if (!all(ok))
      stop(sprintf("`%s` must have numeric columns only; non-numeric: %s.", name,
                   paste(names(x)[!ok], collapse = ", ")), call. = FALSE)
    cn <- names(x)
    x <- as.matrix(x)
    storage.mode(x) <- "double"
    colnames(x) <- cn
  } else if (is.matrix(x) || (is.numeric(x) && is.null(dim(x)))) {
    if (!is.matrix(x)) x <- matrix(x, ncol = 1L)
    if (!is.numeric(x) && !is.logical(x))
      stop(sprintf("`%s` must be a numeric matrix or a data frame with numeric columns.", name), call. = FALSE)
    storage.mode(x) <- "double"
  } else {
    stop(sprintf("`%s` must be a numeric matrix or a data frame with numeric columns.", name), call. = FALSE)
  }
  if (anyNA(x)) stop(sprintf("`%s` contains missing values (NA); remove or impute them first.", name), call. = FALSE)
  if (any(!is.finite(x))) stop(sprintf("`%s` contains infinite values.", name), call. = FALSE)
  x
}

cluster_sigma_vector <- function(sigma, k, p) {
  if (is.array(sigma) && length(dim(sigma)) == 3L) sigma <- lapply(seq_len(dim(sigma)[3L]), function(j) sigma[, , j])
  if (!is.list(sigma) || length(sigma) != k)
    stop(sprintf("`sigma` must be a list of k = %d covariance matrices (or a p x p x k array).", k), call. = FALSE)
  for (j in seq_len(k)) {
    s <- sigma[[j]]
    if (!is.numeric(s) || !is.matrix(s) || nrow(s) != p || ncol(s) != p || anyNA(s))
      stop(sprintf("`sigma[[%d]]` must be a %d x %d numeric matrix without NA.", j, p, p), call. = FALSE)
  }
  as.numeric(unlist(lapply(sigma, as.numeric)))
}

cluster_sdp <- function(x, k, method = c("ila-sdp", "la-sdp", "sdp-kmeans", "kmeans", "gmm", "bm-kmeans"),
                        solver = c("auto", "admm", "bm"), sketch = NULL, ...) {
  cl <- match.call()
  method <- match.arg(method)
  if (!is.character(solver))
    stop("All arguments in `...` must be named options (e.g. n_init = 10, tol = 1e-6).", call. = FALSE)
  solver <- match.arg(solver)
  x <- cluster_matrix(x)
  n <- nrow(x)
  p <- ncol(x)
  if (n < 1L || p < 1L) stop("`x` must have at least one row and one column.", call. = FALSE)
  if (is.null(colnames(x))) colnames(x) <- paste0("x", seq_len(p))
  if (!is_whole(k) || k < 1 || k > n)
    stop(sprintf("`k` must be a single whole number between 1 and nrow(x) = %d.", n), call. = FALSE)
  k <- as.integer(k)
  opts <- list(...)
  if (length(opts) && (is.null(names(opts)) || any(!nzchar(names(opts)))))
    stop("All arguments in `...` must be named options (e.g. n_init = 10, tol = 1e-6).", call. = FALSE)
  seed <- opts$seed
  opts$seed <- NULL
  if (is.null(seed)) {
    seed <- floor(stats::runif(1L, 0, 2^31))  # R-level draw only; the core uses hetmod's own RNG
  } else {
    check_whole(seed, "seed", 0, 2^53)
  }
  if (!is.null(opts$sigma)) opts$sigma <- cluster_sigma_vector(opts$sigma, k, p)
  if (solver != "auto") opts$solver <- solver
  if (!is.null(sketch)) {
    if (!is.numeric(sketch) || length(sketch) != 1L || is.na(sketch) || sketch < 0)
      stop("`sketch` must be NULL, a subsample size m >= k or a fraction in (0, 1) of nrow(x).", call. = FALSE)
    opts$sketch <- as.numeric(sketch)
  }
  if (method == "la-sdp" && is.null(opts$sigma))
    stop("method = \"la-sdp\" needs the known covariances: sigma = list of k p x p matrices.", call. = FALSE)
  exact_max <- if (is.null(opts$exact_max)) 1500 else opts$exact_max
  if (method == "ila-sdp" && solver != "bm" && is.null(sketch) && n > 300L && n <= exact_max) {
    # Before the fit, so that the user knows why it takes long and can interrupt it.
    message(sprintf(paste0("cluster_sdp(method = \"ila-sdp\"): exact ADMM path at n = %d; every sweep solves a ",
                           "lifted SDP with k = %d blocks of n x n, which takes minutes to hours at this size ",
                           "(k = 4, n = 300: about 75 s of CPU time). solver = \"bm\" or sketch = m is much faster."),
                    n, k))
  }
  core <- cluster_fit_cpp(x, k, unname(cluster_method_map[method]), opts, seed)
  cn <- colnames(x)
  cls <- as.character(seq_len(k))
  means <- core$means
  dimnames(means) <- list(cls, cn)
  covs <- array(core$covariances, dim = c(p, p, k), dimnames = list(cn, cn, cls))
  weights <- stats::setNames(core$weights, cls)
  na_if_nan <- function(v) if (is.nan(v)) NA_real_ else v
  cert <- core$certificate
  sdp <- nzchar(cert$solver)
  certificate <- if (sdp) {
    cl <- list(solver = cert$solver, iterations = cert$iterations, primal_residual = cert$primal_residual,
         dual_residual = cert$dual_residual, gap = cert$gap, objective = cert$objective,
         dual_objective = cert$dual_objective, seconds = cert$seconds, converged = cert$converged,
         reason = cert$reason)
    # Burer-Monteiro path only: escape steps taken and the dual slack behind the lower bound.
    if (!is.null(cert$escapes)) cl$escapes <- cert$escapes
    if (!is.null(cert$dual_min_eig)) cl$dual_min_eig <- cert$dual_min_eig
    cl
  } else {
    list(solver = if (method == "gmm") "em" else "lloyd", iterations = core$iterations,
         primal_residual = NA_real_, dual_residual = NA_real_, gap = NA_real_, objective = core$objective,
         dual_objective = NA_real_, seconds = NA_real_, converged = core$converged,
         reason = if (core$converged) "tolerance reached" else "iteration limit")
  }
  out <- list(labels = core$labels, means = means, covariances = covs, weights = weights,
              loglik = na_if_nan(core$loglik), bic = na_if_nan(core$bic), icl = na_if_nan(core$icl),
              df = core$df, objective = core$objective, certificate = certificate,
              converged = core$converged, iterations = core$iterations,
              sweep_objective = core$sweep_objective, sweep_profile = core$sweep_profile,
              messages = core$messages, method = method, core_method = core$method,
              eigenvalues = core$eigenvalues,
              sketch = if (core$sketch_size > 0) list(size = as.integer(core$sketch_size), index = as.integer(core$sketch_index)),
              n = n, p = p, k = k, seed = seed, options = opts, data = x, call = cl)
  if (!is.null(core$membership)) out$membership <- core$membership
  class(out) <- "cluster_sdp"
  if (!isTRUE(certificate$converged))
    warning(structure(class = c("hetmod_convergence_warning", "warning", "condition"),
                      list(message = sprintf("cluster_sdp(method = \"%s\"): the %s solver did not converge (%s).",
                                             method, certificate$solver, certificate$reason),
                           call = NULL)))
  out
}

cluster_metrics <- function(labels, truth) {
  if (length(labels) != length(truth))
    stop(sprintf("`labels` (length %d) and `truth` (length %d) must have the same length.",
                 length(labels), length(truth)), call. = FALSE)
  if (length(labels) < 1L) stop("`labels` must be non-empty.", call. = FALSE)
  if (anyNA(labels) || anyNA(truth)) stop("`labels` and `truth` must not contain NA.", call. = FALSE)
  a <- as.integer(factor(labels))
  b <- as.integer(factor(truth))
  cluster_metrics_cpp(a, b)
}

print.cluster_sdp <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("SDP clustering (method \"%s\"): n = %d, p = %d, k = %d\n", x$method, x$n, x$p, x$k))
  sizes <- tabulate(x$labels, nbins = x$k)
  cat("Cluster sizes:", paste(sizes, collapse = ", "), "\n")
  if (!is.na(x$loglik))
    cat(sprintf("Log-likelihood: %s (df = %d)   BIC: %s\n", format(x$loglik, digits = digits), x$df,
                format(x$bic, digits = digits)))
  ce <- x$certificate
  if (!is.null(x$sketch))
    cat(sprintf("Sketch-and-Lift: solved on %d of %d rows, the rest assigned to clusters\n", x$sketch$size, x$n))
  cat(sprintf("Solver: %s, %d iterations, %s (%s)\n", ce$solver, as.integer(ce$iterations),
              if (isTRUE(ce$converged)) "converged" else "NOT converged", ce$reason))
  if (!is.na(ce$gap)) {
    cat(sprintf("  primal residual %s, dual residual %s, gap %s\n", format(ce$primal_residual, digits = 2),
                format(ce$dual_residual, digits = 2), format(ce$gap, digits = 2)))
  } else if (!is.na(ce$primal_residual)) {
    cat(sprintf("  primal residual %s, KKT residual %s, %s s\n", format(ce$primal_residual, digits = 2),
                format(ce$dual_residual, digits = 2), format(ce$seconds, digits = 3)))
  }
  invisible(x)
}

summary.cluster_sdp <- function(object, ...) {
  sizes <- tabulate(object$labels, nbins = object$k)
  tab <- data.frame(size = sizes, weight = as.numeric(object$weights), object$means, check.names = FALSE,
                    row.names = rownames(object$means))
  structure(list(method = object$method, n = object$n, p = object$p, k = object$k, clusters = tab,
                 loglik = object$loglik, df = object$df, bic = object$bic, icl = object$icl,
                 objective = object$objective, certificate = object$certificate, messages = object$messages,
                 call = object$call),
            class = "summary.cluster_sdp")
}

print.summary.cluster_sdp <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Call:\n")
  print(x$call)
  cat(sprintf("\nSDP clustering (method \"%s\"): n = %d, p = %d, k = %d\n\n", x$method, x$n, x$p, x$k))
  cat("Clusters (size, weight, mean):\n")
  print(x$clusters, digits = digits)
  cat("\n")
  if (!is.na(x$loglik)) {
    cat(sprintf("Log-likelihood: %s (df = %d), BIC: %s, ICL: %s\n", format(x$loglik, digits = digits), x$df,
                format(x$bic, digits = digits), format(x$icl, digits = digits)))
  }
  cat(sprintf("Objective: %s\n", format(x$objective, digits = digits)))
  ce <- x$certificate
  cat("Solver certificate:\n")
  cert <- data.frame(value = vapply(ce, function(v) format(v, digits = digits), character(1)))
  print(cert)
  if (length(x$messages)) cat("Notes:", paste(x$messages, collapse = "; "), "\n")
  invisible(x)
}

predict.cluster_sdp <- function(object, newdata = NULL, ...) {
  if (is.null(newdata)) return(object$labels)
  cn <- colnames(object$means)
  if (is.data.frame(newdata) && all(cn %in% names(newdata))) newdata <- newdata[, cn, drop = FALSE]
  nx <- cluster_matrix(newdata, "newdata")
  if (ncol(nx) != object$p)
    stop(sprintf("`newdata` must have the %d columns of the training data (%s).", object$p,
                 paste(cn, collapse = ", ")), call. = FALSE)
  if (!is.null(colnames(nx)) && !identical(colnames(nx), cn)) {
    if (all(cn %in% colnames(nx))) nx <- nx[, cn, drop = FALSE]
    else stop(sprintf("`newdata` columns (%s) do not match the training columns (%s).",
                      paste(colnames(nx), collapse = ", "), paste(cn, collapse = ", ")), call. = FALSE)
  }
  cluster_predict_cpp(object$core_method, unname(object$means), as.numeric(object$covariances),
                      as.numeric(object$weights), unname(nx))
}

fitted.cluster_sdp <- function(object, ...) object$labels

logLik.cluster_sdp <- function(object, ...) {
  if (is.na(object$loglik))
    stop(sprintf("The log-likelihood is not defined for method \"%s\" (only for method = \"gmm\").",
                 object$method), call. = FALSE)
  structure(object$loglik, df = object$df, nobs = object$n, class = "logLik")
}

nobs.cluster_sdp <- function(object, ...) object$n

# Points of the level-`level` ellipse of N(mu, s) (2-D).
cluster_ellipse <- function(mu, s, level = 0.95, npts = 100L) {
  r <- sqrt(stats::qchisq(level, 2))
  e <- eigen(s, symmetric = TRUE)
  a <- seq(0, 2 * pi, length.out = npts)
  circ <- rbind(cos(a), sin(a)) * r
  pts <- e$vectors %*% (sqrt(pmax(e$values, 0)) * circ)
  cbind(pts[1, ] + mu[1], pts[2, ] + mu[2])
}

plot.cluster_sdp <- function(x, data = NULL, which = NULL, ellipses = TRUE, level = 0.95, col = NULL, ...) {
  dat <- if (is.null(data)) x$data else cluster_matrix(data, "data")
  if (is.null(dat)) stop("The fit holds no data; pass `data`.", call. = FALSE)
  if (nrow(dat) != length(x$labels)) stop("`data` must have one row per clustered point.", call. = FALSE)
  if (is.null(which)) which <- seq_len(min(ncol(dat), 6L))
  which <- as.integer(which)
  cn <- colnames(dat)
  if (is.null(cn)) cn <- paste0("x", seq_len(ncol(dat)))
  if (is.null(col)) col <- seq_len(x$k) + 1L
  pcol <- col[x$labels]
  panel <- function(i, j) {
    graphics::plot(dat[, i], dat[, j], col = pcol, pch = 19, cex = 0.6, xlab = cn[i], ylab = cn[j], ...)
    if (ellipses) {
      for (c in seq_len(x$k)) {
        s <- x$covariances[c(i, j), c(i, j), c]
        if (all(is.finite(s)))
          graphics::lines(cluster_ellipse(x$means[c, c(i, j)], s, level), col = col[c], lwd = 1.5)
      }
    }
    graphics::points(x$means[, i], x$means[, j], pch = 4, cex = 1.5, lwd = 2, col = col)
  }
  if (length(which) == 1L) {
    graphics::plot(dat[, which], col = pcol, pch = 19, xlab = "index", ylab = cn[which], ...)
    return(invisible(x))
  }
  if (length(which) == 2L) {
    panel(which[1L], which[2L])
    return(invisible(x))
  }
  m <- length(which)
  op <- graphics::par(mfrow = c(m, m), mar = c(2, 2, 0.5, 0.5), oma = c(1, 1, 2, 1))
  on.exit(graphics::par(op))
  for (a in seq_len(m)) {
    for (b in seq_len(m)) {
      if (a == b) {
        graphics::plot.new()
        graphics::text(0.5, 0.5, cn[which[a]], cex = 1.3)
      } else {
        panel(which[b], which[a])
      }
    }
  }
  graphics::mtext(sprintf("cluster_sdp: method \"%s\", k = %d", x$method, x$k), outer = TRUE, cex = 1)
  invisible(x)
}
