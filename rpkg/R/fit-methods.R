# fit-methods.R -- the base class of every fitted model: a classed plain list c("<family>", "hetmod_fit").
#
# Elements (all families): coefficients (named numeric), vcov (matrix with dimnames), loglik, df, nobs,
# convergence (list: converged, code, optimizer, reason, iterations, grad_norm), call, family, model;
# families add their own elements after these. Plain lists survive saveRDS()/readRDS() unchanged.
# Methods here: print, summary (+ print), coef, vcov, logLik (df and nobs attributes, so AIC() and
# BIC() work), nobs, confint (Wald), and tidy/glance (generics). Non-convergence is a result: print
# and summary show it, and family constructors call hetmod_warn_convergence() to warn.

.fit_fields <- c("coefficients", "vcov", "loglik", "df", "nobs", "convergence", "call", "family", "model")
.conv_fields <- c("converged", "code", "optimizer", "reason", "iterations", "grad_norm")

# Internal constructor: validates and builds a "hetmod_fit".
#   coefficients  named numeric vector (length p)
#   vcov          p x p numeric matrix, or NULL (all NA); dimnames are set to names(coefficients)
#   loglik        single number (NA when not available)
#   df            number of free parameters (default p)
#   nobs          number of observations
#   convergence   list with at least `converged`; missing fields are filled with NA
#   class         family class(es), put before "hetmod_fit"
#   ...           family-specific named elements, appended after the common ones
new_hetmod_fit <- function(coefficients, vcov = NULL, loglik = NA_real_, df = length(coefficients),
                           nobs = NA_integer_, convergence = list(converged = TRUE), call = NULL,
                           family = NA_character_, model = NA_character_, class = character(), ...) {
  if (!is.numeric(coefficients) || !is.null(dim(coefficients)))
    stop("`coefficients` must be a numeric vector.", call. = FALSE)
  p <- length(coefficients)
  nms <- names(coefficients)
  if (p > 0L && (is.null(nms) || anyNA(nms) || any(!nzchar(nms)) || anyDuplicated(nms)))
    stop("`coefficients` must have unique, non-empty names.", call. = FALSE)
  coefficients <- stats::setNames(as.numeric(coefficients), nms)

  if (is.null(vcov) || length(vcov) == 0L) vcov <- matrix(NA_real_, p, p)
  if (!is.matrix(vcov) || !is.numeric(vcov) || nrow(vcov) != p || ncol(vcov) != p)
    stop(sprintf("`vcov` must be a %d x %d numeric matrix.", p, p), call. = FALSE)
  if (!is.null(dimnames(vcov)) && !all(vapply(dimnames(vcov), function(d) is.null(d) || identical(d, nms), TRUE)))
    stop("The dimnames of `vcov` must equal names(coefficients).", call. = FALSE)
  storage.mode(vcov) <- "double"
  dimnames(vcov) <- list(nms, nms)

  if (!is.numeric(loglik) || length(loglik) != 1L) stop("`loglik` must be a single number.", call. = FALSE)
  if (!is_whole(df) || df < 0) stop("`df` must be a single whole number >= 0.", call. = FALSE)
  if (!(length(nobs) == 1L && is.na(nobs)) && (!is_whole(nobs) || nobs < 0))
    stop("`nobs` must be a single whole number >= 0 (or NA).", call. = FALSE)

  if (!is.list(convergence) || is.null(convergence$converged) || !is.logical(convergence$converged) ||
      length(convergence$converged) != 1L || is.na(convergence$converged))
    stop("`convergence` must be a list with a TRUE/FALSE element `converged`.", call. = FALSE)
  if (!(identical(names(convergence), .conv_fields) && all(lengths(convergence, use.names = FALSE) > 0L))) {
    # (a record that already has every field, in order, needs no filling: modifyList() is the costly step)
    defaults <- list(converged = NA, code = NA_integer_, optimizer = NA_character_, reason = NA_character_,
                     iterations = NA_integer_, grad_norm = NA_real_)
    extra_conv <- convergence[setdiff(names(convergence), .conv_fields)]
    convergence <- c(utils::modifyList(defaults, convergence[intersect(names(convergence), .conv_fields)]),
                     extra_conv)
  }
  convergence$code <- as.integer(convergence$code)
  convergence$iterations <- as.integer(convergence$iterations)
  convergence$grad_norm <- as.numeric(convergence$grad_norm)
  convergence$optimizer <- as.character(convergence$optimizer)
  convergence$reason <- as.character(convergence$reason)

  if (!is.character(family) || length(family) != 1L) stop("`family` must be a single string.", call. = FALSE)
  if (!is.character(model) || length(model) != 1L) stop("`model` must be a single string.", call. = FALSE)
  if (!is.character(class)) stop("`class` must be a character vector.", call. = FALSE)

  extras <- list(...)
  if (length(extras)) {
    en <- names(extras)
    if (is.null(en) || any(!nzchar(en)) || anyDuplicated(en))
      stop("Family-specific elements in `...` must have unique names.", call. = FALSE)
    clash <- intersect(en, .fit_fields)
    if (length(clash))
      stop(sprintf("Element `%s` is a common field of hetmod_fit and cannot be passed in `...`.", clash[1L]),
           call. = FALSE)
  }
  fit <- c(list(coefficients = coefficients, vcov = vcov, loglik = as.numeric(loglik), df = as.integer(df),
                nobs = as.integer(nobs), convergence = convergence, call = call, family = family,
                model = model), extras)
  structure(fit, class = unique(c(class, "hetmod_fit")))
}

# Issues an R warning (class "hetmod_convergence_warning") when a fit did not converge. Family
# constructors call it after building the fit; returns the fit invisibly.
hetmod_warn_convergence <- function(fit) {
  conv <- fit$convergence
  if (!isTRUE(conv$converged)) {
    cond <- structure(class = c("hetmod_convergence_warning", "warning", "condition"),
                      list(message = paste0(fit_label(fit), ": ", convergence_text(conv),
                                            "; estimates and standard errors may be unreliable."),
                           call = NULL))
    warning(cond)
  }
  invisible(fit)
}

fit_label <- function(x) {
  fam <- if (is.character(x$family) && length(x$family) == 1L && !is.na(x$family)) x$family else "hetmod"
  mod <- if (is.character(x$model) && length(x$model) == 1L && !is.na(x$model)) x$model else NULL
  if (is.null(mod) || identical(mod, fam)) fam else sprintf("%s (%s)", fam, mod)
}

convergence_text <- function(conv) {
  if (isTRUE(conv$converged)) {
    bits <- c(if (!is.na(conv$optimizer)) conv$optimizer,
              if (!is.na(conv$iterations)) sprintf("%d iterations", conv$iterations),
              if (!is.na(conv$grad_norm)) sprintf("max |gradient| %.2g", conv$grad_norm))
    return(paste0("converged", if (length(bits)) paste0(" (", paste(bits, collapse = ", "), ")")))
  }
  bits <- c(if (!is.na(conv$reason)) conv$reason,
            if (!is.na(conv$optimizer)) sprintf("optimizer %s", conv$optimizer),
            if (!is.na(conv$code)) sprintf("code %d", conv$code),
            if (!is.na(conv$iterations)) sprintf("%d iterations", conv$iterations),
            if (!is.na(conv$grad_norm)) sprintf("max |gradient| %.2g", conv$grad_norm))
  paste0("the optimiser did NOT converge", if (length(bits)) paste0(" (", paste(bits, collapse = "; "), ")"))
}

fit_se <- function(object) {
  d <- diag(object$vcov)
  se <- rep(NaN, length(d))
  ok <- !is.na(d) & d >= 0
  se[ok] <- sqrt(d[ok])
  se[is.na(d)] <- NA_real_
  stats::setNames(se, names(object$coefficients))
}

fit_coef_table <- function(object) {
  est <- object$coefficients
  se <- fit_se(object)
  z <- est / se
  cbind(Estimate = est, `Std. Error` = se, `z value` = z, `Pr(>|z|)` = 2 * stats::pnorm(-abs(z)))
}

fit_ic <- function(object) {
  ll <- logLik(object)
  c(logLik = as.numeric(ll), AIC = stats::AIC(ll), BIC = if (is.na(object$nobs)) NA_real_ else stats::BIC(ll))
}

print.hetmod_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("hetmod fit: %s\n", fit_label(x)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
  print.default(format(x$coefficients, digits = digits), print.gap = 2L, quote = FALSE)
  ic <- fit_ic(x)
  cat(sprintf("\nlog-likelihood %s (df = %d), AIC %s, BIC %s, n = %s\n", format(ic[["logLik"]], digits = digits + 2L),
              x$df, format(ic[["AIC"]], digits = digits + 2L), format(ic[["BIC"]], digits = digits + 2L),
              format(x$nobs)))
  if (!isTRUE(x$convergence$converged)) cat(sprintf("WARNING: %s\n", convergence_text(x$convergence)))
  invisible(x)
}

summary.hetmod_fit <- function(object, ...) {
  structure(list(label = fit_label(object), call = object$call, coefficients = fit_coef_table(object),
                 ic = fit_ic(object), df = object$df, nobs = object$nobs, convergence = object$convergence),
            class = "summary.hetmod_fit")
}

print.summary.hetmod_fit <- function(x, digits = max(3L, getOption("digits") - 3L),
                                     signif.stars = getOption("show.signif.stars"), ...) {
  cat(sprintf("hetmod fit: %s\n", x$label))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients (Wald tests):\n")
  stats::printCoefmat(x$coefficients, digits = digits, signif.stars = signif.stars, has.Pvalue = TRUE,
                      P.values = TRUE, na.print = "NA")
  cat(sprintf("\nlog-likelihood: %s on %d df,  AIC: %s,  BIC: %s,  observations: %s\n",
              format(x$ic[["logLik"]], digits = digits + 2L), x$df, format(x$ic[["AIC"]], digits = digits + 2L),
              format(x$ic[["BIC"]], digits = digits + 2L), format(x$nobs)))
  if (isTRUE(x$convergence$converged)) {
    cat(sprintf("Convergence: %s\n", convergence_text(x$convergence)))
  } else {
    cat(sprintf("WARNING: %s\n", convergence_text(x$convergence)))
  }
  invisible(x)
}

coef.hetmod_fit <- function(object, ...) object$coefficients

vcov.hetmod_fit <- function(object, ...) object$vcov

logLik.hetmod_fit <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = object$nobs, class = "logLik")
}

nobs.hetmod_fit <- function(object, ...) object$nobs

fit_parm <- function(object, parm) {
  cf <- object$coefficients
  if (missing(parm) || is.null(parm)) return(seq_along(cf))
  if (is.character(parm)) {
    bad <- setdiff(parm, names(cf))
    if (length(bad)) stop(sprintf("Unknown coefficient name(s) in `parm`: %s.", paste(bad, collapse = ", ")),
                          call. = FALSE)
    return(match(parm, names(cf)))
  }
  if (is.numeric(parm) && all(!is.na(parm)) && all(parm == round(parm)) && all(parm >= 1 & parm <= length(cf)))
    return(as.integer(parm))
  stop(sprintf("`parm` must be coefficient names or indices between 1 and %d.", length(cf)), call. = FALSE)
}

confint.hetmod_fit <- function(object, parm, level = 0.95, ...) {
  check_level(level)
  idx <- fit_parm(object, if (missing(parm)) NULL else parm)
  a <- (1 - level) / 2
  q <- stats::qnorm(1 - a)
  est <- object$coefficients[idx]
  se <- fit_se(object)[idx]
  pct <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  ci <- cbind(est - q * se, est + q * se)
  dimnames(ci) <- list(names(est), pct)
  ci
}

tidy.hetmod_fit <- function(x, conf.int = FALSE, conf.level = 0.95, ...) {
  check_flag(conf.int, "conf.int")
  tab <- fit_coef_table(x)
  out <- data.frame(term = names(x$coefficients), estimate = unname(tab[, 1L]), std.error = unname(tab[, 2L]),
                    statistic = unname(tab[, 3L]), p.value = unname(tab[, 4L]), stringsAsFactors = FALSE)
  if (conf.int) {
    ci <- confint.hetmod_fit(x, level = conf.level)
    out$conf.low <- unname(ci[, 1L])
    out$conf.high <- unname(ci[, 2L])
  }
  out
}

glance.hetmod_fit <- function(x, ...) {
  ic <- fit_ic(x)
  data.frame(logLik = ic[["logLik"]], AIC = ic[["AIC"]], BIC = ic[["BIC"]], df = x$df, nobs = x$nobs,
             converged = isTRUE(x$convergence$converged))
}
