# The fast paths of the surv_mpr front end (na.pass frame, ~ 1 / ~ 0 designs, rank check in C++) and the
# threaded likelihood row loop (control threads).
library(survival)

test_that("missing values: the na.pass frame gives the same fit and na.action as na.omit", {
  d <- veteran
  d$karno[c(3, 50)] <- NA
  d$time[7] <- NA
  f <- surv_mpr(Surv(time, status) ~ karno, data = d, dist = "weibull")
  g <- surv_mpr(Surv(time, status) ~ karno, data = d, dist = "weibull", na.action = na.omit)
  ref <- surv_mpr(Surv(time, status) ~ karno, data = d[-c(3, 7, 50), ], dist = "weibull")
  expect_equal(nobs(f), nrow(veteran) - 3)
  expect_equal(coef(f), coef(g))
  expect_equal(coef(f), coef(ref))
  expect_equal(as.integer(f$na.action), c(3L, 7L, 50L))
  expect_s3_class(f$na.action, "omit")
  expect_null(surv_mpr(Surv(time, status) ~ karno, data = veteran, dist = "weibull")$na.action)
  expect_error(surv_mpr(Surv(time, status) ~ karno, data = d, dist = "weibull", na.action = na.fail),
               "missing values")
  # A factor level present only in a dropped row is dropped, as model.frame's own na.action does it.
  d2 <- veteran
  d2$grp <- factor(ifelse(seq_len(nrow(d2)) == 1L, "only_na", ifelse(d2$trt == 1, "a", "b")))
  d2$karno[1] <- NA
  h <- surv_mpr(Surv(time, status) ~ grp + karno, data = d2, dist = "weibull")
  expect_identical(names(coef(h)), c("lambda:(Intercept)", "lambda:grpb", "lambda:karno", "gamma:(Intercept)"))
})

test_that("a singular design is reported by the core with the parameter and the aliased column", {
  bad <- veteran
  bad$k2 <- 2 * bad$karno + 1
  expect_error(surv_mpr(Surv(time, status) ~ karno + k2, data = bad, dist = "weibull"),
               "design matrix of lambda is singular: column 'k2' is \\(nearly\\) a linear combination")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = bad, dist = "apgw", gamma = ~ karno + k2),
               "design matrix of gamma is singular: column 'k2'")
})

test_that("control threads: the chunked row loop matches the one-thread fit", {
  set.seed(2)
  n <- 20000
  x <- rbinom(n, 1, 0.5); z <- rnorm(n)
  tt <- (-log(runif(n)) / exp(-3 + 0.5 * x - 0.3 * z))^(1 / 1.3)
  cc <- runif(n, 0, quantile(tt, 0.9))
  d <- data.frame(time = pmin(tt, cc), status = as.integer(tt <= cc), x = x, z = z)
  f1 <- surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull")
  f2 <- surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull", control = list(threads = 2))
  expect_equal(as.numeric(logLik(f2)), as.numeric(logLik(f1)), tolerance = 1e-12)
  expect_equal(coef(f2), coef(f1), tolerance = 1e-8)
  expect_equal(vcov(f2), vcov(f1), tolerance = 1e-6)
  fp <- survreg(Surv(time, status) ~ x + z, data = d, dist = "weibull")
  expect_lt(abs(as.numeric(logLik(f1)) - as.numeric(logLik(fp))), 1e-6)
  expect_error(surv_mpr(Surv(time, status) ~ x, data = d, dist = "weibull", control = list(threads = -1)),
               "threads")
})
