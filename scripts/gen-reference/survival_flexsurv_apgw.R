#!/usr/bin/env Rscript
# Freezes flexsurv (CRAN) fits of the APGW written as a flexsurv custom distribution (spec/survival.md
# section 5.G) in tests/data/survival_flexsurv_ref.csv (long format: model, quantity, value), so that the
# C++ acceptance test (tests/cpp/survival/test_acceptance_peers.cpp) and the R acceptance test
# (rpkg/tests/testthat/test-surv_acceptance.R) run without flexsurv; the R test re-runs flexsurv live
# when it is installed.
#
# The custom distribution uses hetmod's parameter letters and links (phi, lambda, gamma: log; kappa:
# log(1 + kappa)); flexsurv maximises by BFGS (here reltol 1e-14, started at the spec's MLE) and reports
# SEs from a numerical Hessian. Quantities per model:
#   loglik, est_<k>, se_<k> (k = 1..p, link scale, hetmod's coefficient order phi, lambda, gamma, kappa);
#   loglik_at (flexsurv's log-likelihood at the fixed point at_<k>: an optimiser-free check of the
#   likelihood function itself).
# Data: D1 and D2 are the deterministic quantile-grid designs of spec 5.E; vet_* use survival::veteran
# (time in days, trt01 = indicator of the test arm); vet_interval_w / vet_entry are veteran-derived
# data with interval/left censoring and case weights, and with left truncation (see make_interval /
# make_entry: the same rows are built by the R acceptance test).
# Run from the repository root with flexsurv installed (tested with flexsurv 2.3.2):
#   R_LIBS=/work/cranlib Rscript scripts/gen-reference/survival_flexsurv_apgw.R
suppressPackageStartupMessages({ library(survival); library(flexsurv) })

hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
  u <- (phi * x)^gamma
  lambda * gamma * phi * (phi * x)^(gamma - 1) * (1 + u / (1 + kappa))^(kappa - 1)
}
Hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
  L <- log1p((phi * x)^gamma / (1 + kappa))
  z <- kappa * L
  lambda * (1 + kappa) * L * ifelse(abs(z) < 1e-8, 1 + z / 2, expm1(z) / z)
}
custom <- list(name = "apgw", pars = c("phi", "lambda", "gamma", "kappa"), location = "lambda",
               transforms = c(log, log, log, function(k) log(1 + k)),
               inv.transforms = c(exp, exp, exp, function(e) exp(e) - 1),
               inits = function(t) c(1, 1 / mean(t), 1, 0.5))
nat <- function(eta) c(exp(eta[1:3]), expm1(eta[4]))  # link scale -> natural scale (intercepts)

qgrid <- function(eta, n, C) {
  phi <- exp(eta[1]); lam <- exp(eta[2]); gam <- exp(eta[3]); kap <- expm1(eta[4])
  u <- (seq_len(n) - 0.5) / n
  y <- -log1p(-u)
  z <- 1 + kap * y / (lam * (1 + kap))
  T <- ifelse(z <= 0, Inf, ((1 + kap) * (z^(1 / kap) - 1))^(1 / gam) / phi)
  data.frame(time = pmin(T, C), status = as.integer(T <= C))
}
vet <- survival::veteran
vet$trt01 <- as.numeric(vet$trt == 2)
# Interior fits only: with phi fixed at 1 the interval-censored variant uses time in years; heavy left
# truncation (entry = time / 2 on every row) sends the APGW's kappa to +Inf, so only every 5th row is
# truncated.
# Interval-censored veteran: events in (0.8 t, 1.25 t], every 10th event left-censored at t (NA left end),
# right-censored rows (t, Inf); case weights 1, 1.5, 2 repeating.
make_interval <- function(v) {
  v$time <- v$time / 365.25
  i <- seq_len(nrow(v))
  lo <- ifelse(v$status == 1, 0.8 * v$time, v$time)
  hi <- ifelse(v$status == 1, 1.25 * v$time, NA)
  left <- v$status == 1 & i %% 10 == 0
  lo[left] <- NA
  hi[left] <- v$time[left]
  v$lo <- lo
  v$hi <- hi
  v$w <- 1 + (i %% 3) / 2
  v
}
# Left-truncated veteran (days): every 5th row enters at time / 2, the others at 0.
make_entry <- function(v) {
  v$entry <- ifelse(seq_len(nrow(v)) %% 5 == 0, v$time / 2, 0)
  v
}

rows <- list()
add <- function(model, quantity, value)
  rows[[length(rows) + 1]] <<- data.frame(model = model, quantity = quantity, value = sprintf("%.12g", value))
# SEs: flexsurv's own (optimHess, steps 1e-3) is off by up to 15% on the flat ridges of the phi-fixed fits,
# where the fourth derivatives in log gamma are large (log t up to 7 on veteran), so the SEs frozen here come
# from a central-difference Hessian of flexsurv's log-likelihood at flexsurv's estimate, Richardson-
# extrapolated over the steps 1e-3 and 5e-4 on the link scale; eval_at(t) is flexsurv's logL at link-scale
# parameters t (all rows of res.t, fixed ones included).
to_nat <- function(t) c(exp(t[1:3]), expm1(t[4]), t[-(1:4)])
fd_hessian <- function(eval_at, t0, free, h) {
  p <- length(free)
  H <- matrix(0, p, p)
  f0 <- eval_at(t0)
  at <- function(a, da, b = a, db = 0) {
    t <- t0
    t[free[a]] <- t[free[a]] + da
    t[free[b]] <- t[free[b]] + db
    eval_at(t)
  }
  for (a in seq_len(p)) {
    H[a, a] <- (at(a, h) - 2 * f0 + at(a, -h)) / h^2
    for (b in seq_len(p)[-seq_len(a)]) {
      H[a, b] <- H[b, a] <- (at(a, h, b, h) - at(a, h, b, -h) - at(a, -h, b, h) + at(a, -h, b, -h)) / (4 * h^2)
    }
  }
  H
}
fd_se <- function(eval_at, t0, free) {
  H <- (4 * fd_hessian(eval_at, t0, free, 5e-4) - fd_hessian(eval_at, t0, free, 1e-3)) / 3
  sqrt(diag(solve(-H)))
}
# ord: the free flexsurv rows (phi, lambda, gamma, kappa, then covariate effects) in hetmod's order.
freeze <- function(model, f, at_fit, eval_at, ord = NULL) {
  add(model, "loglik", f$loglik)
  free <- setdiff(seq_len(nrow(f$res.t)), f$fixedpars)
  se <- fd_se(eval_at, f$res.t[, "est"], free)
  if (!is.null(ord)) {
    free <- free[ord]
    se <- se[ord]
  }
  est <- f$res.t[free, "est"]
  for (k in seq_along(est)) {
    add(model, sprintf("est_%d", k), est[[k]])
    add(model, sprintf("se_%d", k), se[[k]])
  }
  add(model, "loglik_at", at_fit$loglik)
  print(cbind(f$res.t[free, c("est", "se")], se_fd = se))
  cat(model, "loglik", format(f$loglik, digits = 12), "at", format(at_fit$loglik, digits = 12), "\n")
}
ctl <- list(reltol = 1e-14, maxit = 10000)
fs <- function(formula, data, inits, fixed = NULL, ...)
  suppressMessages(flexsurvreg(formula, data = data, dist = custom, inits = inits, fixedpars = fixed,
                               control = ctl, ...))
fs_at <- function(formula, data, inits, ...)
  suppressMessages(flexsurvreg(formula, data = data, dist = custom, inits = inits, fixedpars = TRUE, ...))

# D1 and D2 (all four parameters free; logL at the truth as the fixed point).
for (d in list(list("D1", c(0, 0, log(1.5), log(1.5)), 2.5, c(-0.0062, 0.0101, 0.4061, 0.4023)),
               list("D2", c(0, 0, log(1.2), log(0.5)), 20, c(-0.0118, 0.0125, 0.1821, -0.7005)))) {
  g <- qgrid(d[[2]], 2000, d[[3]])
  freeze(d[[1]], fs(Surv(time, status) ~ 1, g, nat(d[[4]])), fs_at(Surv(time, status) ~ 1, g, nat(d[[2]])),
         function(t) fs_at(Surv(time, status) ~ 1, g, to_nat(t))$loglik)
}
# veteran, APGW with phi free: the interior local maximum of the null model (spec 5.D) and the PH (trt on
# lambda) and AFT (trt on phi) interior maxima; fixed point (-1.5, -3, 0.4, 0.4) plus trt 0.1.
p0 <- c(-1.5617, -3.0457, 0.3718, 0.4008)
at0 <- c(-1.5, -3, 0.4, 0.4)
freeze("vet_null", fs(Surv(time, status) ~ 1, vet, nat(p0)), fs_at(Surv(time, status) ~ 1, vet, nat(at0)),
       function(t) fs_at(Surv(time, status) ~ 1, vet, to_nat(t))$loglik)
freeze("vet_ph_trt", fs(Surv(time, status) ~ trt01, vet, c(nat(p0), -0.0092)),
       fs_at(Surv(time, status) ~ trt01, vet, c(nat(at0), 0.1)),
       function(t) fs_at(Surv(time, status) ~ trt01, vet, to_nat(t))$loglik, ord = c(1, 2, 5, 3, 4))
freeze("vet_aft_trt", fs(Surv(time, status) ~ 1, vet, c(nat(p0), 0.0187), anc = list(phi = ~ trt01)),
       fs_at(Surv(time, status) ~ 1, vet, c(nat(at0), 0.1), anc = list(phi = ~ trt01)),
       function(t) fs_at(Surv(time, status) ~ 1, vet, to_nat(t), anc = list(phi = ~ trt01))$loglik,
       ord = c(1, 5, 2, 3, 4))
# veteran, hetmod's default APGW (phi fixed at 1) with trt in lambda: an interior maximum.
# On the flat ridges of the phi-fixed fits flexsurv's BFGS stops ~1e-4 short in logL when started a few
# hundredths away, so those fits start at hetmod's optimum (5 digits): flexsurv then confirms it as a maximum
# (and its SEs are taken at the same point).
freeze("vet_default_trt", fs(Surv(time, status) ~ trt01, vet, c(1, exp(-5.03225), exp(0.83028), expm1(0.30002),
                                                                 -0.02714), fixed = 1),
       fs_at(Surv(time, status) ~ trt01, vet, c(1, exp(-5), exp(0.8), 0.4, 0.1)),
       function(t) fs_at(Surv(time, status) ~ trt01, vet, to_nat(t))$loglik, ord = c(1, 4, 2, 3))
# Interval and left censoring with case weights; left truncation (phi fixed at 1, trt in lambda).
vi <- make_interval(vet)
# (flexsurvreg evaluates `weights` in `data` by non-standard evaluation: called directly here.)
freeze("vet_interval_w",
       suppressMessages(flexsurvreg(Surv(lo, hi, type = "interval2") ~ trt01, data = vi, weights = w, dist = custom,
                                    inits = c(1, exp(0.93), exp(-0.17), expm1(0.72), 0.15), fixedpars = 1,
                                    control = ctl)),
       suppressMessages(flexsurvreg(Surv(lo, hi, type = "interval2") ~ trt01, data = vi, weights = w, dist = custom,
                                    inits = c(1, exp(0.9), exp(-0.2), 1, 0.1), fixedpars = TRUE)),
       function(t) suppressMessages(flexsurvreg(Surv(lo, hi, type = "interval2") ~ trt01, data = vi, weights = w,
                                                dist = custom, inits = to_nat(t), fixedpars = TRUE))$loglik,
       ord = c(1, 4, 2, 3))
ve <- make_entry(vet)
freeze("vet_entry", fs(Surv(entry, time, status) ~ trt01, ve, c(1, exp(-4.88542), exp(0.84290), expm1(0.29012),
                                                                0.07352), fixed = 1),
       fs_at(Surv(entry, time, status) ~ trt01, ve, c(1, exp(-5), exp(0.8), 0.4, 0.1)),
       function(t) fs_at(Surv(entry, time, status) ~ trt01, ve, to_nat(t))$loglik, ord = c(1, 4, 2, 3))

ref <- do.call(rbind, rows)
write.csv(ref, file.path("tests", "data", "survival_flexsurv_ref.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("flexsurv %s: %d reference values written\n", as.character(utils::packageVersion("flexsurv")),
            nrow(ref)))
