# Tests of surv_mpr() and its methods: peers (survreg, mpr reference values of spec 5), codings,
# censoring types, predictions, S3 methods, bad input, serialisation.
library(survival)

vet <- survival::veteran
vet$trt01 <- vet$trt - 1  # 1 = test treatment
vet$ftrt <- factor(vet$trt, labels = c("standard", "test"))

quiet_fit <- function(...) suppressWarnings(surv_mpr(...))

# Absolute agreement (the spec's tolerances are absolute: logL 1e-4, estimates 1e-3).
expect_abs <- function(object, expected, tol) {
  d <- max(abs(as.numeric(object) - as.numeric(expected)))
  expect(isTRUE(d <= tol), sprintf("max |difference| is %.3g, more than %.3g:\n  got      %s\n  expected %s",
                                   d, tol, paste(format(as.numeric(object), digits = 8), collapse = " "),
                                   paste(format(as.numeric(expected), digits = 8), collapse = " ")))
  invisible(object)
}

# ---------------------------------------------------------------------------------------------------
# Agreement with survival::survreg (spec 5.B)
# ---------------------------------------------------------------------------------------------------

test_that("Weibull AFT (phi) matches survreg with and without trt", {
  for (f in list(~ 1, ~ trt01)) {
    sr <- survreg(update(Surv(time, status) ~ ., f), data = vet, dist = "weibull")
    fit <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = f)
    expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
    b <- coef(fit)
    expect_abs(b[grep("^phi:", names(b))], -coef(sr), 1e-4)
    expect_abs(unname(b[["gamma:(Intercept)"]]), -log(sr$scale), 1e-4)
    expect_equal(fit$df, length(coef(sr)) + 1L)
  }
  fit0 <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ 1)
  expect_abs(as.numeric(logLik(fit0)), -748.0912, 1e-4)
  expect_abs(unname(coef(fit0)), c(-4.7931, -0.1601), 1e-3)
  fit1 <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  expect_abs(as.numeric(logLik(fit1)), -748.0648, 1e-4)
  expect_abs(unname(coef(fit1)), c(-4.7697, -0.0478, -0.1585), 1e-3)
})

test_that("Weibull PH (lambda, the default) matches survreg after mapping", {
  sr <- survreg(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull")
  fit <- surv_mpr(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull")
  expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
  b <- coef(fit)
  expect_abs(b[grep("^lambda:", names(b))], -coef(sr) / sr$scale, 1e-4)
  expect_abs(unname(b[["gamma:(Intercept)"]]), -log(sr$scale), 1e-4)
  expect_equal(names(b), c("lambda:(Intercept)", "lambda:trt01", "lambda:karno", "gamma:(Intercept)"))
})

test_that("exponential matches survreg", {
  for (f in list(Surv(time, status) ~ 1, Surv(time, status) ~ trt01)) {
    sr <- survreg(f, data = vet, dist = "exponential")
    fit <- surv_mpr(f, data = vet, dist = "exponential")
    expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
    expect_abs(unname(coef(fit)), -unname(coef(sr)), 1e-4)
  }
  expect_abs(logLik(surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "exponential")), -751.2212, 1e-4)
})

test_that("log-logistic matches survreg with and without trt", {
  for (f in list(~ 1, ~ trt01)) {
    sr <- survreg(update(Surv(time, status) ~ ., f), data = vet, dist = "loglogistic")
    fit <- surv_mpr(update(Surv(time, status) ~ ., f), data = vet, dist = "loglogistic")
    expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
    b <- coef(fit)
    expect_abs(b[grep("^phi:", names(b))], -coef(sr), 1e-4)
    expect_abs(unname(b[["gamma:(Intercept)"]]), -log(sr$scale), 1e-4)
  }
  fit0 <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "loglogistic")
  expect_abs(as.numeric(logLik(fit0)), -750.2658, 1e-4)
  expect_abs(unname(coef(fit0)), c(-4.2193, 0.2373), 1e-3)
  fit1 <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "loglogistic")
  expect_abs(as.numeric(logLik(fit1)), -749.8182, 1e-4)
})

# ---------------------------------------------------------------------------------------------------
# mpr reference values (spec 5.C) and other members
# ---------------------------------------------------------------------------------------------------

test_that("mpr Weibull with trt in lambda and gamma (spec 5.C), both codings", {
  fit <- surv_mpr(Surv(time, status) ~ trt, data = vet, dist = "weibull", gamma = ~ trt)
  expect_abs(as.numeric(logLik(fit)), -746.4009, 1e-4)
  expect_abs(unname(coef(fit)), c(-5.8349, 1.0885, 0.2343, -0.2489), 1e-3)
  fit01 <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", lambda = ~ trt01,
                    gamma = ~ trt01)
  expect_abs(as.numeric(logLik(fit01)), -746.4009, 1e-4)
  expect_abs(unname(coef(fit01)), c(-4.7464, 1.0885, -0.0146, -0.2489), 1e-3)
  fitf <- surv_mpr(Surv(time, status) ~ ftrt, data = vet, dist = "weibull", gamma = ~ ftrt)
  expect_equal(unname(coef(fitf)), unname(coef(fit01)), tolerance = 1e-5)
  expect_equal(names(coef(fitf))[2], "lambda:ftrttest")
})

test_that("Burr null matches the reference (spec 5.C)", {
  fit <- quiet_fit(Surv(time, status) ~ 1, data = vet, dist = "burr")
  expect_abs(as.numeric(logLik(fit)), -747.1860, 1e-4)
  expect_abs(unname(coef(fit)), c(-6.0634, 1.4250, -0.0254), 0.05)
})

test_that("APGW on veteran: interior point or a flagged boundary, never a drifted estimate", {
  w <- NULL
  fit <- withCallingHandlers(
    surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "apgw", phi = ~ 1),
    warning = function(c) { w <<- c(w, conditionMessage(c)); invokeRestart("muffleWarning") })
  expect_s3_class(fit, "surv_mpr")
  if ("threshold_boundary" %in% fit$flags) {
    expect_true(any(grepl("threshold_boundary", w)))
  } else {
    expect_abs(as.numeric(logLik(fit)), -746.2052, 1e-3)
    expect_lt(unname(coef(fit)[["gamma:(Intercept)"]]), log(50))
  }
  # The default APGW is the PH model (phi fixed) and nests the Weibull PH model.
  fa <- quiet_fit(Surv(time, status) ~ trt01, data = vet)
  fw <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  expect_equal(fa$blocks$size, c(0L, 2L, 1L, 1L))
  expect_gte(as.numeric(logLik(fa)), as.numeric(logLik(fw)) - 1e-6)
})

# Deterministic quantile-grid data of spec 5.E.
apgw_quantile <- function(p, phi, lambda, gamma, kappa) {
  y <- -log1p(-p)
  z <- 1 + kappa * y / (lambda * (1 + kappa))
  out <- rep(Inf, length(p))
  ok <- z > 0
  out[ok] <- ((1 + kappa) * (z[ok]^(1 / kappa) - 1))^(1 / gamma) / phi
  out
}
grid_data <- function(n, C, gamma, kappa) {
  u <- (seq_len(n) - 0.5) / n
  T <- apgw_quantile(u, 1, 1, gamma, kappa)
  data.frame(time = pmin(T, C), status = as.integer(T <= C))
}

test_that("APGW recovers the D1 and D2 quantile-grid fits (spec 5.E)", {
  d1 <- grid_data(2000, 2.5, 1.5, 0.5)
  expect_equal(sum(d1$status), 1868)
  f1 <- quiet_fit(Surv(time, status) ~ 1, data = d1, dist = "apgw", phi = ~ 1)
  expect_abs(as.numeric(logLik(f1)), -1895.1910, 1e-3)
  d2 <- grid_data(2000, 20, 1.2, -0.5)
  expect_equal(sum(d2$status), 1173)
  f2 <- quiet_fit(Surv(time, status) ~ 1, data = d2, dist = "apgw", phi = ~ 1)
  expect_abs(as.numeric(logLik(f2)), -3094.6922, 1e-3)
  cure <- predict(f2, newdata = data.frame(x = 1), type = "cure")
  expect_abs(unname(cure), 0.3687, 0.01)
})

test_that("cure_limit recovers a simulated cure fraction", {
  n <- 600
  X <- list(phi = matrix(1, n, 1, dimnames = list(NULL, "(Intercept)")),
            lambda = matrix(1, n, 1, dimnames = list(NULL, "(Intercept)")),
            gamma = matrix(1, n, 1, dimnames = list(NULL, "(Intercept)")),
            kappa = matrix(0, n, 0))
  off <- rep(list(numeric(0)), 4)
  sim <- hetmod:::surv_simulate_cpp(unname(X), off, "cure_limit", c(0, 0, log(1.5)), 11, 0, 0)
  t <- sim$times
  expect_true(any(!is.finite(t)))
  d <- data.frame(time = pmin(t, 30), status = as.integer(t <= 30))
  fit <- quiet_fit(Surv(time, status) ~ 1, data = d, dist = "cure_limit")
  expect_equal(fit$blocks$size, c(1L, 1L, 1L, 0L))
  cf <- predict(fit, newdata = data.frame(z = 1), type = "cure")
  expect_abs(unname(cf), exp(-1), 0.06)
})

# ---------------------------------------------------------------------------------------------------
# Censoring types and truncation
# ---------------------------------------------------------------------------------------------------

test_that("interval-censored Weibull agrees with survreg (interval2)", {
  v <- vet
  lo <- floor(v$time / 30) * 30
  v$left <- ifelse(v$status == 1, ifelse(lo == 0, NA, lo), v$time)
  v$right <- ifelse(v$status == 1, lo + 30, NA)
  sr <- survreg(Surv(left, right, type = "interval2") ~ trt01, data = v, dist = "weibull")
  fit <- surv_mpr(Surv(left, right, type = "interval2") ~ 1, data = v, dist = "weibull", phi = ~ trt01)
  expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
  expect_abs(unname(coef(fit)[1:2]), -unname(coef(sr)), 1e-3)
  expect_gt(fit$counts[["interval"]], 0)
  expect_gt(fit$counts[["left"]], 0)
  # (0, R] coded explicitly is the same as left censoring at R
  v$left0 <- ifelse(is.na(v$left), 0, v$left)
  fit0 <- surv_mpr(Surv(left0, right, type = "interval2") ~ 1, data = v, dist = "weibull", phi = ~ trt01)
  expect_equal(as.numeric(logLik(fit0)), as.numeric(logLik(fit)), tolerance = 1e-8)
})

test_that("left-censored Weibull agrees with survreg", {
  v <- vet
  v$lstat <- as.integer(v$time > 25)  # times <= 25 only known to be <= 25
  v$ltime <- pmax(v$time, 25)
  v$ltime[v$lstat == 0] <- 25
  sr <- survreg(Surv(ltime, lstat, type = "left") ~ trt01, data = v, dist = "weibull")
  fit <- surv_mpr(Surv(ltime, lstat, type = "left") ~ 1, data = v, dist = "weibull", phi = ~ trt01)
  expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(sr)), 1e-4)
})

test_that("counting-process splitting leaves a PH Weibull fit unchanged (left truncation)", {
  split <- survSplit(Surv(time, status) ~ trt01 + karno, data = vet, cut = c(50, 150), episode = "ep")
  fs <- surv_mpr(Surv(tstart, time, status) ~ trt01 + karno, data = split, dist = "weibull")
  f <- surv_mpr(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull")
  expect_abs(as.numeric(logLik(fs)), as.numeric(logLik(f)), 1e-6)
  expect_abs(unname(coef(fs)), unname(coef(f)), 1e-5)
  expect_true(length(fs$response$entry) == nrow(split))
})

test_that("case weights equal replicated rows", {
  w <- rep(c(1, 2), length.out = nrow(vet))
  fw <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull", weights = w)
  rep_vet <- vet[rep(seq_len(nrow(vet)), w), ]
  fr <- surv_mpr(Surv(time, status) ~ trt01, data = rep_vet, dist = "weibull")
  expect_abs(as.numeric(logLik(fw)), as.numeric(logLik(fr)), 1e-6)
  expect_abs(unname(coef(fw)), unname(coef(fr)), 1e-5)
})

test_that("offsets in a parameter formula act as fixed coefficients", {
  f <- surv_mpr(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull")
  b <- coef(f)[["lambda:karno"]]
  vet2 <- vet
  vet2$off <- b * vet$karno
  fo <- surv_mpr(Surv(time, status) ~ trt01 + offset(off), data = vet2, dist = "weibull")
  expect_abs(as.numeric(logLik(fo)), as.numeric(logLik(f)), 1e-6)
})

# ---------------------------------------------------------------------------------------------------
# Formula handling
# ---------------------------------------------------------------------------------------------------

test_that("main-formula covariates and lambda = ~ x give the same fit", {
  a <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  b <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", lambda = ~ trt01)
  expect_equal(coef(a), coef(b))
  expect_error(surv_mpr(Surv(time, status) ~ karno, data = vet, dist = "weibull", lambda = ~ trt01),
               "put them in one place")
})

test_that("default parameter formulas per distribution", {
  sizes <- function(d, ...) quiet_fit(Surv(time, status) ~ trt01, data = vet, dist = d, ...)$blocks$size
  expect_equal(sizes("weibull"), c(0L, 2L, 1L, 0L))
  expect_equal(sizes("exponential"), c(0L, 2L, 0L, 0L))
  expect_equal(sizes("loglogistic"), c(2L, 0L, 1L, 0L))
  expect_equal(sizes("burr"), c(1L, 2L, 1L, 0L))
  expect_equal(sizes("apgw"), c(0L, 2L, 1L, 1L))
  f <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  expect_equal(f$blocks$size, c(2L, 0L, 1L, 0L))
})

test_that("missing values follow na.action", {
  v <- vet
  v$karno[c(3, 10)] <- NA
  f <- surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull")
  expect_equal(nobs(f), nrow(v) - 2L)
  expect_equal(length(f$na.action), 2L)
  expect_error(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", na.action = na.fail),
               "missing values")
  # missing values in a variable used only by gamma are removed for every parameter
  g <- surv_mpr(Surv(time, status) ~ trt01, data = v, dist = "weibull", gamma = ~ karno)
  expect_equal(nobs(g), nrow(v) - 2L)
})

# ---------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------

test_that("bad input gives clear R errors", {
  v <- vet[1:40, ]
  bad <- v
  bad$time[5] <- -3
  expect_error(surv_mpr(Surv(time, status) ~ trt01, data = bad, dist = "weibull"), "must be positive")
  bad$time[5] <- 0
  expect_error(surv_mpr(Surv(time, status) ~ trt01, data = bad, dist = "weibull"), "must be positive")
  bad$time[5] <- Inf
  expect_error(surv_mpr(Surv(time, status) ~ trt01, data = bad, dist = "weibull"), "finite")
  bad <- v
  bad$status[2] <- 3
  expect_error(surv_mpr(Surv(time, status) ~ trt01, data = bad, dist = "weibull"), "Status codes")
  bad <- v
  bad$status <- 0
  expect_error(surv_mpr(Surv(time, status) ~ trt01, data = bad, dist = "weibull"), "right-censored")
  bad <- v
  bad$l <- bad$time
  bad$r <- bad$time - 1
  expect_error(surv_mpr(Surv(l, r, type = "interval2") ~ 1, data = bad, dist = "weibull"), "left")
  bad <- v
  bad$start <- bad$time + 1
  expect_error(surv_mpr(Surv(start, time, status) ~ 1, data = bad, dist = "weibull"), "Entry")
  bad <- v
  bad$k2 <- 2 * bad$karno
  expect_error(surv_mpr(Surv(time, status) ~ karno + k2, data = bad, dist = "weibull"), "singular")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "lognormal"), "`dist` must be one of")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", phi = ~ 1, lambda = ~ trt01),
               "confounded")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "loglogistic", lambda = ~ 1),
               "burr")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", kappa = ~ 1), "fixed")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", control = list(foo = 1)),
               "Unknown control option")
  expect_error(surv_mpr(time ~ trt01, data = v, dist = "weibull"), "Surv")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, gamma = Surv(time, status) ~ 1),
               "one-sided")
  w <- rep(1, nrow(v))
  w[3] <- -1
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", weights = w), "weights")
})

# ---------------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------------

test_that("predictions agree with survreg and with each other", {
  sr <- survreg(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  fit <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  nd <- data.frame(trt01 = c(0, 1))
  tt <- c(10, 50, 200)
  S <- predict(fit, nd, type = "survival", times = tt)
  expect_equal(dim(S), c(2L, 3L))
  lp <- predict(sr, nd, type = "lp")
  Sref <- t(sapply(lp, function(m) exp(-(tt / exp(m))^(1 / sr$scale))))
  expect_equal(unname(S), unname(Sref), tolerance = 1e-5)
  q <- predict(fit, nd, type = "quantile", p = c(0.25, 0.5, 0.75))
  qref <- predict(sr, nd, type = "quantile", p = c(0.25, 0.5, 0.75))
  expect_equal(unname(q), unname(qref), tolerance = 1e-4)
  H <- predict(fit, nd, type = "cumhaz", times = tt)
  expect_equal(unname(exp(-H)), unname(S), tolerance = 1e-10)
  h <- predict(fit, nd, type = "hazard", times = tt)
  f <- predict(fit, nd, type = "density", times = tt)
  expect_equal(unname(f), unname(h * S), tolerance = 1e-10)
  pr <- predict(fit, nd, type = "survival", times = tt, se.fit = TRUE)
  expect_true(all(pr$lower <= pr$fit & pr$fit <= pr$upper))
  expect_true(all(pr$se.fit > 0))
  expect_equal(unname(predict(fit, nd, type = "cure")), c(0, 0))
})

test_that("quantile is the inverse of survival for several distributions", {
  nd <- data.frame(trt01 = c(0, 1))
  for (d in c("weibull", "loglogistic", "burr", "apgw", "gompertz")) {
    fit <- quiet_fit(Surv(time, status) ~ trt01, data = vet, dist = d)
    p <- c(0.1, 0.5, 0.8)
    q <- predict(fit, nd, type = "quantile", p = p)
    for (i in 1:2) {
      s <- predict(fit, nd[i, , drop = FALSE], type = "survival", times = q[i, ])
      expect_abs(s, 1 - p, 1e-6)
    }
  }
})

test_that("hazard ratio, time ratio and RMST", {
  fit <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  one <- data.frame(trt01 = 1)
  ref <- data.frame(trt01 = 0)
  hr <- predict(fit, one, type = "hr", times = c(10, 100), reference = ref)
  expect_equal(unname(as.numeric(hr)), rep(exp(coef(fit)[["lambda:trt01"]]), 2), tolerance = 1e-8)
  fa <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01)
  tr <- predict(fa, one, type = "time_ratio", p = c(0.25, 0.5), reference = ref)
  expect_equal(unname(as.numeric(tr)), rep(exp(-coef(fa)[["phi:trt01"]]), 2), tolerance = 1e-6)
  rm <- predict(fit, ref, type = "rmst", times = c(100, 300))
  S <- function(t) predict(fit, ref, type = "survival", times = t)
  ref_rm <- integrate(function(t) sapply(t, S), 0, 100)$value
  expect_equal(unname(rm[1]), ref_rm, tolerance = 1e-5)
  expect_error(predict(fit, one, type = "hr", times = 10), "reference")
  expect_error(predict(fit, one, type = "rmst"), "times")
  own <- predict(fit, type = "survival")
  expect_length(own, nobs(fit))
})

test_that("predict handles factor levels of newdata", {
  fit <- surv_mpr(Surv(time, status) ~ celltype, data = vet, dist = "weibull")
  nd <- data.frame(celltype = factor("large", levels = levels(vet$celltype)))
  expect_length(predict(fit, nd, type = "survival", times = 30), 1L)
  nd2 <- data.frame(celltype = "adeno")
  expect_length(predict(fit, nd2, type = "survival", times = 30), 1L)
  expect_error(predict(fit, data.frame(celltype = "nonsense"), type = "survival", times = 30))
})

# ---------------------------------------------------------------------------------------------------
# S3 methods
# ---------------------------------------------------------------------------------------------------

test_that("every S3 method works", {
  fit <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull", gamma = ~ trt01)
  expect_s3_class(fit, c("surv_mpr", "hetmod_fit"))
  expect_output(print(fit), "gamma \\(power shape\\)")
  expect_output(print(fit), "fixed at 1")
  s <- summary(fit)
  expect_s3_class(s, "summary.surv_mpr")
  expect_output(print(s), "Std. Error")
  expect_length(coef(fit), 4L)
  expect_equal(dim(vcov(fit)), c(4L, 4L))
  expect_equal(attr(logLik(fit), "df"), 4L)
  expect_equal(AIC(fit), -2 * fit$loglik + 8)
  expect_equal(BIC(fit), -2 * fit$loglik + 4 * log(137))
  expect_equal(nobs(fit), 137L)
  expect_equal(dim(confint(fit)), c(4L, 2L))
  td <- tidy(fit, conf.int = TRUE)
  expect_equal(td$parameter, c("lambda", "lambda", "gamma", "gamma"))
  expect_equal(td$term, c("(Intercept)", "trt01", "(Intercept)", "trt01"))
  gl <- glance(fit)
  expect_equal(gl$df, 4L)
  pdf(NULL)
  on.exit(dev.off(), add = TRUE)
  out <- plot(fit)
  expect_length(out$curves, 2L)
  expect_silent(plot(fit, type = "hazard"))
  expect_silent(plot(fit, type = "cumhaz", ci = FALSE))
  expect_message(plot(surv_mpr(Surv(time, status) ~ karno, data = vet, dist = "weibull")), "patterns")
  plot(fit, newdata = data.frame(trt01 = 1))
})

test_that("anova gives LRTs for nested fits and warns for APGW vs Weibull", {
  f0 <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull")
  f1 <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  f2 <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull", gamma = ~ trt01)
  a <- anova(f0, f2, f1)
  expect_s3_class(a, "anova")
  expect_equal(a$Df, c(2L, 3L, 4L))
  expect_equal(a$LR[3], 2 * (f2$loglik - f1$loglik), tolerance = 1e-10)
  expect_equal(a$`Pr(>Chisq)`[3], pchisq(a$LR[3], 1, lower.tail = FALSE))
  fa <- quiet_fit(Surv(time, status) ~ 1, data = vet, dist = "apgw", phi = ~ 1)
  expect_warning(anova(f0, fa), "non-standard")
  expect_error(anova(f0, surv_mpr(Surv(time, status) ~ 1, data = vet[-1, ], dist = "weibull")),
               "numbers of observations")
})

test_that("simulate is reproducible and refits sensibly", {
  fit <- surv_mpr(Surv(time, status) ~ karno, data = vet, dist = "weibull")
  s1 <- simulate(fit, nsim = 2, seed = 42)
  s2 <- simulate(fit, nsim = 2, seed = 42)
  expect_identical(s1, s2)
  expect_equal(dim(s1), c(137L, 2L))
  expect_s3_class(s1$sim_1, "Surv")
  expect_false(identical(s1$sim_1, s1$sim_2))
  expect_equal(attr(s1, "seed"), 42)
  expect_true(mean(s1$sim_1[, 2]) > 0.5)
  s3 <- simulate(fit, nsim = 1, seed = 1, censoring = "administrative", cens_time = 100)
  expect_true(all(s3$sim_1[, 1] <= 100))
  s4 <- simulate(fit, nsim = 1, seed = 1, censoring = "none")
  expect_true(all(s4$sim_1[, 2] == 1))
  big <- vet[rep(1:137, 8), ]
  fb <- surv_mpr(Surv(time, status) ~ karno, data = big, dist = "weibull")
  sb <- simulate(fb, seed = 7, censoring = "none")
  big$ys <- sb$sim_1
  rf <- surv_mpr(ys ~ karno, data = big, dist = "weibull")
  expect_true(all(abs(coef(rf) - coef(fb)) < 4 * sqrt(diag(vcov(fb)))))
  expect_error(simulate(fit, censoring = "administrative"), "cens_time")
})

test_that("surv_mpr_select finds karno and ranks models", {
  sel <- surv_mpr_select(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull")
  expect_s3_class(sel, "surv_mpr_select")
  expect_true(any(grepl("karno", names(coef(sel$best)))))
  expect_equal(sel$table$AIC[1], AIC(sel$best), tolerance = 1e-8)
  expect_true(all(diff(sel$table$AIC[is.finite(sel$table$AIC)]) >= 0))
  expect_output(print(sel), "Selected")
  all <- surv_mpr_select(Surv(time, status) ~ trt01, data = vet, dist = c("weibull", "loglogistic"),
                         method = "all", criterion = "BIC")
  expect_equal(nrow(all$table), 8L)
  bw <- surv_mpr_select(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull",
                        method = "backward")
  expect_s3_class(bw$best, "surv_mpr")
})

test_that("saveRDS round trip keeps the fit usable", {
  fit <- surv_mpr(Surv(time, status) ~ ftrt + karno, data = vet, dist = "weibull", gamma = ~ ftrt)
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  back <- readRDS(path)
  expect_equal(coef(back), coef(fit))
  nd <- data.frame(ftrt = c("standard", "test"), karno = c(60, 80))
  expect_equal(predict(back, nd, type = "survival", times = 100),
               predict(fit, nd, type = "survival", times = 100))
  expect_output(print(back), "Weibull")
})

test_that("flexsurv cross-check (optional)", {
  skip_if_not_installed("flexsurv")
  fs <- flexsurv::flexsurvreg(Surv(time, status) ~ trt01, data = vet, dist = "weibullPH")
  fit <- surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "weibull")
  expect_abs(as.numeric(logLik(fit)), as.numeric(logLik(fs)), 1e-4)
})

# mpr reference values frozen by scripts/gen-reference/survival_mpr.R (mpr 1.0.6; also
# tests/data/survival_mpr_ref.csv); re-computed live when mpr is installed.
mpr_ref <- list(weibull = c(ll = -746.4009453, b0 = -5.834905808, b1 = 1.088527867, a0 = 0.2342805831,
                            a1 = -0.2489164793),
                burr = c(ll = -747.1859507, b0 = -4.486568678, a0 = -0.02536725004, t0 = -1.424998946),
                pgw = c(ll = -746.6264649, b0 = -3.81452748, a0 = 1.142304148, t0 = -1.359509519),
                pgw_trt = c(ll = -746.6142077))

test_that("mpr Weibull, Burr and PGW on veteran (spec 5.C, 5.G; frozen, live when mpr is installed)", {
  fw <- surv_mpr(Surv(time, status) ~ trt, data = vet, dist = "weibull", gamma = ~ trt)
  r <- mpr_ref$weibull
  expect_abs(as.numeric(logLik(fw)), r[["ll"]], 1e-4)
  expect_abs(coef(fw), r[c("b0", "b1", "a0", "a1")], 1e-3)
  fb <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "burr", phi = ~ 1)
  r <- mpr_ref$burr
  expect_abs(as.numeric(logLik(fb)), r[["ll"]], 1e-4)
  # lambda = 1 / rho, phi^gamma = lam rho
  expect_abs(coef(fb), c((r[["b0"]] + r[["t0"]]) / exp(r[["a0"]]), -r[["t0"]], r[["a0"]]), 2e-3)
  # mpr's PGW (no time scale) is the APGW with phi = (1 + kappa)^(1/gamma): the APGW fit contains it.
  fa <- quiet_fit(Surv(time, status) ~ 1, data = vet, dist = "apgw", phi = ~ 1)
  expect_gte(as.numeric(logLik(fa)), mpr_ref$pgw[["ll"]] - 1e-6)
  fat <- quiet_fit(Surv(time, status) ~ trt, data = vet, dist = "apgw", phi = ~ 1)
  expect_gte(as.numeric(logLik(fat)), mpr_ref$pgw_trt[["ll"]] - 1e-6)
  skip_if_not_installed("mpr")
  mw <- mpr::mpr(Surv(time, status) ~ list(~trt, ~trt), data = vet, family = "Weibull")
  expect_abs(mw$model$loglike, mpr_ref$weibull[["ll"]], 1e-6)
  expect_abs(as.numeric(logLik(fw)), mw$model$loglike, 1e-4)
  expect_abs(coef(fw), unlist(mw$coefficients[c("beta", "alpha")]), 1e-3)
  mb <- mpr::mpr(Surv(time, status) ~ list(~1, ~1, ~1), data = vet, family = "Burr")
  expect_abs(as.numeric(logLik(fb)), mb$model$loglike, 1e-4)
  mp <- mpr::mpr(Surv(time, status) ~ list(~1, ~1, ~1), data = vet, family = "PGW", init = c(-4.5, 0, -1),
                 iterlim = 5000)
  expect_abs(mp$model$loglike, mpr_ref$pgw[["ll"]], 1e-4)
})

test_that("APGW as a flexsurv custom distribution agrees (spec 5.G; live when flexsurv is installed)", {
  skip_if_not_installed("flexsurv")
  custom <- flexsurv_apgw_dist()
  on.exit(rm("hapgw", "Hapgw", envir = globalenv()))
  # PH model with trt, phi fixed at 1 (hetmod's default): an interior maximum.
  h <- quiet_fit(Surv(time, status) ~ trt01, data = vet, dist = "apgw")
  fs <- suppressMessages(flexsurv::flexsurvreg(Surv(time, status) ~ trt01, data = vet, dist = custom,
                                               fixedpars = 1, inits = c(1, exp(-5.04), exp(0.83), 0.35, 0)))
  # flexsurv's BFGS stops short of the optimum by ~1e-4 here; hetmod must not be lower.
  expect_abs(as.numeric(logLik(h)), fs$loglik, 1e-3)
  expect_gte(as.numeric(logLik(h)), fs$loglik - 1e-6)
})
