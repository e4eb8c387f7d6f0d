# sem_methods.R -- S3 methods of "sem_fit": print, summary (lavaan-like), glance, and the helpers they use.
# coef, vcov, logLik, nobs, confint and tidy come from "hetmod_fit" (fit-methods.R).

.sem_fmt <- function(x, digits = 3L, width = 9L) {
  ifelse(is.na(x), formatC("NA", width = width), formatC(x, format = "f", digits = digits, width = width))
}

print.sem_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  fm <- x$fit_measures
  cat(sprintf("hetmod SEM fit: estimator %s, %d free parameters, %d observations%s\n", x$estimator,
              length(x$coefficients), x$nobs,
              if (isTRUE(x$n_dropped > 0L)) sprintf(" (%d rows with missing values dropped)", x$n_dropped) else ""))
  cat(sprintf("  %s\n", convergence_text(x$convergence)))
  if (length(x$group_labels) > 0L)
    cat(sprintf("  %d groups (%s): %s\n", length(x$group_labels), x$group,
                paste(sprintf("%s n = %d", x$group_labels, as.integer(x$group_nobs)), collapse = ", ")))
  if (identical(x$missing, "fiml"))
    cat(sprintf("  missing data: FIML (%s information)\n", x$information))
  cat(sprintf("  chisq = %s, df = %d, p = %s;  CFI %s, TLI %s, RMSEA %s, SRMR %s\n",
              format(round(fm[["chisq"]], 3L), nsmall = 3L), as.integer(fm[["df"]]),
              format.pval(fm[["pvalue"]], digits = 3L), format(round(fm[["cfi"]], 3L), nsmall = 3L),
              format(round(fm[["tli"]], 3L), nsmall = 3L), format(round(fm[["rmsea"]], 3L), nsmall = 3L),
              format(round(fm[["srmr"]], 3L), nsmall = 3L)))
  if (!isTRUE(x$admissibility$admissible))
    cat(sprintf("  NOT ADMISSIBLE: %s\n", paste(x$admissibility$messages, collapse = "; ")))
  invisible(x)
}

summary.sem_fit <- function(object, ...) {
  pt <- object$partable
  pt <- pt[!pt$exo, , drop = FALSE]
  se_ok <- !isTRUE(object$admissibility$vcov_not_pd) && !all(is.na(object$vcov))
  se_note <- if (isTRUE(object$admissibility$vcov_not_pd)) "singular" else if (!se_ok) "not_computed" else ""
  structure(list(call = object$call, estimator = object$estimator, nobs = object$nobs, npar = length(object$coefficients),
                 n_dropped = object$n_dropped, convergence = object$convergence, fit_measures = object$fit_measures,
                 admissibility = object$admissibility, partable = pt, latent = object$latent, se_ok = se_ok,
                 se_note = se_note, groups = object$group_labels, group_nobs = object$group_nobs,
                 missing = object$missing, n_empty = object$n_empty, information = object$information),
            class = "summary.sem_fit")
}

print.summary.sem_fit <- function(x, digits = 3L, ...) {
  line <- function(label, value) cat(sprintf("  %-44s %14s\n", label, value))
  num <- function(v, d = digits) formatC(v, format = "f", digits = d)
  cat(sprintf("hetmod SEM fit (estimator %s)\n", x$estimator))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat(sprintf("  %s\n\n", convergence_text(x$convergence)))
  line("Number of model parameters", x$npar)
  line("Number of observations", x$nobs)
  if (isTRUE(x$n_dropped > 0L)) line("Rows dropped (missing values, listwise)", x$n_dropped)
  if (length(x$groups) > 0L)
    for (g in seq_along(x$groups)) line(sprintf("  Group %d [%s]", g, x$groups[g]), as.integer(x$group_nobs[g]))
  if (identical(x$missing, "fiml")) {
    line("Missing data", "FIML")
    if (isTRUE(x$n_empty > 0L)) line("Empty rows dropped", x$n_empty)
    line("Information (standard errors)", x$information)
  }
  fm <- x$fit_measures
  cat("\nModel Test User Model:\n")
  line("Test statistic", num(fm[["chisq"]]))
  line("Degrees of freedom", as.integer(fm[["df"]]))
  line("P-value (Chi-square)", num(fm[["pvalue"]]))
  if (!is.na(fm[["chisq.scaled"]])) {
    line("Scaled test statistic (Yuan-Bentler)", num(fm[["chisq.scaled"]]))
    line("Scaling correction factor", num(fm[["chisq.scaling.factor"]]))
    line("P-value (scaled)", num(fm[["pvalue.scaled"]]))
  }
  if (!is.na(fm[["baseline.chisq"]])) {
    cat("\nModel Test Baseline Model:\n")
    line("Test statistic", num(fm[["baseline.chisq"]]))
    line("Degrees of freedom", as.integer(fm[["baseline.df"]]))
    cat("\nUser Model versus Baseline Model:\n")
    line("Comparative Fit Index (CFI)", num(fm[["cfi"]]))
    line("Tucker-Lewis Index (TLI)", num(fm[["tli"]]))
  }
  cat("\nLoglikelihood and Information Criteria:\n")
  line("Loglikelihood user model (H0)", num(fm[["logl"]]))
  line("Loglikelihood unrestricted model (H1)", num(fm[["unrestricted.logl"]]))
  line("Akaike (AIC)", num(fm[["aic"]]))
  line("Bayesian (BIC)", num(fm[["bic"]]))
  cat("\nRoot Mean Square Error of Approximation:\n")
  line("RMSEA", num(fm[["rmsea"]]))
  line("90 Percent confidence interval - lower", num(fm[["rmsea.ci.lower"]]))
  line("90 Percent confidence interval - upper", num(fm[["rmsea.ci.upper"]]))
  line("P-value H_0: RMSEA <= 0.050", num(fm[["rmsea.pvalue"]]))
  cat("\nStandardized Root Mean Square Residual:\n")
  line("SRMR", num(fm[["srmr"]]))

  adm <- x$admissibility
  cat("\nAdmissibility:\n")
  flags <- c(heywood = "Heywood case (negative variance)", latent_cov_not_pd = "latent covariance matrix not PD",
             residual_cov_not_pd = "residual covariance matrix not PSD",
             vcov_not_pd = "information singular (identification?)", unstable_cycle = "unstable cycle")
  for (f in names(flags)) line(flags[[f]], if (isTRUE(adm[[f]])) "YES" else "no")
  if (adm$spectral_radius > 0) line("Spectral radius of A (cyclic model)", num(adm$spectral_radius))
  if (!isTRUE(adm$admissible)) cat(sprintf("  NOT ADMISSIBLE: %s.\n", paste(adm$messages, collapse = "; ")))

  cat("\nParameter Estimates:\n")
  if (identical(x$se_note, "not_computed"))
    cat("  Standard errors were not computed (se = FALSE).\n")
  if (identical(x$se_note, "singular"))
    cat(paste0("  Standard errors are NA: the information matrix is singular or the covariance matrix of\n",
               "  the estimates is not positive definite, so the model is probably not identified\n",
               "  (see sem_identify()). The estimates are not unique.\n"))
  pt_all <- x$partable
  pt <- pt_all
  row_text <- function(name, r) {
    free <- isTRUE(pt$free[r])
    lab <- if (nzchar(pt$label[r])) sprintf("%s (%s)", name, pt$label[r]) else name
    if (free) {
      sprintf("    %-20s %9s %9s %9s %9s\n", lab, num(pt$est[r]), .sem_fmt(pt$se[r]), .sem_fmt(pt$z[r]),
              .sem_fmt(pt$pvalue[r]))
    } else {
      sprintf("    %-20s %9s\n", lab, num(pt$est[r]))
    }
  }
  header <- sprintf("  %-22s %9s %9s %9s %9s\n", "", "Estimate", "Std.Err", "z-value", "P(>|z|)")
  block <- function(title, rows, grouped, opsym, namefun) {
    if (!length(rows)) return(invisible())
    cat(sprintf("\n%s:\n", title))
    cat(header)
    if (grouped) {
      for (g in unique(pt$lhs[rows])) {
        cat(sprintf("  %s %s\n", g, opsym))
        for (r in rows[pt$lhs[rows] == g]) cat(row_text(pt$rhs[r], r))
      }
    } else {
      for (r in rows) cat(row_text(namefun(r), r))
    }
  }
  dotname <- function(r) if (pt$lhs[r] %in% x$latent) pt$lhs[r] else paste0(".", pt$lhs[r])
  for (g in sort(unique(pt_all$group))) {
    pt <- pt_all[pt_all$group == g, , drop = FALSE]
    if (length(x$groups) > 1L) cat(sprintf("\n\nGroup %d [%s]:\n", g, x$groups[g]))
    idx <- seq_len(nrow(pt))
    block("Latent Variables", idx[pt$op == "=~"], TRUE, "=~", NULL)
    block("Regressions", idx[pt$op == "~"], TRUE, "~", NULL)
    block("Covariances", idx[pt$op == "~~" & pt$lhs != pt$rhs], TRUE, "~~", NULL)
    block("Intercepts", idx[pt$op == "~1"], FALSE, NULL, dotname)
    block("Variances", idx[pt$op == "~~" & pt$lhs == pt$rhs], FALSE, NULL, dotname)
  }
  invisible(x)
}

glance.sem_fit <- function(x, ...) {
  fm <- x$fit_measures
  data.frame(logLik = x$loglik, AIC = fm[["aic"]], BIC = fm[["bic"]], df = x$df, nobs = x$nobs,
             converged = isTRUE(x$convergence$converged), chisq = fm[["chisq"]], chisq.df = as.integer(fm[["df"]]),
             pvalue = fm[["pvalue"]], cfi = fm[["cfi"]], tli = fm[["tli"]], rmsea = fm[["rmsea"]], srmr = fm[["srmr"]],
             admissible = isTRUE(x$admissibility$admissible))
}
