# Issue 3 acceptance tests of the survival family through the R front end: peers on the same data
# (survreg always; flexsurv live when installed, with frozen values otherwise), every distribution and
# every prediction type with factor newdata, censoring/truncation/weights through Surv(), and the
# bad-input list. The APGW flexsurv references are frozen by scripts/gen-reference/survival_flexsurv_apgw.R
# (also tests/data/survival_flexsurv_ref.csv, used by tests/cpp/survival/test_acceptance_peers.cpp).
library(survival)

vet <- survival::veteran
vet$trt01 <- vet$trt - 1

quiet <- function(...) suppressWarnings(surv_mpr(...))
max_abs <- function(a, b) max(abs(as.numeric(a) - as.numeric(b)))
max_rel <- function(a, b) max(abs(as.numeric(a) / as.numeric(b) - 1))

# ---------------------------------------------------------------------------------------------------
# survreg: a factor, case weights and subset in one fit; quantile predictions and their SEs
# ---------------------------------------------------------------------------------------------------

test_that("Weibull AFT with a factor, weights and subset equals survreg, predictions and SEs included", {
  v <- vet
  v$w <- rep(c(1, 2, 0.5), length.out = nrow(v))
  sr <- survreg(Surv(time, status) ~ trt01 + celltype, data = v, dist = "weibull", weights = w,
                subset = karno > 30, control = survreg.control(rel.tolerance = 1e-12))
  h <- surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", phi = ~ trt01 + celltype, weights = w,
                subset = karno > 30)
  expect_equal(nobs(h), sum(v$karno > 30))
  expect_lt(abs(as.numeric(logLik(h)) - as.numeric(logLik(sr))), 1e-8)
  expect_lt(max_abs(coef(h), c(-coef(sr), -log(sr$scale))), 1e-6)
  nd <- data.frame(trt01 = c(0, 1, 1), celltype = c("squamous", "adeno", "large"))
  ps <- predict(sr, nd, type = "quantile", p = c(0.25, 0.5), se.fit = TRUE)
  ph <- predict(h, nd, type = "quantile", p = c(0.25, 0.5), se.fit = TRUE)
  expect_equal(colnames(ph$fit), c("p=0.25", "p=0.5"))
  expect_lt(max_rel(ph$fit, ps$fit), 1e-8)
  expect_lt(max_rel(ph$se.fit, ps$se.fit), 1e-6)
  # character, factor and re-ordered factor levels in newdata give the same design
  ndf <- nd
  ndf$celltype <- factor(nd$celltype)
  expect_identical(predict(h, ndf, type = "quantile", p = 0.5), predict(h, nd, type = "quantile", p = 0.5))
  expect_equal(colnames(predict(h, nd, type = "survival", times = c(30, 100.5))), c("t=30", "t=100.5"))
  expect_error(predict(h, data.frame(trt01 = 0, celltype = "oat"), type = "survival", times = 1), "new level")
})

# ---------------------------------------------------------------------------------------------------
# flexsurv built-in distributions: the optimum, and every prediction at the same parameter values
# ---------------------------------------------------------------------------------------------------

test_that("exponential, Weibull, log-logistic and Gompertz agree with flexsurv (fit and predictions)", {
  skip_if_not_installed("flexsurv")
  l <- survival::lung
  nd_v <- data.frame(trt01 = c(0, 1), celltype = c("squamous", "adeno"))
  cases <- list(
    list(dist = "exponential", fs = "exp", data = vet, h = function() surv_mpr(Surv(time, status) ~ trt01 + celltype,
         data = vet, dist = "exponential"), nd = nd_v,
         inits = function(b) c(exp(b[1]), b[-1])),  # rate = lambda; effects on log rate
    list(dist = "weibull", fs = "weibull", data = vet, h = function() surv_mpr(Surv(time, status) ~ 1, data = vet,
         dist = "weibull", phi = ~ trt01 + celltype), nd = nd_v,
         inits = function(b) c(exp(b[6]), exp(-b[1]), -b[2:5])),  # shape = gamma, scale = 1/phi
    list(dist = "loglogistic", fs = "llogis", data = vet, h = function() surv_mpr(Surv(time, status) ~ trt01 + celltype,
         data = vet, dist = "loglogistic"), nd = nd_v,
         inits = function(b) c(exp(b[6]), exp(-b[1]), -b[2:5])),
    list(dist = "gompertz", fs = "gompertz", data = l, h = function() surv_mpr(Surv(time, status) ~ sex, data = l,
         dist = "gompertz"), nd = data.frame(sex = c(1, 2)),
         inits = function(b) c(exp(b[1]), exp(b[1] + b[2]), b[3])))  # shape = phi, rate = lambda phi
  for (cs in cases) {
    h <- cs$h()
    form <- if (cs$dist == "gompertz") Surv(time, status) ~ sex else Surv(time, status) ~ trt01 + celltype
    fs <- flexsurv::flexsurvreg(form, data = cs$data, dist = cs$fs)
    expect_lt(abs(as.numeric(logLik(h)) - fs$loglik), 1e-4)
    expect_gte(as.numeric(logLik(h)), fs$loglik - 1e-6)
    # flexsurv at hetmod's estimates: the same likelihood and the same predictions.
    at <- suppressMessages(flexsurv::flexsurvreg(form, data = cs$data, dist = cs$fs,
                                                 inits = cs$inits(unname(coef(h))), fixedpars = TRUE))
    expect_lt(abs(at$loglik / as.numeric(logLik(h)) - 1), 1e-10)
    tt <- c(30, 100)
    for (ty in c("survival", "hazard", "cumhaz")) {
      ref <- vapply(summary(at, newdata = cs$nd, type = ty, t = tt, ci = FALSE), function(s) s$est, numeric(2))
      got <- predict(h, cs$nd, type = ty, times = tt)
      expect_lt(max_rel(got, t(ref)), 1e-9)
    }
    ref <- vapply(summary(at, newdata = cs$nd, type = "quantile", quantiles = c(0.25, 0.5), ci = FALSE),
                  function(s) s$est, numeric(2))
    expect_lt(max_rel(predict(h, cs$nd, type = "quantile", p = c(0.25, 0.5)), t(ref)), 1e-8)
    ref <- vapply(summary(at, newdata = cs$nd, type = "rmst", t = 100, ci = FALSE), function(s) s$est, 1)
    expect_lt(max_rel(predict(h, cs$nd, type = "rmst", times = 100), ref), 1e-6)
  }
})

# ---------------------------------------------------------------------------------------------------
# The APGW against flexsurv with the APGW as a custom distribution (spec 5.G), through Surv()
# ---------------------------------------------------------------------------------------------------

# Frozen flexsurv 2.3.2 values (loglik, estimates and SEs in hetmod's coefficient order; SEs from a
# numerical Hessian of flexsurv's log-likelihood, see the generating script).
fs_ref <- list(
  D1 = list(ll = -1895.191016990, est = c(-0.006260982, 0.01009713, 0.4060624, 0.4023456),
            se = c(1.821, 2.62, 0.05617, 0.3923)),
  D2 = list(ll = -3094.692171280, est = c(-0.0118812, 0.01258715, 0.1820905, -0.7005603),
            se = c(0.4313, 0.4061, 0.05445, 0.2207)),
  vet_null = list(ll = -746.205163833, est = c(-1.561739, -3.045779, 0.3719336, 0.4007804),
                  se = c(1.29, 1.54, 0.3644, 0.1142)),
  vet_ph_trt = list(ll = -746.203830704, est = c(-1.555332, -3.04923, -0.009215177, 0.3725617, 0.4009921),
                    se = c(1.297, 1.542, 0.1786, 0.3652, 0.1145)),
  vet_aft_trt = list(ll = -746.201590369, est = c(-1.581353, 0.01871208, -3.033456, 0.3719141, 0.4000311),
                     se = c(1.322, 0.2217, 1.561, 0.3666, 0.1144)),
  vet_default_trt = list(ll = -746.617237124, est = c(-5.03225, -0.02714, 0.83028, 0.30002),
                         se = c(1.041, 0.1777, 1.06, 0.2752)),
  vet_interval_w = list(ll = -471.476122268, est = c(0.9291907, 0.1461168, -0.1666729, 0.7210508),
                        se = c(0.2344, 0.1471, 0.1078, 0.5384)),
  vet_entry = list(ll = -730.859502994, est = c(-4.88542, 0.07352012, 0.8429008, 0.2901169),
                   se = c(1.081, 0.1772, 1.109, 0.2796)))

# The data of the generating script: quantile grids (spec 5.E) and the veteran variants.
qgrid <- function(eta, n, C) {
  phi <- exp(eta[1]); lam <- exp(eta[2]); gam <- exp(eta[3]); kap <- expm1(eta[4])
  y <- -log1p(-(seq_len(n) - 0.5) / n)
  z <- 1 + kap * y / (lam * (1 + kap))
  T <- ifelse(z <= 0, Inf, ((1 + kap) * (z^(1 / kap) - 1))^(1 / gam) / phi)
  data.frame(time = pmin(T, C), status = as.integer(T <= C))
}
vet_interval <- function() {
  v <- vet
  v$time <- v$time / 365.25
  i <- seq_len(nrow(v))
  v$lo <- ifelse(v$status == 1, 0.8 * v$time, v$time)
  v$hi <- ifelse(v$status == 1, 1.25 * v$time, NA)
  left <- v$status == 1 & i %% 10 == 0
  v$lo[left] <- NA
  v$hi[left] <- v$time[left]
  v$w <- 1 + (i %% 3) / 2
  v
}
vet_entry <- function() {
  v <- vet
  v$entry <- ifelse(seq_len(nrow(v)) %% 5 == 0, v$time / 2, 0)
  v
}

test_that("APGW fits equal the flexsurv custom-distribution fits (D1, D2, veteran; censoring, weights, entry)", {
  d1 <- qgrid(c(0, 0, log(1.5), log(1.5)), 2000, 2.5)
  d2 <- qgrid(c(0, 0, log(1.2), log(0.5)), 2000, 20)
  vi <- vet_interval()
  ve <- vet_entry()
  fits <- list(
    D1 = quiet(Surv(time, status) ~ 1, data = d1, dist = "apgw", phi = ~ 1),
    D2 = quiet(Surv(time, status) ~ 1, data = d2, dist = "apgw", phi = ~ 1),
    vet_null = quiet(Surv(time, status) ~ 1, data = vet, dist = "apgw", phi = ~ 1),
    vet_ph_trt = quiet(Surv(time, status) ~ trt01, data = vet, dist = "apgw", phi = ~ 1),
    vet_aft_trt = quiet(Surv(time, status) ~ 1, data = vet, dist = "apgw", phi = ~ trt01),
    vet_default_trt = surv_mpr(Surv(time, status) ~ trt01, data = vet, dist = "apgw"),
    vet_interval_w = surv_mpr(Surv(lo, hi, type = "interval2") ~ trt01, data = vi, dist = "apgw", weights = w),
    vet_entry = surv_mpr(Surv(entry, time, status) ~ trt01, data = ve, dist = "apgw"))
  expect_equal(unname(fits$vet_interval_w$counts), c(0L, 9L, 11L, 117L))
  for (m in names(fs_ref)) {
    f <- fits[[m]]
    r <- fs_ref[[m]]
    expect(isTRUE(f$convergence$converged), paste(m, "did not converge"))
    expect_lt(abs(f$loglik - r$ll), 1e-4)
    expect_gte(f$loglik, r$ll - 1e-6)
    expect(all(abs(coef(f) - r$est) <= pmax(1e-3, 0.05 * r$se)),
           sprintf("%s: estimates %s vs flexsurv %s", m, paste(format(coef(f), digits = 6), collapse = " "),
                   paste(format(r$est, digits = 6), collapse = " ")))
  }
  # The phi-free veteran fits are the interior local maxima next to the threshold boundary (spec 5.D).
  for (m in c("vet_null", "vet_ph_trt", "vet_aft_trt")) expect_true("threshold_boundary" %in% fits[[m]]$flags)
  expect_length(fits$vet_default_trt$flags, 0L)
  skip_if_not_installed("flexsurv")
  # Live: flexsurv's likelihood at hetmod's estimates, for the data built through Surv() (interval2 with
  # NA left ends, weights, counting process): the same number.
  custom <- flexsurv_apgw_dist()
  on.exit(rm("hapgw", "Hapgw", envir = globalenv()))
  init_of <- function(b) c(1, exp(b[1]), exp(b[3]), expm1(b[4]), b[2])  # phi fixed; trt on log lambda
  fi <- fits$vet_interval_w
  at <- suppressMessages(flexsurv::flexsurvreg(Surv(lo, hi, type = "interval2") ~ trt01, data = vi, weights = w,
                                               dist = custom, inits = init_of(coef(fi)), fixedpars = TRUE))
  expect_lt(abs(at$loglik / fi$loglik - 1), 1e-10)
  fe <- fits$vet_entry
  at <- suppressMessages(flexsurv::flexsurvreg(Surv(entry, time, status) ~ trt01, data = ve, dist = custom,
                                               inits = init_of(coef(fe)), fixedpars = TRUE))
  expect_lt(abs(at$loglik / fe$loglik - 1), 1e-10)
})

# ---------------------------------------------------------------------------------------------------
# Sandwich SEs under every censoring type: V B V with numerical per-row scores (no peer needed; survreg's
# robust = TRUE agrees for right-censored data, test-surv_inference.R, but its dfbeta residuals give a
# different matrix for interval/left-censored rows)
# ---------------------------------------------------------------------------------------------------

test_that("robust and cluster-robust vcov equal V B V with numerical row scores (interval, left, weights, entry)", {
  sandwich <- function(fit, lli, w, cl) {
    b <- coef(fit)
    U <- sapply(seq_along(b), function(k) {
      e <- replace(numeric(length(b)), k, 1e-5)
      (lli(b + e) - lli(b - e)) / 2e-5
    })
    Ug <- rowsum(w * U, cl)
    V <- vcov(fit, type = "model")
    V %*% crossprod(Ug) %*% V
  }
  # Weibull AFT on interval/left/right-censored rows with weights, one cluster per row and 40 clusters.
  vi <- vet_interval()
  vi$id <- rep(1:40, length.out = nrow(vi))
  h <- surv_mpr(Surv(lo, hi, type = "interval2") ~ 1, data = vi, dist = "weibull", phi = ~ trt01, weights = w)
  X <- cbind(1, vi$trt01)
  lli <- function(b) {
    H <- function(t) (exp(drop(X %*% b[1:2])) * t)^exp(b[3])
    ifelse(is.na(vi$lo), log(-expm1(-H(vi$hi))),
           ifelse(is.na(vi$hi), -H(vi$lo), -H(vi$lo) + log(-expm1(-(H(vi$hi) - H(vi$lo))))))
  }
  expect_lt(abs(sum(vi$w * lli(coef(h))) - h$loglik), 1e-9)
  expect_lt(max_abs(vcov(h, type = "sandwich"), sandwich(h, lli, vi$w, seq_len(nrow(vi)))), 1e-8)
  expect_lt(max_abs(vcov(h, cluster = vi$id), sandwich(h, lli, vi$w, vi$id)), 1e-8)
  # APGW (phi fixed) with left truncation.
  ve <- vet_entry()
  a <- surv_mpr(Surv(entry, time, status) ~ trt01, data = ve, dist = "apgw", robust = TRUE)
  lla <- function(b) {
    lam <- exp(b[1] + b[2] * ve$trt01)
    gam <- exp(b[3])
    kap <- expm1(b[4])
    H <- function(t) lam * (1 + kap) / kap * ((1 + t^gam / (1 + kap))^kap - 1)
    logh <- log(lam * gam) + (gam - 1) * log(ve$time) + (kap - 1) * log1p(ve$time^gam / (1 + kap))
    ve$status * logh - H(ve$time) + H(ve$entry)
  }
  expect_lt(abs(sum(lla(coef(a))) - a$loglik), 1e-9)
  expect_equal(unname(vcov(a)), unname(sandwich(a, lla, 1, seq_len(nrow(ve)))), tolerance = 1e-6)
})

# ---------------------------------------------------------------------------------------------------
# Every distribution on veteran, every method, as a user would call them
# ---------------------------------------------------------------------------------------------------

test_that("every dist on veteran: print, summary, confint, predict (all types, factor newdata), simulate, plot", {
  nd <- data.frame(trt01 = c(0, 1), celltype = factor(c("squamous", "large"), levels = levels(vet$celltype)))
  ref <- data.frame(trt01 = 0, celltype = "squamous")
  for (d in c("apgw", "weibull", "exponential", "burr", "loglogistic", "pgw", "gompertz", "cure_limit")) {
    f <- quiet(Surv(time, status) ~ trt01 + celltype, data = vet, dist = d)
    expect_s3_class(f, "surv_mpr")
    expect_output(print(f), "Log-likelihood")
    expect_output(print(summary(f)), "Std. Error")
    # A boundary fit (here the Gompertz, whose shape runs to 0 on veteran) has no valid covariance: its
    # intervals are NA, never collapsed onto the estimate.
    valid <- all(is.finite(diag(vcov(f))))
    expect_equal(valid, !"gompertz_boundary" %in% f$flags)
    ci <- confint(f)
    expect_equal(dim(ci), c(length(coef(f)), 2L))
    if (valid) expect_true(all(ci[, 1] < coef(f) & coef(f) < ci[, 2])) else expect_true(all(is.na(ci)))
    for (ty in c("survival", "hazard", "cumhaz", "density", "rmst")) {
      p <- predict(f, nd, type = ty, times = c(30, 100), se.fit = TRUE)
      expect_equal(dimnames(p$fit), list(c("1", "2"), c("t=30", "t=100")))
      expect_true(all(is.finite(p$fit)))
      if (valid) expect_true(all(p$lower < p$fit & p$fit < p$upper)) else expect_true(all(is.na(p$se.fit)))
    }
    q <- predict(f, nd, type = "quantile", p = c(0.25, 0.5))
    expect_equal(predict(f, nd[2, ], type = "survival", times = q[2, 2]), c(`2` = 0.5), tolerance = 1e-8)
    cu <- predict(f, nd, type = "cure", se.fit = TRUE)
    expect_true(all(cu$fit >= 0 & cu$fit < 1))
    hr <- predict(f, nd, type = "hr", times = c(10, 100), reference = ref)
    expect_equal(unname(hr[1, ]), c(1, 1), tolerance = 1e-12)
    tr <- predict(f, nd, type = "time_ratio", p = 0.5, reference = ref)
    expect_equal(unname(tr[1]), 1, tolerance = 1e-9)
    expect_equal(unname(tr[2]), unname(q[2, 2] / predict(f, ref, type = "quantile", p = 0.5)), tolerance = 1e-9)
    s <- simulate(f, nsim = 2, seed = 11)
    expect_equal(dim(s), c(nrow(vet), 2L))
    expect_identical(s, simulate(f, nsim = 2, seed = 11))
    grDevices::pdf(NULL)
    expect_silent(plot(f, newdata = nd))
    grDevices::dev.off()
    expect_equal(nrow(tidy(f)), length(coef(f)))
    expect_equal(glance(f)$logLik, f$loglik)
  }
})

test_that("na.exclude pads predictions for the fit's rows; anova of equal-size fits has no LR statistic", {
  v <- vet
  v$karno[c(3, 10)] <- NA
  f <- surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull", na.action = na.exclude)
  p <- predict(f, type = "survival")
  expect_length(p, nrow(v))
  expect_true(all(is.na(p[c(3, 10)])) && !anyNA(p[-c(3, 10)]))
  pm <- predict(f, type = "survival", times = c(10, 50), se.fit = TRUE)
  expect_equal(dim(pm$fit), c(nrow(v), 2L))
  expect_true(all(is.na(pm$se.fit[3, ])))
  grDevices::pdf(NULL)
  pl <- suppressMessages(plot(f))  # many patterns: the average curve over the fit's rows
  grDevices::dev.off()
  expect_false(anyNA(pl$curves[[1]]$fit))
  g <- surv_mpr(Surv(time, status) ~ karno, data = v, dist = "weibull")  # na.omit: no padding
  expect_length(predict(g, type = "survival"), nrow(v) - 2L)
  a <- surv_mpr(Surv(time, status) ~ celltype, data = vet, dist = "weibull")
  b <- surv_mpr(Surv(time, status) ~ celltype, data = vet, dist = "loglogistic")
  expect_warning(anova(a, b), "not nested")
  tab <- suppressWarnings(anova(a, b))
  expect_true(is.na(tab$LR[2]) && is.na(tab$`Pr(>Chisq)`[2]))
})

test_that("surv_mpr_select's candidate fits equal mpr's stepmpr candidates (live when mpr is installed)", {
  sel <- surv_mpr_select(Surv(time, status) ~ trt + celltype, data = vet, dist = "weibull", method = "backward")
  tab <- sel$table
  ll <- function(model) tab$logLik[tab$model == model]
  # the backward path drops trt from lambda and gamma jointly (a joint step), then stops
  expect_equal(sel$path$move, c("start", "- trt from lambda, gamma (joint)"))
  expect_equal(tab$model[1], "lambda(celltype), gamma(celltype)")
  skip_if_not_installed("mpr")
  # mpr's Weibull: list(beta formula (log lambda), alpha formula (log gamma)); the models stepmpr compares
  # when dropping celltype from the full model (its example on veteran).
  cands <- list(c("lambda(trt + celltype), gamma(trt + celltype)", "~trt + celltype", "~trt + celltype"),
                c("lambda(trt), gamma(trt + celltype)", "~trt", "~trt + celltype"),
                c("lambda(trt + celltype), gamma(trt)", "~trt + celltype", "~trt"),
                c("lambda(trt), gamma(trt)", "~trt", "~trt"))
  for (cd in cands) {
    m <- mpr::mpr(stats::as.formula(sprintf("Surv(time, status) ~ list(%s, %s)", cd[2], cd[3])), data = vet,
                  family = "Weibull")
    expect_lt(abs(ll(cd[1]) - m$model$loglike), 1e-4)
    expect_gte(ll(cd[1]), m$model$loglike - 1e-6)
  }
})

test_that("simulate from a specified model: the fit's structure with other coefficients", {
  f <- surv_mpr(Surv(time, status) ~ karno, data = vet, dist = "weibull")
  b <- coef(f)
  b[["lambda:karno"]] <- -0.05
  g <- f
  g$coefficients <- b
  nd <- data.frame(karno = c(20, 50, 80))
  expect_identical(simulate(f, nsim = 3, seed = 4, newdata = nd, censoring = "none", coef = b),
                   simulate(g, nsim = 3, seed = 4, newdata = nd, censoring = "none"))
  expect_identical(simulate(f, nsim = 2, seed = 4, coef = coef(f)), simulate(f, nsim = 2, seed = 4))
  expect_error(simulate(f, coef = b[-1]), "3 finite numbers")
  expect_error(simulate(f, coef = rev(b)), "names")
})

test_that("residuals (Cox-Snell = survreg's -log S, martingale, deviance; entry) and model.frame", {
  f <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt01 + karno)
  s <- survreg(Surv(time, status) ~ trt01 + karno, data = vet, dist = "weibull",
               control = survreg.control(rel.tolerance = 1e-12))
  cs <- -log1p(-psurvreg(vet$time, predict(s, type = "lp"), s$scale, "weibull"))
  expect_lt(max_abs(residuals(f, type = "coxsnell"), cs), 1e-7)
  m <- residuals(f)
  expect_equal(unname(m), vet$status - unname(residuals(f, type = "coxsnell")), tolerance = 1e-14)
  dv <- residuals(f, type = "deviance")
  expect_equal(unname(dv), sign(unname(m)) * sqrt(-2 * (unname(m) + ifelse(vet$status == 1, log(1 - unname(m)), 0))),
               tolerance = 1e-12)
  # Counting process: H(stop) - H(start); splitting a row at an interior time leaves the sum unchanged.
  sp <- survSplit(Surv(time, status) ~ trt01 + karno, data = vet, cut = 50, episode = "ep", start = "tstart")
  g <- surv_mpr(Surv(tstart, time, status) ~ 1, data = sp, dist = "weibull", phi = ~ trt01 + karno)
  expect_equal(sum(residuals(g, type = "coxsnell")), sum(residuals(f, type = "coxsnell")), tolerance = 1e-7)
  expect_identical(dim(model.frame(f)), c(nrow(vet), 3L))
  expect_s3_class(model.frame(f)[[1]], "Surv")
  expect_error(model.frame(surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", model = FALSE)),
               "model = TRUE")
  vl <- vet
  vl$st <- 1 - vl$status
  fl <- surv_mpr(Surv(time, st, type = "left") ~ 1, data = vl, dist = "weibull")
  expect_error(residuals(fl), "left- or interval-censored")
})

# ---------------------------------------------------------------------------------------------------
# Bad input (issue 3): the cases not covered by test-surv_mpr.R
# ---------------------------------------------------------------------------------------------------

test_that("bad input: clear errors for weights, clusters, statuses and data arguments", {
  v <- vet[c(1:20, 70:89), ]
  w <- rep(1, 40)
  w[2] <- NaN
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", weights = w, na.action = na.pass),
               "weights")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", weights = rep(0, 40)), "weights")
  v$id <- rep(1:10, 4)
  v$id[5] <- NA
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", cluster = id, na.action = na.pass),
               "cluster")
  bad <- v
  bad$status[4] <- 0.5
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = bad, dist = "weibull"), "Status codes")
  bad <- v
  bad$time[4] <- NaN
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = bad, dist = "weibull", na.action = na.pass), "finite")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = c("weibull", "apgw")), "`dist` must be one of")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = "v", dist = "weibull"), "data")
  expect_error(surv_mpr(Surv(time, status) ~ 1, data = v, dist = "weibull", robust = NA), "robust")
  expect_error(suppressWarnings(surv_mpr(Surv(time, status) ~ 1, data = v[0, ], dist = "weibull")),
               "observations")
  f <- surv_mpr(Surv(time, status) ~ trt01, data = v, dist = "weibull")
  expect_error(predict(f, data.frame(trt01 = NA), type = "survival", times = 1), "Missing")
  expect_error(predict(f, data.frame(trt01 = 1), type = "survival", times = -1), "positive")
  expect_error(predict(f, data.frame(trt01 = 1), type = "hr", times = 1), "reference")
  expect_error(simulate(f, nsim = 0), "nsim")
  expect_error(vcov(f, type = "cluster"), "cluster")
})

# ---------------------------------------------------------------------------------------------------
# The simulation-study harness from R (the Monte Carlo bias/coverage check itself is the [.slow] Catch2 test)
# ---------------------------------------------------------------------------------------------------

test_that("sim_run(\"surv_apgw\") runs from R for the Weibull and the APGW, identically on any number of threads", {
  expect_true("surv_apgw" %in% sim_studies())
  for (d in c("weibull", "apgw")) {
    a <- sim_run("surv_apgw", n = 300, dist = d, nsim = 40, seed = 7)
    expect_identical(a, sim_run("surv_apgw", n = 300, dist = d, nsim = 40, seed = 7, threads = 2))
    expect_output(print(a), "surv_apgw")
  }
})
