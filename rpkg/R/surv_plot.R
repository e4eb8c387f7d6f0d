# surv_plot.R -- plot.surv_mpr: fitted survival or hazard curves with pointwise confidence bands, one
# per covariate pattern, overlaid on Kaplan-Meier estimates of the matching subgroups (base graphics).

.surv_palette <- c("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02", "#A6761D",
                   "#666666")

# Unique covariate patterns of the fit's designs: list(index of a representative row, group id).
.surv_patterns <- function(object) {
  M <- do.call(cbind, c(unname(object$x), lapply(object$offset, function(o) if (length(o)) o)))
  if (is.null(M) || ncol(M) == 0L) M <- matrix(0, object$nobs, 1L)
  key <- apply(M, 1L, function(r) paste(format(r, digits = 12), collapse = "\r"))
  ukey <- unique(key)
  list(group = match(key, ukey), rep = match(ukey, key))
}

.surv_pattern_labels <- function(object, rows) {
  if (is.null(object$frame)) return(paste("pattern", seq_along(rows)))
  mf <- object$frame
  vars <- unique(unlist(lapply(object$terms, function(tt) all.vars(stats::delete.response(tt)))))
  vars <- intersect(vars, names(mf))
  if (!length(vars)) return(paste("pattern", seq_along(rows)))
  vapply(rows, function(i) paste(paste0(vars, "=", vapply(vars, function(v) format(mf[[v]][i]), "")),
                                 collapse = ", "), "")
}

plot.surv_mpr <- function(x, newdata = NULL, type = c("survival", "hazard", "cumhaz"), times = NULL,
                          ci = TRUE, level = 0.95, km = TRUE, max_patterns = 6L, col = NULL,
                          xlab = "Time", ylab = NULL, main = NULL, legend = TRUE, ...) {
  type <- match.arg(type)
  tmax <- max(c(x$response$time, x$response$time2[is.finite(x$response$time2)]))
  if (is.null(times)) times <- seq(tmax / 200, tmax, length.out = 200L)
  if (!is.numeric(times) || anyNA(times) || any(times <= 0)) {
    stop("`times` must be positive numbers.", call. = FALSE)
  }
  marginal <- FALSE
  if (is.null(newdata)) {
    pat <- .surv_patterns(x)
    if (length(pat$rep) > max_patterns) {
      marginal <- TRUE
      message(sprintf(paste0("plot.surv_mpr: %d covariate patterns (more than max_patterns = %d); ",
                             "showing the average of the fitted curves over all observations ",
                             "(no band). Use `newdata` to choose patterns."),
                      length(pat$rep), max_patterns))
    }
    rows <- pat$rep
    labels <- .surv_pattern_labels(x, rows)
  } else {
    rows <- seq_len(nrow(newdata))
    labels <- if (!is.null(rownames(newdata))) rownames(newdata) else paste("row", rows)
    km <- FALSE
  }
  if (is.null(col)) col <- rep_len(.surv_palette, length(rows))
  ylab <- ylab %||% switch(type, survival = "Survival probability", hazard = "Hazard",
                           cumhaz = "Cumulative hazard")
  main <- main %||% sprintf("%s fit (%s)", .surv_dist_label[[x$dist]], type)
  curves <- list()
  if (marginal) {
    est <- predict.surv_mpr(x, type = type, times = times, newdata = NULL)
    if (is.null(dim(est))) est <- matrix(est, nrow = 1L)
    curves[[1L]] <- list(fit = colMeans(est, na.rm = TRUE), lower = NULL, upper = NULL)  # na.exclude: NA rows
    labels <- "average over observations"
    col <- col[1L]
  } else {
    nd <- if (is.null(newdata)) NULL else newdata
    for (j in seq_along(rows)) {
      if (is.null(nd)) {
        des <- list(X = lapply(x$x, function(m) m[rows[j], , drop = FALSE]),
                    offsets = lapply(x$offset, function(o) if (length(o)) o[rows[j]] else o))
        res <- surv_predict_cpp(unname(x$coefficients), unname(x$vcov), x$dist, as.integer(x$blocks$size),
                                unname(des$X), unname(des$offsets), as.numeric(times),
                                .surv_predict_types[[type]], level, list(), list(), FALSE)
        curves[[j]] <- list(fit = as.numeric(res$estimate), lower = as.numeric(res$lower),
                            upper = as.numeric(res$upper))
      } else {
        pr <- predict.surv_mpr(x, newdata = nd[rows[j], , drop = FALSE], type = type, times = times,
                               se.fit = TRUE, level = level)
        curves[[j]] <- list(fit = as.numeric(pr$fit), lower = as.numeric(pr$lower),
                            upper = as.numeric(pr$upper))
      }
    }
  }
  kmfit <- NULL
  if (km && type != "hazard") {
    y <- x$y
    if (marginal || length(rows) == 1L) {
      kmfit <- survival::survfit(y ~ 1)
    } else {
      grp <- factor(.surv_patterns(x)$group)
      kmfit <- survival::survfit(y ~ grp)
    }
  }
  allv <- unlist(lapply(curves, function(cv) c(cv$fit, if (ci) c(cv$lower, cv$upper))))
  allv <- allv[is.finite(allv)]
  ylim <- if (type == "survival") c(0, 1) else c(0, max(allv, 0, na.rm = TRUE))
  if (type == "cumhaz" && !is.null(kmfit)) {
    ylim[2L] <- max(ylim[2L], -log(pmax(kmfit$surv, 1e-12))[is.finite(-log(kmfit$surv))], na.rm = TRUE)
  }
  graphics::plot(NA, xlim = c(0, max(times)), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
  for (j in seq_along(curves)) {
    cv <- curves[[j]]
    if (ci && !is.null(cv$lower) && all(is.finite(c(cv$lower, cv$upper)))) {
      graphics::polygon(c(times, rev(times)), c(cv$lower, rev(cv$upper)), border = NA,
                        col = paste0(col[j], "40"))
    }
    graphics::lines(times, cv$fit, col = col[j], lwd = 2)
  }
  if (!is.null(kmfit)) {
    kcol <- if (marginal || length(rows) == 1L) col[1L] else col[seq_along(rows)]
    fun <- if (type == "cumhaz") "cumhaz" else NULL
    if (is.null(fun)) {
      graphics::lines(kmfit, col = kcol, lty = 2, conf.int = FALSE, mark.time = FALSE)
    } else {
      graphics::lines(kmfit, col = kcol, lty = 2, conf.int = FALSE, mark.time = FALSE, fun = fun)
    }
  }
  if (legend && length(labels)) {
    graphics::legend(if (type == "survival") "topright" else "topleft",
                     legend = c(labels, if (!is.null(kmfit)) "Kaplan-Meier (dashed)"),
                     col = c(col[seq_along(labels)], if (!is.null(kmfit)) "black"),
                     lty = c(rep(1, length(labels)), if (!is.null(kmfit)) 2), bty = "n", cex = 0.8)
  }
  invisible(list(times = times, curves = curves, labels = labels, km = kmfit))
}
