# Boundary fits: convergence reasons and the APGW's Gompertz limit (kappa -> Inf).
library(survival)

test_that("kappa -> Inf is flagged gompertz_limit, with a boundary reason and refit advice", {
  v <- survival::veteran
  v$time <- v$time / 365.25
  v$entry <- pmin(v$time / 2, 10 / 365.25)
  w <- character()
  fit <- withCallingHandlers(
    surv_mpr(Surv(entry, time, status) ~ I(trt - 1), data = v, dist = "apgw"),
    warning = function(cond) {
      w <<- c(w, conditionMessage(cond))
      invokeRestart("muffleWarning")
    })
  expect_true("gompertz_limit" %in% fit$flags)
  expect_false("scale_boundary" %in% fit$flags)
  expect_false(fit$convergence$converged)
  expect_match(fit$convergence$reason, "^boundary: kappa runs to \\+inf")
  expect_true(any(grepl("gompertz_limit", w, fixed = TRUE)))
  expect_true(any(grepl("refit with dist = \"gompertz\"", w, fixed = TRUE)))
  expect_true(any(grepl("did NOT converge (boundary:", w, fixed = TRUE)))
  expect_false(any(grepl("grad_tol", w, fixed = TRUE)))
  # The limit fitted directly is the Gompertz fit with the APGW's phi (fixed) and gamma (free) formulas.
  g <- surv_mpr(Surv(entry, time, status) ~ I(trt - 1), data = v, dist = "gompertz",
                phi = ~ 0, gamma = ~ 1)
  expect_true(g$convergence$converged)
  # Both are Newton fits stopped at max|grad| <= 1e-4 plus a terminal Newton step: their logLik agree to
  # O(grad^2 / curvature), far below 1e-6 (absolute).
  expect_lt(abs(fit$extras$gompertz_limit_loglik - as.numeric(logLik(g))), 1e-6)
  expect_lt(max(abs(fit$extras$gompertz_limit_coef - unname(coef(g)))), 1e-4)
})
