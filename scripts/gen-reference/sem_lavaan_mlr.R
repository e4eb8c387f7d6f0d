#!/usr/bin/env Rscript
# scripts/gen-reference/sem_lavaan_mlr.R -- frozen lavaan references for SEM MLR under FIML, multiple
# groups and a mean structure (issue 4).
#
# Run from the repository root:  Rscript scripts/gen-reference/sem_lavaan_mlr.R
# Reads tests/data/sem_hs_missing.csv (written by sem_lavaan_fiml_mg.R: HS x1..x9 + school, ~10% MCAR NA).
# Writes (tests/data/):
#   sem_<name>_estimates.csv   group, lhs, op, rhs, free, est, se (lavaan parameterEstimates, robust SEs)
#   sem_<name>_fit.csv         measure, value (lavaan fitMeasures incl. the scaled / robust indices)
# Fits (lavaan 0.6.14, HS CFA visual/textual/speed, estimator = "MLR" = ML + Huber-White SEs with the
# observed information + test "yuan.bentler.mplus"):
#   mlr_means     cfa(meanstructure = TRUE) on the complete HS data
#   fiml_mlr      cfa(missing = "ml") on sem_hs_missing.csv
#   mg_mlr        cfa(group = "school", group.equal = c("loadings", "intercepts")) on the complete data
#   mg_fiml_mlr   cfa(group = "school", missing = "ml", group.equal = "loadings") on sem_hs_missing.csv
#   uls           cfa(estimator = "ULS") on the complete data: lavaan's default ULS SEs (se = "standard",
#                 (Delta^T Delta)^{-1} / (N - 1)); estimates file only
# Every fit is refitted with optim.method = "BFGS", reltol 1e-16 (as sem_lavaan_fiml_mg.R) and checked
# against the default nlminb fit on the chi-square to 1e-6 relative.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/data"
stopifnot(dir.exists(out))
fmt <- function(x) trimws(formatC(x, digits = 15, format = "g"))

hs <- HolzingerSwineford1939[, c(paste0("x", 1:9), "school")]
hs$school <- as.character(hs$school)
miss <- read.csv(file.path(out, "sem_hs_missing.csv"), stringsAsFactors = FALSE)
model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"

dump <- function(name, fit) {
  pe <- parameterEstimates(fit, remove.eq = TRUE, remove.ineq = TRUE, remove.def = TRUE)
  pt <- parTable(fit)
  pt <- pt[pt$op %in% c("=~", "~", "~~", "~1"), ]
  key <- function(d) paste(d$group, d$lhs, d$op, d$rhs)
  pe$group <- if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group
  m <- match(key(pt), key(pe))
  d <- data.frame(group = pt$group, lhs = pt$lhs, op = pt$op, rhs = pt$rhs, free = as.integer(pt$free > 0),
                  est = fmt(pe$est[m]), se = fmt(pe$se[m]))
  write.csv(d, file.path(out, paste0("sem_", name, "_estimates.csv")), row.names = FALSE, quote = TRUE)
  fm <- fitMeasures(fit)
  keep <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled",
            "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "baseline.chisq.scaling.factor",
            "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
            "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.scaled", "rmsea.robust", "srmr")
  vals <- c(fm[keep], ntotal = lavInspect(fit, "ntotal"))
  write.csv(data.frame(measure = names(vals), value = fmt(unname(vals))),
            file.path(out, paste0("sem_", name, "_fit.csv")), row.names = FALSE, quote = TRUE)
  invisible(fit)
}

tight <- function(...) {
  f0 <- cfa(model, estimator = "MLR", ...)
  f <- cfa(model, estimator = "MLR", ..., optim.method = "BFGS", control = list(reltol = 1e-16, maxit = 10000L))
  stopifnot(lavInspect(f, "converged"),
            abs(fitMeasures(f, "chisq") - fitMeasures(f0, "chisq")) < 1e-6 * fitMeasures(f0, "chisq"))
  f
}
f1 <- dump("mlr_means", tight(data = hs, meanstructure = TRUE))
f2 <- dump("fiml_mlr", tight(data = miss, missing = "ml"))
f3 <- dump("mg_mlr", tight(data = hs, group = "school", group.equal = c("loadings", "intercepts")))
f4 <- dump("mg_fiml_mlr", tight(data = miss, group = "school", missing = "ml", group.equal = "loadings"))
fu <- cfa(model, data = hs, estimator = "ULS", optim.method = "BFGS", control = list(reltol = 1e-16, maxit = 10000L))
stopifnot(lavInspect(fu, "converged"), lavInspect(fu, "options")$se == "standard")
dump("uls", fu)
invisible(file.remove(file.path(out, "sem_uls_fit.csv")))
if (interactive() || nzchar(Sys.getenv("SEM_REF_VERBOSE"))) {
  for (f in list(f1, f2, f3, f4)) print(lavInspect(f, "options")[c("information", "h1.information", "observed.information", "test", "se")])
}
