# The APGW (spec 1.2) as a flexsurv custom distribution, for the live comparisons with flexsurv (spec 5.G).
# flexsurv looks the hazard and cumulative hazard up by name (h<name>, H<name>), so they are assigned in the
# global environment; the calling test removes them: on.exit(rm("hapgw", "Hapgw", envir = globalenv())).
flexsurv_apgw_dist <- function() {
  hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
    lambda * gamma * phi * (phi * x)^(gamma - 1) * (1 + (phi * x)^gamma / (1 + kappa))^(kappa - 1)
  }
  # H = lambda (1 + kappa) ((1 + u/(1+kappa))^kappa - 1) / kappa, through L = log1p(u/(1+kappa)) and the
  # kappa -> 0 limit lambda (1 + kappa) L.
  Hapgw <- function(x, phi = 1, lambda = 1, gamma = 1, kappa = 1) {
    L <- log1p((phi * x)^gamma / (1 + kappa))
    lambda * (1 + kappa) * ifelse(abs(kappa * L) < 1e-8, L, expm1(kappa * L) / kappa)
  }
  assign("hapgw", hapgw, envir = globalenv())
  assign("Hapgw", Hapgw, envir = globalenv())
  list(name = "apgw", pars = c("phi", "lambda", "gamma", "kappa"), location = "lambda",
       transforms = c(log, log, log, function(k) log(1 + k)),
       inv.transforms = c(exp, exp, exp, function(e) exp(e) - 1),
       inits = function(t) c(1, 1 / mean(t), 1, 0.5))
}
