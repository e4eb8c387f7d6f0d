# Tests of the SEM family (R/sem*.R, src/sem_glue.cpp). Reference numbers: spec/sem.md 5.1 (lavaan
# 0.6.14, HS CFA) and 5.2 (3-cycle closed form). hs_x1_x9.csv holds x1..x9 of lavaan's
# HolzingerSwineford1939 (N = 301), so the frozen checks run without lavaan.

hs <- read.csv(test_path("hs_x1_x9.csv"))
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
hs_fit <- sem_fit(hs_model, data = hs)

rel_ok <- function(a, b, tol = 1e-5) expect_lt(max(abs(a - b) / abs(b)), tol)

test_that("HS CFA: fit measures equal lavaan's frozen numbers", {
  fm <- fit_measures(hs_fit)
  ref <- c(chisq = 85.305522, cfi = 0.930560, tli = 0.895839, rmsea = 0.092121, srmr = 0.065205,
           logl = -3737.744927, aic = 7517.489853, bic = 7595.339169, baseline.chisq = 918.851589,
           rmsea.ci.lower = 0.071418, rmsea.ci.upper = 0.113678, unrestricted.logl = -3695.092166)
  for (k in names(ref)) rel_ok(fm[[k]], ref[[k]])
  expect_equal(fm[["df"]], 24)
  expect_equal(fm[["npar"]], 21)
  expect_equal(fm[["ntotal"]], 301)
  expect_equal(fm[["baseline.df"]], 36)
  expect_true(all(c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                    "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic", "npar", "fmin",
                    "baseline.chisq", "baseline.df", "ntotal") %in% names(fm)))
  expect_equal(unname(fit_measures(hs_fit, c("cfi", "df"))), unname(fm[c("cfi", "df")]))
  expect_error(fit_measures(hs_fit, "gfi"), "Unknown fit measure")
  expect_true("chisq.scaled" %in% names(hs_fit$fit_measures))
})

test_that("HS CFA: estimates and SEs equal lavaan's frozen numbers", {
  est <- c(`visual=~x2` = 0.553500, `visual=~x3` = 0.729370, `textual=~x5` = 1.113077, `textual=~x6` = 0.926146,
           `speed=~x8` = 1.179951, `speed=~x9` = 1.081530, `visual~~textual` = 0.408232,
           `visual~~speed` = 0.262225, `textual~~speed` = 0.173495, `x1~~x1` = 0.549054, `x2~~x2` = 1.133839,
           `x9~~x9` = 0.566131, `visual~~visual` = 0.809316, `speed~~speed` = 0.383748)
  se <- c(`visual=~x2` = 0.099665, `visual=~x3` = 0.109110, `textual=~x5` = 0.065420, `textual=~x6` = 0.055449,
          `speed=~x8` = 0.164987, `speed=~x9` = 0.151167, `visual~~textual` = 0.073524,
          `visual~~speed` = 0.056276, `textual~~speed` = 0.049315, `x1~~x1` = 0.113601, `x2~~x2` = 0.101723,
          `x9~~x9` = 0.070737, `visual~~visual` = 0.145462, `speed~~speed` = 0.086209)
  expect_equal(coef(hs_fit)[names(est)], est, tolerance = 1e-5)
  expect_equal(sqrt(diag(vcov(hs_fit)))[names(se)], se, tolerance = 1e-4)
  expect_length(coef(hs_fit), 21)
  expect_true(hs_fit$convergence$converged)
  expect_true(hs_fit$admissibility$admissible)
  pt <- hs_fit$partable
  expect_true(all(c("lhs", "op", "rhs", "free", "est", "se", "z", "pvalue") %in% names(pt)))
  expect_equal(pt$est[pt$lhs == "visual" & pt$rhs == "x1"], 1)
  expect_equal(hs_fit$implied_cov[1, 1:3], c(x1 = 1.358370, x2 = 0.447957, x3 = 0.590291), tolerance = 1e-5)
})

test_that("HS CFA agrees with lavaan::cfa", {
  skip_if_not_installed("lavaan")
  lf <- lavaan::cfa(hs_model, data = lavaan::HolzingerSwineford1939)
  lfm <- lavaan::fitMeasures(lf)
  fm <- fit_measures(hs_fit)
  for (k in c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl",
              "unrestricted.logl", "aic", "bic", "npar", "fmin", "baseline.chisq", "baseline.df", "ntotal"))
    expect_equal(fm[[k]], unname(lfm[[k]]), tolerance = 1e-5, label = k)
  lpt <- lavaan::parameterEstimates(lf)
  pt <- hs_fit$partable
  key <- function(d) paste(d$lhs, d$op, d$rhs)
  m <- match(key(pt), key(lpt))
  expect_false(anyNA(m))
  expect_equal(pt$est, lpt$est[m], tolerance = 1e-5)
  expect_equal(pt$se, lpt$se[m], tolerance = 1e-4)
  expect_equal(unname(sem_implied_cov(hs_fit)), unname(lavaan::fitted(lf)$cov[hs_fit$observed, hs_fit$observed]),
               tolerance = 1e-6)
})

test_that("the sample_cov interface equals the data interface", {
  S <- cov(hs)
  f2 <- sem_fit(hs_model, sample_cov = S, sample_nobs = nrow(hs))
  expect_equal(coef(f2), coef(hs_fit), tolerance = 1e-7)
  expect_equal(vcov(f2), vcov(hs_fit), tolerance = 1e-6)
  expect_equal(fit_measures(f2)[c("chisq", "cfi", "rmsea", "srmr", "logl")],
               fit_measures(hs_fit)[c("chisq", "cfi", "rmsea", "srmr", "logl")], tolerance = 1e-7)
  expect_equal(nobs(f2), 301L)
  expect_null(f2$data)
  # columns in another order, extra variables ignored
  S2 <- cov(cbind(z = rnorm(301), hs[9:1]))
  expect_equal(coef(sem_fit(hs_model, sample_cov = S2, sample_nobs = 301)), coef(hs_fit), tolerance = 1e-6)
})

test_that("estimators GLS, ULS and MLR run; missing data are dropped listwise", {
  g <- sem_fit(hs_model, data = hs, estimator = "GLS")
  expect_identical(g$model, "gls")
  expect_true(g$convergence$converged)
  u <- sem_fit(hs_model, data = hs, estimator = "uls")
  expect_identical(u$estimator, "ULS")
  expect_equal(fit_measures(u)[["df"]], 24)
  # lavaan 0.6.14 cfa(estimator = "ULS") SE of visual=~x2 (tests/data/sem_uls_estimates.csv)
  expect_equal(sqrt(vcov(u)["visual=~x2", "visual=~x2"]), 0.0554732303664306, tolerance = 1e-5)
  r <- sem_fit(hs_model, data = hs, estimator = "MLR")
  expect_equal(coef(r), coef(hs_fit), tolerance = 1e-6)
  expect_false(is.na(fit_measures(r)[["chisq.scaled"]]))
  hs_na <- hs
  hs_na$x1[c(3, 10)] <- NA
  hs_na$x5[20] <- NA
  expect_silent(fna <- sem_fit(hs_model, data = hs_na))
  expect_equal(nobs(fna), 298L)
  expect_equal(fna$n_dropped, 3L)
  expect_equal(coef(fna), coef(sem_fit(hs_model, data = hs[-c(3, 10, 20), ])), tolerance = 1e-8)
})

test_that("bad input gives clear errors", {
  expect_error(sem_fit("visual =~ x1 + x2 + x10", data = hs), "x10")
  expect_error(sem_fit("visual =~ x1 + x2 + x3\ntextual =~ * x4", data = hs), "line 2")
  bad <- cov(hs)
  bad[2, ] <- bad[1, ]
  bad[, 2] <- bad[, 1]
  expect_error(sem_fit(hs_model, sample_cov = bad, sample_nobs = 301), "positive definite")
  expect_error(sem_fit(hs_model, data = hs[1:8, ]), "Too few observations")
  expect_error(sem_fit(hs_model, data = transform(hs, x3 = as.character(x3))), "'x3' is not numeric")
  expect_error(sem_fit(hs_model, data = hs, missing = "pairwise"), "must be \"listwise\" or \"fiml\"")
  expect_error(sem_fit(hs_model, data = hs, group = "school"), "Group variable 'school' not found")
  expect_error(sem_fit(hs_model, data = hs, estimator = "WLS"), "estimator")
  expect_error(sem_fit(hs_model), "either `data` or `sample_cov`")
  expect_error(sem_fit(hs_model, sample_cov = cov(hs)), "sample_nobs")
  expect_error(sem_fit(hs_model, sample_cov = unname(cov(hs)), sample_nobs = 301), "names")
  expect_error(sem_fit(hs_model, data = hs, bogus = 1), "Unknown argument")
  expect_error(sem_fit(hs_model, data = hs, estimator = "MLR", sample_cov = cov(hs)), "not both")
  expect_error(sem_fit(character(0), data = hs), "model")
})

test_that("cyclic models: symbolic expansion (3-cycle) and implied covariance", {
  g3 <- list(n = 3, directed = rbind(c(1, 2), c(2, 3), c(3, 1)))
  e <- sem_expand(g3)
  expect_s3_class(e, "sem_expansion")
  expect_identical(e$det, "1 - l12*l23*l31")
  expect_identical(e$numerators[1, 1], "w11 + l31^2*w33 + l23^2*l31^2*w22")
  expect_identical(e$entries[1, 2], "(l12*w11 + l23*l31*w22 + l12*l31^2*w33) / (1 - l12*l23*l31)^2")
  expect_identical(e$entries[2, 1], e$entries[1, 2])
  el <- sem_expand(g3, i = 1, j = 2, format = "latex")
  expect_match(el$entries[[1]], "\\frac", fixed = TRUE)
  expect_match(el$det, "\\lambda_{12}", fixed = TRUE)
  expect_identical(e$variables$parameter[1:3], c("1 -> 2", "2 -> 3", "3 -> 1"))
  expect_output(print(e), "det\\(I - Lambda\\) = 1 - l12\\*l23\\*l31")
  # the same cycle written as lavaan syntax
  cyc <- "y2 ~ y1\ny3 ~ y2\ny1 ~ y3"
  ec <- sem_expand(cyc, i = "y1", j = "y2")
  expect_match(ec$det, "^1 - ")
  th <- c(0.5, 0.4, 0.3, 1, 1, 1)
  S <- sem_implied_cov(cyc, theta = th)
  S <- S[c("y1", "y2", "y3"), c("y1", "y2", "y3")]
  expect_equal(S[1, ], c(y1 = 2761 / 2209, y2 = 3325 / 4418, y3 = 1370 / 2209), tolerance = 1e-10)
  expect_equal(S[3, 3], 3000 / 2209, tolerance = 1e-10)
  expect_error(sem_implied_cov(cyc, theta = th[1:5]), "free parameters")
  expect_error(sem_implied_cov(cyc), "theta")
  expect_error(sem_expand(list(n = 2, directed = matrix(c(1, 3), 1))), "")
})

test_that("sem_identify: 3-cycle finite-to-one, bow not identified", {
  bow <- sem_identify(list(n = 2, directed = c(1, 2), bidirected = c(1, 2)))
  expect_s3_class(bow, "sem_identification")
  expect_false(bow$finite_to_one)
  expect_false(bow$bow_free)
  expect_equal(bow$jacobian_rank, 3)
  expect_equal(bow$n_params, 4)
  expect_output(print(bow), "NOT identifiable")
  cyc <- sem_identify("y2 ~ y1\ny3 ~ y2\ny1 ~ y3")
  expect_true(cyc$finite_to_one)
  expect_false(cyc$acyclic)
  expect_output(print(cyc), "finite-to-one")
  expect_true(sem_identify(hs_model)$finite_to_one)  # latent models: rank test (test-sem-identify.R)
  expect_error(sem_identify(42), "model")
})

test_that("an unidentified model: summary prints NA SEs with an explanation", {
  set.seed(2)
  d <- data.frame(x = rnorm(200))
  d$y <- 0.5 * d$x + rnorm(200)
  expect_warning(f <- sem_fit("y ~ x\ny ~~ x", data = d, fixed.x = FALSE), "not admissible")
  expect_true(f$admissibility$vcov_not_pd)
  expect_true(all(is.na(vcov(f))))
  out <- capture.output(print(summary(f)))
  expect_true(any(grepl("Standard errors are NA", out)))
  expect_true(any(grepl("sem_identify", out)))
})

test_that("non-admissible (Heywood) solutions warn", {
  S <- matrix(c(1, 0.8, 0.8, 0.8, 1, 0.5, 0.8, 0.5, 1), 3, dimnames = list(c("a", "b", "c"), c("a", "b", "c")))
  w <- NULL
  f <- withCallingHandlers(sem_fit("f =~ a + b + c", sample_cov = S, sample_nobs = 100),
                           warning = function(cond) {
                             w <<- c(w, conditionMessage(cond))
                             invokeRestart("muffleWarning")
                           })
  expect_true(f$admissibility$heywood)
  expect_true(any(grepl("not admissible", w)))
  expect_output(print(f), "NOT ADMISSIBLE")
})

test_that("non-convergence goes through hetmod_warn_convergence", {
  expect_warning(f <- sem_fit(hs_model, data = hs, control = list(maxeval = 2, polish = FALSE)),
                 class = "hetmod_convergence_warning")
  expect_false(f$convergence$converged)
})

test_that("S3 methods of sem_fit", {
  expect_s3_class(hs_fit, c("sem_fit", "hetmod_fit"), exact = TRUE)
  expect_output(print(hs_fit), "chisq = 85.306")
  s <- summary(hs_fit)
  expect_s3_class(s, "summary.sem_fit")
  out <- capture.output(print(s))
  expect_true(any(grepl("Latent Variables:", out)))
  expect_true(any(grepl("Covariances:", out)))
  expect_true(any(grepl("Variances:", out)))
  expect_true(any(grepl("Comparative Fit Index \\(CFI\\) +0.931", out)))
  expect_true(any(grepl("Admissibility:", out)))
  expect_true(any(grepl("x2 +0.554 +0.100 +5.554 +0.000", out)))
  expect_equal(as.numeric(logLik(hs_fit)), -3737.744927, tolerance = 1e-8)
  expect_equal(AIC(hs_fit), 7517.489853, tolerance = 1e-8)
  expect_equal(BIC(hs_fit), 7595.339169, tolerance = 1e-8)
  expect_equal(nobs(hs_fit), 301L)
  ci <- confint(hs_fit, "visual=~x2")
  expect_equal(unname(ci[1, ]), 0.5535002 + c(-1, 1) * qnorm(0.975) * 0.09966518, tolerance = 1e-5)
  td <- tidy(hs_fit)
  expect_equal(nrow(td), 21L)
  gl <- glance(hs_fit)
  expect_equal(gl$cfi, 0.930560, tolerance = 1e-5)
  expect_true(gl$admissible)
  expect_identical(sem_implied_cov(hs_fit), hs_fit$implied_cov)
  expect_equal(sem_implied_cov(hs_fit, theta = coef(hs_fit)), hs_fit$implied_cov, tolerance = 1e-10)
  # simulate: reproducible with a seed; data frames with the observed variables
  s1 <- simulate(hs_fit, seed = 7)
  s2 <- simulate(hs_fit, seed = 7)
  expect_identical(s1, s2)
  expect_equal(dim(s1), c(301L, 9L))
  expect_named(s1, paste0("x", 1:9))
  s3 <- simulate(hs_fit, nsim = 2, seed = 7, n = 50)
  expect_length(s3, 2L)
  expect_equal(dim(s3[[2]]), c(50L, 9L))
  big <- simulate(hs_fit, seed = 1, n = 20000)
  expect_lt(max(abs(cov(big) - hs_fit$implied_cov)), 0.06)
  # plot
  pdf(NULL)
  on.exit(dev.off(), add = TRUE)
  lay <- plot(hs_fit)
  expect_equal(nrow(lay), 12L)
  expect_true(all(lay$latent[10:12]))
  expect_silent(plot(hs_fit, layout = "circle"))
})

test_that("sem_bootstrap is reproducible and close to the ML SEs", {
  b1 <- sem_bootstrap(hs_fit, R = 40, seed = 11)
  b2 <- sem_bootstrap(hs_fit, R = 40, seed = 11)
  expect_s3_class(b1, "sem_bootstrap")
  expect_identical(b1$estimates, b2$estimates)
  expect_equal(dim(b1$estimates), c(40L, 21L))
  expect_true(mean(b1$converged) > 0.9)
  expect_lt(abs(log(b1$se[["textual=~x5"]] / 0.065420)), log(2))
  expect_output(print(b1), "Nonparametric bootstrap")
  f2 <- sem_fit(hs_model, sample_cov = cov(hs), sample_nobs = 301)
  expect_error(sem_bootstrap(f2, R = 5), "covariance matrix")
})

test_that("saveRDS round trip keeps a usable fit", {
  path <- tempfile(fileext = ".rds")
  saveRDS(hs_fit, path)
  g <- readRDS(path)
  expect_identical(g, hs_fit)
  expect_identical(coef(g), coef(hs_fit))
  expect_output(print(summary(g)), "Latent Variables")
  expect_identical(simulate(g, seed = 3), simulate(hs_fit, seed = 3))
  expect_equal(sem_implied_cov(g, theta = coef(g)), hs_fit$implied_cov, tolerance = 1e-10)
})

# FIML and multiple groups. hs_school_missing.csv: x1..x9 + school with ~10% MCAR missing values and
# hs_school.csv the complete data, both from scripts/gen-reference/sem_lavaan_fiml_mg.R; the frozen numbers
# are lavaan 0.6.14 (tests/data/sem_{fiml,mg_config,mg_equal,mg_fiml}_*.csv).
hs_miss <- read.csv(test_path("hs_school_missing.csv"))
hs_grp <- read.csv(test_path("hs_school.csv"))

expect_lavaan_rows <- function(fit, lf, tol_est = 1e-5, tol_se = 1e-4) {
  pe <- lavaan::parameterEstimates(lf)
  if (is.null(pe$group)) pe$group <- 1L
  pe <- pe[pe$op %in% c("=~", "~~", "~1", "~"), ]
  pt <- fit$partable
  key <- function(d) paste(d$group, d$lhs, d$op, d$rhs)
  m <- match(key(pe), key(pt))
  expect_false(anyNA(m))
  expect_equal(pt$est[m], pe$est, tolerance = tol_est)
  free <- pt$free[m]
  expect_equal(pt$se[m][free], pe$se[free], tolerance = tol_se)
}

test_that("FIML: HS CFA with missing values equals lavaan missing = 'ml' (frozen)", {
  f <- sem_fit(hs_model, data = hs_miss, missing = "fiml")
  expect_identical(f$missing, "fiml")
  expect_identical(f$information, "observed")
  expect_equal(nobs(f), 301)
  fm <- fit_measures(f)
  expect_equal(unname(fm[c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl")]),
               c(81.0727002775108, 24, 0.924657990260741, 0.886986985391111, 0.0888843583739769,
                 0.0606563708334888, -3406.27146584739), tolerance = 1e-6)
  pt <- f$partable
  r <- which(pt$lhs == "visual" & pt$op == "=~" & pt$rhs == "x2")
  expect_equal(c(pt$est[r], pt$se[r]), c(0.540392434751525, 0.108408043217512), tolerance = 1e-5)
  r <- which(pt$lhs == "x2" & pt$op == "~1")
  expect_equal(c(pt$est[r], pt$se[r]), c(6.09733741161184, 0.0709597917151415), tolerance = 1e-5)
  expect_output(print(f), "FIML \\(observed information\\)")
  expect_output(print(summary(f)), "Missing data")
  # complete data: FIML = ML with a saturated mean structure
  f0 <- sem_fit(hs_model, data = hs, missing = "fiml")
  f1 <- sem_fit(hs_model, data = hs, meanstructure = TRUE)
  expect_equal(fit_measures(f0)[["chisq"]], fit_measures(f1)[["chisq"]], tolerance = 1e-7)
})

test_that("multiple groups: configural and equal loadings + intercepts (frozen lavaan numbers)", {
  fc <- sem_fit(hs_model, data = hs_grp, group = "school")
  expect_equal(fc$group_labels, c("Pasteur", "Grant-White"))
  expect_equal(unname(fc$group_nobs), c(156, 145))
  expect_equal(unname(fit_measures(fc)[c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl")]),
               c(115.851343851445, 48, 0.923398380436188, 0.885097570654283, 0.0969148567503903,
                 0.0678642133482055, -3682.19751206163), tolerance = 1e-6)
  fe <- sem_fit(hs_model, data = hs_grp, group = "school", group.equal = c("loadings", "intercepts"))
  expect_equal(unname(fit_measures(fe)[c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl")]),
               c(164.102830921147, 60, 0.882471812685142, 0.85896617522217, 0.107371098087176,
                 0.0824470073253848, -3706.32325559648), tolerance = 1e-6)
  pt <- fe$partable
  r <- which(pt$lhs == "visual" & pt$op == "=~" & pt$rhs == "x2")
  expect_length(r, 2L)
  expect_equal(pt$est[r], rep(0.575660090884219, 2), tolerance = 1e-5)
  expect_equal(pt$se[r], rep(0.10077184918361, 2), tolerance = 1e-4)
  expect_true(all(c("visual=~x2", "visual~~visual.g2") %in% names(coef(fe))))
  expect_type(fe$implied_cov, "list")
  expect_named(fe$implied_cov, c("Pasteur", "Grant-White"))
  out <- capture.output(summary(fe))
  expect_true(any(grepl("Group 2 \\[Grant-White\\]", out)))
  expect_output(print(fe), "2 groups \\(school\\)")
  # the same constraints as shared labels: equal chi-square
  lab <- "visual =~ x1 + l2*x2 + l3*x3\n textual =~ x4 + l5*x5 + l6*x6\n speed =~ x7 + l8*x8 + l9*x9"
  fl <- sem_fit(lab, data = hs_grp, group = "school")
  fe2 <- sem_fit(hs_model, data = hs_grp, group = "school", group.equal = "loadings")
  expect_equal(fit_measures(fl)[["chisq"]], fit_measures(fe2)[["chisq"]], tolerance = 1e-7)
  # c() label vectors: per-group labels
  cv <- "visual =~ x1 + c(a, b)*x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
  fv <- sem_fit(cv, data = hs_grp, group = "school")
  expect_true(all(c("a", "b") %in% names(coef(fv))))
  expect_equal(fit_measures(fv)[["chisq"]], fit_measures(fc)[["chisq"]], tolerance = 1e-7)
})

test_that("multiple groups + FIML (frozen lavaan numbers)", {
  f <- sem_fit(hs_model, data = hs_miss, group = "school", missing = "fiml", group.equal = "loadings")
  expect_equal(unname(fit_measures(f)[c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl")]),
               c(118.808309453335, 54, 0.914978433649996, 0.886637911533327, 0.0892997445527092,
                 0.0730752895095357, -3358.97661057747), tolerance = 1e-6)
})

test_that("FIML and groups agree with lavaan (all rows)", {
  skip_if_not_installed("lavaan")
  lf <- lavaan::cfa(hs_model, data = hs_miss, missing = "ml")
  expect_lavaan_rows(sem_fit(hs_model, data = hs_miss, missing = "fiml"), lf)
  lg <- lavaan::cfa(hs_model, data = hs_grp, group = "school", group.equal = c("loadings", "intercepts"))
  fg <- sem_fit(hs_model, data = hs_grp, group = "school", group.equal = c("loadings", "intercepts"))
  expect_lavaan_rows(fg, lg, tol_est = 1e-4)
  lm <- lavaan::fitMeasures(lg)
  expect_equal(unname(fit_measures(fg)[c("chisq", "cfi", "tli", "rmsea", "srmr", "bic")]),
               unname(lm[c("chisq", "cfi", "tli", "rmsea", "srmr", "bic")]), tolerance = 1e-5)
})

test_that("MLR under FIML and multiple groups (frozen lavaan numbers)", {
  # tests/data/sem_{fiml_mlr,mg_fiml_mlr}_*.csv, scripts/gen-reference/sem_lavaan_mlr.R (lavaan 0.6.14)
  f <- sem_fit(hs_model, data = hs_miss, missing = "fiml", estimator = "MLR")
  expect_identical(f$information, "observed")
  fm <- fit_measures(f)
  expect_equal(unname(fm[c("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled")]),
               c(81.0727002775108, 83.2100414366587, 0.974313903439469, 0.918875748195006, 0.87831362229251,
                 0.0905333964895615), tolerance = 1e-5)
  g <- sem_fit(hs_model, data = hs_miss, group = "school", missing = "fiml", group.equal = "loadings", estimator = "MLR")
  expect_equal(unname(fit_measures(g)[c("chisq", "chisq.scaled", "chisq.scaling.factor", "rmsea.scaled")]),
               c(118.808309453335, 123.958992802053, 0.958448489840964, 0.0927804862539161), tolerance = 1e-5)
  skip_if_not_installed("lavaan")
  lf <- lavaan::cfa(hs_model, data = hs_miss, missing = "ml", estimator = "MLR")
  expect_lavaan_rows(f, lf)
  lg <- lavaan::cfa(hs_model, data = hs_grp, group = "school", group.equal = c("loadings", "intercepts"), estimator = "MLR")
  fg <- sem_fit(hs_model, data = hs_grp, group = "school", group.equal = c("loadings", "intercepts"), estimator = "MLR")
  expect_lavaan_rows(fg, lg, tol_est = 1e-4)
  lm <- lavaan::fitMeasures(lg)
  k <- c("chisq.scaled", "chisq.scaling.factor", "baseline.chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled")
  expect_equal(unname(fit_measures(fg)[k]), unname(lm[k]), tolerance = 1e-5)
})

test_that("FIML and groups: bad input", {
  d <- hs_miss
  d[5, paste0("x", 1:9)] <- NA
  expect_message(f <- sem_fit(hs_model, data = d, missing = "fiml"), "1 row\\(s\\) with every observed variable missing")
  expect_equal(nobs(f), 300)
  expect_equal(f$n_empty, 1L)
  d$x5 <- NA_real_
  expect_error(suppressMessages(sem_fit(hs_model, data = d, missing = "fiml")), "variable 'x5' is observed in 0 rows")
  g <- hs_grp
  g$school[1:3] <- "tiny"
  expect_error(sem_fit(hs_model, data = g, group = "school"), "too few observations in group 'tiny'")
  g$school[1:3] <- NA
  expect_error(sem_fit(hs_model, data = g, group = "school"), "has missing values")
  expect_error(sem_fit(hs_model, data = hs_grp, group = "school", group.equal = "slopes"), "group.equal entry 'slopes'")
  expect_error(sem_fit(hs_model, data = hs_grp, group.equal = "loadings"), "need `group`")
  expect_error(sem_fit(hs_model, sample_cov = cov(hs), sample_nobs = 301, missing = "fiml"), "raw `data`")
  expect_error(sem_fit(hs_model, data = hs_miss, missing = "fiml", estimator = "GLS"), "ML and MLR only")
  expect_error(sem_fit("visual =~ x1 + c(a, b, c)*x2 + x3", data = hs_grp, group = "school"), "3 elements")
  f <- sem_fit(hs_model, data = hs_grp, group = "school")
  expect_error(simulate(f), "single-group fits")
  expect_error(sem_bootstrap(f, R = 10), "single-group fits")
})
