# bench/sem/bench_sem.R -- hetmod's SEM family against lavaan (and OpenMx when installed), same data, one run.
# Prints per-fit time (median), hetmod/peer ratio and the largest estimate difference.
#   Rscript bench/sem/bench_sem.R
suppressPackageStartupMessages({ library(hetmod); library(lavaan) })
timeit <- function(expr, reps = 20) {
  e <- substitute(expr); env <- parent.frame()
  median(vapply(seq_len(reps), function(i) system.time(eval(e, env))[["elapsed"]], 0))
}
row <- function(task, peer, t_h, t_p, diff) {
  cat(sprintf("%-36s %-8s hetmod %9.5f s  peer %9.5f s  ratio %7.1f  max|diff| %.2e\n",
              task, peer, t_h, t_p, t_p / t_h, diff))
}
hs <- lavaan::HolzingerSwineford1939
m <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
t_h <- timeit(fh <- sem_fit(m, data = hs))
t_p <- timeit(fl <- lavaan::cfa(m, data = hs))
est_l <- lavaan::coef(fl)
row("HS CFA full fit (estimates)", "lavaan", t_h, t_p, max(abs(coef(fh)[names(est_l)] - est_l), na.rm = TRUE))
fm <- fit_measures(fh); fl_m <- lavaan::fitMeasures(fl)
common <- intersect(c("chisq", "cfi", "tli", "rmsea", "srmr", "aic", "bic"), names(fm))
cat(sprintf("%-36s max|diff| over %s: %.2e\n", "HS CFA fit measures", paste(common, collapse = ","),
            max(abs(fm[common] - fl_m[common]))))

# MLR: scaled test statistic and robust indices (lavaan yuan.bentler.mplus)
t_h <- timeit(fr <- sem_fit(m, data = hs, estimator = "MLR"), 10)
t_p <- timeit(flr <- lavaan::cfa(m, data = hs, estimator = "MLR"), 10)
k <- c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")
fmr <- fit_measures(fr); flr_m <- lavaan::fitMeasures(flr)
row("HS CFA MLR fit", "lavaan", t_h, t_p, max(abs(fmr[k] - flr_m[k]) / abs(flr_m[k])))

# Nonparametric bootstrap, 1000 replicates (hetmod warm-started, 1 and 2 threads) vs bootstrapLavaan
B <- 1000
t_b1 <- system.time(bb1 <- sem_bootstrap(fh, R = B, seed = 1, threads = 1))[["elapsed"]]
t_b2 <- system.time(bb2 <- sem_bootstrap(fh, R = B, seed = 1, threads = 2))[["elapsed"]]
t_bl <- system.time(bl_boot <- lavaan::bootstrapLavaan(fl, R = B, FUN = "coef"))[["elapsed"]]
se_l <- apply(bl_boot, 2, sd)
names(se_l) <- names(lavaan::coef(fl))
row(sprintf("HS bootstrap R=%d, 1 thread", B), "lavaan", t_b1, t_bl, max(abs(bb1$se[names(se_l)] - se_l)))
row(sprintf("HS bootstrap R=%d, 2 threads", B), "lavaan", t_b2, t_bl, max(abs(bb2$se[names(se_l)] - se_l)))
cat(sprintf("%-36s 1 thread / 2 threads = %.2f (identical estimates: %s)\n", "HS bootstrap thread scaling",
            t_b1 / t_b2, identical(bb1$estimates, bb2$estimates)))

# A larger model: 10 factors x 6 indicators (60 observed variables), simulated by lavaan.
pop <- paste(vapply(1:10, function(f) sprintf("f%d =~ %s", f,
        paste(sprintf("0.7*y%d", (f - 1) * 6 + 1:6), collapse = " + ")), ""), collapse = "\n")
big <- lavaan::simulateData(pop, sample.nobs = 1000, seed = 1)
mb <- paste(vapply(1:10, function(f) sprintf("f%d =~ %s", f,
        paste(sprintf("y%d", (f - 1) * 6 + 1:6), collapse = " + ")), ""), collapse = "\n")
t_h <- timeit(bh <- sem_fit(mb, data = big), 3)
t_p <- timeit(bl <- lavaan::cfa(mb, data = big), 3)
el <- lavaan::coef(bl)
row("60-variable CFA full fit", "lavaan", t_h, t_p, max(abs(coef(bh)[names(el)] - el), na.rm = TRUE))
cat(sprintf("%-36s hetmod evaluations %d, lavaan iterations %d\n", "60-variable CFA optimiser",
            as.integer(bh$convergence$iterations), as.integer(lavaan::lavInspect(bl, "iterations"))))
