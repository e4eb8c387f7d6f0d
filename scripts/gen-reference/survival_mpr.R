#!/usr/bin/env Rscript
# Freezes mpr (CRAN, Burke) fits on survival::veteran in tests/data/survival_mpr_ref.csv (long format:
# model, quantity, value) for the survival peer checks of spec/survival.md section 5.C/5.G, so that the
# C++ and R tests run without mpr installed (the R tests also re-run mpr live when it is installed).
# mpr's parameterisations (R/mprdists.R), trt coded 1/2 as in veteran:
#   Weibull  H = lam t^gam                     (beta on log lam, alpha on log gam)
#   Burr     H = (1/rho) log(1 + lam rho t^gam)  (beta, alpha, tau on log rho)
#   PGW      H = lam ((1 + t^gam)^rho - 1)       (beta, alpha, tau on log rho); in hetmod's APGW this is
#            kappa = rho, phi = (1 + kappa)^(1/gam), lambda = lam kappa / (1 + kappa).
# Run from the repository root with mpr installed (tested with mpr 1.0.6):
#   R_LIBS=/work/cranlib Rscript scripts/gen-reference/survival_mpr.R
suppressPackageStartupMessages({ library(survival); library(mpr) })
vet <- survival::veteran
rows <- list()
add <- function(model, quantity, value)
  rows[[length(rows) + 1]] <<- data.frame(model = model, quantity = quantity, value = sprintf("%.10g", value))
freeze <- function(model, fit) {
  add(model, "loglik", fit$model$loglike)
  cf <- unlist(fit$coefficients)
  for (k in names(cf)) add(model, k, cf[[k]])
}
freeze("weibull_trt_trt", mpr(Surv(time, status) ~ list(~trt, ~trt), data = vet, family = "Weibull"))
freeze("burr_null", mpr(Surv(time, status) ~ list(~1, ~1, ~1), data = vet, family = "Burr"))
# mpr's default start fails for the PGW on veteran ("non-finite value supplied by nlm"): explicit starts.
freeze("pgw_null", mpr(Surv(time, status) ~ list(~1, ~1, ~1), data = vet, family = "PGW", init = c(-4.5, 0, -1),
                       iterlim = 5000))
freeze("pgw_trt", mpr(Surv(time, status) ~ list(~trt, ~1, ~1), data = vet, family = "PGW", init = c(-4.5, 0, 0, -1),
                      iterlim = 5000))
ref <- do.call(rbind, rows)
write.csv(ref, file.path("tests", "data", "survival_mpr_ref.csv"), row.names = FALSE, quote = FALSE)
print(ref)
