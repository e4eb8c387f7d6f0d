# surv_select.R -- surv_mpr_select(): model selection over distributions and covariate placement.
#
# method = "all": every distribution in `dist` x every subset of `params` that carries all the
#   candidate covariates (the named submodels of spec 4: none, PH = lambda, AFT = phi, PH+AFT,
#   PH + gamma, AFT + gamma, ...).
# method = "forward" / "backward" / "stepwise": greedy search over (covariate, parameter) placements
#   as in mpr::stepmpr, with "joint" steps that add (drop) a covariate to (from) all parameters at
#   once, because coefficients of the same covariate in different parameters are highly correlated.
# Models are ranked by AIC, BIC or AICc (AIC + 2k(k+1)/(n-k-1)); fits that fail are recorded with their error message and skipped.

.surv_select_params <- function(dist) {
  switch(dist, apgw = c("lambda", "gamma"), weibull = c("lambda", "gamma"), exponential = "lambda",
         burr = c("phi", "lambda", "gamma"), loglogistic = c("phi", "gamma"), pgw = c("phi", "gamma"),
         gompertz = c("phi", "lambda"), cure_limit = c("phi", "lambda", "gamma"))
}

.surv_state_key <- function(state, params) {
  paste(vapply(params, function(k) paste0(k, ":", paste(sort(state[[k]]), collapse = "+")), ""),
        collapse = "|")
}

.surv_state_label <- function(state, params) {
  bits <- vapply(params, function(k) if (length(state[[k]])) paste0(k, "(", paste(state[[k]], collapse = " + "), ")") else "", "")
  bits <- bits[nzchar(bits)]
  if (length(bits)) paste(bits, collapse = ", ") else "no covariates"
}

surv_mpr_select <- function(formula, data, dist = "weibull", params = NULL,
                            method = c("stepwise", "forward", "backward", "all"),
                            criterion = c("AIC", "BIC", "AICc"), joint = TRUE, control = list(),
                            trace = FALSE) {
  method <- match.arg(method)
  criterion <- match.arg(criterion)
  if (missing(formula) || !inherits(formula, "formula") || length(formula) != 3L) {
    stop("`formula` must be a two-sided formula Surv(...) ~ candidate covariates.", call. = FALSE)
  }
  if (missing(data) || !is.data.frame(data)) stop("`data` must be a data frame.", call. = FALSE)
  if (!is.character(dist) || !length(dist) || any(!dist %in% .surv_dists)) {
    stop(sprintf("`dist` must be one or more of %s.", paste0("\"", .surv_dists, "\"", collapse = ", ")),
         call. = FALSE)
  }
  dist <- unique(dist)
  terms_all <- attr(stats::terms(formula, data = data), "term.labels")
  if (!length(terms_all)) stop("The right-hand side of `formula` names no candidate covariates.", call. = FALSE)
  env <- environment(formula)
  # One data set for every candidate model: drop rows with missing values in any variable used.
  vars <- intersect(all.vars(formula), names(data))
  cc <- stats::complete.cases(data[vars])
  if (!all(cc)) {
    message(sprintf("surv_mpr_select: %d row%s with missing values removed so that all models use the same data.",
                    sum(!cc), if (sum(!cc) > 1L) "s" else ""))
    data <- data[cc, , drop = FALSE]
  }
  lhs <- formula[[2L]]
  main <- stats::as.formula(call("~", lhs, 1), env = env)
  pen <- if (criterion == "BIC") log(nrow(data)) else 2
  crit_of <- function(f) {
    k <- f$df
    out <- -2 * f$loglik + pen * k
    if (criterion == "AICc") out <- out + .surv_aicc_correction(k, f$nobs)
    out
  }

  cache <- new.env(parent = emptyenv())
  rows <- list()
  fit_state <- function(d, state, prm) {
    key <- paste0(d, "|", .surv_state_key(state, prm))
    if (!is.null(cache[[key]])) return(cache[[key]])
    args <- list(formula = main, data = data, dist = d, control = control)
    defaults <- .surv_par_formulas(d, stats::as.formula("~ 1", env = env), list())
    for (k in prm) {
      icpt <- !.surv_formula_fixed(defaults[[k]]) || (d %in% c("weibull", "exponential") && k == "phi")
      rhs <- c(if (icpt) "1" else "0", state[[k]])
      args[[k]] <- stats::as.formula(paste("~", paste(rhs, collapse = " + ")), env = env)
    }
    warn <- character()
    f <- tryCatch(withCallingHandlers(do.call(surv_mpr, args),
                                      warning = function(w) {
                                        warn <<- c(warn, conditionMessage(w))
                                        invokeRestart("muffleWarning")
                                      }),
                  error = function(e) e)
    ok <- inherits(f, "surv_mpr")
    entry <- list(fit = if (ok) f, dist = d, state = state, params = prm,
                  model = .surv_state_label(state, prm),
                  df = if (ok) f$df else NA_integer_, logLik = if (ok) f$loglik else NA_real_,
                  crit = if (ok) crit_of(f) else Inf,
                  converged = ok && isTRUE(f$convergence$converged),
                  flags = if (ok) paste(f$flags, collapse = ",") else "",
                  note = if (!ok) conditionMessage(f) else paste(unique(warn), collapse = " | "))
    if (ok && (!entry$converged || nzchar(entry$flags))) entry$crit <- Inf  # never select a non-MLE
    cache[[key]] <- entry
    rows[[length(rows) + 1L]] <<- entry
    if (isTRUE(trace)) {
      cat(sprintf("  %-12s %-50s %s = %s\n", d, entry$model, criterion,
                  if (is.finite(entry$crit)) format(entry$crit, digits = 7) else "--"))
    }
    entry
  }

  path <- list()
  for (d in dist) {
    prm <- if (is.null(params)) .surv_select_params(d) else params
    bad <- setdiff(prm, .surv_pars)
    if (length(bad)) stop(sprintf("Unknown parameter%s in `params`: %s.", if (length(bad) > 1) "s" else "",
                                  paste(bad, collapse = ", ")), call. = FALSE)
    prm <- setdiff(prm, .surv_structural[[d]])
    if (d %in% c("weibull", "exponential") && all(c("phi", "lambda") %in% prm)) {
      stop(sprintf("For dist = \"%s\" phi and lambda are confounded: put only one of them in `params`.", d),
           call. = FALSE)
    }
    if (!length(prm)) next
    empty <- stats::setNames(rep(list(character()), length(prm)), prm)
    full <- stats::setNames(rep(list(terms_all), length(prm)), prm)
    if (isTRUE(trace)) cat(sprintf("dist = \"%s\", parameters: %s\n", d, paste(prm, collapse = ", ")))
    if (method == "all") {
      for (m in 0:(2^length(prm) - 1L)) {
        on <- prm[bitwAnd(m, 2^(seq_along(prm) - 1L)) > 0]
        st <- empty
        for (k in on) st[[k]] <- terms_all
        fit_state(d, st, prm)
      }
      next
    }
    cur <- fit_state(d, if (method == "backward") full else empty, prm)
    path[[length(path) + 1L]] <- data.frame(dist = d, step = 0L, move = "start", model = cur$model,
                                            df = cur$df, logLik = cur$logLik, criterion = cur$crit)
    step <- 0L
    repeat {
      cands <- list()
      st <- cur$state
      if (method %in% c("forward", "stepwise")) {
        for (v in terms_all) {
          missing_in <- prm[!vapply(prm, function(k) v %in% st[[k]], TRUE)]
          for (k in missing_in) {
            s2 <- st
            s2[[k]] <- c(s2[[k]], v)
            cands[[length(cands) + 1L]] <- list(state = s2, move = sprintf("+ %s in %s", v, k))
          }
          if (joint && length(missing_in) > 1L) {
            s2 <- st
            for (k in missing_in) s2[[k]] <- c(s2[[k]], v)
            cands[[length(cands) + 1L]] <- list(state = s2, move = sprintf("+ %s in %s (joint)", v,
                                                                           paste(missing_in, collapse = ", ")))
          }
        }
      }
      if (method %in% c("backward", "stepwise")) {
        for (v in terms_all) {
          present_in <- prm[vapply(prm, function(k) v %in% st[[k]], TRUE)]
          for (k in present_in) {
            s2 <- st
            s2[[k]] <- setdiff(s2[[k]], v)
            cands[[length(cands) + 1L]] <- list(state = s2, move = sprintf("- %s from %s", v, k))
          }
          if (joint && length(present_in) > 1L) {
            s2 <- st
            for (k in present_in) s2[[k]] <- setdiff(s2[[k]], v)
            cands[[length(cands) + 1L]] <- list(state = s2, move = sprintf("- %s from %s (joint)", v,
                                                                           paste(present_in, collapse = ", ")))
          }
        }
      }
      if (!length(cands)) break
      res <- lapply(cands, function(cd) fit_state(d, cd$state, prm))
      crits <- vapply(res, function(r) r$crit, 1)
      best <- which.min(crits)
      if (!is.finite(crits[best]) || crits[best] >= cur$crit - 1e-8) break
      cur <- res[[best]]
      step <- step + 1L
      path[[length(path) + 1L]] <- data.frame(dist = d, step = step, move = cands[[best]]$move,
                                              model = cur$model, df = cur$df, logLik = cur$logLik,
                                              criterion = cur$crit)
    }
  }
  if (!length(rows)) stop("No candidate model could be formed.", call. = FALSE)
  tab <- data.frame(dist = vapply(rows, function(r) r$dist, ""),
                    model = vapply(rows, function(r) r$model, ""),
                    df = vapply(rows, function(r) as.integer(r$df), 1L),
                    logLik = vapply(rows, function(r) r$logLik, 1),
                    criterion = vapply(rows, function(r) if (is.finite(r$crit)) r$crit else NA_real_, 1),
                    converged = vapply(rows, function(r) r$converged, TRUE),
                    flags = vapply(rows, function(r) r$flags, ""),
                    note = vapply(rows, function(r) r$note, ""), stringsAsFactors = FALSE)
  names(tab)[names(tab) == "criterion"] <- criterion
  ord <- order(tab[[criterion]], na.last = TRUE)
  tab <- tab[ord, , drop = FALSE]
  rownames(tab) <- NULL
  okrows <- rows[ord]
  if (!is.finite(tab[[criterion]][1L])) {
    stop("No candidate model converged to an interior maximum; see the fit messages with trace = TRUE.",
         call. = FALSE)
  }
  best <- okrows[[1L]]$fit
  structure(list(best = best, table = tab, path = if (length(path)) do.call(rbind, path),
                 criterion = criterion, method = method, dist = dist, candidates = terms_all),
            class = "surv_mpr_select")
}

print.surv_mpr_select <- function(x, n = 10L, ...) {
  cat(sprintf("surv_mpr model selection (%s, ranked by %s); %d models fitted\n", x$method, x$criterion,
              nrow(x$table)))
  cat(sprintf("Candidate covariates: %s\n", paste(x$candidates, collapse = ", ")))
  if (!is.null(x$path) && nrow(x$path) > 1L) {
    cat("\nPath:\n")
    print(x$path, row.names = FALSE, digits = 7)
  }
  cat("\nBest models:\n")
  show <- utils::head(x$table[, setdiff(names(x$table), "note")], n)
  print(show, row.names = FALSE, digits = 7)
  cat(sprintf("\nSelected: dist = \"%s\", %s\n", x$table$dist[1L], x$table$model[1L]))
  invisible(x)
}
