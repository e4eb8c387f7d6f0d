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
