// src/survival/ties.hpp -- tied coefficients (accelerated hazards, spec/survival.md 1.5); not public.
//
// Option "ties" of survival::fit: a numeric vector of 0-based column pairs (i_1, j_1, i_2, j_2, ...):
// lambda's column j_k is the same covariate as phi's column i_k and its coefficient is tied to
// beta_lambda[j_k] = -beta_phi[i_k] (accelerated hazards h(t|x) = h0(t e^{x'tau}) for those covariates).
#pragma once
#include <utility>
#include <vector>

#include "hetmod/survival/model.hpp"

namespace hetmod::survival::detail {

/// Validated ties: (phi column, lambda column) pairs.
using Ties = std::vector<std::pair<int, int>>;

/// Parses and validates option "ties" against the design (messages name fn): even length, integral
/// values, columns in range, each column tied at most once, dist with phi and lambda both free, tied
/// columns identical and not constant (no intercepts).
Ties parse_ties(const char* fn, const std::vector<double>& v, const SurvData& data, const Design& design, Dist dist);

/// The fit with the ties (called by fit() when option "ties" is set): Newton over the reduced vector
/// theta (beta = A theta), started from the fit without the tied covariates (tau = 0) and, if that is not a
/// clean interior maximum (converged, information PD, no gamma/kappa bound), also from the untied fit
/// projected onto the tie; the best clean run wins. Coefficients and vcov are reported in the full beta
/// layout (vcov = A V_theta A', rank-deficient); df, aic and bic count theta. extras "ties" holds the pairs.
/// Threshold boundary: the start fit (without the tied covariates, nested at tau = 0) runs the usual probe
/// (option "probe"); a threshold log-likelihood above the tied fit's flags "threshold_boundary".
SurvFit fit_tied(const SurvData& data, const Design& design, Dist dist, const Options& options);

}  // namespace hetmod::survival::detail
