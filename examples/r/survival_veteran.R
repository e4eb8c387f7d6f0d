# examples/r/survival_veteran.R -- the survival family on the VA lung cancer trial (survival::veteran).
#
# Weibull vs APGW, PH vs AFT placement of the treatment effect, multi-parameter regression (treatment
# on the shape), predictions with confidence limits, a likelihood-ratio test, model selection, and a
# plot of fitted survival curves over Kaplan-Meier saved to a PNG in tempdir().
suppressPackageStartupMessages({
  library(hetmod)
  library(survival)
})

vet <- veteran
vet$trt <- vet$trt - 1  # 1 = test treatment, 0 = standard
cat("veteran: n =", nrow(vet), " deaths =", sum(vet$status), "\n\n")

# 1. Weibull: PH (treatment on lambda) and AFT (treatment on phi) are the same model for the Weibull.
w_ph <- surv_mpr(Surv(time, status) ~ trt, data = vet, dist = "weibull")
w_aft <- surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "weibull", phi = ~ trt)
print(w_ph)
cat(sprintf("\nWeibull PH logL %.4f, AFT logL %.4f (identical models)\n", logLik(w_ph), logLik(w_aft)))
sr <- survreg(Surv(time, status) ~ trt, data = vet, dist = "weibull")
cat(sprintf("survreg logL %.4f; survreg coef %s -> phi coef %s\n\n", logLik(sr),
            paste(round(coef(sr), 4), collapse = ", "),
            paste(round(coef(w_aft)[1:2], 4), collapse = ", ")))

# 2. Multi-parameter regression: treatment also on the power shape gamma (non-PH effect).
w_mpr <- surv_mpr(Surv(time, status) ~ trt, data = vet, dist = "weibull", gamma = ~ trt)
print(summary(w_mpr))
print(anova(w_ph, w_mpr))

# 3. APGW: the authors' PH model (phi fixed) and the AFT model (phi free, lambda fixed).
a_ph <- suppressWarnings(surv_mpr(Surv(time, status) ~ trt, data = vet, dist = "apgw"))
a_aft <- suppressWarnings(surv_mpr(Surv(time, status) ~ 1, data = vet, dist = "apgw",
                                   phi = ~ trt, lambda = ~ 0))
ic <- data.frame(model = c("Weibull PH", "Weibull PH + gamma", "APGW PH", "APGW AFT"),
                 df = c(w_ph$df, w_mpr$df, a_ph$df, a_aft$df),
                 logLik = c(w_ph$loglik, w_mpr$loglik, a_ph$loglik, a_aft$loglik),
                 AIC = c(AIC(w_ph), AIC(w_mpr), AIC(a_ph), AIC(a_aft)),
                 flags = c(paste(w_ph$flags, collapse = ","), paste(w_mpr$flags, collapse = ","),
                           paste(a_ph$flags, collapse = ","), paste(a_aft$flags, collapse = ",")))
cat("\n")
print(ic, row.names = FALSE, digits = 7)

# 4. Predictions with 95% confidence limits for both arms.
nd <- data.frame(trt = c(0, 1), row.names = c("standard", "test"))
cat("\nSurvival at 30, 90, 180 days (Weibull PH + gamma):\n")
print(round(predict(w_mpr, nd, type = "survival", times = c(30, 90, 180)), 4))
med <- predict(w_mpr, nd, type = "quantile", p = 0.5, se.fit = TRUE)
cat("\nMedian survival (days) with 95% CI:\n")
print(round(cbind(median = med$fit, lower = med$lower, upper = med$upper), 1))
cat("\nTime-varying hazard ratio test vs standard at 10, 100, 300 days:\n")
print(round(predict(w_mpr, nd["test", , drop = FALSE], type = "hr", times = c(10, 100, 300),
                    reference = nd["standard", , drop = FALSE]), 3))
cat("\nRestricted mean survival to 365 days:\n")
print(round(predict(w_mpr, nd, type = "rmst", times = 365), 1))

# 5. Model selection over the placement of trt and karno (stepwise, joint steps, AIC).
sel <- surv_mpr_select(Surv(time, status) ~ trt + karno, data = vet, dist = "weibull")
print(sel, n = 5)

# 6. Plot: fitted survival curves per arm with 95% bands over Kaplan-Meier, and hazards.
png_file <- file.path(tempdir(), "survival_veteran.png")
grDevices::png(png_file, width = 1000, height = 500)
graphics::par(mfrow = c(1, 2))
plot(w_mpr, main = "Weibull MPR: survival")
plot(w_mpr, type = "hazard", main = "Weibull MPR: hazard")
invisible(grDevices::dev.off())
cat("\nPlot saved to", png_file, "\n")

# 7. Simulation from the fitted model (hetmod's own RNG: the same seed gives the same data anywhere).
sims <- simulate(w_mpr, nsim = 1, seed = 2024)
vet$ysim <- sims$sim_1
refit <- surv_mpr(ysim ~ trt, data = vet, dist = "weibull", gamma = ~ trt)
cat("\nRefit on simulated data:\n")
print(round(cbind(original = coef(w_mpr), simulated = coef(refit)), 3))
