#!/usr/bin/env Rscript
# Writes tests/data/veteran.csv (survival::veteran, 137 rows) and freezes survreg reference fits in
# tests/data/survival_survreg_ref.csv (long format: model, quantity, value), mapped to hetmod's APGW
# parameterisation (spec/survival.md section 5.B): log phi = -coef, log gamma = -log(scale), lambda = 1.
# trt enters as an indicator of the test arm (trt == 2). Run from the repository root:
#   Rscript scripts/gen-reference/veteran.R
suppressPackageStartupMessages(library(survival))
out_dir <- file.path("tests", "data")
vet <- survival::veteran
vet$celltype <- as.character(vet$celltype)
write.csv(vet, file.path(out_dir, "veteran.csv"), row.names = FALSE, quote = TRUE)

vet$trt01 <- as.numeric(vet$trt == 2)
rows <- list()
add <- function(model, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, quantity = quantity,
                                          value = sprintf("%.10g", value))
}
fitref <- function(model, formula, dist) {
  f <- survreg(formula, data = vet, dist = dist, control = survreg.control(rel.tolerance = 1e-12,
                                                                           maxiter = 200))
  add(model, "loglik", f$loglik[2])
  cf <- coef(f)
  add(model, "log_phi:(Intercept)", -cf[1])
  if (length(cf) > 1) add(model, "log_phi:trt", -cf[2])
  if (dist != "exponential") add(model, "log_gamma", -log(f$scale))
  se <- sqrt(diag(vcov(f)))
  add(model, "se_log_phi:(Intercept)", se[1])
  if (length(cf) > 1) add(model, "se_log_phi:trt", se[2])
}
fitref("exponential_null", Surv(time, status) ~ 1, "exponential")
fitref("exponential_trt", Surv(time, status) ~ trt01, "exponential")
fitref("weibull_null", Surv(time, status) ~ 1, "weibull")
fitref("weibull_trt", Surv(time, status) ~ trt01, "weibull")
fitref("loglogistic_null", Surv(time, status) ~ 1, "loglogistic")
fitref("loglogistic_trt", Surv(time, status) ~ trt01, "loglogistic")
ref <- do.call(rbind, rows)
write.csv(ref, file.path(out_dir, "survival_survreg_ref.csv"), row.names = FALSE, quote = FALSE)
print(ref)
