# surv_ah.R -- accelerated-hazards (AH) effects of surv_mpr(..., ah = ~ x) (spec/survival.md 1.5).
#
# An AH covariate enters log phi with coefficient tau and log lambda with -tau, so that
# h(t | x) = h0(t exp(x'tau)). The front end appends the AH design (treatment-coded, no intercept) to
# phi's and lambda's designs and passes the column pairs to the core as option "ties"; the core fits the
# reduced coefficient vector and reports the full one (lambda:x = -phi:x) with vcov A V A' and df counting
# each AH coefficient once (src/survival/ties.cpp).

# Distributions where phi and lambda are both free (the tie needs both).
.surv_ah_dists <- c("apgw", "burr", "gompertz", "cure_limit")

# (internal) Validates `ah` against dist and the parameter formulas; returns its terms (intercept on).
.surv_ah_terms <- function(ah, dist, forms) {
  if (dist %in% c("weibull", "exponential")) {
    stop(sprintf(paste0("`ah` (accelerated hazards) needs phi and lambda both free, but dist = \"%s\" has ",
                        "one scale: there h0(t exp(x'tau)) is the PH model with lambda coefficient ",
                        "(gamma - 1) tau (a reparametrisation), so put the covariates in lambda instead."), dist),
         call. = FALSE)
  }
  if (!dist %in% .surv_ah_dists) {
    stop(sprintf(paste0("`ah` (accelerated hazards) needs phi and lambda both free, but dist = \"%s\" fixes ",
                        "lambda; use dist = %s."), dist,
                 paste0("\"", .surv_ah_dists, "\"", collapse = ", ")), call. = FALSE)
  }
  tt <- stats::terms(ah)
  if (length(attr(tt, "term.labels")) == 0L) {
    stop("`ah` must name covariates, e.g. ah = ~ trt.", call. = FALSE)
  }
  if (!is.null(attr(tt, "offset"))) stop("`ah` cannot hold an offset; put it in phi or lambda.", call. = FALSE)
  both <- intersect(all.vars(ah), c(all.vars(forms$phi), all.vars(forms$lambda)))
  if (length(both)) {
    stop(sprintf(paste0("The accelerated-hazards covariate%s %s %s also in phi or lambda: an AH effect ties ",
                        "phi's and lambda's coefficients, so give each covariate to one of ah, phi, lambda."),
                 if (length(both) > 1L) "s" else "", paste(both, collapse = ", "),
                 if (length(both) > 1L) "are" else "is"), call. = FALSE)
  }
  attr(tt, "intercept") <- 1L  # treatment coding as with an intercept; the intercept column is dropped
  tt
}

# (internal) The AH design (n x q, no intercept) of a model frame or newdata.
.surv_ah_design <- function(tt, data, xlev = NULL, contrasts = NULL, newdata = FALSE) {
  d <- .surv_design_one(tt, data, xlev = xlev, contrasts = contrasts, name = "ah", newdata = newdata,
                        xlevels = TRUE)
  X <- d$x[, colnames(d$x) != "(Intercept)", drop = FALSE]
  list(x = X, contrasts = attr(d$x, "contrasts"), xlevels = d$xlev)
}

# (internal) Appends the AH columns to phi and lambda; returns the designs and the core's "ties" vector.
.surv_ah_append <- function(X, Xa) {
  q <- ncol(Xa)
  ties <- as.numeric(rbind(ncol(X$phi) + seq_len(q) - 1L, ncol(X$lambda) + seq_len(q) - 1L))
  X$phi <- cbind(X$phi, Xa)
  X$lambda <- cbind(X$lambda, Xa)
  list(X = X, ties = ties)
}

# (internal) Number of AH columns of a fit (0 without ah).
.surv_ah_q <- function(object) if (is.null(object$ah)) 0L else length(object$ah$names)

# (internal) Row labels of lambda's coefficient table: tied rows marked.
.surv_ah_label <- function(object, k, labels) {
  q <- .surv_ah_q(object)
  if (q == 0L || k != "lambda") return(labels)
  idx <- length(labels) - q + seq_len(q)
  labels[idx] <- paste0(labels[idx], " (AH: = -phi)")
  labels
}
