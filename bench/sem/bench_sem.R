# bench/sem/bench_sem.R -- hetmod's SEM family against lavaan (and OpenMx when installed), same data, one run.
# Prints per-fit time (median), hetmod/peer ratio and the largest estimate difference.
#   Rscript bench/sem/bench_sem.R
suppressPackageStartupMessages({ library(hetmod); library(lavaan) })
# CPU time per call (user seconds of this process / reps): robust on a shared machine, and the 1 ms
# timer resolution does not matter when a single call takes about a millisecond.
timeit <- function(expr, reps = 20) {
  e <- substitute(expr); env <- parent.frame()
  eval(e, env)  # warm-up
  system.time(for (i in seq_len(reps)) eval(e, env))[["user.self"]] / reps
}
row <- function(task, peer, t_h, t_p, diff) {
  cat(sprintf("%-36s %-8s hetmod %9.5f s  peer %9.5f s  ratio %7.1f  max|diff| %.2e\n",
              task, peer, t_h, t_p, t_p / t_h, diff))
}
hs <- lavaan::HolzingerSwineford1939
m <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
t_h <- timeit(fh <- sem_fit(m, data = hs), 100)
t_p <- timeit(fl <- lavaan::cfa(m, data = hs), 30)
est_l <- lavaan::coef(fl)
row("HS CFA full fit (estimates)", "lavaan", t_h, t_p, max(abs(coef(fh)[names(est_l)] - est_l), na.rm = TRUE))
fm <- fit_measures(fh); fl_m <- lavaan::fitMeasures(fl)
common <- intersect(c("chisq", "cfi", "tli", "rmsea", "srmr", "aic", "bic"), names(fm))
cat(sprintf("%-36s max|diff| over %s: %.2e\n", "HS CFA fit measures", paste(common, collapse = ","),
            max(abs(fm[common] - fl_m[common]))))

# MLR: scaled test statistic and robust indices (lavaan yuan.bentler.mplus)
t_h <- timeit(fr <- sem_fit(m, data = hs, estimator = "MLR"), 100)
t_p <- timeit(flr <- lavaan::cfa(m, data = hs, estimator = "MLR"), 20)
k <- c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")
fmr <- fit_measures(fr); flr_m <- lavaan::fitMeasures(flr)
row("HS CFA MLR fit", "lavaan", t_h, t_p, max(abs(fmr[k] - flr_m[k]) / abs(flr_m[k])))

# Nonparametric bootstrap, 1000 replicates (hetmod warm-started, 1 and 2 threads) vs bootstrapLavaan
B <- 1000
# 1 thread and lavaan: CPU time; 2 threads: elapsed time of both hetmod runs (the scaling needs an idle machine).
tb1 <- system.time(bb1 <- sem_bootstrap(fh, R = B, seed = 1, threads = 1))
tb2 <- system.time(bb2 <- sem_bootstrap(fh, R = B, seed = 1, threads = 2))
t_b1 <- tb1[["user.self"]]
t_b2 <- tb2[["elapsed"]] * tb1[["user.self"]] / tb1[["elapsed"]]  # 2-thread wall time on the 1-thread CPU scale
t_bl <- system.time(bl_boot <- lavaan::bootstrapLavaan(fl, R = B, FUN = "coef"))[["user.self"]]
se_l <- apply(bl_boot, 2, sd)
names(se_l) <- names(lavaan::coef(fl))
row(sprintf("HS bootstrap R=%d, 1 thread", B), "lavaan", t_b1, t_bl, max(abs(bb1$se[names(se_l)] - se_l)))
row(sprintf("HS bootstrap R=%d, 2 threads", B), "lavaan", t_b2, t_bl, max(abs(bb2$se[names(se_l)] - se_l)))
cat(sprintf("%-36s elapsed 1 thread / 2 threads = %.2f (identical estimates: %s)\n", "HS bootstrap thread scaling",
            tb1[["elapsed"]] / tb2[["elapsed"]], identical(bb1$estimates, bb2$estimates)))

# Larger models: 10 factors x 6 indicators (60 observed variables) and 10 x 10 (100), simulated by lavaan.
big_cfa <- function(nf, per, n = 1000) {
  ind <- function(f, w) paste(sprintf("%sy%d", w, (f - 1) * per + seq_len(per)), collapse = " + ")
  pop <- paste(vapply(seq_len(nf), function(f) sprintf("f%d =~ %s", f, ind(f, "0.7*")), ""), collapse = "\n")
  list(data = lavaan::simulateData(pop, sample.nobs = n, seed = 1),
       model = paste(vapply(seq_len(nf), function(f) sprintf("f%d =~ %s", f, ind(f, "")), ""), collapse = "\n"))
}
for (b in list(c(10, 6), c(10, 10))) {
  bc <- big_cfa(b[1], b[2])
  t_h <- timeit(bh <- sem_fit(bc$model, data = bc$data), 5)
  t_p <- timeit(bl <- lavaan::cfa(bc$model, data = bc$data), 3)
  el <- lavaan::coef(bl)
  lab <- sprintf("%d-variable CFA full fit", b[1] * b[2])
  row(lab, "lavaan", t_h, t_p, max(abs(coef(bh)[names(el)] - el), na.rm = TRUE))
  cat(sprintf("%-36s hetmod evaluations %d, lavaan iterations %d\n", sprintf("%d-variable CFA optimiser", b[1] * b[2]),
              as.integer(bh$convergence$iterations), as.integer(lavaan::lavInspect(bl, "iterations"))))
}
