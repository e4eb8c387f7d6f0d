// hetmod/sem/multigroup.hpp -- FIML for missing data and multiple groups (SEM family, spec/sem.md 1.6).
//
// fit_groups fits one lavaan model to raw data with
//   * missing = fiml: the casewise normal likelihood grouped by missing-data pattern (each pattern's
//     Sigma_oo is factored once per evaluation), the saturated H1 model by EM (lavaan missing = "ml");
//   * several groups: the model is replicated per group with per-group parameters; rows sharing a label
//     (a plain label `a*x` is copied to every group, `c(a1, a2)*x` gives one label per group) or a
//     group.equal class ("loadings", "intercepts", "means", "residuals", "residual.covariances",
//     "lv.variances", "lv.covariances", "regressions") are equal across groups, except the rows named in
//     group_partial ("visual=~x2"). With "intercepts" (and not "means") the latent means of groups 2..G
//     are free, as lavaan.
// The mean structure is always on (lavaan's default for groups and FIML). Estimators ML and MLR (lavaan's
// MLR: Huber-White SEs from the observed information and the casewise FIML scores, Yuan-Bentler Mplus
// scaled test with the saturated pieces at the H1/EM moments per group; the robust CFI/TLI/RMSEA are NaN
// with missing data, where lavaan uses Zhang-Savalei); GLS/ULS are refused. fixed.x covariates are not
// supported on this path (use fixed.x = FALSE).
// Conventions (lavaan 0.6.14, likelihood = "normal"): chi-square = 2 (logL_H1 - logL_H0) summed over
// groups (= sum_g N_g F_g for complete data); df = G (p(p+1)/2 + p) - npar; baseline = independence
// model with free means and variances (FIML: available-case moments per variable); RMSEA and its CI
// multiplied by sqrt(G); SRMR = Bentler with means, groups weighted by N_g / N, against the H1 (EM)
// moments; SEs from the observed information (Hessian of -logL) by default with FIML, else expected.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hetmod/core/options.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

enum class Missing : int { listwise = 0, fiml = 1 };

struct GroupFitOptions {
  Missing missing = Missing::listwise;
  std::vector<std::string> group_equal;    ///< lavaan group.equal classes
  std::vector<std::string> group_partial;  ///< "lhs op rhs" rows exempt from group_equal (spaces ignored)
  bool information_given = false;          ///< false: lavaan's default (observed with FIML, else expected)
  int em_maxit = 10000;                    ///< EM iterations for the H1 model
  double em_tol = 1e-13;                   ///< EM stop: change of -2 logL / N
};
/// Reads and erases the keys "missing" ("listwise"/"fiml"/"ml"), "group_equal" and "group_partial"
/// (comma-separated strings) from o; notes whether "information" is set (not erased).
GroupFitOptions group_fit_options_take(Options& o);

/// Raw data: n x k column-major (NaN = missing), column names, group codes.
struct GroupedData {
  std::vector<std::string> names;          ///< k column names
  int64_t n = 0;
  std::vector<double> x;                   ///< n*k
  std::vector<int> group;                  ///< n codes 0..G-1 (empty: one group)
  std::vector<std::string> group_labels;   ///< G labels (empty: "1".."G")
};

/// A fitted multiple-group and/or FIML model.
struct GroupFit {
  Model model;                            ///< combined table: every group's rows (ParRow::group), global par
  std::vector<Model> group_models;        ///< per-group models (global par indices, n_free = total)
  std::vector<std::string> group_labels;
  Missing missing = Missing::listwise;
  FitOptions options;
  Information information = Information::expected;  ///< the information actually used for the SEs
  std::vector<int64_t> nobs;              ///< per group, rows used
  int64_t n_empty = 0;                    ///< rows dropped because every observed variable was missing
  int64_t n_incomplete = 0;               ///< rows dropped by listwise deletion
  std::vector<int> n_patterns;            ///< missing-data patterns per group
  std::vector<int> em_iterations;         ///< EM iterations per group (0: complete data)
  std::vector<std::vector<double>> h1_cov, h1_mean;  ///< per group: sample (complete) or EM moments
  std::vector<Implied> implied;           ///< per group
  std::vector<double> theta, se, vcov, est, row_se;  ///< as SemFit (est/row_se per model.rows)
  FitMeasures measures;
  Admissibility admissibility;
  Convergence convergence;
  /// Family-neutral result (as SemFit::to_fit_result, plus extras "group_nobs" and note "groups").
  FitResult to_fit_result() const;
};

/// Fits `syntax` to `data` (see the file comment). Errors (invalid_argument): unknown variables, a
/// variable missing for every case of a group, two variables never observed together (FIML), a group
/// with too few rows, vector modifiers of the wrong length, unknown group.equal classes.
GroupFit fit_groups(const std::string& syntax, const GroupedData& data, const FitOptions& opt = {},
                    const ModelOptions& mopt = {}, const GroupFitOptions& gopt = {});

/// The per-group models and the combined table fit_groups would use (no data needed).
std::vector<Model> group_models(const std::string& syntax, int ngroups, const ModelOptions& mopt,
                                const GroupFitOptions& gopt, Model* combined = nullptr);

}  // namespace hetmod::sem
