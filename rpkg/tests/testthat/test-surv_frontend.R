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

# The fast front end (.surv_quick_frame: the frame without model.frame(); .surv_design_simple: numeric
# main effects bound without model.matrix(); the terms cache) against the general path
# (options(hetmod.surv_fast = FALSE)): every call must give an identical() fit object.
expect_same_fit <- function(expr, label) {
  ex <- substitute(expr)
  pf <- parent.frame()
  fast <- eval(ex, pf)
  old <- options(hetmod.surv_fast = FALSE)
  on.exit(options(old))
  general <- eval(ex, pf)
  expect_true(identical(fast, general), label = label)
  diff <- Filter(function(nm) !identical(fast[[nm]], general[[nm]]), union(names(fast), names(general)))
  expect_identical(diff, character(0), label = label)
  invisible(fast)
}

test_that("fast paths give identical() fits to the general path", {
  set.seed(11)
  v <- veteran
  v$w <- runif(nrow(v), 0.5, 2)
  v$off <- rnorm(nrow(v), 0, 0.1)
  v$lg <- v$trt == 1
  v$id <- rep(1:46, 3)[seq_len(nrow(v))]
  v$ki <- as.integer(v$karno)
  v$st2 <- v$status + 1L
  rownames(v) <- paste0("r", seq_len(nrow(v)))
  n <- 400
  x <- rbinom(n, 1, 0.5); z <- rnorm(n)
  tt <- (-log(runif(n)) / exp(-3 + 0.5 * x - 0.3 * z))^(1 / 1.3)
  cc <- runif(n, 0, quantile(tt, 0.9))
  d <- data.frame(time = pmin(tt, cc), status = as.integer(tt <= cc), x = x, z = z)
  f <- expect_same_fit(surv_mpr(Surv(time, status) ~ x, data = d, dist = "apgw", gamma = ~ x), "bench design")
  expect_false(is.null(hetmod:::.surv_quick_frame(quote(Surv(time, status)), "x", d, globalenv())))
  expect_identical(environment(attr(f$frame, "terms")), environment(f$formula))
  expect_same_fit(surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull"), "weibull")
  expect_same_fit(surv_mpr(Surv(time, status) ~ x + z, data = d[seq_len(300), ], dist = "weibull"), "row subset")
  expect_same_fit(surv_mpr(Surv(time, status) ~ x + z, data = d[c(9:300, 1:8), ], dist = "apgw", kappa = ~ z),
                  "permuted integer row names")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno + age, data = v, dist = "apgw", gamma = ~ karno,
                           kappa = ~ ki), "character row names, integer column")
  expect_same_fit(surv_mpr(Surv(time, status) ~ celltype + karno, data = v, dist = "weibull"), "factor")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno * age, data = v, dist = "weibull"), "interaction")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno + offset(off), data = v, dist = "weibull"), "offset")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", subset = age > 50), "subset")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", weights = w), "weights")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", na.action = na.omit),
                  "na.action")
  vv <- v
  vv$karno[c(2, 9)] <- NA
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = vv, dist = "weibull"), "missing values")
  vd <- veteran[, c("time", "status", "karno", "age")]
  expect_same_fit(surv_mpr(Surv(time, status) ~ ., data = vd, dist = "weibull"), "dot")
  expect_same_fit(surv_mpr(Surv(time, status) ~ 1, data = vd, dist = "apgw", gamma = ~ .), "dot in gamma")
  expect_same_fit(surv_mpr(Surv(time, status) ~ log(karno) + I(age^2), data = v, dist = "weibull"), "functions")
  expect_same_fit(surv_mpr(Surv(time, status) ~ scale(karno), data = v, dist = "weibull"), "scale()")
  expect_same_fit(surv_mpr(Surv(time, status) ~ lg, data = v, dist = "weibull"), "logical covariate")
  expect_same_fit(surv_mpr(Surv(time, lg) ~ karno, data = v, dist = "weibull"), "logical status")
  expect_same_fit(surv_mpr(Surv(time, st2) ~ karno, data = v, dist = "weibull"), "status 1/2")
  expect_same_fit(surv_mpr(Surv(time, status == 1) ~ karno, data = v, dist = "weibull"), "status expression")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", robust = TRUE), "robust")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", cluster = id), "cluster")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", model = FALSE), "model = FALSE")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno - 1, data = v, dist = "apgw", phi = ~ 1,
                           gamma = ~ 0 + age), "no intercept")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = v, dist = "burr", threads = 1), "control in ...")
  kk <- v$karno
  expect_same_fit(surv_mpr(Surv(time, status) ~ kk, data = v, dist = "weibull"), "variable from the environment")
  tm <- v$time; st <- v$status
  expect_same_fit(surv_mpr(Surv(tm, st) ~ kk, dist = "weibull"), "no data")
  expect_same_fit(surv_mpr(Surv(time, status) ~ karno, data = as.list(v[c("time", "status", "karno")]),
                           dist = "weibull"), "list data")
  m <- 300
  tl <- rexp(m)
  dl <- data.frame(t = tl, s = rbinom(m, 1, 0.7), x = rnorm(m), t2 = tl + rexp(m), e = tl * runif(m, 0, 0.5))
  dl$t2[1:20] <- Inf
  dl$ti <- as.integer(ceiling(dl$t * 10))
  expect_same_fit(surv_mpr(Surv(t, s, type = "left") ~ x, data = dl, dist = "weibull"), "left")
  expect_same_fit(surv_mpr(Surv(t, t2, type = "interval2") ~ x, data = dl, dist = "weibull"), "interval2")
  expect_same_fit(surv_mpr(Surv(e, t, s) ~ x, data = dl, dist = "weibull"), "counting")
  expect_same_fit(surv_mpr(Surv(ti, s) ~ x, data = dl, dist = "weibull"), "integer times")
  local({
    Surv <- function(a, b) survival::Surv(2 * a, b)
    f2 <- expect_same_fit(surv_mpr(Surv(t, s) ~ x, data = dl, dist = "weibull"), "user-defined Surv")
    expect_equal(f2$response$time, 2 * dl$t)
  })
  # predict() uses the same design code for newdata.
  f <- surv_mpr(Surv(time, status) ~ karno + age, data = v, dist = "apgw", gamma = ~ karno)
  nd <- v[c(5, 1, 9), c("karno", "age")]
  p1 <- predict(f, newdata = nd, type = "hazard", times = c(10, 50))
  old <- options(hetmod.surv_fast = FALSE)
  p0 <- predict(f, newdata = nd, type = "hazard", times = c(10, 50))
  options(old)
  expect_identical(p1, p0)
})

test_that("the terms cache returns stats::terms() and keeps no environment alive", {
  e1 <- new.env()
  e2 <- new.env()
  f1 <- y ~ a + b
  environment(f1) <- e1
  f2 <- f1
  environment(f2) <- e2
  expect_identical(hetmod:::.surv_terms(f1), stats::terms(f1))
  expect_identical(hetmod:::.surv_terms(f2), stats::terms(f2))
  expect_identical(environment(hetmod:::.surv_terms(f2)), e2)
  cached <- unlist(lapply(hetmod:::.surv_cache$terms, function(e) environment(e[[2L]])))
  expect_true(all(vapply(cached, identical, TRUE, emptyenv())))
  expect_identical(hetmod:::.surv_const_formula(FALSE, e1), stats::as.formula("~ 0", env = e1))
  expect_identical(hetmod:::.surv_const_formula(TRUE, e1), stats::as.formula("~ 1", env = e1))
})

test_that("new_hetmod_fit() skips normalisations only when they change nothing", {
  a <- hetmod:::new_hetmod_fit(c(a = 1L, b = 2L), vcov = matrix(1:4, 2, 2),
                               convergence = list(code = 2, converged = TRUE, iterations = 3, extra = "x"))
  expect_identical(a$coefficients, c(a = 1, b = 2))
  expect_identical(a$vcov, matrix(c(1, 2, 3, 4), 2, 2, dimnames = list(c("a", "b"), c("a", "b"))))
  expect_identical(a$convergence, list(converged = TRUE, code = 2L, optimizer = NA_character_,
                                       reason = NA_character_, iterations = 3L, grad_norm = NA_real_,
                                       extra = "x"))
  conv <- list(converged = FALSE, code = c(k = 1L), optimizer = "o", reason = "r", iterations = 1L,
               grad_norm = 0.5)
  b <- suppressWarnings(hetmod:::new_hetmod_fit(c(a = 1), convergence = conv))
  expect_identical(b$convergence$code, 1L)  # attributes dropped as before
  expect_identical(b$vcov, matrix(NA_real_, 1, 1, dimnames = list("a", "a")))
})

test_that("the fast paths report bad input with the general path's messages", {
  d <- data.frame(time = c(1, 2, 3, 4, 5), status = c(1L, 0L, 1L, 1L, 0L), x = c(0.1, 0.5, 0.2, 0.9, 0.4))
  msg <- function(dd, ...) {
    fast <- tryCatch(surv_mpr(Surv(time, status) ~ x, data = dd, dist = "weibull", ...), error = conditionMessage)
    old <- options(hetmod.surv_fast = FALSE)
    on.exit(options(old))
    general <- tryCatch(surv_mpr(Surv(time, status) ~ x, data = dd, dist = "weibull", ...), error = conditionMessage)
    expect_identical(fast, general)
    fast
  }
  d1 <- d; d1$time[2] <- -1
  expect_match(msg(d1), "Survival times must be positive; observation '2' has a time <= 0")
  d2 <- d; d2$time[3] <- Inf
  expect_match(msg(d2), "Survival times must be finite; see observation '3'")
  d3 <- d; d3$status <- 0L
  expect_match(msg(d3), "All observations are right-censored")
  d4 <- d; d4$x[4] <- Inf
  expect_match(msg(d4), "Non-finite values in the covariates of lambda")
  d5 <- d; d5$status[1] <- 2L
  expect_match(msg(d5), "Status codes must follow")
})

test_that("control = list(starts = k) is not taken for control$start (no partial matching)", {
  v <- survival::veteran
  f0 <- surv_mpr(survival::Surv(time, status) ~ trt, data = v, dist = "weibull")
  f2 <- surv_mpr(survival::Surv(time, status) ~ trt, data = v, dist = "weibull", control = list(starts = 2))
  expect_s3_class(f2, "surv_mpr")
  expect_equal(as.numeric(logLik(f2)), as.numeric(logLik(f0)), tolerance = 1e-8)
  expect_error(surv_mpr(survival::Surv(time, status) ~ trt, data = v, dist = "weibull",
                        control = list(start = 1)), "control\\$start has length 1")
})
