#!/usr/bin/env Rscript
# Freezes reference values for the survival family's inference features (issue #3) in
# tests/data/survival_inference_ref.csv (long format: case, quantity, value) and the split veteran data
# with a time-varying covariate in tests/data/veteran_tvc.csv. Run from the repository root:
#   Rscript scripts/gen-reference/survival_inference.R
# Independent computations (survival::survreg and hand-written likelihoods with optim), mapped to hetmod's
# APGW parameterisation: log phi = -coef, log gamma = -log(scale) (spec/survival.md 5.B).
#  1. Profile-likelihood CIs (95%) by uniroot on 2 (l_max - l_p) = qchisq(0.95, 1), where l_p comes from
#     survreg fits with the profiled quantity held fixed: the scale via survreg(scale = s) (Weibull null,
#     log gamma = -log s) and the trt effect via offset(b * trt01) (Weibull, trt in phi).
#  2. Sandwich and cluster-robust variances: survreg(robust = TRUE) and survreg(... + cluster(id)) with
#     id = (row - 1) %/% 3; survreg uses crossprod(rowsum(dfbeta, id)), no small-sample factor.
#  3. Counting-process data: veteran split at day 60 (and at day 200 for an unchanged-covariate split) with
#     z(t) = trt01 * 1{t > 60}; Weibull PH h(t) = exp(b0 + b1 trt01 + b2 z(t)) gamma t^(gamma - 1) fitted by
#     optim (BFGS then Nelder-Mead polish, reltol 1e-14) on the hand-written counting-process likelihood
#     sum d log h(stop) - [H(stop) - H(start)].
suppressPackageStartupMessages(library(survival))
out_dir <- file.path("tests", "data")
vet <- survival::veteran
vet$trt01 <- as.numeric(vet$trt == 2)
rows <- list()
add <- function(case, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, value = sprintf("%.12g", value))
}
ctl <- survreg.control(rel.tolerance = 1e-13, maxiter = 500)
q95 <- qchisq(0.95, 1)

# 1a. Weibull null: profile over the scale.
f0 <- survreg(Surv(time, status) ~ 1, data = vet, dist = "weibull", control = ctl)
lmax <- f0$loglik[2]
lp_scale <- function(ls) survreg(Surv(time, status) ~ 1, data = vet, dist = "weibull", scale = exp(ls),
                                 control = ctl)$loglik[2]
fn <- function(ls) 2 * (lmax - lp_scale(ls)) - q95
ls0 <- log(f0$scale)
lo <- uniroot(fn, c(ls0 - 1, ls0), tol = 1e-12)$root
hi <- uniroot(fn, c(ls0, ls0 + 1), tol = 1e-12)$root
add("weibull_null", "loglik", lmax)
add("weibull_null", "log_gamma", -ls0)
add("weibull_null", "profile_lower_log_gamma", -hi)
add("weibull_null", "profile_upper_log_gamma", -lo)
add("weibull_null", "profile_loglik_log_gamma_0", lp_scale(0))  # log gamma = 0: the exponential

# 1b. Weibull with trt in phi: profile over the trt coefficient (log phi:trt = -coef).
f1 <- survreg(Surv(time, status) ~ trt01, data = vet, dist = "weibull", control = ctl)
lmax1 <- f1$loglik[2]
lp_trt <- function(b) {
  vet$.o <- b * vet$trt01
  survreg(Surv(time, status) ~ 1 + offset(.o), data = vet, dist = "weibull", control = ctl)$loglik[2]
}
b1 <- coef(f1)[["trt01"]]
se1 <- sqrt(vcov(f1)["trt01", "trt01"])
fn1 <- function(b) 2 * (lmax1 - lp_trt(b)) - q95
lo1 <- uniroot(fn1, c(b1 - 4 * se1, b1), tol = 1e-12)$root
hi1 <- uniroot(fn1, c(b1, b1 + 4 * se1), tol = 1e-12)$root
add("weibull_trt_phi", "loglik", lmax1)
add("weibull_trt_phi", "log_phi:trt", -b1)
add("weibull_trt_phi", "profile_lower_log_phi:trt", -hi1)
add("weibull_trt_phi", "profile_upper_log_phi:trt", -lo1)

# 2. Robust variances, Weibull with trt in phi (order: intercept, trt, log scale; hetmod negates all three,
#    which leaves the variances and the intercept-trt covariance unchanged).
fr <- survreg(Surv(time, status) ~ trt01, data = vet, dist = "weibull", robust = TRUE, control = ctl)
vet$id <- (seq_len(nrow(vet)) - 1L) %/% 3L
fc <- survreg(Surv(time, status) ~ trt01 + cluster(id), data = vet, dist = "weibull", control = ctl)
for (nm in c("robust", "cluster")) {
  V <- if (nm == "robust") fr$var else fc$var
  add("weibull_trt_phi", paste0(nm, "_var_intercept"), V[1, 1])
  add("weibull_trt_phi", paste0(nm, "_var_trt"), V[2, 2])
  add("weibull_trt_phi", paste0(nm, "_var_log_gamma"), V[3, 3])
  add("weibull_trt_phi", paste0(nm, "_cov_intercept_trt"), V[1, 2])
  add("weibull_trt_phi", paste0(nm, "_cov_trt_log_gamma"), V[2, 3])
}
add("weibull_trt_phi", "model_var_trt", vcov(f1)[2, 2])

# 3. Counting-process data with a time-varying covariate.
cut1 <- 60
cut2 <- 200
sp <- survSplit(Surv(time, status) ~ ., data = vet[, c("time", "status", "trt01")],
                cut = c(cut1, cut2), episode = "ep", id = "id")
sp$z <- sp$trt01 * as.numeric(sp$tstart >= cut1)
sp <- sp[, c("id", "tstart", "time", "status", "trt01", "z")]
names(sp)[names(sp) == "time"] <- "tstop"
write.csv(sp, file.path(out_dir, "veteran_tvc.csv"), row.names = FALSE, quote = FALSE)
nll <- function(p) {
  b0 <- p[1]; b1 <- p[2]; b2 <- p[3]; g <- exp(p[4])
  eta <- b0 + b1 * sp$trt01 + b2 * sp$z
  H <- exp(eta) * (sp$tstop^g - sp$tstart^g)
  logh <- eta + log(g) + (g - 1) * log(sp$tstop)
  -sum(sp$status * logh - H)
}
st <- c(-5, 0, 0, 0)
o <- optim(st, nll, method = "BFGS", control = list(reltol = 1e-14, maxit = 10000))
o <- optim(o$par, nll, method = "Nelder-Mead", control = list(reltol = 1e-15, maxit = 20000))
o <- optim(o$par, nll, method = "BFGS", control = list(reltol = 1e-15, maxit = 10000))
add("weibull_tvc", "loglik", -o$value)
add("weibull_tvc", "lambda:(Intercept)", o$par[1])
add("weibull_tvc", "lambda:trt01", o$par[2])
add("weibull_tvc", "lambda:z", o$par[3])
add("weibull_tvc", "gamma:(Intercept)", o$par[4])
H <- optimHess(o$par, nll)
add("weibull_tvc", "se_lambda:z", sqrt(solve(H)[3, 3]))

ref <- do.call(rbind, rows)
write.csv(ref, file.path(out_dir, "survival_inference_ref.csv"), row.names = FALSE, quote = FALSE)
print(ref)
