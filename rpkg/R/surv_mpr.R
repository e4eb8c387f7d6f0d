# surv_mpr.R -- formula front end of the APGW multi-parameter regression family (spec/survival.md).
#
# surv_mpr() turns a survival::Surv() formula plus one formula per parameter (phi, lambda, gamma,
# kappa) into four design matrices and calls the C++ core through the Rcpp glue
# (src/survival_glue.cpp). Everything statistical happens in the core; this file only does formula
# handling, input validation with clear messages, and the bookkeeping that predict()/plot()/
# simulate() need (terms, xlevels, contrasts, the response in the core's coding).

.surv_pars <- c("phi", "lambda", "gamma", "kappa")
.surv_dists <- c("apgw", "weibull", "exponential", "burr", "loglogistic", "pgw", "gompertz",
                 "cure_limit")
# Integer codes of hetmod::survival::Dist (C ABI: HETMOD_SURV_DIST_*).
.surv_dist_code <- c(apgw = 0L, weibull = 1L, exponential = 2L, burr = 3L, loglogistic = 4L,
                     pgw = 5L, gompertz = 6L, cure_limit = 7L)
# Parameters that a distribution fixes structurally (their formula must be ~ 0).
.surv_structural <- list(apgw = character(), weibull = "kappa", exponential = c("gamma", "kappa"),
                         burr = "kappa", loglogistic = c("lambda", "kappa"), pgw = "lambda",
                         gompertz = "kappa", cure_limit = "kappa")
.surv_links <- c(phi = "log", lambda = "log", gamma = "log", kappa = "log(1 + kappa)")
.surv_links_plain <- unname(.surv_links[.surv_pars])
.surv_par_labels <- list(
  default = c(phi = "phi (AFT scale)", lambda = "lambda (PH scale)", gamma = "gamma (power shape)",
              kappa = "kappa (shape selector)"),
  cure_limit = c(phi = "phi = mu (AFT scale)", lambda = "lambda = theta (PH scale)",
                 gamma = "gamma (power shape)", kappa = "kappa (unused)"))

# (internal) The constant 0 or 1 when a formula's right-hand side is literally `0` or `1` (~ 0, ~ 1),
# else NULL: the common fixed and intercept-only formulas are recognised without terms().
.surv_rhs_const <- function(f) {
  r <- f[[length(f)]]
  if (is.numeric(r) && length(r) == 1L && is.null(attributes(r)) && !is.na(r) && (r == 0 || r == 1)) r
}

# (internal) TRUE when a one-sided formula gives no coefficients (~ 0, ~ -1, ~ 0 + offset(w)).
.surv_formula_fixed <- function(f) {
  r <- .surv_rhs_const(f)
  if (!is.null(r)) return(r == 0)
  tt <- .surv_terms(f)
  attr(tt, "intercept") == 0L && length(attr(tt, "term.labels")) == 0L
}
.surv_formula_has_offset <- function(f) {
  is.null(.surv_rhs_const(f)) && !is.null(attr(.surv_terms(f), "offset"))
}

# (internal) The formula ~ 1 (one = TRUE) or ~ 0 with environment `env` (identical() to
# as.formula("~ 1", env = env), without parsing a string).
.surv_const_formula <- function(one, env) {
  f <- if (one) ~ 1 else ~ 0
  environment(f) <- env
  f
}

.surv_check_formula <- function(f, name) {
  if (is.character(f) && length(f) == 1L) f <- stats::as.formula(f)
  if (!inherits(f, "formula")) {
    stop(sprintf("`%s` must be a one-sided formula such as ~ 1, ~ x or ~ 0.", name), call. = FALSE)
  }
  if (length(f) == 3L) {
    stop(sprintf("`%s` must be a one-sided formula (no left-hand side), e.g. %s = ~ x.", name, name),
         call. = FALSE)
  }
  f
}

# The one-sided formula of the main formula's right-hand side (the lambda default), with the dot
# expanded against `data` (minus the response variables).
.surv_main_rhs <- function(formula, data) {
  env <- environment(formula)
  rhs <- formula
  rhs[[2L]] <- NULL
  if ("." %in% all.vars(rhs)) {
    if (is.null(data)) stop("`.` in the formula needs a `data` argument.", call. = FALSE)
    resp <- all.vars(formula[[2L]])
    tt <- stats::terms(rhs, data = data[setdiff(names(data), resp)])
    rhs <- stats::formula(tt)
  }
  environment(rhs) <- env
  rhs
}

# Parameter formulas per distribution: the defaults documented in ?surv_mpr, the checks for
# structurally fixed parameters, and the phi/lambda rule for the Weibull and exponential.
.surv_par_formulas <- function(dist, rhs, given) {
  env <- environment(rhs)
  zero <- .surv_const_formula(FALSE, env)
  one <- .surv_const_formula(TRUE, env)
  # Covariates (terms, or an offset on a free intercept) on the main formula's right-hand side.
  rhs_has_cov <- !.surv_formula_fixed(rhs) &&
    (length(attr(.surv_terms(rhs), "term.labels")) > 0L || .surv_formula_has_offset(rhs))
  # Which scale receives the main formula's right-hand side.
  primary <- switch(dist, loglogistic = , pgw = "phi", "lambda")
  if (dist %in% c("weibull", "exponential") && !is.null(given$phi) && !.surv_formula_fixed(given$phi)) {
    primary <- "phi"
    if (!is.null(given$lambda) && !.surv_formula_fixed(given$lambda)) {
      stop(sprintf(paste0("For dist = \"%s\" the scales phi and lambda are confounded (only ",
                          "lambda * phi^gamma is identified): give a formula to phi or to lambda, ",
                          "not both."), dist), call. = FALSE)
    }
  }
  defaults <- switch(dist,
    apgw = list(phi = zero, lambda = rhs, gamma = one, kappa = one),
    weibull = , exponential = list(phi = zero, lambda = rhs, gamma = one, kappa = zero),
    burr = list(phi = one, lambda = rhs, gamma = one, kappa = zero),
    loglogistic = list(phi = rhs, lambda = zero, gamma = one, kappa = zero),
    pgw = list(phi = rhs, lambda = zero, gamma = one, kappa = one),
    gompertz = list(phi = one, lambda = rhs, gamma = zero, kappa = zero),
    cure_limit = list(phi = one, lambda = rhs, gamma = one, kappa = zero))
  if (primary == "phi" && dist %in% c("weibull", "exponential")) {
    defaults$phi <- rhs
    defaults$lambda <- zero
  }
  if (dist == "exponential") defaults$gamma <- zero
  if (!is.null(given[[primary]]) && rhs_has_cov) {
    stop(sprintf(paste0("The covariates on the right-hand side of `formula` go to %s, but `%s` is ",
                        "also given: put them in one place (e.g. Surv(time, status) ~ 1 with ",
                        "%s = ~ x)."), primary, primary, primary), call. = FALSE)
  }
  if (rhs_has_cov && primary == "lambda" && "lambda" %in% .surv_structural[[dist]]) {
    stop(sprintf("For dist = \"%s\" lambda is fixed, so covariates must go in another parameter.",
                 dist), call. = FALSE)
  }
  out <- defaults
  for (k in .surv_pars) if (!is.null(given[[k]])) out[[k]] <- given[[k]]
  structural <- .surv_structural[[dist]]
  if (dist %in% c("weibull", "exponential")) {
    structural <- c(structural, if (primary == "phi") "lambda" else "phi")
  }
  why <- c(weibull = "kappa = 1 for the Weibull", exponential = "kappa = gamma = 1 for the exponential",
           burr = "kappa = 0 for the Burr XII", loglogistic = "kappa = 0 and lambda = 1 for the log-logistic (a free lambda gives dist = \"burr\")",
           pgw = "lambda = kappa/(1+kappa) for the PGW", gompertz = "kappa = Inf for the Gompertz",
           cure_limit = "kappa is not a parameter of the cure limit")
  for (k in structural) {
    f <- out[[k]]
    if (!.surv_formula_fixed(f) || .surv_formula_has_offset(f)) {
      if (k %in% c("phi", "lambda") && dist %in% c("weibull", "exponential")) {
        stop(sprintf(paste0("For dist = \"%s\" only one of phi and lambda can be free (they are ",
                            "confounded); %s must be ~ 0 here."), dist, k), call. = FALSE)
      }
      stop(sprintf("For dist = \"%s\" the parameter %s is fixed (%s); its formula must be ~ 0.",
                   dist, k, why[[dist]]), call. = FALSE)
    }
    out[[k]] <- zero
  }
  out
}

# Variables that the combined model frame must hold: every variable of the parameter formulas that
# is a column of `data` or a non-scalar object visible from the formula's environment.
.surv_frame_vars <- function(forms, data) {
  vars <- unique(unlist(lapply(forms, all.vars), use.names = FALSE))
  if (is.null(vars)) return(character(0))
  if (!is.null(data) && !anyNA(match(vars, names(data)))) return(vars)  # the common case: all in `data`
  keep <- vapply(vars, function(v) {
    if (!is.null(data) && v %in% names(data)) return(TRUE)
    for (f in forms) {
      if (v %in% all.vars(f)) {
        obj <- get0(v, envir = environment(f), inherits = TRUE)
        if (is.null(obj)) return(TRUE)  # let model.frame() report "object not found"
        if (is.function(obj) || NROW(obj) <= 1L) return(FALSE)
        return(TRUE)
      }
    }
    FALSE
  }, logical(1))
  vars[keep]
}

# (internal) survival::Surv() for the common right-censored call Surv(time, status) without missing
# values and with status coded 0/1 (or logical): the same object (identical()) without Surv()'s
# ifelse() and status recoding passes over the data; any other call goes to survival::Surv().
# surv_mpr() binds it to `Surv` while it evaluates the model frame, when `Surv` would be survival's.
.surv_fast_surv <- function(time, time2, event, type, origin) {
  if (!missing(time) && missing(type) && missing(origin) && (missing(time2) + missing(event)) == 1L) {
    ss <- .surv_right_surv(time, if (missing(event)) time2 else event)
    if (!is.null(ss)) return(ss)
  }
  mc <- match.call()
  mc[[1L]] <- quote(survival::Surv)
  eval(mc, parent.frame())
}

# (internal) survival::Surv(time, ev) for numeric times and a 0/1 (or logical) status without missing
# values or attributes (identical() to survival's object); NULL for anything else.
.surv_right_surv <- function(time, ev) {
  n <- length(time)
  if (n > 0L && is.numeric(time) && is.null(attributes(time)) && is.null(attributes(ev)) &&
      length(ev) == n && !anyNA(time) && !anyNA(ev)) {
    ok <- if (is.logical(ev)) {
      ev <- as.numeric(ev)
      TRUE
    } else if (is.integer(ev)) {
      min(ev) >= 0L && max(ev) <= 1L
    } else if (is.double(ev)) {
      !any(ev != 0 & ev != 1)
    } else FALSE
    if (ok) {
      # (time - 0 turns integer times into doubles, as survival::Surv does; doubles are bound directly)
      ss <- cbind(time = if (is.double(time)) time else time - 0, status = ev)
      attr(ss, "type") <- "right"
      class(ss) <- "Surv"
      return(ss)
    }
  }
  NULL
}

# (internal) Per-session caches of the front end (.surv_memo, .surv_const_design).
.surv_cache <- new.env(parent = emptyenv())

# (internal) terms() of a formula through a small cache of the 16 most recent formulas: terms()
# depends only on the formula's expression and environment, so the cache is keyed by the expression
# (attributes dropped: no environment is kept alive by the cache) and the stored terms get the
# formula's environment back. The result is identical() to stats::terms(f).
.surv_terms <- function(f) {
  key <- f
  attributes(key) <- NULL
  tt <- .surv_memo("terms", key, function() {
    tt <- stats::terms(f)
    environment(tt) <- emptyenv()
    tt
  })
  environment(tt) <- environment(f)
  tt
}

# (internal) A value cached under a key `key` (a language object or a list of them, compared with
# identical()) in the slot `slot` of .surv_cache, computed by `compute()` on a miss; the 16 most recent
# keys are kept (a hit costs a few identical() calls on small objects).
.surv_memo <- function(slot, key, compute) {
  cache <- .surv_cache[[slot]]
  for (e in cache) if (identical(e[[1L]], key)) return(e[[2L]])
  val <- compute()
  .surv_cache[[slot]] <- c(list(list(key, val)), cache[seq_len(min(length(cache), 15L))])
  val
}
# (internal) The right-hand side vars[1] + vars[2] + ... of a model-frame formula (1 without vars).
.surv_rhs_sum <- function(vars) {
  if (length(vars)) Reduce(function(u, v) call("+", u, v), lapply(vars, as.name)) else 1
}

# (internal) The combined model frame without model.frame() for the common call: `data` a data frame,
# no subset/weights/na.action/cluster, the response survival's Surv(a, b) of two columns of `data`
# giving a right-censored 0/1 response, and every other variable a plain numeric column (double or
# integer, no attributes) of `data`, with no missing values anywhere. The frame `mf` is identical() to
# model.frame()'s (columns shared with `data`, terms with predvars and dataClasses); `time` and `status`
# are the response columns in the core's coding (as .surv_response() would extract them from the Surv
# matrix, without the copies). NULL when the call is not of that form (the caller then builds the frame
# with model.frame()).
.surv_quick_frame <- function(lhs, vars, data, env) {
  if (length(lhs) != 3L || !is.null(names(lhs)) || !is.symbol(lhs[[2L]]) || !is.symbol(lhs[[3L]])) {
    return(NULL)
  }
  a <- as.character(lhs[[2L]])
  b <- as.character(lhs[[3L]])
  nms <- names(data)
  if (anyNA(match(c(a, b, vars), nms))) return(NULL)  # (the caller has checked that Surv is not a column)
  cols <- .subset(data, vars)
  for (v in cols) {
    if (!(is.double(v) || is.integer(v)) || !is.null(attributes(v)) || anyNA(v)) return(NULL)
  }
  Y <- .surv_right_surv(.subset2(data, a), .subset2(data, b))
  if (is.null(Y)) return(NULL)
  # The frame's terms (with predvars and dataClasses) and column names depend only on the response call
  # and the variable names: cached (.surv_memo), with the formula's environment set on every call.
  sk <- .surv_memo("frame", list(lhs, vars), function() {
    combined <- call("~", lhs, .surv_rhs_sum(vars))
    class(combined) <- "formula"
    environment(combined) <- emptyenv()
    tt <- stats::terms(combined)
    attr(tt, "predvars") <- attr(tt, "variables")
    # The response's column name as model.frame() deparses it.
    nm <- c(paste(deparse(lhs, width.cutoff = 500L, backtick = TRUE), collapse = " "), vars)
    attr(tt, "dataClasses") <- stats::setNames(c("nmatrix.2", rep.int("numeric", length(vars))), nm)
    list(terms = tt, names = nm)
  })
  tt <- sk$terms
  environment(tt) <- env
  mf <- c(list(Y), cols)
  names(mf) <- sk$names
  attr(mf, "terms") <- tt
  attr(mf, "row.names") <- .row_names_info(data, 0L)
  class(mf) <- "data.frame"
  list(mf = mf, time = as.numeric(.subset2(data, a)), status = as.integer(.subset2(data, b)))
}

# (internal) TRUE when a model frame built with na.pass has a missing value in any column (the Surv
# response included); one pass per column, no copies.
.surv_frame_has_na <- function(mf) {
  for (v in mf) if (is.atomic(v) && anyNA(unclass(v))) return(TRUE)  # unclass: no is.na.Surv
  FALSE
}

# Turns a Surv object into the core's coding: status 0 right, 1 event, 2 left, 3 interval;
# time2 (upper end of intervals), entry (left truncation). Validates with clear messages. `rn` (row
# names for the messages) may be a function returning them, called only when a message needs them.
.surv_response <- function(Y, rn = NULL, time = NULL, status = NULL) {
  given <- !is.null(time) && !is.null(status)
  if (!inherits(Y, "Surv")) {
    stop("The left-hand side of `formula` must be a survival::Surv() object, e.g. Surv(time, status).",
         call. = FALSE)
  }
  type <- attr(Y, "type")
  n <- nrow(Y)
  Y <- unclass(Y)  # plain matrix: column extraction without the [.Surv method
  where <- function(bad) {
    if (is.function(rn)) rn <- rn()
    if (is.null(rn)) rn <- as.character(seq_len(n))
    i <- which(bad)
    s <- paste0("'", utils::head(rn[i], 5L), "'", collapse = ", ")
    if (length(i) > 5L) s <- paste0(s, ", ...")
    sprintf("observation%s %s", if (length(i) > 1L) "s" else "", s)
  }
  entry <- numeric(0)
  time2 <- numeric(0)
  if (type == "right") {
    if (is.null(time)) time <- as.numeric(Y[, 1L])
    if (is.null(status)) status <- as.integer(Y[, 2L])
  } else if (type == "left") {
    time <- as.numeric(Y[, 1L])
    status <- ifelse(Y[, 2L] == 1, 1L, 2L)
  } else if (type == "interval") {
    time <- as.numeric(Y[, 1L])
    t2 <- as.numeric(Y[, 2L])
    status <- as.integer(Y[, 3L])
    iv <- status == 3L
    # (0, R] is left censoring at R; (L, Inf) is right censoring at L; (t, t] is an event at t.
    lz <- iv & time == 0
    time[lz] <- t2[lz]
    status[lz] <- 2L
    ri <- iv & is.infinite(t2) & t2 > 0
    status[ri] <- 0L
    ev <- iv & !lz & !ri & t2 == time
    status[ev] <- 1L
    iv <- status == 3L
    bad <- iv & !(t2 > time)
    if (any(bad)) {
      stop(sprintf("Interval-censored observations need left < right, but %s %s left > right.",
                   where(bad), if (sum(bad) > 1L) "have" else "has"), call. = FALSE)
    }
    time2 <- ifelse(iv, t2, time)
    if (any(iv & !is.finite(t2))) {
      stop(sprintf("Interval upper limits must be finite numbers; see %s.", where(iv & !is.finite(t2))),
           call. = FALSE)
    }
  } else if (type == "counting") {
    entry <- as.numeric(Y[, 1L])
    time <- as.numeric(Y[, 2L])
    status <- as.integer(Y[, 3L])
    bad <- !is.finite(entry) | entry < 0
    if (any(bad)) {
      stop(sprintf("Entry (start) times must be finite and >= 0; see %s.", where(bad)), call. = FALSE)
    }
    bad <- entry >= time
    if (any(bad)) {
      stop(sprintf("Entry (start) times must be less than exit (stop) times; see %s.", where(bad)),
           call. = FALSE)
    }
  } else {
    stop(sprintf(paste0("Surv type \"%s\" is not supported; use right, left, interval, interval2 ",
                        "or counting (start, stop, status)."), type), call. = FALSE)
  }
  # (status and time given: .surv_quick_frame() has checked that they have no missing values and that
  # status is 0/1, so those passes over the data are not repeated.)
  known <- type == "right" && given
  if (!known && (anyNA(status) || (n > 0L && (min(status) < 0L || max(status) > 3L)))) {
    stop("Status codes must follow the survival::Surv conventions (0/1, 1/2 or TRUE/FALSE).",
         call. = FALSE)
  }
  # Fast checks first (one pass each, no n-vector allocation); the row names only on failure.
  if ((!known && anyNA(time)) || (n > 0L && !is.finite(max(time)))) {
    bad <- !is.finite(time)
    stop(sprintf("Survival times must be finite; see %s.", where(bad)), call. = FALSE)
  }
  if (n > 0L && min(time) <= 0) {
    bad <- time <= 0
    stop(sprintf("Survival times must be positive; %s %s a time <= 0.", where(bad),
                 if (sum(bad) > 1L) "have" else "has"), call. = FALSE)
  }
  if (n > 0L && max(status) == 0L) {
    stop("All observations are right-censored: with no events the model cannot be fitted.",
         call. = FALSE)
  }
  list(time = time, time2 = time2, status = status, entry = entry, type = type)
}

# The design matrix and offset of one parameter formula evaluated on a model frame (or newdata).
# Returns x, offset, terms (those of the formula's model frame: with predvars and dataClasses) and, with
# `xlevels = TRUE`, xlev (.getXlevels()). Fast paths, identical() to model.frame() + model.matrix():
# ~ 0 and ~ 1 need no frame; main effects of plain numeric columns are bound directly (.surv_design_simple).
.surv_design_one <- function(tt, data, xlev = NULL, contrasts = NULL, name = "", newdata = FALSE,
                             xlevels = FALSE) {
  if (length(attr(tt, "term.labels")) == 0L && is.null(attr(tt, "offset"))) {
    # ~ 0 or ~ 1: no frame to evaluate (the common case of fixed and intercept-only parameters).
    X <- .surv_const_design(.row_names_info(data, 2L), attr(tt, "intercept") == 1L)
    return(list(x = X, offset = numeric(0), terms = tt, xlev = NULL))
  }
  d <- if (getOption("hetmod.surv_fast", TRUE)) .surv_design_simple(tt, data)
  if (!is.null(d)) {
    X <- d$x
    off <- numeric(0)
  } else {
    mf <- stats::model.frame(tt, data = data, na.action = stats::na.pass, xlev = xlev)
    X <- stats::model.matrix(tt, mf, contrasts.arg = contrasts)
    off <- stats::model.offset(mf)
    if (is.null(off)) off <- numeric(0)
    storage.mode(X) <- "double"
    d <- list(terms = attr(mf, "terms"), xlev = if (xlevels) stats::.getXlevels(tt, mf))
  }
  if (anyNA(X) || anyNA(off)) {
    stop(sprintf("Missing or undefined values in the covariates of %s%s.", name,
                 if (newdata) " in `newdata`" else ""), call. = FALSE)
  }
  # One pass each (a finite sum of finite values; the exact test only when the sum is not finite).
  if ((length(X) && !is.finite(sum(X)) && !all(is.finite(X))) ||
      (length(off) && !is.finite(sum(off)) && !all(is.finite(off)))) {
    stop(sprintf("Non-finite values in the covariates of %s.", name), call. = FALSE)
  }
  list(x = X, offset = as.numeric(off), terms = d$terms, xlev = d$xlev)
}

# (internal) The design of ~ 1 (a column of ones named "(Intercept)") or ~ 0 (n x 0) for n rows, with
# "assign". The last one of each is kept (.surv_cache; ones only up to 1e6 rows) and returned again for
# the same n: R objects are values (copied on modification), so fits and parameters can share one
# column of ones instead of allocating and filling one per parameter and fit.
.surv_const_design <- function(n, intercept) {
  slot <- if (intercept) "ones" else "none"
  X <- .surv_cache[[slot]]
  if (is.null(X) || dim(X)[1L] != n) {
    X <- if (intercept) matrix(1, n, 1L, dimnames = list(NULL, "(Intercept)")) else matrix(0, n, 0L)
    attr(X, "assign") <- rep_len(0L, ncol(X))
    if (!intercept || n <= 1e6) .surv_cache[[slot]] <- X
  }
  X
}

# (internal) The design of a formula whose terms are main effects of plain numeric columns of `data`
# (double or integer vectors without attributes; no offset, no factors, no functions of variables):
# the columns bound after the intercept, with model.matrix()'s dimnames and "assign", the terms that
# model.frame() would return (predvars = variables, dataClasses "numeric") and .getXlevels()'s value
# (an empty named list). NULL for any other formula or data.
.surv_no_xlevels <- structure(list(), names = character(0))
.surv_design_simple <- function(tt, data) {
  labs <- attr(tt, "term.labels")
  if (!is.null(attr(tt, "offset")) || attr(tt, "response") != 0L || anyNA(match(labs, names(data)))) {
    return(NULL)
  }
  vv <- attr(tt, "variables")
  # Every variable is a term and every term a bare variable, in the same order.
  if (!identical(vv, as.call(c(list(quote(list)), lapply(labs, as.name))))) return(NULL)
  pv <- attr(tt, "predvars")
  if (!is.null(pv) && !identical(pv, vv)) return(NULL)
  cols <- .subset(data, labs)
  for (v in cols) if (!(is.double(v) || is.integer(v)) || !is.null(attributes(v))) return(NULL)
  n <- .row_names_info(data, 2L)
  if (!all(lengths(cols, use.names = FALSE) == n)) return(NULL)
  ic <- attr(tt, "intercept") == 1L
  # One allocation: the intercept's ones, then each column assigned in place.
  X <- matrix(1, n, length(labs) + ic)
  for (j in seq_along(cols)) X[, j + ic] <- cols[[j]]
  dimnames(X) <- list(as.character(attr(data, "row.names")), c(if (ic) "(Intercept)", labs))
  attr(X, "assign") <- c(if (ic) 0L, seq_along(labs))
  attr(tt, "predvars") <- vv
  dc <- rep.int("numeric", length(labs))
  names(dc) <- labs
  attr(tt, "dataClasses") <- dc
  list(x = X, terms = tt, xlev = .surv_no_xlevels)
}

.surv_control_names <- c("maxit", "tol", "starts", "start", "scale", "seed", "gamma_max", "probe", "threads")

.surv_control <- function(control, dots) {
  if (!is.list(control)) stop("`control` must be a named list.", call. = FALSE)
  control <- utils::modifyList(control, dots)
  if (length(control) && (is.null(names(control)) || any(names(control) == ""))) {
    stop("All `control` entries must be named.", call. = FALSE)
  }
  bad <- setdiff(names(control), .surv_control_names)
  if (length(bad)) {
    stop(sprintf("Unknown control option%s %s; valid options are %s.", if (length(bad) > 1) "s" else "",
                 paste0("\"", bad, "\"", collapse = ", "), paste(.surv_control_names, collapse = ", ")),
         call. = FALSE)
  }
  for (k in names(control)) {
    v <- control[[k]]
    if (is.logical(v)) v <- as.numeric(v)
    if (!is.numeric(v) || anyNA(v) || (k != "start" && length(v) != 1L)) {
      stop(sprintf("Control option \"%s\" must be %s.", k,
                   if (k == "start") "a numeric vector without NAs" else "a single number"),
           call. = FALSE)
    }
    control[[k]] <- as.numeric(v)
  }
  control
}

# (internal) Fits a surv_mpr model from design matrices (used by surv_mpr, anova, select).
.surv_fit_core <- function(resp, weights, X, offsets, dist, control) {
  w <- if (is.null(weights)) numeric(0) else as.numeric(weights)
  if (length(w) && any(!is.finite(w) | w < 0)) {
    stop("Case weights must be finite and >= 0.", call. = FALSE)
  }
  p_total <- sum(vapply(X, ncol, 1L))
  if (p_total == 0L) stop("The model has no free parameters.", call. = FALSE)
  if (!is.null(control[["start"]]) && length(control[["start"]]) != p_total) {
    stop(sprintf("control$start has length %d, but the model has %d coefficients.",
                 length(control[["start"]]), p_total), call. = FALSE)
  }
  surv_fit_cpp(resp$time, resp$time2, resp$status, resp$entry, w, X, offsets, dist, control)
}

# (internal) The combined model frame with model.frame() (any call .surv_quick_frame() does not take):
# `mfc` is surv_mpr's call reduced to data/subset/weights/na.action/cluster, evaluated in `pf`. Without
# an explicit na.action the frame is built with na.pass and the default na.action
# (getOption("na.action")) is applied only when a value is missing: na.omit() copies the whole frame
# even when nothing is dropped. With missing values the frame is rebuilt the ordinary way (same result
# as model.frame's own na.action, including drop.unused.levels after the rows are removed). The frame's
# terms get the formula's environment (the one evaluating Surv() with .surv_fast_surv is temporary).
.surv_model_frame <- function(mfc, lhs, vars, fenv, fast_surv, pf) {
  rhs_expr <- .surv_rhs_sum(vars)
  env <- fenv
  if (fast_surv) {
    # The frame evaluates Surv(...) with the fast equivalent (same object; .surv_fast_surv).
    env <- new.env(parent = fenv)
    assign("Surv", .surv_fast_surv, envir = env)
  }
  mfc$formula <- stats::as.formula(call("~", lhs, rhs_expr), env = env)
  mfc$drop.unused.levels <- TRUE
  mfc[[1L]] <- quote(stats::model.frame)
  fast_na <- is.null(mfc$na.action)
  if (fast_na) mfc$na.action <- quote(stats::na.pass)
  eval_frame <- function(mfc) withCallingHandlers(
    eval(mfc, pf),
    warning = function(w) {
      msg <- conditionMessage(w)
      if (grepl("Invalid status value", msg, fixed = TRUE)) {
        stop(paste0("Status codes must follow the survival::Surv conventions: 0 = censored, ",
                    "1 = event (or 1/2, TRUE/FALSE; 0-3 for type = \"interval\")."), call. = FALSE)
      }
      if (grepl("Stop time must be > start time", msg, fixed = TRUE)) {
        stop("Entry (start) times must be less than exit (stop) times.", call. = FALSE)
      }
      if (grepl("Invalid interval", msg, fixed = TRUE)) {
        stop("Interval-censored observations need left <= right (Surv reported start > stop).",
             call. = FALSE)
      }
    })
  mf <- eval_frame(mfc)
  if (fast_na && .surv_frame_has_na(mf)) {
    mfc$na.action <- NULL
    mf <- eval_frame(mfc)
  }
  if (fast_surv) {
    tt <- attr(mf, "terms")
    environment(tt) <- fenv
    attr(mf, "terms") <- tt
  }
  mf
}

# Flexible parametric survival regression with the APGW family: see man/surv_mpr.Rd.
surv_mpr <- function(formula, data, dist = "apgw", phi, lambda, gamma, kappa, ah, weights, subset,
                     na.action, control = list(), model = TRUE, robust = FALSE, cluster, ...) {
  cl <- match.call()
  if (missing(formula) || !inherits(formula, "formula") || length(formula) != 3L) {
    stop("`formula` must be a two-sided formula such as Surv(time, status) ~ x.", call. = FALSE)
  }
  if (!is.character(dist) || length(dist) != 1L || !dist %in% .surv_dists) {
    stop(sprintf("`dist` must be one of %s.", paste0("\"", .surv_dists, "\"", collapse = ", ")),
         call. = FALSE)
  }
  dat <- if (missing(data)) NULL else data
  if (!is.null(dat) && !is.data.frame(dat)) {
    dat <- tryCatch(as.data.frame(dat), error = function(e) stop("`data` must be a data frame.", call. = FALSE))
  }
  if (!is.list(control) || length(control) || ...length()) control <- .surv_control(control, list(...))
  given <- list(phi = if (!missing(phi)) .surv_check_formula(phi, "phi"),
                lambda = if (!missing(lambda)) .surv_check_formula(lambda, "lambda"),
                gamma = if (!missing(gamma)) .surv_check_formula(gamma, "gamma"),
                kappa = if (!missing(kappa)) .surv_check_formula(kappa, "kappa"))
  rhs <- .surv_main_rhs(formula, dat)
  forms <- .surv_par_formulas(dist, rhs, given)
  # Dots in parameter formulas expand to the data columns except the response variables.
  resp_vars <- all.vars(formula[[2L]])
  for (k in .surv_pars) {
    if ("." %in% all.vars(forms[[k]])) {
      if (is.null(dat)) stop("`.` in a parameter formula needs a `data` argument.", call. = FALSE)
      env <- environment(forms[[k]])
      forms[[k]] <- stats::formula(stats::terms(forms[[k]], data = dat[setdiff(names(dat), resp_vars)]))
      environment(forms[[k]]) <- env
    }
  }

  ah_tt <- if (!missing(ah)) .surv_ah_terms(.surv_check_formula(ah, "ah"), dist, forms)
  # One model frame over all variables, so that subset/na.action apply to every parameter alike.
  vars <- .surv_frame_vars(if (is.null(ah_tt)) forms else c(forms, list(ah = stats::formula(ah_tt))), dat)
  lhs <- formula[[2L]]
  fenv <- environment(formula)
  fast_surv <- is.call(lhs) && identical(lhs[[1L]], as.name("Surv")) &&
    identical(get0("Surv", envir = fenv, inherits = TRUE), survival::Surv) &&
    !(!is.null(dat) && "Surv" %in% names(dat))
  if (!is.logical(robust) || length(robust) != 1L || is.na(robust)) {
    stop("`robust` must be TRUE or FALSE.", call. = FALSE)
  }
  m <- match(c("data", "subset", "weights", "na.action", "cluster"), names(cl), 0L)
  # The common call (data frame, numeric columns, 0/1 status, nothing missing) without model.frame().
  # (option hetmod.surv_fast = FALSE turns the fast paths off: the tests compare both.)
  mf <- if (fast_surv && m[1L] > 0L && all(m[-1L] == 0L) && is.data.frame(data) &&
            getOption("hetmod.surv_fast", TRUE)) {
    .surv_quick_frame(lhs, vars, data, fenv)
  }
  if (is.null(mf)) {
    mf <- .surv_model_frame(cl[c(1L, m)], lhs, vars, fenv, fast_surv, parent.frame())
    if (nrow(mf) == 0L) stop("No observations left after removing missing values.", call. = FALSE)
    Y <- .subset2(mf, 1L)  # the response (model.response() would also label its rows: one string per row)
    resp <- .surv_response(Y, function() rownames(mf))
  } else {
    Y <- .subset2(mf$mf, 1L)
    resp <- .surv_response(Y, function() rownames(mf$mf), mf$time, mf$status)
    mf <- mf$mf
  }
  w <- .subset2(mf, "(weights)")  # (stats::model.weights() without the data frame method dispatch)
  if (!is.null(w) && any(!is.finite(w) | w < 0)) {
    stop("Case weights must be finite and >= 0.", call. = FALSE)
  }
  cl_id <- .subset2(mf, "(cluster)")
  if (!is.null(cl_id) && anyNA(cl_id)) stop("`cluster` has missing values.", call. = FALSE)

  X <- offsets <- terms_list <- xlevels <- contr <- vector("list", 4L)
  names(X) <- names(offsets) <- names(terms_list) <- names(xlevels) <- names(contr) <- .surv_pars
  for (k in .surv_pars) {
    d <- .surv_design_one(.surv_terms(forms[[k]]), mf, name = k, xlevels = TRUE)
    Xk <- d$x
    # The rank check (singular design: which parameter, which aliased column) is done by the C++ core.
    X[[k]] <- Xk
    offsets[[k]] <- d$offset
    terms_list[[k]] <- d$terms
    xlevels[[k]] <- d$xlev  # (NULL removes the element, as before)
    contr[[k]] <- attr(Xk, "contrasts")
  }
  core_control <- control
  ah_info <- NULL
  if (!is.null(ah_tt)) {
    ad <- .surv_ah_design(ah_tt, mf)
    app <- .surv_ah_append(X, ad$x)
    X <- app$X
    core_control$ties <- app$ties
    ah_info <- list(terms = ah_tt, xlevels = ad$xlevels, contrasts = ad$contrasts, names = colnames(ad$x),
                    ties = matrix(as.integer(app$ties) + 1L, ncol = 2L, byrow = TRUE,
                                  dimnames = list(colnames(ad$x), c("phi", "lambda"))))
  }
  res <- .surv_fit_core(resp, w, X, offsets, dist, core_control)
  fit <- .surv_new_fit(res, dist = dist, call = cl, formula = formula, forms = forms,
                       terms = terms_list, xlevels = xlevels, contrasts = contr, X = X,
                       offsets = offsets, resp = resp, y = Y, weights = w,
                       na.action = attr(mf, "na.action"), control = control,
                       model = if (isTRUE(model)) mf)
  fit$ah <- ah_info
  if (!is.null(cl_id)) {
    fit$cluster <- .surv_cluster_codes(cl_id)
    if (resp$type == "counting") {
      # Time-varying covariates on phi/gamma/kappa: splitting is exact only for PH-type (lambda) effects.
      tv <- vapply(c("phi", "gamma", "kappa"), function(k) {
        X <- X[[k]]
        ncol(X) > 0L && any(vapply(seq_len(ncol(X)), function(j) {
          any(tapply(X[, j], fit$cluster, function(v) length(unique(v)) > 1L))
        }, TRUE))
      }, TRUE)
      if (any(tv)) {
        fit$flags <- c(fit$flags, "time_varying_non_ph")
        fit$notes[["time_varying"]] <- paste(names(tv)[tv], collapse = ",")
      }
    }
  }
  if (isTRUE(robust) || !is.null(cl_id)) {
    fit$vcov_model <- fit$vcov
    type <- if (is.null(cl_id)) "sandwich" else "cluster"
    fit$vcov <- vcov.surv_mpr(fit, type = type)
    fit$vcov_type <- type
  }
  .surv_warn_fit(fit)
  fit
}

# Builds the classed result list ("surv_mpr", "hetmod_fit") from the glue's output.
.surv_new_fit <- function(res, dist, call, formula, forms, terms, xlevels, contrasts, X, offsets,
                          resp, y, weights, na.action, control, model) {
  # The glue returns the coefficients named, vcov and extras$vcov_robust with dimnames and the
  # convergence list in its final form (survival_glue.cpp, fit_to_list), so nothing is renamed here.
  links <- .surv_links_plain
  if (dist == "pgw") links[4L] <- "log"  # the PGW's kappa > 0 has a log link
  # The data frame built directly (data.frame() costs a fixed ~0.2 ms per fit; same object).
  blocks <- list(parameter = .surv_pars, start = res$block_start + 1L, size = res$block_size, link = links)
  attr(blocks, "row.names") <- c(NA, -4L)
  class(blocks) <- "data.frame"
  cnt <- tabulate(resp$status, 3L)  # codes 1-3; the rest are 0 (right-censored)
  nev <- c(events = cnt[1L], right = length(resp$status) - sum(cnt), left = cnt[2L], interval = cnt[3L])
  new_hetmod_fit(
    coefficients = res$coefficients, vcov = res$vcov, loglik = res$loglik, df = res$df, nobs = res$nobs,
    convergence = res$convergence,
    call = call, family = "survival", model = dist, class = "surv_mpr",
    dist = dist, blocks = blocks, flags = res$flags, extras = res$extras,
    notes = res$notes, formula = formula, par_formulas = forms, terms = terms,
    xlevels = xlevels, contrasts = contrasts, x = X, offset = offsets, y = y, response = resp,
    weights = weights, na.action = na.action, control = control, counts = nev, frame = model)
}

.surv_warn_fit <- function(fit) {
  conv <- fit$convergence
  if (!isTRUE(conv$converged)) {
    hetmod_warn_convergence(fit)
  }
  if (length(fit$flags)) {
    txt <- c(threshold_boundary = paste0("the likelihood increases towards the threshold boundary ",
                                         "(gamma -> Inf, kappa -> 0): no interior MLE; the reported ",
                                         "point is not an MLE of an interior model"),
             cure_boundary = paste0("kappa runs to -1 (strong cure); the promotion-time cure limit was ",
                                    "fitted too (extras$cure_limit_loglik, extras$cure_limit_coef): refit ",
                                    "with dist = \"cure_limit\""),
             scale_boundary = paste0("the information matrix is singular at the returned point (e.g. ",
                                     "phi -> 0 with lambda -> Inf): the point is on a boundary and its ",
                                     "standard errors are not valid"),
             time_varying_non_ph = paste0("covariates of phi, gamma or kappa change within a cluster ",
                                          "(subject): counting-process splitting evaluates the hazard ",
                                          "h(t | x) of each row on its own interval, which is exact for ",
                                          "PH-type (lambda) effects but not a cumulative time-acceleration ",
                                          "for AFT-type ones"),
             gompertz_boundary = paste0("the Gompertz shape runs to 0 (phi -> 0, lambda -> Inf): the fit ",
                                        "is at its exponential/Weibull limit (extras$limit_loglik), not an ",
                                        "interior MLE; refit with dist = \"exponential\" or \"weibull\""),
             gompertz_limit = paste0("kappa runs to +Inf: the fit is at its Gompertz limit ",
                                     "lambda * (exp((phi t)^gamma) - 1), fitted too (extras$gompertz_limit_loglik, ",
                                     "extras$gompertz_limit_coef): refit with dist = \"gompertz\" and the same ",
                                     "phi and gamma formulas"),
             phi_lambda_confounded = paste0("kappa is near 1 with both phi and lambda free: the ",
                                            "scales are confounded and their SEs are unreliable"))
    for (f in fit$flags) {
      msg <- if (f %in% names(txt)) txt[[f]] else f
      warning(sprintf("surv_mpr: boundary flag \"%s\": %s.", f, msg), call. = FALSE)
    }
  }
  invisible(fit)
}
