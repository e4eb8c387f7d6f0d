# Inference for surv_mpr fits: profile-likelihood CIs, robust / cluster-robust vcov, AICc, and
# counting-process data with time-varying covariates. Reference values: survival::survreg and
# hand-written likelihoods (scripts/gen-reference/survival_inference.R; frozen values are repeated here).

vet <- survival::veteran
vet$trt01 <- as.numeric(vet$trt == 2)

test_that("profile CI of the Weibull log-shape matches survreg fits with a fixed scale", {
  f <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull")
  ci <- confint(f, "gamma:(Intercept)", method = "profile")
  # Independent: survreg(scale = s) profile, uniroot on 2 (l_max - l_p) = qchisq(0.95, 1).
  lmax <- survival::survreg(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull")$loglik[2]
  lp <- function(lg) survival::survreg(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull",
                                       scale = exp(-lg))$loglik[2]
  fn <- function(lg) 2 * (lmax - lp(lg)) - stats::qchisq(0.95, 1)
  est <- coef(f)[["gamma:(Intercept)"]]
  lo <- stats::uniroot(fn, c(est - 1, est), tol = 1e-10)$root
  hi <- stats::uniroot(fn, c(est, est + 1), tol = 1e-10)$root
  expect_equal(unname(ci[1, ]), c(lo, hi), tolerance = 1e-6)
  expect_equal(unname(ci[1, ]), c(-0.296215968926, -0.0334730416309), tolerance = 1e-6)  # frozen
  expect_equal(unname(attr(ci, "bound")[1, ]), c("found", "found"))
  # Wald and profile agree roughly here (n = 137), and closely for the intercept on the log scale.
  w <- confint(f, "gamma:(Intercept)")
  expect_lt(max(abs(w - ci[, 1:2])), 0.01)
})

test_that("profile CI of a phi covariate matches survreg with an offset", {
  f <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  ci <- confint(f, "phi:trt01", method = "profile")
  expect_equal(unname(ci[1, ]), c(-0.455295435526, 0.36855903342), tolerance = 1e-6)  # frozen survreg profile
  # Wald default method is unchanged.
  expect_equal(confint(f), confint(f, method = "wald"))
})

test_that("profile for kappa and the cure fraction: bounds, transforms and errors", {
  set.seed(1)
  n <- 1500
  # APGW with kappa = -0.5 (cure fraction exp(-1)): quantile-grid data as in spec 5.E D2.
  u <- (seq_len(n) - 0.5) / n
  q <- function(u) {  # phi = lambda = 1, gamma = 1.2, kappa = -0.5
    y <- -log(1 - u); k <- -0.5; z <- 1 + k * y / (1 + k)
    ifelse(z <= 0, Inf, ((1 + k) * (z^(1 / k) - 1))^(1 / 1.2))
  }
  Tt <- q(u)
  d <- data.frame(time = pmin(Tt, 20), status = as.integer(Tt <= 20))
  f <- surv_mpr(survival::Surv(time, status) ~ 1, data = d, phi = ~ 1)
  ci <- confint(f, c("kappa", "cure"), method = "profile")
  expect_equal(rownames(ci), c("kappa", "cure"))
  kap <- expm1(coef(f)[["kappa:(Intercept)"]])
  expect_true(ci["kappa", 1] < kap && kap < ci["kappa", 2])
  expect_true(ci["kappa", 1] > -1 && ci["kappa", 2] < 0)
  cure <- predict(f, type = "cure", newdata = d[1, , drop = FALSE])
  expect_true(ci["cure", 1] < cure && cure < ci["cure", 2])
  # Wald versions exist for both.
  wci <- confint(f, c("kappa", "cure"))
  expect_true(all(is.finite(wci)))
  # Profile curve object
  pr <- surv_profile(f, "cure", n = 7)
  expect_s3_class(pr, "surv_profile")
  expect_true(all(pr$curve$converged))
  expect_equal(pr$lower, ci["cure", 1], tolerance = 1e-8)
  expect_output(print(pr), "profile CI")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(pr))
  expect_silent(plot(pr, what = "loglik"))
  # Errors: cure of a Weibull, kappa of a Weibull, unknown parm.
  fw <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull")
  expect_error(confint(fw, "cure", method = "profile"), "cure")
  expect_error(confint(fw, "kappa", method = "profile"), "kappa")
  expect_error(confint(fw, "nope", method = "profile"), "Unknown `parm`")
})

test_that("unbounded profile ends are reported as limits, with a message", {
  # A small Weibull sample fitted by APGW: kappa's upper end runs to the Gompertz limit.
  n <- 40
  u <- (seq_len(n) - 0.5) / n
  tt <- (-log(1 - u) / 1)^(1 / 1.5)
  d <- data.frame(time = pmin(tt, 2), status = as.integer(tt <= 2))
  f <- suppressWarnings(surv_mpr(survival::Surv(time, status) ~ 1, data = d, phi = ~ 1, lambda = ~ 0))
  ci <- suppressMessages(suppressWarnings(confint(f, "kappa", method = "profile")))
  b <- attr(ci, "bound")
  for (j in 1:2) {
    if (b[1, j] == "unbounded") expect_true(ci[1, j] %in% c(-1, Inf))
    if (b[1, j] == "found") expect_true(is.finite(ci[1, j]) && ci[1, j] > -1)
    if (b[1, j] == "failed") expect_true(is.na(ci[1, j]))
  }
  expect_true(any(b != "found"))
})

test_that("robust and cluster-robust vcov match survreg (Weibull, veteran)", {
  fr <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01, robust = TRUE)
  sr <- survival::survreg(survival::Surv(time, status) ~ trt01, data = vet, dist = "weibull", robust = TRUE)
  # hetmod's coefficients are the negated survreg ones (log phi = -coef, log gamma = -log scale): the
  # covariance is identical.
  expect_equal(unname(vcov(fr)), unname(sr$var), tolerance = 1e-5)
  expect_equal(unname(vcov(fr, type = "model")), unname(vcov(survival::survreg(
    survival::Surv(time, status) ~ trt01, data = vet, dist = "weibull"))), tolerance = 1e-5)
  vet$id <- (seq_len(nrow(vet)) - 1L) %/% 3L
  fc <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01, cluster = id)
  sc <- survival::survreg(survival::Surv(time, status) ~ trt01 + cluster(id), data = vet, dist = "weibull")
  expect_equal(unname(vcov(fc)), unname(sc$var), tolerance = 1e-5)
  expect_equal(fc$vcov_type, "cluster")
  # vcov(type = ...) on a model-based fit gives the same matrices.
  f <- surv_mpr(survival::Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  expect_equal(vcov(f, type = "sandwich"), vcov(fr), tolerance = 1e-10)
  expect_equal(vcov(f, type = "cluster", cluster = vet$id), vcov(fc), tolerance = 1e-10)
  expect_error(vcov(f, type = "cluster"), "cluster ids")
  expect_error(vcov(f, type = "cluster", cluster = 1:3), "length")
  expect_output(print(summary(fc)), "cluster-robust")
})

test_that("AICc in glance, summary, AICc() and surv_mpr_select", {
  f <- surv_mpr(survival::Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  k <- 3
  n <- 137
  expect_equal(AICc(f), AIC(f) + 2 * k * (k + 1) / (n - k - 1))
  g <- glance(f)
  expect_true("AICc" %in% names(g))
  expect_equal(g$AICc, AICc(f))
  expect_output(print(summary(f)), "AICc")
  s <- surv_mpr_select(survival::Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull",
                       criterion = "AICc", method = "all")
  expect_true("AICc" %in% names(s$table))
})

test_that("counting-process data: split rows equal the unsplit fit; time-varying covariate vs optim", {
  Surv <- survival::Surv  # survSplit recognises the left-hand side by the name Surv
  sp <- survival::survSplit(Surv(time, status) ~ ., data = vet[, c("time", "status", "trt01")],
                            cut = c(60, 200), episode = "ep", id = "id")
  f_split <- surv_mpr(survival::Surv(tstart, time, status) ~ trt01, data = sp, dist = "weibull")
  f_whole <- surv_mpr(survival::Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  expect_equal(logLik(f_split), logLik(f_whole), tolerance = 1e-9, ignore_attr = TRUE)
  expect_equal(coef(f_split), coef(f_whole), tolerance = 1e-6)
  expect_equal(vcov(f_split), vcov(f_whole), tolerance = 1e-5)
  # cluster-robust by subject on the split data = sandwich on the subject-level data
  fcs <- surv_mpr(survival::Surv(tstart, time, status) ~ trt01, data = sp, dist = "weibull", cluster = id)
  expect_equal(vcov(fcs), vcov(f_whole, type = "sandwich"), tolerance = 1e-5)
  # A covariate of phi that changes within a subject is flagged (exact only for PH-type effects).
  sp$zz <- sp$trt01 * as.numeric(sp$tstart >= 60)
  expect_warning(fz <- surv_mpr(survival::Surv(tstart, time, status) ~ 1, data = sp, dist = "weibull",
                                phi = ~ trt01 + zz, cluster = id), "time_varying_non_ph")
  expect_true("time_varying_non_ph" %in% fz$flags)
  expect_false("time_varying_non_ph" %in% fcs$flags)
  # Genuinely time-varying z(t) = trt01 * 1{t > 60}: Weibull PH, hand-written likelihood.
  sp$z <- sp$trt01 * as.numeric(sp$tstart >= 60)
  f <- surv_mpr(survival::Surv(tstart, time, status) ~ trt01 + z, data = sp, dist = "weibull")
  nll <- function(p) {
    eta <- p[1] + p[2] * sp$trt01 + p[3] * sp$z
    g <- exp(p[4])
    -sum(sp$status * (eta + log(g) + (g - 1) * log(sp$time)) - exp(eta) * (sp$time^g - sp$tstart^g))
  }
  o <- stats::optim(c(-5, 0, 0, 0), nll, method = "BFGS", control = list(reltol = 1e-14, maxit = 5000))
  expect_equal(as.numeric(logLik(f)), -o$value, tolerance = 1e-6)
  expect_equal(unname(coef(f)), o$par, tolerance = 1e-3)
  expect_equal(as.numeric(logLik(f)), -744.975423777, tolerance = 1e-8)  # frozen reference
})
