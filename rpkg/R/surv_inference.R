# surv_inference.R -- inference helpers of "surv_mpr" fits: vcov types (model / sandwich / cluster),
# confint (Wald or profile likelihood, also for kappa and the cure fraction), surv_profile() with its
# print/plot methods, AICc and glance. The statistics are in the C++ core (src/survival/profile.cpp,
# src/survival/robust.cpp); this file maps R arguments onto it.

# AICc correction term 2k(k+1)/(n-k-1) (Inf when n <= k + 1).
.surv_aicc_correction <- function(k, n) {
  if (is.na(n) || n - k - 1 <= 0) return(Inf)
  2 * k * (k + 1) / (n - k - 1)
}

AICc <- function(object, ...) UseMethod("AICc")

AICc.default <- function(object, ...) {
  ll <- stats::logLik(object)
  k <- attr(ll, "df")
  n <- attr(ll, "nobs")
  if (is.null(n)) n <- stats::nobs(object)
  -2 * as.numeric(ll) + 2 * k + .surv_aicc_correction(k, n)
}

glance.surv_mpr <- function(x, ...) {
  out <- glance.hetmod_fit(x, ...)
  out$AICc <- AICc.default(x)
  out[c("logLik", "AIC", "AICc", "BIC", "df", "nobs", "converged")]
}

# Integer codes 0..G-1 for cluster ids (any atomic vector).
.surv_cluster_codes <- function(id) as.integer(factor(id, exclude = NULL)) - 1L

# Arguments of the core calls that need the data: response, weights, designs.
.surv_core_data <- function(object) {
  r <- object$response
  w <- if (is.null(object$weights)) numeric(0) else as.numeric(object$weights)
  list(time = r$time, time2 = r$time2, status = r$status, entry = r$entry, weights = w,
       X = unname(object$x), offsets = unname(object$offset))
}

.surv_model_vcov <- function(object) {
  V <- if (!is.null(object$vcov_model)) object$vcov_model else object$vcov
  if (!length(V)) V <- matrix(NA_real_, length(object$coefficients), length(object$coefficients))
  V
}

vcov.surv_mpr <- function(object, type = c("model", "sandwich", "cluster"), cluster = NULL, ...) {
  if (missing(type) && is.null(cluster)) return(object$vcov)
  type <- match.arg(type)
  if (!is.null(cluster) && type == "model") type <- "cluster"
  V0 <- .surv_model_vcov(object)
  nm <- names(object$coefficients)
  if (type == "model") {
    dimnames(V0) <- list(nm, nm)
    return(V0)
  }
  cl <- integer(0)
  if (type == "cluster") {
    if (is.null(cluster)) {
      if (is.null(object$cluster)) {
        stop(paste0("type = \"cluster\" needs cluster ids: give `cluster` (one id per row used in the fit) ",
                    "or fit with surv_mpr(..., cluster = id)."), call. = FALSE)
      }
      cl <- object$cluster
    } else {
      if (length(cluster) != length(object$response$time)) {
        stop(sprintf("`cluster` has length %d, but the fit uses %d rows.", length(cluster),
                     length(object$response$time)), call. = FALSE)
      }
      if (anyNA(cluster)) stop("`cluster` has missing values.", call. = FALSE)
      cl <- .surv_cluster_codes(cluster)
    }
  }
  if (anyNA(V0)) {
    V <- matrix(NA_real_, length(nm), length(nm))
  } else {
    d <- .surv_core_data(object)
    V <- surv_robust_vcov_cpp(d$time, d$time2, d$status, d$entry, d$weights, d$X, d$offsets,
                              object$dist, unname(object$coefficients), unname(V0),
                              as.integer(object$blocks$size), as.integer(cl))
  }
  dimnames(V) <- list(nm, nm)
  V
}

# Resolves `parm` into targets: list of (label, kind, index, transform). Coefficient names or indices,
# "kappa" (the APGW's kappa intercept on the kappa scale) and "cure" (cure fraction at `newdata`).
.surv_targets <- function(object, parm, newdata) {
  cf <- object$coefficients
  if (missing(parm) || is.null(parm)) parm <- seq_along(cf)
  out <- list()
  for (p in as.list(parm)) {
    if (is.numeric(p)) {
      if (p < 1 || p > length(cf) || p != round(p)) {
        stop(sprintf("`parm` index %s is out of range 1..%d.", format(p), length(cf)), call. = FALSE)
      }
      out[[length(out) + 1L]] <- list(label = names(cf)[p], kind = 0L, index = as.integer(p) - 1L,
                                      trans = identity)
    } else if (identical(p, "kappa")) {
      kb <- object$blocks[object$blocks$parameter == "kappa", ]
      if (kb$size != 1L || object$dist != "apgw" || colnames(object$x$kappa)[1L] != "(Intercept)" ||
          length(object$offset$kappa)) {
        stop(paste0("parm = \"kappa\" needs an APGW fit with kappa = ~ 1; otherwise name a ",
                    "coefficient, e.g. \"kappa:(Intercept)\" (log(1 + kappa) scale)."), call. = FALSE)
      }
      out[[length(out) + 1L]] <- list(label = "kappa", kind = 0L, index = kb$start - 1L, trans = expm1)
    } else if (identical(p, "cure")) {
      if (!object$dist %in% c("apgw", "cure_limit")) {
        stop(sprintf("parm = \"cure\" needs dist = \"apgw\" or \"cure_limit\" (the %s has no cure fraction).",
                     object$dist), call. = FALSE)
      }
      des <- .surv_cure_pattern(object, newdata)
      out[[length(out) + 1L]] <- list(label = "cure", kind = 1L, index = 0L, trans = identity, des = des)
    } else if (is.character(p) && p %in% names(cf)) {
      out[[length(out) + 1L]] <- list(label = p, kind = 0L, index = match(p, names(cf)) - 1L,
                                      trans = identity)
    } else {
      stop(sprintf(paste0("Unknown `parm` \"%s\": use coefficient names (%s), indices, \"kappa\" or ",
                          "\"cure\"."), format(p), paste(utils::head(names(cf), 4L), collapse = ", ")),
           call. = FALSE)
    }
  }
  out
}

# One-row design for the cure fraction: `newdata` (one row) or, when lambda and kappa have no
# covariates, the intercept pattern.
.surv_cure_pattern <- function(object, newdata) {
  if (is.null(newdata)) {
    covs <- vapply(c("lambda", "kappa"), function(k) {
      x <- object$x[[k]]
      ncol(x) > 0L && any(colnames(x) != "(Intercept)")
    }, TRUE)
    offs <- vapply(c("lambda", "kappa"), function(k) length(object$offset[[k]]) > 0L, TRUE)
    if (any(covs) || any(offs)) {
      stop(paste0("The cure fraction depends on covariates: give `newdata` with the one covariate ",
                  "pattern to profile."), call. = FALSE)
    }
    X <- lapply(object$x, function(x) {
      m <- matrix(1, 1L, ncol(x))
      colnames(m) <- colnames(x)
      m
    })
    return(list(X = unname(X), offsets = rep(list(numeric(0)), 4L)))
  }
  des <- .surv_newdesign(object, newdata)
  if (nrow(des$X$phi) != 1L) stop("`newdata` must have exactly one row for the cure fraction.", call. = FALSE)
  list(X = unname(des$X), offsets = unname(des$offsets))
}

.surv_profile_call <- function(object, tg, level, values, control) {
  if (.surv_ah_q(object) > 0L) {
    stop(paste0("Profile likelihoods are not available for fits with `ah` (accelerated hazards); use ",
                "Wald intervals (confint(fit, method = \"wald\"))."), call. = FALSE)
  }
  d <- .surv_core_data(object)
  des <- if (tg$kind == 1L) tg$des else list(X = list(), offsets = list())
  surv_profile_cpp(d$time, d$time2, d$status, d$entry, d$weights, d$X, d$offsets, object$dist,
                   unname(object$coefficients), unname(.surv_model_vcov(object)),
                   as.integer(object$blocks$size), tg$kind, tg$index, des$X, des$offsets, level,
                   as.numeric(values), control)
}

confint.surv_mpr <- function(object, parm, level = 0.95, method = c("wald", "profile"), newdata = NULL,
                             control = list(), ...) {
  method <- match.arg(method)
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    stop("`level` must be a single number strictly between 0 and 1.", call. = FALSE)
  }
  tgs <- .surv_targets(object, if (missing(parm)) NULL else parm, newdata)
  a <- (1 - level) / 2
  pct <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  ci <- matrix(NA_real_, length(tgs), 2L, dimnames = list(vapply(tgs, `[[`, "", "label"), pct))
  kinds <- matrix("found", length(tgs), 2L, dimnames = list(rownames(ci), c("lower", "upper")))
  notes <- character(0)
  V <- object$vcov
  for (i in seq_along(tgs)) {
    tg <- tgs[[i]]
    if (method == "wald") {
      if (tg$kind == 1L) {
        res <- surv_predict_cpp(unname(object$coefficients), unname(V), object$dist,
                                as.integer(object$blocks$size), tg$des$X, tg$des$offsets, numeric(0),
                                .surv_predict_types[["cure"]], level, list(), list(), FALSE)
        pr <- c(res$lower[1L], res$upper[1L])
        ci[i, ] <- pr
      } else {
        j <- tg$index + 1L
        se <- sqrt(V[j, j])
        ci[i, ] <- tg$trans(object$coefficients[[j]] + c(-1, 1) * stats::qnorm(1 - a) * se)
      }
      next
    }
    ctl <- if (length(control)) control else list()
    r <- .surv_profile_call(object, tg, level, numeric(0), ctl)
    lo <- r$lower
    hi <- r$upper
    ci[i, ] <- c(tg$trans(lo), tg$trans(hi))
    kinds[i, ] <- c(r$lower_kind, r$upper_kind)
    if (nzchar(r$note)) notes <- c(notes, sprintf("%s: %s", tg$label, r$note))
  }
  if (method == "profile") {
    attr(ci, "bound") <- kinds
    if (any(kinds == "unbounded")) {
      message(paste0("confint: some profile-likelihood intervals are unbounded (the profile stays above ",
                     "the cut-off up to the limit of the parameter space); those ends are reported as the ",
                     "limit (-Inf/Inf; kappa: -1/Inf; cure fraction: 0/1). See attr(, \"bound\")."))
    }
    if (any(kinds == "failed")) {
      warning(sprintf("confint: profile interval ends could not be determined (NA): %s",
                      paste(notes, collapse = "; ")), call. = FALSE)
    }
    if (length(notes)) attr(ci, "notes") <- notes
  }
  ci
}

surv_profile <- function(fit, parm, values = NULL, level = 0.95, newdata = NULL, n = 21L,
                         control = list()) {
  if (!inherits(fit, "surv_mpr")) stop("`fit` must be a surv_mpr fit.", call. = FALSE)
  if (missing(parm) || length(parm) != 1L) stop("`parm` must name one coefficient, \"kappa\" or \"cure\".",
                                                call. = FALSE)
  tg <- .surv_targets(fit, parm, newdata)[[1L]]
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    stop("`level` must be a single number strictly between 0 and 1.", call. = FALSE)
  }
  ci <- .surv_profile_call(fit, tg, level, numeric(0), control)
  # values are on the profiled scale: the coefficient (kappa: log(1 + kappa)) or the cure fraction.
  if (is.null(values)) {
    if (!is.numeric(n) || length(n) != 1L || n < 3) stop("`n` must be a number >= 3.", call. = FALSE)
    est <- ci$estimate
    lo <- ci$lower
    hi <- ci$upper
    span <- c(if (is.finite(lo)) est - lo, if (is.finite(hi)) hi - est)
    w <- if (length(span)) 1.3 * max(span) else 1
    a <- if (is.finite(lo)) est - 1.3 * (est - lo) else est - w
    b <- if (is.finite(hi)) est + 1.3 * (hi - est) else est + w
    if (tg$kind == 1L) {
      a <- max(a, 1e-6)
      b <- min(b, 1 - 1e-6)
    }
    values <- seq(a, b, length.out = as.integer(n))
  } else if (!is.numeric(values) || anyNA(values) || any(!is.finite(values))) {
    stop("`values` must be finite numbers.", call. = FALSE)
  }
  pr <- .surv_profile_call(fit, tg, level, values, control)
  cur <- data.frame(value = pr$value, loglik = pr$loglik, z = pr$z, converged = pr$converged)
  if (!identical(tg$trans, identity)) cur$kappa <- tg$trans(cur$value)
  structure(list(parm = tg$label, curve = cur, estimate = ci$estimate, loglik_max = ci$loglik_max,
                 level = level, lower = ci$lower, upper = ci$upper,
                 bound = c(lower = ci$lower_kind, upper = ci$upper_kind), note = ci$note,
                 scale = if (tg$kind == 1L) "cure fraction" else if (tg$label == "kappa") "log(1 + kappa)"
                         else "coefficient"),
            class = "surv_profile")
}

print.surv_profile <- function(x, digits = 5L, ...) {
  cat(sprintf("Profile likelihood of %s (%s scale)\n", x$parm, x$scale))
  cat(sprintf("estimate %s, log-likelihood %s\n", format(x$estimate, digits = digits),
              format(x$loglik_max, digits = digits + 3L)))
  cat(sprintf("%g%% profile CI: [%s, %s] (%s, %s)\n", 100 * x$level, format(x$lower, digits = digits),
              format(x$upper, digits = digits), x$bound[["lower"]], x$bound[["upper"]]))
  if (nzchar(x$note)) cat("Note:", x$note, "\n")
  cat(sprintf("%d profile points (see $curve)\n", nrow(x$curve)))
  invisible(x)
}

plot.surv_profile <- function(x, what = c("z", "loglik"), ...) {
  what <- match.arg(what)
  cv <- x$curve
  q <- sqrt(stats::qchisq(x$level, 1))
  if (what == "z") {
    graphics::plot(cv$value, cv$z, type = "b", pch = ifelse(cv$converged, 19, 4), xlab = x$parm,
                   ylab = "signed root of 2 (l_max - l_p)", ...)
    graphics::abline(h = c(-q, 0, q), lty = c(2, 3, 2), col = "grey40")
  } else {
    graphics::plot(cv$value, cv$loglik, type = "b", pch = ifelse(cv$converged, 19, 4), xlab = x$parm,
                   ylab = "profile log-likelihood", ...)
    graphics::abline(h = x$loglik_max - q^2 / 2, lty = 2, col = "grey40")
  }
  graphics::abline(v = c(x$lower, x$upper)[is.finite(c(x$lower, x$upper))], lty = 3, col = "red")
  invisible(x)
}
