# sem.R -- lavaan-syntax front end of the linear SEM family (spec/sem.md).
#
# sem_fit() turns lavaan model syntax plus a data frame (or a covariance matrix) into the core's sample
# moments and calls the C++ core through the Rcpp glue (src/sem_glue.cpp). Everything statistical
# happens in the core; this file only does argument handling, data preparation with clear messages,
# and the bookkeeping that summary()/simulate()/plot() need. The fit is a plain list of class
# c("sem_fit", "hetmod_fit") (new_hetmod_fit); methods live in sem_methods.R, graphs in sem_graph.R.

.sem_estimators <- c("ML", "GLS", "ULS", "MLR")
# Arguments accepted in `...` of sem_fit() (lavaan's names) and their core names.
.sem_model_args <- c(std.lv = "std_lv", fixed.x = "fixed_x", meanstructure = "meanstructure",
                     auto.cov.lv.x = "auto_cov_lv_x", auto.cov.y = "auto_cov_y")
.sem_fit_args <- c("information", "se", "start", "control", "sample_mean", "group.equal", "group.partial")

.sem_check_model <- function(model) {
  if (is.character(model) && length(model) >= 1L && !anyNA(model)) model <- paste(model, collapse = "\n")
  if (!is.character(model) || length(model) != 1L || !grepl("[^[:space:]]", model))
    stop("`model` must be lavaan model syntax: a single non-empty string.", call. = FALSE)
  model
}

# Model options (core names) from lavaan-named arguments.
.sem_model_options <- function(args) {
  out <- list()
  for (a in intersect(names(args), names(.sem_model_args))) {
    check_flag(args[[a]], a)
    out[[.sem_model_args[[a]]]] <- args[[a]]
  }
  out
}

.sem_check_dots <- function(dots) {
  if (!length(dots)) return(invisible())
  nm <- names(dots)
  if (is.null(nm) || any(!nzchar(nm))) stop("Arguments in `...` must be named.", call. = FALSE)
  bad <- setdiff(nm, c(names(.sem_model_args), .sem_fit_args))
  if (length(bad))
    stop(sprintf("Unknown argument(s) in `...`: %s. Supported: %s.", paste(bad, collapse = ", "),
                 paste(c(names(.sem_model_args), .sem_fit_args), collapse = ", ")), call. = FALSE)
  invisible()
}

.sem_fit_options <- function(estimator, dots) {
  opt <- list(estimator = estimator)
  if (!is.null(dots$information)) {
    info <- match.arg(dots$information, c("expected", "observed"))
    opt$information <- info
  }
  if (!is.null(dots$se)) {
    se <- dots$se
    if (is.character(se)) se <- !identical(se, "none")
    check_flag(se, "se")
    opt$se <- as.numeric(se)
  }
  if (!is.null(dots$start)) {
    if (!is.numeric(dots$start) || anyNA(dots$start)) stop("`start` must be a numeric vector.", call. = FALSE)
    opt$start <- as.numeric(dots$start)
  }
  ctrl <- dots$control
  if (!is.null(ctrl)) {
    if (!is.list(ctrl)) stop("`control` must be a list (maxeval, grad_tol, polish).", call. = FALSE)
    bad <- setdiff(names(ctrl), c("maxeval", "grad_tol", "polish"))
    if (length(bad)) stop(sprintf("Unknown `control` entries: %s.", paste(bad, collapse = ", ")), call. = FALSE)
    if (!is.null(ctrl$maxeval)) opt$maxeval <- check_whole(ctrl$maxeval, "control$maxeval", 1)
    if (!is.null(ctrl$grad_tol)) {
      if (!is.numeric(ctrl$grad_tol) || length(ctrl$grad_tol) != 1L || !(ctrl$grad_tol > 0))
        stop("`control$grad_tol` must be a single positive number.", call. = FALSE)
      opt$grad_tol <- ctrl$grad_tol
    }
    if (!is.null(ctrl$polish)) opt$polish <- as.numeric(check_flag(ctrl$polish, "control$polish"))
  }
  opt
}

# The observed-variable columns of `data` as a double matrix (rows with NA dropped: listwise).
.sem_data_matrix <- function(data, obs, drop_incomplete = TRUE) {
  if (!is.data.frame(data) && !is.matrix(data))
    stop("`data` must be a data frame or a matrix with column names.", call. = FALSE)
  cn <- colnames(data)
  if (is.null(cn)) stop("`data` must have column names.", call. = FALSE)
  miss <- setdiff(obs, cn)
  if (length(miss))
    stop(sprintf("Observed variable(s) of the model not found in `data`: %s.",
                 paste0("'", miss, "'", collapse = ", ")), call. = FALSE)
  cols <- if (is.data.frame(data)) lapply(obs, function(v) data[[v]]) else lapply(obs, function(v) data[, v, drop = TRUE])
  names(cols) <- obs
  for (v in obs) {
    x <- cols[[v]]
    if (!is.numeric(x) || is.factor(x))
      stop(sprintf("Variable '%s' is not numeric (class %s); SEM needs numeric observed variables.", v,
                   paste(class(x), collapse = "/")), call. = FALSE)
  }
  X <- matrix(unlist(lapply(cols, as.double), use.names = FALSE), ncol = length(obs),
              dimnames = list(NULL, obs))
  X[!is.finite(X)] <- NA_real_
  if (!drop_incomplete) return(list(x = X, dropped = 0L))
  keep <- stats::complete.cases(X)
  list(x = X[keep, , drop = FALSE], dropped = sum(!keep))
}

.sem_cov_matrix <- function(sample_cov, obs) {
  if (!is.matrix(sample_cov) || !is.numeric(sample_cov) || nrow(sample_cov) != ncol(sample_cov))
    stop("`sample_cov` must be a square numeric matrix.", call. = FALSE)
  nm <- colnames(sample_cov)
  if (is.null(nm)) nm <- rownames(sample_cov)
  if (is.null(nm)) stop("`sample_cov` must have row or column names (the variable names).", call. = FALSE)
  miss <- setdiff(obs, nm)
  if (length(miss))
    stop(sprintf("Observed variable(s) of the model not found in `sample_cov`: %s.",
                 paste0("'", miss, "'", collapse = ", ")), call. = FALSE)
  idx <- match(obs, nm)
  S <- sample_cov[idx, idx, drop = FALSE]
  dimnames(S) <- list(obs, obs)
  if (anyNA(S)) stop("`sample_cov` must not contain missing values.", call. = FALSE)
  storage.mode(S) <- "double"
  S
}

sem_fit <- function(model, data = NULL, sample_cov = NULL, sample_nobs = NULL, estimator = "ML",
                    missing = "listwise", group = NULL, ...) {
  cl <- match.call()
  model <- .sem_check_model(model)
  check_string(estimator, "estimator")
  est <- toupper(estimator)
  if (!est %in% .sem_estimators)
    stop(sprintf("`estimator` is \"%s\", but must be one of %s.", estimator,
                 paste0("\"", .sem_estimators, "\"", collapse = ", ")), call. = FALSE)
  check_string(missing, "missing")
  miss <- tolower(missing)
  if (miss %in% c("fiml", "ml", "direct")) {
    miss <- "fiml"
  } else if (miss %in% c("listwise", "default")) {
    miss <- "listwise"
  } else {
    stop(sprintf("`missing` is \"%s\", but must be \"listwise\" or \"fiml\".", missing), call. = FALSE)
  }
  dots <- list(...)
  .sem_check_dots(dots)
  mopt <- .sem_model_options(dots)
  fopt <- .sem_fit_options(est, dots)
  if (is.null(data) == is.null(sample_cov))
    stop("Give either `data` or `sample_cov` (with `sample_nobs`), not both and not neither.", call. = FALSE)
  if (!is.null(dots$group.equal) || !is.null(dots$group.partial)) {
    if (is.null(group)) stop("`group.equal` and `group.partial` need `group`.", call. = FALSE)
  }
  if (miss == "fiml" || !is.null(group))
    return(.sem_fit_groups(model, data, miss, group, dots, mopt, fopt, est, cl))

  info <- sem_model_cpp(model, mopt)
  obs <- info$observed
  dropped <- 0L
  X <- NULL
  if (!is.null(data)) {
    if (!is.null(sample_nobs)) stop("`sample_nobs` is only used with `sample_cov`.", call. = FALSE)
    d <- .sem_data_matrix(data, obs)
    X <- d$x
    dropped <- d$dropped
    if (nrow(X) <= length(obs))
      stop(sprintf("Too few observations: %d complete rows for %d observed variables (need more rows than variables).",
                   nrow(X), length(obs)), call. = FALSE)
    res <- sem_fit_cpp(model, mopt, X, obs, NULL, NA_real_, NULL, fopt)
  } else {
    S <- .sem_cov_matrix(sample_cov, obs)
    if (is.null(sample_nobs)) stop("`sample_cov` needs `sample_nobs`.", call. = FALSE)
    check_whole(sample_nobs, "sample_nobs", 2)
    mu <- dots$sample_mean
    if (!is.null(mu)) {
      if (!is.numeric(mu)) stop("`sample_mean` must be a numeric vector.", call. = FALSE)
      if (!is.null(names(mu))) {
        if (!all(obs %in% names(mu))) stop("`sample_mean` must name every observed variable.", call. = FALSE)
        mu <- mu[obs]
      }
      if (length(mu) != length(obs)) stop("`sample_mean` must have one value per observed variable.", call. = FALSE)
      mu <- as.double(mu)
    }
    res <- sem_fit_cpp(model, mopt, NULL, obs, S, sample_nobs, mu, fopt)
  }
  .sem_new_fit(res, cl, model, mopt, fopt, est, X, dropped)
}

# FIML and/or several groups (core: sem::fit_groups).
.sem_fit_groups <- function(model, data, miss, group, dots, mopt, fopt, est, cl) {
  if (is.null(data))
    stop("`missing = \"fiml\"` and `group` need raw `data` (not `sample_cov`).", call. = FALSE)
  if (!is.null(dots$sample_mean)) stop("`sample_mean` is only used with `sample_cov`.", call. = FALSE)
  if (!est %in% c("ML", "MLR"))
    stop(sprintf("estimator \"%s\" is not available with FIML or multiple groups (ML and MLR only).", est), call. = FALSE)
  if (!is.data.frame(data) && !is.matrix(data))
    stop("`data` must be a data frame or a matrix with column names.", call. = FALSE)
  codes <- integer()
  labels <- character()
  if (!is.null(group)) {
    check_string(group, "group")
    if (!group %in% colnames(data)) stop(sprintf("Group variable '%s' not found in `data`.", group), call. = FALSE)
    gv <- data[, group, drop = TRUE]
    if (anyNA(gv)) stop(sprintf("Group variable '%s' has missing values.", group), call. = FALSE)
    gv <- as.character(gv)
    labels <- unique(gv)
    codes <- match(gv, labels) - 1L
  }
  obs <- sem_group_model_cpp(model, mopt, max(1L, length(labels)))$observed
  full <- .sem_data_matrix(data, obs, drop_incomplete = FALSE)
  X <- full$x
  empty <- rowSums(!is.na(X)) == 0L
  if (any(empty))
    message(sprintf("sem_fit: %d row(s) with every observed variable missing were dropped.", sum(empty)))
  opt <- fopt
  opt$missing <- miss
  if (!is.null(dots$group.equal)) {
    ge <- dots$group.equal
    if (!is.character(ge)) stop("`group.equal` must be a character vector.", call. = FALSE)
    opt$group_equal <- paste(ge, collapse = ",")
  }
  if (!is.null(dots$group.partial)) {
    gp <- dots$group.partial
    if (!is.character(gp)) stop("`group.partial` must be a character vector such as \"visual =~ x2\".", call. = FALSE)
    opt$group_partial <- paste(gp, collapse = ",")
  }
  res <- sem_fit_groups_cpp(model, mopt, X, obs, codes, labels, opt)
  G <- length(res$group_labels)
  nm <- res$group_labels
  for (k in c("implied_cov", "implied_mean", "sample_cov", "sample_mean")) {
    names(res[[k]]) <- nm
    if (G == 1L) res[[k]] <- res[[k]][[1L]]
  }
  fit <- .sem_new_fit(res, cl, model, mopt, fopt, est, NULL, res$n_incomplete)
  fit$missing <- miss
  fit$information <- res$information
  fit$n_empty <- as.integer(res$n_empty)
  fit$n_patterns <- stats::setNames(res$n_patterns, nm)
  if (!is.null(group)) {
    fit$group <- group
    fit$group_labels <- nm
    fit$group_nobs <- stats::setNames(res$group_nobs, nm)
    fit$group_equal <- dots$group.equal
  }
  fit
}

.sem_new_fit <- function(res, cl, syntax, mopt, fopt, est, X, dropped) {
  cf <- stats::setNames(res$coefficients, res$par_names)
  adm <- res$admissibility
  V <- res$vcov
  if (length(V) == 0L || isTRUE(adm$vcov_not_pd)) V <- NULL
  pt <- as.list(res$partable)  # columns filled as a list, then classed (as.data.frame is slow)
  pt$se[!pt$free] <- 0
  if (is.null(V)) pt$se[pt$free] <- NA_real_
  pt$z <- ifelse(pt$free & pt$se > 0, pt$est / pt$se, NA_real_)
  pt$pvalue <- 2 * stats::pnorm(-abs(pt$z))
  pt <- .sem_list_to_df(pt)
  fit <- new_hetmod_fit(
    coefficients = cf, vcov = V, loglik = res$loglik, df = length(cf), nobs = res$nobs,
    convergence = list(converged = res$converged, code = res$code, optimizer = res$optimizer,
                       reason = res$reason, iterations = res$iterations, grad_norm = res$grad_norm),
    call = cl, family = "sem", model = tolower(est), class = "sem_fit",
    partable = pt, fit_measures = res$fit_measures, admissibility = adm, observed = res$observed,
    latent = res$latent, implied_cov = res$implied_cov,
    implied_mean = if (length(res$implied_mean)) res$implied_mean else NULL,
    sample_cov = res$sample_cov, sample_mean = if (length(res$sample_mean)) res$sample_mean else NULL,
    estimator = est, syntax = syntax, model_options = mopt, fit_options = fopt,
    meanstructure = res$meanstructure, data = X, n_dropped = as.integer(dropped))
  hetmod_warn_convergence(fit)
  if (isTRUE(fit$convergence$converged) && !isTRUE(adm$admissible)) {
    warning(structure(class = c("hetmod_admissibility_warning", "warning", "condition"),
                      list(message = paste0("sem_fit: the solution is not admissible: ",
                                            paste(adm$messages, collapse = "; "), "."), call = NULL)))
  }
  fit
}

# Methods that rebuild the model from its syntax support single-group, listwise fits only (so far).
.sem_single_only <- function(object, what) {
  if (!is.null(object$group) || identical(object$missing, "fiml"))
    stop(sprintf("%s is implemented for single-group fits without FIML only.", what), call. = FALSE)
  invisible()
}

# Values of the exo (fixed.x) rows of a fit, NA elsewhere: what the glue needs to rebuild the model.
.sem_row_values <- function(object) ifelse(object$partable$exo, object$partable$est, NA_real_)

fit_measures <- function(object, measures = NULL, ...) UseMethod("fit_measures")

fit_measures.sem_fit <- function(object, measures = NULL, ...) {
  fm <- object$fit_measures
  if (is.null(measures)) return(fm[!is.na(fm) | !grepl("scaled|scaling", names(fm))])
  if (!is.character(measures)) stop("`measures` must be a character vector of fit measure names.", call. = FALSE)
  bad <- setdiff(measures, names(fm))
  if (length(bad))
    stop(sprintf("Unknown fit measure(s): %s. Available: %s.", paste(bad, collapse = ", "),
                 paste(names(fm), collapse = ", ")), call. = FALSE)
  fm[measures]
}

sem_implied_cov <- function(object, theta = NULL, ...) {
  if (inherits(object, "sem_fit")) {
    if (is.null(theta)) return(object$implied_cov)
    .sem_single_only(object, "sem_implied_cov(theta = )")
    syntax <- object$syntax
    mopt <- object$model_options
    rv <- .sem_row_values(object)
    pn <- names(object$coefficients)
  } else {
    syntax <- .sem_check_model(object)
    dots <- list(...)
    bad <- setdiff(names(dots), names(.sem_model_args))
    if (length(bad)) stop(sprintf("Unknown argument(s) in `...`: %s.", paste(bad, collapse = ", ")), call. = FALSE)
    mopt <- .sem_model_options(dots)
    info <- sem_model_cpp(syntax, mopt)
    if (any(info$partable$exo))
      stop(paste0("The model has exogenous observed covariates whose moments are fixed to the sample ",
                  "(fixed.x); pass fixed.x = FALSE to make them parameters."), call. = FALSE)
    if (is.null(theta)) stop("`theta` (the free parameter values) is needed for a model string.", call. = FALSE)
    rv <- numeric()
    pn <- info$par_names
  }
  if (!is.numeric(theta) || anyNA(theta)) stop("`theta` must be a numeric vector without NA.", call. = FALSE)
  if (!is.null(names(theta))) {
    bad <- setdiff(names(theta), pn)
    if (length(bad) || length(theta) != length(pn))
      stop(sprintf("`theta` must name every free parameter exactly once: %s.", paste(pn, collapse = ", ")),
           call. = FALSE)
    theta <- theta[pn]
  }
  if (length(theta) != length(pn))
    stop(sprintf("`theta` has length %d, but the model has %d free parameters (%s).", length(theta), length(pn),
                 paste(pn, collapse = ", ")), call. = FALSE)
  sem_implied_cpp(syntax, mopt, as.double(theta), rv)$cov
}

simulate.sem_fit <- function(object, nsim = 1, seed = NULL, n = NULL, ...) {
  .sem_single_only(object, "simulate()")
  check_whole(nsim, "nsim", 1)
  if (is.null(seed)) {
    seed <- floor(stats::runif(1L, 0, 2^31))  # R-level draw only; the core uses hetmod's own RNG
  } else {
    check_whole(seed, "seed", 0, 2^53)
  }
  if (is.null(n)) n <- object$nobs
  check_whole(n, "n", 1)
  rv <- .sem_row_values(object)
  out <- lapply(seq_len(nsim), function(k) {
    x <- sem_simulate_cpp(object$syntax, object$model_options, unname(object$coefficients), rv, n, seed, k - 1)
    as.data.frame(x)
  })
  if (nsim == 1L) out <- out[[1L]]
  attr(out, "seed") <- seed
  out
}

sem_bootstrap <- function(object, R = 1000, seed = 1, level = 0.95, threads = 1) {
  if (!inherits(object, "sem_fit")) stop("`object` must be a fit from sem_fit().", call. = FALSE)
  .sem_single_only(object, "sem_bootstrap()")
  if (is.null(object$data))
    stop("The bootstrap resamples the raw data; this fit was computed from a covariance matrix.", call. = FALSE)
  check_whole(R, "R", 2)
  check_whole(seed, "seed", 0, 2^53)
  check_level(level)
  check_whole(threads, "threads", 0)
  fopt <- object$fit_options
  fopt$start <- NULL
  res <- sem_bootstrap_cpp(object$syntax, object$model_options, object$data, colnames(object$data), fopt,
                           unname(object$coefficients), as.integer(R), seed, as.integer(threads))
  est <- res$est
  colnames(est) <- names(object$coefficients)
  ok <- res$converged
  a <- (1 - level) / 2
  se <- apply(est[ok, , drop = FALSE], 2L, stats::sd)
  ci <- t(apply(est[ok, , drop = FALSE], 2L, stats::quantile, probs = c(a, 1 - a), names = FALSE))
  colnames(ci) <- paste(format(100 * c(a, 1 - a), trim = TRUE, digits = 3), "%")
  structure(list(estimates = est, converged = ok, admissible = res$admissible, errors = res$error,
                 t0 = object$coefficients, se = se,
                 ci = ci, R = as.integer(R), seed = seed, level = level), class = "sem_bootstrap")
}

print.sem_bootstrap <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Nonparametric bootstrap of a sem_fit: %d replicates (%d converged), seed %s\n\n", x$R,
              sum(x$converged), format(x$seed)))
  tab <- cbind(Estimate = x$t0, `Boot SE` = x$se, x$ci)
  print(round(tab, digits))
  invisible(x)
}
