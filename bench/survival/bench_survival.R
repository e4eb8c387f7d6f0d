# bench/survival/bench_survival.R -- hetmod's survival family against its peers on the same data, one run.
# Prints time (median of repeats), hetmod/peer time ratio and the largest difference in logLik/estimates.
#   Rscript bench/survival/bench_survival.R            (uses the installed hetmod; `make demo` installs it)
# flexsurv / mpr are CRAN-only: included when installed (install.packages(c("flexsurv","mpr"))).
suppressPackageStartupMessages({ library(hetmod); library(survival) })
timeit <- function(expr, reps = 5) {
  e <- substitute(expr); env <- parent.frame()
  median(vapply(seq_len(reps), function(i) system.time(eval(e, env))[["elapsed"]], 0))
}
row <- function(task, peer, t_h, t_p, diff) {
  cat(sprintf("%-34s %-10s hetmod %9.4f s  peer %9.4f s  ratio %7.2f  max|diff| %.2e\n",
              task, peer, t_h, t_p, t_p / t_h, diff))
}
set.seed(1)

## 1. Weibull PH on 100,000 simulated rows vs survreg -------------------------------------------
n <- 1e5
x <- rbinom(n, 1, 0.5); z <- rnorm(n)
tt <- (-log(runif(n)) / exp(-3 + 0.5 * x - 0.3 * z))^(1 / 1.3)
cc <- runif(n, 0, quantile(tt, 0.9))
d <- data.frame(time = pmin(tt, cc), status = as.integer(tt <= cc), x = x, z = z)
t_h <- timeit(fh <- surv_mpr(Surv(time, status) ~ x + z, data = d, dist = "weibull"), 3)
t_p <- timeit(fp <- survreg(Surv(time, status) ~ x + z, data = d, dist = "weibull"), 3)
row("weibull n=1e5 (logLik)", "survreg", t_h, t_p, abs(as.numeric(logLik(fh)) - as.numeric(logLik(fp))))

## 2. APGW MPR fits at n = 2000 (lambda and gamma carry x) ------------------------------------
n <- 2000
d2 <- d[seq_len(n), ]
t_h <- timeit(f2 <- surv_mpr(Surv(time, status) ~ x, data = d2, dist = "apgw", gamma = ~ x), 5)
cat(sprintf("%-34s %-10s hetmod %9.4f s  (%d coefficients, logLik %.4f)\n", "apgw MPR n=2000", "-",
            t_h, length(coef(f2)), as.numeric(logLik(f2))))
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
  row("apgw MPR n=2000 (logLik)", "flexsurv", t_h, t_p, abs(as.numeric(logLik(f2)) - fp2$loglik))
}

## 3. A 1,000-replicate simulation study at n = 500 ------------------------------------------
for (th in c(1, 2)) {
  t_h <- system.time(s <- sim_run("surv_apgw", n = 500, dist = "weibull", nsim = 1000, threads = th))[["elapsed"]]
  cat(sprintf("%-34s threads %d  hetmod %8.3f s  coverage %s\n", "surv_apgw weibull 1000 x n=500", th, t_h,
              paste(sprintf("%.3f", s$summary$coverage), collapse = " ")))
}
