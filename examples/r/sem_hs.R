# examples/r/sem_hs.R -- the SEM family on the Holzinger-Swineford (1939) ability tests.
#
# The classic 3-factor CFA (lavaan's HolzingerSwineford1939, N = 301): fit, lavaan-like summary,
# fit measures, the covariance-matrix interface, a bootstrap, simulation and a path diagram saved
# to a PNG in tempdir(). Demo section: the symbolic implied covariance of a cyclic model (the
# 3-cycle y1 -> y2 -> y3 -> y1) and its generic identifiability. Data: lavaan if installed, else the
# copy in the repository's tests/data.
suppressPackageStartupMessages(library(hetmod))

hs <- if (requireNamespace("lavaan", quietly = TRUE)) {
  lavaan::HolzingerSwineford1939
} else {
  here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) "examples/r")
  read.csv(file.path(here, "..", "..", "tests", "data", "HolzingerSwineford1939.csv"))
}

model <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"

# 1. Fit and lavaan-like summary
fit <- sem_fit(model, data = hs)
summary(fit)

# 2. Fit measures (lavaan's names)
cat("\nSelected fit measures:\n")
print(round(fit_measures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                                "rmsea.ci.upper", "srmr", "aic", "bic")), 6))

# 3. The same model from the sample covariance matrix
fit_cov <- sem_fit(model, sample_cov = cov(hs[paste0("x", 1:9)]), sample_nobs = nrow(hs))
cat(sprintf("\nmax |coef(data) - coef(sample_cov)| = %.2e\n", max(abs(coef(fit) - coef(fit_cov)))))

# 4. Nonparametric bootstrap (hetmod's random streams: reproducible) vs ML standard errors
b <- sem_bootstrap(fit, R = 200, seed = 2024)
cat("\nBootstrap vs ML standard errors (loadings):\n")
print(round(cbind(ML = sqrt(diag(vcov(fit)))[1:6], bootstrap = b$se[1:6]), 4))

# 5. Simulated data at the estimates, refitted
sim <- simulate(fit, seed = 7, n = 2000)
cat(sprintf("\nRefit to 2000 simulated rows: chisq = %.2f on %d df\n",
            fit_measures(sem_fit(model, data = sim))[["chisq"]], 24L))

# 6. Path diagram
png_file <- file.path(tempdir(), "sem_hs_path.png")
png(png_file, width = 900, height = 600)
plot(fit)
invisible(dev.off())
cat("Path diagram written to", png_file, "\n")

# ---- Demo: a cyclic model in closed form -----------------------------------------------------------
cat("\n== Cyclic model y1 -> y2 -> y3 -> y1 ==\n")
cyc <- "y2 ~ y1\ny3 ~ y2\ny1 ~ y3"
print(sem_expand(list(n = 3, directed = rbind(c(1, 2), c(2, 3), c(3, 1)), names = c("y1", "y2", "y3"))))
cat("\nLaTeX of sigma[y1,y2]:\n")
cat(sem_expand(list(n = 3, directed = rbind(c(1, 2), c(2, 3), c(3, 1))), i = 1, j = 2, format = "latex")$entries,
    "\n")
cat("\nNumeric Sigma at lambda = (.5, .4, .3), Omega = I:\n")
S <- sem_implied_cov(cyc, theta = c(0.5, 0.4, 0.3, 1, 1, 1))
print(round(S[c("y1", "y2", "y3"), c("y1", "y2", "y3")], 9))
print(sem_identify(cyc))
cat("\nA bow (x -> y and x <-> y) is not identifiable:\n")
print(sem_identify("y ~ x\ny ~~ x"))
