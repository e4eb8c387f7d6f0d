#!/usr/bin/env Rscript
# scripts/gen-reference/sem_lavaan.R -- frozen lavaan reference results for the SEM family tests.
#
# Run from the repository root:  Rscript scripts/gen-reference/sem_lavaan.R
# Writes (tests/data/):
#   HolzingerSwineford1939.csv            lavaan's data set (N = 301), write.csv without row names
#   sem_PoliticalDemocracy.csv             lavaan's data set (N = 75)
#   sem_<model>_estimates.csv              lhs, op, rhs, free, est, se (expected info), se_observed,
#                                          se_mlr (robust.huber.white), est_gls, se_gls, est_uls
#   sem_<model>_fit.csv                    measure, value (lavaan fitMeasures, ML; plus MLR/GLS extras)
# Models: hs_cfa (the classic 3-factor CFA), nonrec (the non-recursive model of spec 5.2 fitted to its
# population covariance with sample.nobs = 500), poldem (the PoliticalDemocracy SEM without
# residual covariances; acyclic, latent regressions).
suppressPackageStartupMessages(library(lavaan))
out <- "tests/data"
stopifnot(dir.exists(out))
options(digits = 15)
fmt <- function(x) trimws(formatC(x, digits = 15, format = "g"))

write.csv(HolzingerSwineford1939, file.path(out, "HolzingerSwineford1939.csv"), row.names = FALSE)
write.csv(PoliticalDemocracy, file.path(out, "sem_PoliticalDemocracy.csv"), row.names = FALSE)

dump_fit <- function(name, fit, fit_obs, fit_mlr, fit_gls, fit_uls) {
  pt <- parTable(fit)
  pe <- parameterEstimates(fit)
  key <- function(d) paste(d$lhs, d$op, d$rhs)
  m <- match(key(pt), key(pe))
  po <- parameterEstimates(fit_obs)
  mo <- match(key(pt), key(po))
  d <- data.frame(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, free = as.integer(pt$free > 0),
                  est = fmt(pe$est[m]), se = fmt(pe$se[m]), se_observed = fmt(po$se[mo]))
  if (!is.null(fit_mlr)) {
    pr <- parameterEstimates(fit_mlr); d$se_mlr <- fmt(pr$se[match(key(pt), key(pr))])
  }
  if (!is.null(fit_gls)) {
    pg <- parameterEstimates(fit_gls); mg <- match(key(pt), key(pg))
    d$est_gls <- fmt(pg$est[mg]); d$se_gls <- fmt(pg$se[mg])
  }
  if (!is.null(fit_uls)) {
    pu <- parameterEstimates(fit_uls); d$est_uls <- fmt(pu$est[match(key(pt), key(pu))])
  }
  write.csv(d, file.path(out, paste0("sem_", name, "_estimates.csv")), row.names = FALSE, quote = TRUE)

  fm <- fitMeasures(fit)
  keep <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
            "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
            "rmsea.pvalue", "srmr")
  vals <- c(fm[keep], ntotal = lavInspect(fit, "ntotal"), iterations = lavInspect(fit, "iterations"))
  if (!is.null(fit_mlr)) {
    fr <- fitMeasures(fit_mlr)
    k2 <- c("chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "baseline.chisq.scaled",
            "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "rmsea.robust")
    k2 <- k2[k2 %in% names(fr)]
    v2 <- fr[k2]; names(v2) <- paste0("mlr.", k2)
    vals <- c(vals, v2)
  }
  if (!is.null(fit_gls)) {
    fg <- fitMeasures(fit_gls, c("chisq", "fmin"))
    names(fg) <- paste0("gls.", names(fg)); vals <- c(vals, fg)
  }
  if (!is.null(fit_uls)) {
    fu <- fitMeasures(fit_uls, c("fmin")); names(fu) <- paste0("uls.", names(fu)); vals <- c(vals, fu)
  }
  # Implied covariance (lower triangle, row-wise, observed variables in lavaan's order)
  S <- fitted(fit)$cov
  ov <- rownames(S)
  imp <- c()
  for (i in seq_along(ov)) for (j in seq_len(i)) imp[paste0("implied.", ov[i], ".", ov[j])] <- S[i, j]
  vals <- c(vals, imp)
  write.csv(data.frame(measure = names(vals), value = fmt(as.numeric(vals))),
            file.path(out, paste0("sem_", name, "_fit.csv")), row.names = FALSE, quote = TRUE)
}

# --- HS CFA -----------------------------------------------------------------------------------
hs_model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
HS <- HolzingerSwineford1939
f1 <- cfa(hs_model, data = HS)
f1o <- cfa(hs_model, data = HS, information = "observed")
f1r <- cfa(hs_model, data = HS, estimator = "MLR")
f1g <- cfa(hs_model, data = HS, estimator = "GLS")
f1u <- cfa(hs_model, data = HS, estimator = "ULS")
dump_fit("hs_cfa", f1, f1o, f1r, f1g, f1u)

# --- non-recursive model of spec 5.2 (population covariance, N = 500) --------------------------
L <- matrix(0, 6, 6, dimnames = list(c("y1", "y2", "y3", "x1", "x2", "x3"), c("y1", "y2", "y3", "x1", "x2", "x3")))
# L[i, j] = coefficient of j in the equation of i (B with x's as exogenous)
L["y1", "y3"] <- .5; L["y1", "x1"] <- .7
L["y2", "y1"] <- .5; L["y2", "x2"] <- .7
L["y3", "y2"] <- .4; L["y3", "x3"] <- .7
Bi <- solve(diag(6) - L)
Sig <- Bi %*% diag(6) %*% t(Bi)
dimnames(Sig) <- dimnames(L)
nr_model <- "y1 ~ y3 + x1\n y2 ~ y1 + x2\n y3 ~ y2 + x3"
f2 <- sem(nr_model, sample.cov = Sig, sample.nobs = 500)
f2o <- sem(nr_model, sample.cov = Sig, sample.nobs = 500, information = "observed")
f2g <- sem(nr_model, sample.cov = Sig, sample.nobs = 500, estimator = "GLS")
dump_fit("nonrec", f2, f2o, NULL, f2g, NULL)
write.csv(data.frame(Sig), file.path(out, "sem_nonrec_population_cov.csv"), row.names = TRUE)

# --- PoliticalDemocracy (simplified: no residual covariances) ----------------------------------
pd_model <- "ind60 =~ x1 + x2 + x3\n dem60 =~ y1 + y2 + y3 + y4\n dem65 =~ y5 + y6 + y7 + y8\n dem60 ~ ind60\n dem65 ~ ind60 + dem60"
f3 <- sem(pd_model, data = PoliticalDemocracy)
f3o <- sem(pd_model, data = PoliticalDemocracy, information = "observed")
f3r <- sem(pd_model, data = PoliticalDemocracy, estimator = "MLR")
dump_fit("poldem", f3, f3o, f3r, NULL, NULL)

cat("wrote sem reference files to", out, "\n")
