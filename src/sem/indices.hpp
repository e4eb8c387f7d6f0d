// src/sem/indices.hpp -- module-private: chi-square tail probabilities and lavaan's comparative and
// RMSEA indices, shared by the single-group fit (fit.cpp) and the multi-group / FIML fit (multigroup.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hetmod/core/convergence.hpp"
#include "hetmod/core/result.hpp"
#include "hetmod/optim/nlopt.hpp"

#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem::detail {

/// P(chi2_df > x); NaN for df <= 0 or non-finite x.
double pchisq_upper(double x, double df);
/// P(chi2_df(ncp) <= x), non-central (ncp = 0: central).
double pchisq_nc(double x, double df, double ncp);
/// max_i |g_i|.
double max_abs(const std::vector<double>& g);
/// CFI and TLI from the model (X2, df) and baseline (X2b, dfb) statistics, as lavaan computes them.
void comparative_indices(double X2, double df, double X2b, double dfb, FitMeasures& fm);
/// RMSEA, its 90% CI and p(RMSEA <= .05) as lavaan's lav_fit_rmsea, for G groups of total size N
/// (the multi-group RMSEA is multiplied by sqrt(G)); df <= 0 gives RMSEA 0 and a NaN p-value.
void rmsea_indices(double X2, double df, double N, int G, FitMeasures& fm);
/// Standard errors sqrt(diag(vcov)) of a q*q covariance matrix (NaN for a negative diagonal entry).
std::vector<double> se_from_vcov(const std::vector<double>& vcov, int q);
/// lavaan's ULS information with se = "standard": Delta^T Delta, Delta = d(mu, vech Sigma)/dtheta (vech with
/// the diagonal; mean rows with a mean structure), at the kernel's last implied() (q*q, per observation;
/// lavaan's vcov = (Delta^T Delta)^{-1} / (N - 1)).
std::vector<double> uls_information(Kernel& k);
/// The fields every SEM FitResult shares: names, estimates, vcov, logL, df, nobs, convergence, the
/// fit-measure vector (extras "fit_measures", names in notes "fit_measures_names") and extras "se".
void fill_fit_result(FitResult& r, const std::vector<std::string>& names, const std::vector<double>& theta,
                     const std::vector<double>& vcov, const std::vector<double>& se, const FitMeasures& m,
                     const Convergence& convergence);

/// Fisher-scoring polish after a quasi-Newton stop: up to max_it steps x <- x - t (2 I(x))^-1 g with step
/// halving (accepted when f does not increase), while max|g| > tol. eval(x, g) returns the objective and
/// fills g when g is non-null; info(x) is the expected information at x (the last point eval saw).
/// Updates x and g; returns the objective at x.
double fisher_polish(std::vector<double>& x, double f, std::vector<double>& g, int max_it, double tol,
                     const std::function<double(const double*, double*)>& eval,
                     const std::function<std::vector<double>(const double*)>& info, const char* fn);

/// Final convergence record of an ML fit at objective f with gradient g: objective, max|g|, converged
/// when the gradient is below grad_tol (relative to max(1, |f|)) even if the optimiser stopped on
/// another criterion; never converged at a non-finite objective (implied covariance not PD).
void finish_convergence(Convergence& conv, double f, const std::vector<double>& g, double grad_tol);

/// Per-row estimates and SEs of a parameter table: x[par] and se[par] for free rows, the fixed value and 0
/// otherwise (appended to est and row_se).
void row_estimates(const std::vector<ParRow>& rows, const std::vector<double>& x, const std::vector<double>& se,
                   std::vector<double>& est, std::vector<double>& row_se);
/// Heywood cases: flags ad.heywood and adds a message for every negative variance estimate (est[r] of a
/// `x ~~ x` row). With more than one group label, the message names the row's group.
void flag_negative_variances(const std::vector<ParRow>& rows, const std::vector<double>& est,
                             const std::vector<std::string>& group_labels, Admissibility& ad);
/// Non-PD blocks of the model's m x m variance matrix S (the first p variables observed): the latent block
/// not positive definite, the observed residual block not positive semi-definite. `suffix` ends each message.
void flag_covariance_blocks(const std::vector<double>& S, int m, int p, const char* fn, const std::string& suffix,
                            Admissibility& ad);

/// NLopt L-BFGS settings of the SEM fits (tight x/f tolerances; maxeval and gradient tolerance from the options).
optim::NloptOptions lbfgs_options(int maxeval, double grad_tol);

}  // namespace hetmod::sem::detail
