# Accelerated hazards (surv_mpr(..., ah = ~ x)): tied phi/lambda coefficients, checked against an
# independent R implementation of the AH log-likelihood maximised by optim (BFGS).
library(survival)

vet <- survival::veteran
vet$trt <- vet$trt - 1

# APGW AH log-likelihood (right censoring): phi = exp(a0 + x'tau), lambda = exp(b0 - x'tau),
# gamma = exp(g0), 1 + kappa = exp(k0); th = (a0, tau, b0, g0, k0).
ah_ll <- function(th, time, status, X) {
  q <- ncol(X)
  a0 <- th[1]; tau <- th[1 + seq_len(q)]; b0 <- th[q + 2]; g <- exp(th[q + 3]); k1 <- exp(th[q + 4])
  k <- k1 - 1
  xt <- drop(X %*% tau)
  phi <- exp(a0 + xt); lam <- exp(b0 - xt)
  u <- (phi * time)^g
  H <- lam * k1 / k * ((1 + u / k1)^k - 1)
  logh <- log(lam) + log(phi) + log(g) + (g - 1) * log(phi * time) + (k - 1) * log1p(u / k1)
  sum(status * logh - H)
}
ah_theta <- function(fit, q) {
  cf <- coef(fit)
  c(cf[1], cf[1 + seq_len(q)], cf[q + 2], cf[grep("^gamma:", names(cf))], cf[grep("^kappa:", names(cf))])
}
opt_ah <- function(start, time, status, X) {
  stats::optim(start, function(th) -ah_ll(th, time, status, X), method = "BFGS",
               control = list(reltol = 1e-14, maxit = 5000, parscale = rep(0.1, length(start))))
}

test_that("AH on veteran equals the maximiser of an independent AH log-likelihood", {
  # An interior local maximum; the supremum is on the path to the threshold boundary (flagged)
  expect_warning(fit <- surv_mpr(Surv(time, status) ~ 1, data = vet, phi = ~ 1, ah = ~ trt), "threshold_boundary")
  expect_true(fit$convergence$converged)
  expect_gt(fit$extras$threshold_loglik, as.numeric(logLik(fit)))
  cf <- coef(fit)
  expect_equal(unname(cf["lambda:trt"]), -unname(cf["phi:trt"]))
  expect_equal(attr(logLik(fit), "df"), 5)
  expect_equal(length(cf), 6L)
  X <- matrix(vet$trt)
  th <- ah_theta(fit, 1)
  expect_equal(as.numeric(logLik(fit)), ah_ll(th, vet$time, vet$status, X), tolerance = 1e-10)
  for (start in list(th, th + c(0.3, -0.2, 0.3, -0.1, 0.1))) {
    o <- opt_ah(start, vet$time, vet$status, X)
    expect_lt(abs(-o$value - as.numeric(logLik(fit))), 1e-6)
    expect_lt(max(abs(o$par - th)), 1e-4 * max(1, max(abs(th))) * 10)
  }
  # vcov in the full layout: the tied entries are +-1 copies; Wald intervals, printing
  V <- vcov(fit)
  expect_equal(V["lambda:trt", "lambda:trt"], V["phi:trt", "phi:trt"])
  expect_equal(V["lambda:trt", "phi:trt"], -V["phi:trt", "phi:trt"])
  ci <- confint(fit)
  expect_equal(unname(ci["lambda:trt", ]), -rev(unname(ci["phi:trt", ])))
  expect_output(print(fit), "trt \\(AH: = -phi\\)")
  expect_output(print(summary(fit)), "Accelerated hazards \\(ah\\): lambda:trt = -phi:trt")
  expect_error(confint(fit, method = "profile"), "accelerated hazards")
  # Sandwich: V B V with the rank-deficient V is the tied sandwich A V_t (A'BA) V_t A' (core extras),
  # also for clusters (one cluster per row = the plain sandwich)
  Vs <- vcov(fit, type = "sandwich")
  expect_equal(unname(Vs), unname(fit$extras$vcov_robust), tolerance = 1e-8)
  expect_equal(unname(vcov(fit, type = "cluster", cluster = seq_len(nrow(vet)))), unname(Vs), tolerance = 1e-10)
  expect_equal(Vs["lambda:trt", "phi:trt"], -Vs["phi:trt", "phi:trt"])
  # The AH model is nested in the general hazard model: LRT >= 0 on 1 df
  gh <- suppressWarnings(surv_mpr(Surv(time, status) ~ trt, data = vet, phi = ~ trt))
  a <- anova(fit, gh)
  expect_equal(diff(a$Df), 1)
  expect_gte(as.numeric(logLik(gh)), as.numeric(logLik(fit)) - 1e-8)
  # predict: hazard ratio of trt = h0(t e^tau) / h0(t), from the independent formula
  tt <- c(10, 100)
  hr <- predict(fit, newdata = data.frame(trt = 1), reference = data.frame(trt = 0), type = "hr", times = tt)
  haz <- function(t, x) {
    g <- exp(th[4]); k1 <- exp(th[5]); k <- k1 - 1
    phi <- exp(th[1] + x * th[2]); lam <- exp(th[3] - x * th[2]); u <- (phi * t)^g
    lam * phi * g * (phi * t)^(g - 1) * (1 + u / k1)^(k - 1)
  }
  expect_equal(unname(drop(as.matrix(hr))), haz(tt, 1) / haz(tt, 0), tolerance = 1e-8)
})

test_that("AH on simulated data (two covariates) equals the independent maximiser and recovers tau", {
  set.seed(20261128)
  n <- 1500
  d <- data.frame(x = rbinom(n, 1, 0.5), z = rnorm(n))
  tau <- c(0.7, -0.4); g <- 1.5; k <- 0.5
  X <- cbind(d$x, d$z)
  phi <- exp(drop(X %*% tau)); lam <- exp(-drop(X %*% tau))
  E <- rexp(n)
  Tm <- ((1 + k) * ((1 + E * k / (lam * (1 + k)))^(1 / k) - 1))^(1 / g) / phi
  C <- runif(n, 0, 4)
  d$time <- pmin(Tm, C); d$status <- as.numeric(Tm <= C)
  # phi has no intercept (the default phi = ~ 0): phi = exp(x'tau), lambda = exp(b0 - x'tau)
  fit <- surv_mpr(Surv(time, status) ~ 1, data = d, ah = ~ x + z)
  expect_true(fit$convergence$converged)
  expect_equal(fit$df, 5)
  cf <- coef(fit)
  expect_equal(unname(cf[c("lambda:x", "lambda:z")]), -unname(cf[c("phi:x", "phi:z")]))
  th <- unname(c(cf[c("phi:x", "phi:z", "lambda:(Intercept)", "gamma:(Intercept)", "kappa:(Intercept)")]))
  ll0 <- function(p) ah_ll(c(0, p), d$time, d$status, X)
  expect_equal(as.numeric(logLik(fit)), ll0(th), tolerance = 1e-10)
  for (start in list(th, th + c(-0.2, 0.2, 0.3, -0.1, 0.2))) {
    o <- stats::optim(start, function(p) -ll0(p), method = "BFGS",
                      control = list(reltol = 1e-14, maxit = 5000, parscale = rep(0.1, 5)))
    expect_lt(abs(-o$value - as.numeric(logLik(fit))), 1e-6)
    expect_lt(max(abs(o$par - th)), 1e-4)
  }
  se <- sqrt(diag(vcov(fit)))[c("phi:x", "phi:z")]
  expect_true(all(abs(coef(fit)[c("phi:x", "phi:z")] - tau) < 4 * se))
  # predict and simulate work on the full coefficient vector
  s <- simulate(fit, nsim = 1, seed = 3)
  expect_equal(nrow(s), n)
})

test_that("AH with a Weibull baseline (kappa = 1) is PH with coefficient (gamma - 1) tau", {
  n <- nrow(vet)
  vet$k1 <- log(2)
  ah <- surv_mpr(Surv(time, status) ~ 1, data = vet, kappa = ~ 0 + offset(k1), ah = ~ karno)
  ph <- surv_mpr(Surv(time, status) ~ karno, data = vet, dist = "weibull")
  expect_equal(as.numeric(logLik(ah)), as.numeric(logLik(ph)), tolerance = 1e-9)
  expect_equal(attr(logLik(ah), "df"), attr(logLik(ph), "df"))
  g <- exp(coef(ah)[["gamma:(Intercept)"]])
  expect_equal((g - 1) * coef(ah)[["phi:karno"]], coef(ph)[["lambda:karno"]], tolerance = 1e-5)
})

test_that("ah: clear errors", {
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", ah = ~ trt),
               "reparametrisation")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "pgw", ah = ~ trt), "fixes lambda")
  expect_error(surv_mpr(Surv(time, status) ~ trt, data = vet, ah = ~ trt), "also in phi or lambda")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = vet, phi = ~ trt, ah = ~ trt), "also in phi or lambda")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = vet, ah = ~ 1), "must name covariates")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = vet, ah = Surv(time, status) ~ trt), "one-sided")
})

test_that("a factor AH covariate keeps its levels: predict(newdata) equals the prediction on the fit's rows", {
  v <- survival::veteran
  v$cell <- factor(v$celltype)
  f <- suppressWarnings(surv_mpr(survival::Surv(time, status) ~ 1, data = v, dist = "apgw", ah = ~ cell))
  expect_identical(f$ah$xlevels, list(cell = levels(v$cell)))
  nd <- v[c(1, 40, 80, 120), "cell", drop = FALSE]
  p_new <- predict(f, newdata = nd, type = "survival", times = 100)
  p_fit <- predict(f, type = "survival", times = 100)
  expect_equal(unname(p_new), unname(p_fit[c(1, 40, 80, 120)]), tolerance = 1e-12)
  expect_gt(length(unique(round(p_new, 8))), 1L)  # the four rows are of different cell types
})
