# surv_methods.R -- S3 methods of "surv_mpr" fits: print, summary, predict, anova, simulate, tidy.
# The generic methods coef/vcov/logLik/nobs/confint/glance come from the base class "hetmod_fit".

.surv_block_coefs <- function(object, k) {
  b <- object$blocks[object$blocks$parameter == k, ]
  if (b$size == 0L) return(NULL)
  idx <- seq.int(b$start, length.out = b$size)
  est <- object$coefficients[idx]
  V <- object$vcov
  se <- if (length(V)) sqrt(pmax(diag(V)[idx], 0)) else rep(NA_real_, length(idx))
  z <- est / se
  tab <- cbind(Estimate = est, `Std. Error` = se, `z value` = z,
               `Pr(>|z|)` = 2 * stats::pnorm(-abs(z)))
  rownames(tab) <- .surv_ah_label(object, k, sub(paste0("^", k, ":"), "", names(est)))
  tab
}

.surv_fixed_text <- function(object, k) {
  structural <- k %in% .surv_structural[[object$dist]]
  off <- length(object$offset[[k]]) > 0L
  val <- c(phi = "phi = 1", lambda = "lambda = 1", gamma = "gamma = 1", kappa = "kappa = 0")[[k]]
  if (structural) {
    return(switch(object$dist,
      weibull = "fixed: kappa = 1 (Weibull)",
      exponential = if (k == "gamma") "fixed: gamma = 1 (exponential)" else "fixed: kappa = 1 (exponential)",
      burr = "fixed: kappa = 0 (Burr XII)",
      loglogistic = if (k == "lambda") "fixed: lambda = 1 (log-logistic)" else "fixed: kappa = 0 (log-logistic)",
      pgw = "determined: lambda = kappa/(1 + kappa) (PGW)",
      gompertz = "fixed: kappa = Inf (Gompertz limit)",
      cure_limit = "not a parameter of the cure limit",
      "fixed"))
  }
  if (object$dist %in% c("weibull", "exponential") && k %in% c("phi", "lambda")) {
    return(sprintf("fixed at 1 (confounded with the other scale)%s", if (off) ", plus offset" else ""))
  }
  sprintf("fixed: %s%s (formula ~ 0)", val, if (off) " times exp(offset)" else "")
}

.surv_dist_label <- c(apgw = "APGW", weibull = "Weibull", exponential = "exponential",
                      burr = "Burr XII", loglogistic = "log-logistic", pgw = "PGW",
                      gompertz = "Gompertz", cure_limit = "promotion-time cure limit")

.surv_header <- function(x) {
  cat(sprintf("Parametric survival regression (hetmod::surv_mpr), %s distribution\n",
              .surv_dist_label[[x$dist]]))
  if (!is.null(x$call)) {
    cat("Call: ")
    print(x$call)
  }
  cnt <- x$counts
  extra <- c(if (cnt[["right"]] > 0) sprintf("%d right-censored", cnt[["right"]]),
             if (cnt[["left"]] > 0) sprintf("%d left-censored", cnt[["left"]]),
             if (cnt[["interval"]] > 0) sprintf("%d interval-censored", cnt[["interval"]]),
             if (length(x$response$entry)) "left-truncated (counting process)")
  cat(sprintf("n = %d, events = %d%s\n", x$nobs, cnt[["events"]],
              if (length(extra)) paste0(" (", paste(extra, collapse = ", "), ")") else ""))
  if (!is.null(x$na.action) && length(x$na.action)) {
    cat(sprintf("(%d observation%s deleted due to missingness)\n", length(x$na.action),
                if (length(x$na.action) > 1L) "s" else ""))
  }
}

.surv_par_label <- function(dist, k) {
  lab <- if (dist == "cure_limit") .surv_par_labels$cure_limit else .surv_par_labels$default
  link <- if (dist == "pgw" && k == "kappa") "log" else .surv_links[[k]]
  sprintf("%s, %s link", lab[[k]], link)
}

.surv_footer <- function(x) {
  ll <- x$loglik
  n <- x$nobs
  cat(sprintf("\nLog-likelihood: %s (df = %d)   AIC: %s   AICc: %s   BIC: %s\n", format(ll, digits = 8), x$df,
              format(-2 * ll + 2 * x$df, digits = 8),
              format(-2 * ll + 2 * x$df + .surv_aicc_correction(x$df, n), digits = 8),
              format(-2 * ll + log(n) * x$df, digits = 8)))
  if (!is.null(x$ah)) {
    cat(sprintf("Accelerated hazards (ah): %s; df counts each once\n",
                paste0("lambda:", x$ah$names, " = -phi:", x$ah$names, collapse = ", ")))
  }
  if (!is.null(x$vcov_type)) {
    cat(sprintf("Standard errors: %s\n", if (x$vcov_type == "cluster") {
      "cluster-robust sandwich (no small-sample factor, as survreg)"
    } else "robust sandwich (no small-sample factor, as survreg)"))
  }
  conv <- x$convergence
  cat(sprintf("Convergence: %s%s%s\n", if (isTRUE(conv$converged)) "yes" else "NO",
              if (length(conv$optimizer) && nzchar(conv$optimizer)) paste0(" (", conv$optimizer, ")") else "",
              if (length(conv$reason) && nzchar(conv$reason)) paste0(": ", conv$reason) else ""))
  if (length(x$flags)) {
    cat(sprintf("Boundary flags: %s\n", paste(x$flags, collapse = ", ")))
  }
}

print.surv_mpr <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  .surv_header(x)
  for (k in .surv_pars) {
    tab <- .surv_block_coefs(x, k)
    cat(sprintf("\n%s: ", .surv_par_label(x$dist, k)))
    if (is.null(tab)) {
      cat(.surv_fixed_text(x, k), "\n", sep = "")
    } else {
      cat("\n")
      print(stats::setNames(tab[, "Estimate"], rownames(tab)), digits = digits)
    }
  }
  .surv_footer(x)
  invisible(x)
}

summary.surv_mpr <- function(object, ...) {
  tabs <- lapply(.surv_pars, function(k) .surv_block_coefs(object, k))
  names(tabs) <- .surv_pars
  fixed <- vapply(.surv_pars, function(k) if (is.null(tabs[[k]])) .surv_fixed_text(object, k) else "",
                  character(1))
  keep <- c("call", "dist", "nobs", "counts", "na.action", "response", "loglik", "df",
            "convergence", "flags", "blocks", "vcov_type", "ah")
  out <- object[intersect(keep, names(object))]
  out$coef_tables <- tabs
  out$fixed <- fixed
  out$aic <- -2 * object$loglik + 2 * object$df
  out$bic <- -2 * object$loglik + log(object$nobs) * object$df
  out$aicc <- out$aic + .surv_aicc_correction(object$df, object$nobs)
  class(out) <- "summary.surv_mpr"
  out
}

print.summary.surv_mpr <- function(x, digits = max(3L, getOption("digits") - 3L),
                                   signif.stars = getOption("show.signif.stars"), ...) {
  .surv_header(x)
  for (k in .surv_pars) {
    cat(sprintf("\n%s: ", .surv_par_label(x$dist, k)))
    tab <- x$coef_tables[[k]]
    if (is.null(tab)) {
      cat(x$fixed[[k]], "\n", sep = "")
    } else {
      cat("\n")
      stats::printCoefmat(tab, digits = digits, signif.stars = signif.stars, na.print = "NA", ...)
    }
  }
  .surv_footer(x)
  invisible(x)
}

# ------------------------------------------------------------------------------------------------
# predict
# ------------------------------------------------------------------------------------------------

.surv_predict_types <- c(survival = 0L, hazard = 1L, cumhaz = 2L, density = 3L, quantile = 4L,
                         rmst = 5L, cure = 6L, hr = 7L, time_ratio = 8L)

# Designs (X, offsets) for `newdata` from the stored terms/xlevels/contrasts.
.surv_newdesign <- function(object, newdata, what = "newdata") {
  if (is.null(newdata)) return(list(X = object$x, offsets = object$offset, rn = rownames(object$x$lambda)))
  if (!is.data.frame(newdata)) {
    newdata <- tryCatch(as.data.frame(newdata),
                        error = function(e) stop(sprintf("`%s` must be a data frame.", what), call. = FALSE))
  }
  if (nrow(newdata) == 0L) stop(sprintf("`%s` has no rows.", what), call. = FALSE)
  X <- offsets <- list()
  nah <- .surv_ah_q(object)
  for (k in .surv_pars) {
    tt <- stats::delete.response(object$terms[[k]])
    d <- tryCatch(
      .surv_design_one(tt, newdata, xlev = object$xlevels[[k]], contrasts = object$contrasts[[k]],
                       name = k, newdata = TRUE),
      error = function(e) {
        stop(sprintf("Cannot build the design of %s from `%s`: %s", k, what,
                     sub("\\.?$", ".", conditionMessage(e))), call. = FALSE)
      })
    pk <- ncol(object$x[[k]]) - nah * (k %in% c("phi", "lambda"))  # the AH columns are appended below
    if (ncol(d$x) != pk) {
      stop(sprintf("The design of %s from `%s` has %d columns, but the fit has %d.", k, what,
                   ncol(d$x), pk), call. = FALSE)
    }
    X[[k]] <- d$x
    offsets[[k]] <- if (length(object$offset[[k]])) {
      if (length(d$offset)) d$offset else rep(0, nrow(newdata))
    } else d$offset
  }
  if (nah) {
    Xa <- tryCatch(
      .surv_ah_design(object$ah$terms, newdata, xlev = object$ah$xlevels, contrasts = object$ah$contrasts,
                      newdata = TRUE)$x,
      error = function(e) {
        stop(sprintf("Cannot build the accelerated-hazards design from `%s`: %s", what,
                     sub("\\.?$", ".", conditionMessage(e))), call. = FALSE)
      })
    X <- .surv_ah_append(X, Xa)$X
  }
  list(X = X, offsets = offsets, rn = rownames(newdata))
}

.surv_recycle_design <- function(des, n, what) {
  m <- nrow(des$X$phi)
  if (m == n) return(des)
  if (m != 1L) stop(sprintf("`%s` must have one row or as many rows as `newdata` (%d).", what, n), call. = FALSE)
  idx <- rep(1L, n)
  des$X <- lapply(des$X, function(x) x[idx, , drop = FALSE])
  des$offsets <- lapply(des$offsets, function(o) if (length(o)) o[idx] else o)
  des
}

predict.surv_mpr <- function(object, newdata = NULL, type = c("survival", "hazard", "cumhaz", "density",
                                                             "quantile", "rmst", "cure", "hr", "time_ratio"),
                             times = NULL, p = 0.5, reference = NULL, se.fit = FALSE, level = 0.95, ...) {
  type <- match.arg(type)
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    stop("`level` must be a single number strictly between 0 and 1.", call. = FALSE)
  }
  des <- .surv_newdesign(object, newdata)
  n <- nrow(des$X$phi)
  ref <- list(X = list(), offsets = list())
  if (type %in% c("hr", "time_ratio")) {
    if (is.null(reference)) {
      stop(sprintf(paste0("type = \"%s\" compares each row of `newdata` with `reference`: give ",
                          "`reference`, a data frame with one row or one row per row of `newdata`."),
                   type), call. = FALSE)
    }
    ref <- .surv_recycle_design(.surv_newdesign(object, reference, "reference"), n, "reference")
  }
  paired <- FALSE
  if (type %in% c("quantile", "time_ratio")) {
    at <- p
    if (!is.numeric(at) || !length(at) || anyNA(at) || any(at <= 0 | at >= 1)) {
      stop("`p` must be probabilities strictly between 0 and 1.", call. = FALSE)
    }
    lab <- paste0("p=", format(at, trim = TRUE, drop0trailing = TRUE))
  } else if (type == "cure") {
    at <- numeric(0)
    lab <- "cure"
  } else {
    at <- times
    if (is.null(at)) {
      if (type == "rmst") stop("type = \"rmst\" needs `times`, the restriction horizons.", call. = FALSE)
      if (!is.null(newdata)) {
        stop(sprintf("type = \"%s\" with `newdata` needs `times`.", type), call. = FALSE)
      }
      at <- object$response$time  # each observation at its own follow-up time
      paired <- TRUE
    }
    if (!is.numeric(at) || !length(at) || anyNA(at) || any(at <= 0) || any(!is.finite(at))) {
      stop("`times` must be positive finite numbers.", call. = FALSE)
    }
    lab <- paste0("t=", format(at, trim = TRUE, drop0trailing = TRUE))
  }
  V <- object$vcov
  if (!length(V)) V <- matrix(NA_real_, length(object$coefficients), length(object$coefficients))
  res <- surv_predict_cpp(unname(object$coefficients), unname(V), object$dist,
                          as.integer(object$blocks$size), unname(des$X), unname(des$offsets),
                          as.numeric(at), .surv_predict_types[[type]], level, unname(ref$X),
                          unname(ref$offsets), paired)
  # Predictions for the fit's own rows follow its na.action: na.exclude pads the excluded rows with NA.
  pad <- if (is.null(newdata) && !is.null(object$na.action)) function(v) stats::napredict(object$na.action, v)
         else identity
  shape <- function(m) {
    m <- as.matrix(m)
    if (paired || ncol(m) == 1L) {
      v <- as.numeric(m)
      names(v) <- des$rn
      return(pad(v))
    }
    dimnames(m) <- list(des$rn, lab[seq_len(ncol(m))])
    pad(m)
  }
  if (!isTRUE(se.fit)) return(shape(res$estimate))
  list(fit = shape(res$estimate), se.fit = shape(res$se), lower = shape(res$lower),
       upper = shape(res$upper), level = level)
}

# ------------------------------------------------------------------------------------------------
# anova: likelihood-ratio tests for nested fits
# ------------------------------------------------------------------------------------------------

anova.surv_mpr <- function(object, ...) {
  fits <- c(list(object), list(...))
  is_fit <- vapply(fits, inherits, logical(1), what = "surv_mpr")
  if (!all(is_fit)) stop("All arguments of anova() must be surv_mpr fits.", call. = FALSE)
  nm <- vapply(as.list(match.call())[-1L], function(e) paste(deparse(e), collapse = ""), "")
  nm <- nm[seq_along(fits)]
  if (length(fits) == 1L) {
    stop(paste0("anova() for a single surv_mpr fit is not defined; give two or more nested fits ",
                "(e.g. anova(fit0, fit1))."), call. = FALSE)
  }
  n <- vapply(fits, function(f) f$nobs, 1)
  if (length(unique(n)) > 1L) {
    stop("The fits use different numbers of observations; LRTs need the same data.", call. = FALSE)
  }
  y1 <- fits[[1L]]$response
  same_y <- vapply(fits, function(f) isTRUE(all.equal(f$response[c("time", "time2", "status", "entry")],
                                                      y1[c("time", "time2", "status", "entry")])), TRUE)
  if (!all(same_y)) stop("The fits have different responses; LRTs need the same data.", call. = FALSE)
  df <- vapply(fits, function(f) f$df, 1)
  ord <- order(df)
  fits <- fits[ord]
  nm <- nm[ord]
  df <- df[ord]
  ll <- vapply(fits, function(f) f$loglik, 1)
  dists <- vapply(fits, function(f) f$dist, "")
  ddf <- c(NA, diff(df))
  stat <- ifelse(is.na(ddf) | ddf <= 0, NA_real_, c(NA, 2 * diff(ll)))  # no test between equal-size fits
  pval <- ifelse(ddf > 0, stats::pchisq(pmax(stat, 0), ddf, lower.tail = FALSE), NA_real_)
  tab <- data.frame(Df = df, logLik = ll, AIC = -2 * ll + 2 * df,
                    BIC = -2 * ll + log(n[1L]) * df, LR = stat, `LR Df` = ddf,
                    `Pr(>Chisq)` = pval, check.names = FALSE,
                    row.names = paste("Model", seq_along(fits)))
  heading <- c("Likelihood-ratio tests of nested surv_mpr fits\n",
               paste0("Model ", seq_along(fits), ": ", nm, " [", dists, "]", collapse = "\n"))
  for (i in seq_along(fits)[-1L]) {
    a <- dists[i - 1L]
    b <- dists[i]
    if (ddf[i] == 0) {
      warning(sprintf("Fits %s and %s have the same number of parameters: they are not nested, no test.",
                      nm[i - 1L], nm[i]), call. = FALSE)
    } else if (2 * (ll[i] - ll[i - 1L]) < -1e-6) {
      warning(sprintf(paste0("The larger fit %s has a lower log-likelihood than %s: the fits are not ",
                             "nested or one did not converge."), nm[i], nm[i - 1L]), call. = FALSE)
    }
    pair <- c(a, b)
    if ("apgw" %in% pair && any(c("weibull", "exponential") %in% pair)) {
      warning(paste0("APGW against Weibull/exponential (kappa = 1) is a non-standard LRT: with both ",
                     "scales free lambda is unidentified under the null (spec 2.5), so the chi-squared ",
                     "p-value is not valid; compare by AIC or fit APGW with one scale fixed."),
              call. = FALSE)
    }
    if ("cure_limit" %in% pair) {
      warning(paste0("The cure limit sits on the boundary kappa = -1: the chi-squared reference ",
                     "distribution of the LRT is not valid."), call. = FALSE)
    }
  }
  attr(tab, "dist") <- dists
  structure(tab, heading = heading, class = c("anova", "data.frame"))
}

# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------

# Censoring times from the reverse Kaplan-Meier estimate G of the observed (right) censoring,
# by inversion of uniforms u: the smallest time with G(t) <= u, or the largest follow-up time.
.surv_cens_from_km <- function(time, status, u) {
  km <- survival::survfit(survival::Surv(time, 1L - pmin(status, 1L)) ~ 1)
  tt <- km$time
  G <- km$surv
  idx <- findInterval(-u, -G, left.open = TRUE) + 1L  # first index with G <= u
  cens <- ifelse(idx <= length(tt), tt[pmin(idx, length(tt))], max(time))
  cens
}

simulate.surv_mpr <- function(object, nsim = 1, seed = NULL, newdata = NULL,
                              censoring = c("observed", "none", "administrative"), cens_time = NULL,
                              coef = NULL, ...) {
  censoring <- match.arg(censoring)
  # A specified model: the fit's structure (distribution, parameter formulas) with other coefficients.
  b <- object$coefficients
  if (!is.null(coef)) {
    if (!is.numeric(coef) || length(coef) != length(b) || any(!is.finite(coef))) {
      stop(sprintf("`coef` must be %d finite numbers in the order of coef(object): %s.", length(b),
                   paste(names(b), collapse = ", ")), call. = FALSE)
    }
    if (!is.null(names(coef)) && !identical(names(coef), names(b))) {
      stop("The names of `coef` must be those of coef(object), in that order.", call. = FALSE)
    }
    b <- stats::setNames(as.numeric(coef), names(b))
  }
  if (!is.numeric(nsim) || length(nsim) != 1L || is.na(nsim) || nsim < 1 || nsim != round(nsim)) {
    stop("`nsim` must be a single whole number >= 1.", call. = FALSE)
  }
  if (is.null(seed)) {
    seed <- floor(stats::runif(1L, 0, 2^31))  # R-level draw only; the core uses hetmod's own RNG
  } else if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed < 0 || seed != round(seed) ||
             seed > 2^53) {
    stop("`seed` must be a single whole number in [0, 2^53].", call. = FALSE)
  }
  des <- .surv_newdesign(object, newdata)
  n <- nrow(des$X$phi)
  if (censoring == "administrative") {
    if (!is.numeric(cens_time) || !(length(cens_time) %in% c(1L, n)) || anyNA(cens_time) ||
        any(cens_time <= 0)) {
      stop("censoring = \"administrative\" needs `cens_time`: positive times (one, or one per row).",
           call. = FALSE)
    }
    cens_time <- rep_len(as.numeric(cens_time), n)
  }
  if (censoring == "observed") {
    if (!is.null(newdata)) {
      stop("censoring = \"observed\" uses the fit's own rows; with `newdata` use \"administrative\" or \"none\".",
           call. = FALSE)
    }
    if (any(object$response$status >= 2L)) {
      stop(paste0("censoring = \"observed\" needs right-censored data; for left/interval-censored ",
                  "fits use \"administrative\" or \"none\"."), call. = FALSE)
    }
  }
  nu <- if (censoring == "observed") n else 0L
  out <- vector("list", nsim)
  for (i in seq_len(nsim)) {
    r <- surv_simulate_cpp(unname(des$X), unname(des$offsets), object$dist, unname(b), seed, i - 1, nu)
    t <- r$times
    cens <- switch(censoring,
                   none = rep(Inf, n),
                   administrative = cens_time,
                   observed = .surv_cens_from_km(object$response$time, object$response$status, r$u))
    obs <- pmin(t, cens)
    st <- as.integer(t <= cens)
    if (censoring == "none" && any(!is.finite(t))) {
      stop("Some simulated subjects are cured (infinite times): choose a censoring scheme.", call. = FALSE)
    }
    out[[i]] <- survival::Surv(obs, st)
  }
  names(out) <- paste0("sim_", seq_len(nsim))
  res <- data.frame(row.names = des$rn %||% seq_len(n))
  for (i in seq_len(nsim)) res[[names(out)[i]]] <- out[[i]]
  attr(res, "seed") <- seed
  res
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# ------------------------------------------------------------------------------------------------
# tidy: the base method plus the parameter and term columns
# ------------------------------------------------------------------------------------------------

tidy.surv_mpr <- function(x, conf.int = FALSE, conf.level = 0.95, ...) {
  est <- x$coefficients
  se <- if (length(x$vcov)) sqrt(pmax(diag(x$vcov), 0)) else rep(NA_real_, length(est))
  z <- est / se
  par <- sub(":.*$", "", names(est))
  term <- sub("^[^:]*:", "", names(est))
  out <- data.frame(parameter = par, term = term, estimate = unname(est), std.error = unname(se),
                    statistic = unname(z), p.value = unname(2 * stats::pnorm(-abs(z))),
                    stringsAsFactors = FALSE)
  if (isTRUE(conf.int)) {
    q <- stats::qnorm(1 - (1 - conf.level) / 2)
    out$conf.low <- out$estimate - q * out$std.error
    out$conf.high <- out$estimate + q * out$std.error
  }
  out
}

# ------------------------------------------------------------------------------------------------
# residuals and model.frame
# ------------------------------------------------------------------------------------------------

# Cox-Snell r_i = H(t_i | x_i) - H(entry_i | x_i) (a unit-exponential sample, censored where the row is,
# when the model is right), martingale d_i - r_i and deviance residuals, for right-censored and
# counting-process rows; padded by na.exclude like predict().
residuals.surv_mpr <- function(object, type = c("martingale", "deviance", "coxsnell"), ...) {
  type <- match.arg(type)
  r <- object$response
  if (any(r$status >= 2L)) {
    stop(paste0("Residuals are defined here for right-censored and counting-process data; the fit has ",
                "left- or interval-censored rows."), call. = FALSE)
  }
  core <- function(at) {
    surv_predict_cpp(unname(object$coefficients), unname(.surv_model_vcov(object)), object$dist,
                     as.integer(object$blocks$size), unname(object$x), unname(object$offset), as.numeric(at),
                     .surv_predict_types[["cumhaz"]], 0.95, list(), list(), TRUE)$estimate
  }
  H <- as.numeric(core(r$time))
  if (length(r$entry) && any(r$entry > 0)) {
    He <- numeric(length(H))
    pos <- r$entry > 0
    He[pos] <- as.numeric(core(ifelse(pos, r$entry, r$time)))[pos]
    H <- H - He
  }
  d <- as.numeric(r$status == 1L)
  res <- switch(type,
    coxsnell = H,
    martingale = d - H,
    deviance = {
      m <- d - H
      sign(m) * sqrt(-2 * (m + ifelse(d > 0, d * log(pmax(d - m, .Machine$double.xmin)), 0)))
    })
  names(res) <- rownames(object$x$lambda) %||% rownames(object$frame)
  if (!is.null(object$na.action)) res <- stats::naresid(object$na.action, res)
  res
}

model.frame.surv_mpr <- function(formula, ...) {
  if (is.null(formula$frame)) {
    stop("The fit has no model frame: refit with surv_mpr(..., model = TRUE) (the default).", call. = FALSE)
  }
  formula$frame
}
