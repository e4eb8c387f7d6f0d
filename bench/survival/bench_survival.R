# bench/survival/bench_survival.R -- hetmod's survival family against its peers on the same data, one run.
# Prints time (median of repeats; elapsed and CPU = user + system, the latter less sensitive to other jobs
# on a shared machine), the peer/hetmod time ratio and the largest difference in logLik/estimates. The
# n = 2000 rows time loops of 200 fits and print ms per fit; the "(split)" rows divide a fit into the R front
# end (formula, model frame, designs, result object) and the C++ core (.surv_fit_core on the same designs).
#   Rscript bench/survival/bench_survival.R            (uses the installed hetmod; `make demo` installs it)
# flexsurv / mpr are CRAN-only: included when installed (install.packages(c("flexsurv","mpr"))).
# The C++ side (evaluation counts and per-evaluation costs): bench/survival/timing_survival.cpp.
suppressPackageStartupMessages({ library(hetmod); library(survival) })
# Peers are CRAN-only: with HETMOD_BENCH_PEER_LIB=DIR, missing flexsurv / mpr are installed into DIR (never
# into the system library); otherwise absent peers are skipped with a message.
peer_lib <- Sys.getenv("HETMOD_BENCH_PEER_LIB")
if (nzchar(peer_lib)) {
  dir.create(peer_lib, showWarnings = FALSE, recursive = TRUE)
  .libPaths(c(peer_lib, .libPaths()))
  miss <- setdiff(c("flexsurv", "mpr"), rownames(installed.packages()))
  if (length(miss)) install.packages(miss, lib = peer_lib, repos = "https://cloud.r-project.org")
}
# One untimed warm-up run first (lazy loading, R heap growth), the same for hetmod and every peer. Each of
# the `reps` timings runs the expression `inner` times in a loop and reports the time per run (seconds),
# so that fits of a millisecond or less are resolved (system.time() ticks in milliseconds).
timeit <- function(expr, reps = 5, inner = 1) {
  e <- substitute(expr); env <- parent.frame()
  eval(e, env)
  tm <- vapply(seq_len(reps), function(i) {
    t <- system.time(for (j in seq_len(inner)) eval(e, env))
    c(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]) / inner
  }, numeric(2))
  apply(tm, 1, stats::median)
}
row <- function(task, peer, t_h, t_p, diff) {
  cat(sprintf("%-30s %-9s hetmod %8.4f s (cpu %7.4f)  peer %8.4f s (cpu %7.4f)  ratio %6.2f (cpu %6.2f)  max|diff| %.2e\n",
              task, peer, t_h[1], t_h[2], t_p[1], t_p[2], t_p[1] / t_h[1], t_p[2] / t_h[2], diff))
}
# The same in milliseconds per fit (the n = 2000 rows).
row_ms <- function(task, peer, t_h, t_p, diff) {
  cat(sprintf("%-30s %-9s hetmod %8.3f ms/fit (cpu %7.3f)  peer %9.3f ms/fit (cpu %9.3f)  ratio %6.2f (cpu %6.2f)  max|diff| %.2e\n",
              task, peer, 1e3 * t_h[1], 1e3 * t_h[2], 1e3 * t_p[1], 1e3 * t_p[2], t_p[1] / t_h[1], t_p[2] / t_h[2], diff))
}
# Front end (formula, model frame, Surv handling, design matrices, result assembly) = whole fit - core.
row_split <- function(task, t_h, t_c, unit = c("s", "ms/fit")) {
  unit <- match.arg(unit)
  k <- if (unit == "s") 1 else 1e3
  cat(sprintf("%-30s front end %8.3f %s (cpu %7.3f)  core %8.3f %s (cpu %7.3f)\n", task, k * (t_h[1] - t_c[1]), unit,
              k * (t_h[2] - t_c[2]), k * t_c[1], unit, k * t_c[2]))
}
set.seed(1)

## 1. Weibull PH on 100,000 simulated rows vs survreg -------------------------------------------
n <- 1e5
x <- rbinom(n, 1, 0.5); z <- rnorm(n)
tt <- (-log(runif(n)) / exp(-3 + 0.5 * x - 0.3 * z))^(1 / 1.3)
cc <- runif(n, 0, quantile(tt, 0.9))
d <- data.frame(time = pmin(tt, cc), status = as.integer(tt <= cc), x = x, z = z)
t_h <- timeit(fh <- surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull"), 9)
t_p <- timeit(fp <- survreg(Surv(time, status) ~ x + z, data = d, dist = "weibull"), 9)
row("weibull n=1e5 (logLik)", "survreg", t_h, t_p, abs(as.numeric(logLik(fh)) - as.numeric(logLik(fp))))
# Same model, survreg's AFT coefficients mapped: log lambda = -coef / scale, log gamma = -log(scale).
est_h <- coef(fh)
est_p <- c(-coef(fp) / fp$scale, -log(fp$scale))
row("weibull n=1e5 (estimates)", "survreg", t_h, t_p, max(abs(unname(est_h) - unname(est_p))))
# The core alone (no formula handling), from the design matrices of the fit, and the front end (formula,
# model frame, Surv handling, design matrices, result assembly) as the difference.
t_c <- timeit(hetmod:::.surv_fit_core(fh$response, NULL, fh$x, fh$offset, "weibull", list()), 9)
row("weibull n=1e5 (core only)", "survreg", t_c, t_p, 0)
cat(sprintf("%-30s front end %8.4f s (cpu %7.4f)  core %8.4f s (cpu %7.4f)  total/survreg ratio %6.2f (cpu %6.2f)\n",
            "weibull n=1e5 (split)", t_h[1] - t_c[1], t_h[2] - t_c[2], t_c[1], t_c[2], t_p[1] / t_h[1],
            t_p[2] / t_h[2]))
# The same with the likelihood's row loop on 2 threads (control threads; the default is 1). CPU time sums
# over threads, so only the elapsed ratio shows the gain. The row sums are bit-identical for any thread
# count (fixed chunks reduced in order), so is the fit: max|diff| against the 1-thread fit is 0.
t_h2 <- timeit(fh2 <- surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull", threads = 2), 9)
row("weibull n=1e5 (2 threads)", "survreg", t_h2, t_p, abs(as.numeric(logLik(fh2)) - as.numeric(logLik(fp))))
t_c2 <- timeit(hetmod:::.surv_fit_core(fh$response, NULL, fh$x, fh$offset, "weibull", list(threads = 2)), 9)
cat(sprintf("%-30s front end %8.4f s (cpu %7.4f)  core %8.4f s (cpu %7.4f)  total/survreg ratio %6.2f (cpu %6.2f)  vs 1 thread max|diff| %.1e\n",
            "weibull n=1e5 (split, 2 thr)", t_h2[1] - t_c2[1], t_h2[2] - t_c2[2], t_c2[1], t_c2[2], t_p[1] / t_h2[1],
            t_p[2] / t_h2[2], max(abs(coef(fh2) - coef(fh)), abs(as.numeric(logLik(fh2)) - as.numeric(logLik(fh))))))

## 2. APGW MPR fits at n = 2000 (lambda and gamma carry x) ------------------------------------
# Millisecond fits: each timing is a loop of `inner` fits (ms per fit; median of `reps` loops).
n <- 2000
inner <- 200
d2 <- d[seq_len(n), ]
t_h <- timeit(f2 <- surv_mpr(Surv(time, status) ~ x, data = d2, dist = "apgw", gamma = ~ x), 5, inner)
t_c <- timeit(hetmod:::.surv_fit_core(f2$response, NULL, f2$x, f2$offset, "apgw", list()), 5, inner)
cat(sprintf("%-30s %-9s hetmod %8.3f ms/fit (cpu %7.3f; core %7.3f)  (%d coefficients, logLik %.4f, flags '%s')\n",
            "apgw MPR n=2000 (phi = 1)", "-", 1e3 * t_h[1], 1e3 * t_h[2], 1e3 * t_c[2], length(coef(f2)),
            as.numeric(logLik(f2)), paste(f2$flags, collapse = ",")))
row_split("apgw MPR n=2000 (split)", t_h, t_c, "ms/fit")
t_h3 <- timeit(f3 <- suppressWarnings(surv_mpr(Surv(time, status) ~ x, data = d2, dist = "apgw", phi = ~ 1,
                                               gamma = ~ x)), 5, inner / 4)
cat(sprintf("%-30s %-9s hetmod %8.3f ms/fit (cpu %7.3f)  (%d coefficients, logLik %.4f, flags '%s')\n",
            "apgw MPR n=2000 (phi free)", "-", 1e3 * t_h3[1], 1e3 * t_h3[2], length(coef(f3)), as.numeric(logLik(f3)),
            paste(f3$flags, collapse = ",")))
if (requireNamespace("flexsurv", quietly = TRUE)) {
  hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
    u <- (phi * x)^gamma
    lambda * gamma * phi * (phi * x)^(gamma - 1) * (1 + u / (1 + kappa))^(kappa - 1)
  }
  Hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
    u <- (phi * x)^gamma
    lambda * (1 + kappa) / kappa * ((1 + u / (1 + kappa))^kappa - 1)
  }
  custom <- list(name = "apgw", pars = c("phi", "lambda", "gamma", "kappa"), location = "lambda",
                 transforms = c(log, log, log, function(k) log(1 + k)),
                 inv.transforms = c(exp, exp, exp, function(e) exp(e) - 1), inits = function(t) c(1, 1 / mean(t), 1, 0.5))
  t_p <- timeit(fp2 <- flexsurv::flexsurvreg(Surv(time, status) ~ x, anc = list(gamma = ~ x), data = d2,
                                            dist = custom, fixedpars = 1), 1)
  row_ms("apgw MPR n=2000 (logLik)", "flexsurv", t_h, t_p, abs(as.numeric(logLik(f2)) - fp2$loglik))
} else message("flexsurv not installed: skipped (set HETMOD_BENCH_PEER_LIB=DIR to install it there)")
if (requireNamespace("mpr", quietly = TRUE)) {
  # mpr has no APGW: its Weibull MPR (lambda ~ x, gamma ~ x) against hetmod's on the same data.
  t_hw <- timeit(fw <- surv_mpr(Surv(time, status) ~ x, data = d2, dist = "weibull", gamma = ~ x), 5, inner)
  t_pw <- timeit(fm <- mpr::mpr(Surv(time, status) ~ list(~ x, ~ x), data = d2, family = "Weibull"), 3)
  row_ms("weibull MPR n=2000 (logLik)", "mpr", t_hw, t_pw, abs(as.numeric(logLik(fw)) - fm$model$loglike))
} else message("mpr not installed: skipped (set HETMOD_BENCH_PEER_LIB=DIR to install it there)")

## 3. A 1,000-replicate simulation study at n = 500 ------------------------------------------
for (th in c(1, 2)) {
  tm <- system.time(s <- sim_run("surv_apgw", n = 500, dist = "weibull", nsim = 1000, threads = th))
  cat(sprintf("%-30s threads %d  hetmod %8.3f s (cpu %7.3f)  coverage %s\n", "surv_apgw weibull 1000 x n=500", th,
              tm[["elapsed"]], tm[["user.self"]] + tm[["sys.self"]],
              paste(sprintf("%.3f", s$summary$coverage), collapse = " ")))
}
