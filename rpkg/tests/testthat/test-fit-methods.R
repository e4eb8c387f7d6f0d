make_fit <- function(converged = TRUE) {
  V <- matrix(c(0.04, 0.01, 0.01, 0.09), 2, 2)
  hetmod:::new_hetmod_fit(
    coefficients = c(a = 1.5, b = -0.2), vcov = V, loglik = -120.3, df = 2, nobs = 100,
    convergence = list(converged = converged, code = if (converged) 1L else 5L, optimizer = "nlopt:LD_LBFGS",
                       reason = if (converged) "gradient norm below tolerance" else "maximum evaluations reached",
                       iterations = 42L, grad_norm = if (converged) 1e-8 else 0.3),
    call = quote(family_fit(y ~ x)), family = "example", model = "toy", class = "example_fit",
    extra_info = "kept")
}

test_that("new_hetmod_fit() builds a classed plain list", {
  fit <- make_fit()
  expect_s3_class(fit, c("example_fit", "hetmod_fit"), exact = TRUE)
  expect_type(unclass(fit), "list")
  expect_named(fit, c("coefficients", "vcov", "loglik", "df", "nobs", "convergence", "call", "family",
                      "model", "extra_info"))
  expect_identical(dimnames(fit$vcov), list(c("a", "b"), c("a", "b")))
  expect_named(fit$convergence, c("converged", "code", "optimizer", "reason", "iterations", "grad_norm"))
  expect_identical(fit$df, 2L)
  expect_identical(fit$nobs, 100L)
})

test_that("new_hetmod_fit() validates its input", {
  expect_error(hetmod:::new_hetmod_fit(c(1, 2)), "unique, non-empty names")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1, b = 2), vcov = diag(3)), "2 x 2")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), vcov = matrix(1, 1, 1, dimnames = list("z", "z"))), "dimnames")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), convergence = list()), "converged")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), df = -1), "`df`")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), loglik = 1:2), "`loglik`")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), NULL, 1, 1, 3, list(converged = TRUE), NULL, "x", "m", "cls", 5),
               "unique names")
  expect_error(hetmod:::new_hetmod_fit(c(a = 1), vcov = NULL, family = "x", model = "m", call = NULL, loglik = 0,
                                       df = 1, nobs = 3, coefficients2 = 1, vcov2 = 2, convergence = list(converged = TRUE),
                                       class = "x", extra = 1, extra = 2), "unique names")
  # a missing vcov becomes an all-NA matrix with dimnames
  f <- hetmod:::new_hetmod_fit(c(a = 1))
  expect_true(all(is.na(vcov(f))))
  expect_identical(rownames(vcov(f)), "a")
})

test_that("extractors return the stored values", {
  fit <- make_fit()
  expect_identical(coef(fit), c(a = 1.5, b = -0.2))
  expect_identical(vcov(fit), matrix(c(0.04, 0.01, 0.01, 0.09), 2, dimnames = list(c("a", "b"), c("a", "b"))))
  expect_identical(nobs(fit), 100L)
  ll <- logLik(fit)
  expect_s3_class(ll, "logLik")
  expect_equal(as.numeric(ll), -120.3)
  expect_identical(attr(ll, "df"), 2L)
  expect_identical(attr(ll, "nobs"), 100L)
})

test_that("AIC and BIC follow from logLik, df and nobs", {
  fit <- make_fit()
  expect_equal(AIC(fit), -2 * -120.3 + 2 * 2)
  expect_equal(BIC(fit), -2 * -120.3 + log(100) * 2)
})

test_that("confint() gives Wald intervals", {
  fit <- make_fit()
  ci <- confint(fit)
  expect_identical(dim(ci), c(2L, 2L))
  expect_identical(colnames(ci), c("2.5 %", "97.5 %"))
  q <- qnorm(0.975)
  expect_equal(ci["a", ], c(1.5 - q * 0.2, 1.5 + q * 0.2), ignore_attr = TRUE)
  expect_equal(ci["b", ], c(-0.2 - q * 0.3, -0.2 + q * 0.3), ignore_attr = TRUE)
  ci90 <- confint(fit, "b", level = 0.9)
  expect_identical(dimnames(ci90), list("b", c("5 %", "95 %")))
  expect_equal(unname(ci90[1, ]), -0.2 + c(-1, 1) * qnorm(0.95) * 0.3)
  expect_identical(confint(fit, 2), confint(fit, "b"))
  expect_error(confint(fit, "zz"), "Unknown coefficient")
  expect_error(confint(fit, 3), "`parm`")
  expect_error(confint(fit, level = 2), "`level`")
})

test_that("summary() gives the Wald coefficient table", {
  fit <- make_fit()
  s <- summary(fit)
  expect_s3_class(s, "summary.hetmod_fit")
  tab <- s$coefficients
  expect_identical(colnames(tab), c("Estimate", "Std. Error", "z value", "Pr(>|z|)"))
  expect_equal(unname(tab[, "Std. Error"]), c(0.2, 0.3))
  expect_equal(unname(tab[, "z value"]), c(7.5, -0.2 / 0.3))
  expect_equal(unname(tab[, "Pr(>|z|)"]), 2 * pnorm(-abs(c(7.5, -0.2 / 0.3))))
  expect_equal(unname(s$ic), c(-120.3, 244.6, 240.6 + 2 * log(100)))
  expect_output(print(s), "Estimate")
  expect_output(print(s), "Convergence: converged")
  expect_output(print(fit), "hetmod fit: example \\(toy\\)")
})

test_that("tidy() and glance() follow the broom conventions", {
  fit <- make_fit()
  td <- tidy(fit)
  expect_s3_class(td, "data.frame")
  expect_named(td, c("term", "estimate", "std.error", "statistic", "p.value"))
  expect_identical(td$term, c("a", "b"))
  expect_equal(td$estimate, c(1.5, -0.2))
  expect_equal(td$std.error, c(0.2, 0.3))
  expect_equal(td$statistic, c(7.5, -0.2 / 0.3))
  expect_equal(td$p.value, 2 * pnorm(-abs(c(7.5, -0.2 / 0.3))))
  tdc <- tidy(fit, conf.int = TRUE, conf.level = 0.8)
  expect_named(tdc, c("term", "estimate", "std.error", "statistic", "p.value", "conf.low", "conf.high"))
  expect_equal(tdc$conf.low, c(1.5, -0.2) - qnorm(0.9) * c(0.2, 0.3))
  expect_equal(tdc$conf.high, c(1.5, -0.2) + qnorm(0.9) * c(0.2, 0.3))
  gl <- glance(fit)
  expect_identical(nrow(gl), 1L)
  expect_named(gl, c("logLik", "AIC", "BIC", "df", "nobs", "converged"))
  expect_equal(gl$logLik, -120.3)
  expect_equal(gl$AIC, 244.6)
  expect_equal(gl$BIC, 240.6 + 2 * log(100))
  expect_identical(gl$df, 2L)
  expect_identical(gl$nobs, 100L)
  expect_true(gl$converged)
  # the generics are re-exported
  expect_identical(hetmod::tidy, generics::tidy)
  expect_identical(hetmod::glance, generics::glance)
})

test_that("non-converged fits are flagged and warned about", {
  bad <- make_fit(converged = FALSE)
  expect_output(print(bad), "did NOT converge.*maximum evaluations reached")
  expect_output(print(summary(bad)), "WARNING: the optimiser did NOT converge")
  expect_false(glance(bad)$converged)
  expect_warning(hetmod:::hetmod_warn_convergence(bad), class = "hetmod_convergence_warning")
  expect_warning(hetmod:::hetmod_warn_convergence(bad), "example \\(toy\\): the optimiser did NOT converge")
  expect_silent(hetmod:::hetmod_warn_convergence(make_fit()))
})

test_that("a fit survives saveRDS()/readRDS()", {
  fit <- make_fit()
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(fit, f)
  back <- readRDS(f)
  expect_identical(back, fit)
  expect_identical(tidy(back, conf.int = TRUE), tidy(fit, conf.int = TRUE))
  expect_equal(AIC(back), AIC(fit))
})
