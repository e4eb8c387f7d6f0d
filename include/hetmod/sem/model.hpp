// hetmod/sem/model.hpp -- linear structural equation models: public facade of the SEM family.
//
// A model is a parameter table (lavaan's partable: lhs, op, rhs, free/fixed, value, label, group)
// and its RAM representation (OpenMx): variables v = 0..m-1 with the p observed ones first (in
// lavaan's ov order) and the latent ones after them;
//   A[i, j] = coefficient of the path j -> i   (so A = Lambda^T of the graph notation),
//   S       = symmetric (residual) covariance matrix, M = intercepts/means (optional),
//   Sigma   = F (I-A)^{-1} S (I-A)^{-T} F^T,  mu = F (I-A)^{-1} M,  F = [I_p 0].
// Cyclic A is allowed (only det(I-A) != 0 is needed). All matrices are column-major
// std::vector<double> (element (i, j) at a[i + j * nrow]); indices are 0-based.
//
// Contents (spec/sem.md):
//   1. parse_syntax / make_model    lavaan syntax subset and lavaan's sem()/cfa() defaults
//   2. RamSpec / model_from_ram / ram_matrices   RAM import and export
//   3. implied_moments              Sigma(theta), mu(theta)
//   4. sample moments, fit (ML/GLS/ULS), SEs (expected/observed/robust), fit measures, admissibility
//   5. Graph, expand (trek / one-connection rule, exact integer polynomials)
//   6. identify (generic Jacobian rank over GF(2^31-1), simple/bow-free/acyclic status)
//   7. simulate
// Errors: hetmod::Error (invalid_argument for bad syntax or data, numerical for non-PD input).
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "hetmod/core/convergence.hpp"
#include "hetmod/core/options.hpp"
#include "hetmod/core/result.hpp"
#include "hetmod/data/view.hpp"
#include "hetmod/random/rng.hpp"

namespace hetmod::sem {

// ---------------------------------------------------------------------------------------------
// 1. Parameter table and parser
// ---------------------------------------------------------------------------------------------

/// Operators of the lavaan syntax subset. Explicit values (ABI).
enum class Op : int {
  loading = 0,     ///< f =~ x   (path f -> x)
  regression = 1,  ///< y ~ x    (path x -> y)
  covariance = 2,  ///< a ~~ b   (variance when a == b)
  intercept = 3    ///< y ~ 1    (intercept / mean; rhs empty)
};
/// "=~", "~", "~~", "~1".
const char* op_string(Op op);

/// One row of the parameter table.
struct ParRow {
  std::string lhs;
  Op op = Op::covariance;
  std::string rhs;        ///< empty for Op::intercept
  int group = 0;          ///< 0-based group (block)
  bool free = true;       ///< false: fixed at `value`
  double value = std::numeric_limits<double>::quiet_NaN();  ///< fixed value, or user start value (NaN: automatic)
  std::string label;      ///< equality label ("" if none); rows sharing a label share one parameter
  bool user = true;       ///< written by the user (false: added by the defaults)
  bool exo = false;       ///< fixed.x row: fixed to the sample (co)variance/mean at fit time
  int par = -1;           ///< index into the free-parameter vector (-1 when fixed)
  int line = 0;           ///< 1-based syntax line (0 for default rows)
  bool na_free = false;   ///< written as NA*x (frees a marker loading)
  /// c(...) modifiers, one element per group (multigroup; sem/multigroup.hpp): labels ("" = none)
  /// and numbers (NaN = NA, free). make_model accepts only length 1 (one group).
  std::vector<std::string> group_label;
  std::vector<double> group_value;
};

/// Parses a lavaan model string into user rows (no defaults, `par` not assigned).
/// Supported: `=~`, `~`, `~~`, `~ 1`; modifiers `1*x` (fixed), `a*x` (label), `NA*x` (free),
/// `start(0.5)*x`, chained modifiers (`a*start(1)*x`); several left-hand sides (`y1 + y2 ~ x`);
/// comments (`#`, `!`); statements separated by newlines or `;`; a statement may continue on the
/// next line after a trailing operator or `+`. Errors name the line and the token:
///   "sem::parse_syntax: line 2: unexpected token '*' in 'f =~ * x1'".
std::vector<ParRow> parse_syntax(const std::string& syntax);

/// Model-building options (lavaan sem()/cfa() defaults).
struct ModelOptions {
  bool auto_defaults = true;   ///< add lavaan's default rows (false: the table is used as given)
  bool std_lv = false;         ///< latent variances fixed to 1, all loadings free (else marker = 1)
  bool fixed_x = true;         ///< observed exogenous covariates fixed to their sample moments
  bool meanstructure = false;  ///< add intercepts (also switched on by any `~ 1` row)
  bool auto_cov_lv_x = true;   ///< free covariances among exogenous latents
  bool auto_cov_y = true;      ///< free covariances among endogenous variables that are not predictors
};

/// A model: parameter table + RAM layout. Build with make_model or model_from_ram.
struct Model {
  std::vector<ParRow> rows;             ///< the full parameter table (defaults included)
  std::vector<std::string> observed;    ///< p observed variables (RAM indices 0..p-1)
  std::vector<std::string> latent;      ///< latent variables (RAM indices p..m-1)
  std::vector<std::string> par_names;   ///< n_free names: label, else "lhs op rhs" without spaces
  int n_free = 0;                       ///< number of free parameters
  bool meanstructure = false;
  int p() const { return static_cast<int>(observed.size()); }
  int m() const { return static_cast<int>(observed.size() + latent.size()); }
  /// RAM index of a variable name; -1 if absent.
  int var_index(const std::string& name) const;
};

/// Parses `syntax` and completes it with lavaan's defaults. Throws Error(invalid_argument) for
/// syntax errors, duplicated specifications ("duplicated specification 'x1 ~~ x2' (lines 2 and 5)"),
/// conflicting labels, or a latent variable without indicators.
Model make_model(const std::string& syntax, const ModelOptions& opt = {});
/// The same from user rows (e.g. parse_syntax output, possibly edited).
Model make_model(std::vector<ParRow> user_rows, const ModelOptions& opt = {});

// ---------------------------------------------------------------------------------------------
// 2. RAM import / export
// ---------------------------------------------------------------------------------------------

/// RAM matrices of a model (m*m column-major; M length m, empty without a mean structure).
/// `*_par` hold the 0-based free-parameter index of each cell or -1 (fixed).
struct RamSpec {
  std::vector<std::string> names;  ///< m variable names
  std::vector<bool> latent;        ///< m flags (observed variables must come first in model_from_ram output)
  std::vector<double> A, S, M;     ///< values (fixed values, or current/start values of free cells)
  std::vector<int> A_par, S_par, M_par;  ///< free-parameter index per cell (-1 fixed); S_par symmetric
};
/// Builds a model from RAM matrices: every nonzero-or-free cell becomes a row (A[i,j] -> "i ~ j" for
/// observed i or a loading "j =~ i" when j is latent; S -> "~~"; M -> "~1"). Observed variables keep
/// their relative order and are moved before the latent ones. Free cells sharing an index are equal.
Model model_from_ram(const RamSpec& ram);
/// RAM matrices of `model` at theta (n_free values; empty = the table's values, NaN for free cells
/// without a start value).
RamSpec ram_matrices(const Model& model, const std::vector<double>& theta = {});

// ---------------------------------------------------------------------------------------------
// 3. Implied moments
// ---------------------------------------------------------------------------------------------

struct Implied {
  std::vector<double> sigma;  ///< p*p implied covariance of the observed variables
  std::vector<double> mu;     ///< p implied means (empty without a mean structure)
  double det_i_minus_a = 1;   ///< det(I - A)
};
/// Sigma and mu at theta (n_free). Fixed rows use their value (exo rows: their stored value).
/// Throws Error(numerical) if I - A is singular.
Implied implied_moments(const Model& model, const std::vector<double>& theta);

// ---------------------------------------------------------------------------------------------
// 4. Data, fitting and fit measures
// ---------------------------------------------------------------------------------------------

/// Sample moments with the N divisor (lavaan's likelihood = "normal").
struct SampleMoments {
  std::vector<std::string> names;  ///< p variable names (order of cov/mean)
  int64_t nobs = 0;
  std::vector<double> cov;         ///< p*p, N divisor
  std::vector<double> mean;        ///< p (empty if unknown)
  std::vector<double> raw;         ///< n*p column-major raw data (kept for robust SEs; may be empty)
};
/// Moments of data columns (rows = observations) named `names`. Non-finite values throw.
SampleMoments sample_moments(data::MatView data, const std::vector<std::string>& names);
/// Moments from a user covariance matrix (p*p) computed with the N-1 divisor: rescaled by (N-1)/N
/// as lavaan does (rescale = false keeps it as given). mean may be empty.
SampleMoments sample_moments_from_cov(const std::vector<double>& cov, const std::vector<std::string>& names,
                                      int64_t nobs, const std::vector<double>& mean = {}, bool rescale = true);

enum class Estimator : int { ml = 0, gls = 1, uls = 2, mlr = 3 };
enum class Information : int { expected = 0, observed = 1 };

struct FitOptions {
  Estimator estimator = Estimator::ml;
  Information information = Information::expected;  ///< ML only (GLS: expected with S^-1; MLR: sandwich)
  bool se = true;                   ///< compute standard errors
  bool polish = true;               ///< Fisher-scoring polish when L-BFGS stops above grad_tol (ML only)
  int maxeval = 5000;               ///< L-BFGS evaluations
  double grad_tol = 1e-7;           ///< convergence: max|grad F| below this
  std::vector<double> start;        ///< n_free start values (empty: automatic, lavaan "simple")
  bool baseline = true;             ///< fit the baseline (independence) model for CFI/TLI
  bool measures = true;             ///< compute the fit measures (false: only npar, df, chisq, fmin; bootstrap)
};
/// Reads FitOptions from key/value options: "estimator" ("ML","GLS","ULS","MLR"), "information"
/// ("expected","observed"), "se" (0/1), "polish" (0/1), "maxeval", "grad_tol", "start" (vector).
/// Unknown keys throw Error(invalid_argument).
FitOptions fit_options_from(const Options& options);

/// Fit measures as lavaan's fitMeasures (spec 1.6). NaN where undefined.
struct FitMeasures {
  int npar = 0;
  double fmin = 0;          ///< lavaan fmin = chisq / (2N)
  double chisq = 0;         ///< N * F (ML), (N-1) * F (GLS, ULS)
  int df = 0;
  double pvalue = 0;
  double baseline_chisq = 0;
  int baseline_df = 0;
  double cfi = 0, tli = 0;
  double rmsea = 0, rmsea_ci_lower = 0, rmsea_ci_upper = 0, rmsea_pvalue = 0;
  double srmr = 0;          ///< Bentler, without means
  double logl = 0, unrestricted_logl = 0, aic = 0, bic = 0;
  int64_t ntotal = 0;
  // MLR (lavaan test = "yuan.bentler.mplus") scaled statistics and the scaled/robust indices
  // (lavaan's names with '.' -> '_'); NaN unless estimator == mlr (src/sem/robust.cpp).
  double chisq_scaled = std::numeric_limits<double>::quiet_NaN();
  double scaling_factor = std::numeric_limits<double>::quiet_NaN();
  double pvalue_scaled = std::numeric_limits<double>::quiet_NaN();
  double baseline_chisq_scaled = std::numeric_limits<double>::quiet_NaN();
  double baseline_scaling_factor = std::numeric_limits<double>::quiet_NaN();
  double cfi_scaled = std::numeric_limits<double>::quiet_NaN(), tli_scaled = std::numeric_limits<double>::quiet_NaN();
  double rmsea_scaled = std::numeric_limits<double>::quiet_NaN();
  double cfi_robust = std::numeric_limits<double>::quiet_NaN(), tli_robust = std::numeric_limits<double>::quiet_NaN();
  double rmsea_robust = std::numeric_limits<double>::quiet_NaN();
};

/// Admissibility (spec 2 "Admissibility"): converged is not admissible.
struct Admissibility {
  bool admissible = true;
  bool heywood = false;          ///< a negative estimated variance
  bool latent_cov_not_pd = false;    ///< latent block of S (Psi) not positive definite
  bool residual_cov_not_pd = false;  ///< observed block of S (Theta) not positive definite
  bool vcov_not_pd = false;      ///< information singular / vcov not PD (identification warning)
  bool unstable_cycle = false;   ///< cyclic model with spectral radius of A >= 1
  double spectral_radius = 0;    ///< of A (0 for acyclic models)
  std::vector<std::string> messages;
};

/// A fitted SEM.
struct SemFit {
  Model model;                  ///< the model, exo rows filled with sample values
  SampleMoments sample;         ///< the moments fitted (ordered as model.observed)
  FitOptions options;
  std::vector<double> theta;    ///< n_free estimates
  std::vector<double> se;       ///< n_free standard errors (NaN when unavailable)
  std::vector<double> vcov;     ///< n_free^2 column-major (empty when unavailable)
  std::vector<double> est;      ///< one per model.rows: estimate (fixed rows: their value)
  std::vector<double> row_se;   ///< one per model.rows (0 for fixed rows, as lavaan)
  Implied implied;
  FitMeasures measures;
  Admissibility admissibility;
  Convergence convergence;
  /// The family-neutral result (coef = theta with par_names, vcov, logLik, df = npar, nobs, extras
  /// "fit_measures" etc.).
  FitResult to_fit_result() const;
};

/// Fits `model` to sample moments. The observed variables of the model must all be in `sample.names`
/// ("sem::fit: observed variable 'x10' of the model is not in the data"). Non-convergence is a field.
SemFit fit(const Model& model, const SampleMoments& sample, const FitOptions& opt = {});
/// Convenience: syntax + raw data (n x k column-major, column names `names`).
SemFit fit(const std::string& syntax, data::MatView data, const std::vector<std::string>& names,
           const FitOptions& opt = {}, const ModelOptions& mopt = {});

/// Fit measures of a model at theta (used by fit; exposed for adapters and tests).
FitMeasures fit_measures(const Model& model, const SampleMoments& sample, const std::vector<double>& theta,
                         Estimator estimator = Estimator::ml);

/// Objective F (ML: F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p [+ mean term]; GLS:
/// 1/2 tr((S^-1 (S - Sigma))^2); ULS: sum over vech of (s - sigma)^2) and its gradient (if grad != null,
/// length n_free). As lavaan, GLS and ULS use S with the N-1 divisor (sample.cov * N/(N-1)) and
/// chi-square = (N-1) F; ML uses S (N divisor) and chi-square = N F. Returns +inf when Sigma is not
/// PD (ML) or I-A singular.
double objective(const Model& model, const SampleMoments& sample, const std::vector<double>& theta,
                 std::vector<double>* grad = nullptr, Estimator estimator = Estimator::ml);

/// Expected information per observation, I = 1/2 Delta^T (Sigma^-1 (x) Sigma^-1) Delta (+ mean part),
/// n_free^2 column-major; vcov = I^{-1} / N.
std::vector<double> expected_information(const Model& model, const std::vector<double>& theta);

// ---------------------------------------------------------------------------------------------
// 5. Graphs and symbolic expansion
// ---------------------------------------------------------------------------------------------

/// Mixed graph G = (V, D, B) on n nodes (spec 1.1). Edges are 0-based pairs.
struct Graph {
  int n = 0;
  std::vector<std::string> names;                 ///< n names (default "1".."n")
  std::vector<std::pair<int, int>> directed;      ///< i -> j (lambda_ij)
  std::vector<std::pair<int, int>> bidirected;    ///< i <-> j, i < j (omega_ij); every node has omega_ii
};
/// Graph with n nodes and the given edges; validates indices, self-loops and duplicates.
Graph make_graph(int n, const std::vector<std::pair<int, int>>& directed,
                 const std::vector<std::pair<int, int>>& bidirected, std::vector<std::string> names = {});
/// The graph of a model over all its RAM variables (A cells -> directed, off-diagonal S -> bidirected).
Graph model_graph(const Model& model);
/// Sigma = (I-Lambda)^{-T} Omega (I-Lambda)^{-1} of a graph: lambda one per directed edge, omega_diag n
/// values, omega_off one per bidirected edge. Throws Error(numerical) if I - Lambda is singular.
std::vector<double> graph_sigma(const Graph& g, const std::vector<double>& lambda,
                                const std::vector<double>& omega_diag, const std::vector<double>& omega_off);

/// A sparse multivariate polynomial with integer coefficients. Variables are numbered: directed
/// edge e -> variable e ("l<i><j>"), then omega_kk (k = 0..n-1) -> |D| + k ("w<k><k>"), then
/// bidirected edge b -> |D| + n + b ("w<k><l>"). Names use 1-based node numbers ("l12", "w13");
/// with n > 9 the indices are separated ("l_1_12").
struct Polynomial {
  std::map<std::vector<int>, int64_t> terms;   ///< exponent vector (length nvars) -> coefficient
  int nvars = 0;
  bool is_zero() const { return terms.empty(); }
  std::string to_string(const std::vector<std::string>& var_names) const;  ///< "l12*w11 - 2*l23^2"
  std::string to_latex(const std::vector<std::string>& latex_names) const;
  /// Evaluates at a point (length nvars).
  double evaluate(const std::vector<double>& x) const;
  Polynomial operator+(const Polynomial& o) const;
  Polynomial operator-(const Polynomial& o) const;
  Polynomial operator*(const Polynomial& o) const;
  bool operator==(const Polynomial& o) const { return nvars == o.nvars && terms == o.terms; }
  static Polynomial constant(int nvars, int64_t c);
  static Polynomial variable(int nvars, int index, int power = 1);
};

/// Closed form sigma_ij = numerator / det(I-Lambda)^2 (one-connection rule; trek rule for acyclic D).
struct Expansion {
  Polynomial numerator;
  Polynomial det;                        ///< det(I - Lambda) = C(V) (1 for acyclic graphs)
  std::vector<std::string> var_names;    ///< text names ("l12", "w11", ...)
  std::vector<std::string> latex_names;  ///< "\\lambda_{12}", "\\omega_{11}", ...
  std::string to_string() const;         ///< "(num) / (det)^2"
  std::string to_latex() const;          ///< "\\frac{...}{(...)^{2}}"
};
/// sigma_ij (0-based i, j) in closed form. Exponential in paths and cycles: small graphs only
/// (Error(invalid_argument) for n > 20).
Expansion expand(const Graph& g, int i, int j);
/// The cycle sum C(S) = det((I-Lambda)_{S,S}) as a polynomial (S: 0-based node set).
Polynomial cycle_sum(const Graph& g, const std::vector<int>& nodes);
/// The variable names used by expand for g (text, or LaTeX when latex = true).
std::vector<std::string> expansion_variable_names(const Graph& g, bool latex = false);

// ---------------------------------------------------------------------------------------------
// 6. Identifiability
// ---------------------------------------------------------------------------------------------

struct Identification {
  int n_params = 0;            ///< |V| + |D| + |B|
  int n_moments = 0;           ///< n(n+1)/2
  int jacobian_rank = 0;       ///< generic rank of d vech(Sigma) / d theta over GF(2^31-1)
  bool finite_to_one = false;  ///< rank == n_params (generically finite-to-one, locally identifiable)
  bool simple = false;         ///< at most one edge per pair (no 2-cycles, no bows)
  bool bow_free = false;       ///< no i -> j together with i <-> j
  bool acyclic = false;
  /// Parameters that are not generically locally identifiable (0-based columns of the Jacobian:
  /// graphs: directed edges, then omega_kk, then bidirected edges; models: free parameters). A
  /// column is listed when some vector of the Jacobian's null space is nonzero there. Empty when
  /// the rank is full.
  std::vector<int> unidentified;
  // Half-trek criterion (Foygel, Draisma & Drton 2012), graphs of observed variables only.
  bool htc_applicable = false;     ///< false for models with latent variables
  bool htc_identifiable = false;   ///< every node HTC-solved: generically identifiable (sufficient)
  bool htc_nonidentifiable = false;  ///< FDD Theorem 2 condition: generically infinite-to-one
  std::vector<int> htc_solved;     ///< nodes whose incoming directed edges are HTC-identified (solving order)
};
/// Exact generic Jacobian rank (random integer parameters mod 2^31-1, `trials` draws, max rank),
/// the structural flags and the half-trek criterion of the graph (all edges free).
Identification identify(const Graph& g, uint64_t seed = 12345u, int trials = 2);
/// Generic local identifiability of a model as specified (latent variables, fixed values, equality
/// labels and a mean structure included): rank over GF(2^31-1) of d(vech Sigma, mu)/d theta at random
/// free parameters (fixed values exactly as rationals; fixed-x moments random) vs n_free. The
/// structural flags are those of model_graph(model); the HTC is run on that graph when the model has
/// no latent variables (htc_applicable).
Identification identify_model(const Model& model, uint64_t seed = 12345u, int trials = 2);

// ---------------------------------------------------------------------------------------------
// 7. Simulation
// ---------------------------------------------------------------------------------------------

/// n draws of the observed variables: X = F (I-A)^{-1} eps, eps ~ N(M, S) (cyclic allowed).
/// Returns n*p column-major (rows = observations). Throws Error(numerical) if S is not PSD.
std::vector<double> simulate(const Model& model, const std::vector<double>& theta, int64_t n, Rng& rng);

// The SEM simulation study "sem_cfa" (HS CFA at lavaan's estimates) is registered by the sim layer
// (src/sim/studies_sem.cpp).

}  // namespace hetmod::sem
